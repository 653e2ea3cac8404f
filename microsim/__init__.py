"""Microsimulation of household benefits and poverty in Cambodia.

The data flows one way: population -> validate -> calibrate -> policy modules -> outputs.
"""

__version__ = "0.1.0"
