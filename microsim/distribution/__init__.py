"""What a simulation gives: typed result records, and the tables of results (poverty, costs, incidence, targeting, inequality).

The floor's place in the house: docs/architecture.md."""
