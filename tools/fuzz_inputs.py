"""Fuzz the input files at scale and print how many cases failed (see tools/fuzzing.py).

    python tools/fuzz_inputs.py --cases 10000 --jobs 2

A case fails when a mutated scenario, parameter, macro, mapping or population file ends in a
traceback, an exit code other than 0 or 2, an error of more than one paragraph or a half-written
output. Cases are split evenly over the kinds; the same --cases and --first give the same cases.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from joblib import Parallel, delayed

from fuzzing import KINDS, Workspace, run_case


def _batch(kind: str, seeds: list[int], folder: str):
    workspace = Workspace(Path(folder))
    return [run_case(kind, seed, workspace) for seed in seeds]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000, help="number of cases (split over the kinds)")
    parser.add_argument("--first", type=int, default=0, help="first seed")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated subset of {','.join(KINDS)}")
    parser.add_argument("--show", type=int, default=5, help="failures to print in full")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    per_kind = max(1, args.cases // len(kinds))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="microsim-fuzz-") as folder:
        Workspace(Path(folder))  # the shared small population, made once
        chunks = [(kind, list(range(s, min(s + 50, args.first + per_kind))))
                  for kind in kinds for s in range(args.first, args.first + per_kind, 50)]
        results = Parallel(n_jobs=args.jobs)(delayed(_batch)(kind, seeds, folder) for kind, seeds in chunks)
    outcomes = [o for batch in results for o in batch]
    failed = [o for o in outcomes if not o.ok]
    by_kind = Counter(o.kind for o in outcomes)
    failed_by_kind = Counter(o.kind for o in failed)
    print(f"{len(outcomes)} cases in {time.perf_counter() - start:.0f} s: {len(failed)} failed")
    for kind in kinds:
        print(f"  {kind:<11} {by_kind[kind]:>6} cases, {failed_by_kind[kind]:>4} failed")
    for o in failed[: args.show]:
        print(f"\n--- {o.kind} seed {o.seed}\n{o.detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
