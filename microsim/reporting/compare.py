"""``microsim compare``: differences between two run folders, read from their ``summary.json``.

Numbers come from the documented keys of ``summary.json`` (docs/outputs.md), never from display
labels: the headline of every year both runs simulated, and each programme's cost and caseload.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from microsim.errors import MicrosimError
from microsim.common.formatting import riels
from microsim.distribution.results import HEADLINE_LABELS, SUMMARY_FORMAT


def load_summary(run: str | Path) -> dict:
    """A run folder's summary.json, checked to be ours."""
    path = Path(run) / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MicrosimError(f"{run} is not a run folder: it has no summary.json (made by `microsim run` or "
                            "`microsim project`).") from None
    except (OSError, ValueError) as e:
        raise MicrosimError(f"Cannot read {path}: {e}.") from None
    if isinstance(summary, dict) and summary.get("kind") == "costing":
        raise MicrosimError(f"{run} is a costing (`microsim workbook`): it has costs by year but no poverty results to "
                            "compare. Compare its tables/costs.csv, or the run folders of `microsim run` or `microsim "
                            "project` on the two scenarios.")
    if not isinstance(summary, dict) or summary.get("format") != SUMMARY_FORMAT:
        raise MicrosimError(f"{path} is not a summary of this version (expected \"format\": \"{SUMMARY_FORMAT}\"); "
                            "run the scenario again to refresh it.")
    return summary


def compare_runs(a: str | Path, b: str | Path) -> dict:
    sa, sb = load_summary(a), load_summary(b)
    years_a = {y["year"]: y for y in sa["years"]}
    years_b = {y["year"]: y for y in sb["years"]}
    common = sorted(set(years_a) & set(years_b))
    headline, costs = [], []
    for year in common:
        ha, hb = years_a[year]["headline"], years_b[year]["headline"]
        for key in HEADLINE_LABELS:
            va, vb = ha.get(key), hb.get(key)
            diff = _difference(va, vb)
            headline.append({"year": year, "measure": key, "a": va, "b": vb, "b - a": diff})
        pa = {p["programme"]: p for p in years_a[year]["programmes"]}
        pb = {p["programme"]: p for p in years_b[year]["programmes"]}
        for name in sorted(set(pa) | set(pb), key=lambda n: (n == "total", n)):
            ca = (pa.get(name) or {}).get("cost_reform_riels_per_year") or 0.0
            cb = (pb.get(name) or {}).get("cost_reform_riels_per_year") or 0.0
            label = (pa.get(name) or pb.get(name))["label"]
            costs.append({"year": year, "programme": name, "label": label, "cost_reform_riels_per_year_a": ca,
                          "cost_reform_riels_per_year_b": cb, "b - a": _difference(ca, cb)})
    return {"a": str(a), "b": str(b), "scenario_a": sa["scenario"]["name"], "scenario_b": sb["scenario"]["name"],
            "years_compared": common, "years_only_a": sorted(set(years_a) - set(years_b)),
            "years_only_b": sorted(set(years_b) - set(years_a)), "headline": headline, "costs": costs}


def _difference(a, b):
    """b - a, with rounding noise (below a billionth of the values) shown as an exact 0."""
    if a is None or b is None:
        return None
    diff = b - a
    return 0.0 if abs(diff) <= 1e-9 * max(abs(a), abs(b), 1.0) else diff


def _number(x) -> str:
    if x is None:
        return ""
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def render(result: dict) -> str:
    lines = [f"A: {result['a']}  ({result['scenario_a']})", f"B: {result['b']}  ({result['scenario_b']})", ""]
    if not result["years_compared"]:
        return "\n".join(lines + ["The two runs have no simulated year in common; nothing to compare.", ""])
    for extra, which in (("years_only_a", "A"), ("years_only_b", "B")):
        if result[extra]:
            lines.append(f"Only {which} has {', '.join(map(str, result[extra]))}.")
    head = pd.DataFrame([{"year": r["year"], "measure": HEADLINE_LABELS[r["measure"]], "A": _number(r["a"]),
                          "B": _number(r["b"]), "B - A": _number(r["b - a"])} for r in result["headline"]])
    costs = pd.DataFrame([{"year": r["year"], "programme": r["label"], "A": riels(r["cost_reform_riels_per_year_a"]),
                           "B": riels(r["cost_reform_riels_per_year_b"]), "B - A": riels(r["b - a"])}
                          for r in result["costs"]])
    return "\n".join(lines + ["Headline", "--------", head.to_string(index=False), "",
                              "Annual cost of each programme in the reform", "-------------------------------------------",
                              costs.to_string(index=False), ""])
