"""`planner accuracy` and `planner history`: reading the plan store `planner run` writes."""

from __future__ import annotations

import click

from planner.cli.common import cli, output_options, png_path

STORE_HELP = "Plan store (SQLite) written by `planner run`."


@cli.command("accuracy")
@click.argument("history", required=False, metavar="[HISTORY]")
@click.option("--store", "store_path", default="out/planner.db", show_default=True, help=STORE_HELP)
@click.option("--scenario", default=None, metavar="NAME", help="Only this scenario's runs.")
@click.option(
    "--weeks", type=click.IntRange(min=1), default=None, metavar="N", help="The last N weeks."
)
@click.option("--plot", metavar="PNG", callback=png_path, help="Also chart the weeks to PNG.")
@output_options("table")
def accuracy_command(history, store_path, scenario, weeks, plot, output, fmt):
    """Stored forecasts against what happened: WAPE, bias, bounds, service delivered.

    HISTORY is the History CSV with the weeks' actual calls (default: the bundled one); it may
    carry answered_within_target (or service_level) and abandoned columns. Every published run
    whose whole week HISTORY covers is scored. So is every intraday reforecast recorded by
    `planner intraday` whose day HISTORY covers: the rest of its day's interval WAPE against
    the morning plan's on the same intervals, per run and per time of the reforecast. csv: one
    row per week; json: every table (intraday, intraday_by_time among them).

    \b
    Examples:
      planner accuracy calls.csv                      # every covered week in out/planner.db
      planner accuracy calls.csv --weeks 8 --scenario baseline --plot accuracy.png
      planner accuracy calls.csv --format json -o accuracy.json
    """
    from planner import accuracy, io, report

    io.check_output_paths(output, plot)
    result = accuracy.accuracy_report(store_path, history, scenario=scenario, weeks=weeks)
    if fmt == "json":
        io.write_text(output, accuracy.report_json(result))
    elif fmt == "csv":
        report.emit_frame(result.weeks, output, fmt)
        for note in result.notes:
            click.echo(f"planner: note: {note}", err=True)
    else:
        io.write_text(output, accuracy.report_text(result))
    if plot:
        accuracy.plot_accuracy(result, plot)


@cli.command("history")
@click.option("--store", "store_path", default="out/planner.db", show_default=True, help=STORE_HELP)
@click.option("--scenario", default=None, metavar="NAME", help="Only this scenario's runs.")
@output_options("table")
def history_command(store_path, scenario, output, fmt):
    """List the stored runs: week, scenario, revision (published = the one in force), exit
    code, solver status and gap, headcount, cost and expected service level.

    \b
    Examples:
      planner history
      planner history --store /srv/plans/planner.db --scenario baseline --format csv
    """
    from planner import report
    from planner import store as plan_store

    frame = plan_store.list_runs(store_path, scenario=scenario)
    report.emit_frame(frame, output, fmt, f"Runs in {store_path}")
