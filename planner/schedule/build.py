"""The public entry point: `build_roster` (requirements, rules, agents -> a solved roster)."""

from __future__ import annotations

import contextlib
import math
import os
import resource
import sys
import time
from dataclasses import replace

import pandas as pd
import pulp

from planner.errors import InfeasibleError, InputError, SolverError
from planner.schedule.caps import OvertimeWorked
from planner.schedule.extract import extract_roster
from planner.schedule.files import (
    requirements_horizon,
)
from planner.schedule.groups import make_groups
from planner.schedule.hires import hires_to_cover
from planner.schedule.improve import improve_by_slices
from planner.schedule.model import Model, add_overtime, build_model, overtime_allowed
from planner.schedule.overtime import hold_overtime_before, overtime_repair
from planner.schedule.restday import add_rest_day_shifts
from planner.schedule.result import ScheduleResult, schedule_result
from planner.schedule.rules import Rules
from planner.schedule.solvers import (
    DEFAULT_GAP_PCT,
    SOLVERS,
    THIN_TOURS,
    SolveReport,
    SolveStatus,
    run_cbc,
    run_highs_bounded,
    within_gap,
)
from planner.schedule.split import headcount_split
from planner.schedule.start import Start, build_start, repair_roster
from planner.schedule.weeks import agents_from_previous, boundary_state, spill_counts

# Deterministic work limits (branch-and-bound nodes): a solve that has not reached the gap by
# then stops the same way on any machine; the wall-clock limit is only the backstop. Almost all
# the improvement comes at the root of the polish (HiGHS's sub-MIP heuristics over the LP's
# tours); nodes after it rarely improve a summer week, so the polish's limit is small. The
# search over the whole model runs on small models only (`FULL_SEARCH_MAX_INTEGERS`).
NODE_LIMIT = {"cbc": 1000, "highs": 1000}
RESTRICTED_NODE_LIMIT = 5  # the polish: HiGHS over the tours the LP and the start use
# no strong branching in the polish: it spent half the polish's simplex iterations
RESTRICTED_OPTIONS = {"mip_pscost_minreliable": 0}
# Branch and bound over the whole model only below this many integer variables: on a
# 10,000-call week (9,317 integers) CBC's root alone took 14-20 CPU s and neither solver
# improved the polished start in 2,000 nodes, so above it the slice search
# (`planner.schedule.improve`) is the last, deterministic step (status `feasible (work
# limit)` when it did not reach the gap).
FULL_SEARCH_MAX_INTEGERS = 4000
# On a small week of thin tours (the LP puts `THIN_TOURS` agents or fewer on each tour it uses)
# branch and bound does not end inside the clock: a small hourly week (0.2 agents per tour,
# 2,016 integers) spent it at the root separating cuts (no node in 23 s, its incumbent still
# the polish's), the bundled week with its first 70 agents (0.87) needs 124-142 CPU s for
# its 1,000 nodes and stopped on the then default 90-s clock at 4.90% on a quiet machine. The
# slice search, whose work is counted, ends there on its work limit: 1,478.5 against
# 1,520.1 wage-hours, and 4.59% in 18 s, the same on any load.
# ... unless the model is tiny: three fixed shifts a day on an hourly week are proven optimal
# by branch and bound in 0.2 s, which the slice search cannot prove
ALWAYS_FULL_SEARCH_INTEGERS = 1000
MIN_SEARCH_S = 3.0  # less time than this left after the polish: keep the polished start


