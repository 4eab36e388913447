"""What a simulation returns: the interval columns, the result frame and summary, the
service-level definition they use."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

SERVICES = ("exponential", "lognormal")
INTERVAL_COLUMNS = (
    "timestamp",
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa",
    "agents",
    "waiting",
    "occupancy",
)
WORST_INTERVALS = 5
SL_DEFINITION = (
    "service_level = share of calls offered answered within target_s; abandoned and still-waiting "
    "calls count as not answered in time"
)


@dataclass(frozen=True)
class SimulationResult:
    """What `simulate` returns.

    `intervals`: one row per requirements interval with the columns of `INTERVAL_COLUMNS`
    (means over replications; `service_level` and `occupancy` as fractions 0..1 like the
    Requirements CSV, `asa` in s).
    `summary`: the horizon's KPIs with 95% confidence intervals, the worst intervals and the
    settings used (see `simulate`).
    `runs`: one row per replication with its horizon totals and KPIs (`replication, offered,
    answered, abandoned, waiting, service_level, asa, abandon, occupancy`; fractions and s), the values
    the confidence intervals are computed from.
    """

    intervals: pd.DataFrame
    summary: dict = field(default_factory=dict)
    runs: pd.DataFrame | None = None
