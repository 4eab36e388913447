"""The weekly roster as an integer programme (issue 4).

Model (tour-based, aggregate): an integer variable per (agent group, legal weekly tour) counts
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

import contextlib
import math
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from planner.errors import InfeasibleError, InputError, SolverError
from planner.roster import (
    COVERAGE_COLUMNS,
    ROSTER_COLUMNS,
    Requirements,
    check_roster_rules,
    coverage_frame,
    on_phone_counts,
    parse_unavailable,
    read_agents,
    read_requirements,
    read_roster,
    requirements_horizon,
    write_roster_xlsx,
)
from planner.shifts import (
    DAY_MIN,
    DAY_NAMES,
    Rules,
    Shift,
    Tour,
    allowed_starts,
    break_loss,
    make_shift,
    make_tours,
    parse_clock,
    rules_from_mapping,
    slot_cover,
    start_deltas,
    tour_nights_weekends,
    tour_variants_legal,
)

__all__ = [
    "COVERAGE_COLUMNS",
    "ROSTER_COLUMNS",
    "Rules",
    "ScheduleResult",
    "build_roster",
    "check_roster_rules",
    "on_phone_counts",
    "read_agents",
    "read_requirements",
    "read_roster",
    "read_rules_toml",
    "rules_from_mapping",
    "write_roster_xlsx",
]

SOLVERS = ("cbc", "highs")
# Stop once the roster is proven within 1% of the best possible cost. Reaching a gap is
# deterministic (one thread, fixed seed); a wall-clock time limit is not, so the gap, not the
# clock, should end a normal solve: the summer week reaches 1% in ~10 s, 0.5% not in 110 s.
DEFAULT_GAP_PCT = 1.0
MSD_GAP = 0.001  # the shift-design benchmark compares with proven optima: solve it tighter


@dataclass(frozen=True)
class ScheduleResult:
    """A solved roster with honest solver figures. Money in `currency`, hours in hours."""

    roster: pd.DataFrame  # ROSTER_COLUMNS, one row per agent-shift
    coverage: pd.DataFrame  # COVERAGE_COLUMNS, recomputed from the roster rows
    status: str  # "optimal", "feasible (time limit)", ...
    objective: float  # wage-hours incl. night premium and shortfall penalties
    bound: float  # solver's best bound on the objective
    gap: float  # (objective - bound) / objective
    cost: float  # paid cost with night premium, in currency
    short: bool  # some interval is below its requirement
    headcount: int
    paid_hours: float
    night_hours: float
    on_phone_hours: float
    required_hours: float
    shortfall_hours: float
    solver: str
    solve_s: float
    horizon_days: int
    interval_min: int
    currency: str = "VND"
    messages: tuple[str, ...] = ()
    unused_agents: tuple[str, ...] = field(default=())

    @property
    def over_pct(self) -> float:
        """On-phone hours above the required staff-hours, in % of the required."""
        if self.required_hours <= 0:
            return 0.0
        return 100.0 * (self.on_phone_hours - self.required_hours) / self.required_hours

    def short_intervals(self) -> pd.DataFrame:
        return self.coverage[self.coverage["shortfall"] > 1e-6].reset_index(drop=True)

    def summary(self) -> dict:
        """Key figures, for the table, the JSON output and the workbook's Summary sheet."""
        return {
            "status": self.status,
            "headcount": self.headcount,
            "paid_hours": round(self.paid_hours, 2),
            "night_hours": round(self.night_hours, 2),
            f"cost_{self.currency.lower()}": round(self.cost, 0),
            "required_staff_hours": round(self.required_hours, 2),
            "on_phone_hours": round(self.on_phone_hours, 2),
            "over_coverage_pct": round(self.over_pct, 2),
            "shortfall_hours": round(self.shortfall_hours, 2),
            "short_intervals": int((self.coverage["shortfall"] > 1e-6).sum()),
            "objective_wage_hours": round(self.objective, 3),
            "bound_wage_hours": round(self.bound, 3),
            "gap_pct": round(100.0 * self.gap, 3),
            "solver": self.solver,
            "solve_s": round(self.solve_s, 1),
        }


