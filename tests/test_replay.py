"""The command line a run folder records reproduces it: run again, it gives the same results.

Every command builds that line in one place (``microsim.cli.replay_command``), from click's own
record of the command, so a new option is recorded without anyone remembering to add it.
"""

import json
import shlex

import pytest
from click.testing import CliRunner

from microsim.cli import main
from microsim.population.io import read_population
from microsim.paths import HOME


def invoke(args: list[str]):
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def recorded(out) -> tuple[list[str], str]:
    manifest = json.loads((out / "manifest.json").read_text())
    words = shlex.split(manifest["command"])
    assert words[0] == "microsim"
    return words[1:], manifest["results_sha256"]


RUN_FOLDER_COMMANDS = {
    "run": ["run", "policies/scenarios/child_benefit_2_5.yaml", "--no-intervals", "--no-growth", "--jobs", "2",
            "--no-charts", "--quiet"],
    "run-replicates": ["run", "policies/scenarios/social_pension_65.yaml", "--replicates", "3", "--no-charts"],
    "project": ["project", "policies/scenarios/social_pension_65.yaml", "--from", "2026", "--to", "2027",
                "--no-ageing", "--quiet"],
    "sweep": ["sweep", "policies/scenarios/child_benefit_2_5.yaml", "--vary", "child_benefit.amount=40000,80000",
              "--vary", "child_benefit.max_age=4,5", "--no-growth", "--quiet"],
    "inaction": ["inaction", "policies/scenarios/child_benefit_2_5.yaml", "--cohorts", "2026", "--discount", "4",
                 "--set", "earnings.return_to_schooling=0.07", "--quiet"],
    "workbook": ["workbook", "docs/training/scenarios/five_measures.yaml", "--from", "2026", "--to", "2027",
                 "--no-ageing", "--quiet"],
    "fiscal": ["fiscal", "policies/scenarios/floor_phased_in.yaml", "--from", "2026", "--to", "2028", "--financing",
               "docs/training/scenarios/financing_more_tax_for_the_floor.yaml", "--quiet"],
}


@pytest.mark.parametrize("name", RUN_FOLDER_COMMANDS)
def test_the_recorded_command_reproduces_the_run_folder(name, tmp_path, monkeypatch):
    monkeypatch.chdir(HOME)  # recorded paths are relative to the project
    first = tmp_path / "first"
    invoke(RUN_FOLDER_COMMANDS[name] + ["--out", str(first)])
    command, results = recorded(first)
    assert command[0] == RUN_FOLDER_COMMANDS[name][0]
    for output_only in ("--out", "--quiet", "--no-charts", "--overwrite"):
        assert output_only not in command, f"{output_only} says where output goes, not what it is"
    assert "--data" in command  # the population actually used is always written
    second = tmp_path / "second"
    invoke(command + ["--out", str(second), "--quiet"])
    again, replayed = recorded(second)
    assert replayed == results
    assert again == command  # and it records itself unchanged


def test_a_run_records_what_changes_results_and_resolved_values(tmp_path, monkeypatch):
    monkeypatch.chdir(HOME)
    invoke(RUN_FOLDER_COMMANDS["run"] + ["--out", str(tmp_path / "run")])
    assert recorded(tmp_path / "run")[0] == ["run", "policies/scenarios/child_benefit_2_5.yaml", "--data",
                                             "synthetic_data/default", "--jobs", "2", "--no-growth",
                                             "--no-intervals"]
    invoke(RUN_FOLDER_COMMANDS["inaction"] + ["--out", str(tmp_path / "inaction")])
    command = recorded(tmp_path / "inaction")[0]
    assert command[command.index("--discount") + 1] == "4"  # in percent, as typed
    assert command[command.index("--set") + 1] == "earnings.return_to_schooling=0.07"
    assert "--near-poor" in command  # resolved from the parameters when not given


def test_synth_and_calibrate_record_commands_that_rebuild_the_same_population(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    invoke(["synth", "-n", "300", "-s", "5", "--calibrate", "--out", "small", "--quiet"])
    command = shlex.split(read_population(tmp_path / "small").metadata["command"])
    assert command == ["microsim", "synth", "--households", "300", "--seed", "5", "--out",
                       str((tmp_path / "small").resolve()), "--calibrate"]
    monkeypatch.chdir(HOME)  # recorded commands run from the project folder, as its paths are written
    command[command.index("--out") + 1] = str(tmp_path / "again")
    invoke(command[1:] + ["--quiet"])
    assert read_population(tmp_path / "again").content_hash() == read_population(tmp_path / "small").content_hash()

    monkeypatch.chdir(tmp_path)
    invoke(["calibrate", "small", "--method", "raking", "--bounds", "0.5", "2", "--out", "raked", "--quiet"])
    command = shlex.split(read_population(tmp_path / "raked").metadata["calibration"]["command"])
    assert command[:3] == ["microsim", "calibrate", str((tmp_path / "small").resolve())]
    assert command[command.index("--bounds") + 1: command.index("--bounds") + 3] == ["0.5", "2"]
    assert command[command.index("--targets") + 1] == "synthetic_data/targets/cses_2019_20.yaml"
    monkeypatch.chdir(HOME)
    command[command.index("--out") + 1] = str(tmp_path / "raked-again")
    invoke(command[1:] + ["--quiet"])
    assert (read_population(tmp_path / "raked-again").content_hash()
            == read_population(tmp_path / "raked").content_hash())
