"""The rest of today reforecast from its calls so far: a shrunk Poisson-gamma busyness factor.

The plan forecast f_i for each interval of today is scaled by one factor B for the day (the
day's "busyness"). Before the day starts B has a gamma prior with mean 1 whose spread is the
plan's own uncertainty about the day's level: the coefficient of variation of the daily total
read off its bounds (log-normal: cv = ln(upper / lower) / (2 z)). The calls seen so far are
Poisson with mean B f_i, so the posterior is again gamma (Shen & Huang 2008, Weinberg, Brown &
Stroud 2007 use the same conjugate idea):

    B | actuals ~ Gamma(alpha + k A_w, alpha + k F_w),   alpha = 1 / cv^2

with A_w and F_w the actual and planned calls so far, each interval weighted by
0.5 ** (hours before now / half_life_h) (a storm that began two hours ago counts more than a
quiet night), and k = 1 / (1 + shape_cv^2 F_w) the discount for the morning's share of the day
being itself uncertain (the day's curve is not known exactly: a morning can be 5% early
without the day being 5% busier). So a few hundred calls of evidence move B a little and
a storm morning at twice the plan moves it most of the way; the weight on the actuals is
k F_w / (alpha + k F_w).

Laws (tested): actuals equal to the plan leave B = 1 and the plan unchanged; B rises with every
actual interval; the reforecast's intervals add up to its daily total.

Bounds: the rest-of-day total R = B F_rest has the variance of B (posterior), a shape noise
shape_cv^2 (B F_rest)^2 and Poisson B F_rest; an interval adds its own noise, measured as what
the plan's interval bounds hold beyond the day's level and Poisson. Quantiles are those of the
gamma with the same mean and variance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from planner.errors import InputError


@dataclass(frozen=True)
class UpdateSettings:
    """How the reforecast weighs the actuals.

    half_life_h: an actual interval's weight halves for each this many hours before now.
    shape_cv: the coefficient of variation of the day's curve (the morning's share of the
        day): the evidence of F_w planned calls counts as 1 / (1/F_w + shape_cv^2) calls.
    min_prior_cv: a floor on the prior's coefficient of variation (a plan with very narrow
        bounds still learns from a storm).
    level_pct: the bounds' level, percent.
    """

    half_life_h: float = 3.0
    shape_cv: float = 0.05
    min_prior_cv: float = 0.03
    level_pct: float = 80.0


@dataclass(frozen=True)
class Reforecast:
    """The updated day.

    `intervals`: one row per interval of the day: `timestamp`, `plan` (the published forecast),
    `plan_lower`, `plan_upper`, `actual` (NaN from now on), `calls` (actual before now, the
    reforecast from now), `lower`, `upper` (bounds; equal to the actual before now), `aht`
    (s, the plan's), `rest` (True from now on).
    `factor`: the posterior mean busyness; `factor_lower`/`factor_upper` its bounds.
    `weight_on_actuals`: how far the factor moved toward the actuals' raw (weighted) ratio, 0..1.
    Totals in calls: `actual_so_far`, `plan_so_far`, `plan_rest`, `rest`, `rest_lower`,
    `rest_upper`, `day` = actual_so_far + rest, `day_lower`, `day_upper`.
    """

    intervals: pd.DataFrame
    now: pd.Timestamp
    interval_min: int
    level_pct: float
    prior_cv: float
    factor: float
    factor_lower: float
    factor_upper: float
    raw_ratio: float
    weight_on_actuals: float
    actual_so_far: float
    plan_so_far: float
    plan_rest: float
    rest: float
    rest_lower: float
    rest_upper: float

    @property
    def day(self) -> float:
        return self.actual_so_far + self.rest

    @property
    def day_lower(self) -> float:
        return self.actual_so_far + self.rest_lower

    @property
    def day_upper(self) -> float:
        return self.actual_so_far + self.rest_upper

    @property
    def rest_intervals(self) -> pd.DataFrame:
        return self.intervals[self.intervals["rest"]].reset_index(drop=True)


def prior_cv(lower: float, upper: float, level_pct: float, floor: float) -> float:
    """The coefficient of variation of the day's level read off its bounds at `level_pct`."""
    z = float(special.ndtri(0.5 + level_pct / 200.0))
    if not (lower > 0 and upper > lower):
        return max(floor, 0.0)
    sigma = math.log(upper / lower) / (2.0 * z)
    return max(floor, math.sqrt(math.expm1(sigma * sigma)))


def _gamma_bounds(mean: np.ndarray, var: np.ndarray, level_pct: float):
    """Quantiles of the gamma with this mean and variance (0 where the mean is 0)."""
    mean = np.asarray(mean, float)
    var = np.asarray(var, float)
    lo_q, hi_q = 0.5 - level_pct / 200.0, 0.5 + level_pct / 200.0
    ok = (mean > 0) & (var > 0)
    lower = np.where(ok, 0.0, mean)
    upper = lower.copy()
    if ok.any():
        shape = mean[ok] ** 2 / var[ok]
        scale = var[ok] / mean[ok]
        lower[ok] = special.gammaincinv(shape, lo_q) * scale
        upper[ok] = special.gammaincinv(shape, hi_q) * scale
    return lower, upper


def reforecast_day(
    plan: pd.DataFrame,
    actual_calls,
    now: pd.Timestamp,
    interval_min: int,
    daily_bounds: tuple[float, float] | None = None,
    settings: UpdateSettings | None = None,
) -> Reforecast:
    """Reforecast today's intervals from now on.

    `plan`: today's intervals, `timestamp, calls, lower, upper[, aht]` (the Forecast CSV of one
    day, every interval of the day). `actual_calls`: the calls of the intervals before `now`, in
    order (as many as there are plan intervals before now). `daily_bounds`: the plan's
    (lower, upper) for the day at the settings' level; without it the interval bounds summed
    (wider: the update then leans more on the actuals).
    """
    cfg = settings or UpdateSettings()
    times = pd.DatetimeIndex(pd.to_datetime(plan["timestamp"]))
    f = plan["calls"].to_numpy(float)
    p_lo = plan["lower"].to_numpy(float) if "lower" in plan.columns else f.copy()
    p_hi = plan["upper"].to_numpy(float) if "upper" in plan.columns else f.copy()
    observed = np.asarray(times < now)
    a = np.asarray(actual_calls, float)
    if len(a) != int(observed.sum()):
        raise InputError(
            f"actuals: {len(a)} intervals before {now:%H:%M}, the plan has {int(observed.sum())}"
        )
    if daily_bounds is None:
        daily_bounds = (float(p_lo.sum()), float(p_hi.sum()))
    cv = prior_cv(daily_bounds[0], daily_bounds[1], cfg.level_pct, cfg.min_prior_cv)
    alpha = 1.0 / (cv * cv)

    ends = times[observed] + pd.Timedelta(minutes=interval_min)
    hours_ago = np.asarray((now - ends).total_seconds(), float) / 3600.0
    w = 0.5 ** (np.maximum(hours_ago, 0.0) / cfg.half_life_h)
    f_obs = f[observed]
    a_w = float((w * a).sum())
    f_w = float((w * f_obs).sum())
    k = 1.0 / (1.0 + cfg.shape_cv**2 * f_w)
    shape = alpha + k * a_w
    rate = alpha + k * f_w
    factor = shape / rate
    var_b = shape / rate**2
    b_lo, b_hi = (
        special.gammaincinv(
            shape, np.array([0.5 - cfg.level_pct / 200.0, 0.5 + cfg.level_pct / 200.0])
        )
        / rate
    )
    weight = k * f_w / rate

    rest = ~observed
    f_rest = f[rest]
    mean_rest = factor * f_rest
    second = var_b + factor * factor  # E[B^2]
    # An interval's own noise beyond the day's level and Poisson, from the plan's bounds.
    z = float(special.ndtri(0.5 + cfg.level_pct / 200.0))
    plan_var = ((p_hi - p_lo) / (2.0 * z)) ** 2
    own = np.maximum(plan_var - (cv * f) ** 2 - f, 0.0)
    own_c = np.divide(own, f * f, out=np.zeros_like(f), where=f > 0)[rest]
    var_i = factor * f_rest + (var_b + second * own_c) * f_rest**2
    lo_i, hi_i = _gamma_bounds(mean_rest, var_i, cfg.level_pct)
    total = float(mean_rest.sum())
    f_total = float(f_rest.sum())
    var_total = factor * f_total + (var_b + second * cfg.shape_cv**2) * f_total**2
    t_lo, t_hi = _gamma_bounds(np.array([total]), np.array([var_total]), cfg.level_pct)

    calls = f.copy()
    calls[observed] = a
    calls[rest] = mean_rest
    lower = calls.copy()
    upper = calls.copy()
    lower[rest] = lo_i
    upper[rest] = hi_i
    frame = pd.DataFrame(
        {
            "timestamp": times,
            "plan": f,
            "plan_lower": p_lo,
            "plan_upper": p_hi,
            "actual": np.where(observed, calls, np.nan),
            "calls": calls,
            "lower": lower,
            "upper": upper,
            "aht": plan["aht"].to_numpy(float) if "aht" in plan.columns else np.nan,
            "rest": rest,
        }
    )
    return Reforecast(
        intervals=frame,
        now=pd.Timestamp(now),
        interval_min=int(interval_min),
        level_pct=cfg.level_pct,
        prior_cv=cv,
        factor=float(factor),
        factor_lower=float(b_lo),
        factor_upper=float(b_hi),
        raw_ratio=float(a_w / f_w) if f_w > 0 else float("nan"),
        weight_on_actuals=float(weight),
        actual_so_far=float(a.sum()),
        plan_so_far=float(f_obs.sum()),
        plan_rest=f_total,
        rest=total,
        rest_lower=float(t_lo[0]),
        rest_upper=float(t_hi[0]),
    )
