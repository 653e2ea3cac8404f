"""A module's amounts summed by household (riels per household per month), computed once per
population and amount and kept on the population while it lives: flat benefits by counting
eligible members, tiers by group, free amounts by a sum over members. Nothing loops over people.
"""

from __future__ import annotations

import copy

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from microsim.engine.benefit import Flat, Tiers
from microsim.engine.modules import Module
from microsim.population.population import Population


HOUSEHOLD_SUMS_KEPT = 16  # a system's person modules and a reform's changes; a sweep's variants replace theirs


AMOUNT_KEPT_BYTES = 8 << 20  # a module's amounts are kept up to a million households (8 MB)


class HouseholdTotals:
    """A person module's benefit summed over each household's members: ``paid`` (members paid, one
    byte per household) and ``amount`` (riels per household per month). A flat benefit or tiers
    are integer counts of members times their rates; amounts that vary freely are sums. The float
    amounts are kept up to a million households; beyond, they are made on each use from the counts,
    so that the whole country stays within memory. Nothing per person is kept."""

    def __init__(self, pop: Population, benefit, per_person: bool = True):
        self._sums = self._receiving = self._weighted = self._weighted_paid = None
        self._keep_amount = True
        # a household module's benefit is already per household: its "members paid" are 0 or 1
        count = pop.household_count if per_person else (lambda mask: mask.view(np.uint8))
        if isinstance(benefit, Flat):
            rates = [benefit.amount] if benefit.amount > 0 else []
            counts = [count(benefit.eligible)] if rates else []
        elif isinstance(benefit, Tiers):  # members in each tier with a positive amount
            rates = [riels for riels in benefit.amounts if riels > 0]
            counts = [count(benefit.tier == k) for k, riels in enumerate(benefit.amounts, start=1) if riels > 0]
        else:
            values = np.asarray(benefit, dtype=np.float64)
            rates, counts = [], [count(values > 0)]
            self._sums = pop.household_sum(values) if per_person else values
        if not counts:
            counts = [np.zeros(pop.n_households, np.uint8)]
        paid = counts[0] if len(counts) == 1 else sum(counts[1:], counts[0].astype(np.int64))
        most = int(paid.max(initial=0))
        self.paid = paid.astype(np.min_scalar_type(most), copy=False)
        self.nothing = most == 0 and self._sums is None  # pays no one: skipped in sums
        self._rates = rates if not self.nothing else []
        self._counts = ([self.paid] if len(counts) == 1 else [c.astype(self.paid.dtype) for c in counts]) if rates else []
        self._kept = self._sums

    def at_rate(self, rate: float) -> "HouseholdTotals":
        """The same members paid (a flat benefit's counts) at another positive rate."""
        totals = copy.copy(self)  # the same counts, paid members and their weighted sum
        totals._sums = totals._receiving = totals._weighted = totals._kept = None
        totals._keep_amount = False  # a sweep variant: made once, not worth its float array
        totals._rates = [float(rate)]
        return totals

    @property
    def amount(self) -> np.ndarray:
        """Riels per household per month (float64)."""
        if self._kept is not None:
            return self._kept
        if not self._rates:
            total = np.zeros(self.paid.size)
        else:
            total = np.multiply(self._counts[0], self._rates[0], dtype=np.float64)
            for riels, members in zip(self._rates[1:], self._counts[1:]):
                total += riels * members
        if total.nbytes <= AMOUNT_KEPT_BYTES and self._keep_amount:
            self._kept = total
        return total

    @property
    def receiving(self) -> np.ndarray:
        """True for households paid anything (made once)."""
        if self._receiving is None:
            self._receiving = self.paid > 0
        return self._receiving

    def weighted_paid(self, weights: np.ndarray) -> float:
        """Members paid, weighted (persons represented); remembered for the latest weights."""
        if self.nothing:
            return 0.0
        if self._weighted_paid is None or self._weighted_paid[0] is not weights:
            self._weighted_paid = (weights, float(weights @ self.paid))
        return self._weighted_paid[1]

    def weighted_total(self, weights: np.ndarray) -> float:
        """Sum over households of weight x amount (riels per month, all households represented);
        remembered for the latest weights (the same array object), which baseline and reform share."""
        if self.nothing:
            return 0.0
        if self._weighted is not None and self._weighted[0] is weights:
            return self._weighted[1]
        if self._sums is not None:
            total = float(weights @ self._sums)
        elif len(self._rates) == 1:  # one rate: rate x members paid
            total = self._rates[0] * self.weighted_paid(weights)
        else:
            total = float(sum(riels * float(weights @ members) for riels, members in zip(self._rates, self._counts)))
        self._weighted = (weights, total)
        return total

    def unweighted_total(self) -> float:
        """Sum of the amounts over the sample's households (riels per month)."""
        if self._sums is not None:
            return float(self._sums.sum())
        return float(sum(riels * int(members.sum(dtype=np.int64)) for riels, members in zip(self._rates, self._counts)))


