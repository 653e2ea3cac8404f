"""What ``microsim fiscal`` writes: a run folder (:mod:`microsim.reporting.runfolder`) with the floor's
cost by year against the macro-fiscal frame and the financing options.

``tables/fiscal_space.csv`` (a row per year: the cost in riels and as % of GDP, revenue, spending
and current social protection spending; the frame; each option's amount; the residual),
``tables/financing_options.csv`` (each option, its assumption and the years it falls short),
``tables/growth_sensitivity.csv`` (the residual under each growth path), ``summary.json``
(format ``microsim-fiscal/1``, docs/outputs.md), ``report.md`` / ``report.html`` with the chart
``charts/fiscal_space.png``, and ``manifest.json`` (the command, every input file with its
SHA-256, the frame and the financing file).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from microsim.common import formatting
from microsim.engine.macro import load_macro
from microsim.paths import display_path
from microsim.reporting import charts as chart_kit, report
from microsim.reporting.document import Bullets, Heading, Paragraph, Table
from microsim.reporting.runfolder import RunOutput, input_hashes, jsonable, scenario_manifest
from microsim.reporting.sheets import Sheet
from microsim.studies.fiscal_space import FiscalSpace, FiscalYear

FISCAL_FORMAT = "microsim-fiscal/1"
COSTING_WORDS = {
    "projection": "the projection's change in programme spending, reform minus baseline, administration included "
                  "(each year microsimulated, as `microsim project` gives it)",
    "cohort": "the cohort costing's total (`microsim cost`; the costing workbook's Summary), each measure's whole "
              "cost; its schemes' whole revenue is the contributions",
}


def option_column(name: str) -> str:
    """The table's column of an option (prefixed, so that no option's name can take another column's)."""
    return f"financing: {name} (riels)"


def year_rows(rows: list[FiscalYear]) -> pd.DataFrame:
    """The fiscal table: a row per year (riels of the year, and shares in percent)."""
    out = []
    for r in rows:
        out.append({
            "year": r.year, "cost (riels)": r.cost_riels, "cost (% of GDP)": r.cost_pct_gdp,
            "cost (% of revenue)": r.cost_pct_revenue, "cost (% of government spending)": r.cost_pct_spending,
            "cost (% of current social protection spending)": r.cost_pct_current_social_protection,
            "social protection spending with the floor (% of GDP)": r.social_protection_with_floor_pct_gdp,
            "GDP (riels)": r.gdp_riels, "revenue (riels)": r.revenue_riels, "tax revenue (riels)": r.tax_revenue_riels,
            "revenue (% of GDP)": r.revenue_riels / r.gdp_riels * 100,
            "government spending (riels)": r.spending_riels,
            "current social protection spending (riels)": r.social_protection_riels,
            "contributions the reform raises (riels)": r.contributions_riels,
            **{option_column(name): value for name, value in r.financing_riels},
            "financing (riels)": r.financed_riels, "residual (riels)": r.residual_riels,
            "residual (% of GDP)": r.residual_pct_gdp, "surplus (riels)": r.surplus_riels})
    return pd.DataFrame(out)


def sensitivity_rows(space: FiscalSpace) -> pd.DataFrame:
    paths = {0.0: space.central, **space.sensitivity}
    return pd.DataFrame([{"growth shift (pp)": shift, "year": r.year, "GDP (riels)": r.gdp_riels,
                          "cost (% of GDP)": r.cost_pct_gdp, "financing (riels)": r.financed_riels,
                          "residual (riels)": r.residual_riels, "residual (% of GDP)": r.residual_pct_gdp}
                         for shift in sorted(paths) for r in paths[shift]])


def options_table(space: FiscalSpace) -> pd.DataFrame:
    return pd.DataFrame([{"option": o.name, "label": o.label, "kind": o.kind, "order": i + 1,
                          "runs out (first year short)": o.runs_out if o.runs_out is not None else "",
                          "years short": years_text(o.short_years), "assumption": o.assumption}
                         for i, o in enumerate(space.outcomes)])


def years_text(years: tuple[int, ...]) -> str:
    """Years as runs: (2026, 2028, 2029, 2030) -> '2026, 2028-2030' ('' for none)."""
    runs, start = [], None
    for i, year in enumerate(years):
        if start is None:
            start = year
        if i + 1 == len(years) or years[i + 1] != year + 1:
            runs.append(str(start) if start == year else f"{start}-{year}")
            start = None
    return ", ".join(runs)


