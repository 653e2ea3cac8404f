"""Costing commands, the spreadsheet way: cost (a table in a second) and workbook (the live Excel
workbook in a run folder).

Each command imports the studies and writers it calls inside its body, so that `microsim --help`
and an error in the arguments load none of them (docs/architecture.md).
"""

from __future__ import annotations

from pathlib import Path

import click

from microsim.errors import MicrosimError
from microsim.paths import DEFAULT_POPULATION
from microsim.cli.options import allow_option, population_label, prepare, replay_command, with_allowance


COST_HELP = """Quick costing of a scenario's measures by year, the spreadsheet way, in a second.

For each person benefit with one amount a month the reform switches on or changes (child
benefit, social pension, disability allowance, YAML benefits...): eligible persons by age in each year (the model's own projection) x coverage x take-up
x benefit (indexed) x months x (1 + administrative cost), with % of GDP and of government
spending. A person benefit whose amount varies (school levels, the NSSF's maternity cash benefit
by wage) is costed by the average paid in the first year. A maternity allowance is costed from
births, a disability allowance from prevalence. A shock-responsive transfer is costed by households: households of the hit zones x
share hit x (IDPoor share x top-up + near-poor share x transfer) x months, weighted by the
trigger probability for a budget provision. A social insurance scheme the reform switches on
or changes is costed as revenue (a contributory measure): insured persons of the ages x their
insurable wage x the scheme's rate in force each year x 12, with the workers' and employers'
parts. The arithmetic of `microsim workbook`, whose Excel formulas give the same numbers.

\b
Examples:
  microsim cost policies/scenarios/social_pension_and_child_benefit.yaml --from 2026 --to 2030
  microsim cost policies/scenarios/child_benefit_2_5.yaml --csv runs/child_benefit_costs.csv
  microsim cost policies/scenarios/unemployment_insurance.yaml --from 2026 --to 2035
"""


def _costing(scenario, data, first, last, no_ageing, allow):
    from microsim.studies.costing import costing_of
    from microsim.population.io import read_population
    from microsim.studies.run import check_years
    from microsim.engine.scenario import load_scenario

    sc = with_allowance(load_scenario(scenario), allow)
    check_years(first, last)  # before the population is read
    pop = read_population(data or (Path(sc.population) if sc.population else DEFAULT_POPULATION))
    measures, inputs, sim = costing_of(sc, pop, first, last, ageing=not no_ageing)
    return sc, pop, measures, inputs, sim


@click.command(help=COST_HELP)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--from", "first", type=int, default=2026, show_default=True, help="First year.")
@click.option("--to", "last", type=int, default=2030, show_default=True, help="Last year.")
@click.option("--data", type=click.Path(path_type=Path), default=None, help="Population (default: shipped).")
@click.option("--csv", "csv_file", type=click.Path(path_type=Path), default=None, help="Also write the table as CSV.")
@click.option("--overwrite", is_flag=True, help="Replace the --csv file if it exists.")
@click.option("--no-ageing", is_flag=True, help="Keep the survey year's population in every year.")
@allow_option
def cost(scenario, first, last, data, csv_file, overwrite, no_ageing, allow):
    from microsim.engine.costing_measures import ContributionMeasure, ShockMeasure
    from microsim.studies.costing import REVENUE, costs_of
    from microsim.reporting.costing_output import costs_table, describe_measure, revenue_table
    from microsim.common.formatting import csv_number, pct, riels
    from microsim.population.io import preflight_file, write_file_atomically
    import pandas as pd

    if csv_file is not None:
        preflight_file(csv_file, overwrite, "--csv")  # before any work
    sc, _, measures, inputs, _ = _costing(scenario, data, first, last, no_ageing, allow)
    for m in measures:
        click.echo(f"{m.label}: {describe_measure(m)}")
        for _, r in costs_of(m, inputs).iterrows():
            if isinstance(m, ContributionMeasure):
                click.echo(f"  {int(r['year'])}: {r['insured (persons)']:>12,.0f} insured  {riels(r[REVENUE]):>24} "
                           f"raised (revenue)  {pct(r['revenue (% of GDP)'], 3)} of GDP")
                continue
            count = (f"{r['households hit']:>12,.0f} households hit" if isinstance(m, ShockMeasure)
                     else f"{r['beneficiaries (persons)']:>12,.0f} "
                     + ("births paid for" if m.amount_kind == "per_birth" else "beneficiaries"))
            click.echo(f"  {int(r['year'])}: {count}  "
                       f"{riels(r['annual cost (riels)']):>24}  {pct(r['annual cost (% of GDP)'], 3)} of GDP")
    if csv_file is not None:  # one long table: the benefits' costs, then the schemes' revenue
        table = pd.concat([costs_table(measures, inputs), revenue_table(measures, inputs)], ignore_index=True)
        table = table.dropna(axis=1, how="all")
        write_file_atomically(csv_file, lambda path: table.to_csv(path, index=False, float_format=csv_number,
                                                                  lineterminator="\n"), "--csv")
        click.echo(f"Wrote {csv_file}.")


