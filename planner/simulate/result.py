"""What a simulation returns: the interval columns, the result frame and summary, the
service-level definition they use."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

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
class Estimate:
    """A figure over the replications: the mean and its 95% confidence interval (Student t;
    None without two replications; all None when no replication has the figure)."""

    mean: float | None
    ci_low: float | None = None
    ci_high: float | None = None

    def as_dict(self) -> dict:
        return {"mean": self.mean, "ci_low": self.ci_low, "ci_high": self.ci_high}


@dataclass(frozen=True)
class SimulationSummary:
    """The horizon's figures and the settings used. Percentages in percent, times in s.

    `planned_service_level_pct`: the requirements' own (calls-weighted) service level, when
    they carry one; `worst_intervals`: the `WORST_INTERVALS` busy intervals with the lowest
    service level (timestamp, offered, service_level_pct, asa, abandoned, agents[, planned]);
    `absence_assumed`: why this absence was simulated, when the caller chose it."""

    replications: int
    seed: int
    target_s: float
    patience_s: float | None
    service: str
    absence_pct: float
    overdispersion: float
    interval_min: float
    start: str
    end: str
    calls_forecast: float
    calls_simulated: int
    service_level_definition: str
    offered: Estimate
    service_level_pct: Estimate
    asa_s: Estimate
    abandon_pct: Estimate
    occupancy_pct: Estimate
    waiting_at_end: float
    worst_intervals: tuple[dict, ...]
    cyclic: bool
    notes: tuple[str, ...] = ()
    planned_service_level_pct: float | None = None
    absence_assumed: str | None = None

    def as_dict(self) -> dict:
        """The JSON object (`planner simulate --format json`, summary.json's `simulation`);
        `planned_service_level_pct` and `absence_assumed` only when they exist."""
        out: dict = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Estimate):
                value = value.as_dict()
            elif isinstance(value, tuple):
                value = list(value)
            if value is None and item.name in ("planned_service_level_pct", "absence_assumed"):
                continue
            out[item.name] = value
        return out


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
    summary: SimulationSummary
    runs: pd.DataFrame | None = None
