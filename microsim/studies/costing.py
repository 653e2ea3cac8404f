"""Quick costing in the spreadsheet tradition (ILO RAP, Social Protection Floors Calculator):
``microsim cost`` and the live Excel workbook of ``microsim workbook`` share this arithmetic.

For each measure and year::

    eligible      = persons aged min_age..max_age in the year (the model's own projection: the
                    population brought to each year, as ``microsim run`` does)
                    (or, for a maternity benefit, the births of the year; for a disability
                    benefit, all persons x the prevalence of disability)
    beneficiaries = eligible x coverage x take-up
    benefit       = amount x its index (none: 1; cpi: CPI(year) / CPI(first year); fixed: (1 + rate)^(year - first))
    annual cost   = beneficiaries x benefit x months x (1 + administrative cost rate)

A social insurance scheme the reform switches on or changes is costed as revenue (a
contributory measure, never added to the costs)::

    insured       = persons aged min_age..max_age x insured share (measured in the first year)
    insurable wage = the first year's contributors' mean contributable wage in the year (their
                    earnings grown as the model grows them, within the year's floor and ceiling)
    revenue       = insured x insurable wage x the scheme's rate in force on 1 January x 12
                    (workers' part = revenue x worker share; the rest the employer's)

``coverage`` is the share of the age group the measure's targeting reaches (1 for a universal
benefit; for a pension-tested pension, those without a contributory pension), measured on the
population in the first year and held. A spreadsheet sees age groups, not households: where the
microsimulation's rules go beyond age and a constant share (household targeting, take-up drawn
person by person), the two differ, and the workbook's Checks sheet says by how much.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim.engine.benefit import paid
from microsim.behaviour.earnings import MONTHS as MONTHS_A_YEAR
from microsim.engine.costing_measures import (MAX_AGE, ContributionMeasure, Measure, ShockMeasure, age_group,
                                              average_paid, indexation, reached_share)
from microsim.errors import SpecError
from microsim.synth.spec import ZONES
from microsim.population.ageing import bring_to_year
from microsim.common.determinism import one_blas_thread
from microsim.engine.macro import load_macro
from microsim.behaviour.earnings import year_earnings
from microsim.engine.economy import year_economy
from microsim.studies.run import check_years, scenario_trees, simulate_year
from microsim.engine.macro import supported_years
from microsim.engine.yaml_benefits import RULES

BASES = {  # how a measure's eligible persons are counted, and the workbook's words for it
    "ages": "persons of the eligible ages (Inputs_Population)",
    "births": "births in the year (Inputs_Demography: persons aged 0); months = payments per birth",
    "disability": "all persons x disability prevalence (Inputs_Population x Inputs_Demography)",
}
BIRTHS, PREVALENCE = "births (persons aged 0)", "disability prevalence (share)"
PREGNANT = "pregnant women (persons)"


@dataclass(frozen=True)
class CostingInputs:
    """Years, the population by single age (rows 0..100) and year, and the macro series by year."""

    years: list[int]
    population: pd.DataFrame  # index age 0..100, one column per year (persons, both sexes)
    gdp: dict[int, float]  # riels
    spending: dict[int, float]  # riels
    cpi: dict[int, float]  # index, first year = 1
    usd: dict[int, float]  # riels per USD
    population_by_sex: dict | None = None  # "male"/"female" -> a frame like ``population``
    demography: pd.DataFrame | None = None  # one row per year: births, disability, IDPoor (see demography_row)
    households_by_zone: pd.DataFrame | None = None  # index zone, one column per year (households)
    earnings: dict[int, float] | None = None  # index of the model's earnings (prices x real consumption), first year = 1
    wages: dict[int, float] | None = None  # index of nominal wages (the macro file's wage_growth), first year = 1


DEMOGRAPHY_COLUMNS = {
    "births (persons aged 0)": "persons aged 0 in the year (UN WPP through the reweighting): a year's births",
    PREGNANT: ("women pregnant at a moment of the year, as the population has them (a pregnancy "
                                 "lasts 9 months, so about 9/12 of a year's births would be expected)"),
    "persons with a disability (persons)": "persons with a significant functional difficulty",
    "disability prevalence (share)": "persons with a disability over all persons",
    "IDPoor households (households)": "households holding an IDPoor card, level 1 or 2",
    "persons in IDPoor households (persons)": "all members of IDPoor households",
    "IDPoor coverage (share)": "persons in IDPoor households over all persons",
}


def demography_row(pop) -> dict:
    """Births, disability and IDPoor coverage of a population (weighted), for the workbook's inputs."""
    weight = pop.person_weight()
    persons = float(weight.sum())
    age = pop.persons["age"].to_numpy()
    disabled = pop.persons["disabled"].to_numpy() if "disabled" in pop.persons else np.zeros(age.size, bool)
    pregnant = pop.persons["pregnant"].to_numpy() if "pregnant" in pop.persons else np.zeros(age.size, bool)
    with_disability = float(weight @ disabled)
    in_idpoor = float(weight @ (pop.household_value("idpoor") > 0))
    values = [float(weight @ (age == 0)), float(weight @ pregnant), with_disability,
              with_disability / persons if persons else 0.0,
              float(pop.households["weight"].to_numpy() @ (pop.households["idpoor"].to_numpy() > 0)), in_idpoor,
              in_idpoor / persons if persons else 0.0]
    return dict(zip(DEMOGRAPHY_COLUMNS, values))