def solve_model(
    model: Model,
    solver: str,
    time_limit_s: float,
    progress: bool = False,
    gap_pct: float = DEFAULT_GAP_PCT,
    deadline: float | None = None,
    node_limit: int | None = None,
) -> SolveReport:
    """Solve the roster model: LP relaxation, a legal start built from it and polished by
    HiGHS over the LP's tours, then branch and bound from that start until `gap_pct` % (or
    the node limit, or the deadline, which covers every phase). The best
    roster found stays in the model's variables; the bound is the better of the solver's and
    the LP's, so the gap is honest even when the solver stopped early."""
    if solver not in SOLVERS:
        raise InputError(f"{solver!r}: expected one of {', '.join(SOLVERS)}", "solver")
    began = time.monotonic()
    deadline = deadline if deadline is not None else began + time_limit_s
    gap = gap_pct / 100.0
    nodes = node_limit if node_limit is not None else NODE_LIMIT[solver]
    with _progress(progress, model, solver, time_limit_s):
        lp = lp_relaxation(model, deadline)
        _log(began, f"LP relaxation {lp.objective:,.2f} ({lp.status})")
        if lp.status.has_solution and offer_overtime(model):
            lp = lp_relaxation(model, deadline)
            _log(began, f"LP relaxation with overtime {lp.objective:,.2f} ({lp.status})")
        if not model.prob.isMIP() or lp.status == SolveStatus.INFEASIBLE:
            return _with_seconds(lp, began)
        gap = decided_share(gap, lp.objective, model.gap_base(lp.objective))
        if not lp.status.has_solution:  # the clock stopped the LP: build the roster greedily
            _assign(model.prob, {})
            start = build_start(model)
            if start is None:
                return _with_seconds(lp, began)
            _log(began, f"greedy roster {start.objective:,.2f} (no LP in time)")
            seconds = time.monotonic() - began
            return SolveReport(SolveStatus.TIME_LIMIT, start.objective, 0.0, seconds, True, seconds)
        lp_tours = {k: max(0.0, var.value() or 0.0) for k, var in model.y.items()}
        support = {k for k, value in lp_tours.items() if value > 1e-6}
        per_tour = _agents_per_tour(model, support)
        _log(began, f"LP: {per_tour:.2f} agents per tour it uses")
        split = headcount_split(model, lp_tours, deadline)
        if split > lp.objective + 1e-9:
            _log(began, f"LP split on the headcount {split:,.2f}")
            lp = replace(lp, objective=split)
        start = build_start(model)
        first_s = time.monotonic() - began if start is not None else math.nan
        _log(began, f"constructive start {start.objective:,.2f}" if start else "no start")
        clock = lp.clock_stopped
        # polish the start with HiGHS over the tours the LP and the start use (a fraction of
        # them, so it finds good rosters fast); both solvers then search from the same roster
        # at gap 0: a polish told the target gap stops at its first roster inside it, and
        # its few nodes (a fixed amount of work) go further for little more time
        better = _restricted(model, deadline, 0.0, start, support)
        if better is not None:
            clock = clock or better[1]
            if start is None or better[0].objective < start.objective - 1e-9:
                start = better[0]
                if math.isnan(first_s):
                    first_s = time.monotonic() - began
        _log(began, f"polished start {start.objective:,.2f}" if start else "no start")
        values = start.values if start is not None else None
        if start is not None and within_gap(start.objective, lp.objective, gap):
            # proven within the gap against the LP bound already: no search needed
            _assign(model.prob, start.values)
            report = SolveReport(SolveStatus.OPTIMAL, start.objective, lp.objective, 0.0)
        elif start is not None and node_limit is None and not _full_search(model, per_tour):
            # too big for branching: re-solve a slice of the tours at a time instead
            start, cut = improve_by_slices(model, start, lp.objective, gap, deadline, lp_tours)
            clock = clock or cut
            _log(began, f"slice search {start.objective:,.2f}{' (clock)' if cut else ''}")
            _assign(model.prob, start.values)
            done = within_gap(start.objective, lp.objective, gap)
            status = SolveStatus.OPTIMAL if done else SolveStatus.WORK_LIMIT
            report = SolveReport(status, start.objective, lp.objective, 0.0)
        elif deadline - time.monotonic() < MIN_SEARCH_S:
            report = SolveReport(SolveStatus.NO_SOLUTION, math.nan, math.nan, 0.0, True)
        elif solver == "highs":
            report = run_highs_bounded(model.prob, deadline, gap, values, nodes)
        else:
            report = run_cbc(model.prob, deadline, gap, values, nodes)
        clock = clock or report.clock_stopped
        _log(
            began,
            f"{solver} search {report.objective:,.2f} bound {report.bound:,.2f} ({report.status})",
        )
    bound = max(report.bound, lp.objective) if not math.isnan(report.bound) else lp.objective
    if report.status.has_solution and (start is None or report.objective <= start.objective + 1e-6):
        status, objective = report.status, report.objective
        if clock and status != SolveStatus.OPTIMAL:
            status = SolveStatus.TIME_LIMIT  # an earlier phase was cut short by the clock
    elif start is not None:
        _assign(model.prob, start.values)
        status = SolveStatus.TIME_LIMIT if clock else SolveStatus.START
        objective = start.objective
    else:
        return SolveReport(
            SolveStatus.NO_SOLUTION, math.nan, bound, time.monotonic() - began, clock
        )
    if model.soft and _shortfall(model) > 1e-6:
        # a short week: an idle agent whose tour the search never opened may still help (a
        # greedy pass of bounded work, run whatever the clock says, so that the same week
        # gives the same roster on a busy machine as on a quiet one)
        repaired = repair_roster(model)
        if repaired is not None and repaired.objective < objective - 1e-6:
            _assign(model.prob, repaired.values)
            objective = repaired.objective
            _log(began, f"repaired short roster {objective:,.2f}")
    if model.soft and _shortfall(model) > 1e-6:
        # a short roster: longer shifts where they cost less than the shortfall they remove
        extended = overtime_repair(model)
        if extended is not None and extended.objective < objective - 1e-6:
            _assign(model.prob, extended.values)
            objective = extended.objective
            _log(began, f"overtime added {objective:,.2f}")
    if math.isnan(first_s):  # no start: the solver's roster came at the end at the latest
        first_s = time.monotonic() - began
    near = objective > 1e-9 and (objective - min(bound, objective)) / objective > 1e-6
    if status == SolveStatus.OPTIMAL and near:
        status = SolveStatus.WITHIN_GAP  # the solver's word; the gap says how close
    seconds = time.monotonic() - began
    return SolveReport(status, objective, min(bound, objective), seconds, clock, first_s, per_tour)


