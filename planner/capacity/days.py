"""What a week's roster can cover with a given number of agents: the agent-days limit.

The plan counts a week's supply in hours (contract hours, overtime hours). A roster is made of
agent-days: each agent works at most `days_per_agent` days a week (the longest tour of `[shifts]
days_per_week`, plus a rest-day shift when the roster has them, within `[labour]
max_consecutive_days` and 7), one shift a day, at most `longest_day_h` long (the longest shift,
lengthened by the longest overtime extension within `max_work_day_h`), with its meal break. Hours
of overtime lengthen a day; they add none. A week whose morning peaks and evenings need
different people can be short with every hour the plan counts, when the agents' days run out.

`days_limit` solves, for the week handed to the weekly run and for each week the plan covers
with overtime (`planner.capacity.build.plan_within_days`), a linear relaxation of that week's
roster of N agents (`requirements['staff']` per interval, the week wrapping, a shift of any
length up to the longest day starting in any interval, the meal break anywhere in it; at most
`days_per_agent` x N days in the week and at most N starting on each calendar day, since an
agent works one shift a day): the fewest agents that cover every interval (their agent-days are
`full_cover_days`), and the fewest staff-hours short with N agents for N on a grid below it. On
a line open five days a week the per-day rows bind (N agents give at most 5N days, not 6N); on
a 24/7 line the week's total does. That shortfall is convex in N (a linear programme's value in
one column's bound), so the tangents at the grid points (each from the value and the agents
column's reduced cost) bound it from below: `short_h(agents)` never says more than a roster
could do, and the plan takes them as linear cuts on the week's shortfall (in agent-days, K =
`days_per_agent` x N).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from planner.errors import SolverError
from planner.schedule.model import overtime_allowed
from planner.schedule.rules import Rules
from planner.schedule.solvers import stdout_to_stderr
from planner.staffing import interval_seconds

# agents at which the shortfall is solved, as fractions of those covering every interval
GRID = (1.0, 0.98, 0.96, 0.94, 0.92, 0.9, 0.87, 0.84, 0.8, 0.75, 0.7, 0.6, 0.5)


@dataclass(frozen=True)
class DaysLimit:
    """A week's agent-days limit: `days_per_agent`, `longest_day_h`, the agent-days of the
    fewest agents covering every interval (`full_cover_days`) and the tangents (K, staff-hours
    short at K, slope in staff-hours per agent-day, <= 0) of the shortfall against agent-days
    K = `days_per_agent` x agents."""

    week: str
    days_per_agent: int
    longest_day_h: float
    full_cover_days: float
    tangents: tuple[tuple[float, float, float], ...]

    def short_h(self, agents: float) -> float:
        """Staff-hours a roster of `agents` whole agents must leave short, at least."""
        days = agents * self.days_per_agent
        return max([0.0, *(v + slope * (days - k) for k, v, slope in self.tangents)])

    def agents_to_cover(self) -> float:
        return self.full_cover_days / self.days_per_agent

    def describe(self, agents: float) -> str:
        short = self.short_h(agents)
        head = (
            f"{self.week}: {agents:.1f} agents x {self.days_per_agent} days = "
            f"{agents * self.days_per_agent:,.0f} agent-days; covering every interval takes at "
            f"least {self.full_cover_days:,.0f} (days of at most {self.longest_day_h:g} h, the "
            f"meal break in them, one a day an agent; {self.agents_to_cover():.1f} agents)"
        )
        if short <= 1e-6:
            return head
        return f"{head}, so a roster stays at least {short:,.1f} staff-hours short whatever the overtime"


def days_per_agent(rules: Rules) -> int:
    """The most days one agent can work in a week under `rules` (see the module)."""
    extra = 1 if rules.rest_day_shifts and overtime_allowed(rules) else 0
    return min(7, rules.max_consecutive_days, max(rules.days_per_week) + extra)


def day_lengths_min(rules: Rules) -> list[int]:
    """Lengths (min) a working day may have: the shifts, and each lengthened by an overtime
    extension within the day's work cap."""
    cap = round(rules.max_work_day_h * 60)
    base = sorted({round(h * 60) for h in rules.shift_lengths_h})
    out = set(base)
    if overtime_allowed(rules):
        for length in base:
            for ext in rules.overtime_extensions_h:
                if length + round(ext * 60) <= cap:
                    out.add(length + round(ext * 60))
    return sorted(out)


