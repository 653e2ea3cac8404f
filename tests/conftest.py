import pandas as pd
import pytest

from microsim.synth import synthesize


@pytest.fixture(scope="session")
def small_population():
    """A 400-household synthetic population (validated on construction)."""
    return synthesize(400, seed=11)


@pytest.fixture
def tiny_tables():
    """Two valid households, three persons, as raw tables (what a user's files would hold)."""
    households = pd.DataFrame({
        "household_id": [1, 2], "zone": ["rural", "phnom_penh"], "weight": [100.0, 50.0],
        "consumption_pc": [250000.0, 900000.0], "poverty_line": [333093.0, 333093.0], "idpoor": [1, 0],
    })
    persons = pd.DataFrame({
        "person_id": [101, 102, 201], "household_id": [1, 1, 2],
        "relationship": ["head", "child", "head"], "age": [40, 3, 70], "sex": ["female", "male", "male"],
        "employment_type": ["agriculture_self_employed", None, "inactive"],
        "disabled": [False, False, True], "contributory_pension": [False, False, True],
        "in_school": [False, True, False], "pregnant": [False, False, False],
    })
    return households, persons
