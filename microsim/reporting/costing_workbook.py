"""The live costing workbook (``microsim workbook``): the costing of :mod:`microsim.studies.costing` as Excel
formulas a trainee can change, in the RAP / Social Protection Floors Calculator tradition.

Sheets: ``README`` (how to use it), ``Inputs_Macro`` (GDP, CPI index, government spending and
exchange rate by year, with sources), ``Inputs_Population`` (persons by single age and year, from
the model's own projection; ``_male`` and ``_female`` by sex), ``Inputs_Demography`` (births,
pregnancies, disability prevalence and IDPoor coverage by year), one ``Param_`` sheet per measure (named input cells: ages, coverage,
take-up, amount, indexation rule and rate, months, administrative cost) and one ``Calc_`` sheet
(eligible, beneficiaries, benefit, cost, % of GDP and of spending by year, as formulas),
``Scenarios`` (named variants and a drop-down choosing the one in use), ``Summary`` (every
measure's cost by year, with a chart) and ``Checks`` (the workbook's first-year
cost beside the microsimulation's, and why they differ). Inputs are yellow and unlocked; formula
sheets are protected without a password (Review > Unprotect sheet). Every formula carries its
value, so the file shows numbers before Excel recalculates.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from microsim.engine.costing_measures import MAX_AGE, ContributionMeasure, Measure, ShockMeasure
from microsim.studies.costing import (BASES, BIRTHS, PREVALENCE, REVENUE, ZONES, CostingInputs, costs_of,
                                      measure_costs)
from microsim.reporting.sheets import column_letter
from microsim.reporting.affordability_sheet import write_affordability_sheet
from microsim.reporting.costing_workbook_inputs import (NON_NEGATIVE, POSITIVE, contribution_input_checks,
                                                        demography_column, demography_sheet, households_sheet,
                                                        input_checks, population_sheet, shock_input_checks, validation)

PARAMS = (  # name, words, unit, field of Measure
    ("sex", "Sex eligible: both, male or female", "rule", "sex"),
    ("min_age", "First age eligible", "years", "min_age"),
    ("max_age", "Last age eligible", "years", "max_age"),
    ("coverage", "Share of the age group the targeting reaches", "share", "coverage"),
    ("take_up", "Share of those reached who take it up", "share", "take_up"),
    ("amount", "Benefit in the first year (per payment)", "riels per person (a month, or once if months is 1)",
     "amount"),
    ("indexation", "Indexation rule: none, cpi, fixed, wages (nominal wages) or earnings (the model's earnings)",
     "rule", "indexation"),
    ("rate", "Indexation rate, if fixed", "percent per year", "indexation_rate"),
    ("months", "Payments a year (12 monthly; 1 for a one-off lump sum)", "payments", "months"),
    ("admin", "Administrative cost, share of benefits", "share", "admin_rate"),
)


VARIED = ("amount", "coverage", "take_up", "min_age", "max_age")  # what a row of the Scenarios sheet sets
SHOCK_VARIED = ("share_hit", "vertical_amount", "horizontal_amount", "months", "probability")  # ... for a shock
AMOUNTS = ("amount", "vertical_amount", "horizontal_amount")  # what a variant's "amount" change scales
VARIANTS = (  # (name, how each varied value is derived from the measure's own)
    ("as in the scenario", {}),
    ("amount +50 %", {"amount": 1.5}),
    ("amount -50 %", {"amount": 0.5}),
    ("everyone reached, full take-up", {"coverage": None, "take_up": None}),  # coverage: the measure's reachable
)
SCENARIO_ROW = 5  # first row (Excel numbering) of the variants' table
KEY_LENGTH = 25  # a measure's sheets are Param_<key> and Calc_<key>: 31 characters at most, as Excel allows
LAST_SCENARIO_ROW = SCENARIO_ROW + len(VARIANTS) - 1


def _unit_of(m, pname: str) -> str:
    """The unit of one of a measure's Param_ sheet parameters (for its validation)."""
    rows = SHOCK_PARAMS if isinstance(m, ShockMeasure) else PARAMS
    return next(unit for name, _, unit, _ in rows if name == pname)


def varied(m) -> tuple[str, ...]:
    """The parameters of a measure the Scenarios sheet sets (none of a contributory measure's)."""
    if isinstance(m, ContributionMeasure):
        return ()
    return SHOCK_VARIED if isinstance(m, ShockMeasure) else VARIED


def parameter_value(m, pname: str) -> float:
    """A measure's value of one of its Param_ sheet's parameters."""
    if isinstance(m, ShockMeasure):
        return float(next(value for name, _, _, value in SHOCK_PARAMS if name == pname)(m))
    return float(getattr(m, pname))


