"""The contributory measure of ``microsim cost`` and the costing workbook: insured persons x
insurable wage x the scheme's rate in force each year x 12, equal to the microsimulation's revenue
in the first year, the same in Python and in the workbook's formulas, linear in the rate."""

import dataclasses

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microsim.cli import main
from microsim.engine.costing_measures import ContributionMeasure
from microsim.engine.scenario import load_scenario
from microsim.paths import DEFAULT_POPULATION
from microsim.population.io import read_population
from microsim.studies.costing import REVENUE, checks, contribution_costs, costing_inputs, measures_of
from microsim.studies.run import simulate_year

DEFAULT = read_population(DEFAULT_POPULATION)
YEARS = [2026, 2027, 2028, 2033]
INPUTS = costing_inputs(DEFAULT, YEARS)
SMALL = load_scenario("policies/scenarios/nssf_small_enterprises.yaml")
UI = load_scenario("policies/scenarios/unemployment_insurance.yaml")


def revenue_of(sim, scheme: str) -> float:
    return next(c for c in sim.result.contributions if c.scheme == scheme).revenue_reform_riels_per_year


def schemes(measures) -> dict[str, ContributionMeasure]:
    return {m.name: m for m in measures if isinstance(m, ContributionMeasure)}


def test_the_extension_is_costed_in_every_scheme_it_enrols_and_the_first_year_equals_the_run():
    found = schemes(measures_of(SMALL, DEFAULT, 2026))
    assert set(found) == {"nssf_pension_contributions", "nssf_health_contributions",
                          "nssf_occupational_risk_contributions"}  # the extension's share is read by all three
    sim = simulate_year(SMALL, DEFAULT, 2026)
    for name, m in found.items():
        first = contribution_costs(m, INPUTS).iloc[0]
        assert first[REVENUE] == pytest.approx(revenue_of(sim, name), rel=1e-9), name
        assert first["workers' part (riels)"] == pytest.approx(first[REVENUE] * m.worker_share, rel=1e-12)


def test_the_rate_follows_the_law_year_by_year_and_the_arithmetic_is_exact():
    pension = schemes(measures_of(SMALL, DEFAULT, 2026))["nssf_pension_contributions"]
    assert [pension.rate_in(y) for y in YEARS] == [0.04, 0.04, 0.08, 0.1075]  # 1 January: October's rise next year
    table = contribution_costs(pension, INPUTS).set_index("year")
    for y in YEARS:
        persons = INPUTS.population.loc[pension.min_age:pension.max_age, y].sum()
        by_hand = persons * pension.insured_share * pension.wage_in(y) * pension.rate_in(y) * 12
        assert table.loc[y, REVENUE] == pytest.approx(by_hand, rel=1e-12)
    wages = [pension.wage_in(y) for y in YEARS]
    assert 400_000 < wages[0] < wages[1] < wages[2] < wages[3] < 1_200_000  # grown, within the band
    earnings = [INPUTS.earnings[y] for y in YEARS]
    assert wages[3] / wages[0] < earnings[3] / earnings[0]  # the nominal ceiling binds more as earnings grow


def test_a_later_year_stays_near_the_microsimulation():
    """Held shares and the first year's contributors' wages grown within the band: close to the run of
    that year, not equal (the run reweights them)."""
    pension = schemes(measures_of(SMALL, DEFAULT, 2026))["nssf_pension_contributions"]
    later = contribution_costs(pension, INPUTS).set_index("year").loc[2028, REVENUE]
    assert later == pytest.approx(revenue_of(simulate_year(SMALL, DEFAULT, 2028), "nssf_pension_contributions"),
                                  rel=0.05)


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0, 5), st.sampled_from(YEARS))
def test_revenue_is_linear_in_the_rate_and_a_zero_rate_raises_nothing(factor, year):
    pension = schemes(measures_of(SMALL, DEFAULT, 2026))["nssf_pension_contributions"] if not CACHE else CACHE[0]
    CACHE[:] = [pension]
    scaled = dataclasses.replace(pension, rates=tuple((y, r * factor) for y, r in pension.rates))
    base = contribution_costs(pension, INPUTS).set_index("year").loc[year, REVENUE]
    assert contribution_costs(scaled, INPUTS).set_index("year").loc[year, REVENUE] == pytest.approx(
        factor * base, rel=1e-12, abs=1e-6)


