"""The analyst's report of a run: Markdown with charts (PNG), and the Excel workbook."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SHEETS = {"poverty": "Poverty", "costs": "Costs", "incidence": "Incidence by decile", "targeting": "Targeting",
          "missing_middle": "Missing middle", "inequality": "Inequality"}


def _fmt(x, digits=1):
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "n/a"
    return f"{x:,.{digits}f}"


def markdown_table(df: pd.DataFrame, digits: int = 1) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(df[c]) else "---" for c in cols) + "|"]
    for _, row in df.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if isinstance(v, (float, np.floating)):
                big = abs(v) >= 1000 if np.isfinite(v) else False
                cells.append(_fmt(float(v), 0 if big else digits))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def pyplot():
    """matplotlib's pyplot on the file-only backend (no screen needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_chart(fig, folder: Path, name: str, files: dict[str, str], key: str) -> None:
    """Lay out, write ``folder/name`` and close ``fig``; record its path, relative to the run folder."""
    fig.tight_layout()
    fig.savefig(folder / name)
    pyplot().close(fig)
    files[key] = f"{folder.name}/{name}"


def write_charts(sim, folder: Path) -> dict[str, str]:
    plt = pyplot()
    folder.mkdir()
    files = {}
    pov = sim.tables["poverty"]
    age = pov[pov["breakdown"] == "age group"]
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
    x = np.arange(len(age))
    ax.bar(x - 0.2, age["headcount baseline (%)"], 0.4, label="baseline", color="#8c8c8c")
    ax.bar(x + 0.2, age["headcount reform (%)"], 0.4, label="reform", color="#1f77b4")
    ax.set_xticks(x, age["group"])
    ax.set_ylabel("poverty headcount (% of persons)")
    ax.set_xlabel("age group")
    ax.set_title(f"Poverty by age, {sim.scenario.year}")
    ax.legend(frameon=False)
    save_chart(fig, folder, "poverty_by_age.png", files, "poverty_by_age")

    inc = sim.tables["incidence"]
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=120)
    ax.bar(np.arange(1, 11), inc["extra benefit (riels per person per month)"].fillna(0), color="#1f77b4")
    ax.set_xticks(np.arange(1, 11))
    ax.set_xlabel("decile of consumption per person (1 = poorest)")
    ax.set_ylabel("riels per person per month")
    ax.set_title("Extra benefits of the reform by decile")
    save_chart(fig, folder, "incidence_by_decile.png", files, "incidence_by_decile")

    costs = sim.tables["costs"]
    costs = costs[costs["programme"] != "Total"]
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * max(len(costs), 1)), dpi=120)
    ax.barh(costs["programme"], costs["cost reform (riels per year)"] / 1e9, color="#1f77b4", label="reform")
    ax.barh(costs["programme"], costs["cost baseline (riels per year)"] / 1e9, color="#8c8c8c", height=0.4, label="baseline")
    ax.set_xlabel("billion riels per year")
    ax.set_title(f"Annual cost by programme, {sim.scenario.year}")
    ax.legend(frameon=False)
    save_chart(fig, folder, "costs.png", files, "costs")
    return files