def days_limit(
    requirements: pd.DataFrame, rules: Rules, week: str, agents: float | None = None
) -> DaysLimit:
    """The agent-days limit of the week whose requirements (`timestamp`, `staff`) are given
    (see the module). `agents`: when they cover every interval, the limit without its
    tangents (no shortfall at that many agents or more; the grid is not solved)."""
    need = np.asarray(requirements["staff"], float)
    n = len(need)
    interval = round(interval_seconds(requirements) / 60.0)
    hours = interval / 60.0
    lengths = day_lengths_min(rules)
    meal = math.floor(rules.meal_break_min / interval) if rules.meal_break_min > 0 else 0
    meal_from_min = rules.meal_break_from_h * 60
    per_agent = days_per_agent(rules)
    day = pd.to_datetime(requirements["timestamp"]).dt.normalize()
    day_of_slot = tuple(int(d) for d in pd.factorize(day)[0])
    rows = _matrix(interval, tuple(lengths), meal, meal_from_min, per_agent, day_of_slot)
    nx = rows.shifts
    lp = highspy.HighsLp()
    lp.num_col_ = nx + 2 * n + 1  # shifts, short_t, brk_t, agents
    lp.num_row_ = 2 * n + 2
    inf = highspy.kHighsInf
    lp.col_cost_ = np.r_[np.zeros(nx + 2 * n), 1.0]  # the fewest agents
    lp.col_lower_ = np.zeros(lp.num_col_)
    lp.col_upper_ = np.r_[np.full(nx, inf), np.zeros(n), np.full(n, inf), inf]
    lp.row_lower_ = np.r_[need, np.zeros(n), 0.0, -inf]
    lp.row_upper_ = np.r_[np.full(2 * n + 1, inf), 0.0]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = rows.starts
    lp.a_matrix_.index_ = rows.index
    lp.a_matrix_.value_ = rows.value
    with stdout_to_stderr():  # HiGHS's banner must not reach the data on stdout
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("presolve", "off")  # half the time of these small LPs
        h.passModel(lp)
        run = _DayCapped(h, rows, week)
        fewest = run()
        longest_h = max(lengths) / 60.0
        if agents is not None and agents >= fewest:
            return DaysLimit(week, per_agent, longest_h, per_agent * fewest, ())
        return DaysLimit(
            week,
            per_agent,
            longest_h,
            per_agent * fewest,
            _tangents(h, run, nx, n, hours, fewest, per_agent),
        )


@dataclass(frozen=True)
class _Rows:
    """The relaxation's matrix for one shape of week (`_matrix`): `shifts` columns of shifts,
    then short_t, brk_t and agents, by column (`starts`, `index`, `value`), without the
    calendar days' rows, which are kept by row (`day_starts`, `day_index`, `day_value`) for
    `_DayCapped` to add when a solution needs them."""

    shifts: int
    starts: np.ndarray
    index: np.ndarray
    value: np.ndarray
    start_day: np.ndarray  # calendar day (0 ..) of each shift's start
    day_starts: np.ndarray
    day_index: np.ndarray
    day_value: np.ndarray


class _DayCapped:
    """Runs the relaxation `h` with each calendar day's starts held to the agents (at most
    one shift a day an agent): the day rows are added the first time a solution starts more
    shifts on a day than it has agents, and kept (on a 24/7 line the week's total binds and
    they seldom are; the optimum is the same as with them from the start). Returns the
    objective."""

    def __init__(self, h: highspy.Highs, rows: _Rows, week: str):
        self.h, self.rows, self.week, self.capped = h, rows, week, False

    def __call__(self) -> float:
        value = _run(self.h, self.week)
        if self.capped:
            return value
        rows = self.rows
        x = np.asarray(self.h.getSolution().col_value)
        per_day = np.bincount(rows.start_day, weights=x[: rows.shifts])
        if per_day.max(initial=0.0) <= x[-1] + 1e-7:
            return value
        count = len(rows.day_starts) - 1
        inf = highspy.kHighsInf
        self.h.addRows(
            count, np.full(count, -inf), np.zeros(count), len(rows.day_index),
            rows.day_starts, rows.day_index, rows.day_value,
        )  # fmt: skip
        self.capped = True
        return _run(self.h, self.week)


