"""The public entry point: `build_roster` (requirements, rules, agents -> a solved roster)."""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time

import pandas as pd

from planner.errors import InfeasibleError, InputError, SolverError
from planner.schedule.extract import extract_roster
from planner.schedule.files import (
    requirements_horizon,
)
from planner.schedule.groups import make_groups
from planner.schedule.model import Model, build_model
from planner.schedule.result import ScheduleResult, _result
from planner.schedule.rules import Rules
from planner.schedule.solvers import (
    DEFAULT_GAP_PCT,
    SOLVERS,
    SolveInfo,
    _solve_cbc,
    _solve_highs,
)
from planner.schedule.start import warm_start


def read_rules_toml(path: str | os.PathLike) -> Rules:
    """Rules from the `[shifts]`, `[labour]` and `[cost]` tables of a scenario TOML file.

    Other tables of the scenario are not checked here (they belong to other stages); `extends`
    is followed and an unknown table (`[labor]`) is an error (`planner.scenario.load_rules`).
    """
    from planner.scenario import load_rules

    return load_rules(path)


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


def lp_bound(
    requirements: pd.DataFrame, rules: Rules | None = None, solver: str = "highs"
) -> float:
    """The LP-relaxation bound of the roster model (wage-hours), for benchmarks."""
    rules = rules or Rules()
    req = requirements_horizon(requirements)
    model = build_model(req, rules, make_groups(None, rules, req.queues), relax=True)
    return solve_model(model, solver, 600).objective
