"""Members' characteristics: schooling, education, disability, work, pensions, pregnancy.

Each characteristic has an assumed *shape* (how it varies with age, sex, zone...) from the spec's
assumptions, scaled so its overall *level* equals the published figure. Inputs and outputs are
whole arrays, one value per person; the sample has equal design weights, so levels are plain
shares of the sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from microsim.errors import SpecError
from microsim.synth.households import CHILD, HEAD, OTHER, SPOUSE, Composition
from microsim.population.labour import LABOUR_STATUSES
from microsim.synth.spec import SECTORS, SELF_EMPLOYED, ZONES, Spec, interpolate
from microsim.common.rng import stream

EMPLOYMENT_TYPES = ("agriculture_self_employed", "industry_wage", "services", "unemployed", "inactive")
AGRICULTURE, INDUSTRY, SERVICES, UNEMPLOYED, INACTIVE = range(5)
NOT_APPLICABLE = -1  # employment type of children under 15
SURVEY_BIRTH_YEAR_REF = 2019  # survey year used to turn ages into years of birth
PREGNANCY_MONTHS = 9


@dataclass
class Members:
    in_school: np.ndarray
    education_years: np.ndarray  # int8
    disabled: np.ndarray
    employment: np.ndarray  # int8 index into EMPLOYMENT_TYPES, -1 under 15
    formal: np.ndarray
    nssf: np.ndarray
    pension: np.ndarray
    pregnant: np.ndarray
    labour_status: np.ndarray  # int8 index into LABOUR_STATUSES, -1 under 15


CAP = 0.98  # no group is given a probability above this (nobody is certain)


def scale_to_level(shape: np.ndarray, target: float, cap: float = CAP) -> np.ndarray:
    """Probabilities proportional to ``shape`` (capped at ``cap``) whose mean is ``target``."""
    if shape.size == 0 or shape.sum() == 0:
        return np.zeros_like(shape, dtype=float)
    m = target / shape.mean()
    for _ in range(50):  # fixed point: raise the multiplier until capping no longer bites
        p = np.minimum(shape * m, cap)
        mean = p.mean()
        if mean <= 0 or abs(mean - target) < 1e-12:
            break
        m *= target / mean
    return np.minimum(shape * m, cap)


def logit_shift_keeping_mean(base: np.ndarray, shift: np.ndarray, age: np.ndarray) -> np.ndarray:
    """expit(logit(base) + shift + c[age]), with c per age solved so each age's mean stays ``base``."""
    if base.size == 0:
        return np.zeros(0)
    b = np.clip(base, 1e-6, 1 - 1e-6)
    logit = np.log(b / (1 - b)) + shift
    n_age = np.bincount(age, minlength=int(age.max()) + 1).astype(float)
    target = np.bincount(age, b, minlength=n_age.size) / np.maximum(n_age, 1)
    c = np.zeros(n_age.size)
    for _ in range(30):  # Newton, all ages at once
        p = 1 / (1 + np.exp(-(logit + c[age])))
        f = np.bincount(age, p, minlength=n_age.size) / np.maximum(n_age, 1) - target
        slope = np.bincount(age, p * (1 - p), minlength=n_age.size) / np.maximum(n_age, 1)
        c -= np.divide(f, slope, out=np.zeros_like(f), where=slope > 1e-12)
        if np.abs(f).max() < 1e-10:
            break
    return 1 / (1 + np.exp(-(logit + c[age])))


def head_value(comp: Composition, values: np.ndarray) -> np.ndarray:
    """Each person's household head's value (the head is the first member)."""
    start = np.cumsum(comp.size) - comp.size
    return values[start][comp.household]


