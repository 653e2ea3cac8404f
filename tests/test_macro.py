"""The macro series: one consistent GDP, published values kept, every value sourced."""

import pytest

from microsim.engine.macro import load_macro
from microsim.paths import POLICIES
from microsim.common.yamlfile import read_yaml

MACRO = load_macro()
YEARS = range(2019, 2036)


@pytest.mark.parametrize("year", YEARS[1:])
def test_nominal_gdp_grows_with_real_growth_and_prices(year):
    published = MACRO.series("gdp_nominal")
    if year in published and year - 1 in published:
        pytest.skip("two published years: the data, not the rule")
    nominal = MACRO.gdp(year) / MACRO.gdp(year - 1)
    implied = (1 + MACRO.value("real_gdp_growth", year) / 100) * MACRO.cpi(year) / MACRO.cpi(year - 1)
    assert nominal == pytest.approx(implied, rel=1e-12)


def test_published_values_are_kept():
    for year, value in MACRO.series("gdp_nominal").items():
        assert MACRO.gdp(year) == value * 1e9
    for year, value in MACRO.series("government_spending").items():
        assert MACRO.government_spending(year) == value * 1e9
    assert MACRO.gdp(2025) == 209_163e9 and MACRO.government_spending(2026) == 40_913e9


def test_spending_share_follows_the_nearest_published_year():
    share = {y: MACRO.government_spending(y) / MACRO.gdp(y) for y in YEARS}
    assert share[2019] == pytest.approx(share[2025], rel=1e-12)
    assert share[2035] == pytest.approx(share[2026], rel=1e-12)


def test_every_value_has_a_source_or_is_an_assumption_and_nothing_cites_files_outside():
    _, raw = read_yaml(POLICIES / "macro.yaml", "macro file")
    text = (POLICIES / "macro.yaml").read_text()
    assert "DOMAIN" not in text and ".md" not in text
    for name, entry in raw.items():
        assert entry.get("source") or entry.get("assumption"), name
        for year, value in (entry.get("values") or {}).items():
            if isinstance(value, dict) and not ({"source", "assumption"} & set(value)):
                assert entry.get("source"), (name, year)