def population_by_age(pop, sex: str | None = None) -> np.ndarray:
    """Weighted persons by single age 0..100 (100+ pooled), of one sex or both."""
    age = np.minimum(pop.persons["age"].to_numpy(), MAX_AGE)
    weight = pop.person_weight()
    if sex is not None:
        weight = weight * (pop.persons["sex"].to_numpy() == sex)
    return np.bincount(age, weight, minlength=MAX_AGE + 1)


def costing_inputs(base, years: list[int], ageing: bool = True, macro=None) -> CostingInputs:
    """The population by age of each year (brought to the year like ``microsim run``) and the macro series."""

    macro = macro or load_macro()
    check_years(years[0], years[-1], macro)
    columns, by_sex, demography, households, earnings = {}, {"male": {}, "female": {}}, {}, {}, {}
    for y in years:  # a loop over years
        pop = one_blas_thread(bring_to_year)(base, y, ageing)[0]
        earnings[y] = earnings_factor(pop, y, macro)
        columns[y] = population_by_age(pop)
        demography[y] = demography_row(pop)
        households[y] = pop.households.groupby("zone", observed=False)["weight"].sum().reindex(list(ZONES)).fillna(0.0)
        for sex in by_sex:
            by_sex[sex][y] = population_by_age(pop, sex)
    index = pd.RangeIndex(0, MAX_AGE + 1, name="age")
    frame = pd.DataFrame(columns, index=index)
    usd = {y: macro.value("exchange_rate", y) for y in years if macro.has("exchange_rate", y)}
    return CostingInputs(years=years, population=frame, gdp={y: macro.gdp(y) for y in years},
                         spending={y: macro.government_spending(y) for y in years},
                         cpi={y: macro.cpi(y) / macro.cpi(years[0]) for y in years}, usd=usd,
                         population_by_sex={sex: pd.DataFrame(cols, index=index) for sex, cols in by_sex.items()},
                         demography=pd.DataFrame.from_dict(demography, orient="index").rename_axis("year"),
                         households_by_zone=pd.DataFrame(households).rename_axis("zone"),
                         earnings={y: earnings[y] / earnings[years[0]] for y in years},
                         wages={y: macro.growth_index("wage_growth", y, years[0]) for y in years})


