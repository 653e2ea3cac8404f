"""Confidence intervals: bootstrap replicates through calibration, paired changes, coverage."""

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from microsim.population.calibrate import apply, calibrate_population
from microsim.cli import main
from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION
from microsim.studies.run import simulate_year
from microsim.engine.scenario import Scenario
from microsim.synth import synthesize
from microsim.population.targets import load_targets
from microsim.engine.takeup import uniform
from microsim.studies.uncertainty import intervals, poisson_multiplicity, replicate_population, replicate_results, t_quantile

DEFAULT = read_population(DEFAULT_POPULATION)
PENSION = {"social_pension.active": True, "social_pension.amount": 158000, "social_pension.min_age": 65}


def scenario(reform, year=2026):
    return Scenario(name="t", year=year, path=Path("t.yaml"), sha256="", reform=reform)


def test_multiplicities_are_poisson_one_and_keyed_by_id():
    ids = np.arange(1, 200_001, dtype=np.int64)
    m = poisson_multiplicity(ids, 3, 1)
    assert abs(m.mean() - 1) < 0.01 and abs(m.var() - 1) < 0.02 and abs((m == 0).mean() - np.exp(-1)) < 0.005
    order = np.random.default_rng(0).permutation(ids.size)
    np.testing.assert_array_equal(poisson_multiplicity(ids[order], 3, 1), m[order])
    assert not np.array_equal(poisson_multiplicity(ids, 3, 2), m)


def test_a_replicate_is_recalibrated_to_the_same_targets():
    rep = replicate_population(DEFAULT, 0, 1)
    assert rep.n_households < DEFAULT.n_households  # households not drawn leave the replicate
    from microsim.population.targets import evaluate

    table = evaluate(rep, load_targets())
    assert (table.loc[table.kind == "rate", "error"].abs() < 1e-6).all()
    assert (table.loc[table.kind == "count", "error"].abs() < 1e-6).all()


def test_a_zero_reform_has_a_change_interval_of_exactly_zero():
    sc = scenario({"social_pension.active": True, "social_pension.amount": 0})
    point = simulate_year(sc, DEFAULT, ageing=False, growth=False).result
    reps = replicate_results(sc, DEFAULT, [2026], 4, ageing=False, growth=False)[2026]
    iv = intervals(point, reps)["headline"]
    for key in ("poverty_rate_change_pp", "persons_lifted_out_of_poverty", "cost_change_riels_per_year"):
        assert (iv[key].low, iv[key].high, iv[key].standard_error) == (0.0, 0.0, 0.0), key
    assert iv["poverty_rate_baseline_pct"].standard_error > 0  # levels do vary


def test_replicates_are_identical_for_any_number_of_workers():
    sc = scenario(PENSION)
    one = replicate_results(sc, DEFAULT, [2026], 3, jobs=1)[2026]
    two = replicate_results(sc, DEFAULT, [2026], 3, jobs=2)[2026]
    assert [r.to_json() for r in one] == [r.to_json() for r in two]


def test_intervals_shrink_as_the_population_grows():
    def standard_error(households):
        pop = synthesize(households, seed=5)
        pop = apply(pop, calibrate_population(pop, load_targets()))
        sc = scenario(PENSION)
        point = simulate_year(sc, pop, ageing=False, growth=False).result
        reps = replicate_results(sc, pop, [2026], 12, ageing=False, growth=False, jobs=2)[2026]
        return intervals(point, reps)["headline"]["persons_lifted_out_of_poverty"].standard_error

    small, large = standard_error(4000), standard_error(16000)
    assert small > 1.3 * large  # about 2 expected for four times the households


def test_the_95_percent_interval_covers_the_true_value_in_about_95_percent_of_samples():
    """A known population of 20,000 households; 300 samples of 400; the bootstrap interval of the
    poverty rate (the module's multiplicities and interval rule) covers the true rate ~95 % of the time."""
    rng = np.random.default_rng(7)
    size = rng.integers(1, 9, 20_000)
    poor = rng.random(20_000) < np.where(size > 4, 0.3, 0.12)
    truth = (size * poor).sum() / size.sum()
    covered, trials, replicates = 0, 300, 150
    for trial in range(trials):
        chosen = np.sort(rng.choice(20_000, 400, replace=False))
        s, p = size[chosen], poor[chosen]
        estimate = (s * p).sum() / s.sum()
        ids = chosen.astype(np.int64) + 1
        m = np.vstack([poisson_multiplicity(ids, trial, r) for r in range(1, replicates + 1)])
        values = (m * s * p).sum(axis=1) / (m * s).sum(axis=1)
        se = values.std(ddof=1)
        covered += abs(estimate - truth) <= t_quantile(replicates) * se
    assert 0.91 <= covered / trials <= 0.985


