"""`planner run` (the weekly chain, for cron) and `planner compare` (scenarios side by side)."""

from __future__ import annotations

import os
import sys

import click

from planner.choices import NoteTopic
from planner.cli.common import (
    check_store_choice,
    cli,
    engine_options,
    engine_runner,
    output_options,
    png_path,
    store_options,
)
from planner.errors import ExitCode

RUN_LIMIT = "--time-limit or [run] time_limit_s"  # what a run's clock warning says to raise


def _is_link(path: str) -> bool:
    try:
        return os.path.islink(path)
    except (OSError, ValueError):  # a name too long: refused by the run itself
        return False


def _stderr_log(enabled: bool):
    """A log callback for the pipeline: a line per stage on stderr, or nothing."""
    if not enabled:
        return lambda _message: None
    return lambda message: click.echo(f"planner: {message}", err=True)


@cli.command("run")
@click.argument("scenario", required=False, metavar="[SCENARIO]")
@click.option("--week", metavar="YYYY-Www", help="Plan this ISO week, e.g. 2027-W28.")
@click.option("--start", metavar="DATE", help="Plan the 7 days from this date instead.")
@click.option(
    "--out",
    "out_dir",
    metavar="DIR",
    help="Output directory (default out/<week>/): new, empty, or a week planner published; "
    "replaced as a whole on success.",
)
@click.option("--simulate/--no-simulate", default=None, help="Also simulate the roster (sim.csv).")
@click.option(
    "--time-limit",
    type=float,
    metavar="S",
    help="Roster solver time limit, overriding the scenario's [run] time_limit_s.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success (for cron).")
@click.option("--verbose", "-v", is_flag=True, help="A log line per stage on stderr.")
@store_options(
    "Plan store (SQLite) to record the published run in (default: planner.db beside DIR).",
    "Do not record the run in a plan store.",
)
@click.option(
    "--allow-dir",
    "allowed_dirs",
    multiple=True,
    metavar="DIR",
    help="A folder outside the scenario's own whose files the scenario may name (repeatable).",
)
def run_command(
    scenario,
    week,
    start,
    out_dir,
    simulate,
    time_limit,
    quiet,
    verbose,
    store_path,
    no_store,
    allowed_dirs,
):
    """The whole weekly chain for one week: forecast, staffing, roster, outputs.

    SCENARIO is a scenario TOML file (default: the built-in baseline, the same as
    scenarios/baseline.toml, on the bundled history). The week: --week/--start, else the
    scenario's [run] week, else the first full Monday-Sunday week after the history ends.

    Writes forecast.csv, requirements.csv, roster.csv, coverage.csv, roster.xlsx, summary.json,
    forecast.png and coverage.png (+ sim.csv with --simulate) into DIR, all at once or not at all.
    Exit codes: 0 ok; 1 runtime error or another run holds DIR's lock; 2 bad input; 3 written,
    but the roster is short of the requirement (the shortfall is reported).

    \b
    Examples:
      planner run                                  # next week, baseline, into out/<week>/
      planner run scenarios/heat-wave.toml --out out/heat
      planner run --week 2027-W28 --quiet          # for cron
    """
    from pathlib import Path

    from planner import jobs, report
    from planner import store as plan_store
    from planner.accuracy import RunRecorder

    check_store_choice(store_path, no_store)
    if store_path:  # a foreign or newer store is refused before minutes of planning
        plan_store.check_store(store_path)
    recorder = None if no_store else RunRecorder(store_path)
    if out_dir and not quiet and _is_link(out_dir):
        click.echo(
            f"planner: note: --out {out_dir} is a symlink: publishing into its target "
            f"{Path(out_dir).resolve()} (the link is kept)",
            err=True,
        )
    week_run = jobs.run_week(
        scenario,
        week=week,
        start=start,
        out_dir=out_dir,
        simulate=simulate,
        log=_stderr_log(verbose),
        progress=sys.stderr.isatty() and not quiet,
        time_limit_s=time_limit,
        store_hook=recorder,
        allowed_dirs=allowed_dirs,
    )
    plan, recorded, drift = week_run.plan, week_run.recorded, week_run.drift
    if drift is not None and drift.drifted:
        click.echo(f"planner: warning: {drift.message()}", err=True)  # even if quiet
    if not quiet:
        for note in plan.notes:
            click.echo(f"planner: {note.kind}: {note.text}", err=True)
        click.echo(report.run_report(plan, week_run.directory), err=True)
        if recorded is not None:
            click.echo(
                f"  stored as run {recorded.run_id} (revision {recorded.revision}) in "
                f"{recorded.store_path}",
                err=True,
            )
    if plan.schedule.clock_stopped:  # even under --quiet: cron mails it
        click.echo(f"planner: warning: {report.clock_note(plan.schedule, RUN_LIMIT)}", err=True)
    if plan.exit_code == ExitCode.TARGETS_NOT_MET:
        if quiet:
            click.echo(f"planner: {report.shortfall_line(plan)}", err=True)
        sys.exit(int(ExitCode.TARGETS_NOT_MET))
    if plan.exit_code == ExitCode.CLOCK_STOPPED:
        sys.exit(int(ExitCode.CLOCK_STOPPED))


