"""IDPoor status from a proxy-means test, as in reality.

A proxy-means test (PMT) predicts log consumption per person from characteristics an enumerator
can observe; statsmodels fits it by weighted least squares (weights: persons). Community
validation and out-of-date records add noise to the score. Households with the lowest observed
score are identified: as many households as the published caseload's share of households
(IDPoor households / all households), ranked by the noisy score plus ``size_elasticity`` x
log(household size), the elasticity solved so that their mean size is the published one (IDPoor
persons / IDPoor households). The poorest ``level1_share`` of them are level 1, the rest level 2.
Targeting errors (poor households missed, non-poor included) follow from the PMT's imperfect fit,
the noise and the household-level ranking.
"""

from __future__ import annotations

import numpy as np

from microsim.synth.consumption import HouseholdFeatures
from microsim.synth.spec import Spec

PMT_PROXIES = ["log_household_size", "share_children", "share_older", "head_education_years",
               "max_adult_education_years", "share_members_agriculture", "share_members_services",
               "any_formal_worker", "any_disabled", "female_head"]


def pmt_score(features: HouseholdFeatures, zone: np.ndarray, log_consumption: np.ndarray,
              persons: np.ndarray) -> np.ndarray:
    """Predicted log consumption per person from observable proxies and zone dummies."""
    X = features.as_matrix(PMT_PROXIES)
    X = np.column_stack([np.ones(len(zone)), zone == 0, zone == 1, X]).astype(float)
    import statsmodels.api as sm  # here, not at the head: it takes a second to load, and a run never fits a PMT
    fit = sm.WLS(log_consumption, X, weights=persons.astype(float)).fit()
    return fit.fittedvalues


def idpoor_shares(spec: Spec) -> tuple[float, float]:
    """(share of households in IDPoor, mean size of IDPoor households) from the published caseload."""
    households, persons = spec.published("idpoor_households"), spec.published("idpoor_persons")
    return households / spec.published("households_total"), persons / households


def select_households(observed: np.ndarray, size: np.ndarray, n_selected: int, mean_size: float,
                      iterations: int = 60) -> np.ndarray:
    """Indices of the ``n_selected`` households lowest on observed + elasticity x log(size), the
    elasticity solved by bisection so that their mean size is closest to ``mean_size``.

    A larger elasticity ranks large households higher (less poor), so the mean size of the
    selection falls as it rises: the bisection keeps the bracket around the target.
    """
    log_size = np.log(size.astype(float))

    def pick(elasticity: float) -> np.ndarray:
        ranked = observed + elasticity * log_size
        chosen = np.argpartition(ranked, n_selected - 1)[:n_selected] if n_selected < len(ranked) else np.arange(len(ranked))
        return chosen

    lo, hi = -3.0, 3.0
    for _ in range(iterations):  # a loop over bisection steps, not households
        mid = (lo + hi) / 2
        if size[pick(mid)].mean() > mean_size:
            lo = mid
        else:
            hi = mid
    chosen = pick(hi)
    return chosen[np.argsort((observed + hi * log_size)[chosen], kind="stable")]  # poorest first


def assign_idpoor(score: np.ndarray, persons: np.ndarray, spec: Spec, rng: np.random.Generator) -> np.ndarray:
    """IDPoor level per household (0 none, 1, 2): the published caseload's share of households,
    with its mean household size (households are equally weighted when generated)."""
    cfg = spec.raw["assumptions"]["idpoor"]
    observed = score + rng.normal(0.0, cfg["validation_noise_sd"], len(score))
    household_share, mean_size = idpoor_shares(spec)
    n_id = max(1, int(round(household_share * len(score))))
    chosen = select_households(observed, persons, n_id, mean_size)
    level = np.zeros(len(score), np.int8)
    level[chosen] = 2
    level[chosen[: int(round(cfg["level1_share"] * n_id))]] = 1
    return level
