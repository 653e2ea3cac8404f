"""Fiscal space: the floor's cost against the frame and the financing options; the workbook's
Affordability sheet evaluated equals `microsim fiscal --costing cohort` to the riel; bad frames
and financing files refused naming the file, the key and the year."""

import csv
import dataclasses
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from microsim.cli import main
from microsim.engine.fiscal_frame import FINANCING, FISCAL_FRAME, load_financing, load_frame
from microsim.engine.macro import load_macro
from microsim.engine.scenario import Scenario
from microsim.errors import SpecError
from microsim.population.calibrate import apply, calibrate_population
from microsim.population.targets import load_targets
from microsim.reporting.fiscal_output import years_text
from microsim.studies.fiscal_space import fiscal_study, fiscal_years, option_outcomes
from microsim.studies.projection import run_projection
from microsim.synth import synthesize

FRAME = load_frame()
FINANCED = load_financing(FRAME)
MACRO = load_macro()
SCENARIO = "policies/scenarios/social_pension_and_child_benefit.yaml"


def financing_with(**changes):
    """The shipped financing options with some fields of each option replaced (by option name)."""
    options = tuple(dataclasses.replace(o, **changes.get(o.name, {})) for o in FINANCED.options)
    return dataclasses.replace(FINANCED, options=options)


def test_each_option_is_its_formula_on_the_frame():
    costs, raised = {2026: 900e9, 2027: 1000e9, 2030: 4000e9}, {2026: 0.0, 2027: 50e9, 2030: 80e9}
    rows = {r.year: r for r in fiscal_years(costs, raised, FRAME, FINANCED, MACRO)}
    tax, moved, earmarked = FINANCED.options
    for year, r in rows.items():
        gdp, spending = MACRO.gdp(year), MACRO.government_spending(year)
        assert r.gdp_riels == gdp and r.spending_riels == spending
        paid = dict(r.financing_riels)
        assert paid["tax_effort"] == gdp * tax.gain_pp(year) / 100 * tax.share
        assert paid["reallocation"] == sum(spending * FRAME.line_share(line, year) * share
                                           for line, share in moved.line_shares(year).items())
        assert paid["contributions"] == raised[year] * earmarked.share
        assert r.residual_riels == max(costs[year] - sum(paid.values()), 0.0)
        assert r.residual_riels - r.surplus_riels == pytest.approx(costs[year] - sum(paid.values()), abs=1e-3)
        assert r.social_protection_riels == gdp * FRAME.share_of_gdp("social_protection_spending", year) / 100
    # the frame's published years are its riels; another year takes the nearest year's share of GDP
    assert rows[2026].revenue_riels == 30280e9
    assert rows[2030].revenue_riels == pytest.approx(30280e9 / MACRO.gdp(2026) * MACRO.gdp(2030), rel=1e-12)
    # the shipped paths: a quarter point a year, two fifths for social protection; 2 % of capital spending in 2026
    assert tax.gain_pp(2026) == 0.25 and tax.gain_pp(2030) == 1.25 and tax.share == 0.4
    assert moved.line_shares(2027) == {"capital_spending": 0.02} and moved.line_shares(2032) == {"capital_spending": 0.08}


def test_an_option_runs_out_in_the_years_the_options_up_to_it_fall_short():
    costs = {2026: 100e9, 2027: 1000e9, 2028: 100e9}
    rows = fiscal_years(costs, {}, FRAME, financing_with(tax_effort={"path": ((2026, 0.1),)}), MACRO)
    outcomes = option_outcomes(rows, FINANCED)
    first = [r.year for r in rows if r.cost_riels > dict(r.financing_riels)["tax_effort"]]
    assert outcomes[0].short_years == tuple(first) and outcomes[0].runs_out == (first[0] if first else None)
    both = [r.year for r in rows if r.cost_riels > r.financed_riels]
    assert outcomes[-1].short_years == tuple(both)
    assert years_text((2026, 2028, 2029, 2030, 2033)) == "2026, 2028-2030, 2033" and years_text(()) == ""


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 20e12), min_size=1, max_size=10), st.floats(0, 1), st.floats(0.1, 3))
def test_more_financing_or_faster_growth_never_raises_the_residual(costs, share, shift):
    years = list(range(2026, 2026 + len(costs)))
    cost = dict(zip(years, costs))
    less = fiscal_years(cost, {}, FRAME, financing_with(tax_effort={"share": share * 0.5}), MACRO)
    more = fiscal_years(cost, {}, FRAME, financing_with(tax_effort={"share": share}), MACRO)
    faster = fiscal_years(cost, {}, FRAME, financing_with(tax_effort={"share": share}), MACRO, shift_pp=shift)
    for a, b, c in zip(less, more, faster):
        assert b.residual_riels <= a.residual_riels
        assert c.residual_riels <= b.residual_riels * (1 + 1e-12)
        assert b.residual_riels + b.financed_riels >= b.cost_riels * (1 - 1e-12)