def context_words(space: FiscalSpace) -> str:
    """The frame's deficit and public debt, for context (the floor's residual is not added to them)."""
    words = []
    for name, what in (("deficit", "the budget's deficit"), ("public_debt", "public debt")):
        values = space.frame.series.get(name)
        if values:
            year = max(values)
            words.append(f"{what} {formatting.pct(values[year], 2 if name == 'deficit' else 1)} of GDP in {year}")
    return (" For context, " + " and ".join(words) + " (the residual is not added to them: this is not a debt "
            "sustainability analysis).") if words else ""


def outcome_words(outcome, order: int) -> str:
    """Where an option falls short, in words: 'on its own' for the first, 'with the options before
    it' for the others."""
    alone = "on its own" if order == 0 else "with the options before it"
    return (f"{alone}, covers the cost in every year" if outcome.runs_out is None else
            f"{alone}, falls short in {years_text(outcome.short_years)}")


def fiscal_summary(space: FiscalSpace, population: dict, options: dict) -> dict:
    """The documented ``summary.json`` of a fiscal-space run (docs/outputs.md, "Fiscal space")."""
    def year_json(r: FiscalYear) -> dict:
        return {"year": r.year, "cost_riels": r.cost_riels, "cost_pct_gdp": r.cost_pct_gdp,
                "cost_pct_revenue": r.cost_pct_revenue, "cost_pct_spending": r.cost_pct_spending,
                "cost_pct_current_social_protection": r.cost_pct_current_social_protection,
                "gdp_riels": r.gdp_riels, "revenue_riels": r.revenue_riels, "spending_riels": r.spending_riels,
                "current_social_protection_riels": r.social_protection_riels,
                "financing_riels": dict(r.financing_riels), "residual_riels": r.residual_riels,
                "residual_pct_gdp": r.residual_pct_gdp, "surplus_riels": r.surplus_riels}
    sc = space.scenario
    return {"format": FISCAL_FORMAT, "kind": "fiscal",
            "scenario": {"name": sc.name, "description": sc.description, "seed": sc.seed,
                         "reform_overrides": jsonable(sc.reform), "baseline_overrides": jsonable(sc.baseline)},
            "population": population, "options": options, "costing": space.costing, "years": space.years,
            "frame": display_path(space.frame.path), "financing": display_path(space.financing.path),
            "by_year": [year_json(r) for r in space.central],
            "financing_options": [{"name": o.name, "label": o.label, "kind": o.kind, "assumption": o.assumption,
                                   "runs_out": o.runs_out, "years_short": list(o.short_years)} for o in space.outcomes],
            "growth_sensitivity": [{"growth_shift_pp": shift,
                                    "residual_pct_gdp": {str(r.year): r.residual_pct_gdp for r in rows},
                                    "cost_pct_gdp": {str(r.year): r.cost_pct_gdp for r in rows}}
                                   for shift, rows in sorted(space.sensitivity.items())]}


def fiscal_manifest(space: FiscalSpace, population: dict, calibration, options: dict, command: str) -> dict:
    if space.projection is not None:
        first = space.projection.projected[0]
        macro = load_macro()
        macro = macro if macro.sha256 == first.macro_sha256 else dataclasses.replace(macro, sha256=first.macro_sha256)
        files, parameters = first.parameter_files, first.parameters
    else:
        sim = space.cohort.sim
        files, parameters, macro = sim.parameter_files, sim.parameters, sim.macro
    inputs = input_hashes(files, macro, ageing=options["ageing"])
    inputs[display_path(space.frame.path)] = space.frame.sha256
    inputs[display_path(space.financing.path)] = space.financing.sha256
    return {"command": command, "seed": space.scenario.seed, "years": space.years, "options": options,
            "scenario": scenario_manifest(space.scenario), "population": {**population, "calibration": calibration},
            "inputs": inputs, "parameters_first_year": parameters}


def _billions(values) -> list[str]:
    return [report.billions(v) for v in values]


def _pct(values, digits: int = 2) -> list[str]:
    return [formatting.plain(v, digits) for v in values]


