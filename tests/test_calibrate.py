"""Calibration: targets met exactly, within bounds, independent of order and scale; failures explained."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microsim.population.calibrate import CalibrationError, apply, calibrate_population, solve
from microsim.cli import main
from microsim.errors import SpecError
from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION
from microsim.synth import synthesize
from microsim.population.targets import Target, TargetSet, evaluate, load_targets, target_matrix

POP = synthesize(600, seed=31)
CANDIDATE_GROUPS = [
    ("count", {"level": "person"}, "poor"),
    ("count", {"level": "household"}, "poor"),
    ("count", {"level": "person", "age": [0, 14]}, "poor"),
    ("count", {"level": "person", "sex": "female", "age": [15, 49]}, "poor"),
    ("count", {"level": "person", "zone": "rural"}, "poor"),
    ("count", {"level": "household", "zone": "phnom_penh"}, "poor"),
    ("rate", {"level": "person"}, "poor"),
    ("rate", {"level": "person", "age": [0, 14]}, "poor"),
    ("rate", {"level": "person", "zone": "other_urban"}, "poor"),
    ("rate", {"level": "person", "employment_type": "agriculture_self_employed"}, "poor"),
    ("rate", {"level": "person"}, {"idpoor": [1, 2]}),
    ("rate", {"level": "person", "age": [60, 110]}, {"age": [65, 110]}),
    ("rate", {"level": "person", "sex": "male"}, {"employment_type": ["industry_wage", "services"]}),
]


def make_targets(specs, values) -> TargetSet:
    targets = [Target(name=f"t{i}_{kind}", kind=kind, group=group, indicator=ind, value=float(v), unit="test",
                      source="test", level=group.get("level", "person"))
               for i, ((kind, group, ind), v) in enumerate(zip(specs, values))]
    return TargetSet(targets, Path("test-targets.yaml"), "")


def values_under(pop, specs, weights):
    """Each target's value under ``weights``: targets that these weights meet by construction."""
    provisional = make_targets(specs, [0.5] * len(specs))
    return evaluate(pop, provisional, weights)["model"].to_numpy()


def errors(pop, ts, weights):
    table = evaluate(pop, ts, weights)
    rate = table["kind"] == "rate"
    return (np.abs(table.loc[rate, "error"]).max() if rate.any() else 0.0,
            np.abs(table.loc[~rate, "error"]).max() if (~rate).any() else 0.0)


def test_targets_already_met_leave_the_weights_unchanged():
    d = POP.households["weight"].to_numpy()
    specs = CANDIDATE_GROUPS[:4] + CANDIDATE_GROUPS[6:9]
    ts = make_targets(specs, values_under(POP, specs, d))
    for method in ("logit", "raking", "linear"):
        cal = calibrate_population(POP, ts, method=method)
        assert cal.result.iterations == 0
        np.testing.assert_allclose(cal.weights, d, rtol=1e-14, atol=0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subset=st.lists(st.integers(0, len(CANDIDATE_GROUPS) - 1), min_size=1, max_size=8, unique=True),
       seed=st.integers(0, 2**32 - 1), method=st.sampled_from(["logit", "raking", "linear"]))
def test_feasible_random_targets_are_met_within_bounds(subset, seed, method):
    d = POP.households["weight"].to_numpy()
    rng = np.random.default_rng(seed)
    true_weights = d * rng.uniform(0.5, 2.0, d.size)  # inside the bounds, so the targets are feasible
    specs = [CANDIDATE_GROUPS[i] for i in sorted(subset)]
    ts = make_targets(specs, values_under(POP, specs, true_weights))
    cal = calibrate_population(POP, ts, method=method, bounds=(0.25, 4.0))
    rate_err, count_err = errors(POP, ts, cal.weights)
    assert rate_err < 1e-8 and count_err < 1e-8
    ratio = cal.weights / (d * cal.result.prescale)
    assert ratio.min() >= 0.25 - 1e-12 and ratio.max() <= 4.0 + 1e-12


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), factor=st.floats(1e-3, 1e3), method=st.sampled_from(["logit", "raking", "linear"]))
def test_order_and_scale_of_design_weights_do_not_matter(seed, factor, method):
    d = POP.households["weight"].to_numpy()
    rng = np.random.default_rng(seed)
    specs = [CANDIDATE_GROUPS[i] for i in (1, 2, 7, 8, 10)]  # includes the household total
    ts = make_targets(specs, values_under(POP, specs, d * rng.uniform(0.6, 1.6, d.size)))
    tm = target_matrix(POP, ts)
    X, T, scale = tm.X, tm.T, tm.scale(d)
    base = solve(d, X, T, scale, method)
    order = rng.permutation(d.size)
    shuffled = solve(d[order], X[order], T, scale, method)
    np.testing.assert_allclose(shuffled.weights, base.weights[order], rtol=1e-9)
    scaled = solve(d * factor, X, T, scale, method)
    np.testing.assert_allclose(scaled.weights, base.weights, rtol=1e-8)


