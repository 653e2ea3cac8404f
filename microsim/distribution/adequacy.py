"""Benefit adequacy: is a benefit enough? For every benefit paid in the reform, in the year's riels,
what a recipient is paid against the poverty line, against what the receiving households consume,
and against GDP per head; and, for the reform as a whole, the poverty gap it closes per riel it costs.

Definitions (all weighted, the year's riels a month unless said; docs/adequacy.md):

- per recipient: the mean amount a month of those paid (persons for a person benefit, households
  for a household benefit);
- % of the poverty line: the benefit paid as a share of the poverty line of those paid (a person
  benefit: sum of amounts / sum of the recipients' lines per person; a household benefit: per
  member, sum of amounts / sum of line x members of the receiving households);
- % of the receiving household's line: the benefit's total in receiving households / their poverty
  line x members (what the benefit covers of the household's needs at the line);
- % of consumption: the benefit's total in receiving households / their consumption before the
  model's benefits (consumption per person x members);
- % of GDP per head: twelve months of the mean amount per recipient (per member for a household
  benefit) / GDP per head (GDP / the simulated population);
- replacement rate (a social insurance benefit: a contributory pension, an unemployment benefit):
  the mean amount a month per person paid / the mean monthly earnings of insured workers (NSSF
  members with earnings) in the year. An aggregate rate, as the ILO's social security inquiries
  measure it: the population does not carry a pensioner's own past wage, so a rate against each
  recipient's last earnings cannot be formed;
- poverty gap closed per riel: (the poverty gap in riels a year, baseline - reform) / the reform's
  extra cost a year; the gap is the sum over poor persons of line - consumption, x 12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from microsim.distribution.results import BenefitAdequacy, ProgrammeResult, YearMoney
from microsim.distribution.welfare import MONTHS, Welfare
from microsim.population.population import Population


WHOLE_REFORM = "The reform as a whole"  # the adequacy table's last row (the poverty gap closed per riel)


def _ratio(numerator: float, denominator: float | None) -> float | None:
    """``numerator / denominator`` in percent; None when the denominator is missing or not positive."""
    return numerator / denominator * 100 if denominator and denominator > 0 else None


def poverty_gap_riels(pop: Population, consumption_pc: np.ndarray, line_h: np.ndarray) -> float:
    """The poverty gap of the population in riels a year: over households, weight x members x
    (line - consumption per person) where consumption is below the line, x 12 months."""
    shortfall = np.clip(line_h - consumption_pc, 0.0, None)
    return float((pop.households["weight"].to_numpy() * pop.household_size_float) @ shortfall) * MONTHS


def insured_earnings(pop: Population, earnings: np.ndarray) -> float | None:
    """Mean monthly earnings of insured workers (NSSF members with earnings), weighted; None when the
    population has no member with earnings. ``earnings`` per person, the year's riels a month."""
    if "nssf_member" not in pop.persons:
        return None
    insured = pop.persons["nssf_member"].to_numpy().astype(bool) & (earnings > 0)
    weights = pop.person_weight()[insured]
    return float(weights @ earnings[insured]) / float(weights.sum()) if weights.sum() > 0 else None


def benefit_adequacy(pop: Population, modules: dict, reform: Welfare, line_h: np.ndarray, pre_h: np.ndarray,
                     money: YearMoney, insured_wage: float | None = None) -> list[BenefitAdequacy]:
    """One record per benefit the reform pays anyone (see the module's definitions): the year's
    riels, ``line_h`` and ``pre_h`` per household (riels per person per month: the poverty line and
    consumption before the model's benefits); ``insured_wage`` the mean monthly earnings of insured
    workers (:func:`insured_earnings`), for the replacement rates of social insurance benefits."""
    w_h = pop.households["weight"].to_numpy()
    persons_h = w_h * pop.household_size_float  # persons represented by each household
    line_members, consumption_members = persons_h * line_h, persons_h * pre_h  # the receiving households' line
    line_of = {"person": w_h * line_h, "household": line_members}  # of a person paid; of a household's members
    gdp_per_head = money.gdp_riels / float(persons_h.sum()) if money.gdp_riels else None
    totals = reform.totals(pop, modules)
    out = []
    for name in sorted(totals):
        module, paid = modules[name], totals[name]
        paid_total = float(w_h @ paid.amount)  # riels a month, all households represented
        if paid_total <= 0:
            continue
        receiving = paid.receiving
        # a person benefit counts the members paid in each household, a household benefit the household
        recipients_h = paid.paid if module.entity == "person" else receiving
        recipients = float(w_h @ recipients_h)
        per_head = paid_total / (recipients if module.entity == "person" else float(persons_h @ receiving))
        out.append(BenefitAdequacy(
            programme=name, label=module.label, entity=module.entity, recipients=recipients,
            amount_per_recipient_riels_per_month=paid_total / recipients,
            pct_of_poverty_line=_ratio(paid_total, float(line_of[module.entity] @ recipients_h)),
            pct_of_household_poverty_line=_ratio(paid_total, float(line_members @ receiving)),
            pct_of_consumption=_ratio(paid_total, float(consumption_members @ receiving)),
            pct_of_gdp_per_head=_ratio(per_head * MONTHS, gdp_per_head),
            replacement_rate_pct=_ratio(paid_total / recipients, insured_wage) if module.insurance else None))
    return out


def gap_closed_per_riel(pop: Population, line_h: np.ndarray, base: Welfare, reform: Welfare,
                        total: ProgrammeResult) -> float | None:
    """Riels of poverty gap closed a year per riel of the reform's extra cost (None when the reform
    costs nothing more)."""
    cost = total.cost_change_riels_per_year or 0.0
    if cost <= 0:
        return None
    closed = poverty_gap_riels(pop, base.consumption, line_h) - poverty_gap_riels(pop, reform.consumption, line_h)
    return closed / cost


def adequacy_table(records: list[BenefitAdequacy], gap_per_riel: float | None) -> pd.DataFrame:
    """The records as a table, with a last row for the reform as a whole (the gap closed per riel)."""
    rows = [{"programme": r.label, "paid to": "persons" if r.entity == "person" else "households",
             "recipients": r.recipients,
             "amount per recipient (riels a month)": r.amount_per_recipient_riels_per_month,
             "% of the poverty line (per person paid, or per member)": r.pct_of_poverty_line,
             "% of the receiving household's poverty line (line x members)": r.pct_of_household_poverty_line,
             "% of receiving households' consumption (before the model's benefits)": r.pct_of_consumption,
             "% of GDP per head (a year, per person paid or per member)": r.pct_of_gdp_per_head,
             "replacement rate (% of insured workers' mean earnings)": r.replacement_rate_pct,
             "poverty gap closed per riel of the reform's extra cost": None} for r in records]
    rows.append({"programme": WHOLE_REFORM, "poverty gap closed per riel of the reform's extra cost": gap_per_riel})
    return pd.DataFrame(rows)