def read_rules_toml(path: str | os.PathLike) -> Rules:
    """Rules from the `[shifts]`, `[labour]` and `[cost]` tables of a scenario TOML file.

    Other tables of the scenario are not checked here (they belong to other stages); `extends`
    is followed and an unknown table (`[labor]`) is an error (`planner.scenario.load_rules`).
    """
    from planner.scenario import load_rules

    return load_rules(path)


# --- agent groups -------------------------------------------------------------------------------


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


def tour_misfit(tour: Tour, group: Group) -> str | None:
    """Why a tour does not fit a group's agents (None = it fits)."""
    hours = tour.paid_min / 60
    if hours > group.max_h + 1e-9:
        return "contract hours"
    if hours < group.min_h - 1e-9:
        return "contract hours"
    if group.no_night and tour.shift.night_min > 0:
        return "no_night"
    for day in tour.days:
        if _unavailable_clash(day * DAY_MIN + tour.shift.start_min, tour.shift.length_min, group):
            return "unavailable"
    return None


def _unavailable_clash(a: int, length: int, group: Group) -> bool:
    """Does [a, a+length) (minutes from the week start) meet one of the group's unavailable
    spans?"""
    b = a + length
    for uday, lo, hi in group.unavailable:
        for wrap in (-7 * DAY_MIN, 0, 7 * DAY_MIN):
            ua, ub = uday * DAY_MIN + lo + wrap, uday * DAY_MIN + hi + wrap
            if a < ub and ua < b:
                return True
    return False


def make_groups(agents: pd.DataFrame | None, rules: Rules, queues: tuple[str, ...]) -> list[Group]:
    if agents is None:
        cap = rules.headcount_cap or None
        return [Group(("any",), (), cap, 0.0, math.inf, False, ())]
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
        key = (min_h, max_h, bool(row.no_night), parse_unavailable(row.unavailable))
        members[key].append(row.agent)
    groups = []
    for key in sorted(members, key=repr):
        names = tuple(sorted(members[key]))
        groups.append(Group(key, names, len(names), key[0], key[1], key[2], key[3]))
    return groups


# --- the model ----------------------------------------------------------------------------------


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
    short: dict[int, pulp.LpVariable]
    messages: list[str]
    # (group, tour, day, delta) -> agents of that tour starting `delta` min off its base that day
    v: dict[tuple[int, int, int, int], pulp.LpVariable] = field(default_factory=dict)
    # tour -> ((delta, variant shift index, day move), ...) (start tolerance on)
    variants: dict[int, tuple[tuple[int, int, int], ...]] = field(default_factory=dict)
    # (shift, day, k, offset) -> agents taking their k-th short break there (short breaks on)
    sb: dict[tuple[int, int, int, int], pulp.LpVariable] = field(default_factory=dict)


def build_model(req: Requirements, rules: Rules, groups: list[Group], relax: bool = False) -> Model:
    """Build the integer programme; each constraint family is added by a named helper."""
    interval = req.interval_min
    n_days = req.n_days
    tours, rejected = make_tours(rules, interval, n_days)
    if not tours:
        raise InfeasibleError(_explain_no_tours(rules, rejected))
    required = req.frame["staff"].to_numpy(dtype=float)
    if not rules.soft_coverage:
        _precheck_coverable(req, rules, tours, required)
    cat = pulp.LpContinuous if relax else pulp.LpInteger
    prob = pulp.LpProblem("roster", pulp.LpMinimize)
    moves = tour_start_variants(tours, rules, interval, n_days)
    all_shifts = {t.shift for t in tours} | {sh for opts in moves.values() for _, sh, _ in opts}
    shifts = sorted(all_shifts, key=lambda s: (s.start_min, s.length_min))
    shift_index = {s: k for k, s in enumerate(shifts)}
    variants = {
        i: tuple((d, shift_index[sh], move) for d, sh, move in opts) for i, opts in moves.items()
    }
    messages: list[str] = []
    y = add_tour_variables(prob, tours, groups, cat, messages)
    v, extra, v_cost = add_start_variants(
        prob, tours, groups, y, variants, shifts, shift_index, rules, n_days, cat
    )
    z = add_shift_day_variables(prob, tours, shift_index, y, extra)
    b = add_break_variables(prob, shifts, z, cat)
    sb = add_short_break_variables(prob, shifts, z, cat)
    short = add_coverage(prob, req, rules, shifts, z, b, required, sb)
    add_group_caps(prob, groups, y)
    add_part_time_share(prob, rules, tours, y)
    add_objective(prob, req, rules, tours, y, short, v_cost)
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
    )


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
            if cache[key] is not None:
                opts.append((delta, *cache[key]))
        if opts and tour_variants_legal(tour, tuple(d for d, _, _ in opts), rules, n_days):
            out[i] = tuple(opts)
    return out


