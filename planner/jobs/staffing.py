"""`planner staff` over files: the forecast read (or made from the bundled history), then the
requirements, or what a given staffing delivers."""

from __future__ import annotations

import dataclasses
import os

import pandas as pd

from planner import forecast, history, io
from planner.errors import InputError
from planner.staffing import (
    StaffingTarget,
    agents_from_coverage,
    evaluate_staffing,
    on_phone_agents,
    pool_queues,
    resolve_aht,
    staff_requirements,
)


def load_forecast(path: str | os.PathLike | None) -> pd.DataFrame:
    """The forecast to staff: `path` (a Forecast CSV, `-` = stdin), or with no path a fresh
    forecast of the bundled hotline history (planner.history + planner.forecast)."""
    if path is not None:
        return io.read_forecast(path)
    hist = history.read_history(io.bundled_path(history.BUNDLED_HISTORY))
    return forecast.forecast_history(hist).intervals


def plan_staffing(
    forecast_path: str | os.PathLike | None,
    target: StaffingTarget,
    pooled: bool = False,
    agents: float | None = None,
    coverage_path: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """What `planner staff` does: load (or make) the forecast, then either compute the
    Requirements frame, or with `agents` / `coverage_path` evaluate that staffing.

    `agents` counts agents on the phones. A coverage file's `scheduled` counts rostered staff,
    so, as `planner run` does, only floor(scheduled x (1 - shrinkage)) of them are on the
    phones; the frame then carries the `rostered` count too."""
    if agents is not None and coverage_path is not None:
        raise InputError("give either {agents} or {coverage}, not both", "agents", "coverage")
    frame = load_forecast(forecast_path)
    if agents is None and coverage_path is None:
        return staff_requirements(frame, target, pooled=pooled)
    if coverage_path is not None:
        coverage = io.read_coverage(coverage_path)
        if pooled and "queue" in frame.columns:
            base, aht = pool_queues(frame, resolve_aht(frame, target))
            frame = base.assign(aht=aht)
            target = dataclasses.replace(target, aht_s=None, aht_by_queue={})
        rostered = agents_from_coverage(frame, coverage)
        out = evaluate_staffing(frame, on_phone_agents(rostered, target.shrinkage_pct), target)
        out["rostered"] = rostered
        return out
    return evaluate_staffing(frame, agents, target, pooled=pooled)
