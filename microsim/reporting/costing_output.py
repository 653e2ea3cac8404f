"""What ``microsim workbook`` writes: a run folder (:mod:`microsim.reporting.runfolder`) whose ``workbook.xlsx``
is the live costing workbook (:mod:`microsim.reporting.costing_workbook`).

Beside the workbook: ``tables/costs.csv`` (each measure's costing by year, as ``microsim cost``
prints it), ``tables/totals.csv`` (all measures by year), ``tables/checks.csv`` (the first year
against the microsimulation), ``summary.json`` (format ``microsim-costing/1``, docs/outputs.md),
``report.md`` / ``report.html`` with a chart of the cost by measure, and ``manifest.json`` (the
command, every input file with its SHA-256, parameters in force, package versions).
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import pandas as pd

from microsim.engine.costing_measures import ContributionMeasure, Measure, ShockMeasure
from microsim.studies.costing import BASES, REVENUE, CostingInputs, costs_of, money_columns
from microsim.reporting.costing_workbook import write_costing_workbook
from microsim.paths import display_path
from microsim.reporting.runfolder import RunOutput, input_hashes, jsonable, scenario_manifest
from microsim.reporting import charts as chart_kit, report
from microsim.common import formatting
from microsim.reporting.document import Bullets, Heading, Paragraph, Table

COSTING_FORMAT = "microsim-costing/1"
MONEY = "annual cost (riels)"


def cost_measures(measures: list) -> list:
    """The measures that cost something (benefits), without the contributory ones (revenue)."""
    return [m for m in measures if not isinstance(m, ContributionMeasure)]


def revenue_measures(measures: list) -> list[ContributionMeasure]:
    return [m for m in measures if isinstance(m, ContributionMeasure)]


def _long_table(measures: list, inputs: CostingInputs, columns: list[str] | None = None) -> pd.DataFrame:
    frames = [costs_of(m, inputs).assign(measure=m.name, label=m.label) for m in measures]
    if not frames:
        return pd.DataFrame(columns=["measure", "label", "year", *(columns or [])])
    table = pd.concat(frames, ignore_index=True)
    return table[["measure", "label", *[c for c in table.columns if c not in ("measure", "label")]]]


def costs_table(measures: list, inputs: CostingInputs) -> pd.DataFrame:
    """Every benefit measure's costing by year in one long table (``measure`` and ``label`` first);
    contributory measures are in :func:`revenue_table`."""
    return _long_table(cost_measures(measures), inputs, [MONEY, "annual cost (USD)", "annual cost (% of GDP)",
                                                         "annual cost (% of government spending)"])


def revenue_table(measures: list, inputs: CostingInputs) -> pd.DataFrame:
    """Every contributory measure's revenue by year (insured, insurable wage, rate, revenue and its
    workers' and employers' parts), in one long table."""
    return _long_table(revenue_measures(measures), inputs, [REVENUE])


def totals_table(costs: pd.DataFrame, inputs: CostingInputs, revenue: pd.DataFrame | None = None) -> pd.DataFrame:
    """All benefit measures' annual cost by year: riels, USD, % of GDP and of government spending;
    and, beside them, the contributory measures' revenue (riels; 0 without any)."""
    total = costs.groupby("year", sort=True)[MONEY].sum().reindex(inputs.years, fill_value=0.0)
    income = (revenue.groupby("year", sort=True)[REVENUE].sum() if revenue is not None and len(revenue)
              else pd.Series(dtype=float)).reindex(inputs.years, fill_value=0.0)
    return pd.DataFrame([{"year": y, **money_columns(float(total[y]), y, inputs),
                          "contributions revenue (riels)": float(income[y])} for y in inputs.years])


def checks_table(found: list[dict]) -> pd.DataFrame:
    """The first year's workbook cost beside the microsimulation's, and why they differ."""
    return pd.DataFrame({
        "measure": [c["measure"] for c in found], "label": [c["label"] for c in found],
        "workbook cost (riels)": [c["workbook"] for c in found],
        "microsimulation cost (riels)": [c["microsimulation"] for c in found],
        "difference (%)": [(c["workbook"] - c["microsimulation"]) / c["microsimulation"] * 100
                           if c["microsimulation"] else np.nan for c in found],
        "why": [c["why"] for c in found]})


