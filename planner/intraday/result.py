"""What `planner intraday` returns: the reforecast, the gap before and after the actions, the
actions and the service level of the rest of the day after each stage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from planner.intraday.actions import ActionPlan
from planner.intraday.gap import Gap
from planner.intraday.reforecast import Reforecast
from planner.intraday.tomorrow import Tomorrow


@dataclass(frozen=True)
class SimulatedStep:
    """The rest of the day's service level (percent) after the actions up to `label`:
    `expected_pct` (Erlang C) and `simulated_pct` (the simulator, mean of its replications)."""

    label: str
    expected_pct: float
    simulated_pct: float


@dataclass(frozen=True)
class IntradayResult:
    day: dt.date
    now: pd.Timestamp
    source: str  # where the plan came from
    reforecast: Reforecast
    gap_before: Gap
    gap_after: Gap
    plan: ActionPlan
    steps: tuple[SimulatedStep, ...]
    target_sl_pct: float | None
    notes: tuple[str, ...] = ()
    tomorrow: Tomorrow | None = None  # with --tomorrow: tomorrow's plan carried from today

    @property
    def short_after(self) -> bool:
        return len(self.gap_after.short) > 0

    def shortfall_line(self) -> str:
        short = self.gap_after.short
        worst = short.sort_values("gap", ascending=False).head(3)
        where = ", ".join(
            f"{t:%H:%M} needs {r:g}, has {h:.1f}"
            for t, r, h in zip(
                worst["timestamp"], worst["required"], worst["on_phone"], strict=True
            )
        )
        return (
            f"the rest of {self.day} stays short after every action: {len(short)} intervals short "
            f"by {self.gap_after.short_agent_hours:.1f} agent-hours on the phones "
            f"(worst: {where}); expected service level {self.gap_after.expected_sl_pct:.1f}%"
        )
