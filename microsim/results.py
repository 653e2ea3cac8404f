"""Results as typed records: what every report, workbook, table and ``summary.json`` is rendered from.

A simulated year gives a :class:`YearResult`: its :class:`Headline` (poverty and cost of the
reform), one :class:`ProgrammeResult` per programme and its :class:`Demography`. Scripts read
these (or ``summary.json``, their JSON form, documented in docs/outputs.md); nothing is ever
parsed back from a display label. Units are in the field names: ``_pct`` percent, ``_pp``
percentage points, ``_riels_per_year`` riels a year in the year's prices, ``_usd_per_year`` US
dollars a year, ``_persons`` / ``_households`` weighted counts.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

SUMMARY_FORMAT = "microsim-summary/1"


def number(x, digits: int | None = None):
    """A JSON-safe number: None for missing or infinite values; rounded when ``digits`` is given."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return round(x, digits) if digits is not None else x


@dataclass(frozen=True)
class Headline:
    """The reform against the baseline in one year, for the whole population."""

    poverty_rate_baseline_pct: float | None
    poverty_rate_reform_pct: float | None
    poverty_rate_change_pp: float | None
    poverty_gap_baseline_pct: float | None
    poverty_gap_reform_pct: float | None
    poverty_severity_baseline_x100: float | None
    poverty_severity_reform_x100: float | None
    poor_persons_baseline: float | None
    poor_persons_reform: float | None
    persons_lifted_out_of_poverty: float | None
    persons_fallen_into_poverty: float | None
    cost_baseline_total_riels_per_year: float | None
    cost_reform_total_riels_per_year: float | None
    cost_change_riels_per_year: float | None
    cost_change_usd_per_year: float | None
    cost_change_pct_gdp: float | None
    cost_change_pct_government_spending: float | None
    cost_per_person_lifted_riels_per_year: float | None
    cost_per_person_lifted_usd_per_year: float | None
    gini_baseline: float | None
    gini_reform: float | None
    population_persons: float | None
    population_households: float | None


@dataclass(frozen=True)
class ProgrammeResult:
    """One programme's cost and caseload in one year (reform system unless said otherwise).

    ``recipients_*_persons`` counts persons paid a person benefit (None for a household benefit);
    ``receiving_households_*`` counts households with at least one payment. Costs include the
    administrative cost rate. ``not_in_force`` says why a programme pays nothing that year.
    """

    programme: str
    label: str
    entity: str
    in_survey_consumption: bool
    cost_baseline_riels_per_year: float | None
    cost_reform_riels_per_year: float | None
    cost_change_riels_per_year: float | None
    cost_reform_usd_per_year: float | None
    cost_reform_pct_gdp: float | None
    cost_reform_pct_government_spending: float | None
    recipients_baseline_persons: float | None
    recipients_reform_persons: float | None
    receiving_households_baseline: float | None
    receiving_households_reform: float | None
    persons_in_receiving_households_reform: float | None
    admin_cost_rate: float | None
    not_in_force: str | None = None


@dataclass(frozen=True)
class Demography:
    """The simulated year's population (weighted) and how hard reweighting to it pulled."""

    persons: float
    households: float
    children_0_14_persons: float
    older_65_plus_persons: float
    older_65_plus_pct: float
    kish_design_effect: float | None
    weight_ratio_min: float | None
    weight_ratio_max: float | None


@dataclass(frozen=True)
class YearResult:
    """Everything a simulated year reports, as records."""

    year: int
    ageing: bool
    growth: bool
    price_factor: float
    real_growth_factor: float
    headline: Headline
    programmes: tuple[ProgrammeResult, ...]
    demography: Demography

    def to_json(self) -> dict:
        return {"year": self.year, "ageing": self.ageing, "growth": self.growth,
                "price_factor": number(self.price_factor), "real_growth_factor": number(self.real_growth_factor),
                "headline": record_json(self.headline),
                "programmes": [record_json(p) for p in self.programmes],
                "demography": record_json(self.demography)}


def record_json(record) -> dict:
    """A record as a JSON-safe dict (missing and infinite numbers become null)."""
    out = {}
    for k, v in asdict(record).items():
        out[k] = number(v) if isinstance(v, (float, np.floating)) else v
    return out


