"""Poverty measures (Foster-Greer-Thorbecke) at the household's poverty line.

A person is poor when the household's consumption per person is *strictly* below its poverty
line; every member shares the household's status.
"""

from __future__ import annotations

import numpy as np


def is_poor(consumption_pc: np.ndarray, poverty_line: np.ndarray) -> np.ndarray:
    """True where consumption per person is below the line (riels per person per month)."""
    return consumption_pc < poverty_line


def fgt(consumption_pc: np.ndarray, poverty_line: np.ndarray, w: np.ndarray, alpha: int) -> float:
    """FGT(alpha) over persons with weights ``w``: 0 headcount, 1 gap, 2 severity (shares)."""
    gap = np.clip((poverty_line - consumption_pc) / poverty_line, 0.0, None)
    poor = is_poor(consumption_pc, poverty_line)
    values = poor.astype(float) if alpha == 0 else np.where(poor, gap ** alpha, 0.0)
    return float(np.dot(w, values) / w.sum())