def add_start_variants(prob, tours, groups, y, variants, shifts, shift_index, rules, n_days, cat):
    """`moves_g<group>_<tour>_<day>`: of the agents of a tour, how many start `delta` minutes
    off the tour's base start that day (the rest start on time). Returns the variables, the
    (shift, day) moves they make for `work_` and their night-premium cost in wage-hours."""
    v, extra, cost = {}, [], []
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
                if _unavailable_clash(absolute, vshift.length_min, groups[g]):
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


def add_tour_variables(prob, tours, groups, cat, messages) -> dict:
    y = {}
    for g, group in enumerate(groups):
        fits = 0
        reasons: dict[str, int] = defaultdict(int)
        for i, tour in enumerate(tours):
            why = tour_misfit(tour, group)
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


def add_coverage(prob, req, rules, shifts, z, b, required, sb=None) -> dict:
    """`cover_<slot>`: agents on the phones >= required staff (minus shortfall when soft)."""
    interval = req.interval_min
    n = len(required)
    terms: list[dict] = [defaultdict(float) for _ in range(n)]
    for (s, day), var in z.items():
        shift = shifts[s]
        start = day * DAY_MIN + shift.start_min
        for slot in slot_cover(start, shift.length_min, interval, n, cyclic=True):
            terms[slot][var] += 1.0
    for (s, day, off), var in b.items():
        shift = shifts[s]
        start = day * DAY_MIN + shift.start_min + off
        for slot, frac in break_loss(start, shift.break_min, interval, n, cyclic=True):
            terms[slot][var] -= frac
    for (s, day, _k, off), var in (sb or {}).items():
        shift = shifts[s]
        start = day * DAY_MIN + shift.start_min + off
        for slot, frac in break_loss(start, shift.short_min, interval, n, cyclic=True):
            terms[slot][var] -= frac
    short = {}
    for t in range(n):
        expr = pulp.LpAffineExpression([(v, c) for v, c in terms[t].items() if c])
        if rules.soft_coverage and required[t] > 0:
            short[t] = pulp.LpVariable(f"short_{t}", lowBound=0, upBound=float(required[t]))
            expr = expr + short[t]
        if required[t] > 0 or terms[t]:
            prob += (expr >= float(required[t]), f"cover_{t}")
    return short


def add_group_caps(prob, groups, y) -> None:
    """`agents_<group>`: a group works at most as many tours as it has agents."""
    for g, group in enumerate(groups):
        if group.cap is None:
            continue
        xs = [var for (gg, _), var in y.items() if gg == g]
        if xs:
            prob += (pulp.lpSum(xs) <= group.cap, f"agents_{g}")


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


def tour_cost_wage_hours(tour: Tour, rules: Rules) -> float:
    """Paid hours of a tour with the night premium, in wage-hours."""
    return (tour.paid_min + rules.night_premium_pct / 100.0 * tour.night_min) / 60.0


