"""Frames for people and programs: rich text tables, and CSV/JSON/table output to a path or stdout."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.table import Table

from planner import io

if TYPE_CHECKING:
    from planner.pipeline.compare import Comparison

COMPARE_METRICS = (
    ("calls", "calls", 0),
    ("peak_interval_calls", "peak calls/interval", 0),
    ("required_staff_hours", "required staff-h", 0),
    ("required_fte", "required FTE", 1),
    ("headcount", "headcount", 0),
    ("paid_hours", "paid h", 0),
    ("cost", "cost", 0),
    ("service_level_pct", "service level %", 1),
    ("asa_s", "ASA s", 1),
    ("occupancy_pct", "occupancy %", 1),
    ("abandon_pct", "abandon %", 1),
    ("understaffed_intervals", "understaffed intervals", 0),
    ("shortfall_staff_hours", "shortfall staff-h", 1),
)
SIM_METRIC = ("simulated_service_level_pct", "simulated SL %", 1)


def render_table(frame: pd.DataFrame, title: str | None = None, max_rows: int = 60) -> str:
    """A frame as a rich text table (plain text, no colour codes), at most `max_rows` rows."""
    table = Table(title=title, show_lines=False)
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left")
    shown = frame if len(frame) <= max_rows else frame.head(max_rows)
    for row in shown.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    with open(os.devnull, "w") as sink:
        console = Console(width=200, record=True, file=sink, color_system=None)
        console.print(table)
        text = console.export_text()
    if len(frame) > max_rows:
        text += f"... {len(frame) - max_rows} more rows (use --format csv for all)\n"
    return text


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def emit_frame(frame: pd.DataFrame, output: str, fmt: str, title: str | None = None) -> None:
    """Write `frame` as csv/json/table to `output` (`-` = stdout), atomically for files."""
    if fmt == "csv":
        text = io.frame_to_csv(frame)
    elif fmt == "json":
        text = io.frame_to_json(frame)
    else:
        text = render_table(frame, title)
    io.write_text(output, text)


def comparison_view(comparison: Comparison, simulate: bool = False) -> pd.DataFrame:
    """The table people read: one row per metric, one column per scenario, each cell the value
    and (after the first scenario) its delta to the first."""
    frame = comparison.frame
    metrics = list(COMPARE_METRICS) + ([SIM_METRIC] if simulate else [])
    base = frame.iloc[0]
    rows = []
    for key, title, digits in metrics:
        unit = f" ({frame['currency'].iloc[0]})" if key == "cost" else ""
        row = {"metric": title + unit}
        for i, rec in frame.iterrows():
            row[rec["scenario"]] = _delta_cell(rec[key], base[key] if i else None, digits)
        rows.append(row)
    status = {"metric": "solver"}
    for _, rec in frame.iterrows():
        status[rec["scenario"]] = f"{rec['solver_status']} ({rec['gap_pct']:g}% gap)"
    rows.append(status)
    return pd.DataFrame(rows)


def _delta_cell(value, base, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:,.{digits}f}"
    if base is None or (isinstance(base, float) and math.isnan(base)):
        return text
    delta = float(value) - float(base)
    if abs(delta) < 10 ** (-digits) / 2:
        return f"{text} (=)"
    rel = f", {100 * delta / abs(base):+.0f}%" if base and abs(base) > 1e-9 else ""
    return f"{text} ({delta:+,.{digits}f}{rel})"
