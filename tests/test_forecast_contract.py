"""One contract for every daily model (and `auto`): what `forecast_history` returns has the asked
length, ordered bounds, zero on closed days, intervals adding up to their day, and the same
numbers on a second run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.forecast import forecast_history
from planner.forecast.models import MODELS
from planner.history import read_history

HORIZON_DAYS = 14


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Twenty weeks of hourly calls, open Monday-Saturday 07:00-20:00, closed on Sundays, with
    noise, a weekly shape and a slow rise."""
    rng = np.random.default_rng(7)
    times = pd.date_range("2025-06-02", periods=20 * 7 * 24, freq="h")
    times = times[(times.day_of_week < 6) & (times.hour >= 7) & (times.hour < 20)]
    hour = times.hour.to_numpy()
    shape = np.sin((hour - 6) / 14 * np.pi) + 0.2
    weekday = np.array([1.3, 1.1, 1.0, 1.0, 0.9, 0.6, 0.0])[times.day_of_week]
    trend = 1 + np.arange(len(times)) / len(times) * 0.2
    calls = rng.poisson(40 * shape * weekday * trend)
    path = tmp_path_factory.mktemp("contract") / "calls.csv"
    pd.DataFrame({"timestamp": times.strftime("%Y-%m-%dT%H:%M"), "calls": calls}).to_csv(
        path, index=False
    )
    return read_history(path)


@pytest.mark.slow
@pytest.mark.parametrize("model", [*MODELS, "auto"])
def test_every_model_keeps_the_forecast_contract(history, model):
    first = forecast_history(history, horizon_days=HORIZON_DAYS, country=None, model=model)
    second = forecast_history(history, horizon_days=HORIZON_DAYS, country=None, model=model)
    daily, intervals = first.daily, first.intervals

    assert len(daily) == HORIZON_DAYS
    days = pd.to_datetime(daily["date"])
    assert days.iloc[0] == history.last_day() + pd.Timedelta(days=1)
    assert (days.diff().dropna() == pd.Timedelta(days=1)).all()
    assert list(intervals.columns[:4]) == ["timestamp", "calls", "lower", "upper"]
    for frame in (daily, intervals):
        assert (frame["calls"] >= 0).all()
        assert (frame["lower"] <= frame["calls"] + 1e-9).all()
        assert (frame["calls"] <= frame["upper"] + 1e-9).all()

    stamps = pd.to_datetime(intervals["timestamp"])
    sundays = stamps.dt.day_of_week == 6
    assert (intervals.loc[sundays, "calls"] == 0).all()
    assert (daily.loc[days.dt.day_of_week.to_numpy() == 6, "calls"] == 0).all()
    night = (stamps.dt.hour < 7) | (stamps.dt.hour >= 20)
    assert (intervals.loc[night, "calls"] == 0).all()

    per_day = intervals.groupby(stamps.dt.normalize())["calls"].sum()
    np.testing.assert_allclose(per_day.to_numpy(), daily["calls"].to_numpy(), atol=0.51)

    pd.testing.assert_frame_equal(first.intervals, second.intervals)
    pd.testing.assert_frame_equal(first.daily, second.daily)
