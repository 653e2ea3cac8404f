"""Public alias of :mod:`microsim.studies.run` (docs/architecture.md, "The public API"): the
module itself, under the path plug-ins and scripts have used. Code inside the package imports
``microsim.studies.run``."""

import sys

from microsim.studies import run

sys.modules[__name__] = run
