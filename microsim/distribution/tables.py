"""The tables of a year's results, baseline against reform: poverty by group, costs by programme,
incidence by decile, targeting, the missing middle, inequality, and the summary counts. Every
table is a DataFrame whose column names carry their units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microsim.common import weighted
from microsim.population.derived import consumption_order
from microsim.errors import SpecError
from microsim.engine.macro import Macro
from microsim.engine.modules import Module
from microsim.population.population import Population
from microsim.distribution.results import ContributionResult, Inequality, PovertyGroup, ProgrammeResult, YearMoney
from microsim.distribution.breakdowns import pre_transfer_deciles
from microsim.distribution.welfare import MONTHS, Welfare


POVERTY_COLUMNS = {  # record field -> table column (words and units)
    "breakdown": "breakdown", "group": "group", "persons": "persons",
    "headcount_baseline_pct": "headcount baseline (%)", "headcount_reform_pct": "headcount reform (%)",
    "headcount_change_pp": "headcount change (pp)", "poor_baseline_persons": "poor baseline (persons)",
    "poor_reform_persons": "poor reform (persons)", "lifted_persons": "lifted out of poverty (persons)",
    "fallen_persons": "fallen into poverty (persons)", "gap_baseline_pct": "gap baseline (%)",
    "gap_reform_pct": "gap reform (%)", "severity_baseline_x100": "severity baseline (x100)",
    "severity_reform_x100": "severity reform (x100)",
}


def poverty_table(groups: list[PovertyGroup]) -> pd.DataFrame:
    """The poverty table, one row per group, rendered from the records."""
    return pd.DataFrame([{column: getattr(g, name) for name, column in POVERTY_COLUMNS.items()} for g in groups])


def year_money(macro: Macro, year: int) -> YearMoney:
    """The exchange rate, GDP and government spending of ``year`` (None where the series have none)."""
    usd = macro.value("exchange_rate", year) if macro.has("exchange_rate", year) else None
    try:
        gdp, spend = macro.gdp(year), macro.government_spending(year)
    except SpecError:  # a year the GDP series cannot reach: costs in riels and USD only
        gdp = spend = None
    return YearMoney(usd, gdp, spend)


def programme_results(pop, modules, base: Welfare, reform: Welfare, money: YearMoney,
                      not_in_force: dict[str, str] | None = None) -> list[ProgrammeResult]:
    """Annual cost and caseload of every programme in baseline and reform, then a ``Total`` record.

    Costs are 12 x the household-weighted monthly benefits x (1 + administrative cost rate), in
    the year's riels, USD, % of GDP and of government spending. Recipients are persons paid a
    person benefit; receiving households have at least one payment; persons in receiving
    households count every member of such households.
    """
    w_h = pop.households["weight"].to_numpy()
    persons_h = w_h * pop.household_size_float  # persons represented by each household
    b_tot, r_tot = base.totals(pop, modules), reform.totals(pop, modules)
    admin_b = base.system.params.simulation.admin_cost_rate
    admin_r = reform.system.params.simulation.admin_cost_rate
    nothing = np.zeros(pop.n_households, bool)
    not_in_force = not_in_force or {}

    def recipients(totals: dict, name):
        if modules[name].entity != "person":
            return None
        return totals[name].weighted_paid(w_h) if name in totals else 0.0

    def record(name, label, entity, counted, monthly_b, monthly_r, receiving_b, receiving_r, extra) -> ProgrammeResult:
        cost_b = MONTHS * monthly_b * (1 + admin_b)
        cost_r = MONTHS * monthly_r * (1 + admin_r)
        return ProgrammeResult(
            programme=name, label=label, entity=entity, in_survey_consumption=counted,
            cost_baseline_riels_per_year=cost_b, cost_reform_riels_per_year=cost_r,
            cost_change_riels_per_year=cost_r - cost_b, cost_reform_usd_per_year=money.usd(cost_r),
            cost_reform_pct_gdp=money.pct_gdp(cost_r), cost_reform_pct_government_spending=money.pct_spending(cost_r),
            receiving_households_baseline=float(w_h @ receiving_b), receiving_households_reform=float(w_h @ receiving_r),
            persons_in_receiving_households_reform=float(persons_h @ receiving_r), admin_cost_rate=admin_r, **extra)

    def monthly(totals, name):  # riels per month, all households represented
        return totals[name].weighted_total(w_h) if name in totals else 0.0

    def receiving(totals, name):
        return totals[name].receiving if name in totals else nothing

    out = []
    for n in sorted(set(b_tot) | set(r_tot) | {n for n in not_in_force if not modules[n].is_contribution}):
        m = modules[n]
        out.append(record(n, m.label, m.entity, m.counted_in_consumption, monthly(b_tot, n), monthly(r_tot, n),
                          receiving(b_tot, n), receiving(r_tot, n),
                          {"recipients_baseline_persons": recipients(b_tot, n),
                           "recipients_reform_persons": recipients(r_tot, n),
                           "not_in_force": not_in_force.get(n)}))
    names = sorted(set(b_tot) | set(r_tot))
    any_b = np.logical_or.reduce([receiving(b_tot, n) for n in names]) if names else nothing
    any_r = np.logical_or.reduce([receiving(r_tot, n) for n in names]) if names else nothing
    out.append(record("total", "Total", "household", False, sum(monthly(b_tot, n) for n in names),
                      sum(monthly(r_tot, n) for n in names), any_b, any_r,
                      {"recipients_baseline_persons": None, "recipients_reform_persons": None}))
    return out


def contribution_results(pop, modules, base: Welfare, reform: Welfare, money: YearMoney,
                         not_in_force: dict[str, str] | None = None,
                         programmes: list[ProgrammeResult] = ()) -> list[ContributionResult]:
    """Revenue and contributors of every contribution scheme in baseline and reform, then a ``total``
    record: 12 x the weighted monthly contributions (riels a year, the year's prices); the workers'
    share from each scheme's ``worker_share``; contributors are persons paying anything. A scheme
    that finances benefits (``Module.finances``) gets its balancing rate: the reform's cost of those
    benefits (``programmes``' records, administration included) / its contributable wage bill
    (revenue / ``rate``), the rate at which revenue would pay them."""
    cost = {p.programme: p.cost_reform_riels_per_year for p in programmes}

    def balancing(name, revenue_r) -> float | None:
        rate = getattr(getattr(reform.system.params, name), "rate", None)
        if not modules[name].finances or not rate or not revenue_r:
            return None
        return sum(cost.get(b) or 0.0 for b in modules[name].finances) / (revenue_r / rate)

    w_p = pop.person_weight()
    not_in_force = {n: why for n, why in (not_in_force or {}).items() if modules[n].is_contribution}
    names = sorted(set(base.system.contributions) | set(reform.system.contributions) | set(not_in_force))

    def revenue(system, name) -> float:  # riels a year
        return MONTHS * float(w_p @ system.contributions[name]) if name in system.contributions else 0.0

    def contributors(system, names) -> float:
        paying = np.zeros(pop.n_persons, bool)
        for n in names:
            if n in system.contributions:
                paying |= system.contributions[n] > 0
        return float(w_p @ paying)

    def workers(system, name) -> float:
        return revenue(system, name) * getattr(system.params, name).worker_share if name in system.contributions else 0.0

    def record(scheme, label, baseline, reform_revenue, workers_share, contributors_b, contributors_r, why=None):
        rate = balancing(scheme, reform_revenue) if scheme in modules else None
        return ContributionResult(
            scheme=scheme, label=label, revenue_baseline_riels_per_year=baseline,
            revenue_reform_riels_per_year=reform_revenue, revenue_change_riels_per_year=reform_revenue - baseline,
            revenue_reform_usd_per_year=money.usd(reform_revenue), revenue_reform_pct_gdp=money.pct_gdp(reform_revenue),
            workers_share_reform_riels_per_year=workers_share,
            employers_share_reform_riels_per_year=reform_revenue - workers_share,
            contributors_baseline_persons=contributors_b, contributors_reform_persons=contributors_r, not_in_force=why,
            balancing_rate_reform=rate)

    out = [record(n, modules[n].label, revenue(base.system, n), revenue(reform.system, n), workers(reform.system, n),
                  contributors(base.system, [n]), contributors(reform.system, [n]), not_in_force.get(n)) for n in names]
    out.append(record("total", "Total", sum(r.revenue_baseline_riels_per_year for r in out),
                      sum(r.revenue_reform_riels_per_year for r in out),
                      sum(r.workers_share_reform_riels_per_year for r in out),
                      contributors(base.system, names), contributors(reform.system, names)))
    return out


def contribution_table(records: list[ContributionResult], money: YearMoney) -> pd.DataFrame:
    """The contributions table (one row per scheme, then Total), rendered from the records."""
    return pd.DataFrame([{
        "scheme": r.label, "revenue baseline (riels per year)": r.revenue_baseline_riels_per_year,
        "revenue reform (riels per year)": r.revenue_reform_riels_per_year,
        "change (riels per year)": r.revenue_change_riels_per_year,
        "change (USD per year)": _nan(money.usd(r.revenue_change_riels_per_year)),
        "revenue reform (% of GDP)": _nan(r.revenue_reform_pct_gdp),
        "workers' share, reform (riels per year)": r.workers_share_reform_riels_per_year,
        "employers' share, reform (riels per year)": r.employers_share_reform_riels_per_year,
        "contributors reform (persons)": r.contributors_reform_persons,
        "balancing rate, reform (%)": np.nan if r.balancing_rate_reform is None else r.balancing_rate_reform * 100,
        "in force": "no: " + r.not_in_force if r.not_in_force else "yes"} for r in records])


def cost_table(records: list[ProgrammeResult], money: YearMoney) -> pd.DataFrame:
    """The costs table (one row per programme, then Total), rendered from the records."""
    rows = []
    for r in records:
        change = r.cost_change_riels_per_year
        label = r.label + (" (already in survey consumption)" if r.in_survey_consumption else "")
        rows.append({"programme": label, "cost baseline (riels per year)": r.cost_baseline_riels_per_year,
                     "cost reform (riels per year)": r.cost_reform_riels_per_year, "change (riels per year)": change,
                     "change (USD per year)": _nan(money.usd(change)), "change (% of GDP)": _nan(money.pct_gdp(change)),
                     "change (% of government spending)": _nan(money.pct_spending(change)),
                     "cost reform (% of GDP)": _nan(r.cost_reform_pct_gdp),
                     "recipients reform (persons)": np.nan if r.recipients_reform_persons is None else r.recipients_reform_persons,
                     "persons in receiving households, reform": r.persons_in_receiving_households_reform,
                     "receiving households, reform": r.receiving_households_reform,
                     "in force": "no: " + r.not_in_force if r.not_in_force else "yes"})
    return pd.DataFrame(rows)


def _nan(x) -> float:
    return np.nan if x is None else x


def incidence_table(pop, w_h, pre_h, base: Welfare, reform: Welfare) -> pd.DataFrame:
    """Where the reform's extra benefits go, by decile of consumption before any modelled benefit."""
    size = pop.household_size_float
    codes = pre_transfer_deciles(pop, pre_h)
    delta = reform.added - base.added  # riels per household per month
    total = np.bincount(codes, w_h * delta, minlength=10)
    persons = np.bincount(codes, w_h * size, minlength=10)
    cons = np.bincount(codes, w_h * size * base.consumption, minlength=10)
    gainers = np.bincount(codes, w_h * size * (delta > 0), minlength=10)
    net = np.bincount(codes, w_h * (delta - (reform.deducted - base.deducted)), minlength=10)  # benefits less the workers' extra contributions
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({
            "decile": [f"decile {i}" for i in range(1, 11)],
            "share of extra benefits (%)": total / total.sum() * 100 if total.sum() else np.zeros(10),
            "extra benefit (riels per person per month)": total / persons,
            "extra benefit (% of baseline consumption)": total / cons * 100,
            "persons in receiving households (%)": gainers / persons * 100,
            "net change after workers' contributions (riels per person per month)": net / persons,
        })


def targeting_table(pop, w_h, line_h, modules, base: Welfare, reform: Welfare) -> pd.DataFrame:
    """Per module in the reform: coverage of the poor and targeting errors (persons, baseline poverty)."""
    wp = w_h * pop.household_size_float
    poor_persons = wp * (base.consumption < line_h)  # persons represented, poor households only
    poor_total = poor_persons.sum()
    rows = []
    for n, totals in sorted(reform.totals(pop, modules).items()):
        reached = totals.receiving
        reached_total, poor_reached = float(wp @ reached), float(poor_persons @ reached)
        coverage = poor_reached / poor_total if poor_total > 0 else np.nan
        inclusion = (reached_total - poor_reached) / reached_total if reached_total > 0 else np.nan
        rows.append({"programme": modules[n].label,
                     "poor persons in receiving households (% of poor)": coverage * 100,
                     "exclusion error: poor not reached (% of poor)": (1 - coverage) * 100,
                     "inclusion error: non-poor among reached (% of reached)": inclusion * 100,
                     "persons in receiving households": reached_total})
    return pd.DataFrame(rows)


def missing_middle_table(pop, w_h, line_h, modules, base: Welfare, reform: Welfare, multiple: float) -> pd.DataFrame:
    """The near-poor outside IDPoor and NSSF: how many, and how many the reform reaches."""
    wp = w_h * pop.household_size_float
    idpoor = pop.households["idpoor"].to_numpy() > 0
    nssf = (pop.household_count(pop.persons["nssf_member"].to_numpy()) > 0 if "nssf_member" in pop.persons
            else np.zeros(pop.n_households, bool))
    cons = base.consumption
    near_poor = (cons >= line_h) & (cons < multiple * line_h)
    middle = near_poor & ~idpoor & ~nssf
    reached = np.zeros(pop.n_households, bool)
    for totals in reform.totals(pop, modules).values():
        reached |= totals.receiving
    rows = [
        ["near-poor persons (consumption between the line and %.2g times it)" % multiple, weighted.total(wp, near_poor)],
        ["missing middle: near-poor outside IDPoor and NSSF households (persons)", weighted.total(wp, middle)],
        ["missing middle (% of population)", weighted.share(middle, wp) * 100],
        ["poor persons outside IDPoor households", weighted.total(wp, (cons < line_h) & ~idpoor)],
        ["missing middle reached by any benefit in the reform (% of them)", weighted.share(reached, wp, middle) * 100],
    ]
    return pd.DataFrame(rows, columns=["measure", "value"])


def inequality(pop, w_h, pre_h, base_h, reform_h) -> Inequality:
    """Gini of consumption per person (persons weighted) before benefits, baseline and reform; means.
    (``microsim.studies.run.simulate`` runs it on a second thread beside the other tables.)"""
    wp = w_h * pop.household_size_float
    return Inequality(gini_without_benefits=weighted.gini(pre_h, wp, order=consumption_order(pop)),
                      gini_baseline=weighted.gini(base_h, wp), gini_reform=weighted.gini(reform_h, wp),
                      mean_consumption_baseline=weighted.mean(base_h, wp), mean_consumption_reform=weighted.mean(reform_h, wp))


def inequality_table(record: Inequality) -> pd.DataFrame:
    return pd.DataFrame({
        "measure": ["Gini, consumption per person, without modelled benefits", "Gini, baseline", "Gini, reform",
                    "mean consumption, baseline (riels per person per month)",
                    "mean consumption, reform (riels per person per month)"],
        "value": [record.gini_without_benefits, record.gini_baseline, record.gini_reform,
                  record.mean_consumption_baseline, record.mean_consumption_reform],
    })


def summary_counts(pop: Population, w_h: np.ndarray, line_h: np.ndarray, pre_h: np.ndarray, post: Welfare,
                   modules: dict[str, Module]) -> dict:
    """The core poverty and cost figures of one system, against consumption before its benefits.

    Weighted counts are persons represented; sample counts are sample persons; costs are riels
    per year (12 x sum of household weight x monthly benefit), per module and in total.
    """
    size = pop.household_size_float  # float64: a sum over a mask is one dot product, exact in integers
    held = pop.cache.weighted.get("summary_before")  # before benefits: the same for every system on these arrays
    if held is None or not (held[0] is w_h and held[1] is line_h and held[2] is pre_h):
        wp = w_h * size
        poor_pre = pre_h < line_h
        held = (w_h, line_h, pre_h, wp, poor_pre, float(wp.sum()), float(wp @ poor_pre), round(size @ poor_pre))
        pop.cache.weighted["summary_before"] = held
    _, _, _, wp, poor_pre, population, poor_pre_weighted, poor_pre_persons = held
    poor_post = post.consumption < line_h
    lifted = poor_pre & ~poor_post
    by_module = post.totals(pop, modules)
    costs = {n: MONTHS * t.weighted_total(w_h) for n, t in by_module.items()}
    out = {
        "population_weighted": population,
        "poor_pre_weighted": poor_pre_weighted, "poor_post_weighted": float(wp @ poor_post),
        "lifted_weighted": float(wp @ lifted),
        "poor_pre_persons": poor_pre_persons, "poor_post_persons": round(size @ poor_post),
        "lifted_persons": round(size @ lifted),
        "cost_annual": costs,
        "cost_annual_total": float(sum(costs.values())),
        "benefits_monthly_unweighted": float(sum(t.unweighted_total() for t in by_module.values())),
    }
    out["poverty_rate_pre"] = out["poor_pre_weighted"] / population
    out["poverty_rate_post"] = out["poor_post_weighted"] / population
    return out
