"""The rest of today restaffed: agents required (planner's Erlang path) vs on the phones.

On the phones = the roster's agents inside a shift and off their breaks in the interval
(pro rata, `planner.schedule.on_phone_counts`), times (1 - shrinkage): the same convention as
`planner run`, without rounding down, so that an action adding part of an agent's interval
counts (the weekly plan's floor would hide a 0.7-agent gain).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import erlang, staffing
from planner.schedule import on_phone_counts
from planner.simulate import simulate


@dataclass(frozen=True)
class Demand:
    """The rest of the day's demand and target: intervals from now to the end of the day."""

    timestamps: pd.DatetimeIndex
    calls: np.ndarray
    aht_s: np.ndarray
    interval_min: int
    target: staffing.StaffingTarget

    @property
    def interval_s(self) -> float:
        return self.interval_min * 60.0

    def with_calls(self, calls: np.ndarray) -> Demand:
        return Demand(self.timestamps, np.asarray(calls, float), self.aht_s, self.interval_min,
                      self.target)  # fmt: skip


def required_agents(demand: Demand) -> np.ndarray:
    """Agents on the phones each interval needs (the scenario's target, `staff_requirements`)."""
    frame = pd.DataFrame(
        {"timestamp": demand.timestamps, "calls": demand.calls, "aht": demand.aht_s}
    )
    req = staffing.staff_requirements(frame, demand.target, interval_s=int(demand.interval_s))
    return req["agents"].to_numpy(float)


def rostered(roster: pd.DataFrame, demand: Demand) -> np.ndarray:
    """Rostered agents off their breaks per interval (pro rata), not cyclic."""
    return on_phone_counts(roster, demand.timestamps, demand.interval_min, cyclic=False)


def on_phone(rostered_counts: np.ndarray, shrinkage_pct: float) -> np.ndarray:
    return np.asarray(rostered_counts, float) * (1.0 - shrinkage_pct / 100.0)


def interval_sl(demand: Demand, agents: np.ndarray) -> np.ndarray:
    """Erlang C service level (0..1) of each interval with `agents` on the phones."""
    return np.asarray(
        erlang.service_level(
            demand.calls, demand.aht_s, agents, demand.target.target_s, demand.interval_s
        ),
        float,
    )


def weighted_sl_pct(demand: Demand, sl: np.ndarray) -> float:
    """Calls-weighted service level, percent (100 without calls)."""
    total = float(demand.calls.sum())
    return 100.0 if total <= 0 else float(100.0 * (demand.calls * sl).sum() / total)


def expected_sl_pct(demand: Demand, agents: np.ndarray) -> float:
    return weighted_sl_pct(demand, interval_sl(demand, agents))


@dataclass(frozen=True)
class Gap:
    """Per interval: `timestamp, calls, aht, required, rostered, on_phone, gap, service_level`
    (gap = required - on_phone, positive when short; service_level 0..1, Erlang C)."""

    frame: pd.DataFrame
    interval_min: int

    @property
    def short(self) -> pd.DataFrame:
        return self.frame[self.frame["gap"] > 1e-6]

    @property
    def short_agent_hours(self) -> float:
        return float(self.short["gap"].sum() * self.interval_min / 60.0)

    @property
    def expected_sl_pct(self) -> float:
        calls = self.frame["calls"].to_numpy(float)
        sl = self.frame["service_level"].to_numpy(float)
        return 100.0 if calls.sum() <= 0 else float(100.0 * (calls * sl).sum() / calls.sum())


def gap_frame(demand: Demand, rostered_counts: np.ndarray, shrinkage_pct: float) -> Gap:
    agents = on_phone(rostered_counts, shrinkage_pct)
    required = required_agents(demand)
    frame = pd.DataFrame(
        {
            "timestamp": demand.timestamps,
            "calls": demand.calls,
            "aht": demand.aht_s,
            "required": required,
            "rostered": np.round(rostered_counts, 6),
            "on_phone": np.round(agents, 6),
            "gap": np.round(required - agents, 6),
            "service_level": interval_sl(demand, agents),
        }
    )
    return Gap(frame, demand.interval_min)


def simulate_rest(
    roster: pd.DataFrame, demand: Demand, shrinkage_pct: float, replications: int, seed: int
) -> float:
    """The simulated service level (percent, mean of `replications`) of the rest of the day:
    planner's simulator on the rest's intervals, each agent-shift missing with the shrinkage's
    probability (as `planner run` simulates), callers who never hang up; a queue empty at now."""
    requirements = pd.DataFrame(
        {"timestamp": demand.timestamps, "calls": demand.calls, "aht": demand.aht_s}
    )
    result = simulate(
        roster,
        requirements,
        replications=replications,
        seed=seed,
        absence_pct=min(max(shrinkage_pct, 0.0), 99.0),
        target_s=demand.target.target_s,
        interval_min=demand.interval_min,
        cyclic=False,
    )
    sl = result.summary.service_level_pct.mean
    return float("nan") if sl is None else float(sl)
