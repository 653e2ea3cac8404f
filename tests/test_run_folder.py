"""One year, one answer; one run folder for every command, ready for a brief."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from microsim.cli import main
from microsim.errors import SpecError
from microsim.population.io import read_population
from microsim.paths import DEFAULT_POPULATION, HOME, POLICIES
from microsim.studies.projection import run_projection
from microsim.studies.run import simulate_year
from microsim.engine.scenario import Scenario, load_scenario

DEFAULT = read_population(DEFAULT_POPULATION)
SCENARIOS = sorted((POLICIES / "scenarios").glob("*.yaml"))
BOTH = {"social_pension.active": True, "social_pension.amount": 150000, "child_benefit.active": True,
        "child_benefit.amount": 50000}


def cli(*args):
    """The command line in-process; `run` without --replicates gets --no-intervals (the estimate alone, fast)."""
    args = [str(a) for a in args]
    if args and args[0] == "run" and "--replicates" not in args:
        args.append("--no-intervals")
    return CliRunner().invoke(main, args, catch_exceptions=False)


def scenario(reform=None, year=2026, name="t") -> Scenario:
    return Scenario(name=name, year=year, path=Path("t.yaml"), sha256="", reform=reform or {})


def write_scenario(folder: Path, year: int, reform: dict | None = None) -> Path:
    lines = [f"name: test {year}", f"year: {year}", "reform:"]
    lines += [f"  {k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in (reform or BOTH).items()]
    path = folder / f"scenario_{year}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


# ---- one year, one answer --------------------------------------------------------------------------
@pytest.mark.parametrize("ageing, growth, jobs", [(True, True, 2), (False, True, 1), (True, False, 1)])
def test_run_and_project_give_identical_results_for_the_same_year(ageing, growth, jobs):
    """A projection's years (in worker processes when jobs > 1) equal single-year runs in this process."""
    sc = scenario(BOTH, year=2026)
    proj = run_projection(sc, DEFAULT, 2026, 2028, jobs=jobs, ageing=ageing, growth=growth)
    for year, from_projection in zip(proj.years, proj.results):
        alone = simulate_year(sc, DEFAULT, year, ageing=ageing, growth=growth).result
        assert alone.to_json() == from_projection.to_json(), year  # every headline figure, every programme


def test_cli_run_equals_cli_project_for_the_scenario_year(tmp_path):
    path = write_scenario(tmp_path, 2027)
    assert cli("run", path, "--out", tmp_path / "run", "--no-charts").exit_code == 0
    assert cli("project", path, "--from", 2026, "--to", 2027, "--out", tmp_path / "proj", "--jobs", 2).exit_code == 0
    run = json.loads((tmp_path / "run" / "summary.json").read_text())
    proj = json.loads((tmp_path / "proj" / "summary.json").read_text())
    assert run["years"][0] == proj["years"][1]
    assert run["headline"] == {"year": 2027, **proj["years"][1]["headline"]}


def test_the_default_run_uses_the_years_demography_and_growth():
    sc = scenario({"social_pension.active": True, "social_pension.amount": 158000, "social_pension.min_age": 65})
    aged = simulate_year(sc, DEFAULT)
    survey = simulate_year(sc, DEFAULT, ageing=False, growth=False)
    assert aged.result.demography.older_65_plus_persons > 1.3 * survey.result.demography.older_65_plus_persons
    assert aged.headline.cost_change_riels_per_year > 1.3 * survey.headline.cost_change_riels_per_year
    assert aged.headline.poverty_rate_baseline_pct < survey.headline.poverty_rate_baseline_pct  # real growth
    assert survey.result.real_growth_factor == 1.0 and not survey.result.ageing


