"""Overtime caps across weeks: what each agent has worked so far in a month and a year, and
what they may still work on a given day.

The Labour Code caps overtime per month and per year (Art. 107, `max_overtime_month_h`,
`max_overtime_year_h`); one week's roster also holds its own week cap (`Rules.overtime_cap_h`).
An hour of overtime counts on the date its shift starts (a week running over the end of a
month is split by date). `OvertimeWorked` is the history (published weeks before this one, as
the plan store keeps them); `OvertimeTally` adds this week's hours to it, and its `room_h` is
the one answer the roster's hand-out of overtime, the rule checker and the intraday actions
all use.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from planner.schedule.rules import Rules

EPS = 1e-9


def _date(value) -> dt.date:
    return pd.Timestamp(value).date()


@dataclass(frozen=True)
class OvertimeWorked:
    """Overtime hours worked before a week: `(agent, year, month, hours)` entries, one per
    agent and month (months with none left out)."""

    hours: tuple[tuple[str, int, int, float], ...] = ()

    @classmethod
    def from_rows(cls, rows: pd.DataFrame | None) -> OvertimeWorked:
        """From Roster CSV rows (`agent`, `start`, `overtime_hours`; rows without the column
        count none), each row's overtime on the date its shift starts."""
        if rows is None or rows.empty or "overtime_hours" not in rows.columns:
            return cls()
        sums: dict[tuple[str, int, int], float] = defaultdict(float)
        for agent, start, hours in zip(
            rows["agent"], pd.to_datetime(rows["start"]), rows["overtime_hours"], strict=True
        ):
            if pd.notna(hours) and float(hours) > EPS:
                sums[str(agent), start.year, start.month] += float(hours)
        return cls(tuple((a, y, m, round(h, 6)) for (a, y, m), h in sorted(sums.items())))

    @property
    def agents(self) -> frozenset[str]:
        return frozenset(a for a, *_ in self.hours)

    def describe(self, first_day) -> str:
        """One line for the week's notes: what earlier weeks of its month and year used."""
        d = _date(first_day)
        month = sum(h for _, y, m, h in self.hours if (y, m) == (d.year, d.month))
        year = sum(h for _, y, _m, h in self.hours if y == d.year)
        most = max(
            (sum(h for a, y, _m, h in self.hours if a == agent and y == d.year))
            for agent in self.agents
        )
        return (
            f"overtime worked earlier (published weeks): {month:g} h in {d:%Y-%m}, {year:g} h "
            f"in {d.year} by {len(self.agents)} agents (at most {most:g} h one agent this "
            "year); this week's is held to what the month's and year's caps leave"
        )

    def tally(self) -> OvertimeTally:
        """A tally holding this history, to which the week's overtime is added."""
        return OvertimeTally(self)


class OvertimeTally:
    """Overtime per agent: by month and year (history and this week) and this week's."""

    def __init__(self, before: OvertimeWorked | None = None):
        self.month: dict[tuple[str, int, int], float] = defaultdict(float)
        self.year: dict[tuple[str, int], float] = defaultdict(float)
        self.week: dict[str, float] = defaultdict(float)
        for agent, year, month, hours in (before or OvertimeWorked()).hours:
            self.month[agent, year, month] += hours
            self.year[agent, year] += hours

    def add(self, agent: str, day, hours: float) -> None:
        """`hours` of this week's overtime for `agent` on the date `day`."""
        d = _date(day)
        self.month[agent, d.year, d.month] += hours
        self.year[agent, d.year] += hours
        self.week[agent] += hours

    def add_rows(self, rows: pd.DataFrame) -> None:
        """This week's rows (`agent`, `start`, `overtime_hours`)."""
        if rows.empty or "overtime_hours" not in rows.columns:
            return
        for agent, start, hours in zip(
            rows["agent"], rows["start"], rows["overtime_hours"], strict=True
        ):
            if pd.notna(hours) and float(hours) > EPS:
                self.add(str(agent), start, float(hours))

    def month_h(self, agent: str, day) -> float:
        d = _date(day)
        return self.month.get((agent, d.year, d.month), 0.0)

    def room_h(self, rules: Rules, agent: str, day) -> float:
        """Overtime `agent` may still work on the date `day`: the tightest of the week's cap
        (`Rules.overtime_cap_h`) less this week's, the month's cap less that month's so far
        and the year's cap less that year's so far (never below 0)."""
        d = _date(day)
        left = min(
            rules.overtime_cap_h - self.week.get(agent, 0.0),
            rules.max_overtime_month_h - self.month.get((agent, d.year, d.month), 0.0),
            rules.max_overtime_year_h - self.year.get((agent, d.year), 0.0),
        )
        return max(0.0, left)

    def breaches(self, rules: Rules) -> list[str]:
        """One message per agent with overtime this week and month or year over its cap."""
        caps = (
            ("max_overtime_month_h", rules.max_overtime_month_h,
             {(a, f"{y}-{m:02d}"): h for (a, y, m), h in self.month.items()}),
            ("max_overtime_year_h", rules.max_overtime_year_h,
             {(a, str(y)): h for (a, y), h in self.year.items()}),
        )  # fmt: skip
        return [
            f"{agent}: {hours:g} h of overtime in {period} > {key} {cap:g}"
            for key, cap, tally in caps
            for (agent, period), hours in sorted(tally.items())
            if agent in self.week and hours > cap + 1e-6
        ]


def week_parts(
    rules: Rules, before: OvertimeWorked, agents, week_start, n_days: int = 7
) -> tuple[tuple[tuple[int, ...], float, float], ...]:
    """The week split by month: per part, (its days, 0 = the week's Monday; the overtime
    `agents` may still work on those days in all; the most one of them may), from the
    history alone. For the roster model, which places overtime by shift and day, not by
    agent (the hand-out holds each agent to their own room)."""
    tally = before.tally()
    start = pd.Timestamp(week_start).normalize()
    parts: dict[tuple[int, int], list[int]] = {}
    for day in range(n_days):
        date = start + pd.Timedelta(days=day)
        parts.setdefault((date.year, date.month), []).append(day)
    out = []
    for days in parts.values():
        date = start + pd.Timedelta(days=days[0])
        rooms = [tally.room_h(rules, agent, date) for agent in agents]
        out.append((tuple(days), float(sum(rooms)), max(rooms, default=0.0)))
    return tuple(out)
