"""Time calibration to all the CSES 2019/20 targets: the default population and larger ones.

Generation is not timed. For each size prints the time to build the household-by-target matrix,
the time of Newton's method, the total (median of 3 runs), the iterations and the peak memory.

    python benchmarks/calibrate_scale.py                  # default population and 1M households
    python benchmarks/calibrate_scale.py 100000 1000000   # chosen synthetic sizes
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time


def time_one(pop, targets, reps: int = 3) -> dict:
    from microsim.population.calibrate import calibrate_population, solve
    from microsim.population.targets import target_matrix

    totals, builds, solves = [], [], []
    cal = None
    for _ in range(reps):
        t0 = time.perf_counter()
        cal = calibrate_population(pop, targets)
        totals.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        tm = target_matrix(pop, targets)
        builds.append(time.perf_counter() - t0)
        d = pop.households["weight"].to_numpy()
        t0 = time.perf_counter()
        solve(d, tm.X, tm.T, tm.scale(d))
        solves.append(time.perf_counter() - t0)
    return {"households": pop.n_households, "persons": pop.n_persons, "targets": len(targets),
            "total_s": round(statistics.median(totals), 3), "build_matrix_s": round(statistics.median(builds), 3),
            "newton_s": round(statistics.median(solves), 3), "iterations": cal.result.iterations,
            "design_effect": round(cal.diagnostics["kish_design_effect"], 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main(argv: list[str]) -> None:
    from microsim.synth import synthesize
    from microsim.population.targets import load_targets

    targets = load_targets()
    # the default population before calibration: same command, without --calibrate
    results = [time_one(synthesize(10_000, seed=2019), targets) | {"population": "default (uncalibrated)"}]
    for n in [int(a) for a in argv] or [1_000_000]:
        results.append(time_one(synthesize(n, seed=1), targets) | {"population": f"synthetic {n:,}"})
    for r in results:
        print(f"{r['population']:>20}: {r['households']:>9,} households, {r['targets']} targets: "
              f"total {r['total_s']:.3f} s (matrix {r['build_matrix_s']:.3f} s, Newton {r['newton_s']:.3f} s, "
              f"{r['iterations']} iterations), design effect {r['design_effect']}, peak {r['peak_rss_mb']:,} MB")
    print(json.dumps({"benchmark": "calibrate_scale", "results": results}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
