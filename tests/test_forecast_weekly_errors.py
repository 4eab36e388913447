"""The forecaster's weekly errors: its calibration forecasts' weekly totals against the calls
that came (`ForecastResult.weekly_log_errors`), the measured spread of a week at short leads."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import forecast, history
from planner.forecast.rolling import week_log_errors


@given(
    common=st.lists(st.floats(-0.5, 0.5), min_size=1, max_size=6),
    level=st.floats(10.0, 1e4),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=60, deadline=None)
def test_perfectly_correlated_day_errors_do_not_shrink_in_a_week(common, level, seed):
    """Every day of a week off by the same log error: the week is off by exactly that."""
    rng = np.random.default_rng(seed)
    mean = level * rng.uniform(0.3, 1.5, size=7 * len(common))  # any weekly pattern
    actual = mean * np.exp(np.repeat(common, 7))
    np.testing.assert_allclose(week_log_errors(actual, mean), common, atol=1e-9)


def test_independent_day_errors_shrink_by_the_root_of_seven_in_a_week():
    """Independent day errors of log-sd s: the week's log error has sd s / sqrt(7) (to first
    order in s; an equal-days week, 20,000 of them)."""
    rng = np.random.default_rng(7)
    s, weeks = 0.05, 20_000
    mean = np.full(7 * weeks, 1000.0)
    actual = mean * np.exp(rng.normal(0.0, s, size=mean.size))
    ratio = s / np.std(week_log_errors(actual, mean))
    assert abs(ratio - np.sqrt(7.0)) < 0.05 * np.sqrt(7.0)


def test_a_week_with_a_missing_day_or_no_calls_is_not_scored():
    mean = np.full(21, 100.0)
    actual = mean.copy()
    actual[3] = np.nan
    actual[7:14] = 0.0
    errors = week_log_errors(actual, mean)
    assert np.isnan(errors[0]) and np.isnan(errors[1]) and errors[2] == 0.0


def test_the_forecaster_scores_its_weekly_totals_at_the_calibration_origins():
    days = pd.date_range("2023-01-02", "2025-12-28", freq="D")
    rng = np.random.default_rng(3)
    weekday = np.array([1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7])[days.day_of_week]
    calls = 3000.0 * weekday * np.exp(rng.normal(0.0, 0.05, size=len(days)))
    frame = pd.DataFrame({"timestamp": days, "calls": calls.round()})
    hist = history.History(frame, None, (), "synthetic")
    result = forecast.forecast_history(hist, horizon_days=35, model="seasonal_naive", country=None)
    errors = np.asarray(result.weekly_log_errors)
    assert errors.shape == (26, 4)  # the calibration's 26 origins, leads of 1 to 4 weeks
    # each row's first forecast day: a week apart, the last one 28 days (the calibration's
    # horizon) before the forecast's first day
    origins = pd.DatetimeIndex(result.weekly_error_origins)
    assert len(origins) == 26 and (origins.to_series().diff().dropna().dt.days == 7).all()
    assert origins[-1] == pd.Timestamp("2025-12-29") - pd.Timedelta(days=28)
    assert np.isfinite(errors).all()
    # the naive's weekly error is last week's noise and this week's, averaged over 7 days
    assert 0.5 * 0.05 * np.sqrt(2 / 7) < np.std(errors) < 2 * 0.05 * np.sqrt(2 / 7)


def test_a_regression_scores_only_origins_with_the_span_it_forecasts_from():
    """Origins with under 700 days of history fit another regression (no trend, a coarse
    yearly shape): their weeks are not this forecast's errors and are not scored."""
    days = pd.date_range("2023-01-02", "2025-02-16", freq="D")
    rng = np.random.default_rng(5)
    weekday = np.array([1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7])[days.day_of_week]
    calls = 3000.0 * weekday * np.exp(rng.normal(0.0, 0.05, size=len(days)))
    hist = history.History(pd.DataFrame({"timestamp": days, "calls": calls.round()}), None, (), "s")
    result = forecast.forecast_history(hist, horizon_days=28, model="regression", country=None)
    errors = np.asarray(result.weekly_log_errors)
    # origins a week apart, the last 28 days before the end: their spans in days
    spans = len(days) - 28 - 7 * np.arange(errors.shape[0])[::-1]
    scored = np.isfinite(errors).any(axis=1)
    np.testing.assert_array_equal(scored, spans >= 700)
    assert scored.any() and not scored.all()