WORKBOOK_HELP = """Write the live costing workbook (Excel) of a scenario's measures, in a run folder.

Inputs (macro series, population by age and year from the model's projection) and one Param_
sheet per measure in yellow cells; Calc_ sheets, Scenarios, a Summary with a chart, and Checks
against the microsimulation as formulas that follow any change. For training in costing social
protection (docs/training/). The numbers equal `microsim cost`.

An Affordability sheet sets the Summary's total against the budget and the financing options
(policies/macro/fiscal_frame.yaml and financing.yaml, or --frame and --financing), as formulas:
the arithmetic of `microsim fiscal --costing cohort` (docs/fiscal-space.md).

The run folder (default runs/<scenario>-costing) holds workbook.xlsx (the live workbook),
tables/costs.csv, totals.csv and checks.csv, report.md and report.html with a chart,
summary.json and manifest.json (docs/outputs.md).

\b
Examples:
  microsim workbook policies/scenarios/social_pension_and_child_benefit.yaml --from 2026 --to 2035
  microsim workbook policies/scenarios/child_benefit_2_5.yaml --out runs/child_benefit_costing
"""


@click.command(help=WORKBOOK_HELP)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--from", "first", type=int, default=2026, show_default=True, help="First year.")
@click.option("--to", "last", type=int, default=2035, show_default=True, help="Last year.")
@click.option("--data", type=click.Path(path_type=Path), default=None, help="Population (default: shipped).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Run folder (default: runs/<scenario>-costing); the live workbook is its workbook.xlsx.")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists (only a run folder microsim wrote).")
@click.option("--no-ageing", is_flag=True, help="Keep the survey year's population in every year.")
@click.option("--frame", "frame_file", type=click.Path(path_type=Path), default=None,
              help="Macro-fiscal frame of the Affordability sheet (default: policies/macro/fiscal_frame.yaml).")
@click.option("--financing", "financing_file", type=click.Path(path_type=Path), default=None,
              help="Financing options of the Affordability sheet (default: policies/macro/financing.yaml).")
@allow_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def workbook(scenario, first, last, data, out, overwrite, no_ageing, frame_file, financing_file, allow, quiet):
    from microsim.studies.costing import checks
    from microsim.engine.fiscal_frame import load_financing, load_frame
    from microsim.studies.fiscal_space import costing_affordability
    from microsim.reporting.costing_output import costing_output
    from microsim.common.progress import stages
    from microsim.reporting.runfolder import population_info, write_run_folder

    if out is not None and out.suffix.lower() in (".xlsx", ".xls"):
        raise MicrosimError(f"--out {out}: `microsim workbook` writes a run folder (the live workbook is its "
                            f"workbook.xlsx); give a folder name, e.g. --out {out.with_suffix('')}.")
    frame = load_frame(frame_file)  # checked before any work
    financing = load_financing(frame, financing_file)
    sc, data, out, overwrite = prepare(scenario, data, out, overwrite, sc_slug_suffix="-costing", allow=allow)
    with stages(3, "Costing", quiet) as step:
        sc, pop, measures, inputs, sim = _costing(scenario, data, first, last, no_ageing, allow)
        step("measures and inputs")
        found = checks(sc, pop, measures, inputs, ageing=not no_ageing, sim=sim)
        step("checks")
        command = replay_command({"data": data, "first": first, "last": last})
        options = {"ageing": not no_ageing, "first_year": first, "last_year": last}
        output = costing_output(sc, measures, inputs, found, sim, population_info(pop, population_label(data)),
                                pop.metadata.get("calibration"), options, command,
                                affordability=costing_affordability(sc, measures, inputs, sim, frame, financing))
        write_run_folder(output, out, overwrite)
        step("written")
    click.echo(f"Wrote {out}: workbook.xlsx ({len(measures)} measure(s), {first}-{last}; change the yellow cells to see "
               "the costs move), report.md, report.html, tables/, charts/, summary.json, manifest.json.")


