"""What a run folder says to people: the report (blocks for Markdown and HTML), the charts and the
workbook sheets of ``microsim run`` and ``microsim project``, rendered from the result records.

The functions here only present; the numbers come from :mod:`microsim.distribution.results` records and the
tables of :mod:`microsim.distribution.tables`. :mod:`microsim.reporting.runfolder` writes the files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from microsim.reporting import charts as chart_kit
from microsim.common import formatting
from microsim.common.schedule import schedule_text
from microsim.reporting.document import Bullets, Figure, Heading, Paragraph, Table
from microsim.distribution.results import HEADLINE_LABELS, Headline, YearResult
from microsim.reporting.sheets import Sheet
from microsim.engine.benefit import Flat

TABLE_TITLES = {
    "poverty": ("Poverty", "Poverty by group: headcount, gap and severity, baseline and reform"),
    "costs": ("Costs", "Annual cost by programme, baseline and reform (costs include administration)"),
    "incidence": ("Incidence by decile", "Where the reform's extra benefits go, by decile of consumption before benefits"),
    "targeting": ("Targeting", "Coverage of the poor and targeting errors by programme (reform)"),
    "missing_middle": ("Missing middle", "The missing middle: near-poor persons outside IDPoor and NSSF"),
    "inequality": ("Inequality", "Inequality and mean consumption"),
    "coverage": ("Coverage", "Workers covered by social insurance (at least one contributory scheme), by group"),
    "coverage_persons": ("Coverage of persons", "Persons covered by social insurance (a contributor or a recipient "
                                               "of its benefits), by group"),
    "contributions": ("Contributions", "Social insurance contributions by scheme, baseline and reform (revenue, not cost)"),
    "adequacy": ("Adequacy", "Benefit adequacy (reform): each benefit against the poverty line, consumption and GDP "
                             "per head; the poverty gap closed per riel"),
    "years": ("Poverty and cost by year", "The headline figures of each projection year"),
    "costs_by_year": ("Costs by year", "Annual cost by programme and year"),
    "poverty_by_year": ("Poverty by year", "Poverty by group and year"),
    "contributions_by_year": ("Contributions by year", "Social insurance contributions by scheme and year (revenue)"),
    "benefit_values": ("Benefit values", "Benefit amounts of the reform by year: nominal and real"),
    "adequacy_by_year": ("Adequacy by year", "Benefit adequacy by year: each benefit against the poverty line, "
                                             "consumption and GDP per head; the poverty gap closed per riel"),
    "demography": ("Population by year", "The simulated population of each year and the strain of reweighting"),
}


# ---- the words every report shares -------------------------------------------------------------------
def population_words(population: dict) -> str:
    """Which population (synthetic or survey, path, sample size), in words."""
    kind = population.get("kind", "synthetic")
    size = f"{population['households_sample']:,} sample households and {population['persons_sample']:,} persons"
    if kind == "synthetic":
        return (f"a **synthetic** population (`{population['path']}`, {size}) generated to reproduce the published "
                "statistics of the CSES 2019/20 (poverty Tables 1-3), the Census 2019 and UN WPP; its results are "
                "illustrative of those published statistics, not estimates from survey microdata")
    return f"survey microdata (`{population['path']}`, {size})"


def population_sentence(population: dict, year: int, ageing: bool, growth: bool) -> str:
    """What population was simulated and how it was brought to the year, in one paragraph."""
    what = population_words(population)
    aged = ("reweighted to the year's demography (UN WPP 2022, static ageing)" if ageing
            else "kept at its survey-year weights (no ageing)")
    grown = ("consumption grown in real terms with GDP per head since 2019/20" if growth
             else "consumption kept at 2019/20 living standards (no real growth)")
    return (f"**Population and year**: {what}. Simulated for **{year}**: {aged}; {grown}; all amounts in "
            f"{year} riels (survey amounts uprated by the CPI).")


def headline_bullets(h: Headline) -> list[str]:
    return [
        f"**Poverty**: {formatting.pct(h.poverty_rate_baseline_pct, 2)} of persons in the baseline, "
        f"{formatting.pct(h.poverty_rate_reform_pct, 2)} with the reform ({formatting.pp(h.poverty_rate_change_pp)}); "
        f"about **{formatting.persons(h.persons_lifted_out_of_poverty)} persons lifted out of poverty**"
        + (f" and about **{formatting.persons(h.persons_fallen_into_poverty)} pushed into it**"
           if (h.persons_fallen_into_poverty or 0) > 0 else "") + ".",
        f"**Cost of the reform**: {formatting.money(h.cost_change_riels_per_year, h.cost_change_usd_per_year)} a year, "
        f"{formatting.pct(h.cost_change_pct_gdp, 2)} of GDP, {formatting.pct(h.cost_change_pct_government_spending, 2)} of "
        "government spending.",
        f"**Cost per person lifted out of poverty**: "
        f"{formatting.money(h.cost_per_person_lifted_riels_per_year, h.cost_per_person_lifted_usd_per_year)} a year.",
        f"**Poverty gap**: {formatting.pct(h.poverty_gap_baseline_pct, 2)} to {formatting.pct(h.poverty_gap_reform_pct, 2)}; "
        f"**Gini**: {formatting.plain(h.gini_baseline, 3)} to {formatting.plain(h.gini_reform, 3)}.",
    ]


INTERVAL_ROWS = (  # headline field, words, formatter of a value
    ("poverty_rate_baseline_pct", "poverty headcount, baseline (% of persons)", lambda x: formatting.plain(x, 2)),
    ("poverty_rate_reform_pct", "poverty headcount, reform (% of persons)", lambda x: formatting.plain(x, 2)),
    ("poverty_rate_change_pp", "change (percentage points)", lambda x: formatting.plain(x, 2)),
    ("persons_lifted_out_of_poverty", "persons lifted out of poverty", formatting.persons),
    ("cost_change_riels_per_year", "cost of the reform (billion riels a year)", lambda x: formatting.plain(x / 1e9, 1)),
    ("cost_change_pct_gdp", "cost of the reform (% of GDP)", lambda x: formatting.plain(x, 3)),
    ("cost_per_person_lifted_riels_per_year", "cost per person lifted (million riels a year)",
     lambda x: formatting.plain(x / 1e6, 2)),
)


def uncertainty_blocks(result) -> list:
    """'How sure': each headline figure with its 95 % interval, and each programme's cost and recipients."""
    iv = result.intervals
    if iv is None:
        return [Paragraph("*No interval was computed (`--no-intervals`): the figures come from one synthetic "
                          "sample and move by several percent with its seed and size (docs/uncertainty.md).*")]
    rows = []

    def bounds(low: str, high: str) -> str:  # an interval that does not move is said to be held, not "x to x"
        return f"{low} to {high}" if low != high else f"{low} (held: the same in every replicate)"
    for key, words, shown in INTERVAL_ROWS:
        interval, value = iv["headline"][key], getattr(result.headline, key)
        if value is None:
            continue
        rows.append({"figure": words, "estimate": shown(value),
                     "95 % interval": "n/a" if interval.low is None else bounds(shown(interval.low), shown(interval.high))})
    for p in result.programmes:
        if p.programme == "total" or p.not_in_force or not p.cost_reform_riels_per_year:
            continue
        interval = iv["programmes"][p.programme]["cost_reform_riels_per_year"]
        if interval.low is not None:
            rows.append({"figure": f"{p.label}: cost (billion riels a year)",
                         "estimate": formatting.plain(p.cost_reform_riels_per_year / 1e9, 1),
                         "95 % interval": bounds(formatting.plain(interval.low / 1e9, 1),
                                                 formatting.plain(interval.high / 1e9, 1))})
    held = any("(held:" in r["95 % interval"] for r in rows)
    return [Heading("How sure"), Paragraph(
        f"95 % intervals from {iv['replicates']} bootstrap replicates of the households, each recalibrated to the "
        "population's calibration targets (when it was calibrated) and simulated like the estimate; the reform's "
        "change is paired with its baseline (docs/uncertainty.md). They measure sampling uncertainty only, not the "
        "uncertainty of the assumptions, and treat households as sampled one by one (survey clusters and strata "
        "would widen them)."
        + (" A figure marked held does not move between replicates: the calibration fixes it (a programme whose "
           "caseload is a calibration target, such as IDPoor households or contributory pensioners, paid fixed "
           "amounts), so its sampling uncertainty is not measured here, not zero." if held else "")),
        Table(pd.DataFrame(rows), ("estimate", "95 % interval"))]


