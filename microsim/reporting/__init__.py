"""For people: run folders, reports, workbooks, charts, comparisons, and the writers of each study's outputs.

The floor's place in the house: docs/architecture.md."""
