"""A shock-responsive transfer, generalised from the COVID-19 schedule: a shock hits chosen zones
and a share of their households; the response tops up existing recipients (vertical expansion:
IDPoor households) and reaches new households near the poverty line (horizontal expansion), for
a number of months; its expected annual cost weighs a shock year by the trigger probability.
"""

import numpy as np

from microsim.engine.benefit import pay
from microsim.engine.costing_measures import ShockMeasure
from microsim.engine.modules import programme
from microsim.engine.takeup import keep_drawn


def _check(p):
    if not (p.hit_phnom_penh or p.hit_other_urban or p.hit_rural):
        return "`shock_response` is active but hits no zone: set at least one of `hit_phnom_penh`, " \
               "`hit_other_urban`, `hit_rural` to true."
    return None


def hit_zones(p) -> tuple[str, ...]:
    """The zones the shock hits."""
    return tuple(z for z, flag in (("phnom_penh", p.hit_phnom_penh), ("other_urban", p.hit_other_urban),
                                   ("rural", p.hit_rural)) if flag)


def shock_groups(zone, household_id, idpoor, consumption_pc, poverty_line, p):
    """Per household: in a hit zone, hit (drawn by household id), IDPoor, near-poor (not IDPoor, below
    ``horizontal_multiple`` times the line; consumption and line in the same riels). The module and
    the spreadsheet costing (:func:`shock_measures`, below) both call this."""
    in_zone = np.zeros(len(zone), bool)
    for name in hit_zones(p):  # at most three comparisons of the whole column (of codes, if categorical)
        in_zone |= np.asarray(zone == name)
    hit = keep_drawn(in_zone, household_id, p.share_hit, 0, "shock_response.hit")  # drawn by id, in the zones only
    is_idpoor = np.asarray(idpoor) > 0
    near_poor = ~is_idpoor & (np.asarray(consumption_pc) < p.horizontal_multiple * np.asarray(poverty_line))
    return in_zone, hit, is_idpoor, near_poor


# ---- how the spreadsheet costing counts it (microsim.engine.costing_measures) -----------------------------
def shock_measures(sim, p, label: str) -> list[ShockMeasure]:
    """The shock-responsive transfer as a spreadsheet measure; the IDPoor and near-poor shares of the
    hit households measured on the first year's simulated population (the module's own draws)."""

    pop = sim.population
    households = pop.households
    w = households["weight"].to_numpy()
    zones = hit_zones(p)
    in_zone, hit, idpoor, near_poor = shock_groups(households["zone"].to_numpy(), households["household_id"].to_numpy(),
                                                   households["idpoor"].to_numpy(), sim.economy.consumption_pc(pop),
                                                   sim.economy.poverty_line(pop), p)
    # per household hit at the nominal share (the draw by id hits a little more or less than share_hit
    # of a zone's households; measuring against the nominal share makes the first year agree exactly)
    hit_total = float(w @ in_zone) * float(p.share_hit)
    share = (lambda mask: float(w @ (hit & mask)) / hit_total if hit_total > 0 else 0.0)
    note = (f"of the households hit in {sim.scenario.year}, the IDPoor share and the share below "
            f"{p.horizontal_multiple:g} times the poverty line, measured on the simulated population")
    return [ShockMeasure(name="shock_response", label=label, zones=zones, share_hit=float(p.share_hit),
                         vertical_share=share(idpoor), horizontal_share=share(near_poor),
                         vertical_amount=float(p.vertical_amount), horizontal_amount=float(p.horizontal_amount),
                         months=float(p.months), trigger_probability=float(p.trigger_probability),
                         expected=bool(p.expected), admin_rate=float(sim.reform.params.simulation.admin_cost_rate),
                         coverage_note=note)]


@programme("shock_response", entity="household", label="Shock-responsive transfer",
           inputs=("household_id", "zone", "idpoor", "consumption_pc", "poverty_line"), tags=("reform",), check=_check,
           costing=shock_measures)
def shock_response(d, p):
    """Riels per household per month, averaged over the year: households of the hit zones, a share
    ``share_hit`` of them hit (drawn by household id, the same households in every run). IDPoor
    households among them get ``vertical_amount``; others below ``horizontal_multiple`` times the
    line get ``horizontal_amount``. Paid for ``months`` months, so a shock year's monthly equivalent
    is amount x months / 12; with ``expected: true`` it is also weighted by ``trigger_probability``
    (the expected annual cost, as a budget provision is costed; its poverty effect is an average,
    not a shock year's).
    """
    _, hit, idpoor, near_poor = shock_groups(d.zone, d.household_id, d.idpoor, d.consumption_pc, d.poverty_line, p)
    factor = p.months / 12 * (p.trigger_probability if p.expected else 1.0)
    vertical = pay(hit & idpoor, p.vertical_amount * factor)
    horizontal = pay(hit & near_poor, p.horizontal_amount * factor)
    return np.asarray(vertical) + np.asarray(horizontal)
