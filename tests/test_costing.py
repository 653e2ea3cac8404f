"""Quick costing and the live workbook: the same arithmetic in Python and in Excel formulas, and
equal to the microsimulation for a universal age-based benefit."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from microsim.cli import main
from microsim.engine.costing_measures import ShockMeasure
from microsim.studies.costing import costing_inputs, costs_of, measure_costs, measures_of
from microsim.reporting.costing_workbook import KEY_LENGTH, SHOCK_PARAMS
from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION
from microsim.studies.run import simulate_year
from microsim.engine.scenario import load_scenario
from microsim.synth.members import PREGNANCY_MONTHS
from microsim.synth.spec import load_spec

DEFAULT = read_population(DEFAULT_POPULATION)
SPEC = load_spec()
BOTH = load_scenario("policies/scenarios/social_pension_and_child_benefit.yaml")
YEARS = [2026, 2027, 2028]
MEASURES = measures_of(BOTH, DEFAULT, 2026)
INPUTS = costing_inputs(DEFAULT, YEARS)


def test_cost_equals_run_for_a_universal_age_based_benefit_with_full_take_up():
    child = next(m for m in MEASURES if m.name == "child_benefit")
    assert child.coverage == 1.0 and child.take_up == 1.0
    for year in YEARS:
        sim = simulate_year(BOTH, DEFAULT, year)
        micro = next(p for p in sim.result.programmes if p.programme == "child_benefit").cost_reform_riels_per_year
        quick = measure_costs(child, INPUTS).set_index("year").loc[year, "annual cost (riels)"]
        assert quick == pytest.approx(micro, rel=1e-12)


def test_the_pension_tested_pension_agrees_in_the_first_year_where_coverage_is_measured():
    """Exact in the first year (coverage is measured there, by construction); in a later year the held
    coverage is an approximation, which must stay close (the share without a pension moves slowly)."""
    pension = next(m for m in MEASURES if m.name == "social_pension")
    micro = next(p for p in simulate_year(BOTH, DEFAULT).result.programmes
                 if p.programme == "social_pension").cost_reform_riels_per_year
    assert measure_costs(pension, INPUTS).iloc[0]["annual cost (riels)"] == pytest.approx(micro, rel=1e-9)
    later = next(p for p in simulate_year(BOTH, DEFAULT, 2028).result.programmes
                 if p.programme == "social_pension").cost_reform_riels_per_year
    assert measure_costs(pension, INPUTS).iloc[2]["annual cost (riels)"] == pytest.approx(later, rel=0.02)


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    """The workbook written by the command, its formulas evaluated by the `formulas` package."""
    import formulas

    folder = tmp_path_factory.mktemp("wb") / "costing"
    result = CliRunner().invoke(main, ["workbook", "policies/scenarios/social_pension_and_child_benefit.yaml",
                                       "--from", "2026", "--to", "2028", "--out", str(folder), "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    path = folder / "workbook.xlsx"
    model = formulas.ExcelModel().loads(str(path)).finish()
    return path, model, model.calculate()


def cell(solution, path: Path, sheet: str, ref: str) -> float:
    key = f"'[{path.name}]{sheet.upper()}'!{ref}"
    return float(solution[key].value[0][0])


def test_workbook_formulas_agree_with_microsim_cost_to_the_riel(evaluated):
    path, _, solution = evaluated
    for m in MEASURES:
        python = measure_costs(m, INPUTS)
        for i, year in enumerate(YEARS):
            excel = cell(solution, path, f"Calc_{m.name[:KEY_LENGTH]}", f"E{i + 2}")
            assert abs(excel - python.iloc[i]["annual cost (riels)"]) < 1.0, (m.name, year)


def test_changing_an_input_changes_the_costs(evaluated):
    path, model, solution = evaluated
    before = cell(solution, path, "Calc_child_benefit", "E2")
    amount_cell = f"'[{path.name}]PARAM_CHILD_BENEFIT'!B7"  # the named cell child_benefit_amount
    after_solution = model.calculate(inputs={amount_cell: 120000})
    after = cell(after_solution, path, "Calc_child_benefit", "E2")
    assert after == pytest.approx(2 * before, rel=1e-12)


def test_the_scenarios_drop_down_switches_every_measure(evaluated):
    path, model, solution = evaluated
    scenarios = f"'[{path.name}]SCENARIOS'"
    before = {name: cell(solution, path, f"Calc_{name}", "E2") for name in ("child_benefit", "social_pension")}
    # the switch at 0: the chosen row is ignored
    ignored = model.calculate(inputs={f"{scenarios}!B1": "amount +50 %"})
    assert cell(ignored, path, "Calc_child_benefit", "E2") == pytest.approx(before["child_benefit"], rel=1e-12)
    raised = model.calculate(inputs={f"{scenarios}!B1": "amount +50 %", f"{scenarios}!B2": 1})
    for name, value in before.items():
        assert cell(raised, path, f"Calc_{name}", "E2") == pytest.approx(1.5 * value, rel=1e-12), name
    universal = model.calculate(inputs={f"{scenarios}!B1": "everyone reached, full take-up", f"{scenarios}!B2": 1})
    pension = next(m for m in MEASURES if m.name == "social_pension")
    assert cell(universal, path, "Calc_social_pension", "E2") == pytest.approx(
        before["social_pension"] / (pension.coverage * pension.take_up), rel=1e-9)


def test_the_workbook_opens_with_numbers_and_named_inputs(evaluated):
    import openpyxl

    path = evaluated[0]
    book = openpyxl.load_workbook(path, data_only=True)
    assert {"README", "Inputs_Macro", "Inputs_Population", "Inputs_Demography", "Scenarios", "Param_child_benefit",
            "Calc_child_benefit", "Summary", "Checks"} <= set(book.sheetnames)
    assert book["Inputs_Demography"]["B2"].value == pytest.approx(INPUTS.demography.iloc[0, 0])
    assert book["Calc_child_benefit"]["E2"].value > 0  # cached values: numbers before recalculation
    formulas_book = openpyxl.load_workbook(path)
    assert str(formulas_book["Calc_child_benefit"]["E2"].value).startswith("=")
    assert "child_benefit_amount" in formulas_book.defined_names
    assert formulas_book["Calc_child_benefit"].protection.sheet


def test_the_workbook_is_written_in_a_run_folder_that_records_its_inputs(evaluated):
    import json

    import pandas as pd

    folder = evaluated[0].parent
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == "microsim-run/1" and manifest["kind"] == "costing"
    assert set(manifest["files"]) >= {"workbook.xlsx", "report.md", "report.html", "summary.json", "tables/costs.csv",
                                      "tables/totals.csv", "tables/checks.csv", "charts/cost_by_measure.png"}
    assert manifest["years"] == YEARS and manifest["scenario"]["sha256"] == BOTH.sha256
    assert "policies/parameters/social_pension.yaml" in manifest["inputs"]
    assert manifest["population"]["content_sha256"] == DEFAULT.content_hash()
    costs = pd.read_csv(folder / "tables" / "costs.csv")
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["format"] == "microsim-costing/1" and summary["years"] == YEARS
    for m in MEASURES:
        python = measure_costs(m, INPUTS)["annual cost (riels)"].to_numpy()
        table = costs[costs["measure"] == m.name]["annual cost (riels)"].to_numpy()
        assert np.allclose(table, python, rtol=1e-12, atol=0.01)
        recorded = next(x for x in summary["measures"] if x["name"] == m.name)
        assert [y["cost_riels"] for y in recorded["years"]] == pytest.approx(python, rel=1e-12)
    totals = [sum(measure_costs(m, INPUTS).iloc[i]["annual cost (riels)"] for m in MEASURES) for i in range(len(YEARS))]
    assert [t["cost_riels"] for t in summary["total"]] == pytest.approx(totals, rel=1e-12)
    assert [c["measure"] for c in summary["checks"]] == [m.name for m in MEASURES]
    assert "Annual cost by measure" in (folder / "report.md").read_text()


def test_a_workbook_file_name_for_out_is_refused_and_nothing_written(tmp_path):
    out = tmp_path / "costing.xlsx"
    result = CliRunner().invoke(main, ["workbook", "policies/scenarios/child_benefit_2_5.yaml", "--out", str(out)])
    assert result.exit_code == 2 and "writes a run folder" in result.output and str(out.with_suffix("")) in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_workbook_never_replaces_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    result = CliRunner().invoke(main, ["workbook", "policies/scenarios/child_benefit_2_5.yaml", "--to", "2026",
                                       "--out", str(tmp_path / "mine"), "--overwrite", "-q"])
    assert result.exit_code == 2 and "not written by microsim" in result.output
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


def test_the_demography_inputs_are_the_projection_s():
    from microsim.population.ageing import bring_to_year

    for year in YEARS[:2]:
        pop = bring_to_year(DEFAULT, year)[0]
        row = INPUTS.demography.loc[year]
        w = pop.person_weight()
        assert row["births (persons aged 0)"] == pytest.approx(INPUTS.population.loc[0, year])
        assert row["persons with a disability (persons)"] == pytest.approx(float(w @ pop.persons["disabled"].to_numpy()))
        # a calibration target held in every year
        assert row["IDPoor households (households)"] == pytest.approx(SPEC.published("idpoor_households"), rel=1e-6)
        assert row["IDPoor coverage (share)"] == pytest.approx(row["persons in IDPoor households (persons)"] / w.sum())


@pytest.mark.parametrize("args, message", [
    (["policies/scenarios/baseline.yaml"], "no measure cohort costing can express"),
    (["policies/scenarios/child_benefit_2_5.yaml", "--from", "2030", "--to", "2026"], "is after --to"),
    (["policies/scenarios/child_benefit_2_5.yaml", "--from", "2010"], "cannot be simulated"),
])
def test_bad_costing_requests_are_refused(args, message):
    result = CliRunner().invoke(main, ["cost", *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_any_flat_person_benefit_is_a_measure(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nyear: 2026\nreform:\n  disability_allowance.amount: 100000\n"
                        "  family_package_older_persons.amount: 60000\n")
    measures = {m.name: m for m in measures_of(load_scenario(scenario), DEFAULT, 2026)}
    assert set(measures) == {"disability_allowance", "family_package_older_persons"}
    older = measures["family_package_older_persons"]
    assert (older.min_age, older.max_age) == (60, 100) and 0 < older.coverage < 1
    micro = next(p for p in simulate_year(load_scenario(scenario), DEFAULT).result.programmes
                 if p.programme == "family_package_older_persons").cost_reform_riels_per_year
    assert measure_costs(older, INPUTS).iloc[0]["annual cost (riels)"] == pytest.approx(micro, rel=1e-9)


def test_administration_and_one_off_amounts_are_costed_as_the_model_does(tmp_path):
    """Administration at 5 % and a one-off lump sum (a YAML benefit): cost equals run exactly."""
    from microsim.engine.modules import REGISTRY
    from microsim.engine.yaml_benefits import RULES, register

    benefit = tmp_path / "birth_grant.yaml"
    benefit.write_text("birth_grant:\n  label: Birth grant\n  entity: person\n  eligibility: {age: [0, 0]}\n"
                       "  active: {description: a, unit: flag, values: {2019-01-01: {value: false, reference: t}}}\n"
                       "  amount: {description: a, unit: 'riels per person, one-off', min: 0, "
                       "values: {2019-01-01: {value: 1200000, reference: t}}}\n")
    register(benefit)
    try:
        scenario = tmp_path / "s.yaml"
        scenario.write_text("name: s\nyear: 2026\nbaseline:\n  simulation.admin_cost_rate: 0.05\nreform:\n"
                            "  birth_grant.active: true\n  child_benefit.active: true\n  child_benefit.amount: 60000\n")
        sc = load_scenario(scenario)
        measures = {m.name: m for m in measures_of(sc, DEFAULT, 2026)}
        grant = measures["birth_grant"]
        assert (grant.min_age, grant.max_age, grant.months, grant.admin_rate) == (0, 0, 1.0, 0.05)
        inputs = costing_inputs(DEFAULT, [2026, 2027])
        for year in (2026, 2027):
            micro = {p.programme: p.cost_reform_riels_per_year for p in simulate_year(sc, DEFAULT, year).result.programmes}
            for name in ("birth_grant", "child_benefit"):
                quick = measure_costs(measures[name], inputs).set_index("year").loc[year, "annual cost (riels)"]
                assert quick == pytest.approx(micro[name], rel=1e-12), (name, year)
    finally:
        REGISTRY.pop("birth_grant", None)
        RULES.pop("birth_grant", None)


def test_a_sex_rule_costs_one_sex_in_python_and_in_the_workbook(tmp_path):
    """A YAML benefit for women 60+: the workbook's SUMIFS over the female population sheet gives
    the Python cost, and both equal the microsimulation in the first year."""
    import formulas

    from microsim.studies.costing import checks
    from microsim.reporting.costing_workbook import write_costing_workbook
    from microsim.engine.modules import REGISTRY
    from microsim.engine.yaml_benefits import RULES, register

    benefit = tmp_path / "older_women.yaml"
    benefit.write_text("older_women:\n  label: Older women\n  entity: person\n  eligibility: {sex: female, age: [60, 110]}\n"
                       "  active: {description: a, unit: flag, values: {2019-01-01: {value: false, reference: t}}}\n"
                       "  amount: {description: a, unit: riels per person per month, min: 0, "
                       "values: {2019-01-01: {value: 50000, reference: t}}}\n")
    register(benefit)
    try:
        scenario = tmp_path / "s.yaml"
        scenario.write_text("name: s\nyear: 2026\nreform:\n  older_women.active: true\n")
        sc = load_scenario(scenario)
        (m,) = measures_of(sc, DEFAULT, 2026)
        assert (m.sex, m.min_age, m.coverage) == ("female", 60, 1.0)
        inputs = costing_inputs(DEFAULT, [2026, 2027])
        python = measure_costs(m, inputs)
        micro = next(p for p in simulate_year(sc, DEFAULT).result.programmes if p.programme == "older_women")
        assert python.iloc[0]["annual cost (riels)"] == pytest.approx(micro.cost_reform_riels_per_year, rel=1e-12)
        path = tmp_path / "w.xlsx"
        write_costing_workbook(path, "s", [m], inputs, checks(sc, DEFAULT, [m], inputs), "default")
        solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
        for i in range(2):
            excel = float(solution[f"'[w.xlsx]CALC_OLDER_WOMEN'!E{i + 2}"].value[0][0])
            assert abs(excel - python.iloc[i]["annual cost (riels)"]) < 1.0
    finally:
        REGISTRY.pop("older_women", None)
        RULES.pop("older_women", None)


def test_the_shock_response_is_a_household_measure_in_python_and_in_the_workbook(tmp_path):
    """Households of the hit zones x share hit x (IDPoor and near-poor shares x amounts) x months,
    weighted by the trigger probability; the first year equals the microsimulation to the riel."""
    import formulas

    from microsim.studies.costing import checks, costs_of, first_year_simulation

    scenario = load_scenario("docs/training/scenarios/flood_response_expected.yaml")
    sim = first_year_simulation(scenario, DEFAULT, 2026)
    (measure,) = measures_of(scenario, DEFAULT, 2026, sim=sim)
    assert isinstance(measure, ShockMeasure) and measure.zones == ("rural",) and measure.expected
    inputs = costing_inputs(DEFAULT, [2026, 2027])
    python = costs_of(measure, inputs)
    (check,) = checks(scenario, DEFAULT, [measure], inputs, sim=sim)
    assert check["workbook"] == pytest.approx(check["microsimulation"], abs=1.0)
    assert python.iloc[0]["annual cost (riels)"] == pytest.approx(
        python.iloc[0]["cost in a shock year (riels)"] * measure.trigger_probability)

    result = CliRunner().invoke(main, ["workbook", "docs/training/scenarios/flood_response_expected.yaml", "--from",
                                       "2026", "--to", "2027", "--out", str(tmp_path / "flood"), "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    path = tmp_path / "flood" / "workbook.xlsx"
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    for i in range(2):
        assert cell(solution, path, "Calc_shock_response", f"E{i + 2}") == pytest.approx(
            python.iloc[i]["annual cost (riels)"], abs=1.0)
    # a trainee doubles the trigger probability: the expected cost doubles
    row = [name for name, *_ in SHOCK_PARAMS].index("probability") + 2  # the header is row 1
    probability = f"'[{path.name}]PARAM_SHOCK_RESPONSE'!B{row}"
    doubled = model.calculate(inputs={probability: 2 * measure.trigger_probability})
    assert cell(doubled, path, "Calc_shock_response", "E2") == pytest.approx(2 * python.iloc[0]["annual cost (riels)"])
    # the Scenarios drop-down switches the shock's amounts too (both of them, and nothing else)
    scenarios = f"'[{path.name}]SCENARIOS'"
    halved = model.calculate(inputs={f"{scenarios}!B1": "amount -50 %", f"{scenarios}!B2": 1})
    assert cell(halved, path, "Calc_shock_response", "E2") == pytest.approx(
        0.5 * python.iloc[0]["annual cost (riels)"], rel=1e-12)
    assert cell(halved, path, "Calc_shock_response", "C2") == pytest.approx(python.iloc[0]["households hit"], rel=1e-12)


def _evaluate_workbook(tmp_path, scenario_text: str, years):
    """Write a scenario, its measures, inputs, the workbook; evaluate the formulas."""
    import formulas

    from microsim.studies.costing import checks
    from microsim.reporting.costing_workbook import write_costing_workbook

    scenario = tmp_path / "s.yaml"
    scenario.write_text(scenario_text)
    sc = load_scenario(scenario)
    measures = measures_of(sc, DEFAULT, years[0])
    inputs = costing_inputs(DEFAULT, years)
    path = tmp_path / "w.xlsx"
    found = checks(sc, DEFAULT, measures, inputs)
    write_costing_workbook(path, "s", measures, inputs, found, "default")
    return sc, measures, inputs, found, path, formulas.ExcelModel().loads(str(path)).finish()


def test_a_maternity_allowance_is_costed_from_births_in_python_and_in_the_workbook(tmp_path):
    """Each birth paid its months before and after: the workbook's eligible cell reads the births row
    of Inputs_Demography; with only months after the birth, the first year equals the
    microsimulation to the riel (the children aged 0 are the births)."""
    sc, (m,), inputs, (check,), path, model = _evaluate_workbook(
        tmp_path, "name: s\nyear: 2026\nreform:\n  maternity_allowance.active: true\n"
                  "  maternity_allowance.months_before_birth: 0\n  maternity_allowance.months_after_birth: 6\n",
        [2026, 2027])
    assert (m.base, m.months, m.coverage) == ("births", 6.0, 1.0)
    python = measure_costs(m, inputs)
    births = inputs.demography[["births (persons aged 0)"]].to_numpy().ravel()
    assert python["eligible (persons)"].tolist() == pytest.approx(list(births))
    assert check["workbook"] == pytest.approx(check["microsimulation"], rel=1e-9)
    solution = model.calculate()
    for i in range(2):
        assert cell(solution, path, "Calc_maternity_allowance", f"E{i + 2}") == pytest.approx(
            python.iloc[i]["annual cost (riels)"], abs=1.0)
    # a trainee raises the births of the first year by a tenth: the cost follows
    births_cell = f"'[{path.name}]INPUTS_DEMOGRAPHY'!B2"
    more = model.calculate(inputs={births_cell: births[0] * 1.1})
    assert cell(more, path, "Calc_maternity_allowance", "E2") == pytest.approx(
        python.iloc[0]["annual cost (riels)"] * 1.1, rel=1e-9)


def test_months_before_birth_are_paid_on_pregnant_women_and_the_difference_is_explained(tmp_path):
    sc, (m,), inputs, (check,), path, _ = _evaluate_workbook(
        tmp_path, "name: s\nyear: 2026\nreform:\n  maternity_allowance.active: true\n", [2026])
    sim = simulate_year(sc, DEFAULT)
    p = sim.reform.params.maternity_allowance  # the parameter file's values
    assert m.months == p.months_before_birth + p.months_after_birth
    benefit = np.asarray(sim.reform.benefits["maternity_allowance"])
    pregnant = sim.population.persons["pregnant"].to_numpy()
    older = sim.population.persons["age"].to_numpy() > 0
    assert np.allclose(benefit[pregnant], p.amount * p.months_before_birth / PREGNANCY_MONTHS)
    assert not benefit[~pregnant & older].any()
    # the microsimulation pays the pregnant women (P) b/9 of the amount a month and the births (N) a/12:
    # 12 x (P x b/9 + N x a/12) against the workbook's N x (b + a), both x amount x (1 + administration)
    first = inputs.demography.iloc[0]
    pregnant_per_birth = first["pregnant women (persons)"] / first["births (persons aged 0)"]
    b, a = p.months_before_birth, p.months_after_birth
    assert check["microsimulation"] / check["workbook"] == pytest.approx(
        (pregnant_per_birth * 12 / PREGNANCY_MONTHS * b + a) / (b + a), rel=1e-9)
    assert f"{pregnant_per_birth * 12:.2f}/12" in check["why"]


def test_idpoor_targeting_of_the_maternity_allowance_is_a_coverage_share():
    from microsim.studies.costing import first_year_simulation

    sc = maternity_scenario(idpoor_only=True)
    sim = first_year_simulation(sc, DEFAULT, 2026)
    (m,) = measures_of(sc, DEFAULT, 2026, sim=sim)
    pop, p = sim.population, sim.reform.params.maternity_allowance
    newborn = pop.persons["age"].to_numpy() == 0
    pregnant = pop.persons["pregnant"].to_numpy()
    in_idpoor = pop.household_value("idpoor") > 0
    w = pop.person_weight()
    reach_after = float(w @ (newborn & in_idpoor)) / float(w @ newborn)
    reach_before = float(w @ (pregnant & in_idpoor)) / float(w @ pregnant)
    before, after = p.months_before_birth, p.months_after_birth
    assert 0 < reach_before < 1 and 0 < reach_after < 1
    assert m.coverage == pytest.approx((before * reach_before + after * reach_after) / (before + after), rel=1e-12)


def test_a_disability_allowance_is_costed_from_prevalence_in_python_and_in_the_workbook(tmp_path):
    """All persons x prevalence x coverage x take-up; everyone reached with full take-up, the first
    year equals the microsimulation to the riel."""
    sc, (m,), inputs, (check,), path, model = _evaluate_workbook(
        tmp_path, "name: s\nyear: 2026\nreform:\n  disability_allowance.idpoor_only: false\n"
                  "  disability_allowance.take_up: 1.0\n", [2026, 2027])
    assert (m.base, m.coverage, m.take_up) == ("disability", 1.0, 1.0)
    assert check["workbook"] == pytest.approx(check["microsimulation"], rel=1e-9)
    python = measure_costs(m, inputs)
    solution = model.calculate()
    for i in range(2):
        assert cell(solution, path, "Calc_disability_allowance", f"E{i + 2}") == pytest.approx(
            python.iloc[i]["annual cost (riels)"], abs=1.0)
    prevalence = f"'[{path.name}]INPUTS_DEMOGRAPHY'!E2"
    doubled = model.calculate(inputs={prevalence: 2 * inputs.demography.iloc[0]["disability prevalence (share)"]})
    assert cell(doubled, path, "Calc_disability_allowance", "E2") == pytest.approx(
        2 * python.iloc[0]["annual cost (riels)"], rel=1e-9)


def scenario_of(reform: dict):
    """A scenario of 2026 with these reform overrides."""
    from microsim.engine.scenario import Scenario

    return Scenario(name="s", year=2026, path=Path("s.yaml"), sha256="", seed=0, reform=reform, baseline={})


def maternity_scenario(**changes):
    """A scenario switching the maternity allowance on, with other parameters changed."""
    return scenario_of({"maternity_allowance.active": True,
                        **{f"maternity_allowance.{k}": v for k, v in changes.items()}})


def test_maternity_coverage_weights_each_phase_by_its_months():
    """Insured pregnant women left out before the birth, every child after it: the coverage is the
    months-weighted reach of the two phases, so the workbook's births x coverage x months pays each
    phase what the microsimulation reaches."""
    from microsim.studies.costing import first_year_simulation

    sc = maternity_scenario(exclude_nssf_members=True)
    sim = first_year_simulation(sc, DEFAULT, 2026)
    (m,) = measures_of(sc, DEFAULT, 2026, sim=sim)
    pop, p = sim.population, sim.reform.params.maternity_allowance
    w = pop.person_weight()
    pregnant = pop.persons["pregnant"].to_numpy()
    insured = pop.persons["nssf_member"].to_numpy()
    reach_before = float(w @ (pregnant & ~insured)) / float(w @ pregnant)
    assert 0 < reach_before < 1
    before, after = p.months_before_birth, p.months_after_birth
    assert m.coverage == pytest.approx((before * reach_before + after * 1.0) / (before + after), rel=1e-12)


def test_the_nssf_cash_benefit_pays_insured_women_a_share_of_their_imputed_wage():
    """Insured pregnant women: replacement rate x monthly earnings x months / 9 (spread over the
    pregnancy), instead of the allowance; the workbook costs the allowance and says so."""
    from microsim.behaviour.earnings import module_earnings

    # NSSF months differ from the months before the birth, so that the two cannot be confused
    sc = maternity_scenario(nssf_cash_benefit=True, nssf_benefit_months=2)
    sim = simulate_year(sc, DEFAULT)
    pop, p = sim.population, sim.reform.params.maternity_allowance
    benefit = np.asarray(sim.reform.benefits["maternity_allowance"])
    insured = pop.persons["nssf_member"].to_numpy() & pop.persons["pregnant"].to_numpy()
    assert insured.any()
    earnings = module_earnings(pop, sim.economy.consumption_pc(pop))
    assert (earnings[insured] > 0).all()
    assert p.nssf_benefit_months != p.months_before_birth
    wage = np.minimum(np.maximum(earnings[insured], p.nssf_wage_floor), p.nssf_wage_ceiling)
    assert (earnings[insured] > p.nssf_wage_ceiling).any()  # the ceiling binds for some
    assert np.allclose(benefit[insured], p.nssf_replacement_rate * wage * p.nssf_benefit_months
                       / PREGNANCY_MONTHS, rtol=1e-12)
    others = pop.persons["pregnant"].to_numpy() & ~insured
    assert np.allclose(benefit[others], p.amount * p.months_before_birth / PREGNANCY_MONTHS)
    inputs = costing_inputs(DEFAULT, [2026, 2027])
    m, nssf = measures_of(sc, DEFAULT, 2026, sim=sim)
    w = pop.person_weight()
    reach_before = float(w @ others) / float(w @ pop.persons["pregnant"].to_numpy())
    before, after = p.months_before_birth, p.months_after_birth
    assert m.coverage == pytest.approx((before * reach_before + after) / (before + after), rel=1e-12)
    # the NSSF's benefit is a measure of its own: births x insured share x average benefit x months
    assert (nssf.name, nssf.base, nssf.months) == ("nssf_maternity_cash", "births", p.nssf_benefit_months)
    assert nssf.coverage == pytest.approx(float(w @ insured) / float(w @ pop.persons["pregnant"].to_numpy()))
    assert nssf.amount == pytest.approx(float(w[insured] @ (p.nssf_replacement_rate * wage)) / float(w @ insured))
    from microsim.studies.costing import checks

    allowance_check, nssf_check = checks(sc, DEFAULT, [m, nssf], inputs, sim=sim)
    micro_total = next(q for q in sim.result.programmes if q.programme == "maternity_allowance").cost_reform_riels_per_year
    assert allowance_check["microsimulation"] + nssf_check["microsimulation"] == pytest.approx(micro_total, rel=1e-12)
    # the population holds pregnant women at 9/12 of births: both parts agree in the first year
    assert nssf_check["workbook"] == pytest.approx(nssf_check["microsimulation"], rel=1e-9)
    assert allowance_check["workbook"] == pytest.approx(allowance_check["microsimulation"], rel=1e-9)
    assert "NSSF" in allowance_check["why"]
    # later years index the average benefit to the CPI (the workbook's formulas: the next test)
    python = measure_costs(nssf, inputs)
    assert python.iloc[1]["benefit (riels per person per month)"] == pytest.approx(nssf.amount * inputs.cpi[2027])


def test_the_nssf_cash_benefit_has_its_own_sheets_in_the_workbook(tmp_path):
    """A benefit whose amount varies by person, costed by its average: the workbook's formulas give
    the Python costing to the riel, and the Checks sheet splits the module's cost between the two."""
    sc, measures, inputs, found, path, model = _evaluate_workbook(
        tmp_path, "name: s\nyear: 2026\nreform:\n  maternity_allowance.active: true\n"
                  "  maternity_allowance.nssf_cash_benefit: true\n", [2026, 2027])
    assert [m.name for m in measures] == ["maternity_allowance", "nssf_maternity_cash"]
    solution = model.calculate()
    nssf = measures[1]
    python = measure_costs(nssf, inputs)
    for i in range(2):
        assert cell(solution, path, "Calc_nssf_maternity_cash", f"E{i + 2}") == pytest.approx(
            python.iloc[i]["annual cost (riels)"], abs=1.0)
    for check in found:
        assert check["workbook"] == pytest.approx(check["microsimulation"], rel=1e-9), check["measure"]


