"""The cost-of-inaction study's parameters (``policies/inaction.yaml``): values with ranges and sources.

Unlike a programme's parameters they have no dates: they describe behaviour (how attendance
responds to money), the labour market (the return to a year of schooling) and valuation (the
discount rates). Each has a central value and, where the evidence gives one, a low and a high
value for the sensitivity analysis, and a plausible range outside which a value needs ``--allow``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from microsim.errors import SpecError
from microsim.paths import POLICIES
from microsim.common.yamlfile import read_yaml
import hashlib

STUDY_FILE = POLICIES / "inaction.yaml"


@dataclass(frozen=True)
class StudyParameter:
    """One study parameter: ``value`` (the central value, a number or a list), its range and source."""

    name: str  # dotted: section.key
    description: str
    unit: str
    value: object
    low: float | None = None
    high: float | None = None
    plausible: tuple[float, float] | None = None
    source: str = ""
    assumption: bool = False  # True when `assumption:` (no publication) is its basis

    @property
    def has_range(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class StudyParameters:
    path: Path
    parameters: dict[str, StudyParameter]
    digest: str = ""

    def __getitem__(self, name: str):
        return self.parameters[name].value

    def with_values(self, values: dict[str, object], allow: bool = False, where: str = "--set") -> "StudyParameters":
        """A copy with some values replaced; a value outside its plausible range needs ``allow``."""
        changed = dict(self.parameters)
        for name, value in values.items():
            if name not in changed:
                raise SpecError(f"{where}: `{name}` is not a study parameter of {self.path}. Known: "
                                f"{', '.join(sorted(changed))}.")
            p = changed[name]
            if isinstance(p.value, list) and not isinstance(value, list):
                value = [value]  # one name or number where a list is expected
            _check_value(p, value, allow, where)
            changed[name] = replace(p, value=value)
        return replace(self, parameters=changed)

    def table(self) -> list[dict]:
        """Rows for reports and the workbook: name, value, low, high, unit, basis."""
        return [{"parameter": p.name, "value": p.value, "low": p.low, "high": p.high, "unit": p.unit,
                 "basis": ("Assumption: " if p.assumption else "") + " ".join(p.source.split())}
                for p in self.parameters.values()]


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _check_value(p: StudyParameter, value, allow: bool, where: str) -> None:
    values = value if isinstance(value, list) else [value]
    if isinstance(p.value, list) and p.value and all(isinstance(v, str) for v in p.value):  # a list of names
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise SpecError(f"{where}: `{p.name}` must be a list of names ({p.unit}); found {value!r}.")
        return
    if isinstance(p.value, list) != isinstance(value, list) or not all(_is_number(v) for v in values):
        kind = "a list of numbers" if isinstance(p.value, list) else "a number"
        raise SpecError(f"{where}: `{p.name}` must be {kind} ({p.unit}); found {value!r}.")
    if p.plausible and not allow:
        lo, hi = p.plausible
        bad = [v for v in values if not lo <= v <= hi]
        if bad:
            raise SpecError(f"{where}: `{p.name}` = {bad[0]:g} is outside its plausible range {lo:g} to {hi:g} "
                            f"({p.unit}). Check the value; if it is meant, add --allow.")


def load_study_parameters(path: str | Path | None = None) -> StudyParameters:
    """Read and check the study's parameter file; errors name the file and the field."""

    path = Path(path) if path else STUDY_FILE
    data, raw = read_yaml(path, "study parameter file")
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: expected sections (schooling, earnings, ...) of parameters; found {type(raw).__name__}.")
    out: dict[str, StudyParameter] = {}
    for section, entries in raw.items():
        if not isinstance(entries, dict):
            raise SpecError(f"{path}: section `{section}` must be a mapping of parameters.")
        for key, entry in entries.items():
            name = f"{section}.{key}"
            out[name] = _parameter(path, name, entry)
    return StudyParameters(path, out, hashlib.sha256(data).hexdigest())


