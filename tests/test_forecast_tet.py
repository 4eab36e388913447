"""Tết by day: each day of the holiday and the first days back are their own effects, the same
in every year whatever weekday they fall on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.calendar import holiday_names
from planner.forecast import forecast_history
from planner.history import History

WEEKLY = np.array([1.15, 1.05, 1.0, 1.0, 0.97, 0.8, 0.7])
# share of a normal day from the eve to the 4th day, then the first three days back
TET_SHAPE = {-1: 0.55, 0: 0.3, 1: 0.35, 2: 0.5, 3: 0.7}
BACK_SHAPE = {1: 1.35, 2: 1.2, 3: 1.08}


def tet_days(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Lunar New Year's day and the last day of the Tết block off, from python-holidays."""
    names = holiday_names("VN", pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-03-01"))
    block = sorted(d for d, n in names.items() if "Lunar New Year" in n)
    first = next(d for d in block if names[d] == "Lunar New Year")
    return first, block[-1]


def tet_history(end: str) -> tuple[History, pd.Series]:
    days = pd.date_range("2022-01-03", end)
    level = 3000 * WEEKLY[days.day_of_week]
    truth = pd.Series(level, index=days)
    for year in range(2022, 2027):
        first, last = tet_days(year)
        names = holiday_names("VN", first - pd.Timedelta(days=10), last)
        for day, name in names.items():
            if "Lunar New Year" in name and day in truth.index:
                truth[day] = 3000 * TET_SHAPE.get((day - first).days, 0.6)
        for k, m in BACK_SHAPE.items():
            day = last + pd.Timedelta(days=k)
            if day in truth.index:
                truth[day] *= m
    rng = np.random.default_rng(5)
    calls = np.round(truth.to_numpy() * rng.lognormal(0, 0.03, len(days)))
    return History(pd.DataFrame({"timestamp": days, "calls": calls}), None, (), "tet"), truth


@pytest.mark.slow
@pytest.mark.parametrize("year", [2025, 2026])
def test_tet_days_and_days_back_by_day(year):
    first, last = tet_days(year)
    history, truth = tet_history(f"{year}-04-30")
    start = first - pd.Timedelta(days=5)
    result = forecast_history(history, horizon_days=18, start=start, model="regression")
    fc = result.daily.set_index(pd.to_datetime(result.daily["date"]))["calls"]
    checked = [first + pd.Timedelta(days=k) for k in TET_SHAPE]
    checked += [last + pd.Timedelta(days=k) for k in BACK_SHAPE]
    error = (fc[checked] / truth[checked] - 1).abs()
    assert error.max() < 0.1, error.round(3).to_dict()
