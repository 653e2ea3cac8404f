"""The cost-of-inaction study's run folder: summary.json, tables, workbook, charts and report.

``summary.json`` has the format ``microsim-inaction/1`` (documented in docs/cost-of-inaction.md):
the headline (first cohort, first discount rate), then each cohort's schooling and money, each in
riels of its own start year with present values at that year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from microsim.reporting import charts as chart_kit
from microsim.common import formatting
from microsim.reporting import report as run_report
from microsim.reporting.document import Bullets, Heading, Paragraph, Table
from microsim.studies.inaction_study import SENSITIVITY, Study
from microsim.distribution.results import number, record_json
from microsim.reporting.runfolder import RunOutput
from microsim.reporting.sheets import Sheet
from microsim.paths import display_path

INACTION_FORMAT = "microsim-inaction/1"


def summary(study: Study, population: dict, command: str) -> dict:
    return {
        "format": INACTION_FORMAT,
        "kind": "inaction",
        "scenario": study.scenario,
        "command": command,
        "population": population,
        "cohort_years": [p.start for p in study.cohorts],
        "near_poor_multiple": study.near_poor_multiple,
        "discount_rates": study.discount_rates,
        "headline": {"start_year": study.first_year, **record_json(study.headline)},
        "cohorts": [{
            "start_year": p.start,
            "money": f"riels of {p.start}, present values at {p.start}",
            "children_persons": number(r.schooling.children),
            "children_poor_near_poor_persons": number(r.schooling.children_poor_near_poor),
            "extra_years_of_schooling_total": number(r.schooling.extra_years_total),
            "extra_years_of_schooling_poor_near_poor": number(r.schooling.extra_years_poor_near_poor),
            "schooling_gap_years_poor_near_poor": number(r.schooling.gap_years_poor_near_poor),
            "extra_preschool_years": number(r.schooling.extra_preschool_years),
            "consumption_effect_log_odds": number(r.schooling.consumption_effect),
            "programmes_changed": list(p.modules_changed),
            "valuations": [record_json(v) for v in r.valuations],
        } for p, r in zip(study.cohorts, study.results)],
        "uncertainty": _uncertainty(study),
        "notes": study.notes,
    }


def _uncertainty(study: Study) -> dict | None:
    if not study.intervals:
        return None
    return {"replicates": study.intervals["replicates"], "start_year": study.first_year,
            "by_rate": [{"discount_rate": rate, **{name: i.to_json() for name, i in fields.items()}}
                        for rate, fields in study.intervals["by_rate"].items()]}


def intervals_table(study: Study) -> pd.DataFrame:
    """The first cohort's 95 % intervals, one row per discount rate and figure."""
    rows = []
    for rate, fields in (study.intervals or {}).get("by_rate", {}).items():
        valuation = next(v for v in study.results[0].valuations if v.discount_rate == rate)
        for name, i in fields.items():
            rows.append({"discount rate (%)": rate * 100, "figure": name, "estimate": getattr(valuation, name),
                         "95 % low": i.low, "95 % high": i.high, "standard error": i.standard_error})
    return pd.DataFrame(rows, columns=["discount rate (%)", "figure", "estimate", "95 % low", "95 % high",
                                       "standard error"])


def cohorts_table(study: Study) -> pd.DataFrame:
    rows = []
    for p, r in zip(study.cohorts, study.results):
        for v in r.valuations:
            rows.append({"cohort (start year)": p.start, "money": f"riels of {p.start}",
                         "discount rate (%)": v.discount_rate * 100,
                         "children (persons)": r.schooling.children,
                         "poor and near-poor children (persons)": r.schooling.children_poor_near_poor,
                         "schooling gap of the poor and near-poor (child-years)": r.schooling.gap_years_poor_near_poor,
                         "extra years of schooling, reform (child-years)": r.schooling.extra_years_total,
                         "extra pre-school years, reform (child-years)": r.schooling.extra_preschool_years,
                         "cost of inaction (riels)": v.cost_of_inaction_riels,
                         "avoided, poor and near-poor (riels)": v.avoided_poor_near_poor_riels,
                         "avoided, all children (riels)": v.avoided_riels,
                         "programme cost (riels)": v.programme_cost_riels,
                         "net present value (riels)": v.net_present_value_riels,
                         "benefit-cost ratio": v.benefit_cost_ratio,
                         "share of the cost of inaction avoided (share)": v.share_of_inaction_avoided,
                         "avoided per riel spent": v.avoided_per_riel,
                         "tax gained per riel spent": v.fiscal_return_per_riel,
                         "forgone tax of inaction (riels)": v.forgone_tax_of_inaction_riels,
                         "internal rate of return (%)": (v.internal_rate_of_return * 100
                                                         if v.internal_rate_of_return is not None else None)})
    return pd.DataFrame(rows)