def report_markdown(sim, charts: dict[str, str]) -> str:
    s = sim.summary
    sc = sim.scenario
    pov = sim.tables["poverty"]
    lines = [
        f"# {sc.name}",
        "",
        f"{sc.description}" if sc.description else "",
        "",
        "## Headline",
        "",
        f"- **Poverty**: {_fmt(s['poverty_rate_baseline_pct'])} % of persons in the baseline, "
        f"{_fmt(s['poverty_rate_reform_pct'])} % with the reform ({_fmt(s['poverty_rate_change_pp'], 2)} percentage points); "
        f"**{_fmt(s['persons_lifted_out_of_poverty'], 0)} persons lifted out of poverty**.",
        f"- **Cost of the reform**: {_fmt(s['cost_change_riels_per_year'] / 1e9 if s['cost_change_riels_per_year'] is not None else None, 1)} "
        f"billion riels a year (USD {_fmt(s['cost_change_usd_per_year'] / 1e6 if s['cost_change_usd_per_year'] is not None else None, 1)} million), "
        f"{_fmt(s['cost_change_pct_gdp'], 2)} % of GDP, {_fmt(s['cost_change_pct_government_spending'], 2)} % of government spending.",
        f"- **Cost per person lifted out of poverty**: {_fmt(s['cost_per_person_lifted_riels_per_year'], 0)} riels a year "
        f"(USD {_fmt(s['cost_per_person_lifted_usd_per_year'], 0)}).",
        f"- **Poverty gap**: {_fmt(s['poverty_gap_baseline_pct'], 2)} % to {_fmt(s['poverty_gap_reform_pct'], 2)} %; "
        f"**Gini**: {_fmt(s['gini_baseline'], 3)} to {_fmt(s['gini_reform'], 3)}.",
        "",
        f"Year {sc.year}; amounts in {sc.year} riels. The population's consumption and poverty line (CSES 2019/20 "
        f"prices) are uprated by the CPI (factor {sim.price_factor:.3f}). Post-transfer consumption per person = "
        "consumption + consumed share x household benefits / household size; benefits already in survey "
        "consumption (contributory pensions) are costed but not added. Baseline: current law in "
        f"{sc.year}{' with the scenario baseline changes' if sc.baseline else ''}; reform: "
        + (", ".join(f"`{k}` = {v}" for k, v in sc.reform.items()) or "no change") + ".",
        "",
    ]
    if "poverty_by_age" in charts:
        lines += [f"![Poverty by age]({charts['poverty_by_age']})", ""]
    t1 = pov[pov["breakdown"].isin(["national", "age group (Table 1)", "zone", "sex"])]
    lines += ["## Poverty headcount", "",
              markdown_table(t1[["breakdown", "group", "headcount baseline (%)", "headcount reform (%)",
                                 "headcount change (pp)", "lifted out of poverty (persons)"]], 2), ""]
    lines += ["## Costs", "", markdown_table(sim.tables["costs"][["programme", "cost baseline (riels per year)",
                                                                   "cost reform (riels per year)", "change (% of GDP)",
                                                                   "recipients reform (persons)",
                                                                   "persons in receiving households, reform"]], 3), ""]
    if "costs" in charts:
        lines += [f"![Costs]({charts['costs']})", ""]
    lines += ["## Who gains: the reform's extra benefits by decile", "",
              markdown_table(sim.tables["incidence"], 1), ""]
    if "incidence_by_decile" in charts:
        lines += [f"![Incidence]({charts['incidence_by_decile']})", ""]
    lines += ["## Targeting (reform)", "", markdown_table(sim.tables["targeting"], 1), "",
              "## The missing middle", "", markdown_table(sim.tables["missing_middle"], 1), "",
              "All tables, with every breakdown (age groups, sex, zone, employment type, decile, household type), are in "
              "`tables/*.csv` and `workbook.xlsx`; inputs, parameters and versions in `manifest.json`.", ""]
    return "\n".join(lines)


def write_workbook(sim, path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        about = pd.DataFrame({"item": ["scenario", "year", "prices", "population", "notes"],
                              "value": [sim.scenario.name, sim.scenario.year, sim.summary["prices"],
                                        f"{sim.population.n_households:,} households",
                                        "Units are in each column's header. Costs are annual."]})
        about.to_excel(xl, sheet_name="About", index=False)
        pd.DataFrame([sim.summary]).T.reset_index().rename(columns={"index": "measure", 0: "value"}).to_excel(
            xl, sheet_name="Summary", index=False)
        for name, df in sim.tables.items():
            df.to_excel(xl, sheet_name=SHEETS.get(name, name)[:31], index=False)
        for ws in xl.book.worksheets:
            for col in ws.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
                ws.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 60)
