"""What a Requirements frame says: its peaks, staff-hours and FTEs, the service level an
evaluated frame delivers, and the shrinkage its `staff` vs `agents` columns imply."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import erlang
from planner.staffing.sizing import interval_seconds


@dataclass(frozen=True)
class RequirementsSummary:
    """What a planner reads first: peak intervals, staff-hours per day, and FTEs.

    FTE basis: `fte_hours_per_week` paid hours per full-time employee (default 40 h);
    daily FTE = staff-hours of that day / (fte_hours_per_week / 7), i.e. the headcount the line
    needs if every day of the week looked like that day.
    """

    peaks: pd.DataFrame
    daily: pd.DataFrame
    staff_hours: float
    fte: float
    fte_hours_per_week: float
    days: float


def summarise_requirements(
    requirements: pd.DataFrame,
    fte_hours_per_week: float = 40.0,
    top: int = 10,
    interval_s: int | None = None,
) -> RequirementsSummary:
    """Peak intervals (by agents), daily calls / peak agents / staff-hours / FTE, and totals."""
    interval = int(interval_s or interval_seconds(requirements))
    per_ts = requirements.groupby("timestamp", sort=True).agg(
        calls=("calls", "sum"), agents=("agents", "sum"), staff=("staff", "sum")
    )
    per_ts = per_ts.reset_index()
    peaks = (
        per_ts.sort_values(["agents", "timestamp"], ascending=[False, True], kind="stable")
        .head(top)
        .reset_index(drop=True)
    )
    hours = interval / 3600.0
    per_ts["date"] = per_ts["timestamp"].dt.strftime("%Y-%m-%d")
    per_ts["staff_hours"] = per_ts["staff"] * hours
    daily = per_ts.groupby("date", sort=True).agg(
        calls=("calls", "sum"), peak_agents=("agents", "max"), staff_hours=("staff_hours", "sum")
    )
    daily["fte"] = (daily["staff_hours"] / (fte_hours_per_week / 7.0)).round(1)
    daily["calls"] = daily["calls"].round(1)
    daily = daily.reset_index()
    total = float(per_ts["staff_hours"].sum())
    days = len(per_ts) * interval / 86400.0
    fte = total / (fte_hours_per_week * days / 7.0) if days > 0 else 0.0
    return RequirementsSummary(
        peaks=peaks,
        daily=daily,
        staff_hours=total,
        fte=round(fte, 1),
        fte_hours_per_week=fte_hours_per_week,
        days=days,
    )


def delivered_service_level_pct(frame: pd.DataFrame) -> float | None:
    """Calls-weighted service level (percent) of an evaluated frame; None without calls."""
    calls = frame["calls"].to_numpy(dtype=float)
    if calls.sum() <= 0:
        return None
    sl = frame["service_level"].to_numpy(dtype=float)
    return float(100.0 * (sl * calls).sum() / calls.sum())


@dataclass(frozen=True)
class ImpliedShrinkage:
    """The shrinkage (percent) that turned a Requirements frame's `agents` into its `staff`.

    `pct`: the value assumed; `low_pct`-`high_pct`: every shrinkage the rows agree with
    (staff = ceil(agents / (1 - s)) in each row); `exact` is False when no single shrinkage
    fits every row, and `pct` is then the staff-hours estimate 1 - sum(agents) / sum(staff).
    """

    pct: float
    low_pct: float
    high_pct: float
    exact: bool

    def describe(self) -> str:
        if not self.exact:
            return f"about {self.pct:g}% (1 - agents / staff over the week)"
        if self.high_pct - self.low_pct > 1.0:
            return (
                f"{self.pct:g}% (its rows fit any value in {self.low_pct:.1f}-{self.high_pct:.1f}%)"
            )
        return f"{self.pct:g}%"


def implied_shrinkage(requirements: pd.DataFrame) -> ImpliedShrinkage | None:
    """The shrinkage implied by the `agents` and `staff` columns (None without them or without
    a row with staff). Each row with staff S > 0 bounds it: staff = ceil(a / (1 - s)) means
    100 (1 - a / (S - 1)) < s <= 100 (1 - a / S). Within the common range the simplest value is
    taken (a multiple of 5, else of 1, 0.5, 0.1, 0.01 percent), nearest the unrounded estimate
    1 - sum(a) / sum(S - 1/2)."""
    if not {"agents", "staff"} <= set(requirements.columns):
        return None
    agents = pd.to_numeric(requirements["agents"], errors="coerce").to_numpy(dtype=float)
    staff = pd.to_numeric(requirements["staff"], errors="coerce").to_numpy(dtype=float)
    keep = ~np.isnan(agents) & ~np.isnan(staff) & (staff > 0)
    if not keep.any():
        return None
    a, s = np.ceil(agents[keep] - 1e-9), staff[keep]
    high = float(np.min(100.0 * (1.0 - a / s)))
    with np.errstate(divide="ignore"):
        lows = np.where(s > 1, 100.0 * (1.0 - a / np.maximum(s - 1.0, 1e-300)), -np.inf)
    low = max(float(np.max(lows)), 0.0)
    estimate = 100.0 * (1.0 - a.sum() / max(float((s - 0.5).sum()), 1e-300))
    if high >= 0 and low <= high + 1e-9 and np.all(a <= s):
        for step in (5.0, 1.0, 0.5, 0.1, 0.01):
            grid = np.round(np.arange(math.floor(low / step), math.ceil(high / step) + 1) * step, 2)
            fits = [
                float(c)
                for c in grid
                if 0 <= c < 100 and np.array_equal(erlang.staff_for_shrinkage(a, c), s)
            ]
            if fits:
                best = min(fits, key=lambda c: (abs(c - estimate), c))
                return ImpliedShrinkage(best, round(low, 2), round(high, 2), True)
    rough = 100.0 * (1.0 - a.sum() / s.sum())
    rough = round(float(min(max(rough, 0.0), 99.0)), 1)
    return ImpliedShrinkage(rough, rough, rough, False)
