"""IDPoor status from a proxy-means test, as in reality.

A proxy-means test (PMT) predicts log consumption per person from characteristics an enumerator
can observe; statsmodels fits it by weighted least squares (weights: persons). Community
validation and out-of-date records add noise to the score. Households with the lowest observed
score are identified until the published share of persons is covered: the poorest
``level1_share`` of them as level 1, the rest as level 2. Targeting errors (poor households
missed, non-poor included) follow from the PMT's imperfect fit and the noise.
"""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm

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
    fit = sm.WLS(log_consumption, X, weights=persons.astype(float)).fit()
    return fit.fittedvalues


def assign_idpoor(score: np.ndarray, persons: np.ndarray, spec: Spec, rng: np.random.Generator) -> np.ndarray:
    """IDPoor level per household (0 none, 1, 2), covering the published share of persons."""
    cfg = spec.raw["assumptions"]["idpoor"]
    observed = score + rng.normal(0.0, cfg["validation_noise_sd"], len(score))
    order = np.argsort(observed, kind="stable")
    covered = np.cumsum(persons[order]) <= spec.published("idpoor_coverage") * persons.sum()
    n_id = int(covered.sum())
    level = np.zeros(len(score), np.int8)
    level[order[:n_id]] = 2
    level[order[: int(round(cfg["level1_share"] * n_id))]] = 1
    return level
