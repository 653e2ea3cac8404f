"""``python -m microsim.cli``: the same as ``microsim`` and ``python -m microsim``."""

from microsim.cli import main

main()
