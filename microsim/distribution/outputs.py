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

import copy

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim.common import weighted
from microsim.engine.benefit import Flat, Tiers
from microsim.engine.economy import YearEconomy
from microsim.engine.system import SystemResult
from microsim.population.groups import AGE_GROUPS, HOUSEHOLD_TYPES, POVERTY_TABLE_AGE_GROUPS, age_label
from microsim.population.derived import consumption_order, household_type, member_counts, member_matrix
from microsim.errors import SpecError
from microsim.engine.macro import Macro
from microsim.engine.modules import Module
from microsim.population.population import Population
from microsim.distribution.results import Inequality, PovertyGroup, ProgrammeResult, YearMoney

MONTHS = 12


@dataclass
class Welfare:
    """Consumption under one system: riels per person per month, one value per household."""

    consumption: np.ndarray
    added: np.ndarray  # benefits added to consumption, riels per household per month
    system: SystemResult
    _totals: dict | None = None  # module -> HouseholdTotals

    def totals(self, pop: Population, modules: dict[str, Module]) -> dict[str, "HouseholdTotals"]:
        """Each active module's :class:`HouseholdTotals` (what it pays each household), made once:
        person modules' from integer counts of members (shared through the population's cache with
        the other system and a sweep's variants), household modules' from their amounts."""
        if self._totals is None:
            benefits, keys = self.system.benefits, self.system.keys
            person = [n for n in benefits if modules[n].entity == "person"]
            _prepare_totals(pop, [(benefits[n], keys.get(n)) for n in person])
            self._totals = {n: household_totals(pop, a, keys.get(n), per_person=n in person)
                            for n, a in benefits.items()}
        return self._totals

    def person_consumption(self, pop: Population) -> np.ndarray:
        return self.consumption[pop.person_household_index]


HOUSEHOLD_SUMS_KEPT = 16  # a system's person modules and a reform's changes; a sweep's variants replace theirs


AMOUNT_KEPT_BYTES = 8 << 20  # a module's amounts are kept up to a million households (8 MB)


