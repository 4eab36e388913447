"""Neighbourhood search after the polish: re-solve the roster a few tours at a time, every
other tour fixed where the roster has it.

On a large week (thousands of general integers) neither CBC nor HiGHS improves the polished
roster by branching over the whole model: a summer week's polish sits ~2% above the LP bound
and stays there after 500 s of HiGHS. Freeing only a slice of the tours, with every meal break
still free, gives HiGHS a small model whose root alone (one node: `NODE_LIMIT`) finds a cheaper
roster around it. The slices: on a week of thin tours (the LP puts `THIN_TOURS` agents or
fewer on each tour it uses) first the tours of two neighbouring patterns of working days that
start in one half of the day (`pattern_pairs`: two thin tours merge or trade a day there); then
the tours of one pattern of working days, then the tours that
start in one band of the day (`BAND_H` hours wide, moved on by `BAND_STEP_H`); a slice of more
than `MAX_SLICE_TOURS` tours is cut in parts by start time, and HiGHS stops a slice after
`SLICE_WORK` of its interrupt checks (caps on the work of any one slice). The work goes where the roster and the LP relaxation differ: a round skips the
slices whose tours agree with the LP's, and a slice solved without a gain is not solved again
until the roster has changed; the first round visits the rest in order, later rounds rank
them by how far the roster's tours are from the LP's there (agents, summed over the slice's
tours), farthest first. The search stops when the roster is within the gap of the bound, when the
simplex iterations of all slices so far pass `WORK_BUDGET`, after `ROUNDS` rounds, or after a
round that gained less than `MIN_ROUND_GAIN`. Each step is a fixed amount of work, so the
result is the same on every machine; only the deadline can cut it short, and then the report
says so.

On a week of thin tours, but not the thinnest (the LP puts `WINDOWS_FROM` agents or more on
each tour it uses), the rounds are preceded by over-coverage windows (`window_phase`), chosen
by where the roster wastes money: the roster's agents on shift in each interval less the LP
relaxation's, summed over windows `WINDOW_H` hours wide every `WINDOW_STEP_H` hours of the week
(`window_starts`); each round frees, for the `WINDOWS` windows where the roster stands most
above the LP, the tours the roster uses there and every tour on shift in the window that starts
within `NEAR_START_H` hours of one of them and works the same days but for one traded, added
or dropped day (`window_slice`), so HiGHS can re-cut the agents who over-cover that part of
the week. The windows may spend `WINDOW_SHARE` of the work budget on top of it; the rounds
then get the whole budget (taken from them, the cron chain's second week ended 2.13% above the
bound instead of 1.52%; with it 1.68%, and x1 0.77%). Measured from the same polished rosters (`benchmarks/schedule_peers.py` weeks), gap to
the LP bound / search CPU s: x1 (1.00 agents per LP tour) 1.04% / 45.5 -> 0.88% / 34.9; x0.5
(0.58) 2.45% / 27.1 -> 2.36% / 34.2; x0.3 (0.43, below `WINDOWS_FROM`) 2.12% -> 3.77% with
them. Run after the rounds, with work of their own, they gained on x1 and x0.5 too but at
twice the CPU; the storm week (not thin) was worse with them first (0.67% -> 0.74%).
"""

from __future__ import annotations

import os
import sys
import time

import highspy
import numpy as np
import pulp

from planner.schedule.child import STOP_GRACE_S, run_in_fork
from planner.schedule.model import Model
from planner.schedule.rules import DAY_MIN
from planner.schedule.solvers import THIN_TOURS, highs_from_mps, stdout_to_stderr, within_gap
from planner.schedule.start import Start, legal_start, values_kept
from planner.schedule.tours import slot_cover

