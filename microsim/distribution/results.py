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

SUMMARY_FORMAT = "microsim-summary/1"


def number(x, digits: int | None = None):
    """A JSON-safe number: None for missing or infinite values; rounded when ``digits`` is given."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return round(x, digits) if digits is not None else x


# How the intervals are made (microsim.studies.uncertainty), as summary.json states it
INTERVAL_METHOD = ("Poisson bootstrap of households (seeded by household id), each replicate recalibrated to "
                   "the base population's calibration targets when it was calibrated, brought to the year and "
                   "simulated like the estimate (baseline and reform paired); 95 % interval = estimate +- "
                   "t(0.975, R - 1) x bootstrap standard error")


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
    contributions_baseline_riels_per_year: float | None = None  # social insurance revenue (employers' and workers')
    contributions_reform_riels_per_year: float | None = None
    contributions_change_riels_per_year: float | None = None
    workers_covered_baseline_pct: float | None = None  # persons in work covered by a contributory scheme (SDG 1.3.1)
    workers_covered_reform_pct: float | None = None
    persons_covered_baseline_pct: float | None = None  # all persons covered by social insurance (contributors, recipients)
    persons_covered_reform_pct: float | None = None


@dataclass(frozen=True)
class ContributionResult:
    """One contribution scheme's revenue and contributors in one year (riels a year, in the year's
    prices): employers' and workers' shares together, and the workers' (which comes out of
    take-home pay). ``not_in_force`` says why it collects nothing that year."""

    scheme: str
    label: str
    revenue_baseline_riels_per_year: float | None
    revenue_reform_riels_per_year: float | None
    revenue_change_riels_per_year: float | None
    revenue_reform_usd_per_year: float | None
    revenue_reform_pct_gdp: float | None
    workers_share_reform_riels_per_year: float | None
    employers_share_reform_riels_per_year: float | None
    contributors_baseline_persons: float | None
    contributors_reform_persons: float | None
    not_in_force: str | None = None
    balancing_rate_reform: float | None = None  # the rate at which revenue pays the benefits it finances (share)


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
class PovertyGroup:
    """Poverty of one group (persons weighted), baseline and reform: FGT 0, 1 and 2."""

    breakdown: str
    group: str
    persons: float
    headcount_baseline_pct: float
    headcount_reform_pct: float
    headcount_change_pp: float
    poor_baseline_persons: float
    poor_reform_persons: float
    lifted_persons: float
    fallen_persons: float
    gap_baseline_pct: float
    gap_reform_pct: float
    severity_baseline_x100: float
    severity_reform_x100: float


@dataclass(frozen=True)
class Inequality:
    """Gini indexes (0-1) of consumption per person and mean consumption (riels per person per month)."""

    gini_without_benefits: float
    gini_baseline: float
    gini_reform: float
    mean_consumption_baseline: float
    mean_consumption_reform: float


@dataclass(frozen=True)
class BenefitAdequacy:
    """Is one benefit enough, in the reform, in the year's riels (microsim.distribution.adequacy):
    the mean amount a month per recipient (persons for a person benefit, households for a household
    benefit) and, in percent, of the poverty line (per person paid, or per member), of the receiving
    households' poverty line x members, of their consumption before the model's benefits, and of GDP
    per head (twelve months per person paid, or per member); for a social insurance benefit (a
    contributory pension, an unemployment benefit) the aggregate replacement rate: the amount per
    recipient against the mean earnings of insured workers in the year. None where undefined."""

    programme: str
    label: str
    entity: str
    recipients: float
    amount_per_recipient_riels_per_month: float
    pct_of_poverty_line: float | None
    pct_of_household_poverty_line: float | None
    pct_of_consumption: float | None
    pct_of_gdp_per_head: float | None
    replacement_rate_pct: float | None = None  # social insurance benefits: of insured workers' mean earnings


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
    intervals: dict | None = None  # 95 % intervals from bootstrap replicates (microsim.studies.uncertainty), or None
    notes: tuple[str, ...] = ()  # what a reader must know about this year (e.g. values that change during it)
    contributions: tuple[ContributionResult, ...] = ()  # each scheme, then a `total` record
    adequacy: tuple[BenefitAdequacy, ...] = ()  # each benefit the reform pays anyone
    poverty_gap_closed_per_riel: float | None = None  # riels of poverty gap closed a year per riel of extra cost

    def to_json(self) -> dict:
        return {"year": self.year, "ageing": self.ageing, "growth": self.growth,
                "price_factor": number(self.price_factor), "real_growth_factor": number(self.real_growth_factor),
                "headline": record_json(self.headline),
                "programmes": [record_json(p) for p in self.programmes],
                "contributions": [record_json(c) for c in self.contributions],
                "adequacy": [record_json(a) for a in self.adequacy],
                "poverty_gap_closed_per_riel": number(self.poverty_gap_closed_per_riel),
                "demography": record_json(self.demography),
                "notes": list(self.notes),
                "intervals": None if self.intervals is None else {
                    "replicates": self.intervals["replicates"],
                    "headline": {k: _interval_json(v) for k, v in self.intervals["headline"].items()},
                    "programmes": {name: {k: _interval_json(v) for k, v in fields.items()}
                                   for name, fields in self.intervals["programmes"].items()}}}


def _interval_json(interval) -> dict:
    return {"low": number(interval.low), "high": number(interval.high),
            "standard_error": number(interval.standard_error)}


def record_json(record) -> dict:
    """A record as a JSON-safe dict (missing and infinite numbers become null)."""
    out = {}
    for k, v in asdict(record).items():
        out[k] = number(v) if isinstance(v, (float, np.floating)) else v
    return out


def field_names(cls) -> list[str]:
    return [f.name for f in fields(cls)]


# ---- the headline from the records ---------------------------------------------------------------------
def headline_from_records(national: PovertyGroup, total: ProgrammeResult, inequality: Inequality,
                          money: "YearMoney", households: float,
                          contributions: ContributionResult | None = None,
                          coverage: dict[str, float] | None = None) -> Headline:
    """The headline of a year from its records: national poverty, the total cost, inequality,
    (``contributions``: the total record) social insurance revenue, and (``coverage``: headline
    field -> percent) the national coverage of workers and of persons by social insurance."""
    coverage = coverage or {}
    lifted = national.lifted_persons
    change = total.cost_change_riels_per_year
    per_lifted = change / lifted if lifted > 0 else None
    return Headline(
        poverty_rate_baseline_pct=number(national.headcount_baseline_pct),
        poverty_rate_reform_pct=number(national.headcount_reform_pct),
        poverty_rate_change_pp=number(national.headcount_change_pp),
        poverty_gap_baseline_pct=number(national.gap_baseline_pct), poverty_gap_reform_pct=number(national.gap_reform_pct),
        poverty_severity_baseline_x100=number(national.severity_baseline_x100),
        poverty_severity_reform_x100=number(national.severity_reform_x100),
        poor_persons_baseline=number(national.poor_baseline_persons), poor_persons_reform=number(national.poor_reform_persons),
        persons_lifted_out_of_poverty=number(lifted), persons_fallen_into_poverty=number(national.fallen_persons),
        cost_baseline_total_riels_per_year=number(total.cost_baseline_riels_per_year),
        cost_reform_total_riels_per_year=number(total.cost_reform_riels_per_year),
        cost_change_riels_per_year=number(change), cost_change_usd_per_year=money.usd(change),
        cost_change_pct_gdp=money.pct_gdp(change), cost_change_pct_government_spending=money.pct_spending(change),
        cost_per_person_lifted_riels_per_year=number(per_lifted),
        cost_per_person_lifted_usd_per_year=money.usd(per_lifted) if per_lifted is not None else None,
        gini_baseline=number(inequality.gini_baseline), gini_reform=number(inequality.gini_reform),
        population_persons=number(national.persons), population_households=number(households),
        contributions_baseline_riels_per_year=number(contributions.revenue_baseline_riels_per_year) if contributions else None,
        contributions_reform_riels_per_year=number(contributions.revenue_reform_riels_per_year) if contributions else None,
        contributions_change_riels_per_year=number(contributions.revenue_change_riels_per_year) if contributions else None,
        **{key: number(coverage[key]) for key in COVERAGE_FIELDS if key in coverage},
    )


COVERAGE_FIELDS = ("workers_covered_baseline_pct", "workers_covered_reform_pct", "persons_covered_baseline_pct",
                   "persons_covered_reform_pct")


@dataclass(frozen=True)
class YearMoney:
    """What a year's riels are worth against the economy: riels per USD, GDP and government spending
    (riels a year). None where the macro series cannot give the figure."""

    usd_rate: float | None
    gdp_riels: float | None
    government_spending_riels: float | None

    def usd(self, riels):
        return number(riels / self.usd_rate) if self.usd_rate and riels is not None else None

    def pct_gdp(self, riels):
        return number(riels / self.gdp_riels * 100) if self.gdp_riels and riels is not None else None

    def pct_spending(self, riels):
        return number(riels / self.government_spending_riels * 100) if self.government_spending_riels and riels is not None \
            else None


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
    "contributions_baseline_riels_per_year": "social insurance contributions, baseline (riels per year)",
    "contributions_reform_riels_per_year": "social insurance contributions, reform (riels per year)",
    "contributions_change_riels_per_year": "change in social insurance contributions (riels per year)",
    "workers_covered_baseline_pct": "persons in work covered by social insurance, baseline (%)",
    "workers_covered_reform_pct": "persons in work covered by social insurance, reform (%)",
    "persons_covered_baseline_pct": "persons covered by social insurance, baseline (%)",
    "persons_covered_reform_pct": "persons covered by social insurance, reform (%)",
}
