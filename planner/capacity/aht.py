"""Handle time months ahead: the same weeks of last year, at this year's level.

The forecaster's AHT is the mean of the last 8 weeks (right for next week). Months ahead that
misses the season: on the bundled hotline summer calls are ~20% shorter than winter ones (outage
calls), so a plan made in March would staff July with March's handle time. With at least a year
of history with AHT, each forecast interval t takes the calls-weighted AHT of the same interval
of the week in the 5 weeks around t - 52 weeks (t - 364 days + 7k days, k = -2..2), times the
level ratio: calls-weighted AHT of the 8 weeks before the forecast's origin over that of the
same 8 weeks a year earlier. Intervals without such history keep the forecaster's AHT.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.history import History

YEAR = pd.Timedelta(days=364)
WINDOW = (-2, -1, 0, 1, 2)  # weeks around last year's same week
LEVEL_WEEKS = 8


def seasonal_aht(intervals: pd.DataFrame, hist: History, origin: pd.Timestamp) -> pd.DataFrame:
    """`intervals` with `aht` replaced by last year's seasonal AHT at this year's level (see
    the module docstring); unchanged without AHT in the history or a year of it."""
    if "aht" not in intervals.columns or not hist.has_aht:
        return intervals
    frame = hist.total()
    ts = pd.to_datetime(frame["timestamp"])
    keep = ts < origin
    frame, ts = frame[keep], ts[keep]
    if frame.empty or ts.min() > origin - YEAR - pd.Timedelta(weeks=LEVEL_WEEKS):
        return intervals
    calls = frame["calls"].to_numpy(float)
    work = calls * frame["aht"].fillna(0.0).to_numpy(float)
    load = pd.Series(work, index=ts.to_numpy()).groupby(level=0).sum()
    count = pd.Series(calls, index=ts.to_numpy()).groupby(level=0).sum()

    def mean_aht(start: pd.Timestamp, end: pd.Timestamp) -> float:
        part = (count.index >= start) & (count.index < end)
        c = float(count[part].sum())
        return float(load[part].sum()) / c if c > 0 else float("nan")

    recent = mean_aht(origin - pd.Timedelta(weeks=LEVEL_WEEKS), origin)
    before = mean_aht(origin - YEAR - pd.Timedelta(weeks=LEVEL_WEEKS), origin - YEAR)
    if not (np.isfinite(recent) and np.isfinite(before) and before > 0):
        return intervals
    level = recent / before
    stamps = pd.to_datetime(intervals["timestamp"])
    num = np.zeros(len(stamps))
    den = np.zeros(len(stamps))
    for k in WINDOW:
        back = stamps - YEAR + pd.Timedelta(weeks=k)
        back = back.where(back < origin, back - YEAR)  # beyond a year ahead: two years back
        num += load.reindex(back.to_numpy()).fillna(0.0).to_numpy()
        den += count.reindex(back.to_numpy()).fillna(0.0).to_numpy()
    seasonal = np.where(den > 0, num / np.maximum(den, 1e-12) * level, np.nan)
    aht = intervals["aht"].to_numpy(float)
    return intervals.assign(aht=np.round(np.where(np.isfinite(seasonal), seasonal, aht), 3))
