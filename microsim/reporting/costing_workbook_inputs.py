"""The input side of the live costing workbook: the Inputs_ sheets (persons by age and year,
demography, households by zone) and the rules of its yellow cells (what values each parameter may
take, and the checks a trainee sees when an input is out of range). Units: persons, households,
riels a month, shares 0 to 1; ages in whole years.
"""

from __future__ import annotations

from microsim.engine.costing_measures import MAX_AGE
from microsim.studies.costing import DEMOGRAPHY_COLUMNS, ZONES, CostingInputs
from microsim.reporting.sheets import column_letter
from microsim.engine.parameters import default_plausible_ranges


def validation(pname: str, unit: str) -> dict:
    """Excel data validation for one input cell of a Param_ sheet or a Scenarios column: the range
    a value can take (ages whole years 0 to MAX_AGE, shares 0 to 1, amounts 0 to the unit's
    plausible highest of policies/plausible_ranges.yaml, payments a whole number 1 to 12), with a
    message saying what is expected. Pasted values bypass Excel's validation: the Checks sheet's
    input checks catch those."""

    ranges = default_plausible_ranges()
    if pname in ("min_age", "max_age"):
        rule = {"validate": "integer", "minimum": 0, "maximum": MAX_AGE,
                "message": f"an age in whole years, 0 to {MAX_AGE}"}
    elif unit in ("share", "share of benefits"):
        rule = {"validate": "decimal", "minimum": 0, "maximum": 1, "message": "a share from 0 to 1 (0.5 for 50 %)"}
    elif pname == "rate":
        rule = {"validate": "decimal", "minimum": -50, "maximum": 100, "message": "percent per year, -50 to 100"}
    elif pname == "months" and unit == "payments":
        rule = {"validate": "integer", "minimum": 1, "maximum": 12,
                "message": "payments a year: a whole number, 12 monthly, 1 for a one-off"}
    elif pname == "months":
        rule = {"validate": "integer", "minimum": 0, "maximum": 12, "message": "whole months, 0 to 12"}
    elif pname in ("amount", "vertical_amount", "horizontal_amount"):
        highest = max(ranges["riels per person, one-off"][1], ranges["riels per household per month"][1])
        rule = {"validate": "decimal", "minimum": 0, "maximum": highest,
                "message": f"riels, 0 to {highest:,.0f} (the plausible range; policies/plausible_ranges.yaml)"}
    else:
        rule = {"validate": "decimal", "minimum": 0, "maximum": 1e15, "message": "a number, 0 or more"}
    message = rule.pop("message")
    return {**rule, "criteria": "between", "input_title": "Expected", "input_message": message[:255],
            "error_title": "Outside the expected range", "error_message": f"Expected {message}."[:255]}


NON_NEGATIVE = {"validate": "decimal", "criteria": ">=", "value": 0, "error_title": "Not a count",
                "error_message": "Expected a number of persons or households, 0 or more."}


POSITIVE = {"validate": "decimal", "criteria": ">", "value": 0, "error_title": "Not positive",
            "error_message": "Expected a number above 0 (GDP, spending, a price index)."}


SHARE = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1, "error_title": "Not a share",
         "error_message": "Expected a share from 0 to 1."}


def input_checks(key: str, label: str) -> list[tuple[str, str, str]]:
    """The Checks sheet's input checks of one age-based measure: (what is checked, an Excel
    condition true when the inputs are consistent, what to do otherwise). They read the values in
    use, so a pasted value or a Scenarios row is checked too."""
    return [
        (f"{label}: first age not above last age", f"{key}_min_age<={key}_max_age",
         "The first age eligible is above the last: nobody is eligible and the measure costs 0. Swap them."),
        (f"{label}: ages are whole years, 0 to {MAX_AGE}",
         f"AND({key}_min_age=INT({key}_min_age),{key}_max_age=INT({key}_max_age),{key}_min_age>=0,"
         f"{key}_max_age<={MAX_AGE})", f"Ages are counted in whole years from 0 to {MAX_AGE}."),
        (f"{label}: coverage and take-up are shares, 0 to 1",
         f"AND({key}_coverage>=0,{key}_coverage<=1,{key}_take_up>=0,{key}_take_up<=1)",
         "A share is between 0 and 1 (0.5 for 50 %); a take-up of 7 would pay seven times the persons reached."),
        (f"{label}: amount and administrative cost not negative", f"AND({key}_amount>=0,{key}_admin>=0)",
         "A benefit and its administrative cost are 0 or more."),
        (f"{label}: payments a year a whole number, 1 to 12",
         f"AND({key}_months=INT({key}_months),{key}_months>=1,{key}_months<=12)",
         "12 for a monthly benefit, 1 for a one-off lump sum."),
    ]


