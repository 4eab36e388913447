"""Solving a PuLP model with CBC or HiGHS under deterministic settings and a hard deadline,
reading status, objective and bound from the solver itself into a typed `SolveReport`.

Both runners take a deadline on `time.monotonic()` that nothing overruns: HiGHS is told the
time left and interrupted by a callback when it passes; CBC runs as a child (see
`planner.schedule.child`) told the time left, stopped with SIGINT at the deadline (it then
writes its best roster) and killed a few seconds later. A node limit is the deterministic work
limit: a solve that ends on it ends the same way on any machine, a solve that ends on the
clock says so (`SolveReport.clock_stopped`).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import time
from dataclasses import dataclass

import highspy
import pulp

from planner.choices import SolveStatus
from planner.errors import SolverError
from planner.schedule.child import STOP_GRACE_S, run_child, run_in_fork, solver_folder

SOLVERS = ("cbc", "highs")
# Stop once the roster is proven within 0.25% of the best possible cost, or on the search's
# work limits (`planner.schedule.improve.WORK_BUDGET`), whichever comes first. Reaching a gap
# is deterministic (one thread, fixed seed) and so is a work limit; a wall-clock time limit
# is not, so the gap or the work, not the clock, should end a normal solve. At 1% the search
# stopped at its first roster inside it while a cheaper one was a few slices away.
DEFAULT_GAP_PCT = 0.25
THIN_TOURS = 1.2  # agents per LP tour at or below which a week's tours are thin
# a week with fewer agents than this on the phones at its peak is a small team: one agent more
# or less is several percent of its cost, so its gap (held to 2%, not 1%) is said to be rounding's
SMALL_TEAM_PEAK = 20
MSD_GAP = 0.001  # the shift-design benchmark compares with proven optima: solve it tighter


def highs_from_mps(prob: pulp.LpProblem) -> highspy.Highs:
    """A quiet HiGHS model of `prob`, read from its MPS written in a scratch folder (a child's
    own copy of the roster model: the columns keep pulp's names)."""
    with solver_folder() as folder:
        path = folder / "roster.mps"
        prob.writeMPS(str(path))
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.readModel(str(path))
    return h


@contextlib.contextmanager
def stdout_to_stderr():
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


@dataclass(frozen=True)
class SolveReport:
    """A solve's outcome: status, objective and bound (objective units), seconds taken, and
    whether the wall clock (not the gap or a work limit) ended it."""

    status: SolveStatus
    objective: float
    bound: float
    seconds: float
    clock_stopped: bool = False
    first_s: float = math.nan  # seconds until the first legal roster (the constructive start)
    # agents the LP relaxation puts on each tour it uses: about 1 or fewer and rounding them
    # to whole agents, not the bound, is what keeps a gap open ("thin tours")
    agents_per_lp_tour: float = math.nan

    @property
    def gap(self) -> float:
        """(objective - bound) / objective, 0 when proven optimal; nan without a solution."""
        if not self.status.has_solution or math.isnan(self.bound):
            return math.nan
        if abs(self.objective) <= 1e-9:
            return 0.0
        return max(0.0, (self.objective - min(self.bound, self.objective)) / abs(self.objective))


SolveInfo = SolveReport  # the name the stage used before the typed outcome


def within_gap(objective: float, bound: float, gap: float) -> bool:
    """Whether a roster costing `objective` is proven within `gap` (a share) of `bound`."""
    return objective <= 1e-9 or (objective - bound) / abs(objective) <= gap + 1e-12


def _left(deadline: float) -> float:
    return deadline - time.monotonic()


class _HiGHSWithStart(pulp.HiGHS):
    """PuLP's HiGHS API, handing HiGHS a starting solution (by variable name) before it runs,
    and interrupting it (simplex and MIP callbacks) once `deadline` has passed."""

    def __init__(self, start=None, deadline: float | None = None, **options):
        super().__init__(**options)
        self.start = start
        self.deadline = deadline
        self.interrupted = False

    def callSolver(self, lp):
        h = lp.solverModel
        if self.start:
            solution = highspy.HighsSolution()
            solution.col_value = [float(self.start.get(v.name, 0.0)) for v in lp.variables()]
            solution.value_valid = True
            h.setSolution(solution)
        if self.deadline is not None:

            def stop(event):
                if time.monotonic() >= self.deadline:
                    self.interrupted = True
                    event.interrupt()

            h.cbSimplexInterrupt += stop
            h.cbMipInterrupt += stop
            h.cbIpmInterrupt += stop
        h.run()

    def findSolutionValues(self, lp):
        """PuLP's reading, for every model status (it has no entry for a node limit: the
        status and bound are read from HiGHS itself in `run_highs` anyway)."""
        try:
            return super().findSolutionValues(lp)
        except KeyError:
            solution = lp.solverModel.getSolution()
            values = list(solution.col_value)
            for var in lp.variables():
                var.varValue = values[var.index]
            return pulp.LpStatusNotSolved, pulp.LpSolutionIntegerFeasible


def run_highs(
    prob: pulp.LpProblem,
    deadline: float,
    gap: float = DEFAULT_GAP_PCT / 100,
    start: dict[str, float] | None = None,
    node_limit: int | None = None,
    options: dict | None = None,
) -> SolveReport:
    """Solve `prob` with HiGHS (one thread, fixed seed) until `gap`, `node_limit` or
    `deadline`; the solution stays in the PuLP variables. `options`: more HiGHS options."""
    began = time.monotonic()
    options = dict(options or {})
    if node_limit:
        options["mip_max_nodes"] = int(node_limit)
    cmd = _HiGHSWithStart(
        start,
        deadline,
        msg=bool(os.environ.get("PLANNER_SOLVER_LOG")),
        timeLimit=max(0.5, _left(deadline)),
        threads=1,
        gapRel=gap,
        random_seed=0,
        **options,
    )
    try:
        with stdout_to_stderr():
            prob.solve(cmd)
    except pulp.PulpSolverError as exc:
        raise SolverError(f"HiGHS failed: {exc}") from None
    h = prob.solverModel
    info = h.getInfo()
    seconds = time.monotonic() - began
    model_status = h.modelStatusToString(h.getModelStatus())
    clock = cmd.interrupted or "ime limit" in model_status
    if "nfeasible" in model_status:
        return SolveReport(SolveStatus.INFEASIBLE, math.nan, math.nan, seconds)
    if info.primal_solution_status != 2:  # no feasible point
        return SolveReport(SolveStatus.NO_SOLUTION, math.nan, math.nan, seconds, clock)
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound) if prob.isMIP() else objective
    if model_status == "Optimal":
        status = SolveStatus.OPTIMAL
    elif clock:
        status = SolveStatus.TIME_LIMIT
    elif "limit" in model_status.lower():
        status = SolveStatus.WORK_LIMIT
    else:
        status = SolveStatus.FEASIBLE
    return SolveReport(status, objective, bound, seconds, clock)