def _variant_value(m, pname: str, change: dict) -> float:
    value = parameter_value(m, pname)
    key = "amount" if pname in AMOUNTS else pname
    if key not in change:
        return value
    if change[key] is not None:
        return value * change[key]
    return m.reachable if pname == "coverage" else 1.0  # everyone reached: as far as the measure can reach


def _scenario_columns(measures) -> dict:
    """(measure name, parameter) -> the Scenarios sheet's column (0-based)."""
    out, column = {}, 1
    for m in measures:
        for pname in varied(m):
            out[(m.name, pname)] = column
            column += 1
    return out


def _scenarios_sheet(book, measures, columns: dict, formats: dict) -> None:
    """Named variants of the measures' main parameters and a drop-down choosing the one in use.

    Each Param_ sheet's "in use" column takes the chosen row's value when the switch is 1, its own
    yellow value otherwise; the Calc_ sheets read "in use"."""
    sheet = book.add_worksheet("Scenarios")
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, max(len(columns), 1), 18)
    last = LAST_SCENARIO_ROW
    sheet.write(0, 0, "Scenario in use", formats["head"])
    sheet.write_string(0, 1, VARIANTS[0][0], formats["text_in"])
    sheet.data_validation(0, 1, 0, 1, {"validate": "list", "source": f"=$A${SCENARIO_ROW}:$A${last}"})
    sheet.write(1, 0, "Use this table (1) or each Param_ sheet's own values (0)", formats["head"])
    sheet.write_number(1, 1, 0, formats["share_in"])
    sheet.data_validation(1, 1, 1, 1, {"validate": "list", "source": [0, 1]})
    sheet.write(2, 0, "Choose a row, set the switch to 1: every Calc_ sheet and the Summary follow. Edit the names "
                      "and values of the yellow rows (keep the names unique).", formats["wrap"])
    sheet.write(SCENARIO_ROW - 2, 0, "variant", formats["head"])
    for (name, pname), column in columns.items():
        sheet.write(SCENARIO_ROW - 2, column, f"{name}: {pname}", formats["head"])
    for i, (name, change) in enumerate(VARIANTS):
        row = SCENARIO_ROW - 1 + i
        sheet.write_string(row, 0, name, formats["text_in"])
        for m in measures:
            for pname in varied(m):
                fmt = formats["share_in"] if pname in SHARE_PARAMS else formats["number_in"]
                sheet.write_number(row, columns[(m.name, pname)], _variant_value(m, pname, change), fmt)
    names = f"$A${SCENARIO_ROW}:$A${LAST_SCENARIO_ROW}"
    sheet.data_validation(SCENARIO_ROW - 1, 0, LAST_SCENARIO_ROW - 1, 0, {
        "validate": "custom", "value": f"=AND(LEN(A{SCENARIO_ROW})>0,COUNTIF({names},A{SCENARIO_ROW})=1)",
        "error_title": "Not a new name", "error_message": "Each variant needs a name of its own: the drop-down "
                                                          "in B1 chooses rows by name."})
    for m in measures:
        for pname in varied(m):
            column = columns[(m.name, pname)]
            sheet.data_validation(SCENARIO_ROW - 1, column, LAST_SCENARIO_ROW - 1, column,
                                  validation(pname, _unit_of(m, pname)))
    sheet.freeze_panes(SCENARIO_ROW - 1, 1)


def _in_use(sheet, row: int, name: str, pname: str, value, columns: dict) -> None:
    """Column D of a Param_ sheet (0-based ``row``): the value in use, from the Scenarios sheet's chosen
    row when its switch is 1 and the parameter is varied there, else column B."""
    if (name, pname) in columns:
        col = column_letter(columns[(name, pname)])
        sheet.write_formula(row, 3, f"=IF(Scenarios!$B$2=1,INDEX(Scenarios!${col}${SCENARIO_ROW}:${col}"
                                    f"${LAST_SCENARIO_ROW},MATCH(Scenarios!$B$1,Scenarios!$A${SCENARIO_ROW}:"
                                    f"$A${LAST_SCENARIO_ROW},0)),B{row + 1})", None, value)
    else:
        sheet.write_formula(row, 3, f"=B{row + 1}", None, value)


SHOCK_PARAMS = [  # (name, words, unit, how to get the value from the measure)
    ("hit_phnom_penh", "Phnom Penh hit (1 yes, 0 no)", "flag", lambda m: float("phnom_penh" in m.zones)),
    ("hit_other_urban", "Other urban areas hit (1 yes, 0 no)", "flag", lambda m: float("other_urban" in m.zones)),
    ("hit_rural", "Rural areas hit (1 yes, 0 no)", "flag", lambda m: float("rural" in m.zones)),
    ("share_hit", "Share of the zones' households hit", "share", lambda m: m.share_hit),
    ("vertical_share", "IDPoor households topped up per household hit", "share", lambda m: m.vertical_share),
    ("horizontal_share", "Near-poor households reached per household hit", "share", lambda m: m.horizontal_share),
    ("vertical_amount", "Top-up for IDPoor households (vertical)", "riels per household per month",
     lambda m: m.vertical_amount),
    ("horizontal_amount", "Transfer to near-poor households (horizontal)", "riels per household per month",
     lambda m: m.horizontal_amount),
    ("months", "Months paid in a shock year", "months", lambda m: m.months),
    ("probability", "Trigger probability (a shock year's chance)", "share", lambda m: m.trigger_probability),
    ("expected", "Annual cost weighted by the probability (1 yes, 0 no)", "flag", lambda m: float(m.expected)),
    ("admin", "Administrative cost", "share of benefits", lambda m: m.admin_rate),
]


