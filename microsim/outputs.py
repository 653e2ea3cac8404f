"""Distributional and cost outputs of a simulation: baseline against reform.

Every table is a DataFrame whose column names carry their units. Consumption and the poverty
line are in the simulated year's prices. Post-transfer consumption per person = consumption +
consumed share x (the household's modelled benefits not already in survey consumption) /
household size. Poverty is measured on persons, each carrying the household weight.

All members of a household share its consumption and poverty status, so every statistic is
computed on households: a person-level breakdown (age, sex, activity) uses each household's
number of members in each group (cached on the population); a household-level breakdown (zone,
decile, household type) is one weighted count over households. Nothing loops over people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from microsim import weighted as W
from microsim.benefit import Flat
from microsim.economy import YearEconomy
from microsim.engine import SystemResult
from microsim.groups import AGE_GROUPS, HOUSEHOLD_TYPES, POVERTY_TABLE_AGE_GROUPS, age_label, household_type
from microsim.errors import SpecError
from microsim.macro import Macro
from microsim.modules import Module
from microsim.population import Population
from microsim.results import Inequality, PovertyGroup, ProgrammeResult, YearMoney

MONTHS = 12


@dataclass
class Welfare:
    """Consumption under one system: riels per person per month, one value per household."""

    consumption: np.ndarray
    added: np.ndarray  # benefits added to consumption, riels per household per month
    system: SystemResult
    _by_module: dict = field(default_factory=dict)

    def household_benefits(self, pop: Population, modules: dict[str, Module]) -> dict[str, np.ndarray]:
        """Each active module's benefit per household (riels per household per month), computed once."""
        if not self._by_module:
            for n, a in self.system.benefits.items():
                self._by_module[n] = household_amounts(pop, modules[n], a, self.system.keys.get(n))
        return self._by_module

    def household_recipients(self, pop: Population, module: Module) -> np.ndarray:
        """Members of each household paid a person module's benefit (its count of recipients)."""
        return household_totals(pop, module, self.system.benefits[module.name],
                                self.system.keys.get(module.name)).paid

    def person_consumption(self, pop: Population) -> np.ndarray:
        return self.consumption[pop.person_household_index]


HOUSEHOLD_SUMS_KEPT = 8


class HouseholdTotals:
    """A person module's benefit summed over each household's members: ``amount`` (riels per
    household per month) and ``paid`` (members paid). A flat benefit is its amount times an
    integer count of eligible members, so both come from one count. Nothing per person is kept."""

    def __init__(self, pop: Population, amount):
        if isinstance(amount, Flat):
            self.paid = pop.household_count(amount.eligible) if amount.amount > 0 else np.zeros(pop.n_households, np.int32)
            self.amount = amount.amount * self.paid
        else:
            values = np.asarray(amount)
            self.paid = pop.household_count(values > 0)
            self.amount = pop.household_sum(values)


def household_totals(pop: Population, module: Module, amount, key=None) -> HouseholdTotals:
    """A person module's :class:`HouseholdTotals`, cached by its output key (parameters and inputs):
    baseline and reform, or the variants of a sweep, share the sums of unchanged modules. Only the
    latest few are kept (household-level arrays only)."""
    if key is None:
        return HouseholdTotals(pop, amount)
    cache = pop.cache.setdefault("household_sums", {})
    if key in cache:
        cache[key] = cache.pop(key)  # most recently used last
    else:
        if len(cache) >= HOUSEHOLD_SUMS_KEPT:
            cache.pop(next(iter(cache)))  # least recently used
        cache[key] = HouseholdTotals(pop, amount)
    return cache[key]


def household_amounts(pop: Population, module: Module, amount, key=None) -> np.ndarray:
    """A module's benefit per household (riels per household per month)."""
    if module.entity == "household":
        return np.asarray(amount, dtype=np.float64)
    return household_totals(pop, module, amount, key).amount


