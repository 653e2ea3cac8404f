"""How long the command line and the library take to start, each in a fresh process.

What a user waits for before any work: ``microsim --help`` (the command line loads no study:
docs/architecture.md), a mistyped option, and importing the documented Python entry points.
Each is run ``--runs`` times (default 11) in a new interpreter; prints the median and the range in
milliseconds, then a JSON document. Usage:

    python benchmarks/startup.py
    python benchmarks/startup.py --runs 31
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

CASES = {
    "microsim --help": [sys.executable, "-m", "microsim", "--help"],
    "microsim run --help": [sys.executable, "-m", "microsim", "run", "--help"],
    "a mistyped option (exit 2)": [sys.executable, "-m", "microsim", "run", "--no-such-option"],
    "import the entry points": [sys.executable, "-c", "import microsim.run, microsim.projection, microsim.io, "
                                "microsim.scenario, microsim.synth"],
}


def time_once(command: list[str]) -> float:
    """Wall seconds of one run of ``command`` in a new process (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs of each case (one more is a warm-up)")
    runs = parser.parse_args().runs
    results = {}
    for name, command in CASES.items():
        time_once(command)  # warm-up: the file cache, compiled bytecode
        times = sorted(time_once(command) * 1000 for _ in range(runs))
        results[name] = {"median_ms": round(statistics.median(times), 1), "min_ms": round(times[0], 1),
                         "max_ms": round(times[-1], 1), "runs": runs}
        print(f"{name:<30} median {results[name]['median_ms']:>7.1f} ms  (min {times[0]:.1f}, max {times[-1]:.1f})")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
