"""The `planner` command line: parse options, call one `planner` function, render the result.

No modelling here. Every command shares the output options and the one error boundary in `main`.
"""

from __future__ import annotations

import sys

import click

from planner import __version__
from planner.errors import ExitCode, PlannerError

OUTPUT_HELP = "Where to write the result: a file path, or - for stdout."


def output_options(default_format: str = "csv"):
    """Add the shared `-o/--output PATH|-` and `--format table|csv|json` options to a command."""

    def decorate(func):
        func = click.option(
            "--format",
            "fmt",
            type=click.Choice(["table", "csv", "json"]),
            default=default_format,
            show_default=True,
            help="Output format.",
        )(func)
        func = click.option(
            "-o", "--output", default="-", show_default=True, metavar="PATH|-", help=OUTPUT_HELP
        )(func)
        return func

    return decorate


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


# --- forecast & backtest (issue 2) -----------------------------------------------------------

# --- staff (issue 3) -------------------------------------------------------------------------

# --- schedule (issue 4) ----------------------------------------------------------------------

# --- run & compare (issue 5) -----------------------------------------------------------------

# --- simulate (issue 6) ----------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="planner")


if __name__ == "__main__":
    main()
