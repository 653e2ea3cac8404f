"""The whole cost-of-inaction study: one or more cohorts, several discount rates, the sensitivity analysis.

Cohorts are followed once (:func:`microsim.studies.inaction.follow_cohort`, the slow part) and evaluated
as often as the sensitivity analysis needs (:func:`microsim.studies.inaction.evaluate`, cheap). Each
cohort is every child aged 0-17 in its start year, so cohorts of start years less than 18 years
apart share children: each is reported on its own, in riels of its own start year, and they are
never added up. The sensitivity analysis is of the first cohort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim.common.determinism import one_blas_thread
from microsim.errors import SpecError
from microsim.studies.inaction import CohortPaths, CohortResult, evaluate, follow_cohort
from microsim.behaviour.study_parameters import StudyParameters
from microsim.studies.executor import map_tasks, resolve
from microsim.studies.uncertainty import interval, replicate_population
from microsim.engine.macro import load_macro
from microsim.studies.run import check_years

# (parameter, words) varied one at a time between its low and high values
SENSITIVITY = (
    ("earnings.return_to_schooling", "return to a year of schooling"),
    ("schooling.attendance_response_pp_per_10pct", "attendance response to consumption"),
    ("schooling.conditional_transfer_odds_ratio", "effect of a transfer conditional on schooling"),
    ("earnings.real_earnings_growth", "real earnings growth"),
)
DISCOUNT = "valuation.discount_rates"


@dataclass
class Study:
    scenario: str
    cohorts: list[CohortPaths]
    results: list[CohortResult]
    sensitivity: pd.DataFrame  # the first cohort
    parameters: StudyParameters
    discount_rates: list[float]
    near_poor_multiple: float
    notes: list[str]
    intervals: dict | None = None  # first cohort: {discount rate: {field: Interval}}, with `replicates`

    @property
    def first_year(self) -> int:
        return self.cohorts[0].start

    @property
    def headline(self):
        """The first cohort at the first discount rate (a :class:`microsim.studies.inaction.Valuation`)."""
        return self.results[0].valuations[0]


def check_discount_rates(rates: list[float], study: StudyParameters, allow: bool) -> list[float]:
    if not rates:
        raise SpecError("--discount needs at least one rate, in percent: for example --discount 3,5.")
    for r in rates:  # answered in percent, the unit typed on the command line
        if r <= -1:
            raise SpecError(f"--discount {r * 100:g}: {r * 100:g} % cannot be a real discount rate; give rates in "
                            "percent, such as 3,5.")
    plausible = study.parameters[DISCOUNT].plausible
    if plausible and not allow:
        low, high = plausible
        for r in rates:
            if not low <= r <= high:
                raise SpecError(f"--discount {r * 100:g}: {r * 100:g} % is outside the plausible range of real "
                                f"discount rates, {low * 100:g} to {high * 100:g} % (`{DISCOUNT}`). Check the value "
                                "(rates are in percent: 3 means 3 %); if it is meant, add --allow.")
    study.with_values({DISCOUNT: list(rates)}, allow, "--discount")
    return list(rates)


def sensitivity(paths: CohortPaths, study: StudyParameters, rates: list[float],
                uses_conditional: bool) -> pd.DataFrame:
    """One row per parameter and value (low, central, high): the cohort's money at the first rate.

    The discount rate moves two points either way from the first rate (not below 0)."""
    rows = []

    def add(name, words, which, value, params, rate):
        t = evaluate(paths, params, [rate]).valuations[0]
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
    low, high = max(central_rate - 0.02, 0.0), central_rate + 0.02
    for which, rate in (("low", low), ("high", high)):
        add(DISCOUNT, "discount rate", which, rate, study, rate)
    return pd.DataFrame(rows)


INTERVAL_FIELDS = ("cost_of_inaction_riels", "avoided_riels", "avoided_poor_near_poor_riels", "programme_cost_riels",
                   "net_present_value_riels", "benefit_cost_ratio", "share_of_inaction_avoided", "avoided_per_riel")


@one_blas_thread
def replicate_valuations(scenario, base, start: int, study: StudyParameters, rates: list[float], near_poor: float,
                         replicate: int, macro=None):
    """One bootstrap replicate of a cohort: the population resampled by household (Poisson
    multiplicities keyed by id) and recalibrated (docs/uncertainty.md), then followed, the
    attendance model refitted, and valued. ``base``: a Population or a PopulationRef."""

    advice = "use a larger population, or fewer --replicates (0 for none)."
    pop = replicate_population(resolve(base), scenario.seed, replicate, advice)
    try:
        return evaluate(follow_cohort(scenario, pop, start, study, near_poor, macro), study, rates).valuations
    except SpecError as e:
        raise SpecError(f"Bootstrap replicate {replicate} of the cohort of {start} (households resampled) cannot be "
                        f"studied: {e} The estimate itself could; {advice}") from None


def bootstrap_intervals(point: CohortResult, replicates: list) -> dict:
    """95 % intervals (Student t over the replicates' spread, centred on the point estimate)."""

    return {"replicates": len(replicates),
            "by_rate": {v.discount_rate: {name: interval(getattr(v, name), [getattr(r[i], name) for r in replicates])
                                          for name in INTERVAL_FIELDS}
                        for i, v in enumerate(point.valuations)}}


@one_blas_thread
def run_study(scenario, base, cohort_years: list[int], rates: list[float], study: StudyParameters,
              near_poor: float, jobs: int = 1, macro=None, progress=None, replicates: int = 0,
              executor=None, population_ref=None) -> Study:

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
    if len(cohorts) > 1 and cohorts[-1].start - cohorts[0].start < 18:
        notes.append("The cohorts share children (each is every child aged 0-17 in its start year): read each on its "
                     "own; their figures must not be added up.")
    intervals = None
    if replicates:
        tasks = [(scenario, population_ref or base, cohorts[0].start, study, rates, near_poor, r, macro)
                 for r in range(1, replicates + 1)]
        done = map_tasks(executor, replicate_valuations, tasks, "Replicates", "replicate", jobs)
        intervals = bootstrap_intervals(results[0], done)
    return Study(scenario=scenario.name, cohorts=cohorts, results=results,
                 sensitivity=sensitivity(cohorts[0], study, rates, uses_conditional), parameters=study,
                 discount_rates=list(rates), near_poor_multiple=near_poor, notes=notes, intervals=intervals)
