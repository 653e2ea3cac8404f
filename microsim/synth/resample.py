"""Bring a candidate pool of households to the published age-sex and zone structure.

The pool's household mix comes from assumptions; its age structure will not match WPP exactly.
We give each candidate household a selection weight, raised or lowered by the (geometric) mean
of its members' cell ratios target/current, alternating with a zone step and a tilt towards
larger or smaller households (to the Census mean size), for a few passes;
then keep ``n`` households by systematic sampling with probability proportional to that weight.
This is a sampling device only: the kept households get equal design weights.
"""

from __future__ import annotations

import numpy as np

from microsim.synth.households import Composition

TOP_AGE = 90  # single years 0..89 and one cell for 90+, per sex


def age_sex_cell(age: np.ndarray, female: np.ndarray) -> np.ndarray:
    return female.astype(np.int64) * (TOP_AGE + 1) + np.minimum(age, TOP_AGE)


def collapse_targets(age_sex: np.ndarray) -> np.ndarray:
    """(2, 101) shares -> (2 * 91,) shares with 90+ pooled, in :func:`age_sex_cell` order."""
    top = age_sex[:, TOP_AGE:].sum(axis=1, keepdims=True)
    return np.hstack([age_sex[:, :TOP_AGE], top]).ravel()


def size_tilt(w: np.ndarray, size: np.ndarray, mean_size: float) -> np.ndarray:
    """Exponential tilt ``exp(theta * size)`` so the weighted mean household size is ``mean_size``.

    Solved by Newton's method on the histogram of sizes (a few dozen values, not households).
    """
    by_size = np.bincount(size, w)
    s = np.arange(by_size.size, dtype=float) - mean_size
    theta = 0.0
    for _ in range(50):  # the tilted mean is increasing in theta
        t = by_size * np.exp(theta * s)
        m1 = np.dot(t, s) / t.sum()
        var = np.dot(t, (s - m1) ** 2) / t.sum()
        if var <= 0 or abs(m1) < 1e-12:
            break
        theta = float(np.clip(theta - m1 / var, -5, 5))
    return np.exp(theta * (size - mean_size))


def fit_selection_weights(comp: Composition, age_sex: np.ndarray, zone_shares: np.ndarray,
                          mean_size: float, passes: int = 20) -> np.ndarray:
    """Selection weight per candidate household so weighted members match the targets:
    person shares by single year of age and sex, person shares by zone, and mean household size."""
    n = comp.n_households
    cell = age_sex_cell(comp.age, comp.female)
    target = collapse_targets(age_sex)
    hh = comp.household
    w = np.ones(n)
    for _ in range(passes):
        pw = w[hh]
        current = np.bincount(cell, pw, minlength=target.size)
        current /= current.sum()
        log_ratio = np.log(np.clip(np.divide(target, current, out=np.ones_like(target), where=current > 0), 0.5, 2.0))
        w *= np.exp(np.bincount(hh, log_ratio[cell], minlength=n) / comp.size)
        zone_now = np.bincount(comp.zone, w * comp.size, minlength=3)
        w *= (zone_shares / (zone_now / zone_now.sum()))[comp.zone]
        w *= size_tilt(w, comp.size, mean_size)
        w = np.clip(w / w.mean(), 0.05, 20.0)
    return w


def systematic_sample(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Rows of ``n`` units drawn with probability proportional to ``weights`` (repeats possible)."""
    cum = np.cumsum(weights)
    cum *= n / cum[-1]
    points = rng.random() + np.arange(n)
    return np.minimum(np.searchsorted(cum, points, side="right"), len(weights) - 1)
