"""Benefit adequacy (microsim.distribution.adequacy): each ratio against its formula on a hand-made
household, the poverty gap closed per riel against the run's own poverty gap, and the tables."""

from pathlib import Path

import numpy as np
import pytest

from microsim.engine.macro import load_macro
from microsim.engine.scenario import Scenario
from microsim.studies.household import household_population
from microsim.studies.run import simulate_year

YEAR = 2026
CONSUMPTION = 250_000.0  # riels per person per month in 2026: below the line, so the household is poor
MEMBERS = [{"age": 70, "sex": "female"}, {"age": 40, "sex": "male"}, {"age": 3, "sex": "female"}]
REFORM = {"social_pension.active": True, "social_pension.amount": 158000, "social_pension.min_age": 65,
          "child_benefit.active": True, "child_benefit.amount": 60000}


def simulated(reform, idpoor=0):
    pop = household_population("rural", idpoor, CONSUMPTION, MEMBERS, YEAR)
    scenario = Scenario(name="t", year=YEAR, path=Path("t.yaml"), sha256="", reform=reform)
    return simulate_year(scenario, pop, ageing=False, growth=False)


def by_name(sim) -> dict:
    return {a.programme: a for a in sim.result.adequacy}


def test_a_person_benefit_against_the_line_the_household_consumption_and_gdp_per_head():
    sim = simulated(REFORM)
    line = float(sim.economy.poverty_line(sim.population)[0])
    gdp_per_head = load_macro().gdp(YEAR) / 3  # three persons, weight 1
    pension, child = by_name(sim)["social_pension"], by_name(sim)["child_benefit"]
    assert pension.recipients == 1 and pension.amount_per_recipient_riels_per_month == pytest.approx(158000, rel=1e-12)
    assert pension.pct_of_poverty_line == pytest.approx(158000 / line * 100, rel=1e-12)
    assert pension.pct_of_household_poverty_line == pytest.approx(158000 / (3 * line) * 100, rel=1e-12)
    assert pension.pct_of_consumption == pytest.approx(158000 / (3 * CONSUMPTION) * 100, rel=1e-9)
    assert pension.pct_of_gdp_per_head == pytest.approx(158000 * 12 / gdp_per_head * 100, rel=1e-12)
    assert child.pct_of_poverty_line == pytest.approx(60000 / line * 100, rel=1e-12)
    assert pension.pct_of_poverty_line / child.pct_of_poverty_line == pytest.approx(158000 / 60000, rel=1e-12)


def test_a_household_benefit_is_measured_per_member():
    sim = simulated({}, idpoor=1)  # an IDPoor household: the Family Package's base support
    line = float(sim.economy.poverty_line(sim.population)[0])
    base = by_name(sim)["family_package_base"]
    amount = float(np.asarray(sim.reform.benefits["family_package_base"], dtype=np.float64)[0])
    assert base.entity == "household" and base.recipients == 1 and amount > 0
    assert base.amount_per_recipient_riels_per_month == pytest.approx(amount, rel=1e-12)
    assert base.pct_of_poverty_line == base.pct_of_household_poverty_line == pytest.approx(amount / (3 * line) * 100,
                                                                                          rel=1e-12)
    assert base.pct_of_gdp_per_head == pytest.approx(amount / 3 * 12 / (load_macro().gdp(YEAR) / 3) * 100, rel=1e-12)


def test_the_gap_closed_per_riel_is_the_change_in_the_poverty_gap_over_the_extra_cost():
    sim = simulated(REFORM)
    h = sim.result.headline
    line = float(sim.economy.poverty_line(sim.population)[0])
    closed = (h.poverty_gap_baseline_pct - h.poverty_gap_reform_pct) / 100 * line * 3 * 12  # riels a year
    assert sim.result.poverty_gap_closed_per_riel == pytest.approx(closed / h.cost_change_riels_per_year, rel=1e-9)
    assert 0 < sim.result.poverty_gap_closed_per_riel <= 1  # a riel closes at most a riel of the gap


def test_no_reform_no_gap_closed_and_only_the_benefits_paid():
    sim = simulated({}, idpoor=1)  # current law pays an IDPoor household several Family Package benefits
    assert sim.result.poverty_gap_closed_per_riel is None
    paying = {p.programme for p in sim.result.programmes[:-1] if p.cost_reform_riels_per_year > 0}
    assert len(paying) >= 2 and set(by_name(sim)) == paying
    assert all(a.amount_per_recipient_riels_per_month > 0 for a in sim.result.adequacy)
    table = sim.tables["adequacy"]
    assert table["programme"].iloc[-1] == "The reform as a whole" and len(table) == len(sim.result.adequacy) + 1


def test_a_social_insurance_benefit_has_its_replacement_rate_against_insured_workers_earnings():
    """The aggregate replacement rate: the mean pension per person paid / the mean earnings of insured
    workers (NSSF members with earnings) in the year; benefits outside social insurance have none."""
    members = [{"age": 62, "sex": "female", "nssf_retiree": True},  # retired in 2024: 15 months of contributions
               {"age": 40, "sex": "male", "labour_status": "wage_employee_private", "employment_type": "industry_wage",
                "nssf_member": True, "earnings": 1_000_000.0},
               {"age": 38, "sex": "female", "labour_status": "own_account", "employment_type": "services",
                "earnings": 400_000.0},
               {"age": 3, "sex": "female"}]
    pop = household_population("rural", 0, CONSUMPTION, members, YEAR)
    scenario = Scenario(name="t", year=YEAR, path=Path("t.yaml"), sha256="", reform={"child_benefit.active": True,
                                                                                     "child_benefit.amount": 60000})
    sim = simulate_year(scenario, pop, ageing=False, growth=False)
    records = by_name(sim)
    pension = float(np.asarray(sim.reform.benefits["nssf_old_age_pension"], dtype=np.float64)[0])
    assert pension > 0  # the retiree's minimum pension
    # only the insured worker's earnings count: 1,000,000 riels a month, not the own-account worker's
    assert records["nssf_old_age_pension"].replacement_rate_pct == pytest.approx(pension / 1_000_000 * 100, rel=1e-9)
    assert records["child_benefit"].replacement_rate_pct is None
