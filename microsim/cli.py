"""The ``microsim`` command line.

Every command has an embedded default (the shipped population in synthetic_data/default), so
it works with no arguments. Errors in the user's input print one plain paragraph and exit 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from microsim import __version__
from microsim.errors import MicrosimError
from microsim.paths import DEFAULT_POPULATION, DEFAULT_SPEC

DATA_HELP = ("a population folder (households and persons tables), or a mapping\n"
             "  file (.yaml) that reads survey microdata. Default: synthetic_data/default.")


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


@main.command()
@click.option("--households", "-n", type=int, default=10_000, show_default=True,
              help="Number of sample households to generate.")
@click.option("--seed", "-s", type=click.IntRange(0, 2**32 - 1), default=2019, show_default=True,
              help="Random seed, a whole number from 0 to 4294967295; same seed, same population.")
@click.option("--out", "-o", "out", type=click.Path(path_type=Path), required=True,
              help="Folder to write the population to (must not exist unless --overwrite).")
@click.option("--spec", type=click.Path(path_type=Path), default=DEFAULT_SPEC, show_default=True,
              help="Generator spec (YAML): published marginals and labelled assumptions.")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True,
              help="File format of the tables.")
@click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")
@click.option("--calibrate", "calibrate_to", is_flag=False, flag_value="default", default=None,
              help="Also calibrate the weights: to the default CSES 2019/20 targets, or to a targets file "
                   "given as --calibrate=FILE (logit, bounds 0.25-4; use `microsim calibrate` for other settings).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def synth(households, seed, out, spec, fmt, overwrite, calibrate_to, quiet):
    """Generate a synthetic CSES-like population.

    The population has households (zone, weight, consumption per person, poverty line, IDPoor)
    and persons (relationship, age, sex, activity, disability, pension, schooling, pregnancy),
    shaped on the Census 2019, WPP 2022, LFS 2019 and the CSES 2019/20 poverty profile.

    \b
    Examples:
      microsim synth --households 10000 --seed 2019 --out synthetic_data/default --overwrite
      microsim synth -n 4000000 -s 1 --out runs/country      # the whole country, weights about 1
      microsim synth -n 500 --format csv --out runs/small-csv
      microsim synth -n 10000 -s 2019 --calibrate --out synthetic_data/default --overwrite
    """
    from microsim.population.io import write_population
    from microsim.synth import synthesize
    from microsim.synth.generate import check_size

    check_size(households)
    _preflight_population(out, overwrite)
    pop = synthesize(households, seed, spec, quiet=quiet)
    pop.metadata["command"] = replay_command(always=("households", "seed"), leave_out=NOT_RESULTS - {"out"})
    add_report = None
    if calibrate_to is not None:
        from microsim.population.calibrate import apply, calibrate_population, write_report
        from microsim.population.targets import load_targets

        cal = calibrate_population(pop, load_targets(None if calibrate_to == "default" else calibrate_to))
        pop = apply(pop, cal)
        click.echo(f"Calibrated to {len(cal.table)} targets: design effect {cal.diagnostics['kish_design_effect']:.3f}.")

        add_report = lambda folder: write_report(cal, folder, "the generated population")  # noqa: E731
    write_population(pop, out, fmt=fmt, overwrite=overwrite, extra=add_report)
    click.echo(f"Wrote {pop.n_households:,} households and {pop.n_persons:,} persons to {out} "
               f"(content hash {pop.content_hash()[:16]}).")


def _preflight_population(out, overwrite: bool) -> None:
    """Before the work: the population folder can be written, and replaced only if microsim wrote it."""
    from microsim.population.io import population_folder_problem, preflight_output

    preflight_output(out, overwrite, owned=population_folder_problem, what="population folder")


DESCRIBE_HELP = """Weighted summary tables of a population.

Population by age group, sex and zone; household size and type; activity; poverty overall
and by the groups of the CSES 2019/20 Tables 1-3 beside the published rates; IDPoor
coverage and its overlap with poverty.

\b
DATA: """ + DATA_HELP + """

\b
Examples:
  microsim describe
  microsim describe runs/pop20k --json > pop20k.json
  microsim describe my_cses_mapping.yaml
"""


@main.command(help=DESCRIBE_HELP)
@click.argument("data", required=False, type=click.Path(path_type=Path), default=DEFAULT_POPULATION)
@click.option("--json", "as_json", is_flag=True, help="Print the tables as JSON (for scripts).")
@click.option("--targets", type=click.Path(path_type=Path), default=None,
              help="Published poverty rates to compare with. Default: CSES 2019/20 (synthetic_data/targets).")
def describe(data, as_json, targets):
    from microsim.population.describe import DEFAULT_TARGETS
    from microsim.population.describe import describe as describe_tables
    from microsim.population.describe import render_text, to_json
    from microsim.population.io import read_population

    pop = read_population(data)
    tables = describe_tables(pop, targets or DEFAULT_TARGETS)
    if as_json:
        click.echo(json.dumps({"population": str(data), "metadata": pop.metadata, "tables": to_json(tables)},
                              indent=1, default=str))
    else:
        click.echo(f"Population: {data}\n")
        click.echo(render_text(tables))


VALIDATE_HELP = """Check a population against the schema and report every problem at once.

\b
DATA: """ + DATA_HELP + """

\b
Examples:
  microsim validate runs/pop20k
  microsim validate my_cses_mapping.yaml
