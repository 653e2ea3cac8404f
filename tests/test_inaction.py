"""The cost-of-inaction study: schooling response, Mincer valuation, present values, the command."""

import dataclasses
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from microsim.behaviour import schooling
from microsim.cli import main
from microsim.behaviour.earnings import MAX_AGE, Profile, lifetime_factor, survival, value_of_extra_schooling
from microsim.studies.inaction import attendance, evaluate, follow_cohort, internal_rate_of_return
from microsim.studies.inaction_study import run_study
from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION, DEFAULT_SPEC, HOME, POLICIES
from microsim.engine.scenario import load_scenario
from microsim.behaviour.study_parameters import load_study_parameters
from microsim.common.yamlfile import read_yaml

CHILD_BENEFIT = POLICIES / "scenarios" / "child_benefit_2_5.yaml"
BASELINE = POLICIES / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def population():
    return read_population(DEFAULT_POPULATION)


@pytest.fixture(scope="module")
def study():
    return load_study_parameters()


@pytest.fixture(scope="module")
def child_benefit_paths(population, study):
    return follow_cohort(load_scenario(CHILD_BENEFIT), population, 2026, study, 1.5)


def test_a_reform_that_changes_nothing_avoids_exactly_nothing(population, study):
    result = run_study(load_scenario(BASELINE), population, [2026], [0.03], study, 1.5)
    t = result.headline
    assert t.avoided_riels == 0.0 and t.avoided_poor_near_poor_riels == 0.0 and t.programme_cost_riels == 0.0
    assert result.results[0].schooling.extra_years_total == 0.0
    assert t.cost_of_inaction_riels > 0  # the status quo still carries its loss
    assert any("exactly zero" in n for n in result.notes)


def test_the_reform_adds_schooling_and_costs_what_run_says(child_benefit_paths, study):
    result = evaluate(child_benefit_paths, study, [0.03])
    assert result.schooling.extra_years_total > 0
    # the first year's cost is the run's cost of the child benefit in 2026 (843.8 bn riels, expected figure)
    expected = load_scenario(CHILD_BENEFIT).expected["cost_change_billion_riels_per_year"]
    assert child_benefit_paths.cost[0] / 1e9 == pytest.approx(expected, abs=0.05)


@settings(max_examples=20, deadline=None)
@given(scale=st.floats(1.0, 5.0))
def test_a_larger_transfer_never_lowers_attendance(child_benefit_paths, study, scale):
    bigger = dataclasses.replace(child_benefit_paths, change=child_benefit_paths.change * scale)
    _, p1, _ = attendance(child_benefit_paths, study)
    _, p1_bigger, _ = attendance(bigger, study)
    assert np.all(p1_bigger >= p1 - 1e-15)


def test_present_values_fall_as_the_discount_rate_rises(child_benefit_paths, study):
    vals = evaluate(child_benefit_paths, study, [0.0, 0.03, 0.05, 0.10]).valuations
    for name in ("cost_of_inaction_riels", "avoided_riels", "programme_cost_riels"):
        series = [getattr(v, name) for v in vals]
        assert all(a > b for a, b in zip(series, series[1:])), (name, series)


def test_the_mincer_value_of_one_extra_year_matches_a_hand_computation():
    earnings = np.zeros((2, MAX_AGE + 1))
    employment = np.zeros((2, MAX_AGE + 1))
    earnings[1, 18:21] = [500_000.0, 600_000.0, 700_000.0]  # a woman's monthly earnings at 18, 19, 20
    employment[1, 18:21] = [0.5, 0.6, 0.7]
    flat = survival(0.0, 0.0)  # nobody dies
    lifetime = lifetime_factor(Profile(earnings, employment), flat, 18, 20, growth=0.02, discount=0.05)
    value = value_of_extra_schooling(np.array([1.0]), np.array([1]), np.array([10]), lifetime, 0.05)[0]
    hand = (math.exp(0.05) - 1) * sum(12 * e * emp * (1.02 / 1.05) ** (age - 10)
                                      for age, e, emp in ((18, 500_000, 0.5), (19, 600_000, 0.6), (20, 700_000, 0.7)))
    assert value == pytest.approx(hand, rel=1e-12)
    # survival enters as S(x) / S(a0)
    survive = survival(0.001, 0.05)
    with_deaths = lifetime_factor(Profile(earnings, employment), survive, 18, 20, 0.02, 0.05)[1, 10]
    assert with_deaths == pytest.approx(sum(12 * e * emp * survive[a] / survive[10] * (1.02 / 1.05) ** (a - 10)
                                            for a, e, emp in ((18, 500_000, 0.5), (19, 600_000, 0.6), (20, 700_000, 0.7))))