def test_no_cost_leaves_no_residual_and_scaling_the_cost_scales_its_shares():
    zero = fiscal_years({2026: 0.0, 2030: 0.0}, {}, FRAME, FINANCED, MACRO)
    assert all(r.residual_riels == 0 and r.surplus_riels == r.financed_riels for r in zero)
    one = fiscal_years({2026: 1e12, 2030: 2e12}, {}, FRAME, FINANCED, MACRO)
    three = fiscal_years({2026: 3e12, 2030: 6e12}, {}, FRAME, FINANCED, MACRO)
    for a, b in zip(one, three):
        assert b.pct_of(b.gdp_riels) == pytest.approx(3 * a.pct_of(a.gdp_riels), rel=1e-12)


def test_growth_shifts_move_gdp_by_the_compounded_difference():
    costs = {y: 1e12 for y in range(2026, 2031)}
    central = fiscal_years(costs, {}, FRAME, FINANCED, MACRO)
    slower = fiscal_years(costs, {}, FRAME, FINANCED, MACRO, shift_pp=-1.0)
    growth = MACRO.series("real_gdp_growth")
    factor = 1.0
    for i, (c, s) in enumerate(zip(central, slower)):
        if i:
            factor *= (1 + (growth[c.year] - 1) / 100) / (1 + growth[c.year] / 100)
        assert s.gdp_riels == pytest.approx(c.gdp_riels * factor, rel=1e-12)
        assert s.cost_riels == c.cost_riels  # the cost is held
    assert slower[0].gdp_riels == central[0].gdp_riels


def test_the_projection_costing_is_the_projection_cost_change():
    base = synthesize(1200, seed=5)
    base = apply(base, calibrate_population(base, load_targets()))
    sc = Scenario(name="t", year=2026, path=Path("t.yaml"), sha256="",
                  reform={"social_pension.active": True, "social_pension.amount": {2026: 100000, 2028: 158000}})
    space = fiscal_study(sc, base, 2026, 2028, FRAME, FINANCED)
    proj = run_projection(sc, base, 2026, 2028)
    assert [r.cost_riels for r in space.central] == [r.headline.cost_change_riels_per_year for r in proj.results]
    assert space.central[2].cost_riels > space.central[1].cost_riels * 1.4  # the amount rises in 2028


@pytest.fixture(scope="module", params=[SCENARIO, "policies/scenarios/unemployment_insurance.yaml"])
def written(request, tmp_path_factory):
    """The workbook and `microsim fiscal --costing cohort` of a scenario: benefits only, and a scheme
    with its benefit (contributions raised, so the contributions' wiring is exercised)."""
    folder = tmp_path_factory.mktemp("fiscal")
    runner = CliRunner()
    for command, out in (("workbook", "costing"), ("fiscal", "fiscal")):
        extra = ["--costing", "cohort"] if command == "fiscal" else []
        done = runner.invoke(main, [command, request.param, "--from", "2026", "--to", "2029", *extra, "--out",
                                    str(folder / out), "-q"], catch_exceptions=False)
        assert done.exit_code == 0, done.output
    return folder


def test_the_affordability_sheet_evaluated_equals_microsim_fiscal_to_the_riel(written):
    import formulas
    import openpyxl

    path = written / "costing" / "workbook.xlsx"
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    headers = [c.value for c in openpyxl.load_workbook(path)["Affordability"][1]]
    rows = list(csv.DictReader((written / "fiscal" / "tables" / "fiscal_space.csv").open()))
    pairs = {"the floor's cost (riels)": "cost (riels)", "revenue (riels)": "revenue (riels)",
             "current social protection spending (riels)": "current social protection spending (riels)",
             "Higher tax revenue (riels)": "financing: tax_effort (riels)",
             "Reallocation from capital spending (riels)": "financing: reallocation (riels)",
             "Social insurance contributions the reform raises (riels)": "financing: contributions (riels)",
             "contributions the reform raises (riels)": "contributions the reform raises (riels)",
             "financing (riels)": "financing (riels)",
             "residual: borrowing or cuts elsewhere (riels)": "residual (riels)", "surplus (riels)": "surplus (riels)",
             "cost (% of revenue)": "cost (% of revenue)"}
    for i, row in enumerate(rows):
        for sheet_column, table_column in pairs.items():
            letter = openpyxl.utils.get_column_letter(headers.index(sheet_column) + 1)
            excel = float(solution[f"'[{path.name}]AFFORDABILITY'!{letter}{i + 2}"].value[0][0])
            assert abs(excel - float(row[table_column])) < 1.0, (row["year"], sheet_column)
    assert float(rows[0]["residual (riels)"]) > 0 or float(rows[0]["surplus (riels)"]) > 0  # the check bites


