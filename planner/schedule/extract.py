"""From integer tour and break counts to one roster row per agent-shift."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from planner.errors import SolverError
from planner.schedule.boundary import fits, tour_edge
from planner.schedule.files import ROSTER_COLUMNS
from planner.schedule.groups import group_may_work
from planner.schedule.model import Model
from planner.schedule.rules import DAY_MIN, DAY_NAMES, parse_clock
from planner.schedule.tours import Tour, night_minutes


def agent_count(var) -> int:
    """An integer variable's solved value as a count of agents (0 when unsolved)."""
    value = var.value()
    return 0 if value is None else int(round(value))


def extract_roster(model: Model, agents: pd.DataFrame | None) -> tuple[pd.DataFrame, list[str]]:
    """Turn integer tour and break counts into one row per agent-shift."""
    req = model.req
    week_start = req.week_start
    assignment: list[tuple[str, int]] = []  # (agent, tour index)
    unused: list[str] = []
    prefs = {}
    if agents is not None:
        prefs = {
            a: (parse_clock(p, "preferred_start") if p else None)
            for a, p in zip(agents["agent"], agents["preferred_start"], strict=True)
        }
    counter = 0
    taken = {name for group in model.groups for name in group.agents}
    group_of: dict[str, int] = {}
    for g, group in enumerate(model.groups):
        instances = []
        for (gg, i), var in sorted(model.y.items()):
            if gg == g:
                instances.extend([i] * agent_count(var))
        instances.sort(key=lambda i: _tour_key(model.tours[i]))
        if not group.agents:
            for i in instances:
                counter += 1
                while f"A{counter:03d}" in taken:  # hires next to last week's agents
                    counter += 1
                assignment.append((f"A{counter:03d}", i))
                group_of[f"A{counter:03d}"] = g
            continue
        names = list(group.agents)
        edges = dict(zip(names, group.edges, strict=True)) if group.edges else {}
        hired = len(instances) if group.overflow else 0  # tours beyond its agents: hires
        chosen = _match_preferences(
            names, instances, model.tours, prefs, edges, model.slack_min, hired
        )
        used = set()
        for name, i in chosen:
            if name is None:
                counter += 1
                while f"A{counter:03d}" in taken:
                    counter += 1
                name = f"A{counter:03d}"
            assignment.append((name, i))
            used.add(name)
            group_of[name] = g
        unused.extend(n for n in names if n not in used)
    unused.sort()
    # breaks: hand each worked (shift, day) its break offsets, agent by agent
    offsets: dict[tuple[int, int], list[int]] = {}
    for (s, day, off), var in sorted(model.b.items()):
        offsets.setdefault((s, day), []).extend([off] * agent_count(var))
    short_offsets: dict[tuple[int, int, int], list[int]] = {}
    for (s, day, k, off), var in sorted(model.sb.items()):
        short_offsets.setdefault((s, day, k), []).extend([off] * agent_count(var))
    shift_index = {s: k for k, s in enumerate(model.shifts)}
    moved = _hand_out_moves(model, assignment, group_of)
    rows = []
    worked: list[tuple[int, int]] = []  # each row's (shift, day), for the overtime hand-out
    n_days = req.n_days
    for agent, i in sorted(assignment):
        tour = model.tours[i]
        for base_day in tour.days:
            shift, day = tour.shift, base_day
            if (agent, base_day) in moved:
                s, move = moved[agent, base_day]
                shift, day = model.shifts[s], (base_day + move) % n_days
            s = shift_index[shift]
            start = week_start + pd.Timedelta(minutes=day * DAY_MIN + shift.start_min)
            end = start + pd.Timedelta(minutes=shift.length_min)
            spans = []
            if shift.break_min:
                pool = offsets.get((s, day), [])
                if not pool:
                    raise SolverError(f"internal: break counts do not match shift {shift.label}")
                spans.append((pool.pop(0), shift.break_min))
            for k in range(len(shift.short_offsets)):
                pool = short_offsets.get((s, day, k), [])
                if not pool:
                    raise SolverError(f"internal: short breaks do not match shift {shift.label}")
                spans.append((pool.pop(0), shift.short_min))
            parts = []
            for off, length in sorted(spans):
                bs = start + pd.Timedelta(minutes=off)
                be = bs + pd.Timedelta(minutes=length)
                parts.append(f"{bs:%Y-%m-%dT%H:%M:%S}/{be:%Y-%m-%dT%H:%M:%S}")
            breaks = ";".join(parts)
            rows.append(
                (
                    agent,
                    start,
                    end,
                    breaks,
                    shift.length_min / 60.0,
                    DAY_NAMES[start.day_of_week],
                    shift.night_min / 60.0,
                    0.0,
                )
            )
            worked.append((s, day))
    rows = _hand_out_overtime(model, rows, worked)
    roster = pd.DataFrame(rows, columns=ROSTER_COLUMNS)
    roster = roster.sort_values(["agent", "start"], kind="stable").reset_index(drop=True)
    return roster, unused