def run_highs_bounded(
    prob: pulp.LpProblem,
    deadline: float,
    gap: float = DEFAULT_GAP_PCT / 100,
    start: dict[str, float] | None = None,
    node_limit: int | None = None,
    options: dict | None = None,
) -> SolveReport:
    """`run_highs` in a child process killed at the deadline (HiGHS's own checks have let it
    run far past its time limit on some weeks); the solution comes back into `prob`."""
    began = time.monotonic()

    def work():
        report = run_highs(prob, deadline, gap, start, node_limit, options)
        return report, [(v.name, v.varValue) for v in prob.variables()]

    outcome = run_in_fork(work, deadline)
    if outcome is None:
        seconds = time.monotonic() - began
        return SolveReport(SolveStatus.NO_SOLUTION, math.nan, math.nan, seconds, True)
    report, values = outcome
    by_name = dict(values)
    for var in prob.variables():
        var.varValue = by_name.get(var.name)
    return report


_CBC_LINE = re.compile(r"^(Objective value|Lower bound|Gap):\s+(\S+)", re.M)
# Heuristics that work on general integers and improve a given start: more feasibility-pump
# passes, RINS/DINS and proximity search around the incumbent.
CBC_TUNING = ("-passFeasibilityPump", "30", "-Rins", "on", "-Dins", "on", "-proximity", "on")


