"""summary.json (version 1): the week's KPIs, solver figures, inputs with checksums and output
files, for programs (DESIGN.md's contract; its bytes are stable for the same inputs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from planner.io.numbers import rounded
from planner.pipeline import WeekPlan
from planner.report.text import shortfall_line
from planner.schedule import agents_to_add, empty_spans
from planner.simulate import SimulationResult

SUMMARY_VERSION = 1


def summary_dict(plan: WeekPlan, outputs: Sequence[str]) -> dict:
    """summary.json (version 1): KPIs, solver figures, inputs with checksums, output files.
    No wall-clock times and no absolute paths, so the same inputs give the same bytes."""
    sc, res = plan.scenario, plan.schedule
    end = plan.start + dt.timedelta(days=7)
    return {
        "version": SUMMARY_VERSION,
        "scenario": {"name": sc.name, "description": sc.description},
        "week": {
            "label": plan.label,
            "start": f"{plan.start.isoformat()}T00:00:00",
            "end": f"{end.isoformat()}T00:00:00",
            "interval_min": int(res.interval_min),
        },
        "forecast": {
            "model": plan.forecast.model,
            "level_pct": plan.forecast.level,
            "plan_at": sc.forecast.plan_at,
            "adjustments": [a.describe() for a in sc.adjustments],
        },
        "service": {
            "model": sc.service.model,
            "sl_pct": sc.service.sl_pct,
            "target_s": sc.service.target_s,
            "asa_s": sc.service.asa_s,
            "max_occupancy_pct": sc.service.max_occupancy_pct,
            "shrinkage_pct": sc.service.shrinkage_pct,
            "patience_s": sc.service.patience_s,
        },
        "solver": {
            "name": res.solver,
            "status": res.status,
            "objective": rounded(res.objective, 3),
            "bound": rounded(res.bound, 3),
            "gap_pct": rounded(100.0 * res.gap, 3),
            "time_limit_s": sc.run.time_limit_s,
            "gap_limit_pct": plan.gap_limit_pct,
            "clock_stopped": bool(res.clock_stopped),
        },
        "kpis": plan.kpis.as_dict(),
        "simulation": _sim_summary(plan.simulation),
        "targets_met": not res.short,
        "shortfall": _shortfall(plan),
        "exit_code": plan.exit_code,
        "notes": [str(n) for n in plan.notes],
        "inputs": list(plan.inputs),
        "outputs": sorted(outputs),
    }


def _shortfall(plan: WeekPlan) -> dict | None:
    """A short week's gap: FTE (at the full-time contract hours), the full-time or part-time
    agents that would give the missing on-phone hours, the spans with nobody on the phones
    while staff is needed, and the line the run prints; None when the week is covered."""
    res = plan.schedule
    if not res.short:
        return None
    gap = agents_to_add(res, plan.scenario.rules)
    empty = empty_spans(res)
    return {
        "fte_gap": rounded(gap.fte, 1),
        "add_full_time": gap.add_full_time,
        "add_part_time": gap.add_part_time,
        "nobody_on_the_phones": empty.split(", ") if empty else [],
        "message": shortfall_line(plan),
    }


def _sim_summary(simulation: SimulationResult | None) -> dict | None:
    return None if simulation is None else simulation.summary.as_dict()
