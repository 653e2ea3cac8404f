"""Distributional and cost outputs of a simulation: baseline against reform.

Every table is a DataFrame whose column names carry their units. Consumption and the poverty
line are in the simulated year's prices. Post-transfer consumption per person = consumption +
consumed share x (the household's modelled benefits not already in survey consumption) /
household size. Poverty is measured on persons, each carrying the household weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microsim import weighted as W
from microsim.engine import SystemResult
from microsim.groups import (AGE_GROUPS, HOUSEHOLD_TYPES, POVERTY_TABLE_AGE_GROUPS, age_group_codes, age_label,
                             household_type)
from microsim.macro import Macro
from microsim.modules import Module
from microsim.population import Population
from microsim.poverty import fgt

MONTHS = 12


@dataclass
class Welfare:
    """Person-level consumption under one system (riels per person per month, year prices)."""

    consumption: np.ndarray
    household_benefits: dict[str, np.ndarray]  # module -> riels per household per month


def household_amounts(pop: Population, module: Module, amount: np.ndarray) -> np.ndarray:
    """A module's benefit per household (riels per household per month)."""
    if module.entity == "household":
        return amount
    return np.bincount(pop.person_household_index, amount, minlength=pop.n_households)


def welfare(pop: Population, system: SystemResult, modules: dict[str, Module], factor: float) -> Welfare:
    hh_benefits = {n: household_amounts(pop, modules[n], a) for n, a in system.benefits.items()}
    added = np.zeros(pop.n_households)
    for n, a in hh_benefits.items():
        if not modules[n].counted_in_consumption:
            added += a
    share = system.params.simulation.consumed_share
    cons_h = pop.households["consumption_pc"].to_numpy() * factor + share * added / pop.household_size
    return Welfare(cons_h[pop.person_household_index], hh_benefits)


def _groups(pop: Population, pre_consumption: np.ndarray, w: np.ndarray) -> list[tuple[str, list[str], np.ndarray]]:
    """(dimension, labels, code per person) for every breakdown of the poverty tables."""
    p = pop.persons
    age = p["age"].to_numpy()
    out = [("national", ["all persons"], np.zeros(pop.n_persons, np.int8)),
           ("age group (Table 1)", [age_label(*g) for g in POVERTY_TABLE_AGE_GROUPS],
            age_group_codes(age, POVERTY_TABLE_AGE_GROUPS)),
           ("age group", [age_label(*g) for g in AGE_GROUPS], age_group_codes(age))]
    sex = p["sex"]
    out.append(("sex", list(sex.cat.categories), sex.cat.codes.to_numpy()))
    zone = pop.households["zone"]
    out.append(("zone", list(zone.cat.categories), zone.cat.codes.to_numpy()[pop.person_household_index]))
    et = p["employment_type"]
    out.append(("employment type (15+)", list(et.cat.categories), et.cat.codes.to_numpy()))
    out.append(("consumption decile", [f"decile {i}" for i in range(1, 11)], deciles(pre_consumption, w)))
    out.append(("household type", list(HOUSEHOLD_TYPES), household_type(pop)[pop.person_household_index]))
    return out


