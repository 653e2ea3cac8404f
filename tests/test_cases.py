"""Runs the hand-checked household cases in tests/cases/*.yaml."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from microsim.engine.economy import year_economy
from microsim.engine.system import load_system, run_system
from microsim.engine.macro import load_macro
from microsim.distribution.welfare import welfare
from microsim.population.population import Population
from microsim.engine.scenario import Scenario

CASES = [(f.stem, c) for f in sorted((Path(__file__).parent / "cases").glob("*.yaml"))
         for c in yaml.safe_load(f.read_text())]
PERSON_DEFAULTS = {"disabled": False, "contributory_pension": False, "in_school": False, "pregnant": False}


def case_population(case) -> Population:
    hh = {"household_id": 1, "weight": 1.0, "poverty_line": 333093.0, "idpoor": 0} | case["household"]
    persons = []
    for i, p in enumerate(case["persons"]):
        row = PERSON_DEFAULTS | {"person_id": 101 + i, "household_id": 1,
                                 "relationship": "head" if i == 0 else "other_relative"} | p
        row.setdefault("employment_type", None if row["age"] < 15 else "inactive")
        persons.append(row)
    return Population.from_tables(pd.DataFrame([hh]), pd.DataFrame(persons))


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[c["name"][:60] for _, c in CASES])
def test_case(case):
    pop = case_population(case)
    modules, tree = load_system()
    scenario = Scenario(name=case["name"], year=case["year"], path=Path("tests/cases"), sha256="")
    macro = load_macro()
    # a case sets values to force one path (every person HIV-affected): outside plausible ranges, on purpose
    reform = tree.with_overrides(case.get("parameters", {}), "case", scenario.date, allow=True)
    system = run_system(pop, modules, reform, scenario.date, macro)
    for key, expected in case["expect"].items():
        if key in ("poor_before", "poor_after"):
            continue
        got = system.benefits.get(key, np.zeros(pop.n_persons if modules[key].entity == "person" else 1))
        np.testing.assert_allclose(got, np.atleast_1d(expected), rtol=1e-12, atol=1e-9, err_msg=key)
    factor = macro.price_factor(case["year"])
    line = 333093.0 * factor
    if "poor_before" in case["expect"]:
        before = pop.household_value("consumption_pc") * factor < line
        assert list(before) == case["expect"]["poor_before"]
    if "poor_after" in case["expect"]:
        economy = year_economy(pop, case["year"], macro)
        after = welfare(pop, system, modules, economy).person_consumption(pop) < pop.household_value("poverty_line") * factor
        assert list(after) == case["expect"]["poor_after"]


def test_each_file_of_cases_is_named_after_the_programme_it_checks():
    """A programme's cases sit in a file of their own, named after its file in microsim/programmes/."""
    programmes = Path(__file__).parent.parent / "microsim" / "programmes"
    files = sorted((Path(__file__).parent / "cases").glob("*.yaml"))
    assert files and all((programmes / f"{f.stem}.py").exists() for f in files), [f.name for f in files]
