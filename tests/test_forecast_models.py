"""Daily models and their choice: the contract every model keeps, level shifts, near-ties,
short histories, and a weather forecast in the temperature file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.forecast import MODELS, forecast_history
from planner.forecast.models import (
    LEVEL_ALPHAS,
    LEVEL_FAST,
    LEVEL_HORIZON,
    choose_level,
    level_errors,
    step_levels,
)
from planner.forecast.rolling import clearly_better
from planner.history import History

WEEKLY = np.array([1.15, 1.05, 1.0, 1.0, 0.97, 0.8, 0.7])


def daily(days: pd.DatetimeIndex, level: np.ndarray, name: str = "synthetic") -> History:
    rng = np.random.default_rng(7)
    calls = np.round(level * WEEKLY[days.day_of_week] * rng.lognormal(0, 0.04, len(days)))
    return History(pd.DataFrame({"timestamp": days, "calls": calls}), None, (), name)


@pytest.mark.slow
@pytest.mark.parametrize("model", MODELS)
def test_every_model_keeps_the_contract(model):
    days = pd.date_range("2025-01-06", "2025-06-29")
    keep = days.day_of_week < 5  # a weekday-only line: weekends closed
    hist = daily(days[keep], np.full(keep.sum(), 1000.0))
    runs = [forecast_history(hist, horizon_days=14, country="none", model=model) for _ in range(2)]
    out = runs[0].daily
    assert len(out) == 14 and (out["lower"] <= out["calls"]).all()
    assert (out["calls"] <= out["upper"]).all()
    weekend = pd.to_datetime(out["date"]).dt.day_of_week >= 5
    assert (out.loc[weekend, ["calls", "lower", "upper"]] == 0).all().all()
    assert (out.loc[~weekend, "calls"] > 500).all()
    pd.testing.assert_frame_equal(runs[0].intervals, runs[1].intervals)


@pytest.mark.slow
def test_level_regression_carries_a_new_level():
    days = pd.date_range("2022-07-04", "2025-06-29")
    level = np.where(days >= pd.Timestamp("2025-04-07"), 1300.0, 1000.0)  # +30% for 12 weeks
    hist = daily(days, level)
    plain = forecast_history(hist, horizon_days=14, country="none", model="regression")
    carried = forecast_history(hist, horizon_days=14, country="none", model="regression_level")
    expected = 1300.0 * WEEKLY[pd.to_datetime(carried.daily["date"]).dt.day_of_week].sum()
    assert abs(carried.daily["calls"].sum() / expected - 1) < 0.05
    assert carried.daily["calls"].sum() > plain.daily["calls"].sum()


def test_near_ties_keep_the_simpler_model():
    simpler = np.array([100.0, 110, 90, 105, 95, 100, 102, 98, 100, 101, 99, 100])
    assert not clearly_better(simpler * 0.995, simpler)  # 0.5% better: a tie
    noisy = simpler * np.array([0.8, 1.2] * 6) * 0.97  # 3% better on the sum, by noise
    assert not clearly_better(noisy, simpler)
    assert clearly_better(simpler * 0.9, simpler)  # 10% better at every origin


@pytest.mark.slow
def test_short_history_says_what_it_cannot_learn():
    days = pd.date_range("2025-01-06", "2025-11-30")
    result = forecast_history(daily(days, np.full(len(days), 1000.0)), horizon_days=7)
    assert result.model in ("seasonal_naive", "ets", "regression_level")  # no flat level
    notes = [n for n in result.notes if n.startswith("history:")]
    assert notes and "yearly shape" in notes[0] and f"{len(days)} days" in notes[0]
    long = pd.date_range("2023-01-02", "2025-11-30")
    history = daily(long, np.full(len(long), 1000.0))
    result = forecast_history(history, horizon_days=7, model="regression")
    assert not [n for n in result.notes if n.startswith("history:")]


@pytest.mark.slow
def test_temperature_rows_past_the_history_are_the_forecast():
    days = pd.date_range("2023-01-02", "2025-09-28")
    rng = np.random.default_rng(3)
    doy = days.day_of_year.to_numpy()
    temp = 28 + 6 * np.sin((doy - 100) / 365 * 2 * np.pi) + rng.normal(0, 1.5, len(days))
    heat = np.maximum(temp - 32, 0)
    noise = rng.lognormal(0, 0.05 * heat)  # hot days are harder to forecast
    hist = daily(days, 1000.0 * (1 + 0.08 * heat) * noise)
    future = pd.date_range("2025-09-29", periods=14)
    known = pd.Series(temp, index=days)
    wave = pd.Series(30.0, index=future)
    wave.iloc[3:7] = 39.0  # a heat wave on days 4-7 of the forecast
    with_forecast = pd.concat([known, wave.iloc[:10]])  # the weather forecast stops at day 10
    hot = forecast_history(
        hist, horizon_days=14, country="none", temperature=with_forecast, model="regression"
    )
    base = forecast_history(
        hist, horizon_days=14, country="none", temperature=known, model="regression"
    )
    ratio = hot.daily["calls"].to_numpy() / base.daily["calls"].to_numpy()
    assert ratio[3:7].min() > 1.3  # 7 °C over the threshold: about +56%
    assert abs(ratio[10:] - 1).max() < 0.05  # climatology again where the forecast ends
    note = next(n for n in hot.notes if n.startswith("temperature"))
    assert "from the file: 2025-09-29..2025-10-08" in note
    assert "climatology: 2025-10-09..2025-10-12" in note
    # without the horizon's weather the terms add nothing the yearly shape does not: they are
    # either taken from the climatology or left out, and a note says which
    assert any(n.startswith("temperature:") for n in base.notes)
    width = np.log(hot.daily["upper"] / hot.daily["lower"])
    assert width.iloc[3:7].mean() > 1.2 * width.iloc[[0, 1, 2, 7, 8, 9]].mean()  # wider in heat


def test_a_very_short_history_keeps_the_naive_unless_clearly_beaten():
    simpler = np.array([100.0, 110, 90, 105])
    mixed = simpler - np.array([-3.0, 29, -8, 18])  # wins big twice, loses twice: not clear
    assert clearly_better(mixed, simpler)  # enough for a long history's near-tie test
    assert not clearly_better(mixed, simpler, strict=True)
    assert not clearly_better(simpler[:2] * 0.5, simpler[:2], strict=True)  # too few origins
    one_bad = simpler * np.array([1.3, 0.8, 0.8, 0.8])  # better at 3 of 4, one origin swings
    assert not clearly_better(one_bad, simpler) and clearly_better(one_bad, simpler, strict=True)
    days = pd.date_range("2025-09-01", periods=56)
    result = forecast_history(daily(days, np.full(len(days), 1000.0)), horizon_days=7)
    note = next(n for n in result.notes if "seasonal naive is kept unless" in n)
    assert note.endswith("none was" if result.model == "seasonal_naive" else f"{result.model} was")


def ar1(n: int, phi: float, seed: int, sd: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.zeros(n)
    for i in range(1, n):
        out[i] = phi * out[i - 1] + rng.normal(0, sd)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_level_weight_is_chosen_by_the_horizons_error(seed):
    # AR(1) residuals (lag-1 correlation 0.8): the one-step-ahead error picks a fast level,
    # which carries the last days' level for two weeks; the choice over steps 1..14 is slower,
    # and forecasts the next 1-14 days of the same process better than the one-step choice
    resid = ar1(3000, 0.8, seed)
    past, fresh = resid[:700], resid[700:]
    one_step = min(LEVEL_ALPHAS, key=lambda a: np.nanmean(level_errors(past, a, 1) ** 2))
    alpha, share, _, rmse = choose_level(past)
    assert one_step >= 0.3
    effective = share * LEVEL_FAST + (1 - share) * alpha
    assert effective < one_step
    assert rmse.shape == (LEVEL_HORIZON,) and rmse[-1] > rmse[0]

    def horizon_error(a: float, w: float) -> float:
        run = np.concatenate([past, fresh])
        errors = w * level_errors(run, LEVEL_FAST, 14, 2290) + (1 - w) * level_errors(
            run, a, 14, 2290
        )
        return float(np.nanmean(errors**2))

    assert horizon_error(alpha, share) < horizon_error(one_step, 0.0)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_fresh_sustained_step_is_followed_and_noise_is_not_taken_for_one(seed):
    # AR(1) residuals, then +25% for the last three weeks (15 open days): the step is found,
    # its level is the mean since it, and the level forecast follows it (within a third of the
    # step; a slow level of the horizon's choice would take weeks); the same residuals without
    # the step find none, and keep a level near 0
    resid = ar1(300, 0.5, seed)
    stepped = resid.copy()
    stepped[-15:] += np.log(1.25)
    found, level = step_levels(stepped, np.array([stepped.size - 1]))
    assert found[0] and level[0] == pytest.approx(stepped[-15:].mean())
    assert abs(choose_level(stepped)[2] - level[0]) < np.log(1.25) / 3
    assert not step_levels(resid, np.array([resid.size - 1]))[0][0]
    assert abs(choose_level(resid)[2]) < 0.05


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_level_sliding_back_is_not_taken_for_a_step(seed):
    # a season: +0.5 for 12 weeks, then sliding back to 0 over the last two weeks; a step is
    # there (the 12 weeks against the weeks before), but the last days no longer hold its
    # level: the forecast's level is not the mean since the step
    resid = ar1(300, 0.5, seed)
    resid[-98:] += np.concatenate([np.full(84, 0.5), np.linspace(0.5, 0.0, 14)])
    found, level = step_levels(resid, np.array([resid.size - 1]))
    assert found[0] and level[0] > 0.35
    assert choose_level(resid)[2] < level[0] - 0.1


def test_weather_terms_that_do_not_help_are_dropped():
    # calls that do not follow the weather, a temperature file that varies: the terms are
    # left out (a note says so) and the forecast is the one made without the file
    days = pd.date_range("2024-06-01", "2025-09-28")
    rng = np.random.default_rng(5)
    temp = pd.Series(25 + 8 * np.sin(days.day_of_year / 365 * 2 * np.pi), index=days)
    temp += rng.normal(0, 3, len(days))
    hist = daily(days, 1000.0 * np.exp(0.1 * ar1(len(days), 0.7, 9, 0.3)))
    run = {"horizon_days": 14, "country": "none", "model": "regression"}
    with_file = forecast_history(hist, temperature=temp, **run)
    without = forecast_history(hist, **run)
    assert any(n.startswith("temperature: left out") for n in with_file.notes)
    pd.testing.assert_frame_equal(with_file.daily, without.daily)
