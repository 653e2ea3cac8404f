"""``python -m microsim``: the same command line as the ``microsim`` console script."""

from microsim.cli import main

if __name__ == "__main__":
    main()
