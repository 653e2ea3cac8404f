"""The groups poverty is broken down by: person-level (age, sex, activity: each household's number
of members in each group, from the population's derived arrays) and household-level (zone, decile,
household type); deciles of pre-transfer consumption; the weighted poverty counts of every group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from microsim.population.groups import AGE_GROUPS, HOUSEHOLD_TYPES, POVERTY_TABLE_AGE_GROUPS, age_label
from microsim.population.derived import consumption_order, household_type, member_counts, member_matrix
from microsim.population.population import Population
from microsim.distribution.results import PovertyGroup


BREAKDOWN_ORDER = ("national", "age group (Table 1)", "age group", "sex", "zone", "employment type (15+)",
                   "consumption decile", "household type")  # the order of the poverty table's groups


@dataclass(frozen=True)
class PersonBreakdown:
    """A person-level grouping: its groups are ``columns`` of the population's member-count matrix;
    ``combine`` (groups x labels, 0/1), when given, adds groups into the labels shown."""

    dimension: str
    labels: list[str]
    columns: slice
    combine: np.ndarray | None = None


def person_breakdowns(pop: Population) -> tuple[list[PersonBreakdown], np.ndarray]:
    """Person-level groupings (age, sex, employment type) and one matrix of member counts (households
    x every group of every grouping), so that one matrix product sums any measure over all of them."""
    if "person_breakdowns" in pop.cache.unweighted:
        return pop.cache.unweighted["person_breakdowns"]
    groupings = ("age", "sex", "employment_type")
    widths = [member_counts(pop, g).shape[1] for g in groupings]
    ages, sexes, employments = (slice(sum(widths[:i]), sum(widths[:i + 1])) for i in range(3))
    # Table 1's groups are unions of the finer ones: their sums add the finer groups' sums
    table1 = np.array([[float(a >= lo and b <= hi) for lo, hi in POVERTY_TABLE_AGE_GROUPS] for a, b in AGE_GROUPS])
    breakdowns = [
        PersonBreakdown("age group (Table 1)", [age_label(*g) for g in POVERTY_TABLE_AGE_GROUPS], ages, table1),
        PersonBreakdown("age group", [age_label(*g) for g in AGE_GROUPS], ages),
        PersonBreakdown("sex", list(pop.persons["sex"].cat.categories), sexes),
        PersonBreakdown("employment type (15+)", list(pop.persons["employment_type"].cat.categories), employments)]
    matrix = member_matrix(pop, groupings)
    pop.cache.unweighted["person_breakdowns"] = breakdowns, matrix
    return breakdowns, matrix


def household_breakdowns(pop: Population, decile_codes: np.ndarray) -> tuple[list[tuple[str, list[str]]], np.ndarray]:
    """Household-level groupings (zone, decile, household type): their (dimension, labels), and each
    household's cell of the zone x decile x type table, from which every grouping's sums are margins."""
    zone = pop.households["zone"]
    dims = [("zone", list(zone.cat.categories)), ("consumption decile", [f"decile {i}" for i in range(1, 11)]),
            ("household type", list(HOUSEHOLD_TYPES))]
    cells = zone.cat.codes.to_numpy().astype(np.int32) * 10 + decile_codes
    cells *= len(HOUSEHOLD_TYPES)
    cells += household_type(pop)
    return dims, cells


def pre_transfer_deciles(pop: Population, pre_h: np.ndarray) -> np.ndarray:
    """Deciles of consumption before modelled benefits (``pre_h``: the population's consumption per
    person in any year's riels), weighting households by the population's own weights x size.

    Cached on the population, whose content is all the key needs: its tables are never changed in
    place (reweighting or uprating makes a new population), and prices and uniform growth scale
    every household alike, so the ranking holds for any year.
    """
    if "deciles" not in pop.cache.weighted:
        pop.cache.weighted["deciles"] = deciles(pre_h, pop.households["weight"].to_numpy() * pop.household_size_float,
                                       consumption_order(pop))
    return pop.cache.weighted["deciles"]


def deciles(x: np.ndarray, w: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Decile (0 poorest .. 9) of each unit by ``x``, cutting the weighted population in tenths.

    Units are households weighted by persons (weight x size): all members share a decile.
    ``order`` may pass ``argsort(x)`` if already known.
    """
    order = np.argsort(x, kind="stable") if order is None else order
    cum = np.cumsum(w[order])
    codes = np.empty(x.size, np.int8)
    codes[order] = np.minimum((cum - w[order] / 2) / cum[-1] * 10, 9).astype(np.int8)
    return codes


HOUSEHOLDS_PER_BLOCK = 1 << 20  # matrix products in blocks of households: bounded temporary memory


def _sums_over_members(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """values (measures x households) @ counts (households x groups), block by block."""
    sums = np.zeros((values.shape[0], counts.shape[1]))
    for start in range(0, counts.shape[0], HOUSEHOLDS_PER_BLOCK):
        block = slice(start, start + HOUSEHOLDS_PER_BLOCK)
        sums += values[:, block] @ counts[block].astype(np.float64)
    return sums


def grouped(values: np.ndarray, pop: Population, decile_codes: np.ndarray):
    """Weighted sums of household-level ``values`` (rows: measures; each already x household weight)
    over persons of every group: yields (dimension, labels, sums of shape (measures, groups))."""
    breakdowns, counts = person_breakdowns(pop)
    every_group = _sums_over_members(values, counts)  # measures x every person-level group
    for b in breakdowns:
        sums = every_group[:, b.columns]
        yield b.dimension, b.labels, sums if b.combine is None else sums @ b.combine
    dims, cells = household_breakdowns(pop, decile_codes)
    shape = tuple(len(labels) for _, labels in dims)
    size = pop.household_size_float
    table = np.vstack([np.bincount(cells, v * size, minlength=int(np.prod(shape))) for v in values])
    table = table.reshape((values.shape[0],) + shape)  # measures x zone x decile x type
    yield "national", ["all persons"], table.sum(axis=(1, 2, 3))[:, None]
    for axis, (dim, labels) in enumerate(dims, start=1):
        others = tuple(a for a in (1, 2, 3) if a != axis)
        yield dim, labels, table.sum(axis=others)


MEASURES = ("persons", "poor_b", "poor_r", "gap_b", "gap_r", "sev_b", "sev_r", "lifted", "fallen")


def poverty_groups(pop, w_h, line_h, pre_h, base_h, reform_h) -> list[PovertyGroup]:
    """FGT 0, 1, 2 in baseline and reform for every group, with persons poor, lifted out and fallen in."""
    poor_b, poor_r = base_h < line_h, reform_h < line_h
    gap_b = np.where(poor_b, (line_h - base_h) / line_h, 0.0)
    gap_r = np.where(poor_r, (line_h - reform_h) / line_h, 0.0)
    values = np.empty((len(MEASURES), w_h.size))  # each measure x household weight, filled row by row
    for row, measure in zip(values, (1.0, poor_b, poor_r, gap_b, gap_r, None, None,
                                     poor_b & ~poor_r, ~poor_b & poor_r)):
        if measure is not None:
            np.multiply(w_h, measure, out=row)
    np.multiply(values[3], gap_b, out=values[5])  # severity: weight x gap squared
    np.multiply(values[4], gap_r, out=values[6])
    decile_codes = pre_transfer_deciles(pop, pre_h)
    groups = []
    for dim, labels, sums in grouped(values, pop, decile_codes):
        s = dict(zip(MEASURES, sums))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = {k: np.where(s["persons"] > 0, s[k] / s["persons"], np.nan) for k in MEASURES[1:7]}
        for i, label in enumerate(labels):
            groups.append(PovertyGroup(
                breakdown=dim, group=label, persons=float(s["persons"][i]),
                headcount_baseline_pct=float(share["poor_b"][i] * 100),
                headcount_reform_pct=float(share["poor_r"][i] * 100),
                headcount_change_pp=float((share["poor_r"][i] - share["poor_b"][i]) * 100),
                poor_baseline_persons=float(s["poor_b"][i]), poor_reform_persons=float(s["poor_r"][i]),
                lifted_persons=float(s["lifted"][i]), fallen_persons=float(s["fallen"][i]),
                gap_baseline_pct=float(share["gap_b"][i] * 100), gap_reform_pct=float(share["gap_r"][i] * 100),
                severity_baseline_x100=float(share["sev_b"][i] * 100),
                severity_reform_x100=float(share["sev_r"][i] * 100)))
    order = {d: i for i, d in enumerate(BREAKDOWN_ORDER)}
    return sorted(groups, key=lambda g: order[g.breakdown])  # stable: groups keep their order within
