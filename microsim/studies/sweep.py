"""``microsim sweep``: a family of variants of one scenario, side by side (which amount and age
threshold cut poverty most per riel?).

Variants are every combination of ``--vary parameter=values`` (a range ``start:stop:step``, both
ends included, or a list ``a,b,c``), or a list of named variants in a YAML file. All run in the
scenario's year on the population brought to that year once: a variant is the scenario with its
overrides added to the reform, simulated like ``microsim run`` (a test holds each row equal to a
single run), and re-runs only the modules its overrides change (the module-output cache of the
shared population). With replicates, each replicate population carries every variant, so
variants are compared on the same samples.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from microsim.common.schedule import schedule_text
from microsim.errors import SpecError
from microsim.distribution.results import YearResult
from microsim.common.yamlfile import describe_yaml_error, parse_yaml, read_yaml
from microsim.engine.system import load_system
from microsim.population.ageing import BASE_YEAR
from microsim.common.determinism import one_blas_thread
from microsim.studies.run import simulate, year_setup
from microsim.studies.executor import map_tasks, resolve
from microsim.studies.uncertainty import intervals, replicate_population

MAX_VARIANTS = 200  # more needs --yes


@dataclass(frozen=True)
class Variant:
    name: str
    overrides: dict  # parameter path -> value, added to the scenario's reform


def _scalar(text: str, where: str):
    try:
        value = parse_yaml(text) if text.strip() else None
    except (yaml.YAMLError, RecursionError) as e:
        raise SpecError(f"{where}: {text!r} is not a single value: {describe_yaml_error(e)}.") from None
    if value is None or isinstance(value, (list, dict)):
        raise SpecError(f"{where}: {text!r} is not a single value (a number, true/false or a word).")
    return value


def parse_vary(spec: str) -> tuple[str, list]:
    """``path=start:stop:step`` (both ends included) or ``path=a,b,c`` -> (path, values)."""
    where = f"--vary {spec}"
    if "=" not in spec:
        raise SpecError(f"{where}: expected parameter=values, e.g. social_pension.amount=60000:200000:20000 or "
                        "social_pension.min_age=60,65,70.")
    path, values = (part.strip() for part in spec.split("=", 1))
    if not path or not values:
        raise SpecError(f"{where}: both the parameter and its values are needed.")
    if ":" in values:
        parts = values.split(":")
        if len(parts) != 3:
            raise SpecError(f"{where}: a range is start:stop:step (found {values!r}).")
        start, stop, step = (_scalar(p, where) for p in parts)
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (start, stop, step)):
            raise SpecError(f"{where}: a range needs numbers (found {values!r}).")
        if step <= 0 or stop < start:
            raise SpecError(f"{where}: the range {values} is empty: it needs start <= stop and a positive step.")
        count = int(np.floor((stop - start) / step + 1e-9)) + 1
        whole = all(float(x).is_integer() for x in (start, step))
        grid = [start + i * step for i in range(count)]
        return path, [int(v) if whole else round(float(v), 10) for v in grid]
    items = [_scalar(v, where) for v in values.split(",")]
    if not items:
        raise SpecError(f"{where}: the list of values is empty.")
    return path, items


def grid_variants(varies: list[str]) -> list[Variant]:
    axes = [parse_vary(v) for v in varies]
    paths = [p for p, _ in axes]
    if len(set(paths)) != len(paths):
        raise SpecError(f"--vary names a parameter twice ({', '.join(paths)}); give each once with all its values.")
    out = []
    for combo in itertools.product(*[values for _, values in axes]):
        overrides = dict(zip(paths, combo))
        out.append(Variant(", ".join(f"{p.split('.')[-1]}={v}" for p, v in overrides.items()), overrides))
    return out


def file_variants(path) -> list[Variant]:
    """Named variants from YAML: ``variants: [{name: ..., overrides: {path: value}}, ...]``."""
    _, raw = read_yaml(path, "variants file")
    if not isinstance(raw, dict) or not isinstance(raw.get("variants"), list) or not raw["variants"]:
        raise SpecError(f"{path}: expected `variants:`, a list of {{name: ..., overrides: {{parameter: value}}}}.")
    out, names = [], set()
    for i, entry in enumerate(raw["variants"]):
        where = f"{path}, variant {i + 1}"
        if not isinstance(entry, dict) or set(entry) != {"name", "overrides"} or not isinstance(entry["overrides"], dict):
            raise SpecError(f"{where}: expected exactly `name:` and `overrides:` (a mapping of parameter: value).")
        name = str(entry["name"])
        if name in names:
            raise SpecError(f"{where}: the name {name!r} is used twice.")
        names.add(name)
        out.append(Variant(name, dict(entry["overrides"])))
    return out


def check_variants(variants: list[Variant], scenario, allow_many: bool) -> None:
    """Every override names a known parameter with a valid value; not too many variants by mistake."""

    if len(variants) > MAX_VARIANTS and not allow_many:
        raise SpecError(f"The sweep has {len(variants)} variants, more than {MAX_VARIANTS}: add --yes to run them all "
                        "(it takes about 0.2 s each on the default population), or vary fewer values.")
    _, tree = load_system()
    for v in variants:
        tree.with_overrides({**scenario.reform, **v.overrides}, f"variant {v.name!r}", scenario.overrides_date,
                            scenario.allow_implausible)


def variant_scenario(scenario, variant: Variant):
    return dataclasses.replace(scenario, name=f"{scenario.name} [{variant.name}]",
                               reform={**scenario.reform, **variant.overrides})


def run_variants(scenario, population, variants: list[Variant], ageing: bool = True, growth: bool = True,
                 macro=None) -> list[YearResult]:
    """Every variant in the scenario's year on ``population`` brought to the year once."""

    @one_blas_thread
    def run_all():
        pop, strain, economy, year_macro = year_setup(population, scenario.year, ageing, growth, macro)
        return [simulate(variant_scenario(scenario, v), pop, 1, year_macro, economy,
                         ageing=ageing and scenario.year > BASE_YEAR, strain=strain).result for v in variants]

    return run_all()


