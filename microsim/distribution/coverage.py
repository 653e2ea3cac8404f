"""Social insurance coverage, in the spirit of SDG indicator 1.3.1: the share of persons in work who
are covered by at least one contributory scheme (by sector, status, sex, age group, zone and decile
of consumption before benefits), and the share of all persons covered by social insurance, as a
contributor or as the recipient of one of its benefits (by age group, sex, zone and decile),
baseline and reform.

A worker is covered when any contribution scheme the system collects is paid on their wage (the
NSSF's, and any a reform adds), or a subsidy is paid into their pension account, or when they are a
public servant (insured by the NSSF-C, whose
contributions the model does not compute: the rates were not found, docs/research/). Persons in
work are those whose status in employment is one of work (``microsim.population.labour``). A person
is covered when they are a covered worker or are paid a social insurance benefit (a module declared
with ``insurance=True``: a contributory pension, an NSSF old-age pension, an unemployment benefit).
Dependants of insured workers (the NSSF's health care for spouses and children) are not counted: the
model has no such scheme.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim.engine.modules import Module
from microsim.engine.system import SystemResult
from microsim.population.labour import IN_WORK, LABOUR_STATUSES, population_labour_status
from microsim.population.population import Population

COLUMNS = ("breakdown", "group", "persons in work", "covered, baseline (%)", "covered, reform (%)", "change (pp)",
           "covered workers, reform (persons)")
PERSON_COLUMNS = ("breakdown", "group", "persons", "covered, baseline (%)", "covered, reform (%)", "change (pp)",
                  "covered persons, reform (persons)")
WORKER_AGES = (15, 25, 35, 45, 55, 65)  # first age of each group of workers: 15-24 ... 65+
PERSON_AGES = (0, 15, 25, 60, 65)  # 0-14, 15-24, 25-59, 60-64, 65+


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


def covered_persons(pop: Population, system: SystemResult, modules: dict[str, Module],
                    workers: np.ndarray | None = None) -> np.ndarray:
    """Persons covered by social insurance under ``system`` (bool per person): covered workers
    (``workers``, if already known: :func:`covered_workers`), and recipients of a social insurance
    benefit (modules with ``insurance``)."""
    covered = covered_workers(pop, system, modules) if workers is None else workers
    for name, paid in system.benefits.items():
        if modules[name].insurance and modules[name].entity == "person":
            covered = covered | (np.asarray(paid, dtype=np.float64) > 0)
    return covered


def age_groups(pop: Population, firsts: tuple[int, ...]) -> tuple[list[str], np.ndarray]:
    """Groups of age starting at ``firsts`` (the last open: "65+"), each person's code (-1 below the first)."""
    names = [f"{a}-{b - 1}" for a, b in zip(firsts, firsts[1:])] + [f"{firsts[-1]}+"]
    codes = np.searchsorted(np.asarray(firsts), pop.persons["age"].to_numpy(), side="right") - 1
    return names, codes.astype(np.int64)


def group_codes(pop: Population) -> dict[str, tuple[list[str], np.ndarray]]:
    """The breakdowns that do not depend on the weights, each its groups (a categorical column's
    categories) and each person's code among them (-1: none, under 15): national, sector, status,
    sex, age group and zone. Groups nobody in work belongs to (unemployed, inactive) are left out of the table."""
    status = population_labour_status(pop)
    zone = pop.households["zone"]
    columns = {"sector": pop.persons["employment_type"].array, "status in employment": status,
               "sex": pop.persons["sex"].array}
    out = {"national": (["all"], np.zeros(pop.n_persons, np.int64))}
    out |= {name: ([str(c) for c in column.categories], np.asarray(column.codes)) for name, column in columns.items()}
    out["age group"] = age_groups(pop, WORKER_AGES)
    out["zone"] = ([str(z) for z in zone.cat.categories], zone.cat.codes.to_numpy()[pop.person_household_index])
    return out


