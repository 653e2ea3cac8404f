"""Static ageing: each projection year's weights meet that year's demographic targets."""

import numpy as np
import pandas as pd
import pytest

from microsim.errors import SpecError
from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION
from microsim.paths import WPP2024_FILE, WPP_FILE
from microsim.population.ageing import Assumptions, age_population, bring_to_year, load_assumptions, year_targets
from microsim.population.targets import evaluate

BASE = read_population(DEFAULT_POPULATION)
WPP2024 = pd.read_csv(WPP2024_FILE)  # year, sex, age (100 = 100+), population_thousands
WPP2022 = pd.read_csv(WPP_FILE).set_index("year")
AGE_COLS = [c for c in WPP2022.columns if c.startswith("age_")]


def wpp2024_groups(year) -> np.ndarray:
    """WPP 2024's five-year groups of ``year`` (85+ pooled), summed here from the file's single ages."""
    rows = WPP2024[WPP2024["year"] == year]
    return np.bincount(np.minimum(rows["age"].to_numpy() // 5, 17), rows["population_thousands"].to_numpy(), minlength=18)


def with_values(**values) -> Assumptions:
    a = load_assumptions()
    return Assumptions({**a.raw, **{k: dict(a.raw[k], value=v) for k, v in values.items()}}, a.path)


def test_the_base_year_leaves_the_weights_unchanged():
    pop, cal = age_population(BASE, 2019, with_values(level_base="census2019", age_structure_method="ratio"))
    assert cal.result.iterations == 0
    np.testing.assert_allclose(pop.households["weight"], BASE.households["weight"], rtol=1e-12)
    kept, _ = bring_to_year(BASE, 2019)  # a run of the survey's own year keeps its weights, whatever the level
    np.testing.assert_array_equal(kept.households["weight"], BASE.households["weight"])


@pytest.mark.parametrize("year", [2026, 2030, 2035])
def test_each_year_meets_its_wpp_targets(year):
    pop, cal = age_population(BASE, year)
    w, w0 = pop.person_weight(), BASE.person_weight()
    age = BASE.persons["age"].to_numpy()
    # persons: WPP 2024's own total of the year (the model follows the UN's level, not the Census's)
    assert w.sum() == pytest.approx(WPP2024.loc[WPP2024["year"] == year, "population_thousands"].sum() * 1000, rel=1e-9)
    # every five-year group (85+ pooled): WPP's own share of the year; age 0 within 0-4 WPP's too
    groups = np.minimum(age // 5, 17)
    g = wpp2024_groups(year)
    np.testing.assert_allclose(np.bincount(groups, w, minlength=18) / w.sum(), g / g.sum(), rtol=1e-7, atol=1e-10)
    single = WPP2024[WPP2024["year"] == year].groupby("age")["population_thousands"].sum()
    assert w[age == 0].sum() / w[age <= 4].sum() == pytest.approx(single.loc[0] / single.loc[0:4].sum(), rel=1e-7)
    # by the ratio method instead: the base's shares moved as WPP's move, normalised
    ratio, _ = age_population(BASE, year, with_values(age_structure_method="ratio"))
    g0 = wpp2024_groups(2019)
    expected = np.bincount(groups, w0, minlength=18) / w0.sum() * (g / g.sum()) / (g0 / g0.sum())
    expected /= expected.sum()
    wr = ratio.person_weight()
    np.testing.assert_allclose(np.bincount(groups, wr, minlength=18) / wr.sum(), expected, rtol=1e-7, atol=1e-10)
    # the base year's mean household size and poverty profile by age group are kept
    assert w.sum() / pop.households["weight"].sum() == pytest.approx(w0.sum() / BASE.households["weight"].sum(), rel=1e-9)
    kept = evaluate(pop, year_targets(BASE, year))
    assert kept["error"].abs().max() < 1e-7
    assert "poverty_rate_national" not in set(kept["target"])
    assert cal.diagnostics["kish_design_effect"] > 1.0  # reported: the weights strain as years pass


def test_the_census_level_and_the_earlier_vintage_remain_choices():
    w0 = BASE.person_weight().sum()
    census, _ = age_population(BASE, 2026, with_values(level_base="census2019"))
    total = lambda y: WPP2024.loc[WPP2024["year"] == y, "population_thousands"].sum()  # noqa: E731
    assert census.person_weight().sum() == pytest.approx(w0 * total(2026) / total(2019), rel=1e-9)
    old, _ = age_population(BASE, 2026, with_values(population_source="wpp2022", level_base="census2019"))
    wpp2022_total = lambda y: WPP2022.loc[y, AGE_COLS].astype(float).sum()  # noqa: E731
    assert old.person_weight().sum() == pytest.approx(w0 * wpp2022_total(2026) / wpp2022_total(2019), rel=1e-9)


def test_ageing_raises_the_older_share_and_lowers_the_child_share():
    shares = {}
    for year in (2019, 2026, 2035):
        pop, _ = age_population(BASE, year)
        w, age = pop.person_weight(), pop.persons["age"].to_numpy()
        shares[year] = (w[age >= 65].sum() / w.sum(), w[age < 15].sum() / w.sum())
    assert shares[2019][0] < shares[2026][0] < shares[2035][0]
    assert shares[2019][1] > shares[2026][1] > shares[2035][1]


def test_bad_years_and_bad_assumptions(tmp_path):
    with pytest.raises(SpecError, match="year 2015 is outside the population data"):
        year_targets(BASE, 2015)
    with pytest.raises(SpecError, match="year 2036 is outside the population data"):
        year_targets(BASE, 2036)
    bad = tmp_path / "p.yaml"
    bad.write_text("population_source: {value: wpp2030}\n")
    with pytest.raises(SpecError, match="expected the keys"):
        load_assumptions(bad)
    a = load_assumptions()
    bad.write_text(__import__("yaml").safe_dump({**a.raw, "level_base": {"value": "guess"}}))
    with pytest.raises(SpecError, match="`level_base`: expected wpp or census2019"):
        load_assumptions(bad)


def test_the_docs_give_the_design_effects_the_ageing_reports():
    """docs/projection.md and docs/calibration.md quote the shipped population's design effects."""
    from microsim.paths import HOME

    projection = (HOME / "docs" / "projection.md").read_text()
    effects = [age_population(BASE, year)[1].diagnostics["kish_design_effect"] for year in (2026, 2030, 2035)]
    assert (f"design effect {effects[0]:.2f} in 2026, {effects[1]:.2f} in 2030, {effects[2]:.2f} in 2035"
            in " ".join(projection.split()))
    calibration = " ".join((HOME / "docs" / "calibration.md").read_text().split())
    shipped = BASE.metadata["calibration"]
    assert f"{shipped['iterations']} iterations, design effect {shipped['kish_design_effect']:.2f}" in calibration
