"""Splitting WPP five-year groups into single years, and the sex split."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microsim.errors import SpecError
from microsim.synth.demography import MAX_AGE, age_sex_targets, male_share_by_age, split_single_years
from microsim.synth.spec import load_spec


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 2000), min_size=21, max_size=21))
def test_split_keeps_every_group_total_and_is_never_negative(counts):
    groups = pd.Series(counts, index=list(range(0, 105, 5)))
    single = split_single_years(groups)
    assert single.size == MAX_AGE + 1
    assert np.all(single >= 0)
    for i, lo in enumerate(range(0, 100, 5)):
        assert np.isclose(single[lo:lo + 5].sum(), counts[i], atol=1e-6 * max(1, sum(counts)))
    assert single[MAX_AGE] == counts[-1]


def test_split_is_smooth_not_a_staircase():
    groups = pd.Series([1600, 1500, 1400, 1300] + [1000] * 17, index=list(range(0, 105, 5)))
    single = split_single_years(groups)
    # inside 0-14 the declining groups give a declining single-year curve, without flat steps
    steps = np.diff(single[:15])
    assert np.all(steps < 0)
    # and no jump at the group edges (4->5, 9->10) larger than the steps inside the groups
    assert max(abs(steps[4]), abs(steps[9])) < 1.5 * np.median(np.abs(steps))



def test_groups_that_are_not_five_years_wide_are_refused_naming_what_was_found():
    groups = pd.Series([100.0] * 11, index=list(range(0, 110, 10)))
    with pytest.raises(SpecError, match=r"five-year groups .* found starts \[0, 10, 20"):
        split_single_years(groups)


def test_sex_split_hits_both_published_anchors():
    spec = load_spec()
    cells = age_sex_targets(spec)
    male_share = cells[0].sum()
    assert np.isclose(male_share, spec.published("persons_male") / spec.published("persons_total"))
    women_per_100_men = cells[1, 65:].sum() / cells[0, 65:].sum() * 100
    assert np.isclose(women_per_100_men, spec.published("women_per_100_men_65_plus"))


def test_male_share_exactness_on_arbitrary_shape():
    counts = np.linspace(100, 1, 101)
    share = male_share_by_age(np.full(101, 0.5), counts, 0.49, 150)
    assert np.isclose(np.sum(share * counts) / counts.sum(), 0.49)


def test_the_wpp_2024_file_is_whole_and_its_totals_are_the_documented_ones():
    """UN WPP 2024 by single age and sex: every year 2019-2035, ages 0-100, both sexes, no gap, no
    negative count; the totals the sources README quotes; the readers give the file's own sums."""
    import re

    from microsim.paths import HOME, WPP2024_FILE
    from microsim.population.demography import read_wpp_single_ages, wpp_groups_of_single_ages, wpp_total

    frame = pd.read_csv(WPP2024_FILE)
    assert list(frame.columns) == ["year", "sex", "age", "population_thousands"]
    assert len(frame) == 17 * 101 * 2 and not frame.duplicated(["year", "sex", "age"]).any()
    assert set(frame["year"]) == set(range(2019, 2036)) and set(frame["age"]) == set(range(101))
    assert set(frame["sex"]) == {"male", "female"} and (frame["population_thousands"] >= 0).all()
    readme = (HOME / "synthetic_data" / "sources" / "README.md").read_text()
    quoted = {int(year): float(value.replace(",", "")) for value, year in
              re.findall(r"([\d,]+\.\d) (?:thousand persons )?in\s+(20\d\d)", readme.split("Its totals:")[1])}
    assert set(quoted) == {2019, 2024, 2026, 2030, 2035}
    for year, total in quoted.items():
        in_file = frame.loc[frame["year"] == year, "population_thousands"].sum()
        assert round(in_file, 1) == total and wpp_total(year) == pytest.approx(in_file, rel=1e-12)
        single = read_wpp_single_ages(year)
        assert single.shape == (101, 2) and wpp_groups_of_single_ages(single).sum() == pytest.approx(in_file, rel=1e-12)
    with pytest.raises(SpecError, match="no row for year 2040"):
        read_wpp_single_ages(2040)
