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


def median(x: np.ndarray, w: np.ndarray) -> float:
    """The weighted median of ``x`` (the first value at which the cumulative weight reaches half), in
    the unit of ``x``."""
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(w[order])
    return x[order][np.searchsorted(cumulative, cumulative[-1] / 2)]


def gini(x: np.ndarray, w: np.ndarray, order: np.ndarray | None = None) -> float:
    """Gini coefficient of ``x`` with weights ``w`` (0 equal, 1 one has all).

    ``order`` may pass ``argsort(x)`` if already known. One minus twice the area under the Lorenz
    curve (by trapezoids), computed in place: two sorted copies and the order, nothing more.
    """
    if order is None:
        order = np.argsort(x)  # ties do not change the Gini, so no stable sort is needed
    weights = w[order].astype(float)
    cumulative = np.multiply(x[order], weights, dtype=float)  # x w, sorted; then its running sum
    np.cumsum(cumulative, out=cumulative)
    total_w, total_xw = weights.sum(), cumulative[-1] if cumulative.size else 0.0
    if total_xw <= 0:
        return 0.0
    # area = sum_i (w_i / W) (L_i + L_{i-1}) / 2 with L = cumulative / total_xw, L_0 = 0
    twice_area = (weights @ cumulative + weights[1:] @ cumulative[:-1]) / (total_w * total_xw)
    return float(1 - twice_area)