def test_a_benefit_whose_amount_varies_by_person_is_costed_by_its_average(tmp_path):
    """Scholarships (an amount by school level): eligible = the ages paid, coverage = the share of them
    paid, amount = the average paid a month; the first year equals the microsimulation, in Python and
    in the workbook's formulas."""
    sc, (m,), inputs, (check,), path, model = _evaluate_workbook(
        tmp_path, "name: s\nyear: 2026\nreform:\n  family_package_scholarship.take_up: 1.0\n", [2026, 2027])
    sim = simulate_year(sc, DEFAULT)
    amounts = np.asarray(sim.reform.benefits["family_package_scholarship"], dtype=np.float64)
    w, age = sim.population.person_weight(), sim.population.persons["age"].to_numpy()
    assert len(np.unique(amounts[amounts > 0])) > 1  # the amounts do vary
    assert (m.min_age, m.max_age) == (age[amounts > 0].min(), age[amounts > 0].max())
    assert m.amount == pytest.approx(float(w @ amounts) / float(w @ (amounts > 0)), rel=1e-12)
    assert check["workbook"] == pytest.approx(check["microsimulation"], rel=1e-9)
    assert m.average and "average" in check["why"]
    python = measure_costs(m, inputs)
    solution = model.calculate()
    for i in range(2):
        assert cell(solution, path, f"Calc_{m.name[:KEY_LENGTH]}", f"E{i + 2}") == pytest.approx(
            python.iloc[i]["annual cost (riels)"], abs=1.0)