def welfare(pop: Population, system: SystemResult, modules: dict[str, Module], economy: YearEconomy,
            survey_system: Welfare | None = None) -> Welfare:
    """Post-transfer consumption per person of each household, in the year's riels.

    Benefits already in survey consumption (contributory pensions) are not added again; but when a
    system pays them differently from ``survey_system`` (the baseline, for a reform that changes a
    pension), the difference is added (or taken away), so a pension cut lowers consumption.
    """
    result = Welfare(np.empty(0), np.zeros(pop.n_households), system)
    by_module = result.household_benefits(pop, modules)
    reference = survey_system.household_benefits(pop, modules) if survey_system is not None else {}
    for n, b in by_module.items():
        if not modules[n].counted_in_consumption:
            result.added += b
        elif survey_system is not None:
            result.added += b - reference.get(n, 0.0)
    if survey_system is not None:  # a counted module the reform switches off entirely
        for n, b in reference.items():
            if modules[n].counted_in_consumption and n not in by_module:
                result.added -= b
    if not np.isfinite(result.added.sum()):
        raise SpecError("A module returned an infinite amount; benefits must be finite riels.")
    share = system.params.simulation.consumed_share
    result.consumption = economy.consumption_pc(pop) + share * result.added / pop.household_size
    return result


# ---- breakdowns --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonBreakdown:
    """A person-level grouping: members of each household in each group (``counts``: households x
    groups); ``combine`` (groups x labels, 0/1), when given, adds groups into the labels shown."""

    dimension: str
    labels: list[str]
    counts: np.ndarray
    combine: np.ndarray | None = None


def age_group_codes(age: np.ndarray, groups) -> np.ndarray:
    """Index of each person's age group in ``groups`` ((lowest, highest) years), -1 if in none."""
    lookup = np.full(max(int(age.max(initial=0)), max(hi for _, hi in groups)) + 1, -1, np.int8)
    for i, (lo, hi) in enumerate(groups):
        lookup[lo:hi + 1] = i
    return lookup[age]


def person_breakdowns(pop: Population) -> list[PersonBreakdown]:
    """Person-level groupings (age, sex, employment type), counted once per population."""
    if "person_breakdowns" in pop.cache:
        return pop.cache["person_breakdowns"]
    p = pop.persons
    fine = pop.members_by_group(age_group_codes(p["age"].to_numpy(), AGE_GROUPS), len(AGE_GROUPS))
    # Table 1's groups are unions of the finer ones: their sums add the finer groups' sums
    table1 = np.array([[float(a >= lo and b <= hi) for lo, hi in POVERTY_TABLE_AGE_GROUPS] for a, b in AGE_GROUPS])
    out = [PersonBreakdown("age group (Table 1)", [age_label(*g) for g in POVERTY_TABLE_AGE_GROUPS], fine, table1),
           PersonBreakdown("age group", [age_label(*g) for g in AGE_GROUPS], fine)]
    for dim, col in (("sex", "sex"), ("employment type (15+)", "employment_type")):
        cats = list(p[col].cat.categories)
        out.append(PersonBreakdown(dim, cats, pop.members_by_group(p[col].cat.codes.to_numpy(), len(cats))))
    pop.cache["person_breakdowns"] = out
    return out


def household_breakdowns(pop: Population, decile_codes: np.ndarray) -> tuple[list[tuple[str, list[str]]], np.ndarray]:
    """Household-level groupings (zone, decile, household type): their (dimension, labels), and each
    household's cell of the zone x decile x type table, from which every grouping's sums are margins."""
    if "household_type" not in pop.cache:
        pop.cache["household_type"] = household_type(pop)
    zone = pop.households["zone"]
    dims = [("zone", list(zone.cat.categories)), ("consumption decile", [f"decile {i}" for i in range(1, 11)]),
            ("household type", list(HOUSEHOLD_TYPES))]
    cells = zone.cat.codes.to_numpy().astype(np.int32) * 10 + decile_codes
    cells *= len(HOUSEHOLD_TYPES)
    cells += pop.cache["household_type"]
    return dims, cells


