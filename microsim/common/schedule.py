"""Values by year: a schedule ``{2026: 80, 2028: 75}`` (a reform phased in, a financing path).

Each value holds from its year until the next; before the first year there is no value (the
caller keeps what it had). Years are whole numbers within a range, listed once each in
increasing order; a year key may be written as a number or as a string of four digits (JSON).
"""

from __future__ import annotations

import datetime as dt
import re

from microsim.errors import SpecError

YEAR_KEY = re.compile(r"\s*\d{4}\s*", re.ASCII)


def schedule_years(schedule, where: str, name: str, years: tuple[int, int]) -> list[tuple[int, object]]:
    """The (year, value) pairs of ``schedule``, checked: a non-empty mapping whose keys are whole
    years within ``years`` (first, last), increasing. Errors name ``where``, ``name`` and the year."""
    if not isinstance(schedule, dict) or not schedule:
        found = "an empty schedule" if isinstance(schedule, dict) else f"{schedule!r}, not a schedule"
        raise SpecError(f"{where}: `{name}` has {found}; give `{{year: value}}` pairs, e.g. "
                        f"`{name}: {{2026: ..., 2028: ...}}`.")
    first, last = years
    pairs, previous = [], None
    for key, value in schedule.items():
        year = int(key) if isinstance(key, str) and YEAR_KEY.fullmatch(key) else key
        if isinstance(year, bool) or not isinstance(year, int):
            shown = key.isoformat() + " (a date)" if isinstance(key, dt.date) else repr(key)
            raise SpecError(f"{where}: `{name}`'s schedule has the key {shown}; its keys are years such as 2026 "
                            "(the value takes effect on 1 January of that year).")
        if not first <= year <= last:
            raise SpecError(f"{where}: `{name}`'s schedule names year {year}, outside the years the model "
                            f"simulates ({first} to {last}).")
        if previous is not None and year <= previous:
            raise SpecError(f"{where}: `{name}`'s schedule lists year {year} after {previous}; list each year once, "
                            "in increasing order.")
        pairs.append((year, value))
        previous = year
    return pairs


def value_in(pairs: list[tuple[int, object]], year: int, before=None):
    """The value in force in ``year``: the last scheduled at or before it (``before`` if none)."""
    found = before
    for scheduled, value in pairs:  # a handful of years
        if scheduled <= year:
            found = value
    return found


def nearest_year(values, year: int) -> int:
    """The year of ``values`` (a mapping or a collection of years) nearest to ``year``, the later of
    two as near: how a year without a published value borrows one (its share of GDP)."""
    return min(values, key=lambda y: (abs(y - year), -y))


def schedule_text(schedule: dict) -> str:
    """A schedule as a reader sees it: ``{2026: 80, 2030: 70}`` -> ``80 from 2026; 70 from 2030``."""
    def shown(value):
        return ("true" if value else "false") if isinstance(value, bool) else value
    return "; ".join(f"{shown(value)} from {year}" for year, value in schedule.items())
