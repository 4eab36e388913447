"""Model (tour-based, aggregate): an integer variable per (agent group, legal weekly tour) counts
the agents of that group working the tour; an integer variable per (shift, day, break position)
counts how many of the agents on that shift that day take their meal break there. Coverage per
interval = agents on shift - agents on break (pro rata for breaks that end mid-interval), and
must reach the `staff` requirement (hard), or pays a shortfall penalty (soft: headcount cap,
agent list, or `coverage = "soft"`). Objective: paid hours with the night premium, in
wage-hours, plus shortfall penalties. Tours are legal by construction (see `planner.shifts`), so
rest, weekly rest, weekly and daily hours hold for every agent.

Optional rules (all off by default): short breaks (`short_break_min`) get placement variables
like meal breaks (`sbreak_*`); a start tolerance (`start_tolerance_min`) adds integer `move_*`
variables per (group, tour, day, delta) that move some of a tour's agents to a start up to the
tolerance off its base (only for tours where every combination of moves keeps the rest rules);
`night_weekend_penalty_h` adds a fairness cost to tours combining night shifts and weekends.

Named agents (`agents` frame) are grouped by what limits them (contract hours, no-night,
unavailable hours); a group may only take the tours that fit all its members, and at most as
many as it has members. Within a group, tours go to agents by preferred start time.

After the solve the roster is rebuilt from the integer values, coverage is recomputed from the
roster rows alone (`on_phone_counts`), and status/bound/gap are read from the solver itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pulp

from planner.errors import InfeasibleError, InputError
from planner.schedule.boundary import Grid, tour_edge
from planner.schedule.caps import OvertimeWorked
from planner.schedule.files import Requirements
from planner.schedule.groups import Group, tour_misfit, unavailable_clash
from planner.schedule.rules import DAY_MIN, DAY_NAMES, Rules
from planner.schedule.tours import (
    Shift,
    Tour,
    allowed_starts,
    break_loss,
    make_shift,
    make_tours,
    night_minutes,
    slot_cover,
    start_deltas,
    tour_nights_weekends,
    tour_variants_legal,
)

# (share of the interval's requirement, price multiple): shortfall is priced progressively
SHORTFALL_PIECES = ((0.25, 1.0), (0.25, 2.0), (0.25, 4.0), (0.25, 8.0))


@dataclass
class Model:
    prob: pulp.LpProblem
    req: Requirements
    rules: Rules
    tours: list[Tour]
    groups: list[Group]
    y: dict[tuple[int, int], pulp.LpVariable]  # (group, tour) -> agents
    b: dict[tuple[int, int, int], pulp.LpVariable]  # (shift, day, offset) -> agents on break
    shifts: list[Shift]
    short: dict[int, list[pulp.LpVariable]]  # interval -> shortfall pieces, cheapest first
    messages: list[str]
    # (group, tour, day, delta) -> agents of that tour starting `delta` min off its base that day
    v: dict[tuple[int, int, int, int], pulp.LpVariable] = field(default_factory=dict)
    # tour -> ((delta, variant shift index, day move), ...) (start tolerance on)
    variants: dict[int, tuple[tuple[int, int, int], ...]] = field(default_factory=dict)
    # (shift, day, k, offset) -> agents taking their k-th short break there (short breaks on)
    sb: dict[tuple[int, int, int, int], pulp.LpVariable] = field(default_factory=dict)
    cyclic: bool = True  # the week wraps (no previous roster)
    soft: bool = False  # coverage may fall short, at a price
    # group -> its boundary network's grid and arc variables (agents continuing last week)
    nets: dict[int, tuple[Grid, dict]] = field(default_factory=dict)
    slack_min: int = 0  # how much earlier than its base a shift may start (start tolerance)
    # group -> its tours beyond its agents, new hires at the per-head cost (`Group.overflow`)
    over: dict[int, pulp.LpVariable] = field(default_factory=dict)
    # group -> its agents' paid hours not rostered (`Group.paid_min_h`; continuous)
    idle: dict[int, pulp.LpVariable] = field(default_factory=dict)
    # day indices (0 = Monday of the week, 7 = the Monday after) that are public holidays
    holiday_days: frozenset[int] = frozenset()
    # (group, tour) -> the tour's coefficient in the objective (wage-hours)
    cost: dict[tuple[int, int], float] = field(default_factory=dict)
    # (shift, day) -> agents working that shift that day (`work_<shift>_<day>`)
    work: dict[tuple[int, int], pulp.LpVariable] = field(default_factory=dict)
    # (shift, day, minutes) -> agents of that worked shift staying that much longer (overtime;
    # minutes < 0: coming in that much earlier)
    ot: dict[tuple[int, int, int], pulp.LpVariable] = field(default_factory=dict)
    # overtime left by earlier weeks of the month and year (`planner.schedule.caps.week_parts`):
    # per part of the week in one month, (its days, the agents' room in all, the most one has);
    # empty: no history (each agent's week cap holds)
    ot_room: tuple[tuple[tuple[int, ...], float, float], ...] = ()
    # overtime the agents worked earlier in the month and year (the hand-out holds each to it)
    ot_before: OvertimeWorked = field(default_factory=OvertimeWorked)

    def integer_count(self) -> int:
        return len(self.y) + len(self.b) + len(self.sb) + len(self.v) + len(self.ot)

    @property
    def fixed_wage_hours(self) -> float:
        """The salaried agents' paid minimum (wage-hours): every roster's objective holds at
        least this much whatever the roster does, so gaps are measured on what is above it."""
        return sum(len(self.groups[g].agents) * self.groups[g].paid_min_h for g in self.idle)

    def gap_base(self, objective: float) -> float:
        """What a gap is a share of: the objective above the salaried paid minimum (what the
        roster decides), at least `DECIDED_FLOOR` of the objective (a week whose contracts
        cover it almost alone would otherwise be held to a gap of a few premium hours)."""
        return max(objective - self.fixed_wage_hours, DECIDED_FLOOR * objective)

    def marginal_cost(self, key: tuple[int, int]) -> float:
        """What one more agent on tour `key` (group, tour) adds to the objective while its
        group still has idle paid hours: its cost less the idle hours it takes up."""
        g, i = key
        cost = self.cost[key]
        paid_min = self.groups[g].paid_min_h
        if g in self.idle and paid_min > 0:
            cost -= IDLE_WEIGHT * min(self.tours[i].paid_min / 60.0, paid_min)
        return cost


def build_model(
    req: Requirements,
    rules: Rules,
    groups: list[Group],
    relax: bool = False,
    cyclic: bool = True,
    spill=None,
    holiday_days: frozenset[int] = frozenset(),
) -> Model:
    """Build the integer programme; each constraint family is added by a named helper.

    `cyclic`: the week wraps (Sunday night covers Monday morning); without it (a previous
    roster is given) time past the week is next week's, and `spill` (agents on the phones per
    interval from last week's shifts) is taken off the requirement. `holiday_days`: days of
    the week (0 = Monday) whose worked hours are paid `holiday_pay_pct`."""
    interval = req.interval_min
    n_days = req.n_days
    tours, rejected = make_tours(rules, interval, n_days)
    if not tours:
        raise InfeasibleError(_explain_no_tours(rules, rejected))
    staff = req.frame["staff"].to_numpy(dtype=float)
    required = staff if spill is None else np.clip(staff - np.asarray(spill), 0.0, None)
    messages: list[str] = []
    tours = open_hours_tours(tours, staff, req, rules, cyclic, messages)
    if not rules.soft_coverage:
        _precheck_coverable(req, rules, tours, required, cyclic)
    cat = pulp.LpContinuous if relax else pulp.LpInteger
    prob = pulp.LpProblem("roster", pulp.LpMinimize)
    moves = tour_start_variants(tours, rules, interval, n_days)
    all_shifts = {t.shift for t in tours} | {sh for opts in moves.values() for _, sh, _ in opts}
    shifts = sorted(all_shifts, key=lambda s: (s.start_min, s.length_min))
    shift_index = {s: k for k, s in enumerate(shifts)}
    variants = {
        i: tuple((d, shift_index[sh], move) for d, sh, move in opts) for i, opts in moves.items()
    }
    slack = max((abs(d) for d in start_deltas(rules, interval)), default=0)
    y = add_tour_variables(prob, tours, groups, cat, messages, slack)
    v, extra, v_cost = add_start_variants(
        prob,
        tours,
        groups,
        y,
        variants,
        shifts,
        shift_index,
        rules,
        n_days,
        cat,
        closed_slots(staff, interval, cyclic),
    )
    z = add_shift_day_variables(prob, tours, shift_index, y, extra)
    b = add_break_variables(prob, shifts, z, cat)
    sb = add_short_break_variables(prob, shifts, z, cat)
    short = add_coverage(prob, req, rules, shifts, z, b, required, sb, cyclic)
    over = add_group_caps(prob, groups, y)
    nets = add_boundary_networks(prob, tours, groups, y, slack, over)
    add_part_time_share(prob, rules, tours, y)
    idle = add_idle_hours(prob, tours, groups, y)
    head_wh = rules.head_cost_per_week / (rules.wage_per_hour or 1.0)
    cost = {(g, i): group_cost(tours[i], rules, groups[g], holiday_days) for g, i in y}
    extra = [
        *v_cost,
        *((v, head_wh) for v in over.values()),
        *((v, IDLE_WEIGHT) for v in idle.values()),
    ]
    add_objective(prob, req, rules, tours, y, short, cost, extra)
    return Model(
        prob,
        req,
        rules,
        tours,
        groups,
        y,
        b,
        shifts,
        short,
        messages,
        sb=sb,
        v=v,
        variants=variants,
        soft=rules.soft_coverage,
        cyclic=cyclic,
        nets=nets,
        slack_min=slack,
        over=over,
        idle=idle,
        work=z,
        holiday_days=frozenset(holiday_days),
        cost=cost,
    )


CLOSED_RUN_MIN = 120  # zero requirement for at least this long in a row: the line is closed


def closed_slots(staff, interval_min: int, cyclic: bool) -> np.ndarray:
    """Intervals inside a run of zero requirement lasting >= CLOSED_RUN_MIN (the line is
    closed then, not merely quiet for an interval)."""
    zero = np.asarray(staff) <= 1e-9
    n = len(zero)
    closed = np.zeros(n, dtype=bool)
    if zero.all():
        return ~closed
    need = max(1, CLOSED_RUN_MIN // interval_min)
    start = int(np.flatnonzero(~zero)[0]) if cyclic else 0
    order = [(start + k) % n for k in range(n)] if cyclic else list(range(n))
    run: list[int] = []
    for k in [*order, None]:
        if k is not None and zero[k]:
            run.append(k)
            continue
        if len(run) >= need:
            closed[run] = True
        run = []
    return closed


def open_hours_tours(tours, staff, req: Requirements, rules: Rules, cyclic: bool, messages):
    """The tours with no shift in the line's closed hours; all tours (and a message naming the
    rule) when keeping only those would leave some needed interval out of reach."""
    closed = closed_slots(staff, req.interval_min, cyclic)
    if not closed.any():
        return tours
    n = len(staff)
    keep = []
    for tour in tours:
        slots = [
            s
            for day in tour.days
            for s in slot_cover(
                day * DAY_MIN + tour.shift.start_min,
                tour.shift.length_min,
                req.interval_min,
                n,
                cyclic,
            )
        ]
        if not closed[slots].any():
            keep.append(tour)
    needed = np.flatnonzero(staff > 0)
    if keep and _reach(keep, req, n, cyclic)[needed].all():
        return keep
    messages.append(
        "some shifts fall in hours when the line is closed: with shifts.shift_lengths_h = "
        f"{list(rules.shift_lengths_h)}, shifts.days_per_week = {list(rules.days_per_week)} and "
        f"shifts.start_windows = {list(rules.start_windows)} no roster keeps to the open hours"
    )
    return tours


def _reach(tours, req: Requirements, n: int, cyclic: bool) -> np.ndarray:
    reach = np.zeros(n, dtype=bool)
    for tour in tours:
        for day in tour.days:
            start = day * DAY_MIN + tour.shift.start_min
            reach[slot_cover(start, tour.shift.length_min, req.interval_min, n, cyclic)] = True
    return reach


def tour_start_variants(tours, rules: Rules, interval: int, n_days: int) -> dict:
    """tour -> ((delta, variant Shift, day move), ...): the per-day start moves a tour may make
    within `start_tolerance_min` (empty unless the tolerance is on). A move is offered only when
    the moved start is an allowed start and every combination of moves keeps the rest rules."""
    deltas = start_deltas(rules, interval)
    if not deltas:
        return {}
    starts = set(allowed_starts(rules, interval))
    cache: dict[tuple[int, int], tuple[Shift, int] | None] = {}
    out = {}
    for i, tour in enumerate(tours):
        opts = []
        for delta in deltas:
            key = (tour.shift.start_min + delta, tour.shift.length_min)
            if key not in cache:
                start = key[0] % DAY_MIN
                cache[key] = (
                    (make_shift(start, key[1], rules, interval), key[0] // DAY_MIN)
                    if start in starts
                    else None
                )
            found = cache[key]
            if found is not None:
                opts.append((delta, *found))
        if opts and tour_variants_legal(tour, tuple(d for d, _, _ in opts), rules, n_days):
            out[i] = tuple(opts)
    return out


def add_start_variants(
    prob, tours, groups, y, variants, shifts, shift_index, rules, n_days, cat, closed=None
):
    """`moves_g<group>_<tour>_<day>`: of the agents of a tour, how many start `delta` minutes
    off the tour's base start that day (the rest start on time). A move into the line's
    `closed` intervals (a boolean per interval) is not offered unless the base shift is there
    too. Returns the variables, the (shift, day) moves they make for `work_` and their
    night-premium cost in wage-hours."""
    v, extra, cost = {}, [], []
    closed_at = _closed_check(closed, shifts, n_days)
    premium = rules.night_premium_pct / 100.0
    for (g, i), yvar in sorted(y.items()):
        tour = tours[i]
        base = shift_index[tour.shift]
        for day in tour.days:
            terms = []
            for delta, s, move in variants.get(i, ()):
                vshift = shifts[s]
                if groups[g].no_night and vshift.night_min > 0:
                    continue
                absolute = day * DAY_MIN + vshift.start_min + move * DAY_MIN
                if unavailable_clash(absolute, vshift.length_min, groups[g]):
                    continue
                if closed_at(s, day + move) and not closed_at(base, day):
                    continue
                var = pulp.LpVariable(f"move_g{g}_{i}_{day}_{delta}", lowBound=0, cat=cat)
                v[g, i, day, delta] = var
                terms.append(var)
                extra.append(((base, day), var, -1.0))
                extra.append(((s, (day + move) % n_days), var, 1.0))
                if vshift.night_min != tour.shift.night_min:
                    cost.append((var, premium * (vshift.night_min - tour.shift.night_min) / 60))
            if terms:
                prob += (pulp.lpSum(terms) - yvar <= 0, f"moves_g{g}_{i}_{DAY_NAMES[day % 7]}")
    return v, extra, cost


def _closed_check(closed, shifts, n_days):
    """(shift index, day) -> whether that shift worked that day touches a closed interval."""
    if closed is None or not np.asarray(closed).any():
        return lambda s, day: False
    closed = np.asarray(closed)
    n = len(closed)
    interval = n_days * DAY_MIN // n
    cyclic = True  # the moved shift's own minutes; past the week's end counts as wrapping

    def touches(s: int, day: int) -> bool:
        shift = shifts[s]
        start = day * DAY_MIN + shift.start_min
        slots = slot_cover(start, shift.length_min, interval, n, cyclic)
        return bool(closed[slots].any())

    return touches


def contract_floor(group: Group, tours, slack: int = 0) -> Group:
    """A salaried group whose paid minimum is above its shortest contract tour takes only
    tours of at least that minimum (its hours are paid anyway: a shorter tour only leaves
    some idle), when some legal tour that long fits its agents; else it keeps its window."""
    floor = min(group.paid_min_h, group.max_h)
    if not group.agents or floor <= group.min_h + 1e-9:
        return group
    raised = replace(group, min_h=floor)
    if any(tour_misfit(tour, raised, slack) is None for tour in tours):
        return raised
    return group


def add_tour_variables(prob, tours, groups, cat, messages, slack: int = 0) -> dict:
    y = {}
    for g, group in enumerate(groups):
        fits = 0
        reasons: dict[str, int] = defaultdict(int)
        window = contract_floor(group, tours, slack)
        for i, tour in enumerate(tours):
            why = tour_misfit(tour, window, slack)
            if why:
                reasons[why] += 1
                continue
            fits += 1
            y[g, i] = pulp.LpVariable(f"tour_g{g}_{i}", lowBound=0, cat=cat)
        if not fits and group.agents:
            detail = ", ".join(f"{k} ({v})" for k, v in sorted(reasons.items()))
            messages.append(
                f"no legal tour fits agent(s) {', '.join(group.agents[:5])}"
                f"{' ...' if len(group.agents) > 5 else ''}: excluded by {detail}"
            )
    return y


def _tour_x(y: dict, tours: list[Tour]) -> dict[int, list]:
    by_tour: dict[int, list] = defaultdict(list)
    for (_, i), var in y.items():
        by_tour[i].append(var)
    return by_tour


def add_shift_day_variables(prob, tours, shift_index, y, extra=()) -> dict:
    """`work_<shift>_<day>`: agents on each (shift, day) = sum of the tours working it.

    Coverage is written over these (a few per interval) instead of over the tours (hundreds
    per interval), which keeps the matrix sparse and the LP fast.
    """
    by_tour = _tour_x(y, tours)
    working: dict[tuple[int, int], list] = defaultdict(list)
    for i, tour in enumerate(tours):
        if i not in by_tour:
            continue
        for day in tour.days:
            working[shift_index[tour.shift], day].extend(by_tour[i])
    moved: dict[tuple[int, int], list] = defaultdict(list)
    for key, var, coef in extra:  # start-tolerance moves between (shift, day) pairs
        moved[key].append((var, coef))
        working.setdefault(key, [])
    shifts = {k: s for s, k in shift_index.items()}
    z = {}
    for (s, day), xs in sorted(working.items()):
        var = pulp.LpVariable(f"work_{s}_{day}", lowBound=0)
        z[s, day] = var
        expr = pulp.lpSum(xs)
        if moved.get((s, day)):
            expr = expr + pulp.LpAffineExpression(moved[s, day])
        prob += (expr - var == 0, f"work_{shifts[s].label}_{DAY_NAMES[day % 7]}")
    return z


def add_break_variables(prob, shifts, z, cat) -> dict:
    """`breaks_<shift>_<day>`: the meal-break placements of a worked (shift, day) sum to its
    agents; each placement is an integer count of agents breaking at that offset."""
    b = {}
    for (s, day), zvar in sorted(z.items()):
        shift = shifts[s]
        if not shift.break_min:
            continue
        terms = []
        for off in shift.break_offsets:
            var = pulp.LpVariable(f"break_{s}_{day}_{off}", lowBound=0, cat=cat)
            b[s, day, off] = var
            terms.append((var, 1.0))
        expr = pulp.LpAffineExpression(terms) - zvar
        prob += (expr == 0, f"breaks_{shift.label}_{DAY_NAMES[day % 7]}")
    return b


def add_short_break_variables(prob, shifts, z, cat) -> dict:
    """`sbreaks_<shift>_<day>_<k>`: like meal breaks, the placements of the k-th short break of a
    worked (shift, day) sum to its agents (only when `short_break_min` > 0)."""
    sb = {}
    for (s, day), zvar in sorted(z.items()):
        shift = shifts[s]
        for k, offsets in enumerate(shift.short_offsets):
            terms = []
            for off in offsets:
                var = pulp.LpVariable(f"sbreak_{s}_{day}_{k}_{off}", lowBound=0, cat=cat)
                sb[s, day, k, off] = var
                terms.append((var, 1.0))
            expr = pulp.LpAffineExpression(terms) - zvar
            prob += (expr == 0, f"sbreaks_{shift.label}_{DAY_NAMES[day % 7]}_{k}")
    return sb


def add_coverage(prob, req, rules, shifts, z, b, required, sb=None, cyclic=True) -> dict:
    """`cover_<slot>`: agents on the phones >= required staff (minus shortfall when soft).

    Soft shortfall comes in pieces (`SHORTFALL_PIECES`): the first quarter of an interval's
    requirement is priced at the shortfall penalty, deeper cuts at rising multiples, so a short
    week spreads its shortfall in proportion to the requirement instead of emptying the
    intervals that cost most (nights), and an interval is left empty only at the dearest price.
    """
    interval = req.interval_min
    n = len(required)
    terms: list[dict] = [defaultdict(float) for _ in range(n)]
    for (s, day), var in z.items():
        shift = shifts[s]
        start = day * DAY_MIN + shift.start_min
        for slot in slot_cover(start, shift.length_min, interval, n, cyclic):
            terms[slot][var] += 1.0
    for (s, day, off), var in b.items():
        shift = shifts[s]
        start = day * DAY_MIN + shift.start_min + off
        for slot, frac in break_loss(start, shift.break_min, interval, n, cyclic):
            terms[slot][var] -= frac
    for (s, day, _k, off), var in (sb or {}).items():
        shift = shifts[s]
        start = day * DAY_MIN + shift.start_min + off
        for slot, frac in break_loss(start, shift.short_min, interval, n, cyclic):
            terms[slot][var] -= frac
    short = {}
    for t in range(n):
        expr = pulp.LpAffineExpression([(v, c) for v, c in terms[t].items() if c])
        if rules.soft_coverage and required[t] > 0:
            short[t] = [
                pulp.LpVariable(f"short_{t}_{k}", lowBound=0, upBound=float(required[t]) * part)
                for k, (part, _) in enumerate(SHORTFALL_PIECES)
            ]
            expr = expr + pulp.lpSum(short[t])
        if required[t] > 0 or terms[t]:
            prob += (expr >= float(required[t]), f"cover_{t}")
    return short


def add_group_caps(prob, groups, y) -> dict:
    """`agents_<group>`: a group works at most as many tours as it has agents; for a group
    whose extra tours go to new hires (`Group.overflow`), plus `hires_g<group>` of them
    (continuous: at the optimum it is the integer excess), which the objective prices at the
    per-head cost. Returns those hire variables by group."""
    over = {}
    for g, group in enumerate(groups):
        if group.cap is None:
            continue
        xs = [var for (gg, _), var in y.items() if gg == g]
        if not xs:
            continue
        if group.overflow:
            over[g] = pulp.LpVariable(f"hires_g{g}", lowBound=0)
            prob += (pulp.lpSum(xs) - over[g] <= group.cap, f"agents_{g}")
        else:
            prob += (pulp.lpSum(xs) <= group.cap, f"agents_{g}")
    return over


def add_boundary_networks(prob, tours, groups, y, slack: int = 0, over=None) -> dict:
    """`edge_g<group>_<i>_<j>`: for a group whose agents continue last week with different
    boundaries (`Group.edges`), the tours drawn at each node of its grid plus the agents passed
    on (`flow_g<group>_<r|d>_<i>_<j>`, continuous) are at most its agents there plus those
    passed in, so the group's tours can be handed to agents whose rest and days in a row allow
    them (`planner.schedule.boundary`). A group's hires (`over`) enter at the loosest node."""
    nets = {}
    over = over or {}
    for g, group in enumerate(groups):
        if not group.edges:
            continue
        grid = Grid.of(group.edges)
        m, n = len(grid.starts), len(grid.leads)
        arcs = {}
        for i in range(m):
            for j in range(n):
                if i + 1 < m:
                    arcs["r", i, j] = pulp.LpVariable(f"flow_g{g}_r_{i}_{j}", lowBound=0)
                if j + 1 < n:
                    arcs["d", i, j] = pulp.LpVariable(f"flow_g{g}_d_{i}_{j}", lowBound=0)
        supply: dict[tuple[int, int], int] = defaultdict(int)
        for edge in group.edges:
            supply[grid.node(edge)] += 1
        drawn: dict[tuple[int, int], list] = defaultdict(list)
        for (gg, i), var in y.items():
            if gg == g:
                drawn[grid.node(tour_edge(tours[i], slack))].append(var)
        for i in range(m):
            for j in range(n):
                terms = [(var, 1.0) for var in drawn.get((i, j), [])]
                for key, sign in ((("r", i, j), 1.0), (("d", i, j), 1.0)):
                    if key in arcs:
                        terms.append((arcs[key], sign))
                if i > 0:
                    terms.append((arcs["r", i - 1, j], -1.0))
                if j > 0:
                    terms.append((arcs["d", i, j - 1], -1.0))
                if i == 0 and j == 0 and g in over:
                    terms.append((over[g], -1.0))
                if terms:
                    expr = pulp.LpAffineExpression(terms)
                    prob += (expr <= supply.get((i, j), 0), f"edge_g{g}_{i}_{j}")
        nets[g] = (grid, arcs)
    return nets


