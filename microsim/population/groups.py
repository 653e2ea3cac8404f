"""Population groups used by reports and calibration targets.

A group is written in the schema's own variables, e.g. ``{level: person, age: [0, 14]}``,
``{zone: rural}`` or ``{employment_type: [agriculture_self_employed, services]}``; ranges are
inclusive. :func:`group_mask` turns one into a boolean per person.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microsim.errors import SpecError
from microsim.population.population import Population
from microsim.population.schema import load_schema

AGE_GROUPS = ((0, 1), (2, 5), (6, 14), (15, 24), (25, 59), (60, 64), (65, 110))
POVERTY_TABLE_AGE_GROUPS = ((0, 14), (15, 24), (25, 110))
HOUSEHOLD_TYPES = ("older_person_alone", "adult_alone", "couple_only", "couple_with_children",
                   "single_parent", "three_generation", "skipped_generation", "other")


def age_label(lo: int, hi: int) -> str:
    return f"{lo}+" if hi >= 110 else f"{lo}-{hi}"


def age_group_codes(age: np.ndarray, groups=AGE_GROUPS) -> np.ndarray:
    """Index of each age's group in ``groups`` (-1 if none): one lookup per person."""
    age = np.asarray(age)
    if age.size and age.min() < 0:
        raise ValueError("ages must be >= 0")
    lookup = np.full(max(int(age.max(initial=0)), max(hi for _, hi in groups)) + 1, -1, np.int8)
    for i, (lo, hi) in enumerate(groups):
        lookup[lo:hi + 1] = i
    return lookup[age]


def _matches(col: pd.Series, cond, key: str, where: str) -> np.ndarray:
    """Rows of ``col`` meeting ``cond``: an inclusive range [a, b], or a value or list of values."""
    if isinstance(cond, list) and len(cond) == 2 and all(isinstance(v, (int, float)) for v in cond):
        values = col.to_numpy()
        return (values >= cond[0]) & (values <= cond[1])
    allowed = cond if isinstance(cond, list) else [cond]
    if isinstance(col.dtype, pd.CategoricalDtype):
        categories = list(col.cat.categories)
        unknown = [a for a in allowed if a is not None and a not in categories]
        if unknown:
            raise SpecError(f"{where}: `{key}` has no value {unknown}; expected one of {categories}.")
        # one lookup per row on the integer codes (the last entry: a missing value, code -1)
        wanted = np.array([c in allowed for c in categories] + [None in allowed])
        return wanted[col.cat.codes.to_numpy()]
    return col.isin(allowed).to_numpy()


def group_mask(pop: Population, group: dict, where: str = "group") -> np.ndarray:
    """Boolean per person: the person belongs to ``group`` (household variables apply to members)."""
    mask = np.ones(pop.n_persons, bool)
    for key, cond in group.items():
        if key == "level":
            continue
        if key in pop.persons.columns:
            mask &= _matches(pop.persons[key], cond, key, where)
        elif key in pop.households.columns:
            mask &= _matches(pop.households[key], cond, key, where)[pop.person_household_index]
        else:
            raise SpecError(_missing_column(key, where))
    return mask


def _missing_column(key: str, where: str) -> str:
    """Why a group's variable is not in the population: an optional column it lacks, or not a column."""

    schema = load_schema()
    table = next((t for t in ("persons", "households") if key in schema.table(t)), None)
    if table is not None:
        return (f"{where}: `{key}` is an optional column of the {table} table (docs/data-schema.md) that this "
                "population does not have; add it to the data, or leave out what needs it (for a calibration, "
                "a targets file without this target: --targets FILE).")
    return f"{where}: unknown variable `{key}`; expected a column of the schema (docs/data-schema.md)."


def household_group_mask(pop: Population, group: dict, where: str = "group") -> np.ndarray:
    """Boolean per household: the household belongs to ``group`` (household variables only)."""
    mask = np.ones(pop.n_households, bool)
    for key, cond in group.items():
        if key == "level":
            continue
        if key not in pop.households.columns:
            raise SpecError(f"{where}: `{key}` is not a household column; household counts can only use "
                            f"household variables ({', '.join(pop.households.columns)}).")
        mask &= _matches(pop.households[key], cond, key, where)
    return mask
