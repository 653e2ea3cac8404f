"""Charts of a run folder (PNG): readable, labelled in words with units, nothing clipped.

Each function draws one chart into ``folder`` and returns a :class:`Chart`, or returns a
:class:`Skipped` saying why there is nothing to draw (an empty chart is never written).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

BASELINE_COLOUR = "#9a9a9a"
REFORM_COLOUR = "#1f5fa8"
DPI = 150


@dataclass(frozen=True)
class Chart:
    path: str  # relative to the run folder
    caption: str


@dataclass(frozen=True)
class Skipped:
    caption: str
    reason: str


def pyplot():
    """matplotlib's pyplot on the file-only backend (no screen needed).

    matplotlib is imported here, not at the head: the backend must be chosen before pyplot loads,
    and a run with --no-charts (or a library user) should not pay its second of import time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, folder: Path, name: str, caption: str) -> Chart:
    folder.mkdir(exist_ok=True)
    fig.savefig(folder / name, dpi=DPI, bbox_inches="tight", pad_inches=0.15)
    pyplot().close(fig)
    return Chart(f"{folder.name}/{name}", caption)


def _legend_below(ax, n: int = 2, fontsize=None):
    """The legend under the axis title, clear of the data whatever the figure's height."""
    from matplotlib import rcParams  # matplotlib stays lazy: see pyplot()

    scale = rcParams["legend.fontsize"] if not isinstance(rcParams["legend.fontsize"], str) else rcParams["font.size"]
    pad = 3.6 * float(rcParams["font.size"]) / float(fontsize or scale)  # pad is in the legend's font size
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), borderaxespad=pad, ncol=n, frameon=False,
              fontsize=fontsize)


def _style(ax):
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)


def _billions(ax, axis: str = "x"):
    from matplotlib.ticker import FuncFormatter  # matplotlib stays lazy: see pyplot()

    f = FuncFormatter(lambda v, _: f"{v:,.0f}")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(f)


# ---- a run (one year) --------------------------------------------------------------------------------
def poverty_by_age(poverty: pd.DataFrame, year: int, folder: Path) -> Chart | Skipped:
    caption = f"Poverty headcount by age group, baseline and reform, {year}"
    age = poverty[poverty["breakdown"] == "age group"]
    if age.empty or not np.isfinite(age["headcount baseline (%)"]).any():
        return Skipped(caption, "the population has no persons in the age groups")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    x = np.arange(len(age))
    ax.bar(x - 0.2, age["headcount baseline (%)"], 0.4, label="baseline (current programmes)", color=BASELINE_COLOUR)
    ax.bar(x + 0.2, age["headcount reform (%)"], 0.4, label="with the reform", color=REFORM_COLOUR)
    ax.set_xticks(x, [g.replace("-", "–") for g in age["group"]])
    ax.set_ylabel("persons below the poverty line (%)")
    ax.set_xlabel("age (years)")
    ax.set_title(caption, loc="left")
    _style(ax)
    _legend_below(ax)
    return _save(fig, folder, "poverty_by_age.png", caption)


def incidence_by_decile(incidence: pd.DataFrame, year: int, folder: Path) -> Chart | Skipped:
    caption = f"Extra benefits of the reform by decile of consumption, {year}"
    values = incidence["extra benefit (riels per person per month)"].fillna(0).to_numpy()
    if not np.any(values != 0):
        return Skipped(caption, "the reform pays no extra benefits (it changes nothing), so there is nothing to show")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.bar(np.arange(1, 11), values, color=REFORM_COLOUR)
    ax.set_xticks(np.arange(1, 11))
    ax.set_xlabel("decile of consumption per person before benefits (1 = poorest tenth)")
    ax.set_ylabel("riels per person per month")
    _billions(ax, "y")
    ax.set_title(caption, loc="left")
    _style(ax)
    return _save(fig, folder, "incidence_by_decile.png", caption)


