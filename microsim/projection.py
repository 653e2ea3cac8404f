"""Static ageing: the base population reweighted to each projection year's demography.

For a year Y, the base population's households are recalibrated (the calibrator of
``microsim.calibrate``, from the base weights) to targets built from the base population and UN
WPP (``policies/projection.yaml`` states every assumption):

* persons: the base total x WPP total(Y) / WPP total(base year) (or WPP 2024's level);
* households: persons / mean household size (held at the base year's unless an annual change is set);
* age structure, ratio method: the share of each five-year group = its calibrated base share x
  WPP share(Y) / WPP share(base), normalised, so the base calibration is kept and WPP gives the
  change;
* men, and persons in Phnom Penh: the base shares times persons(Y);
* optionally the base year's poverty profile (Tables 1-3 rates except the national one, and
  IDPoor coverage), so that poverty before uprating changes only through the population's
  structure.

Consumption uprating, benefit indexation by year and the ``microsim project`` command build on this
(docs/projection.md says what is done and what is not yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from microsim.calibrate import Calibration, apply, calibrate_population
from microsim.errors import SpecError
from microsim.paths import POLICIES, WPP_FILE
from microsim.population import Population
from microsim.synth.demography import read_wpp_groups
from microsim.targets import DEFAULT_TARGETS, Target, TargetSet, load_targets
from microsim.yamlfile import read_yaml

DEFAULT_ASSUMPTIONS = POLICIES / "projection.yaml"
BASE_YEAR = 2019  # the demographic year of a CSES 2019/20 population
TOP_GROUP = 85  # five-year groups 0-4 ... 80-84, then 85+ (sample cells above are too thin)


@dataclass(frozen=True)
class Assumptions:
    raw: dict
    path: Path

    def value(self, key: str):
        entry = self.raw[key]
        return entry.get("value", entry) if isinstance(entry, dict) else entry


def load_assumptions(path: str | Path | None = None) -> Assumptions:
    path = Path(path) if path else DEFAULT_ASSUMPTIONS
    _, raw = read_yaml(path, "projection assumptions")
    required = ("population_source", "wpp2024_total_2024", "mean_household_size_change", "keep_poverty_profile",
                "calibration")
    if not isinstance(raw, dict) or any(k not in raw for k in required):
        raise SpecError(f"{path}: expected the keys {list(required)} (see docs/projection.md).")
    source = raw["population_source"]["value"]
    if source not in raw["population_source"].get("allowed", ["wpp2022", "wpp2024"]):
        raise SpecError(f"{path}, key `population_source`: expected wpp2022 or wpp2024 (found {source!r}).")
    return Assumptions(raw, path)


def wpp_years() -> tuple[int, int]:
    years = pd.read_csv(WPP_FILE, usecols=["year"])["year"]
    return int(years.min()), int(years.max())


def _groups(wpp: pd.Series) -> np.ndarray:
    """WPP thousands by five-year group, 85+ pooled: array of TOP_GROUP // 5 + 1 values."""
    closed = wpp[wpp.index < TOP_GROUP].to_numpy()
    return np.append(closed, wpp[wpp.index >= TOP_GROUP].sum())


