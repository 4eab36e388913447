"""The forecast stage's entry points: `forecast_history` and `ForecastResult` (the chart of a
forecast is `planner.report.charts.plot_forecast`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner import calendar
from planner.calendar import Events, read_events
from planner.errors import InputError
from planner.forecast.bounds import calibrate
from planner.forecast.exog import build_exog, climatology, read_temperature
from planner.forecast.grid import (
    MIN_HISTORY_DAYS,
    check_open_days,
    find_closed_holidays,
    learn_open_rules,
    make_grid,
)
from planner.forecast.models import (
    MODELS,
    SHORT_MODELS_SPAN,
    SHORT_YEARLY_SPAN,
    YEARLY_MIN_SPAN,
    predict_days,
)
from planner.forecast.profile import intraday_profile, spread_over_intervals
from planner.forecast.rolling import (
    CALIBRATION_ORIGINS,
    SELECT_ORIGINS,
    SHORT_MIN_ORIGINS,
    RollingOrigins,
    calibration_errors,
    history_span,
    select,
    select_horizon,
    weekly_errors,
    weekly_origins,
    weigh_weather,
)
from planner.history import History


@dataclass(frozen=True)
class ForecastResult:
    """A forecast: `intervals` (`timestamp,calls,lower,upper[,aht][,queue]`, the Forecast CSV),
    `daily` (`date,calls,lower,upper[,queue]`), the `model` used, the bound `level` (%), the
    last `history_day` and `notes` (how choices were made, for stderr).
    `weekly_log_errors`: log(actual / forecast) of the weekly totals of the forecasts the
    bounds are calibrated on (rows: the calibration's origins; columns: leads of 1, 2, ...
    weeks; NaN unscored; empty when the history has no such origin): what a week's spread at
    those leads is, measured (`planner.capacity.demand`). `weekly_error_origins`: the first
    forecast day of each of its rows (a week's lead k covers that day + 7 (k - 1) .. + 7 k - 1)."""

    intervals: pd.DataFrame
    daily: pd.DataFrame
    model: str
    level: float
    interval_min: int | None
    history_day: pd.Timestamp
    notes: tuple[str, ...] = field(default_factory=tuple)
    weekly_log_errors: tuple[tuple[float, ...], ...] = ()
    weekly_error_origins: tuple[pd.Timestamp, ...] = ()


def check_forecast_args(horizon_days: int, level: float, model: str) -> None:
    if not 1 <= int(horizon_days) <= 730:
        raise InputError(f"{horizon_days}: expected 1 to 730 days", "horizon_days")
    if not 0 < float(level) < 100:
        raise InputError(f"{level}: expected a percentage between 0 and 100 (e.g. 80)", "level")
    if model != "auto" and model not in MODELS:
        raise InputError(f"{model!r}: expected auto or one of {', '.join(MODELS)}", "model")


def as_events(events) -> Events | None:
    if events is None or isinstance(events, Events):
        return events
    return read_events(events)


def as_temperature(temperature) -> pd.Series | None:
    """A temperature Series as given, a file's read (`read_temperature`), None as None."""
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
    check_forecast_args(horizon_days, level, model)
    temperature = as_temperature(temperature)
    history, grid, future, start, rolling = _prepare(
        history, horizon_days, start, interval_min, level, country, events, temperature
    )
    n, last = len(grid.days), history.last_day()
    future_keys = calendar.holiday_keys(future, grid.country)
    rules, y = rolling.history(n)
    check_open_days(y, history.source)
    notes = list(history.notes)
    notes += _short_history_notes(y)
    notes += _unseen_holiday_notes(rules, future[future >= start], future_keys[future >= start])
    horizon = select_horizon(horizon_days)
    if model == "auto":
        model, scores, log_errors = select(rolling, n, horizon)
        if scores:
            listed = ", ".join(f"{k} {v:.1f}%" for k, v in scores.items())
            notes.append(
                f"model auto: daily WAPE over {SELECT_ORIGINS} weekly origins: {listed} -> {model}"
            )
        if history_span(y) < SHORT_MODELS_SPAN:
            notes.append(
                f"model auto: the history is under {SHORT_MODELS_SPAN} days, so the seasonal "
                f"naive is kept unless another model is clearly better on at least "
                f"{SHORT_MIN_ORIGINS} weekly origins (2% lower error in all, and lower at more than "
                f"half the origins); "
                + ("none was" if model == "seasonal_naive" else f"{model} was")
            )
    else:
        weigh_weather(rolling, n, horizon, model)
        log_errors = calibration_errors(rolling, n, horizon, model)
    mean, lower, upper = rolling.forecast(model, n, len(future), multipliers=True)
    steps = (future - last).days.to_numpy()
    lower, upper = calibrate(
        mean,
        lower,
        upper,
        steps,
        log_errors,
        level,
        rolling.calibration_hot(n, horizon),
        rolling.hot(n, len(future)),
    )
    keep = future >= start
    intraday = intraday_profile(grid, rules, n)
    intervals, daily = spread_over_intervals(
        future[keep], mean[keep], lower[keep], upper[keep], grid, rules, intraday, level
    )
    if rolling.weather_note is not None:
        notes.append(rolling.weather_note)
    elif temperature is not None:
        notes.append(_temperature_note(temperature, future[keep]))
    weekly = weekly_errors(rolling, n, horizon, model)
    return ForecastResult(
        intervals,
        daily,
        model,
        float(level),
        grid.interval_min,
        last,
        tuple(notes),
        tuple(tuple(float(v) for v in row) for row in weekly),
        tuple(grid.days[o] for o in weekly_origins(n, horizon, CALIBRATION_ORIGINS)),
    )


def weather_effects(
    history: History,
    scenarios: list[pd.Series],
    horizon_days: int,
    model: str,
    start=None,
    interval_min: int | None = None,
    country: str | None = "VN",
    events=None,
    temperature=None,
) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray, np.ndarray] | None:
    """What the weather moves in a forecast: (days, climate, means, given) over the days from
    `start` (default: the day after the history) of the point forecast of `model` chosen and
    fitted as `forecast_history` chooses and fits it (the temperature terms kept or dropped by the same
    test): `climate` with the day-of-year climatology of the temperature before the history's
    end on every future day, `means` (one row per series in `scenarios`, daily temperatures in
    °C) with that series' values instead (the climatology where it has none), and `given`
    whether the temperature file has a row for the day (a weather forecast, which the forecast
    itself takes). None when the forecast has no temperature terms (no file, too little of it,
    or dropped)."""
    check_forecast_args(horizon_days, 80.0, model)
    temperature = as_temperature(temperature)
    if temperature is None:
        return None
    history, grid, future, start, rolling = _prepare(
        history, horizon_days, start, interval_min, 80.0, country, events, temperature
    )
    n, horizon = len(grid.days), select_horizon(horizon_days)
    if model == "auto":  # as `forecast_history` chooses (and weighs the weather)
        model = select(rolling, n, horizon)[0]
    else:
        weigh_weather(rolling, n, horizon, model)
    exog = rolling.exog
    if not rolling.has_weather or exog.from_file is None or exog.cutoff is None:
        return None
    fitted = rolling.fitted(model, n, exog, False)
    rules, _ = rolling.history(n)
    days, keys = rolling.days(n, len(future))
    closed = rules.closed(days, keys)
    at = exog.features.index.get_indexer(days)
    doy = np.minimum(days.day_of_year.to_numpy(), 365) - 1
    clim = climatology(temperature[temperature.index < exog.cutoff])[doy]

    def predict(temp: np.ndarray) -> np.ndarray:
        return predict_days(fitted, days, exog.with_temperature(at, temp), closed)[0]

    climate = predict(clim)
    means = np.empty((len(scenarios), len(days)))
    for row, series in enumerate(scenarios):
        temp = series.reindex(days).to_numpy(float)
        means[row] = predict(np.where(np.isfinite(temp), temp, clim))
    keep = np.asarray(days >= start)
    given = np.asarray(exog.from_file[at], dtype=bool)
    return days[keep], climate[keep], means[:, keep], given[keep]