def schooling_table(study: Study) -> pd.DataFrame:
    return pd.concat([r.schooling.table.assign(**{"cohort (start year)": p.start})
                      [["cohort (start year)", *r.schooling.table.columns]]
                      for p, r in zip(study.cohorts, study.results)], ignore_index=True)


def by_age_table(study: Study) -> pd.DataFrame:
    return pd.concat([r.schooling.by_age.assign(**{"cohort (start year)": p.start})
                      [["cohort (start year)", *r.schooling.by_age.columns]]
                      for p, r in zip(study.cohorts, study.results)], ignore_index=True)


def flows_table(study: Study) -> pd.DataFrame:
    return pd.concat([r.flows.assign(**{"cohort (start year)": p.start})[["cohort (start year)", *r.flows.columns]]
                      for p, r in zip(study.cohorts, study.results)], ignore_index=True)


def parameters_table(study: Study) -> pd.DataFrame:
    rows = study.parameters.table()
    return pd.DataFrame([{**r, "value": _shown(r["value"]), "low": _shown(r["low"]), "high": _shown(r["high"])}
                         for r in rows])


def _shown(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return f"{v:g}" if isinstance(v, (int, float)) else str(v)


def model_table(study: Study) -> pd.DataFrame:
    return pd.concat([p.model.table().assign(**{"cohort (start year)": p.start}) for p in study.cohorts],
                     ignore_index=True)


# ---- charts -------------------------------------------------------------------------------------------
def charts(study: Study, folder: Path) -> dict:
    return {"schooling": schooling_chart(study, folder), "losses": losses_chart(study, folder),
            "tornado": tornado_chart(study, folder)}


def schooling_chart(study: Study, folder: Path):
    table = study.results[0].schooling.table
    rows = table[table["children"].str.startswith("quintile")]
    caption = (f"Expected years of schooling by age 18 (grades 1-12), children aged 0-17 in {study.first_year}, "
               "by consumption quintile: status quo and reform")
    if rows.empty:
        return chart_kit.Skipped(caption, "no quintile has children")
    plt = chart_kit.pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.6))
    x = np.arange(len(rows))
    base, reform = rows["years of schooling by 18, status quo"], rows["years of schooling by 18, reform"]
    ax.bar(x - 0.2, base, 0.4, color=chart_kit.BASELINE_COLOUR, label="status quo")
    ax.bar(x + 0.2, reform, 0.4, color=chart_kit.REFORM_COLOUR, label=f"reform: {study.scenario}")
    for i, (b, r) in enumerate(zip(base, reform)):
        ax.annotate(f"+{r - b:.3f}", (i + 0.2, r), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=7)
    ax.set_xticks(x, [label.replace("quintile ", "Q") + (" (poorest)" if label.endswith(" 1") else
                                                          " (richest)" if label.endswith(" 5") else "")
                      for label in rows["children"]])
    ax.set_ylabel("years of schooling by age 18")
    ax.set_ylim(min(base.min(), reform.min()) * 0.9, max(base.max(), reform.max()) * 1.04)
    ax.set_title(caption, loc="left", fontsize=9, wrap=True)
    chart_kit._style(ax)
    chart_kit._legend_below(ax, 2)
    return chart_kit._save(fig, folder, "schooling_by_quintile.png", caption)


def losses_chart(study: Study, folder: Path):
    by_age = study.results[0].schooling.by_age
    rate = study.discount_rates[0]
    caption = (f"Cost of inaction and loss avoided by the reform, poor and near-poor children of {study.first_year} by "
               f"age in {study.first_year}, billion riels of {study.first_year} (present values at {rate * 100:g} %)")
    plt = chart_kit.pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.2), sharex=True)
    ages = by_age["age at the start"].to_numpy()
    inaction = by_age[f"cost of inaction at {rate * 100:g} % (riels)"].to_numpy() / 1e9
    avoided = by_age[f"avoided, poor and near-poor, at {rate * 100:g} % (riels)"].to_numpy() / 1e9
    top.bar(ages, inaction, 0.7, color="#8c2d04")
    top.set_ylabel("cost of inaction,\nbillion riels")
    bottom.bar(ages, avoided, 0.7, color=chart_kit.REFORM_COLOUR)
    bottom.set_ylabel("avoided by the reform,\nbillion riels")
    bottom.set_xlabel(f"age in {study.first_year} (each bar a birth cohort)")
    bottom.set_xticks(ages)
    from matplotlib.ticker import FuncFormatter  # matplotlib stays lazy: see charts.pyplot()

    for ax, values in ((top, inaction), (bottom, avoided)):
        digits = 0 if np.nanmax(np.abs(values), initial=0) >= 100 else 1
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _, d=digits: f"{v:,.{d}f}"))
        chart_kit._style(ax)
    top.set_title(caption, loc="left", fontsize=9, wrap=True)
    return chart_kit._save(fig, folder, "losses_by_cohort.png", caption)