class HouseholdTotals:
    """A person module's benefit summed over each household's members: ``paid`` (members paid, one
    byte per household) and ``amount`` (riels per household per month). A flat benefit or tiers
    are integer counts of members times their rates; amounts that vary freely are sums. The float
    amounts are kept up to a million households; beyond, they are made on each use from the counts,
    so that the whole country stays within memory. Nothing per person is kept."""

    def __init__(self, pop: Population, benefit, per_person: bool = True):
        self._sums = self._receiving = self._weighted = self._weighted_paid = None
        self._keep_amount = True
        # a household module's benefit is already per household: its "members paid" are 0 or 1
        count = pop.household_count if per_person else (lambda mask: mask.view(np.uint8))
        if isinstance(benefit, Flat):
            rates = [benefit.amount] if benefit.amount > 0 else []
            counts = [count(benefit.eligible)] if rates else []
        elif isinstance(benefit, Tiers):  # members in each tier with a positive amount
            rates = [riels for riels in benefit.amounts if riels > 0]
            counts = [count(benefit.tier == k) for k, riels in enumerate(benefit.amounts, start=1) if riels > 0]
        else:
            values = np.asarray(benefit, dtype=np.float64)
            rates, counts = [], [count(values > 0)]
            self._sums = pop.household_sum(values) if per_person else values
        if not counts:
            counts = [np.zeros(pop.n_households, np.uint8)]
        paid = counts[0] if len(counts) == 1 else sum(counts[1:], counts[0].astype(np.int64))
        most = int(paid.max(initial=0))
        self.paid = paid.astype(np.min_scalar_type(most), copy=False)
        self.nothing = most == 0 and self._sums is None  # pays no one: skipped in sums
        self._rates = rates if not self.nothing else []
        self._counts = ([self.paid] if len(counts) == 1 else [c.astype(self.paid.dtype) for c in counts]) if rates else []
        self._kept = self._sums

    def at_rate(self, rate: float) -> "HouseholdTotals":
        """The same members paid (a flat benefit's counts) at another positive rate."""
        totals = copy.copy(self)  # the same counts, paid members and their weighted sum
        totals._sums = totals._receiving = totals._weighted = totals._kept = None
        totals._keep_amount = False  # a sweep variant: made once, not worth its float array
        totals._rates = [float(rate)]
        return totals

    @property
    def amount(self) -> np.ndarray:
        """Riels per household per month (float64)."""
        if self._kept is not None:
            return self._kept
        if not self._rates:
            total = np.zeros(self.paid.size)
        else:
            total = np.multiply(self._counts[0], self._rates[0], dtype=np.float64)
            for riels, members in zip(self._rates[1:], self._counts[1:]):
                total += riels * members
        if total.nbytes <= AMOUNT_KEPT_BYTES and self._keep_amount:
            self._kept = total
        return total

    @property
    def receiving(self) -> np.ndarray:
        """True for households paid anything (made once)."""
        if self._receiving is None:
            self._receiving = self.paid > 0
        return self._receiving

    def weighted_paid(self, weights: np.ndarray) -> float:
        """Members paid, weighted (persons represented); remembered for the latest weights."""
        if self.nothing:
            return 0.0
        if self._weighted_paid is None or self._weighted_paid[0] is not weights:
            self._weighted_paid = (weights, float(weights @ self.paid))
        return self._weighted_paid[1]

    def weighted_total(self, weights: np.ndarray) -> float:
        """Sum over households of weight x amount (riels per month, all households represented);
        remembered for the latest weights (the same array object), which baseline and reform share."""
        if self.nothing:
            return 0.0
        if self._weighted is not None and self._weighted[0] is weights:
            return self._weighted[1]
        if self._sums is not None:
            total = float(weights @ self._sums)
        elif len(self._rates) == 1:  # one rate: rate x members paid
            total = self._rates[0] * self.weighted_paid(weights)
        else:
            total = float(sum(riels * float(weights @ members) for riels, members in zip(self._rates, self._counts)))
        self._weighted = (weights, total)
        return total

    def unweighted_total(self) -> float:
        """Sum of the amounts over the sample's households (riels per month)."""
        if self._sums is not None:
            return float(self._sums.sum())
        return float(sum(riels * int(members.sum(dtype=np.int64)) for riels, members in zip(self._rates, self._counts)))


def household_totals(pop: Population, amount, key=None, per_person: bool = True) -> HouseholdTotals:
    """A person module's :class:`HouseholdTotals`, cached by its output key (parameters and inputs):
    baseline and reform, or the variants of a sweep, share the counts of unchanged modules. The
    latest few are kept."""
    if key is None:
        return HouseholdTotals(pop, amount, per_person)
    cache = pop.cache.setdefault("household_sums", {})
    if key in cache:
        cache[key] = cache.pop(key)  # most recently used last
    else:
        _remember(cache, key, _new_totals(pop, amount, key[0], per_person))
    return cache[key]


def _remember(cache: dict, key, totals: HouseholdTotals) -> None:
    """Keep ``totals`` as the most recently used, dropping the least recently used beyond the limit."""
    if len(cache) >= HOUSEHOLD_SUMS_KEPT:
        cache.pop(next(iter(cache)))
    cache[key] = totals


def _new_totals(pop: Population, amount, module: str, per_person: bool) -> HouseholdTotals:
    """A module's household totals: the previous counts at a new rate when the same persons are paid,
    else counted."""
    return _flat_with_known_members(pop, amount, module, per_person) or HouseholdTotals(pop, amount, per_person)