def test_run_with_replicates_writes_intervals_to_summary_and_report(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", "policies/scenarios/social_pension_65.yaml", "--out", str(out),
                                       "--no-charts", "--replicates", "3", "--jobs", "2"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["uncertainty"]["replicates"] == 3
    lifted = summary["years"][0]["intervals"]["headline"]["persons_lifted_out_of_poverty"]
    assert lifted["low"] < summary["headline"]["persons_lifted_out_of_poverty"] < lifted["high"]
    assert "## How sure" in (out / "report.md").read_text()


@pytest.mark.parametrize("replicates", [5, 20])
def test_coverage_holds_with_few_replicates_too(replicates):
    """The t quantile keeps coverage near 95 % with the default 20 replicates and with 5."""
    rng = np.random.default_rng(11)
    size = rng.integers(1, 9, 20_000)
    poor = rng.random(20_000) < np.where(size > 4, 0.3, 0.12)
    truth = (size * poor).sum() / size.sum()
    covered, trials = 0, 400
    for trial in range(trials):
        chosen = np.sort(rng.choice(20_000, 400, replace=False))
        s, p = size[chosen], poor[chosen]
        m = np.vstack([poisson_multiplicity(chosen.astype(np.int64) + 1, trial, r) for r in range(1, replicates + 1)])
        se = ((m * s * p).sum(axis=1) / (m * s).sum(axis=1)).std(ddof=1)
        covered += abs((s * p).sum() / s.sum() - truth) <= t_quantile(replicates) * se
    assert 0.90 <= covered / trials <= 0.99


@pytest.mark.parametrize("value", ["0", "-1", "x"])
def test_bad_replicate_counts_are_refused(tmp_path, value):
    result = CliRunner().invoke(main, ["run", "policies/scenarios/social_pension_65.yaml", "--out", str(tmp_path / "o"),
                                       "--replicates", value])
    assert result.exit_code == 2 and "--replicates" in result.output and not (tmp_path / "o").exists()


def test_uniform_draws_are_what_the_multiplicities_use():
    ids = np.arange(1, 11, dtype=np.int64)
    u = uniform(ids, 0, "bootstrap.1")
    assert np.all((poisson_multiplicity(ids, 0, 1) == 0) == (u < np.exp(-1)))


def test_identical_results_on_serial_joblib_and_a_dask_local_cluster(tmp_path):
    """The same run with replicates on three backends: the same summary.json, to the byte."""
    summaries = {}
    for backend in ("serial", "joblib", "dask"):
        out = tmp_path / backend
        result = CliRunner().invoke(main, ["run", "policies/scenarios/child_benefit_2_5.yaml", "--out", str(out),
                                           "--no-charts", "--replicates", "3", "--jobs", "2", "--backend", backend,
                                           "--quiet"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        summaries[backend] = (out / "summary.json").read_text()
    assert summaries["serial"] == summaries["joblib"] == summaries["dask"]


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["run", "policies/scenarios/child_benefit_2_5.yaml", "--out", str(tmp_path / "o"),
                                       "--replicates", "2", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2 and "Cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert not (tmp_path / "o").exists()


def test_project_with_replicates_shows_intervals_in_the_report(tmp_path):
    out = tmp_path / "proj"
    result = CliRunner().invoke(main, ["project", "policies/scenarios/child_benefit_2_5.yaml", "--from", "2026",
                                       "--to", "2027", "--replicates", "2", "--out", str(out), "--quiet"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = (out / "report.md").read_text()
    assert "## How sure" in report and "| 2027 |" in report.split("## How sure")[1]
    summary = json.loads((out / "summary.json").read_text())
    assert all(y["intervals"]["replicates"] == 2 for y in summary["years"])