def chart_blocks(chart) -> list:
    if isinstance(chart, chart_kit.Chart):
        return [Figure(chart.path, chart.caption)]
    return [Paragraph(f"*No chart of {chart.caption[0].lower() + chart.caption[1:]}: {chart.reason}.*")]


def _display(df: pd.DataFrame, formats: dict) -> Table:
    """A display table: each column formatted by ``formats[column]`` (a function of one value)."""
    shown = pd.DataFrame({c: [formats[c](v) if c in formats else str(v) for v in df[c]] for c in df.columns})
    return Table(shown, tuple(c for c in df.columns if c in formats))


def billions(x) -> str:
    return formatting.plain(x / 1e9, 1) if x is not None and np.isfinite(x) else formatting.MISSING


def millions(x) -> str:
    return formatting.plain(x / 1e6, 1) if x is not None and np.isfinite(x) else formatting.MISSING


def _pct(digits):
    return lambda x: formatting.plain(x, digits)


# ---- a run -------------------------------------------------------------------------------------------
def run_charts(sim, folder: Path) -> dict:
    year = sim.scenario.year
    return {"poverty_by_age": chart_kit.poverty_by_age(sim.tables["poverty"], year, folder),
            "costs": chart_kit.costs_by_programme(sim.tables["costs"], year, folder),
            "incidence": chart_kit.incidence_by_decile(sim.tables["incidence"], year, folder)}


