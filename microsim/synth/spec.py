"""Load and check the generator spec (``synthetic_data/spec.yaml``).

The spec has two sections: ``published`` (figures with value, unit, source and year) and
``assumptions`` (modelling choices with value, unit and an ``assumption`` text). Loading
checks both, so a malformed spec stops with a message naming the file and the key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from microsim.errors import SpecError
from microsim.paths import DEFAULT_SPEC, HOME
from microsim.common.yamlfile import read_yaml

ZONES = ("phnom_penh", "other_urban", "rural")
HOUSEHOLD_TYPES = ("older_alone", "adult_alone", "couple", "nuclear", "single_parent", "extended",
                   "three_generation", "skipped_generation")
SECTORS = ("agriculture_self_employed", "industry_wage", "services")
SELF_EMPLOYED = ("own_account", "contributing_family_worker", "employer")  # statuses of workers who are not employees


@dataclass(frozen=True)
class Spec:
    """A checked generator spec: the raw mapping, where it came from and its hash."""

    raw: dict
    path: Path
    sha256: str

    def published(self, key: str):
        """The value of a published figure (its ``value`` if it has one, else the mapping)."""
        entry = self.raw["published"][key]
        return entry.get("value", entry)

    def assumption(self, key: str):
        entry = self.raw["assumptions"][key]
        return entry.get("value", entry)

    def relative(self, name: str) -> Path:
        return (self.path.parent / name).resolve()


class _Checker:
    def __init__(self, path: Path, raw: dict):
        self.path, self.raw = path, raw

    def fail(self, key: str, expected: str, found=None):
        got = "" if found is None else f" (found {found!r})"
        raise SpecError(f"{self.path}, key `{key}`: expected {expected}{got}.")

    def get(self, key: str):
        node = self.raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                self.fail(key, "this key to be present")
            node = node[part]
        return node

    def number(self, key: str, lo: float | None = None, hi: float | None = None, integer=False):
        v = self.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not float(v).is_integer()):
            self.fail(key, "a whole number" if integer else "a number", v)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            self.fail(key, f"a number between {lo} and {hi}", v)
        return v

    def table(self, key: str, lo=0.0, hi=None, keys=None, numeric_keys=False) -> dict:
        v = self.get(key)
        if not isinstance(v, dict) or not v:
            self.fail(key, "a mapping of names to numbers", v)
        if keys is not None and set(v) != set(keys):
            self.fail(key, f"exactly the keys {list(keys)}", sorted(map(str, v)))
        for k in v:
            if numeric_keys and (isinstance(k, bool) or not isinstance(k, (int, float))):
                self.fail(f"{key}.{k}", "ages (numbers) as keys")
            val = v[k]
            if isinstance(val, bool) or not isinstance(val, (int, float)) or val < lo or (hi is not None and val > hi):
                self.fail(f"{key}.{k}", f"a number between {lo} and {hi if hi is not None else 'any'}", val)
        return v


def _check(path: Path, raw: dict) -> None:
    c = _Checker(path, raw)
    for section in ("published", "assumptions"):
        if not isinstance(raw.get(section), dict):
            c.fail(section, "a section (mapping)")
    for key, entry in raw["published"].items():
        if not isinstance(entry, dict):
            c.fail(f"published.{key}", "a mapping with value, unit, source and year", entry)
        for field in ("unit", "source", "year"):
            if field not in entry:
                c.fail(f"published.{key}.{field}", "every published figure to state its unit, source and year")
    for key, entry in raw["assumptions"].items():
        if not isinstance(entry, dict) or "assumption" not in entry or "unit" not in entry:
            c.fail(f"assumptions.{key}", "a mapping with `unit:` and `assumption:` (why this value)")
    c.number("published.households_total.value", 1, integer=True)
    c.number("published.persons_total.value", 1, integer=True)
    c.number("published.persons_male.value", 1, integer=True)
    c.number("published.urban_share.value", 0, 1)
    c.number("published.phnom_penh_persons.value", 0, integer=True)
    c.number("published.women_per_100_men_65_plus.value", 1, 1000)
    c.number("published.poverty_line_daily.value", 1)
    c.number("published.labour_force_participation.male", 0, 1)
    c.number("published.labour_force_participation.female", 0, 1)
    c.number("published.unemployment_rate.all", 0, 1)
    c.number("published.unemployment_rate.age_15_24", 0, 1)
    c.number("published.unemployment_rate.age_25_plus", 0, 1)
    for s in SECTORS:
        c.number(f"published.sector_shares.{s}", 0, 1)
    c.number("published.informal_share.value", 0, 1)
    c.number("published.pension_receipt_older.value", 0, 1)
    c.number("published.women_per_100_men_pension.value", 0, 1000)
    c.number("published.idpoor_households.value", 1, 1e8)
    c.number("published.idpoor_persons.value", 1, 1e9)
    for k in ("ece_age_3", "ece_age_4", "ece_age_5", "primary_net", "lower_secondary_net", "upper_secondary_net"):
        c.number(f"published.school_enrolment.{k}", 0, 1)
    for k in ("primary", "lower_secondary", "upper_secondary"):
        c.number(f"published.school_completion.{k}", 0, 1)
    for k in ("mean_years_25_plus", "women", "men"):
        c.number(f"published.adult_schooling.{k}", 0, 25)
    for k in ("age_structure", "poverty_targets"):
        f = c.get(f"published.{k}.file")
        if not (path.parent / str(f)).exists():
            c.fail(f"published.{k}.file", "a file that exists (relative to the spec)", f)
    c.number("assumptions.pool_factor.value", 1, 10)
    types = c.get("assumptions.household_types")
    for t in HOUSEHOLD_TYPES:
        c.table(f"assumptions.household_types.{t}", 0, 1, keys=ZONES)
    for z in ZONES:
        total = sum(types[t][z] for t in HOUSEHOLD_TYPES)
        if abs(total - 1) > 1e-6:
            c.fail(f"assumptions.household_types (zone {z})", "shares of household types that sum to 1", round(total, 6))
    unknown = set(types) - set(HOUSEHOLD_TYPES) - {"unit", "assumption"}
    if unknown:
        c.fail("assumptions.household_types", f"only the types {list(HOUSEHOLD_TYPES)}", sorted(unknown))
    c.table("assumptions.extra_children_mean.value", 0, 10, keys=ZONES)
    lo, hi = c.number("assumptions.mother_age_at_birth.value.min", 10, 60), c.number("assumptions.mother_age_at_birth.value.max", 10, 60)
    if lo >= hi:
        c.fail("assumptions.mother_age_at_birth.value", "min below max", {"min": lo, "max": hi})
    c.table("assumptions.female_head_share.value", 0, 1, keys=HOUSEHOLD_TYPES)
    c.table("assumptions.spouse_probability.value", 0, 1, keys=HOUSEHOLD_TYPES)
    head_age = c.get("assumptions.head_age.value")
    for t in HOUSEHOLD_TYPES:
        row = head_age.get(t) if isinstance(head_age, dict) else None
        if not (isinstance(row, list) and len(row) == 4 and all(isinstance(v, (int, float)) and v > 0 for v in row)):
            c.fail(f"assumptions.head_age.value.{t}", "[lowest age, span, Beta a, Beta b], all positive", row)
    c.table("assumptions.household_members.value", 0, 10)
    c.number("assumptions.male_share_at_birth.value", 0, 1)
    c.number("assumptions.other_relative_probability.value", 0, 1)
    c.number("assumptions.non_relative_probability.value", 0, 1)
    for key in ("male_share_by_age", "school_attendance_by_age", "disability_by_age"):
        c.table(f"assumptions.{key}.value", 0, 1, numeric_keys=True)
    for key in ("participation_by_age", "fertility_by_age"):
        c.table(f"assumptions.{key}.value", 0, None, numeric_keys=True)
    c.table("assumptions.education_mean_by_birth_year.value", 0, 25, numeric_keys=True)
    c.table("assumptions.education_female_gap_by_birth_year.value", -10, 10, numeric_keys=True)
    c.number("assumptions.education_sd.value", 0, 10)
    c.number("assumptions.urban_female_participation_factor.value", 0, 5)
    for z in ZONES:
        c.table(f"assumptions.sector_propensity.{z}", 0, None, keys=SECTORS)
    c.number("assumptions.sector_propensity.female_industry_factor", 0, 10)
    c.number("assumptions.sector_propensity.older_agriculture_factor", 0, 10)
    c.table("assumptions.formal_propensity.value", 0, None, keys=SECTORS + ZONES)
    c.number("published.nssf_registered_workers.value", 0, None)
    c.table("assumptions.nssf_propensity.value", lo=0.0,
            keys=[*SECTORS, *ZONES, "formal", "female"])
    c.number("published.public_servants.value", 0, None, integer=True)
    c.table("assumptions.public_servant_propensity.value", lo=0.0, keys=[*ZONES, "formal", "per_year_education"])
    c.number("assumptions.services_wage_share.value", 0, 1)
    for who in ("head_or_spouse", "other_member"):
        shares = c.table(f"assumptions.self_employment_status.{who}", 0, 1, keys=SELF_EMPLOYED)
        if abs(sum(shares.values()) - 1) > 1e-6:
            c.fail(f"assumptions.self_employment_status.{who}", "shares that sum to 1", round(sum(shares.values()), 6))
    model = c.get("assumptions.earnings_model.project_file")
    if not (HOME / str(model)).is_file():
        c.fail("assumptions.earnings_model.project_file", "a file of the project that exists (relative to its folder)", model)
    for scheme in ("civil_service", "veteran"):
        c.table(f"assumptions.pension_schemes.{scheme}.age", 0, None, numeric_keys=True)
        c.table(f"assumptions.pension_schemes.{scheme}.zone", 0, None, keys=ZONES)
        c.number(f"assumptions.pension_schemes.{scheme}.per_year_education", 0, 10)
        c.number(f"assumptions.pension_schemes.{scheme}.women_share", 0, 1)
    c.number("published.civil_service_pensioners.value", 0, 1e8)
    c.number("published.veteran_pensioners.value", 0, 1e8)
    c.number("assumptions.pregnancy_unpartnered_factor.value", 0, 1)
    c.table("assumptions.school_odds_ratio.value", 0, None, keys=("urban", "per_year_head_education", "per_log_consumption"))
    c.number("assumptions.school_delay.value.per_school_year", 0, 2)
    c.number("assumptions.school_delay.value.per_log_consumption", -10, 10)
    c.number("assumptions.school_delay.value.max", 0, 12)
    c.number("assumptions.school_delay.value.leaving_grade_power", 0.1, 10)
    for k in ("log_household_size", "share_children", "share_older", "head_education_years",
              "max_adult_education_years", "share_members_agriculture", "share_members_services",
              "share_members_industry", "share_members_unemployed", "any_formal_worker", "any_disabled",
              "female_head", "rich_tail_mean"):
        c.number(f"assumptions.consumption_model.{k}", -5, 5)
    c.number("assumptions.consumption_model.noise_sd", 0, 3)
    c.number("assumptions.consumption_model.rich_tail_probability", 0, 1)
    c.number("assumptions.idpoor.validation_noise_sd", 0, 5)
    c.number("assumptions.idpoor.level1_share", 0, 1)


def load_spec(path: str | Path | None = None) -> Spec:
    """Read and check a generator spec; raise :class:`SpecError` naming the file and key."""
    path = Path(path) if path else DEFAULT_SPEC
    data, raw = read_yaml(path, "generator spec")
    if not isinstance(raw, dict):
        raise SpecError(f"The generator spec {path} must be a mapping with `published:` and `assumptions:`.")
    _check(path, raw)
    return Spec(raw=raw, path=path.resolve(), sha256=hashlib.sha256(data).hexdigest())


def interpolate(table: dict, x: np.ndarray) -> np.ndarray:
    """Piecewise-linear interpolation of a ``{x: y}`` table (flat beyond the ends)."""
    xs = np.array(sorted(float(k) for k in table))
    ys = np.array([float(table[k]) for k in sorted(table, key=float)])
    return np.interp(np.asarray(x, dtype=float), xs, ys)


def load_poverty_targets(spec: Spec) -> pd.DataFrame:
    """The poverty-rate targets file named in the spec, one row per target."""
    path = spec.relative(spec.raw["published"]["poverty_targets"]["file"])
    _, raw = read_yaml(path, "poverty targets file")
    try:
        return pd.DataFrame(raw["targets"])
    except (KeyError, TypeError, ValueError) as e:
        raise SpecError(f"Cannot read the poverty targets {path}: expected a `targets:` list ({e}).") from e
