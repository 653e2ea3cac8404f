"""Numbers as an analyst writes them in a brief: amounts in millions or billions with their unit.

These functions only display; results stay numbers in their records (:mod:`microsim.distribution.results`).
"""

from __future__ import annotations

import math

MISSING = "n/a"


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def scaled(x, unit: str, digits: int = 1) -> str:
    """``1_493_900_000_000, "riels"`` -> ``1,493.9 billion riels``; below a million, whole units."""
    if not _finite(x):
        return MISSING
    size = abs(x)
    if size >= 1e12 * 1000:
        return f"{x / 1e12:,.{digits}f} trillion {unit}"
    if size >= 1e9:
        return f"{x / 1e9:,.{digits}f} billion {unit}"
    if size >= 1e6:
        return f"{x / 1e6:,.{digits}f} million {unit}"
    return f"{x:,.0f} {unit}"


def riels(x, digits: int = 1) -> str:
    """An amount of riels: ``1,493.9 billion riels``."""
    return scaled(x, "riels", digits)


def usd(x, digits: int = 0) -> str:
    """An amount of US dollars: ``USD 367 million``."""
    if not _finite(x):
        return MISSING
    size = abs(x)
    if size >= 1e9:
        return f"USD {x / 1e9:,.{max(digits, 2)}f} billion"
    if size >= 1e6:
        return f"USD {x / 1e6:,.{digits}f} million"
    return f"USD {x:,.0f}"


def money(riels_amount, usd_amount) -> str:
    """``1,493.9 billion riels (USD 367 million)``; the USD part is left out when unknown."""
    text = riels(riels_amount)
    return text + (f" ({usd(usd_amount)})" if _finite(usd_amount) else "")


def persons(x) -> str:
    """A weighted count of persons (or households), rounded as estimates from a sample should be:
    to the thousand from 100,000, to the hundred from 1,000 (``124,000``, ``1,300``)."""
    if not _finite(x):
        return MISSING
    if abs(x) >= 100_000:
        return f"{round(x, -3):,.0f}"
    if abs(x) >= 1_000:
        return f"{round(x, -2):,.0f}"
    return f"{x:,.0f}"


def pct(x, digits: int = 1) -> str:
    return f"{x:,.{digits}f} %" if _finite(x) else MISSING


def pp(x, digits: int = 2) -> str:
    return f"{x:+,.{digits}f} percentage points" if _finite(x) else MISSING


def plain(x, digits: int = 1) -> str:
    return f"{x:,.{digits}f}" if _finite(x) else MISSING


def csv_number(x) -> str:
    """A float for CSV files: plain decimals (never ``4.3553e+11``), up to 6 decimals, no trailing zeros."""
    if not _finite(x):
        return ""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# Category codes of the schema in words, for reports (tables and summary.json keep the codes).
WORDS = {
    "phnom_penh": "Phnom Penh", "other_urban": "other urban", "rural": "rural",
    "agriculture_self_employed": "agriculture (self-employed, family)", "industry_wage": "industry (wage)",
    "services": "services", "unemployed": "unemployed", "inactive": "inactive",
    "older_person_alone": "older person alone", "adult_alone": "adult alone", "couple_only": "couple only",
    "couple_with_children": "couple with children", "single_parent": "single parent",
    "three_generation": "three generations", "skipped_generation": "skipped generation (grandparents, children)",
}


def words(code) -> str:
    """A category code in words: ``phnom_penh`` -> ``Phnom Penh``; unknown codes lose underscores."""
    text = str(code)
    return WORDS.get(text, text.replace("_", " "))
