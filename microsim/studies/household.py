"""One household described by its members, under the baseline and a reform: each programme's
benefit to each member (or to the household), consumption per person after benefits and whether
the household is poor (the workbench's household calculator; docs/serve.md).

Amounts are riels a month in the prices of the year asked: the household's consumption is given in
those prices (what its members know today), and the national poverty line of the survey
(synthetic_data/spec.yaml, CSES 2019/20) is carried to them with the CPI, as every simulation does.
The household is simulated exactly as a household of the population is (the same modules, take-up
draws keyed by its ids and the scenario's seed), with no real growth: nothing else is projected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim.distribution.welfare import welfare
from microsim.engine.macro import load_macro
from microsim.engine.economy import SURVEY_PERIOD, year_economy
from microsim.engine.system import run_system
from microsim.studies.run import scenario_trees
from microsim.population.labour import WORKING_AGE, labour_status
from microsim.population.population import Population
from microsim.synth.consumption import poverty_line_monthly
from microsim.synth.spec import load_spec

HOUSEHOLD_ID, FIRST_PERSON_ID = 1, 1
MEMBER_DEFAULTS = {"disabled": False, "contributory_pension": False, "in_school": False, "pregnant": False,
                   "nssf_retiree": False}  # never drawn from the household's other members
EMPLOYMENT_OF_STATUS = {  # the survey group of a status in employment, when a member gives only the status
    "wage_employee_private": "industry_wage", "public_servant": "services", "own_account": "services",
    "contributing_family_worker": "agriculture_self_employed", "employer": "services",
    "unemployed": "unemployed", "inactive": "inactive"}


@dataclass(frozen=True)
class HouseholdResult:
    """What the calculator shows (riels a month, the year's prices)."""

    year: int
    poverty_line: float  # riels per person per month
    consumption_pc: float  # before the modelled benefits, riels per person per month
    programmes: dict  # name -> {"label", "entity", "kind", "in_survey_consumption"}
    member_benefits: dict  # "baseline" / "reform" -> name -> [riels per member per month]
    member_contributions: dict  # "baseline" / "reform" -> scheme -> [what it collects on each member's wage, riels a month]
    workers_contributions: dict  # "baseline" / "reform" -> scheme -> [the member's own share, riels a month]
    household_benefits: dict  # "baseline" / "reform" -> name -> riels per household per month (household modules)
    consumption_after: dict  # "baseline" / "reform" -> riels per person per month after benefits
    poor: dict  # "before benefits" / "baseline" / "reform" -> bool

    def to_json(self) -> dict:
        return {"year": self.year, "poverty_line_riels_per_person_per_month": self.poverty_line,
                "consumption_before_benefits_riels_per_person_per_month": self.consumption_pc,
                "programmes": self.programmes, "member_benefits_riels_per_month": self.member_benefits,
                "household_benefits_riels_per_month": self.household_benefits,
                "member_contributions_riels_per_month": self.member_contributions,
                "workers_contributions_riels_per_month": self.workers_contributions,
                "consumption_after_benefits_riels_per_person_per_month": self.consumption_after,
                "poor": self.poor}


def household_population(zone: str, idpoor: int, consumption_pc: float, members: list[dict], year: int,
                         macro=None) -> Population:
    """A population of one household: ``consumption_pc`` in ``year``'s riels per person per month,
    ``members`` as person rows (age, sex and any column of the schema; the first is the head).

    A member who gives a status in employment (``labour_status``) but no ``employment_type`` gets
    the survey group of that status (:data:`EMPLOYMENT_OF_STATUS`). A column some members give and
    others do not is completed: ``nssf_member`` false, ``labour_status`` derived from the employment
    type (``microsim.population.labour``), ``earnings`` 0 (riels a month in ``year``'s prices, so
    they are carried to the population's prices with the CPI; the workbench refuses a member in work
    without earnings among members with earnings: ``HouseholdRequest.earnings_problem``). Without
    any earnings the model imputes them from consumption, as for survey data without the column."""
    macro = macro or load_macro()
    factor = macro.price_factor(year, SURVEY_PERIOD)  # the population's price basis (economy.price_basis)
    household = {"household_id": HOUSEHOLD_ID, "zone": zone, "weight": 1.0, "consumption_pc": consumption_pc / factor,
                 "poverty_line": poverty_line_monthly(load_spec()), "idpoor": idpoor}
    persons = []
    for i, member in enumerate(members):
        row = MEMBER_DEFAULTS | {"person_id": FIRST_PERSON_ID + i, "household_id": HOUSEHOLD_ID,
                                 "relationship": "head" if i == 0 else "other_relative"} | dict(member)
        if row["age"] >= WORKING_AGE and "labour_status" in row:
            row.setdefault("employment_type", EMPLOYMENT_OF_STATUS[row["labour_status"]])
        row.setdefault("employment_type", None if row["age"] < WORKING_AGE else "inactive")
        persons.append(row)
    table = pd.DataFrame(persons)
    if "nssf_member" in table:
        table["nssf_member"] = table["nssf_member"].fillna(False).astype(bool)
    if "labour_status" in table:
        given = table["labour_status"].astype(object).where(table["labour_status"].notna(), None)
        table["labour_status"] = given.fillna(pd.Series(labour_status(table.drop(columns="labour_status")),
                                                        index=table.index).astype(object))
        table.loc[table["age"] < WORKING_AGE, "labour_status"] = None
    if "earnings" in table:
        table["earnings"] = table["earnings"].fillna(0.0).astype(float) / factor
    return Population.from_tables(pd.DataFrame([household]), table, source="the household")


def simulate_household(scenario, pop: Population, macro=None) -> HouseholdResult:
    """The household ``pop`` under the baseline and ``scenario``'s reform, in the scenario's year."""
    macro = macro or load_macro()
    modules, base_tree, reform_tree = scenario_trees(scenario)
    where = str(scenario.path)
    economy = year_economy(pop, scenario.year, macro, growth=False)
    systems = {label: run_system(pop, modules, t, scenario.date, macro, seed=scenario.seed, label=label,
                                 where=where, economy=economy)
               for label, t in (("baseline", base_tree), ("reform", reform_tree))}
    base_welfare = welfare(pop, systems["baseline"], modules, economy)
    after = {"baseline": base_welfare,
             "reform": welfare(pop, systems["reform"], modules, economy, survey_system=base_welfare)}
    line = float(economy.poverty_line(pop)[0])
    before = float(economy.consumption_pc(pop)[0])
    paid = sorted(set(systems["baseline"].active) | set(systems["reform"].active))
    member_benefits = {label: {n: [float(v) for v in np.asarray(s.benefits[n], dtype=np.float64)]
                               for n in paid if n in s.benefits and modules[n].entity == "person"}
                       for label, s in systems.items()}
    household_benefits = {label: {n: float(np.asarray(s.benefits[n], dtype=np.float64)[0])
                                  for n in paid if n in s.benefits and modules[n].entity == "household"}
                          for label, s in systems.items()}
    consumption_after = {label: float(w.consumption[0]) for label, w in after.items()}
    member_contributions = {label: {n: [float(v) for v in amounts] for n, amounts in s.contributions.items()}
                            for label, s in systems.items()}
    workers_contributions = {label: {n: [float(v) * float(getattr(s.params, n).worker_share) for v in amounts]
                                     for n, amounts in s.contributions.items()}
                             for label, s in systems.items()}
    return HouseholdResult(
        year=scenario.year, poverty_line=line, consumption_pc=before,
        programmes={n: {"label": modules[n].label, "entity": modules[n].entity, "kind": modules[n].kind,
                        "in_survey_consumption": modules[n].counted_in_consumption} for n in paid},
        member_benefits=member_benefits, household_benefits=household_benefits,
        member_contributions=member_contributions, workers_contributions=workers_contributions,
        consumption_after=consumption_after,
        poor={"before benefits": before < line, **{label: c < line for label, c in consumption_after.items()}})
