"""Run a tax-benefit system on a population: active modules, in dependency layers, in parallel.

Benefits are computed in the simulated year's prices. The population's consumption and poverty
line are in survey-year riels (CSES 2019/20); modules see them in the year's riels through a
:class:`microsim.engine.economy.YearEconomy` (the one place where prices and growth are applied).

A programme of current law whose parameters have no value yet in the simulated year (it started
later, or the model has no amount for that year) is not in force that year: it pays nothing and
the system records why (:attr:`SystemResult.not_in_force`). A programme switched on by the
scenario must have every value it needs, or the run stops with an error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from joblib import Parallel, delayed

from microsim.engine.benefit import Flat, Tiers
from microsim.engine.economy import YearEconomy, year_economy
from microsim.errors import SpecError
from microsim.engine.macro import Macro
from microsim.engine.modules import Inputs, Module, dependency_layers
from microsim.engine.registry import discover
from microsim.engine.parameters import ParameterTree
from microsim.paths import POLICIES
from microsim.population.labour import population_labour_status
from microsim.population.population import Population
from microsim.engine.takeup import taken_up
from microsim.behaviour.earnings import year_earnings


def parameter_files(modules: dict[str, Module]) -> list[Path]:
    """The parameter files of all modules, plus the simulation settings."""
    files = {POLICIES / "parameters" / "simulation.yaml"}
    files |= {m.parameter_file for m in modules.values()}
    missing = [f for f in files if not f.exists()]
    if missing:
        raise SpecError(f"Parameter file(s) not found: {', '.join(map(str, sorted(missing)))}.")
    return sorted(files)


def load_system() -> tuple[dict[str, Module], ParameterTree]:
    modules = discover()
    tree = ParameterTree.load(parameter_files(modules))
    for name in modules:
        if f"{name}.active" not in tree.parameters:
            raise SpecError(f"Module `{name}` has no `active` parameter in {modules[name].parameter_file}.")
        if modules[name].is_contribution and f"{name}.worker_share" not in tree.parameters:
            raise SpecError(f"Contribution module `{name}` has no `worker_share` parameter in "
                            f"{modules[name].parameter_file}: the share of the contribution its payer's household pays "
                            "out of take-home income (0 to 1).")
    return modules, tree


@dataclass
class SystemResult:
    """Benefits of one system (baseline or reform), riels per month, in the year's prices."""

    label: str
    params: SimpleNamespace
    active: list[str]
    benefits: dict[str, np.ndarray | Flat | Tiers]  # module -> riels per month per person or household (its entity)
    seconds: dict[str, float] = field(default_factory=dict)
    keys: dict[str, tuple] = field(default_factory=dict)  # module -> what its output depends on
    not_in_force: dict[str, str] = field(default_factory=dict)  # module -> why it pays nothing this year
    contributions: dict[str, np.ndarray] = field(default_factory=dict)  # contribution module -> riels per person per month collected


def _run_module(module: Module, pop: Population, params, outputs: dict, seed: int, extra: dict):
    t0 = time.perf_counter()
    p = getattr(params, module.name)
    amount = module.func(Inputs(pop, module.entity, outputs, module, extra, params, seed), p)
    flat, tiers = isinstance(amount, Flat), isinstance(amount, Tiers)
    if not (flat or tiers):
        amount = np.asarray(amount, dtype=np.float64)
    n = pop.n_persons if module.entity == "person" else pop.n_households
    if amount.shape != (n,):
        raise SpecError(f"Module `{module.name}` returned {amount.shape} values; expected one per {module.entity} ({n}).")
    if flat:
        valid = amount.amount >= 0 and np.isfinite(amount.amount)
    elif tiers:
        valid = bool(np.all(amount.amounts >= 0) and np.all(np.isfinite(amount.amounts))
                     and (n == 0 or amount.tier.max() <= amount.amounts.size))
    else:
        valid = n == 0 or amount.min() >= 0  # one reduction: negatives and NaN fail
        if valid and n and not np.isfinite(amount.max()):
            raise SpecError(f"Module `{module.name}` returned an infinite amount; benefits must be finite riels.")
    if not valid:
        raise SpecError(f"Module `{module.name}` returned negative or missing amounts; a {module.kind} is >= 0 riels.")
    rate = getattr(p, "take_up", 1.0)
    if rate < 1.0:  # new arrays: the module's own are left alone
        ids = (pop.persons["person_id"] if module.entity == "person" else pop.households["household_id"]).to_numpy()
        if flat:
            amount = Flat(taken_up(amount.eligible, ids, rate, seed, module.name), amount.amount)
        elif tiers:
            kept = taken_up(amount.tier > 0, ids, rate, seed, module.name)
            amount = Tiers(np.where(kept, amount.tier, 0).astype(np.uint8), amount.amounts)
        else:
            amount = np.where(taken_up(amount > 0, ids, rate, seed, module.name), amount, 0.0)
    return module.name, amount, time.perf_counter() - t0


