"""Reading and validating call history: `read_history(path) -> History`.

History CSV (DESIGN.md): header row, `timestamp` and `calls` required, optional `aht` (seconds) and
`queue` (call type, long format: one row per queue and timestamp). Extra columns are ignored.

- Daily history: every timestamp is a date (or midnight) and rows are at least a day apart.
- Interval history: ISO date-times on a regular grid of `interval_min` minutes (a divisor of a
  day: 5, 6, 10, 15, 30, 60, ...). The base interval is the smallest step between consecutive rows
  of a queue; every other step must be a whole multiple of it (a larger step is a gap: closed or
  missing intervals), and every timestamp must sit on that grid from midnight.

Absent rows are not errors. How they are read (`planner.forecast` applies this rule):

- A *day* with no row at all is closed when its day type (Monday..Sunday, or public holiday) is
  mostly absent in the history (a weekdays-only line: weekends; a line closed on holidays:
  holidays), and missing data otherwise.
- An *interval* with no row on a day that has rows is closed when that interval of the day is
  absent on most recent days of the same day type (nights of a 07:00-21:00 line), and missing
  data otherwise (a gap inside an otherwise-open pattern).
- Closed days and intervals are forecast as 0; missing ones are left out of model fitting.

Bad input raises `InputError` naming file:line, the column and what was expected.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import io
from planner.errors import InputError

BUNDLED_HISTORY = "hotline_history.csv"
BUNDLED_BY_TYPE = "hotline_by_type.csv"
BUNDLED_TEMPERATURE = "temperature.csv"
MINUTES_PER_DAY = 24 * 60
MAX_GAP_DAYS = 366  # a longer gap between rows is taken for a typo in a year


@dataclass(frozen=True)
class History:
    """A validated call history.

    `frame`: columns `timestamp` (datetime64, interval start or day), `calls` (float),
    optional `aht` (seconds, float) and `queue` (str), sorted by queue then timestamp.
    `interval_min`: the base interval in minutes, or None for daily history.
    `queues`: the queue names in first-seen order (empty when there is no `queue` column).
    `source`: the file the history came from (for messages).
    """

    frame: pd.DataFrame
    interval_min: int | None
    queues: tuple[str, ...]
    source: str

    @property
    def has_aht(self) -> bool:
        return "aht" in self.frame.columns

    @property
    def is_daily(self) -> bool:
        return self.interval_min is None

    def total(self) -> pd.DataFrame:
        """Calls summed over queues per timestamp (`aht` as the calls-weighted mean)."""
        frame = self.frame
        if not self.queues:
            return frame.drop(columns=["queue"], errors="ignore").reset_index(drop=True)
        grouped = frame.groupby("timestamp", sort=True)
        out = grouped["calls"].sum().to_frame()
        if self.has_aht:
            work = (frame["calls"] * frame["aht"]).groupby(frame["timestamp"]).sum()
            out["aht"] = np.where(
                out["calls"] > 0, work / out["calls"].where(out["calls"] > 0), np.nan
            )
            # an interval with no calls keeps the plain mean of its queues' AHT
            plain = grouped["aht"].mean()
            out["aht"] = out["aht"].fillna(plain)
        return out.reset_index()

    def truncate(self, before: pd.Timestamp) -> History:
        """The history strictly before `before` (a day boundary)."""
        frame = self.frame[self.frame["timestamp"] < before].reset_index(drop=True)
        return History(frame, self.interval_min, self.queues, self.source)

    def last_day(self) -> pd.Timestamp:
        return self.frame["timestamp"].max().normalize()

    def first_day(self) -> pd.Timestamp:
        return self.frame["timestamp"].min().normalize()


def read_history(path: str | os.PathLike) -> History:
    """Read and validate a history CSV (`-` = stdin); see the module docstring for the rules."""
    name = io.display_name(path)
    rows = io.read_csv_rows(path, ["timestamp", "calls"], what="history file")
    calls = _numbers(rows, "calls", path)
    stamps = io.parse_timestamps(rows, "timestamp", path)
    frame = pd.DataFrame({"timestamp": stamps.to_numpy(), "calls": calls.to_numpy()})
    if "aht" in rows.columns:
        aht = _numbers(rows, "aht", path, allow_empty=True)
        frame["aht"] = aht.to_numpy()
    queues: tuple[str, ...] = ()
    if "queue" in rows.columns:
        empty = rows["queue"] == ""
        if empty.any():
            line = rows["_line"][empty].iloc[0]
            raise InputError(f"{name}:{line}: column 'queue' is empty, expected a queue name")
        frame["queue"] = rows["queue"].to_numpy()
        queues = tuple(dict.fromkeys(frame["queue"]))
    frame["_line"] = rows["_line"].to_numpy()

    keys = ["queue", "timestamp"] if queues else ["timestamp"]
    frame = frame.sort_values(keys, kind="mergesort").reset_index(drop=True)
    dup = frame.duplicated(keys, keep="first")
    if dup.any():
        row = frame[dup].iloc[0]
        where = f" for queue {row['queue']!r}" if queues else ""
        raise InputError(
            f"{name}:{row['_line']}: column 'timestamp' = {_iso(row['timestamp'])} is a duplicate"
            f"{where}, expected one row per timestamp{where}"
        )
    interval = _base_interval(frame, queues, name)
    if interval is not None and MINUTES_PER_DAY % interval:
        raise InputError(
            f"{name}: column 'timestamp' steps of {interval} min do not divide a day, "
            "expected 15-, 30- or 60-minute intervals (or another divisor of 24 h)"
        )
    _check_grid(frame, queues, interval, name)
    if interval is None:
        frame["timestamp"] = frame["timestamp"].dt.normalize()
    frame = frame.drop(columns=["_line"])
    if "aht" in frame.columns and frame["aht"].isna().all():
        frame = frame.drop(columns=["aht"])
    elif "aht" in frame.columns:
        frame["aht"] = _fill_aht(frame, queues)
    return History(frame, interval, queues, name)


def _numbers(rows: pd.DataFrame, column: str, path, allow_empty: bool = False) -> pd.Series:
    """Non-negative numbers, vectorised; on any bad cell `io.parse_numbers` names it."""
    raw = rows[column]
    values = pd.to_numeric(raw.replace("", np.nan), errors="coerce").astype(float)
    empty = raw == ""
    bad = (values.isna() & ~(empty & allow_empty)) | np.isinf(values) | (values < 0)
    if bad.any():
        return io.parse_numbers(rows, column, path, minimum=0, allow_empty=allow_empty)
    return values


def _iso(value: pd.Timestamp) -> str:
    return (
        value.strftime("%Y-%m-%dT%H:%M:%S")
        if value != value.normalize()
        else value.strftime("%Y-%m-%d")
    )


def _steps(frame: pd.DataFrame, queues: tuple[str, ...]) -> pd.Series:
    """Minutes from the previous row of the same queue (NaN on each queue's first row)."""
    diff = frame["timestamp"].diff()
    if queues:
        diff[frame["queue"] != frame["queue"].shift()] = pd.NaT
    return diff.dt.total_seconds() / 60.0


def _base_interval(frame: pd.DataFrame, queues: tuple[str, ...], name: str) -> int | None:
    """None for daily history, else the most common step in minutes (the smaller on a tie)."""
    stamps = frame["timestamp"]
    midnight = bool((stamps == stamps.dt.normalize()).all())
    steps = _steps(frame, queues)
    positive = steps.dropna()
    if midnight and (positive.empty or positive.min() >= MINUTES_PER_DAY):
        return None
    if positive.empty:
        raise InputError(
            f"{name}: only one interval row, expected a series of regular 15/30/60-minute intervals"
        )
    counts = positive.value_counts()
    base = float(min(counts.index[counts == counts.max()]))
    if base != math.floor(base) or base < 1:
        line = frame["_line"][steps == base].iloc[0]
        raise InputError(
            f"{name}:{line}: column 'timestamp' step of {base:g} min, expected whole minutes"
        )
    return int(base)


def _check_grid(
    frame: pd.DataFrame, queues: tuple[str, ...], interval: int | None, name: str
) -> None:
    steps = _steps(frame, queues)
    base = MINUTES_PER_DAY if interval is None else interval
    far = steps > MAX_GAP_DAYS * MINUTES_PER_DAY
    if far.any():  # most likely a typo in a year: forecasting would span the empty years
        i = int(np.flatnonzero(far.to_numpy())[0])
        row, prev = frame.iloc[i], frame.iloc[i - 1]
        raise InputError(
            f"{name}:{prev['_line']}: column 'timestamp' = {_iso(prev['timestamp'])} is "
            f"{steps.iloc[i] / MINUTES_PER_DAY:,.0f} days before the next row "
            f"({_iso(row['timestamp'])}, line {row['_line']}), expected gaps of at most "
            f"{MAX_GAP_DAYS} days (a wrong year?)"
        )
    bad = steps.notna() & (np.mod(steps.fillna(0), base) != 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        row = frame.iloc[i]
        raise InputError(
            f"{name}:{row['_line']}: column 'timestamp' = {_iso(row['timestamp'])} is "
            f"{steps.iloc[i]:g} min after the previous row, expected a whole multiple of the "
            f"{base}-minute interval (irregular steps)"
        )
    if interval is not None:
        minute = frame["timestamp"].dt.hour * 60 + frame["timestamp"].dt.minute
        off = (minute % interval != 0) | (frame["timestamp"].dt.second != 0)
        if off.any():
            row = frame[off].iloc[0]
            raise InputError(
                f"{name}:{row['_line']}: column 'timestamp' = {_iso(row['timestamp'])} is not on "
                f"the {interval}-minute grid from midnight, expected interval starts"
            )


def _fill_aht(frame: pd.DataFrame, queues: tuple[str, ...]) -> pd.Series:
    """Empty AHT cells (allowed when an interval had no calls) take the queue's median AHT."""
    aht = frame["aht"]
    if not aht.isna().any():
        return aht
    if queues:
        med = aht.groupby(frame["queue"]).transform("median")
        return aht.fillna(med).fillna(aht.median())
    return aht.fillna(aht.median())
