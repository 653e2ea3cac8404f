"""The workbench's page: served whole from the package (nothing from outside), and, in a real
headless Chromium driven by Playwright, a slider moved gives the cost and poverty that the API
gives for that reform, the reform in the address reproduces the page, a value out of its range is
refused beside its field, and two reforms show side by side.

The browser tests need Debian's `chromium` (a system package, installed by .ci/run); without it
they are skipped, unless MICROSIM_REQUIRE_BROWSER=1 (set by .ci/run once it has installed it)."""

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from microsim.common.formatting import pct, riels
from microsim.paths import HOME
from microsim.web.api import STATIC, create_app

CHART_JS_SHA256 = "3f288f4f26882c26b58931fb586a9b4f30370b5de38d69dc005b0bd05b08e113"  # static/vendor/README.md
CHROMIUM = next((shutil.which(b) for b in ("chromium", "chromium-browser") if shutil.which(b)), None)
needs_browser = pytest.mark.skipif(CHROMIUM is None and os.environ.get("MICROSIM_REQUIRE_BROWSER") != "1",
                                   reason="headless Chromium is not installed (Debian package `chromium`)")


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.references = []

    def handle_starttag(self, tag, attrs):
        self.references += [v for k, v in attrs if k in ("src", "href") and v]


def test_the_page_and_everything_it_loads_come_from_the_package():
    client = TestClient(create_app())
    page = client.get("/")
    assert page.status_code == 200 and "Cambodia social protection workbench" in page.text
    parser = _References()
    parser.feed(page.text)
    assert len(parser.references) >= 5
    for reference in parser.references:
        assert reference.startswith("/"), f"the page loads {reference} from outside the server"
        assert client.get(reference).status_code == 200, reference
    for script in ("app.js", "format.js", "style.css"):
        assert not re.search(r"https?://", (STATIC / script).read_text()), f"{script} names an outside address"
    assert hashlib.sha256((STATIC / "vendor" / "chart.umd.min.js").read_bytes()).hexdigest() == CHART_JS_SHA256
    assert client.get("/static/../api.py").status_code == 404  # no path outside the static folder