BAND_H = 1.0  # width of a band of shift start times, hours
BAND_STEP_H = 0.5  # the next band starts this much later
ROUNDS = 4
# the search's work limit, in simplex iterations of all its slices (deterministic): about
# 10-15 CPU s on a 2-core machine of 2026, the bundled week's 88 named agents included
WORK_BUDGET = 30000
PAIR_SPAN_H = 12  # thin weeks' pattern pairs: the starts of one slice span this many hours
MAX_SLICE_TOURS = 400  # a larger slice is cut in parts by start time
# the work of any one slice, in HiGHS's interrupt checks (`_search`): the x1 summer week's
# slices reached 15-79 of them (1.4-29 CPU s); a cap at 30 cost the small weeks most of their
# gains (those come from the heavy slices), so it only stops a runaway slice; a slice stopped
# there keeps the cheaper roster it found, at the same point on any machine
SLICE_WORK = 60
DIFFERENCE_EPS = 1e-6  # a slice whose tours agree with the LP's to this is skipped
MIN_ROUND_GAIN = 0.0005  # a round that gains less than this share of the cost is the last
NODE_LIMIT = 1  # the root of each slice's model: its heuristics find the better rosters
OPTIONS = {"mip_pscost_minreliable": 0, "mip_rel_gap": 0.0}
MIN_STEP_S = 1.0  # less time than this left: stop (the report says the clock ended it)
# over-coverage windows (thin weeks, before the rounds; see the module docstring)
WINDOW_H = 4.0  # width of a window of the week, hours (about half a shift)
WINDOW_STEP_H = 2.0  # the next window starts this much later
WINDOWS = 6  # windows a round frees: those where the roster stands most above the LP
NEAR_START_H = 2.0  # a replacement tour starts at most this far from a roster tour's start
WINDOW_SHARE = 0.5  # the windows' work, as a share of the rounds' budget (0: no windows)
# the windows run where the LP puts at least this many agents on each tour it uses: on the
# x0.3 week (0.43) they gained nothing and the rounds after them ended 1.6 points dearer
WINDOWS_FROM = 0.5


def improve_by_slices(
    model: Model,
    start: Start,
    bound: float,
    gap: float,
    deadline: float,
    lp_tours: dict | None = None,
    work_budget: int = WORK_BUDGET,
) -> tuple[Start, bool]:
    """A roster at most as dear as `start`, from the slice search; and whether the clock
    (`deadline`, on `time.monotonic()`) cut the search short. `lp_tours`: the LP relaxation's
    value of each tour variable (keys of `model.y`; without it every slice is visited, in
    order); `work_budget`: simplex iterations. The model's variables are left untouched."""
    lp = None
    if lp_tours is not None:
        lp = np.array([float(lp_tours.get(key, 0.0)) for key in model.y])
    thin = lp is not None and thin_tours(lp)
    slices = tour_slices(model, thin=thin)
    if not slices or within_gap(start.objective, bound, gap):
        return start, False
    windows = 0
    if thin and lp is not None and agents_per_tour(lp) >= WINDOWS_FROM:
        windows = round(WINDOW_SHARE * work_budget)

    def work():
        with stdout_to_stderr():  # HiGHS's banner must not reach the data on stdout
            return _search(model, start, bound, gap, deadline, slices, lp, work_budget, windows)

    outcome = run_in_fork(work, deadline)
    if outcome is None:
        return start, True
    values, clock = outcome
    if values is None:
        return start, clock
    better = _checked(model, values)
    if better is None or better.objective > start.objective - 1e-9:
        return start, clock
    return better, clock


def agents_per_tour(lp) -> float:
    """The LP relaxation's agents (per tour variable) on each tour it uses (0: none used)."""
    used = lp > 1e-6
    return float(lp[used].sum()) / int(used.sum()) if used.any() else 0.0


def thin_tours(lp) -> bool:
    """Whether the LP relaxation (agents per tour variable) puts `THIN_TOURS` agents or fewer
    on each tour it uses."""
    return bool((lp > 1e-6).any()) and agents_per_tour(lp) <= THIN_TOURS