@given(p=st.floats(0.001, 0.999), odds_ratio=st.floats(1.0, 10.0))
def test_the_odds_ratio_multiplies_the_odds(p, odds_ratio):
    moved = schooling.with_odds_ratio(np.array([p]), odds_ratio)[0]
    assert (moved / (1 - moved)) / (p / (1 - p)) == pytest.approx(odds_ratio, rel=1e-9)
    assert moved >= p


def test_the_income_channel_is_anchored_to_the_published_response(child_benefit_paths, study):
    paths = child_benefit_paths
    p0, _, effect = attendance(paths, study)
    poor = (paths.group == 0) & (paths.age >= 6) & (paths.age <= 17)
    eta = np.log(p0[poor, 0] / (1 - p0[poor, 0]))
    no_offer = paths.offer_base[poor, 0] == 0
    moved = schooling.expit(eta + effect * np.log(1.1)) - p0[poor, 0]
    # the average marginal effect of 10 % more consumption among poor children of school age, in points
    response = np.average(moved[no_offer], weights=paths.weight[poor][no_offer]) * 100
    assert response == pytest.approx(study["schooling.attendance_response_pp_per_10pct"], rel=0.1)


# (published figure, model counterpart, tolerance in points): the reasons for each tolerance are in
# docs/synthetic-population.md ("Schooling")
def test_schooling_of_the_default_population_matches_its_published_targets(population):
    _, spec = read_yaml(DEFAULT_SPEC, "spec")
    enrolment, completion = spec["published"]["school_enrolment"], spec["published"]["school_completion"]
    age = population.persons["age"].to_numpy()
    attends = population.persons["in_school"].to_numpy()
    years = population.persons["education_years"].to_numpy()
    grade = years + 1
    w = population.person_weight()

    def share(lo, hi, flag):
        at = (age >= lo) & (age <= hi)
        return np.average(flag[at], weights=w[at])

    for a in (3, 4, 5):
        assert share(a, a, attends) == pytest.approx(enrolment[f"ece_age_{a}"], abs=0.03), a
    assert share(6, 11, attends & (grade <= 6)) == pytest.approx(enrolment["primary_net"], abs=0.03)
    assert share(12, 14, attends & (grade >= 7) & (grade <= 9)) == pytest.approx(enrolment["lower_secondary_net"], abs=0.03)
    assert share(15, 17, attends & (grade >= 10) & (grade <= 12)) == pytest.approx(enrolment["upper_secondary_net"], abs=0.08)
    assert share(13, 15, years >= 6) == pytest.approx(completion["primary"], abs=0.08)
    assert share(16, 18, years >= 9) == pytest.approx(completion["lower_secondary"], abs=0.10)
    assert share(19, 21, years >= 12) == pytest.approx(completion["upper_secondary"], abs=0.05)
    # nobody is in a grade above the official one for the age
    school = (age >= 6) & (age <= 17) & attends
    assert np.all(grade[school] <= age[school] - 5)


def test_poorer_children_attend_less_at_secondary_ages(population):
    from microsim.distribution.breakdowns import pre_transfer_deciles

    households = population.households
    quintile = (pre_transfer_deciles(population, households["consumption_pc"].to_numpy()) // 2)[
        population.person_household_index]
    age = population.persons["age"].to_numpy()
    attends = population.persons["in_school"].to_numpy()
    w = population.person_weight()
    for lo, hi in ((12, 14), (15, 17)):
        at = (age >= lo) & (age <= hi)
        rates = [np.average(attends[at & (quintile == q)], weights=w[at & (quintile == q)]) for q in range(5)]
        assert rates[0] < rates[2] < rates[4], (lo, rates)