def add_part_time_share(prob, rules: Rules, tours: list[Tour], y) -> None:
    """`part_time_share`: part-time tours (< full_time_min_hours) <= max_part_time_pct % of all."""
    if rules.max_part_time_pct >= 100:
        return
    share = rules.max_part_time_pct / 100.0
    terms = []
    for (_, i), var in y.items():
        part = tours[i].paid_min < rules.full_time_min_hours * 60 - 1e-9
        terms.append((var, (1.0 - share) if part else -share))
    prob += (pulp.LpAffineExpression(terms) <= 0, "part_time_share")


DECIDED_FLOOR = 0.1  # a gap is measured on at least this share of the objective (`gap_base`)

# an idle paid hour (a salaried agent's contract hour not rostered) is paid like a rostered
# one; the 5% above it only breaks the tie, so that contract hours are rostered, not left idle
IDLE_WEIGHT = 1.05


def add_idle_hours(prob, tours, groups, y) -> dict:
    """`idle_g<group>`: for a group paid a minimum (`Group.paid_min_h`), its agents' paid
    hours the roster leaves idle: at least their minimum less the hours of their tours
    (continuous; one variable per group, exact when no tour exceeds the minimum)."""
    idle = {}
    for g, group in enumerate(groups):
        if group.paid_min_h <= 0 or not group.agents:
            continue
        var = pulp.LpVariable(f"idle_g{g}", lowBound=0)
        terms = [(yv, tours[i].paid_min / 60.0) for (gg, i), yv in y.items() if gg == g]
        expr = pulp.LpAffineExpression([*terms, (var, 1.0)])
        prob += (expr >= len(group.agents) * group.paid_min_h, f"idle_g{g}")
        idle[g] = var
    return idle


