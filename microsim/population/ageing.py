"""Static ageing: the base population reweighted to each projection year's demography.

For a year Y, the base population's households are recalibrated (the calibrator of
``microsim.population.calibrate``, from the base weights) to targets built from the base population and UN
WPP 2024 (``policies/projection.yaml`` states every assumption; WPP 2022 and the Census level remain
choices, for comparison):

* persons: WPP's total for Y (``level_base: wpp``), or the base total x WPP total(Y) / WPP total(base
  year) (``census2019``);
* households: persons / mean household size (held at the base year's unless an annual change is set);
* age structure by five-year group (85+ pooled): WPP's own shares of Y (``age_structure_method: wpp``),
  or the ratio method (``ratio``): the calibrated base share x WPP share(Y) / WPP share(base),
  normalised, so the base calibration is kept and WPP gives the change;
* men, and persons in Phnom Penh: the base shares times persons(Y);
* persons aged 0 (a year's births) within 0-4: WPP's share from its single ages (or, by the ratio
  method, the base share x the change of WPP's share; with WPP 2022, age 0 interpolated within its
  five-year groups: :func:`infant_share`);
* the base population's own demographic ratios (women pregnant at a moment per person aged 0);
* optionally the base year's poverty profile (Tables 1-3 rates except the national one, and
  IDPoor coverage), so that poverty before uprating changes only through the population's
  structure.

The survey's own year (2019) keeps the base weights. Every simulated year goes through
:func:`bring_to_year` (``microsim run`` and ``microsim project`` alike); prices and growth are in
:mod:`microsim.engine.economy`. docs/projection.md says what is done and what is not yet.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from microsim.population.calibrate import Calibration, CalibrationError, apply, calibrate_population
from microsim.errors import SpecError
from microsim.paths import POLICIES, WPP2024_FILE, WPP_FILE
from microsim.population.population import Population
from microsim.population.demography import (SURVEY_FIRST_YEAR, read_wpp_groups, read_wpp_single_ages,
                                            wpp_groups_of_single_ages)
from microsim.population.targets import DEFAULT_TARGETS, Target, TargetSet, evaluate, load_targets
from microsim.common.yamlfile import read_yaml

DEFAULT_ASSUMPTIONS = POLICIES / "projection.yaml"
BASE_YEAR = SURVEY_FIRST_YEAR  # the demographic year of a CSES 2019/20 population
TOP_GROUP = 85  # five-year groups 0-4 ... 80-84, then 85+ (sample cells above are too thin)


@dataclass(frozen=True)
class Assumptions:
    raw: dict
    path: Path

    def value(self, key: str):
        entry = self.raw[key]
        return entry.get("value", entry) if isinstance(entry, dict) else entry


def load_assumptions(path: str | Path | None = None) -> Assumptions:
    path = Path(path) if path else DEFAULT_ASSUMPTIONS
    _, raw = read_yaml(path, "projection assumptions")
    required = ("population_source", "level_base", "age_structure_method", "mean_household_size_change",
                "keep_poverty_profile", "calibration")
    if not isinstance(raw, dict) or any(k not in raw for k in required):
        raise SpecError(f"{path}: expected the keys {list(required)} (see docs/projection.md).")
    for key, allowed in (("population_source", SOURCES), ("level_base", LEVELS), ("age_structure_method", METHODS)):
        value = raw[key]["value"] if isinstance(raw[key], dict) else raw[key]
        if value not in allowed:
            raise SpecError(f"{path}, key `{key}`: expected {' or '.join(allowed)} (found {value!r}).")
    return Assumptions(raw, path)


SOURCES = ("wpp2024", "wpp2022")  # UN WPP 2024 by single age and sex; WPP 2022 by five-year group (for comparison)
LEVELS = ("wpp", "census2019")  # persons in a year: WPP's total, or the base's (Census) level grown with WPP
METHODS = ("wpp", "ratio")  # the age structure of a year: WPP's own, or the base's moved as WPP's moves


def single_ages(assumptions: Assumptions) -> bool:
    """Whether the assumptions' source is UN WPP 2024 by single age (else WPP 2022's five-year groups)."""
    return assumptions.value("population_source") == "wpp2024"


def wpp_file(assumptions: Assumptions) -> Path:
    return WPP2024_FILE if single_ages(assumptions) else WPP_FILE


def wpp_years(assumptions: Assumptions | None = None) -> tuple[int, int]:
    years = pd.read_csv(wpp_file(assumptions or load_assumptions()), usecols=["year"])["year"]
    return int(years.min()), int(years.max())


def wpp_groups(assumptions: Assumptions, year: int) -> pd.Series:
    """WPP's population of ``year`` by five-year group (thousands, indexed by the group's first age),
    from the source the assumptions choose: WPP 2024's single ages summed, or WPP 2022's groups."""
    if single_ages(assumptions):
        return wpp_groups_of_single_ages(read_wpp_single_ages(year))
    return read_wpp_groups(WPP_FILE, year)


def wpp_infant_share(assumptions: Assumptions, year: int) -> float:
    """Persons aged 0 as a share of persons aged 0-4 in WPP's ``year``: WPP 2024's own single ages,
    or (WPP 2022) linear interpolation within the five-year groups (:func:`infant_share`)."""
    if single_ages(assumptions):
        both = read_wpp_single_ages(year).sum(axis=1)
        return float(both.loc[0] / both.loc[0:4].sum())
    return infant_share(_groups(read_wpp_groups(WPP_FILE, year)))


def _groups(wpp: pd.Series) -> np.ndarray:
    """WPP thousands by five-year group, 85+ pooled: array of TOP_GROUP // 5 + 1 values."""
    closed = wpp[wpp.index < TOP_GROUP].to_numpy()
    return np.append(closed, wpp[wpp.index >= TOP_GROUP].sum())