def costs_by_programme(costs: pd.DataFrame, year: int, folder: Path) -> Chart | Skipped:
    caption = f"Annual cost by programme, baseline and reform, {year}"
    rows = costs[costs["programme"] != "Total"]
    rows = rows[(rows["cost baseline (riels per year)"] > 0) | (rows["cost reform (riels per year)"] > 0)]
    if rows.empty:
        return Skipped(caption, "no programme pays anything in either system")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8.5, 1.6 + 0.62 * len(rows)))
    y = np.arange(len(rows))[::-1]
    labels = ["\n".join(textwrap.wrap(p, 34)) for p in rows["programme"]]
    ax.barh(y + 0.19, rows["cost baseline (riels per year)"] / 1e9, 0.38, color=BASELINE_COLOUR,
            label="baseline (current programmes)")
    ax.barh(y - 0.19, rows["cost reform (riels per year)"] / 1e9, 0.38, color=REFORM_COLOUR, label="with the reform")
    ax.set_yticks(y, labels)
    ax.set_xlabel(f"billion riels per year ({year} prices)")
    _billions(ax)
    ax.set_title(caption, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    _legend_below(ax)
    return _save(fig, folder, "costs_by_programme.png", caption)


# ---- a projection (years) ----------------------------------------------------------------------------
def poverty_by_year(years: pd.DataFrame, folder: Path) -> Chart | Skipped:
    caption = "Poverty headcount by year, baseline and reform"
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.plot(years["year"], years["poverty_rate_baseline_pct"], marker="o", color=BASELINE_COLOUR,
            label="baseline (current programmes)")
    ax.plot(years["year"], years["poverty_rate_reform_pct"], marker="o", color=REFORM_COLOUR, label="with the reform")
    ax.set_ylabel("persons below the poverty line (%)")
    ax.set_xlabel("year")
    ax.set_xticks(years["year"])
    ax.set_ylim(bottom=0)
    ax.set_title(caption, loc="left")
    _style(ax)
    _legend_below(ax)
    return _save(fig, folder, "poverty_by_year.png", caption)


def cost_by_year(years: pd.DataFrame, folder: Path) -> Chart | Skipped:
    caption = "Cost of the reform by year"
    cost = years["cost_change_riels_per_year"].fillna(0).to_numpy()
    if not np.any(cost != 0):
        return Skipped(caption, "the reform costs nothing in any year")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.bar(years["year"], cost / 1e9, color=REFORM_COLOUR)
    ax.set_ylabel("billion riels per year (each year's prices)")
    ax.set_xlabel("year")
    ax.set_xticks(years["year"])
    _billions(ax, "y")
    share = years["cost_change_pct_gdp"].to_numpy(dtype=float)
    if np.isfinite(share).any():
        twin = ax.twinx()
        twin.plot(years["year"], share, marker="o", color="#c0392b")
        twin.set_ylabel("% of GDP (line)", color="#c0392b")
        low, high = min(np.nanmin(share), 0.0), max(np.nanmax(share), 0.0)
        pad = max(high - low, 0.01) * 0.2
        twin.set_ylim(low - (pad if low < 0 else 0), high + (pad if high > 0 else 0))
        twin.axhline(0, color="#c0392b", linewidth=0.6, alpha=0.5)
        twin.spines[["top"]].set_visible(False)
    ax.set_title(caption + ": billion riels (bars) and % of GDP (line)", loc="left")
    _style(ax)
    return _save(fig, folder, "cost_by_year.png", caption)


def cost_by_measure(costs: pd.DataFrame, totals: pd.DataFrame, folder: Path) -> Chart | Skipped:
    """A costing's annual cost by year, stacked by measure (billion riels), with the total in % of GDP;
    the contributory measures' revenue, when there is any, as a dashed line (billion riels). A
    costing of contributions alone shows the revenue alone, from zero."""
    years = [int(y) for y in totals["year"]]
    revenue = totals.get("contributions revenue (riels)", pd.Series(0.0, index=totals.index)).to_numpy(dtype=float)
    raises, spends = bool(np.any(revenue != 0)), bool(np.any(totals["annual cost (riels)"].to_numpy() != 0))
    caption = (f"Annual cost by measure, {years[0]}-{years[-1]}" if spends else
               f"Contributions raised by the schemes, {years[0]}-{years[-1]}")
    if not spends and not raises:
        return Skipped(caption, "no measure costs anything, and no scheme raises anything, in any year")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    bottom = np.zeros(len(years))
    labels = list(dict.fromkeys(costs["label"])) if spends else []
    palette = plt.get_cmap("tab10")
    for i, label in enumerate(labels):
        own = costs[costs["label"] == label].set_index("year")["annual cost (riels)"].reindex(years).fillna(0)
        values = own.to_numpy() / 1e9
        ax.bar(years, values, bottom=bottom, color=palette(i % 10), label="\n".join(textwrap.wrap(label, 40)))
        bottom += values
    if raises:
        ax.plot(years, revenue / 1e9, color="#333333", linestyle="--", marker="s",
                label="contributions raised (revenue, not a cost)")
    ax.set_ylabel("billion riels per year (each year's prices)")
    ax.set_xlabel("year")
    ax.set_xticks(years)
    ax.set_ylim(bottom=0)
    _billions(ax, "y")
    if spends:
        share = totals["annual cost (% of GDP)"].to_numpy(dtype=float)
        twin = ax.twinx()
        twin.plot(years, share, marker="o", color="#c0392b")
        twin.set_ylabel("total cost, % of GDP (line)", color="#c0392b")
        twin.set_ylim(0, max(np.nanmax(share), 0.001) * 1.25)
        twin.spines[["top"]].set_visible(False)
        ax.set_title(caption + ": billion riels (bars" + ("; revenue dashed" if raises else "")
                     + ") and % of GDP (line)", loc="left")
    else:
        ax.set_title(caption + ": billion riels a year, all schemes", loc="left")
    _style(ax)
    _legend_below(ax, n=max(min(len(labels) + int(raises), 2), 1))
    return _save(fig, folder, "cost_by_measure.png", caption)


def real_benefit_values(values: pd.DataFrame, labels: dict[str, str], folder: Path) -> Chart | Skipped:
    caption = "Real value of the reform's benefit amounts by year"
    real_col = [c for c in values.columns if c.startswith("real (")]
    if values.empty or not real_col:
        return Skipped(caption, "the reform has no benefit amount in riels")
    shown = [name for name, g in values.groupby("parameter") if g["nominal"].abs().sum() > 0]
    if not shown:
        return Skipped(caption, "every benefit amount of the reform is zero")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.4))
    for name in shown:
        g = values[values["parameter"] == name]
        ax.plot(g["year"], g[real_col[0]], marker="o", label=labels.get(name, name))
    ax.set_ylabel(real_col[0].replace("real (", "real value, in ").rstrip(")") + " (unit in the legend)")
    ax.set_xlabel("year")
    ax.set_xticks(sorted(values["year"].unique()))
    _billions(ax, "y")
    ax.set_title(caption, loc="left")
    _style(ax)
    _legend_below(ax, 1, 8)
    return _save(fig, folder, "real_benefit_values.png", caption)


