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

import math

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


_WORK: dict[int, tuple[History, pd.Timestamp, np.ndarray, np.ndarray]] = {}


def _daily_work(hist: History) -> tuple[pd.Timestamp, np.ndarray, np.ndarray]:
    """(first day, cumulative calls, cumulative calls x AHT) by day of the history's calls
    with an AHT (memoised per history: a backtest asks for many origins of one history)."""
    hit = _WORK.get(id(hist))
    if hit is not None and hit[0] is hist:
        return hit[1], hit[2], hit[3]
    frame = hist.total()
    aht = frame["aht"].to_numpy(float)
    keep = np.isfinite(aht)
    days = pd.to_datetime(frame["timestamp"]).dt.normalize()[keep]
    calls = frame["calls"].to_numpy(float)[keep]
    count = pd.Series(calls, index=days.to_numpy()).groupby(level=0).sum()
    load = pd.Series(calls * aht[keep], index=days.to_numpy()).groupby(level=0).sum()
    if count.empty:
        first, cum_count, cum_load = pd.Timestamp("2000-01-01"), np.zeros(1), np.zeros(1)
    else:
        first = count.index[0]
        full = pd.date_range(first, count.index[-1], freq="D")
        cum_count = np.concatenate([[0.0], np.cumsum(count.reindex(full, fill_value=0.0))])
        cum_load = np.concatenate([[0.0], np.cumsum(load.reindex(full, fill_value=0.0))])
    if len(_WORK) >= 16:
        _WORK.clear()
    _WORK[id(hist)] = (hist, first, cum_count, cum_load)
    return first, cum_count, cum_load


def weekly_aht_errors(hist: History, origin: pd.Timestamp, starts) -> np.ndarray:
    """log(actual / forecast) of the calls-weighted AHT of the 7 days from each of `starts`,
    forecast at `origin` as `seasonal_aht` forecasts it, a week at a time: the calls-weighted
    AHT of the 5 weeks around the same week a year earlier (two years where a year earlier is
    not wholly before the origin) times the level ratio; where that has no history, the
    forecaster's (the `LEVEL_WEEKS` before the origin). A week's staff-hours follow its
    workload, calls x AHT: its log error is the calls' plus this. 0.0 for every week without AHT
    in the history (the calls' error alone); NaN where the week or its forecast has none."""
    starts = pd.DatetimeIndex(pd.to_datetime(starts))
    if not hist.has_aht:
        return np.zeros(len(starts))
    first, cum_count, cum_load = _daily_work(hist)
    size = cum_count.size - 1
    origin = pd.Timestamp(origin).normalize()

    def mean_aht(start: pd.Timestamp, end: pd.Timestamp) -> float:
        lo = min(max((start - first).days, 0), size)
        hi = min(max((end - first).days, 0), size)
        calls = cum_count[hi] - cum_count[lo]
        return float((cum_load[hi] - cum_load[lo]) / calls) if calls > 0 else float("nan")

    week = pd.Timedelta(days=7)
    recent = mean_aht(origin - LEVEL_WEEKS * week, origin)
    level = recent / mean_aht(origin - YEAR - LEVEL_WEEKS * week, origin - YEAR)
    out = np.full(len(starts), np.nan)
    for row, start in enumerate(starts):
        actual = mean_aht(start, start + week)
        back = start - YEAR
        if back + week > origin:
            back -= YEAR
        lo, hi = back + WINDOW[0] * week, back + (WINDOW[-1] + 1) * week
        seasonal = mean_aht(lo, min(hi, origin)) * level
        guess = seasonal if np.isfinite(seasonal) else recent
        if np.isfinite(actual) and np.isfinite(guess) and actual > 0 and guess > 0:
            out[row] = math.log(actual / guess)
    return out
