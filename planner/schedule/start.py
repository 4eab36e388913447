"""A legal roster built before branch and bound, handed to the solver as its start.

From the LP relaxation's values (already in the model's variables): full-time tours rounded
up, part-time tours rounded down when the part-time share is capped (so the share stays within
the cap), groups trimmed to their number of agents; then every meal and short break placed,
agent by agent, where the cover has the most slack; then shortfall repaired by adding the tour
that covers the most missing agent-intervals per wage-hour (within group caps and the share);
then surplus agents dropped, dearest tour first, while no interval falls below what it had.
Every side rule of the model holds by construction, and `prob.valid()` checks it at the end.
"""

from __future__ import annotations

import contextlib
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pulp
from scipy import sparse

from planner.schedule.boundary import flows, matching, tour_edge
from planner.schedule.model import Model
from planner.schedule.rules import DAY_MIN
from planner.schedule.tours import break_loss, slot_cover

EPS = 1e-9


@dataclass(frozen=True)
class Start:
    """A legal roster as variable values (by name), and its objective in wage-hours."""

    values: dict[str, float]
    objective: float


class _Cover:
    """Agents on the phones per interval for a trial roster of tours and break placements."""

    def __init__(self, model: Model):
        self.model = model
        self.n = len(model.req.frame)
        self.interval = model.req.interval_min
        self.cyclic = model.cyclic
        self.cov = np.zeros(self.n)
        self.index = {sh: k for k, sh in enumerate(model.shifts)}

    def slots(self, s: int, day: int) -> list[int]:
        shift = self.model.shifts[s]
        start = day * DAY_MIN + shift.start_min
        return slot_cover(start, shift.length_min, self.interval, self.n, self.cyclic)

    def loss(self, s: int, day: int, off: int, length: int) -> list[tuple[int, float]]:
        start = day * DAY_MIN + self.model.shifts[s].start_min + off
        return break_loss(start, length, self.interval, self.n, self.cyclic)


def required_of(model: Model) -> np.ndarray:
    return model.req.frame["staff"].to_numpy(dtype=float)


def build_start(model: Model) -> Start | None:
    """A legal start from the LP values in the model's variables: the cheaper of the two
    roundings (LP tours rounded up, or down and then repaired); None if none was found."""
    lp = {key: max(0.0, var.value() or 0.0) for key, var in model.y.items()}
    starts = [_start_from(model, lp, up) for up in (True, False)]
    found = [s for s in starts if s is not None]
    best = min(found, key=lambda s: s.objective) if found else None
    if best is not None:
        for var in model.prob.variables():
            var.varValue = best.values[var.name]
    return best


def repair_roster(model: Model) -> Start | None:
    """The roster in the model's variables rebuilt from its tours, with breaks placed where
    the cover has most slack, shortfall repaired with any agent's tour (agents left idle
    included) and surplus dropped; None when that is not a legal roster. The variables keep
    the roster they held."""
    counts = {key: float(round(var.value() or 0.0)) for key, var in model.y.items()}
    with values_kept(model):
        return _start_from(model, counts, up=True)


@contextlib.contextmanager
def values_kept(model: Model) -> Iterator[None]:
    """Whatever runs inside may assign the model's variables: they hold their values again
    afterwards."""
    saved = [(var, var.varValue) for var in model.prob.variables()]
    try:
        yield
    finally:
        for var, value in saved:
            var.varValue = value


