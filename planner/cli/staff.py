"""`planner staff`: the forecast in, agents per interval out (Erlang C/A), or the reverse."""

from __future__ import annotations

import click

from planner.choices import (
    ServiceModel,
    values,
)
from planner.cli.common import cli, fail, output_options, plausible_shrinkage


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
    from planner import jobs, report, staffing

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
    frame = jobs.plan_staffing(forecast, goal, pooled, agents, coverage)
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
