"""``microsim run``: simulate a scenario (baseline against reform) and write a run folder.

The folder holds ``summary.json`` (the headline figures), ``tables/*.csv``, ``workbook.xlsx``
(one sheet per table, units in headers), ``report.md`` with ``charts/*.png``, and
``manifest.json`` (inputs with content hashes, parameters, seed, package versions, timings).
It is written to a temporary folder and renamed when complete.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np
import pandas as pd

from microsim import __version__
from microsim import outputs as O
from microsim.engine import SystemResult, load_system, price_factor, run_system
from microsim.io import atomic_folder
from microsim.macro import Macro, load_macro
from microsim.population import Population
from microsim.scenario import Scenario

TABLE_FILES = {
    "poverty": "Poverty by group: headcount, gap and severity, baseline and reform",
    "costs": "Annual cost by programme",
    "incidence": "Incidence of the reform's extra benefits by consumption decile",
    "targeting": "Coverage of the poor and targeting errors by programme (reform)",
    "missing_middle": "The missing middle",
    "inequality": "Inequality and mean consumption",
}
PACKAGES = ("numpy", "pandas", "pyarrow", "scipy", "statsmodels", "joblib", "pyyaml", "click", "openpyxl", "matplotlib")


@dataclass
class Simulation:
    scenario: Scenario
    population: Population
    macro: Macro
    price_factor: float
    baseline: SystemResult
    reform: SystemResult
    tables: dict[str, pd.DataFrame]
    summary: dict
    seconds: dict = field(default_factory=dict)
    parameter_files: list = field(default_factory=list)
    parameters: dict = field(default_factory=dict)  # values in force: baseline, and the reform's differences


def simulate(scenario: Scenario, pop: Population, jobs: int = 1, macro: Macro | None = None) -> Simulation:
    """Baseline and reform on ``pop`` for the scenario's year, with every output table."""
    t0 = time.perf_counter()
    macro = macro or load_macro()
    modules, tree = load_system()
    where = str(scenario.path)
    base_tree = tree.with_overrides(scenario.baseline, f"{where}, baseline", scenario.overrides_date)
    reform_tree = base_tree.with_overrides(scenario.reform, f"{where}, reform", scenario.overrides_date)
    factor = price_factor(pop, scenario.year, macro)
    pop.cache.pop("household_sums", None)  # per-simulation cache of module sums (see outputs)
    t1 = time.perf_counter()
    cache = pop.cache.setdefault("module_outputs", {})
    base = run_system(pop, modules, base_tree, scenario.date, macro, scenario.seed, jobs, "baseline", where, cache)
    reform = run_system(pop, modules, reform_tree, scenario.date, macro, scenario.seed, jobs, "reform", where, cache)
    t2 = time.perf_counter()

    w = pop.households["weight"].to_numpy()
    line = pop.households["poverty_line"].to_numpy() * factor
    pre = pop.households["consumption_pc"].to_numpy() * factor
    wb, wr = O.welfare(pop, base, modules, factor), O.welfare(pop, reform, modules, factor)
    tables = {
        "poverty": O.poverty_table(pop, w, line, pre, wb.consumption, wr.consumption),
        "costs": O.cost_table(pop, modules, wb, wr, macro, scenario.year),
        "incidence": O.incidence_table(pop, w, pre, wb, wr),
        "targeting": O.targeting_table(pop, w, line, modules, wb, wr),
        "missing_middle": O.missing_middle_table(pop, w, line, modules, wb, wr,
                                                 base.params.simulation.near_poor_multiple),
        "inequality": O.inequality_table(pop, w, pre, wb.consumption, wr.consumption),
    }
    t3 = time.perf_counter()
    summary = headline(scenario, tables, factor, pop, macro)
    in_force = base_tree.references(scenario.date)
    changed = {k: v for k, v in reform_tree.references(scenario.date).items() if v != in_force.get(k)}
    return Simulation(scenario, pop, macro, factor, base, reform, tables, summary,
                      {"parameters_s": t1 - t0, "modules_s": t2 - t1, "outputs_s": t3 - t2},
                      [str(m.parameter_file) for m in modules.values()],
                      {"baseline": in_force, "reform_changes": changed})