@pytest.mark.parametrize("year", [2019, 2020, 2023, 2024])
def test_early_years_run_with_programmes_not_yet_in_force(tmp_path, year):
    result = cli("run", write_scenario(tmp_path, year), "--out", tmp_path / "out", "--no-charts")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    h = summary["headline"]
    assert h["year"] == year and h["cost_change_pct_gdp"] is not None and h["cost_change_usd_per_year"] is not None
    programmes = {p["programme"]: p for p in summary["years"][0]["programmes"]}
    if year < 2023:  # the model has no pension or disability amounts before 2023
        assert "2023-01-01" in programmes["contributory_pensions"]["not_in_force"]
        assert programmes["contributory_pensions"]["cost_reform_riels_per_year"] == 0
        assert any("not in force" in w for w in summary["warnings"])
    if year < 2024:  # the Family Package started in 2024
        assert "family_package_scholarship" not in programmes or \
            programmes["family_package_scholarship"]["cost_baseline_riels_per_year"] == 0
    assert summary["years"][0]["ageing"] is (year > 2019)


def test_a_programme_switched_on_by_the_scenario_must_have_its_values():
    with pytest.raises(SpecError, match=r"`disability_allowance` is active in 2020 but `disability_allowance.amount` "
                                        r"has no value on 2020-01-01"):
        simulate_year(Scenario(name="t", year=2020, path=Path("t.yaml"), sha256="",
                               reform={"disability_allowance.idpoor_only": False}), DEFAULT)


# ---- summary.json: documented keys ---------------------------------------------------------------------
def documented_keys() -> dict[str, set[str]]:
    """The keys of each table in docs/outputs.md, by section heading."""
    text = (HOME / "docs" / "outputs.md").read_text()
    sections = re.split(r"\n### ", text.split("## `summary.json`")[1])
    return {s.splitlines()[0].strip(): set(re.findall(r"^\| `([^`]+)` \|", s, flags=re.M)) for s in sections[1:]}


def flat_keys(obj, prefix="") -> set[str]:
    out = set()
    for key, value in obj.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and path not in ("scenario.baseline_overrides", "scenario.reform_overrides",
                                                    "uncertainty"):
            out |= flat_keys(value, path)
        else:
            out.add(path)
    return out


@pytest.mark.parametrize("command", ["run", "project"])
def test_summary_keys_are_exactly_the_documented_ones(tmp_path, command):
    path = write_scenario(tmp_path, 2026)
    extra = ["--from", 2026, "--to", 2027] if command == "project" else ["--no-charts", "--replicates", 3]
    assert cli(command, path, "--out", tmp_path / "out", *extra).exit_code == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    docs = documented_keys()
    top = docs["Top level"]
    assert summary["format"] == "microsim-summary/1" and summary["kind"] == {"run": "run", "project": "projection"}[command]
    expected_top = {k for k in top if not k.startswith("options.population_source") or command == "project"}
    assert flat_keys({k: v for k, v in summary.items() if k not in ("headline", "years")}) | {"headline", "years"} \
        == expected_top
    headline_keys = docs["Headline fields (in `headline` and in each `years[].headline`)"]
    assert set(summary["headline"]) == headline_keys
    if summary["uncertainty"] is not None:
        assert set(summary["uncertainty"]) == docs["Uncertainty (`uncertainty`, null without replicates)"]
    for year in summary["years"]:
        assert set(year) == docs["Each element of `years`"]
        if year["intervals"] is not None:
            assert set(year["intervals"]) == docs["Intervals (each `years[].intervals`, null without replicates)"]
            assert set(year["intervals"]["headline"]) == headline_keys - {"year"}
            for fields in year["intervals"]["programmes"].values():
                assert all(set(v) == {"low", "high", "standard_error"} for v in fields.values())
        assert set(year["headline"]) == headline_keys - {"year"}
        assert set(year["demography"]) == docs["Demography fields (each `years[].demography`)"]
        assert year["adequacy"] and all(set(a) == docs["Adequacy fields (each element of `years[].adequacy`)"]
                                        for a in year["adequacy"])
        for programme in year["programmes"]:
            assert set(programme) == docs["Programme fields (each element of `years[].programmes`)"]
        assert year["programmes"][-1]["programme"] == "total"
        total = sum(p["cost_reform_riels_per_year"] for p in year["programmes"][:-1])
        assert year["programmes"][-1]["cost_reform_riels_per_year"] == pytest.approx(total, rel=1e-12)
        assert year["headline"]["cost_reform_total_riels_per_year"] == pytest.approx(total, rel=1e-12)
        for scheme in year["contributions"]:
            assert set(scheme) == docs["Contribution fields (each element of `years[].contributions`)"]
        assert year["contributions"][-1]["scheme"] == "total"
        revenue = sum(c["revenue_reform_riels_per_year"] for c in year["contributions"][:-1])
        assert year["contributions"][-1]["revenue_reform_riels_per_year"] == pytest.approx(revenue, rel=1e-12)
        assert year["headline"]["contributions_reform_riels_per_year"] == pytest.approx(revenue, rel=1e-12) and revenue > 0


