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
WPP_FILE = SYNTHETIC_DATA / "sources" / "wpp2022_cambodia_population_by_age.csv"  # UN WPP 2022, POP/02-1
WPP2024_FILE = SYNTHETIC_DATA / "sources" / "wpp2024_cambodia_population_by_single_age_sex.csv"  # UN WPP 2024, single ages


def display_path(path) -> str:
    """A path relative to the project when it is inside it (stable across machines), else absolute."""
    p = Path(path).resolve()
    try:
        return str(p.relative_to(HOME.resolve()))
    except ValueError:
        return str(p)
