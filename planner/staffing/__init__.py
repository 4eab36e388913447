"""Staffing: turn a forecast into agents and staff per interval (Erlang C or Erlang A).

Forecast frame in: `timestamp,calls[,lower,upper][,aht][,queue]`. Requirements frame out:
`timestamp,calls,aht,agents,staff,service_level,asa,occupancy` (+ `abandon` with Erlang A,
+ `queue` when staffed per queue). `agents` = on the phones by the queueing model; `staff` =
agents grossed up for shrinkage (exact integer arithmetic, never loses an agent).
Units: aht and asa in seconds; service_level, occupancy and abandon are fractions 0..1.

The package: `target` (the `StaffingTarget`, validated in one place), `sizing` (requirements
and the reverse, what given agents deliver), `summary` (peaks, FTEs, the shrinkage a frame
implies). Staffing a forecast file is `planner.jobs.plan_staffing`.
"""

from planner.io import read_coverage, read_forecast
from planner.staffing.sizing import (
    DEFAULT_INTERVAL_S,
    REQUIREMENTS_COLUMNS,
    agents_from_coverage,
    evaluate_staffing,
    interval_seconds,
    on_phone_agents,
    pool_queues,
    resolve_aht,
    staff_requirements,
)
from planner.staffing.summary import (
    ImpliedShrinkage,
    RequirementsSummary,
    delivered_service_level_pct,
    implied_shrinkage,
    summarise_requirements,
)
from planner.staffing.target import DEFAULT_SL_PCT, MODELS, StaffingTarget

__all__ = [
    "DEFAULT_INTERVAL_S",
    "DEFAULT_SL_PCT",
    "MODELS",
    "REQUIREMENTS_COLUMNS",
    "ImpliedShrinkage",
    "RequirementsSummary",
    "StaffingTarget",
    "agents_from_coverage",
    "delivered_service_level_pct",
    "evaluate_staffing",
    "implied_shrinkage",
    "interval_seconds",
    "on_phone_agents",
    "pool_queues",
    "read_coverage",
    "read_forecast",
    "resolve_aht",
    "staff_requirements",
    "summarise_requirements",
]
