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
without the day being 5% busier; `shape_cv` is measured on the line's recent days when a
history is given). The prior has a heavy tail: a share of days are abnormal (storms,
outages), with a level several times more uncertain than the plan's bounds say; the prior is
the mixture of the two gammas, the posterior the mixture of their posteriors weighted by how
well each explains the morning. So a morning near the plan is shrunk hard toward it and a
storm morning at twice the plan moves it most of the way; `weight_on_actuals` says how far.

Laws (tested): actuals equal to the plan leave B = 1 and the plan unchanged; B rises with every
actual interval; the reforecast's intervals add up to its daily total.

With a history, the rest of the day's curve is also learnt from the line's past mornings
(`morning.learn_morning_model`: a non-negative regression of the later blocks on the morning's)
and blended with B in log space by a weight w and a trust t chosen on held-out past days:
interval j of the rest is f_j (B^(1 - w) m_j^w)^t. The laws hold for the blend too (tested).

Bounds: the rest-of-day total R = B F_rest has the variance of B (posterior), a shape noise
shape_cv^2 (B F_rest)^2 and Poisson B F_rest; an interval adds its own noise, measured as what
the plan's interval bounds hold beyond the day's level and Poisson. Quantiles are those of the
gamma with the same mean and variance. With a learnt curve, the rest of the day's relative
variance is the one measured on the held-out days around the blend itself, at the bounds' own
level (`morning.learn_morning_model`): the level's and the curve's noise together.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from planner.errors import InputError
from planner.intraday.morning import blend_log, learn_morning_model


@dataclass(frozen=True)
class UpdateSettings:
    """How the reforecast weighs the actuals.

    half_life_h: an actual interval's weight halves for each this many hours before now.
    shape_cv: the coefficient of variation of the day's curve (the morning's share of the
        day): the evidence of F_w planned calls counts as 1 / (1/F_w + shape_cv^2) calls.
    min_prior_cv: a floor on the prior's coefficient of variation (a plan with very narrow
        bounds still learns from a storm).
    abnormal_day_share, abnormal_cv_factor: the prior's heavy tail: this share of days is
        abnormal (a storm, an outage), with a level this many times more uncertain than the
        plan's bounds say.
    level_pct: the bounds' level, percent.
    learn_morning, learn_weeks: with a history, learn what the morning says about the rest of
        the day's curve from its last `learn_weeks` weeks (`morning.learn_morning_model`).
    profile_components: also try the day's profile in that many principal components of past
        days (Shen & Huang 2008, `morning.DayProfiles`) as the learnt curve, kept where the
        held-out days prefer it; empty (the default) tries the block regression alone.
    """

    half_life_h: float = 6.0
    shape_cv: float = 0.05
    abnormal_day_share: float = 0.1
    abnormal_cv_factor: float = 3.0
    min_prior_cv: float = 0.03
    level_pct: float = 80.0
    learn_morning: bool = True
    learn_weeks: int = 104
    profile_components: tuple[int, ...] = ()


@dataclass(frozen=True)
class Reforecast:
    """The updated day.

    `intervals`: one row per interval of the day: `timestamp`, `plan` (the published forecast),
    `plan_lower`, `plan_upper`, `actual` (NaN from now on), `calls` (actual before now, the
    reforecast from now), `lower`, `upper` (bounds; equal to the actual before now), `aht`
    (s, the plan's), `rest` (True from now on).
    `factor`: the posterior mean busyness; `factor_lower`/`factor_upper` its bounds.
    `weight_on_actuals`: how far the factor moved toward the actuals' raw (weighted) ratio, 0..1.
    `curve_weight`: the weight of the curve learnt from the history's mornings (0 without one):
    the rest of the day is plan x (factor^(1 - curve_weight) x learnt
    multiplier^curve_weight)^curve_trust (`curve_trust` 1 without one);
    `curve_days`: the past days it was learnt on.
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
    curve_weight: float = 0.0
    curve_days: int = 0
    curve_trust: float = 1.0

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


def day_cv_from_intervals(calls, lower, upper, level_pct: float, floor: float) -> float:
    """The day level's coefficient of variation implied by interval bounds alone.

    An interval's relative variance is the day's cv^2 + 1/f (Poisson) + its own shape noise
    (>= 0), so cv^2 <= (half-width / z)^2 / f^2 - 1/f for every interval: the lower quartile
    over the intervals with at least one call (robust to a few clipped bounds) is the estimate. (Summing the interval bounds instead would count their Poisson noise as the day's.)
    """
    z = float(special.ndtri(0.5 + level_pct / 200.0))
    calls = np.asarray(calls, float)
    busy = calls >= 1.0
    if not busy.any():
        return floor
    sd = (np.asarray(upper, float)[busy] - np.asarray(lower, float)[busy]) / (2.0 * z)
    rel = (sd / calls[busy]) ** 2 - 1.0 / calls[busy]
    # the lower quartile, not the minimum: a few quiet intervals' bounds are clipped at 0
    return max(floor, float(np.sqrt(max(float(np.quantile(rel, 0.25)), 0.0))))


def shape_cv_from_history(
    history: pd.DataFrame,
    now: pd.Timestamp,
    interval_min: int,
    half_life_h: float,
    weeks: int = 8,
    floor: float = 0.02,
) -> float | None:
    """How uncertain the morning's share of the day is, measured on the `weeks` weeks of
    history before today: over those days, the spread of log(weighted calls before the time
    of `now` / calls after it) around its weekday's mean, less its Poisson part. The weights
    are the update's own (halving every `half_life_h` hours before now). `history`: columns
    `timestamp, calls` at `interval_min`. None with fewer than 14 full days."""
    day = pd.Timestamp(now).normalize()
    start = day - pd.Timedelta(weeks=weeks)
    frame = history[(history["timestamp"] >= start) & (history["timestamp"] < day)]
    if frame.empty:
        return None
    times = pd.DatetimeIndex(frame["timestamp"])
    offset = now - day
    clock = times - times.normalize()
    seen = np.asarray(clock < offset)
    ends_h = (offset - clock - pd.Timedelta(minutes=interval_min)).total_seconds() / 3600.0
    w = np.where(seen, 0.5 ** (np.maximum(np.asarray(ends_h, float), 0.0) / half_life_h), 0.0)
    calls = frame["calls"].to_numpy(float)
    per_day = (
        pd.DataFrame(
            {
                "day": times.normalize(),
                "morning": w * calls,
                "rest": np.where(seen, 0.0, calls),
                "n": 1,
            }
        )
        .groupby("day")
        .sum()
    )
    full = per_day[(per_day["n"] == 24 * 60 // interval_min) & (per_day["morning"] > 0)]
    full = full[full["rest"] > 0]
    if len(full) < 14:
        return None
    ratio = np.log(full["morning"] / full["rest"])
    weekday = pd.DatetimeIndex(full.index).day_of_week
    centred = ratio - ratio.groupby(weekday).transform("mean")
    groups = pd.Series(weekday).value_counts()
    dof = max(len(full) - len(groups), 1)
    var = float((centred**2).sum()) / dof
    poisson = float(np.mean(1.0 / full["morning"] + 1.0 / full["rest"]))
    return max(floor, math.sqrt(max(var - poisson, 0.0)))


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


def _posterior(cv: float, cfg: UpdateSettings, evidence_a: float, evidence_f: float):
    """Mean and variance of B given the (discounted) actual and planned calls so far, and the
    weight on the actuals. The prior is a mixture of two gammas with mean 1: the plan's own
    spread (cv) with probability 1 - abnormal_day_share, and `abnormal_cv_factor` times wider
    otherwise (storms, outages: days the plan's bounds do not describe). Each component's
    posterior is again gamma; the mixture weights follow each component's marginal likelihood
    (negative binomial), so a morning near the plan is read as a normal day and shrunk hard,
    a morning far from it as an abnormal one and believed."""
    comps = []
    for share, c in ((1.0 - cfg.abnormal_day_share, cv),
                     (cfg.abnormal_day_share, cv * cfg.abnormal_cv_factor)):  # fmt: skip
        if share <= 0:
            continue
        alpha = 1.0 / (c * c)
        shape, rate = alpha + evidence_a, alpha + evidence_f
        log_like = (
            special.gammaln(shape) - special.gammaln(alpha) + alpha * math.log(alpha)
            - shape * math.log(rate)
        )  # fmt: skip
        comps.append((math.log(share) + log_like, shape, rate))
    top = max(c[0] for c in comps)
    probs = np.array([math.exp(c[0] - top) for c in comps])
    probs /= probs.sum()
    # each component's mean is 1 + (a - f) / rate: exactly 1 when the actuals equal the plan
    shifts = np.array([(evidence_a - evidence_f) / c[2] for c in comps])
    means = 1.0 + shifts
    variances = np.array([c[1] / c[2] ** 2 for c in comps])
    mean = 1.0 + float((probs * shifts).sum())
    var = float((probs * (variances + means**2)).sum() - mean * mean)
    weight = float(sum(p * evidence_f / c[2] for p, c in zip(probs, comps, strict=True)))
    return mean, max(var, 0.0), weight


def _busyness(f_obs, a, hours_ago, cv: float, cfg: UpdateSettings):
    """The posterior busyness of the day from the morning: (mean, variance, weight on the
    actuals, weighted actual calls, weighted planned calls)."""
    w = 0.5 ** (np.maximum(hours_ago, 0.0) / cfg.half_life_h)
    a_w = float((w * a).sum())
    f_w = float((w * f_obs).sum())
    k = 1.0 / (1.0 + cfg.shape_cv**2 * f_w)
    factor, var_b, weight = _posterior(cv, cfg, k * a_w, k * f_w)
    return factor, var_b, weight, a_w, f_w


def _past_level(hours_ago, cfg: UpdateSettings):
    """The log busyness of a past day's morning (expected calls, actual calls, the day's cv),
    for the learnt curve's held-out days: the same update as today's."""

    def level(expected, actual_morning, day_cv: float) -> float:
        cv = max(day_cv, cfg.min_prior_cv)
        factor = _busyness(expected[: len(actual_morning)], actual_morning, hours_ago, cv, cfg)[0]
        return math.log(max(factor, 1e-12))

    return level


def reforecast_day(
    plan: pd.DataFrame,
    actual_calls,
    now: pd.Timestamp,
    interval_min: int,
    daily_bounds: tuple[float, float] | None = None,
    settings: UpdateSettings | None = None,
    history: pd.DataFrame | None = None,
) -> Reforecast:
    """Reforecast today's intervals from now on.

    `plan`: today's intervals, `timestamp, calls, lower, upper[, aht]` (the Forecast CSV of one
    day, every interval of the day). `actual_calls`: the calls of the intervals before `now`, in
    order (as many as there are plan intervals before now). `daily_bounds`: the plan's
    (lower, upper) for the day at the settings' level; without it the day's spread is read off
    the interval bounds (`day_cv_from_intervals`). `history` (`timestamp, calls` at the same
    interval, days before today): the morning's shape noise is measured on it
    (`shape_cv_from_history`) instead of the settings' `shape_cv`.
    """
    cfg = settings or UpdateSettings()
    if history is not None:  # the morning's shape noise measured on the line's recent days
        measured = shape_cv_from_history(history, now, interval_min, cfg.half_life_h)
        if measured is not None:
            cfg = dataclasses.replace(cfg, shape_cv=measured)
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
        cv = day_cv_from_intervals(f, p_lo, p_hi, cfg.level_pct, cfg.min_prior_cv)
    else:
        cv = prior_cv(daily_bounds[0], daily_bounds[1], cfg.level_pct, cfg.min_prior_cv)
    ends = times[observed] + pd.Timedelta(minutes=interval_min)
    hours_ago = np.asarray((now - ends).total_seconds(), float) / 3600.0
    f_obs = f[observed]
    factor, var_b, weight, a_w, f_w = _busyness(f_obs, a, hours_ago, cv, cfg)
    b_lo, b_hi = _gamma_bounds(np.array([factor]), np.array([var_b]), cfg.level_pct)
    b_lo, b_hi = b_lo[0], b_hi[0]
    # the posterior's relative variance of the level, and the day curve's own noise
    level_var = var_b / (factor * factor)
    shape_var = cfg.shape_cv**2

    rest = ~observed
    f_rest = f[rest]
    log_mult = np.full(len(f_rest), math.log(factor))
    model = None
    if history is not None and cfg.learn_morning and len(f_obs) and bool(rest.any()):
        model = learn_morning_model(
            history,
            now,
            interval_min,
            _past_level(hours_ago, cfg),
            weeks=cfg.learn_weeks,
            level_pct=cfg.level_pct,
            profile_components=cfg.profile_components,
        )
        if model is not None and model.now_index == len(f_obs):
            log_m = model.log_multipliers(f, a)
            log_mult = blend_log(log_mult, log_m, model.trust, model.weight)
            # the spread of the rest of the day's total is the one measured on the held-out
            # days around this same blend at the bounds' own level (the level's and the
            # curve's noise together; the posterior's variance, a model's, would add a second
            # spread to the measured one: the bank's 12:00 bounds held 85.3% of its days)
            level_var = model.rest_rel_var
            shape_var = 0.0
        else:
            model = None
    mean_rest = f_rest * np.exp(log_mult)
    # An interval's own noise beyond the day's level and Poisson, from the plan's bounds.
    z = float(special.ndtri(0.5 + cfg.level_pct / 200.0))
    plan_var = ((p_hi - p_lo) / (2.0 * z)) ** 2
    own = np.maximum(plan_var - (cv * f) ** 2 - f, 0.0)
    own_c = np.divide(own, f * f, out=np.zeros_like(f), where=f > 0)[rest]
    var_i = mean_rest + (level_var + (1.0 + level_var) * own_c) * mean_rest**2
    lo_i, hi_i = _gamma_bounds(mean_rest, var_i, cfg.level_pct)
    total = float(mean_rest.sum())
    f_total = float(f_rest.sum())
    var_total = total + (level_var + (1.0 + level_var) * shape_var) * total**2
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
        curve_weight=0.0 if model is None else model.weight,
        curve_days=0 if model is None else model.days,
        curve_trust=1.0 if model is None else model.trust,
    )