def add_objective(prob, req, rules, tours, y, short, extra=()) -> None:
    wage = rules.wage_per_hour or 1.0
    penalty = rules.shortfall_penalty_per_hour / wage * req.interval_min / 60.0
    terms = [(var, tour_cost_wage_hours(tours[i], rules)) for (_, i), var in y.items()]
    if rules.night_weekend_penalty_h > 0:  # fairness: do not load nights and weekends on one
        # (one term per variable: a repeated variable would overwrite, not add)
        terms = [
            (var, cost + _night_weekend_penalty(tours[i], rules))
            for ((_, i), var), (_, cost) in zip(y.items(), terms, strict=True)
        ]
    terms += [(var, penalty) for _, var in sorted(short.items())]
    terms += list(extra)
    prob += pulp.LpAffineExpression(terms)


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


def _precheck_coverable(req: Requirements, rules: Rules, tours: list[Tour], required) -> None:
    """Name the intervals no legal shift can reach (hard coverage is then impossible)."""
    n = len(required)
    reach = np.zeros(n, dtype=bool)
    for tour in tours:
        for day in tour.days:
            start = day * DAY_MIN + tour.shift.start_min
            reach[slot_cover(start, tour.shift.length_min, req.interval_min, n, True)] = True
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
    spans = []
    for k in indices:
        if spans and k == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], k)
        else:
            spans.append((k, k))
    return spans


# --- solving ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SolveInfo:
    status: str
    objective: float
    bound: float
    seconds: float


def solve_model(
    model: Model,
    solver: str,
    time_limit_s: float,
    progress: bool = False,
    gap_pct: float = DEFAULT_GAP_PCT,
) -> SolveInfo:
    """Solve with deterministic settings until the relative gap is at most `gap_pct` % (or the
    time limit); read objective and bound from the solver itself."""
    gap = gap_pct / 100.0
    if solver not in SOLVERS:
        raise InputError(f"--solver {solver!r}: expected one of {', '.join(SOLVERS)}")
    started = time.perf_counter()
    status_cm = _progress(progress, model, solver, time_limit_s)
    with status_cm:
        if solver == "highs":
            start = warm_start(model, time_limit_s * 0.4, gap)
            left = max(1.0, time_limit_s - (time.perf_counter() - started))
            info = _solve_highs(model.prob, left, start, gap)
        else:
            info = _solve_cbc(model.prob, time_limit_s, gap)
    return SolveInfo(info[0], info[1], info[2], time.perf_counter() - started)


def _progress(enabled: bool, model: Model, solver: str, limit: float):
    if not enabled:
        return contextlib.nullcontext()
    from rich.console import Console

    console = Console(file=sys.stderr)
    n_int = len(model.y) + len(model.b) + len(model.sb) + len(model.v)
    return console.status(
        f"solving roster: {n_int:,} integer variables, {len(model.prob.constraints):,} "
        f"constraints, {solver.upper()}, time limit {limit:g} s"
    )


@contextlib.contextmanager
def _stdout_to_stderr():
    """HiGHS prints a banner on file descriptor 1: drop it (or send the solver log to stderr
    when PLANNER_SOLVER_LOG is set) so it never mixes with data on stdout."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    sink = os.open(os.devnull, os.O_WRONLY) if not os.environ.get("PLANNER_SOLVER_LOG") else None
    try:
        os.dup2(2 if sink is None else sink, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        if sink is not None:
            os.close(sink)


class _HiGHSWithStart(pulp.HiGHS):
    """PuLP's HiGHS API, handing HiGHS a starting solution (by variable name) before it runs."""

    def __init__(self, start: dict[str, float] | None = None, **options):
        super().__init__(**options)
        self.start = start

    def callSolver(self, lp):
        if self.start:
            import highspy

            solution = highspy.HighsSolution()
            solution.col_value = [float(self.start.get(v.name, 0.0)) for v in lp.variables()]
            solution.value_valid = True
            lp.solverModel.setSolution(solution)
        lp.solverModel.run()


