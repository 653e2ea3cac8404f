"""Named random streams.

Every random draw in the model comes from a stream keyed by (seed, name), so adding, removing
or reordering one step never changes the draws of another, and results never depend on the
order in which steps or modules run.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """A generator for the step ``name`` under ``seed``: same inputs, same draws."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode("utf-8"))]))