def run_report(sim, population: dict, charts: dict, warnings: list[str]) -> list:
    sc, h, r = sim.scenario, sim.headline, sim.result
    blocks = [Heading(sc.name, 1)]
    if sc.description:
        blocks.append(Paragraph(sc.description))
    blocks += [Paragraph(population_sentence(population, sc.year, r.ageing, r.growth)),
               Heading("Headline"), Bullets(tuple(headline_bullets(h)))]
    blocks += uncertainty_blocks(r)
    if warnings:
        blocks += [Heading("Warnings"), Bullets(tuple(warnings))]
    blocks += [Paragraph(
        f"Baseline: the programmes in force on 1 January {sc.year}"
        + (" with the scenario's baseline changes" + baseline_text(sc) if sc.baseline else "") + ". Reform: "
        + reform_text(sc) + ". Post-transfer consumption "
        "per person = consumption + consumed share x (household benefits - workers' social insurance contributions) "
        "/ household size; benefits already in survey consumption (contributory pensions) and subsidies paid into "
        "pension accounts are costed but not added.")]
    blocks += chart_blocks(charts["poverty_by_age"])
    pov = sim.tables["poverty"]
    table1 = set(pov.loc[pov["breakdown"] == "age group (Table 1)", "group"])
    finer = (pov["breakdown"] == "age group") & ~pov["group"].isin(table1)  # 0-1, 2-5, ..., 65+: who reforms target
    t1 = pov[pov["breakdown"].isin(["national", "age group (Table 1)", "zone", "sex"]) | finer].assign(
        group=lambda t: t["group"].map(formatting.words))
    blocks += [Heading("Poverty headcount"), Paragraph(
        "By the age groups of the CSES's Table 1, then the finer groups reforms target (children 2-5 for a child "
        "benefit, persons 65+ for a social pension), by sex and by zone; every breakdown is in tables/poverty.csv."),
        _display(
        t1[["breakdown", "group", "headcount baseline (%)", "headcount reform (%)", "headcount change (pp)",
            "lifted out of poverty (persons)"]].rename(columns={
                "headcount baseline (%)": "baseline (% of persons)", "headcount reform (%)": "reform (% of persons)",
                "headcount change (pp)": "change (percentage points)",
                "lifted out of poverty (persons)": "lifted out of poverty (persons)"}),
        {"baseline (% of persons)": _pct(1), "reform (% of persons)": _pct(1), "change (percentage points)": _pct(2),
         "lifted out of poverty (persons)": formatting.persons})]
    costs = sim.tables["costs"]
    blocks += [Heading(f"Costs, {sc.year}"), Paragraph(
        f"Annual costs in billion riels of {sc.year} (administration included); recipients are persons paid a "
        "person benefit, receiving households those with any payment."), _display(
        costs[["programme", "cost baseline (riels per year)", "cost reform (riels per year)", "change (riels per year)",
               "change (USD per year)", "cost reform (% of GDP)", "recipients reform (persons)",
               "receiving households, reform"]].rename(columns={
                   "cost baseline (riels per year)": "baseline (billion riels)",
                   "cost reform (riels per year)": "reform (billion riels)",
                   "change (riels per year)": "change (billion riels)", "change (USD per year)": "change (USD million)",
                   "cost reform (% of GDP)": "reform (% of GDP)", "recipients reform (persons)": "recipients (persons)",
                   "receiving households, reform": "receiving households"}),
        {"baseline (billion riels)": billions, "reform (billion riels)": billions, "change (billion riels)": billions,
         "change (USD million)": millions, "reform (% of GDP)": _pct(3), "recipients (persons)": formatting.persons,
         "receiving households": formatting.persons})]
    blocks += chart_blocks(charts["costs"])
    inc = sim.tables["incidence"]
    blocks += [Heading("Who gains: the reform's extra benefits by decile"), _display(inc, {
        c: (_pct(1) if "%" in c else (lambda x: formatting.plain(x, 0))) for c in inc.columns if c != "decile"})]
    blocks += chart_blocks(charts["incidence"])
    tgt = sim.tables["targeting"]
    blocks += [Heading("Targeting (reform)"), _display(tgt, {
        c: (formatting.persons if c == "persons in receiving households" else _pct(1)) for c in tgt.columns if c != "programme"})]
    blocks += contribution_blocks(sim)
    blocks += adequacy_blocks(sim)
    mm = sim.tables["missing_middle"]
    blocks += [Heading("The missing middle"), Table(pd.DataFrame({
        "measure": mm["measure"], "value": [formatting.plain(v, 1) if "%" in m else formatting.persons(v)
                                            for m, v in zip(mm["measure"], mm["value"])]}), ("value",))]
    blocks += [Paragraph(
        "Every table, with every breakdown (age groups, sex, zone, employment type, decile, household type), is in "
        "`tables/*.csv` and `workbook.xlsx` (with the parameters in force and how each cost is computed); the "
        "headline and each programme's figures are in `summary.json`; inputs, parameters and versions in "
        "`manifest.json`.")]
    return blocks


