"""Neighbourhood search after the polish: re-solve the roster a few tours at a time, every
other tour fixed where the roster has it.

On a large week (thousands of general integers) neither CBC nor HiGHS improves the polished
roster by branching over the whole model: a summer week's polish sits ~2% above the LP bound
and stays there after 500 s of HiGHS. Freeing only a slice of the tours, with every meal break
still free, gives HiGHS a small model whose root alone (one node: `NODE_LIMIT`) finds a cheaper
roster around it. The slices: the tours of one pattern of working days, then the tours that
start in one band of the day (`BAND_H` hours wide, moved on by `BAND_STEP_H`); a round visits
every slice in turn. The search stops when the roster is within the gap of the bound, after
`ROUNDS` rounds, or after a round that gained less than `MIN_ROUND_GAIN`. Each step is a fixed
amount of work, so the result is the same on every machine; only the deadline can cut it short,
and then the report says so.
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
from planner.schedule.solvers import stdout_to_stderr, within_gap
from planner.schedule.start import Start, legal_start, values_kept

BAND_H = 1.0  # width of a band of shift start times, hours
BAND_STEP_H = 0.5  # the next band starts this much later
ROUNDS = 2
MIN_ROUND_GAIN = 0.0005  # a round that gains less than this share of the cost is the last
NODE_LIMIT = 1  # the root of each slice's model: its heuristics find the better rosters
OPTIONS = {"mip_pscost_minreliable": 0, "mip_rel_gap": 0.0}
MIN_STEP_S = 1.0  # less time than this left: stop (the report says the clock ended it)


def improve_by_slices(
    model: Model, start: Start, bound: float, gap: float, deadline: float
) -> tuple[Start, bool]:
    """A roster at most as dear as `start`, from the slice search; and whether the clock
    (`deadline`, on `time.monotonic()`) cut the search short. The model's variables are left
    untouched."""
    slices = tour_slices(model)
    if not slices or within_gap(start.objective, bound, gap):
        return start, False

    def work():
        with stdout_to_stderr():  # HiGHS's banner must not reach the data on stdout
            return _search(model, start, bound, gap, deadline, slices)

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


def tour_slices(model: Model) -> list[list[int]]:
    """The slices of tours a round frees in turn, as positions in `model.y`: one per pattern
    of working days, then one per band of start times (from midnight, in steps); empty slices
    and repeats skipped."""
    keys = list(model.y)
    patterns = sorted({model.tours[i].days for (_, i) in keys})
    out = [[k for k, (_, i) in enumerate(keys) if model.tours[i].days == p] for p in patterns]
    starts = [model.tours[i].shift.start_min % DAY_MIN for (_, i) in keys]
    width, step = round(BAND_H * 60), round(BAND_STEP_H * 60)
    for begin in range(0, DAY_MIN, step):
        out.append([k for k, s in enumerate(starts) if (s - begin) % DAY_MIN < width])
    unique: list[list[int]] = []
    seen: set[tuple[int, ...]] = set()
    for members in out:
        if members and tuple(members) not in seen:
            seen.add(tuple(members))
            unique.append(members)
    return unique


def _search(model, start: Start, bound, gap, deadline, slices):
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
    lp = h.getLp()
    lower, upper = np.array(lp.col_lower_), np.array(lp.col_upper_)
    tour_cols = np.array([column[var.name] for var in model.y.values()], dtype=np.int32)
    settings: dict[str, float] = {"threads": 1, "random_seed": 0, "mip_max_nodes": NODE_LIMIT}
    for option, value in {**settings, **OPTIONS}.items():
        h.setOptionValue(option, value)
    x = np.array([float(start.values.get(name, 0.0)) for name in names])
    log = bool(os.environ.get("PLANNER_SOLVER_LOG"))
    best, clock = start.objective, False
    work = 0  # simplex iterations of every slice so far (the same on any machine)
    todo = list(range(len(slices)))
    for _ in range(ROUNDS):
        round_from, gained = best, []
        for k in todo:
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
            h.run()
            info = h.getInfo()
            if h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
                clock = True
            if info.primal_solution_status == 2 and info.objective_function_value < best - 1e-6:
                x = np.array(h.getSolution().col_value)
                best = float(info.objective_function_value)
                gained.append(k)
            h.changeColsBounds(len(fixed), fixed, lower[fixed], upper[fixed])
            work += int(info.simplex_iteration_count)
            if log:
                took = time.monotonic() - began
                print(
                    f"planner: slice of {len(members)} tours: {best:,.2f} ({took:.1f} s, "
                    f"{int(info.simplex_iteration_count)} LP iterations, {work} in all)",
                    file=sys.stderr,
                )
            if clock or within_gap(best, bound, gap):
                break
        if clock or within_gap(best, bound, gap) or round_from - best < MIN_ROUND_GAIN * round_from:
            break
        todo = gained  # the next round revisits the slices that gained
    if best >= start.objective:
        return None, clock
    return dict(zip(names, (float(v) for v in x), strict=True)), clock


def _checked(model: Model, values: dict[str, float]) -> Start | None:
    """The search's roster as a Start (integers rounded), or None if it breaks a constraint;
    the model's variables keep what they held."""
    rounded = {}
    for var in model.prob.variables():
        value = values.get(var.name, 0.0)
        rounded[var.name] = float(round(value)) if var.cat == pulp.LpInteger else value
    with values_kept(model):
        return legal_start(model, rounded)