@functools.lru_cache(maxsize=8)
def _matrix(
    interval: int,
    lengths: tuple[int, ...],
    meal: int,
    meal_from_min: float,
    per_agent: int,
    day_of_slot: tuple[int, ...],
) -> _Rows:
    """The relaxation's columns (compressed by column: starts, row indices, values) for a week
    of intervals of `interval` min on the calendar days `day_of_slot` (one per interval), days
    of `lengths` min, a meal break of `meal` intervals in days of at least `meal_from_min` min
    and `per_agent` days an agent: the same for every week of that shape (only the
    requirement, a row bound, differs), so built once."""
    n = len(day_of_slot)
    shifts = [
        (s, math.ceil(length / interval), meal if length >= meal_from_min else 0)
        for s in range(n)
        for length in lengths
    ]
    # columns: x (one per shift), short_t, brk_t, agents; rows: cover_t, break room_t, breaks,
    # the week's days (<= per_agent x agents); then by row each calendar day's starts (<= agents)
    starts, index, value = [0], [], []

    def column(entries):
        for row, coef in entries:
            index.append(row)
            value.append(coef)
        starts.append(len(index))

    breaks_row, days_row = 2 * n, 2 * n + 1
    for s, span, lost in shifts:
        slots = [(s + k) % n for k in range(min(span, n))]
        entries = [(t, 1.0) for t in sorted(slots)]
        if lost:
            entries += [(n + t, 1.0) for t in sorted(slots)]
            entries.append((breaks_row, -float(lost)))
        entries.append((days_row, 1.0))
        column(entries)
    for t in range(n):
        column([(t, 1.0)])
    for t in range(n):
        column([(t, -1.0), (n + t, -1.0), (breaks_row, 1.0)])
    column([(days_row, -float(per_agent))])
    agents_col = len(shifts) + 2 * n
    start_day = np.asarray([day_of_slot[s] for s, _, _ in shifts], dtype=np.int64)
    n_days = max(day_of_slot) + 1
    day_index, day_starts = [], [0]
    for d in range(n_days):
        day_index += [*np.flatnonzero(start_day == d).tolist(), agents_col]
        day_starts.append(len(day_index))
    day_value = np.ones(len(day_index))
    day_value[np.asarray(day_starts[1:]) - 1] = -1.0
    return _Rows(
        len(shifts),
        np.asarray(starts, dtype=np.int32),
        np.asarray(index, dtype=np.int32),
        np.asarray(value, float),
        start_day,
        np.asarray(day_starts, dtype=np.int32),
        np.asarray(day_index, dtype=np.int32),
        day_value,
    )


def _tangents(h, run, nx, n, hours, fewest, per_agent) -> tuple[tuple[float, float, float], ...]:
    """The tangents (K agent-days, staff-hours short, slope per agent-day) of the shortfall
    against the agents on the model `h` run by `run` (`_DayCapped`; see the module), at `GRID`
    x `fewest` agents."""
    inf = highspy.kHighsInf
    agents_col = nx + 2 * n
    # the shortfall against agents: shifts free, short priced in staff-hours, agents fixed
    h.changeColsCost(nx, np.arange(nx), np.zeros(nx))
    h.changeColsCost(n, np.arange(nx, nx + n), np.full(n, hours))
    h.changeColsBounds(n, np.arange(nx, nx + n), np.zeros(n), np.full(n, inf))
    h.changeColCost(agents_col, 0.0)
    tangents = []
    for share in GRID:
        count = fewest * share
        h.changeColBounds(agents_col, count, count)
        short = run()
        slope = min(0.0, float(h.getSolution().col_dual[agents_col]))
        tangents.append((per_agent * count, short, slope / per_agent))
    return tuple(tangents)


def _run(h: highspy.Highs, week: str) -> float:
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SolverError(
            f"HiGHS found no bound on {week}'s agent-days ({h.modelStatusToString(h.getModelStatus())})"
        )
    return float(h.getInfo().objective_function_value)