def adequacy_blocks(sim) -> list:
    """Is each benefit enough: the reform's benefits against the poverty line, consumption and GDP per
    head (docs/adequacy.md), and the poverty gap the reform closes per riel of its extra cost."""
    records, sc = sim.result.adequacy, sim.scenario
    if not records:
        return []
    table = pd.DataFrame({
        "benefit": [r.label for r in records],
        "recipients": [formatting.persons(r.recipients) + (" households" if r.entity != "person" else "")
                       for r in records],
        "per recipient (riels a month)": [formatting.plain(r.amount_per_recipient_riels_per_month, 0) for r in records],
        "% of the poverty line": [_pct(1)(r.pct_of_poverty_line) for r in records],
        "% of the household's line": [_pct(1)(r.pct_of_household_poverty_line) for r in records],
        "% of consumption": [_pct(1)(r.pct_of_consumption) for r in records],
        "% of GDP per head": [_pct(1)(r.pct_of_gdp_per_head) for r in records]})
    insured = any(r.replacement_rate_pct is not None for r in records)
    if insured:  # social insurance benefits: against insured workers' earnings
        table["replacement rate (%)"] = [_pct(1)(r.replacement_rate_pct) for r in records]
    gap = sim.result.poverty_gap_closed_per_riel
    closing = ("" if gap is None else f" Each riel of the reform's extra cost closes {formatting.plain(gap, 2)} riels "
               "of the poverty gap (the sum of what poor persons lack to reach the line), the rest going to persons "
               "above the line or beyond what lifts them to it.")
    return [Heading(f"Is it enough? Benefit adequacy, {sc.year}"), Paragraph(
        f"Each benefit paid in the reform, in {sc.year} riels: the mean amount per recipient (per household for a "
        "household benefit), as a share of the poverty line per person (per member for a household benefit), of "
        "the receiving household's line (line x members), of the receiving households' consumption before the "
        "model's benefits, and a year of it as a share of GDP per head (docs/adequacy.md)."
        + (" For a social insurance benefit, the replacement rate: the amount per person paid against the mean "
           "earnings of insured workers in the year (an aggregate rate: a pensioner's own past wage is not in the "
           "data)." if insured else "") + closing),
        Table(table, tuple(c for c in table.columns if c != "benefit"))]


def contribution_blocks(sim) -> list:
    """The social insurance contributions of the year: revenue by scheme (not a cost), the workers'
    and employers' shares and the contributors; nothing when no scheme collects."""
    table = sim.tables.get("contributions")
    if table is None or len(table) <= 1:
        return []
    sc = sim.scenario
    return [Heading(f"Social insurance contributions, {sc.year}"), Paragraph(
        f"Revenue of the social insurance schemes in billion riels of {sc.year}: employers' and workers' shares on "
        "each member's contributable wage (earnings held between the scheme's floor and ceiling; a voluntary "
        "scheme's members pay net of any subsidy, which is in the costs). Revenue of the schemes, not a cost; the "
        "workers' share comes out of take-home pay, so it lowers household consumption in the poverty figures "
        "above."), _display(
        table[["scheme", "revenue baseline (riels per year)", "revenue reform (riels per year)", "change (riels per year)",
               "revenue reform (% of GDP)", "workers' share, reform (riels per year)",
               "employers' share, reform (riels per year)", "contributors reform (persons)"]].rename(columns={
                   "revenue baseline (riels per year)": "baseline (billion riels)",
                   "revenue reform (riels per year)": "reform (billion riels)",
                   "change (riels per year)": "change (billion riels)", "revenue reform (% of GDP)": "reform (% of GDP)",
                   "workers' share, reform (riels per year)": "workers' share (billion riels)",
                   "employers' share, reform (riels per year)": "employers' share (billion riels)",
                   "contributors reform (persons)": "contributors (persons)"}),
        {"baseline (billion riels)": billions, "reform (billion riels)": billions, "change (billion riels)": billions,
         "reform (% of GDP)": _pct(3), "workers' share (billion riels)": billions,
         "employers' share (billion riels)": billions, "contributors (persons)": formatting.persons})] \
        + balancing_blocks(sim) + coverage_blocks(sim)


