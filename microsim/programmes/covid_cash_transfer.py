import numpy as np

from microsim.engine.modules import programme

ZONES = ("phnom_penh", "other_urban", "rural")


@programme("covid_cash_transfer", entity="household", label="Shock-responsive cash transfer (COVID-19 schedule)",
           inputs=("idpoor", "zone", "age", "disabled"))
def covid_cash_transfer(d, p):
    """Riels per household per month: IDPoor households, on the 2020 COVID-19 schedule.

    A base amount by zone, an amount per member by IDPoor level, and an amount per vulnerable
    member (a child under 5, a person 60+ or a person with a disability).
    """
    zone = _zone_index(d.zone)
    base = np.array([getattr(p.base, z) for z in ZONES])[zone]
    per_member = np.where(d.idpoor == 1, np.array([getattr(p.per_member_level1, z) for z in ZONES])[zone],
                          np.array([getattr(p.per_member_level2, z) for z in ZONES])[zone])
    per_vulnerable = np.array([getattr(p.per_vulnerable_member, z) for z in ZONES])[zone]
    age = d.person("age")
    vulnerable = d.household_count((age < 5) | (age >= 60) | d.person("disabled"))
    size = d.household_count(np.ones(age.size, bool))
    amount = base + per_member * size + per_vulnerable * vulnerable
    return np.where(d.idpoor > 0, amount, 0.0)


def _zone_index(zone):
    return np.select([zone == z for z in ZONES], range(len(ZONES)), -1)