def _solve_highs(
    prob: pulp.LpProblem,
    limit: float,
    start: dict[str, float] | None = None,
    gap: float = DEFAULT_GAP_PCT / 100,
) -> tuple[str, float, float]:
    cmd = _HiGHSWithStart(
        start,
        msg=bool(os.environ.get("PLANNER_SOLVER_LOG")),
        timeLimit=limit,
        threads=1,
        gapRel=gap,
        random_seed=0,
    )
    try:
        with _stdout_to_stderr():
            prob.solve(cmd)
    except pulp.PulpSolverError as exc:
        raise SolverError(f"HiGHS failed: {exc}") from None
    h = prob.solverModel
    info = h.getInfo()
    model_status = h.modelStatusToString(h.getModelStatus())
    if "nfeasible" in model_status:
        return "infeasible", math.nan, math.nan
    if info.primal_solution_status != 2:  # no feasible point
        return f"no solution ({model_status})", math.nan, math.nan
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound) if prob.isMIP() else objective
    status = "optimal" if model_status == "Optimal" else f"feasible ({model_status.lower()})"
    return status, objective, bound


_CBC_LINE = re.compile(r"^(Objective value|Lower bound|Gap):\s+(\S+)", re.M)


def _solve_cbc(
    prob: pulp.LpProblem, limit: float, gap: float = DEFAULT_GAP_PCT / 100
) -> tuple[str, float, float]:
    fd, log = tempfile.mkstemp(prefix="planner-cbc-", suffix=".log")
    os.close(fd)
    try:
        cmd = pulp.PULP_CBC_CMD(msg=False, timeLimit=limit, threads=1, gapRel=gap, logPath=log)
        try:
            prob.solve(cmd)
        except pulp.PulpSolverError as exc:
            raise SolverError(f"CBC failed: {exc}") from None
        with open(log, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    finally:
        os.unlink(log)
    if re.search(r"Result - .*nfeasible", text) or "Problem is infeasible" in text:
        return "infeasible", math.nan, math.nan
    values = dict(_CBC_LINE.findall(text))
    if "Objective value" not in values:
        return "no solution", math.nan, math.nan
    objective = float(values["Objective value"])
    bound = float(values.get("Lower bound", objective))
    if "Result - Optimal solution found" in text:
        status = "optimal"
    elif "Stopped on time" in text:
        status = "feasible (time limit)"
    else:
        match = re.search(r"Result - (.*)", text)
        status = f"feasible ({match.group(1).strip().lower()})" if match else "feasible"
    return status, objective, bound


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


# --- from solution to roster --------------------------------------------------------------------


def _int(var) -> int:
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
    group_of: dict[str, int] = {}
    for g, group in enumerate(model.groups):
        instances = []
        for (gg, i), var in sorted(model.y.items()):
            if gg == g:
                instances.extend([i] * _int(var))
        instances.sort(key=lambda i: _tour_key(model.tours[i]))
        if not group.agents:
            for i in instances:
                counter += 1
                assignment.append((f"A{counter:03d}", i))
                group_of[f"A{counter:03d}"] = g
            continue
        names = list(group.agents)
        chosen = _match_preferences(names, instances, model.tours, prefs)
        used = set()
        for name, i in chosen:
            assignment.append((name, i))
            used.add(name)
            group_of[name] = g
        unused.extend(n for n in names if n not in used)
    unused.sort()
    # breaks: hand each worked (shift, day) its break offsets, agent by agent
    offsets: dict[tuple[int, int], list[int]] = {}
    for (s, day, off), var in sorted(model.b.items()):
        offsets.setdefault((s, day), []).extend([off] * _int(var))
    short_offsets: dict[tuple[int, int, int], list[int]] = {}
    for (s, day, k, off), var in sorted(model.sb.items()):
        short_offsets.setdefault((s, day, k), []).extend([off] * _int(var))
    shift_index = {s: k for k, s in enumerate(model.shifts)}
    moved = _hand_out_moves(model, assignment, group_of)
    rows = []
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
                )
            )
    roster = pd.DataFrame(rows, columns=ROSTER_COLUMNS)
    roster = roster.sort_values(["agent", "start"], kind="stable").reset_index(drop=True)
    return roster, unused


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
        counts[g, i, day].extend([delta] * _int(var))
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