def _hand_out_overtime(model: Model, rows: list[tuple], worked: list[tuple[int, int]]):
    """The solver's overtime counts per (shift, day, minutes) go to agents on that shift
    that day, those with the least overtime in the month so far first (then by name), never
    past what an agent has left of the week's, month's and year's caps (`OvertimeTally.room_h`,
    with the overtime worked in earlier weeks, `Model.ot_before`) nor into their rest (an
    extension after one shift and another before the next), nor into a no-night agent's
    night hours or an agent's unavailable hours: an extension no agent can take is dropped,
    and the coverage, recomputed from the rows, says so. A row's end, paid and night hours
    grow by its extension, and `overtime_hours` records it."""
    if not model.ot:
        return rows
    rules = model.rules
    tally = model.ot_before.tally()
    holders: dict[tuple[int, int], list[int]] = defaultdict(list)
    for r, key in enumerate(worked):
        holders[key].append(r)
    out = list(rows)
    by_agent: dict[str, list[int]] = defaultdict(list)
    for r, row in enumerate(rows):
        by_agent[row[0]].append(r)
    horizon = pd.Timedelta(days=model.req.n_days)
    group_of = {name: group for group in model.groups for name in group.agents}
    week_start = model.req.week_start

    def agent_free(r: int, ext: int) -> bool:
        """Whether the agent of row `r` may work its extension by `ext` minutes: not into the
        night when they take no night shifts, nor into their unavailable hours."""
        begin = out[r][2] if ext > 0 else out[r][1] + pd.Timedelta(minutes=ext)
        first = int((begin - week_start).total_seconds() // 60)
        return group_may_work(first, abs(ext), group_of.get(out[r][0]), rules)

    def rest_kept(r: int, ext: int) -> bool:
        """The agent's rest before and after row `r` extended by `ext` minutes (< 0: earlier),
        against their other rows as they stand (cyclic over the week when the model is)."""
        start, end = out[r][1], out[r][2]
        if ext > 0:
            end = end + pd.Timedelta(minutes=ext)
        else:
            start = start + pd.Timedelta(minutes=ext)
        spans = sorted(
            (out[k][1], out[k][2]) if k != r else (start, end) for k in by_agent[out[r][0]]
        )
        gaps = [b[0] - a[1] for a, b in zip(spans, spans[1:], strict=False)]
        if model.cyclic:
            gaps.append(spans[0][0] + horizon - spans[-1][1])
        hours = [g.total_seconds() / 3600 for g in gaps]
        if not hours:
            return True
        return min(hours) >= rules.min_rest_h - 1e-9 and (
            max(hours) >= rules.min_weekly_rest_h - 1e-9
        )

    def on(r: int, ext: int) -> pd.Timestamp:
        """The date row `r` starts on once extended by `ext` (its overtime counts there)."""
        return out[r][1] + pd.Timedelta(minutes=min(ext, 0))

    for (s, day, ext), var in sorted(model.ot.items()):
        hours = abs(ext) / 60.0
        for _ in range(agent_count(var)):
            free = [
                r
                for r in holders.get((s, day), [])
                if out[r][7] == 0
                and hours <= tally.room_h(rules, out[r][0], on(r, ext)) + 1e-9
                and rest_kept(r, ext)
                and agent_free(r, ext)
            ]
            if not free:
                break
            r = min(free, key=lambda r: (tally.month_h(out[r][0], on(r, ext)), out[r][0]))
            agent, start, end, breaks, paid, dname, _night, _ot = out[r]
            shift = model.shifts[s]
            first = shift.start_min if ext > 0 else shift.start_min + ext
            night = night_minutes(first % DAY_MIN, shift.length_min + abs(ext), rules) / 60.0
            if ext > 0:
                end = end + pd.Timedelta(minutes=ext)
            else:
                start = start + pd.Timedelta(minutes=ext)
            out[r] = (agent, start, end, breaks, paid + hours, dname, night, hours)
            tally.add(agent, start, hours)
    return out


def _hand_out_moves(model: Model, assignment, group_of) -> dict[tuple[str, int], tuple[int, int]]:
    """(agent, day) -> (variant shift index, day move) for the agents who start off their
    tour's base time that day: per (group, tour, day) the solver's move counts go to the
    tour's agents in name order, so the same agents tend to move on every day."""
    if not model.v:
        return {}
    holders: dict[tuple[int, int], list[str]] = defaultdict(list)
    for agent, i in sorted(assignment):
        holders[group_of[agent], i].append(agent)
    options = {i: {d: (s, move) for d, s, move in opts} for i, opts in model.variants.items()}
    counts: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for (g, i, day, delta), var in sorted(model.v.items()):
        counts[g, i, day].extend([delta] * agent_count(var))
    out = {}
    for (g, i, day), deltas in sorted(counts.items()):
        agents = holders.get((g, i), [])
        if len(deltas) > len(agents):
            raise SolverError("internal: more start moves than agents on a tour")
        for agent, delta in zip(agents, deltas, strict=False):
            out[agent, day] = options[i][delta]
    return out


def _tour_key(tour: Tour):
    return (tour.shift.start_min, tour.shift.length_min, tour.days)


NO_FIT = 1e6  # the cost of handing a tour to an agent whose rest or days in a row forbid it


HIRE = 1e4  # the cost of handing a tour to a hire rather than to one of the group's agents


def _match_preferences(
    names, instances, tours, prefs, edges=None, slack_min: int = 0, hired: int = 0
) -> list[tuple[str | None, int]]:
    """Give a group's tours to its agents, closest preferred start first (min-cost matching);
    with `edges` (agent -> boundary from last week) only to agents who may take them; with
    `hired` > 0, up to that many tours to new hires (name None), as few as possible."""
    if not instances:
        return []
    from scipy.optimize import linear_sum_assignment

    cost = np.zeros((len(names) + hired, len(instances)))
    cost[len(names) :, :] = HIRE
    names = [*names, *([None] * hired)]
    for a, name in enumerate(names):
        if name is None:
            continue
        pref = prefs.get(name)
        edge = (edges or {}).get(name)
        for k, i in enumerate(instances):
            if pref is not None:
                diff = abs(tours[i].shift.start_min - pref)
                cost[a, k] = min(diff, DAY_MIN - diff) / 60.0
            if edge is not None and not fits(edge, tour_edge(tours[i], slack_min)):
                cost[a, k] += NO_FIT
    rows, cols = linear_sum_assignment(cost)
    if cost[rows, cols].max() >= NO_FIT:
        raise SolverError("internal: a tour went to an agent whose rest does not allow it")
    return [(names[r], instances[c]) for r, c in zip(rows, cols, strict=True)]