def education_and_school(comp: Composition, spec: Spec, rng: np.random.Generator):
    age = comp.age.astype(float)
    zone = comp.zone[comp.household]
    birth_year = SURVEY_BIRTH_YEAR_REF - age
    mean = interpolate(spec.assumption("education_mean_by_birth_year"), birth_year)
    gap = interpolate(spec.assumption("education_female_gap_by_birth_year"), birth_year)
    mean = mean - gap * comp.female + np.select([zone == 0, zone == 1], [3.0, 2.0], 0.0)
    adult_years = np.clip(np.rint(mean + rng.normal(0, spec.assumption("education_sd"), age.size)),
                          0, np.maximum(age - 5, 0))
    head_years = head_value(comp, adult_years)

    odds = spec.assumption("school_odds_ratio")
    base = interpolate(spec.assumption("school_attendance_by_age"), age)
    base = np.where((age < 3) | (age >= 25), 0.0, base)
    shift = np.log(odds["urban"]) * (zone < 2) + np.log(odds["per_year_head_education"]) * (head_years - head_years.mean())
    p = np.zeros(age.size)
    school_age = base > 0
    p[school_age] = logit_shift_keeping_mean(base[school_age], shift[school_age], comp.age[school_age])
    in_school = rng.random(age.size) < p

    schooled_so_far = np.clip(age - 6, 0, None)
    dropout = np.floor(rng.random(age.size) * (schooled_so_far + 1))
    years = np.where(in_school, schooled_so_far, np.where(age < 15, np.minimum(dropout, schooled_so_far), adult_years))
    return in_school, np.clip(years, 0, 25).astype(np.int8)


def disability(comp: Composition, spec: Spec, rng: np.random.Generator) -> np.ndarray:
    return rng.random(comp.age.size) < interpolate(spec.assumption("disability_by_age"), comp.age)


def _sector_probabilities(zone, female, older, spec: Spec) -> np.ndarray:
    """P(sector | zone, sex, age 50+) for each of the 12 cells, scaled to the national shares."""
    prop = spec.raw["assumptions"]["sector_propensity"]
    cells = np.array([[prop[ZONES[z]][s] for s in SECTORS] for z in range(3) for _f in range(2) for _o in range(2)])
    f = np.array([f for _z in range(3) for f in range(2) for _o in range(2)])
    o = np.array([o for _z in range(3) for _f in range(2) for o in range(2)])
    cells[:, 1] *= np.where(f == 1, prop["female_industry_factor"], 1.0)
    cells[:, 0] *= np.where(o == 1, prop["older_agriculture_factor"], 1.0)
    cells /= cells.sum(axis=1, keepdims=True)
    cell = zone * 4 + female * 2 + older
    counts = np.bincount(cell, minlength=12).astype(float)
    target = np.array([spec.raw["published"]["sector_shares"][s] for s in SECTORS])
    target /= target.sum()
    for _ in range(200):  # raking of the 12 x 3 table to the national sector shares
        col = (counts[:, None] * cells).sum(axis=0)
        cells *= target / (col / counts.sum())
        cells /= cells.sum(axis=1, keepdims=True)
    return cells[cell]


