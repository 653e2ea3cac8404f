"""Public alias of :mod:`microsim.studies.projection` (docs/architecture.md, "The public API"): the
module itself, under the path plug-ins and scripts have used. Code inside the package imports
``microsim.studies.projection``."""

import sys

from microsim.studies import projection

sys.modules[__name__] = projection
