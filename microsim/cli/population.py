"""Commands on populations: synth, import, validate, describe, calibrate and schema.

Each command imports the studies and writers it calls inside its body, so that `microsim --help`
and an error in the arguments load none of them (docs/architecture.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from microsim.paths import DEFAULT_POPULATION, DEFAULT_SPEC
from microsim.cli.options import DATA_HELP, NOT_RESULTS, preflight_population, replay_command


@click.command()
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
    preflight_population(out, overwrite)
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


@click.command(help=DESCRIBE_HELP)
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


@click.command(help=VALIDATE_HELP)
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


@click.command(help=CALIBRATE_HELP)
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

    preflight_population(out, overwrite)
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


@click.command("import")
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

    preflight_population(out, overwrite)
    pop = read_mapped(mapping)
    write_population(pop, out, fmt=fmt, overwrite=overwrite)
    click.echo(f"Wrote {pop.n_households:,} households and {pop.n_persons:,} persons to {out}.")


@click.command()
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