def activity(comp: Composition, in_school: np.ndarray, spec: Spec, rng: np.random.Generator):
    """Employment type, formal job and NSSF membership of persons 15+ (LFS 2019 levels)."""
    n = comp.age.size
    age = comp.age
    adult = age >= 15
    zone = comp.zone[comp.household]
    female = comp.female
    shape = interpolate(spec.assumption("participation_by_age"), age) * ~in_school
    shape = shape * np.where(female & (zone < 2), spec.assumption("urban_female_participation_factor"), 1.0)
    lfp = spec.raw["published"]["labour_force_participation"]
    p = np.zeros(n)
    for is_f, key in ((False, "male"), (True, "female")):
        m = adult & (female == is_f)
        p[m] = scale_to_level(shape[m], lfp[key])
    active = rng.random(n) < p

    unemp = spec.raw["published"]["unemployment_rate"]
    p_unemp = np.zeros(n)
    p_unemp[active] = scale_to_level(np.where(age[active] < 25, unemp["age_15_24"], unemp["age_25_plus"]),
                                     unemp["all"])
    unemployed = active & (rng.random(n) < p_unemp)
    employed = active & ~unemployed

    employment = np.full(n, NOT_APPLICABLE, np.int8)
    employment[adult] = INACTIVE
    employment[unemployed] = UNEMPLOYED
    e = np.flatnonzero(employed)
    probs = _sector_probabilities(zone[e], female[e].astype(int), (age[e] >= 50).astype(int), spec)
    u = rng.random(e.size)[:, None]
    employment[e] = (u > np.cumsum(probs, axis=1)[:, :2]).sum(axis=1).astype(np.int8)

    fp = spec.assumption("formal_propensity")
    sector_prop = np.array([fp[s] for s in SECTORS])
    zone_prop = np.array([fp[z] for z in ZONES])
    formal = np.zeros(n, bool)
    shape_f = sector_prop[employment[e]] * zone_prop[zone[e]]
    formal[e] = rng.random(e.size) < scale_to_level(shape_f, 1 - spec.published("informal_share"))
    # NSSF members: wage workers of registered enterprises, as many as the published count per person
    npr = spec.assumption("nssf_propensity")
    shape_n = (np.array([npr[s] for s in SECTORS])[employment[e]] * np.array([npr[z] for z in ZONES])[zone[e]]
               * np.where(formal[e], npr["formal"], 1.0) * np.where(female[e], npr["female"], 1.0))
    level = spec.published("nssf_registered_workers") / spec.published("persons_total") * n / max(e.size, 1)
    probability = scale_to_level(shape_n, level)  # the share of employed persons insured
    if e.size and probability.mean() < level - 1e-9:
        raise SpecError(f"{spec.path}: `published.nssf_registered_workers` needs {level:.1%} of employed persons "
                        f"insured, more than `assumptions.nssf_propensity` allows ({probability.mean():.1%}: a "
                        f"propensity of 0 never insures, and no group is insured above {CAP:.0%}); raise the propensities "
                        "or check the count.")
    nssf = np.zeros(n, bool)
    nssf[e] = rng.random(e.size) < probability
    return employment, formal, nssf


def labour_statuses(comp: Composition, employment: np.ndarray, formal: np.ndarray, nssf: np.ndarray,
                    education: np.ndarray, spec: Spec, rng: np.random.Generator) -> np.ndarray:
    """Status in employment per person (index into LABOUR_STATUSES; -1 under 15), consistent with the
    employment type, formal job and NSSF membership already drawn (which it does not change):

    - industry wage workers and NSSF members are private wage employees;
    - public servants are services workers outside the NSSF, as many as the published count per
      person, by zone, formal job and schooling (``public_servant_propensity``);
    - the other services workers are private wage employees with ``services_wage_share``, else
      self-employed; agricultural workers are self-employed;
    - the self-employed are own-account workers, contributing family workers or employers in the
      shares of ``self_employment_status`` for heads and spouses and for the other members;
    - the unemployed and the inactive keep their type.
    """
    n = comp.age.size
    status = np.full(n, NOT_APPLICABLE, np.int8)
    status[employment == UNEMPLOYED] = LABOUR_STATUSES.index("unemployed")
    status[employment == INACTIVE] = LABOUR_STATUSES.index("inactive")
    wage = (employment == INDUSTRY) | nssf
    draws = rng.random((3, n))
    services = np.flatnonzero((employment == SERVICES) & ~nssf)
    zone = comp.zone[comp.household]
    propensity = spec.assumption("public_servant_propensity")
    shape = (np.array([propensity[z] for z in ZONES])[zone[services]]
             * np.where(formal[services], propensity["formal"], 1.0)
             * float(propensity["per_year_education"]) ** education[services].astype(float))
    level = spec.published("public_servants") / spec.published("persons_total") * n / max(services.size, 1)
    probability = scale_to_level(shape, level)
    if services.size and probability.mean() < level - 1e-9:
        raise SpecError(f"{spec.path}: `published.public_servants` needs {level:.1%} of services workers outside the "
                        f"NSSF in the civil service, more than `assumptions.public_servant_propensity` allows.")
    public = np.zeros(n, bool)
    public[services] = draws[0, services] < probability
    wage[services] |= ~public[services] & (draws[1, services] < spec.assumption("services_wage_share"))
    status[wage] = LABOUR_STATUSES.index("wage_employee_private")
    status[public] = LABOUR_STATUSES.index("public_servant")
    self_employed = np.flatnonzero((employment >= 0) & (employment <= SERVICES) & ~wage & ~public)
    shares = spec.raw["assumptions"]["self_employment_status"]
    head_or_spouse = np.isin(comp.relationship[self_employed], [HEAD, SPOUSE])
    for group, members in (("head_or_spouse", self_employed[head_or_spouse]), ("other_member", self_employed[~head_or_spouse])):
        cumulative = np.cumsum([shares[group][k] for k in SELF_EMPLOYED])
        chosen = np.minimum(np.searchsorted(cumulative, draws[2, members], side="right"), len(SELF_EMPLOYED) - 1)
        status[members] = np.array([LABOUR_STATUSES.index(k) for k in SELF_EMPLOYED], np.int8)[chosen]
    return status