@cli.command("compare")
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...")
@output_options("table")
@click.option(
    "--plot", metavar="PNG", callback=png_path, help="Also draw cost against service level to PNG."
)
@click.option("--week", metavar="YYYY-Www", help="Plan every scenario on this ISO week.")
@click.option("--start", metavar="DATE", help="Plan every scenario on the 7 days from DATE.")
@click.option("--simulate", is_flag=True, help="Add a simulated service-level column.")
@click.option(
    "--time-limit",
    type=float,
    metavar="S",
    help="Roster solver time limit for every scenario (overrides their [run]).",
)
@click.option("--verbose", "-v", is_flag=True, help="A log line per scenario on stderr.")
@store_options(
    "Plan store to continue last week's published rosters from (read only; default: the one "
    "planner run records into).",
    "Plan every week on its own (cyclic).",
)
@engine_options(
    "Where the scenarios run: local (--jobs N processes), dask://HOST:PORT, dask-local:N or "
    "dask-local-threads:N (see planner sweep).",
    "Scenarios planned in parallel (processes).",
    max_jobs=32,
)
@click.option(
    "--allow-dir",
    "allowed_dirs",
    multiple=True,
    metavar="DIR",
    help="A folder outside the scenario's own whose files the scenario may name (repeatable).",
)
def compare_command(
    scenarios,
    output,
    fmt,
    plot,
    jobs,
    week,
    start,
    simulate,
    time_limit,
    verbose,
    store_path,
    no_store,
    engine,
    allowed_dirs,
):
    """Plan several scenarios on one week and show them side by side, with deltas to the first.

    The week: --week/--start, else the first week pinned by a scenario ([run] week) in the
    order given, else the first full week after the first scenario's history ends. A scenario
    whose previous week `planner run` published in the plan store continues that roster, as
    `planner run` does, so both give the same roster (--no-store: each week on its own).

    \b
    Examples:
      planner compare scenarios/*.toml
      planner compare scenarios/baseline.toml scenarios/service-90-20.toml --format csv -o cmp.csv
      planner compare scenarios/*.toml --jobs 2 --plot cost-vs-sl.png
    """
    from planner import io, pipeline, report
    from planner.report import charts

    check_store_choice(store_path, no_store)
    io.check_output_paths(output, plot, inputs=scenarios)
    run_calls = engine_runner(engine, jobs)
    result = pipeline.compare(
        list(scenarios),
        allowed_dirs=allowed_dirs,
        week=week,
        start=start,
        jobs=jobs,
        simulate=simulate,
        log=_stderr_log(verbose),
        time_limit_s=time_limit,
        store_path=store_path,
        use_store=not no_store,
        run_calls=run_calls,
    )
    shown = (NoteTopic.UNUSED_ADJUSTMENT, NoteTopic.WEEK, NoteTopic.STORE)
    for note in result.notes:
        if verbose or note.topic in shown:
            click.echo(f"planner: {note.kind}: {note.text}", err=True)
    if fmt == "table":
        view = report.comparison_view(result, simulate=simulate)
        title = f"Scenarios on {result.week}"
        io.write_text(output, report.render_table(view, title) + report.comparison_notes(result))
    else:
        report.emit_frame(result.frame, output, fmt)
    if plot:
        charts.plot_compare(result.frame, plot, week=result.week)
