"""Shared tools every floor may use: YAML reading, keyed random draws, determinism, progress, weighted statistics, poverty measures, number formatting.

The floor's place in the house: docs/architecture.md."""
