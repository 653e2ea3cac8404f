"""Family Package (NSAF, from 2024): the components the population lets us model.

Paid to members of IDPoor households. The HIV allowance (28,000 riels per month) is not modelled:
the survey has no HIV status. The older-person and disability components are not modelled until
their amounts are sourced (docs/policies.md).
"""

import numpy as np

from microsim.modules import programme


@programme("family_package_mother_child", entity="person", label="Family Package: pregnancy and children under 2",
           inputs=("pregnant", "age", "idpoor"))
def family_package_mother_child(d, p):
    """Riels per person per month: pregnant women and children under 2 in IDPoor households.

    Visit and delivery payments are spread over the months they cover: a pregnancy gets
    (ante-natal visits x amount + delivery payment) / pregnancy months; a child under 2 gets
    (post-natal and vaccination visits x amount) / months to the 2nd birthday.
    """
    idpoor = d.idpoor > 0
    pregnancy = (p.antenatal_visits * p.visit_amount + p.delivery_amount) / p.pregnancy_months
    infancy = p.child_visits * p.visit_amount / p.child_months
    return np.where(idpoor & d.pregnant, pregnancy, 0.0) + np.where(idpoor & (d.age < 2), infancy, 0.0)


@programme("family_package_scholarship", entity="person", label="Family Package: scholarships",
           inputs=("age", "in_school", "idpoor"))
def family_package_scholarship(d, p):
    """Riels per person per month (averaged over the year): pupils of IDPoor households.

    Primary and lower secondary by age (6-14), upper secondary (15-17); paid for the months of the
    school year, averaged over twelve months.
    """
    pupil = (d.idpoor > 0) & d.in_school
    lower = pupil & (d.age >= p.lower_min_age) & (d.age <= p.lower_max_age)
    upper = pupil & (d.age > p.lower_max_age) & (d.age <= p.upper_max_age)
    monthly = np.where(lower, p.lower_amount, 0.0) + np.where(upper, p.upper_amount, 0.0)
    return monthly * p.paid_months / 12
