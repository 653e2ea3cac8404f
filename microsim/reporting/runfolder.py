"""One run folder for every command: the same files, written by one writer, atomically.

Every study (``microsim run``, ``microsim project``, and those built on them) writes::

    manifest.json    inputs with content hashes, parameters, seed, options, versions, timings
    summary.json     the headline and, per year, every programme's cost and caseload (docs/outputs.md)
    tables/*.csv     every table, plain decimals
    workbook.xlsx    the tables with words and units, formats, frozen headers (and, for a run,
                     the parameters in force and each cost as an Excel formula)
    report.md        the report to paste into a brief
    report.html      the same report, self-contained (charts embedded), pastes into Word as tables
    charts/*.png     the report's charts

A :class:`RunOutput` holds what a study hands over; :func:`write_run_folder` writes it to a
temporary folder beside the target and renames it into place when complete. It replaces an
existing folder only when that folder is a run folder this program wrote (it has our manifest).
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Callable

import pandas as pd

from microsim import __version__
from microsim.reporting.document import to_html, to_markdown
from microsim.common.formatting import csv_number
from microsim.population.io import atomic_folder, foreign_files
from microsim.distribution.results import INTERVAL_METHOD, SUMMARY_FORMAT, YearResult, record_json
from microsim.reporting.sheets import Sheet, write_workbook
from microsim.paths import display_path, WPP2024_FILE, WPP_FILE
from microsim.population.ageing import DEFAULT_ASSUMPTIONS
from microsim.population.targets import DEFAULT_TARGETS

RUN_FORMAT = "microsim-run/1"
PACKAGES = ("numpy", "pandas", "pyarrow", "scipy", "statsmodels", "joblib", "pyyaml", "click", "openpyxl",
            "xlsxwriter", "matplotlib", "tqdm")
RUN_FILES = ("manifest.json", "summary.json", "workbook.xlsx", "report.md", "report.html")


@dataclass
class RunOutput:
    """What a study hands to the writer.

    ``charts(folder)`` draws the charts into ``folder`` and returns them by key (a
    :class:`~microsim.reporting.charts.Chart` or a :class:`~microsim.reporting.charts.Skipped`); ``report(charts)``
    returns the report's blocks (:mod:`microsim.reporting.document`).
    """

    kind: str  # "run", "projection", ...
    title: str
    summary: dict
    tables: dict[str, pd.DataFrame]
    sheets: list[Sheet]
    charts: Callable[[Path], dict]
    report: Callable[[dict], list]
    manifest: dict = field(default_factory=dict)
    workbook: Callable[[Path], None] | None = None  # writes workbook.xlsx itself (the live costing workbook)


def versions() -> dict:
    out = {"python": platform.python_version(), "microsim": __version__}
    for name in PACKAGES:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = None
    return out


def sha256_file(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_folder_problem(path: Path) -> str:
    """'' when ``path`` is a run folder this program wrote (our manifest) holding only the files
    the manifest lists; otherwise what stands in the way of replacing it."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != RUN_FORMAT:
        return "it was not written by microsim (it has no manifest.json of ours)"
    extra = foreign_files(path, set(manifest.get("files") or []))
    return f"besides the run's files it holds {', '.join(extra[:5])}" + (" ..." if len(extra) > 5 else "") if extra else ""