def test_the_fiscal_run_folder_is_documented_and_charted(written):
    import json

    folder = written / "fiscal"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["format"] == "microsim-fiscal/1" and summary["costing"] == "cohort"
    assert [o["name"] for o in summary["financing_options"]] == [o.name for o in FINANCED.options]
    assert {s["growth_shift_pp"] for s in summary["growth_sensitivity"]} == set(FINANCED.growth_shifts_pp)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "policies/macro/fiscal_frame.yaml" in manifest["inputs"] and "policies/macro/financing.yaml" in manifest["inputs"]
    report = (folder / "report.md").read_text()
    assert "charts/fiscal_space.png" in report and "billion riels" in report and "% of GDP" in report
    assert (folder / "charts" / "fiscal_space.png").stat().st_size > 10_000


def _write(tmp_path, name, data) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _shipped(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("change, message", [
    (lambda d: d["revenue"]["values"].update({2025: {"value": -5, "source": "x"}}), "`revenue`, year 2025: must be positive"),
    (lambda d: d["tax_revenue"]["values"].update({2025: {"value": 99999, "source": "x"}}), "`revenue`, year 2025: its parts"),
    (lambda d: d["revenue"]["values"].update({2025: {"value": "lots", "source": "x"}}), "year 2025: expected a finite number"),
    (lambda d: d["revenue"]["values"].update({2025: {"value": 31598}}), "year 2025: give the value's `source:`"),
    (lambda d: d["budget_lines"]["lines"]["capital_spending"]["values"].update({2023: {"value": 1.5, "source": "x"}}),
     "`budget_lines.lines.capital_spending`, year 2023: expected a share of government spending"),
    (lambda d: d.pop("social_protection_spending"), "missing `social_protection_spending`"),
])
def test_a_bad_frame_names_the_file_the_key_and_the_year(tmp_path, change, message):
    data = _shipped(FISCAL_FRAME)
    change(data)
    path = _write(tmp_path, "frame.yaml", data)
    with pytest.raises(SpecError, match="frame.yaml") as error:
        load_frame(path)
    assert message in str(error.value)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["options"][1]["lines"].update({"defence": {2026: 0.1}}), "unknown budget line `defence`"),
    (lambda d: d["options"][0].update({"tax_to_gdp_gain_pp": {2040: 1.0}}), "names year 2040, outside the years"),
    (lambda d: d["options"][0].update({"tax_to_gdp_gain_pp": {2030: 1.0, 2028: 0.5}}), "lists year 2028 after 2030"),
    (lambda d: d["options"][0].update({"tax_to_gdp_gain_pp": {2026: "high"}}), "year 2026: `tax_to_gdp_gain_pp`"),
    (lambda d: d["options"][0].update({"share_to_social_protection": 1.5}), "`share_to_social_protection` is a share"),
    (lambda d: d["options"][2].update({"kind": "lottery"}), "`kind` is one of"),
    (lambda d: d["options"][2].pop("assumption"), "say what it assumes"),
    (lambda d: d.update({"growth_sensitivity_pp": {"values": [9]}}), "`growth_sensitivity_pp`"),
])
def test_a_bad_financing_file_names_the_file_the_option_and_the_year(tmp_path, change, message):
    data = _shipped(FINANCING)
    change(data)
    path = _write(tmp_path, "financing.yaml", data)
    with pytest.raises(SpecError, match="financing.yaml") as error:
        load_financing(FRAME, path)
    assert message in str(error.value)


def test_the_command_refuses_a_bad_financing_file_and_writes_nothing(tmp_path):
    data = _shipped(FINANCING)
    data["options"][1]["lines"] = {"fuel_subsidies": {2026: 0.5}}
    bad = _write(tmp_path, "financing.yaml", data)
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["fiscal", SCENARIO, "--financing", str(bad), "--out", str(out), "-q"])
    assert done.exit_code != 0 and "unknown budget line `fuel_subsidies`" in done.output and str(bad) in done.output
    assert not out.exists()