def _group_codes(age: np.ndarray) -> np.ndarray:
    return np.minimum(age // 5, TOP_GROUP // 5).astype(np.int64)


def year_targets(base: Population, year: int, assumptions: Assumptions | None = None,
                 base_targets: TargetSet | None = None) -> TargetSet:
    """The calibration targets of projection year ``year`` for the base population ``base``."""
    assumptions = assumptions or load_assumptions()
    lo, hi = wpp_years()
    if not lo <= year <= hi or year < BASE_YEAR:
        raise SpecError(f"{assumptions.path}: year {year} is outside the population data ({BASE_YEAR}-{hi}, "
                        f"{WPP_FILE.name}).")
    w = base.person_weight()
    persons_base = float(w.sum())
    households_base = float(base.households["weight"].sum())
    wpp_base, wpp_year = read_wpp_groups(WPP_FILE, BASE_YEAR), read_wpp_groups(WPP_FILE, year)
    if assumptions.value("population_source") == "wpp2024":
        wpp_2024 = read_wpp_groups(WPP_FILE, 2024).sum() * 1000
        persons = float(wpp_year.sum() * 1000 * assumptions.value("wpp2024_total_2024") / wpp_2024)
    else:
        persons = persons_base * float(wpp_year.sum() / wpp_base.sum())
    size_change = (1 + assumptions.value("mean_household_size_change") / 100) ** (year - BASE_YEAR)
    households = persons / (persons_base / households_base * size_change)

    age = base.persons["age"].to_numpy()
    codes = _group_codes(age)
    n_groups = TOP_GROUP // 5 + 1
    base_share = np.bincount(codes, w, minlength=n_groups) / persons_base
    g_base, g_year = _groups(wpp_base), _groups(wpp_year)
    share = base_share * (g_year / g_base.sum()) / np.where(g_base > 0, g_base / g_base.sum(), 1.0)
    share /= share.sum()

    src = f"UN WPP 2022 ({WPP_FILE.name}), {year} against {BASE_YEAR}; {assumptions.path.name}"
    targets = [
        Target("persons_total", "count", {"level": "person"}, persons, "persons", src, table="population"),
        Target("households_total", "count", {"level": "household"}, households, "households",
               f"persons / mean household size; {assumptions.path.name}", table="population", level="household"),
    ]
    male = float(w @ (base.persons["sex"] == "male").to_numpy()) / persons_base
    pp = float(w @ (base.household_value("zone") == "phnom_penh")) / persons_base
    targets += [
        Target("persons_male", "count", {"level": "person", "sex": "male"}, male * persons, "persons",
               "base year's share of men", table="population"),
        Target("persons_phnom_penh", "count", {"level": "person", "zone": "phnom_penh"}, pp * persons, "persons",
               "base year's share in Phnom Penh (zone shares held)", table="population"),
    ]
    for g in range(n_groups - 1):  # the last group is implied by the others
        a_lo, a_hi = g * 5, g * 5 + 4
        targets.append(Target(f"population_share_age_{a_lo}_{a_hi}", "rate", {"level": "person"}, float(share[g]),
                              "share of persons", src + " (ratio method)", indicator={"age": [a_lo, a_hi]},
                              table="age_structure"))
    if assumptions.value("keep_poverty_profile"):
        base_targets = base_targets or load_targets(DEFAULT_TARGETS)
        for t in base_targets.targets:
            keep = (t.is_poverty_rate and t.name != "poverty_rate_national") or t.name == "idpoor_coverage"
            if keep:
                targets.append(t)
    return TargetSet(targets, assumptions.path, "", f"projection {year}")


def age_population(base: Population, year: int, assumptions: Assumptions | None = None
                   ) -> tuple[Population, Calibration]:
    """The base population reweighted to ``year``; the calibration says how hard the targets pulled."""
    assumptions = assumptions or load_assumptions()
    cfg = assumptions.raw["calibration"]
    targets = year_targets(base, year, assumptions)
    cal = calibrate_population(base, targets, method=cfg["method"], bounds=tuple(cfg["bounds"]))
    aged = apply(base, cal)
    aged.metadata["projection_year"] = year
    return aged, cal


# ---- uprating -----------------------------------------------------------------------------------
def population_growth(year: int) -> float:
    """Growth of WPP 2022's total population from year - 1 to ``year`` (a share)."""
    return float(read_wpp_groups(WPP_FILE, year).sum() / read_wpp_groups(WPP_FILE, year - 1).sum() - 1)


def real_consumption_factor(macro, year: int) -> float:
    """Real consumption per person in ``year`` relative to the CSES 2019/20 survey period.

    Each year from 2020 it grows by pass-through x real GDP per head growth (real GDP growth over
    WPP population growth); the survey period's level mixes 2019 and 2020 as the CPI does.
    """
    pass_through = float(macro.raw["consumption_pass_through"]["value"])
    level = {BASE_YEAR: 1.0}
    for y in range(BASE_YEAR + 1, max(year, BASE_YEAR + 1) + 1):  # a loop over years
        per_head = (1 + macro.value("real_gdp_growth", y) / 100) / (1 + population_growth(y)) - 1
        level[y] = level[y - 1] * (1 + pass_through * per_head)
    share_2020 = float(macro.raw["survey_price_period"]["value"])
    survey = (1 - share_2020) * level[BASE_YEAR] + share_2020 * level[BASE_YEAR + 1]
    return level[year] / survey


def uprated(pop: Population, factor: float) -> Population:
    """``pop`` with consumption per person multiplied by a real growth ``factor`` (same prices)."""
    households = pop.households.copy()
    households["consumption_pc"] = households["consumption_pc"].to_numpy() * factor
    meta = dict(pop.metadata) | {"real_consumption_factor": factor}
    return Population(households, pop.persons, meta)


# ---- one projection year ------------------------------------------------------------------------
def project_year(base: Population, scenario, year: int, ageing: bool = True, growth: bool = True,
                 assumptions: Assumptions | None = None, macro=None, price_year: int | None = None) -> dict:
    """Simulate ``scenario`` in ``year`` on the aged, uprated base population: one year's results."""
    import dataclasses

    from microsim.macro import load_macro
    from microsim.run import simulate

    macro = macro or load_macro()
    assumptions = assumptions or load_assumptions()
    if ageing:
        pop, cal = age_population(base, year, assumptions)
        strain = {"kish_design_effect": cal.diagnostics["kish_design_effect"],
                  "weight_ratio_min": cal.diagnostics["weight_ratio_min"],
                  "weight_ratio_max": cal.diagnostics["weight_ratio_max"]}
    else:
        pop, strain = base, {"kish_design_effect": None, "weight_ratio_min": None, "weight_ratio_max": None}
    factor = real_consumption_factor(macro, year) if growth else 1.0
    in_year = dataclasses.replace(scenario, year=year, reform_from=scenario.reform_from or scenario.year)
    sim = simulate(in_year, uprated(pop, factor), macro=macro)
    w, age = pop.person_weight(), pop.persons["age"].to_numpy()
    demography = {"year": year, "persons": float(w.sum()), "households": float(pop.households["weight"].sum()),
                  "children 0-14 (persons)": float(w[age < 15].sum()), "older 65+ (persons)": float(w[age >= 65].sum()),
                  "older 65+ (% of persons)": float(w[age >= 65].sum() / w.sum() * 100),
                  "real consumption factor (vs 2019/20)": factor, **strain}
    return {"year": year, "summary": sim.summary, "costs": sim.tables["costs"].assign(year=year),
            "poverty": sim.tables["poverty"].assign(year=year), "demography": demography,
            "benefit_values": benefit_values(sim, year, macro, price_year or year)}


def benefit_values(sim, year: int, macro, price_year: int = 2026) -> list[dict]:
    """Every amount parameter of the reform's active modules: nominal, and real in ``price_year`` riels."""
    from microsim.engine import load_system

    _, tree = load_system()
    rows = []
    for path, p in tree.parameters.items():
        module = path.split(".")[0]
        if module not in sim.reform.active or not p.unit.startswith("riels per"):
            continue
        node = sim.reform.params
        for part in path.split("."):
            node = getattr(node, part)
        rows.append({"year": year, "parameter": path, "unit": p.unit, "nominal": float(node),
                     f"real ({price_year} riels)": float(node) * macro.cpi(price_year) / macro.cpi(year),
                     "indexation": sim.scenario.reform.get(f"{path}.indexation", p.indexation)})
    return rows


# ---- a projection run -----------------------------------------------------------------------------
@dataclass
class Projection:
    scenario: object
    years: list[int]
    tables: dict[str, pd.DataFrame]
    options: dict


def run_projection(scenario, base: Population, first: int, last: int, jobs: int = 1, ageing: bool = True,
                   growth: bool = True, macro=None) -> Projection:
    """Every year from ``first`` to ``last``; years are independent and run in parallel processes."""
    from joblib import Parallel, delayed

    if first > last:
        raise SpecError(f"--from {first} is after --to {last}.")
    years = list(range(first, last + 1))
    assumptions = load_assumptions()
    calls = [(base, scenario, y, ageing, growth, assumptions, macro, first) for y in years]
    if jobs == 1 or len(years) == 1:
        results = [project_year(*c) for c in calls]
    else:
        results = Parallel(n_jobs=jobs)(delayed(project_year)(*c) for c in calls)
    summary = pd.DataFrame([{"year": r["year"], **{k: v for k, v in r["summary"].items()
                                                    if k not in ("scenario", "year", "prices")}} for r in results])
    costs = pd.concat([r["costs"] for r in results], ignore_index=True)
    costs = costs[["year"] + [c for c in costs.columns if c != "year"]]
    poverty = pd.concat([r["poverty"] for r in results], ignore_index=True)
    poverty = poverty[poverty["breakdown"].isin(["national", "age group (Table 1)", "age group", "zone"])]
    poverty = poverty[["year"] + [c for c in poverty.columns if c != "year"]]
    tables = {"years": summary, "costs_by_year": costs, "poverty_by_year": poverty,
              "benefit_values": pd.DataFrame([row for r in results for row in r["benefit_values"]]),
              "demography": pd.DataFrame([r["demography"] for r in results])}
    return Projection(scenario, years, tables, {"ageing": ageing, "growth": growth, "jobs": jobs,
                                                "population_source": assumptions.value("population_source")})


def write_projection(proj: Projection, out, command: str = "", overwrite: bool = False, population_label: str = ""):
    """The projection's run folder: tables, workbook, report with charts, manifest (atomic)."""
    import hashlib
    import json

    from microsim.paths import display_path
    from microsim.io import atomic_folder
    from microsim.macro import load_macro
    from microsim.run import versions

    macro = load_macro()
    with atomic_folder(out, overwrite) as tmp:
        (tmp / "tables").mkdir()
        for name, df in proj.tables.items():
            df.to_csv(tmp / "tables" / f"{name}.csv", index=False, float_format="%.6g", lineterminator="\n")
        with pd.ExcelWriter(tmp / "workbook.xlsx", engine="openpyxl") as xl:
            for name, df in proj.tables.items():
                df.to_excel(xl, sheet_name=name.replace("_", " ")[:31], index=False)
        charts = _projection_charts(proj, tmp / "charts")
        (tmp / "report.md").write_text(_projection_report(proj, charts), encoding="utf-8")
        digest = hashlib.sha256(b"".join((tmp / "tables" / f"{n}.csv").read_bytes() for n in sorted(proj.tables)))
        manifest = {"command": command, "scenario": {"path": display_path(proj.scenario.path),
                                                      "sha256": proj.scenario.sha256},
                    "population": population_label, "years": proj.years, "options": proj.options,
                    "inputs": {display_path(f): hashlib.sha256(Path(f).read_bytes()).hexdigest()
                               for f in (DEFAULT_ASSUMPTIONS, macro.path, WPP_FILE)},
                    "versions": versions(), "results_sha256": digest.hexdigest()}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str) + "\n", encoding="utf-8")
    return Path(out)


