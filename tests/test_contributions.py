"""Social insurance contributions on earnings (microsim/programmes/nssf_contributions.py): rate x the
contributable wage to the riel, revenue in its own table and never in the costs, the workers' share
out of consumption, and the invariants (a zero rate raises nothing, revenue is linear in the rate,
a higher ceiling never lowers it)."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microsim.behaviour.earnings import year_earnings
from microsim.distribution.breakdowns import pre_transfer_deciles
from microsim.engine.scenario import Scenario
from microsim.errors import SpecError
from microsim.studies.run import simulate, simulate_year
from microsim.synth import synthesize

POP = synthesize(400, seed=21)
SCHEMES = ("nssf_pension_contributions", "nssf_health_contributions", "nssf_occupational_risk_contributions")
settings.register_profile("contributions", deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scenario(reform=None, baseline=None, year=2026) -> Scenario:
    return Scenario(name="test", year=year, path=Path("test.yaml"), sha256="", seed=0,
                    reform=reform or {}, baseline=baseline or {})


def revenue(sim, scheme: str, system: str = "reform") -> float:
    record = next(c for c in sim.result.contributions if c.scheme == scheme)
    return getattr(record, f"revenue_{system}_riels_per_year")


def test_each_contribution_is_the_rate_times_the_contributable_wage():
    sim = simulate(scenario(), POP)
    wage = year_earnings(POP, sim.economy)
    member = POP.persons["nssf_member"].to_numpy()
    assert member.any() and (wage[member] < 400_000).any() and (wage[member] > 1_200_000).any()  # both ends clip
    age = POP.persons["age"].to_numpy()
    assert (member & (age >= 60)).any()  # members past the pension age: health and occupational risk only
    for scheme, rate, floor, last_age in (("nssf_pension_contributions", 0.04, 400_000, 59),
                                          ("nssf_health_contributions", 0.026, 200_000, 200),
                                          ("nssf_occupational_risk_contributions", 0.008, 200_000, 200)):
        by_hand = np.where(member & (age <= last_age), rate * np.clip(wage, floor, 1_200_000), 0.0)
        assert np.array_equal(sim.reform.contributions[scheme], by_hand), scheme
        assert revenue(sim, scheme) == pytest.approx(12 * POP.person_weight() @ by_hand, rel=1e-12)
    pension = next(c for c in sim.result.contributions if c.scheme == "nssf_pension_contributions")
    assert pension.workers_share_reform_riels_per_year == pytest.approx(pension.revenue_reform_riels_per_year / 2, rel=1e-12)
    health = next(c for c in sim.result.contributions if c.scheme == "nssf_health_contributions")
    assert health.workers_share_reform_riels_per_year == 0  # the employer's alone since 2018
    assert next(c for c in sim.result.contributions if c.scheme == "total").contributors_reform_persons == pytest.approx(
        POP.person_weight() @ member, rel=1e-12)  # every member pays (earnings at least the floor)


def test_contributions_are_revenue_in_their_own_table_not_costs():
    sim = simulate(scenario(), POP)
    costs = set(sim.tables["costs"]["programme"])
    assert not any("contributions" in c for c in costs)
    table = sim.tables["contributions"].set_index("scheme")
    assert table.loc["Total", "revenue reform (riels per year)"] == pytest.approx(
        sum(revenue(sim, s) for s in SCHEMES), rel=1e-12)
    assert sim.headline.contributions_reform_riels_per_year == table.loc["Total", "revenue reform (riels per year)"]
    without = simulate(scenario(baseline={s + ".active": False for s in SCHEMES}), POP)  # no scheme collects
    assert without.headline.cost_reform_total_riels_per_year == sim.headline.cost_reform_total_riels_per_year
    assert without.headline.contributions_reform_riels_per_year == 0 and sim.headline.contributions_reform_riels_per_year > 0


def test_the_workers_share_comes_out_of_consumption_and_the_employers_does_not():
    base = simulate(scenario(baseline={s + ".active": False for s in SCHEMES}), POP)
    pension = simulate(scenario(baseline={"nssf_health_contributions.active": False,
                                          "nssf_occupational_risk_contributions.active": False,
                                          "nssf_pension_contributions.active": False},
                                reform={"nssf_pension_contributions.active": True}), POP)
    share = pension.reform.params.simulation.consumed_share
    worker = POP.household_sum(pension.reform.contributions["nssf_pension_contributions"] * 0.5)
    from microsim.distribution.welfare import welfare

    wb = welfare(POP, pension.baseline, pension_modules(), pension.economy)
    wr = welfare(POP, pension.reform, pension_modules(), pension.economy, survey_system=wb)
    assert np.allclose(wb.consumption - wr.consumption, share * worker / POP.household_size_float, rtol=1e-12, atol=1e-9)
    assert pension.headline.poverty_rate_change_pp >= 0 and pension.headline.cost_change_riels_per_year == 0
    employer_only = simulate(scenario(baseline={s + ".active": False for s in SCHEMES},
                                      reform={"nssf_occupational_risk_contributions.active": True}), POP)
    assert employer_only.headline.poverty_rate_change_pp == 0 and employer_only.headline.contributions_change_riels_per_year > 0
    assert base.headline.contributions_reform_riels_per_year == 0


def pension_modules():
    from microsim.engine.system import load_system

    return load_system()[0]


@settings(max_examples=12, deadline=None)
@given(rate=st.floats(0.0, 0.15), k=st.integers(2, 3))
def test_revenue_is_linear_in_the_rate_and_a_zero_rate_raises_nothing(rate, k):
    def pension_revenue(r):
        return revenue(simulate(scenario({"nssf_pension_contributions.rate": r}), POP), "nssf_pension_contributions")

    assert pension_revenue(0.0) == 0
    assert pension_revenue(k * rate) == pytest.approx(k * pension_revenue(rate), rel=1e-12, abs=1e-6)


@settings(max_examples=12, deadline=None)
@given(ceiling=st.integers(400_000, 3_000_000), extra=st.integers(1, 2_000_000))
def test_raising_the_ceiling_never_lowers_revenue(ceiling, extra):
    def pension_revenue(c):
        sim = simulate(scenario({"nssf_pension_contributions.wage_ceiling": c}), POP)
        return revenue(sim, "nssf_pension_contributions")

    assert pension_revenue(ceiling + extra) >= pension_revenue(ceiling)


def test_the_rate_follows_the_law_year_by_year():
    """4 % from October 2022, 8 % from October 2027 (counted from 2028: the 1 January value holds for
    the year, and the year's notes say so)."""
    before = simulate_year(scenario(year=2022), POP, ageing=False, growth=False)
    assert "nssf_pension_contributions" not in before.reform.contributions  # not yet on 1 January 2022
    assert "nssf_pension_contributions" not in {c.scheme for c in before.result.contributions}
    rates = {}
    for year in (2026, 2027, 2028):
        sim = simulate_year(scenario(year=year), POP, ageing=False, growth=False)
        rates[year] = sim.reform.params.nssf_pension_contributions.rate
        if year == 2027:
            assert any("nssf_pension_contributions.rate" in note for note in sim.result.notes)
    assert rates == {2026: 0.04, 2027: 0.04, 2028: 0.08}


@pytest.mark.parametrize("reform, message", [
    ({"nssf_pension_contributions.rate": 1.5}, "nssf_pension_contributions.rate"),
    ({"nssf_pension_contributions.rate": -0.01}, "nssf_pension_contributions.rate"),
    ({"nssf_pension_contributions.worker_share": 1.2}, "nssf_pension_contributions.worker_share"),
    ({"nssf_pension_contributions.wage_floor": 2_000_000}, "floor (2,000,000 riels) is above its ceiling"),
])
def test_bad_contribution_parameters_are_named(reform, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        simulate(scenario(reform), POP)


def test_coverage_counts_the_members_and_public_servants_in_work():
    sim = simulate(scenario(), POP)
    table = sim.tables["coverage"].set_index(["breakdown", "group"])
    w = POP.person_weight()
    status = POP.persons["labour_status"].astype(object).to_numpy()
    covered = POP.persons["nssf_member"].to_numpy() | (status == "public_servant")
    in_work = np.isin(status, ["wage_employee_private", "public_servant", "own_account", "contributing_family_worker",
                               "employer"])
    national = table.loc[("national", "all")]
    assert national["persons in work"] == pytest.approx(w @ in_work, rel=1e-12)
    assert national["covered workers, reform (persons)"] == pytest.approx(w @ (covered & in_work), rel=1e-12)
    assert table.loc[("sector", "agriculture_self_employed"), "covered, baseline (%)"] == 0
    assert table.loc[("status in employment", "public_servant"), "covered, baseline (%)"] == pytest.approx(100)
    for breakdown in ("sector", "sex", "zone", "decile", "status in employment", "age group"):  # each adds up
        rows = table.loc[breakdown]
        assert rows["persons in work"].sum() == pytest.approx(national["persons in work"], rel=1e-12)
        assert rows["covered workers, reform (persons)"].sum() == pytest.approx(
            national["covered workers, reform (persons)"], rel=1e-12)
    none = simulate(scenario(baseline={s + ".active": False for s in SCHEMES}), POP).tables["coverage"]
    assert none.set_index(["breakdown", "group"]).loc[("national", "all"), "covered workers, reform (persons)"] == \
        pytest.approx(w @ ((status == "public_servant") & in_work), rel=1e-12)  # public servants: the NSSF-C


def test_coverage_of_persons_counts_contributors_and_recipients_of_insurance_benefits():
    """SDG 1.3.1 for social insurance: covered workers, and everyone paid a contributory pension, an
    NSSF old-age pension or an unemployment benefit; no dependant."""
    sim = simulate(scenario({"unemployment_insurance_contributions.active": True}, year=2030), POP)
    table = sim.tables["coverage_persons"].set_index(["breakdown", "group"])
    w = POP.person_weight()
    status = POP.persons["labour_status"].astype(object).to_numpy()
    in_work = np.isin(status, ["wage_employee_private", "public_servant", "own_account", "contributing_family_worker",
                               "employer"])
    worker = (POP.persons["nssf_member"].to_numpy() | (status == "public_servant")) & in_work
    paid = {name: np.asarray(sim.reform.benefits[name], dtype=float) > 0
            for name in ("contributory_pensions", "nssf_old_age_pension", "unemployment_insurance_benefit")}
    assert all(p.any() for p in paid.values())
    covered = worker | paid["contributory_pensions"] | paid["nssf_old_age_pension"] | paid["unemployment_insurance_benefit"]
    national = table.loc[("national", "all")]
    assert national["persons"] == pytest.approx(w.sum(), rel=1e-12)
    assert national["covered persons, reform (persons)"] == pytest.approx(w @ covered, rel=1e-12)
    assert not (paid["unemployment_insurance_benefit"] & ~worker).any()  # job losers are insured workers: covered
    assert (paid["nssf_old_age_pension"] & ~worker).any()  # pensioners are covered as recipients
    for breakdown in ("age group", "sex", "zone", "decile"):
        rows = table.loc[breakdown]
        assert rows["persons"].sum() == pytest.approx(national["persons"], rel=1e-12)
        assert rows["covered persons, reform (persons)"].sum() == pytest.approx(
            national["covered persons, reform (persons)"], rel=1e-12)
    older = (POP.persons["age"].to_numpy() >= 65)
    assert table.loc[("age group", "65+"), "covered persons, reform (persons)"] == pytest.approx(
        w @ (covered & older), rel=1e-12)


def test_the_nssf_c_is_off_until_a_scenario_sets_it_and_then_charges_public_servants_only():
    base = simulate(scenario(), POP)
    assert "nssf_c_contributions" not in base.reform.contributions  # its rate was not found: off by default
    sim = simulate(scenario({"nssf_c_contributions.active": True, "nssf_c_contributions.rate": 0.06}), POP)
    wage = year_earnings(POP, sim.economy)
    public = (POP.persons["labour_status"] == "public_servant").to_numpy()
    assert public.any()
    by_hand = np.where(public, 0.06 * np.clip(wage, 400_000, 1_200_000), 0.0)
    assert np.array_equal(sim.reform.contributions["nssf_c_contributions"], by_hand)
    assert revenue(sim, "nssf_c_contributions") == pytest.approx(12 * POP.person_weight() @ by_hand, rel=1e-12)
    cover = sim.tables["coverage"].set_index(["breakdown", "group"]).loc[("national", "all"), "covered, reform (%)"]
    assert cover == pytest.approx(base.tables["coverage"].set_index(["breakdown", "group"]).loc[
        ("national", "all"), "covered, reform (%)"], rel=1e-12)  # public servants were covered already
    assert sim.headline.poverty_rate_change_pp >= 0  # the servants' share comes out of their households' consumption


# ---- the voluntary scheme for workers outside the NSSF ------------------------------------------------
def voluntary(subsidy: float = 0.0, subsidy_for: str = "all", **more) -> dict:
    return {"voluntary_pension_contributions.active": True, "voluntary_pension_contributions.subsidy_share": subsidy,
            "voluntary_pension_contributions.subsidy_for": subsidy_for,
            **{f"voluntary_pension_contributions.{k}": v for k, v in more.items()}}


def members(sim) -> np.ndarray:
    paid = sim.reform.contributions.get("voluntary_pension_contributions", np.zeros(POP.n_persons))
    subsidy = np.asarray(sim.reform.benefits.get("voluntary_pension_subsidy", np.zeros(POP.n_persons)), dtype=float)
    return (paid > 0) | (subsidy > 0)


def test_the_voluntary_scheme_splits_each_contribution_between_member_and_government():
    sim = simulate(scenario(voluntary(0.5, "near_poor", base_take_up=0.2)), POP)
    wage = year_earnings(POP, sim.economy)
    full = np.where(members(sim), 0.04 * np.clip(wage, 400_000, 1_200_000), 0.0)
    paid = sim.reform.contributions["voluntary_pension_contributions"]
    subsidy = np.asarray(sim.reform.benefits["voluntary_pension_subsidy"], dtype=float)
    assert members(sim).sum() > 20 and np.allclose(paid + subsidy, full, rtol=1e-12, atol=1e-9)
    near_poor = (sim.economy.consumption_pc(POP) < 1.5 * sim.economy.poverty_line(POP))[POP.person_household_index] | \
        (POP.household_value("idpoor") > 0)
    assert np.allclose(subsidy, np.where(near_poor, 0.5 * full, 0.0), rtol=1e-12, atol=1e-9)
    status = POP.persons["labour_status"].astype(object).to_numpy()
    joined = members(sim)
    assert not POP.persons["nssf_member"].to_numpy()[joined].any() and not (status[joined] == "public_servant").any()
    assert set(status[joined]) <= {"own_account", "contributing_family_worker", "employer", "wage_employee_private"}
    costs = sim.tables["costs"].set_index("programme")
    assert costs.loc["Voluntary pension subsidy (government)", "cost reform (riels per year)"] == pytest.approx(
        12 * POP.person_weight() @ subsidy * (1 + sim.reform.params.simulation.admin_cost_rate), rel=1e-12)


def test_the_subsidy_is_not_consumed_and_the_members_payment_is():
    """Joining lowers today's consumption by the member's own payment only: the government's part
    goes into the pension account."""
    from microsim.distribution.welfare import welfare
    from microsim.engine.system import load_system

    sim = simulate(scenario(voluntary(0.5, base_take_up=0.2)), POP)
    modules = load_system()[0]
    wb = welfare(POP, sim.baseline, modules, sim.economy)
    wr = welfare(POP, sim.reform, modules, sim.economy, survey_system=wb)
    paid = POP.household_sum(sim.reform.contributions["voluntary_pension_contributions"])
    share = sim.reform.params.simulation.consumed_share
    assert np.allclose(wb.consumption - wr.consumption, share * paid / POP.household_size_float, rtol=1e-12, atol=1e-9)
    assert sim.headline.persons_lifted_out_of_poverty == 0


@settings(max_examples=10, deadline=None)
@given(low=st.floats(0.0, 0.9), extra=st.floats(0.01, 0.5), target=st.sampled_from(["all", "idpoor", "near_poor"]))
def test_a_larger_subsidy_never_lowers_coverage(low, extra, target):
    high = min(low + extra, 1.0)
    less = simulate(scenario(voluntary(low, target)), POP)
    more = simulate(scenario(voluntary(high, target)), POP)
    assert np.all(members(more) >= members(less))  # draws keyed by id: a larger subsidy only adds members
    cover = lambda sim: sim.tables["coverage"].set_index(["breakdown", "group"]).loc[("national", "all"), "covered, reform (%)"]
    assert cover(more) >= cover(less)


def test_a_full_subsidy_still_counts_its_members_as_covered():
    sim = simulate(scenario(voluntary(1.0)), POP)
    assert members(sim).any() and sim.reform.contributions["voluntary_pension_contributions"].max() == 0
    table = sim.tables["coverage"].set_index(["breakdown", "group"])
    assert table.loc[("national", "all"), "change (pp)"] > 0
    status, age = POP.persons["labour_status"].astype(object).to_numpy(), POP.persons["age"].to_numpy()
    eligible = (np.isin(status, ["own_account", "contributing_family_worker", "employer", "wage_employee_private"])
                & ~POP.persons["nssf_member"].to_numpy() & (age >= 18) & (age <= 59))
    assert not members(sim)[~eligible].any()
    take_up = members(sim).sum() / eligible.sum()
    assert abs(take_up - 0.5) < 4 * np.sqrt(0.25 / eligible.sum())  # max_take_up, to sampling noise


def test_the_subsidy_follows_the_scheme_and_costs_nothing_without_it():
    base = simulate(scenario(), POP)
    assert "voluntary_pension_subsidy" not in base.reform.benefits
    assert "voluntary_pension_contributions" not in base.reform.contributions
    with pytest.raises(SpecError, match="`voluntary_pension_subsidy.active` is ignored.*Set `voluntary_pension_contributions.active`"):
        simulate(scenario({"voluntary_pension_subsidy.active": True}), POP)  # its own switch is a mistake, said so
    with pytest.raises(SpecError, match="base_take_up"):
        simulate(scenario(voluntary(0.2, base_take_up=0.9, max_take_up=0.5)), POP)


# ---- unemployment insurance ---------------------------------------------------------------------------
def test_the_balancing_rate_makes_unemployment_insurance_revenue_equal_its_cost():
    reform = {"unemployment_insurance_contributions.active": True}
    first = simulate(scenario(reform), POP)
    scheme = next(c for c in first.result.contributions if c.scheme == "unemployment_insurance_contributions")
    cost = first.tables["costs"].set_index("programme").loc["Unemployment insurance benefit", "cost reform (riels per year)"]
    assert 0 < scheme.balancing_rate_reform < 0.05 and cost > 0
    balanced = simulate(scenario({**reform, "unemployment_insurance_contributions.rate": scheme.balancing_rate_reform}), POP)
    assert revenue(balanced, "unemployment_insurance_contributions") == pytest.approx(cost, rel=1e-12)
    assert next(c for c in balanced.result.contributions if c.scheme == "total").balancing_rate_reform is None
    assert all(c.balancing_rate_reform is None for c in first.result.contributions  # only a scheme that pays benefits
               if c.scheme not in ("unemployment_insurance_contributions", "nssf_pension_contributions"))


def test_the_unemployment_benefit_is_its_formula_for_the_insured_who_lose_their_job():
    sim = simulate(scenario({"unemployment_insurance_contributions.active": True,
                             "unemployment_insurance_contributions.job_loss_incidence": 0.2}), POP)
    wage = np.where(POP.persons["nssf_member"].to_numpy(), np.clip(year_earnings(POP, sim.economy), 400_000, 1_200_000), 0.0)
    paid = np.asarray(sim.reform.benefits["unemployment_insurance_benefit"], dtype=float)
    claims = paid > 0
    assert claims.any() and not claims[wage == 0].any()
    assert np.allclose(paid[claims], 0.5 * wage[claims] * 3 / 12, rtol=1e-12)
    share = claims.sum() / (wage > 0).sum()
    assert abs(share - 0.2) < 4 * np.sqrt(0.2 * 0.8 / (wage > 0).sum())
    more = simulate(scenario({"unemployment_insurance_contributions.active": True,
                              "unemployment_insurance_contributions.job_loss_incidence": 0.3}), POP)
    assert np.all(np.asarray(more.reform.benefits["unemployment_insurance_benefit"]) >= paid)  # draws keyed by id


# ---- the mandatory schemes extended to small enterprises ---------------------------------------------
def test_the_extension_enrols_the_same_workers_in_every_scheme_and_only_adds():
    half = simulate(scenario({"nssf_pension_contributions.extension_share": 0.5}), POP)
    more = simulate(scenario({"nssf_pension_contributions.extension_share": 0.8}), POP)
    member = POP.persons["nssf_member"].to_numpy()
    private = POP.persons["labour_status"].astype(object).to_numpy() == "wage_employee_private"
    paying = {s: half.reform.contributions[s] > 0 for s in SCHEMES}
    working_age = POP.persons["age"].to_numpy() <= 59  # the pension scheme's contributors stop at 60
    assert np.array_equal(paying["nssf_pension_contributions"], paying["nssf_health_contributions"] & working_age)
    assert np.array_equal(paying["nssf_health_contributions"], paying["nssf_occupational_risk_contributions"])
    joined = paying["nssf_health_contributions"] & ~member
    assert np.all(private[joined]) and np.all(paying["nssf_health_contributions"][member])
    outside = private & ~member
    assert abs(joined.sum() / outside.sum() - 0.5) < 4 * np.sqrt(0.25 / outside.sum())
    assert np.all((more.reform.contributions["nssf_health_contributions"] > 0) >= paying["nssf_health_contributions"])
    wage = year_earnings(POP, half.economy)
    assert np.array_equal(half.reform.contributions["nssf_health_contributions"],
                          np.where(paying["nssf_health_contributions"], 0.026 * np.clip(wage, 200_000, 1_200_000), 0.0))
    assert half.headline.contributions_change_riels_per_year > 0 and half.headline.cost_change_riels_per_year == 0
    none = simulate(scenario({"nssf_pension_contributions.extension_share": 0.0}), POP)
    assert none.headline.contributions_change_riels_per_year == 0 and none.headline.poverty_rate_change_pp == 0



def test_cached_and_uncached_systems_agree_when_a_module_reads_an_inactive_schemes_parameters():
    """The health and occupational-risk schemes read the pension scheme's extension share even in a
    year the pension scheme is not yet in force (2021): the module cache must see it."""
    from microsim.engine.system import load_system, run_system

    modules, tree = load_system()
    reform = tree.with_overrides({"nssf_pension_contributions.extension_share": 0.5}, "test")
    sim = simulate(scenario(year=2021), POP)
    run = dict(pop=POP, modules=modules, date=sim.scenario.date, macro=sim.macro, economy=sim.economy)
    cache = {}
    run_system(tree=tree, cache=cache, **run)
    cached = run_system(tree=reform, cache=cache, **run)
    fresh = run_system(tree=reform, **run)
    assert "nssf_pension_contributions" not in fresh.contributions  # not in force on 1 January 2021
    for scheme in ("nssf_health_contributions", "nssf_occupational_risk_contributions"):
        assert np.array_equal(cached.contributions[scheme], fresh.contributions[scheme])
        assert fresh.contributions[scheme].sum() > run_system(tree=tree, **run).contributions[scheme].sum()


def test_no_worker_is_enrolled_twice_by_the_extension_and_the_voluntary_scheme():
    sim = simulate(scenario({**voluntary(0.5, base_take_up=0.3), "nssf_pension_contributions.extension_share": 0.5,
                             "unemployment_insurance_contributions.active": True}), POP)
    nssf = sim.reform.contributions["nssf_health_contributions"] > 0  # every insured worker (pension: to 59)
    assert not (members(sim) & nssf).any()
    assert np.array_equal(sim.reform.contributions["unemployment_insurance_contributions"] > 0, nssf)


def test_incidence_nets_the_workers_contributions_from_the_benefits():
    sim = simulate(scenario(voluntary(0.5, base_take_up=0.2)), POP)
    incidence = sim.tables["incidence"]
    column = "net change after workers' contributions (riels per person per month)"
    deciles = pre_transfer_deciles(sim.population, sim.economy.consumption_pc(sim.population))
    persons = np.bincount(deciles, sim.population.households["weight"].to_numpy() * sim.population.household_size_float,
                          minlength=10)
    paid = sim.population.households["weight"].to_numpy() @ sim.population.household_sum(
        sim.reform.contributions["voluntary_pension_contributions"])
    assert (incidence[column] * persons).sum() == pytest.approx(-paid, rel=1e-9)  # no benefit is consumed: the subsidy goes to the account
    assert (incidence["extra benefit (riels per person per month)"] == 0).all()


def test_the_headline_carries_the_national_coverage_and_the_sweep_shows_it():
    from microsim.studies.sweep import Variant, run_variants, variants_table

    sim = simulate(scenario({"nssf_pension_contributions.extension_share": 0.5}), POP)
    workers = sim.tables["coverage"].set_index(["breakdown", "group"]).loc[("national", "all")]
    persons = sim.tables["coverage_persons"].set_index(["breakdown", "group"]).loc[("national", "all")]
    h = sim.headline
    assert (h.workers_covered_baseline_pct, h.workers_covered_reform_pct) == (
        workers["covered, baseline (%)"], workers["covered, reform (%)"])
    assert (h.persons_covered_baseline_pct, h.persons_covered_reform_pct) == (
        persons["covered, baseline (%)"], persons["covered, reform (%)"])
    assert h.workers_covered_reform_pct > h.workers_covered_baseline_pct  # the extension enrols workers
    variants = [Variant("none", {"nssf_pension_contributions.extension_share": 0.0}),
                Variant("half", {"nssf_pension_contributions.extension_share": 0.5})]
    table = variants_table(variants, run_variants(scenario(), POP, variants, ageing=False, growth=False))
    raised = table.set_index("variant")["social insurance contributions, change (riels per year)"]
    assert raised["none"] == 0 and raised["half"] > 0
    covered = table.set_index("variant")["persons in work covered by social insurance, reform (%)"]
    assert covered["half"] > covered["none"]


def test_a_population_without_work_columns_is_run_with_a_note_saying_what_the_model_does_instead():
    from microsim.population.population import Population

    persons = POP.persons.drop(columns=["labour_status", "earnings", "nssf_member"])
    bare = Population.from_tables(POP.households.copy(), persons, source="survey without work columns")
    sim = simulate(scenario(), bare)
    notes = " ".join(sim.result.notes)
    for column in ("labour_status", "earnings", "nssf_member"):
        assert f"no `{column}` column" in notes, column
    assert revenue(sim, "nssf_pension_contributions") == 0  # nobody insured without the column
    assert not any("column:" in n for n in simulate(scenario(), POP).result.notes)  # the shipped kind has them all
