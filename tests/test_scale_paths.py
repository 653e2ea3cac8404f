"""The fast paths that make the whole country fit in seconds give exactly what the plain ones give.

Each shortcut (stored member counts, sparse household counts, benefits by tier, the in-place Gini,
validation in canonical order, keeping derived arrays when reweighting) is checked against the
direct computation it replaces, on random inputs where that is cheap.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microsim.population import derived
from microsim.common import weighted
from microsim.engine.benefit import Tiers, pay_tiers
from microsim.population.groups import AGE_GROUPS
from microsim.population.io import read_population, write_population
from microsim.distribution.household_totals import HouseholdTotals
from microsim.population.population import Population
from microsim.studies.run import demography, simulate
from microsim.engine.scenario import load_scenario
from microsim.paths import POLICIES
from microsim.synth import synthesize

POP = synthesize(300, seed=5)


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(1, 9), min_size=1, max_size=60), data=st.data())
def test_household_count_sparse_and_dense_paths_agree(sizes, data):
    """Counting members by their household rows (few qualify) or by a prefix sum (many do)."""
    n = sum(sizes)
    if data.draw(st.booleans()):  # about half true: the prefix sum
        mask = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    else:  # under one in twenty: the household rows
        mask = np.zeros(n, bool)
        mask[data.draw(st.lists(st.integers(0, n - 1), max_size=n // 21))] = True
    hh = pd.DataFrame({"household_id": np.arange(len(sizes))})
    persons = pd.DataFrame({"household_id": np.repeat(np.arange(len(sizes)), sizes)})
    pop = Population(hh, persons)
    expected = np.array([mask[start:start + size].sum() for start, size in
                         zip(np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)])
    assert np.array_equal(pop.household_count(mask), expected)
    codes = np.array(data.draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n)))
    by_group = pop.members_by_group(codes, 4)
    for g in range(4):
        assert np.array_equal(by_group[:, g], pop.household_count(codes == g))


def test_members_by_group_refuses_codes_beyond_its_groups():
    with pytest.raises(ValueError, match="beyond the 2 groups"):
        POP.members_by_group(np.full(POP.n_persons, 2), 2)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.floats(0, 1e6), min_size=1, max_size=50), data=st.data())
def test_gini_in_place_equals_the_trapezoid_formula(values, data):
    x = np.array(values)
    w = np.array(data.draw(st.lists(st.floats(0.1, 100), min_size=x.size, max_size=x.size)))
    order = np.argsort(x)
    xs, ws = x[order], w[order]
    cum = np.cumsum(xs * ws)
    if cum[-1] <= 0:
        assert weighted.gini(x, w) == 0.0
        return
    lorenz = cum / cum[-1]
    area = np.sum(ws / ws.sum() * (lorenz + np.concatenate([[0.0], lorenz[:-1]])) / 2)
    assert weighted.gini(x, w) == pytest.approx(1 - 2 * area, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_tiers_equal_the_array_they_stand_for(data):
    n = data.draw(st.integers(1, 40))
    masks = [np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n))) for _ in range(3)]
    amounts = [data.draw(st.floats(0, 1e5)) for _ in range(3)]
    tiers = pay_tiers(*zip(masks, amounts))
    expected = np.select(masks, amounts, 0.0)
    assert np.array_equal(np.asarray(tiers), expected)
    assert np.array_equal(tiers.paid(), expected > 0)


def test_household_totals_of_tiers_equal_those_of_the_array():
    rng = np.random.default_rng(1)
    tier = rng.integers(0, 4, POP.n_persons)
    benefit = Tiers(tier, [12_000.0, 0.0, 7_500.5])
    from_tiers, from_array = HouseholdTotals(POP, benefit), HouseholdTotals(POP, np.asarray(benefit))
    assert np.allclose(from_tiers.amount, from_array.amount, rtol=1e-12)
    assert np.array_equal(from_tiers.paid, from_array.paid)
    w = POP.households["weight"].to_numpy()
    assert from_tiers.weighted_total(w) == pytest.approx(float(w @ from_array.amount), rel=1e-12)


def test_demography_from_member_counts_equals_the_persons():
    d = demography(POP)
    w, age = POP.person_weight(), POP.persons["age"].to_numpy()
    assert d.persons == pytest.approx(w.sum(), rel=1e-12)
    assert d.children_0_14_persons == pytest.approx(w[age < 15].sum(), rel=1e-12)
    assert d.older_65_plus_persons == pytest.approx(w[age >= 65].sum(), rel=1e-12)
    assert any(hi == 14 for _, hi in AGE_GROUPS) and any(lo == 65 for lo, _ in AGE_GROUPS)


@pytest.fixture
def stored_population(tmp_path, monkeypatch):
    """A population written with its derived arrays (the threshold lowered so a small one has them)."""
    monkeypatch.setattr(derived, "STORED_FROM_HOUSEHOLDS", 1)
    return write_population(POP, tmp_path / "pop")


def _fresh(pop: Population) -> Population:
    return Population(pop.households, pop.persons, dict(pop.metadata))


def test_stored_derived_arrays_are_used_and_equal_the_computed_ones(stored_population):
    read = read_population(stored_population)
    assert derived.ORDER_KEY in read.cache.unweighted  # used, not computed
    fresh = _fresh(read)
    for grouping in derived.GROUPINGS:
        assert np.array_equal(derived.member_counts(read, grouping), derived.member_counts(fresh, grouping))
    assert np.array_equal(derived.household_type(read), derived.household_type(fresh))
    assert np.array_equal(derived.consumption_order(read), derived.consumption_order(fresh))
    scenario = load_scenario(POLICIES / "scenarios" / "child_benefit_2_5.yaml")
    a, b = simulate(scenario, read), simulate(scenario, fresh)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


def test_a_stale_derived_file_is_ignored(stored_population, tmp_path):
    """Ages changed after the arrays were stored: the digest no longer matches, so they are computed."""
    persons = pd.read_parquet(stored_population / "persons.parquet")
    assert (persons["age"] == 64).any()
    persons.loc[persons["age"] == 64, "age"] = 66
    persons.to_parquet(stored_population / "persons.parquet", index=False)
    read = read_population(stored_population)
    assert derived.ORDER_KEY not in read.cache.unweighted
    age = read.persons["age"].to_numpy()
    older = derived.member_counts(read, "age")[:, -1]
    assert np.array_equal(older, read.household_count(age >= 65))


def test_a_damaged_derived_file_is_ignored(stored_population):
    (stored_population / derived.FILE).write_bytes(b"not a zip file")
    read = read_population(stored_population)
    assert derived.ORDER_KEY not in read.cache.unweighted
    assert np.array_equal(derived.consumption_order(read),
                          np.argsort(read.households["consumption_pc"].to_numpy(), kind="stable"))


def test_small_populations_are_written_without_derived_arrays(tmp_path):
    assert not (write_population(POP, tmp_path / "pop") / derived.FILE).exists()


def test_reweighting_keeps_what_does_not_depend_on_weights():
    pop = _fresh(POP)
    derived.member_counts(pop, "age"), derived.consumption_order(pop)
    pop.cache.weighted["deciles"] = "depends on weights"
    sizes = pop.household_size_float
    heavier = pop.reweighted(pop.households["weight"].to_numpy() * 2, {})
    assert heavier.household_size_float is sizes and not sizes.flags.writeable
    assert np.array_equal(sizes, pop.household_size) and sizes.dtype == np.float64
    assert heavier.cache.unweighted[derived.ORDER_KEY] is pop.cache.unweighted[derived.ORDER_KEY]
    assert heavier.cache.unweighted[derived.MATRIX_KEY] is pop.cache.unweighted[derived.MATRIX_KEY]
    assert np.shares_memory(derived.member_counts(heavier, "age"), derived.member_counts(pop, "age"))
    assert "deciles" not in heavier.cache.weighted
    assert np.array_equal(heavier.households["weight"], pop.households["weight"] * 2)
    assert np.array_equal(pop.households["weight"], POP.households["weight"])  # the original unchanged


def test_a_reweighted_population_s_cache_is_its_own():
    """It starts with the unweighted entries, but what it adds stays its own, and the original's
    weighted entries never reach it."""
    pop = _fresh(POP)
    pop.cache.weighted["household_sums"] = {"a module": 1}
    derived.consumption_order(pop)
    heavier = pop.reweighted(pop.households["weight"].to_numpy() * 2, {})
    heavier.cache.unweighted["new entry"] = 1
    assert "new entry" not in pop.cache.unweighted and heavier.cache.weighted == {}
    assert pop.cache.weighted == {"household_sums": {"a module": 1}}
    pop.cache.clear()
    assert pop.cache.unweighted == {} and derived.ORDER_KEY in heavier.cache.unweighted


def test_validation_in_any_row_order_gives_the_canonical_population():
    shuffled = Population.from_tables(POP.households.sample(frac=1, random_state=1),
                                      POP.persons.sample(frac=1, random_state=2))
    assert shuffled.content_hash() == POP.content_hash()
    assert np.array_equal(shuffled.person_household_index, _fresh(POP).person_household_index)
    # the household rows found from runs of equal ids are those a lookup of each person's id finds
    households = POP.households["household_id"].to_numpy()
    assert np.array_equal(POP.person_household_index,
                          np.searchsorted(households, POP.persons["household_id"].to_numpy()))


def test_category_inputs_reach_modules_as_categoricals():
    from microsim.engine.modules import column_values

    sex = column_values(POP.persons["sex"])
    assert isinstance(sex, pd.Categorical)
    assert np.array_equal(sex == "female", POP.persons["sex"].to_numpy() == "female")
    zone = column_values(POP.households["zone"], POP.person_household_index)
    assert np.array_equal(np.asarray(zone), POP.household_value("zone"))


@pytest.mark.parametrize("take_up", [1.0, 0.6])
def test_a_module_paying_tiers_equals_the_same_module_paying_an_array(take_up):
    """Take-up refuses the same persons whether a module returns tiers or their amounts."""
    import dataclasses
    from datetime import date

    from microsim.engine.system import load_system, run_system
    from microsim.engine.macro import load_macro

    modules, tree = load_system()
    tree = tree.with_overrides({"family_package_scholarship.take_up": take_up}, "test", None)
    name = "family_package_scholarship"
    original = modules[name]
    as_array = dataclasses.replace(original, func=lambda d, p: np.asarray(original.func(d, p), dtype=float))
    macro = load_macro()
    tiers = run_system(POP, {name: original}, tree, date(2026, 1, 1), macro, seed=3).benefits[name]
    array = run_system(POP, {name: as_array}, tree, date(2026, 1, 1), macro, seed=3).benefits[name]
    assert isinstance(tiers, Tiers)
    assert np.array_equal(np.asarray(tiers), array)
    assert (array > 0).any()


def test_a_flat_benefit_paid_to_the_same_persons_reuses_its_counts_exactly():
    """A sweep over an amount: the second variant's totals come from the first's counts, and equal
    those counted afresh; a different mask is counted again."""
    from microsim.engine.benefit import Flat
    from microsim.distribution.household_totals import forget_household_totals, household_totals

    pop = _fresh(POP)
    w = pop.households["weight"].to_numpy()
    older = pop.persons["age"].to_numpy() >= 60
    first = household_totals(pop, Flat(older.copy(), 100.0), ("social_pension", 1))
    second = household_totals(pop, Flat(older.copy(), 250.0), ("social_pension", 2))
    assert second.paid is first.paid  # reused, not counted again
    fresh = HouseholdTotals(pop, Flat(older, 250.0))
    assert np.array_equal(second.amount, fresh.amount)
    assert second.weighted_total(w) == fresh.weighted_total(w)
    other = household_totals(pop, Flat(pop.persons["age"].to_numpy() >= 65, 250.0), ("social_pension", 3))
    assert other.paid is not first.paid
    assert np.array_equal(other.paid, pop.household_count(pop.persons["age"].to_numpy() >= 65))
    forget_household_totals(pop)
    assert "last_flat" not in pop.cache.weighted and "household_sums" not in pop.cache.weighted


def test_a_benefit_paying_no_one_adds_nothing():
    from microsim.engine.benefit import Flat

    nothing = HouseholdTotals(POP, Flat(np.zeros(POP.n_persons, bool), 500.0))
    assert nothing.nothing and nothing.weighted_total(POP.households["weight"].to_numpy()) == 0.0
    assert not nothing.amount.any() and not nothing.receiving.any()


def test_the_whole_country_paths_give_the_same_tables_on_a_small_population(monkeypatch):
    """Threads for household totals (from 10 million persons), matrix products in blocks (over a
    million households) and amounts made on each use (over a million households) are what the whole
    country runs: forced here on a small population, the tables equal the default path's."""
    from microsim.distribution import breakdowns, household_totals

    scenario = load_scenario(POLICIES / "scenarios" / "social_pension_and_child_benefit.yaml")
    plain = simulate(scenario, _fresh(POP))
    monkeypatch.setattr(household_totals, "THREADS_FROM_PERSONS", 0)
    monkeypatch.setattr(breakdowns, "HOUSEHOLDS_PER_BLOCK", 37)
    monkeypatch.setattr(household_totals, "AMOUNT_KEPT_BYTES", 0)
    forced = simulate(scenario, _fresh(POP))
    for name in plain.tables:
        pd.testing.assert_frame_equal(plain.tables[name], forced.tables[name], rtol=1e-12, atol=1e-9)