def household_totals(pop: Population, amount, key=None, per_person: bool = True) -> HouseholdTotals:
    """A person module's :class:`HouseholdTotals`, cached by its output key (parameters and inputs):
    baseline and reform, or the variants of a sweep, share the counts of unchanged modules. The
    latest few are kept."""
    if key is None:
        return HouseholdTotals(pop, amount, per_person)
    cache = pop.cache.weighted.setdefault("household_sums", {})
    if key in cache:
        cache[key] = cache.pop(key)  # most recently used last
    else:
        _remember(cache, key, _new_totals(pop, amount, key[0], per_person))
    return cache[key]


def _remember(cache: dict, key, totals: HouseholdTotals) -> None:
    """Keep ``totals`` as the most recently used, dropping the least recently used beyond the limit."""
    if len(cache) >= HOUSEHOLD_SUMS_KEPT:
        cache.pop(next(iter(cache)))
    cache[key] = totals


def _new_totals(pop: Population, amount, module: str, per_person: bool) -> HouseholdTotals:
    """A module's household totals: the previous counts at a new rate when the same persons are paid,
    else counted."""
    return _flat_with_known_members(pop, amount, module, per_person) or HouseholdTotals(pop, amount, per_person)


def _flat_with_known_members(pop: Population, amount, module: str, per_person: bool) -> HouseholdTotals | None:
    """A flat benefit paid to exactly the persons the module's previous flat benefit was paid to
    (a sweep over its amount): the previous counts at the new rate, found by one comparison of the
    masks instead of counting again. None when the mask differs (or the benefit is not flat)."""
    last = pop.cache.weighted.setdefault("last_flat", {})
    if not isinstance(amount, Flat):
        return None
    held = last.get(module)
    if held is not None and amount.amount > 0 and held[1]._rates and np.array_equal(held[0], amount.eligible):
        totals = held[1].at_rate(amount.amount)
    else:
        totals = HouseholdTotals(pop, amount, per_person)
    last[module] = (amount.eligible, totals)
    return totals


def forget_household_totals(pop: Population) -> None:
    """Drop the household totals kept on ``pop`` (the last flat masks and the poverty before benefits
    too), so that a benchmark never times a run on the cache its previous run left. Simulations keep
    them (each entry is keyed by what it depends on): a sweep's variants share the counts of the
    modules they do not change."""
    for key in ("household_sums", "last_flat", "summary_before"):
        pop.cache.weighted.pop(key, None)


THREADS_FROM_PERSONS = 10_000_000  # below, starting threads costs more than it saves (measured)


def prepare_totals(pop: Population, benefits: list) -> None:
    """Count the household totals of several person benefits at once, in two threads (prefix sums
    release the GIL), and put them in the population's cache in the given order; those already
    cached, or without a key, are left to :func:`household_totals`."""
    cache = pop.cache.weighted.setdefault("household_sums", {})
    todo = [(amount, key) for amount, key in benefits if key is not None and key not in cache]
    if len(todo) < 2 or pop.n_persons < THREADS_FROM_PERSONS:
        return
    with ThreadPoolExecutor(2) as pool:
        totals = list(pool.map(lambda item: _new_totals(pop, item[0], item[1][0], True), todo))
    for (_, key), total in zip(todo, totals):
        _remember(cache, key, total)


def household_amounts(pop: Population, module: Module, amount, key=None) -> np.ndarray:
    """A module's benefit per household (riels per household per month)."""
    return household_totals(pop, amount, key, per_person=module.entity == "person").amount
