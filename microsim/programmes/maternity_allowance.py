"""A non-contributory maternity allowance for the months around a birth (a reform option)."""

import numpy as np

from microsim.engine.benefit import pay_tiers
from microsim.behaviour.earnings import MONTHS as MONTHS_A_YEAR
from microsim.engine.modules import programme
from microsim.synth.members import PREGNANCY_MONTHS



@programme("maternity_allowance", entity="person", label="Maternity allowance (months around birth)",
           inputs=("pregnant", "age", "idpoor", "nssf_member", "earnings"), tags=("reform",))
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

    With ``nssf_cash_benefit``, women insured by the NSSF are paid its maternity cash benefit
    instead before the birth: ``nssf_replacement_rate`` x their monthly earnings (imputed, see
    microsim/behaviour/earnings.py, held between ``nssf_wage_floor`` and ``nssf_wage_ceiling``, the scheme's
    contributory wage band) x ``nssf_benefit_months`` per birth, spread over the nine months.
    """
    reached = d.idpoor > 0 if p.idpoor_only else True
    pregnant = d.pregnant & reached
    insured = d.optional("nssf_member") if p.exclude_nssf_members or p.nssf_cash_benefit else None
    if insured is not None:
        pregnant = pregnant & ~insured
    newborn = (d.age == 0) & reached
    allowance = pay_tiers((pregnant, p.amount * p.months_before_birth / PREGNANCY_MONTHS),
                          (newborn, p.amount * p.months_after_birth / MONTHS_A_YEAR))
    if not (p.nssf_cash_benefit and insured is not None):
        return allowance
    # the NSSF's cash benefit: a share of the insured woman's wage for some months per birth, spread
    # like the allowance over the nine months of pregnancy (whatever her household's IDPoor status)
    nssf = d.pregnant & insured
    wage = np.clip(d.earnings, p.nssf_wage_floor, p.nssf_wage_ceiling)  # the contributory wage band
    per_month = p.nssf_replacement_rate * wage * p.nssf_benefit_months / PREGNANCY_MONTHS
    return np.asarray(allowance) + np.where(nssf, per_month, 0.0)
