"""``microsim project``: a scenario simulated year by year, each year as ``microsim run`` does it.

Each year is :func:`microsim.studies.run.simulate_year`: the base population brought to the year's
demography (:mod:`microsim.population.ageing`), its consumption in the year's riels and living standards
(:mod:`microsim.engine.economy`), benefits indexed by their rules. A projection is the list of those
years; ``microsim run`` for year Y and a projection's year Y are the same computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from microsim.population.ageing import Assumptions, load_assumptions
from microsim.population.population import Population
from microsim.distribution.results import YearResult, record_json
from microsim.distribution.adequacy import WHOLE_REFORM
from microsim.studies.executor import map_tasks, resolve
from microsim.studies.uncertainty import attach_intervals
from microsim.studies.run import check_years, simulate_year


# ---- one projection year ------------------------------------------------------------------------
@dataclass
class ProjectedYear:
    """One year of a projection: its result record and the tables it adds to the projection's."""

    year: int
    result: YearResult
    costs: pd.DataFrame
    poverty: pd.DataFrame
    benefit_values: list[dict]
    parameters: dict  # values in force (baseline) and the reform's changes, with references
    parameter_files: dict  # parameter file -> SHA-256
    macro_sha256: str


def project_year(base: Population, scenario, year: int, ageing: bool = True, growth: bool = True,
                 assumptions: Assumptions | None = None, macro=None, price_year: int | None = None) -> ProjectedYear:
    """One projection year: exactly ``microsim run`` for that year (:func:`microsim.studies.run.simulate_year`)."""

    sim = simulate_year(scenario, resolve(base), year, ageing=ageing, growth=growth, macro=macro,
                        assumptions=assumptions)
    return ProjectedYear(year, sim.result, sim.tables["costs"].assign(year=year), sim.tables["poverty"].assign(year=year),
                         benefit_values(sim, year, sim.macro, price_year or year), sim.parameters,
                         sim.parameter_files, sim.macro.sha256)


def benefit_values(sim, year: int, macro, price_year: int = 2026) -> list[dict]:
    """Every amount parameter of the reform's active modules: nominal, and real in ``price_year`` riels."""
    units = {path: entry["unit"] for path, entry in sim.parameters["baseline"].items()}
    units |= {path: entry["unit"] for path, entry in sim.parameters["reform_changes"].items()}
    indexation = {path: entry["indexation"] for path, entry in sim.parameters["baseline"].items()}
    rows = []
    for path, unit in sorted(units.items()):
        if path.split(".")[0] not in sim.reform.active or not unit.startswith("riels per"):
            continue
        node = sim.reform.params
        for part in path.split("."):
            node = getattr(node, part)
        rows.append({"year": year, "parameter": path, "unit": unit, "nominal": float(node),
                     f"real ({price_year} riels)": float(node) * macro.cpi(price_year) / macro.cpi(year),
                     "indexation": sim.scenario.reform.get(f"{path}.indexation", indexation.get(path, "none"))})
    return rows


# ---- a projection run -----------------------------------------------------------------------------
@dataclass
class Projection:
    """A projection: one :class:`ProjectedYear` per year, and the tables rendered from them."""

    scenario: object
    years: list[int]
    tables: dict[str, pd.DataFrame]
    options: dict
    projected: list[ProjectedYear]
    parameter_labels: dict  # parameter path -> description and unit, for charts

    @property
    def results(self) -> list[YearResult]:
        return [p.result for p in self.projected]


def run_projection(scenario, base, first: int, last: int, jobs: int = 1, ageing: bool = True,
                   growth: bool = True, macro=None, quiet: bool = True, executor=None,
                   replicates: int = 0) -> Projection:
    """Every year from ``first`` to ``last``; years are independent tasks of the executor (default:
    ``jobs`` joblib processes). ``base`` is a Population or a PopulationRef. With ``replicates``,
    every year's result carries its 95 % intervals (docs/uncertainty.md).

    Results are identical for any backend and ``jobs``; a progress bar shows on a terminal unless ``quiet``.
    """

    years = check_years(first, last, macro)
    assumptions = load_assumptions()
    calls = [(base, scenario, y, ageing, growth, assumptions, macro, first) for y in years]
    projected = map_tasks(executor, project_year, calls, "Projecting", "year", jobs, quiet)
    attach_intervals(scenario, base, projected, replicates, ageing=ageing, growth=growth, executor=executor)
    summary = pd.DataFrame([{"year": p.year, **record_json(p.result.headline)} for p in projected])
    costs = pd.concat([p.costs for p in projected], ignore_index=True)
    costs = costs[["year"] + [c for c in costs.columns if c != "year"]]
    poverty = pd.concat([p.poverty for p in projected], ignore_index=True)
    poverty = poverty[poverty["breakdown"].isin(["national", "age group (Table 1)", "age group", "zone"])]
    poverty = poverty[["year"] + [c for c in poverty.columns if c != "year"]]
    contributions = pd.DataFrame([{"year": p.year, **record_json(c)} for p in projected for c in p.result.contributions])
    tables = {"years": summary, "costs_by_year": costs, "poverty_by_year": poverty, "contributions_by_year": contributions,
              "benefit_values": pd.DataFrame([row for p in projected for row in p.benefit_values]),
              "adequacy_by_year": adequacy_by_year(projected),
              "demography": demography_table([p.result for p in projected])}
    first_year = projected[0].parameters
    labels = {path: f"{entry.get('description', path)} ({entry['unit']})"
              for path, entry in {**first_year["baseline"], **first_year["reform_changes"]}.items()}
    return Projection(scenario, years, tables, {"ageing": ageing, "growth": growth, "jobs": jobs,
                                                "population_source": assumptions.value("population_source")},
                      projected, labels)


def adequacy_by_year(projected) -> pd.DataFrame:
    """Each benefit's adequacy in every year (microsim.distribution.adequacy): a benefit not indexed
    falls against the poverty line, which rises with prices, and against GDP per head."""
    return pd.DataFrame([{"year": p.year, **record_json(a)} for p in projected for a in p.result.adequacy]
                        + [{"year": p.year, "programme": "reform", "label": WHOLE_REFORM,
                            "poverty_gap_closed_per_riel": p.result.poverty_gap_closed_per_riel} for p in projected])


def demography_table(results) -> pd.DataFrame:
    """Population of each simulated year, its real consumption factor and the reweighting's strain."""
    return pd.DataFrame([{"year": r.year, "persons": r.demography.persons, "households": r.demography.households,
                          "children 0-14 (persons)": r.demography.children_0_14_persons,
                          "older 65+ (persons)": r.demography.older_65_plus_persons,
                          "older 65+ (% of persons)": r.demography.older_65_plus_pct,
                          "real consumption factor (vs 2019/20)": r.real_growth_factor,
                          "kish_design_effect": r.demography.kish_design_effect,
                          "weight_ratio_min": r.demography.weight_ratio_min,
                          "weight_ratio_max": r.demography.weight_ratio_max} for r in results])