# ---- the report, charts and workbook -----------------------------------------------------------------
class _Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources, self.tables = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tables += tag == "table"
        for key in ("src", "href"):
            if attrs.get(key):
                self.sources.append(attrs[key])


def nonblank_png(path: Path, data_colour: str | None = "#1f5fa8", min_share: float = 0.003) -> bool:
    """A real chart: big enough, not uniform, and (given ``data_colour``) with data drawn in that
    colour on at least ``min_share`` of its pixels (axes and labels alone do not count)."""
    import matplotlib.colors
    import matplotlib.image

    image = matplotlib.image.imread(path)[..., :3]
    if image.shape[0] < 100 or image.shape[1] < 100 or float(np.std(image)) < 0.05:
        return False
    if data_colour is None:
        return True
    target = np.array(matplotlib.colors.to_rgb(data_colour))
    return float((np.abs(image - target).max(axis=-1) < 0.03).mean()) >= min_share


@pytest.fixture(scope="module")
def example_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("examples")
    for path in SCENARIOS:
        result = cli("run", path, "--out", folder / path.stem)
        assert result.exit_code == 0, result.output
    return folder


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_example_has_readable_charts_and_says_why_one_is_missing(example_runs, path):
    out = example_runs / path.stem
    report = (out / "report.md").read_text()
    pictures = re.findall(r"!\[[^\]]*\]\((charts/[^)]+)\)", report)
    assert len(pictures) >= 2
    for picture in pictures:
        assert nonblank_png(out / picture), picture
    assert sorted(p.name for p in (out / "charts").iterdir()) == sorted(Path(p).name for p in pictures)
    if load_scenario(path).reform == {}:  # nothing changes: no incidence chart, and the report says why
        assert "incidence_by_decile.png" not in report
        assert "No chart of extra benefits of the reform by decile" in report and "pays no extra benefits" in report


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_report_says_which_population_and_year_and_uses_readable_amounts(example_runs, path):
    out = example_runs / path.stem
    report = (out / "report.md").read_text()
    assert "**synthetic** population (`synthetic_data/default`, 10,000 sample households" in report
    assert "illustrative of those published statistics" in report
    assert "Simulated for **2026**: reweighted to the year's demography" in report
    assert re.search(r"Cost of the reform\*\*: [\d,.]+ (billion|million) riels \(USD [\d,.]+ (million|billion)\)|"
                     r"Cost of the reform\*\*: 0 riels", report)
    assert not re.search(r"\d{1,3}(,\d{3}){3,}", report)  # no amount printed to the riel in billions


def test_html_report_is_self_contained_with_real_tables(example_runs):
    out = example_runs / "social_pension_and_child_benefit"
    html = (out / "report.html").read_text()
    parser = _Resources()
    parser.feed(html)
    assert parser.sources and all(s.startswith("data:image/png;base64,") for s in parser.sources)
    assert parser.tables >= 5 and "|---" not in html
    assert "<strong>Poverty</strong>" in html


@pytest.mark.skipif(not any(__import__("shutil").which(b) for b in ("chromium", "chromium-browser", "google-chrome")),
                    reason="headless Chromium is not installed (a system package)")
def test_html_report_renders_in_headless_chromium(example_runs, tmp_path):
    import subprocess
    import sys

    shot = tmp_path / "report.png"
    subprocess.run([sys.executable, str(HOME / "tools" / "render_report.py"), str(example_runs / "social_pension_65"),
                    "--out", str(shot), "--height", "1600"], check=True, capture_output=True, timeout=180)
    assert nonblank_png(shot, data_colour=None)


