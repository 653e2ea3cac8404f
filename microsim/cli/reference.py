"""Reference commands: validate-model (the model against published figures) and policies (the
modules and their parameters, or their documentation pages).

Each command imports the studies and writers it calls inside its body, so that `microsim --help`
and an error in the arguments load none of them (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path

import click

from microsim.errors import MicrosimError
from microsim.paths import DEFAULT_POPULATION


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


@click.command("validate-model", help=VALIDATE_MODEL_HELP)
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


@click.command()
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
