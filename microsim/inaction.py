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
(``policies/inaction.yaml``): attendance each year (:mod:`microsim.schooling`), expected years of
schooling gained, their value over working lives (:mod:`microsim.earnings`), the forgone tax, the
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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from microsim import outputs as O
from microsim import schooling as S
from microsim.ageing import Assumptions, bring_to_year
from microsim.benefit import Flat
from microsim.earnings import (Mincer, Profile, earnings_profile, impute_earnings, lifetime_factor, survival,
                               yearly_gains)
from microsim.economy import YearEconomy, year_economy
from microsim.engine import SystemResult, load_system, run_system
from microsim.errors import SpecError
from microsim.macro import Macro, load_macro
from microsim.population import Population
from microsim.scenario import Scenario
from microsim.study_parameters import StudyParameters

COHORT_AGES = (0, 17)
GROUPS = ("poor", "near_poor", "other")
MONTHS = 12


# ---- following a cohort ---------------------------------------------------------------------------
@dataclass
class CohortPaths:
    """A cohort followed through the years ``start`` .. ``start + years - 1`` (what the systems give).

    Per child (``n`` children): start age, sex, group (0 poor, 1 near-poor, 2 other), weight
    (persons represented), household row, years of schooling completed at the start, the attendance
    model's covariates at the start. Per child and year (``n x years``): log of household
    consumption over the poverty line under the status quo, the reform's change of log
    consumption (income channel; conditional programmes left out), and the monthly amount of
    conditional programmes offered under each system (riels of the start year, paid if attending).
    """

    start: int
    scenario: str
    age: np.ndarray
    female: np.ndarray
    group: np.ndarray
    weight: np.ndarray
    household: np.ndarray
    schooled: np.ndarray
    covariates: S.Covariates
    log_ratio: np.ndarray  # (n, years) status quo
    change: np.ndarray  # (n, years) reform minus status quo, log points
    offer_base: np.ndarray  # (n, years) riels per month
    offer_reform: np.ndarray  # (n, years) riels per month
    cost: np.ndarray  # (years,) reform minus status quo, other programmes, riels of the start year a year, incl. admin
    admin_base: float
    admin_reform: float
    model: S.AttendanceModel
    profiles: dict[str, Profile]  # "cohort_group" (poor and near-poor) and "other": reference earnings
    gdp: float | None  # start-year GDP, riels
    frozen_from: int | None  # first year simulated with the last macro year's economy and parameters
    price_factor: float = 1.0  # start-year riels per survey-year riel (CPI)
    modules_changed: tuple[str, ...] = ()  # programmes whose payments differ between the systems

    @property
    def years(self) -> int:
        return self.log_ratio.shape[1]

    @property
    def calendar(self) -> list[int]:
        return list(range(self.start, self.start + self.years))


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
        amount = system.benefits.get(n)
        if amount is None:
            continue
        if modules[n].entity == "household":
            total += np.asarray(amount, dtype=float)
        else:
            per_person = amount.amount * amount.eligible if isinstance(amount, Flat) else np.asarray(amount, float)
            total += pop.household_sum(per_person * survive)
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


