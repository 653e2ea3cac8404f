"""The command line: help everywhere, the default population, clear errors, nothing half-written."""

import json

import pytest
from click.testing import CliRunner

from microsim import __version__
from microsim.cli import main

COMMANDS = ["synth", "describe", "validate", "import", "schema", "calibrate", "run", "policies", "compare", "project",
            "validate-model", "sweep", "cost", "workbook", "fiscal"]


@pytest.fixture
def run():
    """The command line in-process; `run` without --replicates gets --no-intervals (the estimate alone, fast)."""
    runner = CliRunner()

    def invoke(*args):
        args = list(args)
        if args and args[0] == "run" and "--replicates" not in args:
            args.append("--no-intervals")
        return runner.invoke(main, args, catch_exceptions=False)
    return invoke


def test_version(run):
    assert __version__ in run("--version").output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output and f"microsim {command}" in result.output


def test_describe_defaults_to_the_shipped_population(run):
    result = run("describe", "--json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    overview = {r["measure"]: r["value"] for r in doc["tables"]["Overview"]}
    assert overview["Sample households"] == 10000
    assert doc["metadata"]["seed"] == 2019


def test_synth_then_validate_then_describe(run, tmp_path):
    out = tmp_path / "pop"
    result = run("synth", "--households", "120", "--seed", "5", "--out", str(out), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert (out / "persons.csv").exists() and (out / "metadata.yaml").exists()
    assert "valid (120 households" in run("validate", str(out)).output
    assert "Poverty: published" in run("describe", str(out)).output


@pytest.mark.parametrize("size", ["0", "-5", "999999999"])
def test_bad_sizes_exit_non_zero_and_write_nothing(run, tmp_path, size):
    result = run("synth", "--households", size, "--out", str(tmp_path / "pop"))
    assert result.exit_code == 2
    assert "--households must be between 1 and" in result.output
    assert list(tmp_path.iterdir()) == []


def test_malformed_spec_is_named(run, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("published: [1, 2\n")
    result = run("synth", "-n", "10", "--spec", str(spec), "--out", str(tmp_path / "pop"))
    assert result.exit_code == 2
    assert str(spec) in result.output and "not valid YAML" in result.output
    assert not (tmp_path / "pop").exists()


def test_invalid_data_lists_problems(run, tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "households.csv").write_text("household_id,zone\n1,rural\n")
    (tmp_path / "bad" / "persons.csv").write_text("person_id,household_id\n1,1\n")
    result = run("validate", str(tmp_path / "bad"))
    assert result.exit_code == 2
    assert "households.csv: required column `weight` is missing" in result.output
    assert "persons.csv: required column `age` is missing" in result.output


def test_schema_markdown_matches_the_docs(run):
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs" / "data-schema.md"
    generated = run("schema", "--markdown").output
    assert docs.read_text().startswith(generated), "docs/data-schema.md is stale: run `microsim schema --markdown`"


def test_run_writes_the_full_folder_and_compare_reads_it(run, tmp_path):
    import json as _json

    import openpyxl

    out_a, out_b = tmp_path / "a", tmp_path / "b"
    result = run("run", "policies/scenarios/child_benefit_2_5.yaml", "--out", str(out_a))
    assert result.exit_code == 0, result.output
    for name in ("report.md", "workbook.xlsx", "summary.json", "manifest.json", "tables/poverty.csv",
                 "tables/costs.csv", "tables/incidence.csv", "tables/targeting.csv", "tables/missing_middle.csv",
                 "charts/poverty_by_age.png", "charts/costs_by_programme.png", "charts/incidence_by_decile.png",
                 "report.html"):
        assert (out_a / name).exists(), name
    manifest = _json.loads((out_a / "manifest.json").read_text())
    assert manifest["population"]["content_sha256"] and manifest["scenario"]["sha256"]
    assert manifest["versions"]["numpy"] and manifest["seed"] == 0
    assert manifest["parameters"]["baseline"]["disability_allowance.amount"]["value"] == 80000
    assert manifest["parameters"]["reform_changes"]["child_benefit.amount"]["value"] == 60000
    assert "MoSVY" in manifest["parameters"]["baseline"]["disability_allowance.amount"]["reference"]
    assert {"Summary", "Poverty", "Costs"} <= set(openpyxl.load_workbook(out_a / "workbook.xlsx").sheetnames)
    assert "](charts/poverty_by_age.png)" in (out_a / "report.md").read_text()
    assert run("run", "policies/scenarios/social_pension_65.yaml", "--out", str(out_b), "--jobs", "2",
               "--no-charts").exit_code == 0
    compared = run("compare", str(out_a), str(out_b), "--json")
    rows = {r["measure"]: r for r in _json.loads(compared.output)["headline"] if r["year"] == 2026}
    assert rows["poverty_rate_baseline_pct"]["b - a"] == 0
    # same scenario, same inputs: same results (the manifest's results hash)
    again = tmp_path / "again"
    run("run", "policies/scenarios/child_benefit_2_5.yaml", "--out", str(again), "--jobs", "3")
    assert _json.loads((again / "manifest.json").read_text())["results_sha256"] == manifest["results_sha256"]


def test_run_with_a_bad_scenario_leaves_no_folder(run, tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("name: bad\nyear: 2026\nreform:\n  child_benefit.amount: -1\n")
    out = tmp_path / "out"
    result = run("run", str(scenario), "--out", str(out))
    assert result.exit_code == 2
    assert "`child_benefit.amount` must be at least 0" in result.output and str(scenario) in result.output
    assert not out.exists()


def test_policies_lists_and_documents(run):
    listing = run("policies").output
    for name in ("social_pension", "child_benefit", "family_package_mother_child", "disability_allowance"):
        assert name in listing
    doc = run("policies", "child_benefit").output
    assert "max_age" in doc and "age 6 not included" in doc and "source:" in doc
    bad = run("policies", "child_benefits")
    assert bad.exit_code == 2 and "Did you mean child_benefit" in bad.output


def test_python_dash_m_microsim_is_the_command_line():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "microsim", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == run_version_line(), done.stderr


def run_version_line() -> str:
    from click.testing import CliRunner

    from microsim.cli import main

    return CliRunner().invoke(main, ["--version"]).output.strip()