def _flat_with_known_members(pop: Population, amount, module: str, per_person: bool) -> HouseholdTotals | None:
    """A flat benefit paid to exactly the persons the module's previous flat benefit was paid to
    (a sweep over its amount): the previous counts at the new rate, found by one comparison of the
    masks instead of counting again. None when the mask differs (or the benefit is not flat)."""
    last = pop.cache.setdefault("last_flat", {})
    if not isinstance(amount, Flat):
        return None
    held = last.get(module)
    if held is not None and amount.amount > 0 and held[1]._rates and np.array_equal(held[0], amount.eligible):
        totals = held[1].at_rate(amount.amount)
    else:
        totals = HouseholdTotals(pop, amount, per_person)
    last[module] = (amount.eligible, totals)
    return totals


def forget_household_totals(pop: Population) -> None:
    """Drop the household totals kept on ``pop`` (the last flat masks and the poverty before benefits
    too), so that a benchmark never times a run on the cache its previous run left. Simulations keep
    them (each entry is keyed by what it depends on): a sweep's variants share the counts of the
    modules they do not change."""
    for key in ("household_sums", "last_flat", "summary_before"):
        pop.cache.pop(key, None)


THREADS_FROM_PERSONS = 10_000_000  # below, starting threads costs more than it saves (measured)


def _prepare_totals(pop: Population, benefits: list) -> None:
    """Count the household totals of several person benefits at once, in two threads (prefix sums
    release the GIL), and put them in the population's cache in the given order; those already
    cached, or without a key, are left to :func:`household_totals`."""
    cache = pop.cache.setdefault("household_sums", {})
    todo = [(amount, key) for amount, key in benefits if key is not None and key not in cache]
    if len(todo) < 2 or pop.n_persons < THREADS_FROM_PERSONS:
        return
    with ThreadPoolExecutor(2) as pool:
        totals = list(pool.map(lambda item: _new_totals(pop, item[0], item[1][0], True), todo))
    for (_, key), total in zip(todo, totals):
        _remember(cache, key, total)


def household_amounts(pop: Population, module: Module, amount, key=None) -> np.ndarray:
    """A module's benefit per household (riels per household per month)."""
    return household_totals(pop, amount, key, per_person=module.entity == "person").amount


def welfare(pop: Population, system: SystemResult, modules: dict[str, Module], economy: YearEconomy,
            survey_system: Welfare | None = None) -> Welfare:
    """Post-transfer consumption per person of each household, in the year's riels.

    Benefits already in survey consumption (contributory pensions) are not added again; but when a
    system pays them differently from ``survey_system`` (the baseline, for a reform that changes a
    pension), the difference is added (or taken away), so a pension cut lowers consumption.
    """
    result = Welfare(np.empty(0), np.zeros(pop.n_households), system)
    totals = result.totals(pop, modules)
    reference = survey_system.totals(pop, modules) if survey_system is not None else {}
    for n, t in totals.items():
        if not modules[n].counted_in_consumption:
            if not t.nothing:
                result.added += t.amount
        elif survey_system is not None and (n not in reference or reference[n] is not t):
            result.added += t.amount - (reference[n].amount if n in reference else 0.0)
    if survey_system is not None:  # a counted module the reform switches off entirely
        for n, t in reference.items():
            if modules[n].counted_in_consumption and n not in totals:
                result.added -= t.amount
    share = system.params.simulation.consumed_share
    result.consumption = economy.consumption_pc(pop) + share * result.added / pop.household_size_float
    return result


# ---- breakdowns --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonBreakdown:
    """A person-level grouping: its groups are ``columns`` of the population's member-count matrix;
    ``combine`` (groups x labels, 0/1), when given, adds groups into the labels shown."""

    dimension: str
    labels: list[str]
    columns: slice
    combine: np.ndarray | None = None


