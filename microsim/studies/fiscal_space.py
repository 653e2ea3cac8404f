"""``microsim fiscal``: a floor's cost by year against the macro-fiscal frame and the financing options.

For every year (riels of the year):

- the floor's cost: the projection's change in programme spending (reform minus baseline, with
  administration), or, with the cohort costing, the total of the costing's measures (what
  ``microsim workbook``'s Summary gives);
- the frame (:mod:`microsim.engine.fiscal_frame`): GDP, revenue and its tax part, government
  spending, current social protection spending (its share of GDP x GDP);
- the cost as % of GDP, of revenue, of spending and of current social protection spending;
- each financing option, in the order listed: a tax effort (GDP x gain in points / 100 x share
  for social protection), a reallocation (spending x line's share x share moved, summed over the
  lines), the contributions the reform raises (x share earmarked); the residual
  max(cost - financing, 0), which borrowing or cuts elsewhere must meet, and any surplus;
- the year each option runs out: the first year the options up to and including it no longer
  cover the cost;
- the sensitivity to growth: the same with real GDP growth shifted by each of the financing
  file's shifts from the first year on (GDP and everything that is a share of it move; the cost
  and the contributions are held).

The costing workbook's Affordability sheet holds the same arithmetic as formulas
(:func:`microsim.reporting.costing_workbook.write_costing_workbook`).
"""

from __future__ import annotations

from dataclasses import dataclass

from microsim.engine.costing_measures import ContributionMeasure
from microsim.engine.fiscal_frame import (Financing, FinancingOption, FiscalFrame, check_against_gdp, load_financing,
                                         load_frame)
from microsim.engine.macro import Macro, load_macro
from microsim.studies.costing import REVENUE, costing_of, costs_of
from microsim.studies.projection import run_projection


SP_SERIES = "social_protection_spending"


@dataclass(frozen=True)
class FiscalYear:
    """One year of the floor against the frame (riels of the year unless a name says otherwise)."""

    year: int
    growth_shift_pp: float  # real growth above the central path, percentage points a year
    cost_riels: float
    contributions_riels: float  # the extra social insurance contributions the reform raises
    gdp_riels: float
    revenue_riels: float
    tax_revenue_riels: float
    spending_riels: float
    social_protection_riels: float  # current social protection spending (the frame's share of GDP)
    financing_riels: tuple[tuple[str, float], ...]  # (option, riels), in the order applied

    @property
    def financed_riels(self) -> float:
        return sum(value for _, value in self.financing_riels)

    @property
    def residual_riels(self) -> float:
        """What the options leave uncovered (borrowing, or cuts elsewhere); 0 when they cover it."""
        return max(self.cost_riels - self.financed_riels, 0.0)

    @property
    def surplus_riels(self) -> float:
        return max(self.financed_riels - self.cost_riels, 0.0)

    def pct_of(self, denominator: float) -> float:
        """The cost in percent of ``denominator`` (riels); NaN without one."""
        return self.cost_riels / denominator * 100 if denominator else float("nan")

    @property
    def cost_pct_gdp(self) -> float:
        return self.pct_of(self.gdp_riels)

    @property
    def cost_pct_revenue(self) -> float:
        return self.pct_of(self.revenue_riels)

    @property
    def cost_pct_spending(self) -> float:
        return self.pct_of(self.spending_riels)

    @property
    def cost_pct_current_social_protection(self) -> float:
        return self.pct_of(self.social_protection_riels)

    @property
    def social_protection_with_floor_pct_gdp(self) -> float:
        return (self.social_protection_riels + self.cost_riels) / self.gdp_riels * 100

    @property
    def residual_pct_gdp(self) -> float:
        return self.residual_riels / self.gdp_riels * 100


@dataclass(frozen=True)
class OptionOutcome:
    """Where an option falls short: the years in which the options up to and including it (in
    the order applied) do not cover the cost; ``runs_out`` is the first of them (None: they cover
    it every year)."""

    name: str
    label: str
    kind: str
    assumption: str
    short_years: tuple[int, ...]

    @property
    def runs_out(self) -> int | None:
        return self.short_years[0] if self.short_years else None