def test_the_five_measures_of_lesson_9_scale_together_with_the_scenarios_drop_down(tmp_path):
    """Every measure kind in one workbook (ages, births, prevalence, households): "amount +50 %"
    raises the Summary's total by exactly half, as lesson 9 says."""
    text = (Path(__file__).parents[1] / "docs" / "training" / "scenarios" / "five_measures.yaml").read_text()
    sc, measures, inputs, found, path, model = _evaluate_workbook(tmp_path, text, [2026])
    people = [m for m in measures if not isinstance(m, ShockMeasure)]
    assert {m.base for m in people} == {"ages", "births", "disability"}
    total = sum(costs_of(m, inputs).iloc[0]["annual cost (riels)"] for m in measures)
    solution = model.calculate()
    column = chr(ord("A") + len(measures) + 1)  # year, one column per measure, then the total
    assert cell(solution, path, "Summary", f"{column}2") * 1e9 == pytest.approx(total, rel=1e-9)
    scenarios = f"'[{path.name}]SCENARIOS'"
    raised = model.calculate(inputs={f"{scenarios}!B1": "amount +50 %", f"{scenarios}!B2": 1})
    assert cell(raised, path, "Summary", f"{column}2") * 1e9 == pytest.approx(1.5 * total, rel=1e-9)


