"""The workbench's JSON API (microsim.web) and `microsim serve`: the same numbers as the command
line, every bad request a 422 naming its field, bodies size-limited, the server on loopback."""

import datetime as dt
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from microsim.cli import main
from microsim.engine.scenario import load_scenario
from microsim.engine.system import load_system
from microsim.paths import HOME, POLICIES
from microsim.web.api import create_app
from microsim.web.limits import MAX_BODY_BYTES
from microsim.web.requests import MAX_OVERRIDES, MAX_REPLICATES

SCENARIOS = ["child_benefit_2_5", "social_pension_65", "scholarship_every_idpoor_pupil"]


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def request_of(name: str, year: int, **options) -> dict:
    """The API request for a shipped scenario file, in ``year``."""
    sc = load_scenario(POLICIES / "scenarios" / f"{name}.yaml")
    return {"name": sc.name, "description": sc.description, "year": year, "seed": sc.seed, "reform": sc.reform,
            "baseline": sc.baseline, **options}


def run_summary(tmp_path, name: str, year: int, *options) -> dict:
    """summary.json of `microsim run` for the scenario moved to ``year``."""
    text = (POLICIES / "scenarios" / f"{name}.yaml").read_text()
    scenario = tmp_path / f"{name}_{year}.yaml"
    scenario.write_text(text.replace(f"year: {load_scenario(POLICIES / 'scenarios' / f'{name}.yaml').year}",
                                     f"year: {year}"))
    assert load_scenario(scenario).year == year
    out = tmp_path / f"run_{name}_{year}"
    result = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--no-charts", *options])
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("year", [2026, 2030])
@pytest.mark.parametrize("name", SCENARIOS)
def test_simulate_answers_what_microsim_run_writes(client, tmp_path, name, year):
    answer = client.post("/api/simulate", json=request_of(name, year))
    assert answer.status_code == 200, answer.text
    assert answer.json() == run_summary(tmp_path, name, year, "--no-intervals")


def test_simulate_with_replicates_answers_the_run_s_intervals(client, tmp_path):
    answer = client.post("/api/simulate", json=request_of("child_benefit_2_5", 2026, replicates=2))
    assert answer.status_code == 200, answer.text
    expected = run_summary(tmp_path, "child_benefit_2_5", 2026, "--replicates", "2")
    assert answer.json() == expected and expected["uncertainty"]["replicates"] == 2


def test_project_answers_what_microsim_project_writes(client, tmp_path):
    body = {**request_of("social_pension_65", 2026), "first": 2026, "last": 2028}
    answer = client.post("/api/project", json=body)
    assert answer.status_code == 200, answer.text
    out = tmp_path / "projection"
    result = CliRunner().invoke(main, ["project", str(POLICIES / "scenarios" / "social_pension_65.yaml"), "--from", "2026",
                                       "--to", "2028", "--out", str(out)])
    assert result.exit_code == 0, result.output
    expected = json.loads((out / "summary.json").read_text())
    assert answer.json() == expected and expected["years_simulated"] == [2026, 2027, 2028]
    reversed_years = client.post("/api/project", json={**body, "first": 2030, "last": 2027})
    assert reversed_years.status_code == 422 and reversed_years.json()["detail"][0]["loc"] == ["body", "last"]


def test_a_repeated_request_is_answered_from_memory_with_the_same_numbers(client):
    body = request_of("social_pension_65", 2027)
    first = client.post("/api/simulate", json=body)
    start = time.perf_counter()
    again = client.post("/api/simulate", json=body)
    assert again.json() == first.json() and time.perf_counter() - start < 5


def test_requests_at_once_give_what_each_gives_alone(client):
    """Each request independent: eight at once, in threads, equal the same eight one by one."""
    bodies = [request_of(name, year) for name in SCENARIOS for year in (2028, 2029)][:8]
    fresh = TestClient(create_app())
    alone = [fresh.post("/api/simulate", json=b).json() for b in bodies]
    together = [None] * len(bodies)

    def ask(i):
        together[i] = client.post("/api/simulate", json=bodies[i]).json()

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert together == alone


