"""One executor for every study: a list of small picklable tasks, run serially, in joblib processes
on this machine, or on a Dask cluster, with results in task order whatever order they finish.

A study (a projection's years, a set of replicates, a sweep's replicates) is a function and a list
of argument tuples; :meth:`Executor.map` runs them and returns the results in order. Results are
identical whatever the backend and the number of workers: every random draw is keyed by ids
(take-up, bootstrap multiplicities), never by call order, and linear algebra runs on one BLAS
thread (:mod:`microsim.common.determinism`).

Workers get the population as a :class:`PopulationRef` (a path and a content hash) and read it
once per worker process (:func:`resolve`), not once per task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from joblib import Parallel, delayed

from microsim.errors import MicrosimError
from microsim.population.io import read_population
from microsim.common.progress import progress

BACKENDS = ("serial", "joblib", "dask")
_POPULATIONS: dict[tuple[str, str], object] = {}  # per worker process: (path, content hash) -> Population


@dataclass(frozen=True)
class PopulationRef:
    """A population by its path and content hash, read once per worker process."""

    path: str
    sha256: str


def resolve(population):
    """The Population behind ``population`` (a Population, or a PopulationRef read once per process)."""
    if not isinstance(population, PopulationRef):
        return population
    key = (population.path, population.sha256)
    if key not in _POPULATIONS:
        pop = read_population(population.path)
        if pop.content_hash() != population.sha256:
            raise MicrosimError(f"The population at {population.path} changed while the study ran (its content hash "
                                "differs); run the study again.")
        _POPULATIONS.clear()  # one population at a time per worker
        _POPULATIONS[key] = pop
    return _POPULATIONS[key]


class Executor:
    """Runs task lists on one backend: ``serial``, ``joblib`` (``jobs`` processes) or ``dask`` (a local
    cluster of ``jobs`` workers, or the cluster at ``scheduler``). Use as a context manager."""

    def __init__(self, backend: str | None = None, jobs: int = 1, scheduler: str | None = None, quiet: bool = True):
        if scheduler:
            backend = backend or "dask"
            if backend != "dask":
                raise MicrosimError(f"--scheduler {scheduler} needs --backend dask (found --backend {backend}).")
        backend = backend or ("joblib" if jobs > 1 else "serial")
        if backend not in BACKENDS:
            raise MicrosimError(f"Unknown backend {backend!r}; expected one of {list(BACKENDS)}.")
        self.backend, self.jobs, self.scheduler, self.quiet = backend, jobs, scheduler, quiet
        self._client = self._cluster = None

    def __enter__(self) -> "Executor":
        if self.backend == "dask":
            self._start_dask()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start_dask(self) -> None:
        try:
            from distributed import Client, LocalCluster  # lazy: only the dask backend needs it
        except ImportError:  # pragma: no cover - a declared dependency
            raise MicrosimError("The dask backend needs the `distributed` package (pip install 'dask[distributed]').") from None
        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout="5s")
            except (OSError, TimeoutError, ValueError) as e:
                raise MicrosimError(f"Cannot reach the Dask scheduler at {self.scheduler}: {e}. Check the address "
                                    "(tcp://HOST:PORT) and that the scheduler runs, or use --backend joblib.") from None
        else:
            self._cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=40)
            self._client = Client(self._cluster)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def map(self, func: Callable, tasks: list[tuple], description: str = "Working", unit: str = "task") -> list:
        """``[func(*task) for task in tasks]``, on the backend, in task order, with a progress bar."""

        if not tasks:
            return []
        if self.backend == "serial" or len(tasks) == 1 and self.backend != "dask":
            return list(progress((func(*t) for t in tasks), len(tasks), description, self.quiet, unit))
        if self.backend == "joblib":
            done = Parallel(n_jobs=self.jobs, return_as="generator")(delayed(func)(*t) for t in tasks)
            return list(progress(done, len(tasks), description, self.quiet, unit))
        if self._client is None:
            self._start_dask()
        from distributed import as_completed  # lazy: only the dask backend needs it

        futures = [self._client.submit(func, *t, pure=False) for t in tasks]
        for _ in progress(as_completed(futures), len(futures), description, self.quiet, unit):
            pass
        return self._client.gather(futures)


def map_tasks(executor: "Executor | None", func: Callable, tasks: list[tuple], description: str, unit: str,
              jobs: int = 1, quiet: bool = True) -> list:
    """``executor.map`` on a caller's executor, or on one of ``jobs`` joblib workers opened for these tasks."""
    if executor is not None:
        return executor.map(func, tasks, description, unit)
    with Executor(jobs=jobs, quiet=quiet) as own:
        return own.map(func, tasks, description, unit)