def balancing_blocks(sim) -> list:
    """For each scheme that pays benefits from its revenue: the contribution rate that would balance it."""
    lines = []
    for c in sim.result.contributions:
        if c.balancing_rate_reform is not None:
            module = getattr(sim.reform.params, c.scheme)
            cost = c.balancing_rate_reform * c.revenue_reform_riels_per_year / module.rate
            lines.append(f"{c.label}: at {formatting.plain(module.rate * 100, 2)} % of the contributable wage it raises "
                         f"{formatting.riels(c.revenue_reform_riels_per_year)} a year, and the benefits it pays cost "
                         f"{formatting.riels(cost)} (administration included): a rate of "
                         f"**{formatting.plain(c.balancing_rate_reform * 100, 2)} %** would pay this year's benefits from this "
                         "year's contributions (the pay-as-you-go rate; a funded scheme keeps the rest as reserves).")
    return [Bullets(tuple(lines))] if lines else []


def coverage_blocks(sim) -> list:
    """Workers covered by social insurance, nationally and by sector, sex and zone (deciles and status
    in employment are in tables/coverage.csv)."""
    table = sim.tables.get("coverage")
    if table is None or table.empty:
        return []
    blocks = [Paragraph(f"Persons in work covered by at least one contributory scheme in {sim.scenario.year} (the "
                        "NSSF's, a scheme a reform adds, or the NSSF-C for public servants), as SDG indicator 1.3.1 "
                        "counts workers (by age group and decile in tables/coverage.csv):"),
              _coverage_display(table, "persons in work", ("national", "sector", "sex", "zone"))]
    persons = sim.tables.get("coverage_persons")
    if persons is not None and not persons.empty:
        blocks += [Paragraph("All persons covered by social insurance: contributors, and recipients of its benefits "
                             "(contributory pensions, the NSSF's old-age pensions, an unemployment benefit); "
                             "dependants are not counted (by sex, zone and decile in tables/coverage_persons.csv):"),
                   _coverage_display(persons, "persons", ("national", "age group"))]
    return blocks


def _coverage_display(table: pd.DataFrame, count: str, breakdowns: tuple[str, ...]):
    """A coverage table's rows of some breakdowns: the persons counted and the covered shares."""
    shown = table[table["breakdown"].isin(list(breakdowns))]
    return _display(shown[["breakdown", "group", count, "covered, baseline (%)", "covered, reform (%)", "change (pp)"]],
                    {count: formatting.persons, "covered, baseline (%)": _pct(1), "covered, reform (%)": _pct(1),
                     "change (pp)": _pct(1)})


def run_sheets(sim, population: dict) -> list[Sheet]:
    sc, r = sim.scenario, sim.result
    about = pd.DataFrame({"item": [
        "scenario", "description", "year", "population", "population kind", "reweighted to the year", "real growth",
        "prices", "units", "files"], "value": [
        sc.name, sc.description, str(sc.year), population["path"], population["kind"],
        "yes" if r.ageing else "no", "yes" if r.growth else "no", sim.economy.describe(),
        "Units are in each column header. Costs are annual and include administration.",
        "The sheet 'Inputs' lists every parameter; 'How costs are computed' shows each cost as a formula."]})
    summary = pd.DataFrame({"measure": [HEADLINE_LABELS[k] for k in HEADLINE_LABELS],
                            "value": [getattr(sim.headline, k) for k in HEADLINE_LABELS]})
    sheets = [Sheet("About", f"{sc.name}, {sc.year}", about),
              Sheet("Summary", f"Headline figures, {sc.year}", summary, formats={"value": "#,##0.00"})]
    for name, df in sim.tables.items():
        sheet_name, title = TABLE_TITLES[name]
        sheets.append(Sheet(sheet_name, f"{title}, {sc.year}", df,
                            formats={"value": "#,##0.00"} if "value" in df.columns else {}))
    sheets.append(costing_sheet(sim))
    sheets.append(inputs_sheet(sim.parameters, sim.scenario.year, sim.reform.params))
    return sheets


