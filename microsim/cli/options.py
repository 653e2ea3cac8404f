"""What the commands share: the population argument's help, --allow and --backend, the run folder
checked before the work, and the command line a run folder records (built here for every command).
"""

from __future__ import annotations

from pathlib import Path

import click

from microsim.paths import DEFAULT_POPULATION


DATA_HELP = ("a population folder (households and persons tables), or a mapping\n"
             "  file (.yaml) that reads survey microdata. Default: synthetic_data/default.")


# Options that say where and how output goes, never what the results are: left out of the command
# line a run folder records.
NOT_RESULTS = frozenset({"out", "overwrite", "quiet", "no_charts", "allow_many", "csv", "backend", "scheduler"})


def replay_command(resolved: dict | None = None, always: tuple[str, ...] = (),
                   leave_out: frozenset[str] = NOT_RESULTS) -> str:
    """The command line that reproduces the command being run, as its manifest records it.

    Built in one place for every command, from click's own record of the command (its arguments
    and options, in declared order): each argument; each option whose value differs from its
    default, or is named in ``always``, or was resolved by the command (``resolved``: a parameter's
    name -> the value actually used, such as the population a scenario named). Paths are written
    relative to the project when inside it; options in ``leave_out`` are not written.
    """
    import shlex

    from microsim.paths import display_path

    context = click.get_current_context()
    values = {**context.params, **(resolved or {})}

    def word(value) -> str:
        text = display_path(value) if isinstance(value, Path) else f"{value:g}" if isinstance(value, float) else str(value)
        return shlex.quote(text)

    words = ["microsim", context.info_name]
    for param in context.command.params:
        if param.name in leave_out or param.name not in values:
            continue
        value = values[param.name]
        if isinstance(param, click.Argument):
            words += [word(value)] if value is not None else []
            continue
        named = param.name in always or param.name in (resolved or {})
        if value is None or value is False or value == () or (value == param.default and not named):
            continue
        flag = max(param.opts, key=len)
        if param.is_flag:
            words.append(flag)
        elif getattr(param, "_flag_needs_value", False):  # an option whose value is optional: --calibrate[=FILE]
            words.append(flag if value == param.flag_value else f"{flag}={word(value)}")
        elif param.multiple:
            words += [part for item in value for part in (flag, word(item))]
        elif isinstance(value, tuple):
            words += [flag, *map(word, value)]
        else:
            words += [flag, word(value)]
    return " ".join(words)


def backend_options(command):
    """--backend and --scheduler: where a command's tasks run (microsim.studies.executor)."""
    command = click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
                           help="A running Dask scheduler to use.")(command)
    return click.option("--backend", type=click.Choice(["serial", "joblib", "dask"]), default=None,
                        help="Where tasks run: serial, joblib processes (default with --jobs > 1) or Dask (a local "
                             "cluster of --jobs workers, or --scheduler). Results are identical on every backend.")(command)


ALLOW_HELP = ("Accept parameter values outside their plausible range (each parameter file's `plausible`; "
              "docs/policies.md), when such a value is meant.")


def allow_option(command):
    """--allow: values outside a parameter's plausible range are accepted (recorded in the manifest)."""
    return click.option("--allow", is_flag=True, help=ALLOW_HELP)(command)


def with_allowance(sc, allow: bool):
    """The scenario with --allow applied, its overrides checked now (before any work), so a value
    outside its plausible range or a misspelt parameter is an error in a second, not after a run."""
    import dataclasses

    from microsim.engine.system import load_system

    sc = dataclasses.replace(sc, allow_implausible=bool(allow))
    _, tree = load_system()
    where = str(sc.path)
    base = tree.with_overrides(sc.baseline, f"{where}, baseline", sc.overrides_date, sc.allow_implausible)
    base.with_overrides(sc.reform, f"{where}, reform", sc.overrides_date, sc.allow_implausible)
    return sc


def executor_for(backend, scheduler, jobs: int, quiet: bool):
    """The executor of a command's tasks (serial, joblib or Dask; docs/benchmarks.md compares them)."""
    from microsim.studies.executor import Executor

    return Executor(backend, jobs, scheduler, quiet)


def population_for_workers(pop, data, executor):
    """What workers get: the population itself in this process, else its path and content hash
    (each worker reads it once)."""
    from microsim.studies.executor import PopulationRef

    if executor.backend == "serial":
        return pop
    return PopulationRef(str(Path(data).resolve()), pop.content_hash())


def prepare(scenario, data, out, overwrite, sc_slug_suffix: str, allow: bool = False):
    """The scenario (with --allow applied and its overrides checked), the population path and the run
    folder (--out, or runs/<scenario><suffix>, which is replaced only when microsim wrote it),
    checked before any work is done."""
    from microsim import paths
    from microsim.population.io import preflight_output
    from microsim.reporting.runfolder import run_folder_problem
    from microsim.engine.scenario import load_scenario

    sc = with_allowance(load_scenario(scenario), allow)
    data = data or (Path(sc.population) if sc.population else DEFAULT_POPULATION)
    if out is None:
        out, overwrite = paths.HOME / "runs" / f"{sc.slug}{sc_slug_suffix}", True
    preflight_output(out, overwrite, owned=run_folder_problem, what="run folder")
    return sc, data, out, overwrite


def population_label(data) -> str:
    from microsim.paths import display_path

    return display_path(data)


def preflight_population(out, overwrite: bool) -> None:
    """Before the work: the population folder can be written, and replaced only if microsim wrote it."""
    from microsim.population.io import population_folder_problem, preflight_output

    preflight_output(out, overwrite, owned=population_folder_problem, what="population folder")


def skipped_chart(key: str):
    from microsim.reporting.charts import Skipped

    return Skipped(f"the {key.replace('_', ' ')} chart", "charts were switched off (--no-charts)")