SHARE_PARAMS = {name for name, _, unit, _ in (*PARAMS, *SHOCK_PARAMS) if unit == "share"}  # shown as shares


def _param_sheet(book, key: str, title: str, head, widths: tuple[int, int, int, int] = (50, 16, 30, 16)):
    """A measure's Param_ sheet: its four columns (what, value, unit, in use) and their header row."""
    sheet = book.add_worksheet(f"Param_{key}")
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.write_row(0, 0, [title, "value", "unit", "in use"], head)
    return sheet


def _finish_calc(calc) -> None:
    """A Calc_ sheet's year column and header kept in view, its formulas protected (no password)."""
    calc.freeze_panes(1, 1)
    calc.protect("", {"format_columns": True})


def _shock_sheets(book, m: ShockMeasure, key: str, inputs: CostingInputs, formats: dict,
                  columns: dict) -> pd.DataFrame:
    """Param_ and Calc_ sheets of a shock-responsive transfer (annual cost in column E, as for every measure);
    returns the costing by year the formulas reproduce."""
    prm = _param_sheet(book, key, f"{m.label}: inputs", formats["head"])
    for i, (pname, words, unit, value) in enumerate(SHOCK_PARAMS):
        row = i + 1
        prm.write(row, 0, words)
        prm.write_number(row, 1, value(m), formats["share_in"] if unit in ("share", "flag") else formats["number_in"])
        if unit == "flag":
            prm.data_validation(row, 1, row, 1, {"validate": "list", "source": [0, 1]})
        else:
            prm.data_validation(row, 1, row, 1, validation(pname, unit))
        prm.write(row, 2, unit)
        _in_use(prm, row, m.name, pname, value(m), columns)
        book.define_name(f"{key}_{pname}", f"='Param_{key}'!$D${row + 1}")
    prm.write(len(SHOCK_PARAMS) + 2, 0, f"Shares: {m.coverage_note}.", formats["wrap"])

    calc = book.add_worksheet(f"Calc_{key}")
    calc.set_column(0, 9, 19)
    calc.write_row(0, 0, ["year", "households in the hit zones", "households hit", "cost in a shock year (riels)",
                          "annual cost (riels)", "annual cost (% of GDP)", "annual cost (% of spending)",
                          "annual cost (USD)", "IDPoor households topped up", "near-poor households reached"],
                   formats["head"])
    python = costs_of(m, inputs)
    money, pct = formats["money"], formats["pct"]
    for i, y in enumerate(inputs.years):
        r = i + 2
        col = column_letter(i + 1)
        values = python.iloc[i]
        calc.write_number(r - 1, 0, y)
        in_zones = "+".join(f"{key}_hit_{z}*Inputs_Households!{col}{ZONES.index(z) + 2}" for z in ZONES)
        calc.write_formula(r - 1, 1, f"={in_zones}", money, values["households in the hit zones"])
        calc.write_formula(r - 1, 2, f"=B{r}*{key}_share_hit", money, values["households hit"])
        calc.write_formula(r - 1, 3, f"=(C{r}*{key}_vertical_share*{key}_vertical_amount+C{r}*{key}_horizontal_share*"
                                     f"{key}_horizontal_amount)*{key}_months*(1+{key}_admin)", money,
                           values["cost in a shock year (riels)"])
        calc.write_formula(r - 1, 4, f"=D{r}*IF({key}_expected=1,{key}_probability,1)", money,
                           values["annual cost (riels)"])
        calc.write_formula(r - 1, 5, f"=E{r}/Inputs_Macro!B{r}*100", pct, values["annual cost (% of GDP)"])
        calc.write_formula(r - 1, 6, f"=E{r}/Inputs_Macro!D{r}*100", pct, values["annual cost (% of government spending)"])
        usd = values["annual cost (USD)"]
        calc.write_formula(r - 1, 7, f"=IF(Inputs_Macro!E{r}>0,E{r}/Inputs_Macro!E{r},0)", money, 0 if pd.isna(usd) else usd)
        calc.write_formula(r - 1, 8, f"=C{r}*{key}_vertical_share", money, values["IDPoor households topped up"])
        calc.write_formula(r - 1, 9, f"=C{r}*{key}_horizontal_share", money, values["near-poor households reached"])
    calc.write(len(inputs.years) + 2, 0, "Expected annual cost of a budget provision: the cost in a shock year x the "
                                         "trigger probability (when `expected` is 1). Amounts are not indexed.")
    _finish_calc(calc)
    return python


