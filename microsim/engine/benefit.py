"""Benefits without a float array per person: a flat rate, or a few amounts by tier.

``pay(eligible, amount)`` is what most formulas return: the engine keeps the eligibility mask and
the amount rather than a float array per person; household sums are the amount times an integer
count of eligible members, and costs need no per-person arrays. ``pay_tiers((mask, amount), ...)``
does the same for a few amounts (a school level, a pension scheme): one byte per person. Anything
that needs the amounts per person gets them with ``np.asarray``, exactly as
``np.where(eligible, amount, 0.0)`` (or ``np.select``). On the whole country a float array per
person is 140 MB; a mask is 17 MB.
"""

from __future__ import annotations

import numpy as np


class Flat:
    """``amount`` (riels per month) to each element where ``eligible`` is true."""

    __slots__ = ("eligible", "amount")

    def __init__(self, eligible: np.ndarray, amount: float):
        self.eligible = np.asarray(eligible, dtype=bool)
        self.amount = float(amount)

    @property
    def shape(self) -> tuple:
        return self.eligible.shape

    def __array__(self, dtype=None, copy=None):
        values = np.where(self.eligible, self.amount, 0.0)
        return values if dtype is None else values.astype(dtype)

    def paid(self) -> np.ndarray:
        """Where the benefit is paid (eligible and a positive amount)."""
        return self.eligible if self.amount > 0 else np.zeros(self.eligible.shape, bool)


class Tiers:
    """A few amounts by tier (riels per month): element ``i`` gets ``amounts[tier[i] - 1]``, nothing
    where ``tier[i]`` is 0. One byte per person instead of eight (a school level, a pension scheme,
    pregnancy or infancy): household sums count members per tier, as for :class:`Flat`."""

    __slots__ = ("tier", "amounts")

    def __init__(self, tier: np.ndarray, amounts):
        self.tier = np.asarray(tier, dtype=np.uint8)
        self.amounts = np.asarray(amounts, dtype=np.float64).reshape(-1)

    @property
    def shape(self) -> tuple:
        return self.tier.shape

    def __array__(self, dtype=None, copy=None):
        values = np.concatenate([[0.0], self.amounts])[self.tier]
        return values if dtype is None else values.astype(dtype)

    def paid(self) -> np.ndarray:
        """Where the benefit is paid (in a tier whose amount is positive)."""
        return np.concatenate([[False], self.amounts > 0])[self.tier]


def pay_tiers(*tiers: tuple[np.ndarray, float]) -> Tiers:
    """``(eligible, amount)`` pairs, each a tier: an element eligible for several gets the first
    (as ``np.select``). See :class:`Tiers`."""
    if not 1 <= len(tiers) <= 255:
        raise ValueError("pay_tiers takes 1 to 255 (eligible, amount) pairs")
    masks = [np.asarray(eligible, dtype=bool) for eligible, _ in tiers]
    tier = np.select(masks, np.arange(1, len(tiers) + 1, dtype=np.uint8), 0).astype(np.uint8, copy=False)
    return Tiers(tier, [float(amount) for _, amount in tiers])


def pay(eligible: np.ndarray, amount: float) -> Flat:
    """The benefit ``amount`` to every eligible person (or household): see :class:`Flat`."""
    return Flat(eligible, amount)


def paid(benefit) -> np.ndarray:
    """Where a benefit (array, Flat or Tiers) is positive."""
    return benefit.paid() if isinstance(benefit, (Flat, Tiers)) else np.asarray(benefit) > 0
