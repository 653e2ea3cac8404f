"""``microsim describe``: the weighted summary tables a user looks at first.

Each table is a small DataFrame with a title; :func:`render_text` prints them for a terminal
and :func:`to_json` gives the same numbers for scripts. Weighted counts are persons (or
households) represented; shares are percentages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microsim.common import weighted
from microsim.population.groups import AGE_GROUPS, HOUSEHOLD_TYPES, age_group_codes, age_label
from microsim.population.derived import household_type
from microsim.population.population import Population
from microsim.common.poverty import fgt, is_poor

from microsim.population.targets import evaluate, load_targets, DEFAULT_TARGETS
PCT = 100.0


def _pct(x):
    return np.round(np.asarray(x, dtype=float) * PCT, 1)


def _thousands(x):
    return np.round(np.asarray(x, dtype=float) / 1000, 1)


def describe(pop: Population, targets_file=DEFAULT_TARGETS) -> dict[str, pd.DataFrame]:
    """Titled tables describing ``pop`` (weighted)."""
    hh, p = pop.households, pop.persons
    w_h = hh["weight"].to_numpy()
    w = pop.person_weight()
    age = p["age"].to_numpy()
    female = (p["sex"] == "female").to_numpy()
    size = pop.household_size
    poor_h = is_poor(hh["consumption_pc"].to_numpy(), hh["poverty_line"].to_numpy())
    poor = poor_h[pop.person_household_index]
    tables: dict[str, pd.DataFrame] = {}

    cons_p = hh["consumption_pc"].to_numpy()[pop.person_household_index]
    line_p = hh["poverty_line"].to_numpy()[pop.person_household_index]
    tables["Overview"] = pd.DataFrame({
        "measure": ["Persons (thousands)", "Households (thousands)", "Mean household size",
                    "Sample households", "Sample persons", "Poverty headcount (%)", "Poverty gap (%)",
                    "Poverty severity (x100)", "Gini of consumption per person",
                    "Median consumption per person (riels/month)", "Calibration"],
        "value": [_thousands(w.sum()), _thousands(w_h.sum()), round(float(np.dot(w_h, size) / w_h.sum()), 2),
                  pop.n_households, pop.n_persons, _pct(fgt(cons_p, line_p, w, 0)),
                  _pct(fgt(cons_p, line_p, w, 1)), round(fgt(cons_p, line_p, w, 2) * 100, 2),
                  round(weighted.gini(cons_p, w), 3), float(np.round(weighted.median(cons_p, w))),
                  _calibration_state(pop.metadata)],
    })

    codes = age_group_codes(age)
    n_g = len(AGE_GROUPS)
    tot = weighted.by_group(np.ones_like(w), codes, w, n_g)
    male_t = weighted.by_group((~female).astype(float), codes, w, n_g)
    tables["Population by age group and sex"] = pd.DataFrame({
        "age group": [age_label(*g) for g in AGE_GROUPS],
        "persons (thousands)": _thousands(tot), "share (%)": _pct(tot / w.sum()),
        "male (thousands)": _thousands(male_t), "female (thousands)": _thousands(tot - male_t),
        "women per 100 men": np.round((tot - male_t) / np.where(male_t > 0, male_t, np.nan) * 100, 0),
        "poverty rate (%)": _pct(weighted.rate_by_group(poor, codes, w, n_g)),
    })

    zones = list(hh["zone"].cat.categories)
    zc = hh["zone"].cat.codes.to_numpy()
    zc_p = zc[pop.person_household_index]
    persons_z = weighted.by_group(np.ones_like(w), zc_p, w, 3)
    hh_z = weighted.by_group(np.ones_like(w_h), zc, w_h, 3)
    tables["Population by zone"] = pd.DataFrame({
        "zone": zones, "persons (thousands)": _thousands(persons_z), "share of persons (%)": _pct(persons_z / w.sum()),
        "households (thousands)": _thousands(hh_z), "mean household size": np.round(persons_z / hh_z, 2),
        "poverty rate (%)": _pct(weighted.rate_by_group(poor, zc_p, w, 3)),
    })

    size_code = np.minimum(size, 10) - 1
    hh_s = weighted.by_group(np.ones_like(w_h), size_code, w_h, 10)
    pers_s = weighted.by_group(size.astype(float), size_code, w_h, 10)
    tables["Household size"] = pd.DataFrame({
        "members": [str(i) for i in range(1, 10)] + ["10+"],
        "households (%)": _pct(hh_s / hh_s.sum()), "persons (%)": _pct(pers_s / pers_s.sum()),
    })

    ht = household_type(pop)
    ht_p = ht[pop.person_household_index]
    hh_t = weighted.by_group(np.ones_like(w_h), ht, w_h, len(HOUSEHOLD_TYPES))
    tables["Household type"] = pd.DataFrame({
        "type": list(HOUSEHOLD_TYPES), "households (%)": _pct(hh_t / hh_t.sum()),
        "persons (%)": _pct(weighted.by_group(np.ones_like(w), ht_p, w, len(HOUSEHOLD_TYPES)) / w.sum()),
        "mean size": np.round(weighted.by_group(size.astype(float), ht, w_h, len(HOUSEHOLD_TYPES)) / np.where(hh_t > 0, hh_t, np.nan), 2),
        "poverty rate (%)": _pct(weighted.rate_by_group(poor, ht_p, w, len(HOUSEHOLD_TYPES))),
    })

    tables["Activity of persons aged 15+"] = _activity(p, w, age, female)
    tables["Poverty: published (CSES 2019/20, Tables 1-3) and this population"] = _poverty_tables(pop, targets_file)
    tables["IDPoor coverage and poverty"] = _idpoor(hh, pop, poor, w)
    tables["Other characteristics"] = _other(p, w, age, female)
    return tables


def _calibration_state(meta: dict) -> str:
    cal = meta.get("calibration", "unknown")
    if isinstance(cal, dict):
        return f"{cal.get('method')}, design effect {cal.get('kish_design_effect')}"
    return str(cal)


def _activity(p, w, age, female):
    adult = age >= 15
    types = list(p["employment_type"].cat.categories)
    et = p["employment_type"].to_numpy()
    rows = []
    for t in types:
        m = et == t
        rows.append([t, _pct(weighted.share(m, w, adult)), _pct(weighted.share(m, w, adult & ~female)), _pct(weighted.share(m, w, adult & female))])
    active = np.isin(et, types[:4])
    employed = np.isin(et, types[:3])
    rows.append(["participation rate", _pct(weighted.share(active, w, adult)), _pct(weighted.share(active, w, adult & ~female)),
                 _pct(weighted.share(active, w, adult & female))])
    unemp = et == "unemployed"
    rows.append(["unemployment rate (of labour force)", _pct(weighted.share(unemp, w, active)),
                 _pct(weighted.share(unemp, w, active & ~female)), _pct(weighted.share(unemp, w, active & female))])
    for t in types[:3]:
        rows.append([f"{t} (% of employed)", _pct(weighted.share(et == t, w, employed)),
                     _pct(weighted.share(et == t, w, employed & ~female)), _pct(weighted.share(et == t, w, employed & female))])
    if "formal_employment" in p:
        f = p["formal_employment"].to_numpy()
        rows.append(["informal (% of employed)", _pct(weighted.share(~f, w, employed)), _pct(weighted.share(~f, w, employed & ~female)),
                     _pct(weighted.share(~f, w, employed & female))])
    if "nssf_member" in p:
        n = p["nssf_member"].to_numpy()
        rows.append(["NSSF members (% of employed)", _pct(weighted.share(n, w, employed)), _pct(weighted.share(n, w, employed & ~female)),
                     _pct(weighted.share(n, w, employed & female))])
    return pd.DataFrame(rows, columns=["activity (% of persons 15+ unless stated)", "all", "men", "women"])


def _poverty_tables(pop, targets_file):
    """Published poverty rates (Tables 1-3) beside this population's, under its weights."""

    targets = load_targets(targets_file)
    table = evaluate(pop, targets)[[t.is_poverty_rate for t in targets.targets]]
    return pd.DataFrame({
        "table": table["table"].to_numpy(), "group": table["target"].to_numpy(),
        "published (%)": _pct(table["published"]), "this population (%)": _pct(table["model"]),
        "difference (pp)": np.round(table["error"].to_numpy() * 100, 2),
        "persons in group (thousands)": _thousands(table["group persons"]),
    })