def earnings_factor(pop, year: int, macro) -> float:
    """How the model grows earnings from the survey to ``year`` (prices x real consumption per head,
    as :func:`first_year_simulation` simulates with growth): the earnings index of the costing."""
    return year_economy(pop, year, macro, growth=True).consumption_factor


def costing_of(scenario, base, first: int, last: int, ageing: bool = True):
    """What ``microsim cost`` and ``microsim workbook`` compute for ``scenario`` on ``base`` from
    ``first`` to ``last``: its measures (coverage measured in the first year), the costing inputs of
    every year, and the first year's microsimulation (which the Checks sheet compares with)."""
    years = check_years(first, last)
    sim = first_year_simulation(scenario, base, first, ageing=ageing)  # once, for coverage and the checks
    measures = measures_of(scenario, base, first, ageing=ageing, sim=sim)
    return measures, costing_inputs(base, years, ageing=ageing), sim


def first_year_simulation(scenario, base, first_year: int, ageing: bool = True):
    """The scenario simulated in the costing's first year (``microsim run`` for that year): the
    measures' coverage is measured on it, and the Checks sheet compares with it."""

    return simulate_year(dataclasses.replace(scenario, year=first_year), base, ageing=ageing, growth=True)


def measures_of(scenario, base, first_year: int, ageing: bool = True, sim=None) -> list[Measure]:
    """The scenario's reform measures that cohort costing can express (age-based person benefits),
    with coverage measured on the population in the first year."""
    sim = sim or first_year_simulation(scenario, base, first_year, ageing)
    pop = sim.population
    params = sim.reform.params
    weights = pop.person_weight()

    modules, _, reform_tree = scenario_trees(sim.scenario)
    out, skipped = [], []
    named = scenario_modules(scenario)
    named |= {n for n, m in modules.items() if m.follows in named}  # a scheme's benefit follows its switch
    named |= {n for n, m in modules.items() if m.is_contribution  # schemes reading a named scheme's rules,
              and any(i in named and i in modules and modules[i].is_contribution for i in m.inputs)
              and raises_other(sim, n)}  # when the reform changes what they raise (an extension's share)
    refuse_phased(scenario, modules, set(sim.reform.active))
    costed = sorted(named & set(sim.reform.active))
    schemes = {n: contribution_measure(sim, n, reform_tree) for n in costed if n in modules and modules[n].is_contribution}
    for name in costed:
        p = getattr(params, name)
        module = modules.get(name)
        if name in schemes:  # revenue: a contributory measure
            out.append(schemes[name])
            continue
        label = next(q.label for q in sim.result.programmes if q.programme == name)
        if module is not None and module.costing is not None:  # the programme says how it is counted
            out.extend(module.costing(sim, p, label))
            continue
        person = module is not None and module.entity == "person" and not module.counted_in_consumption
        if person and not (hasattr(p, "amount") and isinstance(p.amount, (int, float))):
            measure = average_measure(sim, name, p, label, from_wages="earnings" in module.inputs)  # amounts vary
            if measure is not None and module.follows in schemes and measure.indexation == "earnings":
                measure = follow_the_insurable_wage(measure, schemes[module.follows])
            if measure is None:
                skipped.append(name)
            else:
                out.append(measure)
            continue
        if not person:
            skipped.append(name)
            continue
        paid_to = paid(sim.reform.benefits[name])
        rules = yaml_rules(name)
        if "age" in rules:  # a YAML benefit's own age rule
            lo, hi = (int(a) for a in rules["age"])
        else:  # the module's own age bounds when it has them, else every age
            lo = int(getattr(p, "min_age", 0))
            hi = int(getattr(p, "max_age", MAX_AGE))
        unit = {**sim.parameters["baseline"], **sim.parameters["reform_changes"]}.get(f"{name}.amount", {}).get("unit", "")
        one_off = unit.endswith("one-off")  # a yearly lump sum: one payment a year
        sex = rules.get("sex") if isinstance(rules.get("sex"), str) else "both"
        group = age_group(pop, lo, hi, sex)
        take_up = float(getattr(p, "take_up", 1.0))
        coverage = reached_share(weights, paid_to, group, take_up)  # before take-up
        note = ("everyone of those ages" if coverage == 1.0 else
                f"the share of persons aged {lo}-{hi} the rules reach (targeting, tests, conditions)")
        rule, rate = indexation(sim, name)
        out.append(Measure(name=name, label=label, min_age=lo, max_age=hi, coverage=coverage, take_up=take_up,
                           amount=float(p.amount), indexation=rule, indexation_rate=rate,
                           months=1.0 if one_off else float(MONTHS_A_YEAR),
                           admin_rate=float(params.simulation.admin_cost_rate), coverage_note=note, sex=sex))
    if not out:
        raise SpecError(f"{scenario.path}: the reform has no measure cohort costing can express: a person benefit "
                        "or a social insurance scheme switched on or changed by the reform"
                        + (f" ({', '.join(skipped)} pay households, nobody, or amounts already in the survey's "
                           "consumption)" if skipped else "")
                        + ". Use `microsim run` for the others.")
    return out


