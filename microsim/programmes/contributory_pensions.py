from microsim.benefit import pay
from microsim.modules import programme


@programme("contributory_pensions", entity="person", label="Contributory pensions (NSSF, NSSF-C, NFV)",
           inputs=("contributory_pension",), counted_in_consumption=True)
def contributory_pensions(d, p):
    """Riels per person per month: pensions of recipients, as observed in the survey.

    Already part of the survey's consumption, so it is costed but never added to it again.
    """
    return pay(d.contributory_pension, p.average_amount)
