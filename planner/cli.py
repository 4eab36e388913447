"""The `planner` command line: parse options, call one `planner` function, render the result.

No modelling here. Every command shares the output options and the one error boundary in `main`.
"""

from __future__ import annotations

import os
import sys

import click

from planner import __version__
from planner.choices import (
    ForecastModel,
    OutputFormat,
    ServiceModel,
    Solver,
    TalkTime,
    values,
)
from planner.errors import ExitCode, PlannerError

OUTPUT_HELP = "Where to write the result: a file path, or - for stdout."


def output_options(default_format: str = "csv"):
    """Add the shared `-o/--output PATH|-` and `--format table|csv|json` options to a command."""

    def decorate(func):
        func = click.option(
            "--format",
            "fmt",
            type=click.Choice(values(OutputFormat)),
            default=default_format,
            show_default=True,
            help="Output format.",
        )(func)
        func = click.option(
            "-o", "--output", default="-", show_default=True, metavar="PATH|-", help=OUTPUT_HELP
        )(func)
        return func

    return decorate


def png_path(ctx, param, value):
    """Click callback for `--plot`: charts are PNG only, so another extension is a mistake
    (a `.pdf` name used to get PNG bytes)."""
    if value is not None and not value.lower().endswith(".png"):
        raise click.BadParameter(f"{value!r}: charts are PNG, expected a name ending in .png")
    return value


def plausible_shrinkage(value: float) -> float:
    """`--shrinkage`: 0, or 0.01 to 90 percent (more means ten paid agents per agent on the
    phones; less is not a measurement and overflows the exact staff arithmetic)."""
    if not (value == 0 or 0.01 <= value <= 90):
        raise click.BadParameter(f"{value:g}: expected 0 or a percentage in [0.01, 90]")
    return value


def fail(message: str, code: int = ExitCode.BAD_INPUT) -> None:
    """Print one line on stderr and exit with `code`."""
    click.echo(f"planner: error: {message}", err=True)
    sys.exit(int(code))


