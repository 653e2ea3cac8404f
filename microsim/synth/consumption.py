"""Household consumption per person per month (riels, 2019/20 prices).

log consumption per person = zone intercept + b . household characteristics + noise, with a
lognormal body and an exponential upper tail. The coefficients are assumptions (spec); the
three zone intercepts are *solved* so that the share of persons below the poverty line in each
zone equals the published rate (Table 2), which fixes the level of consumption by zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from microsim.synth.households import Composition
from microsim.synth.members import AGRICULTURE, INDUSTRY, SERVICES, UNEMPLOYED, Members
from microsim.synth.spec import ZONES, Spec, load_poverty_targets

DAYS_PER_MONTH = 365 / 12  # convention turning the daily poverty line into a monthly one


@dataclass
class HouseholdFeatures:
    """Observable household characteristics, one value per household."""

    log_household_size: np.ndarray
    share_children: np.ndarray
    share_older: np.ndarray
    head_education_years: np.ndarray
    max_adult_education_years: np.ndarray
    share_members_agriculture: np.ndarray
    share_members_services: np.ndarray
    share_members_industry: np.ndarray
    share_members_unemployed: np.ndarray
    any_formal_worker: np.ndarray
    any_disabled: np.ndarray
    female_head: np.ndarray

    def as_matrix(self, names: list[str]) -> np.ndarray:
        return np.column_stack([getattr(self, n).astype(float) for n in names])


def household_features(comp: Composition, m: Members) -> HouseholdFeatures:
    n, hh = comp.n_households, comp.household
    size = comp.size.astype(float)

    def share(mask):
        return np.bincount(hh, mask.astype(float), minlength=n) / size

    def anyof(mask):
        return np.bincount(hh, mask.astype(float), minlength=n) > 0

    start = np.cumsum(comp.size) - comp.size
    adult_edu = np.where(comp.age >= 15, m.education_years, 0).astype(float)
    max_edu = np.zeros(n)
    np.maximum.at(max_edu, hh, adult_edu)
    return HouseholdFeatures(
        log_household_size=np.log(size),
        share_children=share(comp.age < 15),
        share_older=share(comp.age >= 65),
        head_education_years=m.education_years[start].astype(float),
        max_adult_education_years=max_edu,
        share_members_agriculture=share(m.employment == AGRICULTURE),
        share_members_services=share(m.employment == SERVICES),
        share_members_industry=share(m.employment == INDUSTRY),
        share_members_unemployed=share(m.employment == UNEMPLOYED),
        any_formal_worker=anyof(m.formal),
        any_disabled=anyof(m.disabled),
        female_head=comp.female[start],
    )


def poverty_line_monthly(spec: Spec) -> float:
    """National poverty line, riels per person per month (daily line x 365/12)."""
    return float(spec.published("poverty_line_daily")) * DAYS_PER_MONTH


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Value below which a share ``q`` of the weight lies (midpoint between neighbours)."""
    order = np.argsort(values, kind="stable")
    v, cw = values[order], np.cumsum(weights[order])
    k = int(np.searchsorted(cw, q * cw[-1], side="left"))
    if k >= len(v) - 1:
        return float(v[-1]) + 1e-9
    return float((v[k] + v[k + 1]) / 2)


def zone_poverty_rates(spec: Spec) -> np.ndarray:
    targets = load_poverty_targets(spec).set_index("name")["value"]
    return np.array([targets[f"poverty_rate_zone_{z}"] for z in ZONES], dtype=float)


def consumption_per_person(comp: Composition, features: HouseholdFeatures, spec: Spec,
                           rng: np.random.Generator) -> np.ndarray:
    """Riels per person per month, rounded to whole riels, one value per household."""
    model = spec.raw["assumptions"]["consumption_model"]
    names = [k for k in HouseholdFeatures.__dataclass_fields__]
    index = features.as_matrix(names) @ np.array([model[k] for k in names], dtype=float)
    n = comp.n_households
    noise = rng.normal(0.0, model["noise_sd"], n)
    noise += (rng.random(n) < model["rich_tail_probability"]) * rng.exponential(model["rich_tail_mean"], n)
    s = index + noise
    log_line = np.log(poverty_line_monthly(spec))
    intercept = np.zeros(n)
    for z, rate in enumerate(zone_poverty_rates(spec)):  # three zones, not households
        m = comp.zone == z
        if m.any():
            intercept[m] = log_line - weighted_quantile(s[m], comp.size[m].astype(float), rate)
    return np.rint(np.exp(intercept + s))
