"""Consumption per person before and after transfers, for the baseline or the reform.

Post-transfer consumption per person = consumption + consumed share x (the household's modelled
benefits not already in survey consumption - its workers' shares of social insurance
contributions) / household size, in the simulated year's prices. All members of a household share
its consumption and poverty status.

Contributions: the worker's share of a contribution comes out of take-home pay, and the household
is taken to cut its consumption by the same consumed share it would spend of a benefit. The whole
worker's share is deducted: in the survey year (2019/20) no modelled contribution had one (health
care was paid by employers alone from 2018, occupational risk always, and pension contributions
began in October 2022), so survey consumption is before all of them. The employer's share is not
deducted (its incidence on wages is not modelled).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from microsim.engine.economy import YearEconomy
from microsim.engine.system import SystemResult
from microsim.engine.modules import Module
from microsim.population.population import Population
from microsim.distribution.household_totals import HouseholdTotals, household_totals, prepare_totals


MONTHS = 12


@dataclass
class Welfare:
    """Consumption under one system: riels per person per month, one value per household."""

    consumption: np.ndarray
    added: np.ndarray  # benefits added to consumption, riels per household per month
    deducted: np.ndarray  # workers' contributions taken from it, riels per household per month
    system: SystemResult
    _totals: dict | None = None  # module -> HouseholdTotals

    def totals(self, pop: Population, modules: dict[str, Module]) -> dict[str, "HouseholdTotals"]:
        """Each active module's :class:`HouseholdTotals` (what it pays each household), made once:
        person modules' from integer counts of members (shared through the population's cache with
        the other system and a sweep's variants), household modules' from their amounts."""
        if self._totals is None:
            benefits, keys = self.system.benefits, self.system.keys
            person = [n for n in benefits if modules[n].entity == "person"]
            prepare_totals(pop, [(benefits[n], keys.get(n)) for n in person])
            self._totals = {n: household_totals(pop, a, keys.get(n), per_person=n in person)
                            for n, a in benefits.items()}
        return self._totals

    def person_consumption(self, pop: Population) -> np.ndarray:
        return self.consumption[pop.person_household_index]


def welfare(pop: Population, system: SystemResult, modules: dict[str, Module], economy: YearEconomy,
            survey_system: Welfare | None = None) -> Welfare:
    """Post-transfer consumption per person of each household, in the year's riels.

    Benefits already in survey consumption (contributory pensions) are not added again; but when a
    system pays them differently from ``survey_system`` (the baseline, for a reform that changes a
    pension), the difference is added (or taken away), so a pension cut lowers consumption.
    """
    result = Welfare(np.empty(0), np.zeros(pop.n_households), workers_contributions(pop, system), system)
    totals = result.totals(pop, modules)
    reference = survey_system.totals(pop, modules) if survey_system is not None else {}
    for n, t in totals.items():
        if not modules[n].consumed:
            continue  # paid into an account (a pension subsidy): costed, not consumed
        if not modules[n].counted_in_consumption:
            if not t.nothing:
                result.added += t.amount
        elif survey_system is not None and (n not in reference or reference[n] is not t):
            result.added += t.amount - (reference[n].amount if n in reference else 0.0)
    if survey_system is not None:  # a counted module the reform switches off entirely
        for n, t in reference.items():
            if modules[n].counted_in_consumption and n not in totals:
                result.added -= t.amount
    share = system.params.simulation.consumed_share
    result.consumption = economy.consumption_pc(pop) + share * (result.added - result.deducted) / pop.household_size_float
    return result


def workers_contributions(pop: Population, system: SystemResult) -> np.ndarray:
    """The workers' shares of every contribution the system collects, riels per household per month."""
    total = np.zeros(pop.n_households)
    for name, collected in system.contributions.items():
        total += pop.household_sum(collected * getattr(system.params, name).worker_share)
    return total
