"""Holidays by name: closed only when that same holiday was closed last time it was seen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.calendar import day_features, holiday_key, is_holiday
from planner.forecast import forecast_history
from planner.history import read_history

WEEKDAY_LEVEL = np.array([1.15, 1.05, 1.0, 1.0, 0.95, 0.0, 0.0])  # a weekday-only line


def weekday_line(tmp: Path, start: str, end: str, closed=(), name="line.csv"):
    """Daily calls Mon-Fri (~1,000 a day, a fixed wobble), no rows at weekends and on `closed`."""
    days = pd.date_range(start, end, freq="D")
    level = WEEKDAY_LEVEL[days.day_of_week]
    wobble = 1 + 0.03 * np.sin(np.arange(len(days)) * 1.7)
    calls = np.round(1000 * level * wobble)
    keep = (level > 0) & ~days.isin(pd.DatetimeIndex(closed))
    frame = pd.DataFrame({"timestamp": days[keep].strftime("%Y-%m-%d"), "calls": calls[keep]})
    path = tmp / name
    frame.to_csv(path, index=False)
    return read_history(path)


def day(result, date: str) -> float:
    return float(result.daily.set_index("date").loc[date, "calls"])


def test_holiday_key_drops_year_notes():
    assert holiday_key("Independence Day (observed)") == "Independence Day"
    assert holiday_key("Day off (substituted from 05/04/2024)") == "Day off"


@pytest.mark.slow
def test_unseen_holiday_is_an_ordinary_day_with_a_note(tmp_path):
    # the history's three holidays (MLK, Washington's Birthday, Memorial Day) were all closed
    closed = ["2025-01-20", "2025-02-17", "2025-05-26"]
    history = weekday_line(tmp_path, "2025-01-06", "2025-06-13", closed)
    result = forecast_history(history, horizon_days=14, country="US", model="regression")
    thursday = day(result, "2025-06-26")
    assert day(result, "2025-06-19") > 0.8 * thursday  # Juneteenth: never seen, open
    # no catch-up day after a holiday that was not closed
    assert day(result, "2025-06-20") < 1.1 * day(result, "2025-06-27")
    notes = [n for n in result.notes if "Juneteenth" in n]
    assert notes and "2025-06-19" in notes[0] and "events" in notes[0]


@pytest.mark.slow
def test_holiday_seen_closed_is_closed(tmp_path):
    closed = ["2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25", "2025-01-01"]
    history = weekday_line(tmp_path, "2024-06-03", "2025-06-27", closed)
    result = forecast_history(history, horizon_days=14, country="US", model="regression")
    assert day(result, "2025-07-04") == 0
    assert day(result, "2025-07-03") > 500
    assert not [n for n in result.notes if "Independence" in n]


@pytest.mark.slow
def test_holiday_seen_both_ways_follows_the_latest(tmp_path):
    # Labor Day closed in 2023, open in 2024; Veterans Day open in 2023, closed in 2024
    closed = ["2023-09-04", "2024-11-11"]
    history = weekday_line(tmp_path, "2023-06-05", "2025-08-29", closed)
    result = forecast_history(history, horizon_days=80, country="US", model="regression")
    assert day(result, "2025-09-01") > 500  # Labor Day: open last time
    assert day(result, "2025-11-11") == 0  # Veterans Day: closed last time
    assert day(result, "2025-10-13") > 500  # Columbus Day: always open


def israeli_line(tmp: Path, start: str, end: str) -> tuple:
    """Sunday-Thursday ~1,000 calls, Friday a short day (400), Saturday and holidays closed;
    a holiday's eve is a short day too: 400 calls, whatever its weekday; an observance (Chol
    HaMoed, Purim) takes 70% of its weekday's calls."""
    days = pd.date_range(start, end, freq="D")
    level = np.array([1000, 1000, 1000, 1000, 400, 0, 1000])[days.day_of_week].astype(float)
    feats = day_features(days, "IL")
    level = np.where(feats["eve"].to_numpy() == 1, 400.0, level)
    level = np.where(feats["observance"].to_numpy() == 1, 0.7 * level, level)
    level[is_holiday(days, "IL")] = 0.0
    wobble = 1 + 0.03 * np.sin(np.arange(len(days)) * 1.7)
    keep = level > 0
    frame = pd.DataFrame(
        {"timestamp": days[keep].strftime("%Y-%m-%d"), "calls": np.round(level * wobble)[keep]}
    )
    frame.to_csv(tmp / "il.csv", index=False)
    return read_history(tmp / "il.csv")


@pytest.mark.slow
def test_eves_shorten_full_days_only_and_observances_have_their_effect(tmp_path):
    history = israeli_line(tmp_path, "2023-01-01", "2026-08-31")
    result = forecast_history(history, horizon_days=45, country="IL", model="regression")
    # 2026-09-20, a Sunday, is the eve of Yom Kippur; 2026-09-11 and -25, Fridays, are eves too
    assert 300 < day(result, "2026-09-20") < 500
    assert 900 < day(result, "2026-09-06") < 1100  # an ordinary Sunday
    for friday in ("2026-09-11", "2026-09-25", "2026-09-18"):
        assert 300 < day(result, friday) < 500
    # Sukkot's middle days (observances, learned from Pesach's and Purim) take ~70%
    assert 600 < day(result, "2026-09-28") < 800
    assert 900 < day(result, "2026-09-07") < 1100  # an ordinary Monday


def test_eve_and_observance_days_come_from_the_calendar():
    days = pd.date_range("2025-12-20", "2025-12-26", freq="D")
    eve = day_features(days, "US")["eve"].to_numpy()
    assert eve.tolist() == [0, 0, 0, 0, 1, 0, 0]  # Christmas Eve only; the holiday is not an eve
    sukkot = day_features(pd.date_range("2026-09-25", "2026-10-02"), "IL")
    assert sukkot["observance"].tolist() == [0, 0, 1, 1, 1, 1, 1, 0]  # Chol HaMoed, not the feast
    assert day_features(days, "VN")["observance"].sum() == 0  # VN has no such calendar
