"""Work of the persons aged 15 and over: status in employment and monthly earnings, as stored with
the population or, for data without them, derived.

**Status** (``labour_status``): private wage employee, public servant, own-account worker,
contributing family worker, employer, unemployed, inactive (docs/data-schema.md). Data without the
column get it from ``employment_type`` and ``nssf_member`` (:func:`labour_status`): an NSSF member or
an industry wage worker in work is a private wage employee, agriculture is own-account work,
services without the NSSF are own-account work too (the survey groups do not say more: public
servants cannot be told apart, so their NSSF-C coverage is not counted), unemployed and inactive
as they are (whatever `nssf_member` says).

**Earnings** (``earnings``, riels a month in the survey's prices): each household's labour income
is the labour share of its consumption (``labour_share x consumption per person x household
size``), shared among its workers in proportion to ``exp(r S + b1 X + b2 X^2 + f female)``: schooling
S, potential experience X = age - S - 6, sex (:func:`share_labour_income`). So earnings add up to
what the household consumes from work, and within a household the better-schooled earn more by
the Mincer return r. The synthetic generator stores them; data without the column get the same
imputation when a module reads earnings (:func:`microsim.behaviour.earnings.module_earnings`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim.common.yamlfile import read_yaml
from microsim.errors import SpecError

WORKING = ("agriculture_self_employed", "industry_wage", "services")  # employment types in work
LABOUR_STATUSES = ("wage_employee_private", "public_servant", "own_account", "contributing_family_worker",
                   "employer", "unemployed", "inactive")
IN_WORK = LABOUR_STATUSES[:5]
WORKING_AGE = 15  # employment type and status are recorded from this age (the survey's; empty below)


@dataclass(frozen=True)
class Mincer:
    """The Mincer coefficients (log points): return to a year of schooling, experience, sex."""

    return_to_schooling: float
    experience: float
    experience_squared: float
    female: float

    def log_weight(self, schooling: np.ndarray, age: np.ndarray, female: np.ndarray) -> np.ndarray:
        experience = np.maximum(age - schooling - 6.0, 0.0)
        return (self.return_to_schooling * schooling + self.experience * experience
                + self.experience_squared * experience**2 + self.female * female)


def share_labour_income(working: np.ndarray, schooling: np.ndarray, age: np.ndarray, female: np.ndarray,
                        household: np.ndarray, household_size: np.ndarray, consumption_pc: np.ndarray,
                        mincer: Mincer, labour_share: float) -> np.ndarray:
    """Monthly earnings per person (riels, the prices of ``consumption_pc``; 0 for non-workers): the
    labour share of each household's consumption shared among its workers by their Mincer weights.

    Arrays per person (``working`` bool, ``schooling`` and ``age`` in years, ``female`` bool,
    ``household`` the row of the person's household) and per household (``household_size`` persons,
    ``consumption_pc`` riels per person per month)."""
    log_w = mincer.log_weight(schooling.astype(float), age.astype(float), female.astype(float))
    relative = np.where(working, np.exp(log_w - log_w.max(initial=0.0)), 0.0)
    household_total = np.bincount(household, relative, minlength=household_size.size)
    labour_income = labour_share * consumption_pc * household_size  # riels per household per month
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(working, labour_income[household] * relative / household_total[household], 0.0)


def labour_status(persons: pd.DataFrame) -> pd.Categorical:
    """Each person's status in employment: the stored column, or derived from ``employment_type``
    and ``nssf_member`` for data without it (see the module docstring)."""
    if "labour_status" in persons:
        return pd.Categorical(persons["labour_status"], categories=LABOUR_STATUSES)
    kind = persons["employment_type"].astype(object).to_numpy()
    nssf = persons["nssf_member"].to_numpy(dtype=bool) if "nssf_member" in persons else np.zeros(len(persons), bool)
    status = np.select([kind == "unemployed", kind == "inactive", nssf | (kind == "industry_wage"),
                        np.isin(kind, ("agriculture_self_employed", "services"))],
                       ["unemployed", "inactive", "wage_employee_private", "own_account"], default=None)
    return pd.Categorical(status, categories=LABOUR_STATUSES)


def population_labour_status(pop) -> pd.Categorical:
    """:func:`labour_status` of a population's persons, made once and kept with its unweighted
    derived arrays (it does not depend on the weights; modules and the coverage table read it)."""
    if "labour_status" not in pop.cache.unweighted:
        pop.cache.unweighted["labour_status"] = labour_status(pop.persons)
    return pop.cache.unweighted["labour_status"]


def read_earnings_model(path) -> tuple[Mincer, float]:
    """The Mincer coefficients and the labour share of consumption: the central values (``central``,
    else ``value``) of the ``earnings`` section of a study parameter file (policies/inaction.yaml)."""
    _, raw = read_yaml(path, "earnings model file")
    section = raw.get("earnings") if isinstance(raw, dict) else None

    def central(key: str) -> float:
        entry = section.get(key) if isinstance(section, dict) else None
        value = entry.get("central", entry.get("value")) if isinstance(entry, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError(f"{path}: `earnings.{key}` needs a number as its `central` or `value` (found {value!r}).")
        return float(value)

    mincer = Mincer(*(central(key) for key in ("return_to_schooling", "experience", "experience_squared", "female")))
    return mincer, central("labour_share_of_consumption")
