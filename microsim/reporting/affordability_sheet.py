"""The costing workbook's Affordability sheet: the Summary's total cost by year against the
macro-fiscal frame and the financing options, as formulas (the arithmetic of
:mod:`microsim.studies.fiscal_space`, so that ``microsim fiscal --costing cohort`` and the sheet
agree to the riel), in the tradition of the ILO RAP's government operations sheet.

Yellow cells are inputs a trainee may change (revenue and current social protection spending as
% of GDP; each option's path and shares, year by year); the rest follows.
"""

from __future__ import annotations

from microsim.reporting.sheets import column_letter
from microsim.studies.fiscal_space import FiscalSpace

SHEET = "Affordability"


def write_affordability_sheet(book, space: FiscalSpace, total_column: str | None, revenue_columns: list[str],
                              formats: dict) -> None:
    """Write the sheet into ``book``. ``total_column`` is the Summary's column of the total cost
    (billion riels; None when the costing pays no benefit), ``revenue_columns`` its columns of
    the schemes' revenue (billion riels); rows are the Summary's (year ``i`` on row ``i + 2``)."""
    sheet = book.add_worksheet(SHEET)
    head, money, pct, share_in, number_in, wrap = (formats[k] for k in ("head", "money", "pct", "share_in",
                                                                        "number_in", "wrap"))
    columns: list[str] = []  # the headers, in order

    def add(header: str) -> str:
        columns.append(header)
        return column_letter(len(columns) - 1)

    year, cost, gdp, spending = add("year"), add("the floor's cost (riels)"), add("GDP (riels)"), add("government spending (riels)")
    revenue_pct, revenue = add("revenue (% of GDP; input)"), add("revenue (riels)")
    sp_pct, sp = add("current social protection spending (% of GDP; input)"), add("current social protection spending (riels)")
    cost_gdp, cost_revenue = add("cost (% of GDP)"), add("cost (% of revenue)")
    cost_spending, cost_sp = add("cost (% of government spending)"), add("cost (% of current social protection spending)")
    with_floor = add("social protection spending with the floor (% of GDP)")
    added = space.cohort.added_shares if space.cohort is not None else ()
    added_columns = [add(f"{label}: share of its revenue the reform adds (input)") for _, label, _ in added]
    contributions = add("contributions the reform raises (riels)")
    blocks = []  # per option: its input columns and its amount column
    for option in space.financing.options:
        if option.kind == "revenue_growth":
            inputs = {"gain": add(f"{option.label}: tax-to-GDP gain (percentage points; input)"),
                      "share": add(f"{option.label}: share for social protection (input)")}
        elif option.kind == "reallocation":
            inputs = {}
            for line, _ in option.lines:
                words = space.frame.lines[line]["label"]
                inputs[("line", line)] = add(f"{option.label}: {words}, share of spending (input)")
                inputs[("moved", line)] = add(f"{option.label}: share of {line.replace('_', ' ')} moved (input)")
        else:
            inputs = {"share": add(f"{option.label}: share earmarked (input)")}
        blocks.append((option, inputs, add(f"{option.label} (riels)")))
    financed, residual = add("financing (riels)"), add("residual: borrowing or cuts elsewhere (riels)")
    residual_gdp, surplus = add("residual (% of GDP)"), add("surplus (riels)")

    sheet.set_row(0, 60)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, len(columns) - 1, 18)
    sheet.write_row(0, 0, columns, head)
    for i, row in enumerate(space.central):
        r = i + 2  # the Excel row: the Summary's and Inputs_Macro's row of the same year
        at = r - 1
        cell = {"number": sheet.write_number, "formula": sheet.write_formula}

        def put(letter: str, kind: str, *content) -> None:  # a cell of this year's row, in the named column
            cell[kind](at, _index(letter), *content)
        put(year, "number", row.year)
        put(cost, "formula", f"=Summary!{total_column}{r}*1000000000" if total_column else "=0", money, row.cost_riels)
        put(gdp, "formula", f"=Inputs_Macro!B{r}", money, row.gdp_riels)
        put(spending, "formula", f"=Inputs_Macro!D{r}", money, row.spending_riels)
        put(revenue_pct, "number", row.revenue_riels / row.gdp_riels * 100, number_in)
        put(revenue, "formula", f"={gdp}{r}*{revenue_pct}{r}/100", money, row.revenue_riels)
        put(sp_pct, "number", row.social_protection_riels / row.gdp_riels * 100, number_in)
        put(sp, "formula", f"={gdp}{r}*{sp_pct}{r}/100", money, row.social_protection_riels)
        put(cost_gdp, "formula", f"={cost}{r}/{gdp}{r}*100", pct, row.cost_pct_gdp)
        put(cost_revenue, "formula", f"=IF({revenue}{r}>0,{cost}{r}/{revenue}{r}*100,0)", pct, row.cost_pct_revenue)
        put(cost_spending, "formula", f"={cost}{r}/{spending}{r}*100", pct, row.cost_pct_spending)
        put(cost_sp, "formula", f"=IF({sp}{r}>0,{cost}{r}/{sp}{r}*100,0)", pct, row.cost_pct_current_social_protection)
        put(with_floor, "formula", f"=({sp}{r}+{cost}{r})/{gdp}{r}*100", pct, row.social_protection_with_floor_pct_gdp)
        for letter, (_, _, share) in zip(added_columns, added):
            sheet.write_number(at, _index(letter), share, share_in)
        raised = "+".join(f"Summary!{c}{r}*{letter}{r}" for c, letter in zip(revenue_columns, added_columns))
        sheet.write_formula(at, _index(contributions), f"=({raised})*1000000000" if raised else "=0", money,
                            row.contributions_riels)
        paid = dict(row.financing_riels)
        for option, inputs, amount in blocks:
            if option.kind == "revenue_growth":
                sheet.write_number(at, _index(inputs["gain"]), option.gain_pp(row.year), number_in)
                sheet.write_number(at, _index(inputs["share"]), option.share, share_in)
                formula = f"={gdp}{r}*{inputs['gain']}{r}/100*{inputs['share']}{r}"
            elif option.kind == "reallocation":
                terms = []
                for line, moved in option.line_shares(row.year).items():
                    sheet.write_number(at, _index(inputs[("line", line)]), space.frame.line_share(line, row.year), share_in)
                    sheet.write_number(at, _index(inputs[("moved", line)]), moved, share_in)
                    terms.append(f"{inputs[('line', line)]}{r}*{inputs[('moved', line)]}{r}")
                formula = f"={spending}{r}*({'+'.join(terms)})"
            else:
                sheet.write_number(at, _index(inputs["share"]), option.share, share_in)
                formula = f"={contributions}{r}*{inputs['share']}{r}"
            sheet.write_formula(at, _index(amount), formula, money, paid[option.name])
        amounts = "+".join(f"{amount}{r}" for _, _, amount in blocks)
        sheet.write_formula(at, _index(financed), f"={amounts}", money, row.financed_riels)
        sheet.write_formula(at, _index(residual), f"=MAX({cost}{r}-{financed}{r},0)", money, row.residual_riels)
        sheet.write_formula(at, _index(residual_gdp), f"={residual}{r}/{gdp}{r}*100", pct,
                            row.residual_pct_gdp)
        sheet.write_formula(at, _index(surplus), f"=MAX({financed}{r}-{cost}{r},0)", money, row.surplus_riels)
    n = len(space.central)
    share_rule = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                  "error_title": "Not a share", "error_message": "Expected a share from 0 to 1."}
    rules = {_index(revenue_pct): _percent_rule("revenue"), _index(sp_pct): _percent_rule("social protection spending"),
             **{_index(letter): share_rule for letter in added_columns}}
    for option, inputs, _ in blocks:
        for key, letter in inputs.items():
            rules[_index(letter)] = GAIN_RULE if key == "gain" else share_rule
    for column, rule in rules.items():
        sheet.data_validation(1, column, n, column, rule)
    notes = [
        "How to read it: the floor's cost is the Summary's total (the measures' whole cost); revenue and current social "
        "protection spending are shares of GDP (yellow, from policies/macro/fiscal_frame.yaml: the budget laws' "
        "figures in their years, the nearest year's share of GDP in the others); GDP and spending are Inputs_Macro's.",
        "Financing, in the order of the columns (policies/macro/financing.yaml, each an assumption): a tax effort = GDP "
        "x gain / 100 x share for social protection; a reallocation = spending x the line's share x the share moved; "
        "contributions = each scheme's revenue on the Summary x the share of it the reform adds (measured in the "
        "first year's microsimulation: 1 for a scheme the reform switches on) x the share earmarked. Residual = "
        "MAX(cost - financing, 0): what borrowing or cuts elsewhere must meet.",
        "Revenue and current social protection spending are shares of GDP here: change GDP on Inputs_Macro and they "
        "follow (the command holds a budget law's revenue at its riels in its own year).",
        "The same arithmetic as `microsim fiscal SCENARIO --costing cohort` (equal to the riel); `microsim fiscal` "
        "without --costing takes the cost from the projection instead (docs/fiscal-space.md).",
    ]
    for j, text in enumerate(notes):
        sheet.merge_range(n + 2 + j, 0, n + 2 + j, 12, text, wrap)
        sheet.set_row(n + 2 + j, 45)
    sheet.freeze_panes(1, 1)
    sheet.protect("", {"format_columns": True})


GAIN_RULE = {"validate": "decimal", "criteria": "between", "minimum": -10, "maximum": 20, "error_title": "Not a gain",
             "error_message": "Expected percentage points of GDP, from -10 to 20."}


def _percent_rule(what: str) -> dict:
    return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100, "error_title": "Not a share of GDP",
            "error_message": f"Expected {what} in percent of GDP, from 0 to 100."}


def _index(letter: str) -> int:
    """The 0-based index of a column letter (A -> 0, AA -> 26)."""
    index = 0
    for char in letter:
        index = index * 26 + ord(char) - 64
    return index - 1
