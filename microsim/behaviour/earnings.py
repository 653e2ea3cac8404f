"""Earnings of workers from a Mincer equation, consistent with household consumption; survival; and
the present value of a year of schooling.

**Imputation** (:func:`impute_earnings`). The population has consumption, not earnings. Each
household's earnings are the labour share of its consumption (``labour_share x consumption per
person x household size``, riels a month), shared among its workers (persons in agriculture,
industry or services) in proportion to ``exp(r S + b1 X + b2 X^2 + f female)``: schooling S,
potential experience X = age - S - 6, sex. So earnings add up to what the household consumes
from work, and within a household the better-schooled earn more by the Mincer return r.

**Valuation** (:func:`lifetime_factor`, :func:`value_of_extra_schooling`). A child of age a0 with
dS more expected years of schooling earns ``exp(r dS) - 1`` more at every working age x:

    PV = (exp(r dS) - 1) x sum over x of 12 E(sex, x) e(sex, x) S(x)/S(a0) ((1 + g)/(1 + d))^(x - a0)

E(sex, x) is the mean monthly earnings of workers of that sex and age in the reference group
(start-year riels), e(sex, x) the share of persons employed, S(x) survival (Gompertz), g real
earnings growth and d the discount rate. The sum depends only on (sex, a0), so each child's value
is one multiplication: see docs/cost-of-inaction.md for a worked example.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from microsim.population.labour import WORKING, Mincer, share_labour_income
from microsim.population.population import Population
from microsim.behaviour.study_parameters import load_study_parameters

MAX_AGE = 110
MONTHS = 12


def workers(pop: Population) -> np.ndarray:
    """Persons in work (bool per person)."""
    return pop.persons["employment_type"].isin(WORKING).to_numpy()


def impute_earnings(pop: Population, consumption_pc: np.ndarray, mincer: Mincer, labour_share: float) -> np.ndarray:
    """Monthly earnings per person (riels, the prices of ``consumption_pc``; 0 for non-workers):
    :func:`microsim.population.labour.share_labour_income` on the population's columns."""
    schooling = pop.persons["education_years"].to_numpy() if "education_years" in pop.persons \
        else np.zeros(pop.n_persons)
    return share_labour_income(workers(pop), schooling, pop.persons["age"].to_numpy(),
                               pop.persons["sex"].to_numpy() == "female", pop.person_household_index,
                               pop.household_size, consumption_pc, mincer, labour_share)


def study_mincer(study) -> Mincer:
    """The Mincer coefficients of a study parameter set (policies/inaction.yaml, ``earnings.*``)."""
    return Mincer(study["earnings.return_to_schooling"], study["earnings.experience"],
                  study["earnings.experience_squared"], study["earnings.female"])


def module_earnings(pop: Population, consumption_pc: np.ndarray, study=None) -> np.ndarray:
    """Monthly earnings per person in the prices of ``consumption_pc`` (riels; 0 for non-workers):
    the earnings model of the cost-of-inaction study, with ``study``'s parameters (default: its
    central values, policies/inaction.yaml ``earnings.*``, as modules that read ``earnings`` get)."""
    if study is None:
        study = load_study_parameters()
    return impute_earnings(pop, consumption_pc, study_mincer(study), study["earnings.labour_share_of_consumption"])


def year_earnings(pop: Population, economy) -> np.ndarray:
    """Monthly earnings per person in the riels of ``economy``'s year (0 for non-workers): the
    population's stored ``earnings`` grown as consumption is from the survey to the year (prices
    and real growth: ``economy.consumption_factor``), or, for data without them, imputed from the
    year's consumption (:func:`module_earnings`). What modules that read ``earnings`` get."""
    if "earnings" not in pop.persons:
        return module_earnings(pop, economy.consumption_pc(pop))
    return pop.persons["earnings"].to_numpy() * economy.consumption_factor


@dataclass(frozen=True)
class Profile:
    """Mean monthly earnings of workers and the employment rate, by sex (0 male, 1 female) and age."""

    earnings: np.ndarray  # shape (2, MAX_AGE + 1), riels per worker per month
    employment: np.ndarray  # shape (2, MAX_AGE + 1), share of persons in work

    @property
    def expected(self) -> np.ndarray:
        """Expected monthly earnings of a person (worker or not) by sex and age: earnings x employment."""
        return self.earnings * self.employment


