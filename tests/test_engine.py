"""The policy engine: invariants, exact cost arithmetic, parallelism, take-up, bad input, examples."""

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microsim.engine.economy import year_economy
from microsim.engine.system import load_system, run_system
from microsim.errors import SpecError
from microsim.population.io import read_population
from microsim.engine.macro import load_macro
from microsim.distribution.welfare import welfare
from microsim.paths import DEFAULT_POPULATION, POLICIES
from microsim.population.population import Population
from microsim.studies.run import simulate, simulate_year
from microsim.engine.scenario import Scenario, load_scenario
from microsim.synth import synthesize
from microsim.engine.takeup import keep_drawn, taken_up, uniform

POP = synthesize(400, seed=12)
DEFAULT = read_population(DEFAULT_POPULATION)
SCENARIOS = sorted((POLICIES / "scenarios").glob("*.yaml"))
settings.register_profile("engine", deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scenario(reform=None, baseline=None, year=2026, seed=0) -> Scenario:
    return Scenario(name="test", year=year, path=Path("test.yaml"), sha256="", seed=seed,
                    reform=reform or {}, baseline=baseline or {})


def national(sim):
    return sim.tables["poverty"].query("breakdown == 'national'").iloc[0]


@settings(max_examples=10, deadline=None)
@given(module=st.sampled_from(["social_pension", "child_benefit"]), admin=st.floats(0, 0.2))
def test_a_zero_reform_changes_nothing(module, admin):
    sim = simulate(scenario({f"{module}.active": True, f"{module}.amount": 0, "simulation.admin_cost_rate": admin},
                            {"simulation.admin_cost_rate": admin}), POP)
    nat = national(sim)
    assert nat["headcount baseline (%)"] == nat["headcount reform (%)"]
    assert nat["lifted out of poverty (persons)"] == 0
    assert sim.summary["cost_change_riels_per_year"] == 0
    assert sim.tables["poverty"]["headcount change (pp)"].abs().max() == 0


@settings(max_examples=15, deadline=None)
@given(amount=st.integers(1_000, 500_000), k=st.integers(2, 7), module=st.sampled_from(["social_pension", "child_benefit"]))
def test_cost_is_linear_in_the_amount(amount, k, module):
    def cost(a):  # k x amount may pass the plausible range: linearity holds whatever the amount
        reform = scenario({f"{module}.active": True, f"{module}.amount": a})
        sim = simulate(dataclasses.replace(reform, allow_implausible=True), POP)
        return sim.tables["costs"].set_index("programme").loc["Total", "change (riels per year)"]

    assert cost(k * amount) == pytest.approx(k * cost(amount), rel=1e-12)


def test_cost_arithmetic_is_exact():
    sim = simulate(scenario({"social_pension.active": True, "social_pension.amount": 158000,
                             "simulation.admin_cost_rate": 0.05}), POP)
    p = POP.persons
    eligible = (p["age"].to_numpy() >= 65) & ~p["contributory_pension"].to_numpy()
    by_hand = 12 * np.sum(POP.person_weight()[eligible] * 158000) * 1.05
    row = sim.tables["costs"].set_index("programme").loc["Social pension"]
    assert row["cost reform (riels per year)"] == pytest.approx(by_hand, rel=1e-12)
    assert row["recipients reform (persons)"] == pytest.approx(POP.person_weight()[eligible].sum(), rel=1e-12)
    gdp = load_macro().gdp(2026)
    assert row["change (% of GDP)"] == pytest.approx(by_hand / gdp * 100, rel=1e-12)


@settings(max_examples=12, deadline=None)
@given(low=st.integers(0, 300_000), extra=st.integers(1, 300_000), module=st.sampled_from(["social_pension", "child_benefit"]),
       share=st.floats(0.1, 1.0))
def test_raising_a_benefit_never_raises_anyones_poverty(low, extra, module, share):
    modules, tree = load_system()
    macro = load_macro()
    sc = scenario()
    economy = year_economy(POP, 2026, macro)
    line = economy.poverty_line(POP)
    cons = {}
    for a in (low, low + extra):
        t = tree.with_overrides({f"{module}.active": True, f"{module}.amount": a, "simulation.consumed_share": share},
                                "test", sc.date)
        cons[a] = welfare(POP, run_system(POP, modules, t, sc.date, macro), modules, economy).consumption
    more, less = cons[low + extra], cons[low]
    assert np.all(more >= less)
    assert np.all((more < line) <= (less < line))  # poor with more => poor with less
    gap = lambda c: np.clip((line - c) / line, 0, None)  # noqa: E731
    assert np.all(gap(more) <= gap(less))


def test_results_do_not_depend_on_jobs_or_row_order():
    sc = scenario({"social_pension.active": True, "social_pension.amount": 120000,
                   "child_benefit.active": True, "child_benefit.amount": 50000, "child_benefit.take_up": 0.7})
    one = simulate(sc, POP, jobs=1)
    many = simulate(sc, POP, jobs=4)
    rng = np.random.default_rng(0)
    shuffled = Population.from_tables(POP.households.sample(frac=1, random_state=1),
                                      POP.persons.iloc[rng.permutation(POP.n_persons)])
    again = simulate(sc, shuffled, jobs=2)
    for name in one.tables:
        pd.testing.assert_frame_equal(one.tables[name], many.tables[name])
        pd.testing.assert_frame_equal(one.tables[name], again.tables[name])
    assert one.summary == many.summary == again.summary


def test_take_up_one_equals_no_take_up_and_draws_are_keyed_by_id():
    modules, tree = load_system()
    macro = load_macro()
    sc = scenario()
    t = tree.with_overrides({"child_benefit.active": True, "child_benefit.amount": 40000, "child_benefit.take_up": 1.0},
                            "test", sc.date)
    system = run_system(POP, modules, t, sc.date, macro)
    from microsim.engine.modules import Inputs

    raw = modules["child_benefit"].func(Inputs(POP, "person", {}, modules["child_benefit"], {
        "consumption_pc": POP.household_value("consumption_pc") * macro.price_factor(2026),
        "poverty_line": POP.household_value("poverty_line") * macro.price_factor(2026)}), system.params.child_benefit)
    np.testing.assert_array_equal(system.benefits["child_benefit"], raw)
    ids = np.arange(1, 50_001, dtype=np.int64)
    order = np.random.default_rng(3).permutation(ids.size)
    np.testing.assert_array_equal(uniform(ids, 7, "m")[order], uniform(ids[order], 7, "m"))
    everyone = np.ones(ids.size, bool)
    assert abs(taken_up(everyone, ids, 0.6, 7, "m").mean() - 0.6) < 0.01
    assert not np.array_equal(uniform(ids, 7, "m"), uniform(ids, 7, "other"))
    assert taken_up(everyone, ids, 1.0, 7, "m").all()
    # draws only where the mask is true, keyed by id: the others never change who is kept
    half = ids % 2 == 0
    kept = keep_drawn(half, ids, 0.5, 7, "m")
    assert not kept[~half].any() and kept[half].any() and not kept[half].all()
    np.testing.assert_array_equal(kept[half], uniform(ids[half], 7, "m") < 0.5)
    np.testing.assert_array_equal(keep_drawn(half[order], ids[order], 0.5, 7, "m"), kept[order])


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_example_scenarios_give_their_expected_headline(path):
    sc = load_scenario(path)
    sim = simulate_year(sc, DEFAULT)
    s, e = sim.summary, sc.expected
    assert s["poverty_rate_baseline_pct"] == pytest.approx(e["poverty_rate_baseline_pct"], abs=0.005)
    assert s["poverty_rate_reform_pct"] == pytest.approx(e["poverty_rate_reform_pct"], abs=0.005)
    assert s["persons_lifted_out_of_poverty"] == pytest.approx(e["persons_lifted_out_of_poverty"], abs=0.5)
    assert s["cost_change_riels_per_year"] / 1e9 == pytest.approx(e["cost_change_billion_riels_per_year"], abs=0.05)
    assert s["cost_change_pct_gdp"] == pytest.approx(e["cost_change_pct_gdp"], abs=0.0005)


# ---- bad input ----------------------------------------------------------------------------------
def test_unknown_parameter_suggests_the_closest():
    with pytest.raises(SpecError, match=r"unknown parameter `social_pension.ammount`. Did you mean social_pension.amount"):
        simulate(scenario({"social_pension.ammount": 5}), POP)


@pytest.mark.parametrize("reform, message", [
    ({"social_pension.amount": "lots"}, r"`social_pension.amount` is a number in riels per person per month"),
    ({"social_pension.amount": -5}, r"`social_pension.amount` must be at least 0"),
    ({"social_pension.active": "yes"}, r"`social_pension.active` is true or false"),
    ({"child_benefit.targeting": "everyone"}, r"must be one of \['universal', 'idpoor', 'near_poor'\]"),
    ({"child_benefit.active": True, "child_benefit.min_age": 6, "child_benefit.max_age": 2}, r"age bounds are reversed"),
    ({"child_benefit.amount.indexation": "gold"}, r"must be one of \['none', 'cpi'"),
])
def test_bad_reform_values_are_named(reform, message):
    with pytest.raises(SpecError, match=message):
        simulate(scenario(reform), POP)


def test_year_without_macro_data_or_parameter_value():
    for year in (2040, 2018):
        with pytest.raises(SpecError, match=rf"Year {year} cannot be simulated: supported years are 2019 .* to 2035"):
            simulate(scenario(year=year), POP)


def test_population_missing_a_module_input():
    from microsim.engine.modules import REGISTRY, programme

    @programme("test_needs_education", entity="person", inputs=("education_years",),
               parameter_file=POLICIES / "parameters" / "social_pension.yaml")
    def needs(d, p):
        return d.education_years * 0.0

    try:
        persons = POP.persons.drop(columns="education_years")
        pop = Population(POP.households, persons, {})
        from microsim.engine.modules import Inputs

        with pytest.raises(SpecError, match="needs `education_years`, which the population does not have"):
            Inputs(pop, "person", {}, REGISTRY["test_needs_education"]).education_years
    finally:
        REGISTRY.pop("test_needs_education", None)


def test_scenario_file_errors(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("name: x\nyear: 2026\nreforms: {}\n")
    with pytest.raises(SpecError, match="unknown key `reforms`. Did you mean `reform`"):
        load_scenario(bad)
    bad.write_text("name: x\nyear: twenty\n")
    with pytest.raises(SpecError, match="key `year`: expected a year"):
        load_scenario(bad)


def test_every_breakdown_counts_the_right_persons():
    """Each group's persons in the poverty table equal a direct weighted count of its members."""
    sim = simulate(scenario({}), POP)
    pov = sim.tables["poverty"].set_index(["breakdown", "group"])["persons"]
    w, age = POP.person_weight(), POP.persons["age"].to_numpy()
    from microsim.population.groups import AGE_GROUPS, POVERTY_TABLE_AGE_GROUPS, age_label

    for dim, groups in (("age group (Table 1)", POVERTY_TABLE_AGE_GROUPS), ("age group", AGE_GROUPS)):
        for lo, hi in groups:
            assert pov[(dim, age_label(lo, hi))] == pytest.approx(w[(age >= lo) & (age <= hi)].sum(), rel=1e-12)
    for sex in ("male", "female"):
        assert pov[("sex", sex)] == pytest.approx(w[(POP.persons["sex"] == sex).to_numpy()].sum(), rel=1e-12)
    zone = POP.household_value("zone")
    assert pov[("zone", "rural")] == pytest.approx(w[zone == "rural"].sum(), rel=1e-12)
    assert pov[("national", "all persons")] == pytest.approx(w.sum(), rel=1e-12)
    deciles = pov.loc["consumption decile"]
    assert deciles.sum() == pytest.approx(w.sum(), rel=1e-12)


def test_a_cut_to_a_pension_already_in_consumption_lowers_consumption():
    """Contributory pensions are in survey consumption: the baseline never adds them, but a reform
    that changes them changes consumption by the difference (and can push people into poverty)."""
    cut = simulate_year(scenario({"contributory_pensions.veteran_amount": 0}), DEFAULT)
    h = cut.headline
    assert h.cost_change_riels_per_year < 0 and h.persons_fallen_into_poverty > 0
    assert h.persons_lifted_out_of_poverty == 0 and h.poverty_rate_change_pp > 0
    unchanged = simulate_year(scenario({"contributory_pensions.veteran_amount": 411000}), DEFAULT).headline
    assert unchanged.poverty_rate_change_pp == 0 and unchanged.cost_change_riels_per_year == 0