def tornado_chart(study: Study, folder: Path):
    table = study.sensitivity
    central = table[table["case"] == "central"].iloc[0]
    caption = (f"Sensitivity: cost of inaction and loss avoided (poor and near-poor), children of {study.first_year}, "
               f"billion riels of {study.first_year}, each parameter at its low and high value")
    plt = chart_kit.pyplot()
    names = [n for n in table["parameter"].unique() if n != "central"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.55 * len(names) + 1.8), sharey=True)
    panels = (("cost of inaction (riels)", "cost of inaction"), ("avoided, poor and near-poor (riels)", "avoided by the reform"))

    def bounds(name, column):
        rows = table[table["parameter"] == name]
        return (rows[rows["case"] == "low"][column].iloc[0] / 1e9, rows[rows["case"] == "high"][column].iloc[0] / 1e9)

    # one order for both panels (they share the y axis): the widest swing of the cost of inaction on top
    names.sort(key=lambda name: abs(np.subtract(*bounds(name, panels[0][0]))))
    for ax, (column, title) in zip(axes, panels):
        mid = central[column] / 1e9
        for i, name in enumerate(names):
            lo, hi = bounds(name, column)
            ax.barh(i, lo - mid, left=mid, color="#9ecae1", height=0.6, label="low value" if i == 0 else None)
            ax.barh(i, hi - mid, left=mid, color="#3182bd", height=0.6, label="high value" if i == 0 else None)
        ax.axvline(mid, color="black", linewidth=0.8)
        ax.set_yticks(range(len(names)), [_words(name) for name in names])
        ax.set_title(f"{title} (central {mid:,.0f})", fontsize=9)
        ax.set_xlabel(f"billion riels of {study.first_year}")
        chart_kit._billions(ax, "x")
        chart_kit._style(ax)
    axes[1].legend(loc="lower right", fontsize=8, frameon=False)
    fig.suptitle(caption, x=0.01, ha="left", fontsize=9)
    return chart_kit._save(fig, folder, "tornado.png", caption)


def _words(name: str) -> str:
    words = dict(SENSITIVITY) | {"valuation.discount_rates": "discount rate (2 points either way)"}
    return words.get(name, name)


# ---- report -------------------------------------------------------------------------------------------
def _ratio(x, digits=3) -> str:
    return formatting.plain(x, digits) if x is not None and np.isfinite(x) else formatting.MISSING


def _share(x) -> str:
    return formatting.pct(x * 100, 1) if x is not None and np.isfinite(x) else formatting.MISSING