def _replicate_variants(scenario, base, variants, replicate, ageing, growth):
    return run_variants(scenario, replicate_population(resolve(base), scenario.seed, replicate), variants, ageing,
                        growth)


def run_sweep(scenario, population, variants: list[Variant], replicates: int = 0, ageing: bool = True,
              growth: bool = True, jobs: int = 1, quiet: bool = True, executor=None,
              population_ref=None) -> list[YearResult]:
    """The variants' results, with 95 % intervals when ``replicates`` > 0: each replicate (all its
    variants) is one task of the executor (default: ``jobs`` joblib processes); workers get
    ``population_ref`` (a PopulationRef) when given, else the population itself."""

    results = run_variants(scenario, population, variants, ageing, growth)
    if not replicates:
        return results
    shipped = population_ref or population
    calls = [(scenario, shipped, variants, r, ageing, growth) for r in range(1, replicates + 1)]
    by_replicate = map_tasks(executor, _replicate_variants, calls, "Replicates", "replicate", jobs, quiet)
    return [dataclasses.replace(result, intervals=intervals(result, [rep[i] for rep in by_replicate]))
            for i, result in enumerate(results)]


# ---- the sweep's table and frontier (its run folder: microsim.reporting.sweep_output) ------------------------------
def variants_table(variants: list[Variant], results: list[YearResult]) -> pd.DataFrame:
    rows = []
    paths = list(dict.fromkeys(p for v in variants for p in v.overrides))
    for v, r in zip(variants, results):
        h = r.headline
        per = h.cost_per_person_lifted_riels_per_year
        row = {"variant": v.name, **{p: schedule_text(value) if isinstance(value := v.overrides.get(p), dict) else value
                                     for p in paths},
               "cost of the reform (riels per year)": h.cost_change_riels_per_year,
               "cost of the reform (USD per year)": h.cost_change_usd_per_year,
               "cost of the reform (% of GDP)": h.cost_change_pct_gdp,
               "poverty change (pp)": h.poverty_rate_change_pp,
               "persons lifted out of poverty": h.persons_lifted_out_of_poverty,
               "cost per person lifted (riels per year)": per,
               "social insurance contributions, change (riels per year)": h.contributions_change_riels_per_year,
               "persons in work covered by social insurance, reform (%)": h.workers_covered_reform_pct}
        if r.intervals is not None:
            for key, words in (("cost_change_riels_per_year", "cost of the reform (riels per year)"),
                               ("poverty_rate_change_pp", "poverty change (pp)"),
                               ("persons_lifted_out_of_poverty", "persons lifted out of poverty"),
                               ("cost_per_person_lifted_riels_per_year", "cost per person lifted (riels per year)")):
                iv = r.intervals["headline"][key]
                row[f"{words}, 95 % low"] = iv.low
                row[f"{words}, 95 % high"] = iv.high
        rows.append(row)
    table = pd.DataFrame(rows)
    table["on the frontier"] = frontier(table["cost of the reform (riels per year)"].to_numpy(dtype=float),
                                        table["persons lifted out of poverty"].to_numpy(dtype=float))
    return table


def frontier(cost: np.ndarray, lifted: np.ndarray) -> np.ndarray:
    """True for variants no other variant beats: none lifts at least as many for no more cost (and
    strictly better on one)."""
    efficient = np.ones(cost.size, bool)
    for i in range(cost.size):  # a loop over variants (a few hundred at most), not people
        better = (cost <= cost[i]) & (lifted >= lifted[i]) & ((cost < cost[i]) | (lifted > lifted[i]))
        efficient[i] = not better.any()
    return efficient
