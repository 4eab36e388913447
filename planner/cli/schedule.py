"""`planner schedule`: the requirements in, a weekly roster of named agents out."""

from __future__ import annotations

import sys

import click

from planner.choices import (
    Solver,
    values,
)
from planner.cli.common import cli, fail, output_options
from planner.errors import ExitCode
from planner.scenario.model import SCHEDULE_TIME_LIMIT_S


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
    default=SCHEDULE_TIME_LIMIT_S,
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
    default=0.25,
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
    Writes the Roster CSV (agent,start,end,breaks,paid_hours,day,night_hours,
    overtime_hours) to -o, a summary table on stderr. Exit 3: coverage was soft (headcount cap, agent list)
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
        report.write_roster_xlsx(result, xlsx_path)
    summary = report.summary_frame(result)
    if fmt == "table":
        pio.write_text(output, report.render_table(summary, "Roster summary"))
    else:
        report.emit_frame(result.roster, output, fmt)
        click.echo(report.render_table(summary, "Roster summary"), err=True, nl=False)
    for message in result.messages:
        click.echo(f"planner: warning: {message}", err=True)
    if result.clock_stopped:
        click.echo(f"planner: warning: {report.clock_note(result, '--time-limit')}", err=True)
    if result.short:
        click.echo(f"planner: coverage short in {report.describe_short(result)}", err=True)
        sys.exit(int(ExitCode.TARGETS_NOT_MET))
    if result.clock_stopped:
        sys.exit(int(ExitCode.CLOCK_STOPPED))