CONTRIBUTION_PARAMS = (  # name, words, unit, field of ContributionMeasure
    ("min_age", "First age of the insured", "years", "min_age"),
    ("max_age", "Last age of the insured", "years", "max_age"),
    ("insured_share", "Insured persons per person of those ages", "share", "insured_share"),
    ("worker_share", "Share of the contribution collected the worker pays", "share", "worker_share"),
    ("collected_share", "Share of the contribution collected from the payers (the rest a subsidy, costed as a "
                        "benefit)", "share", "collected_share"),
)


def _contribution_sheets(book, m: ContributionMeasure, key: str, inputs: CostingInputs, formats: dict) -> pd.DataFrame:
    """Param_ and Calc_ sheets of a contributory measure (revenue in column E, where a measure's cost is);
    returns the revenue by year the formulas reproduce."""
    years = inputs.years
    prm = _param_sheet(book, key, f"{m.label}: inputs (revenue, not a cost)", formats["head"])
    for i, (pname, words, unit, field) in enumerate(CONTRIBUTION_PARAMS):
        value = getattr(m, field)
        row = i + 1
        prm.write(row, 0, words)
        prm.write_number(row, 1, float(value), formats["share_in"] if unit == "share" else formats["number_in"])
        prm.data_validation(row, 1, row, 1, validation(pname, unit))
        prm.write_formula(row, 3, f"=B{row + 1}", None, float(value))
        prm.write(row, 2, unit)
        book.define_name(f"{key}_{pname}", f"='Param_{key}'!$D${row + 1}")
    first_rate_row = len(CONTRIBUTION_PARAMS) + 3  # 0-based: the rate by year, one row per year
    prm.write_row(first_rate_row - 1, 0, ["year", "contribution rate in force on 1 January (share)",
                                          "insurable wage (riels per insured person per month)"], formats["head"])
    for i, y in enumerate(years):
        prm.write(first_rate_row + i, 0, y)
        prm.write_number(first_rate_row + i, 1, m.rate_in(y), formats["share_in"])
        prm.write_number(first_rate_row + i, 2, m.wage_in(y), formats["number_in"])
    last_rate_row = first_rate_row + len(years) - 1
    prm.data_validation(first_rate_row, 1, last_rate_row, 1, validation("rate_share", "share"))
    prm.data_validation(first_rate_row, 2, last_rate_row, 2, validation("insurable_wage", "riels per month"))
    prm.write(last_rate_row + 2, 0, f"Insured: {m.coverage_note}. The rates are the scheme's by law (or the "
                                    "reform's), year by year; the insurable wage is the first year's contributors' mean "
                                    "wage in each year, their earnings grown as the model grows them and held within "
                                    "the scheme's floor and ceiling. Change any of them.", formats["wrap"])

    calc = book.add_worksheet(f"Calc_{key}")
    calc.set_column(0, 9, 19)
    calc.write_row(0, 0, ["year", "persons of the ages", "insured (persons)", "insurable wage (riels a month)",
                          "revenue (riels)", "contribution rate", "workers' part (riels)",
                          "employers' and others' part (riels)", "revenue (% of GDP)", "revenue (USD)"], formats["head"])
    python = costs_of(m, inputs)
    money, pct, share = formats["money"], formats["pct"], formats["share"]
    ages = f"Inputs_Population!$A$2:$A${MAX_AGE + 2}"
    for i, y in enumerate(years):
        r = i + 2
        col = column_letter(i + 1)
        values = python.iloc[i]
        calc.write_number(r - 1, 0, y)
        calc.write_formula(r - 1, 1, f'=SUMIFS(Inputs_Population!{col}$2:{col}${MAX_AGE + 2},{ages},">="&{key}_min_age,'
                                     f'{ages},"<="&{key}_max_age)', money, values["persons of the ages (persons)"])
        calc.write_formula(r - 1, 2, f"=B{r}*{key}_insured_share", money, values["insured (persons)"])
        calc.write_formula(r - 1, 3, f"='Param_{key}'!C{first_rate_row + i + 1}", money,
                           values["insurable wage (riels per insured per month)"])
        calc.write_formula(r - 1, 5, f"='Param_{key}'!B{first_rate_row + i + 1}", share, values["contribution rate"])
        calc.write_formula(r - 1, 4, f"=C{r}*D{r}*F{r}*12*{key}_collected_share", money, values[REVENUE])
        calc.write_formula(r - 1, 6, f"=E{r}*{key}_worker_share", money, values["workers' part (riels)"])
        calc.write_formula(r - 1, 7, f"=E{r}-G{r}", money, values["employers' and others' part (riels)"])
        calc.write_formula(r - 1, 8, f"=E{r}/Inputs_Macro!B{r}*100", pct, values["revenue (% of GDP)"])
        usd = values["revenue (USD)"]
        calc.write_formula(r - 1, 9, f"=IF(Inputs_Macro!E{r}>0,E{r}/Inputs_Macro!E{r},0)", money, 0 if pd.isna(usd) else usd)
    calc.write(len(years) + 2, 0, "Revenue = insured x insurable wage x rate x 12 months x the share collected from the "
                                  "payers (riels of each year): what the scheme raises, not a cost of the budget.")
    _finish_calc(calc)
    return python


