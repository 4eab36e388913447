"""What every command shares: the click group with the one error boundary, the shared output
options and option checks, and `main` (the console script). The commands live in the package's
other modules and register themselves on `cli` (see `planner.cli`)."""

from __future__ import annotations

import os
import sys

import click

from planner import __version__
from planner.choices import OutputFormat, values
from planner.errors import ExitCode, InputError, PlannerError

OUTPUT_HELP = "Where to write the result: a file path, or - for stdout."


def output_options(default_format: str = "csv"):
    """Add the shared `-o/--output PATH|-`, `--format table|csv|json` and `--wide` (tables at
    full width) options to a command."""

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
            "--wide",
            is_flag=True,
            expose_value=False,
            callback=_full_width,
            help="Tables at their full width (default: cut to fit the terminal, COLUMNS).",
        )(func)
        func = click.option(
            "-o", "--output", default="-", show_default=True, metavar="PATH|-", help=OUTPUT_HELP
        )(func)
        return func

    return decorate


def engine_options(engine_help: str, jobs_help: str, max_jobs: int = 256):
    """Add the shared `--engine ENGINE` (default local) and `-j/--jobs N` options."""

    def decorate(func):
        func = click.option(
            "--jobs",
            "-j",
            type=click.IntRange(1, max_jobs),
            default=1,
            show_default=True,
            help=jobs_help,
        )(func)
        return click.option(
            "--engine", default="local", show_default=True, metavar="ENGINE", help=engine_help
        )(func)

    return decorate


def store_options(store_help: str, no_store_help: str):
    """Add the shared `--store PATH` (as `store_path`) and `--no-store` options; the command
    calls `check_store_choice` with both."""

    def decorate(func):
        func = click.option("--no-store", is_flag=True, help=no_store_help)(func)
        return click.option("--store", "store_path", metavar="PATH", help=store_help)(func)

    return decorate


def check_store_choice(store_path: str | None, no_store: bool) -> None:
    """Refuse `--store` given with `--no-store`."""
    if no_store and store_path:
        fail("give --store or --no-store, not both")


def engine_runner(engine: str, jobs: int, *, local_pool: bool = False):
    """The ordered runner of `--engine` (with `--jobs` workers), or None where the command
    runs its calls itself: the local engine, unless `local_pool` asks for a pool of `jobs`."""
    if engine == "local" and not (local_pool and jobs > 1):
        return None
    from planner.jobs import engines

    return engines.ordered(engines.engine_from_text(engine, jobs=jobs))


def _full_width(ctx, param, value):
    """Click callback for `--wide`: every table of this invocation at its natural width."""
    from planner.report import tables

    tables.FULL_WIDTH.set(bool(value))
    return value


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


# The library's name of a parameter whose command-line option is named otherwise (the option's
# own name is its parameter name in click: `--time-limit` -> `time_limit`).
OPTION_OF = {
    "time_limit_s": "time_limit",
    "horizon_days": "horizon",
    "interval_min": "interval",
    "patience_s": "patience",
    "sl_pct": "sl",
    "target_s": "target",
    "asa_s": "asa",
    "aht_s": "aht",
    "max_occupancy_pct": "max_occupancy",
    "max_abandon_pct": "max_abandon",
    "shrinkage_pct": "shrinkage",
}


def flag_names(command: click.Command | None) -> dict[str, str]:
    """Each parameter `command` takes as an option -> its flag (`time_limit_s` ->
    `--time-limit`), so that an error naming a parameter names the flag the user typed; a
    parameter the command has no option for keeps its own name (a scenario key)."""
    if command is None:
        return {}
    flags: dict[str, str] = {}
    for option in command.params:
        long = [o for o in option.opts if o.startswith("--")]
        if isinstance(option, click.Option) and option.name and long:
            flags[option.name] = long[0]
    for name, option_name in OPTION_OF.items():
        if option_name in flags and name not in flags:
            flags[name] = flags[option_name]
    return flags


def error_line(exc: PlannerError, command: click.Command | None) -> str:
    """The one stderr line of an error: an `InputError`'s parameters shown as flags."""
    if isinstance(exc, InputError):
        return exc.render(flag_names(command))
    return str(exc)


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
            name = ctx.invoked_subcommand
            command = self.get_command(ctx, name) if name else None
            click.echo(f"planner: error: {error_line(exc, command)}", err=True)
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt as exc:  # its text says what was already done, if anything
            click.echo(f"planner: interrupted{f' {exc}' if str(exc) else ''}", err=True)
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


# Small least-squares problems run 50x slower with OpenBLAS threads on a busy 2-core machine;
# one BLAS thread (unless the user set it) keeps `planner forecast` fast. Effective only if numpy
# is not imported yet, which holds for the commands' lazy imports.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


class Terminated(BaseException):
    """SIGTERM arrived: unwind (temporary files removed, children stopped), then exit 143."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated


def main() -> None:
    """Console-script entry point. SIGTERM unwinds like Ctrl-C does, so cleanups run."""
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        cli(prog_name="planner")
    except Terminated:
        click.echo("planner: terminated", err=True)
        sys.exit(143)
    finally:
        # The work is done (or unwound): a signal during interpreter shutdown (atexit hooks of
        # worker pools) just ends the process, instead of raising into those hooks.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
