"""A shock-responsive transfer, generalised from the COVID-19 schedule: a shock hits chosen zones
and a share of their households; the response tops up existing recipients (vertical expansion:
IDPoor households) and reaches new households near the poverty line (horizontal expansion), for
a number of months; its expected annual cost weighs a shock year by the trigger probability.
"""

import numpy as np

from microsim.benefit import pay
from microsim.modules import programme
from microsim.takeup import uniform


def _check(p):
    if not (p.hit_phnom_penh or p.hit_other_urban or p.hit_rural):
        return "`shock_response` is active but hits no zone: set at least one of `hit_phnom_penh`, " \
               "`hit_other_urban`, `hit_rural` to true."
    return None


@programme("shock_response", entity="household", label="Shock-responsive transfer",
           inputs=("household_id", "zone", "idpoor", "consumption_pc", "poverty_line"), tags=("reform",), check=_check)
def shock_response(d, p):
    """Riels per household per month, averaged over the year: households of the hit zones, a share
    ``share_hit`` of them hit (drawn by household id, the same households in every run). IDPoor
    households among them get ``vertical_amount``; others below ``horizontal_multiple`` times the
    line get ``horizontal_amount``. Paid for ``months`` months, so a shock year's monthly equivalent
    is amount x months / 12; with ``expected: true`` it is also weighted by ``trigger_probability``
    (the expected annual cost, as a budget provision is costed; its poverty effect is an average,
    not a shock year's).
    """
    zone = np.asarray(d.zone)
    in_zone = ((zone == "phnom_penh") & p.hit_phnom_penh) | ((zone == "other_urban") & p.hit_other_urban) \
        | ((zone == "rural") & p.hit_rural)
    hit = in_zone & (uniform(d.household_id, 0, "shock_response.hit") < p.share_hit)
    idpoor = d.idpoor > 0
    near_poor = ~idpoor & (d.consumption_pc < p.horizontal_multiple * d.poverty_line)
    factor = p.months / 12 * (p.trigger_probability if p.expected else 1.0)
    vertical = pay(hit & idpoor, p.vertical_amount * factor)
    horizontal = pay(hit & near_poor, p.horizontal_amount * factor)
    return np.asarray(vertical) + np.asarray(horizontal)
