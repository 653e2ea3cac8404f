"""The synthetic CSES-like population generator (see docs/synthetic-population.md)."""

from microsim.synth.generate import synthesize

__all__ = ["synthesize"]
