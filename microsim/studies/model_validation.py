"""The model against published figures: ``microsim validate-model``.

``validation/published.yaml`` lists every published figure the model can be held against, with
its source, year, confidence, the model measure that corresponds and why the two differ. For each
figure this module simulates current law (the baseline) in the figure's year on the population
(brought to that year, or as surveyed when the entry says ``economy: survey``), computes the
measure, and writes ``validation/comparison.csv`` and ``docs/validation.md``. Entries with a
``band`` are comparisons the model must hold; tests/test_validation.py checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from microsim.common import formatting, weighted
from microsim.behaviour.earnings import MONTHS as MONTHS_A_YEAR
from microsim.errors import SpecError
from microsim.paths import HOME
from microsim.population.labour import WORKING
from microsim.synth.members import PREGNANCY_MONTHS
from microsim.common.yamlfile import read_yaml
from microsim.distribution.household_totals import household_amounts
from microsim.engine.system import load_system
from microsim.studies.run import simulate_year
from microsim.engine.macro import supported_years
from microsim.engine.scenario import Scenario
from microsim.common.formatting import csv_number

PUBLISHED = HOME / "validation" / "published.yaml"
RATE_UNITS = ("percent", "persons per household", "women per 100 men", "years")
FIGURE_KEYS = {"id", "what", "published", "unit", "year", "source", "confidence", "measure", "economy", "band", "why",
               "programmes"}
FAMILY_PACKAGE = ("family_package_base", "family_package_mother_child", "family_package_scholarship",
                  "family_package_older_persons", "family_package_hiv", "disability_allowance")


@dataclass(frozen=True)
class Figure:
    id: str
    what: str
    published: float
    unit: str
    year: int
    source: str
    confidence: str
    measure: str
    why: str
    economy: str = "year"  # "year": brought to the year; "survey": as surveyed
    band: float | None = None
    programmes: tuple[str, ...] = ()  # the programmes this figure checks (their pages show it)

    @property
    def is_rate(self) -> bool:
        return self.unit.startswith(RATE_UNITS)


@dataclass(frozen=True)
class Comparison:
    figure: Figure
    model: float

    @property
    def difference(self) -> float:
        """Model minus published: points for rates, a share of the published value otherwise."""
        if self.figure.is_rate:
            return self.model - self.figure.published
        return self.model / self.figure.published - 1

    @property
    def within_band(self) -> bool | None:
        if self.figure.band is None:
            return None
        return bool(abs(self.difference) <= self.figure.band + 1e-12)


# ---- the model's measures ------------------------------------------------------------------------------
def _persons_weight(sim):
    return sim.population.person_weight()


def _in_idpoor(sim) -> np.ndarray:
    return (sim.population.households["idpoor"].to_numpy() > 0)[sim.population.person_household_index]


def _programmes(sim) -> dict:
    return {p.programme: p for p in sim.result.programmes}


def _idpoor_households(sim) -> float:
    hh = sim.population.households
    return float(hh["weight"].to_numpy() @ (hh["idpoor"].to_numpy() > 0))


def _idpoor_persons(sim) -> float:
    return float(_persons_weight(sim) @ _in_idpoor(sim))


def _age(sim) -> np.ndarray:
    return sim.population.persons["age"].to_numpy()


def _fp_households(sim) -> tuple[np.ndarray, float]:
    """Households receiving any Family Package component, and the package's monthly total (riels)."""

    pop, modules = sim.population, _modules()
    total = np.zeros(pop.n_households)
    for name in FAMILY_PACKAGE:
        amount = sim.baseline.benefits.get(name)
        if amount is not None:
            total += household_amounts(pop, modules[name], amount)
    return total > 0, total


def _modules():
    return load_system()[0]


def _usd(sim, riels: float) -> float:
    return riels / sim.macro.value("exchange_rate", sim.scenario.year)


def _cost(sim, name: str) -> float:
    p = _programmes(sim).get(name)
    return p.cost_baseline_riels_per_year if p else 0.0


def _pensioners(sim) -> np.ndarray:
    return sim.population.persons["contributory_pension"].to_numpy()


