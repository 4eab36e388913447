"""Solving the roster model with CBC or HiGHS under deterministic settings, reading status,
objective and bound from the solver itself.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import tempfile
from dataclasses import dataclass

import pulp

from planner.errors import SolverError

SOLVERS = ("cbc", "highs")
# Stop once the roster is proven within 1% of the best possible cost. Reaching a gap is
# deterministic (one thread, fixed seed); a wall-clock time limit is not, so the gap, not the
# clock, should end a normal solve: the summer week reaches 1% in ~10 s, 0.5% not in 110 s.
DEFAULT_GAP_PCT = 1.0
MSD_GAP = 0.001  # the shift-design benchmark compares with proven optima: solve it tighter


@dataclass(frozen=True)
class SolveInfo:
    status: str
    objective: float
    bound: float
    seconds: float


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