def costing_sheet(sim) -> Sheet:
    """Recipients x monthly amount x 12 x (1 + administrative cost rate) = annual cost, as formulas.

    For a flat-rate programme the amount is the parameter in force (the same to every recipient),
    so the formula is an independent check of the simulated cost; for a programme whose amount
    varies by recipient (visits, school level) it is the average, said so in the sheet.
    """

    rows = []
    for p in sim.result.programmes:
        if p.programme == "total" or p.not_in_force:
            continue
        person = p.entity == "person"
        recipients = (p.recipients_reform_persons if person else p.receiving_households_reform) or 0.0
        admin = p.admin_cost_rate or 0.0
        benefit = sim.reform.benefits.get(p.programme)
        if isinstance(benefit, Flat):
            amount, basis = benefit.amount, "the amount in force (flat rate)"
        else:
            monthly_total = p.cost_reform_riels_per_year / 12 / (1 + admin)
            amount = monthly_total / recipients if recipients else 0.0
            basis = "average per recipient (amounts vary: simulated total / recipients)"
        by_formula = recipients * amount * 12 * (1 + admin)
        rows.append({"programme": p.label, "paid to": "persons" if person else "households",
                     "recipients (reform)": recipients, "amount per recipient (riels per month)": amount,
                     "amount is": basis, "months per year": 12, "administrative cost rate (share)": admin,
                     "annual cost by formula (riels)": by_formula,
                     "simulated annual cost (riels)": p.cost_reform_riels_per_year,
                     "difference (riels)": by_formula - p.cost_reform_riels_per_year})
    frame = pd.DataFrame(rows)
    formulas = {
        "annual cost by formula (riels)": "={recipients (reform)}*{amount per recipient (riels per month)}"
                                          "*{months per year}*(1+{administrative cost rate (share)})",
        "difference (riels)": "={annual cost by formula (riels)}-{simulated annual cost (riels)}"}
    return Sheet("How costs are computed",
                 f"Each programme's annual cost in the reform, {sim.scenario.year}: recipients x monthly amount x 12 x "
                 "(1 + administrative cost rate). Shaded cells are Excel formulas: change the amount or the "
                 "recipients to see the cost move. Flat-rate programmes use the amount in force; others the average.",
                 frame, formulas=formulas, formats={"months per year": "0"})


def inputs_sheet(parameters: dict, year: int, resolved=None) -> Sheet:
    """Every parameter in force on 1 January of ``year``: baseline and reform values, unit, reference
    (and, given the resolved parameters, the value in force including indexation)."""
    base, changes = parameters["baseline"], parameters["reform_changes"]
    rows = []
    for path in sorted(set(base) | set(changes)):
        b, r = base.get(path), changes.get(path)
        entry = r or b
        row = {"parameter": path, "description": entry.get("description", ""), "unit": entry["unit"],
               "baseline value (as set)": _value(b["value"]) if b else "not in force",
               "reform value (as set)": _value((r or b)["value"]), "changed by the reform": "yes" if r else ""}
        if resolved is not None:
            row["value in force in the year"] = _value(_resolved(resolved, path))
        rows.append(row | {"effective from": entry["effective"], "indexation": entry["indexation"],
                           "reference": entry["reference"]})
    note = " 'Value in force' includes indexation." if resolved is not None else \
        " Later years apply each amount's indexation rule (sheet 'Benefit values')."
    return Sheet("Inputs", f"Every parameter in force on 1 January {year} (baseline, and the reform's changes), "
                 f"with unit and reference.{note}", pd.DataFrame(rows),
                 formats={"baseline value (as set)": "#,##0.####", "reform value (as set)": "#,##0.####",
                          "value in force in the year": "#,##0.####"})


def _resolved(params, path: str):
    node = params
    for part in path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return node


def reform_text(scenario) -> str:
    """The scenario's reform overrides as a reader sees them (a schedule: its values and years)."""
    return overrides_text(scenario.reform)


def baseline_text(scenario) -> str:
    """The scenario's changes to current law (``baseline:``), written as the reform's are; empty if none."""
    return f" ({overrides_text(scenario.baseline)})" if scenario.baseline else ""


def overrides_text(overrides: dict) -> str:
    return ", ".join(
        f"`{k}` phased in ({schedule_text(v)})"
        if isinstance(v, dict) else f"`{k}` = {_value(v)}" for k, v in overrides.items()) or "no change"


def _value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


# ---- a projection ------------------------------------------------------------------------------------
def projection_charts(proj, folder: Path) -> dict:
    labels = proj.parameter_labels or {}
    return {"poverty": chart_kit.poverty_by_year(proj.tables["years"], folder),
            "cost": chart_kit.cost_by_year(proj.tables["years"], folder),
            "values": chart_kit.real_benefit_values(proj.tables["benefit_values"], labels, folder)}


