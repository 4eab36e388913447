"""Agent groups: named agents grouped by what limits them (contract hours, no-night,
unavailable hours), and which tours fit a group.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from planner.schedule.files import parse_unavailable
from planner.schedule.rules import DAY_MIN, Rules
from planner.schedule.tours import (
    Tour,
)


@dataclass(frozen=True)
class Group:
    """Agents who can take exactly the same tours."""

    key: tuple
    agents: tuple[str, ...]  # empty for the anonymous workforce
    cap: int | None  # at most this many tours (None = unlimited)
    min_h: float
    max_h: float
    no_night: bool
    unavailable: tuple[tuple[int, int, int], ...]
    # from last week's roster: this week's first shift starts no earlier (minutes from the week
    # start; rest after last week's last shift) and works at most this many days in a row
    # from Monday (consecutive days across the boundary)
    earliest_start_min: int = -DAY_MIN
    max_lead_days: int = 7


def lead_days(tour: Tour) -> int:
    """Days the tour works in a row from the first day of the week."""
    count = 0
    while count in tour.days:
        count += 1
    return count


def tour_misfit(tour: Tour, group: Group, slack_min: int = 0) -> str | None:
    """Why a tour does not fit a group's agents (None = it fits); `slack_min` is how much
    earlier than its base a shift may start (start tolerance)."""
    hours = tour.paid_min / 60
    first = min(tour.days) * DAY_MIN + tour.shift.start_min - slack_min
    if first < group.earliest_start_min:
        return "rest after last week"
    if lead_days(tour) > group.max_lead_days:
        return "consecutive days across the weeks"
    if hours > group.max_h + 1e-9:
        return "contract hours"
    if hours < group.min_h - 1e-9:
        return "contract hours"
    if group.no_night and tour.shift.night_min > 0:
        return "no_night"
    for day in tour.days:
        if unavailable_clash(day * DAY_MIN + tour.shift.start_min, tour.shift.length_min, group):
            return "unavailable"
    return None


def unavailable_clash(a: int, length: int, group: Group) -> bool:
    """Does [a, a+length) (minutes from the week start) meet one of the group's unavailable
    spans?"""
    b = a + length
    for uday, lo, hi in group.unavailable:
        for wrap in (-7 * DAY_MIN, 0, 7 * DAY_MIN):
            ua, ub = uday * DAY_MIN + lo + wrap, uday * DAY_MIN + hi + wrap
            if a < ub and ua < b:
                return True
    return False


def make_groups(
    agents: pd.DataFrame | None,
    rules: Rules,
    queues: tuple[str, ...],
    boundary: dict[str, tuple[int, int]] | None = None,
    hires: bool = False,
) -> list[Group]:
    """Groups of agents who can take the same tours. `boundary`: agent -> (earliest start,
    most lead days) from last week's roster; `hires`: also an anonymous group (new agents)."""
    anonymous = Group(
        ("any",), (), rules.headcount_cap or None, rules.part_time_min_hours, math.inf, False, ()
    )
    if agents is None:
        return [anonymous]
    boundary = boundary or {}
    members: dict[tuple, list[str]] = defaultdict(list)
    for row in agents.itertuples(index=False):
        if queues and str(row.skills).strip():
            skills = {s.strip() for s in str(row.skills).split(";")}
            if not skills & set(queues):
                continue
        hours = row.weekly_hours
        if hours != hours:  # NaN: from the contract
            hours = rules.max_weekly_hours if row.contract == "full-time" else rules.part_time_hours
        max_h = min(float(hours), rules.max_weekly_hours)
        min_h = max(0.0, max_h - rules.contract_tolerance_h)
        edge = boundary.get(row.agent, (-DAY_MIN, 7))
        key = (min_h, max_h, bool(row.no_night), parse_unavailable(row.unavailable), *edge)
        members[key].append(row.agent)
    groups = []
    for key in sorted(members, key=repr):
        names = tuple(sorted(members[key]))
        groups.append(Group(key, names, len(names), *key))
    return [*groups, anonymous] if hires else groups