def write_costing_workbook(path: Path, scenario_name: str, measures: list[Measure], inputs: CostingInputs,
                           checks: list[dict], population_label: str, affordability=None) -> None:
    """The live workbook; ``affordability`` (a :class:`~microsim.studies.fiscal_space.FiscalSpace` of
    the cohort costing) adds the Affordability sheet."""
    years = inputs.years
    n = len(years)
    book = xlsxwriter.Workbook(str(path))
    title = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    money = book.add_format({"num_format": "#,##0"})
    share_in = book.add_format({"num_format": "0.0000", "bg_color": "#FFF2CC", "locked": False, "border": 1})
    number_in = book.add_format({"num_format": "#,##0.##", "bg_color": "#FFF2CC", "locked": False, "border": 1})
    text_in = book.add_format({"bg_color": "#FFF2CC", "locked": False, "border": 1})
    pct = book.add_format({"num_format": "0.000"})
    money_in = book.add_format({"num_format": "#,##0", "bg_color": "#FFF2CC", "locked": False})
    index_in = book.add_format({"num_format": "0.0000", "bg_color": "#FFF2CC", "locked": False})

    # README
    ws = book.add_worksheet("README")
    ws.set_column(0, 0, 110, wrap)
    lines = [(f"Costing workbook: {scenario_name}, {years[0]}-{years[-1]}", title),
             ("What it is: the cost of each measure by year, as formulas you can change, in the tradition of the ILO "
              "Rapid Assessment Protocol and Social Protection Floors Calculator.", None),
             ("How to use it: change the yellow cells on a Param_ sheet (ages, coverage, take-up, amount, "
              "indexation, payments a year, administrative cost); every Calc_ sheet, the Summary and its chart follow. "
              "Population and macro inputs (yellow too) can be changed the same way.", None),
             ("The arithmetic (each Calc_ sheet): eligible = persons of the eligible ages in the year "
              "(Inputs_Population; for a maternity benefit the births of the year and for a disability benefit all "
              "persons x the prevalence of disability, both from Inputs_Demography); beneficiaries = eligible x "
              "coverage x take-up; benefit = amount x index (none: 1; cpi: CPI index of the year; earnings: the "
              "earnings index of the year, for a benefit that is a share of a wage; wages: the wage index of the "
              "year; fixed: "
              "(1 + rate)^(years since the first)); annual cost = beneficiaries x benefit x months x (1 + "
              "administrative cost); then % of GDP and of government spending.",
              None),
             (f"Where the numbers come from: the population by age is the model's own projection of {population_label} "
              "(reweighted to UN WPP each year); the macro series are policies/macro.yaml (sources there); each "
              "measure's coverage was measured on the simulated population in the first year.", None),
             ("Scenarios: four named variants of each measure's amount, ages, coverage and take-up (of a shock-responsive "
              "transfer: share hit, both amounts, months and trigger probability; yellow, editable); "
              "choose one in the drop-down and set the switch to 1, and every Param_ sheet's 'in use' column, every "
              "Calc_ sheet and the Summary follow. With the switch at 0 each Param_ sheet's own yellow values are used.",
              None),
             ("Contributions (a social insurance scheme the reform switches on or changes) are revenue, not a cost: "
              "its Param_ sheet holds the insured share of persons of the insured ages and, year by year, the "
              "contribution rate in force on 1 January and the insurable wage; its Calc_ sheet gives insured = persons "
              "x share, revenue = insured x wage x rate x 12, and the workers' and employers' parts. The Summary shows "
              "revenue beside the costs, never in their total.", None),
             ("Affordability: the Summary's total cost by year against the budget (revenue, spending and current social "
              "protection spending, as shares of GDP) and the financing options (a tax effort, a reallocation from "
              "budget lines, the contributions raised), each an assumption in yellow cells; the residual is what "
              "borrowing or cuts elsewhere must meet (docs/fiscal-space.md).", None),
             ("Checks: the microsimulation costs the same measures household by household; the Checks sheet shows both "
              "for the first year and why they differ (targeting by household, take-up drawn person by person).", None),
             ("Formula sheets are protected without a password (Review > Unprotect sheet) so that formulas are not "
              "overwritten by accident.", None)]
    for i, (text, fmt) in enumerate(lines):
        ws.write(i * 2, 0, text, fmt)

    # Inputs_Macro: a row per year
    mac = book.add_worksheet("Inputs_Macro")
    mac.write_row(0, 0, ["year", "GDP (riels)", "CPI index (first year = 1)", "government spending (riels)",
                         "riels per USD", "earnings index (first year = 1)", "wage index (first year = 1)"], head)
    mac.set_column(0, 6, 22)
    for i, y in enumerate(years):
        mac.write_number(i + 1, 0, y)
        mac.write_number(i + 1, 1, inputs.gdp[y], money_in)
        mac.write_number(i + 1, 2, inputs.cpi[y], index_in)
        mac.write_number(i + 1, 3, inputs.spending[y], money_in)
        mac.write_number(i + 1, 4, inputs.usd.get(y, 0.0), money_in)
        mac.write_number(i + 1, 5, (inputs.earnings or {}).get(y, 1.0), index_in)
        mac.write_number(i + 1, 6, (inputs.wages or {}).get(y, 1.0), index_in)
    mac.data_validation(1, 1, n, 3, POSITIVE)
    mac.data_validation(1, 5, n, 6, POSITIVE)
    mac.data_validation(1, 4, n, 4, NON_NEGATIVE | {"error_message": "Expected riels per US dollar, 0 or more "
                                                                      "(0: no US dollar column)."})
    mac.write(n + 2, 0, "Sources: policies/macro.yaml (GDP grown from the 2025 budget law's level with real growth and "
                        "CPI inflation; spending from the budget laws). The earnings index is how the model grows "
                        "earnings and consumption: prices times real consumption per head; the wage index is the macro file's "
                        "nominal wage growth (wage_growth, an assumption), which a reform's `indexation: wages` follows.", wrap)

    # Inputs_Population (both sexes), then by sex: ages down, years across
    population_sheet(book, "Inputs_Population", inputs.population, years, head, money_in,
                      f"Persons by single age (100 = 100 and over) in each year: the model's projection of "
                      f"{population_label}.")
    for sex in ("male", "female"):
        population_sheet(book, f"Inputs_Population_{sex}", inputs.population_by_sex[sex], years, head, money_in,
                          f"{sex.capitalize()} persons by single age in each year (100 = 100 and over).")
    if inputs.demography is not None:
        demography_sheet(book, inputs, head, money_in, share_in, wrap, population_label)
    if inputs.households_by_zone is not None and any(isinstance(m, ShockMeasure) for m in measures):
        households_sheet(book, inputs, head, money_in, population_label)
    ages = f"Inputs_Population!$A$2:$A${MAX_AGE + 2}"

    scenario_columns = _scenario_columns(measures)
    if scenario_columns:
        _scenarios_sheet(book, measures, scenario_columns, {"head": head, "text_in": text_in, "share_in": share_in,
                                                            "number_in": number_in, "wrap": wrap})
    summary_refs, keys = {}, set()
    for m in measures:
        key = m.name[:KEY_LENGTH]
        while key in keys:  # two names alike in their first characters
            key = key[:KEY_LENGTH - 2] + f"{len(keys):02d}"
        keys.add(key)
        if isinstance(m, ContributionMeasure):
            summary_refs[m.name] = (key, _contribution_sheets(book, m, key, inputs, {
                "head": head, "share_in": share_in, "number_in": number_in, "text_in": text_in, "wrap": wrap,
                "money": money, "pct": pct, "share": book.add_format({"num_format": "0.0000"})}))
            continue
        if isinstance(m, ShockMeasure):
            summary_refs[m.name] = (key, _shock_sheets(book, m, key, inputs, {
                "head": head, "share_in": share_in, "number_in": number_in, "wrap": wrap, "money": money, "pct": pct},
                scenario_columns))
            continue
        prm = _param_sheet(book, key, f"{m.label}: inputs", head, widths=(46, 16, 28, 16))
        for i, (pname, words, unit, field) in enumerate(PARAMS):
            value = getattr(m, field)
            row = i + 1
            prm.write(row, 0, words)
            if pname in ("indexation", "sex"):
                prm.write_string(row, 1, str(value), text_in)
                choices = ["none", "cpi", "fixed", "wages", "earnings"] if pname == "indexation" else ["both", "male", "female"]
                prm.data_validation(row, 1, row, 1, {"validate": "list", "source": choices})
                prm.write_formula(row, 3, f"=B{row + 1}", None, str(value))
            else:
                prm.write_number(row, 1, float(value), share_in if unit == "share" else number_in)
                prm.data_validation(row, 1, row, 1, validation(pname, unit))
                _in_use(prm, row, m.name, pname, float(value), scenario_columns)
            prm.write(row, 2, unit)
            book.define_name(f"{key}_{pname}", f"='Param_{key}'!$D${row + 1}")
        prm.write(len(PARAMS) + 2, 0, f"Coverage: {m.coverage_note}.", wrap)
        prm.write(len(PARAMS) + 3, 0, f"Eligible: {BASES[m.base]}" + ("" if m.base == "ages" else
                                      "; the ages and sex above are not used") + ".", wrap)

        calc = book.add_worksheet(f"Calc_{key}")
        calc.set_column(0, 7, 19)
        calc.write_row(0, 0, ["year", "eligible (persons)", "beneficiaries (persons)", "benefit (riels a month)",
                              "annual cost (riels)", "annual cost (% of GDP)", "annual cost (% of spending)",
                              "annual cost (USD)"], head)
        python = measure_costs(m, inputs)
        for i, y in enumerate(years):
            r = i + 2  # Excel row number
            col = column_letter(i + 1)
            values = python.iloc[i]
            calc.write_number(r - 1, 0, y)
            criteria = f'{ages},">="&{key}_min_age,{ages},"<="&{key}_max_age'
            rows = f"{col}$2:{col}${MAX_AGE + 2}"
            if m.base == "births":
                eligible = f"=Inputs_Demography!{demography_column(BIRTHS)}{r}"
            elif m.base == "disability":
                eligible = f"=SUM(Inputs_Population!{rows})*Inputs_Demography!{demography_column(PREVALENCE)}{r}"
            else:
                eligible = (f'=IF({key}_sex="male",SUMIFS(Inputs_Population_male!{rows},{criteria}),'
                            f'IF({key}_sex="female",SUMIFS(Inputs_Population_female!{rows},{criteria}),'
                            f'SUMIFS(Inputs_Population!{rows},{criteria})))')
            calc.write_formula(r - 1, 1, eligible, money, values["eligible (persons)"])
            calc.write_formula(r - 1, 2, f"=B{r}*{key}_coverage*{key}_take_up", money, values["beneficiaries (persons)"])
            calc.write_formula(r - 1, 3, f'=IF({key}_indexation="cpi",{key}_amount*Inputs_Macro!C{r},'
                                         f'IF({key}_indexation="fixed",{key}_amount*(1+{key}_rate/100)^(A{r}-$A$2),'
                                         f'IF({key}_indexation="earnings",{key}_amount*Inputs_Macro!F{r},'
                                         f'IF({key}_indexation="wages",{key}_amount*Inputs_Macro!G{r},{key}_amount))))',
                               money, values["benefit (riels per person per month)"])
            calc.write_formula(r - 1, 4, f"=C{r}*D{r}*{key}_months*(1+{key}_admin)", money, values["annual cost (riels)"])
            calc.write_formula(r - 1, 5, f"=E{r}/Inputs_Macro!B{r}*100", pct, values["annual cost (% of GDP)"])
            calc.write_formula(r - 1, 6, f"=E{r}/Inputs_Macro!D{r}*100", pct,
                               values["annual cost (% of government spending)"])
            usd = values["annual cost (USD)"]
            calc.write_formula(r - 1, 7, f"=IF(Inputs_Macro!E{r}>0,E{r}/Inputs_Macro!E{r},0)", money,
                               0 if pd.isna(usd) else usd)
        _finish_calc(calc)
        summary_refs[m.name] = (key, python)

    # Summary: costs by year for every measure, and their total; a chart
    billions = book.add_format({"num_format": "#,##0.0"})
    summ = book.add_worksheet("Summary")
    spenders = [m for m in measures if not isinstance(m, ContributionMeasure)]
    schemes = [m for m in measures if isinstance(m, ContributionMeasure)]
    k = len(spenders)
    summ.set_column(0, k + 3 + len(schemes), 22)
    summ.write(0, 0, "year", head)
    for j, m in enumerate(spenders):
        summ.write(0, j + 1, f"{m.label} (billion riels)", head)
    summ.write(0, k + 1, "total (billion riels)", head)
    summ.write(0, k + 2, "total (% of GDP)", head)
    for j, m in enumerate(schemes):  # revenue, right of the costs' total: never in it
        summ.write(0, k + 3 + j, f"revenue, not a cost: {m.label} (billion riels)", head)
    for i, y in enumerate(years):
        r = i + 2
        summ.write_number(r - 1, 0, y)
        total = 0.0
        for j, m in enumerate(spenders):
            key, python = summary_refs[m.name]
            value = python.iloc[i]["annual cost (riels)"] / 1e9
            total += value
            summ.write_formula(r - 1, j + 1, f"='Calc_{key}'!E{r}/1000000000", billions, value)
        total_formula = f"=SUM(B{r}:{column_letter(k)}{r})" if k else "=0"
        summ.write_formula(r - 1, k + 1, total_formula, billions, total)
        summ.write_formula(r - 1, k + 2, f"={column_letter(k + 1)}{r}*1000000000/Inputs_Macro!B{r}*100",
                           pct, total * 1e9 / inputs.gdp[y] * 100)
        for j, m in enumerate(schemes):
            key, python = summary_refs[m.name]
            summ.write_formula(r - 1, k + 3 + j, f"='Calc_{key}'!E{r}/1000000000", billions,
                               python.iloc[i][REVENUE] / 1e9)
    bars = book.add_chart({"type": "column", "subtype": "stacked"}) if spenders else None
    for j, m in enumerate(spenders):
        bars.add_series({"name": ["Summary", 0, j + 1], "categories": ["Summary", 1, 0, n, 0],
                         "values": ["Summary", 1, j + 1, n, j + 1]})
    lines = book.add_chart({"type": "line"}) if schemes else None
    for j in range(len(schemes)):  # the revenue as dashed lines (over the cost bars, if any)
        lines.add_series({"name": ["Summary", 0, k + 3 + j], "categories": ["Summary", 1, 0, n, 0],
                          "values": ["Summary", 1, k + 3 + j, n, k + 3 + j], "marker": {"type": "square"},
                          "line": {"dash_type": "dash"}})
    chart = bars or lines
    if bars is not None and lines is not None:
        bars.combine(lines)
    chart.set_title({"name": f"Annual cost by measure{' and revenue by scheme' if schemes else ''}, "
                             f"{years[0]}-{years[-1]} (billion riels)"})
    chart.set_x_axis({"name": "year"})
    chart.set_y_axis({"name": "billion riels a year"})
    chart.set_legend({"position": "bottom"})
    summ.insert_chart(n + 3, 0, chart, {"x_scale": 1.6, "y_scale": 1.3})
    summ.write(n + 1, 0, "inputs to check (Checks sheet; 0: all consistent)", head)
    summ.write_formula(n + 1, 1, "=inputs_to_check", None, 0)
    summ.protect("", {"format_columns": True})
    if affordability is not None:
        write_affordability_sheet(book, affordability, column_letter(k + 1),
                                  [column_letter(k + 3 + j) for j in range(len(schemes))],
                                  {"head": head, "money": money, "pct": pct, "share_in": share_in,
                                   "number_in": number_in, "wrap": wrap})

    # Checks: the workbook's first year beside the microsimulation
    chk = book.add_worksheet("Checks")
    chk.set_column(0, 0, 40)
    chk.set_column(1, 3, 22)
    chk.set_column(4, 4, 90, wrap)
    chk.write_row(0, 0, [f"measure ({years[0]})", "workbook cost or revenue (riels)", "microsimulation (riels)",
                         "difference (%)", "why"], head)
    for i, c in enumerate(checks):
        key = summary_refs[c["measure"]][0]
        r = i + 2
        chk.write(r - 1, 0, c["label"])
        chk.write_formula(r - 1, 1, f"='Calc_{key}'!E2", money, c["workbook"])
        chk.write_number(r - 1, 2, c["microsimulation"], money)
        chk.write_formula(r - 1, 3, f"=IF(C{r}=0,0,(B{r}-C{r})/C{r}*100)", pct,
                          (c["workbook"] - c["microsimulation"]) / c["microsimulation"] * 100 if c["microsimulation"] else 0)
        chk.write(r - 1, 4, c["why"])
    _input_checks(book, chk, measures, summary_refs, len(checks) + 3, head, wrap)
    book.close()


