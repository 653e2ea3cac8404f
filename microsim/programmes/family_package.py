"""Family Package (National Social Assistance Programme for Families, NSAF, from April 2024).

Every component is paid to IDPoor (level 1 or 2) households or their members: base household
support; pregnant women and children under 2; scholarships; persons with disabilities
(``disability_allowance``, the MoSVY allowance the package integrated); persons aged 60 and over;
persons living with HIV. The survey has no HIV status, so that component draws its recipients
among IDPoor members at the published rate, by person id (a labelled assumption).
"""

from microsim.engine.benefit import pay, pay_tiers
from microsim.engine.modules import programme
from microsim.engine.takeup import keep_drawn


@programme("family_package_base", entity="household", label="Family Package: base support for IDPoor households",
           inputs=("idpoor",))
def family_package_base(d, p):
    """Riels per household per month: every IDPoor household (level 1 or 2)."""
    return pay(d.idpoor > 0, p.amount)


@programme("family_package_older_persons", entity="person", label="Family Package: persons aged 60 and over",
           inputs=("age", "idpoor"))
def family_package_older_persons(d, p):
    """Riels per person per month: members of IDPoor households aged ``min_age`` (60) or more."""
    return pay((d.idpoor > 0) & (d.age >= p.min_age), p.amount)


@programme("family_package_hiv", entity="person", label="Family Package: persons living with HIV",
           inputs=("person_id", "idpoor"))
def family_package_hiv(d, p):
    """Riels per person per month: members of IDPoor households living with HIV.

    HIV status is not in the survey: a member of an IDPoor household is taken to live with HIV
    with probability ``share_of_idpoor_persons``, drawn from the person's id (the same persons in
    every run, year and scenario).
    """
    # draws for IDPoor members only, keyed by id: the same persons in every run
    return pay(keep_drawn(d.idpoor > 0, d.person_id, p.share_of_idpoor_persons, 0, "family_package_hiv.status"),
               p.amount)


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
    # pregnant women (aged 10-55) and children under 2 are different persons: two tiers
    return pay_tiers((idpoor & d.pregnant, pregnancy), (idpoor & (d.age < 2), infancy))


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
    share_of_year = p.paid_months / 12
    return pay_tiers((lower, p.lower_amount * share_of_year), (upper, p.upper_amount * share_of_year))
