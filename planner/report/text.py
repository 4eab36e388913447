"""Text for people: the run's report on the terminal, the shortfall line, chart titles, the
staffing summary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.io.numbers import figure
from planner.pipeline import WeekPlan
from planner.report.roster import empty_spans, staffing_gap, worst_intervals
from planner.report.tables import render_table


def run_report(plan: WeekPlan, out_dir: Path) -> str:
    """A few lines for a person: where the files are and the week's figures."""
    k, res = plan.kpis, plan.schedule
    sl = k.service_level_pct
    lines = [
        f"{plan.scenario.name} {plan.label}: wrote {out_dir}/",
        f"  calls {k.calls:,.0f} (peak {k.peak_interval_calls:,.0f} per interval), "
        f"required {k.required_staff_hours:,.0f} staff-hours ({k.required_fte:g} FTE)",
        f"  roster {k.headcount} agents, {k.paid_hours:,.0f} paid h, cost "
        f"{k.cost:,.0f} {k.currency}; solver {res.status}, gap {100 * res.gap:.2f}%",
        f"  expected service level {figure(sl, '.1f', '%')}, ASA {figure(k.asa_s, '.1f', ' s')}, "
        f"occupancy {figure(k.occupancy_pct, '.1f', '%')}",
    ]
    pay = pay_line(k)
    if pay:
        lines.insert(3, pay)
    if k.simulated_service_level_pct is not None:
        lines.append(f"  simulated service level {k.simulated_service_level_pct:.1f}%")
    if res.short:
        lines.append(shortfall_line(plan))
    return "\n".join(lines)


def pay_line(k) -> str:
    """'  of which: idle paid 18 h (720,000 VND), overtime 6 h (360,000 VND), ...': the parts
    of the cost beyond rostered ordinary hours (empty when there are none)."""
    parts = []
    if k.idle_paid_hours:
        parts.append(f"idle paid {k.idle_paid_hours:,.0f} h (contract hours not rostered)")
    if k.overtime_hours:
        parts.append(f"overtime {k.overtime_hours:,.0f} h ({k.overtime_cost:,.0f} {k.currency})")
    if k.holiday_hours:
        parts.append(
            f"{k.holiday_hours:,.0f} h on public holidays (+{k.holiday_premium_cost:,.0f} "
            f"{k.currency})"
        )
    return "  of which: " + ", ".join(parts) if parts else ""


def shortfall_line(plan: WeekPlan, limit: int = 5) -> str:
    """One line for a short week: the short intervals and staff-hours, the worst intervals
    (largest share of their requirement missing), every span with nobody on the phones, the
    FTE gap and the full-time or part-time agents to add."""
    k, res = plan.kpis, plan.schedule
    text = (
        f"targets not met: {k.understaffed_intervals} intervals short by "
        f"{k.shortfall_staff_hours:,.1f} staff-hours in total (worst: "
        f"{worst_intervals(res, limit)})"
    )
    empty = empty_spans(res)
    if empty:
        text += f"; nobody on the phones {empty}"
    return f"{text}; {staffing_gap(res, plan.scenario.rules)}"


def chart_title(plan: WeekPlan) -> str:
    k = plan.kpis
    sl = k.service_level_pct
    return (
        f"{plan.scenario.name}, {plan.label}: {k.headcount} agents, expected SL "
        f"{'n/a' if sl is None else f'{sl:.1f}%'}"
    )


def delivery_text(frame: pd.DataFrame) -> str:
    """What a given staffing delivers per interval (the reverse mode of `planner staff`)."""
    text = render_table(frame, "What this staffing delivers per interval")
    met = int(frame["meets_target"].sum())
    return text + f"target met in {met} of {len(frame)} intervals\n"


def requirements_text(summary) -> str:
    """Peaks, per-day staff-hours and the week's FTE of a `staffing.RequirementsSummary`."""
    text = render_table(summary.peaks, "Peak intervals (agents on phones, staff)")
    text += render_table(summary.daily, "Per day: staff-hours and FTE")
    return text + (
        f"total {summary.staff_hours:,.1f} staff-hours over {summary.days:g} days = "
        f"{summary.fte:,.1f} FTE at {summary.fte_hours_per_week:g} h/week\n"
    )
