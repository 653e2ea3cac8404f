"""Calibration targets: published figures a population's weights must reproduce.

A target file (``synthetic_data/targets/*.yaml``) lists targets of two kinds:

* ``count``: the weighted number of persons (or households, with ``group.level: household``)
  in a group, e.g. persons aged 0-14 or households in Phnom Penh;
* ``rate``: the share of a group with an indicator, e.g. the poverty rate of persons aged 0-14
  (indicator ``poor``, the default) or the share of persons in IDPoor households;
* ``ratio``: the persons of one group per person of another (``of``), e.g. women pregnant at a
  moment per person aged 0 (a demographic identity a reweighting must keep, every year).

Weights live on households and every member carries the household weight. Each target becomes
one column of a household-by-target matrix ``X`` with ``sum_h w_h X[h, k] = T[k]``:
count of persons in a group -> members in the group; count of households -> 1 if in the group;
rate r of indicator I in group G -> sum over members in G of (I - r), with T = 0;
ratio r of group A to group B -> members in A - r x members in B, with T = 0.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from microsim.errors import SpecError
from microsim.population.groups import group_mask, household_group_mask
from microsim.paths import SYNTHETIC_DATA
from microsim.population.population import Population
from microsim.common.poverty import is_poor
from microsim.common.yamlfile import read_yaml

DEFAULT_TARGETS = SYNTHETIC_DATA / "targets" / "cses_2019_20.yaml"
KINDS = ("count", "rate", "ratio")
SHARES = ("rate", "ratio")  # targets on a relative scale: residuals in units of a group's persons
TARGET_KEYS = {"name", "kind", "group", "indicator", "of", "value", "unit", "source", "table", "vintage", "note"}
REQUIRED_KEYS = ("name", "kind", "group", "value", "unit", "source")


@dataclass(frozen=True)
class Target:
    name: str
    kind: str
    group: dict
    value: float
    unit: str
    source: str
    indicator: object = "poor"
    table: str = ""
    level: str = "person"
    of: dict | None = None  # a ratio's denominator group

    @property
    def is_poverty_rate(self) -> bool:
        return self.kind == "rate" and self.indicator == "poor"


@dataclass(frozen=True)
class TargetSet:
    targets: list[Target]
    path: Path
    sha256: str
    vintage: str = ""
    meta: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.targets)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.targets]


def load_targets(path: str | Path | None = None) -> TargetSet:
    """Read and check a target file; errors name the file, the target and the key."""
    path = Path(path) if path else DEFAULT_TARGETS
    data, raw = read_yaml(path, "targets file")
    if not isinstance(raw, dict) or not isinstance(raw.get("targets"), list) or not raw["targets"]:
        raise SpecError(f"{path}: expected `targets:`, a list of targets (see docs/calibration.md).")
    targets, seen = [], set()
    for i, t in enumerate(raw["targets"]):
        where = f"{path}, target {i + 1}" + (f" ({t.get('name')})" if isinstance(t, dict) and t.get("name") else "")
        if not isinstance(t, dict):
            raise SpecError(f"{where}: expected a mapping with {', '.join(REQUIRED_KEYS)}.")
        missing = [k for k in REQUIRED_KEYS if k not in t]
        if missing:
            raise SpecError(f"{where}: missing {', '.join(f'`{k}`' for k in missing)}; every target states its "
                            "name, kind, group, value, unit and source.")
        unknown = set(t) - TARGET_KEYS
        if unknown:
            raise SpecError(f"{where}: unknown key(s) {sorted(unknown)}; expected {sorted(TARGET_KEYS)}.")
        if t["name"] in seen:
            raise SpecError(f"{where}: the name `{t['name']}` is used twice; names must be unique.")
        seen.add(t["name"])
        if t["kind"] not in KINDS:
            raise SpecError(f"{where}, key `kind`: expected one of {list(KINDS)} (found {t['kind']!r}).")
        group = t["group"] or {}
        if not isinstance(group, dict):
            raise SpecError(f"{where}, key `group`: expected a mapping such as {{level: person, age: [0, 14]}}.")
        level = group.get("level", "person")
        if level not in ("person", "household"):
            raise SpecError(f"{where}, key `group.level`: expected person or household (found {level!r}).")
        value = t["value"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise SpecError(f"{where}, key `value`: expected a number >= 0 (found {value!r}).")
        if t["kind"] == "rate":
            if value > 1:
                raise SpecError(f"{where}, key `value`: a rate is a share between 0 and 1 (found {value}); "
                                "write 17.8 % as 0.178.")
            if level != "person":
                raise SpecError(f"{where}: rate targets are shares of persons; use `group.level: person`.")
        if t["kind"] == "ratio":
            if level != "person" or not isinstance(t.get("of"), dict) or t["of"].get("level", "person") != "person":
                raise SpecError(f"{where}, key `of`: a ratio target counts the persons of `group` per person of "
                                "`of`, a group of persons such as {age: [0, 0]}.")
            if "indicator" in t:
                raise SpecError(f"{where}, key `indicator`: a ratio target has `group` (the numerator) and `of` "
                                "(the denominator), no indicator.")
        elif "of" in t:
            raise SpecError(f"{where}, key `of`: only a ratio target has a denominator group.")
        indicator = t.get("indicator", "poor")
        if t["kind"] == "rate" and not (indicator == "poor" or isinstance(indicator, dict)):
            raise SpecError(f"{where}, key `indicator`: expected `poor` or a group such as {{idpoor: [1, 2]}}.")
        targets.append(Target(name=str(t["name"]), kind=t["kind"], group=group, value=float(value),
                              unit=str(t["unit"]), source=str(t["source"]), indicator=indicator,
                              table=str(t.get("table", "")), level=level, of=t.get("of")))
    return TargetSet(targets, path, hashlib.sha256(data).hexdigest(), str(raw.get("vintage", "")))


def _indicator(pop: Population, t: Target, poor: np.ndarray, where: str) -> np.ndarray:
    if t.indicator == "poor":
        return poor
    return group_mask(pop, t.indicator, where)


@dataclass
class TargetMatrix:
    """The household-by-target matrix of a population (see the module docstring)."""

    X: np.ndarray      # households x targets, column-major
    T: np.ndarray      # target values of the constraints (0 for rates)
    sizes: list        # per target: members of each household in a rate's group or a ratio's `of` (None for counts)

    @property
    def is_rate(self) -> np.ndarray:
        """True for targets on a relative scale (rates and ratios: those with a group size)."""
        return np.array([size is not None for size in self.sizes])

    def group_totals(self, weights: np.ndarray) -> np.ndarray:
        """Persons represented in each rate's group or ratio's denominator (0 for counts), one column at a time (the
        groups' counts are shared integer vectors, never a households x targets float matrix)."""
        return np.array([0.0 if size is None else float(weights @ size) for size in self.sizes])

    def scale(self, weights: np.ndarray) -> np.ndarray:
        """Residual units: the target for counts (relative error), the group's size for rates."""
        return np.where(self.is_rate, np.maximum(self.group_totals(weights), 1e-12), np.maximum(self.T, 1.0))


def target_matrix(pop: Population, targets: TargetSet) -> TargetMatrix:
    """Build ``X``, ``T`` and the rate groups' sizes in one pass (each distinct group once).

    The members of each household in each group (and with each indicator) are kept on the
    population, a byte per household: a projection reweights the same base population to every
    year's targets, whose groups stay the same while their values change."""
    n_h = pop.n_households
    K = len(targets)
    X = np.zeros((n_h, K), dtype=np.float64, order="F")
    sizes: list = [None] * K
    T = np.zeros(K)
    masks: dict[str, np.ndarray] = {}
    counts = pop.cache.unweighted.setdefault("target_counts", {})  # group -> members per household (small integers)

    def mask(group, where):
        if group == "poor":
            if "poor" not in masks:
                hh = pop.households
                masks["poor"] = is_poor(hh["consumption_pc"].to_numpy(), hh["poverty_line"].to_numpy())[
                    pop.person_household_index]
            return masks["poor"]
        key = _group_key(group)
        if key not in masks:
            masks[key] = group_mask(pop, group, where)
        return masks[key]

    def members(group, where, indicator=None):
        key = (_group_key(group), None if indicator is None else _group_key(indicator))
        if key not in counts:
            selected = mask(group, where) if indicator is None else mask(group, where) & mask(indicator, where)
            found = pop.household_count(selected)
            counts[key] = found.astype(np.min_scalar_type(int(found.max(initial=0))))
        return counts[key]

    for k, t in enumerate(targets.targets):
        where = f"{targets.path}, target {t.name}"
        if t.kind == "count" and t.level == "household":
            X[:, k] = household_group_mask(pop, t.group, where)
            T[k] = t.value
        elif t.kind == "count":
            X[:, k] = members(t.group, where)
            T[k] = t.value
        elif t.kind == "ratio":
            sizes[k] = members(t.of, where)
            X[:, k] = members(t.group, where)
            X[:, k] -= t.value * sizes[k]
        else:
            sizes[k] = members(t.group, where)
            # members in the group with the indicator, minus r times members in the group
            X[:, k] = members(t.group, where, t.indicator)
            X[:, k] -= t.value * sizes[k]
    return TargetMatrix(X, T, sizes)


def _group_key(group) -> str:
    return group if isinstance(group, str) else repr(sorted((k, v) for k, v in group.items() if k != "level"))


def evaluate(pop: Population, targets: TargetSet, weights: np.ndarray | None = None) -> pd.DataFrame:
    """Each target's published value and its value in ``pop`` under ``weights`` (default: pop's)."""
    w = pop.households["weight"].to_numpy() if weights is None else weights
    tm = target_matrix(pop, targets)
    totals = w @ tm.X
    group_totals = tm.group_totals(w)
    rows = []
    for k, t in enumerate(targets.targets):
        if t.kind in SHARES:
            value = t.value + totals[k] / group_totals[k] if group_totals[k] > 0 else np.nan
            error = value - t.value
        else:
            value = float(totals[k])
            error = value / t.value - 1 if t.value else np.nan
        rows.append({"target": t.name, "table": t.table, "kind": t.kind, "published": t.value, "model": value,
                     "error": error, "unit": t.unit, "source": t.source,
                     "group persons": float(group_totals[k]) if t.kind in SHARES else np.nan})
    return pd.DataFrame(rows)