def shock_input_checks(key: str, label: str) -> list[tuple[str, str, str]]:
    """The input checks of a shock-responsive transfer (as :func:`input_checks`)."""
    shares = ",".join(f"{key}_{name}>=0,{key}_{name}<=1" for name in
                      ("share_hit", "vertical_share", "horizontal_share", "probability"))
    return [
        (f"{label}: shares and the probability are 0 to 1", f"AND({shares})",
         "A share or a probability is between 0 and 1."),
        (f"{label}: amounts not negative, months 0 to 12",
         f"AND({key}_vertical_amount>=0,{key}_horizontal_amount>=0,{key}_months>=0,{key}_months<=12,"
         f"{key}_months=INT({key}_months))", "Amounts are 0 or more; a shock year pays whole months, 0 to 12."),
    ]


def contribution_input_checks(key: str, label: str) -> list[tuple[str, str, str]]:
    """The input checks of a contributory measure (as :func:`input_checks`)."""
    return [
        (f"{label}: first age not above last age", f"{key}_min_age<={key}_max_age",
         "The first age of the insured is above the last: nobody contributes. Swap them."),
        (f"{label}: insured, workers' and collected shares are 0 to 1",
         f"AND({key}_insured_share>=0,{key}_insured_share<=1,{key}_worker_share>=0,{key}_worker_share<=1,"
         f"{key}_collected_share>=0,{key}_collected_share<=1)",
         "A share is between 0 and 1 (0.5 for 50 %)."),
    ]


def population_sheet(book, name: str, frame, years: list[int], head, number, note: str) -> None:
    """A sheet of persons by single age (rows 0..100) and year (columns), as yellow inputs."""
    sheet = book.add_worksheet(name)
    sheet.write(0, 0, "age", head)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, len(years), 13)
    for j, y in enumerate(years):
        sheet.write(0, j + 1, y, head)
    for a in range(MAX_AGE + 1):
        sheet.write_number(a + 1, 0, a)
        for j, y in enumerate(years):
            sheet.write_number(a + 1, j + 1, float(frame.loc[a, y]), number)
    sheet.data_validation(1, 1, MAX_AGE + 1, len(years), NON_NEGATIVE)
    sheet.write(MAX_AGE + 3, 0, note)
    sheet.freeze_panes(1, 1)


def demography_column(column: str) -> str:
    """The Inputs_Demography column (a letter) of one of DEMOGRAPHY_COLUMNS (column A is the year)."""
    return column_letter(list(DEMOGRAPHY_COLUMNS).index(column) + 1)


def demography_sheet(book, inputs: CostingInputs, head, number, share, wrap, population_label: str) -> None:
    """Births, disability and IDPoor coverage by year (yellow inputs): for measures costed from births
    (maternity), prevalence (disability) or IDPoor status (targeting), by hand or in new Calc_ sheets."""

    sheet = book.add_worksheet("Inputs_Demography")
    columns = list(DEMOGRAPHY_COLUMNS)
    sheet.write_row(0, 0, ["year", *columns], head)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, len(columns), 20)
    for i, y in enumerate(inputs.years):
        sheet.write_number(i + 1, 0, y)
        for j, column in enumerate(columns):
            fmt = share if column.endswith("(share)") else number
            sheet.write_number(i + 1, j + 1, float(inputs.demography.loc[y, column]), fmt)
    for j, column in enumerate(columns):
        sheet.data_validation(1, j + 1, len(inputs.years), j + 1, SHARE if column.endswith("(share)") else NON_NEGATIVE)
    row = len(inputs.years) + 2
    sheet.write(row, 0, f"The model's projection of {population_label}, year by year (weighted counts):", wrap)
    for k, (column, words) in enumerate(DEMOGRAPHY_COLUMNS.items()):
        sheet.write(row + 1 + k, 0, f"{column}: {words}.")
    sheet.freeze_panes(1, 1)


def households_sheet(book, inputs: CostingInputs, head, number, population_label: str) -> None:
    """Households by zone (rows) and year (columns), yellow inputs: what a shock measure counts."""
    sheet = book.add_worksheet("Inputs_Households")
    sheet.write(0, 0, "zone", head)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, len(inputs.years), 13)
    for j, y in enumerate(inputs.years):
        sheet.write(0, j + 1, y, head)
    for i, zone in enumerate(ZONES):
        sheet.write(i + 1, 0, zone)
        for j, y in enumerate(inputs.years):
            sheet.write_number(i + 1, j + 1, float(inputs.households_by_zone.loc[zone, y]), number)
    sheet.data_validation(1, 1, len(ZONES), len(inputs.years), NON_NEGATIVE)
    sheet.write(len(ZONES) + 2, 0, f"Households by zone in each year: the model's projection of {population_label}.")
    sheet.freeze_panes(1, 1)
