"""The whole cost-of-inaction study: several cohorts, several discount rates, and the sensitivity analysis.

Cohorts are followed once (:func:`microsim.inaction.follow_cohort`, the slow part) and evaluated
as often as the sensitivity analysis needs (:func:`microsim.inaction.evaluate`, cheap). Totals
over cohorts are in riels of the first cohort's start year, each cohort's present values
discounted from its own start year to the first one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim.errors import SpecError
from microsim.inaction import CohortPaths, CohortResult, evaluate, follow_cohort
from microsim.study_parameters import StudyParameters

# (parameter, words) varied one at a time between its low and high values
SENSITIVITY = (
    ("earnings.return_to_schooling", "return to a year of schooling"),
    ("schooling.attendance_response_pp_per_10pct", "attendance response to consumption"),
    ("schooling.conditional_transfer_odds_ratio", "effect of a transfer conditional on schooling"),
    ("earnings.real_earnings_growth", "real earnings growth"),
)
DISCOUNT = "valuation.discount_rates"


@dataclass(frozen=True)
class Totals:
    """Sums over cohorts at one discount rate, riels of the first cohort's start year."""

    discount_rate: float
    cost_of_inaction_riels: float
    avoided_riels: float
    avoided_poor_near_poor_riels: float
    programme_cost_riels: float
    forgone_tax_of_inaction_riels: float
    tax_gained_riels: float
    net_present_value_riels: float
    benefit_cost_ratio: float | None
    share_of_inaction_avoided: float | None
    avoided_per_riel: float | None
    fiscal_return_per_riel: float | None  # tax gained per riel of programme cost


@dataclass
class Study:
    scenario: str
    cohorts: list[CohortPaths]
    results: list[CohortResult]
    totals: list[Totals]  # one per discount rate
    sensitivity: pd.DataFrame
    parameters: StudyParameters
    discount_rates: list[float]
    near_poor_multiple: float
    notes: list[str]

    @property
    def first_year(self) -> int:
        return self.cohorts[0].start


def check_discount_rates(rates: list[float], study: StudyParameters, allow: bool) -> list[float]:
    if not rates:
        raise SpecError("--discount needs at least one rate, in percent: for example --discount 3,5.")
    study.with_values({DISCOUNT: list(rates)}, allow, "--discount")
    for r in rates:
        if r <= -1 or r >= 1:
            raise SpecError(f"--discount {r * 100:g} % cannot be a real discount rate: give percent between 0 and 20 "
                            "(for example 3,5).")
    return list(rates)


def _to_first(paths: CohortPaths, first: CohortPaths, rate: float) -> float:
    """Multiplier taking a cohort's start-year present value to the first cohort's start year and prices."""
    return first.price_factor / paths.price_factor * (1 + rate) ** -(paths.start - first.start)


def totals(cohorts: list[CohortPaths], results: list[CohortResult], rates: list[float]) -> list[Totals]:
    out = []
    for i, rate in enumerate(rates):
        def total(name):
            return float(sum(getattr(r.valuations[i], name) * _to_first(p, cohorts[0], rate)
                             for p, r in zip(cohorts, results)))
        inaction, avoided, target = total("cost_of_inaction_riels"), total("avoided_riels"), \
            total("avoided_poor_near_poor_riels")
        cost, tax_lost, tax_gained = total("programme_cost_riels"), total("forgone_tax_of_inaction_riels"), \
            total("tax_gained_riels")
        out.append(Totals(rate, inaction, avoided, target, cost, tax_lost, tax_gained, avoided - cost,
                          avoided / cost if cost > 0 else None, target / inaction if inaction > 0 else None,
                          target / cost if cost > 0 else None, tax_gained / cost if cost > 0 else None))
    return out


def sensitivity(cohorts: list[CohortPaths], study: StudyParameters, rates: list[float],
                uses_conditional: bool) -> pd.DataFrame:
    """One row per parameter and value (low, central, high): the study's totals at the first rate."""
    rows = []

    def add(name, words, which, value, params, rate):
        results = [evaluate(p, params, [rate]) for p in cohorts]
        t = totals(cohorts, results, [rate])[0]
        rows.append({"parameter": name, "meaning": words, "case": which, "value": value,
                     "cost of inaction (riels)": t.cost_of_inaction_riels,
                     "avoided, poor and near-poor (riels)": t.avoided_poor_near_poor_riels,
                     "avoided, all children (riels)": t.avoided_riels, "programme cost (riels)": t.programme_cost_riels,
                     "net present value (riels)": t.net_present_value_riels,
                     "benefit-cost ratio": t.benefit_cost_ratio})

    central_rate = rates[0]
    add("central", "every parameter at its central value", "central", None, study, central_rate)
    for name, words in SENSITIVITY:
        p = study.parameters[name]
        if name == "schooling.conditional_transfer_odds_ratio" and not uses_conditional:
            continue
        for which, value in (("low", p.low), ("high", p.high)):
            add(name, words, which, value, study.with_values({name: value}, allow=True), central_rate)
    low, high = min(rates), max(rates)
    if low == high:  # one rate given: vary it by two points either way
        low, high = max(central_rate - 0.02, 0.0), central_rate + 0.02
    for which, rate in (("low", low), ("high", high)):
        add(DISCOUNT, "discount rate", which, rate, study, rate)
    return pd.DataFrame(rows)


def run_study(scenario, base, cohort_years: list[int], rates: list[float], study: StudyParameters,
              near_poor: float, jobs: int = 1, macro=None, progress=None) -> Study:
    from microsim.macro import load_macro
    from microsim.run import check_years

    macro = macro or load_macro()
    for year in cohort_years:
        check_years(year, year, macro)
    cohorts = []
    for year in sorted(set(cohort_years)):
        step = (lambda done, n, year=year: progress(f"cohort {year}: year {done} of {n}")) if progress else None
        cohorts.append(follow_cohort(scenario, base, year, study, near_poor, macro, jobs, progress=step))
    results = [evaluate(p, study, rates) for p in cohorts]
    uses_conditional = any(np.any(p.offer_base > 0) or np.any(p.offer_reform > 0) for p in cohorts)
    notes = []
    if not any(p.modules_changed for p in cohorts):
        notes.append("The reform pays no one differently from the status quo in the years followed, so household "
                     "consumption and conditional transfers are unchanged: the avoided loss is exactly zero. A reform "
                     "avoids part of the cost of inaction only through programmes that change what households "
                     "receive (the income channel) or who is offered a transfer conditional on schooling.")
    frozen = [p.frozen_from for p in cohorts if p.frozen_from]
    if frozen:
        notes.append(f"Years from {min(frozen)} are beyond the macro assumptions: they keep the last year's prices, "
                     "real consumption level and programme parameters (a cohort is followed until its youngest "
                     "child is 17).")
    return Study(scenario.name, cohorts, results, totals(cohorts, results, rates),
                 sensitivity(cohorts, study, rates, uses_conditional), study, list(rates), near_poor, notes)
