"""Tomorrow's plan carried from today's evidence: `planner intraday --tomorrow`.

A storm or a heat wave lasts: a day far above its plan is often followed by another. How much
of today's busyness carries into tomorrow is measured on the line's history: for every past
day, r_d = log(calls / expected) with the expected calls the mean of the same weekday's four
weeks before; the persistence rho is the lag-1 autocorrelation of r (sum r_d r_(d+1) over sum
r_d^2, over pairs of complete days), clipped to 0..1. Today's ratio is the reforecast day's
total over the plan's; tomorrow's plan is scaled by ratio^rho, its bounds alike. So a day on
the plan leaves tomorrow as it is, a busier today never lowers tomorrow, and a line whose busy
days do not last (rho near 0) keeps its plan.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Tomorrow:
    """Tomorrow's plan carried from today: `intervals` (`timestamp, plan, calls, lower,
    upper`), `today_ratio` (today's reforecast day over its plan), `persistence` (rho), the
    `factor` applied (today_ratio ** rho), and the totals."""

    day: dt.date
    intervals: pd.DataFrame
    today_ratio: float
    persistence: float
    factor: float
    pairs: int

    @property
    def plan_total(self) -> float:
        return float(self.intervals["plan"].sum())

    @property
    def total(self) -> float:
        return float(self.intervals["calls"].sum())


def persistence_from_history(
    history: pd.DataFrame,
    today: pd.Timestamp,
    weeks: int = 104,
    min_pairs: int = 28,
    drift_days: int = 29,
) -> tuple[float, int] | None:
    """(rho, pairs): the lag-1 autocorrelation of the daily log ratio to the same weekday's
    four-week mean, over the `weeks` weeks before `today`; None with fewer than `min_pairs`
    pairs of consecutive days. `history`: `timestamp, calls` (any interval)."""
    today = pd.Timestamp(today).normalize()
    start = today - pd.Timedelta(weeks=weeks + 4)
    frame = history[(history["timestamp"] >= start) & (history["timestamp"] < today)]
    if frame.empty:
        return None
    times = pd.DatetimeIndex(frame["timestamp"])
    daily = frame["calls"].groupby(times.normalize()).sum()
    counts = frame["calls"].groupby(times.normalize()).size()
    full = counts[counts == counts.max()].index  # days with every interval
    days = pd.date_range(start, today - pd.Timedelta(days=1), freq="D")
    totals = daily.reindex(days).where(pd.Series(days.isin(full), index=days)).to_numpy(float)
    past = np.stack([np.roll(totals, 7 * w) for w in (1, 2, 3, 4)])
    past[:, :28] = np.nan
    expected = past.mean(axis=0)
    ratio = pd.Series(np.log((totals + 1.0) / (expected + 1.0)))
    # less its slow drift (a season ramping up, which a plan follows): the centred rolling
    # median over `drift_days` days, so only what a plan cannot see is left
    drift = ratio.rolling(drift_days, center=True, min_periods=drift_days // 2).median()
    shocks = (ratio - drift).to_numpy()
    r0, r1 = shocks[:-1], shocks[1:]
    ok = ~np.isnan(r0) & ~np.isnan(r1)
    if int(ok.sum()) < min_pairs:
        return None
    den = float((r0[ok] ** 2).sum())
    rho = float((r0[ok] * r1[ok]).sum()) / den if den > 0 else 0.0
    return min(max(rho, 0.0), 1.0), int(ok.sum())


def carry_to_tomorrow(
    plan: pd.DataFrame, today_day: float, today_plan: float, rho: float, pairs: int = 0
) -> Tomorrow:
    """Tomorrow's plan (`timestamp, calls[, lower, upper]`, one day) scaled by
    (today_day / today_plan) ** rho."""
    ratio = today_day / today_plan if today_plan > 0 else 1.0
    factor = math.exp(rho * math.log(ratio)) if ratio > 0 else 0.0
    times = pd.DatetimeIndex(pd.to_datetime(plan["timestamp"]))
    f = plan["calls"].to_numpy(float)
    lower = plan["lower"].to_numpy(float) if "lower" in plan.columns else f
    upper = plan["upper"].to_numpy(float) if "upper" in plan.columns else f
    frame = pd.DataFrame(
        {
            "timestamp": times,
            "plan": f,
            "calls": f * factor,
            "lower": lower * factor,
            "upper": upper * factor,
        }
    )
    return Tomorrow(
        day=times[0].date(),
        intervals=frame,
        today_ratio=float(ratio),
        persistence=float(rho),
        factor=float(factor),
        pairs=int(pairs),
    )