def fiscal_output(space: FiscalSpace, population: dict, calibration, options: dict, command: str) -> RunOutput:
    """Everything ``microsim fiscal`` writes, for the one run-folder writer."""
    table = year_rows(space.central)
    sensitivity = sensitivity_rows(space)
    outcomes = options_table(space)
    tables = {"fiscal_space": table, "financing_options": outcomes, "growth_sensitivity": sensitivity}
    summary = fiscal_summary(space, population, options)
    manifest = fiscal_manifest(space, population, calibration, options, command)
    sc, years = space.scenario, space.years
    labels = [(option_column(o.name), o.label) for o in space.financing.options]

    def charts(folder):
        return {"fiscal_space": chart_kit.fiscal_space_chart(table, labels, sensitivity, sc.name, folder)}

    def blocks(drawn):
        shown = pd.DataFrame({"year": [str(y) for y in table["year"]],
                              "cost (billion riels)": _billions(table["cost (riels)"]),
                              "% of GDP": _pct(table["cost (% of GDP)"]),
                              "% of revenue": _pct(table["cost (% of revenue)"], 1),
                              "% of spending": _pct(table["cost (% of government spending)"], 1),
                              "% of current social protection": _pct(table["cost (% of current social protection spending)"], 1),
                              "social protection with the floor (% of GDP)":
                                  _pct(table["social protection spending with the floor (% of GDP)"])})
        paid = pd.DataFrame({"year": [str(y) for y in table["year"]],
                             "cost (billion riels)": _billions(table["cost (riels)"]),
                             **{f"{label} (billion riels)": _billions(table[column]) for column, label in labels},
                             "residual (billion riels)": _billions(table["residual (riels)"]),
                             "residual (% of GDP)": _pct(table["residual (% of GDP)"])})
        growth = sensitivity.pivot(index="year", columns="growth shift (pp)", values="residual (% of GDP)")
        growth_shown = pd.DataFrame({"year": [str(y) for y in growth.index],
                                     **{("central growth" if s == 0 else f"growth {s:+.1f} points a year")
                                        + " (residual, % of GDP)": _pct(growth[s]) for s in growth.columns}})
        last = space.central[-1]
        runs = [f"**{o.label}** ({o.kind.replace('_', ' ')}; {o.assumption}): " + outcome_words(o, i)
                for i, o in enumerate(space.outcomes)]
        return [Heading(f"Fiscal space: {sc.name}, {years[0]}-{years[-1]}", 1),
                *([Paragraph(sc.description)] if sc.description else []),
                Paragraph(f"**Population and years**: {report.population_words(population)}; each year "
                          f"{years[0]}-{years[-1]}. **The floor's cost**: {COSTING_WORDS[space.costing]}. Riels of "
                          "each year (nominal)."),
                Paragraph(f"**In {last.year}** the floor costs {formatting.riels(last.cost_riels)}, "
                          f"{formatting.pct(last.cost_pct_gdp, 2)} of GDP, "
                          f"{formatting.pct(last.cost_pct_revenue, 1)} of revenue and "
                          f"{formatting.pct(last.cost_pct_current_social_protection, 1)} of current social protection "
                          f"spending; the financing options pay {formatting.riels(last.financed_riels)} and leave "
                          f"{formatting.riels(last.residual_riels)} "
                          f"({formatting.pct(last.residual_pct_gdp, 2)} of GDP) to borrowing or cuts "
                          "elsewhere."),
                Heading("The cost against the budget"), Table(shown, tuple(shown.columns[1:])),
                Paragraph(f"Revenue, spending and current social protection spending from {display_path(space.frame.path)} "
                          "and policies/macro.yaml: published in the budget laws' years, the nearest year's share of "
                          "GDP in the others; current social protection spending is an assumption (see the file)."
                          + context_words(space)),
                Heading("Financing options, in the order applied"), Bullets(tuple(runs)),
                Table(paid, tuple(paid.columns[1:])), *report.chart_blocks(drawn["fiscal_space"]),
                Heading("Sensitivity to growth"),
                Paragraph(space.financing.growth_assumption or "Real GDP growth shifted from the first year on."),
                Table(growth_shown, tuple(growth_shown.columns[1:])),
                Paragraph(f"The options are assumptions of {display_path(space.financing.path)}: change them there, or "
                          "pass another file with `--financing`. Docs: docs/fiscal-space.md.")]

    sheets = [Sheet("Fiscal space", f"{sc.name}: the floor's cost against the budget and its financing, {years[0]}-"
                                    f"{years[-1]} (riels of each year; docs/fiscal-space.md)", table),
              Sheet("Financing options", "Each option, an assumption, in the order applied, and the years the options "
                                         "up to it fall short of the cost", outcomes),
              Sheet("Growth sensitivity", "The residual under each growth path (real growth shifted, percentage points "
                                          "a year)", sensitivity)]
    return RunOutput(kind="fiscal", title=f"Fiscal space: {sc.name}", summary=summary, tables=tables, sheets=sheets,
                     charts=charts, report=blocks, manifest=manifest)
