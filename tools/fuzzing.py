"""Fuzzing of the files analysts edit: every mutation gives a result or a clear error, never a crash.

A *case* is a kind of input (scenario, parameter, macro, mapping or population file) and a seed.
The seed drives a random mutation of a valid file (wrong types, missing, extra and duplicated
keys, NaN, huge and negative numbers, empty, truncated and binary files, broken tables), then the
input goes through the command or loader an analyst would use. A case passes when that ends in
success, or in a one-paragraph error with exit code 2 that leaves no output behind; a traceback,
another exit code or a half-written folder fails it.

The test suite runs a few hundred cases (tests/test_fuzz.py, through hypothesis);
``python tools/fuzz_inputs.py --cases 10000`` runs many and prints how many failed.
"""

from __future__ import annotations

import copy
import math
import random
import re
import traceback
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from microsim.paths import POLICIES

KINDS = ("scenario", "parameters", "macro", "mapping", "population", "variants", "benefit", "options")
JUNK = ("text", "", None, True, False, [1, 2], {"a": 1}, math.nan, math.inf, -math.inf, -1e308, 1e308, -5, 0,
        2**63, "1e5", 62.5, 1e5, "2026-13-45", "\x00", "é" * 3, -0.0, 1e30, 7, 250)
# written unquoted into the YAML text, where a parser reads them as dates that do not exist
IMPOSSIBLE_DATES = ("2026-13-01", "2019-02-30", "2019-13-01", "2026-02-30", "2023-04-31", "2100-02-29", "2026-00-10")
DATE_TEXT = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
VARIANTS = {"variants": [{"name": "higher", "overrides": {"child_benefit.amount": 80000}},
                         {"name": "half take-up", "overrides": {"child_benefit.take_up": 0.5,
                                                                "child_benefit.max_age": 4}}]}
SCENARIO = {"name": "fuzz", "year": 2026, "seed": 1, "description": "a fuzzed scenario",
            "reform": {"social_pension.active": True, "social_pension.amount": 150000, "social_pension.min_age": 65,
                       "child_benefit.active": True, "child_benefit.amount": 60000,
                       "child_benefit.amount.indexation": "cpi"},
            "baseline": {"simulation.admin_cost_rate": 0.05}}


@dataclass
class Outcome:
    kind: str
    seed: int
    ok: bool
    detail: str = ""


# ---- mutations of YAML-like data ------------------------------------------------------------------------
def _paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield prefix + (i,)
            yield from _paths(value, prefix + (i,))


def _parent(node, path):
    for part in path[:-1]:
        node = node[part]
    return node


def junk(rng: random.Random):
    """A junk value, copied: a list or mapping put in two places, or mutated later, must not be
    shared with JUNK itself (a cycle would follow)."""
    return copy.deepcopy(rng.choice(JUNK))


def mutate_data(data, rng: random.Random):
    """One to three structural mutations of parsed YAML: replace, delete, add or rename a key."""
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(data))
        if not paths:
            return junk(rng)
        path = rng.choice(paths)
        parent = _parent(data, path)
        action = rng.random()
        if action < 0.55:
            parent[path[-1]] = junk(rng)
        elif action < 0.7 and isinstance(parent, dict):
            del parent[path[-1]]
        elif action < 0.85 and isinstance(parent, dict):
            parent[rng.choice(["extra", "amount", "values", "active", "year", str(rng.random())])] = junk(rng)
        elif isinstance(parent, dict):
            value = parent.pop(path[-1])
            parent[str(path[-1])[:-1] + "x"] = value
    return data


def mutate_text(text: str, rng: random.Random) -> bytes:
    """Textual mutations: a duplicated line, truncation, binary noise, an empty file."""
    lines = text.splitlines(keepends=True)
    action = rng.random()
    if action < 0.35 and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "".join(lines).encode()
    if action < 0.55:
        return text[: rng.randrange(len(text) + 1)].encode()
    if action < 0.7:
        return b""
    if action < 0.85:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    raw = bytearray(text.encode())
    for _ in range(rng.randint(1, 5)):
        if raw:
            raw[rng.randrange(len(raw))] = rng.choice(b":-{}[]\t\n #'\"&*!|>%@`")
    return bytes(raw)


def dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def with_impossible_date(text: str, rng: random.Random) -> bytes:
    """An impossible date written where a date (an effective date, a key) or any value stands."""
    date = rng.choice(IMPOSSIBLE_DATES)
    dates = list(DATE_TEXT.finditer(text))
    if dates and rng.random() < 0.6:
        found = rng.choice(dates)
        return (text[: found.start()] + date + text[found.end():]).encode()
    values = list(re.finditer(r"(?m)(?<=: )[^\n{}\[\],]+$", text))
    if not values:
        return (text + f"\nyear: {date}\n").encode()
    found = rng.choice(values)
    return (text[: found.start()] + date + text[found.end():]).encode()


def mutated_yaml(data, rng: random.Random) -> bytes:
    action = rng.random()
    if action < 0.6:
        return dump(mutate_data(data, rng)).encode()
    if action < 0.8:
        return with_impossible_date(dump(data), rng)
    return mutate_text(dump(data), rng)


# ---- mutations of population tables ---------------------------------------------------------------------
def mutate_table(df: pd.DataFrame, rng: random.Random) -> pd.DataFrame | bytes:
    df = df.copy()
    action = rng.random()
    column = rng.choice(list(df.columns))
    if action < 0.15:
        return df.drop(columns=[column])
    if action < 0.45:
        value = rng.choice(JUNK)
        rows = rng.sample(range(len(df)), k=max(1, len(df) // rng.choice([1, 3, 20])))
        df[column] = df[column].astype(object)
        df.loc[rows, column] = str(value) if isinstance(value, (list, dict)) else value
        return df
    if action < 0.55:
        return df.iloc[:0]
    if action < 0.65:
        return pd.concat([df, df.iloc[: rng.randint(1, 3)]], ignore_index=True)
    if action < 0.75:
        return df.assign(**{f"unknown_{rng.randint(0, 9)}": 1})
    if action < 0.85:
        return df.sample(frac=rng.uniform(0.3, 0.9), random_state=rng.randrange(2**31))
    return mutate_text(df.to_csv(index=False), rng)


# ---- running a case --------------------------------------------------------------------------------------
class Workspace:
    """A folder with a small valid population (CSV), a mapping to it and base copies of every file."""

    def __init__(self, folder: Path):
        from microsim.population.io import write_population
        from microsim.synth import synthesize

        self.folder = Path(folder)
        self.base = self.folder / "base"
        if not (self.base / "households.csv").exists():
            write_population(synthesize(40, seed=11), self.base, fmt="csv", overwrite=True)
        self.households = pd.read_csv(self.base / "households.csv")
        self.persons = pd.read_csv(self.base / "persons.csv")
        self.mapping = {name: {"file": str(self.base / f"{name}.csv"),
                               "columns": {c: c for c in (self.households if name == "households" else self.persons).columns},
                               "multiply": {"consumption_pc": 1} if name == "households" else {}}
                        for name in ("households", "persons")}
        self.parameter_files = sorted((POLICIES / "parameters").glob("*.yaml"))


def _cli(args: list[str]):
    from click.testing import CliRunner

    from microsim.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def _check_cli(result, out: Path | None) -> str:
    """'' when the command ended as it should; else what went wrong."""
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        return "uncaught " + "".join(traceback.format_exception(exc))[-1500:]
    if result.exit_code not in (0, 2):
        return f"exit code {result.exit_code}: {result.output[-800:]}"
    if "Traceback" in result.output:
        return "traceback printed: " + result.output[-800:]
    if result.exit_code == 2:
        error = result.output.split("Error:", 1)
        if len(error) != 2 or "\n\n" in error[1].strip():
            return "error is not one paragraph: " + result.output[-800:]
        if out is not None and out.exists():
            return f"failed but left {out}"
    elif out is not None and not (out / "manifest.json").exists() and not (out / "metadata.yaml").exists():
        return f"succeeded without a complete {out}"
    if out is not None:
        hidden = [p.name for p in out.parent.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]
        if hidden:
            return f"left temporary folders {hidden}"
    return ""


def _check_loader(call, path: Path) -> str:
    from microsim.errors import MicrosimError

    try:
        call()
    except MicrosimError as e:
        if "\n\n" in str(e).strip():
            return f"error is not one paragraph: {e}"
        if str(path) not in str(e) and path.name not in str(e):
            return f"error does not name the file {path.name}: {e}"
    except Exception as e:  # noqa: BLE001 - any other exception is what the fuzzer looks for
        return "uncaught " + "".join(traceback.format_exception(e))[-1500:]
    return ""


def run_case(kind: str, seed: int, workspace: Workspace) -> Outcome:
    """Mutate one input of ``kind`` with ``seed`` and check how the program takes it."""
    rng = random.Random(f"{kind}:{seed}")
    case = workspace.folder / f"case-{kind}-{seed}"
    case.mkdir(parents=True, exist_ok=True)
    out = case / "out"
    if kind == "scenario":
        path = case / "scenario.yaml"
        path.write_bytes(mutated_yaml(SCENARIO, rng))
        if rng.random() < 0.25:  # the default path: the shipped population brought to the year
            detail = _check_cli(_cli(["run", path, "--out", out, "--no-charts", "--no-intervals"]), out)
        else:
            detail = _check_cli(_cli(["run", path, "--data", workspace.base, "--out", out, "--no-charts",
                                      "--no-ageing", "--no-growth", "--no-intervals"]), out)
    elif kind == "parameters":
        from microsim.engine.system import load_system
        from microsim.engine.macro import load_macro
        from microsim.engine.parameters import ParameterTree

        source = rng.choice(workspace.parameter_files)
        path = case / source.name
        path.write_bytes(mutated_yaml(yaml.safe_load(source.read_text()), rng))
        _, tree = load_system()
        others = [f for f in workspace.parameter_files if f.name != source.name]

        def load_and_resolve():
            loaded = ParameterTree.load(others + [path])
            for year in (2019, 2026, 2035):
                loaded.at(pd.Timestamp(year, 1, 1).date(), load_macro(), str(path))

        detail = _check_loader(load_and_resolve, path)
    elif kind == "macro":
        from microsim.engine.economy import year_economy
        from microsim.engine.macro import load_macro

        path = case / "macro.yaml"
        path.write_bytes(mutated_yaml(yaml.safe_load((POLICIES / "macro.yaml").read_text()), rng))

        def load_and_use():
            macro = load_macro(path)
            from microsim.population.io import read_population

            pop = read_population(workspace.base)
            for year in (2019, 2026):
                year_economy(pop, year, macro, growth=True)
                macro.gdp(year), macro.government_spending(year)

        detail = _check_loader(load_and_use, path)
    elif kind == "mapping":
        path = case / "mapping.yaml"
        path.write_bytes(mutated_yaml(workspace.mapping, rng))
        detail = _check_cli(_cli(["import", path, "--out", out]), out)
    elif kind == "population":
        folder = case / "population"
        folder.mkdir(exist_ok=True)
        (folder / "metadata.yaml").write_text((workspace.base / "metadata.yaml").read_text())
        target = rng.choice(["households", "persons"])
        for name, df in (("households", workspace.households), ("persons", workspace.persons)):
            table = mutate_table(df, rng) if name == target else df
            if isinstance(table, bytes):
                (folder / f"{name}.csv").write_bytes(table)
            else:
                table.to_csv(folder / f"{name}.csv", index=False)
        detail = _check_cli(_cli(["run", SCENARIO_FILE, "--data", folder, "--out", out, "--no-charts",
                                  "--no-ageing", "--no-growth", "--no-intervals"]), out)
    elif kind == "variants":
        path = case / "variants.yaml"
        path.write_bytes(mutated_yaml(VARIANTS, rng))
        detail = _check_cli(_cli(["sweep", SCENARIO_FILE, "--variants", path, "--data", workspace.base, "--out", out,
                                  "--no-ageing", "--no-growth", "-q"]), out)
    elif kind == "benefit":
        detail = _benefit_case(case, rng)
    elif kind == "options":
        detail = _options_case(case, rng, workspace)
    else:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    return Outcome(kind, seed, not detail, detail)


def _benefit_case(case: Path, rng: random.Random) -> str:
    """A mutated YAML benefit (policies/benefits), registered and its parameters loaded."""
    from microsim.engine.modules import REGISTRY
    from microsim.engine.parameters import ParameterTree
    from microsim.engine.yaml_benefits import RULES, register

    source = yaml.safe_load((POLICIES / "benefits" / "maternity_benefit.yaml").read_text())
    data = {"fuzz_benefit": source["maternity_benefit"]}
    path = case / "fuzz_benefit.yaml"
    path.write_bytes(mutated_yaml(data, rng))

    def load():
        before = set(REGISTRY)
        try:
            register(path)
            ParameterTree.load([path])
        finally:  # whatever name the mutated file registered (a key may have been renamed)
            for name in set(REGISTRY) - before:
                REGISTRY.pop(name, None)
                RULES.pop(name, None)

    return _check_loader(load, path)


def _options_case(case: Path, rng: random.Random, workspace: Workspace) -> str:
    """A bad command-line value: --csv onto a file, under a file or onto a folder; --discount out of
    range or not a number; an implausible amount with and without --allow. Each must end in a clear
    error that changes nothing (or, with --allow, a result)."""
    quick = ["--data", workspace.base, "--no-ageing", "--from", "2026", "--to", "2026"]
    action = rng.choice(["csv_existing", "csv_under_file", "csv_folder", "discount", "implausible"])
    if action.startswith("csv"):
        mine = case / "mine.csv"
        mine.write_text("the user's own numbers\n")
        target = {"csv_existing": mine, "csv_under_file": mine / "x.csv", "csv_folder": case}[action]
        result = _cli(["cost", SCENARIO_FILE, *quick, "--csv", target])
        detail = _check_cli(result, None)
        if not detail and result.exit_code != 2:
            detail = f"cost --csv {target} was not refused: {result.output[-400:]}"
        if not detail and mine.read_text() != "the user's own numbers\n":
            detail = "the user's file was changed"
        return detail
    if action == "discount":
        value = rng.choice(["1000", "-150", "25", "abc", "3,,x", "1e400", "nan", "", "5;7"])
        result = _cli(["inaction", SCENARIO_FILE, "--discount", value, "--data", workspace.base, "--out",
                       case / "out", "-q"])
        detail = _check_cli(result, case / "out")
        if not detail and result.exit_code != 2:
            detail = f"--discount {value!r} was not refused: {result.output[-400:]}"
        return detail
    amount = rng.choice(["1e30", "2.5e6", "1e9", "-1"])
    take_up = rng.choice(["7", "1.5", "0.5"])
    scenario = case / "scenario.yaml"
    scenario.write_text(f"name: fuzz\nyear: 2026\nreform:\n  child_benefit.active: true\n"
                        f"  child_benefit.amount: {amount}\n  child_benefit.take_up: {take_up}\n")
    allow = rng.random() < 0.5
    result = _cli(["cost", scenario, *quick] + (["--allow"] if allow else []))
    detail = _check_cli(result, None)
    refused = float(amount) < 0 or float(take_up) > 1 or (not allow and float(amount) > 2e6)
    if not detail and (result.exit_code == 2) != refused:
        detail = f"amount {amount}, take-up {take_up}, --allow {allow}: exit {result.exit_code}: {result.output[-400:]}"
    return detail


SCENARIO_FILE = POLICIES / "scenarios" / "child_benefit_2_5.yaml"
