"""Target age-sex structure: WPP five-year groups split to single years, split by sex.

Single years come from a monotone cubic (PCHIP) interpolation of the cumulative population at
the group boundaries: every five-year total is kept exactly, counts are never negative, and the
single-year curve is smooth rather than a staircase.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microsim.population.demography import read_wpp_groups
from microsim.errors import SpecError
from microsim.synth.spec import interpolate

MAX_AGE = 100  # ages 100 and over are one bucket


def split_single_years(groups: pd.Series) -> np.ndarray:
    """Counts by single age 0..MAX_AGE from five-year groups (last group open, put at MAX_AGE)."""
    starts = groups.index.to_numpy()
    if starts[-1] != MAX_AGE or np.any(np.diff(starts) != 5) or starts[0] != 0:
        raise SpecError(f"Expected five-year groups 0-4 ... 95-99 and 100+, found starts {[int(start) for start in starts]}.")
    closed = groups.to_numpy()[:-1]
    edges = np.append(starts[:-1], MAX_AGE).astype(float)
    cumulative = np.concatenate([[0.0], np.cumsum(closed)])
    from scipy.interpolate import PchipInterpolator  # here, not at the head: scipy takes most of a second to load
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # flat stretches (empty groups)
        single = np.diff(PchipInterpolator(edges, cumulative)(np.arange(MAX_AGE + 1, dtype=float)))
    return np.append(np.clip(single, 0, None), groups.to_numpy()[-1])


def male_share_by_age(shape: np.ndarray, counts: np.ndarray, male_total_share: float,
                      women_per_100_men_65: float) -> np.ndarray:
    """Male share at each age: the assumed shape, shifted below and above 65 to two published anchors.

    Ages 65+ are shifted so that women per 100 men equals the published ratio; younger ages so that
    the male share of the whole population equals the Census share.
    """
    old = np.arange(len(counts)) >= 65
    target_old = 100.0 / (100.0 + women_per_100_men_65)
    share = shape.astype(float).copy()
    share[old] += target_old - np.average(shape[old], weights=counts[old])
    male_old = np.sum(share[old] * counts[old])
    young_target = (male_total_share * counts.sum() - male_old) / counts[~old].sum()
    share[~old] += young_target - np.average(shape[~old], weights=counts[~old])
    return np.clip(share, 0.0, 1.0)


def age_sex_targets(spec) -> np.ndarray:
    """Share of the population in each (sex, age) cell: array (2, MAX_AGE + 1), male row first."""

    entry = spec.raw["published"]["age_structure"]
    counts = split_single_years(read_wpp_groups(spec.relative(entry["file"]), int(entry["year_row"])))
    ages = np.arange(MAX_AGE + 1)
    male_share = male_share_by_age(
        interpolate(spec.assumption("male_share_by_age"), ages), counts,
        spec.published("persons_male") / spec.published("persons_total"),
        spec.published("women_per_100_men_65_plus"))
    cells = np.vstack([counts * male_share, counts * (1 - male_share)])
    return cells / cells.sum()


def zone_person_shares(spec) -> np.ndarray:
    """Share of persons in Phnom Penh, other urban and rural areas (Census 2019)."""
    pp = spec.published("phnom_penh_persons") / spec.published("persons_total")
    urban = spec.published("urban_share")
    return np.array([pp, urban - pp, 1.0 - urban])
