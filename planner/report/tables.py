"""Frames for people and programs: rich text tables, and CSV/JSON/table output to a path or stdout."""

from __future__ import annotations

import math
import os
import shutil
import textwrap
from contextvars import ContextVar
from typing import Literal

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from planner import io
from planner.choices import SolveStatus
from planner.pipeline import COMPARE_KEYS, SIM_COMPARE_KEY, Comparison

# A compared KPI's title and the digits it is shown with (the keys: `planner.pipeline.kpis`).
METRIC_TITLES = {
    "calls": ("calls", 0),
    "peak_interval_calls": ("peak calls/interval", 0),
    "required_staff_hours": ("required staff-h", 0),
    "required_fte": ("required FTE", 1),
    "headcount": ("headcount", 0),
    "paid_hours": ("paid h", 0),
    "idle_paid_hours": ("idle paid h", 0),
    "overtime_hours": ("overtime h", 0),
    "cost": ("cost", 0),
    "service_level_pct": ("service level %", 1),
    "asa_s": ("ASA s", 1),
    "occupancy_pct": ("occupancy %", 1),
    "abandon_pct": ("abandon %", 1),
    "understaffed_intervals": ("understaffed intervals", 0),
    "shortfall_staff_hours": ("shortfall staff-h", 1),
    "simulated_service_level_pct": ("simulated SL %", 1),
}


# Full width (`--wide`): tables rendered at their natural width whatever the terminal's. The
# command line sets it per invocation; the default is to fit the terminal.
FULL_WIDTH: ContextVar[bool] = ContextVar("planner_full_width", default=False)
MIN_TABLE_WIDTH = 40  # narrower terminals get tables this wide (rich wraps within it)


def terminal_width() -> int | None:
    """The width tables must fit: `COLUMNS`, else the terminal's, else 80 (a pipe, cron); None
    with `--wide` (no limit)."""
    if FULL_WIDTH.get():
        return None
    return max(MIN_TABLE_WIDTH, shutil.get_terminal_size((80, 24)).columns)


def render_table(
    frame: pd.DataFrame,
    title: str | None = None,
    max_rows: int = 60,
    width: int | None | Literal["terminal"] = "terminal",
) -> str:
    """A frame as a rich text table (plain text, no colour codes), at most `max_rows` rows, no
    line wider than `width` ("terminal": `terminal_width()`; None: the natural width).

    A table wider than `width` is cut into blocks of columns, each repeating the first (key)
    column, each no wider than `width`; a single column still too wide is wrapped by rich.
    """
    limit = terminal_width() if width == "terminal" else width
    shown = frame if len(frame) <= max_rows else frame.head(max_rows)
    decimals = {col: _decimals(shown[col]) for col in shown.columns}
    cells = {col: [_cell(v, decimals[col]) for v in shown[col].tolist()] for col in shown.columns}
    numeric = {col: pd.api.types.is_numeric_dtype(frame[col]) for col in frame.columns}
    columns = list(shown.columns)
    table = _table(columns, cells, numeric, title, len(shown))
    natural = _natural_width(table)
    if limit is None or natural <= limit:
        text = _export(table, max(80, natural) if limit is None else min(max(80, natural), limit))
    else:
        blocks = _blocks(columns, cells, limit)
        parts = []
        for n, block in enumerate(blocks):
            head = title if n == 0 else None
            caption = f"(part {n + 1} of {len(blocks)})" if len(blocks) > 1 else None
            part = _table(block, cells, numeric, head, len(shown), caption)
            parts.append(_export(part, limit))
        text = "".join(parts)
    if len(frame) > max_rows:
        text += f"... {len(frame) - max_rows} more rows (csv and json show them all)\n"
    return text


def wrap_lines(text: str, width: int | None | Literal["terminal"] = "terminal") -> str:
    """Lines of prose wrapped to `width` ("terminal": `terminal_width()`, None: as they are),
    continuation lines indented two more spaces than their first."""
    limit = terminal_width() if width == "terminal" else width
    if limit is None:
        return text
    out = []
    for line in text.splitlines():
        if len(line) <= limit:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")))
        out += textwrap.wrap(
            line.strip(),
            limit,
            initial_indent=indent,
            subsequent_indent=indent + "  ",
            break_on_hyphens=False,
        )
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _table(columns, cells, numeric, title, rows: int, caption: str | None = None) -> Table:
    table = Table(title=title, caption=caption, show_lines=False)
    for col in columns:
        table.add_column(str(col), justify="right" if numeric[col] else "left")
    for i in range(rows):
        table.add_row(*(cells[col][i] for col in columns))
    return table


def _export(table: Table, width: int) -> str:
    with open(os.devnull, "w") as sink:
        console = Console(width=width, record=True, file=sink, color_system=None)
        console.print(table)
        return console.export_text()


