"""Commands that simulate a scenario: run (one year), project (years), sweep (variants) and
compare (two run folders).

Each command imports the studies and writers it calls inside its body, so that `microsim --help`
and an error in the arguments load none of them (docs/architecture.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from microsim.errors import MicrosimError
from microsim.cli.options import (allow_option, backend_options, executor_for, population_for_workers,
                                  population_label, prepare, replay_command, skipped_chart)


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


@click.command(help=RUN_HELP)
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
    from microsim.studies.uncertainty import attach_intervals
    from microsim.common.progress import stages

    sc, data, out, overwrite = prepare(scenario, data, out, overwrite, sc_slug_suffix="", allow=allow)
    replicates = 0 if no_intervals else replicates
    with stages(2, "Simulating", quiet) as step:
        pop = read_population(data)
        step("population read")
        sim = simulate_year(sc, pop, ageing=not no_ageing, growth=not no_growth, jobs=jobs)
        step(f"{sc.year} simulated")
    if replicates:
        with executor_for(backend, scheduler, jobs, quiet) as executor:
            attach_intervals(sc, population_for_workers(pop, data, executor), [sim], replicates, ageing=not no_ageing,
                             growth=not no_growth, executor=executor)
    with stages(1, "Writing", quiet) as step:
        command = replay_command({"data": data, **({"replicates": replicates} if replicates else {})})
        output = run_output(sim, command, jobs, population_info(pop, population_label(data)))
        if no_charts:
            output.charts = lambda folder: {key: skipped_chart(key) for key in ("poverty_by_age", "costs", "incidence")}
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


@click.command(help=PROJECT_HELP)
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

    sc, data, out, overwrite = prepare(scenario, data, out, overwrite, sc_slug_suffix="-projection", allow=allow)
    pop = read_population(data)
    with executor_for(backend, scheduler, jobs, quiet) as executor:
        shipped = population_for_workers(pop, data, executor)
        proj = run_projection(sc, shipped, first, last, jobs, ageing=not no_ageing, growth=not no_growth, quiet=quiet,
                              executor=executor, replicates=replicates or 0)
    command = replay_command({"data": data, "first": first, "last": last})
    output = projection_output(proj, command, population_info(pop, population_label(data)), pop.metadata)
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


@click.command(help=SWEEP_HELP)
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
    sc, data, out, overwrite = prepare(scenario, data, out, overwrite, sc_slug_suffix="-sweep", allow=allow)
    variants = grid_variants(list(varies)) if varies else file_variants(variants_file)
    check_variants(variants, sc, allow_many)
    pop = read_population(data)
    with executor_for(backend, scheduler, jobs, quiet) as executor:
        ref = population_for_workers(pop, data, executor)
        results = run_sweep(sc, pop, variants, replicates or 0, ageing=not no_ageing, growth=not no_growth, quiet=quiet,
                            executor=executor, population_ref=ref if ref is not pop else None)
    command = replay_command({"data": data})
    options = {"ageing": not no_ageing, "growth": not no_growth, "replicates": replicates or 0, "allow": allow}
    output = sweep_output(sc, variants, results, population_info(pop, population_label(data)), command, options,
                          pop.metadata)
    write_run_folder(output, out, overwrite)
    table = output.tables["variants"]
    best = table.sort_values("cost per person lifted (riels per year)").iloc[0]
    click.echo(f"{len(variants)} variants of {sc.name} ({sc.year}); cheapest per person lifted: {best['variant']} "
               f"({riels(best['cost of the reform (riels per year)'])} a year, about "
               f"{persons(best['persons lifted out of poverty'])} lifted).")
    click.echo(f"Wrote {out} (report.md, report.html, workbook.xlsx, tables/variants.csv, summary.json, manifest.json).")


@click.command()
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