def decided_share(gap: float, objective: float, base: float) -> float:
    """The target gap as a share of the whole objective when it is meant as a share of
    `base` (what the roster decides: `Model.gap_base`)."""
    if objective <= 1e-9 or base >= objective:
        return gap
    return gap * base / objective


def offer_overtime(model: Model) -> bool:
    """A soft week whose LP leaves intervals short: offer overtime (longer shifts) that
    reaches them (`add_overtime`); True when some was offered. A week the LP covers never
    gets the overtime variables, so it is solved as without the lever."""
    if not model.soft or model.ot or not overtime_allowed(model.rules):
        return False
    short = {t for t, pieces in model.short.items() if sum(v.value() or 0.0 for v in pieces) > 1e-6}
    return bool(short) and add_overtime(model, short) > 0


def _agents_per_tour(model: Model, support: set) -> float:
    """Agents the LP relaxation (its values in the model) puts on each tour it uses."""
    total = sum(model.y[k].value() or 0.0 for k in support)
    return total / len(support) if support else math.nan


def _shortfall(model: Model) -> float:
    """Missing agent-intervals in the roster held by the model's variables."""
    return sum(var.value() or 0.0 for pieces in model.short.values() for var in pieces)


def _full_search(model: Model, per_tour: float) -> bool:
    """Whether branch and bound over the whole model is worth its cost: a tiny model, or a
    small one whose LP puts more than `THIN_TOURS` agents on each tour it uses
    (rules read from the model and its LP, so the choice is the same on every machine)."""
    count = model.integer_count()
    if count <= ALWAYS_FULL_SEARCH_INTEGERS:
        return True
    return count <= FULL_SEARCH_MAX_INTEGERS and per_tour > THIN_TOURS