def test_persons_counts_of_the_summary_are_exact_integers():
    """Counts of persons (sums of household sizes over a mask, done in float64) are Python ints equal
    to the integer sums."""
    from microsim.engine.economy import year_economy
    from microsim.engine.system import load_system, run_system
    from microsim.engine.macro import load_macro
    from microsim.distribution.tables import summary_counts
    from microsim.distribution.welfare import welfare

    pop = _fresh(POP)
    modules, tree = load_system()
    macro = load_macro()
    economy = year_economy(pop, 2026, macro)
    system = run_system(pop, modules, tree, pd.Timestamp("2026-01-01").date(), macro, 0, economy=economy)
    w, line, pre = pop.households["weight"].to_numpy(), economy.poverty_line(pop), economy.consumption_pc(pop)
    post = welfare(pop, system, modules, economy)
    out = summary_counts(pop, w, line, pre, post, modules)
    size = pop.household_size
    poor_pre, poor_post = pre < line, post.consumption < line
    for key, mask in (("poor_pre_persons", poor_pre), ("poor_post_persons", poor_post),
                      ("lifted_persons", poor_pre & ~poor_post)):
        assert type(out[key]) is int and out[key] == int(size[mask].sum()), key
    assert out["lifted_persons"] <= out["poor_pre_persons"]
