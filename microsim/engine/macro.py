"""Macroeconomic series: prices, GDP, government spending, exchange rate (policies/macro.yaml).

All indexes are annual averages. The CPI index is 100 in 2019; the survey's price level (CSES
2019/20) is a weighted mean of the 2019 and 2020 levels (an assumption stated in the file).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from microsim.population.demography import SURVEY_FIRST_YEAR, wpp_total
from microsim.common.schedule import nearest_year
from microsim.errors import SpecError
from microsim.paths import POLICIES
from microsim.common.yamlfile import parse_file_content

DEFAULT_MACRO = POLICIES / "macro.yaml"
CPI_BASE_YEAR = 2019


@dataclass(frozen=True)
class Macro:
    raw: dict
    path: Path
    sha256: str = ""  # of the bytes the series were read from (for manifests)

    def series(self, name: str) -> dict[int, float]:
        entry = self.raw.get(name)
        if not isinstance(entry, dict) or "values" not in entry:
            raise SpecError(f"{self.path}: no series `{name}` (expected `{name}: {{unit, source, values}}`).")
        return {int(y): float(v["value"] if isinstance(v, dict) else v) for y, v in entry["values"].items()}

    def value(self, name: str, year: int) -> float:
        values = self.series(name)
        if year not in values:
            raise SpecError(f"{self.path}, series `{name}`: no value for {year} (it has {sorted(values)}). "
                            "Add the year with its source, or simulate a year the file covers.")
        return values[year]

    def has(self, name: str, year: int) -> bool:
        try:
            return year in self.series(name)
        except SpecError:
            return False

    def growth_index(self, name: str, year: int, base_year: int = CPI_BASE_YEAR) -> float:
        """Index (base_year = 1) of a series given as annual % changes, e.g. ``cpi_inflation``."""
        growth = self.series(name)
        lo, hi = sorted((base_year, year))
        factor = 1.0
        for y in range(lo + 1, hi + 1):  # a loop over years, not people
            if y not in growth:
                raise SpecError(f"{self.path}, series `{name}`: no value for {y}, needed to index {base_year} to "
                                f"{year}. The file covers {min(growth)}-{max(growth)}.")
            factor *= 1 + growth[y] / 100
        return factor if year >= base_year else 1 / factor

    def gdp(self, year: int) -> float:
        """Nominal GDP, riels (new base): published where given; otherwise grown from the nearest
        earlier published year (or back from the first) with real growth and CPI inflation (the
        deflator is taken to be the CPI), so nominal growth = real growth x price growth."""
        published = self.series("gdp_nominal")
        if year in published:
            return published[year] * 1e9
        earlier = [y for y in published if y < year]
        anchor = max(earlier) if earlier else min(published)
        real = self.growth_index("real_gdp_growth", year, anchor)
        return published[anchor] * 1e9 * real * self.cpi(year) / self.cpi(anchor)

    def gdp_per_head_index(self, year: int, base_year: int) -> float:
        """Nominal GDP per head in ``year`` relative to ``base_year``: real growth, CPI inflation and
        UN WPP 2024 population growth (used by the `gdp_per_head` indexation rule)."""
        population = wpp_total(year) / wpp_total(base_year)
        return (self.growth_index("real_gdp_growth", year, base_year) * self.cpi(year) / self.cpi(base_year)
                / float(population))

    def government_spending(self, year: int) -> float:
        """Government spending, riels: published where given, else the nearest published year's
        share of GDP (the later one when two are as near)."""
        published = self.series("government_spending")
        if year in published:
            return published[year] * 1e9
        nearest = nearest_year(published, year)
        return published[nearest] * 1e9 / self.gdp(nearest) * self.gdp(year)

    def cpi(self, year: int) -> float:
        """CPI index, 2019 = 1."""
        return self.growth_index("cpi_inflation", year)

    def survey_price_level(self) -> float:
        """Price level of CSES 2019/20 consumption (2019 = 1)."""
        share_2019 = 1 - float(self.raw["survey_price_period"]["value"])
        return share_2019 * self.cpi(2019) + (1 - share_2019) * self.cpi(2020)

    def price_factor(self, year: int, price_year="2019/20") -> float:
        """Multiply riels of ``price_year`` by this to express them in ``year``'s prices.

        ``price_year`` is a population's price basis (its metadata): "2019/20" for CSES 2019/20
        consumption, or a calendar year.
        """
        if str(price_year) == "2019/20":
            return self.cpi(year) / self.survey_price_level()
        try:
            base = int(price_year)
        except (TypeError, ValueError):
            raise SpecError(f"Unknown price basis {price_year!r}: expected \"2019/20\" or a year such as 2025.") from None
        return self.cpi(year) / self.cpi(base)


SCALARS = {"consumption_pass_through": (0.0, 2.0), "survey_price_period": (0.0, 1.0)}
REQUIRED = ("cpi_inflation", "real_gdp_growth", "gdp_nominal", "government_spending", "exchange_rate",
            "consumption_pass_through", "survey_price_period")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_macro(raw, path: Path) -> None:
    """Every series: a mapping with ``unit`` and ``values`` (year -> number, or {value: number});
    every scalar: ``value`` within its range. Errors name the file, the series and the year."""
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: expected a mapping of series (cpi_inflation, real_gdp_growth, ...).")
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise SpecError(f"{path}: missing series {', '.join(f'`{m}`' for m in missing)} (see policies/macro.yaml).")
    for name, entry in raw.items():
        where = f"{path}, series `{name}`"
        if not isinstance(entry, dict) or "unit" not in entry:
            raise SpecError(f"{where}: expected `unit:` and `values:` (or `value:`), with sources.")
        if name in SCALARS:
            lo, hi = SCALARS[name]
            value = entry.get("value")
            if not _number(value) or not lo <= value <= hi:
                raise SpecError(f"{where}: `value` must be a number from {lo:g} to {hi:g} (found {value!r}).")
            continue
        if "values" not in entry:
            if "value" in entry and _number(entry["value"]):
                continue
            raise SpecError(f"{where}: expected `values:` mapping years to numbers.")
        values = entry["values"]
        if not isinstance(values, dict) or not values:
            raise SpecError(f"{where}: `values` must map years to numbers, e.g. `2026: {{value: 2.8}}`.")
        for year, v in values.items():
            if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
                raise SpecError(f"{where}: {year!r} is not a year; write years such as 2026.")
            value = v.get("value") if isinstance(v, dict) else v
            if not _number(value):
                raise SpecError(f"{where}, year {year}: expected a finite number (found {value!r}).")
            if name in ("gdp_nominal", "government_spending", "exchange_rate") and value <= 0:
                raise SpecError(f"{where}, year {year}: must be positive (found {value!r}).")
            if name.endswith(("inflation", "growth")) and not -50 < value < 100:
                raise SpecError(f"{where}, year {year}: a change of {value} % a year is not plausible "
                                "(expected more than -50 and less than 100).")


def supported_years(macro: Macro | None = None) -> tuple[int, int]:
    """First and last year a scenario can be simulated (and a schedule may name): the survey year to
    the end of the CPI series."""
    macro = macro or load_macro()
    return SURVEY_FIRST_YEAR, max(macro.series("cpi_inflation"))


def load_macro(path: str | Path | None = None) -> Macro:
    """The macro series of ``path`` (default policies/macro.yaml), checked; cached by content."""
    path = Path(path) if path else DEFAULT_MACRO
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SpecError(f"Cannot read the macro file {path}: {e.strerror or e}.") from e
    return _macro(path, hashlib.sha256(data).hexdigest(), data)


@lru_cache(maxsize=8)
def _macro(path: Path, digest: str, data: bytes) -> Macro:
    raw = parse_file_content(path, data, "macro file")
    check_macro(raw, path)
    return Macro(raw, path, digest)