def test_everyone_reached_never_pays_an_insured_mother_twice(tmp_path):
    """The Scenarios row "everyone reached, full take-up" reaches every birth with the allowance except
    insured women before the birth (paid the NSSF's benefit instead), and leaves the NSSF's measure as
    it is: the two are alternatives, not additions."""
    sc, (allowance, nssf), inputs, found, path, model = _evaluate_workbook(
        tmp_path, "name: s\nyear: 2026\nreform:\n  maternity_allowance.active: true\n"
                  "  maternity_allowance.nssf_cash_benefit: true\n  maternity_allowance.idpoor_only: true\n", [2026])
    scenarios = f"'[{path.name}]SCENARIOS'"
    everyone = model.calculate(inputs={f"{scenarios}!B1": "everyone reached, full take-up", f"{scenarios}!B2": 1})
    births = inputs.demography.iloc[0]["births (persons aged 0)"]
    pop = simulate_year(sc, DEFAULT).population  # the insured share of pregnant women, from the population
    w, pregnant = pop.person_weight(), pop.persons["pregnant"].to_numpy()
    insured = float(w @ (pregnant & pop.persons["nssf_member"].to_numpy())) / float(w @ pregnant)
    p = simulate_year(sc, DEFAULT).reform.params.maternity_allowance
    before, after = p.months_before_birth, p.months_after_birth
    assert allowance.reachable == pytest.approx((before * (1 - insured) + after) / (before + after), rel=1e-12)
    assert allowance.coverage < allowance.reachable < 1.0
    assert cell(everyone, path, "Calc_maternity_allowance", "E2") == pytest.approx(
        births * allowance.reachable * allowance.amount * allowance.months * (1 + allowance.admin_rate), rel=1e-9)
    assert cell(everyone, path, "Calc_nssf_maternity_cash", "E2") == pytest.approx(
        measure_costs(nssf, inputs).iloc[0]["annual cost (riels)"], rel=1e-9)


