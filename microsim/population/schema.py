"""The population schema: column specifications read from ``schema.yaml``.

The schema is data, so the validator, the readers and ``docs/data-schema.md`` all derive from
one place. ``python -m microsim.population.schema`` (or ``microsim schema --markdown``) prints the docs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

TABLES = ("households", "persons")
EXTRA_PREFIX = "extra_"


@dataclass(frozen=True)
class Column:
    """One column of the schema: its kind, storage dtype, unit and allowed values."""

    table: str
    name: str
    kind: str  # id, integer, float, bool, category
    description: str
    unit: str
    required: bool = True
    dtype: str | None = None
    values: tuple = ()
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    nullable: bool = False
    unique: bool = False

    @property
    def storage_dtype(self) -> str:
        """The pandas dtype the column has once conformed."""
        if self.kind == "bool":
            return "bool"
        if self.kind == "category":
            return "category"
        return self.dtype or ("int64" if self.kind in ("id", "integer") else "float64")

    def describe_range(self) -> str:
        if self.values:
            return ", ".join(f"`{v}`" for v in self.values) + (" or empty" if self.nullable else "")
        if self.kind == "bool":
            return "true / false (1 / 0 accepted)"
        parts = []
        if self.min is not None:
            parts.append(f"> {self.min:g}" if self.min_exclusive else f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return " and ".join(parts) if parts else "any"


@dataclass(frozen=True)
class Schema:
    households: dict[str, Column] = field(default_factory=dict)
    persons: dict[str, Column] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> dict[str, Column]:
        return getattr(self, name)

    def required(self, table: str) -> list[str]:
        return [c.name for c in self.table(table).values() if c.required]


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    """The schema shipped with the package (``microsim/population/schema.yaml``)."""
    text = resources.files("microsim.population").joinpath("schema.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    tables = {}
    for table in TABLES:
        cols = {}
        for name, spec in raw[table]["columns"].items():
            spec = dict(spec)
            spec["values"] = tuple(spec.get("values", ()))
            spec["description"] = " ".join(str(spec["description"]).split())
            cols[name] = Column(table=table, name=name, **spec)
        tables[table] = cols
    descriptions = {t: raw[t]["description"] for t in TABLES}
    return Schema(households=tables["households"], persons=tables["persons"], descriptions=descriptions)


def to_markdown(schema: Schema | None = None) -> str:
    """The schema as the Markdown tables of ``docs/data-schema.md``."""
    schema = schema or load_schema()
    out = [
        "# Population data schema",
        "",
        "<!-- Generated from microsim/population/schema.yaml by `microsim schema --markdown`; do not edit by hand. -->",
        "",
        "A population is a folder with two tables, `households` and `persons`, stored as",
        "`households.parquet` and `persons.parquet` (or `.csv`), and a `metadata.yaml` file that",
        "records how it was made (generator, seed, spec hash, calibration state, content hash).",
        "A population of 100,000 households or more written by microsim also holds `derived.npz`:",
        "each household's members by age group, sex, employment type and relationship, its type and",
        "the households' order of consumption, stored because computing them on the whole country",
        "takes seconds (see `microsim/population/derived.py`). It is used only while the digest of the columns it",
        "comes from, recorded inside it, still matches; a stale or damaged file is ignored. Delete it",
        "freely: it is made again the next time the population is written.",
        "",
        "Required columns are a contract: their names and meanings never change. Optional columns",
        "may be absent; a calculation that needs one says so. Columns whose name starts with",
        f"`{EXTRA_PREFIX}` are carried along and never checked; any other unknown column is an error.",
        "",
        "In CSV files, booleans may be written `true`/`false` or `1`/`0`; an empty cell is a",
        "missing value, allowed only where the table says \"or empty\".",
        "",
    ]
    for table in TABLES:
        out += [f"## `{table}`", "", schema.descriptions[table], ""]
        out += ["| column | required | type | unit | allowed values | meaning |",
                "|---|---|---|---|---|---|"]
        for c in schema.table(table).values():
            extra = " Unique." if c.unique else ""
            out.append(
                f"| `{c.name}` | {'yes' if c.required else 'no'} | {c.storage_dtype} | {c.unit} "
                f"| {c.describe_range()} | {c.description}{extra} |"
            )
        out.append("")
    out += [
        "## Rules across rows and tables",
        "",
        "- every person's `household_id` exists in the household table;",
        "- every household has at least one member and exactly one member whose `relationship` is `head`;",
        "- `employment_type` is empty for persons under 15 and filled for persons 15 and over;",
        "- only women are `pregnant`, and only between ages 10 and 55;",
        "- `pension_scheme` is `none` exactly when `contributory_pension` is false;",
        "- `labour_status`, when given, is empty under 15 and filled from 15, `unemployed` and `inactive` exactly",
        "  where `employment_type` says so, and `wage_employee_private` for every `nssf_member`;",
        "- `earnings`, when given, are 0 for persons not in work (unemployed, inactive, under 15);",
        "- identifiers are unique within their table.",
        "",
        "The validator (`microsim validate PATH`) reports every problem at once, in plain words.",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(to_markdown(), end="")