def test_workbook_has_words_formats_inputs_and_live_cost_formulas(example_runs):
    import openpyxl

    book = openpyxl.load_workbook(example_runs / "social_pension_65" / "workbook.xlsx")
    assert {"About", "Summary", "Poverty", "Costs", "Inputs", "How costs are computed"} <= set(book.sheetnames)
    costs = book["Costs"]
    assert costs.freeze_panes in ("A3", "B3")
    headers = [c.value for c in costs[2]]
    assert "cost reform (riels per year)" in headers and not any("_" in str(h) for h in headers)
    column = headers.index("cost reform (riels per year)") + 1
    assert costs.cell(3, column).number_format == "#,##0"
    inputs = book["Inputs"]
    head = [c.value for c in inputs[2]]
    rows = {r[0]: dict(zip(head, r)) for r in inputs.iter_rows(min_row=3, values_only=True)}
    assert rows["social_pension.amount"]["reform value (as set)"] == 158000
    assert rows["social_pension.amount"]["changed by the reform"] == "yes"
    assert "MoSVY" in rows["disability_allowance.amount"]["reference"]
    sheet = book["How costs are computed"]
    head = [c.value for c in sheet[2]]
    formula = sheet.cell(3, head.index("annual cost by formula (riels)") + 1).value
    assert isinstance(formula, str) and formula.startswith("=") and "*12" not in formula
    values = openpyxl.load_workbook(example_runs / "social_pension_65" / "workbook.xlsx", data_only=True)
    cached = {r[0]: dict(zip(head, r)) for r in values["How costs are computed"].iter_rows(min_row=3, values_only=True)}
    pension = cached["Social pension"]
    assert pension["amount per recipient (riels per month)"] == 158000  # the parameter, not derived from the cost
    assert pension["amount is"].startswith("the amount in force")
    assert pension["annual cost by formula (riels)"] == pytest.approx(pension["simulated annual cost (riels)"], rel=1e-9)
    scholarships = cached["Family Package: scholarships"]
    assert scholarships["amount is"].startswith("average")


def test_csv_numbers_are_plain_decimals(example_runs):
    text = (example_runs / "social_pension_65" / "tables" / "costs.csv").read_text()
    assert not re.search(r"\de[+-]\d", text)
    assert re.search(r",\d{12}\.\d+,", text)  # costs in riels, written out in full


def test_the_report_gives_poverty_in_the_groups_a_reform_targets(tmp_path):
    """A social pension's effect on persons 65+ is in the report's poverty table, not only on a chart,
    and equals the poverty table's own row."""
    assert cli("run", POLICIES / "scenarios" / "social_pension_65.yaml", "--no-intervals", "--no-charts",
               "--out", tmp_path / "run").exit_code == 0
    report = (tmp_path / "run" / "report.md").read_text().split("## Poverty headcount")[1].split("\n## ")[0]
    poverty = __import__("pandas").read_csv(tmp_path / "run" / "tables" / "poverty.csv")
    row = poverty[(poverty["breakdown"] == "age group") & (poverty["group"] == "65+")].iloc[0]
    shown = re.search(r"^\| age group \| 65\+ \| ([\d.]+) \| ([\d.]+) \|", report, flags=re.M)
    assert shown is not None
    assert float(shown.group(1)) == round(row["headcount baseline (%)"], 1)
    assert float(shown.group(2)) == round(row["headcount reform (%)"], 1)
    assert row["headcount reform (%)"] < row["headcount baseline (%)"] - 1  # the pension's own group moves most
    assert "| age group | 15-24 |" not in report  # a group of Table 1 is shown once


def test_an_interval_the_calibration_holds_is_said_to_be_held(tmp_path):
    """Costs whose caseload is a calibration target do not move between replicates: the report says
    they are held (and why), never "287.8 to 287.8"."""
    assert cli("run", POLICIES / "scenarios" / "social_pension_65.yaml", "--replicates", "3", "--no-charts",
               "--out", tmp_path / "run").exit_code == 0
    section = (tmp_path / "run" / "report.md").read_text().split("## How sure")[1].split("\n## ")[0]
    bounds = re.findall(r"\| (-?[\d,.]+) to (-?[\d,.]+) \|$", section, flags=re.M)
    assert bounds and all(low != high for low, high in bounds)
    assert "(held: the same in every replicate)" in section and "the calibration fixes it" in section