def test_every_method_meets_the_published_targets():
    pop = synthesize(1500, seed=4)
    targets = load_targets()
    for method in ("logit", "raking", "linear"):
        cal = calibrate_population(pop, targets, method=method)
        assert cal.max_rate_error_pp < 1e-6 and cal.max_count_relative_error < 1e-8
        assert cal.diagnostics["weight_ratio_min"] >= 0.25 - 1e-12
        assert cal.diagnostics["kish_design_effect"] >= 1.0


def test_shipped_default_meets_every_target():
    pop = read_population(DEFAULT_POPULATION)
    table = evaluate(pop, load_targets())
    share = table["kind"].isin(["rate", "ratio"])
    assert (table.loc[share, "error"].abs() * 100 < 0.05).all()  # percentage points
    assert (table.loc[~share, "error"].abs() < 0.001).all()  # relative
    assert len(table) == 38 and set(table.loc[table.target.str.startswith("poverty_rate"), "target"]) == {
        "poverty_rate_national", "poverty_rate_age_0_14", "poverty_rate_age_15_24", "poverty_rate_age_25_plus",
        "poverty_rate_zone_rural", "poverty_rate_zone_other_urban", "poverty_rate_zone_phnom_penh",
        "poverty_rate_agriculture", "poverty_rate_industry", "poverty_rate_services", "poverty_rate_employed"}
    assert set(table.loc[table.target.str.startswith("idpoor"), "target"]) == {
        "idpoor_households", "idpoor_persons", "idpoor_persons_60_plus"}


def test_empty_group_is_named():
    ts = make_targets([("count", {"level": "person", "age": [105, 110]}, "poor"), CANDIDATE_GROUPS[0]],
                      [1000, POP.person_weight().sum()])
    with pytest.raises(CalibrationError) as err:
        calibrate_population(POP, ts)
    assert "t0_count: no sample household is in this group" in str(err.value)
    assert "t1_count" not in str(err.value)


def test_zero_poverty_rate_with_poor_members_is_named():
    ts = make_targets([CANDIDATE_GROUPS[7], CANDIDATE_GROUPS[8]], [0.0, 0.1])
    with pytest.raises(CalibrationError) as err:
        calibrate_population(POP, ts, bounds=(0.25, 4))
    message = str(err.value)
    assert "t0_rate: with weights between 0.25 and 4 times the design weight" in message
    assert "widen --bounds" in message and "t1_rate" not in message


def test_contradictory_targets_are_named():
    same = CANDIDATE_GROUPS[6]
    ts = make_targets([same, same, CANDIDATE_GROUPS[0]], [0.15, 0.20, POP.person_weight().sum()])
    with pytest.raises(CalibrationError) as err:
        calibrate_population(POP, ts)
    message = str(err.value)
    assert "cannot all be met together" in message
    assert "t0_rate: still off by" in message and "t1_rate: still off by" in message


def test_weights_on_any_scale_calibrate_to_the_same_result():
    """Survey weights normalised to the sample size calibrate like weights at population scale."""
    targets = load_targets()
    pop = synthesize(1500, seed=4)
    normalised = apply(pop, calibrate_population(pop, targets))
    hh = pop.households.copy()
    hh["weight"] = 1.0  # sample-size weights
    from microsim.population.population import Population

    unit = Population(hh, pop.persons, {})
    np.testing.assert_allclose(apply(unit, calibrate_population(unit, targets)).households["weight"],
                               normalised.households["weight"], rtol=1e-8)


