"""Modules from other packages (entry points) and indexation of amounts."""

import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import microsim.engine.modules as modules_mod
import microsim.engine.registry as registry
from microsim.engine.macro import load_macro
from microsim.studies.run import simulate
from microsim.engine.scenario import Scenario
from microsim.synth import synthesize

POP = synthesize(300, seed=5)


def scenario(reform, year=2026):
    return Scenario(name="t", year=year, path=Path("t.yaml"), sha256="", reform=reform)


@pytest.fixture
def plugin(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "plugin"))
    ep = EntryPoint(name="maternity", value="maternity_plugin", group=modules_mod.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [ep] if group == ep.group else [])
    monkeypatch.setattr(registry, "_discovered", False)
    yield
    modules_mod.REGISTRY.pop("test_maternity_benefit", None)
    sys.modules.pop("maternity_plugin", None)
    registry._discovered = False


def test_a_module_from_another_package_is_discovered_and_costed(plugin):
    sim = simulate(scenario({"test_maternity_benefit.active": True, "test_maternity_benefit.amount": 100000}), POP)
    row = sim.tables["costs"].set_index("programme").loc["Maternity benefit (plug-in)"]
    pregnant = POP.persons["pregnant"].to_numpy()
    assert row["cost reform (riels per year)"] == pytest.approx(12 * 100000 * POP.person_weight()[pregnant].sum(), rel=1e-12)


def test_broken_plugin_is_named(monkeypatch):
    ep = EntryPoint(name="broken", value="no_such_package_xyz", group=modules_mod.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [ep])
    monkeypatch.setattr(registry, "_discovered", False)
    from microsim.errors import SpecError

    with pytest.raises(SpecError, match="no_such_package_xyz.*failed to load"):
        registry.discover()
    monkeypatch.setattr(registry, "_discovered", False)


def test_cpi_indexation_uprates_from_the_effective_year():
    """An amount set from 2024 and indexed to the CPI is worth cpi(2026)/cpi(2024) times it in 2026."""
    from microsim.engine.system import load_system

    _, tree = load_system()
    macro = load_macro()
    import datetime as dt

    t = tree.with_overrides({"disability_allowance.amount.indexation": "cpi"}, "test")
    p2023 = t.at(dt.date(2023, 1, 1), macro).disability_allowance.amount
    p2026 = t.at(dt.date(2026, 1, 1), macro).disability_allowance.amount
    assert p2023 == 80000  # effective year: not uprated
    assert p2026 == pytest.approx(80000 * macro.cpi(2026) / macro.cpi(2023), rel=1e-12)
    fixed = tree.with_overrides({"disability_allowance.amount.indexation": "fixed",
                                 "disability_allowance.amount.indexation_rate": 3.0}, "test")
    assert fixed.at(dt.date(2026, 1, 1), macro).disability_allowance.amount == pytest.approx(80000 * 1.03 ** 3)
    unindexed = tree.at(dt.date(2026, 1, 1), macro).disability_allowance.amount
    assert unindexed == 80000  # current law: no indexation
