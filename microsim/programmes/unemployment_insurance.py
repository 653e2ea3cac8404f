"""Unemployment insurance, foreseen by the 2019 Law on Social Security Schemes and not in force: the
NSSF's members contribute on their contributable wage; those who lose their job in the year are
paid a share of it for some months. Every rule is an assumption for costing
(policies/parameters/unemployment_insurance_contributions.yaml)."""

import numpy as np

from microsim.behaviour.earnings import MONTHS as MONTHS_A_YEAR
from microsim.engine.modules import contribution, programme
from microsim.programmes.nssf_contributions import band_in_order, contributable_wage, extension

INPUTS = ("age", "nssf_member", "earnings", "labour_status", "nssf_pension_contributions")


@contribution("unemployment_insurance_contributions", label="Unemployment insurance contributions", inputs=INPUTS,
              check=band_in_order, finances=("unemployment_insurance_benefit",))
def unemployment_insurance_contributions(d, p):
    """Riels per person per month: ``rate`` x the contributable wage of each worker insured by the
    NSSF (its members and those its extension enrols; employer's and worker's shares together;
    ``worker_share`` is the worker's)."""
    return p.rate * contributable_wage(d, p, extension(d))


@programme("unemployment_insurance_benefit", entity="person", label="Unemployment insurance benefit",
           inputs=("unemployment_insurance_contributions", *INPUTS), tags=("reform",),
           follows="unemployment_insurance_contributions", insurance=True)
def unemployment_insurance_benefit(d, p):
    """Riels per person per month, over the year: ``replacement_rate`` x the contributable wage x
    ``benefit_months`` / 12 for the insured who lose their job (a draw keyed by id below
    ``job_loss_incidence``). Active exactly when the scheme's contributions are."""
    scheme = d.parameters_of("unemployment_insurance_contributions")
    wage = contributable_wage(d, scheme, extension(d))
    claims = (wage > 0) & (d.draws("unemployment_insurance.job_loss") < scheme.job_loss_incidence)
    return np.where(claims, scheme.replacement_rate * wage * scheme.benefit_months / MONTHS_A_YEAR, 0.0)