def report(study: Study, population: dict, drawn: dict) -> list:
    first = study.first_year
    head = study.headline
    headline = [
        f"**Cost of inaction**: the poor and near-poor children aged 0-17 in {first} lose "
        f"{run_report.billions(head.cost_of_inaction_riels)} billion riels of lifetime earnings (present value at "
        f"{head.discount_rate * 100:g} %, riels of {first}) because they attend school less than the other children; "
        f"the government forgoes {run_report.billions(head.forgone_tax_of_inaction_riels)} billion riels of tax on them.",
        f"**The reform** ({study.scenario}) costs {run_report.billions(head.programme_cost_riels)} billion riels over the years the "
        f"children are followed and avoids {run_report.billions(head.avoided_poor_near_poor_riels)} billion of that loss "
        f"({_share(head.share_of_inaction_avoided)}): {_ratio(head.avoided_per_riel)} riels avoided per riel spent "
        "(the poor and near-poor children's avoided loss over the cost). "
        f"With every child counted, the benefit-cost ratio is {_ratio(head.benefit_cost_ratio)} (the extra earnings "
        "of all the children the reform reaches, poor or not, over the cost: at least as large, as children above the "
        "near-poor line gain too) and the net present value, those earnings less the cost, "
        f"{run_report.billions(head.net_present_value_riels)} billion riels.",
    ]
    rows = cohorts_table(study)
    display = pd.DataFrame({
        "children of": rows["cohort (start year)"].astype(str),
        "discount rate": [f"{v:g} %" for v in rows["discount rate (%)"]],
        "cost of inaction (bn riels)": [run_report.billions(v) for v in rows["cost of inaction (riels)"]],
        "avoided, poor and near-poor (bn riels)": [run_report.billions(v) for v in rows["avoided, poor and near-poor (riels)"]],
        "avoided, all children (bn riels)": [run_report.billions(v) for v in rows["avoided, all children (riels)"]],
        "programme cost (bn riels)": [run_report.billions(v) for v in rows["programme cost (riels)"]],
        "net present value (bn riels)": [run_report.billions(v) for v in rows["net present value (riels)"]],
        "benefit-cost ratio": [_ratio(v) for v in rows["benefit-cost ratio"]],
        "internal rate of return": [formatting.pct(v, 1) if v is not None and np.isfinite(v) else formatting.MISSING
                                    for v in rows["internal rate of return (%)"]],
    })
    blocks = [Heading(f"Cost of inaction: {study.scenario}", 1),
              Paragraph(run_report.population_sentence(population, first, True, True)),
              Paragraph(f"A cohort is every child aged 0-17 in its start year, followed year by year until the youngest "
                        f"is 17 (households closed: no births or moves). Poor: consumption per person below the poverty "
                        f"line in the start year; near-poor: below {study.near_poor_multiple:g} times the line. Money in "
                        "riels of each cohort's start year (real), present values at that year."),
              Bullets(tuple(headline)),
              Table(display, tuple(display.columns[2:]), "Each cohort at each discount rate (cohorts overlap: "
                    "read each on its own)")]
    sch = study.results[0].schooling.table
    show = pd.DataFrame({
        "children": sch["children"], "persons": [formatting.persons(v) for v in sch["persons"]],
        "years by 18, status quo": [formatting.plain(v, 2) for v in sch["years of schooling by 18, status quo"]],
        "years by 18, reform": [formatting.plain(v, 2) for v in sch["years of schooling by 18, reform"]],
        "extra years": [formatting.plain(v, 4) for v in sch["extra years (reform)"]],
        "pre-school at 3-5, status quo": [_share(v) for v in sch["pre-school attendance at 3-5, status quo (share)"]],
        "pre-school at 3-5, reform": [_share(v) for v in sch["pre-school attendance at 3-5, reform (share)"]]})
    blocks += [Heading(f"Schooling of the children of {first}"),
               Table(show, tuple(show.columns[1:]), "Expected years of schooling (grades 1-12) by age 18 and pre-school "
                     "attendance, status quo and reform")]
    blocks += run_report.chart_blocks(drawn["schooling"]) + run_report.chart_blocks(drawn["losses"])
    blocks += [Heading("How sure"),
               Paragraph("Each parameter moved to its low and high value, the others central (tables/sensitivity.csv "
                         "and the workbook's Sensitivity sheet).")]
    blocks += _interval_blocks(study)
    blocks += run_report.chart_blocks(drawn["tornado"])
    blocks += [Heading("What is not modelled"),
               Bullets(("learning quality: a year attended is a year of schooling, whatever is learnt, and no "
                        "repetition;",
                        "health, nutrition and the other gains of schooling (only earnings and the tax on them);",
                        "general-equilibrium effects: returns to schooling do not fall when many more people are "
                        "schooled;",
                        "children's own earnings while at school (the opportunity cost of the extra years);",
                        "tertiary education, births after the start year, migration."))]
    if study.notes:
        blocks += [Heading("Notes"), Bullets(tuple(study.notes))]
    blocks += [Paragraph("Method, formulas, parameters and their sources: docs/cost-of-inaction.md.")]
    return blocks