def earnings_profile(pop: Population, earnings: np.ndarray, weight: np.ndarray, within: np.ndarray,
                     band: int = 5) -> Profile:
    """Earnings and employment by sex and age among persons ``within`` (bool per person), each age
    pooled with its ``band``-year neighbourhood (centred) so thin single years do not make noise."""
    age = np.minimum(pop.persons["age"].to_numpy().astype(np.int64), MAX_AGE)
    female = (pop.persons["sex"].to_numpy() == "female").astype(np.int64)
    working = workers(pop) & within
    cell = female * (MAX_AGE + 1) + age
    size = 2 * (MAX_AGE + 1)
    persons = np.bincount(cell, weight * within, minlength=size).reshape(2, -1)
    in_work = np.bincount(cell, weight * working, minlength=size).reshape(2, -1)
    pay = np.bincount(cell, weight * working * earnings, minlength=size).reshape(2, -1)
    kernel = np.ones(band)

    def smooth(x):
        return np.vstack([np.convolve(row, kernel, mode="same") for row in x])

    persons, in_work, pay = smooth(persons), smooth(in_work), smooth(pay)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_pay = np.where(in_work > 0, pay / in_work, 0.0)
        employment = np.where(persons > 0, in_work / persons, 0.0)
    return Profile(mean_pay, employment)


def survival(level: float, slope: float) -> np.ndarray:
    """S(x) for x = 0..MAX_AGE + 1: probability of surviving from birth to age x (Gompertz hazard
    ``level x exp(slope x age)``, integrated year by year)."""
    ages = np.arange(MAX_AGE + 1)
    hazard = level * np.exp(slope * ages)
    return np.exp(-np.concatenate([[0.0], np.cumsum(hazard)]))


def lifetime_factor(profile: Profile, survive: np.ndarray, first_age: int, last_age: int, growth: float,
                    discount: float) -> np.ndarray:
    """Present value at age a0 of a person's expected earnings over working ages, by sex and a0.

    Shape (2, MAX_AGE + 1): ``sum over x in [max(a0, first), last] of 12 E e(sex, x) S(x)/S(a0)
    ((1 + growth)/(1 + discount))^(x - a0)``, riels of the start year.
    """
    ages = np.arange(MAX_AGE + 1)
    x = np.arange(first_age, last_age + 1)
    gap = x[None, :] - ages[:, None]  # (a0, x)
    ahead = gap >= 0
    factor = np.where(ahead, survive[x][None, :] / survive[ages][:, None]
                      * ((1 + growth) / (1 + discount)) ** np.where(ahead, gap, 0), 0.0)
    yearly = MONTHS * profile.expected[:, x]  # (sex, x)
    return yearly @ factor.T  # (sex, a0)


def value_of_extra_schooling(extra_years: np.ndarray, female: np.ndarray, age: np.ndarray, lifetime: np.ndarray,
                             return_to_schooling: float) -> np.ndarray:
    """Present value (riels of the start year) of ``extra_years`` more schooling per person."""
    return (np.exp(return_to_schooling * extra_years) - 1.0) * lifetime[female.astype(np.int64), age.astype(np.int64)]


def yearly_gains(extra_years: np.ndarray, female: np.ndarray, age: np.ndarray, weight: np.ndarray,
                 profile: Profile, survive: np.ndarray, first_age: int, last_age: int, growth: float,
                 return_to_schooling: float, years: int) -> np.ndarray:
    """Undiscounted extra earnings of all persons in each year 0..years-1 after the start (start-year riels).

    Persons are pooled by (sex, age) first, so the cost is the number of cells, not of persons.
    """
    cells = np.zeros((2, MAX_AGE + 1))
    np.add.at(cells, (female.astype(np.int64), age.astype(np.int64)), weight * (np.exp(return_to_schooling * extra_years) - 1))
    out = np.zeros(years)
    yearly = MONTHS * profile.expected  # (sex, age)
    for t in range(years):  # a loop over calendar years (tens), never over persons
        at = np.arange(MAX_AGE + 1) + t  # age reached in year t by each starting age
        ok = (at >= first_age) & (at <= last_age)
        a0 = np.flatnonzero(ok)
        if a0.size:
            s = survive[at[a0]] / survive[a0]
            out[t] = float(np.sum(cells[:, a0] * yearly[:, at[a0]] * s[None, :])) * (1 + growth) ** t
    return out