def holiday_minutes(start_min: int, length_min: int, holiday_days: frozenset[int]) -> int:
    """Minutes of [start, start+length) (minutes from the week's Monday 00:00) on the
    `holiday_days` (day indices from that Monday)."""
    total = 0
    for day in holiday_days:
        lo, hi = day * DAY_MIN, (day + 1) * DAY_MIN
        total += max(0, min(hi, start_min + length_min) - max(lo, start_min))
    return total


def tour_holiday_min(tour: Tour, holiday_days: frozenset[int]) -> int:
    """Minutes of a tour's shifts that fall on public holidays."""
    if not holiday_days:
        return 0
    return sum(
        holiday_minutes(day * DAY_MIN + tour.shift.start_min, tour.shift.length_min, holiday_days)
        for day in tour.days
    )


def tour_cost_wage_hours(
    tour: Tour,
    rules: Rules,
    named: bool = False,
    holiday_days: frozenset[int] = frozenset(),
) -> float:
    """What a tour costs the centre, in wage-hours: paid hours with the night premium and
    the public-holiday premium (`holiday_pay_pct` less the ordinary hour); for a hire (no
    named agent) also the per-head weekly cost, and a full-time tour is paid at least the
    full-time contract hours. A salaried agent's hours up to their paid minimum are paid
    whether rostered or not: the model's idle hours (`add_idle_hours`) carry that."""
    paid_h = tour.paid_min / 60.0
    premium = rules.night_premium_pct / 100.0 * tour.night_min / 60.0
    holiday = (rules.holiday_pay_pct - 100.0) / 100.0 * tour_holiday_min(tour, holiday_days) / 60
    cost = paid_h + premium + holiday
    if not named:
        wage = rules.wage_per_hour or 1.0
        cost += rules.head_cost_per_week / wage
        if paid_h >= rules.full_time_min_hours - 1e-9:
            cost += max(0.0, rules.full_time_paid_hours - paid_h)
    return cost


