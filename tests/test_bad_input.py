"""Bad input, tried as a new user would: one paragraph naming the file and field, exit 2, nothing written."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from microsim.cli import main
from microsim.errors import SpecError
from microsim.population.io import read_population, write_population
from microsim.engine.macro import load_macro
from microsim.engine.parameters import ParameterTree
from microsim.paths import HOME, POLICIES
from microsim.engine.scenario import load_scenario
from microsim.synth import synthesize

SCENARIO = POLICIES / "scenarios" / "child_benefit_2_5.yaml"


def cli(*args):
    """The command line in-process; `run` without --replicates gets --no-intervals (the estimate alone, fast)."""
    args = [str(a) for a in args]
    if args and args[0] == "run" and "--replicates" not in args:
        args.append("--no-intervals")
    return CliRunner().invoke(main, args, catch_exceptions=False)


def assert_clean_error(result, *phrases):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output, (phrase, result.output)


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def small_csv_population(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pop") / "small"
    write_population(synthesize(60, seed=4), folder, fmt="csv")
    return folder


# ---- populations ----------------------------------------------------------------------------------------
@pytest.fixture
def empty_population(tmp_path, small_csv_population):
    folder = tmp_path / "empty"
    folder.mkdir()
    for name in ("households", "persons"):
        header = (small_csv_population / f"{name}.csv").read_text().splitlines()[0]
        (folder / f"{name}.csv").write_text(header + "\n")
    return folder


@pytest.mark.parametrize("command", ["validate", "describe", "run", "project"])
def test_an_empty_population_is_invalid_everywhere(tmp_path, empty_population, command):
    args = {"validate": [empty_population], "describe": [empty_population],
            "run": [SCENARIO, "--data", empty_population, "--out", tmp_path / "out"],
            "project": [SCENARIO, "--data", empty_population, "--from", 2026, "--to", 2027, "--out", tmp_path / "out"]}
    result = cli(command, *args[command])
    assert_clean_error(result, "has no rows; a population needs at least one household", "households.csv")
    assert not (tmp_path / "out").exists()


def test_a_folder_with_both_csv_and_parquet_is_refused(tmp_path, small_csv_population):
    folder = tmp_path / "both"
    write_population(read_population(small_csv_population), folder)
    (folder / "households.csv").write_text((small_csv_population / "households.csv").read_text())
    assert_clean_error(cli("validate", folder), "both households.parquet and households.csv")


def test_a_negative_seed_is_refused(tmp_path):
    result = cli("synth", "-n", 10, "--seed", -1, "--out", tmp_path / "pop")
    assert_clean_error(result, "--seed")
    assert not (tmp_path / "pop").exists()


def test_a_mapping_with_a_word_for_a_number(tmp_path, small_csv_population):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(f"households:\n  file: {small_csv_population / 'households.csv'}\n  columns: {{household_id: "
                       f"household_id}}\n  multiply: {{consumption_pc: thirty}}\n"
                       f"persons:\n  file: {small_csv_population / 'persons.csv'}\n  columns: {{person_id: person_id}}\n")
    for command in (["validate", mapping], ["import", mapping, "--out", tmp_path / "out"]):
        assert_clean_error(cli(*command), str(mapping), "multiply.consumption_pc must be a finite number",
                           "'thirty'")
    assert not (tmp_path / "out").exists()


# ---- where outputs go -----------------------------------------------------------------------------------
OUTPUT_COMMANDS = {
    "run": lambda out: ["run", SCENARIO, "--out", out, "--no-charts"],
    "synth": lambda out: ["synth", "-n", 20, "--out", out],
    "calibrate": lambda out: ["calibrate", "--out", out],
    "project": lambda out: ["project", SCENARIO, "--from", 2026, "--to", 2026, "--out", out],
    "import": lambda out: ["import", "MAPPING", "--out", out],
}


@pytest.fixture
def mapping_file(tmp_path, small_csv_population):
    cols = pd.read_csv(small_csv_population / "households.csv", nrows=0).columns
    pcols = pd.read_csv(small_csv_population / "persons.csv", nrows=0).columns
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        f"households:\n  file: {small_csv_population / 'households.csv'}\n  columns: {{"
        + ", ".join(f"{c}: {c}" for c in cols) + "}\n"
        f"persons:\n  file: {small_csv_population / 'persons.csv'}\n  columns: {{"
        + ", ".join(f"{c}: {c}" for c in pcols) + "}\n")
    return mapping


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_output_under_an_ordinary_file_is_refused(tmp_path, mapping_file, command):
    plain = tmp_path / "notes.txt"
    plain.write_text("mine")
    args = [mapping_file if a == "MAPPING" else a for a in OUTPUT_COMMANDS[command](plain / "sub")]
    assert_clean_error(cli(*args), "is an ordinary file, not a folder")
    assert plain.read_text() == "mine"
    assert files_under(tmp_path) == sorted(["notes.txt", "map.yaml"])


@pytest.mark.parametrize("command", ["run", "synth", "project"])
@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
def test_output_in_a_folder_that_cannot_be_written(command):
    result = cli(*OUTPUT_COMMANDS[command](Path("/proc/microsim-test/out")))
    assert_clean_error(result, "Cannot write", "/proc/microsim-test/out")


@pytest.mark.parametrize("overwrite", [True, False])
def test_a_folder_microsim_did_not_write_is_never_deleted(tmp_path, overwrite):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work")
    result = cli("run", SCENARIO, "--out", mine, "--no-charts", *(["--overwrite"] if overwrite else []))
    assert_clean_error(result, str(mine))
    assert (mine / "thesis.docx").read_text() == "years of work" and files_under(mine) == ["thesis.docx"]
    assert files_under(tmp_path) == ["mine", "mine/thesis.docx"]


def test_the_default_run_folder_is_replaced_only_when_microsim_wrote_it(tmp_path, monkeypatch):
    import microsim.paths

    monkeypatch.setattr(microsim.paths, "HOME", tmp_path)
    folder = tmp_path / "runs" / SCENARIO.stem
    folder.mkdir(parents=True)
    (folder / "my_notes.md").write_text("keep me")
    assert_clean_error(cli("run", SCENARIO, "--no-charts"), "was not written by microsim")
    assert (folder / "my_notes.md").read_text() == "keep me"
    (folder / "my_notes.md").unlink()
    folder.rmdir()
    assert cli("run", SCENARIO, "--no-charts").exit_code == 0
    first = json.loads((folder / "manifest.json").read_text())
    assert cli("run", SCENARIO, "--no-charts").exit_code == 0  # ours: replaced
    assert json.loads((folder / "manifest.json").read_text())["results_sha256"] == first["results_sha256"]


def test_a_file_is_never_replaced_by_a_folder(tmp_path):
    plain = tmp_path / "result"
    plain.write_text("a file")
    assert_clean_error(cli("run", SCENARIO, "--out", plain, "--overwrite", "--no-charts"), "is an ordinary file")
    assert plain.read_text() == "a file"


# ---- scenario and parameter files ----------------------------------------------------------------------
def scenario_file(tmp_path, reform: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text("name: test\nyear: 2026\nreform:\n" + reform)
    return path


@pytest.mark.parametrize("reform, phrases", [
    ("  social_pension.min_age.indexation: cpi\n",
     ["`social_pension.min_age` is in years; only amounts in riels can be indexed"]),
    ("  social_pension.active: true\n  social_pension.min_age: 62.5\n",
     ["`social_pension.min_age` is a whole number of years (found 62.5)"]),
    ("  social_pension.active: true\n  social_pension.amount.indexation: fixed\n",
     ["`social_pension.amount.indexation: fixed` needs `social_pension.amount.indexation_rate`"]),
    ("  social_pension.active: true\n  social_pension.amount: .nan\n",
     ["`social_pension.amount` must be a finite number"]),
    ("  social_pension.active: true\n  social_pension.amount: 1e999\n",
     ["`social_pension.amount` must be a finite number"]),
    ("  social_pension.amount: 1\n  social_pension.amount: 2\n",
     ["the key `social_pension.amount` appears twice, on lines 4 and 5"]),
    ("  social_pension.amount.indexation_rate: lots\n", ["indexation_rate` is a percent per year"]),
])
def test_bad_scenario_values_are_named(tmp_path, reform, phrases):
    path = scenario_file(tmp_path, reform)
    result = cli("run", path, "--out", tmp_path / "out", "--no-charts")
    assert_clean_error(result, str(path), *phrases)
    assert not (tmp_path / "out").exists()


def test_an_amount_written_1e5_is_a_number(tmp_path):
    path = scenario_file(tmp_path, "  social_pension.active: true\n  social_pension.amount: 1e5\n")
    assert load_scenario(path).reform["social_pension.amount"] == 100000
    assert cli("run", path, "--out", tmp_path / "out", "--no-charts").exit_code == 0


def test_a_programme_switched_on_at_zero_is_warned_about(tmp_path):
    path = scenario_file(tmp_path, "  child_benefit.active: true\n  child_benefit.amount: 0\n")
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "out"), "--no-charts",
                                       "--no-intervals"])
    assert result.exit_code == 0
    message = "Child benefit is switched on but pays nothing in 2026"
    assert message in result.stderr
    assert message in (tmp_path / "out" / "report.md").read_text()
    assert any(message in w for w in json.loads((tmp_path / "out" / "summary.json").read_text())["warnings"])


def test_duplicated_keys_in_parameter_and_macro_files_are_refused(tmp_path):
    original = (POLICIES / "parameters" / "social_pension.yaml").read_text()
    lines = original.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  amount:"))
    doubled = "\n".join(lines[:at] + ["  min_age:", "    description: x", "    unit: years",
                                      "    values: {2019-01-01: {value: 60, reference: x}}"] + lines[at:]) + "\n"
    path = tmp_path / "social_pension.yaml"
    path.write_text(doubled)
    with pytest.raises(SpecError, match=rf"{path}: the key `min_age` appears twice, on lines \d+ and \d+"):
        ParameterTree.load([path])
    macro = tmp_path / "macro.yaml"
    macro.write_text((POLICIES / "macro.yaml").read_text() + "exchange_rate:\n  unit: x\n  values: {}\n")
    with pytest.raises(SpecError, match=r"the key `exchange_rate` appears twice"):
        load_macro(macro)


def test_bad_parameter_files_name_file_and_parameter(tmp_path):
    base = "p:\n  active:\n    description: a\n    unit: flag\n    values: {2019-01-01: {value: true, reference: r}}\n"
    cases = {
        ("years", "    indexation: cpi\n"): "`p.x` is in years; only amounts in riels can be indexed",
        ("riels per person per month", "    indexation: fixed\n"): "`indexation: fixed` needs `indexation_rate`",
        ("years", ""): None,
    }
    for (unit, extra), message in cases.items():
        path = tmp_path / "p.yaml"
        path.write_text(base + f"  x:\n    description: a\n    unit: {unit}\n" + extra
                        + "    values: {2019-01-01: {value: 60.5, reference: r}}\n")
        with pytest.raises(SpecError, match=message or r"`p.x` is a whole number of years \(found 60.5\)"):
            ParameterTree.load([path])
        path.write_text(path.read_text().replace("60.5", "60"))
        if message is None:
            continue
        with pytest.raises(SpecError, match=message):
            ParameterTree.load([path])


# ---- interruption --------------------------------------------------------------------------------------
def test_sigterm_leaves_nothing_behind(tmp_path):
    """SIGTERM while ten projection years run in two worker processes: exit 143, no temporary
    folder, no leaked semaphore. The signal comes once the worker processes exist (watched, not
    guessed from a fixed sleep, so a fast or a slow machine gives the same test)."""
    import psutil

    out = tmp_path / "proj"
    env = dict(os.environ, PYTHONWARNINGS="default")
    process = subprocess.Popen(
        [sys.executable, "-m", "microsim.cli", "project", str(SCENARIO), "--from", "2026", "--to", "2035",
         "--jobs", "2", "--out", str(out)], cwd=HOME, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watched, deadline = psutil.Process(process.pid), time.monotonic() + 120
    while process.poll() is None and len(watched.children(recursive=True)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the projection ended before it could be interrupted"
    assert len(watched.children(recursive=True)) >= 2, "no worker processes started within two minutes"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    stderr = stderr.decode()
    assert process.returncode == 143, stderr
    assert "Terminated" in stderr and "Traceback" not in stderr
    assert "leaked" not in stderr and "semlock" not in stderr
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == []


@pytest.mark.parametrize("extra", ["brief.docx", "drafts/notes.txt", "charts/my_chart.png"])
def test_files_a_user_added_to_a_run_folder_are_never_deleted(tmp_path, extra):
    out = tmp_path / "run"
    assert cli("run", SCENARIO, "--out", out, "--no-charts").exit_code == 0
    (out / extra).parent.mkdir(parents=True, exist_ok=True)
    (out / extra).write_text("mine")
    assert_clean_error(cli("run", SCENARIO, "--out", out, "--no-charts", "--overwrite"), "besides the run's files",
                       extra)
    assert (out / extra).read_text() == "mine"


def test_files_a_user_added_to_a_population_folder_are_never_deleted(tmp_path):
    out = tmp_path / "pop"
    assert cli("synth", "-n", 20, "--out", out).exit_code == 0
    (out / "codebook.pdf").write_text("mine")
    assert_clean_error(cli("synth", "-n", 20, "--out", out, "--overwrite"), "besides the population", "codebook.pdf")
    assert (out / "codebook.pdf").read_text() == "mine"
    (out / "codebook.pdf").unlink()
    assert cli("synth", "-n", 20, "--out", out, "--overwrite").exit_code == 0


def test_identifiers_too_large_to_store_are_refused(tmp_path, small_csv_population):
    folder = tmp_path / "big_ids"
    folder.mkdir()
    (folder / "persons.csv").write_text((small_csv_population / "persons.csv").read_text())
    households = pd.read_csv(small_csv_population / "households.csv")
    households["household_id"] = households["household_id"].astype(float)
    households.loc[0, "household_id"] = 1e20
    households.to_csv(folder / "households.csv", index=False)
    assert_clean_error(cli("validate", folder), "household_id", "too large to store")


@pytest.mark.parametrize("depth", [250, 50_000])
def test_a_yaml_file_nested_absurdly_deep_is_refused_not_crashed(tmp_path, depth):
    """libyaml's composer recurses in C, and recent libyaml parsers stop at their own depth in
    their own words: either way the refusal is one paragraph naming the file and what was expected."""
    from microsim.common.yamlfile import MAX_DEPTH, read_yaml

    deep = tmp_path / "deep.yaml"
    deep.write_bytes(b"[" * depth + b"]" * depth)
    with pytest.raises(SpecError) as refused:
        read_yaml(deep, "scenario")
    message = str(refused.value)
    assert str(deep) in message and "\n" not in message
    assert f"more than {MAX_DEPTH} deep" in message and "expected a YAML mapping" in message
    done = cli("run", deep)
    assert_clean_error(done, str(deep), "deep")


# ---- impossible dates ----------------------------------------------------------------------------------
DATE_EXPECTED = "expected a date written YYYY-MM-DD"


def test_a_scenario_year_written_as_an_impossible_date(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO.read_text().replace("year: 2026", "year: 2026-13-01"))
    done = cli("run", scenario, "--out", tmp_path / "out")
    assert_clean_error(done, str(scenario), "the key `year` has `2026-13-01` (line", "there is no month 13",
                       DATE_EXPECTED)
    assert files_under(tmp_path) == ["s.yaml"]


def test_a_variants_file_with_an_impossible_date(tmp_path):
    variants = tmp_path / "v.yaml"
    variants.write_text("variants:\n  - name: a\n    overrides: {child_benefit.amount: 2019-02-30}\n")
    done = cli("sweep", SCENARIO, "--variants", variants, "--out", tmp_path / "out")
    assert_clean_error(done, str(variants), "`2019-02-30`", "February 2019 has 28 days", DATE_EXPECTED)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("key, why", [("2019-13-01", "there is no month 13"), ("2026-02-30", "February 2026 has 28 days"),
                                      ("2023-04-31", "April 2023 has 30 days")])
def test_an_impossible_effective_date_in_a_parameter_or_benefit_file(tmp_path, key, why):
    from microsim.engine.yaml_benefits import register

    parameters = tmp_path / "social_pension.yaml"
    parameters.write_text((POLICIES / "parameters" / "social_pension.yaml").read_text()
                          .replace("2019-01-01:", f"{key}:", 1))
    with pytest.raises(SpecError) as refused:
        ParameterTree.load([parameters])
    message = str(refused.value)
    assert message.startswith(f"The parameter file {parameters}: the key `{key}` (line ")
    assert why in message and DATE_EXPECTED in message and "\n" not in message
    benefit = tmp_path / "maternity_benefit.yaml"
    benefit.write_text((POLICIES / "benefits" / "maternity_benefit.yaml").read_text().replace("2019-01-01:", f"{key}:", 1))
    with pytest.raises(SpecError, match=rf"{benefit}: the key `{key}` \(line \d+\) is not a date: {why}"):
        register(benefit)


def test_a_real_leap_day_is_a_date():
    from microsim.common.yamlfile import parse_yaml

    assert parse_yaml("a: 2024-02-29")["a"].isoformat() == "2024-02-29"
    with pytest.raises(Exception, match="February 2100 has 28 days"):
        parse_yaml("a: 2100-02-29")  # not a leap year: divisible by 100, not by 400


def test_a_sweep_value_or_study_setting_written_as_an_impossible_date(tmp_path):
    done = cli("sweep", SCENARIO, "--vary", "child_benefit.amount=2019-02-30", "--out", tmp_path / "out")
    assert_clean_error(done, "--vary child_benefit.amount=2019-02-30", "February 2019 has 28 days")
    done = cli("inaction", SCENARIO, "--set", "earnings.return_to_schooling=2019-02-30", "--out", tmp_path / "i")
    assert_clean_error(done, "--set", "February 2019 has 28 days")


# ---- the cost table's --csv ------------------------------------------------------------------------------
def test_cost_csv_never_replaces_a_file_without_overwrite(tmp_path):
    mine = tmp_path / "mycosts.csv"
    mine.write_text("my own numbers\n")
    done = cli("cost", SCENARIO, "--from", "2026", "--to", "2026", "--csv", mine)
    assert_clean_error(done, f"--csv {mine} already exists", "--overwrite")
    assert mine.read_text() == "my own numbers\n"
    done = cli("cost", SCENARIO, "--from", "2026", "--to", "2026", "--csv", mine, "--overwrite")
    assert done.exit_code == 0, done.output
    rows = pd.read_csv(mine)
    assert list(rows["measure"]) == ["child_benefit"] and list(rows["year"]) == [2026]
    assert files_under(tmp_path) == ["mycosts.csv"], "no temporary file is left beside it"


def test_cost_csv_under_an_ordinary_file_or_onto_a_folder(tmp_path):
    afile = tmp_path / "afile.txt"
    afile.write_text("x")
    done = cli("cost", SCENARIO, "--csv", afile / "x.csv")
    assert_clean_error(done, f"--csv {afile / 'x.csv'}: {afile} is an ordinary file, not a folder")
    done = cli("cost", SCENARIO, "--csv", tmp_path)
    assert_clean_error(done, f"--csv {tmp_path} is a folder; give a file name")
    assert files_under(tmp_path) == ["afile.txt"]


# ---- plausible ranges ----------------------------------------------------------------------------------
HUGE = "1e30"
IMPLAUSIBLE = ("`child_benefit.amount` = 1e+30 riels per person per month is outside its plausible range, "
               "0 to 2,000,000 (policies/parameters/child_benefit.yaml)")


def huge_child_benefit(tmp_path) -> Path:
    scenario = tmp_path / "huge.yaml"
    scenario.write_text(SCENARIO.read_text().replace("child_benefit.amount: 60000", f"child_benefit.amount: {HUGE}"))
    return scenario


@pytest.mark.parametrize("command", [["run"], ["project", "--to", "2027"], ["cost"], ["workbook"], ["inaction"]])
def test_an_implausible_amount_in_a_scenario_is_refused_everywhere(tmp_path, command):
    scenario = huge_child_benefit(tmp_path)
    args = [command[0], scenario, *command[1:]] + ([] if command[0] == "cost" else ["--out", tmp_path / "out"])
    assert_clean_error(cli(*args), str(scenario), IMPLAUSIBLE, "add --allow")
    assert files_under(tmp_path) == ["huge.yaml"]


def test_allow_accepts_an_implausible_amount_and_the_manifest_says_so(tmp_path):
    scenario = huge_child_benefit(tmp_path)
    done = cli("cost", scenario, "--from", "2026", "--to", "2026", "--allow")
    assert done.exit_code == 0, done.output
    done = cli("run", scenario, "--out", tmp_path / "out", "--no-charts", "--allow")
    assert done.exit_code == 0, done.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["scenario"]["allow_implausible"] is True and "--allow" in manifest["command"]


def test_an_implausible_value_in_a_sweep_or_variants_file_is_refused(tmp_path):
    done = cli("sweep", SCENARIO, "--vary", "child_benefit.take_up=0.5,7", "--out", tmp_path / "s")
    assert_clean_error(done, "`child_benefit.take_up` must be at most 1 share (found 7)")
    done = cli("sweep", SCENARIO, "--vary", f"child_benefit.amount=60000,{HUGE}", "--out", tmp_path / "s")
    assert_clean_error(done, "variant", IMPLAUSIBLE)
    variants = tmp_path / "v.yaml"
    variants.write_text(f"variants:\n  - name: typo\n    overrides: {{child_benefit.amount: {HUGE}}}\n")
    assert_clean_error(cli("sweep", SCENARIO, "--variants", variants, "--out", tmp_path / "s"), "variant 'typo'",
                       IMPLAUSIBLE)
    assert files_under(tmp_path) == ["v.yaml"]


def test_an_implausible_value_in_a_yaml_benefit_file(tmp_path):
    """A benefit file's parameters are checked as they are loaded for a run."""
    source = (POLICIES / "benefits" / "maternity_benefit.yaml").read_text()
    benefit = tmp_path / "maternity_benefit.yaml"
    benefit.write_text(source.replace("value: 100000", f"value: {HUGE}"))
    with pytest.raises(SpecError, match=r"`maternity_benefit.amount` = 1e\+30 riels per person per month is outside "
                                        r"its plausible range, 0 to 2,000,000 .*widen the parameter's `plausible`"):
        ParameterTree.load([benefit])
    # no `plausible` of its own: the unit's range (policies/plausible_ranges.yaml) applies
    benefit.write_text(source.replace("    plausible: [0, 2000000]\n", "", 1).replace("value: 100000", "value: 3000000"))
    with pytest.raises(SpecError, match="0 to 2,000,000"):
        ParameterTree.load([benefit])
    benefit.write_text(source.replace("plausible: [0, 2000000]", "plausible: [0, 5000000]", 1)
                       .replace("value: 100000", "value: 3000000"))
    tree = ParameterTree.load([benefit])  # widened in the file on purpose: accepted
    assert tree.parameters["maternity_benefit.amount"].plausible == (0, 5_000_000)


