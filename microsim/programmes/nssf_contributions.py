"""The NSSF's contributions on the wages of private-sector employees (pension, health care and
occupational risk) and of public servants (NSSF-C, off by default: its rate was not found). Each is
a rate of the insured's contributable wage, that is of monthly earnings held between the scheme's
floor and ceiling (riels a month, the year's prices)."""

import numpy as np

from microsim.engine.modules import contribution


def insured(d, extension_share: float = 0.0) -> np.ndarray:
    """The NSSF's members (bool per person) and, with ``extension_share`` above 0 (a reform extending
    the mandatory schemes to small enterprises), that share of the private wage employees outside it,
    drawn by id with one stream for every scheme (the same workers join all of them). Survey data
    without ``nssf_member`` (an optional column) have no members: map the column to see them."""
    member = d.optional("nssf_member")
    covered = np.zeros(len(d.age), bool) if member is None else np.asarray(member, dtype=bool)
    if extension_share > 0:
        outside = np.asarray(d.labour_status == "wage_employee_private", dtype=bool) & ~covered
        covered = covered | (outside & (d.draws("nssf.extension") < extension_share))
    return covered


def contributable_wage(d, p, extension_share: float = 0.0) -> np.ndarray:
    """Each insured worker's earnings held between ``p.wage_floor`` and ``p.wage_ceiling`` (riels per
    month); 0 for everyone else (:func:`insured`)."""
    return np.where(insured(d, extension_share), np.clip(d.earnings, p.wage_floor, p.wage_ceiling), 0.0)


def extension(d) -> float:
    """The share of private wage employees outside the NSSF that a reform brings into its schemes
    (``nssf_pension_contributions.extension_share``)."""
    return d.parameters_of("nssf_pension_contributions").extension_share


def band_in_order(p) -> str | None:
    if p.wage_floor > p.wage_ceiling:
        return (f"the contributable wage's floor ({p.wage_floor:,.0f} riels) is above its ceiling "
                f"({p.wage_ceiling:,.0f}); expected floor <= ceiling")
    return None


@contribution("nssf_pension_contributions", label="NSSF pension contributions",
              inputs=("age", "nssf_member", "earnings", "labour_status"), check=band_in_order,
              finances=("nssf_old_age_pension",))
def nssf_pension_contributions(d, p):
    """Riels per person per month: ``rate`` x the contributable wage of each insured worker up to
    ``max_age`` (employer's and worker's shares together; ``worker_share`` is the worker's; from the
    pension age the worker draws the pension instead). ``extension_share`` extends all three NSSF
    schemes to that share of the private wage employees outside them."""
    return np.where(d.age <= p.max_age, p.rate * contributable_wage(d, p, p.extension_share), 0.0)


@contribution("nssf_health_contributions", label="NSSF health care contributions",
              inputs=("age", "nssf_member", "earnings", "labour_status", "nssf_pension_contributions"),
              check=band_in_order)
def nssf_health_contributions(d, p):
    """Riels per person per month: ``rate`` x the contributable wage of each insured worker (the
    pension scheme's ``extension_share`` extends it too)."""
    return p.rate * contributable_wage(d, p, extension(d))


@contribution("nssf_occupational_risk_contributions", label="NSSF occupational risk contributions",
              inputs=("age", "nssf_member", "earnings", "labour_status", "nssf_pension_contributions"),
              check=band_in_order)
def nssf_occupational_risk_contributions(d, p):
    """Riels per person per month: ``rate`` x the contributable wage of each NSSF member (the
    employer's alone; the pension scheme's ``extension_share`` extends it too)."""
    return p.rate * contributable_wage(d, p, extension(d))


@contribution("nssf_c_contributions", label="NSSF-C contributions of public servants",
              inputs=("age", "earnings", "labour_status"), check=band_in_order)
def nssf_c_contributions(d, p):
    """Riels per person per month: ``rate`` x each public servant's earnings held between
    ``wage_floor`` and ``wage_ceiling`` (the state's and the servant's shares together;
    ``worker_share`` is the servant's). Off by default: its rate was not found."""
    public = np.asarray(d.labour_status == "public_servant", dtype=bool)
    return np.where(public, p.rate * np.clip(d.earnings, p.wage_floor, p.wage_ceiling), 0.0)
