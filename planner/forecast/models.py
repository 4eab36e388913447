"""Daily models: one small contract, `fit(y, exog)` and `predict(days, exog) -> mean, lower, upper`."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd
from scipy.stats import norm

from planner.forecast.exog import TEMP_OFFSET_C, Exog

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


COLD_QUANTILES = (0.1, 0.2, 0.3, 0.4)  # cold thresholds tried (quantiles of the history's)
HEAT_QUANTILES = (0.6, 0.7, 0.8, 0.9)  # heat thresholds tried


def _rows(exog: Exog, days: pd.DatetimeIndex, columns: list[str]) -> np.ndarray:
    """The values of `columns` of `exog.features` for `days` (0 where a day has none or a
    column is absent), by position: (days, columns)."""
    frame = exog.features
    at = frame.index.get_indexer(days)
    where = [frame.columns.get_loc(c) if c in frame.columns else -1 for c in columns]
    values = frame.to_numpy(dtype=float)
    out = np.zeros((len(days), len(columns)))
    rows = at >= 0
    for j, col in enumerate(where):
        if col >= 0:
            out[rows, j] = values[at[rows], col]
    return out


def _hinges(temp: np.ndarray, cold: float | None, heat: float | None) -> list[np.ndarray]:
    """Degrees below the cold threshold and above the heat threshold (those given)."""
    out = []
    if cold is not None:
        out.append(np.maximum(cold - temp, 0.0))
    if heat is not None:
        out.append(np.maximum(temp - heat, 0.0))
    return out


class Regression:
    """OLS on log calls: trend, weekday, yearly Fourier, holidays (and their eves),
    observances, events, temperature (linear, with cold and heat sides whose thresholds BIC
    chooses); AR(1) residual correction; normal bounds on log scale."""

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
        names = [*self.feature_names, "tet", "temp_max"]
        feats = _rows(exog, days, names)
        # inside the Tết block every day is a day off: the weekday pattern does not apply
        workweek = 1.0 - feats[:, -2]
        cols += [(weekday == d) * workweek for d in range(1, 7)]
        if self.order:
            doy = days.day_of_year.to_numpy() / 365.25
            angle = 2 * np.pi * doy[:, None] * np.arange(1, self.order + 1)[None, :]
            # sin and cos of each order side by side, as the eve column's index counts them
            cols.append(np.stack([np.sin(angle), np.cos(angle)], axis=2).reshape(len(days), -1))
        cols.append(feats[:, : len(self.feature_names)])
        if self.cold_c is not None or self.heat_c is not None:
            cols += _hinges(feats[:, -1] + TEMP_OFFSET_C, self.cold_c, self.heat_c)
        return np.column_stack(cols)

    def _choose_temperature(self, days: pd.DatetimeIndex, exog: Exog, logs: np.ndarray) -> None:
        """The temperature response's thresholds, by BIC: a linear term, plus a cold side below
        a threshold and a heat side above one (each optional), the thresholds from the history's
        own temperature quantiles. Load rises in the cold as in the heat; where it does not,
        BIC leaves that side out."""
        self.cold_c = self.heat_c = None
        if "temp_max" not in self.feature_names:
            return
        temp = exog.features["temp_max"].reindex(days).fillna(0.0).to_numpy() + TEMP_OFFSET_C
        base = self._design(days, exog)
        colds = [None, *np.quantile(temp, COLD_QUANTILES)]
        heats = [None, *np.quantile(temp, HEAT_QUANTILES)]
        n = len(logs)
        best = None
        # the normal equations of the shared columns once; each candidate adds its hinges
        btb, bty, yty = base.T @ base, base.T @ logs, float(logs @ logs)
        for cold in colds:
            for heat in heats:
                extra = _hinges(temp, cold, heat)
                if any(np.ptp(col) == 0 for col in extra):
                    continue
                h = np.column_stack(extra) if extra else np.zeros((n, 0))
                bth = base.T @ h
                xtx = np.block([[btb, bth], [bth.T, h.T @ h]])
                xty = np.concatenate([bty, h.T @ logs])
                ridge = 1e-8 * max(float(np.trace(xtx)) / len(xtx), 1e-12)
                coef = np.linalg.solve(xtx + ridge * np.eye(len(xtx)), xty)
                rss = max(yty - 2 * float(coef @ xty) + float(coef @ xtx @ coef), 0.0)
                width = base.shape[1] + h.shape[1]
                bic = n * math.log(max(rss, 1e-12) / n) + width * math.log(n)
                if best is None or bic < best[0] - 1e-9:
                    best = (bic, cold, heat)
        if best is not None:
            self.cold_c = None if best[1] is None else float(best[1])
            self.heat_c = None if best[2] is None else float(best[2])

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
        # the heat column is the bounds' (hot days); the fit draws its own cold and heat sides
        self.feature_names = [c for c in self.feature_names if c != "heat"]
        self.cold_c = self.heat_c = None
        self._choose_temperature(days, exog, logs)
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


LEVEL_HORIZON = 14  # days ahead the running level's weight is chosen for (1..14)
LEVEL_FAST = 0.5  # the fast level of the fast/slow blends
LEVEL_BLENDS = (0.0, 0.25, 0.5, 0.75, 1.0)  # the fast level's share in the level forecast
LEVEL_RECENCY = 42.0  # an origin's weight in that choice halves every 6 weeks (open days)


def level_errors(resid: np.ndarray, alpha: float, horizon: int, span: int = 365) -> np.ndarray:
    """Squared errors of a running level (exponential weight `alpha`) used as the forecast
    of the residual 1..`horizon` steps ahead, from the last `span` origins: (origins, steps),
    NaN past the end."""
    from scipy.signal import lfilter

    level = lfilter([alpha], [1.0, alpha - 1.0], resid)
    n = resid.size
    origins = np.arange(max(0, n - span - 1), n - 1)
    steps = np.arange(1, horizon + 1)
    at = origins[:, None] + steps[None, :]
    ok = at < n
    err = np.where(ok, resid[np.minimum(at, n - 1)] - level[origins][:, None], np.nan)
    return err


STEP_Z = 3.0  # a shift of the recent residuals' mean this many standard errors is a step
STEP_MIN_DAYS = 5  # open days after a step before it is followed (a week of a weekday line)
STEP_MAX_DAYS = 91  # how far back a step is looked for (a quarter)
STEP_BEFORE_DAYS = 56  # the days before a candidate step it is measured against


def step_levels(resid: np.ndarray, origins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """At each of `origins` (indices into `resid`, the level known through that day): whether
    the residuals' mean has stepped, and the level since the step (NaN where none).

    A step `k` days back (`STEP_MIN_DAYS` to `STEP_MAX_DAYS` open days) is the mean of the
    last `k` residuals against the mean of the `STEP_BEFORE_DAYS` before them, in standard
    errors of such a difference for AR(1) residuals (the innovation spread over 1 - phi: a
    run of autocorrelated days is not a step); the largest above `STEP_Z` is the step, and
    the level since it is the mean of the residuals after it."""
    n = resid.size
    levels = np.full(origins.size, np.nan)
    if n < STEP_MIN_DAYS + STEP_BEFORE_DAYS + 2:
        return np.zeros(origins.size, dtype=bool), levels
    # the spread of a week's mean residual, from the differences of consecutive weeks (a
    # step or a slow drift moves few of them): autocorrelated days are in it as they come
    weeks = resid[n % 7 :].reshape(-1, 7).mean(axis=1)
    jumps = np.diff(weeks)
    if jumps.size < 4:
        return np.zeros(origins.size, dtype=bool), levels
    weekly = 1.4826 * float(np.median(np.abs(jumps - np.median(jumps)))) / np.sqrt(2) * np.sqrt(7)
    # and the long-run spread of AR(1) residuals (a week's mean understates it when the
    # correlation lasts longer than a week)
    phi = float(np.corrcoef(resid[1:], resid[:-1])[0, 1])
    phi = min(max(phi if np.isfinite(phi) else 0.0, 0.0), 0.9)
    innov = resid[1:] - phi * resid[:-1]
    long_run = 1.4826 * float(np.median(np.abs(innov - np.median(innov)))) / (1 - phi)
    scale = max(weekly, long_run)
    if not scale > 0:
        return np.zeros(origins.size, dtype=bool), levels
    cum = np.concatenate([[0.0], np.cumsum(resid)])
    ks = np.arange(STEP_MIN_DAYS, STEP_MAX_DAYS + 1)
    end = origins[:, None] + 1  # the residuals through the origin: cum[end] - cum[end - k]
    start = end - ks[None, :]
    first = start - STEP_BEFORE_DAYS
    ok = first >= 0
    safe_start, safe_first = np.maximum(start, 0), np.maximum(first, 0)
    after = (cum[end] - cum[safe_start]) / ks[None, :]
    before = (cum[safe_start] - cum[safe_first]) / STEP_BEFORE_DAYS
    z = (
        np.where(ok, np.abs(after - before), 0.0)
        / (scale * np.sqrt(1.0 / ks + 1.0 / STEP_BEFORE_DAYS))[None, :]
    )
    best = np.argmax(z, axis=1)
    rows = np.arange(origins.size)
    stepped = z[rows, best] > STEP_Z
    levels[stepped] = after[rows, best][stepped]
    return stepped, levels


def choose_level(
    resid: np.ndarray, horizon: int = LEVEL_HORIZON
) -> tuple[float, float, float, np.ndarray]:
    """The running level that forecasts the residuals best over the forecast's own horizon:
    (slow alpha, fast share w, last level, RMSE by step 1..horizon). The level forecast is
    ``w * fast + (1 - w) * slow``, `fast` the level of weight `LEVEL_FAST`, `slow` one of
    `LEVEL_ALPHAS`; the pair with the least absolute error (robust to the odd outlying day)
    over steps 1..horizon from the last year's origins wins, each origin weighted by its
    recency (halving every `LEVEL_RECENCY` open days: a level that has just moved is the one
    to follow); on a tie the slower, then the smaller share. The one-step-ahead error alone
    would pick a fast level whenever the residuals are autocorrelated, and carry the last 2-3
    days' level flat for two weeks; the blend keeps a share of the fast level, so a new level
    (a +25% step) is still followed.

    A fresh, sustained step (`step_levels`) is followed at once: where one is found and the
    last days confirm it (their mean nearer the step's level than the blend's), the level is the
    mean since the step, when that rule did no worse over the past origins where it fired
    (else the blend stays, steps or not)."""
    from scipy.signal import lfilter

    fast_err = level_errors(resid, LEVEL_FAST, horizon)
    # the recent origins count more: a level that has just moved is the one to follow
    age = np.arange(fast_err.shape[0])[::-1]
    weight = (0.5 ** (age / LEVEL_RECENCY))[:, None]
    fast_level = float(lfilter([LEVEL_FAST], [1.0, LEVEL_FAST - 1.0], resid)[-1])
    best = None
    for alpha in LEVEL_ALPHAS:
        slow_err = level_errors(resid, alpha, horizon)
        slow_level = float(lfilter([alpha], [1.0, alpha - 1.0], resid)[-1])
        for share in LEVEL_BLENDS:
            err = share * fast_err + (1 - share) * slow_err
            sse = float(np.nansum(weight * np.abs(err)) / np.sum(weight * np.isfinite(err)))
            if best is None or sse < best[0] - 1e-12:
                level = share * fast_level + (1 - share) * slow_level
                best = (sse, alpha, share, level, err)
    assert best is not None
    sse, alpha, share, level, err = best
    n = resid.size
    origins = np.arange(n - fast_err.shape[0] - 1, n)  # the level_errors origins and the last
    stepped, step_level = step_levels(resid, origins)
    # the last days must confirm the step: their mean (the last `STEP_MIN_DAYS`) nearer the
    # step's level than the blend's (where it has moved back since, the level is sliding, not
    # stepping: the blend follows that)
    fast_run = lfilter([LEVEL_FAST], [1.0, LEVEL_FAST - 1.0], resid)[origins]
    slow_run = lfilter([alpha], [1.0, alpha - 1.0], resid)[origins]
    blend_run = share * fast_run + (1 - share) * slow_run
    cum = np.concatenate([[0.0], np.cumsum(resid)])
    first = np.maximum(origins + 1 - STEP_MIN_DAYS, 0)
    recent = (cum[origins + 1] - cum[first]) / np.maximum(origins + 1 - first, 1)
    stepped &= np.abs(recent - step_level) < np.abs(recent - blend_run)
    if stepped[-1]:
        # the origins with their whole horizon seen (the latest ones see the current step's
        # first days only, and would vouch for it on those)
        past = stepped[:-1] & np.isfinite(err).all(axis=1)
        ahead = origins[:-1, None] + np.arange(1, horizon + 1)[None, :]
        actual = resid[np.minimum(ahead, n - 1)]
        step_err = np.where(past[:, None], actual - step_level[:-1, None], err)
        step_err = np.where(np.isfinite(err), step_err, np.nan)
        rows = weight[past] * np.isfinite(err[past])
        # no step found before: nothing to weigh, and no false alarm seen either
        if np.nansum(rows * np.abs(step_err[past])) <= np.nansum(rows * np.abs(err[past])):
            err, level = step_err, float(step_level[-1])
    rmse = np.sqrt(np.nanmean(err**2, axis=0))
    return alpha, share, level, rmse


class LevelRegression(Regression):
    """The regression whose residual correction fades to a running level, not to zero: a new
    level (+30% from some date, a lost contract) is carried into the forecast.

    The level is a blend of exponentially weighted means of the fit's log residuals, chosen
    by its error over the forecast's horizon (`choose_level`); the forecast is the regression
    plus the last level, flat over the horizon, with that choice's error by step as its spread
    (beyond the chosen horizon: the last step's)."""

    name = "regression_level"

    def fit(self, y: pd.Series, exog: Exog) -> LevelRegression:
        super().fit(y, exog)
        return self._fit_level()

    @classmethod
    def from_regression(cls, fitted: Regression) -> LevelRegression:
        """The running-level model on a fitted `Regression` (the same fit: only the level is
        added), so a model choice that weighs both fits the regression once."""
        model = cls.__new__(cls)
        model.__dict__.update(fitted.__dict__)
        return model._fit_level()

    def _fit_level(self) -> LevelRegression:
        resid = self.resid
        self.alpha, self.share, self.run_level = 0.0, 0.0, 0.0
        self.step_rmse = np.array([self.sigma])
        if resid.size < 28:
            return self
        self.alpha, self.share, self.run_level, self.step_rmse = choose_level(resid)
        return self

    def predict(self, days: pd.DatetimeIndex, exog: Exog):
        x = self._design(days, exog)
        h = (days - self.last).days.to_numpy()
        mu = self.log_mean(x) + self.run_level
        rmse = self.step_rmse[np.isfinite(self.step_rmse)]
        rmse = rmse if rmse.size else np.array([self.sigma])
        sd = rmse[np.clip(h, 1, rmse.size) - 1]
        z = norm.ppf(0.5 + self.level / 200)
        return np.exp(mu), np.exp(mu - z * sd), np.exp(mu + z * sd)


MODEL_CLASSES: dict[str, Callable[[float], DailyModel]] = {
    "seasonal_naive": SeasonalNaive,
    "ets": ETS,
    "regression": Regression,
    "regression_level": LevelRegression,
}


def fit_model(model_name: str, y: pd.Series, exog: Exog, level: float) -> DailyModel:
    """`model_name` fitted on daily calls `y` with the features of `exog` up to `y`'s end."""
    return MODEL_CLASSES[model_name](level).fit(y, exog)


def predict_days(
    model: DailyModel, days: pd.DatetimeIndex, exog: Exog, closed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A fitted model's forecast of `days`; closed days 0, event multipliers applied."""
    mean, lower, upper = model.predict(days, exog)
    mult = pd.Series(exog.multiplier, index=exog.features.index).reindex(days).fillna(1.0)
    mult = mult.to_numpy() * ~closed
    return mean * mult, lower * mult, upper * mult


def daily_forecast(
    model_name: str,
    y: pd.Series,
    days: pd.DatetimeIndex,
    exog: Exog,
    closed: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit `model_name` on `y` and forecast `days`; closed days 0, event multipliers applied."""
    return predict_days(fit_model(model_name, y, exog, level), days, exog, closed)
