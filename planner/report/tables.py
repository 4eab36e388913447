"""Frames for people and programs: rich text tables, and CSV/JSON/table output to a path or stdout."""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from planner import io
from planner.pipeline import COMPARE_KEYS, SIM_COMPARE_KEY, Comparison

# A compared KPI's title and the digits it is shown with (the keys: `planner.pipeline.kpis`).
METRIC_TITLES = {
    "calls": ("calls", 0),
    "peak_interval_calls": ("peak calls/interval", 0),
    "required_staff_hours": ("required staff-h", 0),
    "required_fte": ("required FTE", 1),
    "headcount": ("headcount", 0),
    "paid_hours": ("paid h", 0),
    "cost": ("cost", 0),
    "service_level_pct": ("service level %", 1),
    "asa_s": ("ASA s", 1),
    "occupancy_pct": ("occupancy %", 1),
    "abandon_pct": ("abandon %", 1),
    "understaffed_intervals": ("understaffed intervals", 0),
    "shortfall_staff_hours": ("shortfall staff-h", 1),
    "simulated_service_level_pct": ("simulated SL %", 1),
}


def render_table(frame: pd.DataFrame, title: str | None = None, max_rows: int = 60) -> str:
    """A frame as a rich text table (plain text, no colour codes), at most `max_rows` rows."""
    table = Table(title=title, show_lines=False)
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left")
    shown = frame if len(frame) <= max_rows else frame.head(max_rows)
    decimals = {col: _decimals(shown[col]) for col in shown.columns}
    for row in shown.itertuples(index=False):
        table.add_row(*(_cell(v, decimals[c]) for v, c in zip(row, shown.columns, strict=True)))
    with open(os.devnull, "w") as sink:
        console = Console(width=max(80, _natural_width(table)), record=True, file=sink,
                          color_system=None)  # fmt: skip
        console.print(table)
        text = console.export_text()
    if len(frame) > max_rows:
        text += f"... {len(frame) - max_rows} more rows (csv and json show them all)\n"
    return text


def _natural_width(table: Table) -> int:
    """The width the table needs without wrapping (rich measures it), capped at 400."""
    with open(os.devnull, "w") as sink:
        probe = Console(width=400, file=sink, color_system=None)
        return min(400, probe.measure(table).maximum)


def _decimals(column: pd.Series) -> int | None:
    """Decimals shown for a float column: as many as its values need, at most 2 (None: not a
    float column, each cell decides)."""
    if not pd.api.types.is_float_dtype(column):
        return None
    values = column.dropna().to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    for digits in (0, 1):
        if np.allclose(values, np.round(values, digits), rtol=0, atol=1e-9):
            return digits
    return 2


def _cell(value, decimals: int | None = None) -> str:
    """A cell as people read it: thousands grouped, no float noise, whole numbers without
    decimals, timestamps to the minute."""
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return "-"
        if decimals is None:
            decimals = 0 if number.is_integer() or abs(number) >= 1e6 else 2
            if decimals == 2 and round(number, 1) == round(number, 2):
                decimals = 1
        return f"{number:,.{decimals}f}"
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
    keys = list(COMPARE_KEYS) + ([SIM_COMPARE_KEY] if simulate else [])
    base = frame.iloc[0]
    rows = []
    for key in keys:
        title, digits = METRIC_TITLES[key]
        unit = f" ({frame['currency'].iloc[0]})" if key == "cost" else ""
        row = {"metric": title + unit}
        for i, rec in frame.iterrows():
            row[rec["scenario"]] = _delta_cell(
                rec[key], base[key] if i else None, digits, points=key.endswith("_pct")
            )
        rows.append(row)
    status = {"metric": "solver"}
    for _, rec in frame.iterrows():
        status[rec["scenario"]] = f"{rec['solver_status']} ({rec['gap_pct']:g}% gap)"
    rows.append(status)
    return pd.DataFrame(rows)


def _delta_cell(value, base, digits: int, points: bool = False) -> str:
    """`value (delta, relative %)`; a metric that is itself a percentage gets its delta in
    percentage points (`+2.5 pp`), never a percent of a percent."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:,.{digits}f}"
    if base is None or (isinstance(base, float) and math.isnan(base)):
        return text
    delta = float(value) - float(base)
    if abs(delta) < 10 ** (-digits) / 2:
        return f"{text} (=)"
    if points:
        return f"{text} ({delta:+,.{digits}f} pp)"
    rel = f", {100 * delta / abs(base):+.0f}%" if base and abs(base) > 1e-9 else ""
    return f"{text} ({delta:+,.{digits}f}{rel})"
