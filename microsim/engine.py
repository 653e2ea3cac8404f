"""Run a tax-benefit system on a population: active modules, in dependency layers, in parallel.

Benefits are computed in the simulated year's prices. The population's consumption and poverty
line are in survey-year prices (CSES 2019/20), so both are uprated with the CPI
(``Macro.price_factor``) before modules see them and before poverty is measured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from joblib import Parallel, delayed

from microsim.errors import SpecError
from microsim.macro import Macro
from microsim.modules import Inputs, Module, dependency_layers, discover
from microsim.parameters import ParameterTree
from microsim.paths import POLICIES
from microsim.population import Population
from microsim.takeup import takes_up


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
    return modules, tree


@dataclass
class SystemResult:
    """Benefits of one system (baseline or reform), riels per month, in the year's prices."""

    label: str
    params: SimpleNamespace
    active: list[str]
    benefits: dict[str, np.ndarray]  # module -> one value per person or per household (its entity)
    seconds: dict[str, float] = field(default_factory=dict)


def _run_module(module: Module, pop: Population, params, outputs: dict, seed: int, extra: dict):
    t0 = time.perf_counter()
    p = getattr(params, module.name)
    amount = np.asarray(module.func(Inputs(pop, module.entity, outputs, module, extra), p), dtype=np.float64)
    n = pop.n_persons if module.entity == "person" else pop.n_households
    if amount.shape != (n,):
        raise SpecError(f"Module `{module.name}` returned {amount.shape} values; expected one per {module.entity} ({n}).")
    if not np.all(np.isfinite(amount)) or np.any(amount < 0):
        raise SpecError(f"Module `{module.name}` returned negative or missing amounts; a benefit is >= 0 riels.")
    rate = getattr(p, "take_up", 1.0)
    if rate < 1.0:
        ids = (pop.persons["person_id"] if module.entity == "person" else pop.households["household_id"]).to_numpy()
        amount = np.where(takes_up(ids, rate, seed, module.name), amount, 0.0)
    return module.name, amount, time.perf_counter() - t0


def run_system(pop: Population, modules: dict[str, Module], tree: ParameterTree, date, macro: Macro,
               seed: int = 0, jobs: int = 1, label: str = "system", where: str = "scenario") -> SystemResult:
    """Benefits of every active module on ``date``; inactive modules read as zero."""
    params = tree.at(date, macro, where)
    for name in modules:
        if not hasattr(getattr(params, name, None), "active"):
            raise SpecError(f"{where}: `{name}.active` has no value on {date.isoformat()} "
                            f"({modules[name].parameter_file}); add a value from that date or earlier.")
    active = {n: m for n, m in modules.items() if getattr(params, n).active}
    for name, m in active.items():
        missing = tree.missing_for(name, params)
        if missing:
            raise SpecError(f"{where}: `{name}` is active in {date.year} but {', '.join(f'`{x}`' for x in missing)} "
                            f"ha{'s' if len(missing) == 1 else 've'} no value on {date.isoformat()} ({m.parameter_file}).")
        problem = m.check(getattr(params, name)) if m.check else None
        if problem:
            raise SpecError(f"{where}: {problem}")
    factor = macro.price_factor(date.year)
    extra = {"consumption_pc": pop.household_value("consumption_pc") * factor,
             "poverty_line": pop.household_value("poverty_line") * factor}
    extra_hh = {"consumption_pc": pop.households["consumption_pc"].to_numpy() * factor,
                "poverty_line": pop.households["poverty_line"].to_numpy() * factor}
    outputs: dict[str, np.ndarray] = {}
    for name, m in modules.items():  # inactive modules: zero, so dependants still run
        if name not in active:
            outputs[name] = np.zeros(pop.n_persons if m.entity == "person" else pop.n_households)
    seconds = {}
    for layer in dependency_layers(active):
        calls = [(active[n], pop, params, dict(outputs), seed, extra if active[n].entity == "person" else extra_hh)
                 for n in layer]
        if jobs == 1 or len(calls) == 1:
            results = [_run_module(*c) for c in calls]
        else:  # threads: numpy releases the GIL, and no data is copied between workers
            results = Parallel(n_jobs=jobs, backend="threading")(delayed(_run_module)(*c) for c in calls)
        for name, amount, sec in results:
            outputs[name] = amount
            seconds[name] = sec
    return SystemResult(label, params, sorted(active), {n: outputs[n] for n in sorted(active)}, seconds)
