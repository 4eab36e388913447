"""Agent groups: named agents grouped by what limits them (contract hours, no-night,
unavailable hours), and which tours fit a group.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from planner.schedule.boundary import Edge, lead_days
from planner.schedule.files import parse_unavailable
from planner.schedule.rules import DAY_MIN, Rules
from planner.schedule.tours import Tour, night_minutes


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
    # (the loosest of its agents' when they differ: `edges` then holds each agent's, and the
    # model shares the group's tours out by a network, `planner.schedule.boundary`)
    earliest_start_min: int = -DAY_MIN
    max_lead_days: int = 7
    edges: tuple[Edge, ...] = ()  # per agent (as `agents`), when their boundaries differ
    # a named agent is paid whether rostered or not (an agents file); False for last week's
    # sized workforce carried over, whose rostered hours are paid as a sized week's are
    salaried: bool = True
    # more tours than agents allowed, the extra ones new hires at the per-head cost (last
    # week's sized workforce: a week may need more or fewer of them)
    overflow: bool = False
    # hours each agent is paid this week whether rostered or not (a salaried contract's
    # minimum: `min_hours`, by default the full-timers' contract hours); 0 = paid as rostered
    paid_min_h: float = 0.0


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


def group_may_work(first_min: int, length_min: int, group: Group | None, rules: Rules) -> bool:
    """Whether an agent of `group` may work [first, first+length) (minutes from the week
    start; overtime after the roster is drawn): not in the night when the group takes no night
    shifts, nor in its unavailable hours. None (a hire, a sized week's agent): yes."""
    if group is None:
        return True
    return hours_ruled_out(first_min, length_min, group.no_night, group.unavailable, rules) is None


def hours_ruled_out(
    first_min: int,
    length_min: int,
    no_night: bool,
    spans: tuple[tuple[int, int, int], ...],
    rules: Rules,
) -> str | None:
    """Why an agent with these limits (no night shifts; unavailable `spans`) may not work
    [first, first+length) (minutes from Monday 00:00), or None."""
    if no_night and night_minutes(first_min % DAY_MIN, length_min, rules) > 0:
        return "night hours for an agent with no_night"
    if spans_clash(first_min, length_min, spans):
        return "in the agent's unavailable hours"
    return None


def unavailable_clash(a: int, length: int, group: Group) -> bool:
    """Does [a, a+length) (minutes from the week start) meet one of the group's unavailable
    spans?"""
    return spans_clash(a, length, group.unavailable)


def spans_clash(a: int, length: int, spans: tuple[tuple[int, int, int], ...]) -> bool:
    """Does [a, a+length) (minutes from Monday 00:00) meet one of the unavailable `spans`
    ((day, from_min, to_min), `parse_unavailable`), the week wrapping?"""
    b = a + length
    for uday, lo, hi in spans:
        for wrap in (-7 * DAY_MIN, 0, 7 * DAY_MIN):
            ua, ub = uday * DAY_MIN + lo + wrap, uday * DAY_MIN + hi + wrap
            if a < ub and ua < b:
                return True
    return False


def _binding(edge: tuple[int, int] | None, rules: Rules) -> tuple[int, int]:
    """An agent's boundary with what cannot bind made the same: an earliest start before any
    shift of the week can start, lead days beyond the longest working week."""
    if edge is None:
        return -DAY_MIN, 7
    earliest, lead = edge
    if earliest < -rules.start_tolerance_min:
        earliest = -DAY_MIN
    if lead >= max(rules.days_per_week):
        lead = 7
    return earliest, lead


def guaranteed_hours(row, contract_h: float, rules: Rules) -> float:
    """Hours an agent of the agents file is paid each week, rostered or not: the file's
    `min_hours`, else the rules' share of the contract (`min_hours_full_time_pct` of a
    full-timer's, `min_hours_part_time_pct` of a part-timer's weekly hours)."""
    own = getattr(row, "min_hours", math.nan)
    if own == own:  # not NaN
        return float(own)
    pct = (
        rules.min_hours_full_time_pct
        if row.contract == "full-time"
        else rules.min_hours_part_time_pct
    )
    return contract_h * pct / 100.0


def make_groups(
    agents: pd.DataFrame | None,
    rules: Rules,
    queues: tuple[str, ...],
    boundary: dict[str, tuple[int, int]] | None = None,
    hires: bool = False,
    salaried: bool = True,
) -> list[Group]:
    """Groups of agents who can take the same tours. `boundary`: agent -> (earliest start,
    most lead days) from last week's roster (agents who differ only there share a group and
    its `edges`); `hires`: also an anonymous group (new agents); `salaried`: see `Group`."""
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
        paid_min = guaranteed_hours(row, float(hours), rules) if salaried else 0.0
        key = (min_h, max_h, bool(row.no_night), parse_unavailable(row.unavailable), paid_min)
        members[key].append(row.agent)
    groups = []
    for key in sorted(members, key=repr):
        names = tuple(sorted(members[key]))
        edges = [_binding(boundary.get(name), rules) for name in names]
        loosest = (min(e for e, _ in edges), max(c for _, c in edges))
        apart = tuple(edges) if len(set(edges)) > 1 else ()
        overflow = hires and not salaried
        groups.append(
            Group(key, names, len(names), *key[:4], *loosest, apart, salaried, overflow, key[4])
        )
    return [*groups, anonymous] if hires else groups
