"""The sheets of a run folder's workbook.xlsx, for analysts and trainees who work in Excel (XlsxWriter).

Every sheet: a title row saying what it holds, a bold header row in words with units, frozen
so it stays in view, number formats (thousands separators, two decimals for percentages), and
column widths that fit. Besides the result tables, a run's workbook has ``Inputs`` (every
parameter in force, baseline and reform, with unit and reference) and ``How costs are computed``
(recipients x monthly amount x 12 x (1 + administrative cost) as live Excel formulas next to the
simulated cost, with each formula's value cached so the file shows numbers before Excel
recalculates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

MAX_SHEET_NAME = 31


@dataclass(frozen=True)
class Sheet:
    """A sheet: ``title`` (first row), a table, and optional formulas ``{column: template}``.

    A template such as ``"={recipients}*{amount}*12"`` names other columns in braces; each row's
    cell references replace them, and the column's values in ``frame`` are the cached results.
    """

    name: str
    title: str
    frame: pd.DataFrame
    formulas: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)  # column -> Excel number format, overriding the default


def number_format(column: str) -> str:
    """The Excel number format for a column, from the unit in its name."""
    c = column.lower()
    if "rate (share" in c or c.endswith("(share)"):
        return "0.0%"
    if "(%" in c or "(pp)" in c or "% of" in c or "percent" in c:
        return "#,##0.00"
    if any(k in c for k in ("factor", "gini", "design effect", "ratio", "x100")):
        return "0.0000"
    if any(k in c for k in ("riels", "usd", "persons", "households", "recipients")):
        return "#,##0"
    return "#,##0.00"


def column_letter(index: int) -> str:
    """The Excel column letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def write_workbook(path: Path, sheets: list[Sheet]) -> None:
    """Write ``sheets`` to ``path`` (an .xlsx file)."""
    names = [s.name[:MAX_SHEET_NAME] for s in sheets]
    if len(set(names)) != len(names):
        raise ValueError(f"Duplicate sheet names: {names}")
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    title_fmt = book.add_format({"bold": True, "font_size": 12})
    head_fmt = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF5", "border": 1})
    text_fmt = book.add_format({"text_wrap": False, "valign": "top"})
    formats: dict[str, object] = {}
    formula_fmts: dict[str, object] = {}

    def fmt(code: str, formula: bool = False):
        cache = formula_fmts if formula else formats
        if code not in cache:
            props = {"num_format": code}
            if formula:
                props["bg_color"] = "#FFF8E1"  # formula cells stand out
            cache[code] = book.add_format(props)
        return cache[code]

    for sheet, name in zip(sheets, names):
        ws = book.add_worksheet(name)
        df = sheet.frame
        ws.write(0, 0, sheet.title, title_fmt)
        cols = list(df.columns)
        for j, col in enumerate(cols):
            ws.write(1, j, str(col), head_fmt)
            numeric = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
            width = min(max(len(str(col)) * 0.55, 10), 40)
            if not numeric:
                longest = df[col].astype(str).str.len().max() if len(df) else 0
                width = min(max(width, (longest or 0) + 2), 70)
            ws.set_column(j, j, width)
        ws.set_row(1, 45)
        letters = {col: column_letter(j) for j, col in enumerate(cols)}
        for i, row in enumerate(df.itertuples(index=False)):
            r = i + 2
            for j, (col, value) in enumerate(zip(cols, row)):
                code = sheet.formats.get(col) or number_format(str(col))
                if col in sheet.formulas:
                    refs = {c: f"{letters[c]}{r + 1}" for c in cols}
                    formula = sheet.formulas[col].format(**refs)
                    cached = float(value) if isinstance(value, (int, float, np.number)) and np.isfinite(value) else 0
                    ws.write_formula(r, j, formula, fmt(code, True), cached)
                elif value is None or (isinstance(value, float) and not np.isfinite(value)):
                    ws.write_blank(r, j, None)
                elif isinstance(value, (bool, np.bool_)):
                    ws.write(r, j, "yes" if value else "no", text_fmt)
                elif isinstance(value, (int, float, np.number)):
                    ws.write_number(r, j, float(value), fmt("0" if str(col).lower() == "year" else code))
                else:
                    ws.write_string(r, j, str(value), text_fmt)
        ws.freeze_panes(2, 1 if len(cols) > 3 and not pd.api.types.is_numeric_dtype(df[cols[0]]) else 0)
        ws.autofilter(1, 0, 1 + len(df), max(len(cols) - 1, 0))
    book.close()
