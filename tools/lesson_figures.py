"""Every figure the training lessons check, beside what the model gives now.

    python tools/lesson_figures.py                 # every lesson
    python tools/lesson_figures.py 11 12           # lessons whose file name starts with 11 or 12
    python tools/lesson_figures.py --changed       # only the figures out of their tolerance

Runs each lesson's commands (its ```sh blocks) in a temporary folder, as tests/test_training.py
does, and prints, for each `<!-- check: ... -->` comment, the value the lesson states, the value
the run gives and whether it holds. The test stops at a lesson's first failing figure; this shows
them all, so that a deliberate change of the population or the method is carried into the lessons
in one pass (their prose too: a check names only the figures it checks).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "tests"))

from test_training import CHECK, LESSONS, evaluate, run_commands  # noqa: E402


def lesson_figures(lesson: Path) -> list[tuple[str, str, float, float, float, str]]:
    """(file, key, stated, now, tolerance, shown) for each check of ``lesson``, after its commands."""
    text = lesson.read_text()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for args, result in run_commands(text, work):
            if result.exit_code != 0:
                raise SystemExit(f"{lesson.name}: microsim {shlex.join(args)} failed:\n{result.output}")
        return [(file, key, float(value), evaluate(work / file, key), float(tolerance), shown)
                for file, key, value, tolerance, shown in CHECK.findall(text)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="leading characters of the lessons' file names (default: all)")
    parser.add_argument("--changed", action="store_true", help="print only the figures out of their tolerance")
    args = parser.parse_args()
    chosen = [p for p in LESSONS if not args.lessons or any(p.name.startswith(s) for s in args.lessons)]
    out_of_tolerance = 0
    for lesson in chosen:
        print(f"## {lesson.name}")
        for file, key, stated, now, tolerance, shown in lesson_figures(lesson):
            holds = abs(now - stated) <= tolerance
            out_of_tolerance += not holds
            if holds and args.changed:
                continue
            print(f"  {'ok  ' if holds else 'MOVE'} {shown!r:32} stated {stated:,.6g}  now {now:,.4f}  ({file} {key})")
    print(f"{out_of_tolerance} figure(s) out of tolerance")
    return 1 if out_of_tolerance else 0


if __name__ == "__main__":
    sys.exit(main())