"""


@main.command(help=VALIDATE_HELP)
@click.argument("data", required=False, type=click.Path(path_type=Path), default=DEFAULT_POPULATION)
def validate(data):
    from microsim.population.io import read_population

    pop = read_population(data)
    click.echo(f"{data}: valid ({pop.n_households:,} households, {pop.n_persons:,} persons).")


CALIBRATE_HELP = """Reweight a population's households to published targets.

Household weights are calibrated (Deville and Sarndal 1992; Newton's method on the dual) so
the population reproduces every target exactly: the CSES 2019/20 poverty profile (Tables 1-3,
national 17.8 %), Census 2019 totals, the age structure and IDPoor coverage. Weights stay within
--bounds times the design weights. Writes the calibrated population and its report
(calibration_report.md, calibration_targets.csv) to --out. If the targets cannot be met, says
which and by how much, and writes nothing.

\b
DATA: """ + DATA_HELP + """

\b
Examples:
  microsim calibrate runs/pop20k --out runs/pop20k-calibrated
  microsim calibrate runs/pop20k --method raking --bounds 0.1 10 --out runs/pop20k-raked
  microsim calibrate my_cses_mapping.yaml --targets my_targets.yaml --out runs/cses-recal
"""


@main.command(help=CALIBRATE_HELP)
@click.argument("data", required=False, type=click.Path(path_type=Path), default=DEFAULT_POPULATION)
@click.option("--targets", type=click.Path(path_type=Path), default=None,
              help="Targets file (YAML). Default: synthetic_data/targets/cses_2019_20.yaml.")
@click.option("--method", type=click.Choice(["logit", "raking", "linear"]), default="logit", show_default=True,
              help="Distance function: bounded logit, raking (multiplicative) or linear (chi-square).")
@click.option("--bounds", nargs=2, type=float, default=(0.25, 4.0), show_default=True,
              help="Lowest and highest ratio of calibrated to design weight.")
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True, help="Folder for the calibrated population.")
@click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def calibrate(data, targets, method, bounds, out, overwrite, quiet):
    from microsim.population.calibrate import apply, calibrate_population, write_report
    from microsim.paths import display_path
    from microsim.population.io import read_population, write_population
    from microsim.population.targets import load_targets

    _preflight_population(out, overwrite)
    from microsim.common.progress import stages

    with stages(3, "Calibrating", quiet) as step:
        pop = read_population(data)
        target_set = load_targets(targets)
        step("read")
        cal = calibrate_population(pop, target_set, method=method, bounds=bounds)
        step("weights")
        command = replay_command({"targets": Path(target_set.path)}, always=("method", "bounds"),
                                 leave_out=NOT_RESULTS - {"out"})
        calibrated = apply(pop, cal, command)
        write_population(calibrated, out, overwrite=overwrite,
                         extra=lambda folder: write_report(cal, folder, display_path(data)))
        step("written")
    click.echo(f"Calibrated {pop.n_households:,} households to {len(target_set)} targets in "
               f"{cal.result.iterations} iterations: largest error {cal.max_rate_error_pp:.1e} pp (rates), "
               f"{cal.max_count_relative_error:.1e} (counts); design effect {cal.diagnostics['kish_design_effect']:.3f}; "
               f"weight ratios {cal.diagnostics['weight_ratio_min']:.2f}-{cal.diagnostics['weight_ratio_max']:.2f}.\n"
               f"Wrote {out} (report: {out / 'calibration_report.md'}).")


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


def _with_allowance(sc, allow: bool):
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


RUN_HELP = """Simulate a scenario in its year: baseline against reform, poverty and costs.

SCENARIO is a YAML file (policies/scenarios/) with a year and the reform as parameter
overrides. The population is brought to that year exactly as `microsim project` does: its
households reweighted to the year's demography (UN WPP), consumption grown with real GDP per
head, amounts in the year's riels (CPI). --no-ageing and --no-growth keep the survey year's
demography or living standards instead (the headline says so). Supported years: 2019 (the
survey year, CSES 2019/20) to the last year of policies/macro.yaml (2035); a programme with no
value yet in an early year is not in force then.

Writes a run folder: report.md and report.html with charts, workbook.xlsx, tables/*.csv,
summary.json and manifest.json (docs/outputs.md). Default folder: runs/<scenario name>,
replaced if microsim wrote it.

\b
Examples:
  microsim run policies/scenarios/social_pension_65.yaml
  microsim run policies/scenarios/child_benefit_2_5.yaml --jobs 2 --out runs/cb
  microsim run my_reform.yaml --data runs/pop20k-cal
  microsim run policies/scenarios/social_pension_65.yaml --no-ageing --no-growth   # the survey-year economy
"""


def _executor(backend, scheduler, jobs: int, quiet: bool):
    """The executor of a command's tasks (serial, joblib or Dask; docs/benchmarks.md compares them)."""
    from microsim.studies.executor import Executor

    return Executor(backend, jobs, scheduler, quiet)


def _shipped(pop, data, executor):
    """What workers get: the population itself in this process, else its path and content hash
    (each worker reads it once)."""
    from microsim.studies.executor import PopulationRef

    if executor.backend == "serial":
        return pop
    return PopulationRef(str(Path(data).resolve()), pop.content_hash())


def _prepare(scenario, data, out, overwrite, sc_slug_suffix: str, allow: bool = False):
    """The scenario (with --allow applied and its overrides checked), the population path and the run
    folder (--out, or runs/<scenario><suffix>, which is replaced only when microsim wrote it),
    checked before any work is done."""
    from microsim import paths
    from microsim.population.io import preflight_output
    from microsim.reporting.runfolder import run_folder_problem
    from microsim.engine.scenario import load_scenario

    sc = _with_allowance(load_scenario(scenario), allow)
    data = data or (Path(sc.population) if sc.population else DEFAULT_POPULATION)
    if out is None:
        out, overwrite = paths.HOME / "runs" / f"{sc.slug}{sc_slug_suffix}", True
    preflight_output(out, overwrite, owned=run_folder_problem, what="run folder")
    return sc, data, out, overwrite


def _population_label(data) -> str:
    from microsim.paths import display_path

    return display_path(data)


@main.command(help=RUN_HELP)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--data", type=click.Path(path_type=Path), default=None,
              help="Population (folder or mapping file). Default: the scenario's `population`, else the shipped one.")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None, help="Run folder. Default: runs/<scenario>.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Modules run in parallel on this many threads; results are identical for any number.")
@click.option("--no-ageing", is_flag=True, help="Keep the survey year's weights (no reweighting to the year's demography).")
@click.option("--no-growth", is_flag=True, help="Keep survey-year living standards (prices still move with the CPI).")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists (only a run folder microsim wrote).")
@click.option("--no-charts", is_flag=True, help="Skip the PNG charts (faster).")
@click.option("--no-intervals", is_flag=True, help="The estimate alone: no bootstrap replicates (fastest).")
@click.option("--replicates", "-r", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="Bootstrap replicates for 95 % intervals (docs/uncertainty.md). "
                   "20 take about 5 s on one core (less with --jobs); 100 or more for stable bounds.")
@allow_option
@backend_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def run(scenario, data, out, jobs, no_ageing, no_growth, overwrite, no_charts, no_intervals, replicates, allow, backend,
        scheduler, quiet):
    from microsim.common.formatting import money, pct, persons
    from microsim.population.io import read_population
    from microsim.studies.run import simulate_year
    from microsim.reporting.simulation_output import run_output
    from microsim.reporting.runfolder import population_info, write_run_folder

    import dataclasses

    from microsim.common.progress import stages

    sc, data, out, overwrite = _prepare(scenario, data, out, overwrite, sc_slug_suffix="", allow=allow)
    replicates = 0 if no_intervals else replicates
    with stages(2, "Simulating", quiet) as step:
        pop = read_population(data)
        step("population read")
        sim = simulate_year(sc, pop, ageing=not no_ageing, growth=not no_growth, jobs=jobs)
        step(f"{sc.year} simulated")
    if replicates:
        from microsim.studies.uncertainty import intervals, replicate_results

        with _executor(backend, scheduler, jobs, quiet) as executor:
            reps = replicate_results(sc, _shipped(pop, data, executor), [sc.year], replicates, ageing=not no_ageing,
                                     growth=not no_growth, executor=executor)[sc.year]
        sim.result = dataclasses.replace(sim.result, intervals=intervals(sim.result, reps))
    with stages(1, "Writing", quiet) as step:
        command = replay_command({"data": data, **({"replicates": replicates} if replicates else {})})
        output = run_output(sim, command, jobs, population_info(pop, _population_label(data)))
        if no_charts:
            output.charts = lambda folder: {key: _skipped(key) for key in ("poverty_by_age", "costs", "incidence")}
        write_run_folder(output, out, overwrite)
        step("written")
    h = sim.headline
    economy = ("" if not (no_ageing or no_growth) else " [" + ", ".join(
        x for x in ("survey-year demography" if no_ageing else "", "survey-year living standards" if no_growth else "")
        if x) + "]")
    click.echo(f"{sc.name} ({sc.year}{economy}): poverty {pct(h.poverty_rate_baseline_pct, 2)} -> "
               f"{pct(h.poverty_rate_reform_pct, 2)} (about {persons(h.persons_lifted_out_of_poverty)} persons lifted out"
               + (f", {persons(h.persons_fallen_into_poverty)} pushed in" if (h.persons_fallen_into_poverty or 0) > 0 else "")
               + "); "
               f"cost {money(h.cost_change_riels_per_year, h.cost_change_usd_per_year)} a year"
               + (f", {pct(h.cost_change_pct_gdp, 2)} of GDP." if h.cost_change_pct_gdp is not None else "."))
    for warning in output.summary["warnings"]:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote {out} (report.md, report.html, workbook.xlsx, tables/, summary.json, manifest.json).")


def _skipped(key: str):
    from microsim.reporting.charts import Skipped

    return Skipped(f"the {key.replace('_', ' ')} chart", "charts were switched off (--no-charts)")


PROJECT_HELP = """Project a scenario year by year: costs, poverty and benefit values.

Each year is exactly `microsim run` for that year: the base population reweighted to the
year's demography (UN WPP), consumption grown with real GDP per head (times a pass-through),
prices with the CPI, benefits indexed by their rules. Years run in parallel (--jobs). Years
from 2019 (the survey year) to the last year of policies/macro.yaml (2035). Writes a run folder
(default: runs/<scenario>-projection) with the same files as `microsim run` (docs/outputs.md).

\b
Examples:
  microsim project policies/scenarios/social_pension_65.yaml --from 2026 --to 2035
  microsim project policies/scenarios/child_benefit_2_5.yaml --from 2026 --to 2030 --jobs 2
  microsim project my_reform.yaml --from 2026 --to 2035 --no-growth   # demography and prices only
"""


@main.command(help=PROJECT_HELP)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--from", "first", type=int, default=2026, show_default=True, help="First year.")
@click.option("--to", "last", type=int, default=2035, show_default=True, help="Last year.")
@click.option("--data", type=click.Path(path_type=Path), default=None, help="Base population (default: shipped).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None, help="Run folder.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Years in parallel.")
@click.option("--no-ageing", is_flag=True, help="Keep the base year's weights (no demographic change).")
@click.option("--no-growth", is_flag=True, help="No real consumption growth (prices still move).")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists (only a run folder microsim wrote).")
@click.option("--replicates", "-r", type=click.IntRange(1, 10_000), default=None,
              help="Bootstrap replicates for 95 % intervals on every year (docs/uncertainty.md); the work grows "
                   "with years x replicates, so none unless asked.")
@allow_option
@backend_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def project(scenario, first, last, data, out, jobs, no_ageing, no_growth, overwrite, replicates, allow, backend,
            scheduler, quiet):
    from microsim.common.formatting import pct, riels
    from microsim.population.io import read_population
    from microsim.studies.projection import run_projection
    from microsim.reporting.simulation_output import projection_output
    from microsim.reporting.runfolder import population_info, write_run_folder

    sc, data, out, overwrite = _prepare(scenario, data, out, overwrite, sc_slug_suffix="-projection", allow=allow)
    pop = read_population(data)
    with _executor(backend, scheduler, jobs, quiet) as executor:
        shipped = _shipped(pop, data, executor)
        proj = run_projection(sc, shipped, first, last, jobs, ageing=not no_ageing, growth=not no_growth, quiet=quiet,
                              executor=executor)
        if replicates:
            import dataclasses

            from microsim.studies.uncertainty import intervals, replicate_results

            reps = replicate_results(sc, shipped, proj.years, replicates, ageing=not no_ageing, growth=not no_growth,
                                     executor=executor)
            for p in proj.projected:
                p.result = dataclasses.replace(p.result, intervals=intervals(p.result, reps[p.year]))
    command = replay_command({"data": data, "first": first, "last": last})
    output = projection_output(proj, command, population_info(pop, _population_label(data)), pop.metadata)
    write_run_folder(output, out, overwrite)
    for r in proj.results:
        h = r.headline
        click.echo(f"  {r.year}: poverty {pct(h.poverty_rate_baseline_pct, 2)} -> {pct(h.poverty_rate_reform_pct, 2)}; "
                   f"cost {riels(h.cost_change_riels_per_year)}"
                   + (f" ({pct(h.cost_change_pct_gdp, 2)} of GDP)" if h.cost_change_pct_gdp is not None else ""))
    for warning in output.summary["warnings"]:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote {out} (report.md, report.html, workbook.xlsx, tables/, summary.json, manifest.json).")


SWEEP_HELP = """Run a family of variants of a scenario: which amount and age cut poverty most per riel?

Every combination of the --vary values (a range start:stop:step with both ends included, or a
list a,b,c), or the named variants of a YAML file (--variants), each added to the scenario's
reform and simulated in its year like `microsim run` on the same population. Writes a run folder
with one row per variant (cost, poverty change, persons lifted, cost per person lifted, with 95 %
intervals when --replicates is given), the cost-effectiveness frontier as a chart, the workbook
and summary.json. More than 200 variants need --yes.

\b
Examples:
  microsim sweep policies/scenarios/social_pension_65.yaml --vary social_pension.amount=60000:200000:20000 \\
      --vary social_pension.min_age=60,65,70
  microsim sweep policies/scenarios/child_benefit_2_5.yaml --vary child_benefit.amount=40000,60000,80000 \\
      --replicates 20 --jobs 2
  microsim sweep my_reform.yaml --variants my_variants.yaml
"""


@main.command(help=SWEEP_HELP)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--vary", "varies", multiple=True, help="parameter=start:stop:step or parameter=a,b,c (repeatable).")
@click.option("--variants", "variants_file", type=click.Path(path_type=Path), default=None,
              help="YAML file: variants: [{name: ..., overrides: {parameter: value}}].")
@click.option("--data", type=click.Path(path_type=Path), default=None, help="Population (default: shipped).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None, help="Run folder (default: runs/<scenario>-sweep).")
@click.option("--replicates", "-r", type=click.IntRange(1, 10_000), default=None,
              help="Bootstrap replicates for 95 % intervals on every variant (docs/uncertainty.md); none unless asked.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Replicates in parallel.")
@click.option("--no-ageing", is_flag=True, help="Keep the survey year's weights.")
@click.option("--no-growth", is_flag=True, help="Keep survey-year living standards.")
@click.option("--yes", "allow_many", is_flag=True, help=f"Run more than {200} variants.")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists (only a run folder microsim wrote).")
@allow_option
@backend_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def sweep(scenario, varies, variants_file, data, out, replicates, jobs, no_ageing, no_growth, allow_many, overwrite,
          allow, backend, scheduler, quiet):
    from microsim.common.formatting import persons, riels
    from microsim.population.io import read_population
    from microsim.reporting.runfolder import population_info, write_run_folder
    from microsim.studies.sweep import check_variants, file_variants, grid_variants, run_sweep
    from microsim.reporting.sweep_output import sweep_output

    if bool(varies) == bool(variants_file):
        raise MicrosimError("Give the variants either with --vary (one or more) or with --variants FILE, not both "
                            "and not neither.")
    sc, data, out, overwrite = _prepare(scenario, data, out, overwrite, sc_slug_suffix="-sweep", allow=allow)
    variants = grid_variants(list(varies)) if varies else file_variants(variants_file)
    check_variants(variants, sc, allow_many)
    pop = read_population(data)
    with _executor(backend, scheduler, jobs, quiet) as executor:
        ref = _shipped(pop, data, executor)
        results = run_sweep(sc, pop, variants, replicates or 0, ageing=not no_ageing, growth=not no_growth, quiet=quiet,
                            executor=executor, population_ref=ref if ref is not pop else None)
    command = replay_command({"data": data})
    options = {"ageing": not no_ageing, "growth": not no_growth, "replicates": replicates or 0, "allow": allow}
    output = sweep_output(sc, variants, results, population_info(pop, _population_label(data)), command, options,
                          pop.metadata)
    write_run_folder(output, out, overwrite)
    table = output.tables["variants"]
    best = table.sort_values("cost per person lifted (riels per year)").iloc[0]
    click.echo(f"{len(variants)} variants of {sc.name} ({sc.year}); cheapest per person lifted: {best['variant']} "
               f"({riels(best['cost of the reform (riels per year)'])} a year, about "
               f"{persons(best['persons lifted out of poverty'])} lifted).")
    click.echo(f"Wrote {out} (report.md, report.html, workbook.xlsx, tables/variants.csv, summary.json, manifest.json).")


INACTION_HELP = """The cost of inaction: schooling lost by poor and near-poor children, and what a reform avoids.

Follows every child aged 0-17 in each cohort year (the population brought to that year) until the
youngest is 17, under the status quo and under SCENARIO's reform (default: the example child
benefit); values the schooling lost against the other children (the cost of inaction) and the
schooling the reform adds over working lives (Mincer return, employment, survival, real earnings
growth, discounting); compares it with the reform's cost: net present value, benefit-cost ratio,
internal rate of return, and a sensitivity table and tornado chart. Method and sources:
docs/cost-of-inaction.md; parameters: policies/inaction.yaml (change one with --set).

\b
Examples:
  microsim inaction
  microsim inaction policies/scenarios/child_benefit_2_5.yaml --cohorts 2026,2028 --discount 3,5
  microsim inaction my_scholarship.yaml --set earnings.return_to_schooling=0.07
"""


def _cohort_years(text: str) -> list[int]:
    """``2026``, ``2026,2028`` or ``2026-2030`` as a list of years."""
    years = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                first, last = (int(x) for x in part.split("-", 1))
                if first > last:
                    raise ValueError
                years += list(range(first, last + 1))
            else:
                years.append(int(part))
    except ValueError:
        raise MicrosimError(f"--cohorts {text!r}: expected start years such as 2026, 2026,2028 or 2026-2030.") from None
    return sorted(set(years))


def _discount_rates(text: str) -> list[float]:
    try:
        return [float(x) / 100 for x in text.split(",") if x.strip()]
    except ValueError:
        raise MicrosimError(f"--discount {text!r}: expected rates in percent separated by commas, such as 3,5.") from None


def _study_values(pairs) -> dict:
    """``NAME=VALUE`` pairs of ``--set``: a number, a name, or a comma-separated (or [bracketed]) list."""
    import yaml

    from microsim.common.yamlfile import describe_yaml_error, parse_yaml

    values = {}
    for pair in pairs:
        if "=" not in pair:
            raise MicrosimError(f"--set {pair!r}: expected NAME=VALUE, such as earnings.return_to_schooling=0.07.")
        name, text = (part.strip() for part in pair.split("=", 1))
        try:
            value = parse_yaml(text if text.startswith("[") or "," not in text else f"[{text}]")
        except (yaml.YAMLError, RecursionError) as e:
            raise MicrosimError(f"--set {pair!r}: the value {text!r} is not a number, a name or a list such as 3,5 "
                                f"({describe_yaml_error(e)}).") from None
        values[name] = value
    return values


@main.command(help=INACTION_HELP)
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option("--cohorts", default=None, help="Start years of the cohorts: 2026, 2026,2028 or 2026-2030. Default: the scenario's year.")
@click.option("--discount", default=None, help="Real discount rates in percent, e.g. 3,5. Default: valuation.discount_rates.")
@click.option("--near-poor", "near_poor", type=float, default=None,
              help="Near-poor: consumption below this multiple of the poverty line. Default: simulation.near_poor_multiple.")
@click.option("--set", "settings", multiple=True, help="NAME=VALUE: a study parameter of policies/inaction.yaml (repeatable).")
@click.option("--allow", is_flag=True, help="Accept --set, --discount and scenario values outside their plausible range.")
@click.option("--data", type=click.Path(path_type=Path), default=None, help="Population (default: the shipped one).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None, help="Run folder (default: runs/<scenario>-inaction).")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists (only a run folder microsim wrote).")
@click.option("--replicates", "-r", type=int, default=0, show_default=True,
              help="Bootstrap replicates for 95 % intervals on the first cohort (each follows the cohort again: "
                   "about 2 s each on one core; use --jobs).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Replicates in parallel on this many workers (and programmes on as many threads); results are "
                   "identical for any number.")
@backend_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def inaction(scenario, cohorts, discount, near_poor, settings, allow, data, out, overwrite, replicates, jobs, backend,
             scheduler, quiet):
    from microsim.engine.system import load_system
    from microsim.reporting.inaction_output import study_output
    from microsim.studies.inaction_study import check_discount_rates, run_study
    from microsim.population.io import read_population
    from microsim.paths import HOME, display_path
    from microsim.common.progress import stages
    from microsim.reporting.runfolder import population_info, write_run_folder
    from microsim.behaviour.study_parameters import check_study, load_study_parameters

    scenario = scenario or HOME / "policies" / "scenarios" / "child_benefit_2_5.yaml"
    sc, data, out, overwrite = _prepare(scenario, data, out, overwrite, sc_slug_suffix="-inaction", allow=allow)
    study = load_study_parameters()
    study = study.with_values(_study_values(settings), allow) if settings else study
    rates = check_discount_rates(_discount_rates(discount) if discount else list(study["valuation.discount_rates"]),
                                 study, allow)
    study = study.with_values({"valuation.discount_rates": rates}, allow=True)  # what runs is what the manifest records
    years = _cohort_years(cohorts) if cohorts else [sc.year]
    modules, tree = load_system()
    check_study(study, modules, "--set" if settings else "")
    if near_poor is None:
        near_poor = tree.at(sc.date, None, str(scenario)).simulation.near_poor_multiple
    if not 1 <= near_poor <= 10:
        raise MicrosimError(f"--near-poor {near_poor:g}: expected a multiple of the poverty line from 1 to 10.")
    if replicates < 0 or replicates > 10_000:
        raise MicrosimError(f"--replicates {replicates}: expected a whole number from 0 (none) to 10,000.")
    pop = read_population(data)
    with _executor(backend, scheduler, jobs, quiet) as executor:
        with stages(18 * len(years), "Following cohorts", quiet) as step:
            result = run_study(sc, pop, years, rates, study, near_poor, jobs, progress=step, replicates=replicates,
                               executor=executor, population_ref=_shipped(pop, data, executor))
    command = replay_command({"data": data, "cohorts": ",".join(map(str, years)), "near_poor": float(near_poor),
                              "discount": ",".join(f"{rate * 100:g}" for rate in rates)})
    population = population_info(pop, _population_label(data))
    manifest = {"command": command, "seed": sc.seed, "cohorts": years, "discount_rates": rates, "replicates": replicates,
                "jobs": jobs, "backend": backend or "default",
                "near_poor_multiple": near_poor, "population": {**population, "calibration": pop.metadata.get("calibration")},
                "study_parameters": {"file": display_path(study.path), "sha256": study.digest,
                                     "values": {k: p.value for k, p in study.parameters.items()},
                                     "set": list(settings)}}
    with stages(1, "Writing", quiet) as step:
        write_run_folder(study_output(result, population, command, manifest), out, overwrite)
        step("written")
    first = result.headline
    ratio = f"{first.benefit_cost_ratio:.3f}" if first.benefit_cost_ratio is not None else "not defined (no cost)"
    click.echo(f"Cost of inaction, children of {years[0]}: {first.cost_of_inaction_riels / 1e9:,.1f} billion riels of "
               f"{years[0]} (present value at {first.discount_rate * 100:g} %). {sc.name}: costs "
               f"{first.programme_cost_riels / 1e9:,.1f} billion, avoids {first.avoided_poor_near_poor_riels / 1e9:,.1f} "
               f"billion of it; benefit-cost ratio {ratio}.")
    for note in result.notes:
        click.echo(f"Note: {note}")
    click.echo(f"Wrote {out} (report.md, report.html, workbook.xlsx, tables/, charts/, summary.json, manifest.json).")


COST_HELP = """Quick costing of a scenario's measures by year, the spreadsheet way, in a second.

For each person benefit with one amount a month the reform switches on or changes (child
benefit, social pension, disability allowance, YAML benefits...): eligible persons by age in each year (the model's own projection) x coverage x take-up
x benefit (indexed) x months x (1 + administrative cost), with % of GDP and of government
spending. A person benefit whose amount varies (school levels, the NSSF's maternity cash benefit
by wage) is costed by the average paid in the first year. A maternity allowance is costed from
births, a disability allowance from prevalence. A shock-responsive transfer is costed by households: households of the hit zones x
share hit x (IDPoor share x top-up + near-poor share x transfer) x months, weighted by the
trigger probability for a budget provision. The arithmetic of `microsim workbook`, whose Excel
formulas give the same numbers.

\b
Examples:
  microsim cost policies/scenarios/social_pension_and_child_benefit.yaml --from 2026 --to 2030
  microsim cost policies/scenarios/child_benefit_2_5.yaml --csv runs/child_benefit_costs.csv
"""


def _costing(scenario, data, first, last, no_ageing, allow):
    from microsim.studies.costing import costing_inputs, first_year_simulation, measures_of
    from microsim.population.io import read_population
    from microsim.studies.run import check_years
    from microsim.engine.scenario import load_scenario

    sc = _with_allowance(load_scenario(scenario), allow)
    years = check_years(first, last)
    pop = read_population(data or (Path(sc.population) if sc.population else DEFAULT_POPULATION))
    sim = first_year_simulation(sc, pop, first, ageing=not no_ageing)  # once, for coverage and the checks
    measures = measures_of(sc, pop, first, ageing=not no_ageing, sim=sim)
    inputs = costing_inputs(pop, years, ageing=not no_ageing)
    return sc, pop, measures, inputs, sim


@main.command(help=COST_HELP)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--from", "first", type=int, default=2026, show_default=True, help="First year.")
@click.option("--to", "last", type=int, default=2030, show_default=True, help="Last year.")
@click.option("--data", type=click.Path(path_type=Path), default=None, help="Population (default: shipped).")
@click.option("--csv", "csv_file", type=click.Path(path_type=Path), default=None, help="Also write the table as CSV.")
@click.option("--overwrite", is_flag=True, help="Replace the --csv file if it exists.")
@click.option("--no-ageing", is_flag=True, help="Keep the survey year's population in every year.")
@allow_option
def cost(scenario, first, last, data, csv_file, overwrite, no_ageing, allow):
    from microsim.studies.costing import ShockMeasure, costs_of
    from microsim.reporting.costing_output import costs_table, describe_measure
    from microsim.common.formatting import csv_number, pct, riels
    from microsim.population.io import preflight_file, write_file_atomically

    if csv_file is not None:
        preflight_file(csv_file, overwrite, "--csv")  # before any work
    sc, _, measures, inputs, _ = _costing(scenario, data, first, last, no_ageing, allow)
    for m in measures:
        click.echo(f"{m.label}: {describe_measure(m)}")
        for _, r in costs_of(m, inputs).iterrows():
            count = (f"{r['households hit']:>12,.0f} households hit" if isinstance(m, ShockMeasure)
                     else f"{r['beneficiaries (persons)']:>12,.0f} "
                     + ("births paid for" if m.amount_kind == "per_birth" else "beneficiaries"))
            click.echo(f"  {int(r['year'])}: {count}  "
                       f"{riels(r['annual cost (riels)']):>24}  {pct(r['annual cost (% of GDP)'], 3)} of GDP")
    if csv_file is not None:
        table = costs_table(measures, inputs)
        write_file_atomically(csv_file, lambda path: table.to_csv(path, index=False, float_format=csv_number,
                                                                  lineterminator="\n"), "--csv")
        click.echo(f"Wrote {csv_file}.")


WORKBOOK_HELP = """Write the live costing workbook (Excel) of a scenario's measures, in a run folder.

Inputs (macro series, population by age and year from the model's projection) and one Param_
sheet per measure in yellow cells; Calc_ sheets, Scenarios, a Summary with a chart, and Checks
against the microsimulation as formulas that follow any change. For training in costing social
protection (docs/training/). The numbers equal `microsim cost`.

The run folder (default runs/<scenario>-costing) holds workbook.xlsx (the live workbook),
tables/costs.csv, totals.csv and checks.csv, report.md and report.html with a chart,
summary.json and manifest.json (docs/outputs.md).

\b
Examples:
  microsim workbook policies/scenarios/social_pension_and_child_benefit.yaml --from 2026 --to 2035
  microsim workbook policies/scenarios/child_benefit_2_5.yaml --out runs/child_benefit_costing
"""


@main.command(help=WORKBOOK_HELP)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--from", "first", type=int, default=2026, show_default=True, help="First year.")
@click.option("--to", "last", type=int, default=2035, show_default=True, help="Last year.")
@click.option("--data", type=click.Path(path_type=Path), default=None, help="Population (default: shipped).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Run folder (default: runs/<scenario>-costing); the live workbook is its workbook.xlsx.")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists (only a run folder microsim wrote).")
@click.option("--no-ageing", is_flag=True, help="Keep the survey year's population in every year.")
@allow_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def workbook(scenario, first, last, data, out, overwrite, no_ageing, allow, quiet):
    import functools

    from microsim.studies.costing import checks
    from microsim.reporting.costing_output import costing_output
    from microsim.reporting.costing_workbook import write_costing_workbook
    from microsim.common.progress import stages
    from microsim.reporting.runfolder import input_hashes, population_info, scenario_manifest, write_run_folder

    if out is not None and out.suffix.lower() in (".xlsx", ".xls"):
        raise MicrosimError(f"--out {out}: `microsim workbook` writes a run folder (the live workbook is its "
                            f"workbook.xlsx); give a folder name, e.g. --out {out.with_suffix('')}.")
    sc, data, out, overwrite = _prepare(scenario, data, out, overwrite, sc_slug_suffix="-costing", allow=allow)
    with stages(3, "Costing", quiet) as step:
        sc, pop, measures, inputs, sim = _costing(scenario, data, first, last, no_ageing, allow)
        step("measures and inputs")
        found = checks(sc, pop, measures, inputs, ageing=not no_ageing, sim=sim)
        step("checks")
        label = _population_label(data)
        population = population_info(pop, label)
        command = replay_command({"data": data, "first": first, "last": last})
        options = {"ageing": not no_ageing, "first_year": first, "last_year": last}
        manifest = {"command": command, "seed": sc.seed, "years": inputs.years, "options": options,
                    "scenario": scenario_manifest(sc),
                    "population": {**population, "calibration": pop.metadata.get("calibration")},
                    "inputs": input_hashes(sim.parameter_files, sim.macro, ageing=not no_ageing),
                    "parameters": sim.parameters}
        live = functools.partial(write_costing_workbook, scenario_name=sc.name, measures=measures, inputs=inputs,
                                 checks=found, population_label=label)
        write_run_folder(costing_output(sc, measures, inputs, found, population, options, manifest, live), out,
                         overwrite)
        step("written")
    click.echo(f"Wrote {out}: workbook.xlsx ({len(measures)} measure(s), {first}-{last}; change the yellow cells to see "
               "the costs move), report.md, report.html, tables/, charts/, summary.json, manifest.json.")


VALIDATE_MODEL_HELP = """Hold the model against published figures and say why each differs.

Simulates current law in each figure's year on the population (the shipped default unless
--data) and compares IDPoor, the Family Package, contributory pensions, the COVID-19 transfer,
the Census, the poverty and labour surveys and GDP with their published values
(validation/published.yaml, with sources). Writes validation/comparison.csv and
docs/validation.md (or both into --out).

\b
Examples:
  microsim validate-model
  microsim validate-model --data runs/pop20k-cal --out runs/validation-pop20k
"""


@main.command("validate-model", help=VALIDATE_MODEL_HELP)
@click.option("--data", type=click.Path(path_type=Path), default=None, help="Population (default: the shipped one).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Folder for comparison.csv and validation.md (default: validation/ and docs/validation.md).")
def validate_model(data, out):
    from microsim import paths
    from microsim.population.io import read_population
    from microsim.studies.model_validation import compare, write

    data = data or DEFAULT_POPULATION
    comparisons = compare(read_population(data))
    label = paths.display_path(data)
    files = (write(comparisons, out, None, label) if out is not None
             else write(comparisons, paths.HOME / "validation", paths.HOME / "docs" / "validation.md", label))
    held = [c for c in comparisons if c.within_band is not None]
    failed = [c.figure.id for c in held if not c.within_band]
    click.echo(f"{len(comparisons)} published figures compared; {len(held) - len(failed)} of {len(held)} with a band "
               f"hold" + (f" (not: {', '.join(failed)})" if failed else "") + ".")
    click.echo("Wrote " + ", ".join(paths.display_path(f) for f in files) + ".")


@main.command()
@click.argument("name", required=False)
@click.option("--year", type=int, default=2026, show_default=True, help="Show the values in force on 1 January of this year.")
@click.option("--write-docs", is_flag=True,
              help="Regenerate docs/programmes/ (a page per programme, with the model against published figures).")
def policies(name, year, write_docs):
    """List the policy modules, or document one module's parameters.

    \b
    Examples:
      microsim policies                     # every module: entity, label, active in 2026
      microsim policies social_pension      # its parameters, units, values and sources
      microsim policies child_benefit --year 2030
      microsim policies --write-docs        # regenerate docs/programmes/*.md
    """
    import datetime as dt
    import difflib

    from microsim.engine.system import load_system

    if write_docs:
        from microsim.paths import display_path
        from microsim.reporting.programme_docs import write

        files = write()
        click.echo(f"Wrote {len(files)} pages to {display_path(files[0].parent)}.")
        return

    modules, tree = load_system()
    date = dt.date(year, 1, 1)
    if name is None:
        click.echo(f"Policy modules (active on {date.isoformat()} under current law):\n")
        for n, m in sorted(modules.items()):
            active = tree.parameters[f"{n}.active"]
            on = any(d <= date for d in active.values) and active.entry_at(date, "")[1]
            click.echo(f"  {n:<30} {m.entity:<9} {'active' if on else 'off':<7} {m.label}")
        click.echo("\nMore: microsim policies NAME. Writing a module: docs/policies.md.")
        return
    if name not in modules:
        close = difflib.get_close_matches(name, list(modules), n=3)
        raise MicrosimError(f"No module `{name}`." + (f" Did you mean {', '.join(close)}?" if close else "")
                            + " `microsim policies` lists them.")
    m = modules[name]
    click.echo(f"{name}: {m.label}\n")
    click.echo(f"  {m.description}\n")
    click.echo(f"  Pays: {m.unit}. Reads: {', '.join(m.inputs)}."
               + (" Already in survey consumption: costed, not added." if m.counted_in_consumption else ""))
    click.echo(f"  Parameters ({m.parameter_file}), in force on {date.isoformat()}:\n")
    for path, p in tree.parameters.items():
        if not path.startswith(name + "."):
            continue
        dates = [d for d in p.values if d <= date]
        if dates:
            entry = p.values[max(dates)]
            value = f"{entry['value']!r} (from {max(dates).isoformat()})"
            ref = entry["reference"]
        else:
            value, ref = f"no value before {min(p.values).isoformat()}", ""
        index = f"; indexation {p.indexation}" if p.indexation != "none" else ""
        click.echo(f"  {path[len(name) + 1:]}\n      {p.description}\n      {value} {p.unit}{index}\n      source: {ref}\n")


@main.command()
@click.argument("run_a", type=click.Path(path_type=Path))
@click.argument("run_b", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
def compare(run_a, run_b, as_json):
    """Show the differences between two run folders (headline figures and costs).

    \b
    Examples:
      microsim compare runs/social_pension_65 runs/child_benefit_2_5
      microsim compare runs/a runs/b --json
    """
    from microsim.reporting.compare import compare_runs, render

    result = compare_runs(run_a, run_b)
    click.echo(json.dumps(result, indent=1, default=str) if as_json else render(result))


@main.command("import")
@click.argument("mapping", type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True, help="Population folder to write.")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")
def import_(mapping, out, fmt, overwrite):
    """Convert survey microdata (Stata .dta, CSV or Parquet) to a population folder.

    MAPPING is a YAML file saying which survey variable is which schema column and how codes
    translate; see docs/data-schema.md ("Your own survey data").

    \b
    Examples:
      microsim import cses2019_mapping.yaml --out runs/cses2019
    """
    from microsim.population.io import read_mapped, write_population

    _preflight_population(out, overwrite)
    pop = read_mapped(mapping)
    write_population(pop, out, fmt=fmt, overwrite=overwrite)
    click.echo(f"Wrote {pop.n_households:,} households and {pop.n_persons:,} persons to {out}.")


@main.command()
@click.option("--markdown", is_flag=True, help="Print the full schema as Markdown (docs/data-schema.md).")
def schema(markdown):
    """List the population schema's columns (names, types, units).

    \b
    Examples:
      microsim schema
      microsim schema --markdown > docs/data-schema.md
    """
    from microsim.population.schema import load_schema, to_markdown

    if markdown:
        click.echo(to_markdown(), nl=False)
        return
    s = load_schema()
    for table in ("households", "persons"):
        click.echo(f"{table}:")
        for c in s.table(table).values():
            click.echo(f"  {c.name:<22} {c.storage_dtype:<9} {'required' if c.required else 'optional':<9} {c.unit}")


if __name__ == "__main__":  # pragma: no cover
    main()