def _start_from(model: Model, lp: dict, up: bool) -> Start | None:
    rules, tours = model.rules, model.tours
    required = required_of(model)
    share = rules.max_part_time_pct / 100.0
    capped_share = share < 1.0
    part = {key: _is_part_time(tours[key[1]], rules) for key in model.y}
    y = {}
    for key, value in lp.items():
        down = not up or (capped_share and part[key])
        y[key] = math.floor(value + 1e-6) if down else math.ceil(value - 1e-6)
    for g, group in enumerate(model.groups):
        if group.cap is None or group.overflow:
            continue
        keys = sorted((k for k in y if k[0] == g), key=lambda k: (lp[k] - y[k], k))
        total = sum(y[k] for k in keys)
        while total > group.cap:
            for k in keys:  # drop the instance the rounding added most
                if y[k] > 0 and total > group.cap:
                    y[k] -= 1
                    total -= 1
            keys.sort(key=lambda k: (lp[k] - y[k], k))
    for g in model.nets:  # agents continuing last week: only tours they can take
        if model.groups[g].overflow:
            continue  # the others go to hires
        instances = _instances(y, g)
        for t, a in enumerate(_match(model, g, instances)):
            if a < 0:
                y[instances[t]] -= 1
    cover = _Cover(model)
    z: dict[tuple[int, int], int] = defaultdict(int)
    for key, count in y.items():
        tour = tours[key[1]]
        for day in tour.days:
            z[cover.index[tour.shift], day] += count
    for (s, day), count in z.items():
        cover.cov[cover.slots(s, day)] += count
    b: dict[tuple, int] = defaultdict(int)
    sb: dict[tuple, int] = defaultdict(int)
    for (s, day), count in sorted(z.items()):
        for _ in range(count):
            _place_breaks(cover, s, day, required, b, sb)
    _repair(model, cover, y, z, b, sb, required, part, share)
    _move_breaks(model, cover, b, required)
    floor_cov = np.minimum(cover.cov, required) if model.soft else required
    _drop_surplus(model, cover, y, z, b, sb, floor_cov, part, share)
    return _as_start(model, cover, y, z, b, sb, required)


def _instances(y, g: int) -> list:
    """The group's tours in the trial roster, one entry per agent, in key order."""
    return [key for key in sorted(y) if key[0] == g for _ in range(int(y[key]))]


def _match(model: Model, g: int, instances: list) -> list[int]:
    """For each tour instance of group `g`, the agent it goes to (-1: none can take it)."""
    needs = [tour_edge(model.tours[key[1]], model.slack_min) for key in instances]
    return matching(list(model.groups[g].edges), needs)


def _is_part_time(tour, rules) -> bool:
    return tour.paid_min < rules.full_time_min_hours * 60 - 1e-9


def _place_breaks(cover: _Cover, s: int, day: int, required, b, sb) -> None:
    """Place one agent's meal and short breaks on (shift s, day) where the cover has most slack."""
    shift = cover.model.shifts[s]
    if shift.break_min and (s, day, shift.break_offsets[0]) in cover.model.b:
        off = _most_slack(cover, s, day, shift.break_offsets, shift.break_min, required)
        b[s, day, off] += 1
        for slot, frac in cover.loss(s, day, off, shift.break_min):
            cover.cov[slot] -= frac
    for k, offsets in enumerate(shift.short_offsets):
        if (s, day, k, offsets[0]) not in cover.model.sb:
            continue
        off = _most_slack(cover, s, day, offsets, shift.short_min, required)
        sb[s, day, k, off] += 1
        for slot, frac in cover.loss(s, day, off, shift.short_min):
            cover.cov[slot] -= frac


def _most_slack(cover: _Cover, s, day, offsets, length, required) -> int:
    best, best_off = -math.inf, offsets[0]
    for off in offsets:
        losses = cover.loss(s, day, off, length)  # empty past the end of a non-cyclic week
        score = min((cover.cov[j] - f - required[j] for j, f in losses), default=math.inf)
        if score > best + EPS:
            best, best_off = score, off
    return best_off


def _release_break(cover: _Cover, s, day, offsets, length, counts, key, floor_cov) -> int:
    """Take one agent's break off the trial cover: the used placement with the most slack."""
    best: float | None = None
    best_off = offsets[0]
    for off in offsets:
        if counts.get((*key, off), 0) <= 0:
            continue
        losses = cover.loss(s, day, off, length)
        score = min((cover.cov[j] + f - floor_cov[j] for j, f in losses), default=math.inf)
        if best is None or score > best:
            best, best_off = score, off
    for slot, frac in cover.loss(s, day, best_off, length):
        cover.cov[slot] += frac
    return best_off


def _cost(model: Model, key) -> float:
    return model.marginal_cost(key)


