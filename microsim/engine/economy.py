"""Prices and growth in one place: how a population's riels become the simulated year's riels.

A population records consumption per person and the poverty line in the riels of its survey
(``price_year`` in its metadata; CSES 2019/20 by default), in the living standards of the survey
period. Simulating year Y needs both in Y's riels:

* **prices**: every amount is multiplied by the CPI factor from the survey's price level to Y's
  (:meth:`microsim.engine.macro.Macro.price_factor`);
* **real growth** (optional): consumption per person also grows in real terms by a pass-through
  times real GDP per head growth since the survey period (:func:`real_consumption_factor`). The
  poverty line is constant in real terms, so it moves with prices only.

:class:`YearEconomy` holds the two factors of one year, and its :meth:`~YearEconomy.consumption_pc`
and :meth:`~YearEconomy.poverty_line` are the only places where survey riels are converted:
benefit modules, poverty measures and every output read the arrays they return.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from microsim.population.demography import SURVEY_FIRST_YEAR, wpp_total
from microsim.engine.macro import Macro
from microsim.population.population import Population

SURVEY_PERIOD = "2019/20"


def price_basis(pop: Population) -> str:
    """The population's price basis: "2019/20" (CSES 2019/20) or a calendar year such as "2025"."""
    return str(pop.metadata.get("price_year", SURVEY_PERIOD) or SURVEY_PERIOD)


def population_growth(year: int) -> float:
    """Growth of UN WPP 2024's total population from ``year`` - 1 to ``year`` (a share)."""
    return wpp_total(year) / wpp_total(year - 1) - 1


def real_consumption_factor(macro: Macro, year: int, basis: str = SURVEY_PERIOD) -> float:
    """Real consumption per person in ``year`` relative to the population's price basis (a ratio).

    From 2020 it grows each year by ``consumption_pass_through`` x real GDP per head growth
    (real GDP growth over UN WPP population growth). The survey's consumption is taken as 2019's
    real level (an assumption: most CSES 2019/20 interviews preceded the COVID-19 contraction), so
    the survey year simulated with growth reproduces the survey's living standards.
    """
    pass_through = float(macro.raw["consumption_pass_through"]["value"])
    base_year = SURVEY_FIRST_YEAR if basis == SURVEY_PERIOD else int(basis)
    first = min(year, base_year)
    level = {first: 1.0}
    for y in range(first + 1, max(year, base_year, SURVEY_FIRST_YEAR + 1) + 1):  # a loop over years
        per_head = (1 + macro.value("real_gdp_growth", y) / 100) / (1 + population_growth(y)) - 1
        level[y] = level[y - 1] * (1 + pass_through * per_head)
    return level[year] / level[base_year]


@dataclass(frozen=True)
class YearEconomy:
    """The economy of one simulated year, relative to a population's survey.

    ``price_factor`` turns survey riels into the year's riels (CPI); ``real_growth_factor`` is real
    consumption per person relative to the survey period (1.0 when growth is off).
    """

    year: int
    price_factor: float
    real_growth_factor: float = 1.0
    growth: bool = False

    @property
    def consumption_factor(self) -> float:
        """Survey consumption x this = consumption in the year's riels and living standards."""
        return self.price_factor * self.real_growth_factor

    def consumption_pc(self, pop: Population) -> np.ndarray:
        """Consumption per person per household, riels per person per month, in the year's riels
        (the column itself, read-only, when the factor is 1: the survey's own year)."""
        return _scaled(pop.households["consumption_pc"].to_numpy(), self.consumption_factor)

    def poverty_line(self, pop: Population) -> np.ndarray:
        """Poverty line per household, riels per person per month, in the year's riels."""
        return _scaled(pop.households["poverty_line"].to_numpy(), self.price_factor)

    def describe(self) -> str:
        """One sentence for reports and the summary."""
        text = f"{self.year} riels: survey amounts uprated by the CPI (x {self.price_factor:.4f})"
        if self.growth:
            text += f", consumption also grown by real GDP per head x pass-through (x {self.real_growth_factor:.4f})"
        return text


def year_economy(pop: Population, year: int, macro: Macro, growth: bool = False) -> YearEconomy:
    """The prices (and, with ``growth``, real consumption growth) of ``year`` for ``pop``."""
    basis = price_basis(pop)
    factor = macro.price_factor(year, basis)
    real = real_consumption_factor(macro, year, basis) if growth else 1.0
    return YearEconomy(year, factor, real, growth)


def _scaled(values: np.ndarray, factor: float) -> np.ndarray:
    """``values x factor``; the values themselves (never copied, read-only) when the factor is 1."""
    if factor == 1.0 and not values.flags.writeable:
        return values
    return values * factor
