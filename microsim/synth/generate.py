"""Generate a synthetic CSES-like population: ``synthesize(households, seed)``.

Steps (each a pure function of the previous step's result and a named random stream):
compose a candidate pool -> resample it to the WPP age-sex and Census zone structure ->
members' characteristics -> consumption -> IDPoor -> children's schooling -> tables in the schema.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from microsim import __version__
from microsim.errors import MicrosimError
from microsim.paths import HOME
from microsim.population.labour import LABOUR_STATUSES, read_earnings_model, share_labour_income
from microsim.population.population import Population
from microsim.common.progress import stages
from microsim.common.rng import stream
from microsim.synth import consumption as cons
from microsim.synth.demography import age_sex_targets, zone_person_shares
from microsim.synth.households import RELATIONSHIPS, compose, take
from microsim.synth.idpoor import assign_idpoor, pmt_score
from microsim.synth.members import EMPLOYMENT_TYPES, INACTIVE, PENSION_SCHEMES, SERVICES, draw_members
from microsim.synth.resample import fit_selection_weights, systematic_sample
from microsim.synth.schooling import children_schooling
from microsim.synth.spec import ZONES, Spec, load_spec

MAX_HOUSEHOLDS = 20_000_000  # far above Cambodia's 3.6 million; a guard against typos
LINES_PER_HOUSEHOLD = 100  # person_id = household_id * 100 + line number


def _categorical(codes: np.ndarray, categories) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(categories))


def check_size(households: int) -> None:
    if not isinstance(households, (int, np.integer)) or isinstance(households, bool):
        raise MicrosimError(f"--households must be a whole number, got {households!r}.")
    if households < 1 or households > MAX_HOUSEHOLDS:
        raise MicrosimError(f"--households must be between 1 and {MAX_HOUSEHOLDS:,} "
                            f"(Cambodia has about 3.6 million households); got {households:,}.")


def synthesize(households: int, seed: int = 2019, spec: Spec | str | Path | None = None,
               quiet: bool = True) -> Population:
    """A synthetic population of ``households`` households, identical for identical inputs."""
    check_size(households)
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    seed = int(seed)
    zone_shares = zone_person_shares(spec)
    age_sex = age_sex_targets(spec)

    pool_n = max(int(np.ceil(households * spec.assumption("pool_factor"))), households + 10)
    with stages(6, "Generating", quiet) as step:
        return _synthesize(households, seed, spec, zone_shares, age_sex, pool_n, step)


def stored_earnings(comp, members, consumption: np.ndarray, spec) -> np.ndarray:
    """Monthly earnings per person (riels, survey prices): the labour share of the household's
    consumption shared among its workers by the earnings model of the spec's file
    (:func:`microsim.population.labour.share_labour_income`)."""
    mincer, labour_share = read_earnings_model(HOME / spec.raw["assumptions"]["earnings_model"]["project_file"])
    working = (members.employment >= 0) & (members.employment <= SERVICES)
    return share_labour_income(working, members.education_years, comp.age, comp.female, comp.household,
                               comp.size, consumption, mincer, labour_share)


def _synthesize(households, seed, spec, zone_shares, age_sex, pool_n, step) -> Population:
    pool = compose(pool_n, zone_shares, spec, stream(seed, "synth.composition"))
    step("household types")
    mean_size = spec.published("persons_total") / spec.published("households_total")
    selection = fit_selection_weights(pool, age_sex, zone_shares, mean_size)
    comp = take(pool, systematic_sample(selection, households, stream(seed, "synth.selection")))
    step("age, sex and zone")
    del pool, selection

    members = draw_members(comp, spec, seed)
    step("members")
    features = cons.household_features(comp, members)
    consumption = cons.consumption_per_person(comp, features, spec, stream(seed, "synth.consumption"))
    score = pmt_score(features, comp.zone, np.log(np.maximum(consumption, 1.0)), comp.size)
    idpoor = assign_idpoor(score, comp.size, spec, stream(seed, "synth.idpoor"))
    active = members.employment != INACTIVE  # children under 15 (no employment type) count as inactive
    active &= members.employment >= 0
    members.in_school, members.education_years = children_schooling(
        comp, members.in_school, members.education_years, active, consumption / cons.poverty_line_monthly(spec), spec,
        stream(seed, "synth.schooling"))
    step("consumption, IDPoor and schooling")

    household_id = np.arange(1, households + 1, dtype=np.int64)
    hh_table = pd.DataFrame({
        "household_id": household_id,
        "zone": _categorical(comp.zone, ZONES),
        "weight": np.full(households, spec.published("households_total") / households, dtype=np.float64),
        "consumption_pc": consumption.astype(np.float64),
        "poverty_line": np.full(households, cons.poverty_line_monthly(spec), dtype=np.float64),
        "idpoor": idpoor,
        "pmt_score": score.astype(np.float64),
    })
    line = np.arange(comp.household.size) - (np.cumsum(comp.size) - comp.size)[comp.household] + 1
    person_hh = household_id[comp.household]
    employment = pd.Categorical.from_codes(members.employment, categories=list(EMPLOYMENT_TYPES))
    persons = pd.DataFrame({
        "person_id": person_hh * LINES_PER_HOUSEHOLD + line,
        "household_id": person_hh,
        "relationship": _categorical(comp.relationship, RELATIONSHIPS),
        "age": comp.age.astype(np.int16),
        "sex": _categorical(comp.female.astype(np.int8), ("male", "female")),
        "employment_type": employment,
        "disabled": members.disabled,
        "contributory_pension": members.pension > 0,
        "pension_scheme": pd.Categorical.from_codes(members.pension, categories=list(PENSION_SCHEMES)),
        "in_school": members.in_school,
        "pregnant": members.pregnant,
        "education_years": members.education_years,
        "formal_employment": members.formal,
        "nssf_member": members.nssf,
        "labour_status": pd.Categorical.from_codes(members.labour_status, categories=list(LABOUR_STATUSES)),
        "earnings": stored_earnings(comp, members, consumption, spec),
    })
    try:
        spec_path = str(spec.path.relative_to(HOME))
    except ValueError:
        spec_path = str(spec.path)
    metadata = {
        "generator": f"microsim {__version__} synth",
        "seed": seed,
        "spec": spec_path,
        "spec_sha256": spec.sha256,
        "survey_year": spec.raw.get("survey_year"),
        "price_year": spec.raw.get("price_year"),
        "weights": "design (equal): Census 2019 households / sample households",
        "calibration": "none",
    }
    step("tables")
    population = Population.from_tables(hh_table, persons, metadata, source="the generated population")
    step("checked")
    return population
