"""``microsim project``: a scenario simulated year by year, each year as ``microsim run`` does it.

Each year is :func:`microsim.run.simulate_year`: the base population brought to the year's
demography (:mod:`microsim.ageing`), its consumption in the year's riels and living standards
(:mod:`microsim.economy`), benefits indexed by their rules. A projection is the list of those
years; ``microsim run`` for year Y and a projection's year Y are the same computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from microsim.ageing import DEFAULT_ASSUMPTIONS, Assumptions, load_assumptions
from microsim.population import Population
from microsim.errors import SpecError
from microsim.paths import WPP_FILE
from microsim.runfolder import RunOutput, build_summary, sha256_file


# ---- one projection year ------------------------------------------------------------------------
def project_year(base: Population, scenario, year: int, ageing: bool = True, growth: bool = True,
                 assumptions: Assumptions | None = None, macro=None, price_year: int | None = None) -> dict:
    """One projection year: exactly ``microsim run`` for that year (:func:`microsim.run.simulate_year`)."""
    from microsim.run import simulate_year

    sim = simulate_year(scenario, base, year, ageing=ageing, growth=growth, macro=macro, assumptions=assumptions)
    return {"year": year, "result": sim.result, "summary": sim.summary,
            "costs": sim.tables["costs"].assign(year=year), "poverty": sim.tables["poverty"].assign(year=year),
            "benefit_values": benefit_values(sim, year, sim.macro, price_year or year)}


def benefit_values(sim, year: int, macro, price_year: int = 2026) -> list[dict]:
    """Every amount parameter of the reform's active modules: nominal, and real in ``price_year`` riels."""
    from microsim.engine import load_system

    _, tree = load_system()
    rows = []
    for path, p in tree.parameters.items():
        module = path.split(".")[0]
        if module not in sim.reform.active or not p.unit.startswith("riels per"):
            continue
        node = sim.reform.params
        for part in path.split("."):
            node = getattr(node, part)
        rows.append({"year": year, "parameter": path, "unit": p.unit, "nominal": float(node),
                     f"real ({price_year} riels)": float(node) * macro.cpi(price_year) / macro.cpi(year),
                     "indexation": sim.scenario.reform.get(f"{path}.indexation", p.indexation)})
    return rows


# ---- a projection run -----------------------------------------------------------------------------
@dataclass
class Projection:
    """A projection: one :class:`~microsim.results.YearResult` per year, and the tables rendered from them."""

    scenario: object
    years: list[int]
    tables: dict[str, pd.DataFrame]
    options: dict
    results: list = None  # YearResult per year
    parameter_labels: dict = None  # parameter path -> description, for charts


def run_projection(scenario, base: Population, first: int, last: int, jobs: int = 1, ageing: bool = True,
                   growth: bool = True, macro=None, quiet: bool = True) -> Projection:
    """Every year from ``first`` to ``last``; years are independent and run in parallel processes.

    Results are identical for any ``jobs``; a progress bar shows on a terminal unless ``quiet``.
    """
    from joblib import Parallel, delayed

    from microsim.macro import load_macro
    from microsim.progress import progress
    from microsim.run import check_year

    if first > last:
        raise SpecError(f"--from {first} is after --to {last}: the first year must come first.")
    for year in (first, last):
        check_year(year, macro or load_macro())
    years = list(range(first, last + 1))
    assumptions = load_assumptions()
    calls = [(base, scenario, y, ageing, growth, assumptions, macro, first) for y in years]
    if jobs == 1 or len(years) == 1:
        results = list(progress((project_year(*c) for c in calls), len(calls), "Projecting", quiet, "year"))
    else:
        done = Parallel(n_jobs=jobs, return_as="generator")(delayed(project_year)(*c) for c in calls)
        results = list(progress(done, len(calls), "Projecting", quiet, "year"))
    summary = pd.DataFrame([{"year": r["year"], **{k: v for k, v in r["summary"].items()
                                                    if k not in ("scenario", "year", "prices")}} for r in results])
    costs = pd.concat([r["costs"] for r in results], ignore_index=True)
    costs = costs[["year"] + [c for c in costs.columns if c != "year"]]
    poverty = pd.concat([r["poverty"] for r in results], ignore_index=True)
    poverty = poverty[poverty["breakdown"].isin(["national", "age group (Table 1)", "age group", "zone"])]
    poverty = poverty[["year"] + [c for c in poverty.columns if c != "year"]]
    tables = {"years": summary, "costs_by_year": costs, "poverty_by_year": poverty,
              "benefit_values": pd.DataFrame([row for r in results for row in r["benefit_values"]]),
              "demography": demography_table([r["result"] for r in results])}
    return Projection(scenario, years, tables, {"ageing": ageing, "growth": growth, "jobs": jobs,
                                                "population_source": assumptions.value("population_source")},
                      [r["result"] for r in results], parameter_labels())


def parameter_labels() -> dict[str, str]:
    """Each parameter's description, to label charts in words."""
    from microsim.engine import load_system

    _, tree = load_system()
    return {path: f"{p.description} ({p.unit})" for path, p in tree.parameters.items()}


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


def projection_output(proj: Projection, command: str, population: dict) -> RunOutput:
    """Everything ``microsim project`` writes, for the one run-folder writer."""
    from microsim import report
    from microsim.macro import load_macro
    from microsim.paths import display_path

    macro = load_macro()
    warnings = [w for r in proj.results for w in report.year_warnings(r)]
    warnings = list(dict.fromkeys(warnings))  # the same message for several years once
    options = {"ageing": proj.options["ageing"], "growth": proj.options["growth"],
               "population_source": proj.options["population_source"]}  # what the results depend on (not jobs)
    summary = build_summary("projection", proj.scenario, population, options, proj.results, warnings)
    manifest = {"command": command, "seed": proj.scenario.seed, "years": proj.years, "options": options,
                "jobs": proj.options["jobs"],
                "scenario": {"path": display_path(proj.scenario.path), "sha256": proj.scenario.sha256,
                             "name": proj.scenario.name, "baseline_overrides": proj.scenario.baseline,
                             "reform_overrides": proj.scenario.reform},
                "population": population,
                "inputs": {display_path(f): sha256_file(f) for f in (DEFAULT_ASSUMPTIONS, macro.path, WPP_FILE)}}
    return RunOutput(kind="projection", title=f"Projection {proj.years[0]}-{proj.years[-1]}: {proj.scenario.name}",
                     summary=summary, tables=proj.tables, sheets=report.projection_sheets(proj, population),
                     charts=lambda folder: report.projection_charts(proj, folder),
                     report=lambda charts: report.projection_report(proj, population, charts, warnings),
                     manifest=manifest)
