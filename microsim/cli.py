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


class Group(click.Group):
    """Turns user errors into a clear message and exit code 2 instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MicrosimError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)


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
@click.option("--seed", "-s", type=int, default=2019, show_default=True, help="Random seed; same seed, same population.")
@click.option("--out", "-o", "out", type=click.Path(path_type=Path), required=True,
              help="Folder to write the population to (must not exist unless --overwrite).")
@click.option("--spec", type=click.Path(path_type=Path), default=DEFAULT_SPEC, show_default=True,
              help="Generator spec (YAML): published marginals and labelled assumptions.")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True,
              help="File format of the tables.")
@click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")
def synth(households, seed, out, spec, fmt, overwrite):
    """Generate a synthetic CSES-like population.

    The population has households (zone, weight, consumption per person, poverty line, IDPoor)
    and persons (relationship, age, sex, activity, disability, pension, schooling, pregnancy),
    shaped on the Census 2019, WPP 2022, LFS 2019 and the CSES 2019/20 poverty profile.

    \b
    Examples:
      microsim synth --households 10000 --seed 2019 --out synthetic_data/default --overwrite
      microsim synth -n 4000000 -s 1 --out runs/country      # the whole country, weights about 1
      microsim synth -n 500 --format csv --out runs/small-csv
    """
    from microsim.io import write_population
    from microsim.synth import synthesize
    from microsim.synth.generate import check_size

    check_size(households)
    if out.exists() and not overwrite:
        raise MicrosimError(f"The output folder {out} already exists. Choose another --out, or add --overwrite.")
    pop = synthesize(households, seed, spec)
    pop.metadata["command"] = (f"microsim synth --households {households} --seed {seed} --out {out}"
                               + ("" if Path(spec).resolve() == DEFAULT_SPEC.resolve() else f" --spec {spec}")
                               + ("" if fmt == "parquet" else f" --format {fmt}"))
    write_population(pop, out, fmt=fmt, overwrite=overwrite)
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


@main.command(help=DESCRIBE_HELP)
@click.argument("data", required=False, type=click.Path(path_type=Path), default=DEFAULT_POPULATION)
@click.option("--json", "as_json", is_flag=True, help="Print the tables as JSON (for scripts).")
@click.option("--targets", type=click.Path(path_type=Path), default=None,
              help="Published poverty rates to compare with. Default: CSES 2019/20 (synthetic_data/targets).")
def describe(data, as_json, targets):
    from microsim.describe import DEFAULT_TARGETS
    from microsim.describe import describe as describe_tables
    from microsim.describe import render_text, to_json
    from microsim.io import read_population

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
    from microsim.io import read_population

    pop = read_population(data)
    click.echo(f"{data}: valid ({pop.n_households:,} households, {pop.n_persons:,} persons).")


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
    from microsim.io import read_mapped, write_population

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
    from microsim.schema import load_schema, to_markdown

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
