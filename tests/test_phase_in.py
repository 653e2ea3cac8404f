"""Reforms phased in by year: a schedule `{2026: 80, 2028: 75}` as dated values, the same in `run`,
`project` and the report; bad schedules refused naming the file, the key and the year."""

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from microsim.cli import main
from microsim.distribution.results import record_json
from microsim.engine.scenario import Scenario
from microsim.engine.system import load_system
from microsim.errors import SpecError
from microsim.studies.projection import run_projection
from microsim.studies.run import simulate_year
from microsim.synth import synthesize
from microsim.population.calibrate import apply, calibrate_population
from microsim.population.targets import load_targets

BASE = synthesize(1200, seed=5)
BASE = apply(BASE, calibrate_population(BASE, load_targets()))
PENSION = {"social_pension.active": True, "social_pension.amount": 158000}


def scenario(reform, year=2026) -> Scenario:
    return Scenario(name="t", year=year, path=Path("phased.yaml"), sha256="", reform=reform)


def headline(sim) -> dict:
    return record_json(sim.result.headline)


def test_a_schedule_of_one_year_is_the_flat_reform():
    for year in (2026, 2030):
        flat = simulate_year(scenario({**PENSION, "social_pension.min_age": 70}, year), BASE)
        phased = simulate_year(scenario({**PENSION, "social_pension.min_age": {2026: 70}}, year), BASE)
        assert headline(phased) == headline(flat)
        assert flat.result.headline.cost_change_riels_per_year > 0


def test_each_value_holds_from_1_january_of_its_year_and_the_law_before():
    _, tree = load_system()
    law = tree.value_at("social_pension.min_age", dt.date(2026, 1, 1))
    phased = tree.with_overrides({"social_pension.min_age": {2028: 75, 2032: 65}}, "phased.yaml, reform",
                                 dt.date(2026, 1, 1))
    at = {year: phased.value_at("social_pension.min_age", dt.date(year, 1, 1)) for year in range(2026, 2036)}
    assert at == {2026: law, 2027: law, 2028: 75, 2029: 75, 2030: 75, 2031: 75, 2032: 65, 2033: 65, 2034: 65, 2035: 65}
    assert phased.overridden["social_pension.min_age"] == dt.date(2028, 1, 1)
    reference = phased.references(dt.date(2029, 1, 1))["social_pension.min_age"]["reference"]
    assert "phased.yaml" in reference and "2028: 75" in reference


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.integers(2019, 2035), st.integers(0, 500000), min_size=1, max_size=8),
       st.integers(2019, 2035))
def test_the_value_in_force_is_the_last_scheduled_at_or_before_the_year(schedule, year):
    _, tree = load_system()
    schedule = dict(sorted(schedule.items()))
    phased = tree.with_overrides({"social_pension.amount": schedule}, "phased.yaml, reform")
    earlier = [y for y in schedule if y <= year]
    expected = schedule[max(earlier)] if earlier else tree.value_at("social_pension.amount", dt.date(year, 1, 1))
    assert phased.value_at("social_pension.amount", dt.date(year, 1, 1)) == expected


def test_a_phased_year_of_the_projection_is_the_run_of_that_year():
    reform = {**PENSION, "social_pension.min_age": {2026: 80, 2028: 70}}
    projection = run_projection(scenario(reform), BASE, 2027, 2028)
    for year in (2027, 2028):
        alone = simulate_year(scenario(reform, year), BASE)
        assert record_json(next(p.result for p in projection.projected if p.year == year).headline) == headline(alone)
    costs = projection.tables["years"].set_index("year")["cost_change_riels_per_year"]
    assert costs[2028] > 1.5 * costs[2027]  # ages 70-79 join in 2028


@pytest.mark.parametrize("schedule,message", [
    ({2028: 75, 2026: 80}, "lists year 2026 after 2028"),
    ({2026: 80, 2026.5: 75}, "its keys are years"),
    ({2040: 70}, "names year 2040, outside the years the model simulates"),
    ({2018: 70}, "names year 2018"),
    ({True: 70}, "its keys are years"),
    ({2026: 80, 2028: "seventy"}, "year 2028: `social_pension.min_age` is a number"),
    ({2026: 80, 2028: 70.5}, "year 2028: `social_pension.min_age` is a whole number"),
    ({}, "empty schedule"),
])
def test_a_bad_schedule_names_the_file_the_key_and_the_year(schedule, message):
    _, tree = load_system()
    with pytest.raises(SpecError, match="phased.yaml, reform") as error:
        tree.with_overrides({"social_pension.min_age": schedule}, "phased.yaml, reform", dt.date(2026, 1, 1))
    assert message in str(error.value) and "social_pension.min_age" in str(error.value)


def test_an_indexation_rule_is_not_phased():
    _, tree = load_system()
    with pytest.raises(SpecError, match="takes one value, not a schedule"):
        tree.with_overrides({"social_pension.amount.indexation": {2026: "cpi"}}, "phased.yaml, reform")


def test_the_command_line_refuses_a_bad_schedule_and_writes_nothing(tmp_path):
    bad = tmp_path / "phased.yaml"
    bad.write_text("name: p\nyear: 2026\nreform:\n  social_pension.active: true\n"
                   "  social_pension.min_age: {2030: 70, 2028: 75}\n")
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["run", str(bad), "--no-intervals", "--out", str(out)])
    assert done.exit_code != 0 and "lists year 2028 after 2030" in done.output and str(bad) in done.output
    assert not out.exists()


