"""The command line: help everywhere, the default population, clear errors, nothing half-written."""

import json

import pytest
from click.testing import CliRunner

from microsim import __version__
from microsim.cli import main

COMMANDS = ["synth", "describe", "validate", "import", "schema"]


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


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