MEASURES: dict[str, Callable] = {
    "idpoor_households": _idpoor_households,
    "idpoor_persons": _idpoor_persons,
    "idpoor_mean_size": lambda sim: _idpoor_persons(sim) / _idpoor_households(sim),
    "idpoor_persons_60_plus": lambda sim: float(_persons_weight(sim) @ (_in_idpoor(sim) & (_age(sim) >= 60))),
    "idpoor_persons_disabled": lambda sim: float(
        _persons_weight(sim) @ (_in_idpoor(sim) & sim.population.persons["disabled"].to_numpy())),
    "idpoor_children_under_5": lambda sim: float(_persons_weight(sim) @ (_in_idpoor(sim) & (_age(sim) < 5))),
    "family_package_households": lambda sim: float(
        sim.population.households["weight"].to_numpy() @ _fp_households(sim)[0]),
    "family_package_persons": lambda sim: float(
        (sim.population.households["weight"].to_numpy() * sim.population.household_size) @ _fp_households(sim)[0]),
    "family_package_cost_usd": lambda sim: _usd(sim, sum(_cost(sim, n) for n in FAMILY_PACKAGE)),
    "family_package_mother_child": lambda sim: _programmes(sim)["family_package_mother_child"].recipients_baseline_persons,
    "family_package_scholarships": lambda sim: _programmes(sim)["family_package_scholarship"].recipients_baseline_persons,
    "family_package_benefit_per_household": lambda sim: (
        lambda reached, total: float(sim.population.households["weight"].to_numpy() @ total)
        / float(sim.population.households["weight"].to_numpy() @ reached))(*_fp_households(sim)),
    "disability_recipients": lambda sim: _programmes(sim)["disability_allowance"].recipients_baseline_persons,
    "covid_transfer_monthly_usd": lambda sim: _usd(sim, _cost(sim, "covid_cash_transfer") / 12),
    "nssf_registered_workers": lambda sim: float(_persons_weight(sim) @ _column(sim, "nssf_member")),
    "nssf_births": lambda sim: float(_persons_weight(sim) @ (_column(sim, "nssf_member") & _column(sim, "pregnant"))
                                     ) * MONTHS_A_YEAR / PREGNANCY_MONTHS,
    "nssf_pension_revenue_quarter": lambda sim: next(
        c.revenue_baseline_riels_per_year for c in sim.result.contributions if c.scheme == "nssf_pension_contributions"
    ) / 4 / 1e9,
    "pensioners_total": lambda sim: float(_persons_weight(sim) @ _pensioners(sim)),
    "pension_bill_monthly_usd": lambda sim: _usd(sim, _cost(sim, "contributory_pensions") / 12),
    "pension_coverage_older": lambda sim: float(
        _persons_weight(sim) @ (_pensioners(sim) & (_age(sim) >= 60)) / _persons_weight(sim)[_age(sim) >= 60].sum() * 100),
    "pension_women_per_100_men": lambda sim: (lambda w, older, female: float(
        w @ (older & female) / (w @ (older & ~female)) * 100))(
        _persons_weight(sim), _pensioners(sim) & (_age(sim) >= 60),
        (sim.population.persons["sex"] == "female").to_numpy()),
    "persons": lambda sim: float(_persons_weight(sim).sum()),
    "households": lambda sim: float(sim.population.households["weight"].sum()),
    "poverty_rate": lambda sim: sim.headline.poverty_rate_baseline_pct,
    "labour_participation": lambda sim: _share(sim, ("agriculture_self_employed", "industry_wage", "services",
                                                     "unemployed"), adults=True),
    "agriculture_share": lambda sim: _share(sim, ("agriculture_self_employed",),
                                            among=("agriculture_self_employed", "industry_wage", "services")),
    "gdp_billion_riels": lambda sim: sim.macro.gdp(sim.scenario.year) / 1e9,
    "mean_years_schooling_25_plus": lambda sim: _mean_years(sim, None),
    "mean_years_schooling_25_plus_women": lambda sim: _mean_years(sim, "female"),
    "mean_years_schooling_25_plus_men": lambda sim: _mean_years(sim, "male"),
    "public_servants": lambda sim: float(_persons_weight(sim) @ (_column(sim, "labour_status") == "public_servant")),
    "informal_share": lambda sim: 100 - _persons_share(sim, _in_work(sim), _column(sim, "formal_employment")),
    "women_earnings_gap": lambda sim: _women_earnings_gap(sim),
    "nssf_industry_median_earnings_usd": lambda sim: _nssf_industry_median_earnings_usd(sim),
    "preschool_attendance_age_5": lambda sim: _persons_share(sim, _age(sim) == 5, _column(sim, "in_school")),
    "lower_secondary_completion": lambda sim: _persons_share(
        sim, (_age(sim) >= 16) & (_age(sim) <= 18), _column(sim, "education_years") >= 9),
}


def _column(sim, name: str) -> np.ndarray:
    """A person column; an optional one the population lacks makes the measure undefined (shown as such)."""
    if name not in sim.population.persons:
        raise _Undefined(name)
    return sim.population.persons[name].to_numpy()