def _projection_charts(proj: Projection, folder: Path) -> dict[str, str]:
    from microsim.report import pyplot, save_chart

    plt = pyplot()
    folder.mkdir()
    files = {}
    y = proj.tables["years"]
    fig, ax = plt.subplots(figsize=(7, 3.4), dpi=120)
    ax.plot(y["year"], y["poverty_rate_baseline_pct"], marker="o", color="#8c8c8c", label="baseline")
    ax.plot(y["year"], y["poverty_rate_reform_pct"], marker="o", color="#1f77b4", label="reform")
    ax.set_ylabel("poverty headcount (% of persons)")
    ax.set_title("Poverty by year")
    ax.legend(frameon=False)
    save_chart(fig, folder, "poverty_by_year.png", files, "poverty")
    fig, ax = plt.subplots(figsize=(7, 3.4), dpi=120)
    ax.plot(y["year"], y["cost_change_pct_gdp"], marker="o", color="#1f77b4")
    ax.set_ylabel("cost of the reform (% of GDP)")
    ax.set_title("Cost of the reform by year")
    save_chart(fig, folder, "cost_by_year.png", files, "cost")
    values = proj.tables["benefit_values"]
    real_col = [c for c in values.columns if c.startswith("real (")]
    if len(values) and real_col:
        fig, ax = plt.subplots(figsize=(7, 3.4), dpi=120)
        for name, g in values.groupby("parameter"):
            if g["nominal"].abs().sum() > 0:
                ax.plot(g["year"], g[real_col[0]], marker="o", label=name)
        ax.set_ylabel(real_col[0].replace("real ", "real value, "))
        ax.set_title("Real value of benefit amounts")
        ax.legend(frameon=False, fontsize=7)
        save_chart(fig, folder, "real_benefit_values.png", files, "values")
    return files