def deciles(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Decile (0 poorest .. 9) of each person by ``x``, with equal weighted population per decile."""
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order])
    codes = np.empty(x.size, np.int8)
    codes[order] = np.minimum((cum - w[order] / 2) / cum[-1] * 10, 9).astype(np.int8)
    return codes


def poverty_table(pop, w, line, pre, base, reform) -> pd.DataFrame:
    """FGT 0, 1, 2 in baseline and reform for every group, with persons poor and lifted out."""
    rows = []
    poor_b, poor_r = base < line, reform < line
    gap_b = np.where(poor_b, (line - base) / line, 0.0)
    gap_r = np.where(poor_r, (line - reform) / line, 0.0)
    for dim, labels, codes in _groups(pop, pre, w):
        n = len(labels)
        persons = W.by_group(np.ones_like(w), codes, w, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            def rate(v):
                return np.where(persons > 0, W.by_group(v, codes, w, n) / persons, np.nan)

            h_b, h_r = rate(poor_b.astype(float)), rate(poor_r.astype(float))
            g_b, g_r = rate(gap_b), rate(gap_r)
            s_b, s_r = rate(gap_b ** 2), rate(gap_r ** 2)
        lifted = W.by_group((poor_b & ~poor_r).astype(float), codes, w, n)
        fallen = W.by_group((~poor_b & poor_r).astype(float), codes, w, n)
        for i, label in enumerate(labels):
            rows.append({
                "breakdown": dim, "group": label, "persons": persons[i],
                "headcount baseline (%)": h_b[i] * 100, "headcount reform (%)": h_r[i] * 100,
                "headcount change (pp)": (h_r[i] - h_b[i]) * 100,
                "poor baseline (persons)": h_b[i] * persons[i], "poor reform (persons)": h_r[i] * persons[i],
                "lifted out of poverty (persons)": lifted[i], "fallen into poverty (persons)": fallen[i],
                "gap baseline (%)": g_b[i] * 100, "gap reform (%)": g_r[i] * 100,
                "severity baseline (x100)": s_b[i] * 100, "severity reform (x100)": s_r[i] * 100,
            })
    return pd.DataFrame(rows)


def cost_table(pop, modules, base: Welfare, reform: Welfare, base_sys, reform_sys, macro: Macro, year: int
               ) -> pd.DataFrame:
    """Annual cost per module in baseline and reform: riels, USD, % of GDP and of spending.

    Recipients are persons paid a person benefit; persons in receiving households count every
    member of a household that receives the benefit (for household benefits, the only count).
    Costs include the administrative cost rate.
    """
    w_h = pop.households["weight"].to_numpy()
    usd = macro.value("exchange_rate", year) if macro.has("exchange_rate", year) else np.nan
    gdp = macro.value("gdp_nominal", year) * 1e9 if macro.has("gdp_nominal", year) else np.nan
    spend = macro.value("government_spending", year) * 1e9 if macro.has("government_spending", year) else np.nan
    names = sorted(set(base.household_benefits) | set(reform.household_benefits))
    rows = []

    def add(label, b_hh, r_hh, admin_b, admin_r, beneficiaries):
        cost_b = MONTHS * float(w_h @ b_hh) * (1 + admin_b)
        cost_r = MONTHS * float(w_h @ r_hh) * (1 + admin_r)
        rows.append({"programme": label, "cost baseline (riels per year)": cost_b,
                     "cost reform (riels per year)": cost_r, "change (riels per year)": cost_r - cost_b,
                     "change (USD per year)": (cost_r - cost_b) / usd,
                     "change (% of GDP)": (cost_r - cost_b) / gdp * 100,
                     "change (% of government spending)": (cost_r - cost_b) / spend * 100,
                     "cost reform (% of GDP)": cost_r / gdp * 100, **beneficiaries})

    zero = np.zeros(pop.n_households)
    admin_b, admin_r = base_sys.params.simulation.admin_cost_rate, reform_sys.params.simulation.admin_cost_rate
    for n in names:
        b, r = base.household_benefits.get(n, zero), reform.household_benefits.get(n, zero)
        m = modules[n]
        amount = reform_sys.benefits.get(n)
        recipients = float(pop.person_weight() @ (amount > 0)) if amount is not None and m.entity == "person" else np.nan
        label = m.label + (" (already in survey consumption)" if m.counted_in_consumption else "")
        add(label, b, r, admin_b, admin_r, {
            "recipients reform (persons)": recipients,
            "persons in receiving households, reform": float(w_h @ ((r > 0) * pop.household_size)),
            "receiving households, reform": float(w_h @ (r > 0))})
    total_b = sum((base.household_benefits.get(n, zero) for n in names), zero)
    total_r = sum((reform.household_benefits.get(n, zero) for n in names), zero)
    add("Total", total_b, total_r, admin_b, admin_r,
        {"recipients reform (persons)": np.nan,
         "persons in receiving households, reform": float(w_h @ ((total_r > 0) * pop.household_size)),
         "receiving households, reform": float(w_h @ (total_r > 0))})
    return pd.DataFrame(rows)


def incidence_table(pop, w, pre, base: Welfare, reform: Welfare) -> pd.DataFrame:
    """Where the reform's extra benefits go, by decile of consumption before any modelled benefit."""
    codes = deciles(pre, w)
    delta_h = sum(reform.household_benefits.values(), np.zeros(pop.n_households)) - \
        sum(base.household_benefits.values(), np.zeros(pop.n_households))
    delta_pc = (delta_h / pop.household_size)[pop.person_household_index]
    total = W.by_group(delta_pc, codes, w, 10)
    persons = W.by_group(np.ones_like(w), codes, w, 10)
    cons = W.by_group(base.consumption, codes, w, 10)
    gainers = W.by_group((delta_pc > 0).astype(float), codes, w, 10)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({
            "decile": [f"decile {i}" for i in range(1, 11)],
            "share of extra benefits (%)": total / total.sum() * 100 if total.sum() else np.zeros(10),
            "extra benefit (riels per person per month)": total / persons,
            "extra benefit (% of baseline consumption)": total / cons * 100,
            "persons in receiving households (%)": gainers / persons * 100,
        })


def targeting_table(pop, w, line, base_cons, modules, reform: Welfare) -> pd.DataFrame:
    """Per module in the reform: coverage of the poor and targeting errors (persons, baseline poverty)."""
    poor = base_cons < line
    rows = []
    for n, hh in sorted(reform.household_benefits.items()):
        reached = (hh > 0)[pop.person_household_index]
        coverage = W.share(reached, w, poor)
        rows.append({"programme": modules[n].label,
                     "poor persons in receiving households (% of poor)": coverage * 100,
                     "exclusion error: poor not reached (% of poor)": (1 - coverage) * 100 if reached.any() else 100.0,
                     "inclusion error: non-poor among reached (% of reached)": W.share(~poor, w, reached) * 100,
                     "persons in receiving households": W.total(w, reached)})
    return pd.DataFrame(rows)


def missing_middle_table(pop, w, line, base_cons, reform: Welfare, multiple: float) -> pd.DataFrame:
    """The near-poor outside IDPoor and NSSF: how many, and how many the reform reaches."""
    idpoor = (pop.households["idpoor"].to_numpy() > 0)[pop.person_household_index]
    nssf_col = pop.persons["nssf_member"].to_numpy() if "nssf_member" in pop.persons else np.zeros(pop.n_persons, bool)
    nssf = (pop.household_count(nssf_col) > 0)[pop.person_household_index]
    near_poor = (base_cons >= line) & (base_cons < multiple * line)
    middle = near_poor & ~idpoor & ~nssf
    reform_total = sum(reform.household_benefits.values(), np.zeros(pop.n_households))
    reached = (reform_total > 0)[pop.person_household_index]
    poor = base_cons < line
    rows = [
        ["near-poor persons (consumption between the line and %.2g times it)" % multiple, W.total(w, near_poor)],
        ["missing middle: near-poor outside IDPoor and NSSF households (persons)", W.total(w, middle)],
        ["missing middle (% of population)", W.share(middle, w) * 100],
        ["poor persons outside IDPoor households", W.total(w, poor & ~idpoor)],
        ["missing middle reached by any benefit in the reform (% of them)", W.share(reached, w, middle) * 100],
    ]
    return pd.DataFrame(rows, columns=["measure", "value"])


def inequality_table(w, pre, base, reform) -> pd.DataFrame:
    return pd.DataFrame({
        "measure": ["Gini, consumption per person, without modelled benefits", "Gini, baseline", "Gini, reform",
                    "mean consumption, baseline (riels per person per month)",
                    "mean consumption, reform (riels per person per month)"],
        "value": [W.gini(pre, w), W.gini(base, w), W.gini(reform, w), W.mean(base, w), W.mean(reform, w)],
    })
