"""`planner capacity`: the long-range capacity and hiring plan of one or more scenarios."""

from __future__ import annotations

import sys

import click

from planner.cli.common import (
    check_store_choice,
    cli,
    engine_options,
    engine_runner,
    fail,
    output_options,
    png_path,
    store_options,
)


@cli.command("capacity")
@click.argument("scenarios", nargs=-1, metavar="[SCENARIO]...")
@click.option("--weeks", type=click.IntRange(4, 104), default=None,
              help="Weeks to plan (default: [capacity] horizon_weeks, 78).")  # fmt: skip
@click.option("--from", "first_week", metavar="YYYY-Www",
              help="First week of the plan (default: the first full week after the history).")  # fmt: skip
@click.option("--quantile", type=click.FloatRange(1, 99), default=None,
              help="Cover this percentile of weekly demand (default: [capacity] quantile_pct, 80).")  # fmt: skip
@click.option("--plot", default=None, metavar="PNG", callback=png_path,
              help="Chart: required band vs planned effective FTE, classes, Tết and summer.")  # fmt: skip
@click.option("--xlsx", default=None, metavar="PATH", help="Workbook: the plan and its weeks.")
@click.option("--agents-week", default=None, metavar="YYYY-Www",
              help="Write the agents file the plan expects in this week (with --agents-out).")  # fmt: skip
@click.option("--agents-out", default=None, metavar="PATH", help="Where --agents-week writes.")
@click.option("--week-scenario", default=None, metavar="SCENARIO",
              help="The scenario whose weekly run rosters --agents-week (default: the planned "
              "one): the week is covered as that run staffs it.")  # fmt: skip
@engine_options(
    "Where several scenarios are planned: local (with --jobs N), local:N, dask://HOST:PORT, "
    "dask-local:N or dask-local-threads:N.",
    "Worker processes of the local engine (several scenarios).",
)
@store_options(
    "Plan store: its published rosters measure the inefficiency, and the plans are recorded "
    "in it (default: the scenario's [run] store, else out/planner.db when it exists).",
    "Read no plan store and record nothing (the inefficiency is measured on a roster of one "
    "sample week).",
)
@click.option("--quiet", "-q", is_flag=True, help="No summary or progress on stderr.")
@output_options("table")
def capacity_command(scenarios, weeks, first_week, quantile, plot, xlsx, agents_week, agents_out,
                     week_scenario, engine, jobs, store_path, no_store, quiet, output,
                     fmt):  # fmt: skip
    """Plan the workforce months ahead: hiring classes, overtime and temps against the
    long-range forecast, week by week, with the risk of each week.

    SCENARIO is a scenario TOML file (default: the built-in baseline on the bundled data); its
    optional [capacity] table holds every knob (see scenarios/capacity-2027.toml). Several
    scenarios are planned side by side, on --engine's workers when given (each worker reads
    the scenario's files by their path). Exit codes: 0 ok; 2 bad input; 3 written, but some week
    is short where the levers run out (the shortfall and its reason are reported).

    The scheduling inefficiency (contract hours per required staff-hour) is [capacity]
    inefficiency when given, else measured on the plan store's published rosters, else on a
    roster of one sample week (--agents-week's week, else the busiest). --agents-week W covers
    W as the weekly run staffs it (its forecast basis, handle time and shrinkage), by hires and
    temps first, overtime only where they run out, and reports W short (exit 3) where its
    agents' days cannot cover its peaks whatever the overtime; it writes the agents the plan
    expects there.

    \b
    Examples:
      planner capacity scenarios/capacity-2027.toml --from 2027-W01 --weeks 78
      planner capacity scenarios/capacity-2027.toml --format csv -o plan.csv --plot plan.png
      planner capacity a.toml b.toml --format table
      planner capacity a.toml b.toml c.toml --engine local:2
      planner capacity scenarios/capacity-2027.toml --agents-week 2027-W28 --agents-out w28.csv
      planner capacity a.toml --agents-week 2027-W28 --agents-out w28.csv --week-scenario b.toml
    """
    from planner import io as pio
    from planner.jobs import capacity as job
    from planner.report import capacity as render

    if (agents_week is None) != (agents_out is None):
        fail("--agents-week and --agents-out go together (the week, and where to write it)")
    if week_scenario is not None and agents_week is None:
        fail("--week-scenario goes with --agents-week (the week it rosters)")
    check_store_choice(store_path, no_store)
    pio.check_output_paths(output, plot, xlsx, agents_out, inputs=tuple(scenarios))
    log = (lambda _m: None) if quiet else (lambda m: click.echo(f"planner: {m}", err=True))
    run_calls = engine_runner(engine, jobs, local_pool=True)
    plan_store = job.capacity_store(store_path, no_store, scenarios)
    run = job.run_capacity(
        list(scenarios),
        weeks=weeks,
        first_week=first_week,
        quantile_pct=quantile,
        log=log,
        run_calls=run_calls,
        agents_week=agents_week,
        store_path=plan_store,
        week_scenario=week_scenario,
    )
    job.write_outputs(run, output, fmt, plot, xlsx, agents_week, agents_out)
    if plan_store is not None:
        ids = job.record_plans(run, plan_store)
        if not quiet:
            click.echo(f"planner: recorded as capacity plan {', '.join(map(str, ids))} in "
                       f"{plan_store}", err=True)  # fmt: skip
    if fmt != "table" and not quiet:
        for plan in run.plans:
            click.echo(render.summary_text(plan), err=True, nl=False)
    sys.exit(run.exit_code)
