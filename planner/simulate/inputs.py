"""The simulation's inputs: the Roster and Requirements CSVs, the patience option, and the
demand and on-phone windows the queue runs on."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import io
from planner.errors import InputError

# --- reading the inputs --------------------------------------------------------------------


SIMULATED_REQUIREMENTS = ("agents", "staff", "service_level", "asa", "occupancy", "abandon")


def load_roster(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Roster CSV (`agent,start,end,breaks,paid_hours`) with the one Roster reader,
    `planner.io.read_roster`; errors name the file, line and column."""
    return io.read_roster(path)


def load_requirements(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Requirements CSV for the simulation with the one Requirements reader,
    `planner.io.read_requirements`: `timestamp,calls,aht` required (`aht` may be empty where
    there are no calls); `agents`, `staff`, `service_level`, `asa`, `occupancy`, `abandon` and
    `queue` kept when present."""
    frame = io.read_requirements(path, ("calls", "aht"), SIMULATED_REQUIREMENTS)
    return frame.drop(columns="_line")


def parse_patience(text: str | float | None) -> float | None:
    """`none` (or None) → no abandonment; otherwise the mean patience in seconds (> 0)."""
    if text is None:
        return None
    if isinstance(text, str) and text.strip().lower() in ("none", "inf", "infinite", ""):
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InputError(f"= {text!r}: expected seconds (> 0) or 'none'", "patience") from None
    if math.isinf(value):
        return None
    if not value > 0:
        raise InputError(f"= {text!r}: expected seconds (> 0) or 'none'", "patience")
    return value


# --- the model inputs ----------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """The pooled demand a simulation runs on: one row per interval over all queues."""

    timestamps: pd.DatetimeIndex  # interval starts
    calls: np.ndarray  # expected calls per interval
    aht: np.ndarray  # s
    interval_s: float
    origin: pd.Timestamp
    planned_sl: np.ndarray | None  # requirements' service_level, 0..1


def pooled_demand(requirements: pd.DataFrame, interval_min: int | None) -> Demand:
    """The requirements pooled per timestamp (calls summed, AHT and planned service level
    calls-weighted) on a regular grid of `interval_min` minutes (None: the smallest step)."""
    for col in ("timestamp", "calls", "aht"):
        if col not in requirements.columns:
            raise InputError(f"requirements: missing column {col!r}")
    if len(requirements) == 0:
        raise InputError("requirements: no intervals to simulate")
    frame = requirements[["timestamp", "calls", "aht"]].copy()
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    frame["calls"] = frame["calls"].astype(float)
    frame["aht"] = frame["aht"].astype(float)
    if (frame["calls"] < 0).any() or frame["calls"].isna().any():
        raise InputError("requirements: column 'calls' must be non-negative numbers")
    bad_aht = (frame["aht"].isna() | (frame["aht"] <= 0)) & (frame["calls"] > 0)
    if bad_aht.any():
        ts = frame["timestamp"][bad_aht].iloc[0]
        raise InputError(f"requirements: column 'aht' must be > 0 s where calls > 0 (at {ts})")
    # One pool of agents: queues (if any) are pooled per timestamp, AHT calls-weighted.
    total, pooled = io.calls_weighted_aht(frame["calls"], frame["aht"], frame["timestamp"])
    calls = total.to_numpy(float)
    aht = pooled.fillna(0.0).to_numpy(float)
    planned = None
    if "service_level" in requirements.columns:  # the plan's SL, calls-weighted likewise
        sl = pd.to_numeric(requirements["service_level"], errors="coerce").astype(float)
        pooled_sl = io.calls_weighted_aht(frame["calls"], sl, frame["timestamp"])[1]
        planned = np.where(calls > 0, pooled_sl.to_numpy(float), np.nan)
    if planned is not None and np.nanmax(np.append(planned, 0.0)) > 1.0:
        planned = planned / 100.0  # given in %: the Requirements CSV convention is 0..1
    stamps = pd.DatetimeIndex(total.index)
    # Seconds from the first interval (not .asi8: pandas 3 may store s or us, not ns).
    offsets = np.asarray((stamps - stamps[0]).total_seconds(), float)
    if interval_min is None:
        step = io.smallest_step_s(stamps)
        interval_s = 1800.0 if step is None else step
    else:
        interval_s = float(interval_min) * 60.0
    if interval_s <= 0:
        raise InputError("requirements: interval length must be positive")
    if np.any(np.abs(offsets / interval_s - np.round(offsets / interval_s)) > 1e-9):
        raise InputError(
            f"requirements: timestamps are not on a regular {interval_s / 60:g}-minute grid"
        )
    return Demand(stamps, calls, aht, interval_s, stamps[0], planned)


def _parse_breaks(value, start, end, where: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Breaks as sorted (start, end) pairs inside the shift, from text or from pairs."""
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return []
    pairs: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    if isinstance(value, str):
        try:
            pairs = io.parse_breaks(value)  # the Roster CSV's own `start/end;...` parser
        except InputError as exc:
            raise InputError(f"{where}: column 'breaks': {exc}") from None
    else:
        for item in value:
            b0, b1 = item
            pairs.append((pd.Timestamp(b0), pd.Timestamp(b1)))
    pairs = [
        (b0.tz_localize(None) if b0.tz else b0, b1.tz_localize(None) if b1.tz else b1)
        for b0, b1 in pairs
    ]
    pairs.sort()
    prev_end = start
    for b0, b1 in pairs:
        if b1 <= b0:
            raise InputError(
                f"{where}: column 'breaks': break {b0}/{b1} does not end after it starts"
            )
        if b0 < start or b1 > end:
            raise InputError(f"{where}: column 'breaks': break {b0}/{b1} is outside the shift")
        if b0 < prev_end:
            raise InputError(f"{where}: column 'breaks': break {b0}/{b1} overlaps another")
        prev_end = b1
    return pairs


def roster_windows(
    roster: pd.DataFrame, origin: pd.Timestamp, cycle_s: float | None = None
) -> list[tuple[list, list]]:
    """Per roster row (agent-shift), its on-phone windows as (starts, ends) lists in seconds
    from `origin`: the shift minus its breaks.

    With `cycle_s` (the horizon length) the roster is a cyclic week, as the scheduler builds it
    (`planner.roster.on_phone_counts`): a shift is moved by whole cycles so it starts inside
    [0, cycle_s), and the part of a shift that runs past the end (Sunday night into Monday)
    also covers the start of the horizon."""
    for col in ("start", "end"):
        if col not in roster.columns:
            raise InputError(f"roster: missing column {col!r}")
    starts = pd.to_datetime(roster["start"])
    ends = pd.to_datetime(roster["end"])
    breaks = roster["breaks"] if "breaks" in roster.columns else [None] * len(roster)
    lines = roster["_line"] if "_line" in roster.columns else range(2, len(roster) + 2)
    windows = []
    for start, end, brk, line in zip(starts, ends, breaks, lines, strict=True):
        where = f"roster:{line}"
        if pd.isna(start) or pd.isna(end) or end <= start:
            raise InputError(f"{where}: shift end {end} is not after start {start}")
        edges = [start]
        for b0, b1 in _parse_breaks(brk, start, end, where):
            edges += [b0, b1]
        edges.append(end)
        ws, we = [], []
        for w0, w1 in zip(edges[::2], edges[1::2], strict=True):
            if w1 > w0:
                ws.append((w0 - origin).total_seconds())
                we.append((w1 - origin).total_seconds())
        if cycle_s and ws:
            shift = math.floor(ws[0] / cycle_s) * cycle_s
            ws = [w - shift for w in ws]
            we = [w - shift for w in we]
            wrap = [i for i, w in enumerate(we) if w > cycle_s]
            ws = [ws[i] - cycle_s for i in wrap] + ws
            we = [we[i] - cycle_s for i in wrap] + we
        windows.append((ws, we))
    return windows