def run_cbc(
    prob: pulp.LpProblem,
    deadline: float,
    gap: float = DEFAULT_GAP_PCT / 100,
    start: dict[str, float] | None = None,
    node_limit: int | None = None,
    tuned: bool = True,
) -> SolveReport:
    """Solve `prob` with CBC (one thread, elapsed-time clock) as a child that never outlives
    planner; `start` (values by variable name) is handed over as a MIP start."""
    began = time.monotonic()
    cmd = pulp.PULP_CBC_CMD(msg=False)
    if not cmd.executable(cmd.path):
        raise SolverError(f"CBC failed: cannot execute {cmd.path}")
    with solver_folder() as folder:
        mps, sol, mst, log = (folder / f"model.{ext}" for ext in ("mps", "sol", "mst", "log"))
        vs, var_names, con_names, _ = prob.writeMPS(str(mps), rename=1)
        args = [cmd.path, str(mps)]
        if start:
            for var in vs:
                var.varValue = float(start.get(var.name, 0.0))
            cmd.writesol(str(mst), prob, vs, var_names, con_names)
            args += ["-mips", str(mst)]
        seconds_left = max(1.0, _left(deadline) - STOP_GRACE_S)  # stops itself in time
        args += ["-timeMode", "elapsed", "-sec", f"{seconds_left:.1f}", "-threads", "1"]
        args += ["-ratioGap", repr(gap), "-randomCbcSeed", "1"]
        if node_limit:
            args += ["-maxNodes", str(int(node_limit))]
        if tuned:
            args += list(CBC_TUNING)
        args += ["-solve", "-printingOptions", "all", "-solution", str(sol)]
        run = run_child(args, log, deadline, folder)
        text = log.read_text(encoding="utf-8", errors="replace")
        if os.environ.get("PLANNER_SOLVER_LOG"):
            sys.stderr.write(text)
        values = dict(_CBC_LINE.findall(text))
        seconds = time.monotonic() - began
        clock = run.interrupted or "Stopped on time" in text or "Stopped on ctrl-c" in text
        if re.search(r"Result - .*nfeasible", text) or "Problem is infeasible" in text:
            return SolveReport(SolveStatus.INFEASIBLE, math.nan, math.nan, seconds)
        if run.killed or "Objective value" not in values or not sol.exists():
            return SolveReport(SolveStatus.NO_SOLUTION, math.nan, math.nan, seconds, clock)
        status_code, var_values, *_ = cmd.readsol_MPS(str(sol), prob, vs, var_names, con_names)
        prob.assignVarsVals(var_values)
    objective = float(values["Objective value"])
    bound = float(values.get("Lower bound", objective))
    if "Result - Optimal solution found" in text:
        status = SolveStatus.OPTIMAL
    elif clock:
        status = SolveStatus.TIME_LIMIT
    elif "Stopped on" in text:
        status = SolveStatus.WORK_LIMIT
    else:
        status = SolveStatus.FEASIBLE
    return SolveReport(status, objective, bound, seconds, clock)


def solve_highs(prob, limit: float, start=None, gap: float = DEFAULT_GAP_PCT / 100):
    """(status, objective, bound) of a HiGHS solve within `limit` seconds (shift design)."""
    report = run_highs(prob, time.monotonic() + limit, gap, start)
    return str(report.status), report.objective, report.bound


def solve_cbc(prob, limit: float, gap: float = DEFAULT_GAP_PCT / 100):
    """(status, objective, bound) of a CBC solve within `limit` seconds (shift design)."""
    report = run_cbc(prob, time.monotonic() + limit + 1.0, gap, tuned=False)
    return str(report.status), report.objective, report.bound
