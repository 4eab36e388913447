"""The one rolling-origin path: daily forecasts made from origins inside the history.

`RollingOrigins` makes (and caches) the daily forecast a model would have given from any day
of the history, from the days before it only (open rules and daily series as of that day).
The model choice (`select`), the bounds' calibration errors and `backtest` all go through it,
so they score the same forecasts `forecast_history` makes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner import calendar
from planner.forecast.exog import Exog
from planner.forecast.grid import (
    MIN_HISTORY_DAYS,
    Grid,
    OpenRules,
    daily_series,
    learn_open_rules,
)
from planner.forecast.models import (
    MODELS,
    SHORT_MODELS_SPAN,
    SHORT_YEARLY_SPAN,
    YEARLY_MIN_SPAN,
    DailyModel,
    LevelRegression,
    Regression,
    fit_model,
    predict_days,
)

SELECT_ORIGINS = 12  # weekly rolling origins behind `--model auto` (the last calibration ones)
CALIBRATION_ORIGINS = 26  # weekly rolling origins behind the bounds (half a year)
CALIBRATION_MAX_DAYS = 28  # the longest horizon the model choice and the calibration score
CLEAR_GAIN = 0.02  # a more complex model must cut the simpler one's error by 2% (and by 1 SE)
SHORT_MIN_ORIGINS = 3  # origins a short history needs before a model can beat the naive
SIMPLER = {"regression_level": "regression"}  # a model -> the simpler one it extends
REGRESSIONS = ("regression", "regression_level")  # the calendar-aware models
WEATHER_COLUMNS = ("temp_max", "heat")  # the exog's temperature terms


class RollingOrigins:
    """Daily forecasts from origins (day indices into `grid`) with the features of `exog`.

    `forecast(name, origin, horizon)` fits `name` on the history before `origin` and forecasts
    `horizon` days from it (closed days 0); with `multipliers` the future event multipliers of
    `exog` are applied (what `forecast` writes), without them not (what selection and
    calibration score: an event's multiplier is the user's, not the model's)."""

    def __init__(
        self, grid: Grid, exog: Exog, level: float, window_start: pd.Timestamp | None = None
    ):
        """`window_start`: the first day the forecast is read for (default the exog's cutoff,
        the day after the history): a backtest's step k has the weather the forecast has at
        `window_start` + k, so a forecast of a July week far ahead with the July rows of a
        weather forecast is weighed and calibrated as one that has its weather."""
        self.grid = grid
        self.exog = exog
        self.level = level
        self.window_start = window_start
        self._plain = Exog(exog.features, np.ones(len(exog.features)))
        self._weather: dict[tuple[int, int], Exog] = {}
        self._cache: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._history: dict[int, tuple[OpenRules, pd.Series]] = {}
        # fitted models by (name, origin, without the weather terms): a fit reads the features
        # up to its origin only, the same in every variant of the exog (multipliers, the
        # weather as known past the origin), so the forecasts from one origin share one fit
        self._fits: dict[tuple[str, int, bool], DailyModel] = {}
        self.weather_note: str | None = None  # why the weather terms were left out, if they were

    @property
    def has_weather(self) -> bool:
        return "temp_max" in self.exog.features.columns

    def without_weather(self) -> Exog:
        """The features without the temperature terms (no multipliers)."""
        feats = self.exog.features.drop(columns=list(WEATHER_COLUMNS), errors="ignore")
        return Exog(feats, np.ones(len(feats)))

    def drop_weather(self, note: str) -> None:
        """Leave the temperature terms out of every forecast from now on (and say why)."""
        feats = self.exog.features.drop(columns=list(WEATHER_COLUMNS), errors="ignore")
        self.exog = Exog(feats, self.exog.multiplier)
        self._plain = Exog(feats, np.ones(len(feats)))
        self._weather.clear()
        # the forecasts made without the terms stay: they are now the plain ones
        self._cache = {(*k[:4], False): v for k, v in self._cache.items() if k[4] == "no_weather"}
        self._fits = {(*k[:2], False): v for k, v in self._fits.items() if k[2]}
        self.weather_note = note

    def history(self, origin: int) -> tuple[OpenRules, pd.Series]:
        """The open rules and the daily series (NaN = closed or missing) before `origin`."""
        if origin not in self._history:
            rules = learn_open_rules(self.grid, origin)
            y, _ = daily_series(self.grid, rules, origin)
            self._history[origin] = (rules, y)
        return self._history[origin]

    def days(self, origin: int, horizon: int) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """The `horizon` days from `origin` and their holiday keys (also past the history)."""
        grid = self.grid
        days = pd.date_range(grid.days[0] + pd.Timedelta(days=origin), periods=horizon, freq="D")
        if origin + horizon <= len(grid.days):
            return days, grid.holiday_key[origin : origin + horizon]
        return days, calendar.holiday_keys(days, grid.country)

    def forecast(
        self,
        name: str,
        origin: int,
        horizon: int,
        multipliers: bool = False,
        weather_as_known: bool = False,
        no_weather: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`weather_as_known` (without `multipliers`): the temperature past `origin` as the
        forecast has it (`_known`), not the observed one (what the calibration scores).
        `no_weather` (without `multipliers`): the temperature terms left out."""
        exog = self.exog if multipliers else self._plain
        if weather_as_known and not multipliers:
            exog = self._known(origin, horizon)
        tag: bool | str = exog is not self._plain and not multipliers
        if no_weather and self.has_weather:
            exog, tag = self.without_weather(), "no_weather"
        key = (name, origin, horizon, multipliers, tag)
        if key not in self._cache:
            rules, _ = self.history(origin)
            days, keys = self.days(origin, horizon)
            closed = rules.closed(days, keys)
            model = self.fitted(name, origin, exog, tag == "no_weather")
            self._cache[key] = predict_days(model, days, exog, closed)
        return self._cache[key]

    def fitted(self, name: str, origin: int, exog: Exog, no_weather: bool) -> DailyModel:
        """Model `name` fitted on the history before `origin` (one fit per origin and feature
        set; the two regressions share theirs: the running level only adds to it)."""
        key = (name, origin, no_weather)
        if key not in self._fits:
            _, y = self.history(origin)
            if name in REGRESSIONS:
                base = ("regression", origin, no_weather)
                if base not in self._fits:
                    self._fits[base] = fit_model("regression", y, exog, self.level)
                regression = self._fits[base]
                assert isinstance(regression, Regression)
                if name == "regression_level":
                    self._fits[key] = LevelRegression.from_regression(regression)
            else:
                self._fits[key] = fit_model(name, y, exog, self.level)
        return self._fits[key]

    def _known(self, origin: int, horizon: int) -> Exog:
        """The features a forecast from `origin` has (no multipliers): past the origin, the
        temperature is the climatology at the horizon steps where the forecast itself (from
        the exog's cutoff on) has no temperature from the file, the file's value at the others."""
        exog = self.exog
        if exog.from_file is None or exog.cutoff is None:
            return self._plain
        start = self.grid.days[0] + pd.Timedelta(days=origin)
        if start >= exog.cutoff:
            return self._plain
        key = (origin, horizon)
        if key not in self._weather:
            first = exog.cutoff if self.window_start is None else self.window_start
            ahead = first + pd.to_timedelta(np.arange(horizon), unit="D")
            at = exog.features.index.get_indexer(ahead)
            given = np.where(at >= 0, exog.from_file[np.maximum(at, 0)], False)
            self._weather[key] = exog.weather_as_known(start, np.flatnonzero(~given))
        return self._weather[key]

    def hot(self, origin: int, horizon: int) -> np.ndarray:
        """Days from `origin` above the heat threshold (the `heat` feature > 0)."""
        days, _ = self.days(origin, horizon)
        if "heat" not in self.exog.features.columns:
            return np.zeros(horizon, dtype=bool)
        heat = self.exog.features["heat"].reindex(days).fillna(0.0).to_numpy()
        return heat > 0

    def calibration_hot(self, end: int, horizon: int) -> np.ndarray:
        """`hot` for the days of `calibration_errors` (same shape)."""
        origins = weekly_origins(end, horizon, CALIBRATION_ORIGINS)
        if not origins:
            return np.zeros((0, horizon), dtype=bool)
        return np.stack([self.hot(origin, horizon) for origin in origins])

    def actuals(self, end: int) -> np.ndarray:
        """Daily actuals as known at `end`: closed days 0, missing days NaN."""
        rules = learn_open_rules(self.grid, end)
        y, closed = daily_series(self.grid, rules, end)
        return np.where(closed, 0.0, y.to_numpy())


def weekly_origins(end: int, horizon: int, count: int) -> list[int]:
    """Up to `count` origins a week apart, the last one `horizon` days before `end`."""
    return [
        end - horizon - 7 * k
        for k in range(count - 1, -1, -1)
        if end - horizon - 7 * k >= MIN_HISTORY_DAYS
    ]


def select(
    rolling: RollingOrigins,
    end: int,
    horizon: int,
    candidates: tuple[str, ...] = MODELS,
) -> tuple[str, dict[str, float], np.ndarray]:
    """Pick a model by daily WAPE over `SELECT_ORIGINS` weekly rolling origins before day index
    `end` (future event multipliers not applied); also return the pick's log errors for its
    bounds (`calibration_errors`).

    Near-ties go to the simpler model: a model that extends another (`SIMPLER`: the running
    level extends the regression) is kept only if it is clearly better than the model it
    extends, i.e. its summed absolute error is at least `CLEAR_GAIN` lower and the mean of the
    per-origin differences exceeds one standard error. The naive or ETS replace the regression
    (the better of the two regressions so chosen) only when clearly better than it, by the
    same test: a small difference over a dozen origins is noise, and the regression knows the
    calendar (holidays, eves, closures) the others do not. Except on a history under 13 weeks
    (`SHORT_MODELS_SPAN`), where the few origins cannot tell noise from skill: there the seasonal
    naive stays unless the pick is clearly better than it by a stricter test (`clearly_better`
    with `strict`)."""
    acts = rolling.actuals(end)
    if candidates == MODELS:
        candidates = usable_models(rolling.history(end)[1])
    origins = weekly_origins(end, horizon, SELECT_ORIGINS)
    if not origins:
        return candidates[0], {}, np.empty((0, horizon))
    abs_err = {name: np.zeros(len(origins)) for name in candidates}
    total = 0.0
    for j, origin in enumerate(origins):
        actual = acts[origin : origin + horizon]
        ok = np.isfinite(actual)
        total += actual[ok].sum()
        for name in candidates:
            mean = rolling.forecast(name, origin, horizon)[0]
            abs_err[name][j] = np.abs(mean[ok] - actual[ok]).sum()
    if total <= 0:
        return candidates[0], {}, np.empty((0, horizon))
    scores = {k: 100 * v.sum() / total for k, v in abs_err.items()}
    best = min(candidates, key=lambda k: (round(scores[k], 6), candidates.index(k)))
    regressions = [k for k in candidates if k in REGRESSIONS]
    if regressions:
        reg = min(regressions, key=lambda k: (round(scores[k], 6), candidates.index(k)))
        simpler = SIMPLER.get(reg)
        if simpler in abs_err and not clearly_better(abs_err[reg], abs_err[simpler]):
            reg = simpler
        # the naive or ETS replace the regression only when clearly better
        if best in REGRESSIONS or not clearly_better(abs_err[best], abs_err[reg]):
            best = reg
    if (
        best != "seasonal_naive"
        and "seasonal_naive" in abs_err
        and history_span(rolling.history(end)[1]) < SHORT_MODELS_SPAN
        and not clearly_better(abs_err[best], abs_err["seasonal_naive"], strict=True)
    ):
        best = "seasonal_naive"
    weigh_weather(rolling, end, horizon, best, acts)
    return best, scores, calibration_errors(rolling, end, horizon, best, acts)


def weigh_weather(
    rolling: RollingOrigins, end: int, horizon: int, name: str, acts: np.ndarray | None = None
) -> bool:
    """Keep the temperature terms only where they earn their place: model `name` with them
    (the temperature past each origin as the forecast from `end` will have it: the file's rows
    where it has a weather forecast, the climatology where not) must cut the summed error
    over `SELECT_ORIGINS` weekly origins by `CLEAR_GAIN` against the model without them; else
    they are dropped from `rolling` (a note says so). No standard-error test here: the last
    12 weeks rarely hold a heat wave, so the gain of a heat response shows in few origins. Weather never makes the forecast worse than leaving it out on
    those origins. Returns whether the terms are kept."""
    if not rolling.has_weather or name == "seasonal_naive":
        return rolling.has_weather
    if acts is None:
        acts = rolling.actuals(end)
    origins = weekly_origins(end, horizon, SELECT_ORIGINS)
    if not origins:
        return True
    with_w, without = np.zeros(len(origins)), np.zeros(len(origins))
    total = 0.0
    for j, origin in enumerate(origins):
        actual = acts[origin : origin + horizon]
        ok = np.isfinite(actual)
        total += float(actual[ok].sum())
        mean = rolling.forecast(name, origin, horizon, weather_as_known=True)[0]
        with_w[j] = np.abs(mean[ok] - actual[ok]).sum()
        mean = rolling.forecast(name, origin, horizon, no_weather=True)[0]
        without[j] = np.abs(mean[ok] - actual[ok]).sum()
    if total <= 0 or with_w.sum() <= (1 - CLEAR_GAIN) * without.sum():
        return True
    rolling.drop_weather(
        f"temperature: left out; {name} with the temperature terms was not {CLEAR_GAIN:.0%} "
        f"better than "
        f"without them over {len(origins)} weekly origins (daily WAPE "
        f"{100 * with_w.sum() / total:.1f}% with, {100 * without.sum() / total:.1f}% without)"
    )
    return False


def usable_models(y: pd.Series) -> tuple[str, ...]:
    """The models `auto` weighs for a history: all of them from 400 days (a yearly shape can
    be drawn); under that not the plain regression (a flat level over the whole history,
    which the running-level regression improves on); under 13 weeks neither ETS (too little
    to tell a trend from noise): the naive and the weekly pattern with a running level."""
    span = history_span(y)
    if span < SHORT_MODELS_SPAN:
        return ("seasonal_naive", "regression_level")
    if span < SHORT_YEARLY_SPAN:
        return tuple(m for m in MODELS if m != "regression")
    return MODELS


def history_span(y: pd.Series) -> int:
    """Days from the first to the last day with calls in `y` (NaN = closed or missing)."""
    days = y.index[np.isfinite(y.to_numpy())]
    return (days[-1] - days[0]).days + 1 if len(days) else 0


def clearly_better(errors: np.ndarray, simpler: np.ndarray, strict: bool = False) -> bool:
    """Per-origin absolute errors `errors` clearly below `simpler`'s (see `select`): a summed
    error at least `CLEAR_GAIN` lower and a mean difference above one standard error. `strict`
    (a short history, few and noisy origins): instead of the standard error, which one origin
    can swing, lower at more than half of at least `SHORT_MIN_ORIGINS` origins."""
    diff = simpler - errors
    if diff.sum() < CLEAR_GAIN * simpler.sum():
        return False
    if strict:
        return bool(diff.size >= SHORT_MIN_ORIGINS and 2 * (diff > 0).sum() > diff.size)
    if diff.size < 2:
        return True
    return bool(diff.mean() > diff.std(ddof=1) / np.sqrt(diff.size))


def calibration_errors(
    rolling: RollingOrigins, end: int, horizon: int, name: str, acts: np.ndarray | None = None
) -> np.ndarray:
    """log(actual / forecast) of `name` from weekly origins over the last half year before
    `end`, by origin (rows) and horizon step (columns), NaN where a day is not scored. The
    forecasts have the temperature the forecast from `end` has (`weather_as_known`): where it
    takes the climatology, a perfect past temperature would make the bounds too narrow."""
    if acts is None:
        acts = rolling.actuals(end)
    origins = weekly_origins(end, horizon, CALIBRATION_ORIGINS)
    errors = np.full((len(origins), horizon), np.nan)
    for row, origin in enumerate(origins):
        actual = acts[origin : origin + horizon]
        mean = rolling.forecast(name, origin, horizon, weather_as_known=True)[0]
        pos = np.isfinite(actual) & (actual > 0) & (mean > 0)
        errors[row, pos] = np.log(actual[pos] / mean[pos])
    return errors


def weekly_errors(rolling: RollingOrigins, end: int, horizon: int, name: str) -> np.ndarray:
    """log(actual / forecast) of the weekly totals of `calibration_errors`' forecasts (the
    same origins, the same cached forecasts): by origin (rows) and lead in weeks (columns:
    days 1-7, 8-14, ... of each origin; `horizon // 7` of them), NaN where a week has a day
    not scored (missing) or no calls. The daily errors cannot give these (a week's error is
    the log of a ratio of sums, and how much its days' errors cancel is what is measured).
    A regression's origins whose history is of another span class than the one before `end`
    (`span_class`: the yearly shape and trend, a coarse shape, none) are not scored: their
    forecasts are another, rougher model's, whose errors would not be this forecast's."""
    acts = rolling.actuals(end)
    origins = weekly_origins(end, horizon, CALIBRATION_ORIGINS)
    weeks = horizon // 7
    errors = np.full((len(origins), weeks), np.nan)
    own = span_class(history_span(rolling.history(end)[1]))
    for row, origin in enumerate(origins):
        if name in REGRESSIONS and span_class(history_span(rolling.history(origin)[1])) != own:
            continue
        mean = rolling.forecast(name, origin, horizon, weather_as_known=True)[0]
        errors[row] = week_log_errors(acts[origin : origin + 7 * weeks], mean[: 7 * weeks])
    return errors


def week_log_errors(actual: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """log(sum actual / sum forecast) of each whole week (7 days) of the daily `actual` and
    `mean` from one origin; NaN where a day's actual is missing or a total is not positive."""
    weeks = min(len(actual), len(mean)) // 7
    out = np.full(weeks, np.nan)
    for k in range(weeks):
        got, fc = actual[7 * k : 7 * k + 7], mean[7 * k : 7 * k + 7]
        if np.isfinite(got).all() and got.sum() > 0 and fc.sum() > 0:
            out[k] = np.log(got.sum() / fc.sum())
    return out


def span_class(span_days: int) -> int:
    """What a regression fits from a history of `span_days` days: 2 the yearly shape and the
    trend, 1 a coarse yearly shape, 0 neither (`planner.forecast.models`)."""
    return 2 if span_days >= YEARLY_MIN_SPAN else 1 if span_days >= SHORT_YEARLY_SPAN else 0


def select_horizon(horizon_days: int) -> int:
    """The horizon the model choice and the calibration score: 7 to
    `CALIBRATION_MAX_DAYS` days."""
    return min(max(int(horizon_days), 7), CALIBRATION_MAX_DAYS)