def projection_report(proj, population: dict, charts: dict, warnings: list[str]) -> list:
    first, last = proj.years[0], proj.years[-1]
    years = proj.tables["years"]
    o = proj.options
    table = pd.DataFrame({
        "year": years["year"].astype(str),
        "poverty baseline (%)": [formatting.plain(v, 2) for v in years["poverty_rate_baseline_pct"]],
        "poverty reform (%)": [formatting.plain(v, 2) for v in years["poverty_rate_reform_pct"]],
        "lifted out of poverty (persons)": [formatting.persons(v) for v in years["persons_lifted_out_of_poverty"]],
        "cost (billion riels)": [billions(v) for v in years["cost_change_riels_per_year"]],
        "cost (USD million)": [millions(v) for v in years["cost_change_usd_per_year"]],
        "cost (% of GDP)": [formatting.plain(v, 2) for v in years["cost_change_pct_gdp"]]})
    demo = proj.tables["demography"]
    demo_table = pd.DataFrame({
        "year": demo["year"].astype(str), "persons": [formatting.persons(v) for v in demo["persons"]],
        "older 65+ (% of persons)": [formatting.plain(v, 1) for v in demo["older 65+ (% of persons)"]],
        "real consumption factor (vs 2019/20)": [formatting.plain(v, 3) for v in demo["real consumption factor (vs 2019/20)"]],
        "design effect of the weights": [formatting.plain(v, 2) for v in demo["kish_design_effect"]]})
    blocks = [Heading(f"Projection {first}-{last}: {proj.scenario.name}", 1)]
    if proj.scenario.description:
        blocks.append(Paragraph(proj.scenario.description))
    if proj.scenario.baseline:
        blocks.append(Paragraph(f"Baseline: current law with the scenario's changes{baseline_text(proj.scenario)}."))
    blocks.append(Paragraph(f"Reform: {reform_text(proj.scenario)}."))
    blocks += [Paragraph(population_sentence(population, first, o["ageing"], o["growth"]).replace(
                   f"Simulated for **{first}**", f"Simulated for each year **{first}-{last}**").replace(
                   f"all amounts in {first} riels", "amounts in each year's riels")),
               Paragraph("Each year is exactly what `microsim run` gives for that year: the base population "
                         f"reweighted to the year's demography ({o['population_source']}), consumption grown with real "
                         "GDP per head times a pass-through, prices with the CPI (the poverty line is constant in real "
                         "terms), benefits indexed by their rules. Changes in the distribution of consumption beyond "
                         "uniform growth are not modelled. Assumptions: policies/projection.yaml and policies/macro.yaml; "
                         "method: docs/projection.md.")]
    if warnings:
        blocks += [Heading("Warnings"), Bullets(tuple(warnings))]
    blocks += [Heading("Poverty and cost by year"), Table(table, tuple(table.columns[1:]))]
    blocks += social_insurance_by_year(years)
    with_intervals = [r for r in proj.results if r.intervals is not None]
    if with_intervals:
        rows = []
        for r in with_intervals:
            lifted = r.intervals["headline"]["persons_lifted_out_of_poverty"]
            cost = r.intervals["headline"]["cost_change_riels_per_year"]
            change = r.intervals["headline"]["poverty_rate_change_pp"]
            rows.append({"year": str(r.year),
                         "poverty change (points)": f"{formatting.plain(r.headline.poverty_rate_change_pp, 2)} "
                                                    f"({formatting.plain(change.low, 2)} to {formatting.plain(change.high, 2)})",
                         "persons lifted": f"{formatting.persons(r.headline.persons_lifted_out_of_poverty)} "
                                           f"({formatting.persons(lifted.low)} to {formatting.persons(lifted.high)})",
                         "cost (billion riels)": f"{billions(r.headline.cost_change_riels_per_year)} "
                                                 f"({billions(cost.low)} to {billions(cost.high)})"})
        blocks += [Heading("How sure"), Paragraph(
            f"Estimates with their 95 % intervals in brackets, from {with_intervals[0].intervals['replicates']} "
            "bootstrap replicates per year (docs/uncertainty.md); sampling uncertainty only."),
            Table(pd.DataFrame(rows), ("poverty change (points)", "persons lifted", "cost (billion riels)"))]
    for key in ("poverty", "cost", "values"):
        blocks += chart_blocks(charts[key])
    blocks += adequacy_by_year_blocks(proj)
    blocks += [Heading("Population by year"), Table(demo_table, tuple(demo_table.columns[1:])),
               Paragraph("Costs by programme, poverty by group and the nominal and real value of every benefit amount "
                         "are in `tables/` and `workbook.xlsx`; every year's figures in `summary.json`.")]
    return blocks