def _projection_report(proj: Projection, charts: dict[str, str]) -> str:
    from microsim.report import markdown_table

    y = proj.tables["years"]
    cols = ["year", "poverty_rate_baseline_pct", "poverty_rate_reform_pct", "persons_lifted_out_of_poverty",
            "cost_change_riels_per_year", "cost_change_usd_per_year", "cost_change_pct_gdp"]
    nice = y[cols].rename(columns={
        "poverty_rate_baseline_pct": "poverty baseline (%)", "poverty_rate_reform_pct": "poverty reform (%)",
        "persons_lifted_out_of_poverty": "lifted out of poverty (persons)",
        "cost_change_riels_per_year": "cost (riels per year)", "cost_change_usd_per_year": "cost (USD per year)",
        "cost_change_pct_gdp": "cost (% of GDP)"}).astype({"year": str})
    demo = proj.tables["demography"]
    d = demo[["year", "persons", "older 65+ (% of persons)", "real consumption factor (vs 2019/20)",
              "kish_design_effect"]].rename(columns={"kish_design_effect": "design effect of the weights"}).astype({"year": str})
    strained = demo[(demo["kish_design_effect"].fillna(1) > 2) | (demo["weight_ratio_min"].fillna(1) < 0.21)
                    | (demo["weight_ratio_max"].fillna(1) > 4.9)]["year"].tolist()
    lines = [f"# Projection {proj.years[0]}-{proj.years[-1]}: {proj.scenario.name}", "",
             "Each year: the base population reweighted to that year's demography (static ageing, "
             f"{proj.options['population_source']}), consumption grown with real GDP per head times a pass-through, "
             "prices with the CPI (the poverty line is constant in real terms), benefits indexed by their rules. "
             "Changes in the distribution of consumption beyond uniform growth are not modelled. "
             "Assumptions: policies/projection.yaml and policies/macro.yaml; method: docs/projection.md.", "",
             "## Poverty and cost by year", "", markdown_table(nice, 2), ""]
    for key, title in (("poverty", "Poverty"), ("cost", "Cost"), ("values", "Real value of benefits")):
        if key in charts:
            lines += [f"![{title}]({charts[key]})", ""]
    if strained:
        lines += [f"**Warning**: in {', '.join(map(str, strained))} the demographic targets strain the weights "
                  "(design effect above 2, or weights at the bounds): estimates rest on fewer effective households.", ""]
    lines += ["## Population by year", "", markdown_table(d, 2), "",
              "Costs by programme, poverty by group and the nominal and real value of every benefit amount are "
              "in `tables/` and `workbook.xlsx`.", ""]
    return "\n".join(lines)