def test_the_summary_keys_are_exactly_the_documented_ones(written):
    import json
    import re

    from microsim.paths import HOME

    text = (HOME / "docs" / "outputs.md").read_text()
    section = text.split("### Fiscal space (`microsim fiscal`")[1].split("\n### ")[0].split("\n## ")[0]
    documented = set(re.findall(r"^\| `([^`]+)` \|", section, flags=re.M))
    summary = json.loads((written / "fiscal" / "summary.json").read_text())
    assert set(summary) == documented
    assert set(summary["by_year"][0]) == set(re.findall(r"`(\w+)`", section.split("| `by_year` |")[1].split("\n")[0]))


def test_a_scheme_s_contributions_count_only_what_the_reform_adds(written):
    """With a scheme in the costing, the contributions are its revenue x the share the reform adds
    (1 for a scheme switched on), never the whole revenue of schemes already in force."""
    import json

    summary = json.loads((written / "fiscal" / "summary.json").read_text())
    costing = json.loads((written / "costing" / "summary.json").read_text())
    raised = [r["contributions_revenue_riels"] for r in costing["total"]]
    financed = [r["financing_riels"]["contributions"] for r in summary["by_year"]]
    if any(raised):  # unemployment insurance: a scheme the reform switches on, wholly added
        assert financed == pytest.approx(raised, rel=1e-12) and financed[0] > 0
    else:
        assert not any(financed)


class _Economy:
    """A macro stub with round numbers: GDP 100,000 billion riels in 2026, growing 10 % a year in
    nominal terms; spending a fifth of GDP; real growth 5 % a year."""

    path = Path("stub-macro.yaml")

    def gdp(self, year):
        return 100_000e9 * 1.1 ** (year - 2026)

    def government_spending(self, year):
        return self.gdp(year) / 5

    def series(self, name):
        assert name == "real_gdp_growth"
        return {y: 5.0 for y in range(2019, 2036)}


def test_a_hand_made_frame_gives_the_hand_computed_figures():
    from microsim.engine.fiscal_frame import Financing, FinancingOption, FiscalFrame

    frame = FiscalFrame(path=Path("frame.yaml"), sha256="", lines={"capital": {"label": "capital", "values": {2026: 0.25}}},
                        series={"revenue": {2026: 15_000.0}, "tax_revenue": {2026: 12_000.0},
                                "social_protection_spending": {2026: 2.0}})
    options = (FinancingOption(name="tax", kind="revenue_growth", label="tax", assumption="a", share=0.5,
                               path=((2026, 1.0), (2027, 2.0))),
               FinancingOption(name="move", kind="reallocation", label="move", assumption="a",
                               lines=(("capital", ((2027, 0.1),)),)),
               FinancingOption(name="raised", kind="contributions", label="raised", assumption="a", share=0.5))
    financing = Financing(path=Path("f.yaml"), sha256="", options=options, growth_shifts_pp=(), growth_assumption="")
    rows = fiscal_years({2026: 1_000e9, 2027: 3_000e9}, {2027: 200e9}, frame, financing, _Economy())
    first, second = rows
    # 2026: GDP 100,000 bn; tax 100,000 x 1 % x 0.5 = 500 bn; no reallocation yet; residual 500 bn
    assert dict(first.financing_riels) == {"tax": 500e9, "move": 0.0, "raised": 0.0}
    assert first.residual_riels == 500e9 and first.revenue_riels == 15_000e9
    assert first.pct_of(first.revenue_riels) == pytest.approx(1000 / 15000 * 100, rel=1e-12)
    assert first.social_protection_riels == 2_000e9
    # 2027: GDP 110,000 bn: tax 110,000 x 2 % x 0.5 = 1,100; reallocation 22,000 x 0.25 x 0.1 = 550;
    # contributions 200 x 0.5 = 100; residual 3,000 - 1,750 = 1,250 bn; revenue 15 % of GDP = 16,500 bn
    paid = dict(second.financing_riels)
    assert paid["tax"] == pytest.approx(1_100e9, rel=1e-12) and paid["move"] == pytest.approx(550e9, rel=1e-12)
    assert paid["raised"] == 100e9 and second.residual_riels == pytest.approx(1_250e9, rel=1e-12)
    assert second.revenue_riels == pytest.approx(16_500e9, rel=1e-12)
    # growth one point faster: 2027's GDP x 1.06 / 1.05, the options in proportion, the cost held
    faster = fiscal_years({2026: 1_000e9, 2027: 3_000e9}, {2027: 200e9}, frame, financing, _Economy(), shift_pp=1.0)[1]
    assert faster.gdp_riels == pytest.approx(110_000e9 * 1.06 / 1.05, rel=1e-12) and faster.cost_riels == 3_000e9