def follow_the_insurable_wage(measure: Measure, scheme: ContributionMeasure) -> Measure:
    """A scheme's benefit that is a share of the insured's contributable wage (an unemployment
    benefit, a subsidy of contributions), indexed at the mean yearly growth of the scheme's insurable
    wage over the years the model can simulate (``fixed``, percent a year): the spreadsheet's way to
    follow the wage band's ceiling, which earnings growth passes."""
    (first, start), (last, end) = scheme.wages[0], scheme.wages[-1]
    growth = ((end / start) ** (1 / (last - first)) - 1) * 100 if last > first and start > 0 else 0.0
    note = (f"{measure.coverage_note}; the amount grows {growth:.2f} % a year, as the scheme's insurable wage does "
            f"from {first} to {last} (earnings held within the band)")
    return dataclasses.replace(measure, indexation="fixed", indexation_rate=growth, coverage_note=note)


def contribution_measure(sim, name: str, tree) -> ContributionMeasure:
    """A contribution scheme as a contributory measure: who pays (the ages of the first year's
    contributors, and their share of persons of those ages); for every year the model can simulate,
    the scheme's rate on 1 January (0 when it is not in force) and the mean contributable wage of the
    first year's contributors (their earnings grown as the model grows them, held within that year's
    floor and ceiling; first-year weights), read from the reform's dated parameters."""
    pop = sim.population
    weights, age = pop.person_weight(), pop.persons["age"].to_numpy()
    paid = np.asarray(sim.reform.contributions[name], dtype=np.float64)
    payers = paid > 0
    p = getattr(sim.reform.params, name)
    record = next(c for c in sim.result.contributions if c.scheme == name)
    where = str(sim.scenario.path)
    first, last = sim.scenario.year, supported_years(sim.macro)[1]
    if payers.any():
        lo, hi = int(age[payers].min()), int(min(age[payers].max(), MAX_AGE))
        share = float(weights @ payers) / float(weights @ age_group(pop, lo, hi))
    else:
        lo, hi, share = int(getattr(p, "min_age", 15)), int(getattr(p, "max_age", 64)), 0.0
    earnings = year_earnings(pop, sim.economy)[payers]  # riels a month in the first year
    among = weights[payers]
    rates, wages = [], []
    for year in range(first, last + 1):
        on = dt.date(year, 1, 1)

        def value(field):
            return tree.value_at(f"{name}.{field}", on, sim.macro, where)  # indexed as the run indexes it
        growth = earnings_factor(pop, year, sim.macro) / sim.economy.consumption_factor
        held = np.clip(earnings * growth, value("wage_floor"), value("wage_ceiling"))
        wages.append((year, float(among @ held) / float(among.sum()) if payers.any() else 0.0))
        rates.append((year, float(value("rate")) if value("active") else 0.0))
    collected = 1.0
    if hasattr(p, "subsidy_share") and payers.any():  # the payers pay part; a subsidy (a benefit) the rest
        full = float(among @ (np.clip(earnings, p.wage_floor, p.wage_ceiling) * p.rate))
        collected = float(weights @ paid) / full if full > 0 else 1.0
    note = (f"the share of persons aged {lo}-{hi} paying in {first} (members, and those a reform enrols or "
            "take-up brings in), held in later years")
    return ContributionMeasure(name=name, label=record.label, min_age=lo, max_age=hi, insured_share=share,
                               wages=tuple(wages), rates=tuple(rates), worker_share=float(p.worker_share),
                               coverage_note=note, microsimulation_revenue=record.revenue_reform_riels_per_year,
                               collected_share=collected)


