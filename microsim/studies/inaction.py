"""The cost of inaction: education deprivation among poor and near-poor children, and what a reform avoids.

A **cohort** is every child aged 0-17 in a start year, in the population brought to that year
(demography, real growth, prices). :func:`follow_cohort` follows it, closed (no births, no
migration; the households keep their members, who age a year at a time), through each year until
the youngest is 17, simulating the status quo (the scenario's baseline) and the reform on the
aged households with that year's parameters and economy. What the years give, per child, is the
household's consumption under each system and whether a transfer conditional on schooling is
offered; per household, the reform's extra cost. Nothing in that step depends on the study's
behavioural or valuation parameters.

:func:`evaluate` then turns the paths into schooling and money with the study's parameters
(``policies/inaction.yaml``): attendance each year (:mod:`microsim.behaviour.schooling`), expected years of
schooling gained, their value over working lives (:mod:`microsim.behaviour.earnings`), the forgone tax, the
programme's discounted cost, and net present value, benefit-cost ratio and internal rate of
return. It is cheap, so the sensitivity analysis re-evaluates the same paths.

**The cost of inaction** is the value of the schooling that poor and near-poor children of the
cohort lose against a benchmark: the attendance, age by age and year by year, of the cohort's
other children (neither poor nor near-poor) under the status quo. A reform **avoids** part of it.
Money is in riels of the start year (real), discounted to the start year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim.behaviour import schooling
from microsim.population.ageing import Assumptions
from microsim.common.determinism import one_blas_thread
from microsim.behaviour.earnings import (MONTHS, Profile, earnings_profile, lifetime_factor, module_earnings,
                               survival, value_of_extra_schooling, yearly_gains)
from microsim.engine.economy import YearEconomy, year_economy
from microsim.engine.system import SystemResult, load_system, run_system
from microsim.errors import SpecError
from microsim.engine.macro import Macro
from microsim.distribution.breakdowns import pre_transfer_deciles
from microsim.distribution.tables import year_money
from microsim.distribution.welfare import welfare
from microsim.population.population import Population
from microsim.engine.scenario import Scenario
from microsim.behaviour.study_parameters import StudyParameters, check_study
from microsim.studies.run import year_setup
from microsim.engine.macro import supported_years

COHORT_AGES = (0, 17)
GROUPS = ("poor", "near_poor", "other")


# ---- following a cohort ---------------------------------------------------------------------------
@dataclass
class CohortPaths:
    """A cohort followed through the years ``start`` .. ``start + years - 1`` (what the systems give).

    Per child (``n`` children): start age (years), sex (1 female), group (0 poor, 1 near-poor,
    2 other), consumption quintile of the household (0 poorest .. 4, persons weighted, before the
    model's benefits), weight (persons represented), household row, years of schooling completed at
    the start, the attendance model's covariates at the start. Per child and year (``n x years``): log of household
    consumption over the poverty line under the status quo, the reform's change of log
    consumption (income channel; conditional programmes left out), and the monthly amount of
    conditional programmes offered under each system (riels of the start year, paid if attending).
    """

    start: int
    age: np.ndarray
    female: np.ndarray
    group: np.ndarray
    quintile: np.ndarray
    weight: np.ndarray  # persons represented
    household: np.ndarray
    schooled: np.ndarray
    covariates: schooling.Covariates
    log_ratio: np.ndarray  # (n, years) status quo
    change: np.ndarray  # (n, years) reform minus status quo, log points
    offer_base: np.ndarray  # (n, years) riels per month
    offer_reform: np.ndarray  # (n, years) riels per month
    cost: np.ndarray  # (years,) reform minus status quo, other programmes, riels of the start year a year, incl. admin
    admin_base: np.ndarray  # (years,) administrative cost rate of the status quo, share of benefits
    admin_reform: np.ndarray  # (years,) the reform's
    model: schooling.AttendanceModel
    profiles: dict[str, Profile]  # "cohort_group" (poor and near-poor) and "other": reference earnings
    gdp: float | None  # start-year GDP, riels
    frozen_from: int | None  # first year simulated with the last macro year's economy and parameters
    price_factor: float = 1.0  # start-year riels per survey-year riel (CPI)
    modules_changed: tuple[str, ...] = ()  # programmes whose payments differ between the systems

    @property
    def years(self) -> int:
        return self.log_ratio.shape[1]


def aged(pop: Population, years: int) -> Population:
    """The same households ``years`` later: every member older, nothing else changed (a closed cohort)."""
    if years == 0:
        return pop
    persons = pop.persons.copy()
    persons["age"] = np.minimum(persons["age"].to_numpy() + years, 110).astype(persons["age"].dtype)
    return Population(pop.households, persons, dict(pop.metadata))


def _economy(pop: Population, year: int, macro: Macro, last: int) -> YearEconomy:
    if year <= last:
        return year_economy(pop, year, macro, growth=True)
    held = year_economy(pop, last, macro, growth=True)
    return dataclasses.replace(held, year=year)


def _household_money(pop: Population, system: SystemResult, names, modules, survive: np.ndarray) -> np.ndarray:
    """Monthly riels per household paid by ``names`` (person benefits weighted by the member's survival)."""
    total = np.zeros(pop.n_households)
    for n in names:
        if n in system.benefits:
            amount = np.asarray(system.benefits[n], dtype=float)  # a Flat gives its amounts per element
            total += amount if modules[n].entity == "household" else pop.household_sum(amount * survive)
    return total


def _without(system: SystemResult, names) -> SystemResult:
    return dataclasses.replace(system, benefits={k: v for k, v in system.benefits.items() if k not in names},
                               keys={k: v for k, v in system.keys.items() if k not in names})


def _closure(names, modules) -> dict:
    """The modules ``names`` and every module they read, transitively."""
    todo, out = list(names), {}
    while todo:
        n = todo.pop()
        if n in modules and n not in out:
            out[n] = modules[n]
            todo += [i for i in modules[n].inputs if i in modules]
    return out


@one_blas_thread
def follow_cohort(scenario: Scenario, base: Population, start: int, study: StudyParameters, near_poor: float,
                  macro: Macro | None = None, jobs: int = 1, assumptions: Assumptions | None = None,
                  progress=None) -> CohortPaths:
    """Simulate the status quo and the reform on the cohort of ``start``, year by year (see the module)."""

    pop0, _, economy0, macro = year_setup(base, start, True, True, macro, assumptions)
    last = supported_years(macro)[1]
    modules, tree = load_system()
    check_study(study, modules)
    conditional = list(study["schooling.conditional_programmes"])
    where = str(scenario.path)
    overrides_from = dt.date(max(scenario.reform_from or start, start), 1, 1)
    allow = scenario.allow_implausible
    base_tree = tree.with_overrides(scenario.baseline, f"{where}, baseline", overrides_from, allow)
    reform_tree = base_tree.with_overrides(scenario.reform, f"{where}, reform", overrides_from, allow)

    age0 = pop0.persons["age"].to_numpy()
    children = np.flatnonzero((age0 >= COHORT_AGES[0]) & (age0 <= COHORT_AGES[1]))
    if children.size == 0:
        raise SpecError(f"The population has no children aged {COHORT_AGES[0]}-{COHORT_AGES[1]} in {start}.")
    household = pop0.person_household_index[children]
    line0, consumption0 = economy0.poverty_line(pop0), economy0.consumption_pc(pop0)
    ratio0 = consumption0 / line0
    group = np.where(ratio0 < 1, 0, np.where(ratio0 < near_poor, 1, 2))[household].astype(np.int8)
    years = COHORT_AGES[1] - int(age0[children].min()) + 1

    model = schooling.fit_attendance(pop0, consumption0, line0)
    x0 = schooling.covariates(pop0, children, consumption0, line0)
    earnings = module_earnings(pop0, consumption0, study)
    person_group = np.where(ratio0 < near_poor, 0, 1)[pop0.person_household_index]
    w_person = pop0.person_weight()
    profiles = {"cohort_group": earnings_profile(pop0, earnings, w_person, person_group == 0),
                "other": earnings_profile(pop0, earnings, w_person, person_group == 1)}
    survive = survival(study["survival.gompertz_level"], study["survival.gompertz_slope"])

    n = children.size
    log_ratio, change = np.zeros((n, years)), np.zeros((n, years))
    offer_base, offer_reform = np.zeros((n, years)), np.zeros((n, years))
    cost = np.zeros(years)
    admin_base, admin_reform = np.zeros(years), np.zeros(years)
    w_h = pop0.households["weight"].to_numpy()
    changed: set[str] = set()
    first_school, last_school = study["schooling.first_school_age"], study["schooling.last_school_age"]
    conditional_modules = _closure(conditional, modules)
    for k in range(years):
        year = start + k
        pop = aged(pop0, k)
        economy = _economy(pop, year, macro, last)
        when = dt.date(min(year, last), 1, 1)
        run = dict(modules=modules, date=when, macro=macro, seed=scenario.seed, jobs=jobs, where=where, economy=economy)
        base_sys = run_system(pop, tree=base_tree, label="baseline", **run)
        reform_sys = run_system(pop, tree=reform_tree, label="reform", **run)
        admin = (base_sys.params.simulation.admin_cost_rate, reform_sys.params.simulation.admin_cost_rate)
        admin_base[k], admin_reform[k] = admin
        wb = welfare(pop, _without(base_sys, conditional), modules, economy)
        wr = welfare(pop, _without(reform_sys, conditional), modules, economy, survey_system=wb)
        line = economy.poverty_line(pop)
        log_ratio[:, k] = np.log(np.maximum(wb.consumption, 1.0) / line)[household]
        change[:, k] = (np.log(np.maximum(wr.consumption, 1.0)) - np.log(np.maximum(wb.consumption, 1.0)))[household]
        to_start = economy0.price_factor / economy.price_factor  # year-t riels -> start-year riels
        age_now = pop.persons["age"].to_numpy()
        alive = survive[age_now] / survive[np.minimum(age0, 110)]
        others = sorted((set(base_sys.benefits) | set(reform_sys.benefits)) - set(conditional))
        money_b = _household_money(pop, base_sys, others, modules, alive)
        money_r = _household_money(pop, reform_sys, others, modules, alive)
        cost[k] = MONTHS * (float(w_h @ money_r) * (1 + admin[1]) - float(w_h @ money_b) * (1 + admin[0])) * to_start
        changed |= {m for m in others if not np.array_equal(_paid(base_sys, m, 0), _paid(reform_sys, m, 0))}
        if conditional:  # what each child would be paid if attending: run on the aged population, all attending
            offered = _all_attending(pop, first_school, last_school)
            ob = run_system(offered, conditional_modules, base_tree, when, macro, scenario.seed, 1, "baseline", where, economy=economy)
            orf = run_system(offered, conditional_modules, reform_tree, when, macro, scenario.seed, 1, "reform", where, economy=economy)
            for system, target in ((ob, offer_base), (orf, offer_reform)):
                paid = sum((_paid(system, c, pop.n_persons) for c in conditional), np.zeros(pop.n_persons))
                target[:, k] = paid[children] * to_start
            if not np.array_equal(offer_base[:, k], offer_reform[:, k]):
                changed |= set(conditional)
        if progress:
            progress(k + 1, years)
    quintile = (pre_transfer_deciles(pop0, consumption0) // 2)[household].astype(np.int8)
    return CohortPaths(start, age0[children].astype(np.int64), x0.female.astype(np.int64), group,
                       quintile, w_person[children], household,
                       (pop0.persons["education_years"].to_numpy()[children].astype(float)
                        if "education_years" in pop0.persons else np.zeros(n)),
                       x0, log_ratio, change, offer_base, offer_reform, cost, admin_base, admin_reform, model, profiles,
                       year_money(macro, start).gdp_riels, last + 1 if start + years - 1 > last else None,
                       economy0.price_factor, tuple(sorted(changed)))


def _paid(system: SystemResult, name: str, n: int) -> np.ndarray:
    """A module's amounts per element (zeros when the system does not run it)."""
    return np.asarray(system.benefits[name], dtype=float) if name in system.benefits else np.zeros(n)


def _all_attending(pop: Population, first: int, last: int) -> Population:
    persons = pop.persons.copy()
    age = persons["age"].to_numpy()
    persons["in_school"] = persons["in_school"].to_numpy() | ((age >= first) & (age <= last))
    return Population(pop.households, persons, dict(pop.metadata))


# ---- from paths to schooling and money ------------------------------------------------------------
@dataclass(frozen=True)
class Valuation:
    """Money of one cohort at one discount rate: riels of the cohort's start year, present values at it."""

    discount_rate: float
    cost_of_inaction_riels: float  # poor and near-poor children's schooling gap, valued
    avoided_riels: float  # value of the reform's extra schooling, every child of the cohort
    avoided_poor_near_poor_riels: float
    programme_cost_riels: float  # the reform's extra spending over the years followed, incl. admin
    forgone_tax_of_inaction_riels: float
    tax_gained_riels: float
    net_present_value_riels: float  # avoided (every child) - programme cost
    benefit_cost_ratio: float | None  # avoided (every child) / programme cost
    internal_rate_of_return: float | None  # None: no rate between -90 % and 1000 % gives a zero present value
    share_of_inaction_avoided: float | None  # avoided (poor and near-poor) / cost of inaction
    avoided_per_riel: float | None  # avoided (poor and near-poor) per riel of programme cost
    fiscal_return_per_riel: float | None  # tax gained per riel of programme cost


@dataclass(frozen=True)
class Schooling:
    """Expected schooling of the cohort under both systems: persons (weighted) and child-years."""

    table: pd.DataFrame  # by group and consumption quintile: years by 18, status quo and reform; attendance
    by_age: pd.DataFrame  # by age at the start: children, schooling gap and extra years, their values at the first rate
    children: float  # persons aged 0-17 at the start
    children_poor_near_poor: float  # persons
    extra_years_total: float  # child-years of schooling (grades 1-12) the reform adds, all children
    extra_years_poor_near_poor: float  # child-years
    gap_years_poor_near_poor: float  # child-years the poor and near-poor lack against the benchmark
    extra_preschool_years: float  # child-years of pre-school the reform adds
    consumption_effect: float  # log odds per log point of consumption (the anchored income channel)


@dataclass(frozen=True)
class CohortResult:
    start: int
    schooling: Schooling
    valuations: tuple[Valuation, ...]
    flows: pd.DataFrame  # by calendar year, undiscounted riels of the start year


def child_survival(paths: CohortPaths, study: StudyParameters) -> np.ndarray:
    """Probability that each child alive at the start is alive in each year followed (n x years)."""
    survive = survival(study["survival.gompertz_level"], study["survival.gompertz_slope"])
    ages = np.minimum(paths.age[:, None] + np.arange(paths.years)[None, :], survive.size - 1)
    return survive[ages] / survive[paths.age][:, None]


def attendance(paths: CohortPaths, study: StudyParameters) -> tuple[np.ndarray, np.ndarray, float]:
    """Probability of attending in each year (n x years) under the status quo and the reform, and the
    anchored consumption effect (log odds per log point). Outside ages 3-17 the probability is 0.

    A child offered a conditional transfer has its odds multiplied by the odds ratio, in the status
    quo too (the Family Package scholarship started in 2024, after the survey the attendance model
    is fitted on, so the fitted model does not contain its effect)."""
    coef = paths.model.coefficients.to_numpy()
    n_ages = schooling.LAST_AGE - schooling.FIRST_AGE + 1
    age_coef = coef[:n_ages]
    x = paths.covariates
    eta_static = x.design()[:, n_ages:] @ coef[n_ages:]  # everything but age
    ages = paths.age[:, None] + np.arange(paths.years)[None, :]
    covered = (ages >= schooling.FIRST_AGE) & (ages <= schooling.LAST_AGE)
    age_term = np.where(covered, age_coef[np.clip(ages - schooling.FIRST_AGE, 0, n_ages - 1)], 0.0)
    start_p = schooling.expit(eta_static + age_coef[np.clip(paths.age - schooling.FIRST_AGE, 0, n_ages - 1)])
    anchor_rows = (paths.group == 0) & (paths.age >= study["schooling.first_school_age"]) & \
        (paths.age <= study["schooling.last_school_age"])
    effect = schooling.anchor_consumption_effect(start_p[anchor_rows], paths.weight[anchor_rows],
                                                 study["schooling.attendance_response_pp_per_10pct"])
    growth = paths.log_ratio - paths.log_ratio[:, :1]  # status quo change since the start
    eta0 = eta_static[:, None] + age_term + effect * growth
    odds_ratio = study["schooling.conditional_transfer_odds_ratio"]
    p0 = schooling.expit(eta0)
    p1 = schooling.expit(eta0 + effect * paths.change)
    p0 = np.where(paths.offer_base > 0, schooling.with_odds_ratio(p0, odds_ratio), p0)
    p1 = np.where(paths.offer_reform > 0, schooling.with_odds_ratio(p1, odds_ratio), p1)
    return np.where(covered, p0, 0.0), np.where(covered, p1, 0.0), effect


def internal_rate_of_return(flows: np.ndarray) -> float | None:
    """The rate at which the yearly ``flows`` (first year undiscounted) have zero present value; None
    when the flows never change sign or no rate between -90 % and 1000 % gives zero."""
    from scipy.optimize import brentq  # lazy: scipy.optimize takes a third of a second to import

    def npv(rate):
        return float(np.sum(flows / (1 + rate) ** np.arange(flows.size)))

    lo, hi = -0.9, 10.0
    if not np.any(flows < 0) or not np.any(flows > 0) or npv(lo) * npv(hi) > 0:
        return None
    return float(brentq(npv, lo, hi, xtol=1e-12))


def benchmark(p0: np.ndarray, ages: np.ndarray, other: np.ndarray, weight: np.ndarray, school: np.ndarray,
              needed: np.ndarray, start: int) -> np.ndarray:
    """The status-quo attendance of the cohort's other children (neither poor nor near-poor) of each
    child's age in each year (n x years). An age with no such child where a poor or near-poor child
    needs one is an error (a benchmark of 0 would turn the gap negative)."""
    out = np.zeros_like(p0)
    for k in range(p0.shape[1]):  # a loop over years (tens), never over children
        age = ages[:, k]
        num = np.bincount(age[other], (weight * p0[:, k])[other], minlength=age.max() + 1)
        den = np.bincount(age[other], weight[other], minlength=age.max() + 1)
        missing = school[:, k] & needed & (den[age] <= 0)
        if missing.any():
            raise SpecError(
                f"No child of the cohort of {start} aged {int(age[missing][0])} in {start + k} is above the near-poor "
                "line, so the benchmark attendance of that age is unknown. Lower --near-poor (the multiple of the "
                "poverty line below which a child counts as near-poor) or use a larger population.")
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
        out[:, k] = rate[age]
    return out


def evaluate(paths: CohortPaths, study: StudyParameters, discount_rates: list[float]) -> CohortResult:
    """Schooling, money and their flows for one cohort with the study's parameters (module docstring)."""
    p0, p1, effect = attendance(paths, study)
    first, last = study["schooling.first_school_age"], study["schooling.last_school_age"]
    pre_lo, pre_hi = study["schooling.preschool_ages"]
    ages = paths.age[:, None] + np.arange(paths.years)[None, :]
    school = (ages >= first) & (ages <= last)
    preschool = (ages >= pre_lo) & (ages <= pre_hi)
    w = paths.weight
    target = paths.group < 2

    extra = np.sum((p1 - p0) * school, axis=1)
    bench = benchmark(p0, ages, paths.group == 2, w, school, target, paths.start)
    gap = np.where(target, np.sum((bench - p0) * school, axis=1), 0.0)
    by18_base = paths.schooled + np.sum(p0 * school, axis=1)
    by18_reform = by18_base + extra
    rows = []
    groups = ([("all children", np.ones_like(target))] + [(g.replace("_", "-"), paths.group == i) for i, g in enumerate(GROUPS)]
              + [(f"quintile {q + 1}", paths.quintile == q) for q in range(5)])
    for label, mask in groups:
        weights = w[mask]
        if weights.sum() == 0:
            continue
        rows.append({"children": label, "persons": float(weights.sum()),
                     "years of schooling by 18, status quo": float(np.average(by18_base[mask], weights=weights)),
                     "years of schooling by 18, reform": float(np.average(by18_reform[mask], weights=weights)),
                     "extra years (reform)": float(np.average(extra[mask], weights=weights)),
                     "attendance at 12-14, status quo (share)": _mean_at(p0, ages, mask, w, 12, 14),
                     "attendance at 12-14, reform (share)": _mean_at(p1, ages, mask, w, 12, 14),
                     "pre-school attendance at 3-5, status quo (share)": _mean_at(p0, ages, mask, w, pre_lo, pre_hi),
                     "pre-school attendance at 3-5, reform (share)": _mean_at(p1, ages, mask, w, pre_lo, pre_hi)})

    # the programme's cost: other programmes (from the paths) plus conditional ones at expected attendance
    alive = child_survival(paths, study)
    conditional = MONTHS * (w @ (alive * p1 * paths.offer_reform) * (1 + paths.admin_reform)
                            - w @ (alive * p0 * paths.offer_base) * (1 + paths.admin_base))
    cost = paths.cost + conditional
    r = study["earnings.return_to_schooling"]
    growth = study["earnings.real_earnings_growth"]
    tax = study["earnings.effective_tax_rate"]
    first_work, last_work = study["earnings.first_working_age"], study["earnings.last_working_age"]
    survive = survival(study["survival.gompertz_level"], study["survival.gompertz_slope"])
    horizon = max(last_work - int(paths.age.min()) + 1, paths.years)
    profiles = {True: paths.profiles["cohort_group"], False: paths.profiles["other"]}  # by `target`

    def flows_of(years_of_schooling, mask):
        out = np.zeros(horizon)
        for poor_or_near, profile in profiles.items():
            rows_ = mask & (target == poor_or_near)
            out += yearly_gains(years_of_schooling[rows_], paths.female[rows_], paths.age[rows_], w[rows_], profile,
                                survive, first_work, last_work, growth, r, horizon)
        return out

    def values_of(years_of_schooling, rate):
        """Present value per child (riels of the start year) at ``rate``."""
        out = np.zeros(paths.age.size)
        for poor_or_near, profile in profiles.items():
            lifetime = lifetime_factor(profile, survive, first_work, last_work, growth, rate)
            rows_ = target == poor_or_near
            out[rows_] = value_of_extra_schooling(years_of_schooling[rows_], paths.female[rows_], paths.age[rows_],
                                                  lifetime, r)
        return out

    everyone = np.ones_like(target)
    gains, losses = flows_of(extra, everyone), flows_of(gap, target)
    cost_flow = np.zeros(horizon)
    cost_flow[: cost.size] = cost
    irr = internal_rate_of_return(gains - cost_flow)
    valuations, by_age = [], None
    for rate in discount_rates:
        value_extra, value_gap = w * values_of(extra, rate), w * values_of(gap, rate)
        avoided, avoided_target = float(value_extra.sum()), float(value_extra[target].sum())
        inaction = float(value_gap.sum())
        spent = float(cost_flow @ (1 + rate) ** -np.arange(horizon))
        valuations.append(Valuation(
            rate, inaction, avoided, avoided_target, spent, tax * inaction, tax * avoided, avoided - spent,
            avoided / spent if spent > 0 else None, irr, avoided_target / inaction if inaction > 0 else None,
            avoided_target / spent if spent > 0 else None, tax * avoided / spent if spent > 0 else None))
        if by_age is None:
            by_age = _by_age(paths, target, w, gap, extra, value_gap, value_extra, rate)
    gdp = np.array([paths.gdp * (1 + growth) ** k if paths.gdp else np.nan for k in range(horizon)])
    flows = pd.DataFrame({"year": np.arange(horizon) + paths.start, "programme cost (riels)": cost_flow,
                          "earnings gained (riels)": gains, "tax gained (riels)": tax * gains,
                          "earnings lost to inaction (riels)": losses,
                          "earnings lost to inaction (% of GDP)": losses / gdp * 100})
    result_schooling = Schooling(
        pd.DataFrame(rows), by_age, float(w.sum()), float(w[target].sum()), float(w @ extra),
        float(w[target] @ extra[target]), float(w[target] @ gap[target]),
        float(w @ np.sum((p1 - p0) * preschool, axis=1)), effect)
    return CohortResult(paths.start, result_schooling, tuple(valuations), flows)


def _by_age(paths, target, w, gap, extra, value_gap, value_extra, rate) -> pd.DataFrame:
    """Sums by age at the start (single birth cohorts) at the first discount rate."""
    size = int(paths.age.max()) + 1
    age = paths.age

    def total(values, mask=None):
        mask = np.ones_like(target) if mask is None else mask
        return np.bincount(age[mask], values[mask], minlength=size)

    return pd.DataFrame({
        "age at the start": np.arange(size), "children (persons)": total(w),
        "poor and near-poor children (persons)": total(w, target),
        "schooling gap of the poor and near-poor (child-years)": total(w * gap, target),
        "extra years of schooling, reform (child-years)": total(w * extra),
        f"cost of inaction at {rate * 100:g} % (riels)": total(value_gap, target),
        f"avoided, poor and near-poor, at {rate * 100:g} % (riels)": total(value_extra, target),
        f"avoided, all children, at {rate * 100:g} % (riels)": total(value_extra)})


def _mean_at(p: np.ndarray, ages: np.ndarray, mask: np.ndarray, w: np.ndarray, lo: int, hi: int) -> float:
    """Weighted mean probability (share) over the child-years of rows ``mask`` aged ``lo``-``hi``."""
    at = (ages >= lo) & (ages <= hi) & mask[:, None]
    weights = np.broadcast_to(w[:, None], p.shape)[at]
    return float(np.average(p[at], weights=weights)) if weights.sum() > 0 else float("nan")
