from microsim.benefit import pay
from microsim.modules import programme


@programme("disability_allowance", entity="person", label="Disability allowance (MoSVY)",
           inputs=("disabled", "idpoor"))
def disability_allowance(d, p):
    """Riels per person per month: persons with a disability (in IDPoor households if so set)."""
    eligible = d.disabled & (d.idpoor > 0) if p.idpoor_only else d.disabled
    return pay(eligible, p.amount)