def _not_in_force(name: str, module: Module, tree: ParameterTree, params, date) -> str | None:
    """Why a module pays nothing on ``date`` though switched on, or None if it is in force.

    Current law: a parameter with no value yet means the programme had not started (or the model
    has no amount for that year). A module the scenario switched on must be complete: error.
    """
    node = getattr(params, name, None)
    if not hasattr(node, "active"):
        first = min(tree.parameters[f"{name}.active"].values)
        return f"not yet in force on {date.isoformat()} (`{name}.active` starts {first.isoformat()})"
    if not node.active:
        return None
    missing = tree.missing_for(name, params)
    if not missing:
        return None
    scenario_switched_on = any(path.startswith(name + ".") and (start is None or start <= date)
                               for path, start in tree.overridden.items())
    if scenario_switched_on:
        raise SpecError(f"`{name}` is active in {date.year} but {', '.join(f'`{x}`' for x in missing)} "
                        f"ha{'s' if len(missing) == 1 else 've'} no value on {date.isoformat()} "
                        f"({module.parameter_file}). Give {'it' if len(missing) == 1 else 'them'} in the scenario, "
                        "or simulate a later year.")
    starts = ", ".join(f"`{x}` has no value before {min(tree.parameters[x].values).isoformat()}" for x in missing)
    return f"not in force in {date.year}: {starts}"


def run_system(pop: Population, modules: dict[str, Module], tree: ParameterTree, date, macro: Macro,
               seed: int = 0, jobs: int = 1, label: str = "system", where: str = "scenario",
               cache: dict | None = None, economy: YearEconomy | None = None) -> SystemResult:
    """Benefits of every active module on ``date``; inactive modules read as zero.

    ``economy`` gives consumption and the poverty line in the year's riels (default: the CPI
    only, no real growth). ``cache`` (a dict kept by the caller for one population) reuses a
    module's output when its parameters, year, economy, seed and the outputs it reads are
    unchanged: a reform, or a variant in a sweep, recomputes only the modules it changes. It keeps
    the latest output of each module.
    """
    params = tree.at(date, macro, where)
    not_in_force = {}
    for name, m in modules.items():
        try:
            why = _not_in_force(name, m, tree, params, date)
        except SpecError as e:
            raise SpecError(f"{where}: {e}") from None
        if why:
            not_in_force[name] = why
    for name, m in modules.items():  # a follower is switched by its scheme: setting its own switch is a mistake
        if m.follows and f"{name}.active" in tree.overridden:
            raise SpecError(f"{where}: `{name}.active` is ignored: `{name}` is paid exactly when `{m.follows}` is active. "
                            f"Set `{m.follows}.active` instead.")
    active = {n: m for n, m in modules.items() if n not in not_in_force and getattr(params, m.follows or n).active
              and (m.follows is None or m.follows not in not_in_force)}
    for name, m in active.items():
        problem = m.check(getattr(params, name)) if m.check else None
        if problem:
            raise SpecError(f"{where}: {problem}")
    economy = economy or year_economy(pop, date.year, macro)
    lazy: dict[str, np.ndarray] = {}
    converters = {"consumption_pc": economy.consumption_pc, "poverty_line": economy.poverty_line}

    def in_year_prices(column: str, per_person: bool):
        def compute():
            key = (column, per_person)
            if key not in lazy:
                values = converters[column](pop)
                lazy[key] = values[pop.person_household_index] if per_person else values
            return lazy[key]
        return compute

    def earnings():  # monthly earnings per person in the year's riels, if a module reads them
        if "earnings" not in lazy:
            lazy["earnings"] = year_earnings(pop, economy)
        return lazy["earnings"]

    extra = {c: in_year_prices(c, True) for c in ("consumption_pc", "poverty_line")}
    extra["earnings"] = earnings
    extra["labour_status"] = lambda: population_labour_status(pop).copy()  # stored, or derived for data without it
    extra_hh = {c: in_year_prices(c, False) for c in ("consumption_pc", "poverty_line")}
    extra["year"] = extra_hh["year"] = date.year  # the simulated year (a module's output may depend on it: in its key)
    outputs: dict[str, np.ndarray] = {}
    read = {i for m in active.values() for i in m.inputs if i in modules and i not in active}
    for name in read:  # an inactive module that an active one reads pays zero
        outputs[name] = np.zeros(pop.n_persons if modules[name].entity == "person" else pop.n_households)
    seconds = {}
    keys: dict[str, tuple] = {}
    for layer in dependency_layers(active):
        todo = []
        for n in layer:
            m = active[n]
            # what the output depends on: parameters, prices (modules may read consumption in the
            # year's riels), the take-up seed and the outputs it reads
            # (an input module that is not active still gives its parameters: `parameters_of` reads them)
            keys[n] = (n, date.year, economy.price_factor, economy.real_growth_factor, seed, repr(sorted(vars(getattr(params, n)).items())),
                       tuple(keys.get(i, (i, repr(sorted(vars(getattr(params, i, SimpleNamespace())).items()))))
                             for i in m.inputs if i in modules))
            if cache is not None and n in cache and cache[n][0] == keys[n]:
                outputs[n] = cache[n][1]
                seconds[n] = 0.0
            else:
                todo.append(n)
        calls = [(active[n], pop, params, dict(outputs), seed,
                  dict(extra) if active[n].entity == "person" else dict(extra_hh)) for n in todo]
        if jobs == 1 or len(calls) == 1:
            results = [_run_module(*c) for c in calls]
        else:  # threads: numpy releases the GIL, and no data is copied between workers
            results = Parallel(n_jobs=jobs, backend="threading")(delayed(_run_module)(*c) for c in calls)
        for name, amount, sec in results:
            outputs[name] = amount
            seconds[name] = sec
            if cache is not None:
                cache[name] = (keys[name], amount)
    paid = sorted(n for n in active if not active[n].is_contribution)
    collected = sorted(n for n in active if active[n].is_contribution)
    return SystemResult(label, params, sorted(active), {n: outputs[n] for n in paid}, seconds,
                        {n: keys[n] for n in sorted(active)}, not_in_force,
                        {n: np.asarray(outputs[n], dtype=np.float64) for n in collected})
