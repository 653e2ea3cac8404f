"""The JSON API of ``microsim serve``: the programmes and their parameters, and a reform simulated
on the population the server holds, answered with exactly the ``summary.json`` that ``microsim run``
writes for that reform and year (docs/outputs.md, docs/serve.md).

The population is read once, when the app is made. Simulations run one at a time (a lock): the
population's derived-array cache is shared by every request and is filled as it is first used, so
two simulations at once could see it half-made. Results are kept by request (the same reform, year
and options answer from memory), so a classroom asking the same questions waits once.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import tempfile
import threading
import zipfile
from collections import OrderedDict
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
import pandas as pd
import yaml

from microsim.common.determinism import one_blas_thread_from_now
from microsim.engine.scenario import Scenario
from microsim.engine.system import load_system
from microsim.errors import MicrosimError, SpecError
from microsim.paths import DEFAULT_POPULATION, display_path
from microsim.population.io import read_population
from microsim.reporting.runfolder import population_info, write_run_folder
from microsim.reporting.simulation_output import projection_output, run_output, run_summary
from microsim.studies.projection import run_projection
from microsim.studies.run import YearSetup, simulate_in_year, year_setup
from microsim.studies.uncertainty import attach_intervals
from microsim.studies.costing import checks, costing_of
from microsim.reporting.costing_workbook import write_costing_workbook
from microsim.studies.fiscal_space import costing_affordability
from microsim.studies.household import household_population, simulate_household
from microsim.web.requests import (FIRST_YEAR, LAST_YEAR, CostingRequest, HouseholdRequest, ProjectRequest, ReformRequest,
                                   SimulateRequest)
from microsim.web.limits import BodyLimit, MAX_BODY_BYTES

class FieldError(MicrosimError):
    """A request's field that the model refuses (an unknown parameter, a value out of its range)."""

    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc, self.message = loc, message


RESULTS_KEPT = 64  # simulations answered from memory (each a few hundred kilobytes)
YEARS_KEPT = 12  # populations brought to a year (a few megabytes each at the shipped population)
STATIC = Path(__file__).resolve().parent / "static"  # the page, its script, style and chart library
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REQUEST = Path("request")  # what error messages name as the scenario's file


