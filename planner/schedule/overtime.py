"""Overtime after the search: a short roster's intervals covered by longer shifts where that
costs less than the shortfall it removes.

The search offers overtime only where the week's LP was short (`model.add_overtime`); a roster
rounded to whole agents is often short elsewhere, by an agent or two in a few intervals. This
step offers the extensions that reach those intervals, then extends worked shifts one agent at
a time, the extension that removes the most shortfall cost per its own cost first, while that
saves money. Every extension keeps the day's work cap, the rest before the next day's shift
and the week's overtime cap (`extension_minutes`); the result is checked against every
constraint of the model (`legal_start`) and kept only when its objective is lower.
"""

from __future__ import annotations

import numpy as np

from planner.schedule.caps import OvertimeWorked, week_parts
from planner.schedule.model import Model, add_overtime, overtime_allowed
from planner.schedule.rules import DAY_MIN
from planner.schedule.start import Start, legal_start, values_kept
from planner.schedule.tours import slot_cover

EPS = 1e-9


def hold_overtime_before(model: Model, before: OvertimeWorked | None) -> None:
    """Give the model the overtime its agents worked earlier in the month and year: the
    hand-out holds each agent to what is left, and the overtime offered is held to what the
    agents have left in all (`ot_room`; only when every group is named agents without
    hires, whose room the history cannot bound)."""
    if before is None or not before.hours:
        return
    model.ot_before = before
    names = [name for group in model.groups for name in group.agents]
    if not before.agents.intersection(names):
        return
    if any(not group.agents or group.overflow for group in model.groups):
        return
    model.ot_room = week_parts(model.rules, before, names, model.req.week_start, model.req.n_days)


def overtime_repair(model: Model) -> Start | None:
    """The roster held in the model's variables with overtime added where it saves more
    shortfall cost than it costs; None when no extension pays (the variables then hold the
    roster they held)."""
    if not model.soft or not overtime_allowed(model.rules) or not model.short:
        return None
    prob = model.prob
    n = len(model.req.frame)
    need, prices = shortfall_terms(model)
    cover = np.zeros(n)
    short_vars = {id(v) for pieces in model.short.values() for v in pieces}
    for t in model.short:
        con = prob.get_constraint_by_name(f"cover_{t}")
        if con is None:
            continue
        cover[t] = sum(
            coef * (var.varValue or 0.0)
            for var, coef in con.expr.items()
            if id(var) not in short_vars
        )
    deficit = need - cover
    short = {t for t in model.short if deficit[t] > 1e-6}
    if not short:
        return None
    add_overtime(model, short)
    if not model.ot:
        return None
    objective = prob.objective
    values = {var.name: float(var.varValue or 0.0) for var in prob.variables()}
    room: dict[tuple[int, int], float] = {key: values[var.name] for key, var in model.work.items()}
    for (s, day, _ext), var in model.ot.items():
        room[s, day] -= values[var.name]
    options = []
    for (s, day, ext), var in sorted(model.ot.items()):
        shift = model.shifts[s]
        begin = day * DAY_MIN + shift.start_min
        first = begin + shift.length_min if ext > 0 else begin + ext
        slots = slot_cover(first, abs(ext), model.req.interval_min, n, model.cyclic)
        options.append(((s, day), var, slots, float(objective.get(var, 0.0))))
    added = 0
    while True:
        best = best_relief(options, prices, deficit, lambda k: room[options[k][0]] >= 1 - 1e-6)
        if best is None:
            break
        key, var, slots, _ = options[best]
        values[var.name] += 1.0
        room[key] -= 1.0
        deficit[slots] -= 1.0
        added += 1
    if not added:
        return None
    for t, pieces in model.short.items():
        missing = max(0.0, float(deficit[t]))
        for var in pieces:
            take = min(missing, float(var.upBound or 0.0))
            values[var.name] = take
            missing -= take
    with values_kept(model):
        repaired = legal_start(model, values)
    return repaired


def shortfall_terms(model: Model) -> tuple[np.ndarray, dict[int, list[tuple[float, float]]]]:
    """What the roster's repairs price a shortfall by: per interval the agents its cover
    constraint asks for (0 where the model has none), and per interval that may fall short its
    shortfall pieces as (size in agents, price per agent-interval in the objective's units)."""
    need = np.zeros(len(model.req.frame))
    objective = model.prob.objective
    prices = {}
    for t, pieces in model.short.items():
        con = model.prob.get_constraint_by_name(f"cover_{t}")
        if con is not None:
            need[t] = -con.constant
        prices[t] = [(float(v.upBound or 0.0), float(objective.get(v, 0.0))) for v in pieces]
    return need, prices


def best_relief(options, prices, deficit, usable) -> int | None:
    """Which of `options` (tuples whose [2] is the intervals an agent more covers and [3] its
    cost, in wage-hours) saves the most shortfall beyond its cost, among those `usable(k)`
    allows; None when none saves more than it costs."""
    best, best_gain = None, EPS
    for k, option in enumerate(options):
        if not usable(k):
            continue
        slots, cost = option[2], option[3]
        relief = sum(_relief(prices.get(t, ()), deficit[t]) for t in slots)
        if relief - cost > best_gain:
            best, best_gain = k, relief - cost
    return best


def _relief(pieces, deficit: float) -> float:
    """What one more agent on the phones saves in an interval short by `deficit` agents
    (its shortfall pieces, cheapest filled first, as (size, price))."""
    if deficit <= 1e-9:
        return 0.0
    return _penalty(pieces, deficit) - _penalty(pieces, max(0.0, deficit - 1.0))


def _penalty(pieces, deficit: float) -> float:
    total, left = 0.0, deficit
    for size, price in pieces:
        take = min(left, size)
        total += take * price
        left -= take
        if left <= 1e-12:
            break
    return total
