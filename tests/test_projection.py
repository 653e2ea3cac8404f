"""Static ageing: each projection year's weights meet that year's demographic targets."""

import numpy as np
import pandas as pd
import pytest

from microsim.errors import SpecError
from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION
from microsim.population.ageing import WPP_FILE, Assumptions, age_population, load_assumptions, year_targets
from microsim.population.targets import evaluate

BASE = read_population(DEFAULT_POPULATION)
WPP = pd.read_csv(WPP_FILE).set_index("year")
AGE_COLS = [c for c in WPP.columns if c.startswith("age_")]


def wpp_total(year):
    return WPP.loc[year, AGE_COLS].astype(float).sum()


def test_the_base_year_leaves_the_weights_unchanged():
    pop, cal = age_population(BASE, 2019)
    assert cal.result.iterations == 0
    np.testing.assert_allclose(pop.households["weight"], BASE.households["weight"], rtol=1e-12)


@pytest.mark.parametrize("year", [2026, 2030, 2035])
def test_each_year_meets_its_wpp_targets(year):
    pop, cal = age_population(BASE, year)
    w, w0 = pop.person_weight(), BASE.person_weight()
    age = BASE.persons["age"].to_numpy()
    # persons grow as WPP's total does, from the base population's (Census) level
    assert w.sum() == pytest.approx(w0.sum() * wpp_total(year) / wpp_total(2019), rel=1e-9)
    # every five-year group (85+ pooled): base share x WPP share ratio, normalised
    groups = np.minimum(age // 5, 17)
    wpp = lambda y: np.append(WPP.loc[y, AGE_COLS[:17]].astype(float).to_numpy(),  # noqa: E731
                              WPP.loc[y, AGE_COLS[17:]].astype(float).sum())
    expected = np.bincount(groups, w0, minlength=18) / w0.sum() * (wpp(year) / wpp(year).sum()) / (wpp(2019) / wpp(2019).sum())
    expected /= expected.sum()
    np.testing.assert_allclose(np.bincount(groups, w, minlength=18) / w.sum(), expected, rtol=1e-7, atol=1e-10)
    # the base year's mean household size and poverty profile by age group are kept
    assert w.sum() / pop.households["weight"].sum() == pytest.approx(w0.sum() / BASE.households["weight"].sum(), rel=1e-9)
    kept = evaluate(pop, year_targets(BASE, year))
    assert kept["error"].abs().max() < 1e-7
    assert "poverty_rate_national" not in set(kept["target"])
    assert cal.diagnostics["kish_design_effect"] > 1.0  # reported: the weights strain as years pass


def test_ageing_raises_the_older_share_and_lowers_the_child_share():
    shares = {}
    for year in (2019, 2026, 2035):
        pop, _ = age_population(BASE, year)
        w, age = pop.person_weight(), pop.persons["age"].to_numpy()
        shares[year] = (w[age >= 65].sum() / w.sum(), w[age < 15].sum() / w.sum())
    assert shares[2019][0] < shares[2026][0] < shares[2035][0]
    assert shares[2019][1] > shares[2026][1] > shares[2035][1]


def test_wpp2024_level_and_bad_years(tmp_path):
    a = load_assumptions()
    raw = dict(a.raw, population_source=dict(a.raw["population_source"], value="wpp2024"))
    pop, _ = age_population(BASE, 2024, Assumptions(raw, a.path))
    assert pop.person_weight().sum() == pytest.approx(a.value("wpp2024_total_2024"), rel=1e-9)
    with pytest.raises(SpecError, match="year 2015 is outside the population data"):
        year_targets(BASE, 2015)
    bad = tmp_path / "p.yaml"
    bad.write_text("population_source: {value: wpp2030}\n")
    with pytest.raises(SpecError, match="expected the keys"):
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
