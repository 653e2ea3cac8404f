"""The lock file: every package the code imports is pinned, every pin lies in pyproject's range,
and the two README commands and CI install from it."""

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
SCANNED = ("microsim", "tests", "tools", "benchmarks")
# Imported, but not installed by pip: each with the reason.
NOT_FROM_PIP = {
    "reference": "the benchmark kit's reference implementation, loaded from the path given to "
                 "benchmarks/khm_bench.py --reference",
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def locked_versions() -> dict[str, set[Version]]:
    """Each pinned distribution (canonical name) and its version(s): a package may be pinned once
    per Python version or platform, under markers."""
    pins: dict[str, set[Version]] = {}
    for line in LOCK.read_text().splitlines():
        found = PIN.match(line)
        if found:
            pins.setdefault(canonicalize_name(found[1]), set()).add(Version(found[2]))
    return pins


def first_party() -> set[str]:
    """Module names the repository itself provides (the package, test helpers, benchmark helpers)."""
    names = {"microsim"}
    for folder in SCANNED:
        for path in (ROOT / folder).rglob("*.py"):
            names.add(path.stem)
    return names


def imported_top_level_modules() -> dict[str, Path]:
    """Every top-level module imported anywhere in the scanned folders, and one file that does."""
    found: dict[str, Path] = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    found.setdefault(module.split(".")[0], path.relative_to(ROOT))
    return found


def test_the_lock_pins_every_package_the_code_imports():
    pins = locked_versions()
    distributions = packages_distributions()
    local = first_party()
    missing = []
    for module, where in imported_top_level_modules().items():
        if module in sys.stdlib_module_names or module in local or module in NOT_FROM_PIP:
            continue
        providers = distributions.get(module)
        if not providers:
            missing.append(f"{module} (imported in {where}) is not installed: add it to pyproject.toml")
            continue
        if not any(canonicalize_name(name) in pins for name in providers):
            missing.append(f"{module} (imported in {where}, from {providers[0]}) is not in requirements/lock.txt")
    assert not missing, "refresh the lock (README, 'Locked installs'):\n" + "\n".join(missing)


def test_every_pin_lies_in_the_range_pyproject_states():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(pyproject["dependencies"])
    for extra in pyproject.get("optional-dependencies", {}).values():
        requirements += extra
    pins = locked_versions()
    problems = []
    for text in requirements:
        requirement = Requirement(text)
        versions = pins.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement.name}: in pyproject.toml but not pinned in requirements/lock.txt")
        for version in sorted(versions or ()):
            if version not in requirement.specifier:
                problems.append(f"{requirement.name}=={version} is outside pyproject's {requirement.specifier}")
    assert not problems, "refresh the lock (README, 'Locked installs'):\n" + "\n".join(problems)


def test_every_pin_carries_a_hash():
    """pip's --require-hashes refuses a lock with one unhashed pin: catch it here, not on install."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text().split("\n", 2)[2])
    unhashed = [block.split()[0] for block in blocks if PIN.match(block) and "--hash=sha256:" not in block]
    assert not unhashed, unhashed
    assert len(blocks) >= len(locked_versions())


def test_the_installed_versions_are_the_locked_ones():
    """What this test run imports is what the lock pins (so CI tests what users install)."""
    from importlib.metadata import version

    pins = locked_versions()
    for name in ("numpy", "pandas", "scipy", "pyyaml", "pyarrow", "statsmodels"):
        assert Version(version(name)) in pins[name], (name, version(name), pins[name])
