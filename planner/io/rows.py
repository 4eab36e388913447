"""The one reader of timestamped rows that every file contract with a timestamp per row is
built on (History, Forecast, Requirements, Coverage, Roster): the CSV read into string cells,
its timestamp columns parsed, its numeric columns parsed and bounded, the `queue` column
checked, and a repeated row refused, each fault named by file, line and column."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.io.read import (
    display_name,
    parse_numbers,
    parse_timestamps,
    read_csv_rows,
    refuse_duplicate_rows,
)

DAILY_FORECAST = "the forecast is daily; staffing needs interval forecasts (15, 30 or 60 minutes)"


@dataclass(frozen=True)
class Number:
    """How one numeric column is read (see `parse_numbers`): the smallest and largest value
    allowed, whether it must be whole and whether a cell may be empty (read as NaN)."""

    minimum: float | None = 0.0
    integer: bool = False
    allow_empty: bool = False
    maximum: float | None = None


@dataclass(frozen=True)
class TimestampedRows:
    """A file read by `read_timestamped_rows`: `frame` holds the parsed columns (timestamps,
    numbers as floats, `queue` as strings) and `_line` (the file line of each row); `cells`
    the raw string cells of every column; `name` the file as messages name it."""

    frame: pd.DataFrame
    cells: pd.DataFrame
    name: str


StampParser = Callable[[pd.DataFrame, str, "str | os.PathLike"], pd.Series]


def read_timestamped_rows(
    path: str | os.PathLike,
    what: str,
    numbers: Mapping[str, Number],
    *,
    optional: Mapping[str, Number] | None = None,
    stamps: Sequence[str] = ("timestamp",),
    required: Sequence[str] = (),
    queue: bool = False,
    unique: bool = True,
    parse_stamps: StampParser = parse_timestamps,
) -> TimestampedRows:
    """Read the rows of a `what` file (`-` = stdin) in this order: the `stamps` columns as ISO
    dates or date-times (`parse_stamps`: another parser, such as local times from UTC offsets),
    the required `numbers`, the `optional` numbers present in the file, with `queue` the queue
    column when present (an empty name refused), and with `unique` a repeated timestamp (per
    queue) refused. `required`: further string columns the
    file must have (kept in `cells`). Raises InputError naming file:line and column."""
    optional = optional or {}
    cells = read_csv_rows(path, [*stamps, *numbers, *required], what)
    name = display_name(path)
    frame = pd.DataFrame(index=cells.index)
    for column in stamps:
        frame[column] = parse_stamps(cells, column, path).to_numpy()
    present = {c: spec for c, spec in optional.items() if c in cells.columns}
    for column, spec in [*numbers.items(), *present.items()]:
        values = parse_numbers(
            cells,
            column,
            path,
            minimum=spec.minimum,
            integer=spec.integer,
            allow_empty=spec.allow_empty,
            maximum=spec.maximum,
        )
        frame[column] = values.to_numpy()
    keys = [stamps[0]]
    if queue and "queue" in cells.columns:
        empty = (cells["queue"] == "").to_numpy()
        if empty.any():
            line = cells["_line"].iloc[int(np.flatnonzero(empty)[0])]
            raise InputError(f"{name}:{line}: column 'queue' is empty, expected a queue name")
        frame["queue"] = cells["queue"].to_numpy()
        keys.append("queue")
    frame["_line"] = cells["_line"].to_numpy()
    if unique:
        refuse_duplicate_rows(frame[keys], frame["_line"], name)
    return TimestampedRows(frame, cells, name)


def refuse_missing_aht(rows: TimestampedRows) -> None:
    """Refuse a row with calls but no handle time (`aht` empty or 0) in a file whose `aht`
    column was read with `read_timestamped_rows`; closed intervals (no calls) may leave it."""
    frame = rows.frame
    bad = ~(frame["aht"] > 0) & (frame["calls"] > 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{rows.name}:{frame['_line'].iloc[i]}: column 'aht' = "
            f"{rows.cells['aht'].iloc[i]!r}: expected a handle time in seconds above 0 where "
            "calls > 0"
        )


def smallest_step_s(stamps) -> float | None:
    """The interval length of a series of interval starts: the smallest step (s) between its
    distinct timestamps, None for a single one."""
    distinct = pd.DatetimeIndex(pd.unique(pd.DatetimeIndex(stamps))).sort_values()
    if len(distinct) < 2:
        return None
    # seconds from the first (not .asi8: pandas 3 may store s or us, not ns)
    offsets = np.asarray((distinct - distinct[0]).total_seconds(), dtype=float)
    return float(np.diff(offsets).min())