def _interval_blocks(study: Study) -> list:
    if not study.intervals:
        return [Paragraph("Sampling uncertainty: not computed in this run; `--replicates 20` (or more) adds 95 % "
                          "intervals from a bootstrap of households carried through calibration, the attendance "
                          "model and the whole cohort (docs/cost-of-inaction.md).")]
    table = intervals_table(study)
    words = {"cost_of_inaction_riels": "cost of inaction (bn riels)", "avoided_riels": "avoided, all children (bn riels)",
             "avoided_poor_near_poor_riels": "avoided, poor and near-poor (bn riels)",
             "programme_cost_riels": "programme cost (bn riels)", "net_present_value_riels": "net present value (bn riels)",
             "benefit_cost_ratio": "benefit-cost ratio", "share_of_inaction_avoided": "share of the cost of inaction avoided",
             "avoided_per_riel": "avoided per riel spent"}

    def shown(name, x):
        return run_report.billions(x) if name.endswith("_riels") else _ratio(x, 4)

    display = pd.DataFrame({
        "discount rate": [f"{v:g} %" for v in table["discount rate (%)"]],
        "figure": [words[n] for n in table["figure"]],
        "estimate": [shown(n, v) for n, v in zip(table["figure"], table["estimate"])],
        "95 % interval": [f"{shown(n, lo)} to {shown(n, hi)}" for n, lo, hi in
                          zip(table["figure"], table["95 % low"], table["95 % high"])]})
    return [Paragraph(f"Sampling uncertainty of the children of {study.first_year}: {study.intervals['replicates']} "
                      "bootstrap replicates of households, each recalibrated, its attendance model refitted and the "
                      "cohort followed again (the study's parameters held at their central values)."),
            Table(display, ("estimate", "95 % interval"), "95 % intervals from the bootstrap")]


def sheets(study: Study, population: dict) -> list[Sheet]:
    about = pd.DataFrame({"item": ["scenario", "cohorts (start years)", "discount rates", "near-poor multiple",
                                   "population", "money"],
                          "value": [study.scenario, ", ".join(str(p.start) for p in study.cohorts),
                                    ", ".join(f"{r * 100:g} %" for r in study.discount_rates),
                                    f"{study.near_poor_multiple:g}", population["path"],
                                    "riels of each cohort's start year, present values at that year"]})
    return [Sheet("About", f"Cost of inaction: {study.scenario}", about),
            Sheet("Cohorts", "Each cohort by discount rate", cohorts_table(study)),
            Sheet("By age", "Each birth cohort (age at the start): schooling and its value", by_age_table(study)),
            Sheet("Schooling", "Expected schooling by group and consumption quintile", schooling_table(study)),
            Sheet("Flows", "Yearly flows (undiscounted, riels of the start year)", flows_table(study)),
            Sheet("Sensitivity", "One parameter at a time, first cohort, first discount rate", study.sensitivity),
            Sheet("Intervals", "95 % bootstrap intervals, first cohort (empty without --replicates)", intervals_table(study)),
            Sheet("Parameters", "Study parameters and their sources (policies/inaction.yaml)", parameters_table(study)),
            Sheet("Attendance model", "Fitted logit of attendance, children 3-17", model_table(study))]


def study_manifest(study: Study, population: dict, command: str, *, seed: int, calibration, replicates: int,
                   jobs: int, backend: str | None, settings: list[str]) -> dict:
    """What an inaction run folder's manifest records: the command, the seed, cohorts and rates, how
    it ran (replicates, jobs, backend), the population and the study parameters with their hash and
    the ``--set`` values given."""
    return {"command": command, "seed": seed, "cohorts": [p.start for p in study.cohorts],
            "discount_rates": study.discount_rates, "replicates": replicates, "jobs": jobs,
            "backend": backend or "default", "near_poor_multiple": study.near_poor_multiple,
            "population": {**population, "calibration": calibration},
            "study_parameters": {"file": display_path(study.parameters.path), "sha256": study.parameters.digest,
                                 "values": {k: p.value for k, p in study.parameters.parameters.items()},
                                 "set": list(settings)}}


def study_output(study: Study, population: dict, command: str, *, seed: int, calibration, replicates: int,
                 jobs: int, backend: str | None, settings: list[str]) -> RunOutput:
    """Everything ``microsim inaction`` writes, for the one run-folder writer (``calibration``: the
    population's calibration record or None; the rest as the command was given)."""
    manifest = study_manifest(study, population, command, seed=seed, calibration=calibration, replicates=replicates,
                              jobs=jobs, backend=backend, settings=settings)
    tables = {"cohorts": cohorts_table(study), "by_age": by_age_table(study), "schooling": schooling_table(study),
              "flows": flows_table(study), "sensitivity": study.sensitivity, "intervals": intervals_table(study), "parameters": parameters_table(study),
              "attendance_model": model_table(study)}
    return RunOutput(kind="inaction", title=f"Cost of inaction: {study.scenario}",
                     summary=summary(study, population, command), tables=tables, sheets=sheets(study, population),
                     charts=lambda folder: charts(study, folder),
                     report=lambda drawn: report(study, population, drawn), manifest=manifest)
