"""What is computed from a population and kept on it while it lives, in two typed stores whose
rule on reweighting is explicit.

- ``unweighted``: derived from every column but the household weights (each person's household
  columns, the member-count matrix, household types, the consumption order, person breakdowns,
  members per household in each target group). A reweighted population (:meth:`Population.reweighted`:
  the same households and persons, new weights) starts with these, the very same objects.
- ``weighted``: anything that uses the weights or is tied to one simulation of this population
  (deciles, household sums of module amounts, module outputs, the summary before benefits, the
  base population's own target values). A reweighted population starts without them.

Keys are plain strings (or tuples) chosen by the module that fills the entry; values are
read-only arrays or tables. Nothing here is written to disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DerivedCache:
    """The derived arrays and tables kept on one population (see the module docstring)."""

    unweighted: dict = field(default_factory=dict)  # kept by a reweighted population
    weighted: dict = field(default_factory=dict)  # this population's weights only

    def for_reweighted(self) -> "DerivedCache":
        """What a reweighted copy starts with: the unweighted entries (the same objects), nothing weighted."""
        return DerivedCache(unweighted=dict(self.unweighted))

    def clear(self) -> None:
        """Forget everything (memory back; the next use computes again)."""
        self.unweighted.clear()
        self.weighted.clear()
