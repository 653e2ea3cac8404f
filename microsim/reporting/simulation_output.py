"""The run folders of ``microsim run`` and ``microsim project``: what the studies return
(:class:`microsim.studies.run.Simulation`, :class:`microsim.studies.projection.Projection`) turned into a
:class:`~microsim.reporting.runfolder.RunOutput` (summary, tables, workbook sheets, charts, report and
manifest) for the one run-folder writer. The studies compute; this module only arranges."""

from __future__ import annotations

import dataclasses
import platform
import sys

from microsim.reporting import report
from microsim.engine.macro import load_macro
from microsim.studies.projection import Projection
from microsim.studies.run import Simulation
from microsim.reporting.runfolder import RunOutput, build_summary, input_hashes, scenario_manifest


def run_summary(sim: Simulation, population: dict) -> dict:
    """The ``summary.json`` of ``microsim run`` for ``sim`` (the workbench answers with it alone)."""
    options = {"ageing": sim.result.ageing, "growth": sim.result.growth}  # what the results depend on (not jobs)
    return build_summary("run", sim.scenario, population, options, [sim.result], report.year_warnings(sim.result))


def run_output(sim: Simulation, command: str, jobs: int, population: dict) -> RunOutput:
    """Everything ``microsim run`` writes, for the one run-folder writer."""
    warnings = report.year_warnings(sim.result)
    options = {"ageing": sim.result.ageing, "growth": sim.result.growth}  # what the results depend on (not jobs)
    summary = run_summary(sim, population)
    systems = {label: {"active_modules": system.active, "not_in_force": system.not_in_force}
               for label, system in (("baseline", sim.baseline), ("reform", sim.reform))}
    manifest = {
        "command": command, "jobs": jobs, "seed": sim.scenario.seed, "year": sim.scenario.year, "options": options,
        "scenario": scenario_manifest(sim.scenario),
        "population": {**population, "calibration": sim.base_metadata.get("calibration"),
                       "simulated_weights_sha256": sim.population.content_hash()},
        "inputs": input_hashes(sim.parameter_files, sim.macro, ageing=sim.result.ageing),
        "macro": {"price_factor": sim.economy.price_factor, "real_growth_factor": sim.economy.real_growth_factor},
        "systems": systems,
        "parameters": sim.parameters,
        "timings_s": {k: round(v, 4) for k, v in sim.seconds.items()},
        "platform": {"machine": platform.machine(), "system": platform.system(), "argv": sys.argv[:1]},
    }
    return RunOutput(kind="run", title=f"{sim.scenario.name} ({sim.scenario.year})", summary=summary,
                     tables=sim.tables, sheets=report.run_sheets(sim, population),
                     charts=lambda folder: report.run_charts(sim, folder),
                     report=lambda charts: report.run_report(sim, population, charts, warnings), manifest=manifest)


def projection_output(proj: Projection, command: str, population: dict, base_metadata: dict | None = None) -> RunOutput:
    """Everything ``microsim project`` writes, for the one run-folder writer."""
    warnings = list(dict.fromkeys(w for r in proj.results for w in report.year_warnings(r)))  # once each
    options = {"ageing": proj.options["ageing"], "growth": proj.options["growth"],
               "population_source": proj.options["population_source"]}  # what the results depend on (not jobs)
    summary = build_summary("projection", proj.scenario, population, options, proj.results, warnings)
    first = proj.projected[0]
    macro = load_macro()
    manifest = {"command": command, "seed": proj.scenario.seed, "years": proj.years, "options": options,
                "jobs": proj.options["jobs"], "scenario": scenario_manifest(proj.scenario),
                "population": {**population, "calibration": (base_metadata or {}).get("calibration")},
                "inputs": input_hashes(first.parameter_files, macro if macro.sha256 == first.macro_sha256 else
                                       dataclasses.replace(macro, sha256=first.macro_sha256), proj.options["ageing"]),
                "parameters_first_year": first.parameters}
    return RunOutput(kind="projection", title=f"Projection {proj.years[0]}-{proj.years[-1]}: {proj.scenario.name}",
                     summary=summary, tables=proj.tables, sheets=report.projection_sheets(proj, population),
                     charts=lambda folder: report.projection_charts(proj, folder),
                     report=lambda charts: report.projection_report(proj, population, charts, warnings),
                     manifest=manifest)
