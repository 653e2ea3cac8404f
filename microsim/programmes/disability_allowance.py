"""The MoSVY allowance for poor persons with disabilities (Family Package), and how the spreadsheet
costing counts it: from the prevalence of disability."""

from microsim.behaviour.earnings import MONTHS as MONTHS_A_YEAR
from microsim.engine.benefit import paid, pay
from microsim.engine.costing_measures import MAX_AGE, Measure, indexation, reached_share
from microsim.engine.modules import programme


# ---- how the spreadsheet costing counts it (microsim.engine.costing_measures) -----------------------------
def disability_measures(sim, p, label: str) -> list[Measure]:
    """A disability allowance costed from prevalence: coverage is the share of persons with a
    disability the rules reach (IDPoor targeting), before take-up."""
    pop = sim.population
    weights = pop.person_weight()
    disabled = pop.persons["disabled"].to_numpy()
    take_up = float(p.take_up)
    coverage = reached_share(weights, paid(sim.reform.benefits["disability_allowance"]), disabled, take_up)
    rule, rate = indexation(sim, "disability_allowance")
    note = ("every person with a disability" if coverage == 1.0 else
            "the share of persons with a disability the rules reach (IDPoor households)")
    return [Measure(name="disability_allowance", label=label, min_age=0, max_age=MAX_AGE, coverage=coverage,
                    take_up=take_up, amount=float(p.amount), indexation=rule, indexation_rate=rate,
                    months=float(MONTHS_A_YEAR), admin_rate=float(sim.reform.params.simulation.admin_cost_rate),
                    coverage_note=note, base="disability")]


@programme("disability_allowance", entity="person", label="Family Package: persons with disabilities (MoSVY allowance)",
           inputs=("disabled", "idpoor"), costing=disability_measures)
def disability_allowance(d, p):
    """Riels per person per month: persons with a disability (in IDPoor households if so set).

    The MoSVY allowance for poor persons with disabilities, part of the Family Package from April
    2024. The survey's functional difficulty is broader than the disability the programme
    certifies, so ``take_up`` (a registration share) brings recipients to the published caseload.
    """
    eligible = d.disabled & (d.idpoor > 0) if p.idpoor_only else d.disabled
    return pay(eligible, p.amount)