def _group_sums(codes: np.ndarray, groups: int, weights: np.ndarray) -> np.ndarray:
    """Weighted sums by group code (np.bincount, no loop over persons); codes outside 0..groups-1
    (-1: none) go to a last slot, dropped."""
    slot = np.where(codes >= 0, codes, groups)
    return np.bincount(slot, weights, minlength=groups + 1)[:-1]


def _rates(breakdowns: dict, among: np.ndarray, covered_b: np.ndarray, covered_r: np.ndarray,
           columns: tuple[str, ...]) -> pd.DataFrame:
    """Covered shares of ``among`` (weights per person) by breakdown. ``covered_*`` are weights of
    covered persons (within ``among``)."""
    count, counted = columns[2], columns[-1]
    rows = []
    for breakdown, (groups, codes) in breakdowns.items():
        persons, cov_b, cov_r = (_group_sums(codes, len(groups), weights) for weights in (among, covered_b, covered_r))
        for group, n, b, r in zip(groups, persons, cov_b, cov_r):
            if n == 0:
                continue
            rows.append({"breakdown": breakdown, "group": group, count: float(n),
                         "covered, baseline (%)": b / n * 100, "covered, reform (%)": r / n * 100,
                         "change (pp)": r / n * 100 - b / n * 100, counted: float(r)})
    return pd.DataFrame(rows, columns=list(columns))


def _national_pct(among: np.ndarray, covered: np.ndarray) -> float:
    """The covered share of ``among`` in percent, summed as the tables' national row is (same bits)."""
    everyone = np.zeros(among.size, np.int64)
    total = _group_sums(everyone, 1, among)[0]
    if total == 0:  # nobody of the kind (a household without workers): no share, and no 0/0 warning
        return float("nan")
    return float(_group_sums(everyone, 1, covered)[0] / total * 100)


@dataclass(frozen=True)
class Coverage:
    """Social insurance coverage of a year: the two tables and the headline's national percents."""

    workers: pd.DataFrame  # persons in work covered by a contributory scheme, by breakdown (COLUMNS)
    persons: pd.DataFrame  # all persons covered as contributors or recipients, by breakdown (PERSON_COLUMNS)
    national: dict[str, float]  # headline field (``workers_covered_baseline_pct`` ...) -> percent


def social_insurance_coverage(pop: Population, deciles: np.ndarray, baseline: SystemResult, reform: SystemResult,
                              modules: dict[str, Module]) -> Coverage:
    """Coverage of persons in work and of all persons by breakdown (``deciles``: each household's
    decile of consumption before benefits, 0-9), and nationally for the headline."""
    w = pop.person_weight()
    in_work, _ = in_work_and_public(pop)
    codes = group_codes(pop)
    decile = ([f"decile {d + 1}" for d in range(10)], np.asarray(deciles)[pop.person_household_index])
    workers_b, workers_r = covered_workers(pop, baseline, modules), covered_workers(pop, reform, modules)
    persons_b, persons_r = (covered_persons(pop, system, modules, workers)
                            for system, workers in ((baseline, workers_b), (reform, workers_r)))
    among = w * in_work  # covered workers are in work
    workers = _rates({**codes, "decile": decile}, among, w * workers_b, w * workers_r, COLUMNS)
    person_breakdowns = {"national": codes["national"], "age group": age_groups(pop, PERSON_AGES), "sex": codes["sex"],
                         "zone": codes["zone"], "decile": decile}
    persons = _rates(person_breakdowns, w, w * persons_b, w * persons_r, PERSON_COLUMNS)
    national = {"workers_covered_baseline_pct": _national_pct(among, w * workers_b),
                "workers_covered_reform_pct": _national_pct(among, w * workers_r),
                "persons_covered_baseline_pct": _national_pct(w, w * persons_b),
                "persons_covered_reform_pct": _national_pct(w, w * persons_r)}
    return Coverage(workers, persons, national)
