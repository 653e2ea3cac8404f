"""``microsim run``: a scenario (baseline against reform) in one year.

:func:`simulate_year` brings the population to the scenario's year (demography, real growth,
prices) and simulates both systems; ``microsim project`` calls it for each year, so a run and a
projection agree on every year they share. The run folder is made on the reporting floor
(:func:`microsim.reporting.simulation_output.run_output`, then :mod:`microsim.reporting.runfolder`).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from microsim.behaviour.earnings import year_earnings
from microsim.distribution import adequacy as benefit_adequacy, breakdowns, tables as year_tables
from microsim.distribution.coverage import social_insurance_coverage
from microsim.distribution.welfare import welfare
from microsim.population.derived import consumption_order, member_counts
from microsim.population.groups import AGE_GROUPS
from microsim.population.ageing import BASE_YEAR, Assumptions, bring_to_year
from microsim.common.determinism import one_blas_thread
from microsim.engine.economy import YearEconomy, year_economy
from microsim.engine.system import SystemResult, load_system, run_system
from microsim.errors import SpecError
from microsim.engine.macro import Macro, load_macro, supported_years
from microsim.population.population import Population
from microsim.distribution.results import Demography, Headline, YearResult, headline_from_records, record_json
from microsim.engine.scenario import Scenario



@dataclass
class Simulation:
    """One simulated year of a scenario: the systems, the output tables and the result records."""

    scenario: Scenario
    population: Population  # as simulated: reweighted to the year when aged
    macro: Macro
    economy: YearEconomy
    baseline: SystemResult
    reform: SystemResult
    tables: dict[str, pd.DataFrame]
    result: YearResult
    seconds: dict = field(default_factory=dict)
    parameter_files: dict = field(default_factory=dict)  # file -> SHA-256 of the bytes parsed
    parameters: dict = field(default_factory=dict)  # values in force: baseline, and the reform's differences
    base_metadata: dict = field(default_factory=dict)  # the population as read, before ageing

    @property
    def headline(self) -> Headline:
        return self.result.headline

    @property
    def summary(self) -> dict:
        """The headline as a plain dict (JSON-safe numbers), with the scenario's name and year."""
        return {"scenario": self.scenario.name, "year": self.scenario.year, **record_json(self.result.headline)}

    @property
    def price_factor(self) -> float:
        return self.economy.price_factor


def scenario_trees(scenario: Scenario):
    """The modules, and the parameter trees of the scenario's baseline and reform (every dated value,
    the scenario's overrides from its date): what :func:`simulate` evaluates on the year's date, and
    what a costing reads year by year."""
    modules, tree = load_system()
    where, allow = str(scenario.path), scenario.allow_implausible
    base_tree = tree.with_overrides(scenario.baseline, f"{where}, baseline", scenario.overrides_date, allow)
    return modules, base_tree, base_tree.with_overrides(scenario.reform, f"{where}, reform", scenario.overrides_date, allow)


