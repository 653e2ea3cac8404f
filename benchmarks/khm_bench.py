"""khm-bench-v1 through this model: the benchmark workload run by the real engine.

The workload (the khm-bench-v1 specification of the shared benchmark kit): households of 1-9 persons from the reference
generator, three benefits, poverty before and after, costs. Here it runs through the project's
own parameter files (changed by benchmarks/khm_bench_v1.yaml), modules (microsim/programmes),
engine (microsim.engine.system.run_system) and output code (microsim.distribution: welfare, household_totals, breakdowns, tables): no bypass. The summary is
checked against the reference implementation; one JSON document is printed in the reference's
shape (run_s.median, sweep_s.median, peak_rss_mb, check.ok), plus the plain-numpy reference
measured in a separate process of the same interpreter, and the ratios.

    python benchmarks/khm_bench.py --households 1000000 --sweep --check
    python benchmarks/khm_bench.py --households 1000000 --sweep --compare-numpy   # memory: no --check

The sweep re-runs only what a variant changes: the module-output cache keeps the child benefit
and disability allowance (and their household sums) from the first variant; each variant
applies its reform to the parameters, recomputes the social pension and the outputs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT.parent / "shared" / "bench" / "reference.py"
SCENARIO = Path(__file__).resolve().parent / "khm_bench_v1.yaml"
REFERENCE_KEYS = {"social_pension": "cost_annual_social_pension", "child_benefit": "cost_annual_child_benefit",
                  "disability_allowance": "cost_annual_disability"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_reference(path: Path):
    if not path.exists():
        sys.exit(f"The reference implementation was not found at {path}; pass --reference PATH "
                 "(the benchmark kit's reference.py, found beside the repository when the kit is installed).")
    sys.path.insert(0, str(path.parent))
    import reference  # noqa: E402

    return reference


def to_population(ref, poverty_line: float):
    """The benchmark's arrays as a validated population of this model (not timed).

    ``poverty_line``: the workload's line (riels per person per month), a column of the data here.
    """
    import pandas as pd

    from microsim.population.population import Population

    H, N = ref.n_households, ref.n_persons
    hh = ref.p_household
    first = np.ones(N, bool)
    first[1:] = hh[1:] != hh[:-1]
    households = pd.DataFrame({
        "household_id": np.arange(1, H + 1, dtype=np.int64),
        "zone": pd.Categorical.from_codes(ref.h_zone, ["phnom_penh", "other_urban", "rural"]),
        "weight": ref.h_weight, "consumption_pc": ref.h_consumption_pc,
        "poverty_line": np.full(H, float(poverty_line)), "idpoor": np.zeros(H, np.int8),
    }, copy=False)
    adult = ref.p_age >= 15
    persons = pd.DataFrame({
        "person_id": np.arange(1, N + 1, dtype=np.int64), "household_id": hh + 1,
        "relationship": pd.Categorical.from_codes(np.where(first, 0, 5).astype(np.int8),
                                                  ["head", "spouse", "child", "grandchild", "parent",
                                                   "other_relative", "non_relative"]),
        "age": ref.p_age, "sex": pd.Categorical.from_codes(ref.p_sex, ["male", "female"]),
        "employment_type": pd.Categorical.from_codes(np.where(adult, 4, -1).astype(np.int8),
                                                     ["agriculture_self_employed", "industry_wage", "services",
                                                      "unemployed", "inactive"]),
        "disabled": ref.p_disabled, "contributory_pension": ref.p_contrib_pension,
        "in_school": np.zeros(N, bool), "pregnant": np.zeros(N, bool),
    }, copy=False)
    # heads under 15 are fine for the schema; the benchmark's ages are not household-consistent
    return Population.from_tables(households, persons, {"price_year": 2025, "generator": "khm-bench-v1"})


class Engine:
    """The model's real path for one system: parameters -> modules -> welfare -> summary."""

    def __init__(self, pop):
        from microsim.engine.economy import year_economy
        from microsim.engine.system import load_system
        from microsim.engine.macro import load_macro
        from microsim.engine.scenario import load_scenario

        self.pop = pop
        self.scenario = load_scenario(SCENARIO)
        self.modules, tree = load_system()
        self.macro = load_macro()
        self.tree = tree.with_overrides(self.scenario.baseline, str(SCENARIO), self.scenario.date)
        self.economy = year_economy(pop, self.scenario.year, self.macro)
        self.w = pop.households["weight"].to_numpy()
        self.line = self.economy.poverty_line(pop)
        self.pre = self.economy.consumption_pc(pop)
        pop.household_size  # noqa: B018  (derived once, like the person-to-household index)

    def run(self, tree=None, cache=None) -> dict:
        from microsim.engine.system import run_system
        from microsim.distribution.household_totals import forget_household_totals
        from microsim.distribution.tables import summary_counts
        from microsim.distribution.welfare import welfare

        if cache is None:
            forget_household_totals(self.pop)
        system = run_system(self.pop, self.modules, tree or self.tree, self.scenario.date, self.macro,
                            self.scenario.seed, cache=cache, economy=self.economy)
        post = welfare(self.pop, system, self.modules, self.economy)
        return summary_counts(self.pop, self.w, self.line, self.pre, post, self.modules)

    def sweep(self, amounts) -> list[dict]:
        from microsim.distribution.household_totals import forget_household_totals

        cache: dict = {}
        forget_household_totals(self.pop)
        results = []
        for a in amounts:
            variant = self.tree.with_overrides({"social_pension.amount": int(a)}, "sweep", self.scenario.date)
            results.append(self.run(variant, cache))
        return results


