"""Bounds: calibrated on rolling-origin errors (daily), plus interval noise."""

from __future__ import annotations

import math

import numpy as np

HEAT_MIN_ERRORS = 10  # scored hot days needed before hot days get their own spread
HEAT_MAX_WIDEN = 3.0
# steps beyond the calibrated horizon extrapolate its spread up to this many times it
EXTRAPOLATE_FACTOR = 2


def calibrate(
    mean,
    lower,
    upper,
    steps: np.ndarray,
    errors: np.ndarray,
    level: float,
    errors_hot: np.ndarray | None = None,
    hot: np.ndarray | None = None,
):
    """Bounds from the model's own backtest errors (conformal-style), not from the model.

    `errors`: log(actual / forecast) by origin (rows) and horizon step h = 1.. (columns). The
    spread grows with the horizon: the mean absolute error by step is fitted as
    ``s(h)**2 = a + b * (h - 1)`` (a, b >= 0; the forecast origin's uncertainty grows like a
    random walk), the errors are standardised by s(h) and pooled, and the bounds are
    ``mean * exp(q * s(h))`` with q the 1 - p and p quantiles of the standardised errors,
    p = (1 - alpha) (1 + 1 / n_eff): the finite-sample conformal correction, with n_eff the
    errors' effective number (`_effective_size`: the days of one origin are not independent),
    at most 1 - alpha / 2 (a few origins never widen the bounds past the halfway-higher level).
    Steps beyond the backtest horizon extrapolate s(h) up to twice that horizon. With fewer than 20 scored errors the model's own
    bounds are kept.

    Heat: with `errors_hot` (errors' days above the heat threshold) and `hot` (forecast days
    above it), hot days get their own spread: s(h) times the root mean square of the hot days'
    standardised errors over the others' (1 to 3; at least 10 hot errors), so the bounds widen
    in heat when the history shows hot days are harder."""
    finite = np.isfinite(errors)
    if finite.sum() < 20:
        return lower, upper
    horizon = errors.shape[1]
    h = np.arange(1, horizon + 1, dtype=float)
    count = finite.sum(axis=0)
    use = count >= 2
    mae = np.nansum(np.abs(errors), axis=0)[use] / count[use]
    a, b = _nonneg_line(h[use] - 1, (mae * math.sqrt(math.pi / 2)) ** 2, count[use])
    floor = 1e-6
    scale = np.sqrt(np.maximum(a + b * (h - 1), floor))
    z = errors / scale[None, :]
    scores = z[finite]
    alpha = (1 - level / 100) / 2
    p_hi = min(1 - alpha / 2, (1 - alpha) * (1 + 1 / _effective_size(z, finite)))
    q_lo = min(float(np.quantile(scores, 1 - p_hi)), 0.0)
    q_hi = max(float(np.quantile(scores, p_hi)), 0.0)
    step = np.clip(np.asarray(steps, dtype=float), 1, EXTRAPOLATE_FACTOR * horizon)
    s = np.sqrt(np.maximum(a + b * (step - 1), floor))
    if errors_hot is not None and hot is not None and np.any(hot):
        hot_z, cool_z = z[finite & errors_hot], z[finite & ~errors_hot]
        if hot_z.size >= HEAT_MIN_ERRORS and cool_z.size >= HEAT_MIN_ERRORS:
            ratio = math.sqrt(np.mean(hot_z**2) / max(np.mean(cool_z**2), 1e-12))
            s = np.where(hot, s * min(max(ratio, 1.0), HEAT_MAX_WIDEN), s)
    return mean * np.exp(q_lo * s), mean * np.exp(q_hi * s)


def _effective_size(z: np.ndarray, finite: np.ndarray) -> float:
    """The number of independent errors the origins (rows of `z`) are worth: the days of one
    origin share its level error, so n errors count as n / (1 + (k - 1) rho) (Kish's design
    effect; k errors per origin, rho their intra-origin correlation from a one-way ANOVA).
    Between the number of origins (rho = 1) and of errors (rho = 0)."""
    rows = finite.any(axis=1)
    z, finite = np.where(finite, z, np.nan)[rows], finite[rows]
    n, m = int(finite.sum()), int(rows.sum())
    if m < 2 or n <= m:
        return float(max(m, 1))
    k = n / m
    row_mean = np.nanmean(z, axis=1)
    between = np.sum(finite.sum(axis=1) * (row_mean - np.nanmean(z)) ** 2) / (m - 1)
    within = np.nansum((z - row_mean[:, None]) ** 2) / (n - m)
    total = between + (k - 1) * within
    rho = min(max((between - within) / total, 0.0), 1.0) if total > 0 else 0.0
    return n / (1 + (k - 1) * rho)


def _nonneg_line(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted least squares y = a + b x with a, b >= 0."""
    if x.size >= 2 and np.ptp(x) > 0:
        sw = w.sum()
        mx, my = (w * x).sum() / sw, (w * y).sum() / sw
        b = (w * (x - mx) * (y - my)).sum() / (w * (x - mx) ** 2).sum()
        a = my - b * mx
        if a >= 0 and b >= 0:
            return float(a), float(b)
        if b < 0:
            return float(max(my, 0.0)), 0.0
        b = max((w * x * y).sum() / (w * x * x).sum(), 0.0)
        return 0.0, float(b)
    return float(max(np.average(y, weights=w), 0.0)) if y.size else 0.0, 0.0


def interval_bounds(share, mean, lower, upper, z, shape_noise=0.0):
    """Interval bounds: the daily bounds scaled by the interval's share, plus the interval's own
    noise around the profile: variance m + c m^2 (Poisson, plus the shape's day-to-day error of
    relative variance c = `shape_noise`, measured around the profile)."""
    m = share * mean
    noise = z**2 * (m + shape_noise * m**2)
    up = m + np.sqrt((share * (upper - mean)) ** 2 + noise)
    lo = np.maximum(m - np.sqrt((share * (mean - lower)) ** 2 + noise), 0.0)
    return lo, up