def _penalty_per_slot(model: Model) -> float:
    rules = model.rules
    wage = rules.wage_per_hour or 1.0
    return rules.shortfall_penalty_per_hour / wage * model.req.interval_min / 60.0


def _repair(model: Model, cover: _Cover, y, z, b, sb, required, part, share) -> None:
    """Add tours while some interval is short: the tour covering most missing agent-intervals
    per wage-hour (hard cover), or while that is cheaper than the shortfall (soft cover)."""
    keys = sorted(model.y)
    tours = model.tours
    if not keys:
        return
    rows, cols = [], []
    for r, key in enumerate(keys):
        tour = tours[key[1]]
        s = cover.index[tour.shift]
        for day in tour.days:
            for slot in cover.slots(s, day):
                rows.append(r)
                cols.append(slot)
    presence = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(keys), cover.n)
    ).tocsr()
    base_cost = np.array([_cost(model, k) for k in keys])
    group_of = np.array([k[0] for k in keys])
    is_part = np.array([part[k] for k in keys])
    penalty = _penalty_per_slot(model)
    used: dict[int, int] = defaultdict(int)
    for key, count in y.items():
        used[key[0]] += count
    caps = np.array(
        [model.groups[g].cap if model.groups[g].cap is not None else -1 for g in group_of]
    )
    hiring = np.array([g in model.over for g in group_of])  # beyond the cap: a hire
    head_wh = model.rules.head_cost_per_week / (model.rules.wage_per_hour or 1.0)
    blocked = np.zeros(len(keys), dtype=bool)  # no agent left whose boundary allows it
    for _ in range(100000):
        missing = np.clip(required - cover.cov, 0.0, 1.0)
        if missing.max() <= 1e-6:
            return
        gain = presence @ missing
        within = np.array([used[g] for g in group_of]) < caps
        open_ = ((caps < 0) | within | hiring) & ~blocked
        cost = base_cost + np.where(hiring & ~within, head_wh, 0.0)
        if share < 1.0:
            pt = sum(c for k, c in y.items() if part[k])
            total = sum(y.values())
            open_ &= ~is_part | (pt + 1 <= share * (total + 1) + 1e-9)
        if model.soft:
            score = np.where(open_ & (gain * penalty > cost + EPS), gain * penalty - cost, -np.inf)
        else:
            score = np.where(open_ & (gain > EPS), gain / cost, -np.inf)
        r = int(np.argmax(score))
        if not np.isfinite(score[r]):
            return
        key = keys[r]
        if key[0] in model.nets and key[0] not in model.over:
            trial = _instances({**y, key: y.get(key, 0) + 1}, key[0])
            if min(_match(model, key[0], trial), default=0) < 0:
                blocked[r] = True  # adding tours never frees an agent: blocked for good
                continue
        y[key] = y.get(key, 0) + 1
        used[key[0]] += 1
        tour = tours[key[1]]
        s = cover.index[tour.shift]
        for day in tour.days:
            z[s, day] += 1
            cover.cov[cover.slots(s, day)] += 1
            _place_breaks(cover, s, day, required, b, sb)


def _move_breaks(model: Model, cover: _Cover, b, required, passes: int = 3) -> None:
    """Move meal breaks out of short intervals to another allowed start where that lowers
    the shortfall (a soft week's half-agent gaps are often a break in the wrong place)."""
    for _ in range(passes):
        moved = False
        for (s, day, off), count in sorted(b.items()):
            if count <= 0:
                continue
            length = model.shifts[s].break_min
            old = cover.loss(s, day, off, length)
            if not any(cover.cov[j] < required[j] - 1e-9 for j, _ in old):
                continue
            for other in model.shifts[s].break_offsets:
                new = cover.loss(s, day, other, length)
                slots = {j for j, _ in old} | {j for j, _ in new}
                before = _shortfall(cover.cov, required, slots)
                trial = cover.cov.copy()
                for j, f in old:
                    trial[j] += f
                for j, f in new:
                    trial[j] -= f
                if _shortfall(trial, required, slots) < before - 1e-9:
                    cover.cov = trial
                    b[s, day, off] -= 1
                    b[s, day, other] += 1
                    moved = True
                    break
        if not moved:
            return


