"""Benefits without Python: a YAML benefit runs through the same engine as a built-in one."""

from pathlib import Path

import numpy as np
import pytest

from microsim.engine.system import load_system
from microsim.errors import SpecError
from microsim.engine.modules import REGISTRY
from microsim.studies.run import simulate
from microsim.engine.scenario import Scenario
from microsim.synth import synthesize
from microsim.engine.yaml_benefits import RULES, register

POP = synthesize(600, seed=21)
HEADER = """  active:
    description: Whether it pays
    unit: flag
    values: {2019-01-01: {value: ACTIVE, reference: "test"}}
  amount:
    description: Amount
    unit: UNIT
    min: 0
    values: {2019-01-01: {value: AMOUNT, reference: "test"}}
"""


@pytest.fixture
def yaml_benefit(tmp_path):
    """Write and register a YAML benefit; unregister it afterwards."""
    names = []

    def make(name, entity, eligibility, unit=None, amount=60000, active=True):
        unit = unit or f"riels per {entity} per month"
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"{name}:\n  label: {name}\n  entity: {entity}\n  eligibility: {eligibility}\n"
                        + HEADER.replace("UNIT", unit).replace("AMOUNT", str(amount))
                        .replace("ACTIVE", "true" if active else "false"))
        names.append(register(path))
        return path
    yield make
    for name in names:
        REGISTRY.pop(name, None)
        RULES.pop(name, None)


def test_a_yaml_benefit_equals_the_built_in_one(yaml_benefit):
    path = yaml_benefit("cb_yaml", "person", "{age: [2, 5]}", amount=60000, active=False)
    sc_builtin = Scenario(name="b", year=2026, path=Path("b.yaml"), sha256="",
                          reform={"child_benefit.active": True, "child_benefit.amount": 60000})
    builtin = simulate(sc_builtin, POP)
    modules, tree = load_system()
    assert "cb_yaml" in modules and modules["cb_yaml"].parameter_file == path
    sc_yaml = Scenario(name="y", year=2026, path=Path("y.yaml"), sha256="", reform={"cb_yaml.active": True})
    from_yaml = simulate(sc_yaml, POP)
    np.testing.assert_array_equal(np.asarray(builtin.reform.benefits["child_benefit"]),
                                  np.asarray(from_yaml.reform.benefits["cb_yaml"]))
    b = builtin.headline
    y = from_yaml.headline
    assert (b.cost_change_riels_per_year, b.persons_lifted_out_of_poverty, b.poverty_rate_reform_pct) == \
        (y.cost_change_riels_per_year, y.persons_lifted_out_of_poverty, y.poverty_rate_reform_pct)


def test_household_rules_and_a_one_off_amount(yaml_benefit):
    yaml_benefit("young_family_grant", "household", "{idpoor: [1, 2], household_members: {age: [0, 4], min: 1}}",
                 unit="riels per household, one-off", amount=240000)
    sim = simulate(Scenario(name="y", year=2026, path=Path("y.yaml"), sha256="", reform={}), POP)
    paid = np.asarray(sim.reform.benefits["young_family_grant"])
    age = POP.persons["age"].to_numpy()
    expected = (POP.households["idpoor"].to_numpy() > 0) & (POP.household_count(age <= 4) >= 1)
    np.testing.assert_array_equal(paid, np.where(expected, 20000.0, 0.0))  # a twelfth each month
    cost = next(p for p in sim.result.programmes if p.programme == "young_family_grant").cost_reform_riels_per_year
    admin = sim.reform.params.simulation.admin_cost_rate
    assert cost == pytest.approx(240000 * POP.households["weight"].to_numpy()[expected].sum() * (1 + admin), rel=1e-12)


def test_person_rules_with_household_conditions(yaml_benefit):
    yaml_benefit("poor_older_women", "person",
                 "{sex: female, age: [60, 110], consumption_below_line_multiple: 1.5, contributory_pension: false}")
    sim = simulate(Scenario(name="y", year=2026, path=Path("y.yaml"), sha256="", reform={}), POP)
    p = POP.persons
    economy_line = sim.economy.poverty_line(POP)[POP.person_household_index]
    consumption = sim.economy.consumption_pc(POP)[POP.person_household_index]
    expected = ((p["sex"] == "female").to_numpy() & (p["age"].to_numpy() >= 60)
                & (consumption < 1.5 * economy_line) & ~p["contributory_pension"].to_numpy())
    np.testing.assert_array_equal(np.asarray(sim.reform.benefits["poor_older_women"]) > 0, expected)


@pytest.mark.parametrize("entity, eligibility, unit, message", [
    ("person", "{colour: blue}", None, "unknown rule `colour`"),
    ("person", "{age: [6, 2]}", None, "the range is reversed"),
    ("person", "{age: [2, 5.5]}", None, "whole years"),
    ("person", "{pregnant: yes please}", None, "true or false"),
    ("person", "{zone: coastal}", None, "eligibility `zone`: expected one or a list of"),
    ("household", "{pregnant: true}", None, "a household benefit can use household rules only"),
    ("person", "{pregnant: true}", "riels per household per month", "a person benefit is paid in"),
    ("person", "{pregnant: true}", "riels per visit", "a person benefit is paid in"),
    ("person", "{}", None, "expected a mapping of rules"),
    ("person", "{pregnant: true}", "riels per person, one-off per month", "a person benefit is paid in"),
])
def test_bad_yaml_benefits_name_the_file_and_the_field(tmp_path, entity, eligibility, unit, message):
    path = tmp_path / "bad.yaml"
    path.write_text(f"bad:\n  label: bad\n  entity: {entity}\n  eligibility: {eligibility}\n"
                    + HEADER.replace("UNIT", unit or f"riels per {entity} per month").replace("AMOUNT", "1000")
                    .replace("ACTIVE", "true"))
    with pytest.raises(SpecError, match=message) as error:
        register(path)
    assert str(path) in str(error.value)
    assert "bad" not in REGISTRY


MONTHS = """  paid_months:
    description: Months paid
    unit: months per year
    values: {2019-01-01: {value: 3, reference: "test"}}
"""


@pytest.mark.parametrize("unit, extra, message", [
    ("riels per person, one-off", MONTHS, "a one-off benefit is paid once a year, so a monthly rule"),
    ("riels per person per month", MONTHS, "months of payment are not a YAML rule"),
    ("riels per person per month", "  colour: blue\n", "not a key of a YAML benefit"),
])
def test_keys_a_yaml_benefit_does_not_use_are_refused(tmp_path, unit, extra, message):
    path = tmp_path / "odd.yaml"
    path.write_text("odd:\n  label: odd\n  entity: person\n  eligibility: {pregnant: true}\n"
                    + HEADER.replace("UNIT", unit).replace("AMOUNT", "1000").replace("ACTIVE", "true") + extra)
    with pytest.raises(SpecError, match=message) as error:
        register(path)
    assert str(path) in str(error.value) and "odd" not in REGISTRY


def test_the_shipped_maternity_benefit_runs_from_a_scenario():
    sc = Scenario(name="m", year=2026, path=Path("m.yaml"), sha256="",
                  reform={"maternity_benefit.active": True, "maternity_benefit.amount": 120000})
    sim = simulate(sc, POP)
    pregnant = POP.persons["pregnant"].to_numpy() & (POP.persons["age"].to_numpy() >= 15)
    np.testing.assert_array_equal(np.asarray(sim.reform.benefits["maternity_benefit"]),
                                  np.where(pregnant, 120000.0, 0.0))
