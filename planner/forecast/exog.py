"""Exogenous day features: holidays, events and temperature, over history and horizon."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import calendar, io
from planner.calendar import Events
from planner.errors import InputError

HEAT_C = 32.0  # the `heat` feature: the temperature above this
TEMP_OFFSET_C = 30.0  # the `temp_max` feature: the temperature minus this


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


@dataclass(frozen=True)
class Exog:
    features: pd.DataFrame  # index: days (train + horizon); holiday, event, temperature columns
    multiplier: np.ndarray  # future event multipliers per day of `features`
    temperature: pd.Series | None = None  # the temperature file's values (°C), if any
    from_file: np.ndarray | None = None  # per day of `features`: temperature from the file
    cutoff: pd.Timestamp | None = None  # the first day whose temperature is not observed

    def weather_as_known(self, origin: pd.Timestamp, steps: np.ndarray) -> Exog:
        """These features as a forecast from `origin` would have had them: the temperature of
        the days `origin + steps` (steps 0..) is the climatology of the days before `origin`
        (no multipliers). Rolling origins inside the history score (and calibrate on) what the
        forecast does where it has no weather forecast, not what a perfect one would give."""
        plain = Exog(self.features, np.ones(len(self.features)))
        if self.temperature is None or "temp_max" not in self.features.columns or not len(steps):
            return plain
        known = self.temperature[self.temperature.index < origin]
        if len(known) < 60:
            return plain
        days = origin + pd.to_timedelta(np.asarray(steps), unit="D")
        doy = np.minimum(days.day_of_year.to_numpy(), 365) - 1
        temp = climatology(known)[doy]
        at = self.features.index.get_indexer(days)
        ok = at >= 0
        return plain.with_temperature(at[ok], temp[ok])

    def with_temperature(self, at: np.ndarray, temp: np.ndarray) -> Exog:
        """These features and multipliers with the daily max temperature `temp` (°C) on the
        rows at positions `at`."""
        feats = self.features.copy()
        temp_max, heat = temperature_features(temp)
        feats.iloc[at, feats.columns.get_loc("temp_max")] = temp_max
        feats.iloc[at, feats.columns.get_loc("heat")] = heat
        return Exog(feats, self.multiplier)


def temperature_features(temp) -> tuple[np.ndarray, np.ndarray]:
    """The `temp_max` and `heat` features of daily max temperatures `temp` (°C)."""
    temp = np.asarray(temp, dtype=float)
    return temp - TEMP_OFFSET_C, np.maximum(temp - HEAT_C, 0.0)


def build_exog(
    days: pd.DatetimeIndex,
    country: str | None,
    events: Events | None,
    temperature: pd.Series | None,
    cutoff: pd.Timestamp,
    keys: np.ndarray | None = None,
    closed: set | None = None,
    temperature_forecast: bool = False,
) -> Exog:
    """Features of `days`. With `keys` (holiday names per day) each holiday gets its own
    column `holiday:<name>` beside the shared `holiday` one (a holiday never seen open takes
    the shared effect of those seen open, none if none was); with `closed` (holiday dates the
    centre is, or will be, closed) `post_holiday` follows only those and the closures of
    `events` (multiplier 0). Temperature: the file's values before `cutoff`; from `cutoff` on,
    with `temperature_forecast` the file's rows there (a weather forecast), else and where
    none the day-of-year climatology of the days before `cutoff`."""
    if closed is not None and events is not None and len(events.frame):
        closed = set(closed) | events.closures(days)
    feats = calendar.day_features(days, country, closed)
    if keys is not None:
        # the generic `holiday` column stays beside the named ones: a holiday the history has
        # not seen open takes the holidays' shared effect (the fit's minimum-norm split gives it
        # the mean of the k seen ones shrunk by k / (k + 1)), a seen one its own
        hol = feats["holiday"].to_numpy() == 1
        for key in sorted(set(keys[hol])):
            feats[f"holiday:{key}"] = ((keys == key) & hol).astype(float)
    multiplier = np.ones(len(days))
    if events is not None and len(events.frame):
        reg = events.regressors(days)
        future_with_mult = events.has_multiplier(days) & (days >= cutoff)
        reg.loc[future_with_mult, :] = 0.0
        feats = pd.concat([feats, reg], axis=1)
        future = np.asarray(days >= cutoff)
        multiplier = np.where(future, events.multipliers(days), 1.0)
    from_file = None
    if temperature is not None:
        known = temperature[temperature.index < cutoff]
        if len(known) >= 60:
            clim = climatology(known)
            doy = np.minimum(days.day_of_year.to_numpy(), 365) - 1
            temp = pd.Series(clim[doy], index=days)
            given = temperature.reindex(days)
            use = given.notna() & ((days < cutoff) | temperature_forecast)
            temp = given.where(use, temp)
            feats["temp_max"], feats["heat"] = temperature_features(temp)
            from_file = use.to_numpy()
    return Exog(feats, multiplier, temperature, from_file, cutoff)


def climatology(temp: pd.Series) -> np.ndarray:
    """Day-of-year mean temperature (365 values), smoothed over +-7 days, circular; the mean
    of the last 14 days where no day of the history is near."""
    doy = np.minimum(temp.index.day_of_year.to_numpy(), 365) - 1
    sums = np.bincount(doy, weights=temp.to_numpy(), minlength=365)
    counts = np.bincount(doy, minlength=365).astype(float)
    kernel = np.ones(15)
    s = np.convolve(np.tile(sums, 3), kernel, mode="same")[365:730]
    c = np.convolve(np.tile(counts, 3), kernel, mode="same")[365:730]
    # days of the year the history has no temperature near (under a year of it): the mean of
    # its last two weeks, the nearest thing to a forecast of the coming days
    recent = float(temp.iloc[-14:].mean())
    return np.where(c > 0, s / np.maximum(c, 1), recent)
