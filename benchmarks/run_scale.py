"""The whole country with every standard output: a run, a 2026-2035 projection and a 20-variant sweep.

For each population size a first process generates the population (not timed) and writes it to a
temporary folder (with its derived arrays, as `microsim synth` writes a large population); then,
each in a fresh process:

* **run** (``--repeat`` times; median, lowest and highest): read the population, simulate the
  scenario in its survey year (engine and every output table), write the run folder (tables,
  workbook, report, charts); time of each step and peak memory;
* **project**: ``microsim project SCENARIO --from 2026 --to 2035`` (each year reweighted to the
  year's demography, then simulated, every output written); wall time and peak memory;
* **sweep**: ``microsim sweep`` over 20 variants of the social pension (amount x age); wall time
  and peak memory.

Usage:

    python benchmarks/run_scale.py                                  # 4,000,000 households, all studies
    python benchmarks/run_scale.py 1000000 --studies run --repeat 5
    python benchmarks/run_scale.py --population PATH --studies run   # a population you already have

The machine's timings vary by 10-20 % from one invocation to the next (a shared 2-core virtual
machine), hence the median of several runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from backends import run_script, study

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "policies/scenarios/social_pension_and_child_benefit.yaml"
SWEEP = ["--vary", "social_pension.amount=60000:200000:35000", "--vary", "social_pension.min_age=60,65,70,75"]
GENERATE = r"""
import sys
from microsim.population.io import write_population
from microsim.synth import synthesize
write_population(synthesize(int(sys.argv[1]), seed=1), sys.argv[2])
"""
RUN = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from microsim.population.io import read_population
from microsim.studies.run import simulate_year
from microsim.reporting.simulation_output import run_output
from microsim.reporting.runfolder import population_info, write_run_folder
from microsim.engine.scenario import load_scenario
t1 = time.perf_counter()
pop = read_population(sys.argv[1])
t2 = time.perf_counter()
sim = simulate_year(load_scenario(sys.argv[2]), pop, ageing=False)  # the engine and outputs; ageing is timed apart
t3 = time.perf_counter()
write_run_folder(run_output(sim, "benchmark", 1, population_info(pop, sys.argv[1])), sys.argv[3])
t4 = time.perf_counter()
print(json.dumps({"households": pop.n_households, "persons": pop.n_persons, "import_s": round(t1 - t0, 2),
                  "read_s": round(t2 - t1, 2), "simulate_s": round(t3 - t2, 2), "write_s": round(t4 - t3, 2),
                  "modules_s": round(sim.seconds["modules_s"], 2), "outputs_s": round(sim.seconds["outputs_s"], 2),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""
STEPS = ("read_s", "simulate_s", "modules_s", "outputs_s", "write_s", "peak_rss_mb")


def run_once(folder: str, scenario: str, out: str) -> dict:
    return run_script(RUN, folder, scenario, out)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):g} ({min(values):g}-{max(values):g})" if len(values) > 1 else f"{values[0]:g}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, help="households to generate (default 4,000,000)")
    parser.add_argument("--population", help="an existing population folder instead of generating one")
    parser.add_argument("--scenario", default=SCENARIO)
    parser.add_argument("--repeat", type=int, default=3, help="runs per population (median reported)")
    parser.add_argument("--studies", default="run,project,sweep")
    a = parser.parse_args()
    studies = a.studies.split(",")
    report = []
    with tempfile.TemporaryDirectory() as tmp:
        populations = [(a.population, a.population)] if a.population else []
        for n in a.sizes or ([] if a.population else [4_000_000]):
            folder = f"{tmp}/pop{n}"
            subprocess.run([sys.executable, "-c", GENERATE, str(n), folder], cwd=ROOT, check=True)
            populations.append((f"synthetic {n:,}", folder))
        for label, folder in populations:
            entry = {"population": label}
            if "run" in studies:
                runs = [run_once(folder, a.scenario, f"{tmp}/run-{i}") for i in range(a.repeat)]
                entry |= {"households": runs[0]["households"], "persons": runs[0]["persons"],
                          "run": {k: [r[k] for r in runs] for k in STEPS}}
                print(f"{label}: {runs[0]['households']:,} households, {runs[0]['persons']:,} persons; run x{a.repeat} "
                      f"(median, lowest-highest): " + ", ".join(f"{k} {spread(entry['run'][k])}" for k in STEPS),
                      flush=True)
            if "project" in studies:
                entry["project"] = study(["project", a.scenario, "--from", "2026", "--to", "2035", "--data", folder,
                                          "--quiet", "--out", f"{tmp}/projection"])
                print(f"{label}: projection 2026-2035: {entry['project']}", flush=True)
            if "sweep" in studies:
                entry["sweep"] = study(["sweep", a.scenario, *SWEEP, "--data", folder, "--quiet", "--out", f"{tmp}/sweep"])
                print(f"{label}: sweep of 20 variants: {entry['sweep']}", flush=True)
            report.append(entry)
    print(json.dumps({"benchmark": "run_scale", "scenario": a.scenario, "results": report}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
