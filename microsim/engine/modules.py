"""Policy modules: a benefit (or contribution) as one small, declared, vectorised function.

A module is a function decorated with :func:`programme`::

    @programme("child_benefit", entity="person", inputs=("age", "idpoor"), label="Child benefit")
    def child_benefit(d, p):
        \"\"\"Riels per person per month: children from the 2nd birthday until the 6th.\"\"\"
        eligible = (d.age >= p.min_age) & (d.age <= p.max_age)
        return np.where(eligible, p.amount, 0.0)

``d`` gives the declared inputs as whole columns (person columns per person, household columns
broadcast to persons for person modules; household columns for household modules) and other
modules' outputs by name; ``p`` is the module's parameters on the simulated date. Every module's
parameter file has ``active`` (true or false) and may have ``take_up`` (a share).

Modules are discovered (:func:`microsim.engine.registry.discover`) from ``microsim.programmes``, from any
installed package that declares an entry point in the group ``microsim.programmes`` (see
docs/policies.md) and from the YAML benefits of ``policies/benefits/``. This module only declares:
it imports no programme and no YAML benefit, so they can import it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from microsim.engine.takeup import uniform
from microsim.errors import SpecError
from microsim.paths import POLICIES

ENTRY_POINT_GROUP = "microsim.programmes"
ENTITIES = ("person", "household")
REGISTRY: dict[str, "Module"] = {}


@dataclass(frozen=True)
class Module:
    name: str
    func: Callable
    entity: str
    inputs: tuple[str, ...]
    label: str
    parameter_file: Path
    counted_in_consumption: bool = False
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    check: Callable | None = None  # p -> None or a message saying what is wrong
    costing: Callable | None = None  # (simulation, p, label) -> measures: how the spreadsheet costing counts it
    kind: str = "benefit"  # "benefit" (paid to people) or "contribution" (collected from them: revenue)
    consumed: bool = True  # False: paid into an account (a pension subsidy), costed but not added to consumption
    follows: str | None = None  # another module whose `active` switches this one on and off (its own is ignored)
    finances: tuple[str, ...] = ()  # a contribution's benefits, paid from its revenue (for its balancing rate)
    insurance: bool = False  # a benefit of social insurance (a pension, an unemployment benefit): its recipients are covered

    @property
    def unit(self) -> str:
        return f"riels per {self.entity} per month"

    @property
    def is_contribution(self) -> bool:
        return self.kind == "contribution"


def programme(name: str, *, entity: str, inputs=(), label: str = "", parameter_file: str | Path | None = None,
              counted_in_consumption: bool = False, tags=(), check: Callable | None = None,
              costing: Callable | None = None, consumed: bool = True, follows: str | None = None,
              insurance: bool = False):
    """Register a benefit module (see the module docstring).

    ``counted_in_consumption``: the benefit is already part of the survey's consumption (e.g.
    contributory pensions received in 2019/20), so it is costed but not added again.
    ``check(p)``: returns a message if the parameters do not fit together (e.g. reversed ages).
    ``follows``: another module's name; this one is active exactly when that one is (a subsidy of a
    contribution scheme), whatever its own ``active`` says.
    ``consumed=False``: the benefit is paid into an account (a subsidy of pension contributions), not
    to the household's spending: it is costed but never added to consumption.
    ``insurance``: a benefit of a social insurance scheme (a contributory pension, an unemployment
    benefit): its recipients count as covered in the coverage of persons (SDG 1.3.1).
    ``costing(simulation, p, label)``: the measures (:mod:`microsim.engine.costing_measures`) by which
    ``microsim cost`` and the workbook count a benefit that is not one amount a month by age group
    (from births, from prevalence, by households hit); without it, the costing does that itself.
    """
    if entity not in ENTITIES:
        raise ValueError(f"entity must be one of {ENTITIES}")

    def register(func):
        REGISTRY[name] = Module(
            name=name, func=func, entity=entity, inputs=tuple(inputs), label=label or name.replace("_", " "),
            parameter_file=Path(parameter_file) if parameter_file else POLICIES / "parameters" / f"{name}.yaml",
            counted_in_consumption=counted_in_consumption,
            description=" ".join((func.__doc__ or "").split()), tags=tuple(tags), check=check,
            costing=costing, consumed=consumed, follows=follows, insurance=insurance)
        return func

    return register


def contribution(name: str, *, inputs=(), label: str = "", parameter_file: str | Path | None = None, tags=(),
                 check: Callable | None = None, finances: tuple[str, ...] = ()):
    """Register a contribution module: riels per person per month collected from each person (a
    social insurance contribution on earnings), revenue of its scheme rather than a cost.

    Its parameters hold ``worker_share``, the share of the contribution the person pays (the rest
    is the employer's, or a subsidy's): the worker's part comes out of take-home income, so it
    lowers the household's consumption in the poverty measure (:mod:`microsim.distribution.welfare`);
    the employer's does not. ``finances``: the benefit modules the scheme pays from its revenue (its
    ``rate`` that would balance them is reported). Everything else is as for :func:`programme`.
    """

    def register(func):
        programme(name, entity="person", inputs=inputs, label=label, parameter_file=parameter_file, tags=tags,
                  check=check)(func)
        REGISTRY[name] = dataclasses.replace(REGISTRY[name], kind="contribution", finances=tuple(finances))
        return func

    return register


def dependency_layers(modules: dict[str, Module]) -> list[list[str]]:
    """Modules in layers: each layer needs only outputs of earlier layers (sorted names within)."""
    deps = {n: {i for i in m.inputs if i in modules} for n, m in modules.items()}
    layers, done = [], set()
    while len(done) < len(deps):
        ready = sorted(n for n, d in deps.items() if n not in done and d <= done)
        if not ready:
            cycle = sorted(n for n in deps if n not in done)
            raise SpecError(f"Modules depend on each other in a cycle: {', '.join(cycle)}.")
        layers.append(ready)
        done.update(ready)
    return layers


def column_values(column: pd.Series, rows: np.ndarray | None = None):
    """A column's values (at ``rows``, if given) for a module: a numpy array, or for a categorical
    column a ``pandas.Categorical``, whose ``==`` and ``.isin`` compare integer codes: turning 17
    million category labels into Python strings would take seconds."""
    if isinstance(column.dtype, pd.CategoricalDtype):  # a copy: a module must never change the population
        values = column.array
        return values.copy() if rows is None else pd.Categorical.from_codes(values.codes[rows], dtype=values.dtype)
    values = column.to_numpy()
    return values if rows is None else values[rows]


def _household_column_for_persons(pop, name: str):
    """A household column broadcast to members. Small ones (a byte or two per person: IDPoor level,
    zone) are kept on the population, since most modules read them; wide ones are made each time."""
    column = pop.households[name]
    small = isinstance(column.dtype, pd.CategoricalDtype) or column.dtype.itemsize <= 2
    key = f"persons:{name}"
    if small and key in pop.cache.unweighted:
        held = pop.cache.unweighted[key]  # read-only numpy array; a Categorical is handed out as a copy
        return held.copy() if isinstance(held, pd.Categorical) else held
    values = column_values(column, pop.person_household_index)
    if small:  # never the weights (float64): they change when the population is reweighted
        if isinstance(values, np.ndarray):
            values.flags.writeable = False  # shared by every module: a module must not change it
        pop.cache.unweighted[key] = values
    return values


class Inputs:
    """Columns a module reads, by attribute: ``d.age``, ``d.idpoor``, ``d.contributory_pension``."""

    def __init__(self, pop, entity: str, outputs: dict, module: Module, extra: dict | None = None,
                 params=None, seed: int = 0):
        self._pop, self._entity, self._outputs, self._module = pop, entity, outputs, module
        self._extra = extra or {}
        self._params, self._seed = params, seed

    def parameters_of(self, name: str):
        """The parameters in force of another module this one declares in its inputs (two modules of
        one scheme, such as a contribution and its subsidy, share the scheme's rules)."""
        if name not in self._module.inputs or self._params is None or not hasattr(self._params, name):
            raise SpecError(f"Module `{self._module.name}` reads the parameters of `{name}` but does not declare that "
                            f"module in its inputs ({', '.join(self._module.inputs)}).")
        return getattr(self._params, name)

    def draws(self, stream: str) -> np.ndarray:
        """A uniform draw in [0, 1) per person (or household), keyed by its id, the scenario's seed and
        ``stream``: the same whatever the row order, the workers or the other modules."""
        table = self._pop.persons if self._entity == "person" else self._pop.households
        ids = table["person_id" if self._entity == "person" else "household_id"].to_numpy()
        return uniform(ids, self._seed, stream)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._module.inputs and name not in self._extra:
            raise SpecError(f"Module `{self._module.name}` reads `{name}` but does not declare it in its inputs "
                            f"({', '.join(self._module.inputs)}).")
        if name in self._extra:
            value = self._extra[name]
            if callable(value):  # computed on first use only (e.g. consumption in the year's prices)
                value = self._extra[name] = value()
            return value
        if name in self._outputs:
            return np.asarray(self._outputs[name], dtype=np.float64)  # a Flat benefit as amounts
        pop = self._pop
        if self._entity == "person":
            if name in pop.persons.columns:
                return column_values(pop.persons[name])
            if name in pop.households.columns:
                return _household_column_for_persons(pop, name)
        else:
            if name in pop.households.columns:
                return column_values(pop.households[name])
        raise SpecError(f"Module `{self._module.name}` needs `{name}`, which the population does not have "
                        "(see docs/data-schema.md).")

    def optional(self, name: str):
        """A declared input the population may lack (an optional schema column): its values, or None."""
        pop = self._pop
        if name in pop.persons.columns or name in pop.households.columns or name in self._extra \
                or name in self._outputs:
            return getattr(self, name)
        if name not in self._module.inputs:
            raise SpecError(f"Module `{self._module.name}` reads `{name}` but does not declare it in its inputs "
                            f"({', '.join(self._module.inputs)}).")
        return None

    @property
    def n(self) -> int:
        return self._pop.n_persons if self._entity == "person" else self._pop.n_households

    def household_count(self, mask: np.ndarray) -> np.ndarray:
        """For household modules: members per household where ``mask`` (per person) holds."""
        return self._pop.household_count(mask)

    def household_members_of(self, mask: np.ndarray) -> np.ndarray:
        """For person modules: members of each person's household where ``mask`` (per person) holds."""
        return self._pop.household_count(mask)[self._pop.person_household_index]

    def person(self, name: str) -> np.ndarray:
        """For household modules: a person column (declared in inputs), one value per person."""
        if name not in self._module.inputs:
            raise SpecError(f"Module `{self._module.name}` reads `{name}` without declaring it.")
        return column_values(self._pop.persons[name])