def test_programmes_list_every_module_with_its_parameters_in_force(client):
    answer = client.get("/api/programmes", params={"year": 2030}).json()
    modules, tree = load_system()
    assert [p["name"] for p in answer["programmes"]] == sorted(modules) and answer["year"] == 2030
    pension = next(p for p in answer["programmes"] if p["name"] == "social_pension")
    amount = next(q for q in pension["parameters"] if q["path"] == "social_pension.amount")
    parameter = tree.parameters["social_pension.amount"]
    assert amount["unit"] == parameter.unit and amount["plausible"] == list(parameter.plausible)
    assert amount["value"] == parameter.values[max(d for d in parameter.values if d.year <= 2030)]["value"]
    assert amount["reference"]
    family = next(p for p in answer["programmes"] if p["name"] == "family_package_base")
    assert family["active"] is True and pension["active"] is False  # current law in 2030


BAD = [
    ({"year": 2050}, ["body", "year"]),
    ({"year": "next"}, ["body", "year"]),
    ({"colour": "red"}, ["body", "colour"]),
    ({"replicates": MAX_REPLICATES + 1}, ["body", "replicates"]),
    ({"replicates": -1}, ["body", "replicates"]),
    ({"reform": {"social_pension.amount": "lots"}}, ["body", "reform", "social_pension.amount"]),
    ({"reform": {"social_pension.amount": -5}}, ["body", "reform", "social_pension.amount"]),
    ({"reform": {"social_pension.amount": 10**12}}, ["body", "reform", "social_pension.amount"]),
    ({"reform": {"social_pension.amout": 1000}}, ["body", "reform", "social_pension.amout"]),
    ({"baseline": {"no_such.thing": 1}}, ["body", "baseline", "no_such.thing"]),
    ({"reform": {"../../etc/passwd": 1}}, ["body", "reform"]),
    ({"reform": {f"social_pension.x{i}": 1 for i in range(MAX_OVERRIDES + 1)}}, ["body", "reform"]),
    ({"reform": ["social_pension.amount"]}, ["body", "reform"]),
    ({"seed": -1}, ["body", "seed"]),
    ({"reform": {"social_pension.min_age": {"2028": 75, "2026": 80}}}, ["body", "reform", "social_pension.min_age"]),
    ({"reform": {"social_pension.min_age": {"2050": 70}}}, ["body", "reform", "social_pension.min_age"]),
    ({"reform": {"social_pension.amount": {"2026": "lots"}}}, ["body", "reform", "social_pension.amount"]),
    ({"reform": {"social_pension.amount": {"2026.5": 1000}}}, ["body", "reform", "social_pension.amount"]),
    ({"reform": {"social_pension.amount": {str(y): 1 for y in range(1990, 2040)}}}, ["body", "reform"]),
]


@pytest.mark.parametrize("body,field", BAD, ids=[str(f) for _, f in BAD])
def test_every_bad_request_is_a_422_naming_its_field(client, body, field):
    answer = client.post("/api/simulate", json=body)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert detail[0]["loc"] == field and detail[0]["msg"]
    assert "Traceback" not in answer.text


def test_a_value_out_of_its_plausible_range_needs_allow(client):
    body = {"reform": {"social_pension.active": True, "social_pension.amount": 5_000_000}}
    refused = client.post("/api/simulate", json=body)
    assert refused.status_code == 422 and "plausible" in refused.json()["detail"][0]["msg"]
    assert refused.json()["detail"][0]["loc"] == ["body", "reform", "social_pension.amount"]
    assert client.post("/api/simulate", json={**body, "allow": True}).status_code == 200