def _prepare(history, horizon_days, start, interval_min, level, country, events, temperature):
    """The history before `start`, its grid, the future days (from the day after the history
    to the horizon's last), `start` and the rolling origins over them (the exog with the
    temperature file's rows past the history as a weather forecast)."""
    country = calendar.normalise_country(country)
    events = as_events(events)
    last = history.last_day()
    start = last + pd.Timedelta(days=1) if start is None else pd.Timestamp(start).normalize()
    if start <= last:
        history = history.truncate(start)
        if history.frame.empty:
            raise InputError(f"{start.date()}: no history before that day", "start")
        last = history.last_day()
    grid = make_grid(history, country, interval_min)
    n = len(grid.days)
    if n < MIN_HISTORY_DAYS:
        raise InputError(
            f"{history.source}: {n} days of history, expected at least {MIN_HISTORY_DAYS}"
        )
    future = pd.date_range(last + pd.Timedelta(days=1), start + pd.Timedelta(days=horizon_days - 1))
    rules = learn_open_rules(grid, n)
    future_keys = calendar.holiday_keys(future, country)
    closed_holidays = find_closed_holidays(grid, future, rules.closed(future, future_keys))
    rolling = RollingOrigins(
        grid,
        build_exog(
            grid.days.append(future),
            country,
            events,
            temperature,
            future[0],
            np.concatenate([grid.holiday_key, future_keys]),
            closed_holidays,
            temperature_forecast=True,
        ),
        level,
        window_start=start,
    )
    return history, grid, future, start, rolling


