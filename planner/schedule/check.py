"""A roster checked from its rows alone: `on_phone_counts` recomputes coverage and
`check_roster_rules` re-checks the labour rules (and, given the agents file, each agent's
no-night flag and unavailable hours: `agent_hours_problems`), so tests and benchmarks can verify a roster
without trusting the optimiser that built it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.schedule.caps import OvertimeTally, OvertimeWorked
from planner.schedule.files import parse_breaks, parse_unavailable
from planner.schedule.groups import hours_ruled_out
from planner.schedule.rules import DAY_MIN, Rules
from planner.schedule.tours import night_minutes


def on_phone_counts(
    roster: pd.DataFrame,
    timestamps,
    interval_min: int,
    cyclic: bool = True,
) -> np.ndarray:
    """Agents on the phones per interval, from roster rows only (inside a shift, not on a break).

    A break that covers part of an interval counts pro rata (a 45-min break takes 1.5 half-hour
    intervals), so counts may be fractional. With `cyclic` (the default, matching the
    scheduler's cyclic week) time past the end of the horizon wraps to its start, so a Sunday
    night shift covers Monday's first hours.
    """
    times = pd.DatetimeIndex(pd.to_datetime(timestamps))
    n = len(times)
    counts = np.zeros(n)
    if n == 0 or roster.empty:
        return counts
    origin = times[0]
    minutes = np.zeros(n * interval_min + 1)  # difference array per minute of the horizon
    horizon = n * interval_min

    def add(start, end, sign):
        a = int((pd.Timestamp(start) - origin).total_seconds() // 60)
        b = int((pd.Timestamp(end) - origin).total_seconds() // 60)
        if cyclic:
            shift = (a // horizon) * horizon
            a, b = a - shift, b - shift
            while b > 0:
                lo, hi = max(a, 0), min(b, horizon)
                if lo < hi:
                    minutes[lo] += sign
                    minutes[hi] -= sign
                a, b = a - horizon, b - horizon
        else:
            lo, hi = max(a, 0), min(b, horizon)
            if lo < hi:
                minutes[lo] += sign
                minutes[hi] -= sign

    for row in roster.itertuples(index=False):
        add(row.start, row.end, 1)
        for bs, be in parse_breaks(row.breaks):
            add(bs, be, -1)
    per_minute = np.cumsum(minutes)[:horizon]
    counts = per_minute.reshape(n, interval_min).mean(axis=1)
    return np.round(counts, 9)


def coverage_frame(timestamps, required, scheduled) -> pd.DataFrame:
    """The Coverage CSV frame: timestamp, required, scheduled, shortfall."""
    required = np.asarray(required, dtype=float)
    scheduled = np.round(np.asarray(scheduled, dtype=float), 6)
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime(timestamps),
            "required": required,
            "scheduled": scheduled,
            "shortfall": np.round(np.maximum(required - scheduled, 0.0), 6),
        }
    )


def check_roster_rules(
    roster: pd.DataFrame,
    rules: Rules,
    horizon_days: int = 7,
    overtime_before: OvertimeWorked | None = None,
    agents: pd.DataFrame | None = None,
) -> list[str]:
    """Re-check the labour rules from roster rows alone; return one message per breach.

    Checks: rest between consecutive shifts of an agent (cyclic over the horizon), longest
    consecutive rest in the week, weekly ordinary hours (paid less `overtime_hours`), daily
    ordinary hours and a day's work with its overtime (`max_work_day_h`), the week's overtime
    (`Rules.overtime_cap_h`), the month's and year's overtime (`max_overtime_month_h`,
    `max_overtime_year_h`: the rows' `overtime_hours` on the dates their shifts start, plus
    `overtime_before`, what earlier weeks worked), paid hours = end - start,
    meal breaks (length, inside the shift), night premium hours, and with
    `short_break_min` > 0 the short breaks (count, length, no overlap with the meal break);
    with `agents` (the agents file) also `agent_hours_problems`.
    """
    problems = []
    horizon = pd.Timedelta(days=horizon_days)
    for agent, rows in roster.groupby("agent", sort=True):
        rows = rows.sort_values("start")
        starts = list(rows["start"])
        ends = list(rows["end"])
        overtime = rows["overtime_hours"] if "overtime_hours" in rows else 0.0 * rows["paid_hours"]
        paid = float(rows["paid_hours"].sum()) - float(overtime.sum())
        if paid > rules.max_weekly_hours + 1e-9:
            problems.append(f"{agent}: {paid:g} ordinary paid hours > max_weekly_hours")
        if float(overtime.sum()) > rules.overtime_cap_h + 1e-9:
            problems.append(
                f"{agent}: {float(overtime.sum()):g} h of overtime > the week's cap "
                f"{rules.overtime_cap_h:g} h (max_overtime_week/month/year_h)"
            )
        gaps = []
        for i in range(len(starts)):
            nxt = starts[i + 1] if i + 1 < len(starts) else starts[0] + horizon
            gaps.append((nxt - ends[i]).total_seconds() / 3600)
        if gaps and min(gaps) < rules.min_rest_h - 1e-9:
            problems.append(f"{agent}: rest of {min(gaps):g} h < min_rest_h")
        if gaps and max(gaps) < rules.min_weekly_rest_h - 1e-9:
            problems.append(f"{agent}: longest rest {max(gaps):g} h < min_weekly_rest_h")
        for row, extra in zip(rows.itertuples(index=False), overtime, strict=True):
            hours = (row.end - row.start).total_seconds() / 3600
            if abs(hours - row.paid_hours) > 1e-6:
                problems.append(f"{agent}: paid_hours {row.paid_hours} != shift length {hours:g}")
            if hours - extra > rules.max_daily_hours + 1e-9:
                problems.append(f"{agent}: shift of {hours - extra:g} h > max_daily_hours")
            if hours > rules.max_work_day_h + 1e-9:
                problems.append(f"{agent}: {hours:g} h of work in a day > max_work_day_h")
            brks = parse_breaks(row.breaks)
            if hours >= rules.meal_break_from_h and rules.meal_break_min > 0:
                start_min = row.start.hour * 60 + row.start.minute
                night = night_minutes(start_min, round(hours * 60), rules)
                need = rules.meal_break_min
                if night >= rules.night_shift_min_h * 60:
                    need = max(need, rules.night_meal_break_min)
                longest = max(((be - bs).total_seconds() / 60 for bs, be in brks), default=0)
                if longest < need:
                    problems.append(f"{agent} {row.start}: meal break {longest:g} min < {need} min")
            for bs, be in brks:
                if not (row.start <= bs < be <= row.end):
                    problems.append(f"{agent} {row.start}: break {bs} outside the shift")
            if rules.short_break_min > 0 and hours >= rules.short_break_from_h:
                problems.extend(_short_break_problems(agent, row, hours, brks, rules))
    tally = OvertimeTally(overtime_before)
    tally.add_rows(roster)
    problems.extend(tally.breaches(rules))
    if agents is not None:
        problems.extend(agent_hours_problems(roster, agents, rules))
    return problems


AgentLimits = dict[str, tuple[bool, tuple[tuple[int, int, int], ...]]]


def agent_limits(agents: pd.DataFrame) -> AgentLimits:
    """agent -> (no_night, unavailable spans) from the agents file (`read_agents`)."""
    return {
        str(row.agent): (bool(row.no_night), parse_unavailable(row.unavailable))
        for row in agents.itertuples(index=False)
    }


def hours_clash(limits: AgentLimits, agent: str, start: pd.Timestamp, minutes: int, rules: Rules):
    """Why `agent` may not work `minutes` from `start` (night hours with no_night, or their
    unavailable hours), or None; agents not in `limits` (hires) work any hours."""
    no_night, spans = limits.get(str(agent), (False, ()))
    if not no_night and not spans:
        return None
    first = start.day_of_week * DAY_MIN + start.hour * 60 + start.minute
    return hours_ruled_out(first, minutes, no_night, spans, rules)


def agent_hours_problems(roster: pd.DataFrame, agents: pd.DataFrame, rules: Rules) -> list[str]:
    """Rows that put an agent of the agents file (`read_agents`: `no_night`, `unavailable`)
    on hours they do not work (`hours_clash`)."""
    limits = agent_limits(agents)
    problems = []
    for row in roster.itertuples(index=False):
        minutes = round((row.end - row.start).total_seconds() / 60)
        why = hours_clash(limits, row.agent, row.start, minutes, rules)
        if why is not None:
            problems.append(f"{row.agent} {row.start}: {why}")
    return problems


def _short_break_problems(agent, row, hours, brks, rules: Rules) -> list[str]:
    """The short breaks of one shift: the right number, each `short_break_min` long, none
    overlapping another break (the meal break being the longest one, when the shift has one)."""
    out = []
    lengths = sorted(((be - bs).total_seconds() / 60, bs, be) for bs, be in brks)
    has_meal = hours >= rules.meal_break_from_h and rules.meal_break_min > 0
    shorts = lengths[:-1] if has_meal and lengths else lengths
    if len(shorts) != rules.short_breaks_per_shift:
        out.append(
            f"{agent} {row.start}: {len(shorts)} short breaks, expected "
            f"{rules.short_breaks_per_shift}"
        )
    for minutes, bs, _ in shorts:
        if abs(minutes - rules.short_break_min) > 1e-9:
            out.append(f"{agent} {row.start}: short break at {bs} of {minutes:g} min")
    spans = sorted((bs, be) for bs, be in brks)
    for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False):
        if b_start < a_end:
            out.append(f"{agent} {row.start}: breaks overlap at {b_start}")
    return out