def growth_factors(macro: Macro, years: list[int], shift_pp: float) -> dict[int, float]:
    """GDP with real growth shifted by ``shift_pp`` points a year in every year after the first of
    ``years``, over GDP on the central path (1 in the first year; compounded over every calendar
    year between two of ``years``)."""
    growth = macro.series("real_gdp_growth")
    first = min(years)
    factors = {}
    for year in years:
        factor = 1.0
        for t in range(first + 1, year + 1):  # a loop over years
            factor *= (1 + (growth[t] + shift_pp) / 100) / (1 + growth[t] / 100)
        factors[year] = factor
    return factors


def option_amount(option: FinancingOption, year: int, gdp: float, spending: float, contributions: float,
                  frame: FiscalFrame) -> float:
    """What ``option`` pays towards the floor in ``year`` (riels)."""
    if option.kind == "revenue_growth":
        return gdp * option.gain_pp(year) / 100 * option.share
    if option.kind == "reallocation":
        return sum(spending * frame.line_share(line, year) * moved for line, moved in option.line_shares(year).items())
    return contributions * option.share


def fiscal_years(costs: dict[int, float], contributions: dict[int, float], frame: FiscalFrame,
                 financing: Financing, macro: Macro, shift_pp: float = 0.0) -> list[FiscalYear]:
    """The floor's cost (riels by year) and the contributions it raises against the frame and the
    financing options, with real growth shifted by ``shift_pp`` points a year."""
    years = sorted(costs)
    factors = growth_factors(macro, years, shift_pp)
    out = []
    for year in years:
        factor = factors[year]
        gdp = macro.gdp(year) * factor
        spending = macro.government_spending(year) * factor
        paid = tuple((o.name, option_amount(o, year, gdp, spending, contributions.get(year, 0.0), frame))
                     for o in financing.options)
        out.append(FiscalYear(year=year, growth_shift_pp=shift_pp, cost_riels=costs[year],
                              contributions_riels=contributions.get(year, 0.0), gdp_riels=gdp,
                              revenue_riels=frame.amount("revenue", year, macro) * factor,
                              tax_revenue_riels=frame.amount("tax_revenue", year, macro) * factor,
                              spending_riels=spending,
                              social_protection_riels=gdp * frame.share_of_gdp(SP_SERIES, year) / 100,
                              financing_riels=paid))
    return out


def option_outcomes(rows: list[FiscalYear], financing: Financing) -> list[OptionOutcome]:
    out = []
    for k, option in enumerate(financing.options):
        short = tuple(r.year for r in rows if r.cost_riels > sum(v for _, v in r.financing_riels[:k + 1]))
        out.append(OptionOutcome(name=option.name, label=option.label, kind=option.kind, assumption=option.assumption,
                                 short_years=short))
    return out


@dataclass(frozen=True)
class FiscalSpace:
    """``microsim fiscal``'s result: the central path, one path per growth shift, the options' outcomes."""

    scenario: object
    costing: str  # "projection" or "cohort"
    central: list[FiscalYear]
    sensitivity: dict[float, list[FiscalYear]]
    outcomes: list[OptionOutcome]
    frame: FiscalFrame
    financing: Financing
    macro: Macro
    projection: object = None  # the Projection the costs come from (costing "projection")
    cohort: CohortCosting | None = None  # the cohort costing they come from (costing "cohort")

    @property
    def years(self) -> list[int]:
        return [r.year for r in self.central]


@dataclass(frozen=True)
class CohortCosting:
    """The cohort costing a fiscal space is built on: its measures, inputs and first-year
    microsimulation, and for each scheme the share of its revenue the reform adds (measured in the
    first year: (reform - baseline) / reform; 1 for a scheme the reform switches on)."""

    measures: list
    inputs: object
    sim: object
    added_shares: tuple[tuple[str, str, float], ...]  # (scheme, label, share of its revenue the reform adds)


