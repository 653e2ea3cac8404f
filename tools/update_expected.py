"""Rewrite the `expected:` headline figures of the example scenarios from a fresh run.

    python tools/update_expected.py            # show old -> new for every example scenario
    python tools/update_expected.py --write    # and write them into policies/scenarios/*.yaml

The figures are what `microsim run` gives on the shipped default population; tests/test_engine.py
checks them. Run this only after a deliberate change of the population, parameters or method, and
say in the commit and in docs/policies.md why the figures moved.
"""

from __future__ import annotations

import argparse
import re
import sys

from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION, POLICIES
from microsim.studies.run import simulate_year
from microsim.engine.scenario import load_scenario


def figures(headline) -> dict[str, str]:
    return {"poverty_rate_baseline_pct": f"{headline.poverty_rate_baseline_pct:.2f}",
            "poverty_rate_reform_pct": f"{headline.poverty_rate_reform_pct:.2f}",
            "persons_lifted_out_of_poverty": f"{headline.persons_lifted_out_of_poverty:.0f}",
            "cost_change_billion_riels_per_year": f"{headline.cost_change_riels_per_year / 1e9:.1f}",
            "cost_change_pct_gdp": f"{headline.cost_change_pct_gdp:.3f}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write the new figures into the scenario files")
    args = parser.parse_args()
    population = read_population(DEFAULT_POPULATION)
    for path in sorted((POLICIES / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        new = figures(simulate_year(scenario, population).headline)
        text = path.read_text()
        for key, value in new.items():
            print(f"{path.stem:<36} {key:<36} {scenario.expected.get(key)!s:>12} -> {value}")
            text = re.sub(rf"(\n  {key}: )[-0-9.]+", rf"\g<1>{value}", text)
        if args.write:
            path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
