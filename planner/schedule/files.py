"""The schedule stage's files: Requirements, Agents and Roster CSVs in (validated, naming
file:line; the Requirements and Roster CSVs with the readers of `planner.io`), and the column
lists of the Roster and Coverage CSVs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import io
from planner.errors import InputError
from planner.io import MAX_STAFF, parse_breaks, read_roster
from planner.schedule.rules import DAY_NAMES, parse_clock

ROSTER_COLUMNS = [
    *("agent", "start", "end", "breaks", "paid_hours", "day", "night_hours"),
    "overtime_hours",
]
COVERAGE_COLUMNS = ["timestamp", "required", "scheduled", "shortfall"]

__all__ = [
    "COVERAGE_COLUMNS",
    "MAX_STAFF",
    "ROSTER_COLUMNS",
    "Requirements",
    "parse_breaks",
    "parse_unavailable",
    "read_agents",
    "read_requirements",
    "read_roster",
    "requirements_horizon",
]


@dataclass(frozen=True)
class Requirements:
    """A planning horizon of interval staff requirements (whole days from midnight)."""

    frame: pd.DataFrame  # timestamp, staff (summed over queues)
    interval_min: int
    queues: tuple[str, ...]
    source: str

    @property
    def n_days(self) -> int:
        return len(self.frame) * self.interval_min // (24 * 60)

    @property
    def week_start(self) -> pd.Timestamp:
        return self.frame["timestamp"].iloc[0]


def read_requirements(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Requirements CSV for the scheduler: `timestamp`, `staff`, `queue` (per-queue
    files keep one row per queue and interval) and `_line`, with the one Requirements reader,
    `planner.io.read_requirements`; InputError names file and line for a bad timestamp, a
    negative/non-numeric staff value or a repeated interval."""
    return io.read_requirements(path, required=("staff",))


def requirements_horizon(frame: pd.DataFrame, source: str = "requirements") -> Requirements:
    """Check a requirements frame is a regular grid of whole days and sum it over queues."""
    queues: tuple[str, ...] = ()
    keys = ["timestamp", "queue"] if "queue" in frame.columns else ["timestamp"]
    if "queue" in frame.columns:
        queues = tuple(sorted(frame["queue"].astype(str).unique()))
    lines = frame["_line"] if "_line" in frame else ["?"] * len(frame)
    io.refuse_duplicate_rows(frame[keys], lines, source)
    total = frame.groupby("timestamp", sort=True)["staff"].sum().reset_index()
    times = total["timestamp"]
    if len(times) < 2:
        raise InputError(f"{source}: needs at least one whole day of intervals")
    steps = times.diff().dropna().dt.total_seconds().div(60).unique()
    if len(steps) != 1 or steps[0] not in (15, 30, 60):
        raise InputError(
            f"{source}: timestamps must be a regular 15-, 30- or 60-minute grid without gaps; "
            f"found steps of {sorted(int(s) for s in steps)} min"
        )
    interval = int(steps[0])
    first = times.iloc[0]
    if first != first.normalize():
        raise InputError(f"{source}: the first interval must start at 00:00, got {first}")
    if (len(times) * interval) % (24 * 60):
        raise InputError(
            f"{source}: {len(times)} intervals of {interval} min are not whole days "
            f"({24 * 60 // interval} per day)"
        )
    return Requirements(total, interval, queues, source)


def read_agents(path: str | os.PathLike) -> pd.DataFrame:
    """Read an agents CSV: `agent` (required), optional `contract` (full-time/part-time),
    `weekly_hours`, `skills` (`;`-separated queues), `no_night` (yes/no), `unavailable`
    (`;`-separated `Mon` or `Sat 18:00-24:00` tokens), `preferred_start` (HH:MM), `min_hours`
    (hours paid each week whether rostered or not; empty: the rules' share of the contract).

    Returns a frame with those columns normalised; InputError names file:line for bad cells.
    """
    name = io.display_name(path)
    rows = io.read_csv_rows(path, ["agent"], "agents file")
    out = pd.DataFrame({"agent": rows["agent"]})
    if (out["agent"] == "").any():
        line = rows["_line"][out["agent"] == ""].iloc[0]
        raise InputError(f"{name}:{line}: column 'agent' is empty")
    dup = out["agent"].duplicated()
    if dup.any():
        raise InputError(
            f"{name}:{rows['_line'][dup].iloc[0]}: agent {out['agent'][dup].iloc[0]!r} repeated"
        )
    contract = (
        rows["contract"].str.lower() if "contract" in rows else pd.Series(["full-time"] * len(rows))
    )
    for value, line in zip(contract, rows["_line"], strict=True):
        if value not in ("full-time", "part-time", "ft", "pt", ""):
            raise InputError(
                f"{name}:{line}: column 'contract' = {value!r}: expected full-time or part-time"
            )
    out["contract"] = ["part-time" if c in ("part-time", "pt") else "full-time" for c in contract]
    if "weekly_hours" in rows:
        out["weekly_hours"] = io.parse_numbers(rows, "weekly_hours", path, allow_empty=True)
    else:
        out["weekly_hours"] = np.nan
    out["skills"] = rows.get("skills", "")
    if "min_hours" in rows:
        out["min_hours"] = io.parse_numbers(rows, "min_hours", path, allow_empty=True, maximum=168)
    else:
        out["min_hours"] = np.nan
    flags = rows["no_night"].str.lower() if "no_night" in rows else pd.Series([""] * len(rows))
    truthy = {"yes", "true", "1", "y", "x"}
    for value, line in zip(flags, rows["_line"], strict=True):
        if value not in truthy | {"no", "false", "0", "n", ""}:
            raise InputError(f"{name}:{line}: column 'no_night' = {value!r}: expected yes or no")
    out["no_night"] = [f in truthy for f in flags]
    out["unavailable"] = rows.get("unavailable", "")
    for value, line in zip(out["unavailable"], rows["_line"], strict=True):
        try:
            parse_unavailable(value)
        except InputError as exc:
            raise InputError(f"{name}:{line}: column 'unavailable': {exc}") from None
    out["preferred_start"] = rows.get("preferred_start", "")
    for value, line in zip(out["preferred_start"], rows["_line"], strict=True):
        if value:
            parse_clock(value, f"{name}:{line}: column 'preferred_start'")
    out["_line"] = rows["_line"].to_numpy()
    return out.reset_index(drop=True)


def parse_unavailable(text: str) -> tuple[tuple[int, int, int], ...]:
    """`Mon;Sat 18:00-24:00` -> ((day, from_min, to_min), ...) with day 0 = Monday."""
    out = []
    for token in filter(None, (t.strip() for t in str(text).split(";"))):
        parts = token.split()
        day = parts[0][:3].title()
        if day not in DAY_NAMES or len(parts) > 2:
            raise InputError(f"{token!r}: expected a day name (Mon..Sun), optionally HH:MM-HH:MM")
        lo, hi = 0, 24 * 60
        if len(parts) == 2:
            a, _, b = parts[1].partition("-")
            lo, hi = parse_clock(a, token), parse_clock(b, token)
            if hi <= lo:
                raise InputError(f"{token!r}: the hours must not wrap midnight; split it")
        out.append((DAY_NAMES.index(day), lo, hi))
    return tuple(out)
