"""Weighted statistics as small functions over plain arrays (in the spirit of microdf).

``w`` is always a weight per row (persons represented); results are plain floats or arrays.
"""

from __future__ import annotations

import numpy as np


def total(w: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Weighted count of rows (where ``mask``)."""
    return float(np.sum(w if mask is None else w[mask]))


def share(mask: np.ndarray, w: np.ndarray, within: np.ndarray | None = None) -> float:
    """Weighted share of rows with ``mask`` among rows ``within`` (all rows if None); NaN if empty."""
    base = w if within is None else w * within
    denom = base.sum()
    return float(np.dot(base, mask) / denom) if denom > 0 else float("nan")


def mean(x: np.ndarray, w: np.ndarray) -> float:
    return float(np.dot(w, x) / w.sum()) if w.sum() > 0 else float("nan")


def by_group(values: np.ndarray, codes: np.ndarray, w: np.ndarray, n_groups: int) -> np.ndarray:
    """Weighted sum of ``values`` per group code 0..n_groups-1 (codes < 0 are left out)."""
    keep = codes >= 0
    return np.bincount(codes[keep], (w * values)[keep], minlength=n_groups)


def rate_by_group(flag: np.ndarray, codes: np.ndarray, w: np.ndarray, n_groups: int) -> np.ndarray:
    """Weighted share of ``flag`` within each group; NaN for empty groups."""
    num = by_group(flag.astype(float), codes, w, n_groups)
    den = by_group(np.ones_like(w), codes, w, n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def gini(x: np.ndarray, w: np.ndarray, order: np.ndarray | None = None) -> float:
    """Gini coefficient of ``x`` with weights ``w`` (0 equal, 1 one has all).

    ``order`` may pass ``argsort(x)`` if already known.
    """
    if order is None:
        order = np.argsort(x)  # ties do not change the Gini, so no stable sort is needed
    x, w = x[order].astype(float), w[order].astype(float)
    cw = np.cumsum(w)
    cxw = np.cumsum(x * w)
    if cxw[-1] <= 0:
        return 0.0
    # area under the Lorenz curve by trapezoids
    lorenz = cxw / cxw[-1]
    prev = np.concatenate([[0.0], lorenz[:-1]])
    area = np.sum((w / cw[-1]) * (lorenz + prev) / 2)
    return float(1 - 2 * area)
