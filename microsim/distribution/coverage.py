"""Social insurance coverage of workers, in the spirit of SDG indicator 1.3.1: the share of persons
in work who are covered by at least one contributory scheme, baseline and reform, nationally and by
sector, sex, zone and decile of consumption before benefits.

A worker is covered when any contribution scheme the system collects is paid on their wage (the
NSSF's, and any a reform adds), or a subsidy is paid into their pension account, or when they are a
public servant (insured by the NSSF-C, whose
contributions the model does not compute: the rates were not found, docs/research/). Persons in
work are those whose status in employment is one of work (``microsim.population.labour``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microsim.engine.modules import Module
from microsim.engine.system import SystemResult
from microsim.population.labour import IN_WORK, LABOUR_STATUSES, population_labour_status
from microsim.population.population import Population

COLUMNS = ("breakdown", "group", "persons in work", "covered, baseline (%)", "covered, reform (%)", "change (pp)",
           "covered workers, reform (persons)")


def in_work_and_public(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """(persons in work, public servants), bool per person, from the status in employment."""
    status = np.asarray(population_labour_status(pop).codes)
    in_work = (status >= 0) & (status < len(IN_WORK))  # IN_WORK leads LABOUR_STATUSES; -1: no status (under 15)
    return in_work, status == LABOUR_STATUSES.index("public_servant")


def covered_workers(pop: Population, system: SystemResult, modules: dict[str, Module]) -> np.ndarray:
    """Persons in work covered by at least one contributory scheme under ``system`` (bool per person):
    a contribution paid on their earnings, a subsidy paid into their account (a member whose whole
    contribution the government pays), or the NSSF-C as a public servant."""
    in_work, covered = in_work_and_public(pop)
    for collected in system.contributions.values():
        covered = covered | (collected > 0)
    for name, paid in system.benefits.items():
        if not modules[name].consumed and modules[name].entity == "person":
            covered = covered | (np.asarray(paid, dtype=np.float64) > 0)
    return covered & in_work


def group_codes(pop: Population) -> dict[str, tuple[list[str], np.ndarray]]:
    """The breakdowns that do not depend on the weights, each its groups (a categorical column's
    categories) and each person's code among them (-1: none, under 15): national, sector, status,
    sex and zone. Groups nobody in work belongs to (unemployed, inactive) are left out of the table."""
    status = population_labour_status(pop)
    zone = pop.households["zone"]
    columns = {"sector": pop.persons["employment_type"].array, "status in employment": status,
               "sex": pop.persons["sex"].array}
    out = {"national": (["all"], np.zeros(pop.n_persons, np.int64))}
    out |= {name: ([str(c) for c in column.categories], np.asarray(column.codes)) for name, column in columns.items()}
    out["zone"] = ([str(z) for z in zone.cat.categories], zone.cat.codes.to_numpy()[pop.person_household_index])
    return out


def coverage_table(pop: Population, deciles: np.ndarray, baseline: SystemResult, reform: SystemResult,
                   modules: dict[str, Module]) -> pd.DataFrame:
    """Coverage of persons in work by breakdown (``deciles``: each household's decile of consumption
    before benefits, 0-9). Whole-column sums by group code (np.bincount), no loop over persons."""
    w = pop.person_weight()
    in_work, _ = in_work_and_public(pop)
    covered_b, covered_r = covered_workers(pop, baseline, modules), covered_workers(pop, reform, modules)
    breakdowns = {**group_codes(pop),  # each breakdown: its groups in order, and each person's position among them
                  "decile": ([f"decile {d + 1}" for d in range(10)], np.asarray(deciles)[pop.person_household_index])}
    rows = []
    in_work_w, covered_b_w, covered_r_w = w * in_work, w * covered_b, w * covered_r  # covered implies in work
    for breakdown, (groups, codes) in breakdowns.items():
        slot = np.where(codes >= 0, codes, len(groups))  # persons outside the groups go to a last, dropped slot
        persons, cov_b, cov_r = (np.bincount(slot, weights, minlength=len(groups) + 1)[:-1]
                                 for weights in (in_work_w, covered_b_w, covered_r_w))
        for group, n, b, r in zip(groups, persons, cov_b, cov_r):
            if n == 0:
                continue
            rows.append({"breakdown": breakdown, "group": group, "persons in work": float(n),
                         "covered, baseline (%)": b / n * 100, "covered, reform (%)": r / n * 100,
                         "change (pp)": r / n * 100 - b / n * 100, "covered workers, reform (persons)": float(r)})
    return pd.DataFrame(rows, columns=list(COLUMNS))