def test_bad_bounds_and_methods():
    ts = make_targets([CANDIDATE_GROUPS[0]], [POP.person_weight().sum()])
    with pytest.raises(CalibrationError, match="0 <= lower < 1 < upper"):
        calibrate_population(POP, ts, bounds=(4, 0.25))
    with pytest.raises(CalibrationError, match="Unknown calibration method 'ipf'"):
        calibrate_population(POP, ts, method="ipf")


BAD_TARGETS = [  # (one target, what the error says)
    ("{name: a, kind: share, group: {}, value: 0.2, unit: x, source: y}",
     r"t.yaml, target 1 \(a\), key `kind`: expected one of"),
    ("{name: a, kind: rate, group: {}, value: 17.8, unit: x, source: y}", "write 17.8 % as 0.178"),
    ("{name: a, kind: rate, group: {}, value: 0.2, unit: x}", "missing `source`"),
    ("{name: a, kind: ratio, group: {pregnant: true}, value: 0.75, unit: x, source: y}",
     r"target 1 \(a\), key `of`: a ratio target counts"),
    ("{name: a, kind: rate, group: {}, of: {age: [0, 0]}, value: 0.2, unit: x, source: y}", "key `of`: only a ratio target"),
    ("{name: a, kind: ratio, group: {pregnant: true}, of: {age: [0, 0]}, indicator: poor, value: 0.75, unit: x, "
     "source: y}", "key `indicator`: a ratio target"),
]


def test_bad_targets_file_names_target_and_key(tmp_path):
    path = tmp_path / "t.yaml"
    for target, message in BAD_TARGETS:
        path.write_text(f"targets:\n  - {target}\n")
        with pytest.raises(SpecError, match=message):
            load_targets(path)
    path.write_text("targets:\n  - {name: a, kind: rate, group: {colour: red}, value: 0.2, unit: x, source: y}\n")
    with pytest.raises(SpecError, match="unknown variable `colour`"):
        calibrate_population(POP, load_targets(path))


