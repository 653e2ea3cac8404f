"""Population groups used by reports and calibration targets.

A group is written in the schema's own variables, e.g. ``{level: person, age: [0, 14]}``,
``{zone: rural}`` or ``{employment_type: [agriculture_self_employed, services]}``; ranges are
inclusive. :func:`group_mask` turns one into a boolean per person.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microsim.errors import SpecError
from microsim.population import Population

AGE_GROUPS = ((0, 1), (2, 5), (6, 14), (15, 24), (25, 59), (60, 64), (65, 110))
POVERTY_TABLE_AGE_GROUPS = ((0, 14), (15, 24), (25, 110))
HOUSEHOLD_TYPES = ("older_person_alone", "adult_alone", "couple_only", "couple_with_children",
                   "single_parent", "three_generation", "skipped_generation", "other")


def age_label(lo: int, hi: int) -> str:
    return f"{lo}+" if hi >= 110 else f"{lo}-{hi}"


def age_group_codes(age: np.ndarray, groups=AGE_GROUPS) -> np.ndarray:
    """Index of each age's group in ``groups`` (-1 if none)."""
    codes = np.full(age.shape, -1, np.int8)
    for i, (lo, hi) in enumerate(groups):
        codes[(age >= lo) & (age <= hi)] = i
    return codes


def _matches(col: pd.Series, cond, key: str, where: str) -> np.ndarray:
    """Rows of ``col`` meeting ``cond``: an inclusive range [a, b], or a value or list of values."""
    if isinstance(cond, list) and len(cond) == 2 and all(isinstance(v, (int, float)) for v in cond):
        values = col.to_numpy()
        return (values >= cond[0]) & (values <= cond[1])
    allowed = cond if isinstance(cond, list) else [cond]
    if isinstance(col.dtype, pd.CategoricalDtype):
        unknown = [a for a in allowed if a is not None and a not in col.cat.categories]
        if unknown:
            raise SpecError(f"{where}: `{key}` has no value {unknown}; expected one of {list(col.cat.categories)}.")
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
            raise SpecError(f"{where}: unknown variable `{key}`; expected a column of the schema "
                            "(docs/data-schema.md).")
    return mask


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


def household_type(pop: Population) -> np.ndarray:
    """Type of each household (index into HOUSEHOLD_TYPES), derived from relationships and ages."""
    n = pop.n_households
    idx = pop.person_household_index
    rel = pop.persons["relationship"]
    codes = rel.cat.codes.to_numpy()  # compare small integer codes, not strings
    code = {c: i for i, c in enumerate(rel.cat.categories)}
    members = pop.members_by_group(codes, len(code))  # households x relationships, one pass

    def count(name):
        return members[:, code[name]].astype(np.int64)

    size = pop.household_size
    spouse, child = count("spouse"), count("child")
    grand, parent = count("grandchild"), count("parent")
    others = size - 1 - spouse - child - grand - parent
    head_age = np.zeros(n, np.int64)
    heads = codes == code["head"]
    head_age[idx[heads]] = pop.persons["age"].to_numpy()[heads]
    conditions = [
        (size == 1) & (head_age >= 60),
        size == 1,
        (size == 2) & (spouse == 1),
        (spouse == 1) & (child > 0) & (grand == 0) & (parent == 0) & (others == 0),
        (spouse == 0) & (child > 0) & (grand == 0) & (parent == 0) & (others == 0),
        ((grand > 0) & (child > 0)) | (parent > 0),
        (grand > 0) & (child == 0),
    ]
    return np.select(conditions, np.arange(len(conditions)), default=len(conditions)).astype(np.int8)