def fiscal_space(scenario, costs: dict[int, float], contributions: dict[int, float], frame: FiscalFrame,
                 financing: Financing, macro: Macro, costing: str, projection=None,
                 cohort: CohortCosting | None = None) -> FiscalSpace:
    """The floor's cost and contributions by year (riels) against the frame and the options: the
    central path, one path per growth shift, and where each option falls short."""
    check_against_gdp(frame, macro)
    central = fiscal_years(costs, contributions, frame, financing, macro)
    sensitivity = {shift: fiscal_years(costs, contributions, frame, financing, macro, shift)
                   for shift in financing.growth_shifts_pp}
    return FiscalSpace(scenario=scenario, costing=costing, central=central,
                       sensitivity=sensitivity, outcomes=option_outcomes(central, financing), frame=frame,
                       financing=financing, macro=macro, projection=projection, cohort=cohort)


def projected_costs(proj) -> tuple[dict[int, float], dict[int, float]]:
    """The projection's cost change and contributions change by year (riels)."""
    costs = {r.year: float(r.headline.cost_change_riels_per_year or 0.0) for r in proj.results}
    raised = {r.year: float(r.headline.contributions_change_riels_per_year or 0.0) for r in proj.results}
    return costs, raised


def added_share(sim, scheme: str) -> float:
    """The share of ``scheme``'s revenue in the first year that the reform adds: (reform - baseline)
    / reform (1 when the reform switches it on, 0 when it raises nothing)."""
    record = next(c for c in sim.result.contributions if c.scheme == scheme)
    reform = float(record.revenue_reform_riels_per_year or 0.0)
    return float(record.revenue_change_riels_per_year or 0.0) / reform if reform > 0 else 0.0


def cohort_costing(measures, inputs, sim) -> tuple[dict[int, float], dict[int, float], CohortCosting]:
    """The cohort costing's total cost by year (riels: the workbook's Summary total) and the
    contributions the reform adds (each scheme's revenue x the share of it the reform adds, as the
    Affordability sheet computes them), with the costing they come from."""
    costs = {y: 0.0 for y in inputs.years}
    raised = {y: 0.0 for y in inputs.years}
    shares = []
    for m in measures:
        table = costs_of(m, inputs)
        if isinstance(m, ContributionMeasure):
            share = added_share(sim, m.name)
            shares.append((m.name, m.label, share))
            for year, value in zip(table["year"], table[REVENUE]):
                raised[int(year)] += float(value) * share
        else:
            for year, value in zip(table["year"], table["annual cost (riels)"]):
                costs[int(year)] += float(value)
    return costs, raised, CohortCosting(measures=measures, inputs=inputs, sim=sim, added_shares=tuple(shares))


def costing_affordability(scenario, measures, inputs, sim, frame: FiscalFrame | None = None,
                          financing: Financing | None = None) -> FiscalSpace:
    """The cohort costing's measures against the frame and the financing options (default: the
    shipped files): what the costing workbook's Affordability sheet holds."""
    frame = frame or load_frame()
    financing = financing or load_financing(frame)
    costs, raised, cohort = cohort_costing(measures, inputs, sim)
    return fiscal_space(scenario, costs, raised, frame, financing, sim.macro, "cohort", cohort=cohort)


def fiscal_study(scenario, base, first: int, last: int, frame: FiscalFrame, financing: Financing,
                 costing: str = "projection", ageing: bool = True, jobs: int = 1, executor=None,
                 quiet: bool = True) -> FiscalSpace:
    """The scenario's floor from ``first`` to ``last`` against the frame: its cost from the projection
    (each year microsimulated, ``microsim project``) or from the cohort costing (``microsim cost``,
    the workbook's arithmetic)."""
    if costing == "projection":
        proj = run_projection(scenario, base, first, last, jobs, ageing=ageing, executor=executor, quiet=quiet)
        costs, raised = projected_costs(proj)
        return fiscal_space(scenario, costs, raised, frame, financing, load_macro(), costing, projection=proj)
    measures, inputs, sim = costing_of(scenario, base, first, last, ageing=ageing)
    return costing_affordability(scenario, measures, inputs, sim, frame, financing)
