"""How people respond: earnings by schooling, school attendance, and the studies' behavioural parameters.

The floor's place in the house: docs/architecture.md."""
