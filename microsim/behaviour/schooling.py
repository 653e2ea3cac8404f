"""School attendance as a behavioural model: who attends, and how money changes it.

Two parts, kept apart on purpose:

* **The attendance model** (:func:`fit_attendance`): a weighted logit (statsmodels GLM, binomial)
  of current attendance of children aged 3-17 on single years of age, sex, zone, the log of
  household consumption relative to the poverty line, the household head's years of schooling
  and IDPoor status, fitted to the population. It describes who attends today; its consumption
  coefficient is a cross-sectional association, not an effect.
* **The behavioural response** (:func:`anchor_consumption_effect`): the causal effect of
  household consumption on attendance is set so that the model's average marginal effect among
  poor children equals a published estimate (Mideros, Gassmann and Mohnen 2012, in
  ``policies/inaction.yaml``); a transfer conditional on schooling multiplies the odds of the
  children newly offered it by a published odds ratio (Baird et al. 2013).

A child's probability of attending in a year is ``expit(eta)`` with
``eta = fitted(start-year covariates) + effect x (ln C_t - ln C_start) + ln(OR) x newly_offered``:
changes of consumption after the start year (growth, or a reform) act through the causal effect.
Everything is an expected value, so a reform that changes nothing changes attendance by exactly 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim.errors import SpecError
from microsim.population.population import Population
from microsim.synth.spec import ZONES
import warnings

FIRST_AGE, LAST_AGE = 3, 17  # ages the model covers: pre-school to grade 12
LOG_10_PCT = float(np.log(1.1))


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def head_education(pop: Population) -> np.ndarray:
    """Years of schooling of each household's head (per household; 0 if the column is missing)."""
    if "education_years" not in pop.persons:
        return np.zeros(pop.n_households)
    is_head = (pop.persons["relationship"] == "head").to_numpy()
    years = pop.persons["education_years"].to_numpy().astype(float)
    return pop.household_sum(np.where(is_head, years, 0.0))


@dataclass(frozen=True)
class Covariates:
    """The attendance model's regressors for a set of children (one row each)."""

    age: np.ndarray  # completed years, FIRST_AGE..LAST_AGE
    female: np.ndarray  # 0/1
    zone: np.ndarray  # code 0 Phnom Penh, 1 other urban, 2 rural
    log_consumption_ratio: np.ndarray  # ln(consumption per person / poverty line)
    head_education: np.ndarray  # years
    idpoor: np.ndarray  # 0/1

    def design(self) -> np.ndarray:
        """Columns: one per age (no constant), female, other urban, rural, log ratio, head education, IDPoor."""
        ages = (self.age[:, None] == np.arange(FIRST_AGE, LAST_AGE + 1)[None, :]).astype(float)
        return np.column_stack([ages, self.female, self.zone == 1, self.zone == 2, self.log_consumption_ratio,
                                self.head_education, self.idpoor]).astype(float)


DESIGN_NAMES = [f"age_{a}" for a in range(FIRST_AGE, LAST_AGE + 1)] + [
    "female", "other_urban", "rural", "log_consumption_ratio", "head_education_years", "idpoor"]
CONSUMPTION_TERM = DESIGN_NAMES.index("log_consumption_ratio")


def covariates(pop: Population, persons: np.ndarray, consumption_pc: np.ndarray, poverty_line: np.ndarray,
               age: np.ndarray | None = None) -> Covariates:
    """Regressors of the persons at rows ``persons``; consumption and line per household (same prices)."""
    hh = pop.person_household_index[persons]
    zone = pd.Categorical(pop.households["zone"], categories=ZONES).codes[hh].astype(np.int8)
    ages = pop.persons["age"].to_numpy()[persons] if age is None else age
    ratio = np.log(np.maximum(consumption_pc[hh], 1.0) / poverty_line[hh])
    return Covariates(np.asarray(ages, dtype=np.int64), (pop.persons["sex"].to_numpy()[persons] == "female").astype(float),
                      zone, ratio, head_education(pop)[hh], (pop.households["idpoor"].to_numpy()[hh] > 0).astype(float))


