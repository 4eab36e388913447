"""The demand spread by lead, measured on the history itself (`planner.capacity.spread`)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import capacity, history
from planner.capacity import spread
from planner.scenario import ServiceConfig

CUT = dt.date(2026, 1, 5)  # a Monday


def daily_history(tmp_path, name: str, walk_pct: float, *, after: float = 1.0, seed: int = 0):
    """Daily calls from 2022-06-06 to the day before CUT (and 20 weeks after it, at `after`
    times the level): a weekly pattern, 4% day noise, and a level that random-walks by
    `walk_pct` a week."""
    days = pd.date_range("2022-06-06", pd.Timestamp(CUT) + pd.Timedelta(weeks=20), freq="D")
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.0, walk_pct / 100.0, size=len(days) // 7 + 1)
    level = 3000.0 * np.exp(np.cumsum(steps)[np.arange(len(days)) // 7])
    weekday = np.array([1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7])[days.day_of_week]
    calls = level * weekday * np.exp(rng.normal(0.0, 0.04, size=len(days)))
    calls = np.where(days >= pd.Timestamp(CUT), calls * after, calls)
    path = tmp_path / f"{name}.csv"
    pd.DataFrame({"timestamp": days.strftime("%Y-%m-%d"), "calls": calls.round()}).to_csv(
        path, index=False
    )
    return history.read_history(path)


@given(
    a=st.floats(0.0, 0.05),
    b=st.floats(0.0, 0.002),
    origins=st.integers(2, 9),
    leads=st.integers(2, 30),
)
@settings(max_examples=50, deadline=None)
def test_the_fit_recovers_a_spread_that_grows_like_a_random_walk(a, b, origins, leads):
    # errors whose mean absolute value at lead h is sqrt(a + b (h - 1)) / sqrt(pi / 2)
    h = np.arange(leads, dtype=float)
    size = np.sqrt(a + b * h) / math.sqrt(math.pi / 2)
    signs = np.where(np.arange(origins)[:, None] % 2 == 0, 1.0, -1.0)
    errors = signs * size[None, :]
    errors[0, -1] = np.nan  # an unscored week changes nothing
    got_a, got_b, s = spread.fit_spread(errors)
    assert got_a == pytest.approx(a, abs=1e-9) and got_b == pytest.approx(b, abs=1e-9)
    np.testing.assert_allclose(s, np.sqrt(a + b * h), atol=1e-9)


def test_a_shrinking_spread_is_not_extrapolated_downwards():
    errors = np.array([[0.10, 0.08, 0.06, 0.04], [-0.10, -0.08, -0.06, -0.04]])
    a, b, s = spread.fit_spread(errors)
    assert b == 0.0 and a == pytest.approx(np.mean(s**2))


def test_origins_sit_on_a_fixed_grid_and_need_a_year_of_history():
    origins = spread.grid_origins(CUT, dt.date(2022, 6, 6))
    assert len(origins) == spread.ORIGINS
    assert all(o.weekday() == 0 for o in origins)
    assert all((o - spread.GRID_EPOCH).days % (7 * spread.STEP_WEEKS) == 0 for o in origins)
    assert origins[-1] + dt.timedelta(weeks=spread.STEP_WEEKS) <= CUT
    assert all((o - dt.date(2022, 6, 6)).days >= spread.MIN_SPAN_DAYS for o in origins)
    # a week later the grid is the same origins (a backtest's origins share forecasts)
    later = spread.grid_origins(CUT + dt.timedelta(weeks=1), dt.date(2022, 6, 6))
    assert set(later) <= set(origins) | {later[-1]}
    assert spread.grid_origins(CUT, dt.date(2024, 1, 1)) == []  # under two years before any


@pytest.mark.slow  # 36 seasonal-naive forecasts of 3.5 years of days (a minute at a load of 10)
def test_the_spread_is_measured_before_the_cut_and_grows_with_a_wandering_level(tmp_path):
    steady = daily_history(tmp_path, "steady", 0.0)
    wild = daily_history(tmp_path, "wild", 0.0, after=3.0)  # the weeks after the cut tripled
    kw = {"model": "seasonal_naive", "country": None}
    one, two = spread.measure_spread(steady, CUT, **kw), spread.measure_spread(wild, CUT, **kw)
    assert one is not None and one == two  # nothing after the cut is read
    wander = spread.measure_spread(daily_history(tmp_path, "wander", 3.0, seed=1), CUT, **kw)
    assert wander is not None
    assert wander.b > one.b and wander.sigma_at([26])[0] > 2 * one.sigma_at([26])[0]
    assert wander.sigma_at([26])[0] > wander.sigma_at([1])[0]  # wider with the lead
    # a plan's weeks take the spread at their lead from the cut
    demand = _four_weeks_demand(CUT + dt.timedelta(weeks=10), wander)
    np.testing.assert_allclose(demand.weeks["sigma"], wander.sigma_at([11, 12, 13, 14]))


def test_a_short_history_keeps_the_bounds_spread(tmp_path):
    short = daily_history(tmp_path, "short", 0.0)
    assert spread.measure_spread(short, dt.date(2024, 8, 5), model="seasonal_naive") is None


@given(
    errors=st.lists(
        st.lists(st.floats(-0.5, 0.5) | st.just(math.nan), min_size=4, max_size=4),
        min_size=2,
        max_size=6,
    ),
    a=st.floats(1e-4, 0.05),
    b=st.floats(0.0, 0.002),
)
@settings(max_examples=100, deadline=None)
def test_the_scaled_band_holds_eighty_percent_of_the_measured_errors(errors, a, b):
    # whatever their shape or offset: +-z_0.9 k sigma(h) holds at least 80% of the scored
    # errors, and any narrower band (a smaller k) holds fewer
    e = np.array(errors, dtype=float)
    finite = np.isfinite(e)
    k = spread.quantile_scale(e, a, b)
    if not finite.any():
        assert k == 1.0
        return
    sigma = np.sqrt(a + b * np.arange(e.shape[1], dtype=float))
    ratio = (np.abs(e) / sigma[None, :])[finite]
    if (ratio == 0).mean() >= spread.BAND_SHARE:
        assert k == 1.0  # the band would be nothing: kept as fitted
        return
    inside = ratio <= k * spread.Z90 * (1 + 1e-12)
    assert inside.mean() >= spread.BAND_SHARE
    assert (ratio < k * spread.Z90 * (1 - 1e-9)).mean() < spread.BAND_SHARE


def test_offset_errors_get_a_band_just_wide_enough_and_normal_ones_keep_theirs():
    # every past origin under-forecast by 10%: the mean |e| read as a normal sd (x 1.25) would
    # put the band at +-16%; the quantile puts it at +-10%
    offset = np.full((8, 10), 0.10)
    a, b, _ = spread.fit_spread(offset)
    k = spread.quantile_scale(offset, a, b)
    assert k * math.sqrt(a) * spread.Z90 == pytest.approx(0.10)
    # centred normal errors of sd 0.1: k near 1
    rng = np.random.default_rng(3)
    normal = rng.normal(0.0, 0.1, size=(400, 10))
    a, b, _ = spread.fit_spread(normal)
    assert spread.quantile_scale(normal, a, b) == pytest.approx(1.0, abs=0.05)


@given(
    reach=st.lists(st.integers(0, 26), min_size=1, max_size=12),
)
@settings(max_examples=100, deadline=None)
def test_the_fit_reads_only_the_leads_enough_origins_score(reach):
    # origin k scores its first reach[k] leads (a later origin, fewer before the cut): the fit
    # reads leads 1 .. L, each scored at MIN_ORIGINS origins or more, and lead L + 1 is not
    errors = np.full((len(reach), spread.LEAD_WEEKS), np.nan)
    for k, r in enumerate(reach):
        errors[k, :r] = 0.05
    longest = spread.seen_leads(errors)
    count = np.isfinite(errors).sum(axis=0)
    assert np.all(count[:longest] >= spread.MIN_ORIGINS)
    assert longest == spread.LEAD_WEEKS or count[longest] < spread.MIN_ORIGINS
    assert longest == sum(1 for h in range(1, 27) if sum(r >= h for r in reach) >= 4)


# --- a short history: the weekly errors at short leads and the level's drift -----------------


def weekly_days(weeks: int, *, walk_pct: float = 0.0, trend_pct: float = 0.0, seed: int = 0,
                shape=None, start: str = "2020-01-06") -> pd.Series:  # fmt: skip
    """Daily totals over `weeks` whole weeks from a Monday: a weekly pattern, a yearly shape
    (52-week periodic), a trend of `trend_pct` a year, 3% week noise and a level that
    random-walks by `walk_pct` a week."""
    rng = np.random.default_rng(seed)
    week = np.arange(weeks)
    yearly = np.sin(2 * np.pi * week / 52) * 0.15 if shape is None else np.asarray(shape)[week % 52]
    level = np.cumsum(rng.normal(0.0, walk_pct / 100.0, size=weeks))
    x = 8.0 + yearly + trend_pct / 100.0 * week / 52 + level + rng.normal(0.0, 0.03, size=weeks)
    weekday = np.array([1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7]) / 6.8
    days = pd.date_range(start, periods=7 * weeks, freq="D")
    return pd.Series(np.repeat(np.exp(x), 7) * np.tile(weekday, weeks), index=days)


def cut_after(days: pd.Series) -> dt.date:
    return (days.index[-1] + pd.Timedelta(days=1)).date()


@given(
    trend=st.floats(-30.0, 30.0),
    shape=st.lists(st.floats(-0.5, 0.5), min_size=52, max_size=52),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=40, deadline=None)
def test_the_drift_ignores_the_yearly_shape_and_a_steady_trend(trend, shape, seed):
    # the year-on-year differences remove any 52-week shape, and a steady trend only shifts
    # them by a constant, which their lagged differences cancel
    plain = weekly_days(150, walk_pct=1.0, seed=seed, shape=np.zeros(52))
    shaped = weekly_days(150, walk_pct=1.0, seed=seed, shape=shape, trend_pct=trend)
    one = spread.level_drift(plain, cut_after(plain), None)
    two = spread.level_drift(shaped, cut_after(shaped), None)
    assert one is not None and two is not None
    assert two[0] == pytest.approx(one[0], rel=1e-6, abs=1e-12) and two[1:] == one[1:]


def test_the_drift_finds_a_wandering_level_and_none_in_a_steady_one():
    # six years of weeks; a level that random-walks by 1.5% a week: b = 0.000225
    walk = weekly_days(312, walk_pct=1.5, seed=4)
    b, pairs, lags = spread.level_drift(walk, cut_after(walk), None)
    assert lags == spread.DRIFT_LAGS and pairs > 3000
    assert 0.5 * 0.015**2 < b < 2.0 * 0.015**2
    steady = weekly_days(312, seed=4)
    assert spread.level_drift(steady, cut_after(steady), None)[0] < 0.1 * 0.015**2


def test_the_drift_reads_only_the_weeks_before_the_cut_and_needs_a_year_and_a_half():
    days = weekly_days(160, walk_pct=1.0, seed=2)
    cut = dt.date(2022, 10, 3)  # a Monday inside the series
    later = days.copy()
    later[later.index >= pd.Timestamp(cut)] *= 3.0  # what came after the cut
    assert spread.level_drift(days, cut, None) == spread.level_drift(later, cut, None)
    assert spread.level_drift(weekly_days(60), cut_after(weekly_days(60)), None) is None
    assert spread.level_drift(weekly_days(80), cut_after(weekly_days(80)), None) is not None


def test_holiday_weeks_do_not_move_the_drift():
    # a week holding a public holiday (in either year of a pair) is left out: whatever its
    # calls, the drift is the same
    days = weekly_days(150, walk_pct=1.0, seed=6)
    cut = cut_after(days)
    odd = days.copy()
    for day in ("2021-02-12", "2022-02-01", "2021-09-02"):  # Tết 2021, Tết 2022, 2 September
        week = pd.Timestamp(day) - pd.Timedelta(days=pd.Timestamp(day).weekday())
        odd[(odd.index >= week) & (odd.index < week + pd.Timedelta(days=7))] *= 0.5
    assert spread.level_drift(odd, cut, "VN") == spread.level_drift(days, cut, "VN")
    assert spread.level_drift(odd, cut, None) != spread.level_drift(days, cut, None)


@given(errors=st.lists(st.floats(-0.5, 0.5) | st.just(math.nan), min_size=1, max_size=40))
@settings(max_examples=100, deadline=None)
def test_the_short_lead_band_holds_eighty_percent_of_the_weekly_errors(errors):
    e = np.array(errors, dtype=float)
    s = spread.band_scale(e)
    finite = np.abs(e[np.isfinite(e)])
    if finite.size == 0:
        assert s == 0.0
        return
    assert (finite <= s * spread.Z90 * (1 + 1e-12)).mean() >= spread.BAND_SHARE
    assert (finite < s * spread.Z90 * (1 - 1e-9)).mean() < spread.BAND_SHARE


def short_history(tmp_path):
    """Daily calls of 130 weeks on a 1% random walk (seed 8), the history read from a file of
    them, and the Monday after it."""
    days = weekly_days(130, walk_pct=1.0, seed=8)
    path = tmp_path / "short.csv"
    pd.DataFrame({"timestamp": days.index.strftime("%Y-%m-%d"), "calls": days.round()}).to_csv(
        path, index=False
    )
    return days, history.read_history(path), cut_after(days)


def test_the_short_spread_is_flat_over_the_measured_leads_then_drifts(tmp_path):
    days, hist, cut = short_history(tmp_path)
    rng = np.random.default_rng(1)
    errors = rng.normal(0.0, 0.05, size=(26, 4))
    short = spread.short_spread(hist, cut, errors, None)
    assert short is not None and short.reach == 4 and short.errors == 104
    assert short.b == spread.level_drift(days.round(), cut, None)[0] > 0
    sigma = short.sigma_at(np.arange(1, 27))
    np.testing.assert_allclose(sigma[:4], short.s0)
    np.testing.assert_allclose(sigma**2, short.s0**2 + short.b * np.maximum(np.arange(-3, 23), 0))
    assert spread.short_spread(hist, cut, errors[:2], None) is None  # 8 errors: too few
    assert spread.short_spread(hist, cut, (), None) is None
    # a plan's weeks take it at their lead from the cut
    demand = _four_weeks_demand(cut + dt.timedelta(weeks=10), short)
    np.testing.assert_allclose(demand.weeks["sigma"], short.sigma_at([11, 12, 13, 14]))
    assert "short history" in short.describe()


def test_past_origins_forecast_with_the_weather_known_then(tmp_path):
    # the temperature file's rows from the origin on are the weather that came: a forecast
    # from a past origin is not given them (the plan's own forecast months ahead has none)
    days = pd.date_range("2024-01-01", "2026-06-28", freq="D")
    temps = pd.Series(30.0 + 5.0 * np.sin(np.arange(len(days)) / 9.0), index=days)
    path = tmp_path / "temperature.csv"
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "temp_max_c": temps.round(1)}).to_csv(
        path, index=False
    )
    origin = dt.date(2025, 3, 3)
    before = temps[temps.index < pd.Timestamp(origin)]
    from_series = spread.known_temperature(temps, origin)
    from_file = spread.known_temperature(path, origin)
    pd.testing.assert_series_equal(from_series, before)
    np.testing.assert_allclose(from_file.to_numpy(), before.round(1).to_numpy())
    assert from_file.index.equals(before.index)
    assert spread.known_temperature(None, origin) is None


@pytest.mark.slow  # two regression forecasts with the temperature
def test_the_weather_after_an_origin_does_not_move_its_forecast(tmp_path):
    days = pd.date_range("2023-01-02", "2025-06-29", freq="D")
    rng = np.random.default_rng(9)
    temps = pd.Series(
        30.0 + 4.0 * np.sin(2 * np.pi * days.day_of_year / 365) + rng.normal(0, 2, len(days)),
        index=days,
    )
    calls = 3000.0 * np.exp(0.03 * (temps.to_numpy() - 30.0) + rng.normal(0.0, 0.04, len(days)))
    path = tmp_path / "h.csv"
    pd.DataFrame({"timestamp": days.strftime("%Y-%m-%d"), "calls": calls.round()}).to_csv(
        path, index=False
    )
    hist = history.read_history(path)
    origin = dt.date(2025, 1, 6)
    hot = temps.where(temps.index < pd.Timestamp(origin), temps + 8.0)  # a hot spell after it
    settings_ = ("regression", None, None)
    one = spread._weekly_forecast(hist, origin, (*settings_, temps, None))
    two = spread._weekly_forecast(hist, origin, (*settings_, hot, None))
    assert one is not None and two is not None
    pd.testing.assert_series_equal(one, two)
    # with the weather term, a past origin takes the weather that came up to the plan's cut:
    # the hot spell moves its weeks before the cut, and nothing after the cut is read
    cut = dt.date(2025, 3, 3)
    later = temps.where(temps.index < pd.Timestamp(cut), temps + 8.0)  # hot after the cut
    came = spread._weekly_forecast(hist, origin, (*settings_, temps, None), cut)
    assert came is not None
    after = spread._weekly_forecast(hist, origin, (*settings_, later, None), cut)
    pd.testing.assert_series_equal(came, after)
    warm = spread._weekly_forecast(hist, origin, (*settings_, hot, None), cut)
    assert warm is not None and (warm.loc[:7] > came.loc[:7]).all()


# --- the weather's own term ---------------------------------------------------------------


def test_no_temperature_file_no_weather_term():
    hist = weekly_hist = None  # never read: without a file there is nothing to measure
    assert spread.weather_term(hist, CUT, model="regression", temperature=None) is None
    assert weekly_hist is None


@given(
    effects=st.lists(st.floats(-0.3, 0.3), min_size=14, max_size=14),
    given_days=st.lists(st.booleans(), min_size=14, max_size=14),
)
@settings(max_examples=60, deadline=None)
def test_a_week_of_weather_forecast_rows_has_no_weather_term(effects, given_days):
    # two weeks from a Monday cut, two past years: the weather term of a week is zero when the
    # file has a weather-forecast row for each of its days, and shrinks with the days that have
    days = pd.date_range(pd.Timestamp(CUT), periods=14, freq="D")
    climate = np.full(14, 1000.0)
    x = np.array(effects)
    means = climate * np.exp(np.vstack([x, -x]))
    given_ = np.array(given_days)
    given_[:7] = True  # the first week: all forecast rows
    got = spread.weather_variance(days, climate, means, given_, CUT, weeks=2)
    free = spread.weather_variance(days, climate, means, np.zeros(14, dtype=bool), CUT, weeks=2)
    assert got[0] == 0.0
    assert got[1] <= free[1] + 1e-15
    assert got[1] == pytest.approx(free[1] * (1 - given_[7:].mean()) ** 2)


def test_the_weather_term_is_larger_where_past_weeks_varied_more():
    # three years: the forecast moves by +-2% with the weather in the first weeks, +-10% in the
    # later ones; the term follows (pooled over neighbouring weeks only)
    weeks = 20
    days = pd.date_range(pd.Timestamp(CUT), periods=7 * weeks, freq="D")
    climate = np.full(days.size, 1000.0)
    swing = np.where(np.arange(days.size) < 70, 0.02, 0.10)
    means = climate * np.exp(np.vstack([swing, -swing, 0 * swing]))
    var = spread.weather_variance(days, climate, means, np.zeros(days.size, dtype=bool), CUT, weeks)
    assert np.all(var[:6] < var[-6:])
    # mean square over the years times (K + 1) / (K - 1): the climatology is their own mean
    square = np.mean(np.log(np.exp(np.vstack([swing, -swing, 0 * swing]))) ** 2, axis=0)
    assert var[0] == pytest.approx(square[0] * 4 / 2, rel=1e-9)
    assert var[-1] == pytest.approx(square[-1] * 4 / 2, rel=1e-9)


def test_past_years_read_nothing_after_the_cut_and_keep_the_day_of_year():
    days = pd.date_range("2021-01-01", "2027-12-31", freq="D")
    temps = pd.Series(np.arange(days.size, dtype=float), index=days)
    future = pd.date_range(pd.Timestamp(CUT), periods=400, freq="D")
    recent = temps[(temps.index >= pd.Timestamp("2025-06-01")) & (temps.index < pd.Timestamp(CUT))]
    assert spread.past_years(recent, CUT, future) == []  # seven months: no whole year
    years = spread.past_years(temps, CUT, future)
    assert len(years) == 5  # 2021-01-05 .. 2026-01-04 in whole 365-day years
    for k, year in enumerate(years, start=1):
        source = pd.Timestamp(CUT) - pd.Timedelta(days=365 * k)
        assert year.iloc[0] == temps[source]
        assert year.iloc[365] == temps[source]  # a year on: the same day of the year
        assert (year.to_numpy() < temps[pd.Timestamp(CUT)]).all()


def test_the_weather_term_measures_the_fitted_response_and_skips_forecast_rows(tmp_path):
    # calls that follow the temperature (3% a degree) over summers of varied heat and winters
    # of steady cold: the term is larger in summer, and zero on the days with a weather forecast
    days = pd.date_range("2022-01-03", "2025-12-28", freq="D")
    rng = np.random.default_rng(5)
    season = np.sin(2 * np.pi * (days.day_of_year.to_numpy() - 80) / 365)
    summer = np.maximum(season, 0.0)
    year_heat = rng.normal(0.0, 3.0, size=10)[days.year - 2022]  # a hotter or cooler summer
    temps = pd.Series(
        28.0 + 6.0 * season + summer * (year_heat + rng.normal(0, 2.0, days.size)), index=days
    )
    calls = 3000.0 * np.exp(0.03 * (temps.to_numpy() - 28.0) + rng.normal(0.0, 0.02, days.size))
    path = tmp_path / "h.csv"
    pd.DataFrame({"timestamp": days.strftime("%Y-%m-%d"), "calls": calls.round()}).to_csv(
        path, index=False
    )
    hist = history.read_history(path)
    cut = dt.date(2025, 1, 6)
    known = temps[temps.index < pd.Timestamp(cut)]
    term = spread.weather_term(hist, cut, model="regression", country=None, temperature=known)
    assert term is not None and term.years == 3
    var = np.asarray(term.variance)
    winter, july = var[0:4].mean(), var[24:30].mean()  # January vs mid-June to July
    assert july > 2 * winter
    # a weather forecast for the first 14 days: the term is zero for those two weeks
    ahead = temps[
        (temps.index >= pd.Timestamp(cut))
        & (temps.index < pd.Timestamp(cut) + pd.Timedelta(days=14))
    ]
    rows = spread.weather_term(
        hist, cut, model="regression", country=None, temperature=pd.concat([known, ahead])
    )
    assert rows is not None
    assert rows.variance[0] == 0.0 and rows.variance[1] == 0.0
    assert rows.variance[30] == pytest.approx(term.variance[30])


def _four_weeks_demand(first: dt.date, spread_rule):
    """Four flat weeks from `first` (3,000 calls a day, 300 s) staffed with `spread_rule`."""
    cfg = capacity.CapacityConfig(horizon_weeks=4, tet_shrinkage_pct=None)
    days = pd.date_range(first, periods=28, freq="D")
    daily = pd.DataFrame({"date": days, "calls": 3000.0, "lower": 2700.0, "upper": 3300.0})
    stamps = pd.date_range(first, periods=28 * 24, freq="h")
    intervals = pd.DataFrame({"timestamp": stamps, "calls": 125.0, "aht": 300.0})
    return capacity.weekly_demand(
        intervals, daily, first, cfg, ServiceConfig().target(), country=None, spread=spread_rule
    )


# --- the estimator's laws and the workload's error ------------------------------------------


@given(
    errors=st.lists(st.floats(-0.5, 0.5), min_size=1, max_size=40),
    wider=st.lists(st.floats(1.0, 3.0), min_size=40, max_size=40),
)
@settings(max_examples=50, deadline=None)
def test_a_wider_error_distribution_never_gives_a_narrower_band(errors, wider):
    # every error at least as large in size (each |e| times a factor >= 1): neither the
    # short-lead scale nor the by-lead scale k (at the same fit) shrinks
    e = np.array(errors, dtype=float)
    w = e * np.array(wider[: e.size])
    assert spread.band_scale(w) >= spread.band_scale(e)
    assert (
        spread.quantile_scale(w[None, :], 0.01, 0.0) >= spread.quantile_scale(e[None, :], 0.01, 0.0)
        or spread.band_scale(e) == 0.0
    )


@pytest.mark.parametrize("draw", ["normal", "laplace", "student3"])
def test_the_band_holds_about_eighty_percent_of_new_draws_from_a_known_distribution(draw):
    # the scale read off 400 past errors, scored on 20,000 new draws of the same distribution:
    # the P10-P90 band holds 75-85% of them, whatever the tails
    rng = np.random.default_rng(11)

    def sample(size):
        if draw == "normal":
            return rng.normal(0.0, 0.06, size)
        if draw == "laplace":
            return rng.laplace(0.0, 0.05, size)
        return 0.04 * rng.standard_t(3, size)

    s = spread.band_scale(sample(400))
    inside = np.abs(sample(20_000)) <= spread.Z90 * s
    assert 0.75 <= inside.mean() <= 0.85


def aht_history(aht_of_day) -> history.History:
    """A daily history 2023-01-02 .. 2025-12-28, 3,000 calls a day, AHT per day from
    `aht_of_day(days)` (None: no AHT column)."""
    days = pd.date_range("2023-01-02", "2025-12-28", freq="D")
    frame = pd.DataFrame({"timestamp": days, "calls": np.full(len(days), 3000.0)})
    if aht_of_day is not None:
        frame["aht"] = aht_of_day(days)
    return history.History(frame, None, (), "synthetic")


def test_the_aht_error_is_nothing_without_aht_or_with_a_steady_one():
    weeks = pd.date_range("2025-03-03", periods=20, freq="7D")
    origin = pd.Timestamp("2025-02-03")
    no_aht = capacity.aht.weekly_aht_errors(aht_history(None), origin, weeks)
    np.testing.assert_array_equal(no_aht, np.zeros(20))
    steady = capacity.aht.weekly_aht_errors(
        aht_history(lambda d: np.full(len(d), 240.0)), origin, weeks
    )
    np.testing.assert_allclose(steady, 0.0, atol=1e-12)


def test_the_aht_error_is_the_week_against_last_years_season_at_this_years_level():
    # AHT 200 s in June-August, 250 s otherwise, every year, and 10% longer from 2025 on:
    # from a 2025 origin, a summer week is forecast at 220 s (last summer x 1.1) and came at
    # 220 s (no error); a week whose calls took 300 s in 2025 is off by log(300 / 275)
    def aht(days):
        summer = (days.month >= 6) & (days.month <= 8)
        base = np.where(summer, 200.0, 250.0) * np.where(days.year >= 2025, 1.1, 1.0)
        odd = (days >= "2025-10-06") & (days < "2025-10-13")
        return np.where(odd, 300.0, base)

    hist = aht_history(aht)
    origin = pd.Timestamp("2025-04-07")
    got = capacity.aht.weekly_aht_errors(hist, origin, pd.to_datetime(["2025-07-07", "2025-10-06"]))
    np.testing.assert_allclose(got, [0.0, math.log(300.0 / 275.0)], atol=1e-9)
    # nothing after the origin moves the forecast: a later AHT change moves only the actual
    later = aht_history(lambda d: np.where(d >= "2025-05-01", 500.0, aht(d)))
    again = capacity.aht.weekly_aht_errors(later, origin, pd.to_datetime(["2025-07-07"]))
    assert again[0] == pytest.approx(math.log(500.0 / 220.0))


def test_a_short_spread_measures_the_workload_not_the_calls():
    # the AHT of each week strays by up to 10%; the calls of each past week missed by as much
    # the other way (the calls that came unforeseen were the short ones): the workload was
    # forecast right, so the band is nothing; without the origins, the calls' errors stay
    rng = np.random.default_rng(2)
    hist = aht_history(
        lambda d: 240.0 * np.exp(rng.uniform(-0.1, 0.1, len(d) // 7 + 1))[np.arange(len(d)) // 7]
    )
    cut = dt.date(2025, 12, 29)
    origins = [pd.Timestamp(cut) - pd.Timedelta(days=28 + 7 * (25 - i)) for i in range(26)]
    weeks = [pd.date_range(o, periods=4, freq="7D") for o in origins]
    errors = -np.vstack(
        [capacity.aht.weekly_aht_errors(hist, o, w) for o, w in zip(origins, weeks, strict=True)]
    )
    calls_only = spread.short_spread(hist, cut, errors, None)
    workload = spread.short_spread(hist, cut, errors, None, origins)
    assert calls_only is not None and workload is not None
    assert calls_only.s0 == spread.band_scale(errors - calls_only.bias) > 0.02
    assert workload.s0 == pytest.approx(0.0, abs=1e-12)


# --- the short-history band's centre: what the forecaster's latest origins missed by ---------


@given(
    z=st.lists(st.floats(-4.0, 4.0), min_size=2, max_size=12),
    sigma=st.floats(0.0, 0.5),
    bias=st.floats(-0.5, 0.5),
)
@settings(max_examples=100, deadline=None)
def test_the_log_multiplier_is_monotone_and_keeps_the_point_forecast_inside(z, sigma, bias):
    z = np.sort(np.array(z))
    u = spread.log_multiplier(z, sigma, bias)
    assert np.all(np.diff(u) >= 0)  # a higher quantile never asks for fewer calls
    assert np.all(u[z < 0] <= 0) and np.all(u[z > 0] >= 0)  # P(q) .. P(100 - q) holds P50
    assert spread.log_multiplier(0.0, sigma, bias) == 0.0  # the median is the point forecast
    # on its own side of the point forecast, the band is the centred one
    plain = bias + z * sigma
    side = np.sign(plain) == np.sign(z)
    np.testing.assert_allclose(u[side], plain[side])
    if bias == 0.0:
        np.testing.assert_allclose(u, z * sigma)  # no centre: the symmetric band, as before


@given(
    errors=st.lists(
        st.lists(st.floats(-0.3, 0.3) | st.just(math.nan), min_size=4, max_size=4),
        min_size=1,
        max_size=30,
    ),
    count=st.integers(1, 6),
    older=st.floats(-1.0, 1.0),
)
@settings(max_examples=100, deadline=None)
def test_the_recent_bias_reads_only_the_latest_scored_origins(errors, count, older):
    e = np.array(errors, dtype=float)
    got = spread.recent_bias(e, count)
    scored = [row[np.isfinite(row)] for row in e if np.isfinite(row).any()]
    if not scored:
        assert got == 0.0
        return
    assert got == pytest.approx(np.concatenate(scored[-count:]).mean())
    # what the older origins missed by does not move it
    keep = np.flatnonzero(np.isfinite(e).any(axis=1))[-count:]
    moved = e.copy()
    moved[: keep[0]] = np.where(np.isfinite(e[: keep[0]]), older, np.nan)
    assert spread.recent_bias(moved, count) == pytest.approx(got)


def test_a_miss_the_latest_origins_share_moves_the_band_not_its_width(tmp_path):
    # the forecaster's latest 4 origins all missed by -10% (a level step it carries on; the
    # centre reads the latest `BIAS_ORIGINS` of them): the band's centre moves there and the
    # band holds the point forecast; an offset shared by every origin moves the centre and
    # leaves the width
    days, hist, cut = short_history(tmp_path)
    errors = np.random.default_rng(1).normal(0.0, 0.03, size=(26, 4))
    plain = spread.short_spread(hist, cut, errors, None)
    stepped = errors.copy()
    stepped[-4:] -= 0.10
    step = spread.short_spread(hist, cut, stepped, None)
    shifted = spread.short_spread(hist, cut, errors + 0.07, None)
    assert plain is not None and step is not None and shifted is not None
    assert step.bias == pytest.approx(plain.bias - 0.10)
    assert shifted.bias == pytest.approx(plain.bias + 0.07)
    assert shifted.s0 == pytest.approx(plain.s0)
    assert "missed by" in step.describe()
    first = cut + dt.timedelta(weeks=10)
    low, mid = _four_weeks_demand(first, step).weeks, _four_weeks_demand(first, plain).weeks
    for col in ("calls", "staff_hours"):
        assert np.all(low[f"{col}_p10"] <= low[f"{col}_p50"])
        assert np.all(low[f"{col}_p50"] <= low[f"{col}_p90"])
    np.testing.assert_allclose(low["calls_p50"], mid["calls_p50"])  # the P50 is the forecast's
    assert np.all(low["calls_p10"] < mid["calls_p10"])
    assert np.all(low["staff_hours_p10"] < mid["staff_hours_p10"])
    sigma = step.sigma_at([11, 12, 13, 14])
    np.testing.assert_allclose(
        low["calls_p10"], low["calls_p50"] * np.exp(step.bias + spread.Z90 * -sigma)
    )
