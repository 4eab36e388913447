"""Daily models: one small contract, `fit(y, exog)` and `predict(days, exog) -> mean, lower, upper`."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd
from scipy.stats import norm

from planner.forecast.exog import Exog

# simplest first: on a near-tie the model choice keeps the simpler one
MODELS = ("seasonal_naive", "ets", "regression", "regression_level")
LEVEL_ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)  # running-level smoothing weights tried
YEARLY_MIN_SPAN = 700  # days of history before the yearly terms and the trend are fitted
SHORT_YEARLY_SPAN = 400  # with 400-700 days: a coarse yearly shape (no trend) from one cycle
SHORT_ORDER = 4  # Fourier pairs of that coarse shape (about a season's resolution)
# the observances (Chol HaMoed, Purim, ...) differ among themselves: their one effect is only
# learned from at least this many of them
MIN_OBSERVANCE_DAYS = 5
SHORT_MODELS_SPAN = 91  # under 13 weeks: only the naive and the weekly pattern + level


class DailyModel(Protocol):
    """What every daily model does: fit on daily calls `y` (NaN = closed or missing day), then
    forecast `days` as (mean, lower, upper) arrays of calls per day at the model's level."""

    name: str

    def fit(self, y: pd.Series, exog: Exog) -> DailyModel: ...

    def predict(
        self, days: pd.DatetimeIndex, exog: Exog
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


class SeasonalNaive:
    """The same weekday one week earlier (the last open one), bounds from week-on-week ratios."""

    name = "seasonal_naive"

    def __init__(self, level: float = 80.0):
        self.level = level

    def fit(self, y: pd.Series, exog: Exog | None = None) -> SeasonalNaive:
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

    def predict(self, days: pd.DatetimeIndex, exog: Exog | None = None):
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

    def fit(self, y: pd.Series, exog: Exog | None = None) -> ETS:
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

    def predict(self, days: pd.DatetimeIndex, exog: Exog | None = None):
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
    """OLS on log calls: trend, weekday, yearly Fourier, holidays (and their eves),
    observances, events, temperature; AR(1) residual correction; normal bounds on log scale."""

    name = "regression"
    window = 3 * 365 + 1
    fourier_order = 8
    robust = True  # Huber weights, so storm days and data glitches do not pull the fit
    level_days = 3  # the AR(1) correction starts from the mean residual of the last days
    trend_min_span = 700  # days of history needed before a linear trend is fitted

    def __init__(self, level: float = 80.0):
        self.level = level

    def _design(self, days: pd.DatetimeIndex, exog: Exog) -> np.ndarray:
        t = (days - self.origin).days.to_numpy() / 365.25
        cols = [np.ones(len(days))] + ([t] if self.trend else [])
        weekday = days.day_of_week.to_numpy()
        feats = exog.features.reindex(days).fillna(0.0)
        # inside the Tết block every day is a day off: the weekday pattern does not apply
        workweek = 1.0 - feats["tet"].to_numpy() if "tet" in feats.columns else 1.0
        cols += [(weekday == d) * workweek for d in range(1, 7)]
        doy = days.day_of_year.to_numpy() / 365.25
        for k in range(1, self.order + 1):
            cols += [np.sin(2 * np.pi * k * doy), np.cos(2 * np.pi * k * doy)]
        cols += [feats[c].to_numpy() for c in self.feature_names]
        return np.column_stack(cols)

    def fit(self, y: pd.Series, exog: Exog) -> Regression:
        y = y.iloc[-self.window :]
        ok = np.isfinite(y.to_numpy())
        days = y.index[ok]
        logs = np.log(y.to_numpy()[ok])
        self.origin = y.index[0]
        span = (days[-1] - days[0]).days if len(days) else 0
        if span >= YEARLY_MIN_SPAN:
            self.order = self.fourier_order
        else:
            self.order = SHORT_ORDER if span >= SHORT_YEARLY_SPAN else 0
        self.trend = span >= self.trend_min_span
        feats = exog.features.reindex(days).fillna(0.0)
        self.feature_names = [
            c
            for c in feats.columns
            if feats[c].to_numpy().std() > 0
            and (c != "observance" or feats[c].sum() >= MIN_OBSERVANCE_DAYS)
        ]
        x = self._design(days, exog)
        coef = self._solve(x, logs)
        self.eve_floor = None
        if "eve" in self.feature_names:
            # an eve shortens a full day: eves on days already shorter than eves are (a
            # Friday that closes at noon) are ordinary days of their weekday, in the fit too
            j = self._eve_column()
            eve = x[:, j] == 1
            plain = x @ coef - coef[j] * x[:, j]
            floor = float(np.median((x @ coef)[eve]))
            short = eve & (plain <= floor)
            if short.any() and (eve & ~short).any():
                x[short, j] = 0.0
                coef = self._solve(x, logs)
                eve = x[:, j] == 1
            self.eve_floor = float(np.median((x @ coef)[eve]))
        self.coef = coef
        resid = logs - x @ coef
        self.resid = resid
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

    def _solve(self, x: np.ndarray, logs: np.ndarray) -> np.ndarray:
        coef = _least_squares(x, logs)
        if self.robust:
            for _ in range(6):
                r = logs - x @ coef
                scale = 1.4826 * np.median(np.abs(r - np.median(r))) or 1.0
                w = np.minimum(1.0, 1.345 * scale / np.maximum(np.abs(r), 1e-12))
                coef = _least_squares(x, logs, w)
        return coef

    def _eve_column(self) -> int:
        return 7 + int(self.trend) + 2 * self.order + self.feature_names.index("eve")

    def log_mean(self, x: np.ndarray) -> np.ndarray:
        """The fit's log calls for design rows `x`. A holiday eve takes its weekday's level
        lowered by the eve effect, but never below the lesser of that weekday's own level and
        the level the history's eves had: an eve shortens a full day, an already short day
        (a Friday that closes at noon) stays what it is."""
        mu = x @ self.coef
        if self.eve_floor is None:
            return mu
        j = self._eve_column()
        eve = x[:, j] == 1
        plain = mu - self.coef[j] * x[:, j]
        return np.where(eve, np.maximum(mu, np.minimum(plain, self.eve_floor)), mu)

    def predict(self, days: pd.DatetimeIndex, exog: Exog):
        x = self._design(days, exog)
        h = (days - self.last).days.to_numpy().astype(float)
        ar = self.last_resid * self.phi**h
        mu = self.log_mean(x) + ar
        if self.phi > 0:
            var = self.sigma**2 * (1 - self.phi ** (2 * h)) / (1 - self.phi**2)
        else:
            var = np.full(len(days), self.sigma**2)
        z = norm.ppf(0.5 + self.level / 200)
        sd = np.sqrt(var)
        return np.exp(mu), np.exp(mu - z * sd), np.exp(mu + z * sd)


class LevelRegression(Regression):
    """The regression whose residual correction fades to a running level, not to zero: a new
    level (+30% from some date, a lost contract) is carried into the forecast.

    The level is an exponentially weighted mean of the fit's log residuals, its weight alpha
    the one of `LEVEL_ALPHAS` with the least one-step-ahead squared error over the last year
    of residuals; the forecast is the regression plus the last level, flat over the horizon,
    with the local-level variance ``sigma**2 * (1 + (h - 1) * alpha**2)``."""

    name = "regression_level"

    def fit(self, y: pd.Series, exog: Exog) -> LevelRegression:
        from scipy.signal import lfilter

        super().fit(y, exog)
        resid = self.resid
        self.alpha, self.run_level, self.step_sigma = 0.0, 0.0, self.sigma
        if resid.size < 28:
            return self
        best = None
        for alpha in LEVEL_ALPHAS:
            level = lfilter([alpha], [1.0, alpha - 1.0], resid)
            errors = (resid[1:] - level[:-1])[-365:]
            sse = float(np.sum(errors**2))
            if best is None or sse < best[0] - 1e-12:
                best = (sse, alpha, float(level[-1]), float(np.std(errors)))
        _, self.alpha, self.run_level, self.step_sigma = best
        return self

    def predict(self, days: pd.DatetimeIndex, exog: Exog):
        x = self._design(days, exog)
        h = (days - self.last).days.to_numpy().astype(float)
        mu = self.log_mean(x) + self.run_level
        sd = self.step_sigma * np.sqrt(1 + (np.maximum(h, 1) - 1) * self.alpha**2)
        z = norm.ppf(0.5 + self.level / 200)
        return np.exp(mu), np.exp(mu - z * sd), np.exp(mu + z * sd)


MODEL_CLASSES: dict[str, Callable[[float], DailyModel]] = {
    "seasonal_naive": SeasonalNaive,
    "ets": ETS,
    "regression": Regression,
    "regression_level": LevelRegression,
}


def daily_forecast(
    model_name: str,
    y: pd.Series,
    days: pd.DatetimeIndex,
    exog: Exog,
    closed: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit `model_name` on `y` and forecast `days`; closed days 0, event multipliers applied."""
    model = MODEL_CLASSES[model_name](level).fit(y, exog)
    mean, lower, upper = model.predict(days, exog)
    mult = pd.Series(exog.multiplier, index=exog.features.index).reindex(days).fillna(1.0)
    mult = mult.to_numpy() * ~closed
    return mean * mult, lower * mult, upper * mult