def _log(began: float, message: str) -> None:
    """With PLANNER_SOLVER_LOG set, each phase of the solve on stderr with its time."""
    if os.environ.get("PLANNER_SOLVER_LOG"):
        print(
            f"planner: schedule +{time.monotonic() - began:.1f}s ({cpu_seconds():.1f} CPU s): {message}",
            file=sys.stderr,
        )


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the solver's forks): the figure
    to read on a shared machine, where the wall time beside it depends on the load."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _with_seconds(report: SolveReport, began: float) -> SolveReport:
    return replace(report, seconds=time.monotonic() - began)


def _assign(prob, values: dict[str, float]) -> None:
    for var in prob.variables():
        var.varValue = values.get(var.name, 0.0)


def lp_relaxation(model: Model, deadline: float) -> SolveReport:
    """The LP relaxation (HiGHS), its values left in the model's variables."""
    ints = [v for v in model.prob.variables() if v.cat == pulp.LpInteger]
    for var in ints:
        var.cat = pulp.LpContinuous
    try:
        # interior point: several times faster than simplex on some weeks' relaxations
        return run_highs_bounded(model.prob, deadline, options={"solver": "ipm"})
    finally:
        for var in ints:
            var.cat = pulp.LpInteger


def _restricted(model: Model, deadline: float, gap: float, start: Start | None, support: set):
    """HiGHS over only the tours the LP (`support`) or the start use (a fraction of them, so
    it finds good integer rosters fast): (a better Start, clock stopped) or None."""
    support = set(support)
    if start is not None:
        support |= {k for k, var in model.y.items() if start.values.get(var.name, 0.0) > 0.5}
    closed = [var for key, var in model.y.items() if key not in support]
    for var in closed:
        var.upBound = 0
    try:
        report = run_highs_bounded(
            model.prob,
            deadline,
            gap,
            start.values if start else None,
            RESTRICTED_NODE_LIMIT,
            RESTRICTED_OPTIONS,
        )
    finally:
        for var in closed:
            var.upBound = None
    if not report.status.has_solution:
        return None
    values = {v.name: float(round(v.value() or 0.0, 6)) for v in model.prob.variables()}
    return Start(values, report.objective), report.clock_stopped


def _progress(enabled: bool, model: Model, solver: str, limit: float):
    if not enabled:
        return contextlib.nullcontext()
    from rich.console import Console

    console = Console(file=sys.stderr)
    n_int = model.integer_count()
    return console.status(
        f"solving roster: {n_int:,} integer variables, {len(model.prob.constraints):,} "
        f"constraints, {solver.upper()}, time limit {limit:g} s"
    )


