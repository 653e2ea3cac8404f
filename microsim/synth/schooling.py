"""Children's schooling, drawn once household consumption is known: attendance and grade.

The first draw of attendance (:func:`microsim.synth.members.education_and_school`) decides who
aged 15-24 is at school rather than at work, before consumption exists. This step redraws the
attendance of children aged 3-17 with the household's living standard in it, and the years of
schooling completed by every pupil and school-age child:

* **Attendance** (ages 3-17): the published rate of each age (``school_attendance_by_age``, kept
  exactly in expectation) shifted in log odds by zone, the head's years of schooling and the log of
  consumption per person relative to the poverty line (``school_odds_ratio``). Children of 15-17
  whom the first draw put in work stay out of school; the rest of their age attend more, so the
  age's rate holds.
* **Delay** (years behind the official grade for the age: late entry and repetition), Poisson
  with a mean that grows with the years since school entry and falls as consumption rises
  (``school_delay``), so that completion by level is below attendance, as the published
  completion rates are.
* **Years completed**: a pupil aged a has completed ``a - 6 - delay`` grades (at least 0); a child
  aged 6-17 out of school left at a grade drawn up to that (``u ** (1 / leaving_grade_power)`` of
  the way, so later grades are likelier); pupils aged 18-24 are also ``a - 6 - delay`` years on;
  other adults keep their first
  draw. Grade attended = years completed + 1.

Household features and the IDPoor proxy score are computed before this step, from the first
draw. One feature, the best schooling of members aged 15+, can include a 15-17-year-old whose
years this step changes, so for some households (about a sixth) the stored years differ from that
input to consumption and IDPoor; the head's schooling, the other education feature, is unchanged.
"""

from __future__ import annotations

import numpy as np

from microsim.synth.households import Composition
from microsim.synth.members import head_value, logit_shift_keeping_mean
from microsim.synth.spec import Spec, interpolate

FIRST_AGE, LAST_AGE = 3, 17
SCHOOL_ENTRY_AGE = 6
MAX_YEARS = 25


def children_schooling(comp: Composition, in_school: np.ndarray, education_years: np.ndarray,
                       active: np.ndarray, consumption_ratio: np.ndarray, spec: Spec, rng: np.random.Generator
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Attendance (bool) and years of schooling (int8) of every person, children's redrawn.

    ``active``: in the labour force (bool per person; from the first draw, so never at school);
    ``consumption_ratio``: consumption per person over the poverty line, one per household.
    """
    age = comp.age.astype(np.int64)
    zone = comp.zone[comp.household]
    ratio = np.log(np.maximum(consumption_ratio, 1e-6))[comp.household]
    odds = spec.assumption("school_odds_ratio")
    head_years = head_value(comp, education_years.astype(float))

    # children 15-17 in work stay out of school (their activity was drawn with the first draw); the
    # others of their age attend more, so that each age keeps its published attendance
    child = (age >= FIRST_AGE) & (age <= LAST_AGE) & ~active
    attends = in_school & ~((age >= FIRST_AGE) & (age <= LAST_AGE))
    if child.any():
        rate = interpolate(spec.assumption("school_attendance_by_age"), age[child].astype(float))
        all_of_age = np.bincount(age[(age >= FIRST_AGE) & (age <= LAST_AGE)], minlength=LAST_AGE + 1)
        drawn_of_age = np.bincount(age[child], minlength=LAST_AGE + 1)
        base = np.minimum(rate * all_of_age[age[child]] / drawn_of_age[age[child]], 0.99)
        shift = (np.log(odds["urban"]) * (zone[child] < 2)
                 + np.log(odds["per_year_head_education"]) * (head_years[child] - head_years[child].mean())
                 + np.log(odds["per_log_consumption"]) * (ratio[child] - ratio[child].mean()))
        p = logit_shift_keeping_mean(base, shift, age[child])
        attends[child] = rng.random(p.size) < p

    delay_spec = spec.assumption("school_delay")
    on_track = np.maximum(age - SCHOOL_ENTRY_AGE, 0)
    # repetition accumulates: the mean delay grows with the years since school entry (to 12)
    mean_delay = (delay_spec["per_school_year"] * np.minimum(on_track, 12)
                  * np.exp(delay_spec["per_log_consumption"] * ratio))
    delay = np.minimum(rng.poisson(mean_delay), delay_spec["max"])
    reached = np.maximum(on_track - delay, 0)
    # a child out of school left at a grade up to the one reached, later grades likelier (power > 1)
    left_at = np.floor(rng.random(age.size) ** (1 / delay_spec["leaving_grade_power"]) * (reached + 1))
    school_age = (age >= SCHOOL_ENTRY_AGE) & (age <= LAST_AGE)
    years = np.where(attends & (age >= SCHOOL_ENTRY_AGE), reached,
                     np.where(school_age, left_at, np.where(age < SCHOOL_ENTRY_AGE, 0, education_years)))
    return attends, np.clip(years, 0, MAX_YEARS).astype(np.int8)
