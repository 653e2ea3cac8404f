"""Validate a population against the schema, reporting every problem at once.

:func:`conform` turns a raw table (from Parquet, CSV or Stata) into the schema's dtypes and
lists what cannot be converted; :func:`validate_population` adds the checks across rows and
tables. Nothing that fails here reaches a calculation: callers raise
:class:`~microsim.errors.PopulationError` with the full list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microsim.population.schema import EXTRA_PREFIX, Column, load_schema

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
MAX_EXAMPLES = 5


def _examples(values) -> str:
    vals = list(pd.unique(pd.Series(values)))[:MAX_EXAMPLES]
    return ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in vals)


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s)


def _conform_column(s: pd.Series, col: Column, where: str, problems: list[str]) -> pd.Series | None:
    """Return the column in its storage dtype, or None (with problems appended) if it cannot be."""
    here = f"{where}, column `{col.name}`"
    if col.kind == "category" and isinstance(s.dtype, pd.CategoricalDtype):
        # fast path: check the few categories, not every row, then recode to the schema's order
        codes = s.cat.codes.to_numpy()
        bad_cats = np.array([c not in col.values for c in s.cat.categories] + [False])  # last: missing (-1)
        if not col.nullable and codes.size and codes.min() < 0:
            missing = codes == -1
            problems.append(f"{here}: {int(missing.sum())} row(s) are empty; a value is required "
                            f"({col.describe_range()}).")
        bad = bad_cats[codes] if bad_cats.any() else None  # rows looked at only if a category is wrong
        if bad is not None and bad.any():
            problems.append(f"{here}: {int(bad.sum())} row(s) have values that are not allowed "
                            f"(found {_examples(s[bad].astype(str))}; expected one of {col.describe_range()}).")
            return None
        if list(s.cat.categories) == list(col.values):  # already the schema's categories, in its order
            return s.rename(col.name)
        return s.cat.set_categories(list(col.values)).rename(col.name)
    if col.kind == "category":
        text = s.astype("string")
        text = text.where(text.str.strip() != "", pd.NA)
        missing = text.isna()
        if missing.any() and not col.nullable:
            problems.append(f"{here}: {int(missing.sum())} row(s) are empty; a value is required "
                            f"({col.describe_range()}).")
        bad = ~missing & ~text.isin(col.values)
        if bad.any():
            problems.append(f"{here}: {int(bad.sum())} row(s) have values that are not allowed "
                            f"(found {_examples(text[bad])}; expected one of {col.describe_range()}).")
            return None
        return pd.Series(pd.Categorical(text.to_numpy(dtype=object, na_value=None), categories=list(col.values)),
                         index=s.index, name=col.name, copy=False)

    if col.kind == "bool":
        if s.dtype == bool:
            return s
        if _is_text(s):
            low = s.astype("string").str.strip().str.lower()
            ok = low.isin(_TRUE | _FALSE)
            if not ok.all():
                problems.append(f"{here}: {int((~ok).sum())} row(s) are not true/false "
                                f"(found {_examples(s[~ok])}; expected true/false or 1/0).")
                return None
            return low.isin(_TRUE).astype(bool).rename(col.name)
        num = pd.to_numeric(s, errors="coerce")
        ok = num.isin([0, 1])
        if not ok.all():
            problems.append(f"{here}: {int((~ok).sum())} row(s) are not true/false "
                            f"(found {_examples(s[~ok])}; expected true/false or 1/0).")
            return None
        return (num == 1).astype(bool).rename(col.name)

    # numeric kinds: id, integer, float
    num = pd.to_numeric(s, errors="coerce") if (_is_text(s) or s.dtype == bool) else s
    if _is_text(s):
        unparsable = num.isna() & s.notna() & (s.astype("string").str.strip() != "")
        if unparsable.any():
            problems.append(f"{here}: {int(unparsable.sum())} row(s) are not numbers "
                            f"(found {_examples(s[unparsable])}).")
            return None
    if not pd.api.types.is_numeric_dtype(num):
        problems.append(f"{here}: expected numbers, found type {s.dtype}.")
        return None
    if pd.api.types.is_integer_dtype(num.dtype) and not isinstance(num.dtype, pd.ArrowDtype):
        values = num.to_numpy()  # integers: no missing values or fractions; checked in their own dtype
    else:
        values = num.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(values)
        if missing.any():
            problems.append(f"{here}: {int(missing.sum())} row(s) are empty; a number is required.")
            return None
        if np.isinf(values).any():
            problems.append(f"{here}: {int(np.isinf(values).sum())} row(s) are infinite.")
            return None
        if col.kind in ("id", "integer"):
            frac = values != np.floor(values)
            if frac.any():
                problems.append(f"{here}: {int(frac.sum())} row(s) are not whole numbers "
                                f"(found {_examples(values[frac])}).")
                return None
    if col.values:
        outside = ~np.isin(values, np.asarray(col.values))
        if outside.any():
            problems.append(f"{here}: {int(outside.sum())} row(s) have values that are not allowed "
                            f"(found {_examples(values[outside])}; expected one of {col.describe_range()}).")
            return None
    if values.size:
        lo_v, hi_v = values.min(), values.max()  # two reductions; the masks only when something is off
        too_low = col.min is not None and (lo_v <= col.min if col.min_exclusive else lo_v < col.min)
        too_high = col.max is not None and hi_v > col.max
        if too_low or too_high:
            bad = np.zeros(values.size, bool)
            if col.min is not None:
                bad |= values <= col.min if col.min_exclusive else values < col.min
            if col.max is not None:
                bad |= values > col.max
            problems.append(f"{here}: {int(bad.sum())} row(s) are out of range "
                            f"(found {_examples(values[bad])}; expected {col.describe_range()}).")
            return None
    if np.issubdtype(np.dtype(col.storage_dtype), np.integer) and values.size:
        limits = np.iinfo(np.dtype(col.storage_dtype))
        outside = (values < limits.min) | (values > limits.max)
        if outside.any():
            problems.append(f"{here}: {int(outside.sum())} row(s) are too large to store (found "
                            f"{_examples(values[outside])}; expected whole numbers from {limits.min} to {limits.max}).")
            return None
    return pd.Series(values.astype(col.storage_dtype, copy=False), index=s.index, name=col.name, copy=False)


def _strictly_increasing(values: np.ndarray) -> bool:
    """True when ``values`` increase strictly (so are unique): one pass instead of hashing."""
    return values.dtype.kind in "iuf" and bool(np.all(values[1:] > values[:-1]))


def conform(df: pd.DataFrame, table: str, where: str) -> tuple[pd.DataFrame, list[str]]:
    """Convert ``df`` to the schema's dtypes for ``table``; return it and the problems found.

    ``where`` names the file in messages (e.g. ``"pop/persons.csv"``).
    """
    schema = load_schema().table(table)
    problems: list[str] = []
    present = list(df.columns)
    missing = [c for c in schema if schema[c].required and c not in present]
    for name in missing:
        problems.append(f"{where}: required column `{name}` is missing ({schema[name].description})")
    unknown = [c for c in present if c not in schema and not str(c).startswith(EXTRA_PREFIX)]
    if unknown:
        problems.append(f"{where}: unknown column(s) {', '.join(f'`{c}`' for c in unknown)}; expected only "
                        f"the schema's columns (see docs/data-schema.md) or names starting with `{EXTRA_PREFIX}`.")
    out = {}
    for name, col in schema.items():
        if name not in df.columns:
            continue
        conformed = _conform_column(df[name].reset_index(drop=True), col, where, problems)
        if conformed is not None:
            out[name] = conformed
            if col.unique and not _strictly_increasing(conformed.to_numpy()) and conformed.duplicated().any():
                dups = conformed[conformed.duplicated()]
                problems.append(f"{where}, column `{name}`: {len(dups)} duplicated identifier(s) "
                                f"(e.g. {_examples(dups)}); each must be unique.")
    for name in present:
        if str(name).startswith(EXTRA_PREFIX):
            out[name] = df[name].reset_index(drop=True)
    return pd.DataFrame(out, copy=False), problems


def canonical_household_rows(hh_ids: np.ndarray, p_hh: np.ndarray) -> np.ndarray | None:
    """Household row of each person when both tables are in canonical order (household ids strictly
    increasing; persons grouped by household in the same order, every household with members), found
    from the runs of equal ids in one pass; None otherwise (the caller then looks each one up)."""
    if not (hh_ids.size and p_hh.size and _strictly_increasing(hh_ids)):
        return None
    step = np.diff(p_hh)
    if step.min(initial=0) < 0:
        return None
    starts = np.flatnonzero(step) + 1
    if starts.size + 1 != hh_ids.size or p_hh[0] != hh_ids[0] or not np.array_equal(p_hh[starts], hh_ids[1:]):
        return None
    index_type = np.int32 if hh_ids.size < 2**31 else np.int64  # half the memory of int64 for any real survey
    return np.repeat(np.arange(hh_ids.size, dtype=index_type), np.diff(starts, prepend=0, append=p_hh.size))


def check_relations(households: pd.DataFrame, persons: pd.DataFrame,
                    where_h: str, where_p: str) -> tuple[list[str], np.ndarray | None]:
    """Checks across rows and tables, on conformed frames (columns may be absent if unusable).

    Returns the problems and, when the tables are in canonical household order, each person's
    household row (which the population keeps instead of finding it again)."""
    problems: list[str] = []
    canonical_rows = None
    if "household_id" in households and "household_id" in persons:
        hh_ids = households["household_id"].to_numpy()
        p_hh = persons["household_id"].to_numpy()
        row = canonical_rows = canonical_household_rows(hh_ids, p_hh)
        if row is not None:  # every person's household exists, in order: nothing to look up
            found = np.ones(len(p_hh), bool)
        else:
            order = np.argsort(hh_ids, kind="stable")
            pos = np.minimum(np.searchsorted(hh_ids[order], p_hh), len(hh_ids) - 1) if len(hh_ids) else np.zeros(len(p_hh), int)
            found = hh_ids[order][pos] == p_hh if len(hh_ids) else np.zeros(len(p_hh), bool)
            row = order[pos[found]]  # household row of each person whose household exists
        if not found.all():
            problems.append(f"{where_p}: {int((~found).sum())} person(s) belong to households that do not exist "
                            f"in {where_h} (household_id {_examples(p_hh[~found])}).")
        # in canonical order every household has members by construction
        empty = np.bincount(row, minlength=len(hh_ids)) == 0 if canonical_rows is None else np.zeros(len(hh_ids), bool)
        if empty.any():
            problems.append(f"{where_h}: {int(empty.sum())} household(s) have no members in {where_p} "
                            f"(household_id {_examples(hh_ids[empty])}).")
        if "relationship" in persons:
            is_head = (persons["relationship"] == "head").to_numpy()
            heads = np.bincount(row[is_head if found.all() else is_head[found]], minlength=len(hh_ids))
            wrong = ~empty & (heads != 1)
            if wrong.any():
                problems.append(f"{where_p}: {int(wrong.sum())} household(s) do not have exactly one head "
                                f"(household_id {_examples(hh_ids[wrong])} have "
                                f"{_examples(heads[wrong])} heads).")
    if "age" in persons and "employment_type" in persons:
        age = persons["age"].to_numpy()
        empty_type = persons["employment_type"].isna().to_numpy()
        adult_empty = (age >= 15) & empty_type
        child_filled = (age < 15) & ~empty_type
        if adult_empty.any():
            problems.append(f"{where_p}, column `employment_type`: {int(adult_empty.sum())} person(s) aged 15 "
                            "or over have no employment type; expected one of the five groups.")
        if child_filled.any():
            problems.append(f"{where_p}, column `employment_type`: {int(child_filled.sum())} child(ren) under "
                            "15 have an employment type; expected empty under 15.")
    if {"pregnant", "sex", "age"} <= set(persons.columns):
        preg = persons["pregnant"].to_numpy()
        wrong = preg & ((persons["sex"] != "female").to_numpy()
                        | (persons["age"].to_numpy() < 10) | (persons["age"].to_numpy() > 55))
        if wrong.any():
            problems.append(f"{where_p}, column `pregnant`: {int(wrong.sum())} person(s) are pregnant but "
                            "are not women aged 10 to 55.")
    problems += labour_problems(persons, where_p)
    if {"pension_scheme", "contributory_pension"} <= set(persons.columns):
        mismatch = (persons["pension_scheme"] == "none").to_numpy() == persons["contributory_pension"].to_numpy()
        if mismatch.any():
            problems.append(f"{where_p}, column `pension_scheme`: {int(mismatch.sum())} person(s) have a scheme that "
                            "does not match `contributory_pension` (none exactly when there is no pension).")
    return problems, canonical_rows


def labour_problems(persons: pd.DataFrame, where_p: str) -> list[str]:
    """Labour status against the other work columns: present exactly from age 15, unemployed and
    inactive as in ``employment_type``, NSSF members private wage employees, earnings only in work."""
    problems = []
    not_working = np.zeros(len(persons), bool)
    if "employment_type" in persons:
        not_working |= persons["employment_type"].isin(["unemployed", "inactive"]).to_numpy()
    if "age" in persons:
        not_working |= persons["age"].to_numpy() < 15
    if "labour_status" in persons:
        status = persons["labour_status"]
        empty = status.isna().to_numpy()
        not_working |= status.isin(["unemployed", "inactive"]).to_numpy()
        if "age" in persons:
            age = persons["age"].to_numpy()
            for wrong, what in (((age >= 15) & empty, "person(s) aged 15 or over have no labour status"),
                                ((age < 15) & ~empty, "child(ren) under 15 have a labour status; expected empty under 15")):
                if wrong.any():
                    problems.append(f"{where_p}, column `labour_status`: {int(wrong.sum())} {what}.")
        if "employment_type" in persons:
            for code in ("unemployed", "inactive"):
                wrong = (status == code).to_numpy() != (persons["employment_type"] == code).to_numpy()
                if wrong.any():
                    problems.append(f"{where_p}, column `labour_status`: {int(wrong.sum())} person(s) are `{code}` in "
                                    f"one of `labour_status` and `employment_type` but not in the other; expected the same.")
        if "nssf_member" in persons:
            wrong = persons["nssf_member"].to_numpy(dtype=bool) & (status != "wage_employee_private").to_numpy()
            if wrong.any():
                problems.append(f"{where_p}, column `labour_status`: {int(wrong.sum())} NSSF member(s) are not "
                                "`wage_employee_private`; the NSSF insures private employees (public servants: NSSF-C).")
    if "earnings" in persons:
        wrong = not_working & (pd.to_numeric(persons["earnings"], errors="coerce").to_numpy() > 0)
        if wrong.any():
            problems.append(f"{where_p}, column `earnings`: {int(wrong.sum())} person(s) not in work (unemployed, "
                            "inactive or under 15) have earnings; expected 0.")
    return problems


def validate_tables(households: pd.DataFrame, persons: pd.DataFrame, where_h: str = "households",
                    where_p: str = "persons") -> tuple[pd.DataFrame, pd.DataFrame, list[str], np.ndarray | None]:
    """Conform both tables and check them; return the conformed tables, every problem, and each
    person's household row when the tables are already in canonical household order (else None)."""
    hh, problems_h = conform(households, "households", where_h)
    pp, problems_p = conform(persons, "persons", where_p)
    problems = problems_h + problems_p
    for table, where, what in ((households, where_h, "household"), (persons, where_p, "person")):
        if len(table) == 0:
            problems.append(f"{where}: the table has no rows; a population needs at least one {what}.")
    if len(households) and "weight" in hh and not problems_h:
        total = float(pd.to_numeric(hh["weight"], errors="coerce").sum())
        if not total > 0:
            problems.append(f"{where_h}, column `weight`: the weights sum to {total:g}; at least one household "
                            "must have a positive weight.")
    relation_problems, household_rows = check_relations(hh, pp, where_h, where_p)
    return hh, pp, problems + relation_problems, household_rows