class PlannerGroup(click.Group):
    """A click group whose `invoke` is the one error boundary: a `PlannerError` becomes one
    stderr line and its exit code; anything unexpected becomes one line and exit 1, never a
    traceback. It sits on the group so that CliRunner tests see exactly what users see."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a bad option value: one line, not click's usage dump
            sub = exc.ctx.info_name if exc.ctx is not None and exc.ctx.parent is not None else None
            where = f"{sub}: " if sub else ""
            click.echo(f"planner: error: {where}{exc.format_message()}", err=True)
            ctx.exit(int(ExitCode.BAD_INPUT))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except PlannerError as exc:
            click.echo(f"planner: error: {exc}", err=True)
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            click.echo("planner: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(0)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            click.echo(f"planner: internal error: {type(exc).__name__}: {exc}", err=True)
            ctx.exit(int(ExitCode.RUNTIME_ERROR))


@click.group(cls=PlannerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="planner")
def cli() -> None:
    """Forecast contact-centre calls, turn them into agents, and roster the week.

    \b
    Examples:
      planner forecast                 # forecast the bundled hotline history
      planner staff --sl 80 --target 20
      planner schedule requirements.csv -o roster.csv
      planner run                      # the whole weekly chain, for cron
    """


# --- forecast & backtest -----------------------------------------------------------

# Small least-squares problems run 50x slower with OpenBLAS threads on a busy 2-core machine;
# one BLAS thread (unless the user set it) keeps `planner forecast` fast. Effective only if numpy
# is not imported yet, which holds for the commands' lazy imports.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


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
    from planner.forecast import forecast_history, plot_forecast
    from planner.io import check_output_paths
    from planner.report import emit_frame

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


# --- staff -------------------------------------------------------------------------


@cli.command()
@click.argument("forecast", required=False, metavar="[FORECAST]")
@click.option("--aht", type=float, default=None, help="Handle time in seconds for every interval.")
@click.option("--sl", type=float, default=None, help="Service level, percent (default 80).")
@click.option("--target", type=float, default=None, help="Answer within this many s (default 20).")
@click.option("--asa", type=float, default=None, help="Average speed of answer target, seconds.")
@click.option("--max-occupancy", type=float, default=None, help="Occupancy cap, percent.")
@click.option(
    "--shrinkage",
    type=float,
    default=30.0,
    show_default=True,
    callback=lambda ctx, param, value: plausible_shrinkage(value),
    help="Percent of paid time off the phones: 0, or 0.01 to 90 (with --coverage: on phones = "
    "rostered x (1 - s)).",
)
@click.option(
    "--model",
    type=click.Choice(values(ServiceModel)),
    default=ServiceModel.ERLANG_C.value,
    show_default=True,
)
@click.option("--patience", type=float, default=None, help="Mean caller patience, s (erlang-a).")
@click.option("--max-abandon", type=float, default=None, help="Abandonment cap, percent.")
@click.option("--pooled", is_flag=True, help="Staff all queues as one pool.")
@click.option("--agents", type=float, default=None, help="Reverse mode: agents on the phones.")
@click.option("--coverage", default=None, metavar="FILE", help="Reverse mode: a Coverage CSV.")
@output_options("csv")
def staff(forecast, aht, sl, target, asa, max_occupancy, shrinkage, model, patience,
          max_abandon, pooled, agents, coverage, output, fmt):  # fmt: skip
    """Agents and staff per interval to meet a service level (Requirements CSV).

    FORECAST is a Forecast CSV (timestamp,calls[,aht][,queue]; - = stdin); without it the
    bundled hotline history is forecast first. Percentages are given in percent (--sl 80).

    \b
    Examples:
      planner staff forecast.csv --sl 80 --target 20 --shrinkage 30
      planner staff forecast.csv --asa 15 --max-occupancy 85 --format table
      planner staff forecast.csv --model erlang-a --patience 120 --max-abandon 5
      planner staff forecast.csv --agents 150        # what 150 agents deliver
      planner staff forecast.csv --coverage coverage.csv
    """
    from planner import io as pio
    from planner import report, staffing

    pio.check_output_paths(output, inputs=(forecast, coverage))
    if model == "erlang-a" and patience is None:
        fail("--model erlang-a needs --patience S (the callers' mean patience, seconds)")
    if model == "erlang-c" and patience is not None:
        click.echo(
            "planner: warning: --patience has no effect under erlang-c (callers never hang "
            "up there); use --model erlang-a",
            err=True,
        )
    if sl is None and target is None and asa is not None:
        sl_pct = None
    else:
        sl_pct = 80.0 if sl is None else sl
    goal = staffing.StaffingTarget(
        sl_pct=sl_pct,
        target_s=20.0 if target is None else target,
        asa_s=asa,
        max_occupancy_pct=max_occupancy,
        shrinkage_pct=shrinkage,
        model=model,
        patience_s=patience,
        max_abandon_pct=max_abandon,
        aht_s=aht,
    )
    frame = staffing.plan_staffing(forecast, goal, pooled, agents, coverage)
    reverse = agents is not None or coverage is not None
    assumed = None
    if coverage is not None:
        assumed = f"on the phones = rostered x (1 - {shrinkage:g}% shrinkage), rounded down"
    if fmt != "table":
        report.emit_frame(frame, output, fmt)
        if assumed:
            click.echo(f"planner: note: {assumed}", err=True)
        return
    if reverse:
        text = report.delivery_text(frame)
        delivered = staffing.delivered_service_level_pct(frame)
        if delivered is not None:
            text += f"service level {delivered:.1f}% over the horizon (calls-weighted)\n"
        if assumed:
            text += f"{assumed}\n"
    else:
        text = report.requirements_text(staffing.summarise_requirements(frame))
    pio.write_text(output, text)


# --- schedule ----------------------------------------------------------------------


@cli.command("schedule")
@click.argument("requirements", required=False, metavar="REQUIREMENTS")
@click.option(
    "--rules",
    "rules_path",
    metavar="TOML",
    help="Scenario TOML: its [shifts], [labour], [cost] tables.",
)
@click.option("--agents", "agents_path", metavar="CSV", help="Named agents (e.g. data/agents.csv).")
@click.option(
    "--previous",
    "previous_path",
    metavar="CSV",
    help="Last week's Roster CSV: no wrapping, its Sunday-night shifts cover Monday, rest and "
    "days in a row hold across the weeks, its agents keep their names.",
)
@click.option(
    "--time-limit",
    default=90.0,
    show_default=True,
    type=click.FloatRange(1, 86400),
    help="Wall-clock limit for the whole schedule step (LP, start, search), seconds.",
)
@click.option(
    "--solver",
    type=click.Choice(values(Solver)),
    default=Solver.CBC.value,
    show_default=True,
    help="MIP solver: CBC (bundled with PuLP) or HiGHS (highspy).",
)
@click.option(
    "--gap",
    "gap_pct",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0, 99),
    metavar="PCT",
    help="Stop once the cost is proven within PCT % of the best possible (deterministic; "
    "the time limit is a safety net whose result can vary between machines).",
)
@click.option(
    "--coverage", "coverage_path", metavar="CSV", help="Also write the Coverage CSV here."
)
@click.option("--xlsx", "xlsx_path", metavar="XLSX", help="Also write the roster workbook here.")
@output_options("csv")
def schedule_command(
    requirements,
    rules_path,
    agents_path,
    previous_path,
    time_limit,
    solver,
    gap_pct,
    coverage_path,
    xlsx_path,
    output,
    fmt,
):
    """Build the legal weekly roster that covers a Requirements CSV at least cost.

    \b
    Writes the Roster CSV (agent,start,end,breaks,paid_hours,day,night_hours) to -o,
    a summary table on stderr. Exit 3: coverage was soft (headcount cap, agent list)
    and some intervals are short (outputs still written); exit 2: rules that cannot
    cover the requirement, explained.
    \b
    Example:
      planner schedule requirements.csv --rules scenarios/baseline.toml -o roster.csv --coverage coverage.csv
    """
    from planner import io as pio
    from planner import report
    from planner import schedule as sched

    if not requirements:
        fail("schedule needs a REQUIREMENTS CSV (timestamp,staff), e.g. from `planner staff`")
    if fmt == "table" and str(output).lower().endswith((".csv", ".json")):
        fail(
            f"-o {output} --format table would write the summary table, not the roster, into "
            f"{output}; use --format csv for the Roster CSV (the summary goes to stderr)"
        )
    pio.check_output_paths(
        output, coverage_path, xlsx_path, inputs=(requirements, rules_path, agents_path)
    )
    rules = sched.Rules()
    if rules_path:
        from planner.scenario import load_rules

        rules = load_rules(rules_path, sched.rules_from_mapping)
    frame = sched.read_requirements(requirements)
    agents = sched.read_agents(agents_path) if agents_path else None
    previous = sched.read_roster(previous_path) if previous_path else None
    result = sched.build_roster(
        frame,
        rules,
        agents=agents,
        time_limit_s=time_limit,
        solver=solver,
        progress=sys.stderr.isatty(),
        source=pio.display_name(requirements),
        gap_pct=gap_pct,
        previous=previous,
    )
    if coverage_path:
        pio.write_text(coverage_path, pio.frame_to_csv(result.coverage))
    if xlsx_path:
        sched.write_roster_xlsx(result, xlsx_path)
    summary = sched.summary_frame(result)
    if fmt == "table":
        pio.write_text(output, report.render_table(summary, "Roster summary"))
    else:
        report.emit_frame(result.roster, output, fmt)
        click.echo(report.render_table(summary, "Roster summary"), err=True, nl=False)
    for message in result.messages:
        click.echo(f"planner: warning: {message}", err=True)
    if result.clock_stopped:
        click.echo(f"planner: warning: {sched.clock_note(result)}", err=True)
    if result.short:
        click.echo(f"planner: coverage short in {sched.describe_short(result)}", err=True)
        sys.exit(int(ExitCode.TARGETS_NOT_MET))
    if result.clock_stopped:
        sys.exit(int(ExitCode.CLOCK_STOPPED))


# --- run & compare -----------------------------------------------------------------


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
    help="Output directory (default out/<week>/); replaced as a whole on success.",
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
@click.option(
    "--store",
    "store_path",
    metavar="PATH",
    help="Plan store (SQLite) to record the published run in (default: planner.db beside DIR).",
)
@click.option("--no-store", is_flag=True, help="Do not record the run in a plan store.")
def run_command(
    scenario, week, start, out_dir, simulate, time_limit, quiet, verbose, store_path, no_store
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

    from planner import pipeline
    from planner import store as plan_store
    from planner.accuracy import RunRecorder

    if no_store and store_path:
        fail("give --store or --no-store, not both")
    if store_path:  # a foreign or newer store is refused before minutes of planning
        plan_store.check_store(store_path)
    recorder = None if no_store else RunRecorder(store_path)
    if out_dir and not quiet and Path(out_dir).is_symlink():
        click.echo(
            f"planner: note: --out {out_dir} is a symlink: publishing into its target "
            f"{Path(out_dir).resolve()} (the link is kept)",
            err=True,
        )
    plan, directory = pipeline.run_week(
        scenario,
        week=week,
        start=start,
        out_dir=out_dir,
        simulate=simulate,
        log=_stderr_log(verbose),
        progress=sys.stderr.isatty() and not quiet,
        time_limit_s=time_limit,
        store_hook=recorder,
    )
    recorded = None if recorder is None else recorder.recorded
    if recorder is not None and recorder.drift is not None and recorder.drift.drifted:
        click.echo(f"planner: warning: {recorder.drift.message()}", err=True)  # even if quiet
    if not quiet:
        for note in plan.notes:
            kind = "" if note.startswith("warning: ") else "note: "
            click.echo(f"planner: {kind}{note}", err=True)
        click.echo(pipeline.run_report(plan, directory), err=True)
        if recorded is not None:
            click.echo(
                f"  stored as run {recorded.run_id} (revision {recorded.revision}) in "
                f"{recorded.store_path}",
                err=True,
            )
    if plan.schedule.clock_stopped:  # even under --quiet: cron mails it
        from planner.schedule import clock_note

        click.echo(f"planner: warning: {clock_note(plan.schedule)}", err=True)
    if plan.exit_code == ExitCode.TARGETS_NOT_MET:
        if quiet:
            click.echo(f"planner: {pipeline.shortfall_line(plan)}", err=True)
        sys.exit(int(ExitCode.TARGETS_NOT_MET))
    if plan.exit_code == ExitCode.CLOCK_STOPPED:
        sys.exit(int(ExitCode.CLOCK_STOPPED))


@cli.command("compare")
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...")
@output_options("table")
@click.option(
    "--plot", metavar="PNG", callback=png_path, help="Also draw cost against service level to PNG."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 32),
    default=1,
    show_default=True,
    help="Scenarios planned in parallel (processes).",
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
def compare_command(scenarios, output, fmt, plot, jobs, week, start, simulate, time_limit, verbose):
    """Plan several scenarios on one week and show them side by side, with deltas to the first.

    The week: --week/--start, else the first week pinned by a scenario ([run] week) in the
    order given, else the first full week after the first scenario's history ends.

    \b
    Examples:
      planner compare scenarios/*.toml
      planner compare scenarios/baseline.toml scenarios/service-90-20.toml --format csv -o cmp.csv
      planner compare scenarios/*.toml --jobs 2 --plot cost-vs-sl.png
    """
    from planner import io, pipeline, report
    from planner.report import charts

    io.check_output_paths(output, plot, inputs=scenarios)
    result = pipeline.compare(
        list(scenarios),
        week=week,
        start=start,
        jobs=jobs,
        simulate=simulate,
        log=_stderr_log(verbose),
        time_limit_s=time_limit,
    )
    for note in result.notes:
        if verbose or "no effect" in note or "planned on" in note:
            click.echo(f"planner: note: {note}", err=True)
    if fmt == "table":
        view = pipeline.comparison_view(result, simulate=simulate)
        io.write_text(output, report.render_table(view, f"Scenarios on {result.week}"))
    else:
        report.emit_frame(result.frame, output, fmt)
    if plot:
        charts.plot_compare(result.frame, plot, week=result.week)


# --- simulate ----------------------------------------------------------------------


@cli.command("simulate")
@click.option("--roster", "roster_path", required=True, metavar="PATH|-", help="Roster CSV.")
@click.option(
    "--requirements",
    "requirements_path",
    required=True,
    metavar="PATH|-",
    help="Requirements CSV (timestamp,calls,aht,...): the forecast to play.",
)
@click.option(
    "--replications",
    type=click.IntRange(1, 10_000),
    default=20,
    show_default=True,
    help="Independent runs of the week.",
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Random seed."
)
@click.option(
    "--patience",
    default="none",
    show_default=True,
    metavar="S|none",
    help="Mean caller patience in seconds (exponential), or none: callers never hang up.",
)
@click.option(
    "--service",
    type=click.Choice(values(TalkTime)),
    default=TalkTime.EXPONENTIAL.value,
    show_default=True,
    help="Talk-time distribution (lognormal: same mean, CV 1).",
)
@click.option(
    "--absence",
    type=click.FloatRange(0, 100, max_open=True),
    default=None,
    metavar="PCT",
    help="Chance (%) that an agent-shift is missing. Default: the plan's shrinkage, implied by "
    "the requirements' staff vs agents columns (0 without them); the summary says which.",
)
@click.option(
    "--overdispersion",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Variance of a gamma multiplier on each interval's call rate (0 = Poisson).",
)
@click.option(
    "--target",
    "target_s",
    type=click.FloatRange(min=0),
    default=20.0,
    show_default=True,
    metavar="S",
    help="Service-level threshold in seconds.",
)
@click.option(
    "--cyclic/--no-cyclic",
    default=None,
    help="Treat the roster as a cyclic week: shifts running past the end also cover the start "
    "(default: when the requirements are whole days from midnight, as the scheduler plans).",
)
@click.option("--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
@output_options("csv")
def simulate_cmd(
    roster_path,
    requirements_path,
    replications,
    seed,
    patience,
    service,
    absence,
    overdispersion,
    target_s,
    cyclic,
    quiet,
    output,
    fmt,
):
    """Play a roster against the forecast in a discrete-event simulation.

    Writes per-interval means over replications (timestamp, offered, answered, abandoned,
    service_level 0..1, asa s, agents on the phones, waiting, occupancy 0..1); the summary with 95%
    confidence intervals and the worst intervals goes to stderr (csv), or into the output
    (table, json).

    \b
    Examples:
      planner simulate --roster roster.csv --requirements requirements.csv -o sim.csv
      planner simulate --roster roster.csv --requirements req.csv --patience 120 --format table
    """
    from planner import io as pio
    from planner import report
    from planner import simulate as sim

    pio.check_output_paths(output, inputs=(roster_path, requirements_path))
    enabled = False if quiet else None
    with report.terminal_progress("simulating", replications, enabled) as progress:
        result = sim.simulate_files(
            roster_path,
            requirements_path,
            replications=replications,
            seed=seed,
            patience_s=sim.parse_patience(patience),
            service=service,
            absence_pct=absence,
            overdispersion=overdispersion,
            target_s=target_s,
            cyclic=cyclic,
            progress=progress,
        )
    sim.emit_result(result, output, fmt, quiet=quiet)


class Terminated(BaseException):
    """SIGTERM arrived: unwind (temporary files removed, children stopped), then exit 143."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated


# --- the plan store: accuracy and history ----------------------------------------------------

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
    whose whole week HISTORY covers is scored. csv: one row per week; json: every table.

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


def main() -> None:
    """Console-script entry point. SIGTERM unwinds like Ctrl-C does, so cleanups run."""
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        cli(prog_name="planner")
    except Terminated:
        click.echo("planner: terminated", err=True)
        sys.exit(143)


if __name__ == "__main__":
    main()