def follow_cohort(scenario: Scenario, base: Population, start: int, study: StudyParameters, near_poor: float,
                  macro: Macro | None = None, jobs: int = 1, assumptions: Assumptions | None = None,
                  progress=None) -> CohortPaths:
    """Simulate the status quo and the reform on the cohort of ``start``, year by year (see the module)."""
    from microsim.run import check_year, supported_years

    macro = macro or load_macro()
    check_year(start, macro)
    last = supported_years(macro)[1]
    pop0, _ = bring_to_year(base, start, True, assumptions)
    economy0 = year_economy(pop0, start, macro, growth=True)
    modules, tree = load_system()
    conditional = [n for n in study["schooling.conditional_programmes"] if n in modules]
    where = str(scenario.path)
    date = dt.date(start, 1, 1)
    overrides_from = dt.date(max(scenario.reform_from or start, start), 1, 1)
    base_tree = tree.with_overrides(scenario.baseline, f"{where}, baseline", overrides_from)
    reform_tree = base_tree.with_overrides(scenario.reform, f"{where}, reform", overrides_from)

    age0 = pop0.persons["age"].to_numpy()
    children = np.flatnonzero((age0 >= COHORT_AGES[0]) & (age0 <= COHORT_AGES[1]))
    if children.size == 0:
        raise SpecError(f"The population has no children aged {COHORT_AGES[0]}-{COHORT_AGES[1]} in {start}.")
    household = pop0.person_household_index[children]
    line0, consumption0 = economy0.poverty_line(pop0), economy0.consumption_pc(pop0)
    ratio0 = consumption0 / line0
    group = np.where(ratio0 < 1, 0, np.where(ratio0 < near_poor, 1, 2))[household].astype(np.int8)
    years = COHORT_AGES[1] - int(age0[children].min()) + 1

    model = S.fit_attendance(pop0, consumption0, line0)
    x0 = S.covariates(pop0, children, consumption0, line0)
    mincer = Mincer(study["earnings.return_to_schooling"], study["earnings.experience"],
                    study["earnings.experience_squared"], study["earnings.female"])
    earnings = impute_earnings(pop0, consumption0, mincer,
                               study["earnings.labour_share_of_consumption"])
    person_group = np.where(ratio0 < near_poor, 0, 1)[pop0.person_household_index]
    w_person = pop0.person_weight()
    profiles = {"cohort_group": earnings_profile(pop0, earnings, w_person, person_group == 0),
                "other": earnings_profile(pop0, earnings, w_person, person_group == 1)}
    survive = survival(study["survival.gompertz_level"], study["survival.gompertz_slope"])

    n = children.size
    log_ratio, change = np.zeros((n, years)), np.zeros((n, years))
    offer_base, offer_reform = np.zeros((n, years)), np.zeros((n, years))
    cost = np.zeros(years)
    w_h = pop0.households["weight"].to_numpy()
    changed: set[str] = set()
    admin = (0.0, 0.0)
    first_school, last_school = study["schooling.first_school_age"], study["schooling.last_school_age"]
    for k in range(years):
        year = start + k
        pop = aged(pop0, k)
        economy = _economy(pop, year, macro, last)
        when = dt.date(min(year, last), 1, 1)
        run = dict(modules=modules, date=when, macro=macro, seed=scenario.seed, jobs=jobs, where=where, economy=economy)
        base_sys = run_system(pop, tree=base_tree, label="baseline", **run)
        reform_sys = run_system(pop, tree=reform_tree, label="reform", **run)
        admin = (base_sys.params.simulation.admin_cost_rate, reform_sys.params.simulation.admin_cost_rate)
        wb = O.welfare(pop, _without(base_sys, conditional), modules, economy)
        wr = O.welfare(pop, _without(reform_sys, conditional), modules, economy, survey_system=wb)
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
        changed |= {m for m in others if not np.array_equal(_as_array(base_sys.benefits.get(m)),
                                                            _as_array(reform_sys.benefits.get(m)))}
        if conditional:  # what each child would be paid if attending: run on the aged population, all attending
            offered = _all_attending(pop, first_school, last_school)
            subset = _closure(conditional, modules)
            ob = run_system(offered, subset, base_tree, when, macro, scenario.seed, 1, "baseline", where, economy=economy)
            orf = run_system(offered, subset, reform_tree, when, macro, scenario.seed, 1, "reform", where, economy=economy)
            for system, target in ((ob, offer_base), (orf, offer_reform)):
                paid = sum((_as_array(system.benefits.get(c), pop.n_persons) for c in conditional), np.zeros(pop.n_persons))
                target[:, k] = paid[children] * to_start
            if not np.array_equal(offer_base[:, k], offer_reform[:, k]):
                changed |= set(conditional)
        if progress:
            progress(k + 1, years)
    return CohortPaths(start, scenario.name, age0[children].astype(np.int64), x0.female.astype(np.int64), group,
                       w_person[children], household,
                       (pop0.persons["education_years"].to_numpy()[children].astype(float)
                        if "education_years" in pop0.persons else np.zeros(n)),
                       x0, log_ratio, change, offer_base, offer_reform, cost, admin[0], admin[1], model, profiles,
                       O.year_money(macro, start).gdp_riels, last + 1 if start + years - 1 > last else None,
                       economy0.price_factor, tuple(sorted(changed)))


def _as_array(amount, n: int | None = None) -> np.ndarray:
    if amount is None:
        return np.zeros(n or 0)
    if isinstance(amount, Flat):
        return amount.amount * amount.eligible
    return np.asarray(amount, dtype=float)


def _all_attending(pop: Population, first: int, last: int) -> Population:
    persons = pop.persons.copy()
    age = persons["age"].to_numpy()
    persons["in_school"] = persons["in_school"].to_numpy() | ((age >= first) & (age <= last))
    return Population(pop.households, persons, dict(pop.metadata))


# ---- from paths to schooling and money ------------------------------------------------------------
@dataclass(frozen=True)
class Valuation:
    """Money of one cohort at one discount rate, riels of the start year (present values at the start)."""

    discount_rate: float
    cost_of_inaction_riels: float  # poor and near-poor children's schooling gap, valued
    avoided_riels: float  # value of the reform's extra schooling, every child of the cohort
    avoided_poor_near_poor_riels: float
    programme_cost_riels: float  # the reform's extra spending over the years followed, incl. admin
    forgone_tax_of_inaction_riels: float
    tax_gained_riels: float
    net_present_value_riels: float  # avoided - programme cost
    benefit_cost_ratio: float | None
    internal_rate_of_return: float | None  # None: the flows never change sign
    share_of_inaction_avoided: float | None  # avoided (poor and near-poor) / cost of inaction
    avoided_per_riel: float | None  # avoided (poor and near-poor) per riel of programme cost


