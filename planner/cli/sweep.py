"""`planner sweep` (sites x scenarios x weeks on a process pool or a Dask cluster)."""

from __future__ import annotations

import sys

import click

from planner.cli.common import (
    check_store_choice,
    cli,
    engine_options,
    output_options,
    png_path,
    store_options,
)

ENGINE_HELP = (
    "Where the cells run: local (process pool, --jobs N), dask://HOST:PORT (a running Dask "
    "scheduler), dask-local:N (N local Dask worker processes) or dask-local-threads:N."
)


@cli.command("sweep")
@click.argument("plan", metavar="PLAN.toml")
@output_options("table")
@engine_options(ENGINE_HELP, "Worker processes of the local engine.")
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=2,
    show_default=True,
    help="Dask: times a cell is rerun when its worker dies or it raises.",
)
@click.option(
    "--connect-timeout",
    type=click.FloatRange(0.1, 600),
    default=10.0,
    show_default=True,
    metavar="S",
    help="Dask: seconds to wait for the scheduler.",
)
@click.option("--out", "out_dir", metavar="DIR", help="Also write every cell's week files here.")
@click.option("--plot", metavar="PNG", callback=png_path, help="Also draw cost and SL per week.")
@store_options(
    "Plan store to record cells in and skip stored ones (default: the plan's `store`, else "
    "PLAN.db beside the plan).",
    "Record nothing; plan every cell.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, no summary line.")
def sweep_command(
    plan,
    output,
    fmt,
    engine,
    jobs,
    retries,
    connect_timeout,
    out_dir,
    plot,
    store_path,
    no_store,
    quiet,
):
    """Plan many weeks: every site x scenario x week of PLAN.toml, one week plan per cell.

    Only this process writes files and the store: the cells run on the engine and their
    results come back as they finish. A cell already in the store (same site, scenario, week
    and input files) is not planned again, so an interrupted sweep resumes with the same
    command. Exit codes: 0 ok; 1 a cell failed (each named with its reason; the others are
    written); 2 bad input (nothing written); 3 every cell planned, some short of target.

    \b
    Examples:
      planner sweep budget.toml --jobs 2 --format csv -o budget.csv
      planner sweep budget.toml --engine dask-local:4 --out out/budget --plot budget.png
      planner sweep budget.toml --engine dask://10.0.0.5:8786 --retries 3
    """
    from planner import io, report
    from planner.jobs import engines, sweep
    from planner.report import sweep_chart

    check_store_choice(store_path, no_store)
    io.check_output_paths(output, plot, inputs=[plan])
    chosen = engines.engine_from_text(engine, jobs=jobs, retries=retries, timeout_s=connect_timeout)
    show = not quiet and sys.stderr.isatty()
    with report.terminal_progress("sweep", enabled=show) as update:
        counts = {"done": 0, "total": 0}

        def start(total: int, stored: int) -> None:
            counts.update(done=stored, total=total)
            if update is not None:
                update(stored, total)

        def advance(_cell, _outcome: str) -> None:
            counts["done"] += 1
            if update is not None:
                update(counts["done"], counts["total"])

        result = sweep.run_sweep(
            plan,
            chosen,
            out_dir=out_dir,
            store_path=store_path,
            use_store=not no_store,
            progress=advance,
            start=start,
        )
    for failure in result.failures:
        click.echo(f"planner: error: {failure.reason}", err=True)  # even under --quiet
    frame = sweep.summary_frame(result)
    if fmt == "table":
        io.write_text(output, report.render_table(frame, f"Sweep on {result.engine}", 10_000))
    else:
        report.emit_frame(frame, output, fmt)
    if plot:
        sweep_chart.plot_sweep(frame, plot)
    if not quiet:
        click.echo(
            f"planner: sweep: {result.planned} cells planned, {result.stored} found in the "
            f"store, {len(result.failures)} failed ({result.engine})",
            err=True,
        )
    if result.exit_code:
        sys.exit(result.exit_code)
