"""A flat-rate benefit: the same amount to every eligible person (or household).

``pay(eligible, amount)`` is what most formulas return. The engine keeps the eligibility mask and
the amount rather than a float array per person: household sums are the amount times an integer
count of eligible members, and costs need no per-person arrays. Anything that needs the amounts per
person gets them with ``np.asarray``, exactly as ``np.where(eligible, amount, 0.0)``.
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


def pay(eligible: np.ndarray, amount: float) -> Flat:
    """The benefit ``amount`` to every eligible person (or household): see :class:`Flat`."""
    return Flat(eligible, amount)


def paid(benefit) -> np.ndarray:
    """Where a benefit (array or Flat) is positive."""
    return benefit.paid() if isinstance(benefit, Flat) else np.asarray(benefit) > 0