def _blocks(columns: list, cells: dict, limit: int) -> list[list]:
    """Columns packed greedily into blocks no wider than `limit`, the first column in each."""

    def need(col) -> int:  # text, one space of padding each side, one border
        return max([len(str(col)), *(len(c) for c in cells[col])]) + 3

    key, rest = columns[0], columns[1:]
    if not rest:
        return [columns]
    blocks: list[list] = []
    current: list = []
    used = 1 + need(key)  # the left border and the key column
    for col in rest:
        if current and used + need(col) > limit:
            blocks.append([key, *current])
            current, used = [], 1 + need(key)
        current.append(col)
        used += need(col)
    blocks.append([key, *current])
    return blocks


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
    if value is pd.NA:  # a missing count (a nullable integer column)
        return "-"
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
    and (after the first scenario) its delta to the first. After the KPIs: the target, the hires
    and cost meeting it takes, and, for an overloaded week, the Erlang A figures; a cost delta
    within the solvers' gap is marked `n.s.` (see `comparison_notes`)."""
    frame = comparison.frame
    keys = list(COMPARE_KEYS) + ([SIM_COMPARE_KEY] if simulate else [])
    base = frame.iloc[0]
    currency = f" ({frame['currency'].iloc[0]})"
    answers = "cost_to_target" in frame.columns
    rows = []
    for key in keys:
        title, digits = METRIC_TITLES[key]
        scale = 1.0
        if key == "cost":  # millions: the cells stay short enough for two scenarios a part
            title, digits, scale = f"cost (M {currency.strip(' ()')})", 1, 1e6
        row = {"metric": title}
        for i, rec in frame.iterrows():
            row[rec["scenario"]] = _delta_cell(
                _scaled(rec[key], scale),
                _scaled(base[key], scale) if i else None,
                digits,
                points=key.endswith("_pct"),
                significant=bool(rec.get(f"d_{key}_significant", True)),
            )
        rows.append(row)
    if answers:
        rows += _answer_rows(frame, currency)
    status = {"metric": "solver stopped"}
    gaps = {"metric": "solver gap %"}
    for _, rec in frame.iterrows():
        raw = str(rec["solver_status"])
        status[rec["scenario"]] = SOLVER_SHORT.get(raw, raw)
        gaps[rec["scenario"]] = f"{rec['gap_pct']:g}"
    rows += [status, gaps]
    return pd.DataFrame(rows)


# solver statuses in a few letters for the comparison table (the CSV keeps the full string)
SOLVER_SHORT: dict[str, str] = {
    SolveStatus.OPTIMAL: "optimal",
    SolveStatus.WITHIN_GAP: "at the gap",
    SolveStatus.WORK_LIMIT: "work limit",
    SolveStatus.TIME_LIMIT: "time limit",
    SolveStatus.START: "start",
}


def _scaled(value, scale: float):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return value
    return float(value) / scale


def _answer_rows(frame: pd.DataFrame, currency: str) -> list[dict]:
    base = frame.iloc[0]
    target = {"metric": "target"}
    hires = {"metric": "hires to meet it"}
    cost = {"metric": f"cost to meet it (M {currency.strip(' ()')})"}
    rows = [target, hires, cost]
    erlang = {key: {"metric": title} for key, title in ERLANG_A_TITLES.items()}
    for i, rec in frame.iterrows():
        name = rec["scenario"]
        target[name] = f"{rec['target_sl_pct']:g}% in {rec['target_s']:g} s"
        full, part = int(rec["hire_full_time"]), int(rec["hire_part_time"])
        hires[name] = "none" if full + part == 0 else f"+{full} FT, +{part} PT"
        cost[name] = _delta_cell(
            _scaled(rec["cost_to_target"], 1e6),
            _scaled(base["cost_to_target"], 1e6) if i else None,
            1,
            significant=bool(rec["d_cost_to_target_significant"]),
        )
        for key in ERLANG_A_TITLES:
            value = rec[f"erlang_a_{key}"]
            erlang[key][name] = "-" if value is None or pd.isna(value) else f"{value:,.1f}"
    if frame["erlang_a_answered_pct"].notna().any():
        rows += list(erlang.values())
    return rows


ERLANG_A_TITLES = {
    "answered_pct": "Erlang A answered %",
    "service_level_pct": "Erlang A SL %",
    "abandon_pct": "Erlang A abandon %",
    "asa_s": "Erlang A ASA s",
}


def comparison_notes(comparison: Comparison) -> str:
    """The footnotes under the comparison table (wrapped to the terminal)."""
    frame = comparison.frame
    if "cost_to_target" not in frame.columns:
        return ""
    lines = [
        "hires to meet it: the week's linear relaxation with hires beside the named agents (a "
        "lower estimate; FT = full-time, PT = part-time; where the roster sizes its own "
        "workforce, the full-time agents giving the missing hours); cost to meet it: the "
        "roster's cost "
        "plus each hire paid the contract minimum and the per-head cost."
    ]
    if not frame["d_cost_significant"].all() or not frame["d_cost_to_target_significant"].all():
        lines.append("n.s.: a difference smaller than the solvers' gap (may be solver noise).")
    patience = frame["erlang_a_patience_s"].dropna()
    if len(patience):
        lines.append(
            "Erlang A: the overloaded weeks with callers who hang up (mean patience "
            f"{', '.join(f'{p:g}' for p in sorted(set(patience)))} s; [service] patience_s, "
            "else assumed) instead of a queue that grows for ever."
        )
    return wrap_lines("\n".join(lines) + "\n")


def _delta_cell(value, base, digits: int, points: bool = False, significant: bool = True) -> str:
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
    mark = "" if significant else ", n.s."
    if points:
        return f"{text} ({delta:+,.{digits}f} pp{mark})"
    rel = f", {100 * delta / abs(base):+.0f}%" if base and abs(base) > 1e-9 else ""
    return f"{text} ({delta:+,.{digits}f}{rel}{mark})"