def _short_history_notes(y: pd.Series) -> list[str]:
    """What a history under two years cannot teach the daily models, and what they use."""
    span = history_span(y)
    if span >= YEARLY_MIN_SPAN:
        return []
    if span >= SHORT_YEARLY_SPAN:
        uses = (
            "a coarse yearly shape from the one year seen (no trend), the weekly pattern, the "
            "recent level and the holidays seen"
        )
    else:
        uses = (
            "the weekly pattern, the recent level and the holidays seen, so a season the "
            "history has not shown (e.g. the coming summer) is not in it"
        )
    return [
        f"history: {span} days ({span // 7} weeks), under the {YEARLY_MIN_SPAN} days (2 years) "
        f"needed to learn the yearly shape (summer peak, season) and a trend; the forecast "
        f"uses {uses}"
    ]


def _temperature_note(temperature: pd.Series, days: pd.DatetimeIndex) -> str:
    """Which forecast days took the temperature file's rows and which the climatology."""
    given = np.asarray(days.isin(temperature.dropna().index))
    if given.all():
        return f"temperature: history as given, all {len(days)} forecast days from the file"
    if not given.any():
        return (
            "temperature: history as given, forecast days from the day-of-year climatology "
            "(no rows past the history's end; add the weather forecast's rows to the file)"
        )
    return (
        f"temperature: history as given; from the file: {_day_ranges(days[given])}; "
        f"from the day-of-year climatology: {_day_ranges(days[~given])}"
    )


def _day_ranges(days: pd.DatetimeIndex) -> str:
    """`2026-07-01..2026-07-04, 2026-07-09` for a set of days."""
    parts, start, prev = [], None, None
    for day in days:
        if start is None:
            start = prev = day
        elif (day - prev).days == 1:
            prev = day
        else:
            parts.append((start, prev))
            start = prev = day
    if start is not None:
        parts.append((start, prev))
    text = [a.strftime("%Y-%m-%d") if a == b else f"{a:%Y-%m-%d}..{b:%Y-%m-%d}" for a, b in parts]
    return ", ".join(text[:6]) + (f" and {len(text) - 6} more spans" if len(text) > 6 else "")


def _unseen_holiday_notes(rules, days: pd.DatetimeIndex, keys: np.ndarray) -> list[str]:
    """One note per holiday in the forecast that the history has never seen."""
    notes = []
    habit = sorted(rules.holiday_open) if rules.closes_holidays else []
    shared = sum(rules.holiday_open.values())  # holidays seen open: their effect is shared
    for i in np.flatnonzero(rules.unseen(days, keys)):
        day = days[i].strftime("%Y-%m-%d")
        if habit:
            notes.append(
                f"holiday {keys[i]!r} on {day} is not in the history: forecast closed, as the "
                f"line was closed on all {len(habit)} holidays it has seen on an open weekday "
                f"({', '.join(habit[:4])}{', ...' if len(habit) > 4 else ''})"
            )
            continue
        if shared:
            notes.append(
                f"holiday {keys[i]!r} on {day} is not in the history: forecast as a "
                f"{days[i].day_name()} with the effect shared by the {shared} holidays seen "
                f"open; if the centre is closed that day, add the row '{day},{day},closed,0' "
                "to an events file"
            )
            continue
        notes.append(
            f"holiday {keys[i]!r} on {day} is not in the history: forecast as an ordinary "
            f"{days[i].day_name()}; if the centre is closed that day, add the row "
            f"'{day},{day},closed,0' to an events file"
        )
    return notes