class _Undefined(Exception):
    """A measure the population cannot give (an optional column is missing)."""


def _in_work(sim) -> np.ndarray:
    return np.isin(sim.population.persons["employment_type"].to_numpy(), WORKING)


def _women_earnings_gap(sim) -> float:
    """How much less women in work earn than men in work, on average (percent of men's mean)."""
    w, earnings = _persons_weight(sim), _column(sim, "earnings")
    female = (sim.population.persons["sex"] == "female").to_numpy()
    mean = [float(w @ (earnings * group) / (w @ group)) for group in (_in_work(sim) & female, _in_work(sim) & ~female)]
    return (1 - mean[0] / mean[1]) * 100


def _nssf_industry_median_earnings_usd(sim) -> float:
    """Median monthly earnings of the NSSF's members in industry wage jobs (USD a month, the year's
    exchange rate): the garment, textile and footwear workers a minimum wage is set for."""
    members = _column(sim, "nssf_member") & (_column(sim, "employment_type") == "industry_wage")
    return _usd(sim, float(weighted.median(_column(sim, "earnings")[members], _persons_weight(sim)[members])))


def _persons_share(sim, within: np.ndarray, flag: np.ndarray) -> float:
    """Percent of the weighted persons ``within`` for whom ``flag`` holds."""
    w = _persons_weight(sim)
    return float(w @ (within & flag) / (w @ within) * 100)


def _mean_years(sim, sex: str | None) -> float:
    """Mean years of schooling of persons aged 25+ (of one sex, or all)."""
    w = _persons_weight(sim)
    within = _age(sim) >= 25
    if sex:
        within &= _column(sim, "sex") == sex
    return float(w[within] @ _column(sim, "education_years")[within] / w[within].sum())


def _share(sim, kinds, adults: bool = False, among=None) -> float:
    w = _persons_weight(sim)
    et = sim.population.persons["employment_type"].to_numpy()
    base = np.isin(et, among) if among is not None else (_age(sim) >= 15 if adults else np.ones(et.size, bool))
    return float(w @ (np.isin(et, kinds) & base) / (w @ base) * 100)


# ---- loading, computing, writing ------------------------------------------------------------------------
def load_figures(path: str | Path | None = None) -> list[Figure]:
    path = Path(path) if path else PUBLISHED
    _, raw = read_yaml(path, "validation file")
    if not isinstance(raw, dict) or not isinstance(raw.get("figures"), list):
        raise SpecError(f"{path}: expected `figures:`, a list of published figures (see its header).")
    figures, seen = [], set()
    for i, entry in enumerate(raw["figures"]):
        where = f"{path}, figure {i + 1}"
        if not isinstance(entry, dict):
            raise SpecError(f"{where}: expected a mapping with {sorted(FIGURE_KEYS)}.")
        unknown = set(entry) - FIGURE_KEYS
        missing = {"id", "what", "published", "unit", "year", "source", "confidence", "measure", "why"} - set(entry)
        if unknown or missing:
            raise SpecError(f"{where}: " + (f"unknown key(s) {sorted(unknown)}; " if unknown else "")
                            + (f"missing {sorted(missing)}" if missing else "").rstrip("; ") + ".")
        if entry["measure"] not in MEASURES:
            raise SpecError(f"{where}: unknown measure `{entry['measure']}`; expected one of {sorted(MEASURES)}.")
        if entry["id"] in seen:
            raise SpecError(f"{where}: the id `{entry['id']}` is used twice.")
        seen.add(entry["id"])
        economy = entry.get("economy", "year")
        if economy not in ("year", "survey"):
            raise SpecError(f"{where}: `economy` is year or survey (found {economy!r}).")
        figures.append(Figure(id=str(entry["id"]), what=str(entry["what"]), published=float(entry["published"]),
                              unit=str(entry["unit"]), year=int(entry["year"]), source=str(entry["source"]),
                              confidence=str(entry["confidence"]), measure=entry["measure"],
                              why=" ".join(str(entry["why"]).split()), economy=economy,
                              band=float(entry["band"]) if entry.get("band") is not None else None,
                              programmes=tuple(entry.get("programmes") or ())))
    return figures


