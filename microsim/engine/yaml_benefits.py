"""Benefits without Python: a flat-rate benefit defined in one YAML file (policies/benefits/).

A trainee writes who is eligible and how much is paid; the file is validated like any parameter
file and becomes a module of the same engine (``pay()``: as fast as a built-in), listed by
``microsim policies`` and switched on by a scenario like any other::

    maternity_benefit:
      label: Maternity benefit
      description: A monthly benefit for every pregnant woman.
      entity: person                 # person or household
      eligibility:                   # every rule must hold
        pregnant: true
        idpoor: [1, 2]               # a list of allowed values
        age: [15, 49]                # whole years, both ends included
      active:  {description: ..., unit: flag, values: {2019-01-01: {value: false, reference: ...}}}
      amount:  {description: ..., unit: riels per person per month, values: {...}}
      take_up: {description: ..., unit: share, values: {...}}   # optional

Eligibility rules (docs/training/ and docs/policies.md list them): ``age`` [min, max];
``sex``, ``zone``, ``relationship``, ``employment_type`` (a value or a list); ``idpoor`` (levels);
``disabled``, ``pregnant``, ``in_school``, ``contributory_pension`` (true or false);
``consumption_below_line_multiple`` k (household consumption per person below k times the
poverty line); ``household_members`` {age: [min, max], min: n, max: m} (households with at least
n and at most m members of those ages). A household benefit may use household rules only.
Amounts are ``riels per <entity> per month`` or ``riels per <entity>, one-off`` (a yearly lump
sum, modelled as a twelfth each month, so the annual cost is the lump sum times recipients).
"""

from __future__ import annotations

import keyword
from pathlib import Path

import numpy as np
import pandas as pd

from microsim.engine.benefit import pay
from microsim.errors import SpecError
from microsim.engine.modules import REGISTRY, Module
from microsim.paths import POLICIES
from microsim.common.yamlfile import read_yaml
from microsim.population.schema import load_schema

BENEFITS = POLICIES / "benefits"
DEFINITION_KEYS = {"label", "entity", "eligibility"}
PARAMETER_KEYS = {"active", "amount", "take_up"}  # what a YAML benefit's formula reads
TEXT_KEYS = {"description", "limits"}
PERSON_RULES = {"age", "sex", "relationship", "employment_type", "disabled", "pregnant", "in_school",
                "contributory_pension"}
HOUSEHOLD_RULES = {"zone", "idpoor", "consumption_below_line_multiple", "household_members"}
RULES: dict[str, dict] = {}  # benefit name -> its eligibility rules (cohort costing reads the age rule)
FLAG_RULES = {"disabled", "pregnant", "in_school", "contributory_pension"}
CATEGORY_RULES = {"sex", "zone", "relationship", "employment_type"}


def _fail(path, rule: str, expected: str, found) -> None:
    raise SpecError(f"{path}, eligibility `{rule}`: expected {expected} (found {found!r}).")


def _age_range(path, rule: str, value) -> tuple[int, int]:
    ok = (isinstance(value, list) and len(value) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 110 for v in value))
    if not ok:
        _fail(path, rule, "[first age, last age] in whole years, e.g. [2, 5]", value)
    if value[0] > value[1]:
        _fail(path, rule, f"a first age no later than the last (the range is reversed: {value[0]} > {value[1]})", value)
    return value[0], value[1]


def _check_rules(path, name: str, entity: str, rules) -> dict:
    """The eligibility rules, checked: known, of the right type, allowed for the entity."""

    if not isinstance(rules, dict) or not rules:
        raise SpecError(f"{path}, `{name}.eligibility`: expected a mapping of rules (e.g. pregnant: true); a benefit "
                        "for everyone still needs a rule, e.g. `age: [0, 110]`.")
    schema = {**load_schema().table("households"), **load_schema().table("persons")}
    for rule, value in rules.items():
        if rule not in PERSON_RULES | HOUSEHOLD_RULES:
            raise SpecError(f"{path}, `{name}.eligibility`: unknown rule `{rule}`; expected one of "
                            f"{sorted(PERSON_RULES | HOUSEHOLD_RULES)}.")
        if entity == "household" and rule in PERSON_RULES:
            raise SpecError(f"{path}, eligibility `{rule}`: a household benefit can use household rules only "
                            f"({sorted(HOUSEHOLD_RULES)}); use `household_members` for members' ages.")
        if rule == "age":
            _age_range(path, rule, value)
        elif rule in FLAG_RULES:
            if not isinstance(value, bool):
                _fail(path, rule, "true or false", value)
        elif rule in CATEGORY_RULES:
            allowed = list(schema[rule].values)
            items = value if isinstance(value, list) else [value]
            if not items or any(v not in allowed for v in items):
                _fail(path, rule, f"one or a list of {allowed}", value)
        elif rule == "idpoor":
            items = value if isinstance(value, list) else [value]
            if not items or any(isinstance(v, bool) or v not in (0, 1, 2) for v in items):
                _fail(path, rule, "IDPoor levels 0, 1 or 2, one or a list (e.g. [1, 2])", value)
        elif rule == "consumption_below_line_multiple":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 20:
                _fail(path, rule, "a multiple of the poverty line between 0 and 20, e.g. 1.5", value)
        elif rule == "household_members":
            if not isinstance(value, dict) or "age" not in value or not set(value) <= {"age", "min", "max"}:
                _fail(path, rule, "{age: [first, last], min: n, max: m}", value)
            _age_range(path, "household_members.age", value["age"])
            for bound in ("min", "max"):
                if bound in value and (isinstance(value[bound], bool) or not isinstance(value[bound], int)
                                       or value[bound] < 0):
                    _fail(path, f"household_members.{bound}", "a whole number of members >= 0", value[bound])
            if value.get("min", 1) > value.get("max", 10**6):
                _fail(path, "household_members", "min no larger than max", value)
    return rules


