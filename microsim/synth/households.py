"""Household composition: household types, members, their relationships, ages and sexes.

Each household gets a type (older person alone, couple with children, three generations,
grandparents with grandchildren whose parents work away, ...), a head, and members whose ages
follow from the head's: children from their mother's age, grandchildren from the middle
generation's, parents older than the head. Everything is drawn for whole arrays at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from microsim.synth.spec import HOUSEHOLD_TYPES, ZONES, Spec

RELATIONSHIPS = ("head", "spouse", "child", "grandchild", "parent", "other_relative", "non_relative")
HEAD, SPOUSE, CHILD, GRANDCHILD, PARENT, OTHER, NONREL = range(7)
T = {name: i for i, name in enumerate(HOUSEHOLD_TYPES)}
MAX_CHILDREN = 9
MAX_AGE = 100

@dataclass
class Composition:
    """A pool of households and their members (persons ordered by household, head first)."""

    zone: np.ndarray        # int8 per household, index into ZONES
    hh_type: np.ndarray     # int8 per household, index into HOUSEHOLD_TYPES
    size: np.ndarray        # int64 per household
    household: np.ndarray   # int64 per person: row of the household
    relationship: np.ndarray  # int8 per person, index into RELATIONSHIPS
    age: np.ndarray         # int16 per person
    female: np.ndarray      # bool per person

    @property
    def n_households(self) -> int:
        return len(self.zone)


def _by_type(values: dict, hh_type: np.ndarray, default=0.0) -> np.ndarray:
    table = np.array([values.get(t, default) for t in HOUSEHOLD_TYPES], dtype=float)
    return table[hh_type]


def _block(counts: np.ndarray):
    """For a role present ``counts[h]`` times in household h: (household of each, rank within role)."""
    idx = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return idx, np.arange(len(idx)) - first[idx]


def _ages_below(rng, ref_age, idx, lo, hi):
    """Ages of persons born when the reference person (age ``ref_age[idx]``) was ``lo``..``hi``."""
    ref = ref_age[idx]
    age = ref - rng.uniform(lo, hi, len(idx))
    young = age < 0
    age[young] = rng.uniform(0, np.maximum(ref[young] - lo + 1, 1))
    return np.clip(np.floor(age), 0, MAX_AGE)


def compose(n: int, zone_shares: np.ndarray, spec: Spec, rng: np.random.Generator) -> Composition:
    """Draw ``n`` candidate households and their members."""
    types = spec.raw["assumptions"]["household_types"]
    zone = rng.choice(len(ZONES), size=n, p=zone_shares).astype(np.int8)
    type_cum = np.cumsum([[types[t][z] for t in HOUSEHOLD_TYPES] for z in ZONES], axis=1)
    type_cum[:, -1] = 1.0
    u = rng.random(n)
    hh_type = np.empty(n, np.int8)
    for z in range(len(ZONES)):  # loop over 3 zones, not households
        m = zone == z
        hh_type[m] = np.searchsorted(type_cum[z], u[m], side="right")

    head_age_shape = spec.assumption("head_age")
    members = spec.assumption("household_members")
    boy = spec.assumption("male_share_at_birth")
    lo, span, a, b = (np.array([head_age_shape[t][i] for t in HOUSEHOLD_TYPES], float)[hh_type] for i in range(4))
    head_age = np.floor(lo + span * rng.beta(a, b)).clip(15, MAX_AGE)
    head_female = rng.random(n) < _by_type(spec.assumption("female_head_share"), hh_type)
    has_spouse = rng.random(n) < _by_type(spec.assumption("spouse_probability"), hh_type)
    gap = np.abs(rng.normal(3.0, 3.0, n))
    spouse_age = np.clip(np.floor(np.where(head_female, head_age + gap, head_age - gap)), 16, MAX_AGE)
    mother_age = np.where(~head_female & has_spouse, spouse_age, head_age)

    lam = np.array([spec.assumption("extra_children_mean")[z] for z in ZONES])[zone]
    n_child = np.zeros(n, np.int64)
    for t, scale in (("nuclear", 1.0), ("extended", 1.0), ("single_parent", members["single_parent_children_factor"])):
        m = hh_type == T[t]
        n_child[m] = 1 + rng.poisson(lam[m] * scale)
    three = hh_type == T["three_generation"]
    n_child[three] = 1 + rng.poisson(members["three_generation_other_children_mean"], int(three.sum()))  # middle generation + siblings
    n_child = np.minimum(n_child, MAX_CHILDREN)

    skipped = hh_type == T["skipped_generation"]
    n_grand = np.zeros(n, np.int64)
    n_grand[three] = 1 + rng.poisson(members["three_generation_grandchildren_mean"], int(three.sum()))
    n_grand[skipped] = 1 + rng.poisson(members["skipped_generation_grandchildren_mean"], int(skipped.sum()))
    n_grand = np.minimum(n_grand, MAX_CHILDREN)

    extended = hh_type == T["extended"]
    n_parent = np.where(extended, 1 + (rng.random(n) < members["extended_two_parents_probability"]), 0).astype(np.int64)
    in_law = three & (rng.random(n) < members["three_generation_in_law_probability"])  # the middle generation's spouse
    n_other = (rng.random(n) < spec.assumption("other_relative_probability")).astype(np.int64) + in_law
    n_nonrel = (rng.random(n) < spec.assumption("non_relative_probability")).astype(np.int64)

    counts = np.column_stack([np.ones(n, np.int64), has_spouse.astype(np.int64), n_child, n_grand,
                              n_parent, n_other, n_nonrel])
    size = counts.sum(axis=1)
    start = np.cumsum(size) - size
    before = np.cumsum(counts, axis=1) - counts  # members of earlier roles in the household
    n_persons = int(size.sum())
    household = np.repeat(np.arange(n), size)
    relationship = np.empty(n_persons, np.int8)
    age = np.empty(n_persons, np.float64)
    female = np.empty(n_persons, bool)

    def place(role, cnt):
        idx, k = _block(cnt)
        pos = start[idx] + before[idx, role] + k
        relationship[pos] = role
        return idx, k, pos

    idx, _, pos = place(HEAD, counts[:, HEAD])
    age[pos], female[pos] = head_age, head_female
    idx, _, pos = place(SPOUSE, counts[:, SPOUSE])
    age[pos], female[pos] = spouse_age[idx], ~head_female[idx]

    birth_lo, birth_hi = (spec.assumption("mother_age_at_birth")[k] for k in ("min", "max"))
    idx, k, pos = place(CHILD, n_child)
    child_age = _ages_below(rng, mother_age, idx, birth_lo, birth_hi)
    middle = three[idx] & (k == 0)
    child_age[middle] = np.clip(np.floor(mother_age[idx[middle]] - rng.uniform(20, 32, int(middle.sum()))), 18, None)
    age[pos], female[pos] = child_age, rng.random(len(idx)) >= boy
    middle_age = np.zeros(n)
    middle_age[idx[middle]] = child_age[middle]
    middle_female = np.zeros(n, bool)
    middle_female[idx[middle]] = female[pos[middle]]

    idx, k, pos = place(GRANDCHILD, n_grand)
    g_age = _ages_below(rng, middle_age, idx, birth_lo, birth_hi - 4)
    sk = skipped[idx]
    g_age[sk] = np.floor(rng.uniform(0, 18, int(sk.sum())))
    age[pos], female[pos] = g_age, rng.random(len(idx)) >= boy

    idx, k, pos = place(PARENT, n_parent)
    age[pos] = np.clip(head_age[idx] + np.floor(rng.uniform(20, 36, len(idx))), 0, MAX_AGE)
    two = n_parent[idx] == 2
    female[pos] = np.where(two, k == 1, rng.random(len(idx)) < members["extended_single_parent_female_share"])

    idx, k, pos = place(OTHER, n_other)
    is_in_law = in_law[idx] & (k == 0)
    other_age = np.clip(np.floor(head_age[idx] + rng.normal(-8, 14, len(idx))), 3, 90)
    other_age[is_in_law] = np.clip(middle_age[idx[is_in_law]] + rng.normal(0, 3, int(is_in_law.sum())), 16, 70).round()
    age[pos] = other_age
    female[pos] = np.where(is_in_law, ~middle_female[idx], rng.random(len(idx)) < members["other_relative_female_share"])

    idx, k, pos = place(NONREL, n_nonrel)
    age[pos], female[pos] = np.floor(rng.uniform(15, 50, len(idx))), rng.random(len(idx)) < members["non_relative_female_share"]

    return Composition(zone=zone, hh_type=hh_type, size=size, household=household,
                       relationship=relationship, age=age.astype(np.int16), female=female)


def take(comp: Composition, rows: np.ndarray) -> Composition:
    """The households ``rows`` of a pool (repeats allowed), with their members, in that order."""
    size = comp.size[rows]
    start = np.cumsum(comp.size) - comp.size
    idx, k = _block(size)
    src = start[rows][idx] + k
    return Composition(zone=comp.zone[rows], hh_type=comp.hh_type[rows], size=size, household=idx,
                       relationship=comp.relationship[src], age=comp.age[src], female=comp.female[src])
