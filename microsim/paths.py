"""Where the project's data files are: the repository's ``synthetic_data/`` and ``policies/``.

The package is used from a checkout (``pip install -e .``); ``MICROSIM_HOME`` points elsewhere
if the data folders live in another place.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME = Path(os.environ.get("MICROSIM_HOME", Path(__file__).resolve().parent.parent))
SYNTHETIC_DATA = HOME / "synthetic_data"
DEFAULT_SPEC = SYNTHETIC_DATA / "spec.yaml"
DEFAULT_POPULATION = SYNTHETIC_DATA / "default"
POLICIES = HOME / "policies"