def test_a_plausible_range_must_be_two_ordered_numbers_on_a_number(tmp_path):
    base = "p:\n  active:\n    description: a\n    unit: flag\n    values: {2019-01-01: {value: true, reference: r}}\n"
    path = tmp_path / "p.yaml"
    for extra, message in [("plausible: [5, 1]", r"`plausible` must be \[lowest, highest\]"),
                           ("plausible: 3", r"`plausible` must be \[lowest, highest\]"),
                           ("plausible: [0, .inf]", r"`plausible` must be \[lowest, highest\]")]:
        path.write_text(base + f"  x:\n    description: a\n    unit: share\n    {extra}\n"
                        "    values: {2019-01-01: {value: 0.5, reference: r}}\n")
        with pytest.raises(SpecError, match=message):
            ParameterTree.load([path])
    path.write_text(base.replace("    unit: flag\n", "    unit: flag\n    plausible: [0, 1]\n"))
    with pytest.raises(SpecError, match="`plausible` is for numbers"):
        ParameterTree.load([path])


def test_every_shipped_amount_share_and_age_states_its_plausible_range():
    """In its own file (not only the unit's default), and every shipped value lies inside it."""
    import yaml

    from microsim.engine.parameters import RANGED_UNITS

    def leaves(node, prefix):
        if isinstance(node, dict) and "values" in node and "unit" in node:
            yield prefix, node
        elif isinstance(node, dict):
            for key, child in node.items():
                yield from leaves(child, f"{prefix}.{key}" if prefix else str(key))

    files = sorted((POLICIES / "parameters").glob("*.yaml")) + sorted((POLICIES / "benefits").glob("*.yaml"))
    missing = [f"{f.name}: {path}" for f in files for path, leaf in leaves(yaml.safe_load(f.read_text()), "")
               if leaf["unit"] in RANGED_UNITS and "plausible" not in leaf]
    assert not missing, missing
    tree = ParameterTree.load(sorted((POLICIES / "parameters").glob("*.yaml")))
    for p in tree.parameters.values():
        if p.plausible is not None:
            assert all(p.plausible[0] <= e["value"] <= p.plausible[1] for e in p.values.values()), p.path


@given(value=st.floats(min_value=-1e40, max_value=1e40, allow_nan=False))
@settings(max_examples=200, deadline=None)
def test_an_override_is_accepted_exactly_when_plausible_or_allowed(value):
    """Property: for any number, an override of a non-negative amount passes iff it lies in the
    plausible range, and with allow iff it passes the hard minimum."""
    from microsim.engine.system import load_system

    _, tree = load_system()
    parameter = tree.parameters["child_benefit.amount"]
    low, high = parameter.plausible

    def accepted(allow: bool) -> bool:
        try:
            tree.with_overrides({"child_benefit.amount": value}, "property", allow=allow)
            return True
        except SpecError:
            return False

    assert accepted(False) == (low <= value <= high)
    assert accepted(True) == (value >= parameter.min)
