"""Shift design (MSD) and plain covering: the same shift/coverage machinery, no tours. The
model of the shift-design benchmark, kept out of the product's roster model.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pulp

from planner.errors import SolverError
from planner.schedule.extract import agent_count
from planner.schedule.rules import DAY_MIN
from planner.schedule.solvers import MSD_GAP, solve_cbc, solve_highs
from planner.schedule.tours import (
    slot_cover,
)


@dataclass(frozen=True)
class ShiftDesign:
    """A shift plan: agents per (start minute of day, length min, day) and its deviations."""

    counts: dict  # (start_min, length_min, day) -> agents
    shortage_min: float  # person-minutes below demand
    excess_min: float  # person-minutes above demand
    distinct_shifts: int  # (start, length) pairs used on at least one day
    objective: float
    bound: float
    status: str
    solve_s: float


def design_shifts(
    demand,
    interval_min: int,
    candidates: list[tuple[int, int]],
    n_days: int,
    *,
    cyclic: bool = True,
    under_weight: float = 1.0,
    over_weight: float = 1.0,
    shift_weight: float = 0.0,
    staff_weight: float = 0.0,
    hard: bool = False,
    time_limit_s: float = 60,
    solver: str = "highs",
) -> ShiftDesign:
    """Choose how many agents work each candidate shift (start, length) on each day.

    Objective: under_weight x shortage person-min + over_weight x excess person-min
    + shift_weight x distinct shifts used + staff_weight x agent-shifts (MSD of Musliu et al.
    with `shift_weight` = the slot length; a plain minimum-shift cover with `hard` and
    `staff_weight` = 1). Coverage columns come from `slot_cover`, as in the roster model.
    """
    demand = np.asarray(demand, dtype=float)
    n = len(demand)
    prob = pulp.LpProblem("shift_design", pulp.LpMinimize)
    big = float(demand.max()) if n else 0.0
    x, used = {}, {}
    terms: list[list] = [[] for _ in range(n)]
    for start, length in sorted(set(candidates)):
        if shift_weight:
            used[start, length] = pulp.LpVariable(f"used_{start}_{length}", cat=pulp.LpBinary)
        for day in range(n_days):
            var = pulp.LpVariable(f"n_{start}_{length}_{day}", lowBound=0, cat=pulp.LpInteger)
            x[start, length, day] = var
            slots = slot_cover(day * DAY_MIN + start, length, interval_min, n, cyclic)
            for slot in slots:
                terms[slot].append(var)
            if shift_weight:
                # more agents than the largest demand the shift meets only adds excess
                cap = float(demand[slots].max()) if slots else 0.0
                prob += (var <= min(big, cap) * used[start, length], f"use_{start}_{length}_{day}")
    under = {t: pulp.LpVariable(f"under_{t}", lowBound=0) for t in range(n)} if not hard else {}
    over = {t: pulp.LpVariable(f"over_{t}", lowBound=0) for t in range(n)}
    for t in range(n):
        expr = pulp.lpSum(terms[t]) - over[t] + (under[t] if not hard else 0)
        prob += (expr == float(demand[t]), f"cover_{t}")
    prob += (
        under_weight * interval_min * pulp.lpSum(under.values())
        + over_weight * interval_min * pulp.lpSum(over.values())
        + shift_weight * pulp.lpSum(used.values())
        + staff_weight * pulp.lpSum(x.values())
    )
    started = time.perf_counter()
    if solver == "highs":
        start = _design_start(
            prob, x, used, under, over, demand, interval_min, n, cyclic, hard, time_limit_s / 3
        )
        left = max(1.0, time_limit_s - (time.perf_counter() - started))
        status, objective, bound = solve_highs(prob, left, start, MSD_GAP)
    else:
        status, objective, bound = solve_cbc(prob, time_limit_s, MSD_GAP)
    if math.isnan(objective):
        raise SolverError(f"shift design: {status}")
    counts = {k: agent_count(v) for k, v in x.items() if agent_count(v)}
    cover = np.zeros(n)
    for (start, length, day), c in counts.items():
        cover[slot_cover(day * DAY_MIN + start, length, interval_min, n, cyclic)] += c
    diff = cover - demand
    return ShiftDesign(
        counts=counts,
        shortage_min=float(np.clip(-diff, 0, None).sum() * interval_min),
        excess_min=float(np.clip(diff, 0, None).sum() * interval_min),
        distinct_shifts=len({(s, length) for s, length, _ in counts}),
        objective=objective,
        bound=min(bound, objective),
        status=status,
        solve_s=time.perf_counter() - started,
    )


def _restricted_design(prob, x, used, time_limit_s: float) -> dict[str, float] | None:
    """Solve the MIP over only the shifts the LP uses (much smaller), as a start for the full
    one; None when it finds nothing in its share of the time."""
    keep = {(s, length) for (s, length, _), v in x.items() if (v.value() or 0.0) > 1e-6}
    closed = [v for (s, length, _), v in x.items() if (s, length) not in keep]
    closed += [v for key, v in used.items() if key not in keep]
    saved = [(v, v.upBound) for v in closed]
    for var in closed:
        var.upBound = 0
    try:
        _, objective, _ = solve_highs(prob, time_limit_s, gap=MSD_GAP)
    finally:
        for var, ub in saved:
            var.upBound = ub
    if math.isnan(objective):
        return None
    return {v.name: float(v.value() or 0.0) for v in prob.variables()}


def _design_start(
    prob, x, used, under, over, demand, interval_min, n, cyclic, hard, time_limit_s=10.0
):
    """Start for the shift-design MIP: the LP relaxation's counts rounded up (no shortage),
    deviations and 'used' flags recomputed to match."""
    ints = [v for v in prob.variables() if v.cat == pulp.LpInteger]
    for var in ints:
        var.cat = pulp.LpContinuous
    try:
        _, objective, _ = solve_highs(prob, 30)
    finally:
        for var in ints:
            var.cat = pulp.LpInteger
    if math.isnan(objective):
        return None
    restricted = _restricted_design(prob, x, used, time_limit_s)
    if restricted is not None:
        return restricted
    counts = {k: math.ceil((v.value() or 0.0) - 1e-6) for k, v in x.items()}
    cover = np.zeros(n)
    start = {}
    for (s, length, day), c in counts.items():
        cover[slot_cover(day * DAY_MIN + s, length, interval_min, n, cyclic)] += c
        start[x[s, length, day].name] = float(c)
    for (s, length), var in used.items():
        start[var.name] = float(any(counts[s, length, d] for d in range(len(x) // len(used))))
    for t in range(n):
        start[over[t].name] = float(max(0.0, cover[t] - demand[t]))
        if t in under:
            start[under[t].name] = float(max(0.0, demand[t] - cover[t]))
    return start