def test_a_benefit_paid_around_births_is_costed_per_birth():
    """The Family Package's mother-and-child visits (pregnant women and children under 2, amounts by
    visit): costed per birth, so that later years follow the births, not the adults."""
    from microsim.studies.costing import checks, first_year_simulation

    sc = scenario_of({"family_package_mother_child.take_up": 0.8})
    sim = first_year_simulation(sc, DEFAULT, 2026)
    (m,) = measures_of(sc, DEFAULT, 2026, sim=sim)
    assert (m.base, m.coverage, m.take_up, m.average) == ("births", 1.0, 0.8, True)
    inputs = costing_inputs(DEFAULT, [2026, 2030])
    (check,) = checks(sc, DEFAULT, [m], inputs, sim=sim)
    assert check["workbook"] == pytest.approx(check["microsimulation"], rel=1e-9)
    costs = measure_costs(m, inputs)["annual cost (riels)"].to_numpy()
    births = inputs.demography["births (persons aged 0)"].to_numpy()
    assert costs[1] / costs[0] == pytest.approx(births[1] / births[0], rel=1e-12)



def test_microsim_cost_prints_how_each_measure_is_costed_and_writes_the_folder_s_table(tmp_path):
    from microsim.reporting.costing_output import costs_table, describe_measure

    out = tmp_path / "costs.csv"
    result = CliRunner().invoke(main, ["cost", "policies/scenarios/social_pension_and_child_benefit.yaml", "--from",
                                       "2026", "--to", "2028", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    for m in MEASURES:
        assert f"{m.label}: {describe_measure(m)}" in result.output
    import pandas as pd

    written = pd.read_csv(out)
    assert list(written.columns) == list(costs_table(MEASURES, INPUTS).columns)
    for m in MEASURES:  # each measure's rows are its own costing, year by year
        rows = written[written["measure"] == m.name]
        assert list(rows["year"]) == YEARS and (rows["label"] == m.label).all()
        assert np.allclose(rows["annual cost (riels)"], measure_costs(m, INPUTS)["annual cost (riels)"], rtol=1e-12)
    # a costing folder is not a run to compare
    folder = tmp_path / "costing"
    assert CliRunner().invoke(main, ["workbook", "policies/scenarios/child_benefit_2_5.yaml", "--to", "2026", "--out",
                                     str(folder), "-q"]).exit_code == 0
    compared = CliRunner().invoke(main, ["compare", str(folder), str(folder)])
    assert compared.exit_code == 2 and "is a costing" in compared.output


# ---- the workbook's input validation and input checks -----------------------------------------------------
def test_every_yellow_input_cell_has_data_validation(evaluated):
    """Every input a trainee may edit (yellow, unlocked) carries a rule: a range, a whole number or a list."""
    import openpyxl

    path, _, _ = evaluated
    book = openpyxl.load_workbook(path)
    unchecked = []
    for sheet in book.worksheets:
        ranges = [rule.sqref for rule in sheet.data_validations.dataValidation]
        for row in sheet.iter_rows():
            for c in row:
                if c.fill.fgColor.rgb in ("FFFFF2CC", "00FFF2CC") and c.value is not None:
                    if not any(c.coordinate in r for r in ranges):
                        unchecked.append(f"{sheet.title}!{c.coordinate}")
    assert not unchecked, unchecked[:20]
    rules = {str(rule.sqref): rule for rule in book["Param_child_benefit"].data_validations.dataValidation}
    ages = rules["B3"]  # min_age
    assert ages.type == "whole" and (ages.formula1, ages.formula2) == ("0", "100")
    take_up = rules["B6"]
    assert take_up.type == "decimal" and (take_up.formula1, take_up.formula2) == ("0", "1")


def _status(solution, path, sheet, what: str) -> str:
    import openpyxl

    checks = openpyxl.load_workbook(path)["Checks"]
    row = next(r for r in range(1, checks.max_row + 1) if checks.cell(r, 1).value == what)
    return str(solution[f"'[{path.name}]{sheet.upper()}'!B{row}"].value[0][0])


def test_input_checks_flag_reversed_ages_and_a_take_up_above_one(evaluated):
    path, model, solution = evaluated
    ages, shares = ("Child benefit: first age not above last age",
                    "Child benefit: coverage and take-up are shares, 0 to 1")
    assert _status(solution, path, "Checks", ages) == "ok" and _status(solution, path, "Checks", shares) == "ok"
    assert cell(solution, path, "Summary", "B5") == 0  # inputs to check, below the three years
    param = f"'[{path.name}]PARAM_CHILD_BENEFIT'"
    reversed_ages = model.calculate(inputs={f"{param}!B3": 6, f"{param}!B4": 2})
    assert _status(reversed_ages, path, "Checks", ages) == "CHECK"
    assert cell(reversed_ages, path, "Calc_child_benefit", "E2") == 0  # what the check warns of
    assert cell(reversed_ages, path, "Summary", "B5") == 1
    seven = model.calculate(inputs={f"{param}!B6": 7})
    assert _status(seven, path, "Checks", shares) == "CHECK" and cell(seven, path, "Summary", "B5") == 1


def test_a_wage_indexed_reform_follows_the_runs_wage_series_in_python_and_in_the_workbook(tmp_path):
    """`indexation: wages` is the macro file's nominal wage growth, as the run uprates it: the costed
    amount of 2028 is the run's amount of 2028 (not the model's earnings index, a different series)."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nyear: 2026\nreform:\n  social_pension.active: true\n"
                        "  social_pension.amount.indexation: wages\n")
    loaded = load_scenario(scenario)
    pension = next(m for m in measures_of(loaded, DEFAULT, 2026) if m.name == "social_pension")
    assert pension.indexation == "wages"
    costed = measure_costs(pension, INPUTS).set_index("year")["benefit (riels per person per month)"]
    run_2028 = simulate_year(loaded, DEFAULT, 2028).reform.params.social_pension.amount
    assert costed.loc[2028] == pytest.approx(run_2028, rel=1e-12)
    assert INPUTS.wages[2028] != pytest.approx(INPUTS.earnings[2028], rel=1e-3)  # two series, two names
    folder = tmp_path / "book"
    result = CliRunner().invoke(main, ["workbook", str(scenario), "--from", "2026", "--to", "2028", "--out",
                                       str(folder), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    import formulas

    path = folder / "workbook.xlsx"
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    cell = solution[f"'[{path.name}]CALC_SOCIAL_PENSION'!D4"].value[0][0]
    assert float(cell) == pytest.approx(run_2028, rel=1e-9)