def test_the_report_gives_the_schedule_and_the_costing_points_to_the_projection(tmp_path):
    path = tmp_path / "phased.yaml"
    path.write_text("name: Phased pension\nyear: 2026\nreform:\n  social_pension.active: true\n"
                    "  social_pension.amount: 158000\n  social_pension.min_age: {2026: 80, 2030: 70}\n")
    runner = CliRunner()
    done = runner.invoke(main, ["run", str(path), "--no-intervals", "--out", str(tmp_path / "run")])
    assert done.exit_code == 0, done.output
    report = (tmp_path / "run" / "report.md").read_text()
    assert "`social_pension.min_age` phased in (80 from 2026; 70 from 2030)" in report
    refused = runner.invoke(main, ["cost", str(path), "--from", "2026", "--to", "2030"])
    assert refused.exit_code != 0 and "`social_pension.min_age` is phased in by year" in refused.output
    assert "microsim project" in refused.output


def test_a_contribution_rate_may_be_phased_in_a_costing():
    """The costing reads a scheme's rate year by year, so a phased rate is costed as the run gives it."""
    from microsim.studies.costing import costing_of, costs_of

    reform = {"unemployment_insurance_contributions.active": True,
              "unemployment_insurance_contributions.rate": {2026: 0.005, 2028: 0.01}}
    measures, inputs, _ = costing_of(dataclasses.replace(scenario(reform), name="phased rate"), BASE, 2026, 2029)
    scheme = next(m for m in measures if m.name == "unemployment_insurance_contributions")
    revenue = costs_of(scheme, inputs).set_index("year")["revenue (riels)"]
    assert revenue[2028] / revenue[2027] > 1.9  # the rate doubles in 2028; wages grow a little


@pytest.mark.parametrize("reform, refused", [
    # a benefit a schedule switches on after the first year: never left out of the costing
    ({"social_pension.active": True, "maternity_allowance.active": {2026: False, 2027: True}},
     "`maternity_allowance.active`"),
    # a scheme's rule the costing reads once (the extension's share), phased
    ({"nssf_pension_contributions.extension_share": {2026: 0.1, 2028: 0.3}},
     "`nssf_pension_contributions.extension_share`"),
    # a simulation setting, phased
    ({"social_pension.active": True, "simulation.admin_cost_rate": {2026: 0.05, 2030: 0.03}},
     "`simulation.admin_cost_rate`"),
    # a scheme switched on in a later year: no payers in the first year to measure
    ({"unemployment_insurance_contributions.active": {2026: False, 2028: True}},
     "`unemployment_insurance_contributions.active`"),
])
def test_the_costing_refuses_every_schedule_it_would_cost_at_one_value(reform, refused):
    from microsim.studies.costing import costing_of

    with pytest.raises(SpecError, match="phased in by year") as error:
        costing_of(scenario(reform), BASE, 2026, 2030)
    assert refused in str(error.value) and "microsim project" in str(error.value)


def test_the_costing_refuses_a_schedule_in_the_baseline():
    from microsim.studies.costing import costing_of

    phased = dataclasses.replace(scenario(PENSION), baseline={"family_package_base.amount": {2026: 40000, 2028: 60000}})
    with pytest.raises(SpecError, match="`family_package_base.amount` is phased in by year"):
        costing_of(phased, BASE, 2026, 2030)


@pytest.mark.parametrize("key, shown", [("2026²", "'2026²'"), ("20.26", "'20.26'"), (dt.date(2026, 1, 1), "2026-01-01 (a date)")])
def test_a_schedule_key_that_is_not_a_year_is_named(key, shown):
    _, tree = load_system()
    with pytest.raises(SpecError, match="its keys are years") as error:
        tree.with_overrides({"social_pension.min_age": {key: 70}}, "phased.yaml, reform")
    assert f"the key {shown}" in str(error.value)


def test_a_run_before_a_schedule_starts_says_so():
    sim = simulate_year(scenario({**PENSION, "social_pension.min_age": {2028: 75, 2032: 65}}), BASE)
    assert any("`social_pension.min_age` is phased in from 2028: in 2026" in note for note in sim.result.notes)
    started = simulate_year(scenario({**PENSION, "social_pension.min_age": {2026: 75}}), BASE)
    assert not any("phased in from" in note for note in started.result.notes)


def test_the_reports_give_the_baseline_changes_as_the_reform_changes(tmp_path):
    path = tmp_path / "phased.yaml"
    path.write_text("name: Phased pension\nyear: 2026\nbaseline:\n  family_package_base.amount: {2026: 40000, 2027: 50000}\n"
                    "reform:\n  social_pension.active: true\n  social_pension.amount: 158000\n")
    runner = CliRunner()
    shown = "`family_package_base.amount` phased in (40000 from 2026; 50000 from 2027)"
    for command, out in (("run", "run"), ("project", "projection")):
        extra = ["--no-intervals"] if command == "run" else ["--from", "2026", "--to", "2027"]
        done = runner.invoke(main, [command, str(path), *extra, "--out", str(tmp_path / out)])
        assert done.exit_code == 0, done.output
        assert shown in (tmp_path / out / "report.md").read_text(), command
