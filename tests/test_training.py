"""The training lessons (docs/training/) run as written: every command in their ```sh blocks, and
every figure in their `<!-- check: FILE KEY VALUE TOLERANCE "SHOWN" -->` comments, which must also
appear in the lesson's text as SHOWN."""

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from microsim.cli import main
from microsim.paths import HOME

LESSONS = sorted((HOME / "docs" / "training").glob("[0-9][0-9]-*.md"))
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
CHECK = re.compile(r'<!-- check: (\S+) (.+?) (\S+) (\S+) "([^"]+)" -->')


def lookup(path: Path, key: str) -> float:
    """A figure from a run's files: JSON dotted keys (list indexes as numbers), CSV ROW.COLUMN,
    workbook SHEET!CELL (the cached value)."""
    if path.suffix == ".json":
        node = json.loads(path.read_text())
        for part in key.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
        return float(node)
    if path.suffix == ".csv":
        import pandas as pd

        row, column = key.split(".", 1)
        return float(pd.read_csv(path).iloc[int(row)][column])
    import openpyxl

    sheet, cell = key.split("!")
    return float(openpyxl.load_workbook(path, data_only=True)[sheet][cell].value)


def evaluate(path: Path, expression: str) -> float:
    """KEY, or KEY and numbers (or another KEY of the same file) joined by * and /, left to right."""
    tokens = re.split(r"([*/])", expression)
    value, op = None, None
    for token in tokens:
        if token in ("*", "/"):
            op = token
            continue
        try:
            operand = float(token)
        except ValueError:
            operand = lookup(path, token)
        value = operand if value is None else (value * operand if op == "*" else value / operand)
    return value


def commands(text: str) -> list[list[str]]:
    return [shlex.split(line) for block in BLOCK.findall(text) for line in block.splitlines()
            if line.startswith("microsim ")]


def run_commands(text: str, folder: Path):
    """Each of a lesson's commands run in ``folder`` (its `runs/` paths inside it), quietly: the
    arguments and click's result, one command at a time (tools/lesson_figures.py runs them too)."""
    for args in commands(text):
        args = [str(folder / a) if a.startswith("runs/") else a for a in args[1:]]
        quiet = ["--quiet"] if args[0] in ("run", "project", "sweep") else []
        yield args, CliRunner().invoke(main, args + quiet, catch_exceptions=False)


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_commands_run_and_figures_hold(lesson, tmp_path):
    text = lesson.read_text()
    assert commands(text), f"{lesson.name} has no command"
    for args, result in run_commands(text, tmp_path):
        assert result.exit_code == 0, f"{lesson.name}: microsim {' '.join(args)}\n{result.output}"
    checks = CHECK.findall(text)
    assert checks, f"{lesson.name} checks no figure"
    for file, key, value, tolerance, shown in checks:
        got = evaluate(tmp_path / file, key)
        assert abs(got - float(value)) <= float(tolerance), f"{lesson.name}: {key} is {got:,.4f}, the lesson says {value}"
        visible = CHECK.sub("", text)
        assert shown in visible, f"{lesson.name}: the figure {shown!r} is not in the lesson's text"


def test_every_lesson_is_listed_in_the_index():
    index = (HOME / "docs" / "training" / "README.md").read_text()
    for lesson in LESSONS:
        assert f"({lesson.name})" in index
