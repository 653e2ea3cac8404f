"""What following UN WPP 2024 (its total and age structure) changes, against the earlier setting
(the Census 2019 level grown with UN WPP 2022, the base's structure moved by the ratio method).

    python tools/demography_change.py            # print the table
    python tools/demography_change.py --write    # and write validation/demography_change.csv

For 2026 and 2035: persons, persons aged 65 and over, persons aged 2-6 (the model's, beside UN WPP
2024's own count and the Census 2019 level), and the cost of the main scenario
(policies/scenarios/social_pension_and_child_benefit.yaml) in each setting. tests/test_validation.py
checks the file's population rows against the ageing.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

import pandas as pd

from microsim.engine.scenario import load_scenario
from microsim.paths import DEFAULT_POPULATION, HOME, POLICIES
from microsim.population.ageing import Assumptions, bring_to_year, load_assumptions
from microsim.population.demography import read_wpp_single_ages
from microsim.population.io import read_population
from microsim.studies.run import simulate_year

OUT = HOME / "validation" / "demography_change.csv"
MAIN = POLICIES / "scenarios" / "social_pension_and_child_benefit.yaml"
SETTINGS = {  # label -> the assumptions' values
    "Census 2019 level, UN WPP 2022 growth (before)": {"population_source": "wpp2022", "level_base": "census2019",
                                                        "age_structure_method": "ratio"},
    "UN WPP 2024 level and structure (now)": {"population_source": "wpp2024", "level_base": "wpp",
                                               "age_structure_method": "wpp"},
}
GROUPS = {"persons": (0, 200), "persons aged 65 and over": (65, 200), "persons aged 2-6": (2, 6)}


def setting(values: dict) -> Assumptions:
    a = load_assumptions()
    return Assumptions({**a.raw, **{k: dict(a.raw[k], value=v) for k, v in values.items()}}, a.path)


def population_rows(base, years=(2026, 2035)) -> list[dict]:
    rows = []
    for year in years:
        wpp = read_wpp_single_ages(year).sum(axis=1) * 1000
        for label, values in SETTINGS.items():
            pop, _ = bring_to_year(base, year, assumptions=setting(values))
            weights, age = pop.person_weight(), pop.persons["age"].to_numpy()
            for what, (lo, hi) in GROUPS.items():
                rows.append({"year": year, "quantity": what, "setting": label,
                             "model": float(weights[(age >= lo) & (age <= hi)].sum()),
                             "UN WPP 2024": float(wpp.loc[lo:hi].sum()), "unit": "persons"})
    return rows


def cost_rows(base, years=(2026, 2035)) -> list[dict]:
    scenario = load_scenario(MAIN)
    rows = []
    for year in years:
        for label, values in SETTINGS.items():
            sim = simulate_year(dataclasses.replace(scenario, year=year), base, assumptions=setting(values))
            rows.append({"year": year, "quantity": f"cost of {scenario.name}", "setting": label,
                         "model": sim.result.headline.cost_change_riels_per_year, "UN WPP 2024": None,
                         "unit": "riels a year"})
    return rows


def table(base) -> pd.DataFrame:
    frame = pd.DataFrame(population_rows(base) + cost_rows(base))
    return frame.sort_values(["quantity", "year", "setting"], kind="stable").reset_index(drop=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(HOME)}")
    args = parser.parse_args()
    frame = table(read_population(DEFAULT_POPULATION))
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(frame.to_string(index=False, float_format=lambda v: f"{v:,.0f}"))
    if args.write:
        frame.to_csv(OUT, index=False, float_format="%.0f", lineterminator="\n")
        print(f"Wrote {OUT.relative_to(HOME)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
