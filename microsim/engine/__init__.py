"""Programmes on a population: their declarations and discovery, parameters with dates, scenarios, the macro series and the year's economy, take-up, YAML benefits, and the system that runs them.

The floor's place in the house: docs/architecture.md."""
