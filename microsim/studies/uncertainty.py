"""Confidence intervals for every headline figure: a seeded bootstrap of households carried
through calibration (docs/uncertainty.md).

Replicate r reweights the base population's households by a Poisson(1) multiplicity drawn from
(seed, r, household id) alone, so a replicate is the same whatever the order of households, the
number of workers or the backend (the Poisson bootstrap is the with-replacement bootstrap of a
sample of random size: households drawn k times carry k times their weight, households not drawn
leave the replicate). The replicate is then recalibrated to the
targets the base population was calibrated to, with the same method and bounds, so that the
interval carries the calibration's own effect: figures the calibration fixes (the national
poverty rate in the survey year) get no spurious spread. Each replicate is brought to the year and
simulated exactly like the point estimate, baseline and reform together, so a reform's change is
paired and its interval is that of the change, not of two levels.

The interval of a figure is the point estimate +- t x the bootstrap standard error (the standard
deviation of the replicates), t the 97.5 % quantile of Student's t with R - 1 degrees of freedom
(2.09 for 20 replicates, tending to 1.96): it accounts for the standard error being estimated
from few replicates, where percentiles would be unstable. A figure that does not vary across
replicates (a zero reform's change) has an interval of exactly zero width.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from microsim.errors import SpecError
from microsim.population.population import Population
from microsim.distribution.results import HEADLINE_LABELS, YearResult
from microsim.engine.takeup import uniform
from microsim.population.calibrate import CalibrationError, apply, calibrate_population
from microsim.paths import HOME
from microsim.population.targets import load_targets
from microsim.studies.executor import map_tasks, resolve
from microsim.studies.run import simulate_year

PROGRAMME_FIELDS = ("cost_reform_riels_per_year", "cost_change_riels_per_year", "recipients_reform_persons",
                    "receiving_households_reform")


def poisson_multiplicity(household_ids: np.ndarray, seed: int, replicate: int) -> np.ndarray:
    """How many times each household is drawn in replicate ``replicate``: Poisson(1), from its id."""
    u = uniform(np.asarray(household_ids), seed, f"bootstrap.{replicate}")
    k = np.arange(12)
    cdf = np.cumsum(np.exp(-1.0) / np.array([math.factorial(int(i)) for i in k]))
    return np.minimum(np.searchsorted(cdf, u, side="right"), k[-1]).astype(np.float64)


def replicate_population(base: Population, seed: int, replicate: int,
                         advice: str = "use a larger one, or --no-intervals.") -> Population:
    """The base population reweighted by replicate ``replicate``'s multiplicities and, when the base
    was calibrated, recalibrated to the same targets with the same method and bounds."""

    multiplicity = poisson_multiplicity(base.households["household_id"].to_numpy(), seed, replicate)
    drawn = multiplicity > 0  # households drawn at least once; the others leave the replicate
    households = base.households[drawn].reset_index(drop=True)
    households["weight"] = households["weight"].to_numpy() * multiplicity[drawn]
    persons = base.persons[drawn[base.person_household_index]].reset_index(drop=True)
    meta = dict(base.metadata) | {"bootstrap_replicate": replicate}
    pop = Population(households, persons, meta)
    calibration = base.metadata.get("calibration")
    if not isinstance(calibration, dict):
        return pop  # survey weights as given: the bootstrap alone
    targets_path = HOME / calibration["targets"]
    try:
        cal = calibrate_population(pop, load_targets(targets_path), method=calibration.get("method", "logit"),
                                   bounds=tuple(calibration.get("bounds", (0.25, 4.0))))
    except CalibrationError as e:
        raise SpecError(f"Bootstrap replicate {replicate} cannot be recalibrated to {calibration['targets']}: {e} "
                        f"The population is too small for intervals through calibration; {advice}") from None
    return apply(pop, cal)


def replicate_year(scenario, base: Population, year: int, replicate: int, ageing: bool, growth: bool,
                   macro=None) -> YearResult:
    """One replicate of one year: the replicate population, brought to the year and simulated."""

    pop = replicate_population(resolve(base), scenario.seed, replicate)
    return simulate_year(scenario, pop, year, ageing=ageing, growth=growth, macro=macro).result


def replicate_results(scenario, base, years: list[int], replicates: int, ageing: bool = True,
                      growth: bool = True, jobs: int = 1, macro=None, quiet: bool = True,
                      executor=None) -> dict[int, list[YearResult]]:
    """Every replicate of every year, as tasks of the executor (default: ``jobs`` joblib processes);
    ``base`` is a Population or a PopulationRef. Identical for any backend and number of workers."""

    if replicates < 1:
        raise SpecError(f"--replicates must be a whole number of at least 1 (found {replicates}); use 0 for none.")
    tasks = [(scenario, base, year, r, ageing, growth, macro) for r in range(1, replicates + 1) for year in years]
    done = map_tasks(executor, replicate_year, tasks, "Replicates", "run", jobs, quiet)
    out: dict[int, list[YearResult]] = {year: [] for year in years}
    for task, result in zip(tasks, done):
        out[task[2]].append(result)
    return out


def attach_intervals(scenario, base, simulations: list, replicates: int, ageing: bool = True, growth: bool = True,
                     executor=None) -> None:
    """Give each simulation's result (a run's :class:`~microsim.studies.run.Simulation`, or the years
    of a projection) its 95 % intervals, from ``replicates`` bootstrap replicates of every year
    simulated, run as tasks of the executor. ``base`` is the Population or PopulationRef the point
    estimates were simulated on. Nothing happens when ``replicates`` is 0."""
    if not replicates:
        return
    years = sorted({s.result.year for s in simulations})
    reps = replicate_results(scenario, base, years, replicates, ageing=ageing, growth=growth, executor=executor)
    for s in simulations:
        s.result = dataclasses.replace(s.result, intervals=intervals(s.result, reps[s.result.year]))


@dataclass(frozen=True)
class Interval:
    low: float | None
    high: float | None
    standard_error: float | None

    def to_json(self) -> dict:
        return {"low": self.low, "high": self.high, "standard_error": self.standard_error}


def t_quantile(replicates: int) -> float:
    """The 97.5 % quantile of Student's t with ``replicates`` - 1 degrees of freedom."""
    from scipy.stats import t  # lazy: scipy.stats takes most of a second to import

    return float(t.ppf(0.975, replicates - 1))


def interval(point, values: list) -> Interval:
    """95 % interval around ``point``: Student t (replicates - 1 degrees of freedom) times the
    replicates' standard deviation; empty with fewer than two finite replicates."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if point is None or not math.isfinite(point) or len(finite) < 2:
        return Interval(None, None, None)
    se = float(np.std(finite, ddof=1))
    half = t_quantile(len(finite)) * se
    return Interval(point - half, point + half, se)


def intervals(point: YearResult, replicates: list[YearResult]) -> dict:
    """95 % intervals of every headline figure and of each programme's cost and caseload."""
    headline = {key: interval(getattr(point.headline, key), [getattr(r.headline, key) for r in replicates])
                for key in HEADLINE_LABELS}
    programmes = {}
    for p in point.programmes:
        others = [next((q for q in r.programmes if q.programme == p.programme), None) for r in replicates]
        programmes[p.programme] = {field: interval(getattr(p, field), [getattr(q, field) if q else None
                                                                          for q in others])
                                   for field in PROGRAMME_FIELDS}
    return {"replicates": len(replicates), "headline": headline, "programmes": programmes}