def test_a_growth_shift_compounds_over_the_years_between_two_rows():
    from microsim.studies.fiscal_space import growth_factors

    factors = growth_factors(_Economy(), [2026, 2029], 1.0)
    assert factors[2026] == 1.0 and factors[2029] == pytest.approx((1.06 / 1.05) ** 3, rel=1e-12)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["options"][2].update({"name": "cost"}) or d["options"][2].update({"label": "Higher tax revenue"}),
     "two options have the label"),
    (lambda d: d["options"][2].update({"shares": 0.5}), "unknown key `shares`; did you mean `share`?"),
    (lambda d: d.update({"growth_sensitivity": {"values": [1]}}), "unknown key `growth_sensitivity`"),
    (lambda d: d["options"].append({"name": "more", "kind": "reallocation", "assumption": "x",
                                    "lines": {"capital_spending": {2026: 0.99}}}), "more than the whole line"),
    (lambda d: d["options"][0].update({"tax_to_gdp_gain_pp": 0.05}), "0.05, not a schedule"),
])
def test_financing_files_that_would_mislead_are_refused(tmp_path, change, message):
    data = _shipped(FINANCING)
    change(data)
    with pytest.raises(SpecError, match="financing.yaml") as error:
        load_financing(FRAME, _write(tmp_path, "financing.yaml", data))
    assert message in str(error.value)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["social_protection_spending"]["values"].update({2022: {"value": 220, "assumption": "x"}}),
     "expected percent of GDP from 0 to 50"),
    (lambda d: d["budget_lines"]["lines"]["current_spending"]["values"].update({2023: {"value": 0.9, "source": "x"}}),
     "add up to 1.193, more than the whole budget"),
    (lambda d: d["revenue"].update({"vlaues": {}}), "unknown key `vlaues`"),
    (lambda d: d["revenue"]["values"].update({2050: {"value": 1, "source": "x"}}), "2050 is not a year of the frame"),
])
def test_a_frame_with_a_unit_or_key_error_is_refused(tmp_path, change, message):
    data = _shipped(FISCAL_FRAME)
    change(data)
    with pytest.raises(SpecError, match="frame.yaml") as error:
        load_frame(_write(tmp_path, "frame.yaml", data))
    assert message in str(error.value)


def test_revenue_in_the_wrong_unit_is_refused_against_the_model_s_gdp(tmp_path):
    from microsim.studies.fiscal_space import fiscal_space

    data = _shipped(FISCAL_FRAME)
    for name in ("revenue", "tax_revenue", "non_tax_revenue", "other_revenue"):
        for entry in data[name]["values"].values():
            entry["value"] *= 1000  # millions of riels written as billions
    frame = load_frame(_write(tmp_path, "frame.yaml", data))
    with pytest.raises(SpecError, match=r"frame.yaml, `revenue`, year 2025: .* % of the model's GDP"):
        fiscal_space(None, {2026: 1e12}, {}, frame, load_financing(frame), MACRO, "cohort")


def test_an_extended_scheme_counts_only_the_revenue_the_extension_adds():
    """A reform that extends a scheme already in force: the financing counts the scheme's revenue x the
    share of it the reform adds (below 1), not the members' revenue the scheme already had."""
    from microsim.population.io import read_population
    from microsim.paths import DEFAULT_POPULATION
    from microsim.studies.costing import costing_of
    from microsim.studies.fiscal_space import cohort_costing

    sc = Scenario(name="extension", year=2026, path=Path("ext.yaml"), sha256="",
                  reform={"social_pension.active": True, "social_pension.amount": 158000,
                          "nssf_pension_contributions.extension_share": 0.5})
    measures, inputs, sim = costing_of(sc, read_population(DEFAULT_POPULATION), 2026, 2027)
    _, raised, cohort = cohort_costing(measures, inputs, sim)
    shares = {name: share for name, _, share in cohort.added_shares}
    record = next(c for c in sim.result.contributions if c.scheme == "nssf_pension_contributions")
    assert 0 < shares["nssf_pension_contributions"] < 1
    assert shares["nssf_pension_contributions"] == pytest.approx(
        record.revenue_change_riels_per_year / record.revenue_reform_riels_per_year, rel=1e-12)
    changes = {c.scheme: c.revenue_change_riels_per_year for c in sim.result.contributions}
    # the first year: the extension's own revenue, the schemes' change (the cohort's revenue agrees to rounding)
    assert raised[2026] == pytest.approx(sum(changes[name] for name in shares), rel=1e-3)
    assert raised[2026] < sum(c.revenue_reform_riels_per_year for c in sim.result.contributions if c.scheme in shares) / 2