def average_measure(sim, name: str, p, label: str, from_wages: bool = False) -> Measure | None:
    """A person benefit whose amount varies by person (school level, pregnancy or infancy, a wage),
    costed by its average paid a month in the first year, held in later years (the first year equals
    the microsimulation). Paid only around births (pregnant women, children under 2): per birth,
    eligible = births. Otherwise by ages: eligible = persons of the ages paid (the module's own
    ``min_age`` / ``max_age`` when it has them; one sex if only one is paid), coverage = the share of
    them paid (before take-up). None when nobody is paid. A benefit computed from wages
    (``from_wages``) that the reform does not index follows the model's earnings (``wages``), as
    the microsimulation's does."""
    pop = sim.population
    weights, age = pop.person_weight(), pop.persons["age"].to_numpy()
    amounts = np.asarray(sim.reform.benefits[name], dtype=np.float64)
    paid_to = amounts > 0
    average = average_paid(weights, amounts, paid_to)
    if average is None:
        return None
    admin = float(sim.reform.params.simulation.admin_cost_rate)
    rule, rate = indexation(sim, name)
    if from_wages and rule == "none":
        rule = "earnings"
    births = float(weights @ (age == 0))
    around_births = pop.persons["pregnant"].to_numpy() | (age < 2)
    take_up = float(getattr(p, "take_up", 1.0))
    if births > 0 and not (paid_to & ~around_births).any():
        # the cost per birth before take-up (so that full take-up can be asked of the workbook), reach included
        per_birth = float(weights @ amounts) / births / take_up if take_up > 0 else 0.0
        note = (f"the module pays pregnant women and children under 2: a birth stands for them, costed at the "
                f"module's cost per birth in {sim.scenario.year} (riels a month, before take-up), held in later years")
        return Measure(name=name, label=label, min_age=0, max_age=0, coverage=1.0, take_up=take_up, amount=per_birth,
                       indexation=rule, indexation_rate=rate, months=float(MONTHS_A_YEAR), admin_rate=admin,
                       coverage_note=note, base="births", amount_kind="per_birth")
    lo = int(getattr(p, "min_age", age[paid_to].min()))
    hi = int(getattr(p, "max_age", min(int(age[paid_to].max()), MAX_AGE)))
    sexes = np.unique(pop.persons["sex"].to_numpy()[paid_to])
    sex = str(sexes[0]) if len(sexes) == 1 else "both"
    coverage = reached_share(weights, paid_to, age_group(pop, lo, hi, sex), take_up)
    note = (f"the share of {'persons' if sex == 'both' else sex + ' persons'} aged {lo}-{hi} the rules reach; the "
            f"amount is the average paid a month in {sim.scenario.year} (amounts vary by person), held in later years")
    return Measure(name=name, label=label, min_age=lo, max_age=hi, coverage=coverage, take_up=take_up, amount=average,
                   indexation=rule, indexation_rate=rate, months=float(MONTHS_A_YEAR), admin_rate=admin,
                   coverage_note=note, sex=sex, amount_kind="average", reachable=coverage)


