"""The intraday profile estimator: recency-weighted counts, shrunk toward similar day types."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.forecast.grid import PROFILE_HALF_LIFE, learn_open_rules, make_grid
from planner.forecast.profile import intraday_profile, pooled_shares, weighted_profile
from planner.history import History

SLOTS = 96  # 15-minute intervals


def _shape(peak_hour: float, open_hours: tuple[float, float] = (0, 24)) -> np.ndarray:
    hour = np.arange(SLOTS) / 4
    shape = 0.05 + np.exp(-(((hour - peak_hour) / 2.5) ** 2))
    shape = shape * ((hour >= open_hours[0]) & (hour < open_hours[1]))
    return shape / shape.sum()


def _history(weeks: int, per_day: float, seed: int) -> tuple[History, dict[int, np.ndarray]]:
    """15-min Poisson history: Monday..Thursday share one shape, Friday is a short day with
    its own (no rows outside 07-14: closed), the weekend another; returns the true shape per
    weekday."""
    weekday_shape, friday, weekend = _shape(10), _shape(9, (7, 14)), _shape(14)
    truth = {d: weekday_shape for d in range(4)} | {4: friday, 5: weekend, 6: weekend}
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-01-05", periods=7 * weeks, freq="D")
    stamps, calls = [], []
    for day in days:
        shape = truth[day.weekday()]
        open_ = np.flatnonzero(shape > 0)
        stamps.append(day + pd.to_timedelta(open_ * 15, unit="min"))
        calls.append(rng.poisson(per_day * shape[open_]))
    frame = pd.DataFrame(
        {"timestamp": np.concatenate(stamps), "calls": np.concatenate(calls).astype(float)}
    )
    return History(frame, 15, (), "synthetic-15min"), truth


def _error(shares: np.ndarray, truth: dict[int, np.ndarray]) -> float:
    return float(sum(np.abs(shares[d] - truth[d]).sum() for d in truth))


def test_profile_rows_are_shares_and_closed_intervals_are_zero():
    history, truth = _history(weeks=10, per_day=800, seed=3)
    grid = make_grid(history, None, None)
    rules = learn_open_rules(grid, len(grid.days))
    shares = intraday_profile(grid, rules, len(grid.days)).shares
    np.testing.assert_allclose(shares[:7].sum(axis=1), 1.0)
    assert (shares >= 0).all()
    # Friday is a short day: the intervals it never had calls in stay at 0
    assert shares[4][truth[4] == 0].sum() < 1e-3
    assert shares[4][truth[4] > 0].min() > 0


def test_shrinkage_toward_similar_days_beats_each_type_alone_on_small_counts():
    """At 15 minutes and ~600 calls a day, a weekday's own 8 weeks are noisy; borrowing from
    the weekdays with the same shape must bring the profile closer to the truth, and the
    short Friday must keep its own shape (not be pulled toward the others)."""
    gains, friday_errors = [], []
    for seed in range(4):
        history, truth = _history(weeks=8, per_day=600, seed=seed)
        grid = make_grid(history, None, None)
        rules = learn_open_rules(grid, len(grid.days))
        pooled = intraday_profile(grid, rules, len(grid.days), out_of_sample=False).shares
        alone = np.zeros_like(pooled)
        for d in range(7):
            sel = np.flatnonzero(grid.days.day_of_week == d)
            weight = np.ones(sel.size)
            totals = grid.calls[sel].sum(axis=1)
            alone[d] = weighted_profile(grid.calls[sel], totals, weight, rules.slot_open[d])[0]
        gains.append(_error(alone, truth) - _error(pooled, truth))
        friday_errors.append(np.abs(pooled[4] - truth[4]).sum())
    assert min(gains) > 0
    assert max(friday_errors) < 0.15


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 40), min_size=6, max_size=6),
        min_size=2,
        max_size=5,
    ),
    st.integers(1, 6),
)
def test_pooled_shares_are_shares_on_the_open_intervals(rows, days):
    """Whatever the counts, every shrunk profile sums to 1 and is 0 where the type is closed."""
    rng = np.random.default_rng(len(rows) * 7 + days)
    slot_open = np.ones((8, 6), dtype=bool)
    slot_open[1, :2] = False
    own = {}
    for t, base in enumerate(rows):
        calls = rng.poisson(np.asarray(base, float) + 0.5, size=(days, 6)).astype(float)
        calls[:, ~slot_open[t]] = 0
        totals = calls.sum(axis=1)
        keep = totals > 0
        if not keep.any():
            continue
        prof, var = weighted_profile(
            calls[keep], totals[keep], np.ones(int(keep.sum())), slot_open[t]
        )
        if prof is not None:
            own[t] = (prof, var)
    shares = pooled_shares(own, slot_open)
    for t in own:
        assert abs(shares[t].sum() - 1) < 1e-9
        assert (shares[t] >= 0).all()
        assert shares[t][~slot_open[t]].sum() == 0


def _noisy_history(sigma: float, seed: int = 5) -> History:
    """30-min 24/7 history, ~2,400 calls a day on one shape; each interval's rate is multiplied
    by a lognormal shape error of log-sd `sigma` before the Poisson draw."""
    rng = np.random.default_rng(seed)
    hour = np.arange(48) / 2
    shape = 0.1 + np.exp(-(((hour - 11) / 3) ** 2))
    shape = shape / shape.sum()
    days = pd.date_range("2026-01-05", periods=70, freq="D")
    stamps, calls = [], []
    for day in days:
        rate = 2400 * shape * rng.lognormal(-(sigma**2) / 2, sigma, shape.size)
        stamps.append(day + pd.to_timedelta(np.arange(48) * 30, unit="min"))
        calls.append(rng.poisson(rate))
    frame = pd.DataFrame(
        {"timestamp": np.concatenate(stamps), "calls": np.concatenate(calls).astype(float)}
    )
    return History(frame, 30, (), "synthetic-30min")


def test_shape_noise_is_near_zero_for_poisson_counts_and_finds_a_shape_error():
    """Var = m + c m^2: Poisson counts around a fixed shape give c about 0 (the profile's own
    estimation error adds a little); a 20% lognormal shape error gives c about its variance
    exp(0.2^2) - 1 = 0.041."""
    for sigma, low, high in ((0.0, 0.0, 0.006), (0.2, 0.03, 0.06)):
        history = _noisy_history(sigma)
        grid = make_grid(history, None, None)
        rules = learn_open_rules(grid, len(grid.days))
        c = intraday_profile(grid, rules, len(grid.days)).shape_noise
        assert low <= c <= high, (sigma, c)


def _drifting(weeks: int, per_day: float, shift_day: int, seed: int) -> History:
    """15-min Poisson history, every day one shape; the peak moves from 10:00 to 15:00 on day
    `shift_day` (None: never)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-01-05", periods=7 * weeks, freq="D")
    stamps, calls = [], []
    for i, day in enumerate(days):
        shape = _shape(15 if shift_day is not None and i >= shift_day else 10)
        stamps.append(day + pd.to_timedelta(np.arange(SLOTS) * 15, unit="min"))
        calls.append(rng.poisson(per_day * shape))
    frame = pd.DataFrame(
        {"timestamp": np.concatenate(stamps), "calls": np.concatenate(calls).astype(float)}
    )
    return History(frame, 15, (), "synthetic-15min")


def test_the_profiles_recency_is_chosen_per_series():
    # a shape that moved 6 weeks ago takes a shorter memory than the default; a steady one
    # with few calls per interval keeps at least the default (its recent days are too noisy)
    moved = make_grid(_drifting(16, 3000, 16 * 7 - 42, seed=1), None, None)
    steady = make_grid(_drifting(16, 40, None, seed=2), None, None)
    lives = []
    for grid in (moved, steady):
        rules = learn_open_rules(grid, len(grid.days))
        lives.append(intraday_profile(grid, rules, len(grid.days)).half_life)
    assert lives[0] < PROFILE_HALF_LIFE <= lives[1]