def _parameter(path: Path, name: str, entry) -> StudyParameter:
    def fail(what: str):
        raise SpecError(f"{path}: `{name}`: {what}.")

    if not isinstance(entry, dict):
        fail("expected a mapping with description, unit, a value (or central, low, high) and a source")
    for field in ("description", "unit"):
        if not isinstance(entry.get(field), str):
            fail(f"`{field}` (text) is missing")
    basis = [k for k in ("source", "assumption") if k in entry]
    if len(basis) != 1 or not isinstance(entry[basis[0]], str) or not entry[basis[0]].strip():
        fail("give exactly one of `source:` (a publication) or `assumption:` (why this value)")
    if "central" in entry:
        central, low, high = (entry.get(k) for k in ("central", "low", "high"))
        if not all(_is_number(v) for v in (central, low, high)):
            fail(f"`central`, `low` and `high` must be numbers; found {central!r}, {low!r}, {high!r}")
        if not low <= central <= high:
            fail(f"expected low <= central <= high; found {low:g}, {central:g}, {high:g}")
        value = central
    elif "value" in entry:
        value, low, high = entry["value"], None, None
    else:
        fail("give `value:` or `central:`, `low:` and `high:`")
    plausible = entry.get("plausible")
    if plausible is not None:
        if not (isinstance(plausible, list) and len(plausible) == 2 and all(_is_number(v) for v in plausible)
                and plausible[0] <= plausible[1]):
            fail(f"`plausible` must be [lowest, highest]; found {plausible!r}")
        plausible = (float(plausible[0]), float(plausible[1]))
    p = StudyParameter(name, entry["description"].strip(), entry["unit"], value, low, high, plausible,
                       entry[basis[0]].strip(), basis[0] == "assumption")
    if isinstance(value, list) and not all(_is_number(v) for v in value) and not all(isinstance(v, str) for v in value):
        fail(f"`value` must be a number, a list of numbers or a list of names; found {value!r}")
    if _is_number(value) or (isinstance(value, list) and value and _is_number(value[0])):
        _check_value(p, value, False, str(path))
        for bound in (low, high):
            if bound is not None:
                _check_value(p, bound, False, str(path))
    elif not isinstance(value, list):
        fail(f"`value` must be a number or a list; found {value!r}")
    return p


AGES = ("schooling.first_school_age", "schooling.last_school_age", "earnings.first_working_age",
        "earnings.last_working_age")


def check_study(study: StudyParameters, programmes, where: str = "") -> None:
    """Checks across parameters: whole ages in order, within what the model covers; known programmes.

    ``programmes``: the names of the model's programmes (conditional ones must be among them).
    """
    where = where or str(study.path)

    def fail(text):
        raise SpecError(f"{where}: {text}")

    for name in AGES:
        value = study[name]
        if not (_is_number(value) and float(value).is_integer()):
            fail(f"`{name}` must be a whole number of years; found {value!r}.")
    pre = study["schooling.preschool_ages"]
    if not (isinstance(pre, list) and len(pre) == 2 and all(_is_number(a) and float(a).is_integer() for a in pre)
            and 3 <= pre[0] <= pre[1] <= 17):
        fail(f"`schooling.preschool_ages` must be [first, last] whole ages with 3 <= first <= last <= 17; found {pre!r}.")
    first, last = study["schooling.first_school_age"], study["schooling.last_school_age"]
    if not 3 <= first <= last <= 17:
        fail(f"school ages must satisfy 3 <= first_school_age <= last_school_age <= 17 (the attendance model covers "
             f"ages 3-17); found {first:g} and {last:g}.")
    work_first, work_last = study["earnings.first_working_age"], study["earnings.last_working_age"]
    if not last < work_first <= work_last <= 100:
        fail(f"working ages must satisfy last_school_age < first_working_age <= last_working_age <= 100; found "
             f"{work_first:g} to {work_last:g} with school to {last:g}.")
    unknown = [n for n in study["schooling.conditional_programmes"] if n not in programmes]
    if unknown:
        fail(f"`schooling.conditional_programmes` names {', '.join(f'`{n}`' for n in unknown)}, not a programme of "
             f"the model. Known: {', '.join(sorted(programmes))}.")