def infant_share(groups: np.ndarray) -> float:
    """Persons aged 0 as a share of persons aged 0-4, from five-year groups (``groups[0]`` 0-4,
    ``groups[1]`` 5-9): the persons per single year of age taken as linear between the two groups'
    middles (ages 2 and 7), so a shrinking 0-4 group against 5-9 (falling births) gives fewer than a
    fifth. An assumption, used with WPP 2022, which gives five-year groups only (WPP 2024's single ages
    give the share directly: :func:`wpp_infant_share`)."""
    per_year_0_4, per_year_5_9 = groups[0] / 5, groups[1] / 5
    slope = (per_year_5_9 - per_year_0_4) / 5  # persons per year of age, per year of age
    return float((per_year_0_4 - 2 * slope) / groups[0])


def _group_codes(age: np.ndarray) -> np.ndarray:
    return np.minimum(age // 5, TOP_GROUP // 5).astype(np.int64)


def year_targets(base: Population, year: int, assumptions: Assumptions | None = None,
                 base_targets: TargetSet | None = None) -> TargetSet:
    """The calibration targets of projection year ``year`` for the base population ``base``."""
    assumptions = assumptions or load_assumptions()
    lo, hi = wpp_years(assumptions)
    if not lo <= year <= hi or year < BASE_YEAR:
        raise SpecError(f"{assumptions.path}: year {year} is outside the population data ({max(lo, BASE_YEAR)}-{hi}, "
                        f"{wpp_file(assumptions).name}).")
    w = base.person_weight()
    persons_base = float(w.sum())
    households_base = float(base.households["weight"].sum())
    wpp_base, wpp_year = wpp_groups(assumptions, BASE_YEAR), wpp_groups(assumptions, year)
    if assumptions.value("level_base") == "wpp":
        persons = float(wpp_year.sum() * 1000)  # WPP's own total (the Census counted fewer: validation/)
    else:
        persons = persons_base * float(wpp_year.sum() / wpp_base.sum())
    size_change = (1 + assumptions.value("mean_household_size_change") / 100) ** (year - BASE_YEAR)
    households = persons / (persons_base / households_base * size_change)

    age = base.persons["age"].to_numpy()
    codes = _group_codes(age)
    n_groups = TOP_GROUP // 5 + 1
    base_share = np.bincount(codes, w, minlength=n_groups) / persons_base
    g_base, g_year = _groups(wpp_base), _groups(wpp_year)
    follow_wpp = assumptions.value("age_structure_method") == "wpp"
    if follow_wpp:  # WPP's own shares of the year
        share = g_year / g_year.sum()
    else:  # the ratio method: the base's shares moved as WPP's move
        share = base_share * (g_year / g_base.sum()) / np.where(g_base > 0, g_base / g_base.sum(), 1.0)
        share /= share.sum()

    vintage = "UN WPP 2024" if single_ages(assumptions) else "UN WPP 2022"
    src = f"{vintage} ({wpp_file(assumptions).name}), {year} against {BASE_YEAR}; {assumptions.path.name}"
    targets = [
        Target("persons_total", "count", {"level": "person"}, persons, "persons", src, table="population"),
        Target("households_total", "count", {"level": "household"}, households, "households",
               f"persons / mean household size; {assumptions.path.name}", table="population", level="household"),
    ]
    male = float(w @ (base.persons["sex"] == "male").to_numpy()) / persons_base
    zone = base.households["zone"]
    in_phnom_penh = (zone == "phnom_penh").to_numpy()  # codes compared, per household
    pp = float(base.households["weight"].to_numpy() @ (in_phnom_penh * base.household_size_float)) / persons_base
    targets += [
        Target("persons_male", "count", {"level": "person", "sex": "male"}, male * persons, "persons",
               "base year's share of men", table="population"),
        Target("persons_phnom_penh", "count", {"level": "person", "zone": "phnom_penh"}, pp * persons, "persons",
               "base year's share in Phnom Penh (zone shares held)", table="population"),
    ]
    young = float(w @ (age <= 4))
    if young > 0:  # persons aged 0 within 0-4, by the ratio method too: the base's own share x WPP's change
        infants = wpp_infant_share(assumptions, year) if follow_wpp else min(
            float(w @ (age == 0)) / young * wpp_infant_share(assumptions, year) / wpp_infant_share(assumptions, BASE_YEAR),
            1.0)
        how = ("WPP's single ages" if single_ages(assumptions) else
               "age 0 by linear interpolation within 0-4: microsim.population.ageing.infant_share, an assumption")
        targets.append(Target("population_share_age_0_within_0_4", "rate", {"level": "person", "age": [0, 4]}, infants,
                              "share of persons aged 0-4", src + f" (ratio method; {how})", indicator={"age": [0, 0]},
                              table="age_structure"))
    for g in range(n_groups - 1):  # the last group is implied by the others
        a_lo, a_hi = g * 5, g * 5 + 4
        targets.append(Target(f"population_share_age_{a_lo}_{a_hi}", "rate", {"level": "person"}, float(share[g]),
                              "share of persons", src + " (ratio method)", indicator={"age": [a_lo, a_hi]},
                              table="age_structure"))
    # the base population's own values, never imposed from outside (for the shipped default, the
    # published ones it is calibrated to; for survey microdata, its own): demographic identities
    # (ratio targets: women pregnant at a moment per infant) always, and with keep_poverty_profile
    # its poverty rates, IDPoor caseload and pensioners
    base_targets = base_targets or load_targets(DEFAULT_TARGETS)
    kept = [t for t in base_targets.targets if t.kind == "ratio"]
    if assumptions.value("keep_poverty_profile"):
        kept += [t for t in base_targets.targets
                 if (t.is_poverty_rate and t.name != "poverty_rate_national") or t.table in ("idpoor", "pensions")]
    key = ("own profile", str(base_targets.path), base_targets.sha256, tuple(t.name for t in kept))  # every year
    if key not in base.cache.weighted:
        base.cache.weighted[key] = evaluate(base, TargetSet(kept, base_targets.path, base_targets.sha256))
    own = base.cache.weighted[key].set_index("target")["model"]
    for t in kept:
        if np.isfinite(own[t.name]):
            targets.append(dataclasses.replace(t, value=float(own[t.name]),
                                               source=f"the base population's own value ({t.source})"))
    return TargetSet(targets, assumptions.path, "", f"projection {year}")


def age_population(base: Population, year: int, assumptions: Assumptions | None = None
                   ) -> tuple[Population, Calibration]:
    """The base population reweighted to ``year``; the calibration says how hard the targets pulled."""
    assumptions = assumptions or load_assumptions()
    cfg = assumptions.raw["calibration"]
    targets = year_targets(base, year, assumptions)
    cal = calibrate_population(base, targets, method=cfg["method"], bounds=tuple(cfg["bounds"]))
    aged = apply(base, cal)
    aged.metadata["projection_year"] = year
    return aged, cal


def bring_to_year(base: Population, year: int, ageing: bool = True, assumptions: Assumptions | None = None
                  ) -> tuple[Population, dict]:
    """The base population with ``year``'s demography, and how hard the reweighting pulled.

    Without ``ageing``, or for the survey's own year (or earlier), the base weights are kept.
    Returns the population and ``strain`` (Kish design effect and extreme weight ratios; None when
    not reweighted).
    """
    if not ageing or year <= BASE_YEAR:
        return base, {"kish_design_effect": None, "weight_ratio_min": None, "weight_ratio_max": None}
    try:
        pop, cal = age_population(base, year, assumptions)
    except CalibrationError as e:
        raise CalibrationError(
            f"Reweighting the population to {year}'s demography failed: {e} This is the ageing step of `run` and "
            f"`project`: add --no-ageing to simulate {year} on the survey's own weights, or change the calibration "
            f"bounds in {(assumptions or load_assumptions()).path}.") from None
    return pop, {key: cal.diagnostics[key] for key in ("kish_design_effect", "weight_ratio_min", "weight_ratio_max")}
