"""Year-by-year projections: prices, indexation, costs and demography per year."""

import copy
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from microsim.cli import main
from microsim.errors import SpecError
from microsim.engine.macro import Macro, load_macro
from microsim.population.ageing import age_population
from microsim.engine.economy import real_consumption_factor
from microsim.studies.projection import run_projection
from microsim.engine.scenario import Scenario
from microsim.synth import synthesize
from microsim.population.targets import load_targets
from microsim.population.calibrate import apply, calibrate_population

BASE = synthesize(1500, seed=3)
BASE = apply(BASE, calibrate_population(BASE, load_targets()))


def scenario(reform, year=2026, baseline=None):
    return Scenario(name="t", year=year, path=Path("t.yaml"), sha256="", reform=reform, baseline=baseline or {})


def zero_inflation() -> Macro:
    m = load_macro()
    raw = copy.deepcopy(m.raw)
    raw["cpi_inflation"]["values"] = {y: {"value": 0.0} for y in raw["cpi_inflation"]["values"]}
    return Macro(raw, m.path)


def test_zero_inflation_no_growth_no_ageing_repeats_the_first_year():
    # the NSSF's new retirees accumulate year by year (a rule of the law, not of prices or demography): off here
    proj = run_projection(scenario({"social_pension.active": True, "social_pension.amount": 150000},
                                   baseline={"nssf_old_age_pension.active": False}), BASE,
                          2026, 2029, ageing=False, growth=False, macro=zero_inflation())
    y = proj.tables["years"]
    for col in ("poverty_rate_baseline_pct", "poverty_rate_reform_pct", "persons_lifted_out_of_poverty",
                "cost_change_riels_per_year"):
        assert y[col].nunique() == 1, col
    values = proj.tables["benefit_values"].query("parameter == 'social_pension.amount'")
    assert (values["nominal"] == 150000).all()


def test_cpi_indexation_keeps_the_real_value_and_none_loses_it():
    indexed = run_projection(scenario({"social_pension.active": True, "social_pension.amount": 150000,
                                       "social_pension.amount.indexation": "cpi"}), BASE, 2026, 2030, growth=False)
    v = indexed.tables["benefit_values"].query("parameter == 'social_pension.amount'")
    np.testing.assert_allclose(v["real (2026 riels)"], 150000, rtol=1e-12)
    assert v["nominal"].is_monotonic_increasing and v["nominal"].iloc[-1] > 150000
    plain = run_projection(scenario({"social_pension.active": True, "social_pension.amount": 150000}), BASE,
                           2026, 2030, growth=False)
    p = plain.tables["benefit_values"].query("parameter == 'social_pension.amount'")
    assert (p["nominal"] == 150000).all() and p["real (2026 riels)"].is_monotonic_decreasing


def test_cost_arithmetic_per_year_is_exact():
    # without the NSSF's new retirees, whom the pension test also excludes (tests/test_nssf_pensions.py)
    proj = run_projection(scenario({"social_pension.active": True, "social_pension.amount": 150000},
                                   baseline={"nssf_old_age_pension.active": False}), BASE, 2028, 2030)
    costs = proj.tables["costs_by_year"].query("programme == 'Social pension'").set_index("year")
    for year in (2028, 2030):
        pop, _ = age_population(BASE, year)
        p = pop.persons
        eligible = (p["age"].to_numpy() >= 65) & ~p["contributory_pension"].to_numpy()
        assert costs.loc[year, "cost reform (riels per year)"] == pytest.approx(
            12 * 150000 * pop.person_weight()[eligible].sum(), rel=1e-12)
        assert costs.loc[year, "change (% of GDP)"] == pytest.approx(
            12 * 150000 * pop.person_weight()[eligible].sum() / load_macro().gdp(year) * 100, rel=1e-12)


