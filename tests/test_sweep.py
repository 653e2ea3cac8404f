"""Sweeps: every variant equals its own run; bad grids are refused before any work."""

import json

import pytest
from click.testing import CliRunner

from microsim.cli import main
from microsim.errors import SpecError
from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION
from microsim.studies.run import simulate_year
from microsim.engine.scenario import load_scenario
from microsim.studies.sweep import frontier, grid_variants, parse_vary, run_sweep, variant_scenario

import numpy as np

DEFAULT = read_population(DEFAULT_POPULATION)
SCENARIO = "policies/scenarios/social_pension_65.yaml"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_every_variant_equals_a_single_run_of_it():
    sc = load_scenario(SCENARIO)
    variants = grid_variants(["social_pension.amount=100000:200000:50000", "social_pension.min_age=60,70"])
    assert len(variants) == 6
    results = run_sweep(sc, DEFAULT, variants)
    for variant, result in zip(variants, results):
        alone = simulate_year(variant_scenario(sc, variant), DEFAULT).result
        assert result.to_json() == alone.to_json(), variant.name


def test_ranges_include_both_ends_and_lists_keep_types():
    assert parse_vary("x.amount=60000:200000:20000")[1] == list(range(60000, 200001, 20000))
    assert parse_vary("x.rate=0.1:0.3:0.1")[1] == [0.1, 0.2, 0.3]
    assert parse_vary("x.targeting=universal,idpoor")[1] == ["universal", "idpoor"]
    assert parse_vary("x.active=true,false")[1] == [True, False]


def test_the_frontier_keeps_only_variants_nobody_beats():
    cost = np.array([1.0, 2.0, 2.0, 3.0, 4.0])
    lifted = np.array([10.0, 15.0, 12.0, 30.0, 25.0])
    assert frontier(cost, lifted).tolist() == [True, True, False, True, False]


def test_sweep_writes_a_run_folder_with_a_row_per_variant_and_intervals(tmp_path):
    out = tmp_path / "sweep"
    result = cli("sweep", SCENARIO, "--vary", "social_pension.amount=100000,150000", "--replicates", 3,
                 "--jobs", 2, "--out", out)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["kind"] == "sweep" and [v["name"] for v in summary["variants"]] == ["amount=100000",
                                                                                      "amount=150000"]
    assert all(v["intervals"]["replicates"] == 3 for v in summary["variants"])
    rows = (out / "tables" / "variants.csv").read_text().splitlines()
    assert len(rows) == 3 and "persons lifted out of poverty, 95 % low" in rows[0]
    assert (out / "charts" / "frontier.png").exists() and "frontier" in (out / "report.md").read_text()


@pytest.mark.parametrize("args, message", [
    (["--vary", "social_pension.ammount=1,2"], "unknown parameter `social_pension.ammount`"),
    (["--vary", "social_pension.amount=200000:100000:10000"], "is empty"),
    (["--vary", "social_pension.amount=1:2:0"], "is empty"),
    (["--vary", "social_pension.amount"], "expected parameter=values"),
    (["--vary", "social_pension.amount=1:500:1"], "more than 200"),
    (["--vary", "social_pension.amount=lots,100"], "is a number"),
    ([], "either with --vary"),
    (["--replicates", "-1", "--vary", "social_pension.amount=1,2"], "--replicates"),
    (["--replicates", "0", "--vary", "social_pension.amount=1,2"], "--replicates"),
])
def test_bad_sweeps_are_refused_before_any_work(tmp_path, args, message):
    result = cli("sweep", SCENARIO, *args, "--out", tmp_path / "out")
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_variants_from_a_file(tmp_path):
    path = tmp_path / "variants.yaml"
    path.write_text("variants:\n  - name: low\n    overrides: {social_pension.amount: 80000}\n"
                    "  - name: high at 70\n    overrides: {social_pension.amount: 200000, social_pension.min_age: 70}\n")
    result = cli("sweep", SCENARIO, "--variants", path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    names = [v["name"] for v in json.loads((tmp_path / "out" / "summary.json").read_text())["variants"]]
    assert names == ["low", "high at 70"]
    path.write_text("variants:\n  - name: a\n    overrides: {social_pension.amount: 1}\n  - name: a\n    overrides: {}\n")
    with pytest.raises(SpecError, match="used twice"):
        from microsim.studies.sweep import file_variants
        file_variants(path)


def test_a_phased_variant_is_written_as_its_schedule(tmp_path):
    from microsim.studies.sweep import file_variants, variants_table

    path = tmp_path / "variants.yaml"
    path.write_text("variants:\n  - name: flat\n    overrides: {social_pension.min_age: 70}\n"
                    "  - name: phased\n    overrides: {social_pension.min_age: {2026: 80, 2028: 70}}\n")
    variants = file_variants(path)
    table = variants_table(variants, run_sweep(load_scenario(SCENARIO), DEFAULT, variants))
    assert list(table["social_pension.min_age"]) == [70, "80 from 2026; 70 from 2028"]
