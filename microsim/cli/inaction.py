"""The cost-of-inaction command: its arguments (cohorts, discount rates, --set) and its summary line.

Each command imports the studies and writers it calls inside its body, so that `microsim --help`
and an error in the arguments load none of them (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path

import click

from microsim.errors import MicrosimError
from microsim.cli.options import (backend_options, executor_for, population_for_workers, population_label,
                                  prepare, replay_command)


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


@click.command(help=INACTION_HELP)
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
    from microsim.paths import HOME
    from microsim.common.progress import stages
    from microsim.reporting.runfolder import population_info, write_run_folder
    from microsim.behaviour.study_parameters import check_study, load_study_parameters

    scenario = scenario or HOME / "policies" / "scenarios" / "child_benefit_2_5.yaml"
    sc, data, out, overwrite = prepare(scenario, data, out, overwrite, sc_slug_suffix="-inaction", allow=allow)
    study = load_study_parameters()
    study = study.with_values(_study_values(settings), allow) if settings else study
    rates = check_discount_rates(_discount_rates(discount) if discount else list(study["valuation.discount_rates"]),
                                 study, allow)
    study = study.with_values({"valuation.discount_rates": rates}, allow=True)  # what runs is what the manifest records
    years = _cohort_years(cohorts) if cohorts else [sc.year]
    modules, tree = load_system()
    check_study(study, modules, "--set" if settings else "")
    if near_poor is None:
        from microsim.engine.macro import load_macro  # indexed parameters need the price series

        near_poor = tree.at(sc.date, load_macro(), str(scenario)).simulation.near_poor_multiple
    if not 1 <= near_poor <= 10:
        raise MicrosimError(f"--near-poor {near_poor:g}: expected a multiple of the poverty line from 1 to 10.")
    if replicates < 0 or replicates > 10_000:
        raise MicrosimError(f"--replicates {replicates}: expected a whole number from 0 (none) to 10,000.")
    pop = read_population(data)
    with executor_for(backend, scheduler, jobs, quiet) as executor:
        with stages(18 * len(years), "Following cohorts", quiet) as step:
            result = run_study(sc, pop, years, rates, study, near_poor, jobs, progress=step, replicates=replicates,
                               executor=executor, population_ref=population_for_workers(pop, data, executor))
    command = replay_command({"data": data, "cohorts": ",".join(map(str, years)), "near_poor": float(near_poor),
                              "discount": ",".join(f"{rate * 100:g}" for rate in rates)})
    output = study_output(result, population_info(pop, population_label(data)), command, seed=sc.seed,
                          calibration=pop.metadata.get("calibration"), replicates=replicates, jobs=jobs,
                          backend=backend, settings=list(settings))
    with stages(1, "Writing", quiet) as step:
        write_run_folder(output, out, overwrite)
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