def shock_costs(m: ShockMeasure, inputs: CostingInputs) -> pd.DataFrame:
    """The shock measure's costing by year, as its Calc sheet computes it (amounts not indexed)."""
    rows = []
    for y in inputs.years:
        in_zones = float(inputs.households_by_zone.loc[list(m.zones), y].sum())
        hit = in_zones * m.share_hit
        vertical, horizontal = hit * m.vertical_share, hit * m.horizontal_share
        shock_year = (vertical * m.vertical_amount + horizontal * m.horizontal_amount) * m.months * (1 + m.admin_rate)
        cost = shock_year * (m.trigger_probability if m.expected else 1.0)
        rows.append({"year": y, "households in the hit zones": in_zones, "households hit": hit,
                     "cost in a shock year (riels)": shock_year, **money_columns(cost, y, inputs),
                     "IDPoor households topped up": vertical, "near-poor households reached": horizontal})
    return pd.DataFrame(rows)


REVENUE = "revenue (riels)"


def contribution_costs(m: ContributionMeasure, inputs: CostingInputs) -> pd.DataFrame:
    """A contributory measure's revenue by year, as its Calc_ sheet computes it (riels of each year)."""
    rows = []
    for y in inputs.years:
        persons = float(inputs.population.loc[m.min_age:m.max_age, y].sum())
        insured = persons * m.insured_share
        wage, rate = m.wage_in(y), m.rate_in(y)
        revenue = insured * wage * rate * MONTHS_A_YEAR * m.collected_share
        rows.append({"year": y, "persons of the ages (persons)": persons, "insured (persons)": insured,
                     "insurable wage (riels per insured per month)": wage, "contribution rate": rate,
                     REVENUE: revenue, "workers' part (riels)": revenue * m.worker_share,
                     "employers' and others' part (riels)": revenue * (1 - m.worker_share),
                     "revenue (USD)": revenue / inputs.usd[y] if inputs.usd.get(y) else np.nan,
                     "revenue (% of GDP)": revenue / inputs.gdp[y] * 100})
    return pd.DataFrame(rows)


def costs_of(m, inputs: CostingInputs) -> pd.DataFrame:
    """A measure's costing by year, whichever kind it is (a contributory measure's is its revenue)."""
    if isinstance(m, ContributionMeasure):
        return contribution_costs(m, inputs)
    return shock_costs(m, inputs) if isinstance(m, ShockMeasure) else measure_costs(m, inputs)


def first_year_amount(m, inputs: CostingInputs) -> float:
    """A measure's first year in the workbook: its cost (riels a year), or a scheme's revenue."""
    return float(costs_of(m, inputs).iloc[0][REVENUE if isinstance(m, ContributionMeasure) else "annual cost (riels)"])


def yaml_rules(name: str) -> dict:
    """The eligibility rules of a benefit defined in YAML (empty for other modules)."""

    return RULES.get(name, {})


def raises_other(sim, scheme: str) -> bool:
    """Whether the reform changes who pays ``scheme`` or how much (in the first year's simulation)."""
    before, after = sim.baseline.contributions.get(scheme), sim.reform.contributions.get(scheme)
    if after is None:
        return False
    return before is None or not np.array_equal(np.asarray(before), np.asarray(after))


COSTED_BY_YEAR = ("rate", "wage_floor", "wage_ceiling")  # a scheme's rules the costing reads year by year