def _idpoor(hh, pop, poor, w):
    level = hh["idpoor"].to_numpy()[pop.person_household_index]
    covered = level > 0
    rows = [
        ["persons in IDPoor households (%)", _pct(weighted.share(covered, w))],
        ["  level 1 (%)", _pct(weighted.share(level == 1, w))],
        ["  level 2 (%)", _pct(weighted.share(level == 2, w))],
        ["households in IDPoor (%)", _pct(weighted.share(hh["idpoor"].to_numpy() > 0, hh["weight"].to_numpy()))],
        ["poor persons covered by IDPoor (% of poor)", _pct(weighted.share(covered, w, poor))],
        ["exclusion error: poor persons not in IDPoor (% of poor)", _pct(weighted.share(~covered, w, poor))],
        ["inclusion error: IDPoor persons not poor (% of IDPoor)", _pct(weighted.share(~poor, w, covered))],
        ["poverty rate among IDPoor persons (%)", _pct(weighted.share(poor, w, covered))],
        ["poverty rate outside IDPoor (%)", _pct(weighted.share(poor, w, ~covered))],
    ]
    return pd.DataFrame(rows, columns=["measure", "value"])


def _other(p, w, age, female):
    older = age >= 60
    rows = [["disabled (% of persons)", _pct(weighted.share(p["disabled"].to_numpy(), w))],
            ["disabled (% of persons 60+)", _pct(weighted.share(p["disabled"].to_numpy(), w, older))]]
    pension = p["contributory_pension"].to_numpy()
    rows.append(["contributory pension (% of persons 60+)", _pct(weighted.share(pension, w, older))])
    men, women = weighted.total(w, pension & older & ~female), weighted.total(w, pension & older & female)
    rows.append(["women per 100 men among pensioners 60+", round(women / men * 100, 0) if men > 0 else float("nan")])
    school = p["in_school"].to_numpy()
    for lo, hi in ((3, 5), (6, 11), (12, 14), (15, 17), (18, 24)):
        rows.append([f"attending school, ages {lo}-{hi} (%)", _pct(weighted.share(school, w, (age >= lo) & (age <= hi)))])
    rows.append(["pregnant women (thousands)", _thousands(weighted.total(w, p["pregnant"].to_numpy()))])
    rows.append(["children under 2 (thousands)", _thousands(weighted.total(w, age < 2))])
    if "education_years" in p:
        rows.append(["mean years of schooling, persons 25+", round(weighted.mean(p["education_years"].to_numpy()[age >= 25], w[age >= 25]), 1)])
    return pd.DataFrame(rows, columns=["measure", "value"])


def render_text(tables: dict[str, pd.DataFrame]) -> str:
    out = []
    for title, df in tables.items():
        out += [title, "-" * len(title), df.to_string(index=False), ""]
    return "\n".join(out)


def to_json(tables: dict[str, pd.DataFrame]) -> dict:
    def clean(v):
        if isinstance(v, (np.floating, float)):
            return None if np.isnan(v) else float(v)
        if isinstance(v, np.integer):
            return int(v)
        return v

    return {title: [{k: clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]
            for title, df in tables.items()}