@dataclass(frozen=True)
class Schooling:
    """Expected schooling of the cohort under both systems (weighted persons and years)."""

    table: pd.DataFrame  # by group and consumption quintile: years by 18, status quo and reform; gap
    children: float
    children_poor_near_poor: float
    extra_years_total: float  # child-years of schooling (grade 1-12) the reform adds, all children
    extra_years_poor_near_poor: float
    gap_years_poor_near_poor: float  # child-years the poor and near-poor lack against the benchmark
    extra_preschool_years: float  # child-years of pre-school the reform adds
    consumption_effect: float  # log odds per log point of consumption (the anchored income channel)
    conditional_odds_ratio: float


@dataclass(frozen=True)
class CohortResult:
    start: int
    schooling: Schooling
    valuations: tuple[Valuation, ...]
    flows: pd.DataFrame  # by calendar year: cost, earnings gained, tax gained, earnings lost to inaction
    extra_years: np.ndarray = field(repr=False)  # per child
    gap_years: np.ndarray = field(repr=False)


def attendance(paths: CohortPaths, study: StudyParameters) -> tuple[np.ndarray, np.ndarray, float]:
    """Probability of attending in each year (n x years) under the status quo and the reform, and the
    anchored consumption effect. Outside ages 3-17 the probability is 0."""
    coef = paths.model.coefficients.to_numpy()
    n_ages = S.LAST_AGE - S.FIRST_AGE + 1
    age_coef = coef[:n_ages]
    x = paths.covariates
    eta_static = x.design()[:, n_ages:] @ coef[n_ages:]  # everything but age
    ages = paths.age[:, None] + np.arange(paths.years)[None, :]
    covered = (ages >= S.FIRST_AGE) & (ages <= S.LAST_AGE)
    age_term = np.where(covered, age_coef[np.clip(ages - S.FIRST_AGE, 0, n_ages - 1)], 0.0)
    start_p = S.expit(eta_static + age_coef[np.clip(paths.age - S.FIRST_AGE, 0, n_ages - 1)])
    anchor_rows = (paths.group == 0) & (paths.age >= study["schooling.first_school_age"]) & \
        (paths.age <= study["schooling.last_school_age"])
    effect = S.anchor_consumption_effect(start_p[anchor_rows], paths.weight[anchor_rows],
                                         study["schooling.attendance_response_pp_per_10pct"])
    growth = paths.log_ratio - paths.log_ratio[:, :1]  # status quo change since the start
    eta0 = eta_static[:, None] + age_term + effect * growth
    odds_ratio = study["schooling.conditional_transfer_odds_ratio"]
    p0 = S.expit(eta0)
    p1 = S.expit(eta0 + effect * paths.change)
    p0 = np.where(paths.offer_base > 0, S.with_odds_ratio(p0, odds_ratio), p0)
    p1 = np.where(paths.offer_reform > 0, S.with_odds_ratio(p1, odds_ratio), p1)
    return np.where(covered, p0, 0.0), np.where(covered, p1, 0.0), effect


def _irr(flows: np.ndarray) -> float | None:
    """The rate at which the flows' present value is zero (first year undiscounted), or None."""
    from scipy.optimize import brentq

    def npv(rate):
        return float(np.sum(flows / (1 + rate) ** np.arange(flows.size)))

    lo, hi = -0.9, 10.0
    if not np.any(flows < 0) or not np.any(flows > 0) or npv(lo) * npv(hi) > 0:
        return None
    return float(brentq(npv, lo, hi, xtol=1e-10))


