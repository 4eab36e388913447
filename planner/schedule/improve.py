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
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pulp

from planner.schedule.child import STOP_GRACE_S, run_in_fork, solver_folder
from planner.schedule.model import Model
from planner.schedule.rules import DAY_MIN
from planner.schedule.solvers import THIN_TOURS, stdout_to_stderr, within_gap
from planner.schedule.start import Start, legal_start, values_kept

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
    slices = tour_slices(model, thin=lp is not None and thin_tours(lp))
    if not slices or within_gap(start.objective, bound, gap):
        return start, False

    def work():
        with stdout_to_stderr():  # HiGHS's banner must not reach the data on stdout
            return _search(model, start, bound, gap, deadline, slices, lp, work_budget)

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


def thin_tours(lp) -> bool:
    """Whether the LP relaxation (agents per tour variable) puts `THIN_TOURS` agents or fewer
    on each tour it uses."""
    used = lp > 1e-6
    return bool(used.any()) and float(lp[used].sum()) / int(used.sum()) <= THIN_TOURS


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


def _search(model, start: Start, bound, gap, deadline, slices, lp=None, budget=WORK_BUDGET):
    """In the child: the rounds on one HiGHS model read from the roster model's MPS.
    Returns (values by variable name or None when nothing improved, clock stopped)."""
    import highspy

    with solver_folder() as folder:
        path = folder / "roster.mps"
        model.prob.writeMPS(str(path))
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.readModel(str(path))
    names = [h.getColName(j)[1] for j in range(h.getNumCol())]
    column = {name: j for j, name in enumerate(names)}
    bounds = h.getLp()
    lower, upper = np.array(bounds.col_lower_), np.array(bounds.col_upper_)
    tour_cols = np.array([column[var.name] for var in model.y.values()], dtype=np.int32)
    settings: dict[str, float] = {"threads": 1, "random_seed": 0, "mip_max_nodes": NODE_LIMIT}
    calls = work_cap(h, SLICE_WORK)
    for option, value in {**settings, **OPTIONS}.items():
        h.setOptionValue(option, value)
    x = np.array([float(start.values.get(name, 0.0)) for name in names])
    log = bool(os.environ.get("PLANNER_SOLVER_LOG"))
    best, clock = start.objective, False
    work = 0  # simplex iterations of every slice so far (the same on any machine)
    found = 0  # cheaper rosters so far
    tried: dict[int, int] = {}  # slice -> `found` when it was last solved without a gain
    for round_ in range(ROUNDS):
        round_from = best
        for k in slice_order(slices, x[tour_cols], lp, ranked=round_ > 0):
            if tried.get(k) == found:
                continue  # the same roster around it: the same answer again
            members = slices[k]
            left = deadline - time.monotonic()
            if left < MIN_STEP_S:
                clock = True
                break
            fixed = np.delete(tour_cols, members)
            h.changeColsBounds(len(fixed), fixed, x[fixed], x[fixed])
            h.setOptionValue("time_limit", max(0.5, left - STOP_GRACE_S))
            solution = highspy.HighsSolution()
            solution.col_value = list(x)
            solution.value_valid = True
            h.setSolution(solution)
            began = time.monotonic()
            calls[0] = 0
            h.run()
            info = h.getInfo()
            if h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
                clock = True
            if info.primal_solution_status == 2 and info.objective_function_value < best - 1e-6:
                x = np.array(h.getSolution().col_value)
                best = float(info.objective_function_value)
                found += 1
            else:
                tried[k] = found
            h.changeColsBounds(len(fixed), fixed, lower[fixed], upper[fixed])
            work += int(info.simplex_iteration_count)
            if log:
                took = time.monotonic() - began
                print(
                    f"planner: slice of {len(members)} tours: {best:,.2f} ({took:.1f} s, "
                    f"{int(info.simplex_iteration_count)} LP iterations, {work} in all, {calls[0]} calls)",
                    file=sys.stderr,
                )
            if clock or within_gap(best, bound, gap) or work >= budget:
                break
        if clock or within_gap(best, bound, gap) or work >= budget:
            break
        if round_from - best < MIN_ROUND_GAIN * round_from:
            break
    if best >= start.objective:
        return None, clock
    return dict(zip(names, (float(v) for v in x), strict=True)), clock


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