def as_reference(s: dict) -> dict:
    out = {k: v for k, v in s.items() if k != "cost_annual"}
    for module, key in REFERENCE_KEYS.items():
        out[key] = s["cost_annual"].get(module, 0.0)
    return out


def check(ours: dict, ref: dict) -> dict:
    exact = ["poor_pre_persons", "poor_post_persons", "lifted_persons"]
    problems = [f"{k}: {ours[k]} != {ref[k]}" for k in exact if ours[k] != ref[k]]
    for k, v in ref.items():
        if k in exact:
            continue
        if not np.isclose(ours[k], v, rtol=1e-9, atol=0):
            problems.append(f"{k}: {ours[k]!r} vs {v!r}")
    return {"ok": not problems, "problems": problems, "compared": sorted(ref)}


def timed(fn, reps: int, warmup: int = 1) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {"median": statistics.median(times), "reps": times}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--sweep-reps", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="Compare every run with the numpy reference (more memory).")
    ap.add_argument("--compare-numpy", action="store_true",
                    help="Also run the reference numpy engine in a separate process and print the ratios.")
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    args = ap.parse_args(argv)
    reference = load_reference(args.reference)
    seed = args.seed if args.seed is not None else reference.DEFAULT_SEED
    reps = args.reps or (5 if args.households >= 1_000_000 else 7)

    numpy_ref = None
    if args.compare_numpy:  # first, while this process is small: Linux carries peak RSS across fork and exec
        cmd = [sys.executable, str(args.reference), "--households", str(args.households), "--engine", "numpy",
               "--seed", str(seed)] + (["--sweep"] if args.sweep else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
        numpy_ref = json.loads(proc.stdout) if proc.returncode == 0 else {"error": proc.stderr[-2000:]}

    t0 = time.perf_counter()
    data = reference.generate_population(args.households, seed)
    fp = reference.fingerprint(data)
    ref_summary = reference.run_numpy(data, reference.POLICY)[0] if args.check else None
    sweep_ref = ([reference.run_numpy(data, dict(reference.POLICY, social_pension_amount=a))[0]
                  for a in reference.SWEEP_AMOUNTS] if args.check and args.sweep else None)
    pop = to_population(data, reference.POLICY["poverty_line"])
    del data
    gc.collect()
    engine = Engine(pop)
    setup_s = time.perf_counter() - t0
    log(f"data and setup {setup_s:.1f} s; {pop.n_households:,} households, {pop.n_persons:,} persons, fingerprint {fp}")

    result = {"workload": reference.WORKLOAD, "engine": "cambodia-microsim", "households": pop.n_households,
              "persons": pop.n_persons, "seed": seed, "fingerprint": fp, "setup_s": setup_s,
              "peak_rss_setup_mb": peak_mb()}
    summary = engine.run()
    result["run_s"] = timed(engine.run, reps)
    result["peak_rss_single_mb"] = peak_mb()
    checks = {}
    if args.check:
        checks["run"] = check(as_reference(summary), ref_summary)
    if args.sweep:
        result["sweep_s"] = timed(lambda: engine.sweep(reference.SWEEP_AMOUNTS), args.sweep_reps, warmup=0)
        if args.check:
            ours = engine.sweep(reference.SWEEP_AMOUNTS)
            checks["sweep"] = [check(as_reference(o), r) for o, r in zip(ours, sweep_ref)]
    result["peak_rss_mb"] = peak_mb()
    if args.check:
        ok = checks["run"]["ok"] and all(c["ok"] for c in checks.get("sweep", []))
        result["check"] = {"ok": ok, **checks}
    result["summary"] = as_reference(summary)

    if numpy_ref is not None:
        if "error" in numpy_ref:
            result["numpy_reference"] = numpy_ref
        else:
            result["numpy_reference"] = {k: numpy_ref.get(k) for k in ("run_s", "sweep_s", "peak_rss_mb")}
            ratios = {"run_speedup_vs_numpy": numpy_ref["run_s"]["median"] / result["run_s"]["median"],
                      "peak_rss_vs_numpy": result["peak_rss_mb"] / numpy_ref["peak_rss_mb"]}
            if args.sweep and numpy_ref.get("sweep_s"):
                ratios["sweep_speedup_vs_numpy"] = numpy_ref["sweep_s"]["median"] / result["sweep_s"]["median"]
            result["ratios"] = ratios
    print(json.dumps(result, indent=1, default=float))
    if args.check and not result["check"]["ok"]:
        sys.exit(2)


if __name__ == "__main__":
    main()
