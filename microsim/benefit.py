"""Public alias of :mod:`microsim.engine.benefit` (docs/architecture.md, "The public API"): the
module itself, under the path plug-ins and scripts have used. Code inside the package imports
``microsim.engine.benefit``."""

import sys

from microsim.engine import benefit

sys.modules[__name__] = benefit