def create_app(data: str | Path | None = None) -> FastAPI:
    """The app over the population at ``data`` (default: the shipped one), read once now."""
    data = Path(data) if data is not None else DEFAULT_POPULATION
    one_blas_thread_from_now()  # as every run: identical numbers (microsim.common.determinism)
    population = read_population(data)
    label = display_path(data)
    info = population_info(population, label)
    lock = threading.Lock()
    kept: OrderedDict[str, bytes] = OrderedDict()
    years: OrderedDict[tuple, YearSetup] = OrderedDict()

    def year_of(request) -> YearSetup:
        """The population brought to the request's year (reweighted, grown), made once per year and
        options and reused by every reform of that year (called under the lock)."""
        key = (request.year, request.ageing, request.growth)
        if key not in years:
            years[key] = year_setup(population, *key)
            while len(years) > YEARS_KEPT:
                years.popitem(last=False)
        years.move_to_end(key)
        return years[key]

    def remembered(endpoint: str, request, compute) -> Response:
        """The answer to ``request`` at ``endpoint`` (a JSON document): from memory when asked before,
        else computed (one simulation at a time, under the lock) and kept as its bytes, the least
        recently asked dropped first. ``compute`` returns the documents of every endpoint its work
        answers (a simulation answers both /api/simulate and /api/tables), all kept."""
        request_key = request.model_dump_json()
        key = f"{endpoint}:{request_key}"
        with lock:
            if key not in kept:
                for answered, document in compute().items():
                    kept[f"{answered}:{request_key}"] = json.dumps(document, allow_nan=False,
                                                                   separators=(",", ":")).encode()
                while len(kept) > RESULTS_KEPT:
                    kept.popitem(last=False)
            kept.move_to_end(key)
            answer = kept[key]
        return Response(answer, media_type="application/json")

    app = FastAPI(title="Cambodia microsimulation", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Household benefits and poverty in Cambodia: the command line's studies over HTTP.")
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    @app.exception_handler(FieldError)
    async def field_error(request: Request, error: FieldError):
        return JSONResponse(status_code=422, content={"detail": [{"loc": list(error.loc), "msg": error.message,
                                                                  "type": "value_error"}]})

    @app.exception_handler(MicrosimError)
    async def user_error(request: Request, error: MicrosimError):
        return JSONResponse(status_code=422, content={"detail": [{"loc": ["body"], "msg": str(error),
                                                                  "type": "value_error"}]})

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]})

    @app.get("/api/programmes")
    def programmes(year: int = Query(2026, ge=FIRST_YEAR, le=LAST_YEAR)) -> dict:
        """Every policy module with its parameters as in force on 1 January of ``year``."""
        return programme_catalogue(year)

    @app.post("/api/simulate")
    def simulate(request: SimulateRequest) -> Response:
        """The reform simulated in its year on the server's population: ``summary.json`` of ``microsim run``."""
        return remembered("simulate", request, lambda: simulation_documents(request, population, year_of(request), info))

    @app.post("/api/tables")
    def tables(request: SimulateRequest) -> Response:
        """The tables of the same simulation (tables/*.csv of ``microsim run``'s folder: poverty by
        group, costs, incidence by decile, targeting errors, missing middle, inequality)."""
        return remembered("tables", request, lambda: simulation_documents(request, population, year_of(request), info))

    @app.post("/api/project")
    def project(request: ProjectRequest) -> Response:
        """The reform projected from ``first`` to ``last``: ``summary.json`` of ``microsim project``."""
        return remembered("project", request, lambda: {"project": projection_summary(request, population, info)})

    @app.post("/api/scenario")
    def scenario_file(request: ReformRequest) -> PlainTextResponse:
        """The reform as a scenario file (YAML) that ``microsim run``, ``project`` and ``inaction`` read."""
        scenario_of(request)  # checked as a run would check it
        return PlainTextResponse(scenario_yaml(request), media_type="application/yaml", headers={
            "content-disposition": f'attachment; filename="{slug(request.name)}.yaml"'})

    @app.post("/api/run-folder")
    def run_folder(request: SimulateRequest) -> Response:
        """The run folder ``microsim run`` writes for the reform (report, workbook, tables, charts,
        summary and manifest), as a zip file."""
        with lock:
            archive = run_folder_files(request, population, year_of(request), info, "run-folder", zipped)
        return Response(archive, media_type="application/zip", headers={
            "content-disposition": f'attachment; filename="{slug(request.name)}.zip"'})

    @app.post("/api/report")
    def report(request: SimulateRequest) -> Response:
        """The run folder's report.html for the reform: self-contained (charts embedded), for a brief."""
        with lock:
            page = run_folder_files(request, population, year_of(request), info, "report", lambda folder: (
                folder / "report.html").read_bytes())
        return Response(page, media_type="text/html; charset=utf-8", headers={
            "content-disposition": f'attachment; filename="{slug(request.name)}_report.html"'})

    @app.post("/api/workbook")
    def workbook(request: CostingRequest) -> Response:
        """The live costing workbook ``microsim workbook`` writes for the reform (workbook.xlsx: inputs and
        parameters in yellow cells, formulas that follow a change, checks against the microsimulation)."""
        scenario = scenario_of(request)
        with lock:
            measures, inputs, sim = costing_of(scenario, population, request.first, request.last, ageing=request.ageing)
            found = checks(scenario, population, measures, inputs, ageing=request.ageing, sim=sim)
        with tempfile.TemporaryDirectory(prefix="microsim-serve-") as work:
            path = Path(work) / "workbook.xlsx"
            write_costing_workbook(path, scenario_name=scenario.name, measures=measures, inputs=inputs, checks=found,
                                   population_label=label,
                                   affordability=costing_affordability(scenario, measures, inputs, sim))
            book = path.read_bytes()
        return Response(book, media_type=XLSX, headers={
            "content-disposition": f'attachment; filename="{slug(request.name)}_costing.xlsx"'})

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        """The workbench's page (docs/serve.md): everything it loads is under /static, from the package."""
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.post("/api/household")
    def household(request: HouseholdRequest) -> dict:
        """One household under the baseline and the reform: each programme's benefit to each member
        (or to the household), consumption per person after benefits and poverty (riels a month, the
        year's prices)."""
        problem = request.earnings_problem()
        if problem:
            raise FieldError(*problem)
        scenario = scenario_of(request)
        pop = household_population(request.household.zone, request.household.idpoor,
                                   request.household.consumption_pc, [m.row() for m in request.members], request.year)
        return simulate_household(scenario, pop).to_json()

    return app


def scenario_of(request: ReformRequest) -> Scenario:
    """The request as a scenario, its overrides checked now (an unknown parameter or a value out of
    range is an error naming it, before any work)."""
    scenario = Scenario(name=request.name, year=request.year, path=REQUEST, sha256="", seed=request.seed,
                        description=" ".join(request.description.split()),
                        baseline=dict(request.baseline), reform=dict(request.reform),
                        allow_implausible=request.allow)
    _, tree = load_system()
    for part, overrides in (("baseline", scenario.baseline), ("reform", scenario.reform)):
        for path, value in overrides.items():  # one at a time, so that an error names its field
            try:
                tree.with_overrides({path: value}, f"request, {part}", scenario.overrides_date, request.allow)
            except SpecError as e:
                raise FieldError(("body", part, path), str(e)) from None
    base = tree.with_overrides(scenario.baseline, "request, baseline", scenario.overrides_date, request.allow)
    base.with_overrides(scenario.reform, "request, reform", scenario.overrides_date, request.allow)  # together
    return scenario