def refuse_phased(scenario, modules: dict, active_first_year: set[str]) -> None:
    """The cohort costing holds one age band, coverage and amount for every year, measured in the
    first year; it reads only a contribution scheme's rate, wage floor and ceiling (and whether it is
    in force) year by year. Any other schedule (``amount: {2026: ..., 2030: ...}``, a benefit switched
    on in a later year, a scheme's extension share, a simulation setting), in the reform or the
    baseline, is refused with a pointer to the projection, rather than a spreadsheet that costs the
    first year's rules throughout or leaves out what starts later."""
    phased = []
    for path, value in {**scenario.baseline, **scenario.reform}.items():
        if not isinstance(value, dict):
            continue
        module, _, field = path.partition(".")
        scheme = module in modules and modules[module].is_contribution
        if scheme and (field in COSTED_BY_YEAR or (field == "active" and module in active_first_year)):
            continue
        phased.append(path)
    if phased:
        phased.sort()
        raise SpecError(f"{scenario.path}: {', '.join(f'`{p}`' for p in phased)} "
                        f"{'is' if len(phased) == 1 else 'are'} phased in by year, and the cohort costing holds one "
                        "set of rules for every year, measured in the first. The cost by year is in `microsim "
                        "project SCENARIO` (tables/costs_by_year.csv); a contribution scheme's rate, wage floor and "
                        "ceiling may be phased in a costing (and whether a scheme in force in the first year "
                        "stays so).")


def scenario_modules(scenario) -> set[str]:
    return {key.split(".")[0] for key in scenario.reform}


def eligible_persons(m: Measure, inputs: CostingInputs, year: int) -> float:
    """Persons eligible in ``year`` (before coverage and take-up), counted by the measure's base."""
    if m.base == "births":
        return float(inputs.demography.loc[year, BIRTHS])
    if m.base == "disability":
        return float(inputs.population[year].sum()) * float(inputs.demography.loc[year, PREVALENCE])
    table = inputs.population if m.sex == "both" else inputs.population_by_sex[m.sex]
    return float(table.loc[m.min_age:m.max_age, year].sum())


def measure_costs(m: Measure, inputs: CostingInputs) -> pd.DataFrame:
    """The measure's costing by year, as the workbook's Calc sheet computes it."""
    rows = []
    first = inputs.years[0]
    for y in inputs.years:
        eligible = eligible_persons(m, inputs, y)
        beneficiaries = eligible * m.coverage * m.take_up
        index = {"none": 1.0, "cpi": inputs.cpi[y], "fixed": (1 + m.indexation_rate / 100) ** (y - first),
                 "earnings": (inputs.earnings or {}).get(y, 1.0), "wages": (inputs.wages or {}).get(y, 1.0)}[m.indexation]
        benefit = m.amount * index
        cost = beneficiaries * benefit * m.months * (1 + m.admin_rate)
        rows.append({"year": y, "eligible (persons)": eligible, "beneficiaries (persons)": beneficiaries,
                     "benefit (riels per person per month)": benefit, **money_columns(cost, y, inputs)})
    return pd.DataFrame(rows)


def money_columns(cost: float, year: int, inputs: CostingInputs) -> dict:
    """An annual cost (riels) in riels, USD (NaN without an exchange rate), % of GDP and of spending."""
    return {"annual cost (riels)": cost,
            "annual cost (USD)": cost / inputs.usd[year] if inputs.usd.get(year) else np.nan,
            "annual cost (% of GDP)": cost / inputs.gdp[year] * 100,
            "annual cost (% of government spending)": cost / inputs.spending[year] * 100}


def checks(scenario, base, measures: list[Measure], inputs: CostingInputs, ageing: bool = True,
           sim=None) -> list[dict]:
    """Each measure's first-year cost in the workbook beside the microsimulation's, with why they differ."""
    sim = sim or first_year_simulation(scenario, base, inputs.years[0], ageing)
    by_name = {p.programme: p for p in sim.result.programmes}
    out = []
    for m in measures:
        if isinstance(m, ContributionMeasure):
            micro = m.microsimulation_revenue
        else:
            micro = m.microsimulation_cost if getattr(m, "microsimulation_cost", None) is not None \
                else by_name[m.name].cost_reform_riels_per_year
        out.append({"measure": m.name, "label": m.label, "workbook": first_year_amount(m, inputs),
                    "microsimulation": micro, "why": _why(m, sim, inputs)})
    return out