def _match_preferences(names, instances, tours, prefs) -> list[tuple[str, int]]:
    """Give a group's tours to its agents, closest preferred start first (min-cost matching)."""
    if not instances:
        return []
    from scipy.optimize import linear_sum_assignment

    cost = np.zeros((len(names), len(instances)))
    for a, name in enumerate(names):
        pref = prefs.get(name)
        if pref is None:
            continue
        for k, i in enumerate(instances):
            diff = abs(tours[i].shift.start_min - pref)
            cost[a, k] = min(diff, DAY_MIN - diff) / 60.0
    rows, cols = linear_sum_assignment(cost)
    return [(names[r], instances[c]) for r, c in zip(rows, cols, strict=True)]


# --- the public entry point ---------------------------------------------------------------------


def build_roster(
    requirements: pd.DataFrame,
    rules: Rules | None = None,
    agents: pd.DataFrame | None = None,
    time_limit_s: float = 60,
    solver: str = "cbc",
    progress: bool = False,
    source: str = "requirements",
    gap_pct: float = DEFAULT_GAP_PCT,
) -> ScheduleResult:
    """Roster the week in `requirements` (a frame with `timestamp`, `staff`[, `queue`]).

    The solve stops when the roster's cost is proven within `gap_pct` % of the best possible
    (deterministic) or at `time_limit_s` seconds (the roster found by then may differ between
    machines; the status says which ended it).

    Raises InfeasibleError (naming the rule and intervals) when the rules cannot cover the
    requirement, SolverError when the solver finds nothing within the time limit.
    """
    rules = rules or Rules()
    req = requirements_horizon(requirements, source)
    if req.n_days != 7:
        raise InputError(
            f"{source}: the roster covers one week: expected 7 whole days of intervals, got "
            f"{req.n_days}"
        )
    if agents is not None and not rules.soft_coverage:
        rules = _replace(rules, coverage="soft")
    groups = make_groups(agents, rules, req.queues)
    if not groups:
        raise InfeasibleError("no agent in the agents file has a skill for these queues")
    model = build_model(req, rules, groups)
    if not 0 <= gap_pct < 100:
        raise InputError(f"gap = {gap_pct!r}: expected a percentage from 0 to below 100")
    info = solve_model(model, solver, time_limit_s, progress, gap_pct)
    if info.status == "infeasible":
        raise InfeasibleError(
            f"{rules.source}: the rules cannot cover the requirement (solver: infeasible); "
            'try labour.coverage = "soft" to see where it falls short'
        )
    if math.isnan(info.objective):
        raise SolverError(
            f"{solver.upper()} found no roster within {time_limit_s:g} s ({info.status}); "
            "raise --time-limit"
        )
    roster, unused = extract_roster(model, agents)
    return _result(model, roster, unused, info, solver)


def _replace(rules: Rules, **changes) -> Rules:
    from dataclasses import replace

    return replace(rules, **changes)


def _result(model: Model, roster: pd.DataFrame, unused, info: SolveInfo, solver: str):
    req, rules = model.req, model.rules
    times = req.frame["timestamp"]
    required = req.frame["staff"].to_numpy(dtype=float)
    scheduled = on_phone_counts(roster, times, req.interval_min, cyclic=True)
    coverage = coverage_frame(times, required, scheduled)
    short_total = float(coverage["shortfall"].sum())
    if not rules.soft_coverage and short_total > 1e-6:
        raise SolverError(
            "internal check failed: the roster leaves intervals short under hard coverage"
        )
    hours = req.interval_min / 60.0
    paid = float(roster["paid_hours"].sum())
    night = float(roster["night_hours"].sum())
    cost = rules.wage_per_hour * (paid + rules.night_premium_pct / 100.0 * night)
    objective = info.objective
    bound = min(info.bound, objective)
    gap = 0.0 if objective <= 1e-9 else max(0.0, (objective - bound) / abs(objective))
    status = info.status
    if status == "optimal" and gap > 1e-6:
        status = "optimal within gap tolerance"  # the solver's word; the gap says how close
    messages = list(model.messages)
    if rules.night_weekend_penalty_h > 0 and model.groups and model.groups[0].agents:
        messages.append(fairness_note(roster, rules, model.groups))
    if unused:
        messages.append(f"{len(unused)} agents have no tour this week: {', '.join(unused[:10])}")
    return ScheduleResult(
        roster=roster,
        coverage=coverage,
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        cost=cost,
        short=short_total > 1e-6,
        headcount=int(roster["agent"].nunique()),
        paid_hours=paid,
        night_hours=night,
        on_phone_hours=float(scheduled.sum() * hours),
        required_hours=float(required.sum() * hours),
        shortfall_hours=short_total * hours,
        solver=solver,
        solve_s=info.seconds,
        horizon_days=req.n_days,
        interval_min=req.interval_min,
        currency=rules.currency,
        messages=tuple(messages),
        unused_agents=tuple(unused),
    )


