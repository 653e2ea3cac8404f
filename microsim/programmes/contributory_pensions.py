import numpy as np

from microsim.engine.benefit import pay_tiers
from microsim.engine.modules import programme


@programme("contributory_pensions", entity="person", label="Contributory pensions (NSSF-C, NFV, NSSF)",
           inputs=("contributory_pension", "pension_scheme"), counted_in_consumption=True, insurance=True)
def contributory_pensions(d, p):
    """Riels per person per month: each pensioner's pension by scheme (civil service, veterans,
    NSSF private sector); ``average_amount`` when the data does not say which scheme.

    Already part of the survey's consumption, so it is costed but never added to it again.
    """
    scheme = d.optional("pension_scheme")
    if scheme is None:  # survey data without the scheme: every pensioner at the average
        return np.where(d.contributory_pension, p.average_amount, 0.0)
    pensioner = d.contributory_pension
    civil, veteran, private = (pensioner & np.asarray(scheme == s) for s in ("civil_service", "veteran", "private"))
    return pay_tiers((civil, p.civil_service_amount), (veteran, p.veteran_amount), (private, p.private_amount),
                     (pensioner, p.average_amount))