def test_cli_calibrates_another_seed_and_size(tmp_path):
    runner = CliRunner()
    raw, out = tmp_path / "raw", tmp_path / "cal"
    assert runner.invoke(main, ["synth", "-n", "2500", "-s", "77", "--out", str(raw)]).exit_code == 0
    result = runner.invoke(main, ["calibrate", str(raw), "--method", "raking", "--bounds", "0.2", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "calibration_report.md").exists() and (out / "calibration_targets.csv").exists()
    calibrated = read_population(out)
    assert calibrated.metadata["calibration"]["method"] == "raking"
    assert calibrated.persons.equals(read_population(raw).persons)
    rate_err, count_err = errors(calibrated, load_targets(), calibrated.households["weight"].to_numpy())
    assert rate_err < 1e-8 and count_err < 1e-8


def test_cli_failure_writes_nothing(tmp_path):
    targets = tmp_path / "t.yaml"
    targets.write_text("targets:\n  - {name: nobody_that_old, kind: count, group: {age: [109, 110]}, "
                       "value: 5000, unit: persons, source: test}\n")
    result = CliRunner().invoke(main, ["calibrate", "--targets", str(targets), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "nobody_that_old: no sample household is in this group" in result.output
    assert not (tmp_path / "out").exists()


def test_apply_records_the_calibration():
    ts = make_targets([CANDIDATE_GROUPS[0]], [POP.person_weight().sum() * 1.1])
    cal = calibrate_population(POP, ts)
    out = apply(POP, cal, "cmd")
    assert out.metadata["calibration"]["command"] == "cmd"
    np.testing.assert_allclose(out.person_weight().sum(), POP.person_weight().sum() * 1.1)
    assert POP.households["weight"].iloc[0] != out.households["weight"].iloc[0]  # the input is untouched


def test_pregnant_women_number_nine_twelfths_of_births_in_every_year():
    """The ratio target: women pregnant at a moment = 9/12 of persons aged 0, weighted, in the survey
    year (calibration) and in every projection year (the ageing keeps the identity)."""
    from microsim.population.ageing import bring_to_year

    base = read_population(DEFAULT_POPULATION)
    for year in (2019, 2026, 2035):
        pop = bring_to_year(base, year)[0]
        w = pop.person_weight()
        pregnant = float(w @ pop.persons["pregnant"].to_numpy())
        infants = float(w @ (pop.persons["age"].to_numpy() == 0))
        assert pregnant == pytest.approx(0.75 * infants, rel=1e-8), year


def test_persons_aged_0_are_the_interpolated_share_of_0_4_in_every_year():
    """Births (persons aged 0) are pinned: the survey year's target is the interpolation of UN WPP
    2022's five-year groups (microsim.population.ageing.infant_share); each projection year moves it
    as WPP 2024's single ages move (the ratio method)."""
    from microsim.population.ageing import _groups, bring_to_year, infant_share, load_assumptions, read_wpp_groups
    from microsim.population.ageing import Assumptions, wpp_infant_share
    from microsim.population.demography import read_wpp_single_ages
    from microsim.paths import WPP_FILE

    share_2019 = infant_share(_groups(read_wpp_groups(WPP_FILE, 2019)))
    published = next(t for t in load_targets().targets if t.name == "age_0_within_0_4")
    assert published.value == pytest.approx(share_2019, abs=1e-10)
    assert infant_share(np.array([500.0, 500.0])) == pytest.approx(0.2)  # flat: a fifth
    assert infant_share(np.array([450.0, 500.0])) < 0.2  # births falling: fewer infants than a fifth
    assumptions = load_assumptions()
    single = read_wpp_single_ages(2026).sum(axis=1)
    assert wpp_infant_share(assumptions, 2026) == pytest.approx(single.loc[0] / single.loc[0:4].sum(), rel=1e-12)
    base = read_population(DEFAULT_POPULATION)
    ratio = Assumptions({**assumptions.raw, "age_structure_method": {"value": "ratio"}}, assumptions.path)
    for year in (2019, 2026, 2035):
        w0, age = base.person_weight(), base.persons["age"].to_numpy()
        if year == 2019:  # the survey's own year: its calibration to the interpolated share
            assert float(w0 @ (age == 0)) / float(w0 @ (age <= 4)) == pytest.approx(share_2019, abs=1e-8)
            continue
        w = bring_to_year(base, year)[0].person_weight()  # WPP 2024's own share of the year
        assert float(w @ (age == 0)) / float(w @ (age <= 4)) == pytest.approx(wpp_infant_share(assumptions, year), abs=1e-8)
        w = bring_to_year(base, year, assumptions=ratio)[0].person_weight()  # the ratio method: the base's, moved
        expected = share_2019 * wpp_infant_share(assumptions, year) / wpp_infant_share(assumptions, 2019)
        assert float(w @ (age == 0)) / float(w @ (age <= 4)) == pytest.approx(expected, abs=1e-8), year


def test_the_ageing_keeps_a_population_s_own_ratios_and_never_imposes_the_shipped_ones():
    """Survey data whose pregnancies are under-reported (here: half the pregnant women unflagged) ages
    without error and keeps its own ratio of pregnant women to infants in every year."""
    from microsim.population.ageing import bring_to_year
    from microsim.population.population import Population

    base = read_population(DEFAULT_POPULATION)
    persons = base.persons.copy()
    pregnant = np.flatnonzero(persons["pregnant"].to_numpy())
    persons.loc[persons.index[pregnant[::2]], "pregnant"] = False
    survey = Population(base.households, persons, dict(base.metadata))

    def ratio(pop):
        w = pop.person_weight()
        return float(w @ pop.persons["pregnant"].to_numpy()) / float(w @ (pop.persons["age"].to_numpy() == 0))

    own = ratio(survey)
    assert own < 0.5
    for year in (2026, 2035):
        assert ratio(bring_to_year(survey, year)[0]) == pytest.approx(own, rel=1e-8), year