PENSION_SCHEMES = ("none", "civil_service", "veteran", "private", "unknown")


def pensions(comp: Composition, education: np.ndarray, spec: Spec, rng: np.random.Generator) -> np.ndarray:
    """Pension scheme per person (index into PENSION_SCHEMES): civil-service and veterans' pensions at
    the published caseloads' shares of the population, by each scheme's age, zone, education and
    sex profile (spec ``pension_schemes``). A person receives at most one (civil service first)."""
    cfg = spec.raw["assumptions"]["pension_schemes"]
    zone = comp.zone[comp.household]
    scheme = np.zeros(comp.age.size, np.int8)
    draws = rng.random((2, comp.age.size))
    for i, (name, published) in enumerate((("civil_service", "civil_service_pensioners"),
                                           ("veteran", "veteran_pensioners"))):
        c = cfg[name]
        shape = interpolate(c["age"], comp.age) * np.array([c["zone"][z] for z in ZONES])[zone]
        shape = shape * float(c["per_year_education"]) ** education.astype(float)
        s_m, s_f = shape[~comp.female].sum(), shape[comp.female].sum()
        expected = spec.published(published) / spec.published("persons_total") * comp.age.size
        if s_m == 0 or s_f == 0 or expected == 0:
            continue
        women = float(c["women_share"])  # scale each sex so it gets its share of the expected recipients
        p = shape * np.where(comp.female, women * expected / s_f, (1 - women) * expected / s_m)
        chosen = (draws[i] < np.minimum(p, 1.0)) & (scheme == 0)
        scheme[chosen] = PENSION_SCHEMES.index(name)
    return scheme


def pregnancy(comp: Composition, spec: Spec, rng: np.random.Generator) -> np.ndarray:
    """Pregnant women: the fertility shape, scaled so pregnancies = 9/12 of infants (age 0)."""
    women = comp.female & (comp.age >= 15) & (comp.age <= 49)
    partnered = np.isin(comp.relationship, [HEAD, SPOUSE, OTHER]) | ((comp.relationship == CHILD) & (comp.age >= 25))
    shape = interpolate(spec.assumption("fertility_by_age"), comp.age) * women
    shape = shape * np.where(partnered, 1.0, spec.assumption("pregnancy_unpartnered_factor"))
    expected = PREGNANCY_MONTHS / 12 * np.count_nonzero(comp.age == 0)  # a year's births, pregnant for 9 months
    if shape.sum() == 0:
        return np.zeros(comp.age.size, bool)
    p = np.minimum(shape * expected / shape.sum(), 0.9)
    return rng.random(comp.age.size) < p


def draw_members(comp: Composition, spec: Spec, seed: int) -> Members:
    in_school, education = education_and_school(comp, spec, stream(seed, "synth.education"))
    disabled = disability(comp, spec, stream(seed, "synth.disability"))
    employment, formal, nssf = activity(comp, in_school, spec, stream(seed, "synth.activity"))
    pension = pensions(comp, education, spec, stream(seed, "synth.pension"))
    pregnant = pregnancy(comp, spec, stream(seed, "synth.pregnancy"))
    status = labour_statuses(comp, employment, formal, nssf, education, spec, stream(seed, "synth.labour_status"))
    return Members(in_school, education, disabled, employment, formal, nssf, pension, pregnant, status)
