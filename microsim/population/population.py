"""A population: the household table, the person table and how they were made.

Rows are kept in a canonical order (households by ``household_id``, persons by
``household_id`` then ``person_id``) so that a content hash does not depend on how a file was
sorted, and so that every person's household row is found by one ``searchsorted``.
"""

from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from microsim.errors import PopulationError
from microsim.population.derived_cache import DerivedCache
from microsim.population.validate import canonical_household_rows, validate_tables


@dataclass
class Population:
    """Households and persons in the schema's dtypes (see docs/data-schema.md).

    Build one with :meth:`from_tables`, which validates; the constructor trusts its input.
    """

    households: pd.DataFrame
    persons: pd.DataFrame
    metadata: dict = field(default_factory=dict)
    cache: DerivedCache = field(default_factory=DerivedCache, repr=False, compare=False)  # derived arrays and tables

    @classmethod
    def from_tables(cls, households: pd.DataFrame, persons: pd.DataFrame, metadata: dict | None = None,
                    where_h: str = "households", where_p: str = "persons", source: str | None = None
                    ) -> "Population":
        """Validate and conform raw tables; raise :class:`PopulationError` listing every problem."""
        hh, pp, problems, household_rows = validate_tables(households, persons, where_h, where_p)
        if problems:
            raise PopulationError(source or f"{where_h} and {where_p}", problems)
        if household_rows is None:  # not in household order: sort (copies) into canonical order
            hh = hh.sort_values("household_id", kind="stable").reset_index(drop=True)
        if household_rows is None or not _members_in_order(pp["household_id"].to_numpy(), pp["person_id"].to_numpy()):
            pp = pp.sort_values(["household_id", "person_id"], kind="stable").reset_index(drop=True)
            household_rows = None
        pop = cls(hh, pp, dict(metadata or {}))
        if household_rows is not None:  # found while validating: kept, not found again
            pop.__dict__["person_household_index"] = household_rows
        return pop

    def reweighted(self, weights: np.ndarray, metadata: dict) -> "Population":
        """The same households and persons with new household weights. What derives from the other
        columns (each person's household row, household sizes, member counts, the consumption order)
        is kept, not computed again."""
        households = self.households.copy()
        households["weight"] = weights
        pop = Population(households, self.persons, metadata)
        for name in ("person_household_index", "household_size", "household_size_float", "_household_last_member"):
            if name in self.__dict__:
                pop.__dict__[name] = self.__dict__[name]
        pop.cache = self.cache.for_reweighted()
        return pop

    # ---- derived columns -------------------------------------------------------------------
    @cached_property
    def person_household_index(self) -> np.ndarray:
        """Row of each person's household in ``households`` (int32, or int64 beyond 2**31 households)."""
        hh_of_person = self.persons["household_id"].to_numpy()
        hh_ids = self.households["household_id"].to_numpy()
        rows = canonical_household_rows(hh_ids, hh_of_person)  # canonical order: the runs of equal ids
        if rows is not None:
            return rows
        return np.searchsorted(hh_ids, hh_of_person)

    @cached_property
    def household_size(self) -> np.ndarray:
        """Number of members of each household (int64, one per household)."""
        return np.bincount(self.person_household_index, minlength=len(self.households))

    @cached_property
    def household_size_float(self) -> np.ndarray:
        """:attr:`household_size` as float64 (exact, read-only: shared with reweighted populations): for
        products with weights and sums over masks, which would otherwise convert on every use."""
        sizes = self.household_size.astype(np.float64)
        sizes.flags.writeable = False
        return sizes

    @cached_property
    def _household_last_member(self) -> np.ndarray:
        return np.cumsum(self.household_size) - 1

    def household_count(self, mask: np.ndarray) -> np.ndarray:
        """Members of each household where ``mask`` (bool per person) is true: exact integers.

        When few persons qualify (under one in twenty), their household rows are counted directly;
        otherwise, persons being stored grouped by household, a prefix sum is read at each
        household's last member. Either way several times faster than ``np.bincount`` with weights.
        """
        dtype = np.int32 if self.n_persons < 2**31 else np.int64  # exact either way; int32 is faster
        qualifying = np.count_nonzero(mask)
        if qualifying == 0:
            return np.zeros(self.n_households, dtype)
        if qualifying * 20 < mask.size:
            members = self.person_household_index[np.flatnonzero(mask)]
            return np.bincount(members, minlength=self.n_households).astype(dtype, copy=False)
        with _scratch(self.n_persons, dtype) as buffer:
            prefix = np.cumsum(mask, dtype=dtype, out=buffer)
            return np.diff(prefix[self._household_last_member], prepend=0)

    def members_by_group(self, codes: np.ndarray, n_groups: int) -> np.ndarray:
        """Members of each household in each group: a (households, ``n_groups``) matrix of counts.

        ``codes`` gives each person's group, 0 .. n_groups - 1 (negative: in none). One bincount over
        persons for all groups at once, stored in the smallest unsigned integer type that holds the
        largest household (one byte per household and group for any survey).
        """
        codes = np.asarray(codes)
        if codes.size and codes.max() >= n_groups:
            raise ValueError(f"group codes go up to {codes.max()}, beyond the {n_groups} groups")
        width = n_groups + 1  # column 0 takes persons in no group
        cell = self.person_household_index.astype(np.int64) * width
        cell += np.maximum(codes, -1)
        cell += 1
        counts = np.bincount(cell, minlength=self.n_households * width).reshape(self.n_households, width)[:, 1:]
        largest = int(self.household_size.max()) if self.n_households else 0
        return counts.astype(np.min_scalar_type(largest))

    def household_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of a float value per person over each household's members (float64, per household)."""
        return np.bincount(self.person_household_index, values, minlength=self.n_households)

    def person_weight(self) -> np.ndarray:
        """Each person's weight: the household weight (persons represented), float64."""
        return self.households["weight"].to_numpy()[self.person_household_index]

    def household_value(self, column: str) -> np.ndarray:
        """A household column broadcast to persons."""
        return self.households[column].to_numpy()[self.person_household_index]

    @property
    def n_households(self) -> int:
        return len(self.households)

    @property
    def n_persons(self) -> int:
        return len(self.persons)

    def content_hash(self) -> str:
        """SHA-256 of both tables' names, dtypes and values, independent of the file format (kept with
        the weighted derived arrays: a population's tables are not changed in place, and a reweighted
        copy has its own)."""
        if "content_sha256" not in self.cache.weighted:
            self.cache.weighted["content_sha256"] = content_hash(self.households, self.persons)
        return self.cache.weighted["content_sha256"]