def headline(scenario: Scenario, tables: dict, factor: float, pop: Population, macro: Macro) -> dict:
    pov = tables["poverty"].set_index(["breakdown", "group"])
    nat = pov.loc[("national", "all persons")]
    total = tables["costs"].set_index("programme").loc["Total"]
    ineq = tables["inequality"].set_index("measure")["value"]
    lifted = float(nat["lifted out of poverty (persons)"])
    change = float(total["change (riels per year)"])
    usd = macro.value("exchange_rate", scenario.year) if macro.has("exchange_rate", scenario.year) else np.nan

    def num(x, digits=4):
        x = float(x)
        return None if not np.isfinite(x) else round(x, digits)

    return {
        "scenario": scenario.name, "year": scenario.year,
        "prices": f"{scenario.year} riels (survey consumption uprated by the CPI, factor {factor:.4f})",
        "poverty_rate_baseline_pct": num(nat["headcount baseline (%)"]),
        "poverty_rate_reform_pct": num(nat["headcount reform (%)"]),
        "poverty_rate_change_pp": num(nat["headcount change (pp)"]),
        "poverty_gap_baseline_pct": num(nat["gap baseline (%)"]), "poverty_gap_reform_pct": num(nat["gap reform (%)"]),
        "poverty_severity_baseline_x100": num(nat["severity baseline (x100)"]),
        "poverty_severity_reform_x100": num(nat["severity reform (x100)"]),
        "poor_persons_baseline": num(nat["poor baseline (persons)"], 0),
        "poor_persons_reform": num(nat["poor reform (persons)"], 0),
        "persons_lifted_out_of_poverty": num(lifted, 0),
        "cost_change_riels_per_year": num(change, 0),
        "cost_change_usd_per_year": num(total["change (USD per year)"], 0),
        "cost_change_pct_gdp": num(total["change (% of GDP)"]),
        "cost_change_pct_government_spending": num(total["change (% of government spending)"]),
        "cost_reform_total_riels_per_year": num(total["cost reform (riels per year)"], 0),
        "cost_per_person_lifted_riels_per_year": num(change / lifted, 0) if lifted > 0 else None,
        "cost_per_person_lifted_usd_per_year": num(change / lifted / usd, 0) if lifted > 0 and np.isfinite(usd) else None,
        "gini_baseline": num(ineq["Gini, baseline"]), "gini_reform": num(ineq["Gini, reform"]),
        "population_persons": num(pop.person_weight().sum(), 0),
    }


# ---- writing the run folder -------------------------------------------------------------------
def _sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def versions() -> dict:
    out = {"python": platform.python_version(), "microsim": __version__}
    for name in PACKAGES:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = None
    return out


def manifest(sim: Simulation, command: str, jobs: int, population_label: str) -> dict:
    from microsim.paths import display_path

    systems = {label: {"active_modules": system.active}
               for label, system in (("baseline", sim.baseline), ("reform", sim.reform))}
    return {
        "command": command, "jobs": jobs, "seed": sim.scenario.seed, "year": sim.scenario.year,
        "scenario": {"path": display_path(sim.scenario.path), "sha256": sim.scenario.sha256, "name": sim.scenario.name,
                     "baseline_overrides": sim.scenario.baseline, "reform_overrides": sim.scenario.reform},
        "population": {"path": population_label, "content_sha256": sim.population.content_hash(),
                       "households": sim.population.n_households, "persons": sim.population.n_persons,
                       "calibration": sim.population.metadata.get("calibration")},
        "parameter_files": {display_path(f): _sha256(f) for f in sorted(set(sim.parameter_files))},
        "macro": {"path": display_path(sim.macro.path), "sha256": _sha256(sim.macro.path),
                  "price_factor": sim.price_factor},
        "systems": systems,
        "parameters": sim.parameters,
        "versions": versions(),
        "timings_s": {k: round(v, 4) for k, v in sim.seconds.items()},
        "platform": {"machine": platform.machine(), "system": platform.system(), "argv": sys.argv[:1]},
    }


def write_run(sim: Simulation, out, command: str = "", jobs: int = 1, overwrite: bool = False,
              population_label: str = "", charts: bool = True) -> Path:
    from microsim.report import report_markdown, write_charts, write_workbook

    t0 = time.perf_counter()
    with atomic_folder(out, overwrite) as tmp:
        (tmp / "tables").mkdir()
        for name, df in sim.tables.items():
            df.to_csv(tmp / "tables" / f"{name}.csv", index=False, float_format="%.6g", lineterminator="\n")
        (tmp / "summary.json").write_text(json.dumps(sim.summary, indent=1) + "\n", encoding="utf-8")
        write_workbook(sim, tmp / "workbook.xlsx")
        chart_files = write_charts(sim, tmp / "charts") if charts else {}
        (tmp / "report.md").write_text(report_markdown(sim, chart_files), encoding="utf-8")
        man = manifest(sim, command, jobs, population_label)
        man["timings_s"]["write_s"] = round(time.perf_counter() - t0, 4)
        digest = hashlib.sha256()
        for name in sorted(sim.tables):
            digest.update((tmp / "tables" / f"{name}.csv").read_bytes())
        digest.update((tmp / "summary.json").read_bytes())
        man["results_sha256"] = digest.hexdigest()
        (tmp / "manifest.json").write_text(json.dumps(man, indent=1, default=str) + "\n", encoding="utf-8")
    return Path(out)