def _input_checks(book, chk, measures, summary_refs: dict, first_row: int, head, wrap) -> None:
    """Below the comparison, one row per input check of each measure (``input_checks``): "ok" or
    "CHECK" as a formula of the values in use, and what to do; a count of problems above them, and
    the same count on the Summary sheet."""
    ok = book.add_format({"bold": True, "font_color": "#1E7B34"})
    rows = []
    for m in measures:
        key = summary_refs[m.name][0]
        kind = (contribution_input_checks if isinstance(m, ContributionMeasure)
                else shock_input_checks if isinstance(m, ShockMeasure) else input_checks)
        rows += kind(key, m.label)
    chk.write_row(first_row, 0, ["input check (values in use)", "status", "", "", "if not ok"], head)
    for i, (what, condition, advice) in enumerate(rows):
        row = first_row + 1 + i
        chk.write(row, 0, what, wrap)
        chk.write_formula(row, 1, f'=IF({condition},"ok","CHECK")', ok, "ok")
        chk.write(row, 4, advice, wrap)
    status = f"B{first_row + 2}:B{first_row + 1 + len(rows)}"
    count_row = first_row + 2 + len(rows)
    chk.write(count_row, 0, "inputs to check (0: all consistent)", head)
    chk.write_formula(count_row, 1, f'=COUNTIF({status},"CHECK")', None, 0)
    book.define_name("inputs_to_check", f"=Checks!$B${count_row + 1}")
