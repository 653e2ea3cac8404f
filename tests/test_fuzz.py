"""Fuzzed input files: success, or a one-paragraph error with exit code 2 and nothing written.

A few hundred cases here (60 per kind of input); ``python tools/fuzz_inputs.py --cases 16000``
runs many more and prints the count of failures (docs/outputs.md reports the latest figure).
"""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import KINDS, Workspace, run_case

WORKSPACE = Workspace(Path(tempfile.mkdtemp(prefix="microsim-fuzz-")))


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_a_mutated_file_gives_a_result_or_a_clear_error(kind, seed):
    outcome = run_case(kind, seed, WORKSPACE)
    assert outcome.ok, f"{kind} seed {seed}: {outcome.detail}"


def test_the_fuzzer_finds_a_crash_when_there_is_one(monkeypatch):
    """The check itself can fail: a loader that crashes is reported, not hidden."""
    import microsim.engine.scenario

    def crash(path):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(microsim.engine.scenario, "load_scenario", crash)
    outcome = run_case("scenario", 1, WORKSPACE)
    assert not outcome.ok and "ZeroDivisionError: planted" in outcome.detail
