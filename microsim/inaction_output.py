"""The cost-of-inaction study's run folder: summary.json, tables, workbook, charts and report.

``summary.json`` has the format ``microsim-inaction/1`` (documented in docs/cost-of-inaction.md):
the totals per discount rate, then each cohort's schooling and money. Money is in riels of the
first cohort's start year, present values at that year.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from microsim import formatting as F
from microsim.document import Bullets, Heading, Paragraph, Table
from microsim.inaction_study import SENSITIVITY, Study
from microsim.results import number
from microsim.runfolder import RunOutput
from microsim.workbook import Sheet

INACTION_FORMAT = "microsim-inaction/1"


def _json(record) -> dict:
    return {k: (number(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
            for k, v in dataclasses.asdict(record).items()}


def summary(study: Study, population: dict, command: str) -> dict:
    first = study.cohorts[0]
    return {
        "format": INACTION_FORMAT,
        "kind": "inaction",
        "scenario": study.scenario,
        "command": command,
        "population": population,
        "cohort_years": [p.start for p in study.cohorts],
        "money": f"riels of {first.start}, present values at {first.start}",
        "near_poor_multiple": study.near_poor_multiple,
        "totals": [_json(t) for t in study.totals],
        "cohorts": [{
            "start_year": p.start,
            "children_persons": number(r.schooling.children),
            "children_poor_near_poor_persons": number(r.schooling.children_poor_near_poor),
            "extra_years_of_schooling_total": number(r.schooling.extra_years_total),
            "extra_years_of_schooling_poor_near_poor": number(r.schooling.extra_years_poor_near_poor),
            "schooling_gap_years_poor_near_poor": number(r.schooling.gap_years_poor_near_poor),
            "extra_preschool_years": number(r.schooling.extra_preschool_years),
            "consumption_effect_log_odds": number(r.schooling.consumption_effect),
            "programmes_changed": list(p.modules_changed),
            "valuations": [_json(v) for v in r.valuations],
        } for p, r in zip(study.cohorts, study.results)],
        "notes": study.notes,
    }


def _money(x) -> str:
    """Billions of riels for a brief."""
    return F.plain(x / 1e9, 1) if x is not None and np.isfinite(x) else F.MISSING


def _ratio(x, digits=3) -> str:
    return F.plain(x, digits) if x is not None and np.isfinite(x) else F.MISSING


def totals_table(study: Study) -> pd.DataFrame:
    return pd.DataFrame([{
        "discount rate (%)": t.discount_rate * 100,
        "cost of inaction (riels)": t.cost_of_inaction_riels,
        "forgone tax of inaction (riels)": t.forgone_tax_of_inaction_riels,
        "avoided, poor and near-poor (riels)": t.avoided_poor_near_poor_riels,
        "avoided, all children (riels)": t.avoided_riels,
        "programme cost (riels)": t.programme_cost_riels,
        "net present value (riels)": t.net_present_value_riels,
        "benefit-cost ratio": t.benefit_cost_ratio,
        "share of the cost of inaction avoided (share)": t.share_of_inaction_avoided,
        "avoided per riel spent": t.avoided_per_riel,
        "tax gained per riel spent": t.fiscal_return_per_riel,
        "internal rate of return (%)": _irr_first(study, i),
    } for i, t in enumerate(study.totals)])


def _irr_first(study: Study, i: int):
    irr = study.results[0].valuations[i].internal_rate_of_return
    return irr * 100 if irr is not None else None


def cohorts_table(study: Study) -> pd.DataFrame:
    rows = []
    for p, r in zip(study.cohorts, study.results):
        for v in r.valuations:
            rows.append({"cohort (start year)": p.start, "discount rate (%)": v.discount_rate * 100,
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
                         "internal rate of return (%)": (v.internal_rate_of_return * 100
                                                         if v.internal_rate_of_return is not None else None)})
    return pd.DataFrame(rows)


def schooling_table(study: Study) -> pd.DataFrame:
    return pd.concat([r.schooling.table.assign(**{"cohort (start year)": p.start})
                      [["cohort (start year)", *r.schooling.table.columns]]
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
    from microsim import charts as C

    return {"schooling": schooling_chart(study, folder, C), "losses": losses_chart(study, folder, C),
            "tornado": tornado_chart(study, folder, C)}


def schooling_chart(study: Study, folder: Path, C):
    first = study.results[0]
    table = first.schooling.table
    rows = table[table["children"].str.startswith("quintile")]
    caption = (f"Expected years of schooling by age 18 (grades 1-12), children aged 0-17 in {study.first_year}, "
               "by consumption quintile: status quo and reform")
    if rows.empty:
        return C.Skipped(caption, "no quintile has children")
    plt = C.pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.6))
    x = np.arange(len(rows))
    base, reform = rows["years of schooling by 18, status quo"], rows["years of schooling by 18, reform"]
    ax.bar(x - 0.2, base, 0.4, color=C.BASELINE_COLOUR, label="status quo")
    ax.bar(x + 0.2, reform, 0.4, color=C.REFORM_COLOUR, label=f"reform: {study.scenario}")
    for i, (b, r) in enumerate(zip(base, reform)):
        ax.annotate(f"+{r - b:.3f}", (i + 0.2, r), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=7)
    ax.set_xticks(x, [f"Q{i + 1}" + (" (poorest)" if i == 0 else " (richest)" if i == 4 else "") for i in range(len(rows))])
    ax.set_ylabel("years of schooling by age 18")
    ax.set_ylim(min(base.min(), reform.min()) * 0.9, max(base.max(), reform.max()) * 1.04)
    ax.set_title(caption, loc="left", fontsize=9, wrap=True)
    C._style(ax)
    C._legend_below(ax, 2)
    return C._save(fig, folder, "schooling_by_quintile.png", caption)


def losses_chart(study: Study, folder: Path, C):
    rate = study.discount_rates[0]
    caption = (f"Cost of inaction and loss avoided by the reform, by cohort, billion riels of {study.first_year} "
               f"(present values at {rate * 100:g} %)")
    plt = C.pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.6))
    years = [p.start for p in study.cohorts]
    x = np.arange(len(years))
    inaction = [r.valuations[0].cost_of_inaction_riels / 1e9 for r in study.results]
    avoided = [r.valuations[0].avoided_poor_near_poor_riels / 1e9 for r in study.results]
    cost = [r.valuations[0].programme_cost_riels / 1e9 for r in study.results]
    ax.bar(x - 0.27, inaction, 0.27, color="#8c2d04", label="cost of inaction (poor and near-poor)")
    ax.bar(x, avoided, 0.27, color=C.REFORM_COLOUR, label="avoided by the reform (poor and near-poor)")
    ax.bar(x + 0.27, cost, 0.27, color=C.BASELINE_COLOUR, label="programme cost")
    ax.set_xticks(x, [f"children of {y}" for y in years])
    ax.set_ylabel(f"billion riels of {study.first_year}")
    C._billions(ax, "y")
    ax.set_title(caption, loc="left", fontsize=9, wrap=True)
    C._style(ax)
    C._legend_below(ax, 2)
    return C._save(fig, folder, "losses_by_cohort.png", caption)


def tornado_chart(study: Study, folder: Path, C):
    table = study.sensitivity
    central = table[table["case"] == "central"].iloc[0]
    caption = (f"Sensitivity: cost of inaction and loss avoided (poor and near-poor), billion riels of "
               f"{study.first_year}, each parameter at its low and high value")
    plt = C.pyplot()
    names = [n for n in table["parameter"].unique() if n != "central"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.55 * len(names) + 1.8), sharey=True)
    panels = (("cost of inaction (riels)", "cost of inaction"), ("avoided, poor and near-poor (riels)", "avoided by the reform"))

    def bounds(n, column):
        rows = table[table["parameter"] == n]
        return (rows[rows["case"] == "low"][column].iloc[0] / 1e9, rows[rows["case"] == "high"][column].iloc[0] / 1e9)

    # one order for both panels (they share the y axis): the widest swing of the cost of inaction on top
    names.sort(key=lambda n: abs(np.subtract(*bounds(n, panels[0][0]))))
    for ax, (column, title) in zip(axes, panels):
        mid = central[column] / 1e9
        for i, n in enumerate(names):
            lo, hi = bounds(n, column)
            ax.barh(i, lo - mid, left=mid, color="#9ecae1", height=0.6, label="low value" if i == 0 else None)
            ax.barh(i, hi - mid, left=mid, color="#3182bd", height=0.6, label="high value" if i == 0 else None)
        ax.axvline(mid, color="black", linewidth=0.8)
        ax.set_yticks(range(len(names)), [_words(n) for n in names])
        ax.set_title(f"{title} (central {mid:,.0f})", fontsize=9)
        ax.set_xlabel(f"billion riels of {study.first_year}")
        C._billions(ax, "x")
        C._style(ax)
    axes[1].legend(loc="lower right", fontsize=8, frameon=False)
    fig.suptitle(caption, x=0.01, ha="left", fontsize=9)
    return C._save(fig, folder, "tornado.png", caption)


def _words(name: str) -> str:
    words = dict(SENSITIVITY) | {"valuation.discount_rates": "discount rate"}
    return words.get(name, name)


# ---- report -------------------------------------------------------------------------------------------
def report(study: Study, population: dict, drawn: dict) -> list:
    from microsim import report as R

    first = study.first_year
    cohorts = ", ".join(str(p.start) for p in study.cohorts)
    rows = totals_table(study)
    t0 = study.totals[0]
    headline = [
        f"**Cost of inaction**: the poor and near-poor children aged 0-17 in {cohorts} lose "
        f"{_money(t0.cost_of_inaction_riels)} billion riels of lifetime earnings (present value at "
        f"{t0.discount_rate * 100:g} %, riels of {first}) because they attend school less than the other children; "
        f"forgone tax revenue {_money(t0.forgone_tax_of_inaction_riels)} billion.",
        f"**The reform** ({study.scenario}) costs {_money(t0.programme_cost_riels)} billion riels over the years the "
        f"children are followed and avoids {_money(t0.avoided_poor_near_poor_riels)} billion of that loss "
        f"({F.plain((t0.share_of_inaction_avoided or 0) * 100, 1)} %), "
        f"{_ratio(t0.avoided_per_riel)} riels avoided per riel spent; with every child counted, the benefit-cost "
        f"ratio is {_ratio(t0.benefit_cost_ratio)} and the net present value {_money(t0.net_present_value_riels)} "
        "billion riels.",
    ]
    display = pd.DataFrame({
        "discount rate": [f"{v:g} %" for v in rows["discount rate (%)"]],
        "cost of inaction (bn riels)": [_money(v) for v in rows["cost of inaction (riels)"]],
        "avoided, poor and near-poor (bn riels)": [_money(v) for v in rows["avoided, poor and near-poor (riels)"]],
        "avoided, all children (bn riels)": [_money(v) for v in rows["avoided, all children (riels)"]],
        "programme cost (bn riels)": [_money(v) for v in rows["programme cost (riels)"]],
        "net present value (bn riels)": [_money(v) for v in rows["net present value (riels)"]],
        "benefit-cost ratio": [_ratio(v) for v in rows["benefit-cost ratio"]],
    })
    blocks = [Heading(f"Cost of inaction: {study.scenario}", 1),
              Paragraph(R.population_sentence(population, first, True, True)),
              Paragraph(f"Cohorts: every child aged 0-17 in {cohorts}, followed year by year until the youngest is 17 "
                        f"(households closed: no births or moves). Poor: consumption per person below the poverty line "
                        f"in the start year; near-poor: below {study.near_poor_multiple:g} times the line. Money in "
                        f"riels of {first} (real), present values at {first}."),
              Bullets(tuple(headline)),
              Table(display, tuple(display.columns[1:]), "Totals over cohorts, by discount rate")]
    sch = study.results[0].schooling.table
    show = pd.DataFrame({
        "children": sch["children"], "persons": [F.persons(v) for v in sch["persons"]],
        "years by 18, status quo": [F.plain(v, 2) for v in sch["years of schooling by 18, status quo"]],
        "years by 18, reform": [F.plain(v, 2) for v in sch["years of schooling by 18, reform"]],
        "extra years": [F.plain(v, 4) for v in sch["extra years (reform)"]],
        "pre-school at 3-5, status quo": [F.pct(v * 100) for v in sch["pre-school attendance at 3-5, status quo (share)"]],
        "pre-school at 3-5, reform": [F.pct(v * 100) for v in sch["pre-school attendance at 3-5, reform (share)"]]})
    blocks += [Heading(f"Schooling of the children of {study.first_year}"),
               Table(show, tuple(show.columns[1:]), "Expected years of schooling (grades 1-12) by age 18 and pre-school "
                     "attendance, status quo and reform")]
    blocks += R.chart_blocks(drawn["schooling"]) + R.chart_blocks(drawn["losses"])
    blocks += [Heading("How sure"),
               Paragraph("Each parameter moved to its low and high value, the others central (table `sensitivity` "
                         "in the workbook and tables/sensitivity.csv). Sampling uncertainty of the population "
                         "(bootstrap intervals) is not yet carried into this study.")]
    blocks += R.chart_blocks(drawn["tornado"])
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


def sheets(study: Study, population: dict) -> list[Sheet]:
    about = pd.DataFrame({"item": ["scenario", "cohorts (start years)", "discount rates", "near-poor multiple",
                                   "population", "money"],
                          "value": [study.scenario, ", ".join(str(p.start) for p in study.cohorts),
                                    ", ".join(f"{r * 100:g} %" for r in study.discount_rates),
                                    f"{study.near_poor_multiple:g}", population["path"],
                                    f"riels of {study.first_year}, present values at {study.first_year}"]})
    return [Sheet("About", f"Cost of inaction: {study.scenario}", about),
            Sheet("Totals", "Totals over cohorts by discount rate", totals_table(study)),
            Sheet("Cohorts", "Each cohort by discount rate", cohorts_table(study)),
            Sheet("Schooling", "Expected schooling by group and consumption quintile", schooling_table(study)),
            Sheet("Flows", "Yearly flows (undiscounted, riels of the start year)", flows_table(study)),
            Sheet("Sensitivity", "One parameter at a time, first discount rate", study.sensitivity),
            Sheet("Parameters", "Study parameters and their sources (policies/inaction.yaml)", parameters_table(study)),
            Sheet("Attendance model", "Fitted logit of attendance, children 3-17", model_table(study))]


def study_output(study: Study, population: dict, command: str, manifest: dict) -> RunOutput:
    tables = {"totals": totals_table(study), "cohorts": cohorts_table(study), "schooling": schooling_table(study),
              "flows": flows_table(study), "sensitivity": study.sensitivity, "parameters": parameters_table(study),
              "attendance_model": model_table(study)}
    return RunOutput(kind="inaction", title=f"Cost of inaction: {study.scenario}",
                     summary=summary(study, population, command), tables=tables, sheets=sheets(study, population),
                     charts=lambda folder: charts(study, folder),
                     report=lambda drawn: report(study, population, drawn), manifest=manifest)