def field_names(cls) -> list[str]:
    return [f.name for f in fields(cls)]


# ---- building the records from a simulation's tables ------------------------------------------------
def headline_from_tables(tables: dict[str, pd.DataFrame], usd_rate: float | None, households: float) -> Headline:
    """The headline of a year from its poverty, cost and inequality tables (``usd_rate``: riels per USD)."""
    pov = tables["poverty"].set_index(["breakdown", "group"])
    nat = pov.loc[("national", "all persons")]
    total = tables["costs"].set_index("programme").loc["Total"]
    ineq = tables["inequality"].set_index("measure")["value"]
    lifted = float(nat["lifted out of poverty (persons)"])
    change = float(total["change (riels per year)"])
    per_lifted = change / lifted if lifted > 0 else None
    return Headline(
        poverty_rate_baseline_pct=number(nat["headcount baseline (%)"]),
        poverty_rate_reform_pct=number(nat["headcount reform (%)"]),
        poverty_rate_change_pp=number(nat["headcount change (pp)"]),
        poverty_gap_baseline_pct=number(nat["gap baseline (%)"]), poverty_gap_reform_pct=number(nat["gap reform (%)"]),
        poverty_severity_baseline_x100=number(nat["severity baseline (x100)"]),
        poverty_severity_reform_x100=number(nat["severity reform (x100)"]),
        poor_persons_baseline=number(nat["poor baseline (persons)"]), poor_persons_reform=number(nat["poor reform (persons)"]),
        persons_lifted_out_of_poverty=number(lifted),
        persons_fallen_into_poverty=number(nat["fallen into poverty (persons)"]),
        cost_baseline_total_riels_per_year=number(total["cost baseline (riels per year)"]),
        cost_reform_total_riels_per_year=number(total["cost reform (riels per year)"]),
        cost_change_riels_per_year=number(change),
        cost_change_usd_per_year=number(total["change (USD per year)"]),
        cost_change_pct_gdp=number(total["change (% of GDP)"]),
        cost_change_pct_government_spending=number(total["change (% of government spending)"]),
        cost_per_person_lifted_riels_per_year=number(per_lifted),
        cost_per_person_lifted_usd_per_year=number(per_lifted / usd_rate) if per_lifted and usd_rate else None,
        gini_baseline=number(ineq["Gini, baseline"]), gini_reform=number(ineq["Gini, reform"]),
        population_persons=number(nat["persons"]),
        population_households=number(households),
    )


# Words for every headline field: sheet and column headers, the projection's table by year.
HEADLINE_LABELS = {
    "poverty_rate_baseline_pct": "poverty headcount, baseline (% of persons)",
    "poverty_rate_reform_pct": "poverty headcount, reform (% of persons)",
    "poverty_rate_change_pp": "poverty headcount change (pp)",
    "poverty_gap_baseline_pct": "poverty gap, baseline (%)",
    "poverty_gap_reform_pct": "poverty gap, reform (%)",
    "poverty_severity_baseline_x100": "poverty severity, baseline (x100)",
    "poverty_severity_reform_x100": "poverty severity, reform (x100)",
    "poor_persons_baseline": "poor persons, baseline",
    "poor_persons_reform": "poor persons, reform",
    "persons_lifted_out_of_poverty": "persons lifted out of poverty",
    "persons_fallen_into_poverty": "persons fallen into poverty",
    "cost_baseline_total_riels_per_year": "cost of all modelled programmes, baseline (riels per year)",
    "cost_reform_total_riels_per_year": "cost of all modelled programmes, reform (riels per year)",
    "cost_change_riels_per_year": "cost of the reform (riels per year)",
    "cost_change_usd_per_year": "cost of the reform (USD per year)",
    "cost_change_pct_gdp": "cost of the reform (% of GDP)",
    "cost_change_pct_government_spending": "cost of the reform (% of government spending)",
    "cost_per_person_lifted_riels_per_year": "cost per person lifted out of poverty (riels per year)",
    "cost_per_person_lifted_usd_per_year": "cost per person lifted out of poverty (USD per year)",
    "gini_baseline": "Gini, baseline",
    "gini_reform": "Gini, reform",
    "population_persons": "population (persons)",
    "population_households": "population (households)",
}