def _why(m, sim, inputs: CostingInputs) -> str:
    """Why a measure's workbook cost and the microsimulation's differ (or agree), in words."""
    if isinstance(m, ContributionMeasure):
        return ("Revenue, not a cost. The workbook applies the first year's insured share of persons aged "
                f"{m.min_age}-{m.max_age} and their mean contributable wage, measured on the same persons, so the "
                "first year agrees (to rounding); later years keep the share while the ages' population follows the "
                "projection, and take the first year's contributors' wages grown and held in the band with the first "
                "year's weights, whereas the microsimulation reweights them each year."
                + (f" The payers pay {m.collected_share:.4f} of the contribution at the rate (measured on the first "
                   "year's members); the subsidy pays the rest and is costed as a benefit, not counted as revenue."
                   if m.collected_share != 1.0 else ""))
    if isinstance(m, ShockMeasure):
        return ("The workbook applies the first year's IDPoor and near-poor households per household hit, measured "
                "on the same households, so the first year agrees (to rounding); later years keep these shares "
                "while the households of each zone follow the projection.")
    exact = m.coverage == 1.0 and m.take_up == 1.0
    constant_shares = (f"Coverage {m.coverage:.4f} ({m.coverage_note}) and take-up {m.take_up:g} are constant shares; "
                       "the microsimulation decides person by person (take-up drawn by id).")
    if m.amount_kind == "average" and m.base == "births":
        return ("Births x the insured share x the insured women's average benefit: the microsimulation pays each "
                "insured pregnant woman her own share of her imputed wage, spread over nine months of pregnancy, "
                "so the first year agrees (to rounding) when the pregnant women number 9/12 of the births; later "
                "years index the average to the CPI.")
    if m.amount_kind == "per_birth":
        return ("The module's cost per birth in the first year (pregnant women and children under 2, reach and "
                "take-up included), applied to each year's births: the first year agrees (to rounding); later "
                "years follow the births at the first year's mix.")
    if m.amount_kind == "average":
        return ("The amount is the average paid a month in the first year (amounts vary by person), applied to "
                f"the share of the age group paid ({m.coverage:.4f}) and take-up ({m.take_up:g}): the first year "
                "agrees (to rounding); later years hold that mix of amounts while the age group follows the "
                "projection.")
    if m.base == "births":  # the maternity allowance
        pregnant, births = (float(inputs.demography.iloc[0][column]) for column in (PREGNANT, BIRTHS))
        if not births:
            return "No births in the population."
        if sim.reform.params.maternity_allowance.months_before_birth:
            why = ("The workbook pays every birth all its months (before and after). The microsimulation pays the "
                   "women pregnant at the moment (their months before the birth, spread over nine months of "
                   "pregnancy) and the children aged 0 (the months after): the two agree when the pregnant women "
                   f"number 9/12 of the births; here they number {pregnant / births * 12:.2f}/12 of them.")
        else:
            why = ("Only months after the birth: the workbook's births are the microsimulation's children aged 0, "
                   "so the two agree (to rounding) when everyone is reached with full take-up.")
        if not exact:
            why += " " + constant_shares
        if m.microsimulation_cost is not None:
            why += (" The NSSF's cash benefit for insured women is its own measure (the next row); both columns "
                    "here are the allowance without it.")
        return why
    if m.base == "disability":
        return ("The workbook applies the prevalence of disability to all persons, then a constant share "
                f"({m.coverage:.4f}: {m.coverage_note}) and take-up ({m.take_up:g}); the microsimulation decides "
                "person by person" + (" (take-up drawn by id)" if m.take_up < 1 else "") + ". With everyone reached "
                "and full take-up the two agree (to rounding).")
    if exact:
        return "The same population, ages and amount: the two agree (to rounding)."
    return (f"The workbook applies a constant share ({m.coverage:.4f}: {m.coverage_note}) and take-up "
            f"({m.take_up:g}) to the whole age group; the microsimulation decides person by person (take-up drawn "
            "by id), so the shares of the first year hold on average, not exactly.")
