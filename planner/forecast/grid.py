"""The history as a day x interval grid, and which days and intervals are open."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner import calendar
from planner.errors import InputError
from planner.history import MINUTES_PER_DAY, History

PROFILE_DAYS = 26  # same-type days behind an intraday profile (half a year of weekdays)
PROFILE_HALF_LIFE = 4.0  # their recency weight halves every 4 same-type days
PROFILE_NEIGHBOURS = 2  # most similar day types a profile is shrunk toward
MIN_HISTORY_DAYS = 21
DISPERSION_DAYS = 28  # days behind the intervals' noise beyond Poisson (`shape_noise`)
SUMMER = ((5, 20), (8, 31))  # 20 May .. 31 August: the hotline's peak season
HOLIDAY_TYPE = 7


@dataclass(frozen=True)
class Grid:
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
    holiday_key: np.ndarray  # the holiday's name (`calendar.holiday_key`) per day, "" if none
    suspect: np.ndarray  # bool per day: a row was left out as a spike (missing data)


def make_grid(history: History, country: str | None, interval_min: int | None) -> Grid:
    frame = history.frame
    base = history.interval_min
    if interval_min is not None:
        if base is None:
            raise InputError(
                f"{interval_min}: {history.source} is daily history, "
                "intervals cannot be split out of daily totals",
                "interval_min",
            )
        if interval_min % base or MINUTES_PER_DAY % interval_min:
            raise InputError(
                f"{interval_min}: expected a multiple of the history's {base}-minute "
                "interval that divides a day (e.g. 30 or 60)",
                "interval_min",
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
    return Grid(
        days,
        slots,
        step,
        calls.reshape(shape),
        present.reshape(shape),
        history.queues,
        queue_calls,
        aht,
        queue_aht,
        day_types(days, country),
        country,
        calendar.holiday_keys(days, country),
        np.asarray(days.isin(pd.DatetimeIndex(list(history.suspect_days)))),
    )


@dataclass(frozen=True)
class OpenRules:
    """Which day types and intervals are open, learned from the history before a cut-off."""

    type_open: np.ndarray  # bool (8,)
    slot_open: np.ndarray  # bool (8, slots)
    holiday_type: bool  # holidays get their own profile
    # by holiday name: open (True) or closed on its most recent occurrence on a day whose
    # weekday is open; a holiday not in here has not been seen
    holiday_open: dict[str, bool] = field(default_factory=dict)

    def closed(self, days: pd.DatetimeIndex, keys: np.ndarray) -> np.ndarray:
        """Days forecast closed: a closed weekday, or a holiday closed when last seen. A
        holiday never seen (on an open weekday) is an ordinary day of its weekday."""
        weekday = days.day_of_week.to_numpy()
        closed = ~self.type_open[weekday]
        for i in np.flatnonzero(keys != ""):
            seen = self.holiday_open.get(keys[i])
            if seen is not None and not closed[i]:
                closed[i] = not seen
        return closed

    def unseen(self, days: pd.DatetimeIndex, keys: np.ndarray) -> np.ndarray:
        """Holidays on open weekdays that the history has not seen (open or closed)."""
        weekday = days.day_of_week.to_numpy()
        known = np.array([k in self.holiday_open for k in keys], dtype=bool)
        return (keys != "") & ~known & self.type_open[weekday]


def learn_open_rules(grid: Grid, end: int) -> OpenRules:
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
    has_rows = grid.present[:end].any(axis=1)
    all_weekday = grid.days[:end].day_of_week.to_numpy()
    holiday_open: dict[str, bool] = {}
    for i in np.flatnonzero(grid.holiday_key[:end] != ""):
        if type_open[all_weekday[i]]:  # a holiday on a closed weekday says nothing
            holiday_open[grid.holiday_key[i]] = bool(has_rows[i])
    return OpenRules(type_open, slot_open, holiday_type, holiday_open)


def profile_type(
    rules: OpenRules,
    day_type: np.ndarray,
    days: pd.DatetimeIndex,
    keys: np.ndarray | None = None,
) -> np.ndarray:
    """The day type used for profiles: holiday only when holidays have their own pattern (and,
    with `keys`, only for holidays seen open: an unseen one is an ordinary day)."""
    weekday = days.day_of_week.to_numpy()
    if not rules.holiday_type:
        return np.where(day_type == HOLIDAY_TYPE, weekday, day_type)
    if keys is None:
        return day_type
    seen_open = np.array([rules.holiday_open.get(k, False) for k in keys], dtype=bool)
    return np.where((day_type == HOLIDAY_TYPE) & ~seen_open, weekday, day_type)


def daily_series(grid: Grid, rules: OpenRules, end: int) -> tuple[pd.Series, np.ndarray]:
    """Daily totals before `end`: NaN for missing days and closed days; plus the closed mask.

    A day with rows but with more than 20% of its open intervals absent is treated as missing.
    """
    days = grid.days[:end]
    ptype = profile_type(rules, grid.day_type[:end], days)
    any_row = grid.present[:end].any(axis=1)
    holiday = grid.holiday_key[:end] != ""
    closed = ~any_row & (holiday | ~rules.type_open[days.day_of_week.to_numpy()])
    expected = rules.slot_open[ptype]
    missing_slots = (expected & ~grid.present[:end]).sum(axis=1)
    partial = missing_slots > 0.2 * np.maximum(expected.sum(axis=1), 1)
    values = grid.calls[:end].sum(axis=1).astype(float)
    values[~any_row | partial | grid.suspect[:end]] = np.nan
    values[closed] = np.nan
    values[values <= 0] = np.nan
    return pd.Series(values, index=days), closed


def find_closed_holidays(
    grid: Grid,
    future: pd.DatetimeIndex | None = None,
    future_closed: np.ndarray | None = None,
) -> set:
    """Holiday dates the centre was closed (no rows in the history), plus the holidays among
    `future` days forecast closed."""
    keys = grid.holiday_key
    out = set(grid.days[(keys != "") & ~grid.present.any(axis=1)])
    if future is not None and future_closed is not None:
        future_keys = calendar.holiday_keys(future, grid.country)
        out |= set(future[(future_keys != "") & future_closed])
    return out


def day_types(days: pd.DatetimeIndex, country: str | None) -> np.ndarray:
    """0..6 = Monday..Sunday, 7 = public holiday."""
    holiday = calendar.is_holiday(days, country)
    return np.where(holiday, HOLIDAY_TYPE, days.day_of_week)


def check_open_days(y: pd.Series, source: str) -> None:
    count = int(np.isfinite(y.to_numpy()).sum())
    if count < 14:
        raise InputError(
            f"{source}: {count} complete days with calls, expected at least 14 to forecast from"
        )


def in_summer(days: pd.DatetimeIndex) -> np.ndarray:
    key = days.month.to_numpy() * 100 + days.day.to_numpy()
    (m0, d0), (m1, d1) = SUMMER
    return (key >= m0 * 100 + d0) & (key <= m1 * 100 + d1)
