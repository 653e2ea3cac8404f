"""The model against published figures (validation/): bands that must hold, files in sync."""

from pathlib import Path

import pandas as pd
import pytest

from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION, HOME
from microsim.studies.run import simulate_year
from microsim.engine.scenario import Scenario
from microsim.studies.model_validation import compare, comparison_table, load_figures, markdown

DEFAULT = read_population(DEFAULT_POPULATION)
FIGURES = load_figures()
COMPARISONS = {c.figure.id: c for c in compare(DEFAULT, FIGURES)}
BANDED = [f.id for f in FIGURES if f.band is not None]


@pytest.mark.parametrize("figure", BANDED)
def test_published_figure_holds_within_its_band(figure):
    c = COMPARISONS[figure]
    assert c.within_band, (f"{c.figure.what}: model {c.model:,.2f} against published {c.figure.published:,.2f} "
                           f"({c.difference:+.4f}, band {c.figure.band})")


PUBLISHED = {f.id: f.published for f in FIGURES}


def test_idpoor_in_the_default_population():
    households, persons = COMPARISONS["idpoor_households"].model, COMPARISONS["idpoor_persons"].model
    assert households == pytest.approx(PUBLISHED["idpoor_households"], rel=0.05)
    assert persons == pytest.approx(PUBLISHED["idpoor_persons"], rel=0.05)
    assert 3.6 <= persons / households <= 4.4


def test_the_family_package_reaches_about_700000_households_in_2026():
    from microsim.studies.model_validation import MEASURES

    sim = simulate_year(Scenario(name="law", year=2026, path=Path("t.yaml"), sha256=""), DEFAULT)
    assert MEASURES["family_package_households"](sim) == pytest.approx(PUBLISHED["family_package_households"], rel=0.15)


def test_contributory_pensioners_near_the_administrative_total():
    assert COMPARISONS["pensioners_total"].model == pytest.approx(PUBLISHED["pensioners_total"], rel=0.15)


def test_validation_files_are_regenerated_from_the_current_model():
    """docs/validation.md and validation/comparison.csv are what `microsim validate-model` writes now."""
    comparisons = [COMPARISONS[f.id] for f in FIGURES]
    assert (HOME / "docs" / "validation.md").read_text() == markdown(comparisons, "synthetic_data/default"), \
        "docs/validation.md is stale: run `microsim validate-model`"
    shipped = pd.read_csv(HOME / "validation" / "comparison.csv")
    fresh = comparison_table(comparisons)
    assert list(shipped["id"]) == list(fresh["id"])
    pd.testing.assert_series_equal(shipped["model"], fresh["model"], check_exact=False, rtol=1e-6, check_names=False)


def test_every_figure_has_a_source_a_year_and_a_reason():
    for f in FIGURES:
        assert len(f.source) > 20 and len(f.why) > 20 and 2000 <= f.year <= 2035, f.id


def test_a_population_without_an_optional_column_is_validated_and_told_what_it_lacks():
    """Survey data without `nssf_member` (an optional column): the NSSF figures are undefined, the
    others computed; a calibration target on it names the optional column, not an unknown variable."""
    import math

    from microsim.errors import SpecError
    from microsim.population.population import Population
    from microsim.population.targets import evaluate, load_targets

    survey = Population(DEFAULT.households, DEFAULT.persons.drop(columns=["nssf_member"]), dict(DEFAULT.metadata))
    figures = [f for f in FIGURES if f.id in ("nssf_registered_workers", "nssf_childbirth_allowances", "idpoor_households")]
    values = {c.figure.id: c.model for c in compare(survey, figures)}
    assert math.isnan(values["nssf_registered_workers"]) and math.isnan(values["nssf_childbirth_allowances"])
    assert values["idpoor_households"] == pytest.approx(COMPARISONS["idpoor_households"].model)
    with pytest.raises(SpecError, match="`nssf_member` is an optional column of the persons table"):
        evaluate(survey, load_targets())


def test_the_nssf_count_is_one_figure_in_the_generator_the_targets_and_the_validation():
    from microsim.synth.spec import load_spec
    from microsim.population.targets import load_targets

    target = next(t for t in load_targets().targets if t.name == "nssf_registered_workers")
    assert load_spec().published("nssf_registered_workers") == target.value == PUBLISHED["nssf_registered_workers"]


def test_the_demography_change_file_is_what_the_ageing_gives():
    """validation/demography_change.csv (tools/demography_change.py): the populations of each setting
    for 2026 as the ageing gives them now, WPP 2024's own counts from its file, and the main
    scenario's 2026 cost under the current setting as its expected headline."""
    import sys

    import pandas as pd

    from microsim.engine.scenario import load_scenario
    from microsim.paths import HOME

    sys.path.insert(0, str(HOME / "tools"))
    from demography_change import MAIN, SETTINGS, population_rows

    shipped = pd.read_csv(HOME / "validation" / "demography_change.csv")
    fresh = pd.DataFrame(population_rows(read_population(DEFAULT_POPULATION), years=(2026,)))
    merged = fresh.merge(shipped, on=["year", "quantity", "setting"], suffixes=("", " shipped"))
    assert len(merged) == len(fresh) == 3 * len(SETTINGS)
    assert (merged["model"] - merged["model shipped"]).abs().max() < 1.0
    assert (merged["UN WPP 2024"] - merged["UN WPP 2024 shipped"]).abs().max() < 1.0
    now = shipped[(shipped["year"] == 2026) & shipped["quantity"].str.startswith("cost")
                  & (shipped["setting"] == "UN WPP 2024 level and structure (now)")]
    expected = float(load_scenario(MAIN).expected["cost_change_billion_riels_per_year"])
    assert abs(float(now["model"].iloc[0]) / 1e9 - expected) < 0.05
