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
from microsim.population.labour import IN_WORK, WORKING, labour_status
from microsim.population.population import Population

COLUMNS = ("breakdown", "group", "persons in work", "covered, baseline (%)", "covered, reform (%)", "change (pp)",
           "covered workers, reform (persons)")


def covered_workers(pop: Population, system: SystemResult, modules: dict[str, Module]) -> np.ndarray:
    """Persons in work covered by at least one contributory scheme under ``system`` (bool per person):
    a contribution paid on their earnings, a subsidy paid into their account (a member whose whole
    contribution the government pays), or the NSSF-C as a public servant."""
    status = np.asarray(labour_status(pop.persons).astype(object))
    covered = status == "public_servant"
    for collected in system.contributions.values():
        covered |= collected > 0
    for name, paid in system.benefits.items():
        if not modules[name].consumed and modules[name].entity == "person":
            covered |= np.asarray(paid, dtype=np.float64) > 0
    return covered & np.isin(status, IN_WORK)


def coverage_table(pop: Population, deciles: np.ndarray, baseline: SystemResult, reform: SystemResult,
                   modules: dict[str, Module]) -> pd.DataFrame:
    """Coverage of persons in work by breakdown (``deciles``: each household's decile of consumption
    before benefits, 0-9)."""
    w = pop.person_weight()
    status = np.asarray(labour_status(pop.persons).astype(object))
    in_work = np.isin(status, IN_WORK)
    covered_b, covered_r = covered_workers(pop, baseline, modules), covered_workers(pop, reform, modules)
    zone = pop.households["zone"]
    breakdowns = {  # each breakdown: its label per person, and its groups in order
        "national": (np.full(pop.n_persons, "all", dtype=object), ["all"]),
        "sector": (np.asarray(pop.persons["employment_type"].astype(object)), list(WORKING)),
        "status in employment": (status, list(IN_WORK)),
        "sex": (np.asarray(pop.persons["sex"].astype(object)), ["male", "female"]),
        "zone": (np.asarray(zone.astype(object))[pop.person_household_index], [str(z) for z in zone.cat.categories]),
        "decile": (np.array([f"decile {d + 1}" for d in range(10)], dtype=object)[deciles[pop.person_household_index]],
                   [f"decile {d + 1}" for d in range(10)]),
    }
    rows = []
    for breakdown, (labels, groups) in breakdowns.items():
        for group in groups:
            members = in_work & (labels == group)
            persons = float(w @ members)
            if persons == 0:
                continue
            share_b = float(w @ (members & covered_b)) / persons * 100
            share_r = float(w @ (members & covered_r)) / persons * 100
            rows.append({"breakdown": breakdown, "group": group, "persons in work": persons,
                         "covered, baseline (%)": share_b, "covered, reform (%)": share_r, "change (pp)": share_r - share_b,
                         "covered workers, reform (persons)": float(w @ (members & covered_r))})
    return pd.DataFrame(rows, columns=list(COLUMNS))
