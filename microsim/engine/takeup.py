"""Take-up draws that never depend on row order, module order or the number of workers.

Each (seed, module, entity id) maps to a uniform number in [0, 1) through a counter-based hash
(SplitMix64), computed for whole id columns at once. A beneficiary takes the benefit up when
the draw is below the take-up rate, so take-up 1.0 changes nothing.
"""

from __future__ import annotations

import zlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def uniform(ids: np.ndarray, seed: int, name: str) -> np.ndarray:
    """A uniform draw in [0, 1) per id, fixed by (seed, name, id)."""
    key = np.uint64((int(seed) & 0xFFFFFFFF) << 32 | zlib.crc32(name.encode("utf-8")))
    with np.errstate(over="ignore"):
        z = _splitmix64(_splitmix64(ids.astype(np.uint64) ^ key))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def taken_up(mask: np.ndarray, ids: np.ndarray, rate: float, seed: int, module: str) -> np.ndarray:
    """Of the beneficiaries in ``mask``, those who take the benefit up (all of them when ``rate`` is 1)."""
    return keep_drawn(mask, ids, rate, seed, f"takeup.{module}")


def keep_drawn(mask: np.ndarray, ids: np.ndarray, share: float, seed: int, name: str) -> np.ndarray:
    """A copy of ``mask`` keeping, of its true elements, those whose draw keyed by (``seed``, ``name``,
    id) is below ``share``; draws only for the true elements (so the others never shift them)."""
    kept = np.array(mask, dtype=bool, copy=True)
    where = np.flatnonzero(kept)
    if share < 1.0:
        kept[where] = uniform(np.asarray(ids)[where], seed, name) < share
    return kept