def test_results_do_not_depend_on_jobs():
    sc = scenario({"child_benefit.active": True, "child_benefit.amount": 50000})
    a = run_projection(sc, BASE, 2026, 2028, jobs=1)
    b = run_projection(sc, BASE, 2026, 2028, jobs=2)
    for name in a.tables:
        assert a.tables[name].equals(b.tables[name]), name


def test_real_consumption_grows_with_gdp_per_head():
    m = load_macro()
    assert real_consumption_factor(m, 2030) > real_consumption_factor(m, 2026) > 1.0


def test_bad_years_and_missing_series():
    with pytest.raises(SpecError, match="Year 2040 cannot be simulated"):
        run_projection(scenario({}), BASE, 2026, 2040)
    with pytest.raises(SpecError, match="--from 2030 is after --to 2026"):
        run_projection(scenario({}), BASE, 2030, 2026)
    m = load_macro()
    raw = copy.deepcopy(m.raw)
    del raw["wage_growth"]
    with pytest.raises(SpecError, match="no `wage_growth` series"):
        run_projection(scenario({"social_pension.active": True, "social_pension.amount": 1000,
                                 "social_pension.amount.indexation": "wages"}), BASE, 2026, 2027, macro=Macro(raw, m.path))


def test_cli_project_writes_the_run_folder(tmp_path):
    out = tmp_path / "proj"
    result = CliRunner().invoke(main, ["project", "policies/scenarios/child_benefit_2_5.yaml", "--from", "2026",
                                       "--to", "2027", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for name in ("report.md", "workbook.xlsx", "manifest.json", "tables/years.csv", "tables/costs_by_year.csv",
                 "tables/benefit_values.csv", "tables/demography.csv", "charts/cost_by_year.png"):
        assert (out / name).exists(), name
    assert "2026: poverty" in result.output


def test_lag_and_gdp_per_head_rules():
    import datetime as dt

    from microsim.engine.system import load_system

    _, tree = load_system()
    m = load_macro()
    lagged = tree.with_overrides({"disability_allowance.amount.indexation": "cpi",
                                  "disability_allowance.amount.indexation_lag": 1}, "t")
    # set in 2023, lag 1: the 2026 value follows prices from 2022 to 2025
    assert lagged.at(dt.date(2026, 1, 1), m).disability_allowance.amount == pytest.approx(80000 * m.cpi(2025) / m.cpi(2022))
    per_head = tree.with_overrides({"disability_allowance.amount.indexation": "gdp_per_head"}, "t")
    value = per_head.at(dt.date(2026, 1, 1), m).disability_allowance.amount
    assert value == pytest.approx(80000 * m.gdp_per_head_index(2026, 2023))
    assert value > 80000 * m.cpi(2026) / m.cpi(2023)  # real growth per head is positive
    with pytest.raises(SpecError, match="indexation_lag` is a whole number of years"):
        tree.with_overrides({"disability_allowance.amount.indexation_lag": 9}, "t")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(inflation=st.lists(st.floats(0.0, 25.0), min_size=17, max_size=17),
       rule=st.sampled_from(["cpi", "wages", "fixed", "none"]), lag=st.integers(0, 2), rate=st.floats(0, 10))
def test_indexation_never_lowers_a_nominal_benefit_when_prices_rise(inflation, rule, lag, rate):
    import datetime as dt

    from microsim.engine.system import load_system

    _, tree = load_system()
    m = load_macro()
    raw = copy.deepcopy(m.raw)
    raw["cpi_inflation"]["values"] = {2019 + i: {"value": v} for i, v in enumerate(inflation)}
    macro = Macro(raw, m.path)
    t = tree.with_overrides({"disability_allowance.amount.indexation": rule,
                             "disability_allowance.amount.indexation_rate": rate,
                             "disability_allowance.amount.indexation_lag": lag}, "t")
    values = [t.at(dt.date(y, 1, 1), macro).disability_allowance.amount for y in range(2023, 2036)]
    assert all(b >= a for a, b in zip(values, values[1:]))
