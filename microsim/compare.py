"""``microsim compare``: differences between two run folders."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from microsim.errors import MicrosimError


def _load(run: Path) -> tuple[dict, pd.DataFrame]:
    summary = run / "summary.json"
    costs = run / "tables" / "costs.csv"
    if not summary.exists() or not costs.exists():
        raise MicrosimError(f"{run} is not a run folder: expected summary.json and tables/costs.csv "
                            "(made by `microsim run`).")
    return json.loads(summary.read_text()), pd.read_csv(costs)


def compare_runs(a: str | Path, b: str | Path) -> dict:
    sa, ca = _load(Path(a))
    sb, cb = _load(Path(b))
    headline = []
    for key in sa:
        va, vb = sa.get(key), sb.get(key)
        if isinstance(va, (int, float)) and isinstance(vb, (int, float)) and not isinstance(va, bool):
            headline.append({"measure": key, "a": va, "b": vb, "b - a": vb - va})
        elif va != vb:
            headline.append({"measure": key, "a": va, "b": vb, "b - a": None})
    costs = ca[["programme", "cost reform (riels per year)"]].merge(
        cb[["programme", "cost reform (riels per year)"]], on="programme", how="outer", suffixes=(" a", " b")).fillna(0.0)
    costs["b - a (riels per year)"] = costs["cost reform (riels per year) b"] - costs["cost reform (riels per year) a"]
    return {"a": str(a), "b": str(b), "headline": headline, "costs": costs.to_dict(orient="records")}


def _number(x) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return ""
    if isinstance(x, int) and abs(x) < 10000:
        return str(x)  # years and small counts
    if isinstance(x, (int, float)) and abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}" if isinstance(x, float) else str(x)


def render(result: dict) -> str:
    rows = [r for r in result["headline"] if r["b - a"] is not None or r["measure"] != "scenario"]
    names = {r["measure"]: r for r in result["headline"]}.get("scenario", {})
    head = pd.DataFrame([{k: (_number(v) if k != "measure" else v) for k, v in r.items()} for r in rows
                         if r["measure"] != "scenario"])
    costs = pd.DataFrame(result["costs"])
    return "\n".join([f"A: {result['a']}" + (f"  ({names.get('a')})" if names else ""),
                      f"B: {result['b']}" + (f"  ({names.get('b')})" if names else ""), "", "Headline", "--------",
                      head.to_string(index=False),
                      "", "Annual cost of each programme in the reform", "-------------------------------------------",
                      costs.to_string(index=False, float_format=lambda x: f"{x:,.0f}"), ""])