def test_bodies_are_size_limited_and_malformed_ones_refused(client):
    big = client.post("/api/simulate", content=b" " * (MAX_BODY_BYTES + 1), headers={"content-type": "application/json"})
    assert big.status_code == 413 and big.json()["detail"][0]["loc"] == ["body"]

    def chunks():
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b" " * 1024

    streamed = client.post("/api/simulate", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    broken = client.post("/api/simulate", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 422
    assert client.get("/api/programmes", params={"year": 1990}).status_code == 422


def test_the_api_is_described_and_no_page_loads_anything_from_outside(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/programmes", "/api/simulate"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 404  # FastAPI's pages would fetch their scripts from a CDN


def test_serve_refuses_a_host_that_is_not_an_address():
    result = CliRunner().invoke(main, ["serve", "--host", "my laptop"])
    assert result.exit_code == 2 and "--host 'my laptop'" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_listens_on_loopback_by_default_and_answers():
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "microsim", "serve", "--port", str(port)], cwd=HOME,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline, answer = time.monotonic() + 60, None
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/programmes", timeout=5) as response:
                    answer = json.loads(response.read())
            except OSError:
                time.sleep(0.2)
        assert answer is not None and answer["year"] == 2026, server.stderr.read1().decode() if server.poll() else ""
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        assert listening == "" or f"127.0.0.1:{port}" in listening  # ss may be missing: then the answer suffices
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert b"this computer only" in output


# ---- the household calculator ------------------------------------------------------------------
import yaml  # noqa: E402

from microsim.engine.macro import load_macro  # noqa: E402

CASES = [c for f in sorted((HOME / "tests" / "cases").glob("*.yaml")) for c in yaml.safe_load(f.read_text())
         if "poverty_line" not in c["household"]]


@pytest.mark.parametrize("case", CASES, ids=[c["name"][:50] for c in CASES])
def test_the_household_calculator_gives_each_hand_checked_case(client, case):
    """tests/cases/: the household's consumption is given in 2019/20 prices there, in the year's here."""
    factor = load_macro().price_factor(case["year"], "2019/20")
    household = dict(case["household"], consumption_pc=case["household"]["consumption_pc"] * factor)
    body = {"year": case["year"], "reform": case.get("parameters", {}), "allow": True, "household": household,
            "members": case["persons"]}
    answer = client.post("/api/household", json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    for key, expected in case["expect"].items():
        if key == "poor_before":
            assert [result["poor"]["before benefits"]] * len(expected) == expected
        elif key == "poor_after":
            assert [result["poor"]["reform"]] * len(expected) == expected
        else:
            paid = {**result["member_benefits_riels_per_month"]["reform"],
                    **{n: [v] for n, v in result["household_benefits_riels_per_month"]["reform"].items()}}
            expected = expected if isinstance(expected, list) else [expected]  # a household amount
            assert paid.get(key, [0.0] * len(expected)) == pytest.approx(expected, rel=1e-12, abs=1e-9), key


def test_the_household_calculator_refuses_bad_households_naming_the_field(client):
    good = {"household": {"zone": "rural", "consumption_pc": 400000}, "members": [{"age": 70, "sex": "female"}]}
    assert client.post("/api/household", json=good).status_code == 200
    for change, field in [({"household": {"zone": "mars", "consumption_pc": 1}}, ["body", "household", "zone"]),
                          ({"household": {"zone": "rural", "consumption_pc": -1}}, ["body", "household", "consumption_pc"]),
                          ({"members": []}, ["body", "members"]),
                          ({"members": [{"age": 200, "sex": "female"}]}, ["body", "members", 0, "age"]),
                          ({"members": [{"age": 3, "sex": "x"}]}, ["body", "members", 0, "sex"]),
                          ({"members": [{"age": 3, "sex": "male", "wings": 2}]}, ["body", "members", 0, "wings"]),
                          ({"members": [{"age": 30, "sex": "male"}] * 31}, ["body", "members"]),
                          ({"reform": {"social_pension.amount": "lots"}}, ["body", "reform", "social_pension.amount"]),
                          ({"members": [{"age": 30, "sex": "male", "earnings": -5}]}, ["body", "members", 0, "earnings"]),
                          ({"members": [{"age": 30, "sex": "male", "labour_status": "astronaut"}]},
                           ["body", "members", 0, "labour_status"]),
                          ({"members": [{"age": 30, "sex": "male", "labour_status": "own_account", "earnings": 500000},
                                        {"age": 28, "sex": "female", "labour_status": "employer"}]},
                           ["body", "members", 1, "earnings"])]:
        answer = client.post("/api/household", json={**good, **change})
        assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == field, (change, answer.text)


def test_the_household_calculator_gives_each_members_contributions_and_nets_the_workers_share(client):
    """An NSSF member earning 1,000,000 riels a month in 2026: 4 % to the pension scheme (half hers),
    2.6 % health care and 0.8 % occupational risk (the employer's), to the riel; her share comes out of
    the household's consumption; a member earning above the ceiling pays on 1,200,000."""
    members = [{"age": 35, "sex": "female", "labour_status": "wage_employee_private", "nssf_member": True,
                "earnings": 1_000_000},
               {"age": 40, "sex": "male", "labour_status": "wage_employee_private", "nssf_member": True,
                "earnings": 3_000_000},
               {"age": 6, "sex": "male"}, {"age": 66, "sex": "female"}]
    body = {"year": 2026, "household": {"zone": "phnom_penh", "consumption_pc": 900_000}, "members": members}
    answer = client.post("/api/household", json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    paid = result["member_contributions_riels_per_month"]["baseline"]
    assert paid["nssf_pension_contributions"] == [40_000, 48_000, 0, 0]
    assert paid["nssf_health_contributions"] == [26_000, 31_200, 0, 0]
    assert paid["nssf_occupational_risk_contributions"] == [8_000, 9_600, 0, 0]
    own = result["workers_contributions_riels_per_month"]["baseline"]
    assert own["nssf_pension_contributions"] == [20_000, 24_000, 0, 0] and own["nssf_health_contributions"] == [0] * 4
    assert not any(any(v) for v in result["member_benefits_riels_per_month"]["baseline"].values())  # nothing paid
    consumed = load_system()[1].at(dt.date(2026, 1, 1), load_macro()).simulation.consumed_share
    assert 0 < consumed <= 1
    assert result["consumption_after_benefits_riels_per_person_per_month"]["baseline"] == pytest.approx(
        900_000 - consumed * (20_000 + 24_000) / 4, rel=1e-12)
    assert result["programmes"]["nssf_pension_contributions"]["kind"] == "contribution"


def test_a_members_nssf_pension_is_hers_alone_whatever_the_other_members(client):
    """A 61-year-old who retired from the NSSF in 2026 is paid the minimum pension (420,000 riels of
    January 2023, CPI-indexed), with or without an insured worker of 57 in the household; a member
    not marked as a retiree is paid nothing, even beside one."""
    retiree = {"age": 61, "sex": "female", "labour_status": "inactive", "nssf_retiree": True}
    insured = {"age": 57, "sex": "female", "labour_status": "wage_employee_private", "nssf_member": True,
               "earnings": 1_200_000}
    other = {"age": 62, "sex": "female", "labour_status": "inactive"}

    def pensions(members):
        body = {"year": 2026, "household": {"zone": "rural", "consumption_pc": 600_000}, "members": members}
        answer = client.post("/api/household", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()["member_benefits_riels_per_month"]["baseline"]["nssf_old_age_pension"]

    alone, beside = pensions([retiree]), pensions([retiree, insured, other])
    p = load_system()[1].at(dt.date(2026, 1, 1), load_macro()).nssf_old_age_pension
    assert alone == [pytest.approx(p.minimum_amount, rel=1e-12)] and alone[0] > 420_000
    assert beside == [alone[0], 0.0, 0.0]


# ---- downloads ------------------------------------------------------------------------------------
import io as _io  # noqa: E402
import zipfile  # noqa: E402


def test_the_reform_downloads_as_a_scenario_file_that_run_reads_to_the_same_numbers(client, tmp_path):
    body = {"name": "Child benefit 2-5, 60,000 riels", "year": 2027, "seed": 3,
            "baseline": {"shock_response.active": False},
            "reform": {"child_benefit.active": True, "child_benefit.amount": 60000}}
    answer = client.post("/api/scenario", json=body)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/yaml")
    assert 'filename="child_benefit_2_5_60_000_riels.yaml"' in answer.headers["content-disposition"]
    path = tmp_path / "reform.yaml"
    path.write_text(answer.text)
    scenario = load_scenario(path)
    assert (scenario.name, scenario.year, scenario.seed, scenario.reform, scenario.baseline) == (
        body["name"], 2027, 3, body["reform"], body["baseline"])
    out = tmp_path / "run"
    assert CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--no-charts", "--no-intervals"]).exit_code == 0
    assert json.loads((out / "summary.json").read_text()) == client.post("/api/simulate", json=body).json()
    refused = client.post("/api/scenario", json={"reform": {"child_benefit.amount": -1}})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "reform", "child_benefit.amount"]


def test_the_run_folder_downloads_whole_as_a_zip(client):
    body = request_of("social_pension_65", 2026)
    answer = client.post("/api/run-folder", json=body)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(_io.BytesIO(answer.content))
    names = set(archive.namelist())
    folder = next(iter(names)).split("/")[0]
    for file in ("report.md", "report.html", "workbook.xlsx", "summary.json", "manifest.json",
                 "tables/poverty.csv", "tables/costs.csv", "charts/poverty_by_age.png"):
        assert f"{folder}/{file}" in names, file
    summary = json.loads(archive.read(f"{folder}/summary.json"))
    assert summary == client.post("/api/simulate", json=body).json()
    manifest = json.loads(archive.read(f"{folder}/manifest.json"))
    assert manifest["command"].startswith("microsim serve: POST /api/run-folder") and manifest["results_sha256"]


def test_the_tables_are_the_run_folder_s_csv_files(client):
    body = request_of("child_benefit_2_5", 2030)
    answer = client.post("/api/tables", json=body)
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["format"] == "microsim-tables/1" and document["scenario"]["year"] == 2030
    archive = zipfile.ZipFile(_io.BytesIO(client.post("/api/run-folder", json=body).content))
    folder = archive.namelist()[0].split("/")[0]
    csv_names = {n.split("/")[-1][:-4] for n in archive.namelist() if n.startswith(f"{folder}/tables/")}
    assert set(document["tables"]) == csv_names
    import pandas as pd

    for name, table in document["tables"].items():
        written = pd.read_csv(_io.BytesIO(archive.read(f"{folder}/tables/{name}.csv")), keep_default_na=False)
        assert table["columns"] == list(written.columns), name
        assert len(table["rows"]) == len(written), name
        for row, (_, csv_row) in zip(table["rows"], written.iterrows()):
            for value, text in zip(row, csv_row):
                if isinstance(value, float):
                    assert abs(value - float(text)) <= 5e-7 + 1e-12 * abs(value), (name, value, text)
                elif value is None:
                    assert text == "", (name, text)
                else:
                    assert str(value) == str(text), (name, value, text)


def test_the_report_downloads_as_the_run_folder_s_page(client):
    answer = client.post("/api/report", json=request_of("social_pension_65", 2026))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "<table" in answer.text and "data:image/png;base64," in answer.text
    assert client.post("/api/report", json={"reform": {"social_pension.amount": -5}}).status_code == 422


def workbook_cells(book: bytes, cached: bool = False) -> dict:
    """Every cell of a workbook by sheet: as written (formulas as their text), or with ``cached`` the
    values stored for the formulas."""
    import openpyxl

    loaded = openpyxl.load_workbook(_io.BytesIO(book), data_only=cached)
    return {sheet.title: {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row
                          if cell.value is not None} for sheet in loaded.worksheets}


def test_the_costing_workbook_downloads_as_microsim_workbook_writes_it(client, tmp_path):
    out = tmp_path / "costing"
    scenario = POLICIES / "scenarios" / "social_pension_and_child_benefit.yaml"
    result = CliRunner().invoke(main, ["workbook", str(scenario), "--from", "2026", "--to", "2028", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    body = {**request_of("social_pension_and_child_benefit", load_scenario(scenario).year), "first": 2026, "last": 2028}
    answer = client.post("/api/workbook", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert 'filename="' in answer.headers["content-disposition"] and "_costing.xlsx" in answer.headers["content-disposition"]
    served, written = workbook_cells(answer.content), workbook_cells((out / "workbook.xlsx").read_bytes())
    assert set(served) == set(written) and any(name.startswith("Calc") for name in served)
    assert served == written  # every input, formula and label, cell by cell
    assert workbook_cells(answer.content, cached=True) == workbook_cells((out / "workbook.xlsx").read_bytes(), cached=True)
    assert any(isinstance(v, str) and v.startswith("=") for cells in served.values() for v in cells.values())


def test_the_costing_workbook_refuses_what_the_command_refuses(client):
    nothing = client.post("/api/workbook", json={"reform": {"family_package_base.active": True}, "first": 2026, "last": 2027})
    assert nothing.status_code == 422 and "cohort costing" in nothing.json()["detail"][0]["msg"]
    backwards = client.post("/api/workbook", json={"reform": {"child_benefit.active": True}, "first": 2030, "last": 2027})
    assert backwards.status_code == 422 and backwards.json()["detail"][0]["loc"] == ["body", "last"]
    later = client.post("/api/workbook", json={"reform": {"child_benefit.active": True,
                                                          "maternity_allowance.active": {"2026": False, "2027": True}},
                                               "first": 2026, "last": 2028})
    assert later.status_code == 422 and "`maternity_allowance.active` is phased in" in later.json()["detail"][0]["msg"]