def simulated(request: SimulateRequest, population, setup: YearSetup):
    """The request simulated as ``microsim run`` simulates it: the reform in its year on ``setup``
    (``population`` brought to that year), with the asked replicates' intervals."""
    scenario = scenario_of(request)
    sim = simulate_in_year(scenario, population, setup, request.year, ageing=request.ageing)
    attach_intervals(scenario, population, [sim], request.replicates, ageing=request.ageing, growth=request.growth)
    return sim


def simulation_documents(request: SimulateRequest, population, setup: YearSetup, info: dict) -> dict:
    """The answers of one simulation: ``simulate``, what ``microsim run`` writes as summary.json for the
    same reform, year and options, and ``tables``, its tables/*.csv (``setup``: ``population``
    brought to the request's year with its options)."""
    sim = simulated(request, population, setup)
    summary = run_summary(sim, info)  # what run_output puts in summary.json, without the workbook and manifest
    return {"simulate": json.loads(json.dumps(summary, allow_nan=False)),
            "tables": {"format": "microsim-tables/1", "scenario": summary["scenario"], "population": summary["population"],
                       "tables": {name: table_json(table) for name, table in sorted(sim.tables.items())}}}


def table_json(table) -> dict:
    """A table as its CSV holds it (docs/outputs.md): the column titles, then the rows (NaN: null)."""
    return {"columns": [str(c) for c in table.columns],
            "rows": [[json_cell(v) for v in row] for row in table.itertuples(index=False, name=None)]}


def json_cell(value):
    """A table cell as JSON holds it: NumPy scalars as Python numbers, NaN and NA as null."""
    value = value.item() if hasattr(value, "item") else value
    return None if value is pd.NA or (isinstance(value, float) and math.isnan(value)) else value


def slug(name: str) -> str:
    """A file name from a reform's name: lower-case letters, digits and underscores."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60] or "reform"


def scenario_yaml(request: ReformRequest) -> str:
    """The request as the text of a scenario file (docs/policies.md), keys in a scenario's order."""
    document = {"name": request.name, **({"description": request.description} if request.description else {}),
                "year": request.year, **({"seed": request.seed} if request.seed else {}),
                **({"baseline": dict(request.baseline)} if request.baseline else {}), "reform": dict(request.reform)}
    return ("# Written by microsim serve (POST /api/scenario): run it with `microsim run FILE`"
            + (" --allow" if request.allow else "") + "\n" + yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


def run_folder_files(request: SimulateRequest, population, setup: YearSetup, info: dict, endpoint: str,
                     take) -> bytes:
    """``take(folder)`` of the request's run folder, written to a temporary folder of the server's
    own (removed after: no request names or keeps a file on the server)."""
    sim = simulated(request, population, setup)
    command = f"microsim serve: POST /api/{endpoint} {request.model_dump_json()}"
    with tempfile.TemporaryDirectory(prefix="microsim-serve-") as work:
        return take(write_run_folder(run_output(sim, command, 1, info), Path(work) / slug(request.name)))


def zipped(folder: Path) -> bytes:
    """A folder as a zip file, its files under the folder's name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, f"{folder.name}/{file.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def projection_summary(request: ProjectRequest, population, info: dict) -> dict:
    """What ``microsim project`` writes as summary.json for the same reform, years and options."""
    scenario = scenario_of(request)
    projection = run_projection(scenario, population, request.first, request.last, ageing=request.ageing,
                                growth=request.growth, replicates=request.replicates)
    return json.loads(json.dumps(projection_output(projection, "", info, population.metadata).summary, allow_nan=False))


def programme_catalogue(year: int) -> dict:
    """Each module: what it pays, whether current law has it on in ``year``, and each parameter with
    its unit, value in force on 1 January, plausible range and reference."""
    modules, tree = load_system()
    date = dt.date(year, 1, 1)
    out = []
    for name, module in sorted(modules.items()):
        parameters = []
        for path, parameter in tree.parameters.items():
            if not path.startswith(name + "."):
                continue
            dates = [d for d in parameter.values if d <= date]
            entry = parameter.values[max(dates)] if dates else None
            parameters.append({
                "path": path, "description": parameter.description, "unit": parameter.unit,
                "value": entry["value"] if entry else None,
                "in_force_from": max(dates).isoformat() if dates else None,
                "reference": entry["reference"] if entry else "",
                "plausible": list(parameter.plausible) if parameter.plausible else None,
                "allowed": list(parameter.allowed) or None, "indexation": parameter.indexation})
        active = next((p["value"] for p in parameters if p["path"] == f"{name}.active"), False)
        out.append({"name": name, "label": module.label, "entity": module.entity, "description": module.description,
                    "kind": module.kind, "follows": module.follows, "pays": module.unit, "active": bool(active),
                    "parameters": parameters})
    return {"year": year, "programmes": out}