def pre_transfer_deciles(pop: Population, pre_h: np.ndarray) -> np.ndarray:
    """Deciles of consumption before modelled benefits (``pre_h``: the population's consumption per
    person in any year's riels), weighting households by the population's own weights x size.

    Cached on the population, whose content is all the key needs: its tables are never changed in
    place (reweighting or uprating makes a new population), and prices and uniform growth scale
    every household alike, so the ranking holds for any year.
    """
    if "deciles" not in pop.cache:
        order = _rank_order(pre_h)
        pop.cache["pre_order"] = order  # the Gini before benefits reuses this sort
        pop.cache["deciles"] = deciles(pre_h, pop.households["weight"].to_numpy() * pop.household_size, order)
    return pop.cache["deciles"]


def _rank_order(x: np.ndarray) -> np.ndarray:
    """``argsort(x, kind="stable")``, found by the faster unstable sort when ``x`` has no ties (the
    order is then the same); the stable sort only when there are ties, whose order it fixes."""
    order = np.argsort(x)
    ranked = x[order]
    return order if not np.any(ranked[1:] == ranked[:-1]) else np.argsort(x, kind="stable")


def deciles(x: np.ndarray, w: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Decile (0 poorest .. 9) of each unit by ``x``, cutting the weighted population in tenths.

    Units are households weighted by persons (weight x size): all members share a decile.
    ``order`` may pass ``argsort(x)`` if already known.
    """
    order = np.argsort(x, kind="stable") if order is None else order
    cum = np.cumsum(w[order])
    codes = np.empty(x.size, np.int8)
    codes[order] = np.minimum((cum - w[order] / 2) / cum[-1] * 10, 9).astype(np.int8)
    return codes


HOUSEHOLDS_PER_BLOCK = 1 << 20  # matrix products in blocks of households: bounded temporary memory


def _sums_over_members(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """values (measures x households) @ counts (households x groups), block by block."""
    sums = np.zeros((values.shape[0], counts.shape[1]))
    for start in range(0, counts.shape[0], HOUSEHOLDS_PER_BLOCK):
        block = slice(start, start + HOUSEHOLDS_PER_BLOCK)
        sums += values[:, block] @ counts[block].astype(np.float64)
    return sums


def grouped(values: np.ndarray, pop: Population, decile_codes: np.ndarray):
    """Weighted sums of household-level ``values`` (rows: measures; each already x household weight)
    over persons of every group: yields (dimension, labels, sums of shape (measures, groups))."""
    for b in person_breakdowns(pop):
        sums = _sums_over_members(values, b.counts)
        yield b.dimension, b.labels, sums if b.combine is None else sums @ b.combine
    dims, cells = household_breakdowns(pop, decile_codes)
    shape = tuple(len(labels) for _, labels in dims)
    persons = values * pop.household_size
    table = np.vstack([np.bincount(cells, v, minlength=int(np.prod(shape))) for v in persons])
    table = table.reshape((values.shape[0],) + shape)  # measures x zone x decile x type
    yield "national", ["all persons"], table.sum(axis=(1, 2, 3))[:, None]
    for axis, (dim, labels) in enumerate(dims, start=1):
        others = tuple(a for a in (1, 2, 3) if a != axis)
        yield dim, labels, table.sum(axis=others)


# ---- tables ------------------------------------------------------------------------------------
MEASURES = ("persons", "poor_b", "poor_r", "gap_b", "gap_r", "sev_b", "sev_r", "lifted", "fallen")


def poverty_groups(pop, w_h, line_h, pre_h, base_h, reform_h) -> list[PovertyGroup]:
    """FGT 0, 1, 2 in baseline and reform for every group, with persons poor, lifted out and fallen in."""
    poor_b, poor_r = base_h < line_h, reform_h < line_h
    gap_b = np.where(poor_b, (line_h - base_h) / line_h, 0.0)
    gap_r = np.where(poor_r, (line_h - reform_h) / line_h, 0.0)
    values = w_h * np.vstack([np.ones_like(w_h), poor_b, poor_r, gap_b, gap_r, gap_b ** 2, gap_r ** 2,
                              poor_b & ~poor_r, ~poor_b & poor_r])
    decile_codes = pre_transfer_deciles(pop, pre_h)
    groups = []
    for dim, labels, sums in grouped(values, pop, decile_codes):
        s = dict(zip(MEASURES, sums))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = {k: np.where(s["persons"] > 0, s[k] / s["persons"], np.nan) for k in MEASURES[1:7]}
        for i, label in enumerate(labels):
            groups.append(PovertyGroup(
                breakdown=dim, group=label, persons=float(s["persons"][i]),
                headcount_baseline_pct=float(share["poor_b"][i] * 100),
                headcount_reform_pct=float(share["poor_r"][i] * 100),
                headcount_change_pp=float((share["poor_r"][i] - share["poor_b"][i]) * 100),
                poor_baseline_persons=float(s["poor_b"][i]), poor_reform_persons=float(s["poor_r"][i]),
                lifted_persons=float(s["lifted"][i]), fallen_persons=float(s["fallen"][i]),
                gap_baseline_pct=float(share["gap_b"][i] * 100), gap_reform_pct=float(share["gap_r"][i] * 100),
                severity_baseline_x100=float(share["sev_b"][i] * 100),
                severity_reform_x100=float(share["sev_r"][i] * 100)))
    order = {d: i for i, d in enumerate(BREAKDOWN_ORDER)}
    return sorted(groups, key=lambda g: order[g.breakdown])  # stable: groups keep their order within


BREAKDOWN_ORDER = ("national", "age group (Table 1)", "age group", "sex", "zone", "employment type (15+)",
                   "consumption decile", "household type")
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
    size = pop.household_size
    b_hh, r_hh = base.household_benefits(pop, modules), reform.household_benefits(pop, modules)
    admin_b = base.system.params.simulation.admin_cost_rate
    admin_r = reform.system.params.simulation.admin_cost_rate
    zero = np.zeros(pop.n_households)
    not_in_force = not_in_force or {}

    def recipients(post: Welfare, name):
        if modules[name].entity != "person":
            return None
        return float(w_h @ post.household_recipients(pop, modules[name])) if name in post.system.benefits else 0.0

    def record(name, label, entity, counted, b, r, extra) -> ProgrammeResult:
        cost_b = MONTHS * float(w_h @ b) * (1 + admin_b)
        cost_r = MONTHS * float(w_h @ r) * (1 + admin_r)
        return ProgrammeResult(
            programme=name, label=label, entity=entity, in_survey_consumption=counted,
            cost_baseline_riels_per_year=cost_b, cost_reform_riels_per_year=cost_r,
            cost_change_riels_per_year=cost_r - cost_b, cost_reform_usd_per_year=money.usd(cost_r),
            cost_reform_pct_gdp=money.pct_gdp(cost_r), cost_reform_pct_government_spending=money.pct_spending(cost_r),
            receiving_households_baseline=float(w_h @ (b > 0)), receiving_households_reform=float(w_h @ (r > 0)),
            persons_in_receiving_households_reform=float(w_h @ ((r > 0) * size)), admin_cost_rate=admin_r, **extra)

    out = []
    for n in sorted(set(b_hh) | set(r_hh) | set(not_in_force)):
        m = modules[n]
        out.append(record(n, m.label, m.entity, m.counted_in_consumption, b_hh.get(n, zero), r_hh.get(n, zero),
                          {"recipients_baseline_persons": recipients(base, n),
                           "recipients_reform_persons": recipients(reform, n),
                           "not_in_force": not_in_force.get(n)}))
    names = sorted(set(b_hh) | set(r_hh))
    total_b = sum((b_hh.get(n, zero) for n in names), zero)
    total_r = sum((r_hh.get(n, zero) for n in names), zero)
    out.append(record("total", "Total", "household", False, total_b, total_r,
                      {"recipients_baseline_persons": None, "recipients_reform_persons": None}))
    return out


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
    size = pop.household_size
    codes = pre_transfer_deciles(pop, pre_h)
    delta = reform.added - base.added  # riels per household per month
    total = np.bincount(codes, w_h * delta, minlength=10)
    persons = np.bincount(codes, w_h * size, minlength=10)
    cons = np.bincount(codes, w_h * size * base.consumption, minlength=10)
    gainers = np.bincount(codes, w_h * size * (delta > 0), minlength=10)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({
            "decile": [f"decile {i}" for i in range(1, 11)],
            "share of extra benefits (%)": total / total.sum() * 100 if total.sum() else np.zeros(10),
            "extra benefit (riels per person per month)": total / persons,
            "extra benefit (% of baseline consumption)": total / cons * 100,
            "persons in receiving households (%)": gainers / persons * 100,
        })


def targeting_table(pop, w_h, line_h, modules, base: Welfare, reform: Welfare) -> pd.DataFrame:
    """Per module in the reform: coverage of the poor and targeting errors (persons, baseline poverty)."""
    wp = w_h * pop.household_size
    poor = base.consumption < line_h
    rows = []
    for n, hh in sorted(reform.household_benefits(pop, modules).items()):
        reached = hh > 0
        coverage = W.share(reached, wp, poor)
        rows.append({"programme": modules[n].label,
                     "poor persons in receiving households (% of poor)": coverage * 100,
                     "exclusion error: poor not reached (% of poor)": (1 - coverage) * 100,
                     "inclusion error: non-poor among reached (% of reached)": W.share(~poor, wp, reached) * 100,
                     "persons in receiving households": W.total(wp, reached)})
    return pd.DataFrame(rows)


def missing_middle_table(pop, w_h, line_h, modules, base: Welfare, reform: Welfare, multiple: float) -> pd.DataFrame:
    """The near-poor outside IDPoor and NSSF: how many, and how many the reform reaches."""
    wp = w_h * pop.household_size
    idpoor = pop.households["idpoor"].to_numpy() > 0
    nssf = (pop.household_count(pop.persons["nssf_member"].to_numpy()) > 0 if "nssf_member" in pop.persons
            else np.zeros(pop.n_households, bool))
    cons = base.consumption
    near_poor = (cons >= line_h) & (cons < multiple * line_h)
    middle = near_poor & ~idpoor & ~nssf
    reached = sum(reform.household_benefits(pop, modules).values(), np.zeros(pop.n_households)) > 0
    rows = [
        ["near-poor persons (consumption between the line and %.2g times it)" % multiple, W.total(wp, near_poor)],
        ["missing middle: near-poor outside IDPoor and NSSF households (persons)", W.total(wp, middle)],
        ["missing middle (% of population)", W.share(middle, wp) * 100],
        ["poor persons outside IDPoor households", W.total(wp, (cons < line_h) & ~idpoor)],
        ["missing middle reached by any benefit in the reform (% of them)", W.share(reached, wp, middle) * 100],
    ]
    return pd.DataFrame(rows, columns=["measure", "value"])


def inequality(pop, w_h, pre_h, base_h, reform_h) -> Inequality:
    """Gini of consumption per person (persons weighted) before benefits, baseline and reform; means."""
    wp = w_h * pop.household_size
    return Inequality(gini_without_benefits=W.gini(pre_h, wp, order=pop.cache.get("pre_order")),
                      gini_baseline=W.gini(base_h, wp), gini_reform=W.gini(reform_h, wp),
                      mean_consumption_baseline=W.mean(base_h, wp), mean_consumption_reform=W.mean(reform_h, wp))


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
    size = pop.household_size
    wp = w_h * size
    poor_pre, poor_post = pre_h < line_h, post.consumption < line_h
    lifted = poor_pre & ~poor_post
    by_module = post.household_benefits(pop, modules)
    costs = {n: MONTHS * float(w_h @ b) for n, b in by_module.items()}
    population = float(wp.sum())
    out = {
        "population_weighted": population,
        "poor_pre_weighted": float(wp @ poor_pre), "poor_post_weighted": float(wp @ poor_post),
        "lifted_weighted": float(wp @ lifted),
        "poor_pre_persons": int(size @ poor_pre), "poor_post_persons": int(size @ poor_post),
        "lifted_persons": int(size @ lifted),
        "cost_annual": costs,
        "cost_annual_total": float(sum(costs.values())),
        "benefits_monthly_unweighted": float(sum(float(b.sum()) for b in by_module.values())),
    }
    out["poverty_rate_pre"] = out["poor_pre_weighted"] / population
    out["poverty_rate_post"] = out["poor_post_weighted"] / population
    return out