_SCRATCH_LOCK = threading.Lock()
_SCRATCH: list[np.ndarray] = []  # free scratch arrays for prefix sums (any length; the first n are used)
SCRATCH_KEPT = 4  # at most this many are kept: as many as counts ever ran at once


@contextmanager
def _scratch(n: int, dtype):
    """A scratch array of ``n`` integers for prefix sums, lent and returned: a fresh 17 million-element
    array on every count would cost the system's page faults each time. Kept in the process, not on
    a population (populations travel to worker processes), each one the length of the largest
    population counted so far."""
    dtype = np.dtype(dtype)
    with _SCRATCH_LOCK:
        found = next((i for i, b in enumerate(_SCRATCH) if b.dtype == dtype and b.size >= n), None)
        held = _SCRATCH.pop(found) if found is not None else np.empty(n, dtype)
    try:
        yield held[:n]
    finally:
        with _SCRATCH_LOCK:
            _SCRATCH.append(held)
            if len(_SCRATCH) > SCRATCH_KEPT:  # the smallest goes
                _SCRATCH.sort(key=lambda b: b.size)
                del _SCRATCH[0]


def _members_in_order(p_hh: np.ndarray, p_id: np.ndarray) -> bool:
    """Person ids increase within each household (persons already grouped by household)."""
    if p_id.size < 2 or np.all(p_id[1:] > p_id[:-1]):  # ids increasing overall: the usual case, one pass
        return True
    same_household = p_hh[1:] == p_hh[:-1]
    return bool(np.all(p_id[1:][same_household] > p_id[:-1][same_household]))


def _column_bytes(s: pd.Series) -> bytes:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return (s.cat.codes.to_numpy().tobytes() + b"|" + "\x1f".join(map(str, s.cat.categories)).encode())
    arr = s.to_numpy()
    if arr.dtype == object:
        return "\x1f".join(map(str, arr)).encode()
    return np.ascontiguousarray(arr).tobytes()


def content_hash(households: pd.DataFrame, persons: pd.DataFrame) -> str:
    h = hashlib.sha256()
    for name, df in (("households", households), ("persons", persons)):
        h.update(f"table:{name}:{len(df)}".encode())
        for col in df.columns:
            h.update(f"{col}:{df[col].dtype}".encode())
            h.update(_column_bytes(df[col]))
    return h.hexdigest()
