"""Extending pensions to workers outside the NSSF and the civil service: voluntary contributions on
earnings, with a government subsidy of part of them, and take-up that rises as the subsidy lowers
what joining costs (docs/programmes/voluntary_pension_contributions.md)."""

import numpy as np

from microsim.engine.modules import contribution, programme
from microsim.programmes.nssf_contributions import band_in_order, extension, insured

ELIGIBLE_STATUSES = ("own_account", "contributing_family_worker", "employer", "wage_employee_private")
INPUTS = ("age", "labour_status", "nssf_member", "earnings", "idpoor", "consumption_pc", "poverty_line",
          "nssf_pension_contributions")


def members_and_subsidy(d, p) -> tuple[np.ndarray, np.ndarray]:
    """(each member's full contribution, riels a month; each person's subsidy share) under the
    voluntary scheme's parameters ``p``. Eligible: persons in work aged ``min_age`` to ``max_age``
    outside the NSSF (its members and those its extension to small enterprises enrols) and the civil
    service. A subsidised worker joins with probability
    ``base_take_up`` x (1 - subsidy share)^-``take_up_elasticity``, at most ``max_take_up``; the
    draw is keyed by the person's id (so a larger subsidy only adds members)."""
    in_nssf = insured(d, extension(d))  # members, and those a reform's extension enrols
    eligible = (np.asarray(d.labour_status.isin(ELIGIBLE_STATUSES)) & ~in_nssf
                & (d.age >= p.min_age) & (d.age <= p.max_age))
    if p.subsidy_for == "idpoor":
        subsidised = d.idpoor > 0
    elif p.subsidy_for == "near_poor":
        subsidised = (d.consumption_pc < p.near_poor_multiple * d.poverty_line) | (d.idpoor > 0)
    else:
        subsidised = np.ones(len(d.age), bool)
    share = np.where(eligible & subsidised, p.subsidy_share, 0.0)
    with np.errstate(divide="ignore"):
        take_up = np.minimum(p.max_take_up, p.base_take_up * (1.0 - share) ** -p.take_up_elasticity)
    joined = eligible & (d.draws("voluntary_pension.join") < take_up)
    full = np.where(joined, p.rate * np.clip(d.earnings, p.wage_floor, p.wage_ceiling), 0.0)
    return full, share


def _check(p):
    if band_in_order(p):
        return band_in_order(p)
    if p.min_age > p.max_age:
        return f"`min_age` ({p.min_age:g}) is above `max_age` ({p.max_age:g}); the age bounds are reversed"
    if p.base_take_up > p.max_take_up:
        return f"`base_take_up` ({p.base_take_up:g}) is above `max_take_up` ({p.max_take_up:g})"
    return None


@contribution("voluntary_pension_contributions", label="Voluntary pension contributions (informal workers)",
              inputs=INPUTS, check=_check)
def voluntary_pension_contributions(d, p):
    """Riels per person per month: what each member pays, the full contribution (``rate`` x earnings
    held in the band) less the government's ``subsidy_share`` of it."""
    full, share = members_and_subsidy(d, p)
    return full * (1.0 - share)


@programme("voluntary_pension_subsidy", entity="person", label="Voluntary pension subsidy (government)",
           inputs=("voluntary_pension_contributions", *INPUTS), tags=("reform",), consumed=False,
           follows="voluntary_pension_contributions")
def voluntary_pension_subsidy(d, p):
    """Riels per person per month: the government's ``subsidy_share`` of each subsidised member's
    contribution to the voluntary scheme, paid into the pension account (costed, not consumed).
    Active exactly when the voluntary scheme is."""
    scheme = d.parameters_of("voluntary_pension_contributions")
    full, share = members_and_subsidy(d, scheme)
    return full * share
