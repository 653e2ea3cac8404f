"""The README opens with exactly the two commands, and CI runs the second one."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_block() -> list[str]:
    lines, inside = [], False
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith("```"):
            if inside:
                return lines
            inside = True
            continue
        if inside:
            lines.append(line)
    raise AssertionError("README.md has no code block")


def test_readme_opens_with_two_one_line_commands():
    block = first_block()
    assert len(block) == 2
    run, test = block
    assert "pip install" in run and "microsim" in run
    assert "pip install" in test and "pytest" in test


def test_ci_runs_the_readme_test_command():
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci_lines[-1] == first_block()[1], ".ci/run must end with the README's test command, verbatim"


def test_ci_refuses_to_start_when_the_readme_and_it_disagree(tmp_path):
    """A clear two-line message and a non-zero exit, before anything is installed."""
    import subprocess

    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "run").write_text((ROOT / ".ci" / "run").read_text())
    readme = (ROOT / "README.md").read_text().replace("pytest -q", "pytest -q -x", 1)
    (tmp_path / "README.md").write_text(readme)
    done = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith(".ci/run: the README's test command and this script's last line differ")
    assert "pytest -q -x" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / ".venv").exists(), "nothing is installed when the two disagree"