def _number(value):
    """A JSON number, or null for a figure that cannot be computed."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _revenue_json(m: ContributionMeasure, revenue: pd.DataFrame) -> dict:
    own = revenue[revenue["measure"] == m.name]
    fields = {k: v for k, v in dataclasses.asdict(m).items()
              if k not in ("name", "label", "coverage_note", "microsimulation_revenue", "rates", "wages")}
    return {"name": m.name, "label": m.label, "coverage_note": m.coverage_note, "parameters": fields,
            "years": [{"year": int(r["year"]), "insured": _number(r["insured (persons)"]),
                       "insurable_wage_riels_per_month": _number(r["insurable wage (riels per insured per month)"]),
                       "rate": _number(r["contribution rate"]), "revenue_riels": _number(r[REVENUE]),
                       "workers_part_riels": _number(r["workers' part (riels)"]),
                       "revenue_usd": _number(r["revenue (USD)"]), "revenue_pct_gdp": _number(r["revenue (% of GDP)"])}
                      for _, r in own.iterrows()]}


def _measure_json(m, costs: pd.DataFrame) -> dict:
    own = costs[costs["measure"] == m.name]
    fields = {k: v for k, v in dataclasses.asdict(m).items() if k not in ("name", "label", "coverage_note", "microsimulation_cost")}
    if isinstance(m, ShockMeasure):
        fields["zones"] = list(m.zones)
        counted, reached = "households of the hit zones", "households hit"
    else:
        counted, reached = BASES[m.base], "beneficiaries (persons)"
    return {"name": m.name, "label": m.label, "eligible": counted, "coverage_note": m.coverage_note,
            "parameters": fields,
            "years": [{"year": int(r["year"]), "reached": _number(r[reached]), "cost_riels": _number(r[MONEY]),
                       "cost_usd": _number(r["annual cost (USD)"]), "cost_pct_gdp": _number(r["annual cost (% of GDP)"]),
                       "cost_pct_spending": _number(r["annual cost (% of government spending)"])}
                      for _, r in own.iterrows()]}


def costing_summary(scenario, measures: list, tables: dict, population: dict, options: dict) -> dict:
    """The documented ``summary.json`` of a costing (docs/outputs.md, "Costings")."""
    totals, checks = tables["totals"], tables["checks"]
    return {
        "format": COSTING_FORMAT, "kind": "costing",
        "scenario": {"name": scenario.name, "description": scenario.description, "seed": scenario.seed,
                     "reform_overrides": jsonable(scenario.reform)},
        "population": population, "options": options,
        "years": [int(y) for y in totals["year"]],
        "measures": [_measure_json(m, tables["costs"]) for m in cost_measures(measures)],
        "contributions": [_revenue_json(m, tables["revenue"]) for m in revenue_measures(measures)],
        "total": [{"year": int(r["year"]), "cost_riels": _number(r[MONEY]), "cost_usd": _number(r["annual cost (USD)"]),
                   "cost_pct_gdp": _number(r["annual cost (% of GDP)"]),
                   "contributions_revenue_riels": _number(r["contributions revenue (riels)"]),
                   "cost_pct_spending": _number(r["annual cost (% of government spending)"])}
                  for _, r in totals.iterrows()],
        "checks": [{"measure": r["measure"], "workbook_riels": _number(r["workbook cost (riels)"]),
                    "microsimulation_riels": _number(r["microsimulation cost (riels)"]),
                    "difference_pct": _number(r["difference (%)"]), "why": r["why"]} for _, r in checks.iterrows()],
    }


AMOUNT_WORDS = {"benefit": "", "average": " (the average paid)", "per_birth": " (cost per birth a month)"}


def describe_measure(m) -> str:
    """One line: how a measure is costed, in words with units."""
    if isinstance(m, ContributionMeasure):
        rates = sorted({rate for _, rate in m.rates})
        return (f"revenue, not a cost: persons aged {m.min_age}-{m.max_age} x insured share {m.insured_share:.4f} "
                f"({m.coverage_note}) x the insurable wage of the year ({m.insurable_wage:,.0f} riels a month in the "
                f"first year, the contributors' earnings held within the scheme's floor and ceiling) x the scheme's "
                f"rate in force each year ({', '.join(formatting.plain(r * 100, 2) + ' %' for r in rates)}) x 12"
                + (f" x the share the payers pay ({m.collected_share:.4f}; a subsidy, costed as a benefit, pays the "
                   "rest)" if m.collected_share != 1.0 else "")
                + f"; the workers pay {formatting.plain(m.worker_share * 100, 0)} % of it")
    if isinstance(m, ShockMeasure):
        how = (f"households of {', '.join(m.zones)} x share hit {m.share_hit:g}; of them {m.vertical_share:.4f} IDPoor "
               f"households topped up {m.vertical_amount:,.0f} and {m.horizontal_share:.4f} near-poor households paid "
               f"{m.horizontal_amount:,.0f} riels a month, for {m.months:g} months, x (1 + {m.admin_rate:g} "
               "administration)")
        return how + (f", weighted by the trigger probability {m.trigger_probability:g}" if m.expected
                      else " (the cost of a shock year)")
    who = {"births": "births of the year", "disability": "all persons x the prevalence of disability"}.get(
        m.base, f"persons aged {m.min_age}-{m.max_age}" + ("" if m.sex == "both" else f" ({m.sex})"))
    index = {"none": "not indexed", "cpi": "indexed to the CPI",
             "fixed": f"indexed by {m.indexation_rate:g} % a year", "earnings": "moving with the model's earnings",
             "wages": "indexed to nominal wages (the macro file's wage_growth)"}[m.indexation]
    return (f"{who} x coverage {m.coverage:.4f} ({m.coverage_note}) x take-up {m.take_up:g} x "
            f"{m.amount:,.0f} riels{AMOUNT_WORDS[m.amount_kind]} ({index}) x {m.months:g} payments x "
            f"(1 + {m.admin_rate:g} administration)")


def costing_manifest(scenario, inputs: CostingInputs, sim, population: dict, calibration, options: dict,
                     command: str) -> dict:
    """What a costing run folder's manifest records: the command, the years, the scenario, the
    population, every input file with its hash and the parameters in force in the first year."""
    return {"command": command, "seed": scenario.seed, "years": inputs.years, "options": options,
            "scenario": scenario_manifest(scenario), "population": {**population, "calibration": calibration},
            "inputs": input_hashes(sim.parameter_files, sim.macro, ageing=options["ageing"]),
            "parameters": sim.parameters}


def costing_output(scenario, measures: list[Measure], inputs: CostingInputs, found: list[dict], sim,
                   population: dict, calibration, options: dict, command: str, affordability=None) -> RunOutput:
    """Everything ``microsim workbook`` writes, for the one run-folder writer.

    ``sim`` is the first year's microsimulation (the checks' and the manifest's parameters);
    ``calibration`` the population's calibration record (or None). The workbook.xlsx is the live
    workbook; the folder's tables are the same numbers (the Python costing the workbook's cached
    values come from). ``affordability`` (:func:`~microsim.studies.fiscal_space.costing_affordability`)
    adds the Affordability sheet, and its frame and financing files to the manifest."""
    manifest = costing_manifest(scenario, inputs, sim, population, calibration, options, command)
    if affordability is not None:
        for f in (affordability.frame, affordability.financing):
            manifest["inputs"][display_path(f.path)] = f.sha256
    write_live_workbook = functools.partial(write_costing_workbook, scenario_name=scenario.name, measures=measures,
                                            inputs=inputs, checks=found, population_label=population["path"],
                                            affordability=affordability)
    costs, revenue = costs_table(measures, inputs), revenue_table(measures, inputs)
    tables = {"costs": costs, "revenue": revenue, "totals": totals_table(costs, inputs, revenue),
              "checks": checks_table(found)}
    summary = costing_summary(scenario, measures, tables, population, options)
    years = inputs.years

    def charts(folder):
        return {"cost_by_measure": chart_kit.cost_by_measure(costs, tables["totals"], folder)}

    def blocks(drawn):
        wide = costs.pivot(index="year", columns="label", values=MONEY).reindex(
            index=years, columns=[m.label for m in cost_measures(measures)])
        by_year = pd.DataFrame({"year": [str(y) for y in wide.index]})
        for label in wide.columns:
            by_year[f"{label} (billion riels)"] = [report.billions(v) for v in wide[label]]
        totals = tables["totals"]
        by_year["total (billion riels)"] = [report.billions(v) for v in totals[MONEY]]
        by_year["total (% of GDP)"] = [formatting.plain(v, 3) for v in totals["annual cost (% of GDP)"]]
        checks = tables["checks"]
        shown = pd.DataFrame({
            "measure": checks["label"],
            "workbook (billion riels)": [report.billions(v) for v in checks["workbook cost (riels)"]],
            "microsimulation (billion riels)": [report.billions(v) for v in checks["microsimulation cost (riels)"]],
            "difference (%)": [formatting.plain(round(v, 1) + 0.0, 1) if np.isfinite(v) else formatting.MISSING  # never "-0.0"
                               for v in checks["difference (%)"]]})
        return [Heading(f"Costing: {scenario.name}, {years[0]}-{years[-1]}", 1),
                Paragraph(f"**Population and years**: {report.population_words(population)}. "
                          + (f"Brought to each year {years[0]}-{years[-1]} by reweighting to the year's demography "
                             "(UN WPP 2022, static ageing)" if options["ageing"] else
                             "Kept at its survey-year weights in every year (no ageing)")
                          + f"; each measure's coverage measured on the simulated population of {years[0]}."),
                Paragraph("Each measure costed the spreadsheet way (ILO RAP, Social Protection Floors Calculator): "
                          "eligible persons (or households) in each year from the model's own projection x coverage x "
                          "take-up x benefit x payments x (1 + administrative cost). `workbook.xlsx` holds the same "
                          "arithmetic as Excel formulas: change a yellow cell and the costs follow. Amounts in riels of "
                          "each year (nominal)."),
                *([Heading("Annual cost by measure"), Table(by_year, tuple(by_year.columns[1:]))]
                  if cost_measures(measures) else
                  [Heading("Annual cost"), Paragraph("The reform pays no benefit: it raises contributions only "
                                                     "(below), so it costs the budget nothing.")]),
                *report.chart_blocks(drawn["cost_by_measure"]),
                *revenue_blocks(revenue, years),
                Heading("How each measure is costed"), Bullets(tuple(f"**{m.label}**: {describe_measure(m)}." for m in measures)),
                Heading(f"Checks: the workbook against the microsimulation, {years[0]}"),
                Table(shown, tuple(shown.columns[1:])),
                Bullets(tuple(f"**{label}**: {why}" for label, why in zip(checks["label"], checks["why"])))]

    return RunOutput(kind="costing", title=f"Costing: {scenario.name}", summary=summary, tables=tables, sheets=[],
                     charts=charts, report=blocks, manifest=manifest, workbook=write_live_workbook)


def revenue_blocks(revenue: pd.DataFrame, years: list[int]) -> list:
    """The contributory measures' revenue by year (billion riels, and insured persons), when any."""
    if not len(revenue):
        return []
    wide = revenue.pivot(index="year", columns="label", values=REVENUE).reindex(years)
    insured = revenue.pivot(index="year", columns="label", values="insured (persons)").reindex(years)
    by_year = pd.DataFrame({"year": [str(y) for y in years]})
    for label in wide.columns:
        by_year[f"{label}: insured (persons)"] = [formatting.persons(v) for v in insured[label]]
        by_year[f"{label}: revenue (billion riels)"] = [report.billions(v) for v in wide[label]]
    return [Heading("Contributions by scheme (revenue, not a cost)"),
            Paragraph("Insured workers x insurable wage x the scheme's rate in force on 1 January of the year x 12 "
                      "months (riels of each year); the workbook's Calc_ sheets of these schemes hold the same "
                      "formulas, with the workers' and employers' parts."),
            Table(by_year, tuple(by_year.columns[1:]))]
