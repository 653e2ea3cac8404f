from microsim.engine.benefit import pay
from microsim.engine.modules import programme


def _check(p):
    if p.min_age > p.max_age:
        return (f"`child_benefit.min_age` ({p.min_age:g}) is above `child_benefit.max_age` ({p.max_age:g}); "
                "the age bounds are reversed.")
    return None


@programme("child_benefit", entity="person", label="Child benefit",
           inputs=("age", "idpoor", "consumption_pc", "poverty_line"), tags=("reform",), check=_check)
def child_benefit(d, p):
    """Riels per person per month: children from ``min_age`` to ``max_age`` (completed years).

    The default, 2 to 5, runs from the 2nd birthday (the end of the Family Package's under-2
    payments) until the 6th (school entry and scholarships): age 6 is not included. Targeting:
    ``universal``; ``idpoor`` (IDPoor households); ``near_poor`` (consumption per person below
    ``near_poor_multiple`` times the poverty line, IDPoor households included).
    """
    eligible = (d.age >= p.min_age) & (d.age <= p.max_age)
    if p.targeting == "idpoor":
        eligible &= d.idpoor > 0
    elif p.targeting == "near_poor":
        eligible &= (d.consumption_pc < p.near_poor_multiple * d.poverty_line) | (d.idpoor > 0)
    return pay(eligible, p.amount)