def person_breakdowns(pop: Population) -> tuple[list[PersonBreakdown], np.ndarray]:
    """Person-level groupings (age, sex, employment type) and one matrix of member counts (households
    x every group of every grouping), so that one matrix product sums any measure over all of them."""
    if "unweighted:person_breakdowns" in pop.cache:
        return pop.cache["unweighted:person_breakdowns"]
    groupings = ("age", "sex", "employment_type")
    widths = [member_counts(pop, g).shape[1] for g in groupings]
    ages, sexes, employments = (slice(sum(widths[:i]), sum(widths[:i + 1])) for i in range(3))
    # Table 1's groups are unions of the finer ones: their sums add the finer groups' sums
    table1 = np.array([[float(a >= lo and b <= hi) for lo, hi in POVERTY_TABLE_AGE_GROUPS] for a, b in AGE_GROUPS])
    breakdowns = [
        PersonBreakdown("age group (Table 1)", [age_label(*g) for g in POVERTY_TABLE_AGE_GROUPS], ages, table1),
        PersonBreakdown("age group", [age_label(*g) for g in AGE_GROUPS], ages),
        PersonBreakdown("sex", list(pop.persons["sex"].cat.categories), sexes),
        PersonBreakdown("employment type (15+)", list(pop.persons["employment_type"].cat.categories), employments)]
    matrix = member_matrix(pop, groupings)
    pop.cache["unweighted:person_breakdowns"] = breakdowns, matrix
    return breakdowns, matrix


def household_breakdowns(pop: Population, decile_codes: np.ndarray) -> tuple[list[tuple[str, list[str]]], np.ndarray]:
    """Household-level groupings (zone, decile, household type): their (dimension, labels), and each
    household's cell of the zone x decile x type table, from which every grouping's sums are margins."""
    zone = pop.households["zone"]
    dims = [("zone", list(zone.cat.categories)), ("consumption decile", [f"decile {i}" for i in range(1, 11)]),
            ("household type", list(HOUSEHOLD_TYPES))]
    cells = zone.cat.codes.to_numpy().astype(np.int32) * 10 + decile_codes
    cells *= len(HOUSEHOLD_TYPES)
    cells += household_type(pop)
    return dims, cells


def pre_transfer_deciles(pop: Population, pre_h: np.ndarray) -> np.ndarray:
    """Deciles of consumption before modelled benefits (``pre_h``: the population's consumption per
    person in any year's riels), weighting households by the population's own weights x size.

    Cached on the population, whose content is all the key needs: its tables are never changed in
    place (reweighting or uprating makes a new population), and prices and uniform growth scale
    every household alike, so the ranking holds for any year.
    """
    if "deciles" not in pop.cache:
        pop.cache["deciles"] = deciles(pre_h, pop.households["weight"].to_numpy() * pop.household_size_float,
                                       consumption_order(pop))
    return pop.cache["deciles"]


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
    breakdowns, counts = person_breakdowns(pop)
    every_group = _sums_over_members(values, counts)  # measures x every person-level group
    for b in breakdowns:
        sums = every_group[:, b.columns]
        yield b.dimension, b.labels, sums if b.combine is None else sums @ b.combine
    dims, cells = household_breakdowns(pop, decile_codes)
    shape = tuple(len(labels) for _, labels in dims)
    size = pop.household_size_float
    table = np.vstack([np.bincount(cells, v * size, minlength=int(np.prod(shape))) for v in values])
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
    values = np.empty((len(MEASURES), w_h.size))  # each measure x household weight, filled row by row
    for row, measure in zip(values, (1.0, poor_b, poor_r, gap_b, gap_r, None, None,
                                     poor_b & ~poor_r, ~poor_b & poor_r)):
        if measure is not None:
            np.multiply(w_h, measure, out=row)
    np.multiply(values[3], gap_b, out=values[5])  # severity: weight x gap squared
    np.multiply(values[4], gap_r, out=values[6])
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
    for n in sorted(set(b_tot) | set(r_tot) | set(not_in_force)):
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
    held = pop.cache.get("summary_before")  # before benefits: the same for every system on these arrays
    if held is None or not (held[0] is w_h and held[1] is line_h and held[2] is pre_h):
        wp = w_h * size
        poor_pre = pre_h < line_h
        held = (w_h, line_h, pre_h, wp, poor_pre, float(wp.sum()), float(wp @ poor_pre), round(size @ poor_pre))
        pop.cache["summary_before"] = held
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
