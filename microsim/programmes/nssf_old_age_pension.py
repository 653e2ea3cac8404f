"""Old-age pensions of the NSSF's new retirees (Sub-Decree 32 of 2021): the workers insured since
contributions began on 1 October 2022 who have reached the pension age since, each paid by the
scheme's formula from their months of contributions (a lump sum below the minimum).

The population is aged statically (reweighted to each year, persons keep their ages), so the
careers of today's older persons are not observed: who among them was insured before retiring is
drawn by id at the insured share of persons just below the pension age (55-59, `years_observed`)
of the same sex and zone in the year's population, and their reference wage is the mean contributable wage of those insured workers
(policies/parameters/nssf_old_age_pension.yaml states every assumption).
"""

import numpy as np
import pandas as pd

from microsim.behaviour.earnings import MONTHS as MONTHS_A_YEAR
from microsim.engine.modules import programme
from microsim.errors import SpecError
from microsim.programmes.nssf_contributions import contributable_wage


def contribution_months(age: np.ndarray, year: int, pension_age: float, first_contribution: float) -> np.ndarray:
    """Months a person aged ``age`` (completed years, at mid-``year``) contributed between the
    scheme's first contribution (a decimal year: 2022.75 is 1 October 2022) and the day they reached
    ``pension_age``, had they been insured throughout: 12 x (year - age + pension age - first
    contribution), at least 0. Birthdays are spread over the year, so at mid-year a person of
    completed age ``a`` reached the pension age ``a - pension_age`` years before."""
    reached = year - (age - pension_age)  # the decimal year the person reached the pension age
    return np.maximum(MONTHS_A_YEAR * (reached - first_contribution), 0.0)


def accrued_share(years: np.ndarray, p) -> np.ndarray:
    """Share of the reference wage the formula pays for ``years`` of contributions (credited years
    included): ``accrual_rate`` a year up to ``accrual_years``, ``accrual_rate_after`` beyond."""
    first = np.minimum(years, p.accrual_years)
    return p.accrual_rate * first + p.accrual_rate_after * (years - first)


def insured_at_retirement(d, p, insured_wage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per person: the chance that they were insured in the years before the pension age (the
    weighted share of insured persons among those aged ``pension_age - years_observed`` to
    ``pension_age - 1`` of their sex and zone) and the mean contributable wage of those insured
    persons (riels a month)."""
    weight = np.asarray(d.weight, dtype=np.float64)
    before = (d.age >= p.pension_age - p.years_observed) & (d.age < p.pension_age)
    sex, zone = pd.Categorical(d.sex), pd.Categorical(d.zone)
    cells = len(sex.categories) * len(zone.categories)
    cell = sex.codes.astype(np.int64) * len(zone.categories) + zone.codes
    persons = np.bincount(cell, weights=np.where(before, weight, 0.0), minlength=cells)
    insured = before & (insured_wage > 0)
    covered = np.bincount(cell, weights=np.where(insured, weight, 0.0), minlength=cells)
    wages = np.bincount(cell, weights=np.where(insured, weight * insured_wage, 0.0), minlength=cells)
    share = np.divide(covered, persons, out=np.zeros(cells), where=persons > 0)
    mean_wage = np.divide(wages, covered, out=np.zeros(cells), where=covered > 0)
    return share[cell], mean_wage[cell]


def not_by_cohort(sim, p, label):
    """The cohort costing cannot follow a maturing scheme: each year's retirees join the pensioners
    (aged 60-62 in 2026, 60-72 by 2035) with more months of contributions, which a held share of a
    fixed age group misses. A clear error rather than a wrong spreadsheet."""
    raise SpecError(f"{sim.scenario.path}: the reform changes `nssf_old_age_pension` ({label}), a maturing scheme: "
                    "each year's new retirees join the pensioners with more months of contributions, which the cohort "
                    "costing (a held share of a fixed age group) cannot follow. Its cost by year is in `microsim "
                    "project SCENARIO` (tables/costs_by_year.csv); leave it out of the scenario you cost with "
                    "`microsim cost` or `microsim workbook`.")


@programme("nssf_old_age_pension", entity="person", label="NSSF old-age pensions (new retirees since 2023)",
           inputs=("age", "sex", "zone", "weight", "nssf_member", "earnings", "labour_status", "contributory_pension",
                   "nssf_pension_contributions", "nssf_retiree"), insurance=True, costing=not_by_cohort)
def nssf_old_age_pension(d, p):
    """Riels per person per month: the old-age pension of each new NSSF retiree.

    A person at or above ``pension_age`` with no other contributory pension, drawn by id as insured
    before retiring (:func:`insured_at_retirement`), contributed :func:`contribution_months` from
    ``first_contribution``. With at least ``minimum_months`` the pension is the reference wage x
    :func:`accrued_share` of those years plus ``credited_years``, never below ``minimum_share`` of the
    reference wage nor ``minimum_amount``; with fewer, in the year they reach the pension age, the
    contributions are refunded as a lump sum (months x the scheme's rate x the reference wage,
    spread over the year's twelve months). The reference wage is the mean contributable wage of the
    insured just below the pension age, in the year's riels.

    Data that say who retired from the scheme (the optional ``nssf_retiree``, as the household
    calculator gives it) replace the draw, and such a retiree's reference wage is the scheme's wage
    floor, the only wage the model knows for a person no longer in work: the pension is then the
    minimum, which is what every new retiree's formula gives until the 2040s (15 accrued years at
    1.75 % and 10 credited fall short of the 40 % floor, and 40 % of wages up to about 1,050,000
    riels falls short of the minimum amount).
    """
    scheme = d.parameters_of("nssf_pension_contributions")
    wage = contributable_wage(d, scheme)  # today's members, in the scheme's band
    chance, reference_wage = insured_at_retirement(d, p, wage)
    retired = (d.age >= p.pension_age) & ~np.asarray(d.contributory_pension, dtype=bool)
    stated = d.optional("nssf_retiree")
    if stated is None:
        insured = retired & (d.draws("nssf.old_age_pension") < chance * p.take_up)
    else:
        insured = retired & np.asarray(stated, dtype=bool)
        reference_wage = np.where(insured, scheme.wage_floor, reference_wage)
    months = contribution_months(d.age, d.year, p.pension_age, p.first_contribution)
    years = months / MONTHS_A_YEAR + p.credited_years
    pension = np.maximum(reference_wage * np.maximum(accrued_share(years, p), p.minimum_share), p.minimum_amount)
    entitled = insured & (months >= p.minimum_months)
    refunded = insured & (months > 0) & (months < p.minimum_months) & (d.age < p.pension_age + 1)
    lump_sum = months * scheme.rate * reference_wage / MONTHS_A_YEAR
    return np.where(entitled, pension, np.where(refunded, lump_sum, 0.0))
