"""The households and persons: the population tables, their schema and checks, reading and writing, derived arrays, calibration to published targets, ageing to a year, the demography it rests on.

The floor's place in the house: docs/architecture.md."""
