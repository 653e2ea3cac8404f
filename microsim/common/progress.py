"""Progress on long work: a bar on a terminal (tqdm), silence in scripts, pipes, CI or with --quiet."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from tqdm import tqdm


def wanted(quiet: bool = False) -> bool:
    """A bar only for a person watching: standard error is a terminal and --quiet was not given."""
    if quiet or os.environ.get("MICROSIM_QUIET"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress(iterable, total: int | None = None, description: str = "", quiet: bool = False, unit: str = "step"):
    """Iterate ``iterable``, showing a progress bar when :func:`wanted`."""
    if not wanted(quiet):
        return iterable
    return tqdm(iterable, total=total, desc=description, unit=unit, leave=False, file=sys.stderr,
                dynamic_ncols=True)


@contextmanager
def stages(total: int, description: str, quiet: bool = False):
    """A bar advanced by hand: ``with stages(4, "Generating") as step: ...; step("households")``."""
    if not wanted(quiet):
        yield lambda label="": None
        return
    bar = tqdm(total=total, desc=description, unit="stage", leave=False, file=sys.stderr, dynamic_ncols=True)

    def step(label: str = ""):
        if label:
            bar.set_postfix_str(label)
        bar.update(1)

    try:
        yield step
    finally:
        bar.close()
