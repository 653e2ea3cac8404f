"""Serial, joblib and Dask side by side: 100 bootstrap replicates of a run, and a 20-variant sweep
with 10 replicates, on the default population, each backend in a fresh process.

    python benchmarks/backends.py [--replicates 100] [--jobs 2]

Prints, per backend: wall time, the peak memory of the main process and of the largest worker
process (VmHWM of the worker processes still alive, as joblib keeps its own, or max RSS of the
finished ones, as Dask's local cluster stops its), and the results hash, which must be the same
on every backend. A sweep's point estimates run in the main process (its variants share cached
module outputs); its replicates are the tasks that spread over workers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDY = r"""
import json, os, resource, sys, time
from pathlib import Path
from click.testing import CliRunner
from microsim.cli import main


def live_descendant_peaks_mb():
    # peak memory (VmHWM) of this process's descendants still alive (joblib's loky keeps its workers)
    parents = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            parents[int(status.parent.name)] = (int(fields["PPid"]), int(fields.get("VmHWM", "0 kB").split()[0]))
        except (OSError, ValueError, KeyError):
            continue
    ours, found = {os.getpid()}, True
    while found:
        found = False
        for pid, (ppid, _) in parents.items():
            if ppid in ours and pid not in ours:
                ours.add(pid)
                found = True
    return [round(parents[pid][1] / 1024) for pid in ours if pid != os.getpid() and pid in parents]


args = json.loads(sys.argv[1])
t0 = time.perf_counter()
result = CliRunner().invoke(main, args, catch_exceptions=False)
wall = time.perf_counter() - t0
assert result.exit_code == 0, result.output
out = args[args.index("--out") + 1]
manifest = json.load(open(out + "/manifest.json"))
live = live_descendant_peaks_mb()
ended = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)  # workers already gone (Dask)
print(json.dumps({"wall_s": round(wall, 2),
                  "main_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "largest_worker_peak_mb": max(live + [ended]) if live or ended else None,
                  "results_sha256": manifest["results_sha256"][:16]}))
"""


def run_script(script: str, *argv: str) -> dict:
    """Run ``script`` in a fresh process of this interpreter; the JSON document its last line prints."""
    done = subprocess.run([sys.executable, "-c", script, *argv], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def study(args: list[str]) -> dict:
    """A microsim command (its arguments) timed in a fresh process: wall time, peaks, results hash."""
    return run_script(STUDY, json.dumps(args))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        studies = {
            f"run, {a.replicates} replicates": ["run", "policies/scenarios/social_pension_65.yaml", "--no-charts",
                                                 "--replicates", str(a.replicates), "--quiet"],
            "sweep, 20 variants x 10 replicates": ["sweep", "policies/scenarios/social_pension_65.yaml",
                                                   "--vary", "social_pension.amount=60000:200000:35000",
                                                   "--vary", "social_pension.min_age=60,65,70,75",
                                                   "--replicates", "10", "--quiet"],
        }
        for name, args in studies.items():
            print(name)
            for backend in ("serial", "joblib", "dask"):
                jobs = "1" if backend == "serial" else str(a.jobs)
                r = study(args + ["--backend", backend, "--jobs", jobs, "--out", f"{tmp}/{backend}-{len(name)}"])
                worker = r["largest_worker_peak_mb"]
                print(f"  {backend:<7} jobs {jobs}: {r['wall_s']:>7.2f} s  main {r['main_peak_mb']:>5} MB  "
                      f"largest worker {'-' if worker is None else worker:>5} MB  results {r['results_sha256']}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
