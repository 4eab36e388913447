"""`planner intraday`: today's calls so far and the published plan in; the reforecast of the
rest of the day, the gap and the ranked actions out."""

from __future__ import annotations

import click

from planner.cli.common import cli, output_options, png_path
from planner.errors import ExitCode


@cli.command("intraday")
@click.argument("scenario", required=False, metavar="[SCENARIO]")
@click.option("--actuals", required=True, metavar="TODAY.csv",
              help="Today's calls so far: a History CSV at the plan's interval (- = stdin).")  # fmt: skip
@click.option("--at", metavar="HH:MM", default=None,
              help="Now (default: the end of the last actual row).")  # fmt: skip
@click.option("--plan-dir", metavar="DIR", default=None,
              help="The week directory of planner run (forecast.csv, roster.csv).")  # fmt: skip
@click.option("--store", "store_path", metavar="PATH", default=None,
              help="Plan store to read today's published plan from (default: the scenario's "
              "[run] store, else out/planner.db).")  # fmt: skip
@click.option("--plot", default=None, metavar="PNG", callback=png_path,
              help="Chart: plan vs actuals vs reforecast; required vs on the phones.")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the short line (cron).")
@click.option("--tomorrow", is_flag=True,
              help="Also carry today's evidence into tomorrow's plan (shrunk by how far "
              "busyness lasts a day in the history).")  # fmt: skip
@click.option("--no-record", is_flag=True,
              help="Do not record the reforecast and actions in the plan store.")  # fmt: skip
@output_options("table")
def intraday_command(
    scenario, actuals, at, plan_dir, store_path, plot, quiet, tomorrow, no_record, output, fmt
):
    """Reforecast the rest of today from its calls so far and say what to do.

    Reads today's actuals (a History CSV from 00:00 up to now) and the published plan for
    today: from --plan-dir (a week directory of planner run), else from the plan store. The
    rest of the day is reforecast (a busyness factor shrunk toward the plan as far as the
    actuals are evidence, with bounds), restaffed with the scenario's Erlang target against
    the roster's agents on the phones, and legal actions are proposed, ranked by cost per
    point of service level: move breaks, cancel movable shrinkage, extend shifts, call in
    agents off today, offer callbacks.

    The rest of the day's curve also follows what the line's past mornings said about their
    afternoons (a regression learnt from the history, weighed by how well it did on held-out
    days). --tomorrow carries today's busyness into tomorrow's plan, shrunk by how far busy
    days lasted a day in the history (a note says when there is no plan for tomorrow).

    With the plan from the store, the reforecast (and tomorrow's) and the ranked actions are
    recorded there (tables intraday_runs, intraday_forecast, intraday_actions) unless
    --no-record.

    Exit codes: 0 ok; 2 bad input (actuals of another day, rows past now, a gap in the
    morning's rows, no plan for today); 3 the rest of the day stays short after every action
    (one line says by how much; the outputs are written).

    \b
    Examples:
      planner intraday --actuals today.csv --plan-dir out/2026-W45
      planner intraday scenarios/storm.toml --actuals today.csv --at 10:00 --plot today.png
      planner intraday --actuals today.csv --store out/planner.db --format json -o today.json
    """
    from planner import io as pio
    from planner.jobs.intraday import run_intraday
    from planner.report.intraday import emit_result, plot_intraday

    pio.check_output_paths(output, plot, inputs=(actuals,))
    result = run_intraday(
        scenario, actuals, at=at, plan_dir=plan_dir, store_path=store_path,
        record=not no_record, tomorrow=tomorrow,
    )  # fmt: skip
    if not (quiet and fmt == "table" and output == "-"):
        emit_result(result, output, fmt)
    if plot:
        plot_intraday(result, plot)
    for note in result.notes:
        click.echo(f"planner: note: {note}", err=True)
    if result.short_after:
        click.echo(f"planner: short: {result.shortfall_line()}", err=True)
        click.get_current_context().exit(int(ExitCode.TARGETS_NOT_MET))
