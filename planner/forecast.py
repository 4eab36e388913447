"""Call-volume forecasting: daily models, the intraday profile, bounds and backtests.

Daily totals and the intraday curve are forecast separately (DOMAIN.md): a daily model forecasts
the total calls of each day, then an intraday profile by day type spreads it over the intervals,
so the intervals of a day always sum to its daily forecast.

Daily models share one small contract (`fit(y, exog)`, `predict(days, exog) -> mean, lower,
upper`), after statsforecast:

- `seasonal_naive`: the same weekday a week earlier (the baseline every model must beat).
- `ets`: Holt-Winters / ETS(A,Ad,A): damped additive trend and additive weekly season on log
  calls over the last year.
- `regression`: least squares on log calls with weekday dummies, yearly Fourier terms (order 8)
  and a linear trend (both only with 2+ years of history: one year cannot separate them), holiday
  and Tết regressors (`planner.calendar`: Tết block, each day eve..4th, days before, rebound after,
  other holidays, the day after, bridge/substitute days), one regressor per past event label, and
  optionally temperature (max temperature and heat above 32 °C; over the horizon the day-of-year
  mean of the temperature history, i.e. a climatology, because no weather forecast is given).
  Huber-weighted (IRLS), so storm days and glitches do not pull the fit. The residuals get an
  AR(1) correction that starts from the mean residual of the last 3 days and decays over the
  horizon, so a recent level shift (a heat wave, a trend break) carries into the first days.
  Fitted on the last 3 years.
- `auto` (default): a quick rolling-origin backtest (3 folds of the horizon, 7-28 days) on the
  history's end picks the model with the lowest daily WAPE.

Bounds at `level` % (default 80) are calibrated on the model's own rolling-origin errors,
conformal-style, not taken from the model's variance formula (model-based bounds are too narrow
when the model is wrong and too wide when it is cautious). After the model choice, the chosen
model (also a model named with `model=`) is re-run from 26 weekly origins over the last half
year (each scored over the selection horizon, 7-28 days; future event multipliers are not
applied) and gives log errors e(o, h) = log(actual / forecast) by origin o and horizon step h.
Their spread grows with h (the forecast origin's uncertainty): the mean |e| by step is fitted as
``s(h)**2 = a + b * (h - 1)`` with a, b >= 0, the errors are standardised by s(h) and pooled,
and the daily bounds are ``M * exp(q * s(h))`` with q the empirical alpha and 1 - alpha
quantiles (alpha = (1 - level/100) / 2, finite-sample conformal ranks) of the standardised
errors; so a biased model gets asymmetric bounds. Steps beyond the calibration horizon
extrapolate s(h) up to twice that horizon. With fewer than 20 scored errors (short history) the
model's own bounds are kept: regression normal on log scale with the AR(1) forecast variance;
ETS normal on log scale with an approximate ETS variance; naive empirical quantiles of
week-on-week log ratios widened by sqrt(weeks ahead). `backtest` shows these raw model bounds
for the named models and the calibrated ones for `auto` (calibrated from the data before each
origin only). Interval bounds combine the daily bound, scaled by the interval's share of the
day, with the noise of the interval itself (Poisson times the dispersion D >= 1, measured over
the last 28 days around the profile that the days before them gave, i.e. out of sample, so the
profile's own error counts): ``half_width_i = sqrt((share_i * (U - M))**2 + z**2 * D *
share_i * M)`` (likewise below, >= 0), z the normal quantile of the level.

Intraday profile: per day type (Monday..Sunday, and public holiday when the history has at least
two open holidays), the median over the last 8 complete days of that type of each interval's share
of the day, renormalised; closed intervals (see `planner.history`) get share 0.

Per-queue history: the daily model forecasts the total over queues; each interval is split by the
queues' shares of that interval over the same recent days of that type. AHT: the calls-weighted
mean AHT of the same interval of the week over the last 8 weeks (per queue when per queue).

Output values are rounded to 0.1 call; the intervals of each day (and queue) are rounded with the
largest-remainder method so they sum exactly to the rounded daily total.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from planner import calendar, io
from planner.calendar import Events, read_events
from planner.errors import InputError
from planner.history import MINUTES_PER_DAY, History

__all__ = [
    "MODELS",
    "ForecastResult",
    "backtest",
    "forecast_history",
    "plot_forecast",
    "read_events",
    "read_temperature",
]

MODELS = ("seasonal_naive", "ets", "regression")
PROFILE_DAYS = 8
SELECT_FOLDS = 3  # rolling origins behind `--model auto`
CALIBRATION_ORIGINS = 26  # weekly rolling origins behind the bounds (half a year)
MIN_HISTORY_DAYS = 21
DISPERSION_DAYS = 28  # days behind the intervals' over-Poisson dispersion
SUMMER = ((5, 20), (8, 31))  # 20 May .. 31 August: the hotline's peak season
HOLIDAY_TYPE = 7


# ----------------------------------------------------------------------------------------------
# inputs


def read_temperature(path: str | os.PathLike) -> pd.Series:
    """Daily max temperature (°C) from a CSV with `date` and `temp_max_c` (or `temp_max`/`tmax`)."""
    name = io.display_name(path)
    rows = io.read_csv_rows(path, ["date"], what="temperature file")
    col = next((c for c in ("temp_max_c", "temp_max", "tmax") if c in rows.columns), None)
    if col is None:
        raise InputError(f"{name}:1: missing column 'temp_max_c' (daily max temperature, °C)")
    values = io.parse_numbers(rows, col, path, minimum=None)
    dates = io.parse_timestamps(rows, "date", path).dt.normalize()
    series = pd.Series(values.to_numpy(), index=pd.DatetimeIndex(dates), name="temp_max_c")
    return series[~series.index.duplicated()].sort_index()


# ----------------------------------------------------------------------------------------------
# the history as a day x interval grid


@dataclass(frozen=True)
class _Grid:
    days: pd.DatetimeIndex  # every calendar day from the first to the last day of history
    slots: int  # intervals per day (1 for daily history)
    interval_min: int | None
    calls: np.ndarray  # (days, slots) total calls, 0 where absent
    present: np.ndarray  # (days, slots) a row exists
    queues: tuple[str, ...]
    queue_calls: np.ndarray | None  # (queues, days, slots)
    aht: np.ndarray | None  # (days, slots) calls-weighted AHT of the total, NaN where unknown
    queue_aht: np.ndarray | None  # (queues, days, slots)
    day_type: np.ndarray  # 0..6 weekday, 7 holiday
    country: str | None


def _grid(history: History, country: str | None, interval_min: int | None) -> _Grid:
    frame = history.frame
    base = history.interval_min
    if interval_min is not None:
        if base is None:
            raise InputError(
                f"--interval {interval_min}: {history.source} is daily history, "
                "intervals cannot be split out of daily totals"
            )
        if interval_min % base or MINUTES_PER_DAY % interval_min:
            raise InputError(
                f"--interval {interval_min}: expected a multiple of the history's {base}-minute "
                "interval that divides a day (e.g. 30 or 60)"
            )
    step = interval_min or base
    slots = 1 if step is None else MINUTES_PER_DAY // step
    first, last = history.first_day(), history.last_day()
    days = pd.date_range(first, last, freq="D")
    day_idx = ((frame["timestamp"].dt.normalize() - first).dt.days).to_numpy()
    if step is None:
        slot_idx = np.zeros(len(frame), dtype=int)
    else:
        minute = (frame["timestamp"].dt.hour * 60 + frame["timestamp"].dt.minute).to_numpy()
        slot_idx = minute // step
    shape = (len(days), slots)
    flat = day_idx * slots + slot_idx
    calls = np.bincount(flat, weights=frame["calls"].to_numpy(), minlength=shape[0] * slots)
    present = np.bincount(flat, minlength=shape[0] * slots) > 0
    has_aht = "aht" in frame.columns
    aht = queue_calls = queue_aht = None
    if has_aht:
        work = np.bincount(
            flat, weights=(frame["calls"] * frame["aht"]).to_numpy(), minlength=shape[0] * slots
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            aht = np.where(calls > 0, work / np.where(calls > 0, calls, 1), np.nan).reshape(shape)
    if history.queues:
        q_idx = pd.Categorical(frame["queue"], categories=list(history.queues)).codes.astype(
            np.int64
        )
        qflat = q_idx * shape[0] * slots + flat
        size = len(history.queues) * shape[0] * slots
        queue_calls = np.bincount(qflat, weights=frame["calls"].to_numpy(), minlength=size)
        queue_calls = queue_calls.reshape((len(history.queues), *shape))
        if has_aht:
            qwork = np.bincount(
                qflat, weights=(frame["calls"] * frame["aht"]).to_numpy(), minlength=size
            ).reshape(queue_calls.shape)
            with np.errstate(invalid="ignore", divide="ignore"):
                queue_aht = np.where(
                    queue_calls > 0, qwork / np.where(queue_calls > 0, queue_calls, 1), np.nan
                )
    return _Grid(
        days,
        slots,
        step,
        calls.reshape(shape),
        present.reshape(shape),
        history.queues,
        queue_calls,
        aht,
        queue_aht,
        _day_types(days, country),
        country,
    )


@dataclass(frozen=True)
class _OpenRules:
    """Which day types and intervals are open, learned from the history before a cut-off."""

    type_open: np.ndarray  # bool (8,)
    slot_open: np.ndarray  # bool (8, slots)
    holiday_type: bool  # holidays get their own profile / open rule

    def day_open(self, day_type: np.ndarray) -> np.ndarray:
        return self.type_open[day_type]


def _open_rules(grid: _Grid, end: int) -> _OpenRules:
    """Day types mostly absent over the last year are closed; intervals absent on most of the
    last 12 open days of a type are closed."""
    lo = max(0, end - 364)
    any_row = grid.present[lo:end].any(axis=1)
    types = grid.day_type[lo:end]
    weekday = grid.days[lo:end].day_of_week
    type_open = np.ones(8, dtype=bool)
    slot_open = np.ones((8, grid.slots), dtype=bool)
    for t in range(7):
        sel = (weekday == t) & (types != HOLIDAY_TYPE)
        if sel.any():
            type_open[t] = any_row[sel].mean() >= 0.5
    hol = types == HOLIDAY_TYPE
    holiday_type = int(hol.sum()) >= 2
    if holiday_type:
        # holidays on days whose weekday is closed anyway say nothing
        sel = hol & type_open[weekday]
        type_open[HOLIDAY_TYPE] = bool(any_row[sel].mean() >= 0.5) if sel.any() else False
    for t in range(8):
        sel = np.flatnonzero((types == t) & any_row)[-12:]
        if t < 7 and sel.size == 0:
            sel = np.flatnonzero((weekday == t) & any_row)[-12:]
        if sel.size:
            slot_open[t] = grid.present[lo:end][sel].mean(axis=0) >= 0.5
    if not holiday_type:
        slot_open[HOLIDAY_TYPE] = slot_open[:7].any(axis=0)
    return _OpenRules(type_open, slot_open, holiday_type)


def _profile_type(rules: _OpenRules, day_type: np.ndarray, days: pd.DatetimeIndex) -> np.ndarray:
    """The day type used for profiles: holiday only when holidays have their own pattern."""
    if rules.holiday_type:
        return day_type
    return np.where(day_type == HOLIDAY_TYPE, days.day_of_week, day_type)


def _daily_series(grid: _Grid, rules: _OpenRules, end: int) -> tuple[pd.Series, np.ndarray]:
    """Daily totals before `end`: NaN for missing days and closed days; plus the closed mask.

    A day with rows but with more than 20% of its open intervals absent is treated as missing.
    """
    days = grid.days[:end]
    ptype = _profile_type(rules, grid.day_type[:end], days)
    any_row = grid.present[:end].any(axis=1)
    closed = ~any_row & ~rules.type_open[grid.day_type[:end]]
    expected = rules.slot_open[ptype]
    missing_slots = (expected & ~grid.present[:end]).sum(axis=1)
    partial = missing_slots > 0.2 * np.maximum(expected.sum(axis=1), 1)
    values = grid.calls[:end].sum(axis=1).astype(float)
    values[~any_row | partial] = np.nan
    values[closed] = np.nan
    values[values <= 0] = np.nan
    return pd.Series(values, index=days), closed


# ----------------------------------------------------------------------------------------------
# exogenous day features


@dataclass(frozen=True)
class _Exog:
    features: pd.DataFrame  # index: days (train + horizon); holiday, event, temperature columns
    multiplier: np.ndarray  # future event multipliers per day of `features`


def _exog(
    days: pd.DatetimeIndex,
    country: str | None,
    events: Events | None,
    temperature: pd.Series | None,
    cutoff: pd.Timestamp,
) -> _Exog:
    feats = calendar.day_features(days, country)
    multiplier = np.ones(len(days))
    if events is not None and len(events.frame):
        reg = events.regressors(days)
        future_with_mult = events.has_multiplier(days) & (days >= cutoff)
        reg.loc[future_with_mult, :] = 0.0
        feats = pd.concat([feats, reg], axis=1)
        future = np.asarray(days >= cutoff)
        multiplier = np.where(future, events.multipliers(days), 1.0)
    if temperature is not None:
        known = temperature[temperature.index < cutoff]
        if len(known) >= 60:
            clim = _climatology(known)
            doy = np.minimum(days.day_of_year.to_numpy(), 365) - 1
            temp = pd.Series(clim[doy], index=days)
            past = known.reindex(days)
            temp = past.where(past.notna() & (days < cutoff), temp)
            feats["temp_max"] = temp.to_numpy() - 30.0
            feats["heat"] = np.maximum(temp.to_numpy() - 32.0, 0.0)
    return _Exog(feats, multiplier)


def _climatology(temp: pd.Series) -> np.ndarray:
    """Day-of-year mean temperature (365 values), smoothed over +-7 days, circular."""
    doy = np.minimum(temp.index.day_of_year.to_numpy(), 365) - 1
    sums = np.bincount(doy, weights=temp.to_numpy(), minlength=365)
    counts = np.bincount(doy, minlength=365).astype(float)
    kernel = np.ones(15)
    s = np.convolve(np.tile(sums, 3), kernel, mode="same")[365:730]
    c = np.convolve(np.tile(counts, 3), kernel, mode="same")[365:730]
    overall = float(temp.mean())
    return np.where(c > 0, s / np.maximum(c, 1), overall)


# ----------------------------------------------------------------------------------------------
# daily models


class SeasonalNaive:
    """The same weekday one week earlier (the last open one), bounds from week-on-week ratios."""

    name = "seasonal_naive"

    def __init__(self, level: float = 80.0):
        self.level = level

    def fit(self, y: pd.Series, exog: _Exog | None = None) -> SeasonalNaive:
        self.y = y
        logs = np.log(y.to_numpy())
        ratio = logs[7:] - logs[:-7]
        ratio = ratio[np.isfinite(ratio)][-364:]
        alpha = (1 - self.level / 100) / 2
        if ratio.size >= 10:
            self.q = (float(np.quantile(ratio, alpha)), float(np.quantile(ratio, 1 - alpha)))
        else:
            self.q = (-0.2, 0.2)
        return self

    def predict(self, days: pd.DatetimeIndex, exog: _Exog | None = None):
        values = self.y.to_numpy()
        last = self.y.index[-1]
        n = len(values)
        mean = np.empty(len(days))
        weeks = np.empty(len(days))
        for i, day in enumerate(days):
            k = math.ceil((day - last).days / 7)
            j = n - 1 - ((last.weekday() - day.weekday()) % 7)
            while j >= 0 and not np.isfinite(values[j]):
                j -= 7
            mean[i] = values[j] if j >= 0 else np.nanmean(values[-28:])
            weeks[i] = max(k, 1)
        width = np.sqrt(weeks)
        return mean, mean * np.exp(self.q[0] * width), mean * np.exp(self.q[1] * width)


def _fill_log(y: pd.Series) -> np.ndarray:
    """Log calls with closed/missing days filled by the mean of that weekday over 8 weeks."""
    logs = np.log(y.to_numpy())
    out = logs.copy()
    weekday = y.index.day_of_week.to_numpy()
    overall = np.nanmean(logs[-56:]) if np.isfinite(logs[-56:]).any() else np.nanmean(logs)
    for i in np.flatnonzero(~np.isfinite(logs)):
        lo = max(0, i - 56)
        same = logs[lo : i + 57][weekday[lo : i + 57] == weekday[i]]
        same = same[np.isfinite(same)]
        out[i] = same.mean() if same.size else overall
    return out


class ETS:
    """Additive Holt-Winters (damped additive trend, additive weekly season) on log calls over
    the last year (statsmodels ExponentialSmoothing, SLSQP). Bounds: normal on log scale with
    the ETS(A,Ad,A) variance approximated as sigma^2 * (1 + (h - 1) * alpha^2)."""

    name = "ets"

    def __init__(self, level: float = 80.0):
        self.level = level

    def fit(self, y: pd.Series, exog: _Exog | None = None) -> ETS:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        y = y.iloc[-365:]
        series = pd.Series(_fill_log(y), index=pd.RangeIndex(len(y)))
        self.last = y.index[-1]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            model = ExponentialSmoothing(
                series, trend="add", damped_trend=True, seasonal="add", seasonal_periods=7
            )
            self.result = model.fit(method="SLSQP", use_brute=False)
        resid = series.to_numpy() - self.result.fittedvalues.to_numpy()
        self.sigma = float(np.std(resid[7:])) if resid.size > 8 else 0.1
        self.alpha = float(self.result.params.get("smoothing_level", 0.5))
        return self

    def predict(self, days: pd.DatetimeIndex, exog: _Exog | None = None):
        steps = (days - self.last).days.to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mu = self.result.forecast(int(steps.max())).to_numpy()[steps - 1]
        sd = self.sigma * np.sqrt(1 + (steps - 1) * self.alpha**2)
        z = norm.ppf(0.5 + self.level / 200)
        return np.exp(mu), np.exp(mu - z * sd), np.exp(mu + z * sd)


def _least_squares(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """(Weighted) least squares by the normal equations with a tiny ridge (collinear dummies,
    e.g. an event on a holiday, stay solvable); small matrices, so this is fast and exact enough."""
    xw = x if w is None else x * w[:, None]
    xtx = xw.T @ x
    ridge = 1e-8 * max(float(np.trace(xtx)) / max(len(xtx), 1), 1e-12)
    return np.linalg.solve(xtx + ridge * np.eye(len(xtx)), xw.T @ y)


class Regression:
    """OLS on log calls: trend, weekday, yearly Fourier, holidays, events, temperature; AR(1)
    residual correction; normal bounds on log scale."""

    name = "regression"
    window = 3 * 365 + 1
    fourier_order = 8
    robust = True  # Huber weights, so storm days and data glitches do not pull the fit
    level_days = 3  # the AR(1) correction starts from the mean residual of the last days
    trend_min_span = 700  # days of history needed before a linear trend is fitted

    def __init__(self, level: float = 80.0):
        self.level = level

    def _design(self, days: pd.DatetimeIndex, exog: _Exog) -> np.ndarray:
        t = (days - self.origin).days.to_numpy() / 365.25
        cols = [np.ones(len(days))] + ([t] if self.trend else [])
        weekday = days.day_of_week.to_numpy()
        cols += [(weekday == d).astype(float) for d in range(1, 7)]
        doy = days.day_of_year.to_numpy() / 365.25
        for k in range(1, self.order + 1):
            cols += [np.sin(2 * np.pi * k * doy), np.cos(2 * np.pi * k * doy)]
        feats = exog.features.reindex(days).fillna(0.0)
        cols += [feats[c].to_numpy() for c in self.feature_names]
        return np.column_stack(cols)

    def fit(self, y: pd.Series, exog: _Exog) -> Regression:
        y = y.iloc[-self.window :]
        ok = np.isfinite(y.to_numpy())
        days = y.index[ok]
        logs = np.log(y.to_numpy()[ok])
        self.origin = y.index[0]
        span = (days[-1] - days[0]).days if len(days) else 0
        self.order = self.fourier_order if span >= 700 else 0
        self.trend = span >= self.trend_min_span
        feats = exog.features.reindex(days).fillna(0.0)
        self.feature_names = [c for c in feats.columns if feats[c].to_numpy().std() > 0]
        x = self._design(days, exog)
        coef = _least_squares(x, logs)
        if self.robust:
            for _ in range(6):
                r = logs - x @ coef
                scale = 1.4826 * np.median(np.abs(r - np.median(r))) or 1.0
                w = np.minimum(1.0, 1.345 * scale / np.maximum(np.abs(r), 1e-12))
                coef = _least_squares(x, logs, w)
        self.coef = coef
        resid = logs - x @ coef
        if resid.size > 10:
            phi = float(np.corrcoef(resid[1:], resid[:-1])[0, 1])
            self.phi = min(max(phi if np.isfinite(phi) else 0.0, 0.0), 0.95)
            innov = resid[1:] - self.phi * resid[:-1]
            self.sigma = float(np.std(innov, ddof=min(x.shape[1], innov.size - 1)))
        else:
            self.phi, self.sigma = 0.0, float(np.std(resid)) if resid.size else 0.1
        self.last_resid = float(resid[-self.level_days :].mean()) if resid.size else 0.0
        self.last = y.index[-1]
        return self

    def predict(self, days: pd.DatetimeIndex, exog: _Exog):
        x = self._design(days, exog)
        h = (days - self.last).days.to_numpy().astype(float)
        ar = self.last_resid * self.phi**h
        mu = x @ self.coef + ar
        if self.phi > 0:
            var = self.sigma**2 * (1 - self.phi ** (2 * h)) / (1 - self.phi**2)
        else:
            var = np.full(len(days), self.sigma**2)
        z = norm.ppf(0.5 + self.level / 200)
        sd = np.sqrt(var)
        return np.exp(mu), np.exp(mu - z * sd), np.exp(mu + z * sd)


MODEL_CLASSES: dict[str, Callable[[float], object]] = {
    "seasonal_naive": SeasonalNaive,
    "ets": ETS,
    "regression": Regression,
}


def _daily_forecast(
    model_name: str,
    y: pd.Series,
    days: pd.DatetimeIndex,
    exog: _Exog,
    closed: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit `model_name` on `y` and forecast `days`; closed days 0, event multipliers applied."""
    model = MODEL_CLASSES[model_name](level).fit(y, exog)
    mean, lower, upper = model.predict(days, exog)
    mult = pd.Series(exog.multiplier, index=exog.features.index).reindex(days).fillna(1.0)
    mult = mult.to_numpy() * ~closed
    return mean * mult, lower * mult, upper * mult


