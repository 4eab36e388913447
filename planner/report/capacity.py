"""Rendering of a capacity plan: the weekly table (table/CSV/JSON), the text a manager reads
first, the band chart (PNG) and the workbook sheet (xlsx). Deterministic bytes."""

from __future__ import annotations

import datetime as dt
import os
import re

import pandas as pd

from planner import io
from planner.capacity import CapacityPlan, required_fte
from planner.report.charts import DPI, pyplot, save_png
from planner.report.workbook import fix_zip_times

ROUND = {
    "calls_p10": 0,
    "calls_p50": 0,
    "calls_p90": 0,
    "aht_s": 1,
    "phone_hours": 1,
    "shrinkage_pct": 1,
    "staff_hours": 1,
    "inefficiency": 4,
    "required_fte": 2,
    "required_fte_p50": 2,
    "required_fte_p90": 2,
    "tenured_fte": 2,
    "ramping_fte": 2,
    "ramping_eff_fte": 2,
    "trainees_fte": 2,
    "attrition_fte": 3,
    "hires": 0,
    "graduates": 2,
    "overtime_h": 1,
    "temps": 2,
    "effective_fte": 2,
    "gap_fte": 2,
    "shortfall_h": 1,
    "p_short": 3,
    "cost_vnd": 0,
}
# the columns of the text table (all of them go to CSV / JSON / the workbook)
TEXT_COLUMNS = (
    "week",
    "calls_p50",
    "staff_hours",
    "shrinkage_pct",
    "required_fte",
    "tenured_fte",
    "ramping_eff_fte",
    "trainees_fte",
    "hires",
    "graduates",
    "overtime_h",
    "temps",
    "effective_fte",
    "gap_fte",
    "p_short",
)


def weekly_frame(result: CapacityPlan, with_scenario: bool = False) -> pd.DataFrame:
    """The weekly table, rounded for output (the plan's own numbers stay unrounded)."""
    frame = result.table.copy()
    for col, digits in ROUND.items():
        frame[col] = frame[col].astype(float).round(digits)
        if digits == 0:
            frame[col] = frame[col].astype("int64")
    frame = frame.replace(-0.0, 0.0)
    if with_scenario:
        frame.insert(0, "scenario", result.scenario)
    return frame


def classes_text(result: CapacityPlan) -> str:
    if not result.plan.classes:
        return "no hiring class: today's agents, overtime and temps cover the plan\n"
    return "".join(f"  {c.describe()}\n" for c in result.plan.classes)


def summary_text(result: CapacityPlan) -> str:
    """What a manager reads first: the classes, levers, cost, risk and any shortfall."""
    s = result.summary()
    cfg = result.config
    lines = [
        f"capacity plan: {s['scenario']}, {s['weeks']} weeks from {s['from']}, covering P"
        f"{cfg.quantile_pct:g} of weekly demand (forecast {result.forecast_model})",
        f"today: {s['today_fte']:.1f} FTE ({len(result.workforce.frame)} agents, "
        f"{os.path.basename(result.workforce.source)}); required FTE = staff-hours x "
        f"{result.inefficiency.factor:.4f} inefficiency / {cfg.contract_hours:g} h",
        f"  {result.inefficiency.describe()}",
    ]
    if result.week_run is not None:
        w = list(result.table["week"]).index(result.week_run.week)
        lines.append(
            f"  {result.week_run.describe()}; the plan covers {result.table['staff_hours'].iloc[w]:,.1f}"
            f" there, with {result.table['overtime_h'].iloc[w]:,.1f} overtime hours"
        )
    lines.append(f"hires: {s['hires']} in {s['classes']} classes")
    text = "\n".join(lines) + "\n" + classes_text(result)
    c = result.plan.cost
    text += (
        f"overtime {s['overtime_h']:,.0f} h, temps {s['temp_weeks']:,.1f} temp-weeks, "
        f"shortfall {s['shortfall_h']:,.0f} staff-hours\n"
        f"cost {c['total'] / 1e9:,.2f} bn VND (wages {c['wages'] / 1e9:,.2f}, hiring "
        f"{c['hiring'] / 1e9:,.2f}, training {c['training'] / 1e9:,.2f}, overtime "
        f"{c['overtime'] / 1e9:,.2f}, temps {c['temps'] / 1e9:,.2f}, shortfall "
        f"{c['shortfall'] / 1e9:,.2f}); with risk: P50 {s['cost_p50_vnd'] / 1e9:,.2f}, "
        f"P80 {s['cost_p80_vnd'] / 1e9:,.2f}, P90 {s['cost_p90_vnd'] / 1e9:,.2f} bn VND "
        f"({result.risk.draws} draws)\n"
        f"worst week {s['worst_week']} (gap {round(s['worst_gap_fte'], 1) + 0.0:+.1f} FTE); "
        f"{s['weeks_p_short_over_20pct']} weeks with P(short) above 20%\n"
        f"solver: {s['solver_status']}, gap {s['solver_gap_pct']:.2f}%\n"
    )
    for line in result.plan.shortfall:
        text += f"SHORT {line}\n"
    return text


