"""One reader per file contract of DESIGN.md that the stages read back: Forecast, Requirements,
Coverage and Roster CSVs, each on `read_timestamped_rows` (the History CSV's reader,
`planner.history.read_history`, is built on it too, with its own local-time and grid rules).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from planner.errors import InputError
from planner.io.rows import (
    DAILY_FORECAST,
    Number,
    read_timestamped_rows,
    refuse_missing_aht,
    smallest_step_s,
)

MAX_STAFF = 100_000  # staff in one interval: far above any contact centre, far below a typo

# Every numeric column of the Requirements CSV, read the same way whoever reads it.
REQUIREMENTS_NUMBERS = {
    "calls": Number(),
    "aht": Number(allow_empty=True),  # closed intervals (no calls) may leave it empty
    "agents": Number(minimum=None),
    "staff": Number(maximum=MAX_STAFF),
    "service_level": Number(minimum=None),
    "asa": Number(minimum=None),
    "occupancy": Number(minimum=None),
    "abandon": Number(minimum=None),
}


def read_forecast(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Forecast CSV `timestamp,calls[,lower,upper][,aht][,queue]` (extra columns
    ignored), sorted by timestamp (and queue). Raises InputError naming the file, line and
    column of the first bad value, and for a daily forecast."""
    optional = {
        "lower": Number(allow_empty=True),
        "upper": Number(allow_empty=True),
        "aht": Number(allow_empty=True),
    }
    rows = read_timestamped_rows(
        path, "forecast CSV", {"calls": Number()}, optional=optional, queue=True
    )
    if "aht" in rows.frame.columns:
        refuse_missing_aht(rows)
    step = smallest_step_s(rows.frame["timestamp"])
    if step is not None and step >= 86400:
        raise InputError(f"{rows.name}: {DAILY_FORECAST}")
    keys = ["timestamp", "queue"] if "queue" in rows.frame.columns else ["timestamp"]
    out = rows.frame.drop(columns="_line")
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def read_requirements(
    path: str | os.PathLike, required: Sequence[str] = ("staff",), optional: Sequence[str] = ()
) -> pd.DataFrame:
    """Read a Requirements CSV (`timestamp,calls,aht,agents,staff,service_level,asa,occupancy`)
    into `timestamp`, the `required` numeric columns, those of `optional` present in the file
    (empty cells allowed), `queue` (per-queue files: one row per queue and interval) and
    `_line`. The scheduler needs `staff`; the simulation `calls,aht` and whatever else is
    there. Raises InputError naming file, line and column for a bad timestamp, a bad number,
    calls without a handle time, or a repeated interval."""
    numbers = {c: REQUIREMENTS_NUMBERS[c] for c in required}
    extra = {
        c: replace(REQUIREMENTS_NUMBERS[c], allow_empty=True) for c in optional if c not in numbers
    }
    rows = read_timestamped_rows(path, "requirements file", numbers, optional=extra, queue=True)
    if "aht" in rows.frame.columns and "calls" in rows.frame.columns:
        refuse_missing_aht(rows)
    return rows.frame


def read_coverage(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Coverage CSV (`timestamp,scheduled`, extra columns ignored) for reverse mode."""
    rows = read_timestamped_rows(path, "coverage CSV", {"scheduled": Number()})
    return rows.frame.drop(columns="_line")


def read_roster(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Roster CSV (`agent,start,end,breaks,paid_hours`, optional `day`, `night_hours`
    and `overtime_hours`) into a typed frame; every break must lie inside its shift."""
    rows = read_timestamped_rows(
        path,
        "roster file",
        {"paid_hours": Number()},
        optional={"night_hours": Number(), "overtime_hours": Number()},
        stamps=("start", "end"),
        required=("agent", "breaks"),
        unique=False,
    )
    cells, name = rows.cells, rows.name
    out = pd.DataFrame({"agent": cells["agent"]})
    out["start"] = rows.frame["start"]
    out["end"] = rows.frame["end"]
    out["breaks"] = cells["breaks"]
    out["paid_hours"] = rows.frame["paid_hours"]
    for s, e, b, line in zip(out["start"], out["end"], out["breaks"], cells["_line"], strict=True):
        if e <= s:
            raise InputError(f"{name}:{line}: shift end {e} is not after its start {s}")
        try:
            for bs, be in parse_breaks(b):
                if not (s <= bs < be <= e):
                    raise InputError(f"break {bs}/{be} is not inside the shift {s}/{e}")
        except InputError as exc:
            raise InputError(f"{name}:{line}: column 'breaks': {exc}") from None
    if "day" in cells:
        out["day"] = cells["day"]
    if "night_hours" in rows.frame:
        out["night_hours"] = rows.frame["night_hours"]
    if "overtime_hours" in rows.frame:
        out["overtime_hours"] = rows.frame["overtime_hours"]
    return out


def parse_breaks(text: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """A Roster CSV `breaks` cell, `start/end;start/end`, as a list of timestamp pairs."""
    out: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    if text is None or (isinstance(text, float) and text != text):  # NaN from pandas
        return out
    for pair in filter(None, (p.strip() for p in str(text).split(";"))):
        a, sep, b = pair.partition("/")
        if not sep:
            raise InputError(f"{pair!r}: expected start/end")
        try:
            out.append((pd.Timestamp(a), pd.Timestamp(b)))
        except ValueError:
            raise InputError(f"{pair!r}: expected ISO date-times start/end") from None
    return out