# ---- in a real browser --------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """`microsim serve` on a free loopback port, as a user starts it."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "microsim", "serve", "--port", str(port)], cwd=HOME,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(f"{address}/api/programmes", timeout=5).read()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"microsim serve did not start: {process.stdout.read().decode()}")
    yield address
    process.terminate()
    process.communicate(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.fail("MICROSIM_REQUIRE_BROWSER=1 but no chromium is installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


def api(address: str, endpoint: str, body: dict) -> dict:
    request = urllib.request.Request(f"{address}/api/{endpoint}", json.dumps(body).encode(),
                                     {"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def wait_for_results(page, after: int = 0) -> int:
    """Wait until the page has shown the answers of a state newer than ``after``; its number."""
    page.wait_for_function(f"Number(document.body.dataset.ready || 0) > {after}", timeout=30_000)
    return int(page.evaluate("document.body.dataset.ready"))


def figure(page, name: str, column: str = "a") -> str:
    return page.locator(f'article[data-reform="{column}"] [data-figure="{name}"]').inner_text()


def open_programme(page, name: str) -> None:
    """Unfold a programme's parameters in the panel (a programme the reform changes is unfolded already)."""
    page.locator(f"details[data-programme={name}]").evaluate("(details) => { details.open = true; }")


def pension(amount: int) -> dict:
    return {"social_pension.active": True, "social_pension.amount": amount}


@needs_browser
def test_a_slider_moved_shows_the_api_s_cost_and_poverty_and_the_link_reproduces_it(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/#year=2026&a.name=Social%20pension&a.social_pension.active=true&a.social_pension.amount=100000")
    ready = wait_for_results(page)
    first = api(server, "simulate", {"name": "Social pension", "year": 2026, "reform": pension(100000)})["headline"]
    assert figure(page, "cost") == riels(first["cost_change_riels_per_year"])
    assert figure(page, "poverty") == pct(first["poverty_rate_reform_pct"])

    open_programme(page, "social_pension")
    slider = page.locator('.parameter[data-path="social_pension.amount"] input[type=range]')
    slider.evaluate("(el) => { el.value = 250000; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    wait_for_results(page, ready)
    moved = api(server, "simulate", {"name": "Social pension", "year": 2026, "reform": pension(250000)})["headline"]
    assert figure(page, "cost") == riels(moved["cost_change_riels_per_year"])
    assert figure(page, "poverty") == pct(moved["poverty_rate_reform_pct"])
    assert moved["cost_change_riels_per_year"] > first["cost_change_riels_per_year"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).fragment)
    assert query["a.social_pension.amount"] == ["250000"]
    page.screenshot(path=str(tmp_path / "workbench.png"), full_page=True)
    assert (tmp_path / "workbench.png").stat().st_size > 50_000

    again = browser.new_page(viewport={"width": 1500, "height": 1100})  # the link, opened elsewhere
    again.goto(page.url)
    wait_for_results(again)
    assert figure(again, "cost") == figure(page, "cost") and figure(again, "lifted") == figure(page, "lifted")
    assert again.locator('.parameter[data-path="social_pension.amount"] input[type=number]').input_value() == "250000"
    assert errors == []


@needs_browser
def test_a_value_out_of_range_is_refused_beside_its_field_and_two_reforms_show_side_by_side(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/#year=2027&compare=1&a.name=Pension&a.social_pension.active=true&a.social_pension.amount=150000"
              "&b.name=Child%20benefit&b.child_benefit.active=true&b.child_benefit.amount=40000")
    ready = wait_for_results(page)
    for column, reform in (("a", pension(150000)), ("b", {"child_benefit.active": True, "child_benefit.amount": 40000})):
        expected = api(server, "simulate", {"name": "Pension" if column == "a" else "Child benefit", "year": 2027,
                                            "reform": reform})["headline"]
        assert figure(page, "cost", column) == riels(expected["cost_change_riels_per_year"])
    open_programme(page, "social_pension")
    amount = page.locator('.parameter[data-path="social_pension.amount"] input[type=number]')
    amount.fill("5000000")
    amount.dispatch_event("change")
    error = page.locator('.parameter[data-path="social_pension.amount"] .error')
    assert "plausible range" in error.inner_text()
    page.wait_for_timeout(500)
    assert int(page.evaluate("document.body.dataset.ready")) == ready  # nothing was sent
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).fragment)
    assert query["a.social_pension.amount"] == ["150000"]


@needs_browser
def test_the_household_calculator_shows_the_api_s_benefits_and_poverty(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/#year=2026&a.name=Pension&a.social_pension.active=true&a.social_pension.amount=120000")
    wait_for_results(page)
    page.wait_for_function("Number(document.getElementById('hh-result').dataset.ready || 0) > 0", timeout=30_000)
    page.select_option("#hh-zone", "other_urban")
    page.fill("#hh-consumption", "250000")
    page.dispatch_event("#hh-consumption", "change")
    age = page.locator("#hh-members tbody tr").first.locator("input.age")
    age.fill("67")
    age.dispatch_event("change")
    page.wait_for_function("(r => Number(r.dataset.asked) >= 4 && r.dataset.ready === r.dataset.asked)"
                           "(document.getElementById('hh-result'))", timeout=30_000)  # the last change answered
    assert page.locator("#hh-error").inner_text() == ""
    expected = api(server, "household", {
        "name": "Pension", "year": 2026, "reform": pension(120000), "allow": False,
        "household": {"zone": "other_urban", "idpoor": 0, "consumption_pc": 250000},
        "members": [{"age": 67, "sex": "female"}, {"age": 41, "sex": "male"}, {"age": 38, "sex": "female"},
                    {"age": 4, "sex": "male"}]})
    result = page.locator("#hh-result")
    after = expected["consumption_after_benefits_riels_per_person_per_month"]["reform"]
    assert result.locator('[data-figure="household"]').inner_text() == f"{after:,.0f}"
    pension_row = result.locator("tr", has_text="head (age 67)").filter(has_text="ocial pension")
    paid = expected["member_benefits_riels_per_month"]["reform"]["social_pension"][0]
    assert paid > 0 and pension_row.locator("td.number").last.inner_text() == f"{paid:,.0f}"
    words = "poor" if expected["poor"]["reform"] else "not poor"
    assert f"under the reform ({words})" in result.inner_text()

    # the second member an NSSF employee earning 1,000,000 riels a month: her contributions, her own share
    second = page.locator("#hh-members tbody tr").nth(1)
    asked = int(result.get_attribute("data-asked"))
    second.locator("select.work").select_option("nssf_employee")
    second.locator("input.earnings").fill("1000000")
    second.locator("input.earnings").dispatch_event("change")
    page.wait_for_function(f"(r => Number(r.dataset.asked) >= {asked + 2} && r.dataset.ready === r.dataset.asked)"
                           "(document.getElementById('hh-result'))", timeout=30_000)
    assert page.locator("#hh-error").inner_text() == ""
    row = result.locator("tr.contribution", has_text="member 2 (age 41)").filter(has_text="NSSF pension contributions")
    assert row.locator("td.number").last.inner_text() == "−40,000 (20,000)"


@needs_browser
def test_the_path_panel_draws_the_api_s_projection_and_the_workbook_downloads(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    page.goto(f"{server}/#year=2026&path=1&a.name=Child%20benefit&a.child_benefit.active=true")
    ready = wait_for_results(page)
    page.wait_for_function(f"Number(document.getElementById('path-section').dataset.ready || 0) >= {ready}",
                           timeout=120_000)
    drawn = page.evaluate("""() => { const chart = Chart.getChart(document.getElementById('path-0'));
        return {years: chart.data.labels, cost: chart.data.datasets[0].data, poverty: chart.data.datasets[2].data}; }""")
    projection = api(server, "project", {"name": "Child benefit", "year": 2026, "reform": {"child_benefit.active": True},
                                         "allow": False, "first": 2026, "last": 2035})
    assert drawn["years"] == [y["year"] for y in projection["years"]] == list(range(2026, 2036))
    assert drawn["cost"] == [y["headline"]["cost_change_riels_per_year"] / 1e9 for y in projection["years"]]
    assert drawn["poverty"] == [y["headline"]["poverty_rate_reform_pct"] for y in projection["years"]]

    with page.expect_download(timeout=120_000) as download:
        page.click("#download-workbook")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "child_benefit_costing.xlsx" and saved.read_bytes()[:2] == b"PK"
    import openpyxl

    assert "Summary" in openpyxl.load_workbook(saved).sheetnames
    assert page.locator("#download-workbook").inner_text() == "Costing workbook (Excel)"  # back from "Preparing…"


def test_the_page_asks_only_for_the_years_the_api_accepts():
    from microsim.web.requests import FIRST_YEAR, LAST_YEAR

    script = (STATIC / "app.js").read_text()
    assert f"const FIRST_YEAR = {FIRST_YEAR}, LAST_YEAR = {LAST_YEAR};" in script


@needs_browser
def test_the_page_shows_the_contributions_and_coverage_of_a_social_insurance_reform(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{server}/#year=2026&a.name=Informal%20pension&a.voluntary_pension_contributions.active=true"
              "&a.voluntary_pension_contributions.subsidy_share=0.5&a.voluntary_pension_contributions.subsidy_for=near_poor")
    wait_for_results(page)
    body = {"name": "Informal pension", "year": 2026, "reform": {
        "voluntary_pension_contributions.active": True, "voluntary_pension_contributions.subsidy_share": 0.5,
        "voluntary_pension_contributions.subsidy_for": "near_poor"}}
    summary = api(server, "simulate", body)
    total = summary["years"][0]["contributions"][-1]
    assert total["scheme"] == "total"
    assert figure(page, "contributions") == f"{total['revenue_reform_riels_per_year'] / 1e9:,.1f}"
    coverage = api(server, "tables", body)["tables"]["coverage"]
    national = dict(zip(coverage["columns"], coverage["rows"][0]))
    assert figure(page, "coverage") == pct(national["covered, reform (%)"])
    assert figure(page, "cost") == riels(summary["headline"]["cost_change_riels_per_year"])