def write_run_folder(output: RunOutput, out, overwrite: bool = False) -> Path:
    """Write every file of the run folder ``out`` (see the module docstring); return its path."""
    t0 = time.perf_counter()
    with atomic_folder(out, overwrite, owned=run_folder_problem, what="run folder") as tmp:
        (tmp / "tables").mkdir()
        for name, df in output.tables.items():
            df.to_csv(tmp / "tables" / f"{name}.csv", index=False, float_format=csv_number, lineterminator="\n")
        (tmp / "summary.json").write_text(json.dumps(output.summary, indent=1, allow_nan=False) + "\n",
                                          encoding="utf-8")
        if output.workbook is not None:
            output.workbook(tmp / "workbook.xlsx")
        else:
            write_workbook(tmp / "workbook.xlsx", output.sheets)
        charts = output.charts(tmp / "charts")
        if not (tmp / "charts").exists():
            (tmp / "charts").mkdir()
        blocks = output.report(charts)
        (tmp / "report.md").write_text(to_markdown(blocks), encoding="utf-8")
        (tmp / "report.html").write_text(to_html(blocks, output.title, tmp), encoding="utf-8")
        digest = hashlib.sha256()
        for name in sorted(output.tables):
            digest.update((tmp / "tables" / f"{name}.csv").read_bytes())
        digest.update((tmp / "summary.json").read_bytes())
        manifest = {"format": RUN_FORMAT, "kind": output.kind, **output.manifest, "versions": versions(),
                    "results_sha256": digest.hexdigest()}
        manifest.setdefault("timings_s", {})["write_s"] = round(time.perf_counter() - t0, 4)
        manifest["files"] = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file()) + ["manifest.json"]
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str) + "\n", encoding="utf-8")
    return Path(out)


# ---- summary.json ------------------------------------------------------------------------------------
def build_summary(kind: str, scenario, population: dict, options: dict, results: list[YearResult],
                  warnings: list[str]) -> dict:
    """The documented ``summary.json`` (docs/outputs.md): the first year's headline and every year."""
    first = results[0]
    return {
        "format": SUMMARY_FORMAT,
        "kind": kind,
        "scenario": {"name": scenario.name, "description": scenario.description, "year": scenario.year,
                     "seed": scenario.seed, "baseline_overrides": jsonable(scenario.baseline),
                     "reform_overrides": jsonable(scenario.reform)},
        "population": population,
        "options": options,
        "years_simulated": [r.year for r in results],
        "headline": {"year": first.year, **record_json(first.headline)},
        "years": [r.to_json() for r in results],
        "uncertainty": _uncertainty(results),
        "warnings": list(warnings),
    }


def _uncertainty(results: list[YearResult]) -> dict | None:
    """How the intervals were made (null when no replicates were run)."""
    counts = {r.intervals["replicates"] for r in results if r.intervals is not None}
    if not counts:
        return None
    return {"replicates": min(counts), "confidence": 0.95, "method": INTERVAL_METHOD}


def jsonable(d: dict) -> dict:
    """``d`` with every value JSON can hold (others as their text)."""
    return json.loads(json.dumps(d, default=str))


def scenario_manifest(scenario) -> dict:
    return {"path": display_path(scenario.path), "sha256": scenario.sha256, "name": scenario.name,
            "year": scenario.year, "baseline_overrides": scenario.baseline, "reform_overrides": scenario.reform,
            "allow_implausible": scenario.allow_implausible}


def input_hashes(parameter_digests: dict, macro, ageing: bool) -> dict:
    """Every input file a year's results depend on, with the SHA-256 of the content used: the
    parameter files and macro series as parsed, and (when the population was aged) the
    demographic assumptions, UN WPP (2024, and 2022 which the assumptions may choose) and the targets
    whose rates the ageing keeps. UN WPP 2024's totals also give population growth (GDP per head)."""

    hashes = {display_path(f): digest for f, digest in sorted(parameter_digests.items())}
    hashes[display_path(macro.path)] = macro.sha256 or sha256_file(macro.path)
    if ageing:
        for f in (DEFAULT_ASSUMPTIONS, WPP2024_FILE, WPP_FILE, DEFAULT_TARGETS):
            hashes[display_path(f)] = sha256_file(f)
    return hashes


def population_info(pop, label: str) -> dict:
    """Which population was used: path, synthetic or survey, sample size, content hash."""
    generator = str(pop.metadata.get("generator", ""))
    kind = "synthetic" if ("synth" in generator or "bench" in generator) else "survey"
    return {"path": label, "kind": kind, "households_sample": int(pop.n_households),
            "persons_sample": int(pop.n_persons), "content_sha256": pop.content_hash(),
            "survey_year": str(pop.metadata.get("survey_year", "2019/20")),
            "calibrated": isinstance(pop.metadata.get("calibration"), dict)}