def _shortfall(cov, required, slots) -> float:
    return float(sum(max(0.0, required[j] - cov[j]) for j in slots))


def _drop_surplus(model: Model, cover: _Cover, y, z, b, sb, floor_cov, part, share) -> None:
    """Drop agents, dearest tour first, while no interval falls below `floor_cov`."""
    tours = model.tours
    order = sorted(y, key=lambda key: (-_cost(model, key), key))
    for key in order:
        if _cost(model, key) < 0:  # a salaried agent's paid hours: dropping costs more
            continue
        tour = tours[key[1]]
        s = cover.index[tour.shift]
        while y[key] > 0:
            if share < 1.0 and not part[key]:
                pt = sum(c for k, c in y.items() if part[k])
                if pt > share * (sum(y.values()) - 1) + 1e-9:
                    break
            saved = cover.cov.copy()
            taken, short_taken = [], []
            for day in tour.days:
                cover.cov[cover.slots(s, day)] -= 1
                if tour.shift.break_min and tour.shift.break_offsets:
                    off = _release_break(
                        cover,
                        s,
                        day,
                        tour.shift.break_offsets,
                        tour.shift.break_min,
                        b,
                        (s, day),
                        floor_cov,
                    )
                    taken.append((day, off))
                for k, offsets in enumerate(tour.shift.short_offsets):
                    off = _release_break(
                        cover, s, day, offsets, tour.shift.short_min, sb, (s, day, k), floor_cov
                    )
                    short_taken.append((day, k, off))
            if np.any(cover.cov < floor_cov - 1e-9):
                cover.cov = saved
                break
            y[key] -= 1
            for day in tour.days:
                z[s, day] -= 1
            for day, off in taken:
                b[s, day, off] -= 1
            for day, k, off in short_taken:
                sb[s, day, k, off] -= 1


def _as_start(model: Model, cover: _Cover, y, z, b, sb, required) -> Start | None:
    values = {var.name: 0.0 for var in model.prob.variables()}
    values.update({model.y[k].name: float(c) for k, c in y.items()})
    values.update({model.b[k].name: float(c) for k, c in b.items() if k in model.b})
    values.update({model.sb[k].name: float(c) for k, c in sb.items() if k in model.sb})
    for (s, day), count in z.items():
        values[f"work_{s}_{day}"] = float(count)
    for g, var in model.over.items():
        values[var.name] = float(max(0, len(_instances(y, g)) - (model.groups[g].cap or 0)))
    for g, var in model.idle.items():  # the paid minimum the tours leave idle
        group = model.groups[g]
        hours = sum(model.tours[i].paid_min / 60.0 * c for (gg, i), c in y.items() if gg == g)
        values[var.name] = max(0.0, len(group.agents) * group.paid_min_h - hours)
    for g, (grid, arcs) in model.nets.items():
        instances = _instances(y, g)
        needs = [tour_edge(model.tours[key[1]], model.slack_min) for key in instances]
        edges = list(model.groups[g].edges)
        match = matching(edges, needs)
        if g in model.over:  # tours no agent can take go to hires, from the loosest node
            values[model.over[g].name] = float(sum(1 for a in match if a < 0))
        for arc, flow in flows(grid, edges, needs, match).items():
            values[arcs[arc].name] = flow
    for t, pieces in model.short.items():
        missing = max(0.0, required[t] - cover.cov[t])
        for var in pieces:
            take = min(missing, var.upBound if var.upBound is not None else missing)
            values[var.name] = float(take)
            missing -= take
    return legal_start(model, values)


def legal_start(model: Model, values: dict[str, float]) -> Start | None:
    """`values` (by variable name, every variable) as a Start with its objective, or None when
    they break a constraint of the model; the values are left in the model's variables."""
    for var in model.prob.variables():
        var.varValue = values[var.name]
    if not model.prob.valid(1e-6):
        return None
    return Start(values, float(pulp.value(model.prob.objective) or 0.0))
