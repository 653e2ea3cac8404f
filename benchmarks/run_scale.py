"""Time the full standard outputs of `microsim run` (all tables, workbook, report, charts).

For each population: a first process generates it (not timed) and writes it to a temporary
folder; a second process reads it, simulates the scenario and writes the run folder, and reports
its own time and peak memory. Usage:

    python benchmarks/run_scale.py                      # default population and 4,000,000 households
    python benchmarks/run_scale.py 1000000              # chosen synthetic sizes (plus the default)
    python benchmarks/run_scale.py --scenario policies/scenarios/child_benefit_2_5.yaml
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATE = r"""
import sys
from microsim.io import write_population
from microsim.synth import synthesize
write_population(synthesize(int(sys.argv[1]), seed=1), sys.argv[2])
"""
RUN = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from microsim.io import read_population
from microsim.run import run_output, simulate_year
from microsim.runfolder import population_info, write_run_folder
from microsim.scenario import load_scenario
t1 = time.perf_counter()
pop = read_population(sys.argv[1])
t2 = time.perf_counter()
sim = simulate_year(load_scenario(sys.argv[2]), pop, ageing=False)  # the engine and outputs; ageing is timed apart
t3 = time.perf_counter()
write_run_folder(run_output(sim, "benchmark", 1, population_info(pop, sys.argv[1])), sys.argv[3])
t4 = time.perf_counter()
print(json.dumps({"households": pop.n_households, "persons": pop.n_persons, "import_s": round(t1 - t0, 2),
                  "read_s": round(t2 - t1, 2), "simulate_s": round(t3 - t2, 2), "write_s": round(t4 - t3, 2),
                  "simulate_and_write_s": round(t4 - t2, 2), "seconds": sim.seconds,
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def main(argv):
    scenario = str(ROOT / "policies" / "scenarios" / "social_pension_and_child_benefit.yaml")
    if "--scenario" in argv:
        scenario = argv[argv.index("--scenario") + 1]
        argv = [a for a in argv if a not in ("--scenario", scenario)]
    sizes = [int(a) for a in argv] or [4_000_000]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        populations = [("default", str(ROOT / "synthetic_data" / "default"))]
        for n in sizes:
            folder = f"{tmp}/pop{n}"
            subprocess.run([sys.executable, "-c", GENERATE, str(n), folder], check=True)
            populations.append((f"synthetic {n:,}", folder))
        for label, folder in populations:
            out = subprocess.run([sys.executable, "-c", RUN, folder, scenario, f"{tmp}/run-{len(results)}"],
                                 check=True, capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1]) | {"population": label}
            results.append(r)
            print(f"{label:>22}: {r['households']:>9,} households: read {r['read_s']} s, simulate {r['simulate_s']} s "
                  f"(modules {r['seconds']['modules_s']:.2f}, outputs {r['seconds']['outputs_s']:.2f}), "
                  f"write {r['write_s']} s; peak {r['peak_rss_mb']:,} MB", flush=True)
    print(json.dumps({"benchmark": "run_scale", "scenario": scenario, "results": results}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
