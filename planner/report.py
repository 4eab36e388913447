"""Rendering results for people and programs: rich tables, CSV/JSON output, charts, workbooks."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator

import pandas as pd
from rich.console import Console
from rich.table import Table

from planner import io


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


@contextlib.contextmanager
def terminal_progress(
    label: str, total: int | None = None, enabled: bool | None = None
) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr, only when stderr is a terminal (never under cron).

    Yields a `progress(done, total)` callback for long work (backtest folds, simulation
    replications), or None when disabled."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int, of: int) -> None:
            bar.update(task, completed=done, total=of)

        yield update