def tour_slices(model: Model, thin: bool = False) -> list[list[int]]:
    """The slices of tours a round frees in turn, as positions in `model.y`: with `thin`
    first the pairs of neighbouring patterns (`pattern_pairs`); then one per pattern of
    working days, then one per band of start times (from midnight, in steps); empty slices
    and repeats skipped."""
    keys = list(model.y)
    patterns = sorted({model.tours[i].days for (_, i) in keys})
    starts = [model.tours[i].shift.start_min % DAY_MIN for (_, i) in keys]
    out = pattern_pairs(model, patterns, starts) if thin else []
    out += [[k for k, (_, i) in enumerate(keys) if model.tours[i].days == p] for p in patterns]
    width, step = round(BAND_H * 60), round(BAND_STEP_H * 60)
    for begin in range(0, DAY_MIN, step):
        out.append([k for k, s in enumerate(starts) if (s - begin) % DAY_MIN < width])
    unique: list[list[int]] = []
    seen: set[tuple[int, ...]] = set()
    for members in out:
        for part in _cut(members, starts):
            if part and tuple(part) not in seen:
                seen.add(tuple(part))
                unique.append(part)
    return unique


def pattern_pairs(model: Model, patterns, starts: list[int]) -> list[list[int]]:
    """Slices for thin tours (about one agent per tour): the tours of two patterns of working
    days that differ by at most one day (the smaller one's days all in the other but one),
    starting in one half of the day (`PAIR_SPAN_H` hours from 00:00, then from 12:00). An agent
    of such a slice may move to the other pattern and to another start at once, so two thin
    tours can merge into one agent's week or trade a day, which neither a single pattern nor
    a band of starts allows."""
    keys = list(model.y)
    days = [model.tours[i].days for (_, i) in keys]
    span = round(PAIR_SPAN_H * 60)
    out = []
    for a, first in enumerate(patterns):
        for second in patterns[a + 1 :]:
            one, other = set(first), set(second)
            if len(one & other) < min(len(one), len(other)) - 1:
                continue
            members = [k for k, d in enumerate(days) if d in (first, second)]
            for begin in range(0, DAY_MIN, span):
                out.append([k for k in members if (starts[k] - begin) % DAY_MIN < span])
    return out


