"""A non-contributory maternity allowance for the months around a birth (a reform option)."""

from microsim.benefit import pay_tiers
from microsim.modules import programme

PREGNANCY_MONTHS = 9
MONTHS_A_YEAR = 12


@programme("maternity_allowance", entity="person", label="Maternity allowance (months around birth)",
           inputs=("pregnant", "age", "idpoor", "nssf_member"), tags=("reform",))
def maternity_allowance(d, p):
    """Riels per person per month, averaged over the year: ``amount`` for ``months_before_birth``
    months of pregnancy and ``months_after_birth`` months after the birth.

    At any moment, ``months_before_birth / 9`` of the women pregnant then are in the paid months,
    so each pregnant woman carries ``amount x months_before_birth / 9`` a month on average. After
    the birth: a child aged 0 was born in the past twelve months, ``months_after_birth / 12`` of
    them in the paid months; the survey does not link a mother to her child, so that payment is
    recorded on the child (the mother's money, in the same household: costs and consumption are
    right; recipients are counted as children). A year's cost is therefore about births x amount
    x (months before + months after), which is how the costing workbook counts it.
    """
    reached = d.idpoor > 0 if p.idpoor_only else True
    pregnant = d.pregnant & reached
    if p.exclude_nssf_members:
        nssf = d.optional("nssf_member")
        if nssf is not None:
            pregnant = pregnant & ~nssf
    newborn = (d.age == 0) & reached
    return pay_tiers((pregnant, p.amount * p.months_before_birth / PREGNANCY_MONTHS),
                     (newborn, p.amount * p.months_after_birth / MONTHS_A_YEAR))
