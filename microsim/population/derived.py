"""Household tables derived from the population once and stored with it.

Every person-level breakdown of the outputs (age group, sex, employment type) and the household
type need, for each household, how many of its members are in each group; the deciles and the
Gini before benefits need the households in order of consumption. All of them derive from the
population's columns other than the weights, so they are computed once per population (one pass
over persons per grouping, :meth:`Population.members_by_group`; one stable sort), kept when the
population is reweighted to another year, and written with a large population (``derived.npz``,
numpy arrays in household order, from 100,000 households: below that computing them takes
milliseconds). A population read back uses the stored arrays only if the digest of the columns
they come from (household sizes, consumption, ages, the codes and labels of sex, employment type
and relationship), recorded in the file, still matches; otherwise it computes them afresh. On the
whole country (4 million households) reading them takes a tenth of a second where computing them
takes about three.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np

from microsim.population.groups import AGE_GROUPS, HOUSEHOLD_TYPES, age_group_codes
from microsim.population.population import Population

FILE = "derived.npz"
DERIVED_VERSION = 1  # raise when how the arrays are derived changes (e.g. the household-type rules)
STORED_FROM_HOUSEHOLDS = 100_000  # smaller populations compute them in milliseconds
GROUPINGS = ("age", "sex", "employment_type", "relationship")  # each a person column
# in pop.cache.unweighted (microsim.population.derived_cache): kept when the population is reweighted
TYPE_KEY, ORDER_KEY = "household_type", "consumption_order"
MATRIX_KEY = "member_matrix"  # the counts of every grouping, one matrix, and those filled in


def labels(pop: Population, grouping: str) -> list[str]:
    """The groups of ``grouping``, in column order."""
    if grouping == "age":
        return [f"{lo}-{hi}" for lo, hi in AGE_GROUPS]
    return [str(c) for c in pop.persons[grouping].cat.categories]


def _counts_matrix(pop: Population) -> tuple[np.ndarray, set]:
    """The member counts of every grouping side by side (households x all their groups, the smallest
    unsigned integers that hold a household) and the groupings already filled in (each on first use)."""
    held = pop.cache.unweighted.get(MATRIX_KEY)
    if held is None:
        width = sum(len(labels(pop, g)) for g in GROUPINGS)
        largest = int(pop.household_size.max()) if pop.n_households else 0
        held = pop.cache.unweighted[MATRIX_KEY] = (np.zeros((pop.n_households, width), np.min_scalar_type(largest)), set())
    return held


def _columns(pop: Population, grouping: str) -> slice:
    """Where ``grouping``'s groups are in the counts matrix."""
    start = 0
    for g in GROUPINGS:
        stop = start + len(labels(pop, g))
        if g == grouping:
            return slice(start, stop)
        start = stop
    raise ValueError(f"{grouping!r} is not one of the groupings {GROUPINGS}")


def member_counts(pop: Population, grouping: str) -> np.ndarray:
    """Members of each household in each group of ``grouping`` (households x groups, unsigned
    integers): a view of the population's counts matrix, stored when the digest matched, else counted
    now."""
    matrix, filled = _counts_matrix(pop)
    columns = _columns(pop, grouping)
    if grouping not in filled:
        column = pop.persons[grouping]
        codes = age_group_codes(column.to_numpy()) if grouping == "age" else column.cat.codes.to_numpy()
        matrix[:, columns] = pop.members_by_group(codes, columns.stop - columns.start)
        filled.add(grouping)
    return matrix[:, columns]


def member_matrix(pop: Population, groupings: tuple[str, ...]) -> np.ndarray:
    """The member counts of the first groupings of GROUPINGS side by side: a view of the counts matrix."""
    if tuple(groupings) != GROUPINGS[:len(groupings)]:
        raise ValueError(f"{groupings} are not the first groupings of {GROUPINGS}")
    for g in groupings:
        member_counts(pop, g)
    return _counts_matrix(pop)[0][:, :_columns(pop, groupings[-1]).stop]


