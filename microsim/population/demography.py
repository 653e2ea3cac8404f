"""The demographic facts every floor shares: the survey's year and the UN WPP age-structure
files (WPP 2022 by five-year group and year; WPP 2024 by single year of age, sex and year). The synthetic generator, the ageing of a
population to a year, the macro series and the economy read them here, so that none of them
borrows from the generator (:mod:`microsim.synth`) sits above it.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path

import pandas as pd

from microsim.errors import SpecError
from microsim.paths import WPP2024_FILE

SURVEY_FIRST_YEAR = 2019  # CSES 2019/20 started in 2019; its demographic year


def _year_rows(path: Path, year: int) -> pd.DataFrame:
    """The rows of ``year`` in an age-structure file (parsed once per file content)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise SpecError(f"Cannot read the age structure file {path}: {e.strerror or e}.") from e
    df = _wpp_table(str(path), hashlib.sha256(data).hexdigest(), data)
    rows = df[df["year"] == year]
    if rows.empty:
        raise SpecError(f"{path}: no row for year {year}; it has {int(df['year'].min())}-{int(df['year'].max())}.")
    return rows


def read_wpp_groups(path: Path, year: int) -> pd.Series:
    """Population by five-year group for ``year`` (thousands), indexed by the group's first age."""
    row = _year_rows(path, year)
    cols = [c for c in row.columns if c.startswith("age_")]
    starts = [int(c[4:].split("-")[0].split("_")[0]) for c in cols]
    return pd.Series(row[cols].to_numpy(dtype=float)[0], index=starts).sort_index()


@lru_cache(maxsize=4)
def _wpp_table(path: str, digest: str, data: bytes) -> pd.DataFrame:
    """The age-structure table, parsed once per file content."""
    try:
        return pd.read_csv(io.BytesIO(data))
    except (ValueError, pd.errors.ParserError) as e:
        raise SpecError(f"Cannot read the age structure file {path}: {e}") from e


def read_wpp_single_ages(year: int, path: Path = WPP2024_FILE) -> pd.DataFrame:
    """Population of ``year`` by single year of age (0-100, 100 = 100 and over), thousands: columns
    ``male`` and ``female``, indexed by age (UN WPP 2024, 1 July). A copy: the caller may change it."""
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as e:
        raise SpecError(f"Cannot read the age structure file {path}: {e.strerror or e}.") from e
    return _single_ages(str(path), digest, year).copy()


@lru_cache(maxsize=64)
def _single_ages(path: str, digest: str, year: int) -> pd.DataFrame:
    """The single ages of ``year``, pivoted once per file content and year (every simulated year asks
    for several years' totals: population growth, the ageing's targets)."""
    rows = _year_rows(Path(path), year)
    return rows.pivot(index="age", columns="sex", values="population_thousands")[["male", "female"]].sort_index()


def wpp_groups_of_single_ages(single: pd.DataFrame) -> pd.Series:
    """Five-year groups (thousands, indexed by the group's first age; 100 = 100 and over) of a
    table by single age, both sexes: the shape :func:`read_wpp_groups` gives."""
    both = single.sum(axis=1)
    return both.groupby(both.index // 5 * 5).sum().sort_index()


def wpp_total(year: int, path: Path = WPP2024_FILE) -> float:
    """Total population of ``year``, thousands (UN WPP 2024 by default: the vintage every ratio of
    population growth uses, GDP per head among them)."""
    return float(read_wpp_single_ages(year, path).to_numpy().sum())