CACHE: list = []


def test_a_schemes_benefit_grows_with_its_insurable_wage_and_agrees_with_the_run():
    measures = measures_of(UI, DEFAULT, 2026)
    benefit = next(m for m in measures if m.name == "unemployment_insurance_benefit")  # costed with its scheme
    scheme = schemes(measures)["unemployment_insurance_contributions"]
    (first, start), (last, end) = scheme.wages[0], scheme.wages[-1]
    assert benefit.indexation == "fixed"  # a share of the contributable wage: it grows as the band lets wages grow
    assert (1 + benefit.indexation_rate / 100) ** (last - first) == pytest.approx(end / start, rel=1e-12)
    later = contribution_costs(scheme, INPUTS).set_index("year")
    micro = simulate_year(UI, DEFAULT, 2033)
    cost = next(p for p in micro.result.programmes if p.programme == "unemployment_insurance_benefit")
    from microsim.studies.costing import measure_costs

    quick = measure_costs(benefit, INPUTS).set_index("year").loc[2033, "annual cost (riels)"]
    assert quick == pytest.approx(cost.cost_reform_riels_per_year, rel=0.06)  # benefit and revenue both near the run
    assert later.loc[2033, REVENUE] == pytest.approx(revenue_of(micro, "unemployment_insurance_contributions"), rel=0.06)
    found = checks(UI, DEFAULT, measures, INPUTS)
    for c in found:  # the first year equals the run, benefit and revenue alike
        assert c["workbook"] == pytest.approx(c["microsimulation"], rel=1e-9), c["measure"]


