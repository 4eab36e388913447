"""How many agents a short week lacks: the same week with hires allowed next to the named
agents, every interval covered, solved as a linear programme (a few seconds: no branching).

The relaxation uses every named agent first (a salaried agent's hours up to the paid minimum
cost nothing more, a hire costs wages and the per-head cost) and overtime where the rules
allow it and it is cheaper, so the hires it takes are what the named agents cannot give, split by contract the way the rules allow (the part-time share cap
included). Its tours are fractional, so the counts are rounded up and are a lower estimate
of what an integer roster needs.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from planner.errors import InfeasibleError
from planner.schedule.files import Requirements
from planner.schedule.groups import make_groups
from planner.schedule.model import add_overtime, build_model
from planner.schedule.rules import Rules
from planner.schedule.solvers import run_highs_bounded


def hires_to_cover(
    req: Requirements,
    rules: Rules,
    agents: pd.DataFrame,
    deadline: float,
    *,
    boundary=None,
    spill=None,
    cyclic: bool = True,
) -> tuple[int, int] | None:
    """(full-time, part-time) hires that, with `agents`, cover every interval of `req` at
    least cost in the LP relaxation; None when no such relaxation is found by `deadline`
    (`time.monotonic()` seconds) or no legal shift reaches some interval."""
    hard = replace(rules, coverage="hard", headcount_cap=0)
    groups = make_groups(agents, hard, req.queues, boundary, hires=True)
    try:
        model = build_model(req, hard, groups, relax=True, cyclic=cyclic, spill=spill)
    except InfeasibleError:
        return None
    # overtime where the rules allow it: the hires are what longer shifts cannot give
    add_overtime(model, range(len(req.frame)), relax=True)
    report = run_highs_bounded(model.prob, deadline, options={"solver": "ipm"})
    if not report.status.has_solution or report.clock_stopped:
        return None
    hire = len(groups) - 1  # the anonymous group comes last
    full = part = 0.0
    for (g, i), var in model.y.items():
        if g != hire:
            continue
        count = max(0.0, var.value() or 0.0)
        if model.tours[i].paid_min < hard.full_time_min_hours * 60 - 1e-9:
            part += count
        else:
            full += count
    return math.ceil(full - 1e-6), math.ceil(part - 1e-6)
