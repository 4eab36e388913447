"""A legal start for the roster MIP, built before branch and bound."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pulp

from planner.schedule.model import Model, tour_cost_wage_hours
from planner.schedule.rules import DAY_MIN
from planner.schedule.solvers import DEFAULT_GAP_PCT, _solve_highs
from planner.schedule.tours import (
    break_loss,
    slot_cover,
)


def warm_start(
    model: Model, time_limit_s: float, gap: float = DEFAULT_GAP_PCT / 100
) -> dict[str, float] | None:
    """A feasible start for the MIP: the LP relaxation with tours rounded up, breaks placed by
    their LP shares, then surplus agents dropped greedily while every interval stays covered."""
    prob = model.prob
    ints = [v for v in prob.variables() if v.cat == pulp.LpInteger]
    for var in ints:
        var.cat = pulp.LpContinuous
    try:
        _, objective, _ = _solve_highs(prob, time_limit_s)
    finally:
        for var in ints:
            var.cat = pulp.LpInteger
    if math.isnan(objective):
        return None
    req, rules, tours = model.req, model.rules, model.tours
    n = len(req.frame)
    required = req.frame["staff"].to_numpy(dtype=float)
    shift_index = {sh: k for k, sh in enumerate(model.shifts)}
    y = {key: math.ceil((var.value() or 0.0) - 1e-6) for key, var in model.y.items()}
    lp_support = {key for key, count in y.items() if count > 0}
    z: dict[tuple[int, int], int] = defaultdict(int)
    for (_, i), count in y.items():
        for day in tours[i].days:
            z[shift_index[tours[i].shift], day] += count
    b = {}
    for s, day in sorted({(s, d) for s, d, _ in model.b}):
        offs = model.shifts[s].break_offsets
        lp = [model.b[s, day, off].value() or 0.0 for off in offs]
        counts = [math.floor(v + 1e-6) for v in lp]
        order = sorted(range(len(offs)), key=lambda k: (-(lp[k] - counts[k]), k))
        for j in range(z[s, day] - sum(counts)):
            counts[order[j % len(order)]] += 1
        for off, c in zip(offs, counts, strict=True):
            b[s, day, off] = c
    sb = {}
    for s, day, k in sorted({(s, d, k) for s, d, k, _ in model.sb}):
        offs = model.shifts[s].short_offsets[k]
        lp = [model.sb[s, day, k, off].value() or 0.0 for off in offs]
        counts = [math.floor(v + 1e-6) for v in lp]
        order = sorted(range(len(offs)), key=lambda j: (-(lp[j] - counts[j]), j))
        for j in range(z[s, day] - sum(counts)):
            counts[order[j % len(order)]] += 1
        for off, c in zip(offs, counts, strict=True):
            sb[s, day, k, off] = c

    def cover_of(s, day):
        shift = model.shifts[s]
        return slot_cover(
            day * DAY_MIN + shift.start_min, shift.length_min, req.interval_min, n, True
        )

    def loss_of(s, day, off):
        shift = model.shifts[s]
        start = day * DAY_MIN + shift.start_min + off
        return break_loss(start, shift.break_min, req.interval_min, n, True)

    def short_loss_of(s, day, off):
        shift = model.shifts[s]
        start = day * DAY_MIN + shift.start_min + off
        return break_loss(start, shift.short_min, req.interval_min, n, True)

    def release_break(trial, s, day, offsets, counts, key, short=False):
        """Drop one agent's break from `trial`: of the placements still used in the start, the
        one whose intervals have the most slack; returns its offset (min into the shift)."""
        loss = short_loss_of if short else loss_of
        best, best_off = None, None
        for off in offsets:
            if counts[(*key, off)] <= 0:
                continue
            score = min(trial[j] + f - floor_cov[j] for j, f in loss(s, day, off))
            if best is None or score > best:
                best, best_off = score, off
        for slot, frac in loss(s, day, best_off):
            trial[slot] += frac
        return best_off

    cov = np.zeros(n)
    for (s, day), count in z.items():
        cov[cover_of(s, day)] += count
    for (s, day, off), count in b.items():
        for slot, frac in loss_of(s, day, off):
            cov[slot] -= frac * count
    for (s, day, _k, off), count in sb.items():
        for slot, frac in short_loss_of(s, day, off):
            cov[slot] -= frac * count
    floor_cov = np.minimum(cov, required) if rules.soft_coverage else required
    order = sorted(y, key=lambda key: (-tour_cost_wage_hours(tours[key[1]], rules), key))
    for key in order:
        tour = tours[key[1]]
        s = shift_index[tour.shift]
        while y[key] > 0:
            trial = cov.copy()
            taken = []
            short_taken = []
            for day in tour.days:
                trial[cover_of(s, day)] -= 1
                if tour.shift.break_min:
                    off = release_break(trial, s, day, tour.shift.break_offsets, b, (s, day))
                    taken.append((day, off))
                for k, offsets in enumerate(tour.shift.short_offsets):
                    off = release_break(trial, s, day, offsets, sb, (s, day, k), short=True)
                    short_taken.append((day, k, off))
            if np.any(trial < floor_cov - 1e-9):
                break
            cov = trial
            y[key] -= 1
            for day in tour.days:
                z[s, day] -= 1
            for day, off in taken:
                b[s, day, off] -= 1
            for day, k, off in short_taken:
                sb[s, day, k, off] -= 1
    start = {model.y[key].name: float(v) for key, v in y.items()}
    start.update({model.b[key].name: float(v) for key, v in b.items()})
    start.update({model.sb[key].name: float(v) for key, v in sb.items()})
    for (s, day), count in z.items():
        start[f"work_{s}_{day}"] = float(count)
    for t, var in model.short.items():
        start[var.name] = float(max(0.0, required[t] - cov[t]))
    return _restricted_roster(model, lp_support, start, time_limit_s, gap) or start


def _restricted_roster(
    model: Model, support: set, start: dict, time_limit_s: float, gap: float
) -> dict[str, float] | None:
    """Improve the start by solving the MIP over only the tours the LP uses (a fraction of
    them, so HiGHS finds good integer rosters fast); None if it finds nothing better."""
    closed = [var for key, var in model.y.items() if key not in support]
    for var in closed:
        var.upBound = 0
    try:
        _, objective, _ = _solve_highs(model.prob, time_limit_s, start, gap)
    finally:
        for var in closed:
            var.upBound = None
    if math.isnan(objective):
        return None
    return {v.name: float(round(v.value() or 0.0, 6)) for v in model.prob.variables()}
