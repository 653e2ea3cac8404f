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


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fiscal")
    runner = CliRunner()
    for command, out in (("workbook", "costing"), ("fiscal", "fiscal")):
        extra = ["--costing", "cohort"] if command == "fiscal" else []
        done = runner.invoke(main, [command, SCENARIO, "--from", "2026", "--to", "2029", *extra, "--out",
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
             "Higher tax revenue (riels)": "tax_effort (riels)",
             "Reallocation from capital spending (riels)": "reallocation (riels)",
             "Social insurance contributions the reform raises (riels)": "contributions (riels)",
             "financing (riels)": "financing (riels)",
             "residual: borrowing or cuts elsewhere (riels)": "residual (riels)", "surplus (riels)": "surplus (riels)",
             "cost (% of revenue)": "cost (% of revenue)"}
    for i, row in enumerate(rows):
        for sheet_column, table_column in pairs.items():
            letter = openpyxl.utils.get_column_letter(headers.index(sheet_column) + 1)
            excel = float(solution[f"'[{path.name}]AFFORDABILITY'!{letter}{i + 2}"].value[0][0])
            assert abs(excel - float(row[table_column])) < 1.0, (row["year"], sheet_column)
    assert float(rows[0]["residual (riels)"]) > 0  # the check bites: the options leave a residual here


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
     "`budget_lines.lines.capital_spending`, year 2023: a share of spending"),
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