@one_blas_thread
def simulate(scenario: Scenario, pop: Population, jobs: int = 1, macro: Macro | None = None,
             economy: YearEconomy | None = None, ageing: bool = False, strain: dict | None = None) -> Simulation:
    """Baseline and reform on ``pop`` as it is, in the scenario's year, with every output table.

    ``economy`` converts survey riels to the year's (default: the CPI only, no real growth).
    ``microsim run`` and ``microsim project`` call :func:`simulate_year`, which first brings the
    population to the year; this function is the step after that.
    """
    t0 = time.perf_counter()
    macro = macro or load_macro()
    check_year(scenario.year, macro)
    economy = economy or year_economy(pop, scenario.year, macro, growth=False)
    modules, base_tree, reform_tree = scenario_trees(scenario)
    where = str(scenario.path)
    t1 = time.perf_counter()
    cache = pop.cache.weighted.setdefault("module_outputs", {})
    run = dict(pop=pop, modules=modules, date=scenario.date, macro=macro, seed=scenario.seed, jobs=jobs, where=where,
               cache=cache, economy=economy)
    base = run_system(tree=base_tree, label="baseline", **run)
    reform = run_system(tree=reform_tree, label="reform", **run)
    t2 = time.perf_counter()

    w = pop.households["weight"].to_numpy()
    line, pre = economy.poverty_line(pop), economy.consumption_pc(pop)
    wb = welfare(pop, base, modules, economy)
    wr = welfare(pop, reform, modules, economy, survey_system=wb)
    money = year_tables.year_money(macro, scenario.year)
    near_poor = base.params.simulation.near_poor_multiple
    not_in_force = {**base.not_in_force, **reform.not_in_force}
    deciles_ready = threading.Event()

    def second_core():  # sorts and whole-column arithmetic release the GIL: these run beside the rest
        inequality = year_tables.inequality(pop, w, pre, wb.consumption, wr.consumption)
        programmes = year_tables.programme_results(pop, modules, wb, wr, money, not_in_force)
        deciles_ready.wait()  # the incidence table reads the deciles the other core computes first
        return inequality, programmes, year_tables.incidence_table(pop, w, pre, wb, wr)

    consumption_order(pop)  # read by both sides: made (or read from the population's file) first
    with ThreadPoolExecutor(1) as pool:  # the two sides take about as long as each other
        beside = pool.submit(second_core)
        try:
            breakdowns.pre_transfer_deciles(pop, pre)  # cached on the population
        finally:
            deciles_ready.set()
        groups = breakdowns.poverty_groups(pop, w, line, pre, wb.consumption, wr.consumption)
        targeting = year_tables.targeting_table(pop, w, line, modules, wb, wr)
        missing_middle = year_tables.missing_middle_table(pop, w, line, modules, wb, wr, near_poor)
        inequality, programmes, incidence = beside.result()
    contributions = year_tables.contribution_results(pop, modules, wb, wr, money, not_in_force, programmes)
    coverage = social_insurance_coverage(pop, breakdowns.pre_transfer_deciles(pop, pre), base, reform, modules)
    adequacy = benefit_adequacy.benefit_adequacy(pop, modules, wr, line, pre, money,
                                                 benefit_adequacy.insured_earnings(pop, year_earnings(pop, economy)))
    gap_per_riel = benefit_adequacy.gap_closed_per_riel(pop, line, wb, wr, programmes[-1])
    tables = {"poverty": year_tables.poverty_table(groups), "costs": year_tables.cost_table(programmes, money), "incidence": incidence,
              "targeting": targeting, "missing_middle": missing_middle, "inequality": year_tables.inequality_table(inequality),
              "contributions": year_tables.contribution_table(contributions, money),
              "coverage": coverage.workers, "coverage_persons": coverage.persons,
              "adequacy": benefit_adequacy.adequacy_table(adequacy, gap_per_riel)}
    t3 = time.perf_counter()
    national = next(g for g in groups if g.breakdown == "national")
    headline = headline_from_records(national, programmes[-1], inequality, money, float(w.sum()), contributions[-1],
                                     coverage.national)
    result = YearResult(year=scenario.year, ageing=ageing, growth=economy.growth, price_factor=economy.price_factor,
                        real_growth_factor=economy.real_growth_factor, headline=headline,
                        programmes=tuple(programmes), contributions=tuple(contributions), demography=demography(pop, strain),
                        adequacy=tuple(adequacy), poverty_gap_closed_per_riel=gap_per_riel,
                        notes=mid_year_changes(reform_tree, scenario.year, set(modules))
                        + schedules_not_started(scenario)
                        + work_data_notes(pop, [modules[n] for n in sorted(set(base.active) | set(reform.active))]))
    in_force = base_tree.references(scenario.date)
    changed = {k: v for k, v in reform_tree.references(scenario.date).items() if v != in_force.get(k)}
    return Simulation(scenario=scenario, population=pop, macro=macro, economy=economy, baseline=base, reform=reform,
                      tables=tables, result=result,
                      seconds={"parameters_s": t1 - t0, "modules_s": t2 - t1, "outputs_s": t3 - t2},
                      parameter_files=base_tree.file_digests,
                      parameters={"baseline": in_force, "reform_changes": changed}, base_metadata=dict(pop.metadata))


@one_blas_thread
def simulate_year(scenario: Scenario, base: Population, year: int | None = None, *, ageing: bool = True,
                  growth: bool = True, jobs: int = 1, macro: Macro | None = None,
                  assumptions: Assumptions | None = None) -> Simulation:
    """The scenario in ``year`` (default: its own year) on ``base`` brought to that year.

    With ``ageing`` the households are reweighted to the year's demography (UN WPP, the ratio
    method; :mod:`microsim.population.ageing`); with ``growth`` consumption grows in real terms
    (:mod:`microsim.engine.economy`); prices always follow the CPI. ``microsim run`` is this for the
    scenario's year, and every year of ``microsim project`` is this too, so both give the same
    answer. The scenario's overrides take effect from its own year.
    """
    year = scenario.year if year is None else year
    setup = year_setup(base, year, ageing, growth, macro, assumptions)
    return simulate_in_year(scenario, base, setup, year, ageing=ageing, jobs=jobs)


@one_blas_thread
def simulate_in_year(scenario: Scenario, base: Population, setup: YearSetup, year: int, *, ageing: bool,
                     jobs: int = 1) -> Simulation:
    """:func:`simulate_year` on a year already set up: ``setup`` is ``year_setup(base, year, ageing,
    growth)``, made once and reused for every scenario of that year (the workbench keeps them: the
    reweighting does not depend on the reform)."""
    in_year = dataclasses.replace(scenario, year=year, reform_from=scenario.reform_from or scenario.year)
    sim = simulate(in_year, setup.population, jobs, setup.macro, setup.economy, ageing=ageing and year > BASE_YEAR,
                   strain=setup.strain)
    sim.base_metadata = dict(base.metadata)
    return sim


