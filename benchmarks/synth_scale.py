"""Time and peak memory of the synthetic generator at several sizes.

Each size runs in a fresh process so its peak memory (max RSS) is its own. Prints one line per
size and a JSON document at the end. Usage:

    python benchmarks/synth_scale.py                 # 10k, 1M and 4M households
    python benchmarks/synth_scale.py 10000 200000    # chosen sizes
    python benchmarks/synth_scale.py --write 4000000 # also time writing Parquet
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, tempfile, time
n, write = int(sys.argv[1]), sys.argv[2] == "1"
t0 = time.perf_counter()
from microsim.synth import synthesize
pop = synthesize(n, seed=1)
t1 = time.perf_counter()
out = {"households": n, "persons": pop.n_persons, "generate_s": round(t1 - t0, 2)}
if write:
    from microsim.population.io import write_population
    with tempfile.TemporaryDirectory() as d:
        write_population(pop, d + "/pop")
        out["write_s"] = round(time.perf_counter() - t1, 2)
out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
print(json.dumps(out))
"""


def main(argv: list[str]) -> None:
    write = "--write" in argv
    sizes = [int(a) for a in argv if not a.startswith("--")] or [10_000, 1_000_000, 4_000_000]
    results = []
    for n in sizes:
        proc = subprocess.run([sys.executable, "-c", CHILD, str(n), "1" if write else "0"],
                              capture_output=True, text=True, check=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(r)
        extra = f", write {r['write_s']} s" if "write_s" in r else ""
        print(f"{n:>10,} households {r['persons']:>11,} persons: generate {r['generate_s']:>6} s{extra}, "
              f"peak {r['peak_rss_mb']:,.0f} MB", flush=True)
    print(json.dumps({"benchmark": "synth_scale", "results": results}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
