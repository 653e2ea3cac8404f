"""Errors a user can act on.

Every error the command line shows to an analyst is a :class:`MicrosimError`: it names the
file, the field and what was expected, in plain words. The CLI prints it and exits non-zero.
"""

from __future__ import annotations


class MicrosimError(Exception):
    """An error in the user's input (file, option, data), explained in plain words."""

    exit_code = 2


class SpecError(MicrosimError):
    """A generator spec, parameter or mapping file is unreadable or malformed."""


class PopulationError(MicrosimError):
    """A population fails validation. ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        shown = self.problems[:50]
        more = len(self.problems) - len(shown)
        lines = [f"The population in {source} is not valid ({len(self.problems)} problem(s)):"]
        lines += [f"  - {p}" for p in shown]
        if more:
            lines.append(f"  ... and {more} more.")
        lines.append("See docs/data-schema.md for every column, its type and allowed values.")
        super().__init__("\n".join(lines))
