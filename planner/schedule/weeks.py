"""Week after week: what last week's roster leaves to this one, and the rules checked across
the boundary from the two roster files alone.

With a previous roster the week is not wrapped: last week's shifts that run past Monday 00:00
cover this week's first hours (`spill_counts`), each agent's first shift this week starts at
least `min_rest_h` after their last one, and their working days in a row from last week count
against `max_consecutive_days` (`boundary_state`). Agents of last week keep their names.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.schedule.check import on_phone_counts
from planner.schedule.rules import DAY_MIN, Rules


def spill_counts(previous: pd.DataFrame, timestamps, interval_min: int) -> np.ndarray:
    """Agents on the phones per interval of this week from last week's shifts (no wrapping)."""
    return on_phone_counts(previous, timestamps, interval_min, cyclic=False)


def boundary_state(
    previous: pd.DataFrame, week_start: pd.Timestamp, rules: Rules
) -> dict[str, tuple[int, int]]:
    """agent -> (earliest start of this week's first shift in minutes from the week start,
    most days in a row this week may work from Monday)."""
    out = {}
    for agent, rows in previous.groupby("agent", sort=True):
        before = rows[rows["start"] < week_start]
        if before.empty:
            continue
        last_end = pd.Timestamp(before["end"].max())
        earliest = (last_end - week_start).total_seconds() / 60 + rules.min_rest_h * 60
        worked = {(pd.Timestamp(s).normalize() - week_start).days for s in before["start"]}
        trailing = 0
        while -(trailing + 1) in worked:
            trailing += 1
        out[str(agent)] = (
            math.ceil(earliest),
            max(0, rules.max_consecutive_days - trailing),
        )
    return out


def agents_from_previous(previous: pd.DataFrame, week_start: pd.Timestamp, rules: Rules):
    """The agents of last week's roster as an agents frame (their contract read from the hours
    they worked: full-time from `full_time_min_hours`), so they keep their names."""
    rows = previous[previous["start"] < week_start]
    hours = rows.groupby("agent", sort=True)["paid_hours"].sum()
    full = hours >= rules.full_time_min_hours - 1e-9
    return pd.DataFrame(
        {
            "agent": [str(a) for a in hours.index],
            "contract": np.where(full, "full-time", "part-time"),
            "weekly_hours": np.nan,
            "skills": "",
            "no_night": False,
            "unavailable": "",
            "preferred_start": "",
        }
    )


def check_weeks(previous: pd.DataFrame, current: pd.DataFrame, rules: Rules) -> list[str]:
    """The rules that cross the boundary, from the two roster files alone: rest between every
    two shifts of an agent, working days in a row, and the longest rest of each week."""
    both = pd.concat([previous, current], ignore_index=True)
    both["start"] = pd.to_datetime(both["start"])
    both["end"] = pd.to_datetime(both["end"])
    problems = []
    for agent, rows in both.groupby("agent", sort=True):
        rows = rows.sort_values("start")
        starts, ends = list(rows["start"]), list(rows["end"])
        for i in range(1, len(starts)):
            rest_h = (starts[i] - ends[i - 1]).total_seconds() / 3600
            if rest_h < rules.min_rest_h - 1e-9:
                problems.append(f"{agent}: rest of {rest_h:g} h before {starts[i]}")
        days = sorted({s.normalize() for s in starts})
        run = 1
        for a, b in zip(days, days[1:], strict=False):
            run = run + 1 if (b - a).days == 1 else 1
            if run > rules.max_consecutive_days:
                problems.append(f"{agent}: {run} working days in a row up to {b:%Y-%m-%d}")
        for monday in sorted({(s - pd.Timedelta(days=s.day_of_week)).normalize() for s in starts}):
            if not week_rest_ok(rows, monday, rules):
                problems.append(
                    f"{agent}: no rest of {rules.min_weekly_rest_h:g} h in the week "
                    f"of {monday:%Y-%m-%d}"
                )
    return problems


def week_rest_ok(rows: pd.DataFrame, week_start: pd.Timestamp, rules: Rules) -> bool:
    """Does one agent's week (Monday 00:00 + 7 days) hold a rest of `min_weekly_rest_h`?"""
    week_end = week_start + pd.Timedelta(minutes=7 * DAY_MIN)
    edges = [week_start]
    for s, e in sorted(zip(rows["start"], rows["end"], strict=True)):
        edges += [max(s, week_start), min(e, week_end)]
    edges.append(week_end)
    gaps = [(edges[i + 1] - edges[i]).total_seconds() / 3600 for i in range(0, len(edges) - 1, 2)]
    return max(gaps, default=168.0) >= rules.min_weekly_rest_h - 1e-9
