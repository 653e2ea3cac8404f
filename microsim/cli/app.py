"""The ``microsim`` command group: user errors as one plain paragraph and exit code 2, Ctrl-C and
SIGTERM stopping the work with nothing half-written, and the commands of each group added.
"""

from __future__ import annotations

import sys

import click

from microsim.errors import MicrosimError
from microsim import __version__
from microsim.cli import costing, inaction, population, reference, serve, simulate


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C: outputs being written are removed, worker processes stopped."""


def _on_sigterm(signum, frame):
    raise Terminated()


def _stop_workers() -> None:
    """Stop joblib's worker processes now, not at interpreter exit, so that their semaphores are released
    before the resource tracker looks (an interruption while the pool starts would otherwise leave one)."""
    module = sys.modules.get("joblib.externals.loky.reusable_executor")  # never imported just for this
    executor = getattr(module, "_executor", None)
    if executor is not None:
        executor.shutdown(wait=True, kill_workers=True)


class Group(click.Group):
    """Turns user errors into a clear message and exit code 2 instead of a traceback; SIGTERM and
    Ctrl-C stop the work and leave nothing half-written."""

    def invoke(self, ctx):
        import signal

        try:
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main thread (e.g. called from a test runner thread)
            previous = None
        try:
            return super().invoke(ctx)
        except MicrosimError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt as e:
            terminated = isinstance(e, Terminated)
            _stop_workers()
            click.echo(f"{'Terminated' if terminated else 'Interrupted'}: stopped; no output was left "
                       "half-written.", err=True)
            sys.exit(143 if terminated else 130)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="microsim")
def main():
    """Microsimulation of household benefits and poverty in Cambodia.

    \b
    Examples:
      microsim describe                      # the shipped default population
      microsim synth --households 20000 --seed 7 --out runs/pop20k
      microsim validate runs/pop20k
      microsim describe runs/pop20k --json > pop20k.json
    """


COMMANDS = (population.synth, population.import_, population.validate, population.describe, population.calibrate,
            population.schema, simulate.run, simulate.project, simulate.sweep, simulate.compare, inaction.inaction,
            costing.cost, costing.workbook, costing.fiscal, reference.validate_model, reference.policies, serve.serve)
for command in COMMANDS:
    main.add_command(command)
