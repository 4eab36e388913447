"""The intraday profile: daily totals spread over the intervals, AHT, and rounding."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from planner import calendar
from planner.forecast.bounds import interval_bounds
from planner.forecast.grid import (
    DISPERSION_DAYS,
    MIN_HISTORY_DAYS,
    PROFILE_DAYS,
    PROFILE_HALF_LIFE,
    PROFILE_HALF_LIVES,
    PROFILE_NEIGHBOURS,
    Grid,
    OpenRules,
    day_types,
    profile_type,
)


@dataclass(frozen=True)
class _Intraday:
    shares: np.ndarray  # (8, slots) profile per day type, each row sums to 1 (or 0)
    queue_shares: np.ndarray | None  # (8, queues, slots) queue share of each interval
    aht: np.ndarray | None  # (7, slots) weekday x interval AHT of the total
    queue_aht: np.ndarray | None  # (queues, 7, slots)
    shape_noise: float = 0.0  # c in an interval's variance m + c m^2 around the profile
    half_life: float = PROFILE_HALF_LIFE  # the recency chosen (days of a type)


def intraday_profile(
    grid: Grid,
    rules: OpenRules,
    end: int,
    out_of_sample: bool = True,
    half_life: float | None = None,
) -> _Intraday:
    """The profile per day type from the days before `end`. Its recency (the `half_life` of a
    day's weight, in days of its type) is chosen per series unless given: each of
    `PROFILE_HALF_LIVES` draws the profile from the days before the last `DISPERSION_DAYS`
    and spreads those days' actual totals with it; the least absolute interval error wins
    (ties: the default `PROFILE_HALF_LIFE`). A line whose shape drifts takes a short memory,
    a steady noisy one a long one."""
    ptype = profile_type(rules, grid.day_type[:end], grid.days[:end])
    calls = grid.calls[:end]
    totals = calls.sum(axis=1)
    earlier = None  # the profile of the days before the last DISPERSION_DAYS
    if out_of_sample and end - DISPERSION_DAYS >= MIN_HISTORY_DAYS:
        tried = {}
        lives = PROFILE_HALF_LIVES if half_life is None and grid.slots > 1 else (half_life,)
        for life in lives:
            before = intraday_profile(
                grid, rules, end - DISPERSION_DAYS, out_of_sample=False, half_life=life
            ).shares
            tried[life] = (_shape_error(calls, totals, before[ptype]), before)
        best = min(tried, key=lambda k: (round(tried[k][0], 9), k != PROFILE_HALF_LIFE, k or 0))
        half_life, earlier = best, tried[best][1]
    life = PROFILE_HALF_LIFE if half_life is None else half_life
    window = max(PROFILE_DAYS, int(4 * life))
    own: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # type -> (profile, its variance)
    queue_shares = None
    if grid.queue_calls is not None:
        queue_shares = np.zeros((8, len(grid.queues), grid.slots))
    for t in range(8):
        expected = rules.slot_open[t]
        complete = (
            (ptype == t)
            & (totals > 0)
            & ~grid.suspect[:end]
            & ((expected & ~grid.present[:end]).sum(axis=1) == 0)
        )
        sel = np.flatnonzero(complete)[-window:]
        if sel.size == 0:
            continue
        weight = 0.5 ** (np.arange(sel.size)[::-1] / life)
        prof, var = weighted_profile(calls[sel], totals[sel], weight, expected)
        if prof is None:
            continue
        own[t] = (prof, var)
        if queue_shares is not None:
            qc = (grid.queue_calls[:, sel, :] * weight[None, :, None]).sum(axis=1)
            tot = qc.sum(axis=0)
            day_q = qc.sum(axis=1) / max(qc.sum(), 1)
            queue_shares[t] = np.where(tot > 0, qc / np.where(tot > 0, tot, 1), day_q[:, None])
    shares = pooled_shares(own, rules.slot_open)
    known = sorted(own)
    for t in range(8):
        if t in own:
            continue
        mean = shares[known].mean(axis=0) if known else np.full(grid.slots, 1 / grid.slots)
        prof = mean * rules.slot_open[t]
        shares[t] = prof / prof.sum() if prof.sum() > 0 else mean
        if queue_shares is not None:
            queue_shares[t] = (
                queue_shares[known].mean(axis=0)
                if known
                else np.full(queue_shares[t].shape, 1 / len(grid.queues))
            )
    aht = queue_aht = None
    if grid.aht is not None:
        aht = _week_aht(grid.calls[:end], grid.aht[:end], grid.days[:end])
        if grid.queue_aht is not None:
            queue_aht = np.stack(
                [
                    _week_aht(grid.queue_calls[q, :end], grid.queue_aht[q, :end], grid.days[:end])
                    for q in range(len(grid.queues))
                ]
            )
    # the shape noise is measured out of sample, against the profile the days before had, as
    # the forecast will be: the profile's own error is part of an interval's noise
    shape_noise = 0.0
    if earlier is not None:
        shape_noise = _shape_noise(calls, totals, earlier[ptype], rules.slot_open[ptype])
    return _Intraday(shares, queue_shares, aht, queue_aht, shape_noise, float(life))


def _shape_error(calls: np.ndarray, totals: np.ndarray, shares: np.ndarray) -> float:
    """Absolute interval error of the last `DISPERSION_DAYS` days' totals spread by `shares`."""
    d = DISPERSION_DAYS
    return float(np.abs(shares[-d:] * totals[-d:, None] - calls[-d:]).sum())


def weighted_profile(
    calls: np.ndarray, totals: np.ndarray, weight: np.ndarray, expected: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray]:
    """One day type's profile from its days' `calls` (days x slots): the share of the weighted
    pooled counts (each day counts by its calls times its recency `weight`, the Poisson
    estimate), over the `expected` open intervals; and the profile's variance per interval
    (the day-to-day spread of the shares over the days' effective number, or the multinomial
    p (1 - p) / calls with a single day)."""
    pooled = (calls * weight[:, None]).sum(axis=0) * expected
    if pooled.sum() <= 0:
        return None, np.zeros_like(pooled)
    prof = pooled / pooled.sum()
    mass = weight * totals
    if calls.shape[0] < 2:
        return prof, prof * (1 - prof) / max(float(mass.sum()), 1.0)
    a = mass / mass.sum()
    days = 1.0 / float((a**2).sum())  # effective number of days
    day_shares = calls / totals[:, None]
    var = (a[:, None] * (day_shares - prof) ** 2).sum(axis=0) / max(days - 1.0, 1.0)
    return prof, var


def pooled_shares(
    own: dict[int, tuple[np.ndarray, np.ndarray]], slot_open: np.ndarray
) -> np.ndarray:
    """Each day type's profile shrunk toward the mean of itself and its `PROFILE_NEIGHBOURS`
    most similar types (L1 distance), by how much of its distance to that pool its own noise
    explains (James-Stein: weight tau^2 / (tau^2 + v), v the summed variance of the type's
    profile, tau^2 the squared distance beyond it). A type with few or quiet days borrows
    from its neighbours; one clearly its own (a short Friday) keeps its shape."""
    shares = np.zeros(slot_open.shape)
    for t, (prof, var) in own.items():
        distance = {u: float(np.abs(prof - own[u][0]).sum()) for u in own if u != t}
        near = sorted(distance, key=lambda u: (distance[u], u))[:PROFILE_NEIGHBOURS]
        if not near:
            shares[t] = prof
            continue
        pool = np.mean([prof] + [own[u][0] for u in near], axis=0) * slot_open[t]
        pool = pool / pool.sum() if pool.sum() > 0 else prof
        noise = float(var.sum())
        beyond = max(float(((prof - pool) ** 2).sum()) - noise, 0.0)
        keep = beyond / (beyond + noise) if beyond + noise > 0 else 1.0
        mixed = (keep * prof + (1 - keep) * pool) * slot_open[t]
        shares[t] = mixed / mixed.sum() if mixed.sum() > 0 else prof
    return shares


def _shape_noise(calls, totals, shares, open_) -> float:
    """The intervals' noise beyond Poisson over the last 28 days, around their day's total
    spread by the profile: c in Var = m + c m^2 (a multiplicative shape error of relative
    variance c on top of the Poisson count; 0 = Poisson), a moment estimate of
    ((actual - m)^2 - m) / m^2 weighted by the inverse of each interval's variance, at most 1."""
    d = DISPERSION_DAYS
    calls, totals, shares, open_ = calls[-d:], totals[-d:], shares[-d:], open_[-d:]
    expected = shares * totals[:, None]
    use = open_ & (expected >= 1) & (totals[:, None] > 0)
    if use.sum() < 50:
        return 0.0
    m, a = expected[use], calls[use]
    excess = ((a - m) ** 2 - m) / m**2
    c = float(max(np.sum(m**2 * excess) / np.sum(m**2), 0.0))
    weight = (m / (1 + c * m)) ** 2  # the moment's precision at c (Poisson near 0, flat above)
    c = float(np.sum(weight * excess) / np.sum(weight))
    return min(max(c, 0.0), 1.0)


def _week_aht(calls: np.ndarray, aht: np.ndarray, days: pd.DatetimeIndex) -> np.ndarray:
    """Calls-weighted mean AHT by (weekday, interval) over the last 8 weeks."""
    calls, aht, weekday = calls[-56:], aht[-56:], days[-56:].day_of_week.to_numpy()
    work = np.where(np.isfinite(aht), aht * calls, 0.0)
    weight = np.where(np.isfinite(aht), calls, 0.0)
    total_w = weight.sum()
    overall = (
        work.sum() / total_w
        if total_w > 0
        else float(np.nanmean(aht))
        if np.isfinite(aht).any()
        else 0.0
    )
    out = np.empty((7, calls.shape[1]))
    for d in range(7):
        w = weight[weekday == d].sum(axis=0)
        s = work[weekday == d].sum(axis=0)
        out[d] = np.where(w > 0, s / np.where(w > 0, w, 1), overall)
    return out


def round_to_total(values: np.ndarray, total10: int) -> np.ndarray:
    """Round non-negative `values` to tenths so they sum to `total10` tenths (largest remainder;
    ties go to the earlier interval)."""
    scaled = values * 10.0
    base = np.floor(scaled + 1e-9)
    rest = int(total10 - base.sum())
    if rest > 0:
        order = np.argsort(-(scaled - base), kind="stable")
        base[order[:rest]] += 1
    elif rest < 0:
        order = np.argsort(scaled - base, kind="stable")
        order = [i for i in order if base[i] > 0][:-rest]
        base[order] -= 1
    return base / 10.0


def spread_over_intervals(
    days: pd.DatetimeIndex,
    mean: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    grid: Grid,
    rules: OpenRules,
    intraday: _Intraday,
    level: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily forecasts → (intervals frame, daily frame), rounded as the module says."""
    keys = calendar.holiday_keys(days, grid.country)
    day_type = profile_type(rules, day_types(days, grid.country), days, keys)
    z = norm.ppf(0.5 + level / 200)
    step = grid.interval_min
    offsets = (
        pd.to_timedelta(np.arange(grid.slots) * step, unit="min")
        if step
        else pd.to_timedelta([0], unit="min")
    )
    queues = grid.queues or ("",)
    rows_i, rows_d = [], []
    for i, day in enumerate(days):
        t = day_type[i]
        share = intraday.shares[t]
        stamps = day + offsets
        for q, queue in enumerate(queues):
            qshare = share * intraday.queue_shares[t, q] if grid.queues else share
            m = mean[i] * qshare
            qday = float(m.sum())
            q_lo = lower[i] * qshare.sum()
            q_up = upper[i] * qshare.sum()
            total10 = int(round(qday * 10))
            calls = round_to_total(m, total10)
            lo, up = interval_bounds(qshare, mean[i], lower[i], upper[i], z, intraday.shape_noise)
            open_ = qshare > 0
            frame = pd.DataFrame(
                {
                    "timestamp": stamps,
                    "calls": calls,
                    "lower": np.round(np.where(open_, lo, 0.0), 1),
                    "upper": np.round(np.where(open_, up, 0.0), 1),
                }
            )
            if intraday.aht is not None:
                table = intraday.queue_aht[q] if grid.queues else intraday.aht
                frame["aht"] = np.round(table[day.weekday()], 1)
            if grid.queues:
                frame["queue"] = queue
            rows_i.append(frame)
            drow = {
                "date": day.strftime("%Y-%m-%d"),
                "calls": total10 / 10.0,
                "lower": round(float(q_lo), 1),
                "upper": round(float(q_up), 1),
            }
            if grid.queues:
                drow["queue"] = queue
            rows_d.append(drow)
    intervals = pd.concat(rows_i, ignore_index=True)
    if grid.queues:
        order = {q: k for k, q in enumerate(grid.queues)}
        intervals["_q"] = intervals["queue"].map(order)
        intervals = (
            intervals.sort_values(["timestamp", "_q"], kind="mergesort")
            .drop(columns="_q")
            .reset_index(drop=True)
        )
    daily = pd.DataFrame(rows_d)
    return intervals, daily
