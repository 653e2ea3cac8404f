"""Public alias of :mod:`microsim.population.io` (docs/architecture.md, "The public API"): the
module itself, under the path plug-ins and scripts have used. Code inside the package imports
``microsim.population.io``."""

import sys

from microsim.population import io

sys.modules[__name__] = io
