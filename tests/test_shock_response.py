"""The shock-responsive transfer: zones, share hit, vertical and horizontal expansion, expected cost."""

from pathlib import Path

import numpy as np
import pytest

from microsim.errors import SpecError
from microsim.studies.run import simulate
from microsim.engine.scenario import Scenario
from microsim.synth import synthesize
from microsim.engine.takeup import uniform

POP = synthesize(800, seed=31)


def run(reform):
    return simulate(Scenario(name="s", year=2026, path=Path("s.yaml"), sha256="",
                             reform={"shock_response.active": True, **reform}), POP)


def test_who_is_reached_and_how_much():
    sim = run({"shock_response.hit_rural": True, "shock_response.hit_other_urban": False, "shock_response.share_hit": 0.5,
               "shock_response.months": 6, "shock_response.vertical_amount": 80000,
               "shock_response.horizontal_amount": 50000, "shock_response.horizontal_multiple": 1.2})
    paid = np.asarray(sim.reform.benefits["shock_response"])
    hh = POP.households
    hit = (hh["zone"].to_numpy() == "rural") & (uniform(hh["household_id"].to_numpy(), 0, "shock_response.hit") < 0.5)
    idpoor = hh["idpoor"].to_numpy() > 0
    near = ~idpoor & (sim.economy.consumption_pc(POP) < 1.2 * sim.economy.poverty_line(POP))
    expected = np.where(hit & idpoor, 80000 * 6 / 12, 0.0) + np.where(hit & near, 50000 * 6 / 12, 0.0)
    np.testing.assert_allclose(paid, expected, rtol=1e-12)
    assert paid[hh["zone"].to_numpy() != "rural"].sum() == 0


@pytest.mark.parametrize("probability", [0.1, 0.25, 1.0])
def test_the_expected_cost_is_the_probability_times_a_shock_years(probability):
    shock_year = run({}).headline.cost_change_riels_per_year
    expected = run({"shock_response.expected": True, "shock_response.trigger_probability": probability})
    assert expected.headline.cost_change_riels_per_year == pytest.approx(probability * shock_year, rel=1e-12)


@pytest.mark.parametrize("reform, message", [
    ({"shock_response.trigger_probability": 1.5}, "must be at most 1"),
    ({"shock_response.share_hit": -0.1}, "must be at least 0"),
    ({"shock_response.hit_rural": False}, "hits no zone"),
])
def test_bad_shock_settings_are_named(reform, message):
    with pytest.raises(SpecError, match=message):
        run(reform)
