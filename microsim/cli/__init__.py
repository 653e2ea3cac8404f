"""The ``microsim`` command line, one module per group of commands.

Every command has an embedded default (the shipped population in synthetic_data/default), so it
works with no arguments. Each command parses its arguments, calls one study, has one writer write
the run folder and prints a summary; errors in the user's input print one plain paragraph and
exit 2 (docs/architecture.md).

- app: the ``microsim`` group (errors, interruption) with every command added
- options: what the commands share, and the command line a run folder records
- population: synth, import, validate, describe, calibrate, schema
- simulate: run, project, sweep, compare
- inaction: the cost of inaction
- costing: cost, workbook
- reference: validate-model, policies
- serve: the workbench's local server
"""

from microsim.cli.app import main
from microsim.cli.options import replay_command

__all__ = ["main", "replay_command"]
