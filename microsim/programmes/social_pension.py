import numpy as np

from microsim.engine.benefit import pay
from microsim.engine.modules import programme


@programme("social_pension", entity="person", label="Social pension",
           inputs=("age", "contributory_pension", "contributory_pensions", "nssf_old_age_pension", "consumption_pc",
                   "poverty_line"),
           tags=("reform",))
def social_pension(d, p):
    """Riels per person per month: older persons without a contributory pension.

    Pension-tested: recipients of a contributory pension (one in the survey, or an old-age pension
    of the NSSF's new retirees, the ``nssf_old_age_pension`` module) are excluded, or, with
    ``reduce_by_contributory_pension``, paid the amount less their pension (the ``contributory_pensions``
    and ``nssf_old_age_pension`` modules' amounts; never below zero). An NSSF lump sum (fewer than 12
    months of contributions) counts as a pension in the year it is paid.
    Optional means test: only households below ``means_test_multiple`` times the poverty line
    (0 switches it off).
    """
    eligible = d.age >= p.min_age
    if p.means_test_multiple > 0:
        eligible &= d.consumption_pc < p.means_test_multiple * d.poverty_line
    nssf = d.nssf_old_age_pension
    if p.reduce_by_contributory_pension:
        return np.where(eligible, np.maximum(p.amount - d.contributory_pensions - nssf, 0.0), 0.0)
    return pay(eligible & ~d.contributory_pension & (nssf == 0), p.amount)