def compare(population, figures: list[Figure] | None = None) -> list[Comparison]:
    """Each figure beside the model's value: current law simulated in the figure's year."""

    figures = figures if figures is not None else load_figures()
    first, _ = supported_years()
    runs: dict[tuple, object] = {}
    out = []
    for f in figures:
        year = max(f.year, first)
        key = (year, f.economy)
        if key not in runs:
            scenario = Scenario(name="Current law", year=year, path=PUBLISHED, sha256="")
            survey = f.economy == "survey"
            runs[key] = simulate_year(scenario, population, ageing=not survey, growth=not survey)
        try:
            value = MEASURES[f.measure](runs[key])
        except _Undefined:  # an optional column this population does not have
            value = None
        out.append(Comparison(f, float(value) if value is not None else float("nan")))
    return out


def comparison_table(comparisons: list[Comparison]) -> pd.DataFrame:
    return pd.DataFrame([{
        "id": c.figure.id, "what": c.figure.what, "unit": c.figure.unit, "year": c.figure.year,
        "published": c.figure.published, "model": c.model,
        "difference": c.difference, "difference is": "points" if c.figure.is_rate else "share of published",
        "band": c.figure.band, "within band": c.within_band, "confidence": c.figure.confidence,
        "source": c.figure.source, "why the model differs": c.figure.why} for c in comparisons])


def published_text(x: float, unit: str) -> str:
    """A published figure as published: whole counts in full, the rest as the model's values."""
    if float(x).is_integer() and not unit.startswith(("percent", "USD", "women per", "years")):
        return f"{x:,.0f}"
    return value_text(x, unit)


def value_text(x: float, unit: str) -> str:
    if unit.startswith(("percent", "persons per household", "women per 100", "years")):
        return formatting.plain(x, 2)
    if unit.startswith("USD"):
        return formatting.usd(x)
    if unit.startswith(("billion riels", "riels")):
        return formatting.plain(x, 0)
    return formatting.persons(x)


def difference_text(c: "Comparison") -> str:
    """Model minus published: in the unit's points (or years) for rates, else as a percentage."""
    f = c.figure
    if f.is_rate:
        return f"{c.difference:+.2f} {'years' if f.unit.startswith('years') else 'pts'}"
    return f"{c.difference * 100:+.1f} %"


def markdown(comparisons: list[Comparison], population_label: str) -> str:
    """docs/validation.md: the table and, for each figure, its source and why the model differs."""
    held = [c for c in comparisons if c.within_band is not None]
    lines = [
        "# Validation: the model against published figures", "",
        "Generated by `microsim validate-model` from `validation/published.yaml` (the published figures, their "
        "sources, the model measure and why the two differ); the same numbers are in `validation/comparison.csv`. "
        f"Population: `{population_label}`. Each figure is computed under current law in the figure's year, on the "
        "population brought to that year (static ageing, growth, prices), or as surveyed where the entry says so "
        "(the survey year 2019). Differences are model minus published: in points for rates, as a share of the "
        "published value otherwise.", "",
        f"**{sum(c.within_band for c in held)} of the {len(held)} comparisons with a stated band hold** "
        "(tests/test_validation.py checks every one); the others are shown to say how far the model is, and why.", "",
        "| figure | year | published | model | difference | band | holds | confidence |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for c in comparisons:
        f = c.figure
        diff = difference_text(c)
        band = "" if f.band is None else (f"{f.band:g} pts" if f.is_rate else f"{f.band * 100:g} %")
        holds = {None: "", True: "yes", False: "**no**"}[c.within_band]
        lines.append(f"| {f.what} ({f.unit}) | {f.year} | {published_text(f.published, f.unit)} | {value_text(c.model, f.unit)} | "
                     f"{diff} | {band} | {holds} | {f.confidence} |")
    lines += ["", "## Each figure: its source and why the model differs", ""]
    for c in comparisons:
        f = c.figure
        lines += [f"### {f.what}", "",
                  f"- Published: {published_text(f.published, f.unit)} {f.unit} ({f.year}). Source: {f.source}.",
                  f"- Model: {value_text(c.model, f.unit)} {f.unit}.",
                  f"- Why: {f.why}", ""]
    lines += ["_Regenerate with `microsim validate-model` after any change to the population, parameters or "
              "method._", ""]
    return "\n".join(lines)


def write(comparisons: list[Comparison], folder: Path, docs: Path | None, population_label: str) -> list[Path]:
    """Write comparison.csv to ``folder`` and the Markdown to ``docs`` (default: docs/validation.md)."""

    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / "comparison.csv"
    comparison_table(comparisons).to_csv(csv, index=False, float_format=csv_number, lineterminator="\n")
    md = docs or folder / "validation.md"
    md.write_text(markdown(comparisons, population_label), encoding="utf-8")
    return [csv, md]
