"""Scenario files (policies/scenarios/*.yaml): a year, a baseline and a reform as small overrides.

    name: Social pension 65+ at 40 % of the poverty line
    year: 2026
    reform:
      social_pension.active: true
      social_pension.amount: 133000

``baseline:`` (optional) overrides current law for both systems, e.g. to switch on the
shock-responsive transfer; ``reform:`` overrides on top of the baseline. ``seed`` fixes take-up
draws; ``population`` names a population (default: the shipped one).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from microsim.errors import SpecError
from microsim.common.yamlfile import read_yaml

SCENARIO_KEYS = {"name", "description", "year", "seed", "baseline", "reform", "population", "expected"}


@dataclass(frozen=True)
class Scenario:
    name: str
    year: int
    path: Path
    sha256: str
    description: str = ""
    seed: int = 0
    baseline: dict = field(default_factory=dict)
    reform: dict = field(default_factory=dict)
    population: str | None = None
    expected: dict = field(default_factory=dict)
    reform_from: int | None = None  # year the overrides take effect (a projection keeps the scenario's year)
    allow_implausible: bool = False  # --allow: accept override values outside their plausible range

    @property
    def date(self) -> dt.date:
        """Parameters are those in force on 1 January of the year."""
        return dt.date(self.year, 1, 1)

    @property
    def overrides_date(self) -> dt.date:
        """Overrides (reform and baseline changes) take effect on 1 January of this year."""
        return dt.date(self.reform_from or self.year, 1, 1)

    @property
    def slug(self) -> str:
        return self.path.stem


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    data, raw = read_yaml(path, "scenario")
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: expected a mapping with name, year and reform (see docs/policies.md).")
    unknown = set(raw) - SCENARIO_KEYS
    for key in sorted(unknown, key=str):
        close = difflib.get_close_matches(str(key), sorted(SCENARIO_KEYS), n=1)
        raise SpecError(f"{path}: unknown key `{key}`." + (f" Did you mean `{close[0]}`?" if close else "")
                        + f" Expected {sorted(SCENARIO_KEYS)}.")
    for key in ("name", "year"):
        if key not in raw:
            raise SpecError(f"{path}: missing `{key}`; a scenario has a name and a year.")
    year = raw["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise SpecError(f"{path}, key `year`: expected a year such as 2026 (found {year!r}).")
    for key in ("baseline", "reform"):
        if raw.get(key) is not None and not isinstance(raw[key], dict):
            raise SpecError(f"{path}, key `{key}`: expected `parameter.path: value` lines.")
    seed = raw.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SpecError(f"{path}, key `seed`: expected a whole number >= 0 (found {seed!r}).")
    return Scenario(name=str(raw["name"]), year=year, path=path, sha256=hashlib.sha256(data).hexdigest(),
                    description=" ".join(str(raw.get("description", "")).split()), seed=seed,
                    baseline=dict(raw.get("baseline") or {}), reform=dict(raw.get("reform") or {}),
                    population=raw.get("population"), expected=dict(raw.get("expected") or {}))
