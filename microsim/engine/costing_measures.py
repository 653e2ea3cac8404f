"""What a programme tells the spreadsheet costing (``microsim cost`` and the live workbook): its
measures, and the helpers that measure a measure's reach on the first year's simulation.

The costing (:mod:`microsim.studies.costing`) expresses a person benefit with one amount a month
by age group itself. A programme whose benefit the spreadsheet must count another way (from
births, from the prevalence of disability, by households hit by a shock) declares it: it passes
``costing=`` to :func:`microsim.engine.modules.programme`, a function ``(simulation, parameters,
label) -> list of Measure or ShockMeasure`` in the programme's own file. The costing then never
tests a programme's name. Amounts are riels a month of the first year; shares are 0 to 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from microsim.errors import SpecError

MAX_AGE = 100  # ages 100 and over in one row
MEASURE_BASES = ("ages", "births", "disability")  # how eligible persons are counted (words for each: costing.BASES)
AMOUNT_KINDS = ("benefit", "average", "per_birth")


@dataclass(frozen=True)
class Measure:
    """One benefit, costed by age group (amounts in riels per person per month, of the first year)."""

    name: str
    label: str
    min_age: int
    max_age: int
    coverage: float
    take_up: float
    amount: float
    indexation: str  # none, cpi, fixed or wages (the model's earnings index, for a benefit from wages)
    indexation_rate: float  # percent a year, for fixed
    months: float
    admin_rate: float
    coverage_note: str
    sex: str = "both"  # both, male or female
    base: str = "ages"  # who is eligible: "ages" (persons of min_age..max_age), "births" or "disability"
    amount_kind: str = "benefit"  # "benefit" (the module's amount), "average" (of amounts that vary by person,
    #                               the first year's mix) or "per_birth" (a module's first-year cost per birth)
    reachable: float = 1.0  # the coverage with the targeting dropped ("everyone reached"): 1 unless some
    #                         are paid another benefit instead (NSSF-insured mothers) or the share is the mix's
    microsimulation_cost: float | None = None  # the first year's microsimulated cost of this measure, when it
    #                                           is part of a module's (the allowance and the NSSF's benefit)

    @property
    def average(self) -> bool:
        """The amount stands for amounts that vary (an average, or a cost per birth)."""
        return self.amount_kind != "benefit"


    def __post_init__(self):
        if self.base not in MEASURE_BASES or self.amount_kind not in AMOUNT_KINDS or self.sex not in ("both", "male", "female"):
            raise ValueError(f"Measure {self.name}: base {self.base!r} (one of {MEASURE_BASES}), amount_kind "
                             f"{self.amount_kind!r} (one of {AMOUNT_KINDS}), sex {self.sex!r} (both, male or female)")


@dataclass(frozen=True)
class ShockMeasure:
    """A shock-responsive transfer, costed by households (amounts in riels per household per month).

    In a shock year: households of the hit zones x share hit; of those, the IDPoor share gets the
    vertical top-up and the near-poor share the horizontal transfer, for ``months`` months; the
    annual cost is weighted by the trigger probability when ``expected`` (a budget provision).
    """

    name: str
    label: str
    zones: tuple[str, ...]
    share_hit: float
    vertical_share: float  # IDPoor households topped up per household hit (measured in the first year)
    horizontal_share: float  # non-IDPoor households below the near-poor line reached per household hit (measured)
    vertical_amount: float
    horizontal_amount: float
    months: float
    trigger_probability: float
    expected: bool
    admin_rate: float
    coverage_note: str


@dataclass(frozen=True)
class ContributionMeasure:
    """A social insurance scheme's contributions, costed the spreadsheet way as revenue (not a cost):
    insured workers x insurable wage x contribution rate x 12 months, by year.

    ``insured_share`` is the insured persons per person aged ``min_age``..``max_age``, measured on
    the first year's simulation and held. ``wages`` gives, for every year, the mean contributable
    wage of the first year's contributors (riels a month): their earnings grown as the model grows
    them, held within the scheme's floor and ceiling of that year, so the path bends where the
    nominal ceiling binds; ``rates`` the scheme's rate in force on 1 January of each year (0 in a year
    it is not in force). ``collected_share`` is the share of the contribution at that rate which the
    payers pay (1 unless a subsidy pays the rest: the voluntary scheme's government subsidy, costed
    as a benefit of its own, not as revenue)."""

    name: str
    label: str
    min_age: int
    max_age: int
    insured_share: float
    wages: tuple[tuple[int, float], ...]  # (year, insurable wage, riels per insured person per month)
    rates: tuple[tuple[int, float], ...]  # (year, rate of the contributable wage) for every year costed
    worker_share: float  # of the contribution collected, paid by the worker (the rest by the employer)
    coverage_note: str
    collected_share: float = 1.0  # of the contribution at the rate, collected from the payers (the rest a subsidy)
    microsimulation_revenue: float = 0.0  # the first year's microsimulated revenue (riels a year)

    def rate_in(self, year: int) -> float:
        return dict(self.rates)[year]

    def wage_in(self, year: int) -> float:
        return dict(self.wages)[year]

    @property
    def insurable_wage(self) -> float:
        """The first year's insurable wage (riels a month)."""
        return self.wages[0][1]


def age_group(pop, lo: int, hi: int, sex: str = "both") -> np.ndarray:
    """Persons aged ``lo``..``hi`` (of one sex, unless ``both``)."""
    age = pop.persons["age"].to_numpy()
    group = (age >= lo) & (age <= hi)
    if sex != "both":
        group &= pop.persons["sex"].to_numpy() == sex
    return group


def average_paid(weights: np.ndarray, amounts: np.ndarray, paid_to: np.ndarray) -> float | None:
    """The weighted average amount over those paid (riels a month); None when nobody is paid."""
    paid_weight = float(weights @ paid_to)
    return float(weights @ (amounts * paid_to)) / paid_weight if paid_weight else None


def reached_share(weights: np.ndarray, paid_to: np.ndarray, group: np.ndarray, take_up: float) -> float:
    """The share of ``group`` (persons represented) the rules reach, before take-up."""
    among = float(weights @ group)
    reached = float(weights @ (paid_to & group)) / take_up if take_up > 0 else 0.0
    return min(reached / among, 1.0) if among > 0 else 0.0


SPREADSHEET_RULES = ("none", "cpi", "fixed", "wages")  # a reform's rules the workbook follows (earnings: its own)


def indexation(sim, name: str) -> tuple[str, float]:
    """The reform's indexation rule of ``name.amount`` and its rate (percent a year), as the spreadsheet
    can follow them: none, cpi or fixed."""
    rule = sim.scenario.reform.get(f"{name}.amount.indexation", "none")
    if rule not in SPREADSHEET_RULES:
        raise SpecError(f"{sim.scenario.path}: `{name}.amount.indexation: {rule}` is not in the spreadsheet's rules "
                        f"({', '.join(SPREADSHEET_RULES)}); use `microsim project` for GDP per head.")
    return rule, float(sim.scenario.reform.get(f"{name}.amount.indexation_rate", 0.0))
