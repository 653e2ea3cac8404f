"""Public alias of :mod:`microsim.engine.scenario` (docs/architecture.md, "The public API"): the
module itself, under the path plug-ins and scripts have used. Code inside the package imports
``microsim.engine.scenario``."""

import sys

from microsim.engine import scenario

sys.modules[__name__] = scenario
