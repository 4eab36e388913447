"""A week's requirement computed the way the weekly run (`planner run`) computes it.

The plan's own requirement answers a months-ahead question: the chosen quantile of a week's
calls, at last year's handle time of the same weeks, at the week's shrinkage from the capacity
calendar. The weekly run of a week answers another: its forecast of the 7 days (the same
forecaster, run from that Monday), each interval at the basis the scenario chooses (`[forecast]
plan_at`: the point forecast or each interval's upper bound), the forecaster's handle time (its
last 8 weeks), the scenario's `[service]` shrinkage, the scenario's adjustments. When the plan
must hand a week to the weekly run (`--agents-week`), that week is covered at the larger of the
two, so the agents the plan expects there are enough for the roster the weekly run will make.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import forecast
from planner.scenario import Scenario, apply_adjustments, week_label
from planner.staffing import interval_seconds, resolve_aht, staff_requirements


@dataclass(frozen=True)
class WeekRunNeed:
    """One week as the weekly run staffs it: the requirements frame (`timestamp`, `agents`,
    `staff`, ...), and the terms of its staff-hours (calls at the basis, calls-weighted AHT,
    shrinkage, on-phone agent-hours)."""

    week: str
    basis: str  # "point" or "upper" ([forecast] plan_at)
    calls: float
    aht_s: float
    shrinkage_pct: float
    agent_hours: float
    staff_hours: float
    requirements: pd.DataFrame
    scenario: Scenario  # the weekly run's scenario (its rules roster the week)

    def describe(self) -> str:
        at = "each interval's upper bound" if self.basis == "upper" else "the point forecast"
        return (
            f"{self.week} as the weekly run of {self.scenario.name} staffs it: {self.calls:,.0f} calls ({at}, "
            f"[forecast] plan_at = {self.basis}) x {self.aht_s:.1f} s AHT (the forecaster's, "
            f"its last 8 weeks) at {self.shrinkage_pct:g}% shrinkage ([service]) = "
            f"{self.staff_hours:,.1f} staff-hours"
        )


def week_run_need(scenario: Scenario, hist, monday: dt.date) -> WeekRunNeed:
    """The requirement `planner run` computes for the week from `monday` (nothing solved)."""
    fcfg = scenario.forecast
    fc = forecast.forecast_history(
        hist, horizon_days=7, start=pd.Timestamp(monday), **scenario.forecaster_options()
    )
    frame, _ = apply_adjustments(fc.intervals, scenario.adjustments)
    basis = frame.assign(calls=frame["upper"]) if fcfg.plan_at == "upper" else frame
    target = scenario.service.target()
    req = staff_requirements(basis, target, pooled=scenario.service.pooled)
    hours = interval_seconds(req) / 3600.0
    calls = basis["calls"].to_numpy(float)
    aht = resolve_aht(basis, target)
    return WeekRunNeed(
        week=week_label(monday),
        basis="upper" if fcfg.plan_at == "upper" else "point",
        calls=float(calls.sum()),
        aht_s=float((calls * aht).sum() / max(calls.sum(), 1e-9)),
        shrinkage_pct=float(scenario.service.shrinkage_pct),
        agent_hours=float(req["agents"].to_numpy(float).sum() * hours),
        staff_hours=float(req["staff"].to_numpy(float).sum() * hours),
        requirements=req,
        scenario=scenario,
    )


def staff_hours_of(requirements: pd.DataFrame) -> float:
    """Staff-hours of a requirements frame (shrinkage included)."""
    hours = interval_seconds(requirements) / 3600.0
    return float(np.asarray(requirements["staff"], float).sum() * hours)
