"""Public alias of :mod:`microsim.engine.modules` (docs/architecture.md, "The public API"): the
module itself, under the path plug-ins and scripts have used. Code inside the package imports
``microsim.engine.modules``."""

import sys

from microsim.engine import modules

sys.modules[__name__] = modules