def _cut(members: list[int], starts: list[int], cap: int = MAX_SLICE_TOURS) -> list[list[int]]:
    """`members` in parts of at most `cap` tours, by start time (then position)."""
    if len(members) <= cap:
        return [members]
    ordered = sorted(members, key=lambda k: (starts[k], k))
    parts = -(-len(ordered) // cap)
    size = -(-len(ordered) // parts)
    return [sorted(ordered[p : p + size]) for p in range(0, len(ordered), size)]


def slice_order(slices: list[list[int]], roster, lp, ranked: bool = True) -> list[int]:
    """The slices to visit, as positions in `slices`: those where the roster's tours (agents per
    tour variable, in `model.y` order) differ from the LP relaxation's, farthest first when
    `ranked` (else in order). Without `lp`: every slice, in order."""
    if lp is None:
        return list(range(len(slices)))
    apart = np.abs(np.asarray(roster, dtype=float) - lp)
    scores = [float(apart[members].sum()) for members in slices]
    order = list(range(len(slices)))
    if ranked:
        order.sort(key=lambda k: (-round(scores[k], 6), k))
    return [k for k in order if scores[k] > DIFFERENCE_EPS]


def _search(
    model, start: Start, bound, gap, deadline, slices, lp=None, budget=WORK_BUDGET, windows=0
):
    """In the child: the over-coverage windows (at most `windows` simplex iterations; with
    `lp` only), then the rounds on one HiGHS model read from the roster model's MPS.
    Returns (values by variable name or None when nothing improved, clock stopped)."""
    h = highs_from_mps(model.prob)
    names = [h.getColName(j)[1] for j in range(h.getNumCol())]
    column = {name: j for j, name in enumerate(names)}
    bounds = h.getLp()
    tour_cols = np.array([column[var.name] for var in model.y.values()], dtype=np.int32)
    settings: dict[str, float] = {"threads": 1, "random_seed": 0, "mip_max_nodes": NODE_LIMIT}
    calls = work_cap(h, SLICE_WORK)
    for option, value in {**settings, **OPTIONS}.items():
        h.setOptionValue(option, value)
    run = _SliceRun(h, tour_cols, bounds, calls, deadline)
    run.x = np.array([float(start.values.get(name, 0.0)) for name in names])
    run.best = start.objective
    if lp is not None and windows > 0:
        window_phase(model, run, lp, bound, gap, windows)
        budget += run.work  # the rounds' own budget, after the windows' work
    found = 0  # cheaper rosters so far
    tried: dict[int, int] = {}  # slice -> `found` when it was last solved without a gain
    for round_ in range(ROUNDS):
        round_from = run.best
        for k in slice_order(slices, run.x[tour_cols], lp, ranked=round_ > 0):
            if run.stopped(bound, gap, budget):
                break
            if tried.get(k) == found:
                continue  # the same roster around it: the same answer again
            if run.solve(slices[k]):
                found += 1
            elif not run.clock:
                tried[k] = found
        if run.done(bound, gap, budget) or round_from - run.best < MIN_ROUND_GAIN * round_from:
            break
    if run.best >= start.objective:
        return None, run.clock
    return dict(zip(names, (float(v) for v in run.x), strict=True)), run.clock


class _SliceRun:
    """The roster being searched (`x`, HiGHS's columns; `best`, its cost) and the solve of one
    slice at the root, every other tour fixed; `work` counts the simplex iterations of every
    slice so far (the same on any machine), `clock` whether the deadline cut a slice short."""

    def __init__(self, h, tour_cols, bounds, calls, deadline):
        self.h, self.tour_cols, self.calls = h, tour_cols, calls
        self.lower, self.upper = np.array(bounds.col_lower_), np.array(bounds.col_upper_)
        self.deadline = deadline
        self.x = np.zeros(len(self.lower))
        self.best = 0.0
        self.work = 0
        self.clock = False
        self.log = bool(os.environ.get("PLANNER_SOLVER_LOG"))

    def stopped(self, bound, gap, budget) -> bool:
        """Before a slice: whether the search ends here (the clock, the gap or the budget)."""
        if not self.clock and self.deadline - time.monotonic() < MIN_STEP_S:
            self.clock = True
        return self.done(bound, gap, budget)

    def done(self, bound, gap, budget) -> bool:
        """After a slice or a round: whether the clock cut it, the gap or the budget is met."""
        return self.clock or within_gap(self.best, bound, gap) or self.work >= budget

    def solve(self, members: list[int]) -> bool:
        """Re-solve the slice `members` (positions in `model.y`); whether it gained."""
        h, x = self.h, self.x
        fixed = np.delete(self.tour_cols, members)
        h.changeColsBounds(len(fixed), fixed, x[fixed], x[fixed])
        h.setOptionValue("time_limit", max(0.5, self.deadline - time.monotonic() - STOP_GRACE_S))
        solution = highspy.HighsSolution()
        solution.col_value = list(x)
        solution.value_valid = True
        h.setSolution(solution)
        began = time.monotonic()
        self.calls[0] = 0
        h.run()
        info = h.getInfo()
        if h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
            self.clock = True
        gained = (
            info.primal_solution_status == 2 and info.objective_function_value < self.best - 1e-6
        )
        if gained:
            self.x = np.array(h.getSolution().col_value)
            self.best = float(info.objective_function_value)
        h.changeColsBounds(len(fixed), fixed, self.lower[fixed], self.upper[fixed])
        self.work += int(info.simplex_iteration_count)
        if self.log:
            took = time.monotonic() - began
            print(
                f"planner: slice of {len(members)} tours: {self.best:,.2f} ({took:.1f} s, "
                f"{int(info.simplex_iteration_count)} LP iterations, {self.work} in all, "
                f"{self.calls[0]} calls)",
                file=sys.stderr,
            )
        return gained


def tour_cover(model: Model) -> np.ndarray:
    """Whether each tour (rows: `model.y` order) is on shift in each interval of the week
    (columns; meal breaks included, the week wrapped as the model wraps it)."""
    step, n = model.req.interval_min, len(model.req.frame)
    cover = np.zeros((len(model.y), n), dtype=bool)
    for k, (_, i) in enumerate(model.y):
        tour = model.tours[i]
        for day in tour.days:
            begin = day * DAY_MIN + tour.shift.start_min
            cover[k, slot_cover(begin, tour.shift.length_min, step, n, model.cyclic)] = True
    return cover


def window_starts(model: Model, cover: np.ndarray, roster, lp) -> list[int]:
    """The first intervals of the `WINDOWS` windows of the week where the roster (agents per
    tour variable, `model.y` order) has the most agents on shift above the LP relaxation's
    (`lp`), summed over the window; most first (then earliest), only windows above the LP."""
    step, n = model.req.interval_min, cover.shape[1]
    width, every = round(WINDOW_H * 60) // step, round(WINDOW_STEP_H * 60) // step
    above = np.asarray(roster, dtype=float) @ cover - np.asarray(lp, dtype=float) @ cover
    scores = [(float(above[np.arange(t, t + width) % n].sum()), t) for t in range(0, n, every)]
    scores.sort(key=lambda st: (-round(st[0], 6), st[1]))
    return [t for score, t in scores[:WINDOWS] if score > DIFFERENCE_EPS]


def window_slice(model: Model, cover: np.ndarray, roster, first: int) -> list[int]:
    """The tours (positions in `model.y`) freed for the window from interval `first`: those
    the roster uses that are on shift in it, and every tour on shift in it that starts within
    `NEAR_START_H` hours of one of them and whose days differ from its by at most one traded
    day (or one day more or fewer)."""
    step, n = model.req.interval_min, cover.shape[1]
    width = round(WINDOW_H * 60) // step
    inside = np.asarray(cover[:, np.arange(first, first + width) % n].any(axis=1))
    keys = list(model.y)
    starts = np.array([model.tours[i].shift.start_min % DAY_MIN for (_, i) in keys])
    days = [frozenset(model.tours[i].days) for (_, i) in keys]
    used = [k for k in np.nonzero(np.asarray(roster) > 0.5)[0] if inside[k]]
    near = round(NEAR_START_H * 60)
    members = set(used)
    for u in used:
        apart = np.abs(starts - starts[u])
        close = inside & (np.minimum(apart, DAY_MIN - apart) <= near)
        members.update(k for k in np.nonzero(close)[0] if len(days[k] ^ days[u]) <= 2)
    return sorted(int(k) for k in members)


def window_phase(model: Model, run: _SliceRun, lp, bound, gap, budget: int) -> None:
    """Rounds of over-coverage windows (`window_starts`, `window_slice`) on `run`'s roster,
    until `budget` simplex iterations, the gap or the clock, or a round that gained less
    than `MIN_ROUND_GAIN`; a window solved without a gain is not solved again until the roster
    has changed."""
    cover = tour_cover(model)
    keys = list(model.y)
    starts = [model.tours[i].shift.start_min % DAY_MIN for (_, i) in keys]
    found = 0
    tried: dict[tuple[int, ...], int] = {}
    for _ in range(ROUNDS):
        round_from = run.best
        roster = run.x[run.tour_cols]
        for first in window_starts(model, cover, roster, lp):
            members = window_slice(model, cover, roster, first)
            if run.stopped(bound, gap, budget):
                return
            if not members or tried.get(tuple(members)) == found:
                continue
            gained = False
            for part in _cut(members, starts):
                gained = run.solve(part) or gained
            if gained:
                found += 1
            elif not run.clock:
                tried[tuple(members)] = found
        if run.done(bound, gap, budget) or round_from - run.best < MIN_ROUND_GAIN * round_from:
            return


def work_cap(h, checks: int) -> list[int]:
    """Stop every MIP run of HiGHS model `h` after `checks` of its interrupt checks: HiGHS has
    no iteration limit for a MIP and gives its callbacks no iteration count, so the checks
    (reached at the same points of the same search on any machine, one thread) are counted.
    Returns the counter, to be set to 0 before each run. The callback sets the interrupt flag
    at every check, off as well as on: HiGHS keeps the flag between runs, so a flag left on by
    one capped run would stop every later run at its first check."""
    calls = [0]

    def capped(event):
        calls[0] += 1
        event.interrupt(calls[0] > checks)

    h.cbMipInterrupt += capped
    return calls


def _checked(model: Model, values: dict[str, float]) -> Start | None:
    """The search's roster as a Start (integers rounded), or None if it breaks a constraint;
    the model's variables keep what they held."""
    rounded = {}
    for var in model.prob.variables():
        value = values.get(var.name, 0.0)
        rounded[var.name] = float(round(value)) if var.cat == pulp.LpInteger else value
    with values_kept(model):
        return legal_start(model, rounded)
