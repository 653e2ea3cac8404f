"""Old-age pensions of the NSSF's new retirees (microsim/programmes/nssf_old_age_pension.py): the
months of contributions and the formula to the riel, who is drawn and who never is, the lump sum
below 12 months, the scheme's pay-as-you-go rate, and the social pension's pension test reading
them."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microsim.behaviour.earnings import year_earnings
from microsim.engine.takeup import uniform
from microsim.engine.scenario import Scenario
from microsim.programmes.nssf_old_age_pension import accrued_share, contribution_months
from microsim.studies.run import simulate
from microsim.synth import synthesize

POP = synthesize(1500, seed=5)
settings.register_profile("nssf_pensions", deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scenario(reform=None, baseline=None, year=2026) -> Scenario:
    return Scenario(name="test", year=year, path=Path("test.yaml"), sha256="", seed=0,
                    reform=reform or {}, baseline=baseline or {})


def pensions(sim, system: str = "reform") -> np.ndarray:
    return np.asarray(getattr(sim, system).benefits["nssf_old_age_pension"], dtype=np.float64)


def test_months_of_contributions_count_from_october_2022_to_the_pension_age():
    ages = np.array([59, 60, 61, 62, 63, 64, 70])
    months = contribution_months(ages, 2026, 60, 2022.75)
    assert months.tolist() == [51.0, 39.0, 27.0, 15.0, 3.0, 0.0, 0.0]  # 12 x (2026 - age + 60 - 2022.75), at least 0
    assert contribution_months(np.array([60]), 2035, 60, 2022.75).tolist() == [147.0]


def test_the_accrual_is_175_for_15_years_then_125():
    assert accrued_share(np.array([0.0, 10.0, 15.0, 20.0]), scenario_params()).tolist() == pytest.approx(
        [0.0, 0.175, 0.2625, 0.2625 + 0.0625], abs=1e-15)


def scenario_params():
    sim = simulate(scenario(), POP)
    return sim.reform.params.nssf_old_age_pension


def by_hand(sim, year: int) -> np.ndarray:
    """The module's rule written out again from the population and the parameters in force: the
    insured share and mean wage of persons just below the pension age by sex and zone, a draw by
    id, the formula with its minimums, the refund below the minimum months."""
    p, scheme = sim.reform.params.nssf_old_age_pension, sim.reform.params.nssf_pension_contributions
    persons = POP.persons
    age = persons["age"].to_numpy()
    member = persons["nssf_member"].to_numpy()
    wage = np.where(member, np.clip(year_earnings(POP, sim.economy), scheme.wage_floor, scheme.wage_ceiling), 0.0)
    weight = POP.person_weight()
    zone = POP.households["zone"].to_numpy()[POP.person_household_index]
    sex = persons["sex"].to_numpy()
    paid = np.zeros(len(age))
    draw = uniform(persons["person_id"].to_numpy(), 0, "nssf.old_age_pension")
    for s in ("male", "female"):
        for z in ("phnom_penh", "other_urban", "rural"):
            cell = (sex == s) & (zone == z)
            before = cell & (age >= p.pension_age - p.years_observed) & (age < p.pension_age)
            insured = before & member
            share = weight[insured].sum() / weight[before].sum()
            reference = (weight[insured] @ wage[insured]) / weight[insured].sum() if insured.any() else 0.0
            drawn = cell & (age >= p.pension_age) & ~persons["contributory_pension"].to_numpy() & (draw < share)
            months = np.maximum(12 * (year - age + p.pension_age - p.first_contribution), 0)
            formula = reference * np.maximum(accrued_share(months / 12 + p.credited_years, p), p.minimum_share)
            pension = np.maximum(formula, p.minimum_amount)
            paid = np.where(drawn & (months >= p.minimum_months), pension, paid)
            lump = drawn & (months > 0) & (months < p.minimum_months) & (age == p.pension_age)
            paid = np.where(lump, months * scheme.rate * reference / 12, paid)
    return paid


@pytest.mark.parametrize("year, changes", [
    (2026, {}), (2031, {}),
    (2026, {"minimum_months": 48}),  # 60 this year with 39 months: a refund
    (2031, {"minimum_amount": 0, "credited_years": 20}),  # the accrual binds, past 15 years (1.25 % a year)
])
def test_each_pension_is_the_schemes_formula_for_the_drawn_retirees(year, changes):
    sim = simulate(scenario({f"nssf_old_age_pension.{k}": v for k, v in changes.items()}, year=year), POP)
    paid = pensions(sim)
    assert np.allclose(paid, by_hand(sim, year), rtol=1e-12, atol=1e-6)
    age = POP.persons["age"].to_numpy()
    assert paid.any() and not paid[age < 60].any()
    assert not paid[POP.persons["contributory_pension"].to_numpy()].any()  # never a second pension
    p = sim.reform.params.nssf_old_age_pension
    if changes.get("minimum_months") == 48:  # 60 this year with 39 months: their contributions refunded, no pension
        assert paid[age > 60].sum() == 0 and (paid[age == 60] > 0).any()
        assert (paid[age == 60] < p.minimum_amount).all()
    else:  # a pension from 12 months at the pension age, never below the minimum
        assert (paid[paid > 0] >= p.minimum_amount).all()
        too_early = age > year - 2023.75 + 60  # reached 60 before 12 months of contributions were possible
        assert not paid[too_early].any()
    if changes.get("credited_years") == 20:  # above the 40 % floor: amounts differ with the years contributed
        assert len(np.unique(paid[paid > 0])) > 6


def test_no_pension_before_the_scheme_pays_and_more_retirees_each_year():
    assert "nssf_old_age_pension" not in simulate(scenario(year=2023), POP).reform.benefits  # from October 2023
    counts = [POP.person_weight() @ (pensions(simulate(scenario(year=y), POP)) > 0) for y in (2024, 2027, 2030)]
    assert 0 < counts[0] < counts[1] < counts[2]


def test_the_pension_scheme_reports_its_pay_as_you_go_rate():
    sim = simulate(scenario(), POP)
    record = next(c for c in sim.result.contributions if c.scheme == "nssf_pension_contributions")
    cost = sim.tables["costs"].set_index("programme").loc["NSSF old-age pensions (new retirees since 2023)",
                                                            "cost reform (riels per year)"]
    assert cost > 0
    assert record.balancing_rate_reform == pytest.approx(cost / (record.revenue_reform_riels_per_year / 0.04), rel=1e-12)


def test_the_social_pension_excludes_nssf_pensioners_or_deducts_their_pension():
    reform = {"social_pension.active": True, "social_pension.min_age": 60, "social_pension.amount": 600_000}
    tested = simulate(scenario(reform, year=2031), POP)
    nssf = pensions(tested)
    social = np.asarray(tested.reform.benefits["social_pension"], dtype=np.float64)
    age = POP.persons["age"].to_numpy()
    assert (nssf > 0).any()
    assert not social[nssf > 0].any() and (social[(age >= 60) & (nssf == 0)
                                                 & ~POP.persons["contributory_pension"].to_numpy()] == 600_000).all()
    reduced = simulate(scenario({**reform, "social_pension.reduce_by_contributory_pension": True}, year=2031), POP)
    topped = np.asarray(reduced.reform.benefits["social_pension"], dtype=np.float64)
    survey = np.asarray(reduced.reform.benefits["contributory_pensions"], dtype=np.float64)
    older = age >= 60
    assert np.array_equal(topped[older], np.maximum(600_000 - survey[older] - nssf[older], 0.0))


@settings(settings.get_profile("nssf_pensions"), max_examples=6)
@given(st.integers(0, 800_000), st.integers(1, 400_000))
def test_a_higher_minimum_never_lowers_a_pension(minimum, extra):
    low = pensions(simulate(scenario({"nssf_old_age_pension.minimum_amount": minimum}), POP))
    high = pensions(simulate(scenario({"nssf_old_age_pension.minimum_amount": minimum + extra}), POP))
    assert np.all(high >= low) and np.array_equal(high > 0, low > 0)
