"""Every figure the training lessons check, beside what the model gives now.

    python tools/lesson_figures.py                 # every lesson
    python tools/lesson_figures.py 11 12           # lessons whose file name starts with 11 or 12
    python tools/lesson_figures.py --changed       # only the figures out of their tolerance
    python tools/lesson_figures.py --write         # and rewrite those figures in the lessons

Runs each lesson's commands (its ```sh blocks) in a temporary folder, as tests/test_training.py
does, and prints, for each `<!-- check: ... -->` comment, the value the lesson states, the value
the run gives and whether it holds. The test stops at a lesson's first failing figure; this shows
them all, so that a deliberate change of the population or the method is carried into the lessons
in one pass (their prose too: a check names only the figures it checks).

With ``--write``, each figure out of its tolerance is rewritten in its check comment (the value,
in the comment's own notation) and where its shown text stands in the lesson's prose (the number in
the shown text's own style: decimals and thousands separators kept). Figures the prose derives from
checked ones (a sum, a ratio worked by hand) are not checked and must be corrected by hand: read
the diff.
"""

from __future__ import annotations

import argparse
import re
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


NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?")


def restyle(shown: str, stated: float, now: float) -> str | None:
    """``shown`` with its first number moved as the figure moved from ``stated`` to ``now``, in the
    same style (decimals, thousands separators); None when it holds no number or the scale is unclear."""
    match = NUMBER.search(shown)
    if match is None or stated == 0:
        return None
    text = match.group()
    written = float(text.replace(",", ""))
    if written == 0:
        return None
    scale = stated / written  # 1e9 for "178.5 billion riels" stated as 178.5e9
    decimals = len(text.split(".")[1]) if "." in text else 0
    value = now / scale
    grouped = "," in text or (abs(value) >= 1000 and abs(written) < 1000)  # years stay as they are written
    new = f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
    return shown[:match.start()] + new + shown[match.end():]


def stated_text(original: str, stated: float, now: float) -> str:
    """The check's value in the comment's own notation (``178.5e9`` stays in units of 1e9)."""
    if "e" in original.lower():
        mantissa, exponent = original.lower().split("e")
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return f"{now / 10 ** int(exponent):.{max(decimals, 1)}f}e{exponent}"
    decimals = len(original.split(".")[1]) if "." in original else 0
    return f"{now:.{decimals}f}"


def rewrite(lesson: Path, figures) -> int:
    """Rewrite each figure out of its tolerance in ``lesson``; return how many were rewritten."""
    text = lesson.read_text()
    done = 0
    for match in list(CHECK.finditer(text)):
        file, key, value, tolerance, shown = match.groups()
        found = next((f for f in figures if f[0] == file and f[1] == key and f[5] == shown), None)
        if found is None or abs(found[3] - found[2]) <= found[4]:
            continue
        new_shown = restyle(shown, found[2], found[3])
        if new_shown is None:
            print(f"  by hand: {shown!r} ({file} {key})")
            continue
        old_comment = match.group()
        new_comment = old_comment.replace(f" {value} ", f" {stated_text(value, found[2], found[3])} ", 1).replace(
            f'"{shown}"', f'"{new_shown}"')
        head, tail = text.split(old_comment, 1)
        if shown in head:  # the prose's last mention before the comment
            i = head.rindex(shown)
            head = head[:i] + new_shown + head[i + len(shown):]
        text = head + new_comment + tail
        done += 1
    lesson.write_text(text)
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="leading characters of the lessons' file names (default: all)")
    parser.add_argument("--changed", action="store_true", help="print only the figures out of their tolerance")
    parser.add_argument("--write", action="store_true", help="rewrite the figures out of their tolerance in the lessons")
    args = parser.parse_args()
    chosen = [p for p in LESSONS if not args.lessons or any(p.name.startswith(s) for s in args.lessons)]
    out_of_tolerance = 0
    for lesson in chosen:
        print(f"## {lesson.name}")
        figures = lesson_figures(lesson)
        for file, key, stated, now, tolerance, shown in figures:
            holds = abs(now - stated) <= tolerance
            out_of_tolerance += not holds
            if holds and args.changed:
                continue
            print(f"  {'ok  ' if holds else 'MOVE'} {shown!r:32} stated {stated:,.6g}  now {now:,.4f}  ({file} {key})")
        if args.write:
            print(f"  rewrote {rewrite(lesson, figures)} figure(s)")
    print(f"{out_of_tolerance} figure(s) out of tolerance")
    return 1 if out_of_tolerance else 0


if __name__ == "__main__":
    sys.exit(main())