def _inputs(rules: dict) -> tuple[str, ...]:
    names = []
    for rule in rules:
        if rule == "consumption_below_line_multiple":
            names += ["consumption_pc", "poverty_line"]
        elif rule == "household_members":
            names.append("age")
        else:
            names.append(rule)
    return tuple(dict.fromkeys(names))


def _matches(values, allowed) -> np.ndarray:
    allowed = allowed if isinstance(allowed, list) else [allowed]
    if isinstance(values, pd.Categorical):  # compares codes, not labels
        return values.isin(allowed)
    return np.isin(values, allowed)


def make_formula(entity: str, rules: dict, one_off: bool):
    """The module's function: eligibility as whole-column masks, a flat amount (``pay``)."""

    def formula(d, p):
        eligible = np.ones(d.n, bool)
        for rule, value in rules.items():
            if rule == "age":
                eligible &= (d.age >= value[0]) & (d.age <= value[1])
            elif rule in FLAG_RULES:
                eligible &= np.asarray(getattr(d, rule), bool) == value
            elif rule in CATEGORY_RULES or rule == "idpoor":  # a Categorical is compared on its codes
                eligible &= np.asarray(_matches(getattr(d, rule), value), bool)
            elif rule == "consumption_below_line_multiple":
                eligible &= d.consumption_pc < value * d.poverty_line
            elif rule == "household_members":
                age = d.person("age") if entity == "household" else None
                lo, hi = value["age"]
                if entity == "household":
                    members = d.household_count((age >= lo) & (age <= hi))
                else:  # members of each person's household
                    members = d.household_members_of((d.age >= lo) & (d.age <= hi))
                eligible &= (members >= value.get("min", 1)) & (members <= value.get("max", 10**6))
        return pay(eligible, p.amount / 12 if one_off else p.amount)

    return formula


def _check_keys(path, name: str, body: dict, one_off: bool) -> None:
    """Every key is one the benefit uses: a parameter nobody reads (a number of months, say) would be
    silently ignored."""
    for key in body:
        if key in DEFINITION_KEYS | PARAMETER_KEYS | TEXT_KEYS:
            continue
        if "month" in str(key).lower():
            if one_off:
                raise SpecError(f"{path}, `{name}.{key}`: a one-off benefit is paid once a year, so a monthly rule "
                                f"(`{key}`) does not apply. Remove `{key}`, or make the amount monthly "
                                f"(`riels per ... per month`), paid every month of the year.")
            raise SpecError(f"{path}, `{name}.{key}`: a YAML benefit with a monthly amount is paid every month of "
                            f"the year; months of payment are not a YAML rule. Give the yearly total as a one-off "
                            f"amount (`riels per ..., one-off`), or write the benefit as a Python module.")
        raise SpecError(f"{path}, `{name}.{key}`: not a key of a YAML benefit. Expected "
                        f"{', '.join(sorted(DEFINITION_KEYS | PARAMETER_KEYS | TEXT_KEYS))}.")


def register(path: str | Path) -> str:
    """Read one YAML benefit file, check it and register its module; return the module's name."""
    path = Path(path)
    _, raw = read_yaml(path, "benefit file")
    if not isinstance(raw, dict) or len(raw) != 1:
        raise SpecError(f"{path}: expected one benefit at the top (its name), with label, entity, eligibility, "
                        "active and amount (see docs/policies.md, 'Benefits without Python').")
    name, body = next(iter(raw.items()))
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or not isinstance(body, dict):
        raise SpecError(f"{path}: the benefit's name must be a word of letters, digits and underscores, such as "
                        f"maternity_benefit (found {name!r}).")
    for key in ("label", "entity", "eligibility", "active", "amount"):
        if key not in body:
            raise SpecError(f"{path}, `{name}`: missing `{key}`.")
    entity = body["entity"]
    if entity not in ("person", "household"):
        raise SpecError(f"{path}, `{name}.entity`: expected person or household (found {entity!r}).")
    rules = _check_rules(path, name, entity, body["eligibility"])
    amount = body["amount"]
    unit = amount.get("unit") if isinstance(amount, dict) else None
    monthly, one_off = f"riels per {entity} per month", f"riels per {entity}, one-off"
    if unit not in (monthly, one_off):
        raise SpecError(f"{path}, `{name}.amount.unit`: a {entity} benefit is paid in `{monthly}` or `{one_off}` "
                        f"(found {unit!r}).")
    _check_keys(path, name, body, unit == one_off)
    if name in REGISTRY and REGISTRY[name].parameter_file != path:
        raise SpecError(f"{path}: a module named `{name}` already exists ({REGISTRY[name].parameter_file}); "
                        "choose another name.")
    inputs = _inputs(rules)
    RULES[name] = dict(rules)
    REGISTRY[name] = Module(name=name, func=make_formula(entity, rules, unit == one_off), entity=entity,
                            inputs=inputs, label=str(body["label"]), parameter_file=path,
                            description=" ".join(str(body.get("description", "")).split()), tags=("yaml",))
    return name


def register_all(folder: Path | None = None) -> list[str]:
    folder = folder or BENEFITS
    return [register(f) for f in sorted(folder.glob("*.yaml"))] if folder.exists() else []
