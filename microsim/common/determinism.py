"""Identical results for any number of workers: BLAS reductions on one thread.

A multithreaded BLAS splits a matrix product's sums differently with the number of threads, so
the last digit of a calibrated weight (and everything after it) would depend on how many cores
a process was given: joblib's worker processes get fewer BLAS threads than the main process.
Calibration and simulation therefore run their linear algebra on one BLAS thread wherever they
run (threadpoolctl). The cost is small: the work is memory-bound, and parallelism comes from
running years, variants or modules side by side.
"""

from __future__ import annotations

import functools
import threading

from threadpoolctl import threadpool_limits


_inside = threading.local()  # how deep this thread is in limited calls (the limit is set once, outermost)
_whole_process: list = []  # the limit held for the rest of the process (a server), once set


def one_blas_thread_from_now() -> None:
    """Limit BLAS to one thread for the rest of this process: what a long-lived server does once at
    start, so that its requests do not look up the loaded libraries each time, and so that requests
    in several threads never restore another's limit half-way (the limit is the process's, not the
    thread's). Decorated functions then run as they are."""
    if not _whole_process:
        _whole_process.append(threadpool_limits(limits=1, user_api="blas"))


def one_blas_thread(func):
    """Decorator: run ``func`` with BLAS (OpenBLAS, MKL, BLIS) limited to one thread. Nested calls
    keep the outermost limit (finding the loaded libraries takes a few milliseconds each time)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        depth = getattr(_inside, "depth", 0)
        if depth or _whole_process:
            _inside.depth = depth + 1
            try:
                return func(*args, **kwargs)
            finally:
                _inside.depth = depth
        with threadpool_limits(limits=1, user_api="blas"):
            _inside.depth = 1
            try:
                return func(*args, **kwargs)
            finally:
                _inside.depth = 0

    return wrapper