def comparison_frame(results: list[CapacityPlan]) -> pd.DataFrame:
    """Scenarios side by side: one row per scenario with the summary's figures (the
    inefficiency's long detail is in each plan's summary above the table)."""
    frame = pd.DataFrame([r.summary() for r in results]).drop(columns=["inefficiency_detail"])
    if frame["week_run_week"].isna().all():
        frame = frame.drop(columns=["week_run_week", "week_run_staff_hours"])
    return frame


def plot_capacity(result: CapacityPlan, path: str | os.PathLike) -> None:
    """Required FTE band (P10-P90 of demand, the plan's quantile as a line) against the plan's
    effective FTE, class starts marked, Tết weeks and summer (June-August) shaded."""
    plt = pyplot()
    t = result.table
    d = result.demand.weeks
    x = pd.to_datetime(t["start"])
    cfg = result.config
    low = required_fte(d["staff_hours_p10"], cfg)
    high = required_fte(d["staff_hours_p90"], cfg)
    fig, ax = plt.subplots(figsize=(12, 4.8), dpi=DPI)
    ax.fill_between(
        x, low, high, step="post", color="tab:blue", alpha=0.2, label="required P10-P90"
    )
    ax.step(x, t["required_fte"], where="post", color="tab:blue", lw=1.2,
            label=f"required P{cfg.quantile_pct:g}")  # fmt: skip
    ax.step(x, t["effective_fte"], where="post", color="0.15", lw=1.6, label="planned effective")
    week = pd.Timedelta(days=7)
    for i, start in enumerate(x):
        if d["tet_days"].iloc[i] > 0:
            ax.axvspan(start, start + week, color="tab:red", alpha=0.12, lw=0)
        elif start.month in (6, 7, 8):
            ax.axvspan(start, start + week, color="tab:orange", alpha=0.06, lw=0)
    for c in result.plan.classes:
        ax.axvline(pd.Timestamp(c.graduation), color="tab:green", lw=0.9, ls="--")
        ax.annotate(f"+{c.size}", (pd.Timestamp(c.graduation), ax.get_ylim()[1]),
                    fontsize=8, color="tab:green", va="top")  # fmt: skip
    ax.set_ylabel("FTE")
    ax.set_title(
        f"{result.scenario}: required vs planned FTE (Tết red, summer orange, "
        "class graduations green)"
    )
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    save_png(fig, path)
    plt.close(fig)


def write_workbook(results: list[CapacityPlan], path: str | os.PathLike) -> None:
    """One sheet per scenario (the weekly table) and a `plan` sheet (classes, cost, risk)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    summary = wb.active
    summary.title = "plan"
    bold = Font(bold=True)
    for result in results:
        summary.append([f"scenario {result.scenario}"])
        summary.cell(summary.max_row, 1).font = bold
        for key, value in result.summary().items():
            summary.append([key, value])
        for c in result.plan.classes:
            summary.append(["class", c.describe()])
        for line in result.plan.shortfall:
            summary.append(["shortfall", line])
        summary.append([])
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 90
    for result in results:
        sheet = wb.create_sheet(re.sub(r"[\[\]:*?/\\]", "_", result.scenario)[:31])
        frame = weekly_frame(result)
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = bold
        for row in frame.itertuples(index=False):
            sheet.append([v.item() if hasattr(v, "item") else v for v in row])
        sheet.freeze_panes = "B2"
    first = results[0].first
    stamp = dt.datetime(first.year, first.month, first.day)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "planner"
    with io.atomic_path(path) as tmp:
        wb.save(tmp)
        fix_zip_times(tmp, stamp)
