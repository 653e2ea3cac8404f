"""What an analyst asks for: a run, a projection, a sweep, their intervals, the executor that spreads work, the model's validation, the cost of inaction and the costing of measures.

The floor's place in the house: docs/architecture.md."""