def group_cost(
    tour: Tour, rules: Rules, group: Group, holiday_days: frozenset[int] = frozenset()
) -> float:
    """`tour_cost_wage_hours` for the agents of `group` (named agents carry no per-head cost:
    they are on the books), with the fairness penalty when it is on."""
    cost = tour_cost_wage_hours(tour, rules, bool(group.agents), holiday_days)
    if rules.night_weekend_penalty_h > 0:  # fairness: do not load nights and weekends on one
        cost += _night_weekend_penalty(tour, rules)
    return cost


def add_objective(prob, req, rules, tours, y, short, cost, extra=()) -> None:
    wage = rules.wage_per_hour or 1.0
    penalty = rules.shortfall_penalty_per_hour / wage * req.interval_min / 60.0
    terms = [(var, cost[key]) for key, var in y.items()]
    for _, pieces in sorted(short.items()):
        terms += [(var, penalty * m) for var, (_, m) in zip(pieces, SHORTFALL_PIECES, strict=True)]
    terms += list(extra)
    prob += pulp.LpAffineExpression(terms)


def overtime_allowed(rules: Rules) -> bool:
    """Overtime is a lever of the roster: some cap above zero and some extension."""
    return rules.overtime_cap_h > 0 and bool(rules.overtime_extensions_h)


