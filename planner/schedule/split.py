"""A named week's bound split on its headcount: every roster rosters a whole number of agents.

On the bundled week (88 named agents, 70 of them full-timers paid 48 h whether rostered or
not) the LP relaxation puts 71.80 agents on the week, 1.80 of them part-timers on 20-h tours,
at 3,507.44 wage-hours. A roster has 71 agents or fewer, where the LP costs 3,513.69, or 72 or
more, 3,508.90: so no roster costs less than 3,508.90, and the gap on the cost the roster
decides falls from 5.97% to 5.55% for two LPs (about 1.5 CPU s). Nothing further splits there:
at 72 every group's headcount is whole. The sized weeks' LP bound is already within
0.003-0.04% of the best bound any solver proved (issue 25), so they are not split.
"""

from __future__ import annotations

import math
import time

import highspy
import numpy as np

from planner.schedule.child import STOP_GRACE_S, run_in_fork
from planner.schedule.model import Model
from planner.schedule.solvers import highs_from_mps, stdout_to_stderr

SPLIT_MIN_S = 10.0  # less time than this left before the deadline: no split
WHOLE_EPS = 1e-6  # an LP headcount this close to a whole number is not split


def headcount_split(model: Model, lp_tours: dict, deadline: float) -> float:
    """A lower bound on the roster's cost at least the LP relaxation's, or -inf when there is
    none to add: when the LP's headcount `n` (`lp_tours`, its value of each tour variable,
    summed) is fractional on a week of named agents, the cheaper of the LP with at most
    floor(n) agents and the LP with at least ceil(n) (a side with no solution bounds nothing).
    Solved in a child process from the model's MPS (the model is left untouched); -inf too
    when the clock (`deadline`, on `time.monotonic()`) stops either LP."""
    count = float(sum(lp_tours.values()))
    if not any(group.agents for group in model.groups) or _whole(count):
        return -math.inf
    if deadline - time.monotonic() < SPLIT_MIN_S:
        return -math.inf

    def work():
        with stdout_to_stderr():  # HiGHS's banner must not reach the data on stdout
            return _sides(model, count, deadline)

    outcome = run_in_fork(work, deadline)
    return -math.inf if outcome is None else float(outcome)


def _whole(count: float) -> bool:
    return abs(count - round(count)) < WHOLE_EPS


def _sides(model: Model, count: float, deadline: float) -> float:
    """In the child: the two LPs, the headcount row held to each side in turn."""
    h = highs_from_mps(model.prob)
    options: dict[str, int | str] = {"threads": 1, "random_seed": 0, "solver": "ipm"}
    for option, value in options.items():
        h.setOptionValue(option, value)
    lp = h.getLp()
    lp.integrality_ = []  # the relaxation
    h.passModel(lp)
    column = {h.getColName(j)[1]: j for j in range(h.getNumCol())}
    tours = np.array([column[var.name] for var in model.y.values()], dtype=np.int32)
    h.addRow(-highspy.kHighsInf, highspy.kHighsInf, len(tours), tours, np.ones(len(tours)))
    row = h.getNumRow() - 1
    sides = []
    for lower, upper in (
        (-highspy.kHighsInf, math.floor(count)),
        (math.ceil(count), highspy.kHighsInf),
    ):
        left = deadline - time.monotonic() - STOP_GRACE_S
        if left <= 0:
            return -math.inf
        h.setOptionValue("time_limit", left)
        h.changeRowBounds(row, lower, upper)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            continue  # no roster on this side
        if status != highspy.HighsModelStatus.kOptimal:
            return -math.inf  # the clock, or no answer: no bound from the split
        sides.append(float(h.getInfo().objective_function_value))
    return min(sides) if sides else -math.inf
