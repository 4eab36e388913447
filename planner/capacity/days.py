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
roster (`requirements['staff']` per interval, the week wrapping, a shift of any length up to
the longest day starting in any interval, the meal break anywhere in it): the fewest agent-days
that cover every interval (`full_cover_days`), and the fewest staff-hours short with K agent-days for
K on a grid below it. That shortfall is convex in K (a linear programme's value in one
right-hand side), so the tangents at the grid points (each from the value and the days row's
dual) bound it from below: `short_h(agents)` never says more than a roster could do, and the
plan takes them as linear cuts on the week's shortfall.
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

# agent-days at which the shortfall is solved, as fractions of those covering every interval
GRID = (1.0, 0.98, 0.96, 0.94, 0.92, 0.9, 0.87, 0.84, 0.8, 0.75, 0.7, 0.6, 0.5)


@dataclass(frozen=True)
class DaysLimit:
    """A week's agent-days limit: `days_per_agent`, `longest_day_h`, the fewest agent-days
    covering every interval (`full_cover_days`) and the tangents (K, staff-hours short at K,
    slope in staff-hours per agent-day, <= 0) of the shortfall against agent-days K."""

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
            f"meal break in them; {self.agents_to_cover():.1f} agents)"
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
    """The agent-days limit of the week whose requirements are given (see the module).
    `agents`: when their days cover every interval, the limit without its tangents (no
    shortfall at that many agents or more; the grid is not solved)."""
    need = np.asarray(requirements["staff"], float)
    n = len(need)
    interval = round(interval_seconds(requirements) / 60.0)
    hours = interval / 60.0
    lengths = day_lengths_min(rules)
    meal = math.floor(rules.meal_break_min / interval) if rules.meal_break_min > 0 else 0
    meal_from_min = rules.meal_break_from_h * 60
    nx, starts, index, value = _matrix(n, interval, tuple(lengths), meal, meal_from_min)
    lp = highspy.HighsLp()
    lp.num_col_ = nx + 2 * n
    lp.num_row_ = 2 * n + 2
    inf = highspy.kHighsInf
    lp.col_cost_ = np.r_[np.ones(nx), np.zeros(2 * n)]
    lp.col_lower_ = np.zeros(lp.num_col_)
    lp.col_upper_ = np.r_[np.full(nx, inf), np.zeros(n), np.full(n, inf)]
    lp.row_lower_ = np.r_[need, np.zeros(n), 0.0, -inf]
    lp.row_upper_ = np.full(lp.num_row_, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    with stdout_to_stderr():  # HiGHS's banner must not reach the data on stdout
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("presolve", "off")  # half the time of these small LPs
        h.passModel(lp)
        full = _run(h, week)
        if agents is not None and agents * days_per_agent(rules) >= full:
            return DaysLimit(week, days_per_agent(rules), max(lengths) / 60.0, full, ())
        return _limit(h, week, rules, nx, n, hours, full_days=full, lengths=lengths)


@functools.lru_cache(maxsize=8)
def _matrix(n: int, interval: int, lengths: tuple[int, ...], meal: int, meal_from_min: float):
    """The relaxation's columns (compressed by column: starts, row indices, values) for a week
    of `n` intervals of `interval` min, days of `lengths` min and a meal break of `meal`
    intervals in days of at least `meal_from_min` min: the same for every week (only the
    requirement, a row bound, differs), so built once."""
    shifts = [
        (s, math.ceil(length / interval), meal if length >= meal_from_min else 0)
        for s in range(n)
        for length in lengths
    ]
    # columns: x (one per shift), short_t, brk_t; rows: cover_t, break room_t, breaks, days
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
    return (
        len(shifts),
        np.asarray(starts, dtype=np.int32),
        np.asarray(index, dtype=np.int32),
        np.asarray(value, float),
    )


def _limit(h, week, rules, nx, n, hours, full_days, lengths) -> DaysLimit:
    """The tangents of the shortfall against agent-days on the model `h` (see the module)."""
    inf = highspy.kHighsInf
    days_row = 2 * n + 1
    full = full_days
    # the shortfall against agent-days: shifts free, short priced in staff-hours
    h.changeColsCost(nx, np.arange(nx), np.zeros(nx))
    h.changeColsCost(n, np.arange(nx, nx + n), np.full(n, hours))
    h.changeColsBounds(n, np.arange(nx, nx + n), np.zeros(n), np.full(n, inf))
    tangents = []
    for share in GRID:
        k = full * share
        h.changeRowBounds(days_row, -inf, k)
        short = _run(h, week)
        slope = min(0.0, float(h.getSolution().row_dual[days_row]))
        tangents.append((k, short, slope))
    return DaysLimit(week, days_per_agent(rules), max(lengths) / 60.0, full, tuple(tangents))


def _run(h: highspy.Highs, week: str) -> float:
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SolverError(
            f"HiGHS found no bound on {week}'s agent-days ({h.modelStatusToString(h.getModelStatus())})"
        )
    return float(h.getInfo().objective_function_value)