def nights_weekends_per_agent(
    roster: pd.DataFrame, rules: Rules, agents: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per agent: night shifts (>= night_shift_min_h night hours) and weekend days (shifts
    starting on a Saturday or Sunday), from the roster rows; `agents` adds those with no row."""
    night = roster["night_hours"] >= rules.night_shift_min_h - 1e-9
    night &= roster["night_hours"] > 0
    weekend = pd.to_datetime(roster["start"]).dt.day_of_week >= 5
    frame = (
        pd.DataFrame({"agent": roster["agent"], "nights": night, "weekend_days": weekend})
        .groupby("agent", sort=True)[["nights", "weekend_days"]]
        .sum()
        .astype(int)
    )
    frame = frame.reindex(sorted(set(frame.index) | set(agents)), fill_value=0)
    return frame.rename_axis("agent").reset_index()


def fairness_note(roster: pd.DataFrame, rules: Rules, groups) -> str:
    """'fairness: night shifts per agent a-b (max-min d), weekend days ..., k agents with both'."""
    names = tuple(a for g in groups for a in g.agents)
    per = nights_weekends_per_agent(roster, rules, names)
    if per.empty:
        return "fairness: no agent has a tour"
    n, w = per["nights"], per["weekend_days"]
    both = int(((n > 0) & (w > 0)).sum())
    return (
        f"fairness: night shifts per agent {n.min()}-{n.max()} (max-min {n.max() - n.min()}), "
        f"weekend days {w.min()}-{w.max()} (max-min {w.max() - w.min()}), "
        f"{both} of {len(per)} agents work both nights and weekends"
    )


def lp_bound(
    requirements: pd.DataFrame, rules: Rules | None = None, solver: str = "highs"
) -> float:
    """The LP-relaxation bound of the roster model (wage-hours), for benchmarks."""
    rules = rules or Rules()
    req = requirements_horizon(requirements)
    model = build_model(req, rules, make_groups(None, rules, req.queues), relax=True)
    return solve_model(model, solver, 600).objective


def summary_frame(result: ScheduleResult) -> pd.DataFrame:
    """The summary as a two-column frame (figure, value) for tables."""
    items = result.summary()
    return pd.DataFrame({"figure": list(items), "value": [str(v) for v in items.values()]})


def describe_short(result: ScheduleResult, limit: int = 8) -> str:
    """'N intervals (Mon 2026-07-06 09:00 needs 100, has 96; ...)' for the exit-3 message."""
    short = result.short_intervals()
    shown = "; ".join(
        f"{row.timestamp:%a %Y-%m-%d %H:%M} needs {row.required:g}, has {row.scheduled:g}"
        for row in short.head(limit).itertuples(index=False)
    )
    more = f"; ... {len(short) - limit} more" if len(short) > limit else ""
    return f"{len(short)} intervals, {result.shortfall_hours:g} agent-hours in all ({shown}{more})"


# --- shift design (MSD) and plain covering: the same shift/coverage machinery, no tours --------


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
        status, objective, bound = _solve_highs(prob, left, start, MSD_GAP)
    else:
        status, objective, bound = _solve_cbc(prob, time_limit_s, MSD_GAP)
    if math.isnan(objective):
        raise SolverError(f"shift design: {status}")
    counts = {k: _int(v) for k, v in x.items() if _int(v)}
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
        _, objective, _ = _solve_highs(prob, time_limit_s, gap=MSD_GAP)
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
        _, objective, _ = _solve_highs(prob, 30)
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
