"""A non-contributory maternity allowance for the months around a birth (a reform option)."""

import dataclasses

import numpy as np

from microsim.behaviour.earnings import MONTHS as MONTHS_A_YEAR
from microsim.engine.benefit import paid, pay_tiers
from microsim.engine.costing_measures import Measure, average_paid, indexation, reached_share
from microsim.engine.modules import programme
from microsim.synth.members import PREGNANCY_MONTHS



# ---- how the spreadsheet costing counts it (microsim.engine.costing_measures) -----------------------------
NSSF_MATERNITY = "nssf_maternity_cash"  # a measure costing part of maternity_allowance


def maternity_measures(sim, p, label: str) -> list[Measure]:
    """The maternity allowance costed from births, and (with ``nssf_cash_benefit``) the NSSF's cash
    benefit for insured women as a measure of its own."""
    if not (p.nssf_cash_benefit and "nssf_member" in sim.population.persons):
        return [maternity_measure(sim, p, label)]
    nssf = nssf_maternity_measure(sim, p)
    module = next(q for q in sim.result.programmes if q.programme == "maternity_allowance").cost_reform_riels_per_year
    return [dataclasses.replace(maternity_measure(sim, p, label), microsimulation_cost=module - nssf.microsimulation_cost),
            nssf]


def nssf_maternity_measure(sim, p) -> Measure:
    """The NSSF maternity cash benefit costed from births: eligible = births, coverage = the share
    of pregnant women who are insured and paid (before take-up), amount = the average benefit a
    month of those paid (``nssf_replacement_rate`` x their imputed monthly earnings), months =
    ``nssf_benefit_months``. A benefit whose amount varies by person, costed by its average."""
    pop = sim.population
    weights = pop.person_weight()
    pregnant = pop.persons["pregnant"].to_numpy()
    insured = nssf_part(sim)
    amounts = np.asarray(sim.reform.benefits["maternity_allowance"], dtype=np.float64)
    paid_to = insured & (amounts > 0)
    take_up = float(p.take_up)
    coverage = reached_share(weights, paid_to, pregnant, take_up)
    months = float(p.nssf_benefit_months)
    # each paid woman carries amount x months / 9 a month (the benefit spread over the pregnancy)
    average = average_paid(weights, amounts, paid_to)
    amount = average * PREGNANCY_MONTHS / months if average is not None and months else 0.0
    admin = float(sim.reform.params.simulation.admin_cost_rate)
    cost = float(weights @ (amounts * paid_to)) * MONTHS_A_YEAR * (1 + admin)  # its part of the module's cost
    note = (f"the share of births to women insured by the NSSF, measured on the pregnant women; the amount is "
            f"{p.nssf_replacement_rate:g} x their average imputed monthly earnings in {sim.scenario.year}, "
            "indexed to the CPI whatever the allowance's rule (wages also grow in real terms: an assumption "
            "that understates later years)")
    return Measure(name=NSSF_MATERNITY, label="NSSF maternity cash benefit (insured women)", min_age=0, max_age=0,
                   coverage=coverage, take_up=take_up, amount=amount, indexation="cpi", indexation_rate=0.0,
                   months=months, admin_rate=admin, coverage_note=note, base="births", amount_kind="average",
                   reachable=coverage, microsimulation_cost=cost)


def nssf_part(sim) -> np.ndarray:
    """The persons the maternity allowance pays the NSSF's cash benefit: insured pregnant women."""
    persons = sim.population.persons
    return persons["pregnant"].to_numpy() & persons["nssf_member"].to_numpy()


def maternity_measure(sim, p, label: str) -> Measure:
    """The maternity allowance costed from births: each birth is paid ``months_before_birth +
    months_after_birth`` months; coverage is the share of births (children aged 0) the rules reach."""
    pop = sim.population
    weights, age = pop.person_weight(), pop.persons["age"].to_numpy()
    take_up = float(p.take_up)
    paid_to = paid(sim.reform.benefits["maternity_allowance"])
    before, after = float(p.months_before_birth), float(p.months_after_birth)
    # the reach of each phase, measured on its own persons and weighted by its months: pregnant
    # women before the birth (insured women may be left out), children aged 0 after it
    pregnant = pop.persons["pregnant"].to_numpy()
    if p.nssf_cash_benefit and "nssf_member" in pop.persons:  # insured women are paid the NSSF's benefit instead
        paid_to = paid_to & ~nssf_part(sim)
    reach_before = reached_share(weights, paid_to, pregnant, take_up) if before else 0.0
    reach_after = reached_share(weights, paid_to, age == 0, take_up) if after else 0.0
    coverage = (before * reach_before + after * reach_after) / (before + after) if before + after else 0.0
    rule, rate = indexation(sim, "maternity_allowance")
    note = ("every birth" if coverage == 1.0 else
            "the share of births the rules reach (IDPoor targeting; insured women left out before the birth), "
            "each phase weighted by its months")
    # everyone reached: every birth, but insured women left out before it (paid the NSSF's benefit instead)
    reachable = 1.0
    if (p.nssf_cash_benefit or p.exclude_nssf_members) and "nssf_member" in pop.persons and before + after:
        insured = reached_share(weights, nssf_part(sim), pregnant, 1.0)  # the insured share of pregnant women
        reachable = (before * (1 - insured) + after) / (before + after)
    return Measure(name="maternity_allowance", label=label, min_age=0, max_age=0, coverage=coverage, take_up=take_up,
                   amount=float(p.amount), indexation=rule, indexation_rate=rate,
                   months=float(p.months_before_birth + p.months_after_birth),
                   admin_rate=float(sim.reform.params.simulation.admin_cost_rate), coverage_note=note, base="births",
                   reachable=reachable)


@programme("maternity_allowance", entity="person", label="Maternity allowance (months around birth)",
           inputs=("pregnant", "age", "idpoor", "nssf_member", "earnings"), tags=("reform",),
           costing=maternity_measures)
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