class YearSetup(NamedTuple):
    """A base population brought to a year: what every simulation of that year starts from."""

    population: Population  # reweighted to the year's demography when aged
    strain: dict  # the reweighting's strain (design effect, weight ratios)
    economy: YearEconomy  # prices, real growth and the poverty line of the year
    macro: Macro  # the macro series used


@one_blas_thread
def year_setup(base: Population, year: int, ageing: bool = True, growth: bool = True, macro: Macro | None = None,
               assumptions: Assumptions | None = None) -> YearSetup:
    """``base`` brought to ``year`` (checked simulable): the population, the reweighting's strain, the
    year's economy and the macro series used. Every study that simulates a year starts here."""
    macro = macro or load_macro()
    check_year(year, macro)
    pop, strain = bring_to_year(base, year, ageing, assumptions)
    return YearSetup(pop, strain, year_economy(pop, year, macro, growth), macro)


def mid_year_changes(tree, year: int, modules: set[str]) -> tuple[str, ...]:
    """Programme values that change during ``year`` (after 1 January): the model applies the value in
    force on 1 January to the whole year, so the year's cost of such a programme is approximate."""
    notes = []
    for path, p in tree.parameters.items():
        if path.split(".")[0] not in modules:
            continue
        for date in sorted(p.values):
            if date.year == year and (date.month, date.day) != (1, 1):
                notes.append(f"`{path}` changes on {date.isoformat()}; the model applies the value in force on 1 January "
                             f"{year} to the whole year, so that programme's {year} cost is approximate.")
    return tuple(notes)


def schedules_not_started(scenario: Scenario) -> tuple[str, ...]:
    """A note for each schedule (``{2028: 75, 2032: 65}``) whose first year is after the simulated
    year: in that year the parameter keeps the value it had, so the reform is not yet what it says."""
    notes = []
    for side, overrides in (("baseline", scenario.baseline), ("reform", scenario.reform)):
        for path, value in overrides.items():
            start = min(int(key) for key in value) if isinstance(value, dict) and value else None
            if start is not None and start > scenario.year:
                notes.append(f"The {side}'s `{path}` is phased in from {start}: in "
                             f"{scenario.year} it keeps the value it had before the schedule.")
    return tuple(notes)


WORK_COLUMNS = {  # a person column modules read about work, and what the model does without it
    "labour_status": "statuses in employment are derived from `employment_type` and `nssf_member`, so public "
                     "servants cannot be told apart (their NSSF-C coverage is not counted)",
    "earnings": "earnings are imputed from household consumption (its labour share, shared among the workers "
                "by schooling, experience and sex: docs/data-schema.md)",
    "nssf_member": "nobody is insured by the NSSF, so its contributions, pensions and coverage are zero",
}


def work_data_notes(pop: Population, active: list) -> tuple[str, ...]:
    """What a reader must know when the population lacks a work column an active module reads (survey
    data without them): one note per column, saying what the model does instead."""
    read = {i for m in active for i in m.inputs}
    missing = [c for c in WORK_COLUMNS if c in read and c not in pop.persons.columns]
    return tuple(f"The population has no `{c}` column: {WORK_COLUMNS[c]}. Map the column from the survey to use "
                 "its own values (docs/data-schema.md)." for c in missing)


def check_years(first: int, last: int, macro: Macro | None = None) -> list[int]:
    """The years ``first`` to ``last``, once both are known to be simulable and in order."""
    if first > last:
        raise SpecError(f"--from {first} is after --to {last}: the first year must come first.")
    macro = macro or load_macro()
    for year in (first, last):
        check_year(year, macro)
    return list(range(first, last + 1))


def check_year(year: int, macro: Macro) -> None:
    first, last = supported_years(macro)
    if year < first:
        raise SpecError(f"Year {year} cannot be simulated: supported years are {first} (the survey year, CSES "
                        f"2019/20) to {last}. The population describes {first} onwards; earlier years would need "
                        "back-casting, which the model does not do.")
    if year > last:
        raise SpecError(f"Year {year} cannot be simulated: supported years are {first} (the survey year, CSES "
                        f"2019/20) to {last} (the last year of `cpi_inflation` in {macro.path}). Extend the macro "
                        "series to go further.")


def demography(pop: Population, strain: dict | None = None) -> Demography:
    """The weighted population of the simulated year, and the reweighting's strain."""
    strain = strain or {}
    w = pop.households["weight"].to_numpy()
    by_age = w @ member_counts(pop, "age").astype(np.float64)  # persons represented in each age group
    persons = float(w @ pop.household_size_float)
    children = float(sum(n for n, (lo, hi) in zip(by_age, AGE_GROUPS) if hi < 15))
    older = float(sum(n for n, (lo, hi) in zip(by_age, AGE_GROUPS) if lo >= 65))
    return Demography(persons=persons, households=float(pop.households["weight"].sum()),
                      children_0_14_persons=children, older_65_plus_persons=older,
                      older_65_plus_pct=older / persons * 100 if persons else float("nan"),
                      kish_design_effect=strain.get("kish_design_effect"),
                      weight_ratio_min=strain.get("weight_ratio_min"), weight_ratio_max=strain.get("weight_ratio_max"))