def adequacy_by_year_blocks(proj) -> list:
    """The reform's own benefits (those its overrides name) as a share of the poverty line in the first
    and last year, and the poverty gap closed per riel: whether a benefit keeps its value."""
    first, last = proj.results[0], proj.results[-1]
    named = {key.split(".")[0] for key in proj.scenario.reform}
    at = {year.year: {a.programme: a for a in year.adequacy} for year in (first, last)}
    shown = sorted(n for n in named if n in at[first.year] or n in at[last.year])

    def cell(year, name, field):
        record = at[year.year].get(name)
        return formatting.plain(getattr(record, field) if record else None, 1)

    rows = [{"benefit": (at[first.year].get(name) or at[last.year].get(name)).label,
             f"% of the poverty line, {first.year}": cell(first, name, "pct_of_poverty_line"),
             f"% of the poverty line, {last.year}": cell(last, name, "pct_of_poverty_line"),
             f"% of GDP per head, {first.year}": cell(first, name, "pct_of_gdp_per_head"),
             f"% of GDP per head, {last.year}": cell(last, name, "pct_of_gdp_per_head")} for name in shown]
    if not rows:
        return []
    table = pd.DataFrame(rows)
    gap = [r.poverty_gap_closed_per_riel for r in (first, last)]
    return [Heading("Is it enough, and does it stay so? Benefit adequacy"), Paragraph(
        "The reform's benefits as a share of the poverty line per person (per member for a household benefit) and a "
        "year of them as a share of GDP per head, in the first and last year: an amount not indexed loses against "
        "the line, which rises with prices, and against GDP per head. Every benefit and year: "
        "`tables/adequacy_by_year.csv` (docs/adequacy.md)."
        + ("" if None in gap else f" Each riel of extra cost closes {formatting.plain(gap[0], 2)} riels of the poverty "
           f"gap in {first.year} and {formatting.plain(gap[1], 2)} in {last.year}.")),
        Table(table, tuple(table.columns[1:]))]


def social_insurance_by_year(years: pd.DataFrame) -> list:
    """Contributions raised and coverage by year (the headline's fields), when any scheme collects."""
    if "contributions_reform_riels_per_year" not in years or not years["contributions_reform_riels_per_year"].fillna(0).any():
        return []
    table = pd.DataFrame({
        "year": years["year"].astype(str),
        "contributions, reform (billion riels)": [billions(v) for v in years["contributions_reform_riels_per_year"]],
        "change (billion riels)": [billions(v) for v in years["contributions_change_riels_per_year"]],
        "workers covered, baseline (%)": [formatting.plain(v, 1) for v in years["workers_covered_baseline_pct"]],
        "workers covered, reform (%)": [formatting.plain(v, 1) for v in years["workers_covered_reform_pct"]],
        "persons covered, reform (%)": [formatting.plain(v, 1) for v in years["persons_covered_reform_pct"]]})
    return [Heading("Social insurance by year"),
            Paragraph("Contributions every scheme raises (employers' and workers' shares: revenue, not netted from the "
                      "cost), the persons in work covered by at least one contributory scheme and all persons covered "
                      "as contributors or recipients of its benefits (SDG 1.3.1); by scheme in "
                      "`tables/contributions_by_year.csv`."),
            Table(table, tuple(table.columns[1:]))]


def projection_sheets(proj, population: dict) -> list[Sheet]:
    first, last = proj.years[0], proj.years[-1]
    years = proj.tables["years"].rename(columns=HEADLINE_LABELS)
    about = pd.DataFrame({"item": ["scenario", "description", "years", "population", "population kind",
                                   "reweighted to each year", "real growth", "units"],
                          "value": [proj.scenario.name, proj.scenario.description, f"{first}-{last}", population["path"],
                                    population["kind"], "yes" if proj.options["ageing"] else "no",
                                    "yes" if proj.options["growth"] else "no",
                                    "Amounts in each year's riels unless a column says otherwise."]})
    sheets = [Sheet("About", f"Projection {first}-{last}: {proj.scenario.name}", about)]
    for name, df in proj.tables.items():
        sheet_name, title = TABLE_TITLES[name]
        frame = years if name == "years" else df.rename(columns={
            "kish_design_effect": "design effect of the weights", "weight_ratio_min": "lowest weight ratio",
            "weight_ratio_max": "highest weight ratio"})
        sheets.append(Sheet(sheet_name, f"{title}, {first}-{last}", frame))
    sheets.append(inputs_sheet(proj.projected[0].parameters, first))
    return sheets


def year_warnings(result: YearResult) -> list[str]:
    """What a reader must know about a year's figures: programmes switched on that pay nothing,
    programmes not in force, weights strained by reweighting."""
    out = []
    for p in result.programmes:
        if p.programme == "total":
            continue
        if p.not_in_force:
            out.append(f"{p.label}: {p.not_in_force}; it pays nothing in {result.year}.")
        elif (p.cost_reform_riels_per_year or 0) == 0 and (p.cost_baseline_riels_per_year or 0) == 0:
            out.append(f"{p.label} is switched on but pays nothing in {result.year}: its amount is zero or nobody "
                       "is eligible.")
    out += list(result.notes)
    d = result.demography
    if ((d.kish_design_effect or 1) > 2 or (d.weight_ratio_min if d.weight_ratio_min is not None else 1) < 0.21
            or (d.weight_ratio_max or 1) > 4.9):
        out.append(f"In {result.year} the demographic targets strain the weights (design effect "
                   f"{formatting.plain(d.kish_design_effect, 2)}, weight ratios {formatting.plain(d.weight_ratio_min, 2)}-"
                   f"{formatting.plain(d.weight_ratio_max, 2)}): estimates rest on fewer effective households.")
    return out