@dataclass(frozen=True)
class AttendanceModel:
    """The fitted logit: coefficients by name (log odds), their standard errors and fit facts."""

    coefficients: pd.Series
    standard_errors: pd.Series
    children: int  # sample rows

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"term": self.coefficients.index, "coefficient (log odds)": self.coefficients.to_numpy(),
                             "standard error": self.standard_errors.to_numpy(),
                             "odds ratio": np.exp(self.coefficients.to_numpy())})


def fit_attendance(pop: Population, consumption_pc: np.ndarray, poverty_line: np.ndarray) -> AttendanceModel:
    """Weighted logit of ``in_school`` for children aged 3-17 (statsmodels GLM, binomial family).

    Weights are the household weights rescaled to the sample size (frequency weights), so the
    coefficients are the population's and the standard errors about the sample's.
    """

    import statsmodels.api as sm  # lazy: about 1.3 s to import, and only this fit needs it
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    if "in_school" not in pop.persons:
        raise SpecError("The population has no `in_school` column: the cost-of-inaction study needs current "
                        "school attendance (see docs/data-schema.md).")
    age = pop.persons["age"].to_numpy()
    rows = np.flatnonzero((age >= FIRST_AGE) & (age <= LAST_AGE))
    if rows.size < 200:
        raise SpecError(f"The population has {rows.size} children aged {FIRST_AGE}-{LAST_AGE}; the attendance model "
                        "needs at least 200.")
    x = covariates(pop, rows, consumption_pc, poverty_line)
    y = pop.persons["in_school"].to_numpy()[rows].astype(float)
    w = pop.person_weight()[rows]
    design = x.design()
    keep = design.std(axis=0) > 0
    keep[: LAST_AGE - FIRST_AGE + 1] = True  # age columns are the intercepts
    model = sm.GLM(y, design[:, keep], family=sm.families.Binomial(), freq_weights=w * rows.size / w.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            fit = model.fit(method="newton", maxiter=100, tol=1e-12)
        except (ConvergenceWarning, np.linalg.LinAlgError, ValueError) as e:
            raise SpecError(f"The attendance model (a logit of in_school on age, sex, zone, consumption, the head's "
                            f"schooling and IDPoor for {rows.size} children aged {FIRST_AGE}-{LAST_AGE}) cannot be "
                            f"fitted on this population ({type(e).__name__}): it is too small or too uniform; use a "
                            "larger one.") from None
    coef = np.zeros(design.shape[1])
    se = np.zeros(design.shape[1])
    coef[keep], se[keep] = fit.params, fit.bse
    return AttendanceModel(pd.Series(coef, DESIGN_NAMES), pd.Series(se, DESIGN_NAMES), int(rows.size))


def anchor_consumption_effect(probability: np.ndarray, weight: np.ndarray, pp_per_10pct: float) -> float:
    """The log-odds effect of log consumption whose average marginal effect of 10 % more consumption
    over the given children (``probability`` of attending, ``weight``) is ``pp_per_10pct`` points.

    In a logit, a change of log consumption by d moves the probability by about b x p (1 - p) x d,
    so b = (pp / 100) / (ln 1.1 x mean of p (1 - p)); exact for small changes.
    """
    slope = float(np.average(probability * (1 - probability), weights=weight)) if weight.sum() > 0 else 0.0
    if slope <= 0:
        raise SpecError("No poor child with an attendance probability strictly between 0 and 1: the consumption "
                        "effect cannot be anchored (the population has no poor children of school age).")
    return pp_per_10pct / 100.0 / (LOG_10_PCT * slope)


def with_odds_ratio(probability: np.ndarray, odds_ratio: float) -> np.ndarray:
    """p1 = OR p0 / (1 - p0 + OR p0): the probability once the odds are multiplied by ``odds_ratio``."""
    return odds_ratio * probability / (1 - probability + odds_ratio * probability)
