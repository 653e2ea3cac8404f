"""The run folder of a sweep (``microsim sweep``): its summary, report, workbook, chart and
manifest, from the variants and their results (:mod:`microsim.studies.sweep` runs them)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from microsim.reporting import charts as charts_module
from microsim.reporting import report
from microsim.reporting.document import Heading, Paragraph, Table
from microsim.common.formatting import MISSING, persons, plain
from microsim.distribution.results import YearResult
from microsim.reporting.runfolder import RunOutput, build_summary, scenario_manifest
from microsim.studies.sweep import Variant, variants_table
from microsim.reporting.sheets import Sheet


def sweep_output(scenario, variants: list[Variant], results: list[YearResult], population: dict, command: str,
                 options: dict, base_metadata: dict | None = None):
    """Everything ``microsim sweep`` writes, for the one run-folder writer."""
    table = variants_table(variants, results)
    warnings = list(dict.fromkeys(w for r in results for w in report.year_warnings(r)))
    summary = build_summary("sweep", scenario, population, options, [results[0]], warnings)
    summary["variants"] = [{"name": v.name, "overrides": {k: (v if not isinstance(v, float) or np.isfinite(v) else None)
                                                         for k, v in v.overrides.items()},
                            "on_the_frontier": bool(on), **r.to_json()}
                           for v, r, on in zip(variants, results, table["on the frontier"])]
    year = scenario.year

    def charts(folder):
        return {"frontier": charts_module.frontier_chart(table, year, folder)}

    def blocks(drawn):
        shown = table.sort_values("cost per person lifted (riels per year)", na_position="last")
        display = pd.DataFrame({
            "variant": shown["variant"],
            "cost (billion riels)": [report.billions(v) for v in shown["cost of the reform (riels per year)"]],
            "cost (% of GDP)": [plain(v, 3) for v in shown["cost of the reform (% of GDP)"]],
            "poverty change (points)": [plain(v, 2) for v in shown["poverty change (pp)"]],
            "persons lifted": [persons(v) for v in shown["persons lifted out of poverty"]],
            "cost per person lifted (million riels)": [plain(v / 1e6, 2) if v is not None and np.isfinite(v)
                                                       else MISSING
                                                       for v in shown["cost per person lifted (riels per year)"]],
            "on the frontier": ["yes" if x else "" for x in shown["on the frontier"]]})
        raised = shown["social insurance contributions, change (riels per year)"].fillna(0)
        if raised.any():  # a sweep of a contribution scheme: what it raises and whom it covers
            display.insert(len(display.columns) - 1, "contributions raised (billion riels)",
                           [report.billions(v) for v in raised])
            display.insert(len(display.columns) - 1, "workers covered (%)",
                           [plain(v, 1) for v in shown["persons in work covered by social insurance, reform (%)"]])
        if "persons lifted out of poverty, 95 % low" in shown:
            display.insert(5, "persons lifted, 95 % interval", [
                f"{persons(lo)} to {persons(hi)}" for lo, hi in zip(shown["persons lifted out of poverty, 95 % low"],
                                                                      shown["persons lifted out of poverty, 95 % high"])])
        out = [Heading(f"Sweep: {scenario.name}, {year}", 1),
               Paragraph(report.population_sentence(population, year, options["ageing"], options["growth"])),
               Paragraph(f"{len(variants)} variants of the scenario, each its reform plus the values shown, simulated like "
                         "`microsim run` on the same population brought to the year. A variant is **on the frontier** "
                         "when no other lifts at least as many persons out of poverty for no more money."),
               Heading("Variants, cheapest per person lifted first"), Table(display, tuple(display.columns[1:-1]))]
        out += report.chart_blocks(drawn["frontier"])
        if warnings:
            out += [Heading("Warnings"), Paragraph("; ".join(warnings))]
        return out

    about = pd.DataFrame({"item": ["scenario", "year", "variants", "population", "replicates"],
                          "value": [scenario.name, str(year), str(len(variants)), population["path"],
                                    str(options.get("replicates", 0))]})
    sheets = [Sheet("About", f"Sweep of {scenario.name}, {year}", about),
              Sheet("Variants", f"Every variant's cost and poverty effect, {year}", table)]
    manifest = {"command": command, "seed": scenario.seed, "year": year, "options": options,
                "scenario": scenario_manifest(scenario), "variants": [dataclasses.asdict(v) for v in variants],
                "population": {**population, "calibration": (base_metadata or {}).get("calibration")}}
    return RunOutput(kind="sweep", title=f"Sweep: {scenario.name}", summary=summary, tables={"variants": table},
                     sheets=sheets, charts=charts, report=blocks, manifest=manifest)
