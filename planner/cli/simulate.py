"""`planner simulate`: play a roster against the forecast, calls by calls."""

from __future__ import annotations

import click

from planner.choices import (
    TalkTime,
    values,
)
from planner.cli.common import cli, output_options


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
    from planner import jobs, report
    from planner import simulate as sim

    pio.check_output_paths(output, inputs=(roster_path, requirements_path))
    enabled = False if quiet else None
    with report.terminal_progress("simulating", replications, enabled) as progress:
        result = jobs.simulate_files(
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
    report.emit_result(result, output, fmt, quiet=quiet)