# ----------------------------------------------------------------------------------------------
# intraday


@dataclass(frozen=True)
class _Intraday:
    shares: np.ndarray  # (8, slots) profile per day type, each row sums to 1 (or 0)
    queue_shares: np.ndarray | None  # (8, queues, slots) queue share of each interval
    aht: np.ndarray | None  # (7, slots) weekday x interval AHT of the total
    queue_aht: np.ndarray | None  # (queues, 7, slots)
    dispersion: float = 1.0  # interval variance / mean around the profile (1 = Poisson)


def _intraday(grid: _Grid, rules: _OpenRules, end: int, out_of_sample: bool = True) -> _Intraday:
    ptype = _profile_type(rules, grid.day_type[:end], grid.days[:end])
    calls = grid.calls[:end]
    totals = calls.sum(axis=1)
    shares = np.zeros((8, grid.slots))
    queue_shares = None
    if grid.queue_calls is not None:
        queue_shares = np.zeros((8, len(grid.queues), grid.slots))
    fallback_rows = []
    for t in range(8):
        expected = rules.slot_open[t]
        complete = (ptype == t) & (totals > 0) & ((expected & ~grid.present[:end]).sum(axis=1) == 0)
        sel = np.flatnonzero(complete)[-PROFILE_DAYS:]
        if sel.size == 0:
            fallback_rows.append(t)
            continue
        day_shares = calls[sel] / totals[sel][:, None]
        prof = np.median(day_shares, axis=0) if sel.size >= 3 else day_shares.mean(axis=0)
        if prof.sum() <= 0:
            prof = day_shares.mean(axis=0)
        prof = prof * expected
        shares[t] = prof / prof.sum() if prof.sum() > 0 else expected / max(expected.sum(), 1)
        if queue_shares is not None:
            qc = grid.queue_calls[:, sel, :].sum(axis=1)  # (queues, slots)
            tot = qc.sum(axis=0)
            day_q = qc.sum(axis=1) / max(qc.sum(), 1)
            queue_shares[t] = np.where(tot > 0, qc / np.where(tot > 0, tot, 1), day_q[:, None])
    if fallback_rows:
        known = [t for t in range(8) if t not in fallback_rows]
        mean = shares[known].mean(axis=0) if known else np.full(grid.slots, 1 / grid.slots)
        for t in fallback_rows:
            prof = mean * rules.slot_open[t]
            shares[t] = prof / prof.sum() if prof.sum() > 0 else mean
            if queue_shares is not None:
                qs = queue_shares[known].mean(axis=0) if known else None
                queue_shares[t] = (
                    qs if qs is not None else np.full(queue_shares[t].shape, 1 / len(grid.queues))
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
    # the dispersion is measured out of sample, against the profile the days before had, as
    # the forecast will be: the profile's own error is part of an interval's noise
    dispersion = 1.0
    if out_of_sample and end - DISPERSION_DAYS >= MIN_HISTORY_DAYS:
        before = _intraday(grid, rules, end - DISPERSION_DAYS, out_of_sample=False).shares
        dispersion = _dispersion(calls, totals, before[ptype], rules.slot_open[ptype])
    return _Intraday(shares, queue_shares, aht, queue_aht, dispersion)


def _dispersion(calls, totals, shares, open_) -> float:
    """How much noisier than Poisson the intervals of the last 28 days were around their day's
    total spread by the profile: mean of (actual - expected)^2 / expected, at least 1."""
    d = DISPERSION_DAYS
    calls, totals, shares, open_ = calls[-d:], totals[-d:], shares[-d:], open_[-d:]
    expected = shares * totals[:, None]
    use = open_ & (expected >= 1) & (totals[:, None] > 0)
    if use.sum() < 50:
        return 1.0
    ratio = (calls[use] - expected[use]) ** 2 / expected[use]
    return float(max(1.0, min(np.mean(ratio), 25.0)))


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


def _round_to_total(values: np.ndarray, total10: int) -> np.ndarray:
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


def _interval_bounds(share, mean, lower, upper, z, dispersion=1.0):
    """Interval bounds: the daily bounds scaled by the interval's share, plus the interval's own
    noise (Poisson, times the dispersion measured around the profile)."""
    m = share * mean
    up = m + np.sqrt((share * (upper - mean)) ** 2 + z**2 * dispersion * m)
    lo = np.maximum(m - np.sqrt((share * (mean - lower)) ** 2 + z**2 * dispersion * m), 0.0)
    return lo, up


def _spread(
    days: pd.DatetimeIndex,
    mean: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    grid: _Grid,
    rules: _OpenRules,
    intraday: _Intraday,
    level: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily forecasts → (intervals frame, daily frame), rounded as the module says."""
    day_type = _profile_type(rules, _day_types(days, grid.country), days)
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
            calls = _round_to_total(m, total10)
            lo, up = _interval_bounds(qshare, mean[i], lower[i], upper[i], z, intraday.dispersion)
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


def _day_types(days: pd.DatetimeIndex, country: str | None) -> np.ndarray:
    """0..6 = Monday..Sunday, 7 = public holiday."""
    holiday = calendar.is_holiday(days, country)
    return np.where(holiday, HOLIDAY_TYPE, days.day_of_week)


# ----------------------------------------------------------------------------------------------
# public API


@dataclass(frozen=True)
class ForecastResult:
    """A forecast: `intervals` (`timestamp,calls,lower,upper[,aht][,queue]`, the Forecast CSV),
    `daily` (`date,calls,lower,upper[,queue]`), the `model` used, the bound `level` (%), the
    last `history_day` and `notes` (how choices were made, for stderr)."""

    intervals: pd.DataFrame
    daily: pd.DataFrame
    model: str
    level: float
    interval_min: int | None
    history_day: pd.Timestamp
    notes: tuple[str, ...] = field(default_factory=tuple)


def _check_args(horizon_days: int, level: float, model: str) -> None:
    if not 1 <= int(horizon_days) <= 730:
        raise InputError(f"--horizon {horizon_days}: expected 1 to 730 days")
    if not 0 < float(level) < 100:
        raise InputError(f"--level {level}: expected a percentage between 0 and 100 (e.g. 80)")
    if model != "auto" and model not in MODELS:
        raise InputError(f"--model {model!r}: expected auto or one of {', '.join(MODELS)}")


def _as_events(events) -> Events | None:
    if events is None or isinstance(events, Events):
        return events
    return read_events(events)


def _as_temperature(temperature) -> pd.Series | None:
    if temperature is None or isinstance(temperature, pd.Series):
        return temperature
    return read_temperature(temperature)


def forecast_history(
    history: History,
    horizon_days: int = 14,
    start=None,
    interval_min: int | None = None,
    level: float = 80.0,
    country: str | None = "VN",
    events=None,
    model: str = "auto",
    temperature=None,
) -> ForecastResult:
    """Forecast `horizon_days` days from `start` (default: the day after the history ends).

    A `start` inside the history forecasts from the history before it (what would have been
    forecast then). `events`: an `Events` or a path; `temperature`: a daily Series or a path.
    """
    _check_args(horizon_days, level, model)
    country = calendar.normalise_country(country)
    events = _as_events(events)
    temperature = _as_temperature(temperature)
    last = history.last_day()
    start = last + pd.Timedelta(days=1) if start is None else pd.Timestamp(start).normalize()
    if start <= last:
        history = history.truncate(start)
        if history.frame.empty:
            raise InputError(f"--start {start.date()}: no history before that day")
        last = history.last_day()
    grid = _grid(history, country, interval_min)
    n = len(grid.days)
    if n < MIN_HISTORY_DAYS:
        raise InputError(
            f"{history.source}: {n} days of history, expected at least {MIN_HISTORY_DAYS}"
        )
    rules = _open_rules(grid, n)
    y, _ = _daily_series(grid, rules, n)
    _check_open_days(y, history.source)
    future = pd.date_range(last + pd.Timedelta(days=1), start + pd.Timedelta(days=horizon_days - 1))
    exog = _exog(grid.days.append(future), country, events, temperature, future[0])
    closed = ~rules.type_open[_day_types(future, country)]
    notes = []
    log_errors = np.empty((0, 1))
    if model == "auto":
        model, scores, log_errors = _select(grid, n, exog, _select_horizon(horizon_days), level)
        if scores:
            listed = ", ".join(f"{k} {v:.1f}%" for k, v in scores.items())
            notes.append(f"model auto: daily WAPE over the last 3 folds: {listed} -> {model}")
    else:
        _, _, log_errors = _select(
            grid, n, exog, _select_horizon(horizon_days), level, candidates=(model,)
        )
    mean, lower, upper = _daily_forecast(model, y, future, exog, closed, level)
    steps = (future - last).days.to_numpy()
    lower, upper = _calibrate(mean, lower, upper, steps, log_errors, level)
    keep = future >= start
    intraday = _intraday(grid, rules, n)
    intervals, daily = _spread(
        future[keep], mean[keep], lower[keep], upper[keep], grid, rules, intraday, level
    )
    if temperature is not None:
        notes.append("temperature: history as given, horizon from the day-of-year climatology")
    return ForecastResult(
        intervals, daily, model, float(level), grid.interval_min, last, tuple(notes)
    )


def _check_open_days(y: pd.Series, source: str) -> None:
    count = int(np.isfinite(y.to_numpy()).sum())
    if count < 14:
        raise InputError(
            f"{source}: {count} complete days with calls, expected at least 14 to forecast from"
        )


def _select(
    grid: _Grid,
    end: int,
    exog: _Exog,
    horizon: int,
    level: float,
    candidates: tuple[str, ...] = MODELS,
) -> tuple[str, dict[str, float], np.ndarray]:
    """Pick the model with the lowest daily WAPE over the last 3 rolling-origin folds of the
    history before day index `end` (future event multipliers are not applied); also return the
    winner's log errors log(actual / forecast) at weekly origins over the last weeks, an
    (origins, horizon) array with NaN where a day is not scored, for its bounds."""
    rules = _open_rules(grid, end)
    y_full, closed_full = _daily_series(grid, rules, end)
    acts = np.where(closed_full, 0.0, y_full.to_numpy())
    fold_exog = _Exog(exog.features, np.ones(len(exog.features)))
    cache: dict[tuple[str, int], np.ndarray] = {}

    def fold(name: str, origin: int) -> np.ndarray:
        if (name, origin) not in cache:
            rules_o = _open_rules(grid, origin)
            y, _ = _daily_series(grid, rules_o, origin)
            days = grid.days[origin : origin + horizon]
            closed = ~rules_o.type_open[grid.day_type[origin : origin + horizon]]
            cache[name, origin] = _daily_forecast(name, y, days, fold_exog, closed, level)[0]
        return cache[name, origin]

    folds = [
        end - k * horizon
        for k in range(SELECT_FOLDS, 0, -1)
        if end - k * horizon >= MIN_HISTORY_DAYS
    ]
    if not folds:
        return candidates[0], {}, np.empty((0, horizon))
    err = dict.fromkeys(candidates, 0.0)
    total = 0.0
    for origin in folds:
        actual = acts[origin : origin + horizon]
        ok = np.isfinite(actual)
        total += actual[ok].sum()
        for name in candidates:
            err[name] += np.abs(fold(name, origin)[ok] - actual[ok]).sum()
    if total <= 0:
        return candidates[0], {}, np.empty((0, horizon))
    scores = {k: 100 * v / total for k, v in err.items()}
    best = min(candidates, key=lambda k: (round(scores[k], 6), candidates.index(k)))
    origins = [
        end - horizon - 7 * k
        for k in range(CALIBRATION_ORIGINS - 1, -1, -1)
        if end - horizon - 7 * k >= MIN_HISTORY_DAYS
    ]
    errors = np.full((len(origins), horizon), np.nan)
    for row, origin in enumerate(origins):
        actual = acts[origin : origin + horizon]
        mean = fold(best, origin)
        pos = np.isfinite(actual) & (actual > 0) & (mean > 0)
        errors[row, pos] = np.log(actual[pos] / mean[pos])
    return best, scores, errors


def _calibrate(mean, lower, upper, steps: np.ndarray, errors: np.ndarray, level: float):
    """Bounds from the model's own backtest errors (conformal-style), not from the model.

    `errors`: log(actual / forecast) by origin (rows) and horizon step h = 1.. (columns). The
    spread grows with the horizon: the mean absolute error by step is fitted as
    ``s(h)**2 = a + b * (h - 1)`` (a, b >= 0; the forecast origin's uncertainty grows like a
    random walk), the errors are standardised by s(h) and pooled, and the bounds are
    ``mean * exp(q * s(h))`` with q the empirical alpha and 1 - alpha quantiles of the
    standardised errors (finite-sample conformal ranks). Steps beyond the backtest horizon
    extrapolate s(h) up to twice that horizon. With fewer than 20 scored errors the model's own
    bounds are kept."""
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
    scores = (errors / scale[None, :])[finite]
    n = scores.size
    alpha = (1 - level / 100) / 2
    ranked = np.sort(scores)
    k_hi = min(n - 1, math.ceil((n + 1) * (1 - alpha)) - 1)
    k_lo = max(0, math.floor((n + 1) * alpha) - 1)
    q_lo, q_hi = min(float(ranked[k_lo]), 0.0), max(float(ranked[k_hi]), 0.0)
    step = np.clip(np.asarray(steps, dtype=float), 1, 2 * horizon)
    s = np.sqrt(np.maximum(a + b * (step - 1), floor))
    return mean * np.exp(q_lo * s), mean * np.exp(q_hi * s)


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


def _select_horizon(horizon_days: int) -> int:
    return min(max(int(horizon_days), 7), 28)


def _in_summer(days: pd.DatetimeIndex) -> np.ndarray:
    key = days.month.to_numpy() * 100 + days.day.to_numpy()
    (m0, d0), (m1, d1) = SUMMER
    return (key >= m0 * 100 + d0) & (key <= m1 * 100 + d1)


def backtest(
    history: History,
    folds: int = 8,
    horizon_days: int = 14,
    interval_min: int | None = None,
    level: float = 80.0,
    country: str | None = "VN",
    events=None,
    temperature=None,
    models: tuple[str, ...] = (*MODELS, "auto"),
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Rolling-origin evaluation of every model: `folds` origins `horizon_days` apart, the last
    fold ending with the history. Returns one row per model, level (daily / interval) and subset
    (all days / summer days 20 May-31 Aug): `n` (days or intervals scored), `wape_pct`
    (sum|error| / sum actual), `bias_pct` (sum error / sum actual), `mase` (mean absolute error
    over the in-sample weekly seasonal naive's, averaged over folds), `vs_naive_pct` (WAPE
    improvement over seasonal_naive), `coverage_pct` (actuals inside the bounds, over open days
    / intervals: closed ones forecast 0 are not counted).
    `auto` re-runs the model choice at every origin from the data before it, as
    `forecast_history` would.
    Per-queue history is scored on the total over queues. Missing days are not scored."""
    _check_args(horizon_days, level, "auto")
    if int(folds) < 1:
        raise InputError(f"--folds {folds}: expected at least 1")
    unknown = [m for m in models if m not in (*MODELS, "auto")]
    if unknown:
        raise InputError(f"model {unknown[0]!r}: expected one of {', '.join(MODELS)}")
    country = calendar.normalise_country(country)
    events = _as_events(events)
    temperature = _as_temperature(temperature)
    grid = _grid(history, country, interval_min)
    n = len(grid.days)
    h = int(horizon_days)
    origins = [n - k * h for k in range(int(folds), 0, -1)]
    if origins[0] < MIN_HISTORY_DAYS:
        raise InputError(
            f"{history.source}: {n} days of history is too short for {folds} folds of "
            f"{h} days (needs {MIN_HISTORY_DAYS + folds * h})"
        )
    rules_full = _open_rules(grid, n)
    y_full, closed_full = _daily_series(grid, rules_full, n)
    _check_open_days(y_full.iloc[: origins[0]], history.source)
    acts = np.where(closed_full, 0.0, y_full.to_numpy())
    records: list[dict] = []
    steps = len(origins) * len(models)
    done = 0
    for origin in origins:
        cutoff = grid.days[origin]
        rules_o = _open_rules(grid, origin)
        y, _ = _daily_series(grid, rules_o, origin)
        days = grid.days[origin : origin + h]
        exog = _exog(grid.days[: origin + h], country, events, temperature, cutoff)
        closed = ~rules_o.type_open[grid.day_type[origin : origin + h]]
        actual = acts[origin : origin + h]
        ok = np.isfinite(actual)
        summer = _in_summer(days)
        intraday = _intraday(grid, rules_o, origin)
        ptype = _profile_type(rules_o, grid.day_type[origin : origin + h], days)
        train = y.to_numpy()[-371:]
        d_scale = np.nanmean(np.abs(train[7:] - train[:-7]))
        past = grid.calls[max(0, origin - 35) : origin].ravel()
        lag = 7 * grid.slots
        i_scale = np.mean(np.abs(past[lag:] - past[:-lag])) if past.size > lag else np.nan
        i_actual = grid.calls[origin : origin + h]
        for name in models:
            fit_name, log_errors = name, np.empty((0, 1))
            if name == "auto":
                fit_name, _, log_errors = _select(grid, origin, exog, _select_horizon(h), level)
            mean, lower, upper = _daily_forecast(fit_name, y, days, exog, closed, level)
            lower, upper = _calibrate(mean, lower, upper, np.arange(1, h + 1), log_errors, level)
            shares = intraday.shares[ptype]
            i_fc = mean[:, None] * shares
            i_lo, i_up = _interval_bounds(
                shares,
                mean[:, None],
                lower[:, None],
                upper[:, None],
                norm.ppf(0.5 + level / 200),
                intraday.dispersion,
            )
            # coverage counts open days / intervals (or ones that had calls anyway) only:
            # a closed interval forecast 0 with bounds 0..0 is trivially inside
            i_in = (i_actual >= i_lo) & (i_actual <= i_up)
            i_open = (i_fc > 0) | (i_actual > 0)
            d_in = (actual >= lower) & (actual <= upper)
            d_open = (mean > 0) | (actual > 0)
            for subset, mask in (("all", ok), ("summer", ok & summer)):
                if not mask.any():
                    continue
                records.append(
                    _score(name, "daily", subset, origin, mean[mask], actual[mask], d_scale)
                    | {
                        "inside": int((d_in & d_open)[mask].sum()),
                        "open": int(d_open[mask].sum()),
                    }
                )
                if grid.interval_min is None:
                    continue
                records.append(
                    _score(
                        name,
                        "interval",
                        subset,
                        origin,
                        i_fc[mask].ravel(),
                        i_actual[mask].ravel(),
                        i_scale,
                    )
                    | {"inside": int((i_in & i_open)[mask].sum()), "open": int(i_open[mask].sum())}
                )
            done += 1
            if progress is not None:
                progress(done, steps)
    return _summarise(pd.DataFrame(records), models)


def _score(model, level, subset, origin, forecast, actual, scale) -> dict:
    err = forecast - actual
    mae = float(np.mean(np.abs(err)))
    return {
        "model": model,
        "level": level,
        "days": subset,
        "fold": origin,
        "n": int(actual.size),
        "abs": float(np.abs(err).sum()),
        "err": float(err.sum()),
        "act": float(actual.sum()),
        "mase": mae / scale if scale and np.isfinite(scale) and scale > 0 else np.nan,
    }


def _summarise(records: pd.DataFrame, models: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for (level, subset), part in records.groupby(["level", "days"], sort=False):
        naive = part[part["model"] == "seasonal_naive"]
        naive_wape = naive["abs"].sum() / naive["act"].sum() if len(naive) else np.nan
        for name in models:
            sel = part[part["model"] == name]
            if sel.empty:
                continue
            wape = sel["abs"].sum() / sel["act"].sum() if sel["act"].sum() > 0 else np.nan
            row = {
                "model": name,
                "level": level,
                "days": subset,
                "n": int(sel["n"].sum()),
                "wape_pct": round(100 * wape, 2),
                "bias_pct": round(100 * sel["err"].sum() / sel["act"].sum(), 2),
                "mase": round(float(sel["mase"].mean()), 3),
                "vs_naive_pct": round(100 * (1 - wape / naive_wape), 2)
                if np.isfinite(naive_wape) and naive_wape > 0
                else np.nan,
                "coverage_pct": round(100 * sel["inside"].sum() / max(sel["open"].sum(), 1), 1),
            }
            rows.append(row)
    order = {"daily": 0, "interval": 1}
    out = pd.DataFrame(rows)
    out["_o"] = out["level"].map(order) * 10 + (out["days"] == "summer")
    return out.sort_values("_o", kind="mergesort").drop(columns="_o").reset_index(drop=True)


def plot_forecast(history: History, result: ForecastResult, path: str | os.PathLike) -> None:
    """PNG of the last 8 weeks of daily history, the daily forecast and its bounds (atomic)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    total = history.total()
    daily = total.groupby(total["timestamp"].dt.normalize())["calls"].sum()
    daily = daily[daily.index > result.history_day - pd.Timedelta(days=56)]
    fc = result.daily.groupby("date")[["calls", "lower", "upper"]].sum()
    fc.index = pd.to_datetime(fc.index)
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=100)
    ax.plot(daily.index, daily.to_numpy(), color="0.3", lw=1.2, label="history")
    ax.plot(fc.index, fc["calls"], color="tab:blue", lw=1.6, label=f"forecast ({result.model})")
    ax.fill_between(
        fc.index,
        fc["lower"],
        fc["upper"],
        color="tab:blue",
        alpha=0.2,
        label=f"{result.level:g}% bounds",
    )
    ax.set_ylabel("calls per day")
    ax.set_title("Daily calls: recent history and forecast")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    with io.atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(fig)
