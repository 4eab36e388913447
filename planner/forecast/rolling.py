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
from planner.forecast.exog import _Exog
from planner.forecast.grid import (
    MIN_HISTORY_DAYS,
    _daily_series,
    _Grid,
    _open_rules,
    _OpenRules,
)
from planner.forecast.models import MODELS, _daily_forecast

SELECT_FOLDS = 3  # rolling origins behind `--model auto`
CALIBRATION_ORIGINS = 26  # weekly rolling origins behind the bounds (half a year)


class RollingOrigins:
    """Daily forecasts from origins (day indices into `grid`) with the features of `exog`.

    `forecast(name, origin, horizon)` fits `name` on the history before `origin` and forecasts
    `horizon` days from it (closed days 0); with `multipliers` the future event multipliers of
    `exog` are applied (what `forecast` writes), without them not (what selection and
    calibration score: an event's multiplier is the user's, not the model's)."""

    def __init__(self, grid: _Grid, exog: _Exog, level: float):
        self.grid = grid
        self.exog = exog
        self.level = level
        self._plain = _Exog(exog.features, np.ones(len(exog.features)))
        self._cache: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._history: dict[int, tuple[_OpenRules, pd.Series]] = {}

    def history(self, origin: int) -> tuple[_OpenRules, pd.Series]:
        """The open rules and the daily series (NaN = closed or missing) before `origin`."""
        if origin not in self._history:
            rules = _open_rules(self.grid, origin)
            y, _ = _daily_series(self.grid, rules, origin)
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
        self, name: str, origin: int, horizon: int, multipliers: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = (name, origin, horizon, multipliers)
        if key not in self._cache:
            rules, y = self.history(origin)
            days, keys = self.days(origin, horizon)
            closed = rules.closed(days, keys)
            exog = self.exog if multipliers else self._plain
            self._cache[key] = _daily_forecast(name, y, days, exog, closed, self.level)
        return self._cache[key]

    def actuals(self, end: int) -> np.ndarray:
        """Daily actuals as known at `end`: closed days 0, missing days NaN."""
        rules = _open_rules(self.grid, end)
        y, closed = _daily_series(self.grid, rules, end)
        return np.where(closed, 0.0, y.to_numpy())


def select(
    rolling: RollingOrigins,
    end: int,
    horizon: int,
    candidates: tuple[str, ...] = MODELS,
) -> tuple[str, dict[str, float], np.ndarray]:
    """Pick the model with the lowest daily WAPE over the last 3 rolling-origin folds of the
    history before day index `end` (future event multipliers are not applied); also return the
    winner's log errors log(actual / forecast) at weekly origins over the last weeks, an
    (origins, horizon) array with NaN where a day is not scored, for its bounds."""
    acts = rolling.actuals(end)
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
            mean = rolling.forecast(name, origin, horizon)[0]
            err[name] += np.abs(mean[ok] - actual[ok]).sum()
    if total <= 0:
        return candidates[0], {}, np.empty((0, horizon))
    scores = {k: 100 * v / total for k, v in err.items()}
    best = min(candidates, key=lambda k: (round(scores[k], 6), candidates.index(k)))
    return best, scores, calibration_errors(rolling, end, horizon, best, acts)


def calibration_errors(
    rolling: RollingOrigins, end: int, horizon: int, name: str, acts: np.ndarray | None = None
) -> np.ndarray:
    """log(actual / forecast) of `name` from weekly origins over the last half year before
    `end`, by origin (rows) and horizon step (columns), NaN where a day is not scored."""
    if acts is None:
        acts = rolling.actuals(end)
    origins = [
        end - horizon - 7 * k
        for k in range(CALIBRATION_ORIGINS - 1, -1, -1)
        if end - horizon - 7 * k >= MIN_HISTORY_DAYS
    ]
    errors = np.full((len(origins), horizon), np.nan)
    for row, origin in enumerate(origins):
        actual = acts[origin : origin + horizon]
        mean = rolling.forecast(name, origin, horizon)[0]
        pos = np.isfinite(actual) & (actual > 0) & (mean > 0)
        errors[row, pos] = np.log(actual[pos] / mean[pos])
    return errors


def select_horizon(horizon_days: int) -> int:
    """The horizon the model choice and the calibration score: 7 to 28 days."""
    return min(max(int(horizon_days), 7), 28)