def quintiles(values: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted quintile (0-4) of each row by ``values`` (ties broken by row order)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weight[order]) / weight.sum()
    q = np.empty(values.size, dtype=np.int64)
    q[order] = np.minimum((cum * 5 - 1e-12).astype(np.int64), 4)
    return q


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
    # benchmark: the status-quo attendance of the cohort's other children of the same age, year by year
    bench = np.zeros_like(p0)
    other = paths.group == 2
    for k in range(paths.years):  # a loop over years (tens), never over children
        a = ages[:, k]
        num = np.bincount(a[other], (w * p0[:, k])[other], minlength=200)
        den = np.bincount(a[other], w[other], minlength=200)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(den > 0, num / den, 0.0)
        bench[:, k] = rate[a]
    gap = np.where(target, np.sum((bench - p0) * school, axis=1), 0.0)

    by18_base = paths.schooled + np.sum(p0 * school, axis=1)
    by18_reform = by18_base + extra
    quintile = quintiles(paths.log_ratio[:, 0], w)
    rows = []
    for label, mask in ([("all children", np.ones_like(target))] + [(g.replace("_", "-"), paths.group == i)
                                                                     for i, g in enumerate(GROUPS)]
                        + [(f"quintile {q + 1}", quintile == q) for q in range(5)]):
        ww = w[mask]
        if ww.sum() == 0:
            continue
        rows.append({"children": label, "persons": float(ww.sum()),
                     "years of schooling by 18, status quo": float(np.average(by18_base[mask], weights=ww)),
                     "years of schooling by 18, reform": float(np.average(by18_reform[mask], weights=ww)),
                     "extra years (reform)": float(np.average(extra[mask], weights=ww)),
                     "attendance at 12-14, status quo (share)": _mean_at(p0, ages, mask, w, 12, 14),
                     "attendance at 12-14, reform (share)": _mean_at(p1, ages, mask, w, 12, 14),
                     "pre-school attendance at 3-5, status quo (share)": _mean_at(p0, ages, mask, w, pre_lo, pre_hi),
                     "pre-school attendance at 3-5, reform (share)": _mean_at(p1, ages, mask, w, pre_lo, pre_hi)})
    schooling = Schooling(pd.DataFrame(rows), float(w.sum()), float(w[target].sum()), float(w @ extra),
                          float(w[target] @ extra[target]), float(w[target] @ gap[target]),
                          float(w @ np.sum((p1 - p0) * preschool, axis=1)), effect,
                          study["schooling.conditional_transfer_odds_ratio"])

    # the programme's cost: other programmes (from the paths) plus conditional ones at expected attendance
    conditional = MONTHS * (w @ (p1 * paths.offer_reform) * (1 + paths.admin_reform)
                            - w @ (p0 * paths.offer_base) * (1 + paths.admin_base))
    cost = paths.cost + conditional
    r = study["earnings.return_to_schooling"]
    growth = study["earnings.real_earnings_growth"]
    tax = study["earnings.effective_tax_rate"]
    first_work, last_work = study["earnings.first_working_age"], study["earnings.last_working_age"]
    survive = survival(study["survival.gompertz_level"], study["survival.gompertz_slope"])
    horizon = last_work - int(paths.age.min()) + 1
    profile_of = [paths.profiles["cohort_group"], paths.profiles["other"]]
    gains = np.zeros(horizon)
    losses = np.zeros(horizon)
    for g, profile in enumerate(profile_of):  # reference earnings: poor and near-poor, or the others
        mask = target if g == 0 else ~target
        gains += yearly_gains(extra[mask], paths.female[mask], paths.age[mask], w[mask], profile, survive,
                              first_work, last_work, growth, r, horizon)
        if g == 0:
            losses += yearly_gains(gap[mask], paths.female[mask], paths.age[mask], w[mask], profile, survive,
                                   first_work, last_work, growth, r, horizon)
    gains_target = yearly_gains(extra[target], paths.female[target], paths.age[target], w[target], profile_of[0],
                                survive, first_work, last_work, growth, r, horizon)
    cost_flow = np.zeros(horizon)
    cost_flow[: cost.size] = cost
    valuations = []
    for rate in discount_rates:
        factor = (1 + rate) ** -np.arange(horizon)
        avoided, avoided_target = float(gains @ factor), float(gains_target @ factor)
        inaction, spent = float(losses @ factor), float(cost_flow @ factor)
        valuations.append(Valuation(
            rate, inaction, avoided, avoided_target, spent, tax * inaction, tax * avoided, avoided - spent,
            avoided / spent if spent > 0 else None, _irr(gains - cost_flow),
            avoided_target / inaction if inaction > 0 else None, avoided_target / spent if spent > 0 else None))
    years = np.arange(horizon) + paths.start
    gdp = [paths.gdp * (1 + growth) ** k if paths.gdp else np.nan for k in range(horizon)]
    flows = pd.DataFrame({"year": years, "programme cost (riels)": cost_flow, "earnings gained (riels)": gains,
                          "tax gained (riels)": tax * gains, "earnings lost to inaction (riels)": losses,
                          "earnings lost to inaction (% of GDP)": losses / np.asarray(gdp) * 100})
    return CohortResult(paths.start, schooling, tuple(valuations), flows, extra, gap)


def _mean_at(p: np.ndarray, ages: np.ndarray, mask: np.ndarray, w: np.ndarray, lo: int, hi: int) -> float:
    at = (ages >= lo) & (ages <= hi) & mask[:, None]
    weights = np.broadcast_to(w[:, None], p.shape)[at]
    return float(np.average(p[at], weights=weights)) if weights.sum() > 0 else float("nan")