FISCAL_HELP = """A floor's cost by year against the budget, and how it could be paid for.

The scenario's cost in each year (by default each year microsimulated, as `microsim project`
gives it; with --costing cohort the spreadsheet costing of `microsim cost`, which the costing
workbook's Affordability sheet repeats as formulas) set against the macro-fiscal frame
(policies/macro/fiscal_frame.yaml: revenue, tax, spending, current social protection spending):
% of GDP, of revenue, of spending and of current social protection spending. Then the financing
options of policies/macro/financing.yaml, each an explicit assumption applied in order (a tax
effort, a reallocation from named budget lines, the contributions the reform raises), the
residual they leave (borrowing or cuts elsewhere), the years each option falls short, and the
residual under slower and faster growth.

The run folder (default runs/<scenario>-fiscal) holds tables/fiscal_space.csv,
financing_options.csv and growth_sensitivity.csv, report.md and report.html with a chart,
workbook.xlsx, summary.json and manifest.json (docs/fiscal-space.md, docs/outputs.md).

\b
Examples:
  microsim fiscal policies/scenarios/floor_phased_in.yaml
  microsim fiscal policies/scenarios/social_pension_and_child_benefit.yaml --from 2026 --to 2030 --costing cohort
  microsim fiscal my_floor.yaml --financing my_financing.yaml --out runs/my_floor_financed
"""


@click.command(help=FISCAL_HELP)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--from", "first", type=int, default=2026, show_default=True, help="First year.")
@click.option("--to", "last", type=int, default=2035, show_default=True, help="Last year.")
@click.option("--data", type=click.Path(path_type=Path), default=None, help="Population (default: shipped).")
@click.option("--costing", type=click.Choice(["projection", "cohort"]), default="projection", show_default=True,
              help="The cost by year: each year microsimulated, or the spreadsheet (cohort) costing.")
@click.option("--frame", "frame_file", type=click.Path(path_type=Path), default=None,
              help="Macro-fiscal frame (default: policies/macro/fiscal_frame.yaml).")
@click.option("--financing", "financing_file", type=click.Path(path_type=Path), default=None,
              help="Financing options (default: policies/macro/financing.yaml).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None, help="Run folder (default: runs/<scenario>-fiscal).")
@click.option("--overwrite", is_flag=True, help="Replace --out if it exists (only a run folder microsim wrote).")
@click.option("--no-ageing", is_flag=True, help="Keep the survey year's population in every year.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Years in parallel (projection).")
@allow_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def fiscal(scenario, first, last, data, costing, frame_file, financing_file, out, overwrite, no_ageing, jobs, allow,
           quiet):
    from microsim.common.formatting import pct, riels
    from microsim.engine.fiscal_frame import load_financing, load_frame
    from microsim.population.io import read_population
    from microsim.reporting.fiscal_output import fiscal_output, outcome_words
    from microsim.reporting.runfolder import population_info, write_run_folder
    from microsim.studies.fiscal_space import fiscal_study
    from microsim.studies.run import check_years

    frame = load_frame(frame_file)  # every input checked before any work
    financing = load_financing(frame, financing_file)
    check_years(first, last)
    sc, data, out, overwrite = prepare(scenario, data, out, overwrite, sc_slug_suffix="-fiscal", allow=allow)
    pop = read_population(data)
    space = fiscal_study(sc, pop, first, last, frame, financing, costing=costing, ageing=not no_ageing, jobs=jobs,
                         quiet=quiet)
    command = replay_command({"data": data, "first": first, "last": last})
    options = {"ageing": not no_ageing, "first_year": first, "last_year": last, "costing": costing}
    output = fiscal_output(space, population_info(pop, population_label(data)), pop.metadata.get("calibration"),
                           options, command)
    write_run_folder(output, out, overwrite)
    for r in space.central:
        click.echo(f"  {r.year}: cost {riels(r.cost_riels)} ({pct(r.cost_pct_gdp, 2)} of GDP, "
                   f"{pct(r.cost_pct_revenue, 1)} of revenue); financed {riels(r.financed_riels)}; "
                   f"residual {riels(r.residual_riels)}")
    for i, o in enumerate(space.outcomes):
        click.echo(f"  {o.label}: {outcome_words(o, i)}")
    click.echo(f"Wrote {out} (report.md, report.html, tables/, charts/fiscal_space.png, workbook.xlsx, summary.json, "
               "manifest.json).")