def extension_minutes(shift: Shift, rules: Rules, interval_min: int, slack_min: int) -> list[int]:
    """How much longer (minutes) an agent on `shift` may stay on a day: the rules'
    extensions within the day's work cap (`max_work_day_h`), the week's overtime cap and the
    rest before the next day's shift (`min_rest_h`, the start tolerance's moves included)."""
    out = []
    for ext_h in rules.overtime_extensions_h:
        ext = round(ext_h * 60)
        if ext % interval_min or ext <= 0:
            raise InputError(
                f"{rules.source}: shifts.overtime_extensions_h contains {ext_h:g} h, not a "
                f"multiple of the requirements' {interval_min}-min interval"
            )
        day_h = (shift.length_min + ext) / 60.0
        rest_h = (DAY_MIN - shift.length_min - ext - 2 * slack_min) / 60.0
        if day_h > rules.max_work_day_h + 1e-9 or rest_h < rules.min_rest_h - 1e-9:
            continue
        if ext_h > rules.overtime_cap_h + 1e-9:
            continue
        out.append(ext)
    return out


def extension_keeps_breaks(shift: Shift, ext: int, rules: Rules) -> bool:
    """Whether the shift's own breaks still serve it extended by `ext` minutes (< 0: earlier):
    a shift without a meal break is not made long enough to need one, nor is a day shift's
    meal break made too short by the extension's night hours."""
    length = shift.length_min + abs(ext)
    needs_meal = length >= rules.meal_break_from_h * 60 and rules.meal_break_min > 0
    if needs_meal and not shift.break_min:
        return False
    if needs_meal:
        first = (shift.start_min + min(ext, 0)) % DAY_MIN
        night = night_minutes(first, length, rules)
        if night >= rules.night_shift_min_h * 60 and shift.break_min < rules.night_meal_break_min:
            return False
    return True