def build_roster(
    requirements: pd.DataFrame,
    rules: Rules | None = None,
    agents: pd.DataFrame | None = None,
    time_limit_s: float = 60,
    solver: str = "cbc",
    progress: bool = False,
    source: str = "requirements",
    gap_pct: float = DEFAULT_GAP_PCT,
    previous: pd.DataFrame | None = None,
    holidays: tuple = (),
    overtime_before: OvertimeWorked | None = None,
) -> ScheduleResult:
    """Roster the week in `requirements` (a frame with `timestamp`, `staff`[, `queue`]).

    `previous`: last week's roster (a Roster CSV frame, `read_roster`). The week is then not
    wrapped: last week's shifts running into Monday count as cover, rest and working days in
    a row hold across the boundary, and last week's agents keep their names (with no agents
    file they are this week's workforce, plus hires named after them when the week needs more).
    Without it the week is cyclic (Sunday night covers Monday's first hours).
    `holidays`: public holidays (dates) whose worked hours are paid `holiday_pay_pct` and
    whose overtime `holiday_overtime_pay_pct`. `overtime_before`: the overtime each agent
    worked earlier in the week's month(s) and year (the plan store's published weeks): this
    week's overtime is held to what the month's and year's caps leave (without it, what
    `previous`'s `overtime_hours` column holds, if it has one).

    The solve stops when the roster's cost is proven within `gap_pct` % of the best possible
    (deterministic) or at `time_limit_s` seconds (the roster found by then may differ between
    machines; the status says which ended it).

    Raises InfeasibleError (naming the rule and intervals) when the rules cannot cover the
    requirement, SolverError when the solver finds nothing within the time limit.
    """
    began = time.monotonic()
    rules = rules or Rules()
    req = requirements_horizon(requirements, source)
    if req.n_days != 7:
        raise InputError(
            f"{source}: the roster covers one week: expected 7 whole days of intervals, got "
            f"{req.n_days}"
        )
    if agents is not None and not rules.soft_coverage:
        rules = _replace(rules, coverage="soft")
    named = agents is not None
    boundary, spill, hires = None, None, False
    if previous is not None:
        spill = spill_counts(previous, req.frame["timestamp"], req.interval_min)
        boundary = boundary_state(previous, req.week_start, rules)
        if agents is None:
            agents = agents_from_previous(previous, req.week_start, rules)
            hires = True
    # last week's sized workforce (no agents file) is paid for the hours it works, like the
    # week that sized it; an agents file's people are paid whether rostered or not
    groups = make_groups(agents, rules, req.queues, boundary, hires, salaried=not hires)
    if not groups:
        raise InfeasibleError("no agent in the agents file has a skill for these queues")
    holiday_days = week_days(holidays, req.week_start)
    model = build_model(
        req, rules, groups, cyclic=previous is None, spill=spill, holiday_days=holiday_days
    )
    if overtime_before is None and previous is not None:  # at least last week's, if it says
        overtime_before = OvertimeWorked.from_rows(previous)
    hold_overtime_before(model, overtime_before)
    if not 0 <= gap_pct < 100:
        raise InputError(f"gap = {gap_pct!r}: expected a percentage from 0 to below 100")
    info = solve_model(
        model, solver, time_limit_s, progress, gap_pct, deadline=began + time_limit_s
    )
    if info.status == SolveStatus.INFEASIBLE:
        raise InfeasibleError(
            f"{rules.source}: the rules cannot cover the requirement (solver: infeasible); "
            'try labour.coverage = "soft" to see where it falls short'
        )
    if not info.status.has_solution:
        raise SolverError(
            f"{solver.upper()} found no roster within {time_limit_s:g} s ({info.status}); "
            "raise the time limit"
        )
    roster, unused = extract_roster(model, agents)
    roster = add_rest_day_shifts(model, roster)
    result = schedule_result(model, roster, unused, info, solver, spill)
    if named and result.short:  # how many agents the week lacks, for the report
        lacking = hires_to_cover(
            req, rules, agents, began + time_limit_s, boundary=boundary, spill=spill,
            cyclic=previous is None,
        )  # fmt: skip
        result = replace(result, hires=lacking)
    return result


def week_days(dates, week_start: pd.Timestamp) -> frozenset[int]:
    """The day indices (0 = the week's Monday, up to 7 = the Monday after, where Sunday's
    night shifts end) of the `dates` that fall in the week."""
    first = pd.Timestamp(week_start).normalize()
    out = set()
    for date in dates:
        k = (pd.Timestamp(date).normalize() - first).days
        if 0 <= k <= 7:
            out.add(k)
    return frozenset(out)


def _replace(rules: Rules, **changes) -> Rules:
    return replace(rules, **changes)


def lp_bound(
    requirements: pd.DataFrame, rules: Rules | None = None, solver: str = "highs"
) -> float:
    """The LP-relaxation bound of the roster model (wage-hours), for benchmarks."""
    rules = rules or Rules()
    req = requirements_horizon(requirements)
    model = build_model(req, rules, make_groups(None, rules, req.queues), relax=True)
    return solve_model(model, solver, 600).objective
