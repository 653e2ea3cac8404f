from microsim.engine.benefit import pay
from microsim.engine.modules import programme


@programme("disability_allowance", entity="person", label="Family Package: persons with disabilities (MoSVY allowance)",
           inputs=("disabled", "idpoor"))
def disability_allowance(d, p):
    """Riels per person per month: persons with a disability (in IDPoor households if so set).

    The MoSVY allowance for poor persons with disabilities, part of the Family Package from April
    2024. The survey's functional difficulty is broader than the disability the programme
    certifies, so ``take_up`` (a registration share) brings recipients to the published caseload.
    """
    eligible = d.disabled & (d.idpoor > 0) if p.idpoor_only else d.disabled
    return pay(eligible, p.amount)