# ---- a sweep (variants) ------------------------------------------------------------------------------
def frontier_chart(table: pd.DataFrame, year: int, folder: Path) -> Chart | Skipped:
    caption = f"Cost and persons lifted out of poverty of each variant, {year}"
    cost = table["cost of the reform (riels per year)"].to_numpy(dtype=float) / 1e9
    lifted = table["persons lifted out of poverty"].to_numpy(dtype=float)
    if not np.isfinite(cost).any() or not np.any(cost != 0):
        return Skipped(caption, "no variant costs anything")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.8))
    on = table["on the frontier"].to_numpy(bool)
    low = "persons lifted out of poverty, 95 % low"
    if low in table:
        err = np.vstack([lifted - table[low].to_numpy(float), table["persons lifted out of poverty, 95 % high"].to_numpy(float) - lifted])
        ax.errorbar(cost, lifted, yerr=np.abs(err), fmt="none", ecolor="#bbbbbb", elinewidth=1, capsize=2,
                    label="95 % interval")
    ax.scatter(cost[~on], lifted[~on], color=BASELINE_COLOUR, s=28, label="variant", zorder=3)
    order = np.argsort(cost[on])
    ax.plot(cost[on][order], lifted[on][order], marker="o", color=REFORM_COLOUR, label="frontier: most lifted for the cost",
            zorder=4)
    if on.sum() <= 12:
        for x, y, name in zip(cost[on], lifted[on], table["variant"][on]):
            ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set_xlabel(f"cost of the reform, billion riels per year ({year} prices)")
    ax.set_ylabel("persons lifted out of poverty")
    _billions(ax, "x")
    _billions(ax, "y")
    ax.set_title(caption, loc="left")
    _style(ax)
    _legend_below(ax, 3)
    return _save(fig, folder, "frontier.png", caption)


