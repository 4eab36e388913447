"""`planner forecast` and `planner backtest`: the history in, daily and interval calls out."""

from __future__ import annotations

import click

from planner.choices import (
    ForecastModel,
    values,
)
from planner.cli.common import cli, output_options, png_path


def _history_options(func):
    """Options shared by `forecast` and `backtest`."""
    options = [
        click.argument("history", required=False, metavar="[HISTORY]"),
        click.option(
            "--horizon", type=int, default=14, show_default=True, help="Days to forecast."
        ),
        click.option(
            "--interval",
            "interval_min",
            type=click.IntRange(min=1),
            default=None,
            metavar="MIN",
            help="Output interval in minutes (a multiple of the history's; default: the history's).",
        ),
        click.option(
            "--level", type=float, default=80.0, show_default=True, help="Bound level, %."
        ),
        click.option(
            "--country",
            default="VN",
            show_default=True,
            help="Public holidays of this country (python-holidays code), or none.",
        ),
        click.option(
            "--events",
            metavar="FILE",
            default=None,
            help="CSV start,end,label[,multiplier]: make-up days, storms, campaigns.",
        ),
        click.option(
            "--temperature",
            metavar="FILE",
            default=None,
            help="CSV date,temp_max_c (default: the bundled one with the bundled history); rows "
            "past the history's end are the horizon's weather forecast.",
        ),
        click.option(
            "--timezone",
            metavar="ZONE",
            default=None,
            help="Local time zone (IANA name) for timestamps with a UTC offset "
            "(default: the country's, e.g. Asia/Ho_Chi_Minh for VN).",
        ),
        click.option(
            "--keep-spikes",
            is_flag=True,
            help="Fit rows over 10x their interval's usual level (warned about; "
            "by default left out as typos).",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No notes or progress on stderr."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load_history(history, temperature, timezone=None, country="VN", keep_spikes=False):
    from planner.history import BUNDLED_HISTORY, BUNDLED_TEMPERATURE, read_history
    from planner.io import bundled_path

    if history is None:
        history = str(bundled_path(BUNDLED_HISTORY))
        if temperature is None:
            temperature = str(bundled_path(BUNDLED_TEMPERATURE))
    loaded = read_history(history, timezone=timezone, country=country, keep_spikes=keep_spikes)
    return loaded, temperature


@cli.command()
@_history_options
@click.option("--start", default=None, metavar="DATE", help="First forecast day (YYYY-MM-DD).")
@click.option(
    "--model",
    type=click.Choice(values(ForecastModel)),
    default="auto",
    show_default=True,
    help="Daily model; auto picks by a quick backtest.",
)
@click.option(
    "--plot", metavar="PNG", callback=png_path, help="Also write a chart of the forecast."
)
@output_options("csv")
def forecast(
    history,
    horizon,
    interval_min,
    level,
    country,
    events,
    temperature,
    timezone,
    keep_spikes,
    quiet,
    start,
    model,
    plot,
    output,
    fmt,
):
    """Forecast calls per interval (and per day) from a call history CSV.

    HISTORY is a CSV timestamp,calls[,aht][,queue] (daily or 15/30/60-min rows; - = stdin);
    without it the bundled hotline history is used. Output: the Forecast CSV
    timestamp,calls,lower,upper[,aht][,queue]; --format table shows the daily totals.

    \b
    Examples:
      planner forecast                                # bundled history, next 14 days
      planner forecast calls.csv --horizon 28 -o forecast.csv
      planner forecast calls.csv --country none --interval 60 --plot forecast.png
      planner forecast --start 2026-01-20 --format table   # what we'd have said then
      cat calls.csv | planner forecast - --events events.csv
    """
    from planner.forecast import forecast_history
    from planner.io import check_output_paths
    from planner.report import emit_frame
    from planner.report.charts import plot_forecast

    check_output_paths(output, plot, inputs=(history, events, temperature))
    if start is not None:
        start = _parse_day(start, "--start")
    hist, temperature = _load_history(history, temperature, timezone, country, keep_spikes)
    result = forecast_history(
        hist,
        horizon_days=horizon,
        start=start,
        interval_min=interval_min,
        level=level,
        country=country,
        events=events,
        model=model,
        temperature=temperature,
    )
    if not quiet:
        for note in result.notes:
            click.echo(f"planner: {note}", err=True)
    if fmt == "table":
        title = f"Daily calls forecast ({result.model}, {result.level:g}% bounds)"
        emit_frame(result.daily, output, fmt, title)
    else:
        emit_frame(result.intervals, output, fmt)
    if plot:
        plot_forecast(hist, result, plot)


def _parse_day(value: str, option: str):
    from datetime import date

    from planner.errors import InputError

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r}: expected a date YYYY-MM-DD") from None
    if not date(1900, 1, 1) <= day <= date(2200, 12, 31):
        raise InputError(f"{option} {value!r}: expected a date from 1900-01-01 to 2200-12-31")
    return day


@cli.command("backtest")
@_history_options
@click.option("--folds", type=int, default=8, show_default=True, help="Rolling origins.")
@output_options("table")
def backtest_command(
    history,
    horizon,
    interval_min,
    level,
    country,
    events,
    temperature,
    timezone,
    keep_spikes,
    quiet,
    folds,
    output,
    fmt,
):
    """Rolling-origin backtest of every daily model: WAPE, bias, MASE, bound coverage.

    Each fold fits on the history before its origin and forecasts the next HORIZON days; the
    last fold ends with the history. Scores daily totals and intervals (daily forecast spread by
    the intraday profile), all days and summer days (20 May-31 Aug) separately. MASE is against
    the weekly seasonal naive; vs_naive_pct is the WAPE improvement over seasonal_naive.

    \b
    Examples:
      planner backtest                                # bundled history, 8 folds x 14 days
      planner backtest calls.csv --folds 12 --horizon 7 --country none
      planner backtest calls.csv --format csv -o accuracy.csv
    """
    from planner.forecast import backtest
    from planner.report import emit_frame, terminal_progress

    hist, temperature = _load_history(history, temperature, timezone, country, keep_spikes)
    if not quiet:
        for note in hist.notes:
            click.echo(f"planner: {note}", err=True)
    with terminal_progress("backtest", enabled=False if quiet else None) as progress:
        frame = backtest(
            hist,
            folds=folds,
            horizon_days=horizon,
            interval_min=interval_min,
            level=level,
            country=country,
            events=events,
            temperature=temperature,
            progress=progress,
        )
    emit_frame(frame, output, fmt, f"Backtest: {folds} folds x {horizon} days")