def household_type(pop: Population) -> np.ndarray:
    """Type of each household (index into HOUSEHOLD_TYPES, int8), from relationships and the head's age."""
    if TYPE_KEY in pop.cache.unweighted:
        return pop.cache.unweighted[TYPE_KEY]
    rel = pop.persons["relationship"]
    codes = rel.cat.codes.to_numpy()  # compare small integer codes, not strings
    code = {c: i for i, c in enumerate(rel.cat.categories)}
    members = member_counts(pop, "relationship")

    def count(name):
        return members[:, code[name]].astype(np.int64)

    size = pop.household_size
    spouse, child = count("spouse"), count("child")
    grand, parent = count("grandchild"), count("parent")
    others = size - 1 - spouse - child - grand - parent
    head_age = np.zeros(pop.n_households, np.int64)
    heads = codes == code["head"]
    head_age[pop.person_household_index[heads]] = pop.persons["age"].to_numpy()[heads]
    conditions = [
        (size == 1) & (head_age >= 60),
        size == 1,
        (size == 2) & (spouse == 1),
        (spouse == 1) & (child > 0) & (grand == 0) & (parent == 0) & (others == 0),
        (spouse == 0) & (child > 0) & (grand == 0) & (parent == 0) & (others == 0),
        ((grand > 0) & (child > 0)) | (parent > 0),
        (grand > 0) & (child == 0),
    ]
    types = np.select(conditions, np.arange(len(conditions)), default=len(conditions)).astype(np.int8)
    pop.cache.unweighted[TYPE_KEY] = types
    return types


def consumption_order(pop: Population) -> np.ndarray:
    """Households in order of consumption per person, poorest first; ties in row order (a stable
    sort). Uprating multiplies every household's consumption by one factor, so the order holds in
    every year."""
    if ORDER_KEY not in pop.cache.unweighted:
        pop.cache.unweighted[ORDER_KEY] = np.argsort(pop.households["consumption_pc"].to_numpy(), kind="stable")
    return pop.cache.unweighted[ORDER_KEY]


def source_digest(pop: Population) -> str:
    """SHA-256 of what the tables derive from: household sizes, consumption, ages, and the codes and
    labels of the categorical groupings (and the age groups and household types themselves)."""
    digest = hashlib.sha256(repr((DERIVED_VERSION, AGE_GROUPS, HOUSEHOLD_TYPES)).encode())
    digest.update(np.ascontiguousarray(pop.household_size, dtype=np.int64))
    digest.update(np.ascontiguousarray(pop.households["consumption_pc"].to_numpy()))
    digest.update(np.ascontiguousarray(pop.persons["age"].to_numpy()))
    for grouping in GROUPINGS[1:]:
        column = pop.persons[grouping]
        digest.update("\x1f".join(map(str, column.cat.categories)).encode())
        digest.update(np.ascontiguousarray(column.cat.codes.to_numpy()))
    return digest.hexdigest()


def write(pop: Population, folder) -> None:
    """Write the derived arrays of a large population into ``folder`` (nothing below
    STORED_FROM_HOUSEHOLDS households)."""
    if pop.n_households < STORED_FROM_HOUSEHOLDS:
        return
    counts = member_matrix(pop, GROUPINGS)
    names = np.array([f"{g}:{label}" for g in GROUPINGS for label in labels(pop, g)])
    order = consumption_order(pop).astype(np.min_scalar_type(max(pop.n_households - 1, 0)))
    np.savez(Path(folder) / FILE, counts=counts, names=names, household_type=household_type(pop),
             consumption_order=order, source_sha256=np.array(source_digest(pop)))


def read(pop: Population, folder) -> bool:
    """Put the stored arrays on ``pop`` if ``folder`` has them and they were made from the same
    columns (True); else leave it to compute them itself (False): a stale or foreign file is never
    trusted."""
    path = Path(folder) / FILE
    if not path.is_file():
        return False
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {k: stored[k] for k in ("counts", "names", "household_type", "consumption_order", "source_sha256")}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return False
    expected = [f"{g}:{label}" for g in GROUPINGS for label in labels(pop, g)]
    counts = arrays["counts"]
    if (list(arrays["names"]) != expected or counts.shape != (pop.n_households, len(expected))
            or arrays["household_type"].shape != (pop.n_households,)
            or arrays["consumption_order"].shape != (pop.n_households,)
            or str(arrays["source_sha256"]) != source_digest(pop)):
        return False
    pop.cache.unweighted[MATRIX_KEY] = (counts, set(GROUPINGS))
    pop.cache.unweighted[TYPE_KEY] = arrays["household_type"]
    pop.cache.unweighted[ORDER_KEY] = arrays["consumption_order"].astype(np.intp)
    return True