# ---- fiscal space ------------------------------------------------------------------------------------
FINANCING_COLOURS = ("#4c9a6a", "#e0a43a", "#7b6fb0", "#5fa8c9", "#b5651d", "#8c8c3a")
RESIDUAL_COLOUR = "#c0392b"


def fiscal_space_chart(table: pd.DataFrame, options: list[tuple[str, str]], sensitivity: pd.DataFrame,
                       scenario: str, folder: Path) -> Chart | Skipped:
    """Left: the floor's cost by year (a line, billion riels) against the financing options stacked
    (bars) and the residual (hatched red); right: the residual in % of GDP under each growth path.
    ``options`` are (column, label) pairs of ``table``, in the order applied."""
    years = [int(y) for y in table["year"]]
    caption = f"The floor's cost against its financing, {years[0]}-{years[-1]}"
    cost = table["cost (riels)"].to_numpy(dtype=float) / 1e9
    if not np.any(cost != 0):
        return Skipped(caption, "the reform costs nothing in any year")
    plt = pyplot()
    fig, (ax, side) = plt.subplots(1, 2, figsize=(11.5, 4.8), gridspec_kw={"width_ratios": [1.7, 1]})
    bottom = np.zeros(len(years))
    for (column, label), colour in zip(options, FINANCING_COLOURS):
        paid = np.clip(table[column].to_numpy(dtype=float) / 1e9, 0, None)
        if np.any(paid > 0):  # an option paying nothing in any year (no contributions raised) is left out
            ax.bar(years, paid, bottom=bottom, color=colour, label=label, width=0.7)
        bottom += paid
    residual = table["residual (riels)"].to_numpy(dtype=float) / 1e9
    if np.any(residual > 0):  # only where there is one: a zero-height bar would still draw its edge
        ax.bar(years, np.where(residual > 0, residual, np.nan), bottom=bottom, color="white",
               edgecolor=RESIDUAL_COLOUR, hatch="///", width=0.7, label="residual: borrowing or cuts elsewhere")
    ax.plot(years, cost, color="black", marker="o", linewidth=2, label="the floor's cost")
    ax.set_ylabel("billion riels a year (each year's prices)")
    ax.set_xticks(years)
    ax.tick_params(axis="x", labelrotation=45)
    _billions(ax, "y")
    ax.set_title("Cost (line) and financing (bars), billion riels", loc="left", fontsize=10)
    _style(ax)
    _legend_below(ax, 2, fontsize=8)
    shifts = sorted(set(sensitivity["growth shift (pp)"]))
    for shift in shifts:
        rows = sensitivity[sensitivity["growth shift (pp)"] == shift]
        style = {"color": "black", "linewidth": 2} if shift == 0 else {"linestyle": "--" if shift < 0 else ":",
                                                                       "color": RESIDUAL_COLOUR}
        name = "central growth" if shift == 0 else f"growth {shift:+.1f} points a year"
        side.plot(rows["year"], rows["residual (% of GDP)"], marker="o", markersize=3, label=name, **style)
    side.set_ylim(bottom=0)
    side.set_ylabel("% of GDP")
    side.set_xticks(years[::2] if len(years) > 6 else years)
    side.set_title("Residual under each growth path, % of GDP", loc="left", fontsize=10)
    _style(side)
    _legend_below(side, 1, fontsize=8)
    fig.suptitle(f"{caption}: {scenario}", x=0.01, ha="left", fontsize=12)
    return _save(fig, folder, "fiscal_space.png", caption)
