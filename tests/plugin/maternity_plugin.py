"""A third-party module, as another package would ship it (used by tests/test_plugins.py)."""

from pathlib import Path

import numpy as np

from microsim.engine.modules import programme


@programme("test_maternity_benefit", entity="person", inputs=("pregnant",), label="Maternity benefit (plug-in)",
           parameter_file=Path(__file__).with_name("test_maternity_benefit.yaml"))
def test_maternity_benefit(d, p):
    """Riels per person per month: every pregnant woman."""
    return np.where(d.pregnant, p.amount, 0.0)