def test_the_workbook_formulas_give_the_python_revenue_and_follow_a_changed_rate(tmp_path):
    import formulas

    folder = tmp_path / "costing"
    result = CliRunner().invoke(main, ["workbook", "policies/scenarios/nssf_small_enterprises.yaml", "--from", "2026",
                                       "--to", "2028", "--out", str(folder), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    path = folder / "workbook.xlsx"
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    inputs = costing_inputs(DEFAULT, [2026, 2027, 2028])
    pension = schemes(measures_of(SMALL, DEFAULT, 2026))["nssf_pension_contributions"]
    python = contribution_costs(pension, inputs)
    key = "nssf_pension_contributions"[:25]  # the sheet key: the name's first 25 characters

    def cell(sol, sheet, ref):
        return float(sol[f"'[{path.name}]{sheet.upper()}'!{ref}"].value[0][0])

    for i in range(3):
        assert abs(cell(solution, f"Calc_{key}", f"E{i + 2}") - python.iloc[i][REVENUE]) < 1.0
        assert cell(solution, f"Calc_{key}", f"F{i + 2}") == python.iloc[i]["contribution rate"]
    # the Summary: no benefit, so the costs' total is 0; the schemes' revenue beside it (health, occupational
    # risk, pension: columns D, E, F), read from their Calc_ sheets
    assert cell(solution, "Summary", "B2") == 0
    assert cell(solution, "Summary", "F2") == pytest.approx(python.iloc[0][REVENUE] / 1e9, rel=1e-12)
    from microsim.reporting.costing_workbook import CONTRIBUTION_PARAMS

    rate_2028 = f"'[{path.name}]PARAM_{key.upper()}'!B{len(CONTRIBUTION_PARAMS) + 4 + 2}"  # the 2028 row of the rates
    doubled = model.calculate(inputs={rate_2028: 0.16})
    assert cell(doubled, f"Calc_{key}", "E4") == pytest.approx(2 * python.iloc[2][REVENUE], rel=1e-12)
    assert cell(doubled, f"Calc_{key}", "E3") == pytest.approx(python.iloc[1][REVENUE], rel=1e-12)


def test_microsim_cost_prints_the_revenue_and_writes_it_to_the_csv(tmp_path):
    out = tmp_path / "costs.csv"
    result = CliRunner().invoke(main, ["cost", "policies/scenarios/unemployment_insurance.yaml", "--from", "2026",
                                       "--to", "2027", "--csv", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "raised (revenue)" in result.output and "revenue, not a cost" in result.output
    import pandas as pd

    table = pd.read_csv(out)
    assert set(table["measure"]) == {"unemployment_insurance_benefit", "unemployment_insurance_contributions"}
    revenue = table[table["measure"] == "unemployment_insurance_contributions"]
    assert revenue["annual cost (riels)"].isna().all() and (revenue[REVENUE] > 0).all()


def test_the_summary_total_is_the_benefits_cost_and_never_the_revenue(tmp_path):
    """A scheme with a benefit: the Summary's total is the benefit's cost alone, its revenue in a
    column of its own (the workbook's formulas evaluated)."""
    import formulas

    from microsim.reporting.costing_workbook import write_costing_workbook

    years = [2026, 2027]
    measures = measures_of(UI, DEFAULT, 2026)
    inputs = costing_inputs(DEFAULT, years)
    path = tmp_path / "w.xlsx"
    write_costing_workbook(path, "ui", measures, inputs, checks(UI, DEFAULT, measures, inputs), "default")
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()

    def cell(ref):
        return float(solution[f"'[{path.name}]SUMMARY'!{ref}"].value[0][0])

    from microsim.studies.costing import measure_costs

    benefit = next(m for m in measures if m.name == "unemployment_insurance_benefit")
    scheme = schemes(measures)["unemployment_insurance_contributions"]
    for row, year in ((2, 0), (3, 1)):  # columns: year, the benefit, total, total % of GDP, the scheme's revenue
        cost = measure_costs(benefit, inputs).iloc[year]["annual cost (riels)"] / 1e9
        assert cell(f"B{row}") == pytest.approx(cost, rel=1e-12)
        assert cell(f"C{row}") == pytest.approx(cost, rel=1e-12)  # the total: the benefit alone
        assert cell(f"E{row}") == pytest.approx(contribution_costs(scheme, inputs).iloc[year][REVENUE] / 1e9, rel=1e-12)



def test_the_voluntary_schemes_revenue_is_what_members_pay_and_its_subsidy_a_cost_counted_once():
    """The government's half of a subsidised member's contribution is costed as a benefit; the
    scheme's revenue is what members pay, as in the run (the subsidy is not revenue as well)."""
    informal = load_scenario("policies/scenarios/informal_pension_extension.yaml")
    measures = measures_of(informal, DEFAULT, 2026)
    scheme = schemes(measures)["voluntary_pension_contributions"]
    assert 0.5 < scheme.collected_share < 1.0  # half is paid for the subsidised members only
    sim = simulate_year(informal, DEFAULT, 2026)
    first = contribution_costs(scheme, INPUTS).iloc[0]
    assert first[REVENUE] == pytest.approx(revenue_of(sim, "voluntary_pension_contributions"), rel=1e-9)
    full = first["insured (persons)"] * first["insurable wage (riels per insured per month)"] * \
        first["contribution rate"] * 12
    subsidy = next(p for p in sim.result.programmes if p.programme == "voluntary_pension_subsidy")
    assert full - first[REVENUE] == pytest.approx(subsidy.cost_reform_riels_per_year, rel=1e-9)  # members + subsidy
    found = {c["measure"]: c for c in checks(informal, DEFAULT, measures, INPUTS)}
    for name in ("voluntary_pension_contributions", "voluntary_pension_subsidy"):
        assert found[name]["workbook"] == pytest.approx(found[name]["microsimulation"], rel=1e-9), name


def test_a_rate_only_reform_costs_the_pension_scheme_alone(tmp_path):
    """The health and occupational-risk schemes read the pension scheme's extension share, not its
    rate: a reform of the rate alone leaves what they raise unchanged, so they are not costed."""
    scenario = tmp_path / "rate.yaml"
    scenario.write_text("name: rate\nyear: 2026\nreform:\n  nssf_pension_contributions.rate: 0.06\n")
    found = schemes(measures_of(load_scenario(scenario), DEFAULT, 2026))
    assert set(found) == {"nssf_pension_contributions"}
    assert {m.rate_in(y) for m in found.values() for y in YEARS} == {0.06}


def test_a_reform_of_the_maturing_pension_is_refused_by_the_cohort_costing_with_a_pointer(tmp_path):
    scenario = tmp_path / "minimum.yaml"
    scenario.write_text("name: minimum\nyear: 2026\nreform:\n  nssf_old_age_pension.minimum_amount: 500000\n")
    result = CliRunner().invoke(main, ["cost", str(scenario), "--from", "2026", "--to", "2028"])
    assert result.exit_code != 0
    assert "maturing scheme" in result.output and "microsim project" in result.output
    assert str(scenario) in result.output