def test_results_are_identical_for_any_number_of_jobs(population, study):
    sc = load_scenario(CHILD_BENEFIT)
    one = run_study(sc, population, [2026], [0.05], study, 1.5, jobs=1)
    two = run_study(sc, population, [2026], [0.05], study, 1.5, jobs=2)
    assert one.results[0].valuations == two.results[0].valuations
    assert one.sensitivity.equals(two.sensitivity)


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_the_command_writes_its_run_folder(tmp_path):
    out = tmp_path / "study"
    result = cli("inaction", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["format"] == "microsim-inaction/1" and summary["cohort_years"] == [2026]
    assert [v["discount_rate"] for v in summary["cohorts"][0]["valuations"]] == [0.03, 0.05]
    assert summary["headline"] == {"start_year": 2026, **summary["cohorts"][0]["valuations"][0]}
    for name in ("report.md", "report.html", "workbook.xlsx", "manifest.json", "tables/sensitivity.csv",
                 "charts/tornado.png", "charts/schooling_by_quintile.png", "charts/losses_by_cohort.png"):
        assert (out / name).exists(), name
    report = (out / "report.md").read_text()
    assert "Cost of inaction" in report
    # the two ratios of the headline, each defined beside its figure
    assert "riels avoided per riel spent (the poor and near-poor children's avoided loss over the cost)" in report
    assert "benefit-cost ratio is" in report and "of all the children the reform reaches, poor or not" in report
    assert summary["headline"]["benefit_cost_ratio"] >= summary["headline"]["avoided_per_riel"]
    # every key of summary.json is documented
    docs = (HOME / "docs" / "cost-of-inaction.md").read_text()
    section = docs[docs.index("## summary.json"):]
    assert summary["uncertainty"] is None  # none unless asked
    keys = set(summary) | set(summary["cohorts"][0]) | set(summary["cohorts"][0]["valuations"][0]) | set(summary["headline"])
    assert {k for k in keys if f"`{k}`" not in section} == set()


@pytest.mark.parametrize("args, phrase", [
    (("--discount", "-1"), "plausible range"),
    (("--discount", "100"), "plausible range"),
    (("--discount", "abc"), "expected rates in percent"),
    (("--cohorts", "2040"), "cannot be simulated"),
    (("--cohorts", "2030-2026"), "expected start years"),
    (("--set", "earnings.return_to_schooling=0.5"), "outside its plausible range"),
    (("--set", "schooling.attendance_response_pp_per_10pct=-1"), "outside its plausible range"),
    (("--set", "earnings.no_such=1"), "is not a study parameter"),
    (("--set", "earnings.return_to_schooling"), "expected NAME=VALUE"),
    (("--near-poor", "0.5"), "--near-poor"),
    (("--replicates", "-1"), "--replicates"),
    (("--near-poor", "10"), "Lower --near-poor"),
    (("--set", "earnings.last_working_age=120"), "working ages"),
    (("--set", "earnings.first_working_age=18.5"), "whole number"),
    (("--set", "schooling.preschool_ages=5,3"), "preschool_ages"),
    (("--set", "schooling.first_school_age=20"), "school ages"),
    (("--set", "schooling.conditional_programmes=no_such_programme"), "not a programme of the model"),
    (("--set", "schooling.preschool_ages=[3,5"), "is not a number, a name or a list"),
])
def test_bad_input_is_refused_with_a_clear_error_and_nothing_written(tmp_path, args, phrase):
    out = tmp_path / "study"
    result = cli("inaction", "--out", out, "-q", *args)
    assert result.exit_code == 2, result.output
    assert phrase in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_allow_accepts_an_implausible_effect_size(study):
    changed = study.with_values({"earnings.return_to_schooling": 0.5}, allow=True)
    assert changed["earnings.return_to_schooling"] == 0.5


def test_yearly_flows_and_per_child_values_give_the_same_present_value(child_benefit_paths, study):
    """Two routes to the avoided loss: discounting the yearly earnings gained, and the per-child
    lifetime factors."""
    result = evaluate(child_benefit_paths, study, [0.04])
    flows = result.flows
    discounted = float(flows["earnings gained (riels)"] @ 1.04 ** -np.arange(len(flows)))
    assert discounted == pytest.approx(result.valuations[0].avoided_riels, rel=1e-9)
    lost = float(flows["earnings lost to inaction (riels)"] @ 1.04 ** -np.arange(len(flows)))
    assert lost == pytest.approx(result.valuations[0].cost_of_inaction_riels, rel=1e-9)
    cost = float(flows["programme cost (riels)"] @ 1.04 ** -np.arange(len(flows)))
    assert cost == pytest.approx(result.valuations[0].programme_cost_riels, rel=1e-12)
    by_age = result.schooling.by_age
    assert by_age["avoided, all children, at 4 % (riels)"].sum() == pytest.approx(result.valuations[0].avoided_riels)


def test_the_internal_rate_of_return_of_known_flows():
    assert internal_rate_of_return(np.array([-100.0, 110.0])) == pytest.approx(0.10, abs=1e-10)
    assert internal_rate_of_return(np.array([-100.0, 0.0, 121.0])) == pytest.approx(0.10, abs=1e-10)
    assert internal_rate_of_return(np.array([100.0, 50.0])) is None  # never negative


def test_the_discount_rate_moves_two_points_either_way_in_the_sensitivity(population, study):
    result = run_study(load_scenario(CHILD_BENEFIT), population, [2026], [0.03, 0.05], study, 1.5)
    rows = result.sensitivity[result.sensitivity["parameter"] == "valuation.discount_rates"]
    assert rows["value"].tolist() == pytest.approx([0.01, 0.05])


def test_a_transfer_conditional_on_schooling_raises_the_odds_of_the_newly_offered(population, study, tmp_path):
    """The child benefit made a 'scholarship' for ages 6-11: children newly offered it get the odds
    ratio; its cost is paid at expected attendance."""
    scenario = tmp_path / "offer.yaml"
    scenario.write_text("name: offer\nyear: 2026\nreform:\n  child_benefit.active: true\n"
                        "  child_benefit.amount: 30000\n  child_benefit.min_age: 6\n  child_benefit.max_age: 11\n")
    conditional = study.with_values({"schooling.conditional_programmes": ["family_package_scholarship", "child_benefit"]})
    paths = follow_cohort(load_scenario(scenario), population, 2026, conditional, 1.5)
    assert np.all(paths.cost == 0)  # the conditional programme's cost is not in the other programmes'
    offered = (paths.offer_reform > 0) & (paths.offer_base == 0)
    assert offered.any()
    p0, p1, _ = attendance(paths, conditional)
    odds = lambda p: p / (1 - p)  # noqa: E731
    ratio = odds(p1[offered]) / odds(p0[offered])
    assert ratio == pytest.approx(np.full(ratio.size, conditional["schooling.conditional_transfer_odds_ratio"]))
    result = evaluate(paths, conditional, [0.03])
    assert result.schooling.extra_years_total > 0 and result.valuations[0].programme_cost_riels > 0


def test_bootstrap_intervals_are_identical_serial_and_in_parallel_and_documented(tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert cli("inaction", "--out", serial, "-q", "--replicates", "3", "--discount", "5").exit_code == 0
    assert cli("inaction", "--out", parallel, "-q", "--replicates", "3", "--discount", "5", "--jobs", "2",
               "--backend", "joblib").exit_code == 0
    first, second = (json.loads((p / "summary.json").read_text()) for p in (serial, parallel))
    assert first["uncertainty"] == second["uncertainty"] and first["uncertainty"]["replicates"] == 3
    record = first["uncertainty"]["by_rate"][0]
    head = first["headline"]
    for name in ("cost_of_inaction_riels", "avoided_riels", "programme_cost_riels"):
        assert record[name]["standard_error"] > 0, name  # the replicates differ from one another
        assert record[name]["low"] < head[name] < record[name]["high"], name
    docs = (HOME / "docs" / "cost-of-inaction.md").read_text()
    section = docs[docs.index("## summary.json"):]
    assert {k for k in set(first["uncertainty"]) | set(record) | set(record["avoided_riels"])
            if f"`{k}`" not in section} == set()


def test_a_replicate_that_cannot_be_studied_says_so(population, study, monkeypatch):
    import microsim.studies.inaction_study as study_module
    from microsim.errors import SpecError

    def fails(*args, **kwargs):
        raise SpecError("No poor child of school age.")

    monkeypatch.setattr(study_module, "follow_cohort", fails)
    with pytest.raises(SpecError, match="Bootstrap replicate 2 of the cohort of 2026.*No poor child.*fewer --replicates"):
        study_module.replicate_valuations(load_scenario(CHILD_BENEFIT), population, 2026, study, [0.03], 1.5, 2)


def test_a_population_too_small_for_the_attendance_model_is_refused(tmp_path):
    from microsim.population.io import write_population
    from microsim.synth import synthesize

    small = tmp_path / "small"
    write_population(synthesize(200, seed=3), small)
    result = cli("inaction", "--data", small, "--out", tmp_path / "out", "-q", "--near-poor", "1.2")
    assert result.exit_code == 2 and "attendance model" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
