"""The NSSF's contributions on the wages of private-sector employees: pension, health care and
occupational risk. Each is a rate of the member's contributable wage, that is of monthly earnings
held between the scheme's floor and ceiling (riels a month, the year's prices)."""

import numpy as np

from microsim.engine.modules import contribution


def contributable_wage(d, p) -> np.ndarray:
    """Each NSSF member's earnings held between ``p.wage_floor`` and ``p.wage_ceiling`` (riels per
    month); 0 for everyone else. Survey data without ``nssf_member`` (an optional column) have no
    members, so nothing is collected: map the column to see the contributions."""
    member = d.optional("nssf_member")
    if member is None:
        return np.zeros(len(d.age))
    return np.where(member, np.clip(d.earnings, p.wage_floor, p.wage_ceiling), 0.0)


def band_in_order(p) -> str | None:
    if p.wage_floor > p.wage_ceiling:
        return (f"the contributable wage's floor ({p.wage_floor:,.0f} riels) is above its ceiling "
                f"({p.wage_ceiling:,.0f}); expected floor <= ceiling")
    return None


@contribution("nssf_pension_contributions", label="NSSF pension contributions", inputs=("age", "nssf_member", "earnings"),
              check=band_in_order)
def nssf_pension_contributions(d, p):
    """Riels per person per month: ``rate`` x the contributable wage of each NSSF member (employer's
    and worker's shares together; ``worker_share`` is the worker's)."""
    return p.rate * contributable_wage(d, p)


@contribution("nssf_health_contributions", label="NSSF health care contributions", inputs=("age", "nssf_member", "earnings"),
              check=band_in_order)
def nssf_health_contributions(d, p):
    """Riels per person per month: ``rate`` x the contributable wage of each NSSF member."""
    return p.rate * contributable_wage(d, p)


@contribution("nssf_occupational_risk_contributions", label="NSSF occupational risk contributions",
              inputs=("age", "nssf_member", "earnings"), check=band_in_order)
def nssf_occupational_risk_contributions(d, p):
    """Riels per person per month: ``rate`` x the contributable wage of each NSSF member (the
    employer's alone)."""
    return p.rate * contributable_wage(d, p)