def overtime_pay_pct(start_min: int, holiday_days: frozenset[int], rules: Rules) -> float:
    """The overtime rate of an extension of a shift starting `start_min` minutes after the
    week's Monday 00:00: the rate of that day, public holiday or normal (an extension
    continues a worked day, so never falls on the agent's weekly rest day)."""
    if (start_min // DAY_MIN) in holiday_days:
        return rules.holiday_overtime_pay_pct
    return rules.overtime_pay_pct


def add_overtime(model: Model, short_slots, relax: bool = False) -> int:
    """`ot_<shift>_<day>_<minutes>`: of the agents on a worked (shift, day), how many stay
    that much longer, paid at the overtime rate of the day (`overtime_pay_pct`, holidays
    `holiday_overtime_pay_pct`) plus the night premium; offered only where the extension
    reaches one of `short_slots` (intervals short without overtime). Added in place to a
    built model (its cover constraints and objective); returns how many variables."""
    rules, req = model.rules, model.req
    if not overtime_allowed(rules):
        return 0
    prob = model.prob
    interval = req.interval_min
    n = len(req.frame)
    short_slots = set(short_slots)
    cat = pulp.LpContinuous if relax else pulp.LpInteger
    wage_premium = rules.night_premium_pct / 100.0
    added = 0
    worked = sorted(model.work)
    most = {day: top for days, _, top in model.ot_room for day in days}
    for s, day in worked:
        shift = model.shifts[s]
        begin = day * DAY_MIN + shift.start_min
        end = begin + shift.length_min
        terms = []
        for ext in extension_minutes(shift, rules, interval, model.slack_min):
            if ext / 60.0 > most.get(day % 7, ext / 60.0) + 1e-9:
                continue  # no agent has that much overtime left this month or year
            # after the shift's end (key > 0) or before its start (key < 0; not on the first
            # day of a week that continues last week's roster: the rest after it is not known)
            for key, first in ((ext, end), (-ext, begin - ext)):
                if key < 0 and not model.cyclic and day == 0:
                    continue
                slots = slot_cover(first, ext, interval, n, model.cyclic)
                if (s, day, key) in model.ot or not short_slots.intersection(slots):
                    continue
                if not extension_keeps_breaks(shift, key, rules):
                    continue
                var = pulp.LpVariable(f"ot_{s}_{day}_{key}".replace("-", "m"), 0, cat=cat)
                model.ot[s, day, key] = var
                terms.append(var)
                for slot in slots:
                    cover = prob.get_constraint_by_name(f"cover_{slot}")
                    if cover is not None:
                        cover.expr.addterm(var, 1.0)
                night = night_minutes(first % DAY_MIN, ext, rules)
                rate = overtime_pay_pct(begin, model.holiday_days, rules) / 100.0
                prob.objective.addterm(var, ext / 60.0 * rate + wage_premium * night / 60.0)
                added += 1
        name = f"ot_{shift.label}_{DAY_NAMES[day % 7]}"
        offered = prob.get_constraint_by_name(name)
        if terms and offered is not None:  # more extensions of an offered shift
            for var in terms:
                offered.expr.addterm(var, 1.0)
        elif terms:
            prob += (pulp.lpSum(terms) - model.work[s, day] <= 0, name)
    _hold_overtime_room(model)
    return added


def _hold_overtime_room(model: Model) -> None:
    """`ot_room_<day>`: the overtime hours placed on the days of one month's part of the week
    are at most what the agents have left of that month's and year's caps (`Model.ot_room`)."""
    for days, room, _ in model.ot_room:
        name = f"ot_room_{days[0]}"
        terms = [
            (var, abs(key) / 60.0) for (_, day, key), var in model.ot.items() if day % 7 in days
        ]
        if not terms:
            continue
        held = model.prob.get_constraint_by_name(name)
        if held is None:
            model.prob += (pulp.LpAffineExpression(terms) <= room, name)
            continue
        for var, coef in terms:
            if var not in held.expr:
                held.expr.addterm(var, coef)


def _night_weekend_penalty(tour: Tour, rules: Rules) -> float:
    """Wage-hours added to a tour for each (night shift x weekend day) it combines."""
    nights, weekend = tour_nights_weekends(tour, rules)
    return rules.night_weekend_penalty_h * nights * weekend


def _explain_no_tours(rules: Rules, rejected: dict[str, int]) -> str:
    total = sum(rejected.values())
    parts = ", ".join(f"{rule} removes {n}" for rule, n in sorted(rejected.items()))
    shortest = min(rules.shift_lengths_h) * min(rules.days_per_week)
    return (
        f"{rules.source}: no legal weekly tour: of {total} candidate tours {parts} "
        f"(shortest tour: {min(rules.shift_lengths_h):g} h x {min(rules.days_per_week)} days "
        f"= {shortest:g} h)"
    )


def _precheck_coverable(
    req: Requirements, rules: Rules, tours: list[Tour], required, cyclic: bool = True
) -> None:
    """Name the intervals no legal shift can reach (hard coverage is then impossible)."""
    n = len(required)
    reach = _reach(tours, req, n, cyclic)
    bad = np.flatnonzero((required > 0) & ~reach)
    if len(bad):
        times = req.frame["timestamp"]
        spans = _spans(bad)
        shown = "; ".join(
            f"{times.iloc[a]:%a %Y-%m-%d %H:%M}-"
            f"{times.iloc[b] + pd.Timedelta(minutes=req.interval_min):%H:%M}"
            for a, b in spans[:5]
        )
        more = f" and {len(spans) - 5} more" if len(spans) > 5 else ""
        raise InfeasibleError(
            f"{rules.source}: no legal shift covers {len(bad)} intervals that need staff "
            f"({shown}{more}); check shifts.start_windows = {list(rules.start_windows)} and "
            f"shifts.shift_lengths_h = {list(rules.shift_lengths_h)}, or set labour.coverage = "
            f'"soft"'
        )


def _spans(indices) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for k in indices:
        if spans and k == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], k)
        else:
            spans.append((k, k))
    return spans
