"""`planner intraday`: the reforecast's laws, the actions' legality, bad input and the CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL_RULES, write_small
from helpers import error_line, invoke
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.intraday import (
    ActionSettings,
    Demand,
    UpdateSettings,
    carry_to_tomorrow,
    day_profiles,
    learn_morning_model,
    overtime_rules,
    past_days,
    persistence_from_history,
    plan_actions,
    reforecast_day,
)
from planner.intraday.actions import MIN_BREAK_GAIN_PTS
from planner.io import parse_breaks
from planner.scenario import load_scenario
from planner.schedule import Rules, agent_hours_problems, check_roster_rules, rules_from_mapping
from planner.staffing import StaffingTarget
from planner.store.schema import SCHEMA_VERSION

DAY = pd.Timestamp("2026-03-04")


def plan_day(scale: float = 1.0, step: int = 30) -> pd.DataFrame:
    """A day of a plan: a day curve, bounds +-15% at the day level plus interval noise."""
    times = pd.date_range(DAY, periods=24 * 60 // step, freq=f"{step}min")
    hours = times.hour + times.minute / 60
    curve = np.clip(np.sin((hours - 6) / 16 * np.pi), 0.05, None)
    calls = scale * 60 * curve * step / 30
    spread = 0.15 * calls + 1.3 * np.sqrt(calls)
    return pd.DataFrame(
        {
            "timestamp": times,
            "calls": calls,
            "lower": np.maximum(calls - spread, 0),
            "upper": calls + spread,
            "aht": 300.0,
        }
    )


def seen(plan: pd.DataFrame, now: pd.Timestamp) -> np.ndarray:
    return plan["calls"].to_numpy(float)[np.asarray(plan["timestamp"] < now)]


# --- the reforecast's laws ------------------------------------------------------------------


@given(hour=st.integers(1, 23), scale=st.floats(0.1, 50), step=st.sampled_from([15, 30, 60]))
@settings(max_examples=40, deadline=None)
def test_actuals_equal_to_the_plan_leave_it_unchanged(hour, scale, step):
    plan = plan_day(scale, step)
    now = DAY + pd.Timedelta(hours=hour)
    result = reforecast_day(plan, seen(plan, now), now, step)
    assert result.factor == 1.0
    rest = result.rest_intervals
    np.testing.assert_array_equal(rest["calls"], rest["plan"])
    assert result.rest == pytest.approx(result.plan_rest, rel=1e-12)


@given(
    hour=st.integers(2, 22),
    base=st.floats(0.0, 3.0),
    bump=st.floats(0.5, 200),
    which=st.integers(0, 200),
)
@settings(max_examples=30, deadline=None)
def test_the_update_is_monotone_in_the_actuals(hour, base, bump, which):
    plan = plan_day()
    now = DAY + pd.Timedelta(hours=hour)
    actual = base * seen(plan, now)
    more = actual.copy()
    more[which % len(more)] += bump
    low = reforecast_day(plan, actual, now, 30)
    high = reforecast_day(plan, more, now, 30)
    assert high.factor > low.factor
    assert (high.rest_intervals["calls"] >= low.rest_intervals["calls"]).all()
    assert high.rest_upper >= low.rest_upper and high.rest_lower >= low.rest_lower


@given(hour=st.integers(1, 23), ratio=st.floats(0.2, 4.0))
@settings(max_examples=40, deadline=None)
def test_intervals_add_up_to_the_daily_total_and_bounds_hold_the_mean(hour, ratio):
    plan = plan_day()
    now = DAY + pd.Timedelta(hours=hour)
    result = reforecast_day(plan, ratio * seen(plan, now), now, 30)
    frame = result.intervals
    assert frame["calls"].sum() == pytest.approx(result.day, rel=1e-12)
    assert result.rest_intervals["calls"].sum() == pytest.approx(result.rest, rel=1e-12)
    assert (frame["lower"] <= frame["calls"] + 1e-9).all()
    assert (frame["calls"] <= frame["upper"] + 1e-9).all()
    assert result.rest_lower <= result.rest <= result.rest_upper
    assert result.day_lower <= result.day <= result.day_upper


def test_a_storm_morning_moves_the_forecast_fast_a_quiet_one_little():
    plan = plan_day(scale=20)  # a busy line: the morning is strong evidence
    now = DAY + pd.Timedelta(hours=10)
    storm = reforecast_day(plan, 2.0 * seen(plan, now), now, 30)
    quiet = reforecast_day(plan, 0.95 * seen(plan, now), now, 30)
    assert storm.factor > 1.6  # most of the way to x2
    assert 0.95 < quiet.factor < 1.0  # not past the actuals' ratio
    # a small line's same ratio is weaker evidence: the update leans on the plan more
    small = plan_day(scale=0.05)
    weak = reforecast_day(small, 2.0 * seen(small, now), now, 30)
    assert 1.0 < weak.factor < storm.factor
    assert weak.weight_on_actuals < storm.weight_on_actuals


def test_recent_actuals_weigh_more_than_the_night():
    plan = plan_day(scale=5)
    now = DAY + pd.Timedelta(hours=10)
    base = seen(plan, now)
    late = base.copy()
    late[-2:] *= 3  # the last hour busy
    early = base.copy()
    early[:2] *= 3  # the first hour busy
    extra_late = (late - base).sum()
    early = base.copy()
    early[:4] += extra_late / 4  # the same extra calls, in the night
    s = UpdateSettings()
    assert (
        reforecast_day(plan, late, now, 30, settings=s).factor
        > reforecast_day(plan, early, now, 30, settings=s).factor
    )


# --- the curve learnt from the history's mornings ------------------------------------------


def two_mix_history(days: int = 26 * 7, seed: int = 7) -> pd.DataFrame:
    """Half-hourly days before DAY mixing two kinds of call: office calls peaking mid-morning
    and outage calls peaking in the evening; on a random fifth of the days the outage calls
    run 2-3 times higher (storms): a busy morning means a busier evening still."""
    rng = np.random.default_rng(seed)
    times = pd.date_range(DAY - pd.Timedelta(days=days), DAY, freq="30min", inclusive="left")
    hours = (times.hour + times.minute / 60).to_numpy()
    office = np.exp(-0.5 * ((hours - 10) / 2.5) ** 2)
    outage = 0.2 + np.exp(-0.5 * ((hours - 19) / 3.0) ** 2)
    day_index = (times.normalize() - times[0].normalize()).days.to_numpy()
    storm = np.where(rng.random(days) < 0.2, rng.uniform(2.0, 3.0, days), 1.0)[day_index]
    level = rng.lognormal(0.0, 0.05, days)[day_index]
    mean = level * (40 * office + 25 * outage * storm)
    return pd.DataFrame({"timestamp": times, "calls": rng.poisson(mean).astype(float)})


HISTORY = two_mix_history()


def plan_from_history(history: pd.DataFrame) -> pd.DataFrame:
    """Today's plan: the mean of the same weekday's last four weeks, bounds +-20%."""
    frame = history.copy()
    frame["slot"] = frame["timestamp"] - frame["timestamp"].dt.normalize()
    last = frame[frame["timestamp"] >= DAY - pd.Timedelta(weeks=4)]
    same = last[last["timestamp"].dt.day_of_week == DAY.day_of_week]
    calls = same.groupby("slot")["calls"].mean().to_numpy()
    times = pd.date_range(DAY, periods=48, freq="30min")
    return pd.DataFrame(
        {"timestamp": times, "calls": calls, "lower": 0.8 * calls, "upper": 1.2 * calls}
    )


PLAN = plan_from_history(HISTORY)


@given(hour=st.integers(3, 21))
@settings(max_examples=12, deadline=None)
def test_the_learnt_curve_leaves_the_plan_unchanged_when_the_morning_follows_it(hour):
    now = DAY + pd.Timedelta(hours=hour)
    result = reforecast_day(PLAN, seen(PLAN, now), now, 30, history=HISTORY)
    assert result.curve_days > 0  # the curve was learnt, and it changes nothing
    rest = result.rest_intervals
    np.testing.assert_array_equal(rest["calls"], rest["plan"])


@given(
    hour=st.integers(4, 20),
    base=st.floats(0.3, 3.0),
    bump=st.floats(1.0, 300),
    which=st.integers(0, 200),
)
@settings(max_examples=12, deadline=None)
def test_the_learnt_curve_is_monotone_in_the_actuals_and_adds_up(hour, base, bump, which):
    now = DAY + pd.Timedelta(hours=hour)
    actual = np.round(base * seen(PLAN, now))
    more = actual.copy()
    more[which % len(more)] += bump
    low = reforecast_day(PLAN, actual, now, 30, history=HISTORY)
    high = reforecast_day(PLAN, more, now, 30, history=HISTORY)
    assert (high.rest_intervals["calls"] >= low.rest_intervals["calls"]).all()
    assert high.rest >= low.rest
    assert high.rest_upper >= low.rest_upper and high.rest_lower >= low.rest_lower
    for r in (low, high):
        assert r.intervals["calls"].sum() == pytest.approx(r.day, rel=1e-12)
        assert r.rest_lower <= r.rest <= r.rest_upper


def test_a_storm_morning_raises_the_evening_more_than_the_afternoon():
    """Learnt from the history: on its storm days the outage calls of the evening grow most,
    so a storm morning lifts the evening further than the early afternoon (the factor alone
    would lift both by the same ratio)."""
    now = DAY + pd.Timedelta(hours=10)
    hours = np.arange(20) / 2
    office = np.exp(-0.5 * ((hours - 10) / 2.5) ** 2)
    outage = 0.2 + np.exp(-0.5 * ((hours - 19) / 3.0) ** 2)
    morning = 40 * office + 25 * outage * 2.5
    result = reforecast_day(PLAN, morning, now, 30, history=HISTORY)
    assert result.curve_weight > 0
    rest = result.rest_intervals.set_index("timestamp")
    lift = rest["calls"] / rest["plan"]
    assert lift[DAY + pd.Timedelta(hours=20)] > lift[DAY + pd.Timedelta(hours=13)] * 1.1
    plain = reforecast_day(PLAN, morning, now, 30)  # the factor alone: one ratio
    plain_lift = plain.rest_intervals["calls"] / plain.rest_intervals["plan"]
    assert plain_lift.max() == pytest.approx(plain_lift.min(), rel=1e-9)


@pytest.mark.parametrize("hour", [8, 11, 15])
def test_a_line_whose_busy_days_keep_their_shape_keeps_the_plans_shape(hour):
    """When the history's busy days are its normal days scaled (one kind of call), the curve
    learnt for a busy morning that follows the plan's shape lifts the rest of the day evenly:
    it adds no shape of its own. (The regression alone, against a level that never moves, so
    that the held-out days give it the whole weight.)"""
    rng = np.random.default_rng(5)
    days = 26 * 7
    times = pd.date_range(DAY - pd.Timedelta(days=days), DAY, freq="30min", inclusive="left")
    hours = (times.hour + times.minute / 60).to_numpy()
    curve = 5 + 60 * np.exp(-0.5 * ((hours - 11) / 3.0) ** 2)
    day_index = (times.normalize() - times[0].normalize()).days.to_numpy()
    level = np.exp(rng.normal(0.0, 0.25, days))[day_index]
    history = pd.DataFrame({"timestamp": times, "calls": rng.poisson(level * curve) * 1.0})
    f = plan_from_history(history)["calls"].to_numpy(float)
    model = learn_morning_model(history, DAY + pd.Timedelta(hours=hour), 30, lambda *_: 0.0)
    assert model is not None and model.weight == 1.0
    lift = np.exp(model.log_multipliers(f, 1.6 * f[: model.now_index]))
    assert lift.min() > 1.4 and lift.max() < 1.8
    assert lift.max() / lift.min() < 1.1


def halves_history(independent: bool, days: int = 26 * 7, seed: int = 3) -> pd.DataFrame:
    """Half-hourly days before DAY whose level moves (sd 0.3 in logs) either for the whole
    day or, `independent`, separately before and after noon."""
    rng = np.random.default_rng(seed)
    times = pd.date_range(DAY - pd.Timedelta(days=days), DAY, freq="30min", inclusive="left")
    hours = (times.hour + times.minute / 60).to_numpy()
    curve = 5 + 60 * np.exp(-0.5 * ((hours - 12) / 4.0) ** 2)
    day_index = (times.normalize() - times[0].normalize()).days.to_numpy()
    morning = rng.normal(0.0, 0.3, days)
    afternoon = rng.normal(0.0, 0.3, days) if independent else morning
    level = np.exp(np.where(hours < 12, morning[day_index], afternoon[day_index]))
    return pd.DataFrame({"timestamp": times, "calls": rng.poisson(level * curve) * 1.0})


@pytest.mark.parametrize("independent", [False, True])
def test_a_line_whose_afternoons_ignore_their_mornings_leans_on_the_plan(independent):
    """The blend's trust is chosen on the line's own held-out days: where a day's level holds
    all day, a morning 1.6 times the plan lifts the afternoon most of the way; where the
    afternoon moves on its own, the same morning moves it little (against a factor that
    believes the morning's raw ratio)."""
    history = halves_history(independent)
    now = DAY + pd.Timedelta(hours=10)

    def raw(expected, actual, _cv):
        return float(np.log((actual.sum() + 1.0) / (expected[: len(actual)].sum() + 1.0)))

    model = learn_morning_model(history, now, 30, raw)
    assert model is not None
    f = plan_from_history(history)["calls"].to_numpy(float)
    log_m = model.log_multipliers(f, 1.6 * f[: model.now_index])
    mixed = (1.0 - model.weight) * np.log(1.6) + model.weight * log_m
    lift = float(np.exp(model.trust * mixed).mean())
    if independent:
        assert lift < 1.15
    else:
        assert lift > 1.4 and model.trust >= 0.8


def test_the_curve_learns_from_days_before_today_only():
    now = DAY + pd.Timedelta(hours=11)
    later = HISTORY.assign(timestamp=HISTORY["timestamp"] + pd.Timedelta(weeks=26))
    future = pd.concat([HISTORY, later], ignore_index=True)  # rows of today and after
    actual = 1.7 * seen(PLAN, now)
    cut = reforecast_day(PLAN, actual, now, 30, history=HISTORY)
    peeking = reforecast_day(PLAN, actual, now, 30, history=future)
    np.testing.assert_array_equal(cut.intervals["calls"], peeking.intervals["calls"])
    assert cut.rest_upper == peeking.rest_upper


PROFILES = UpdateSettings(profile_components=(1, 2, 3))


@given(hour=st.integers(3, 21), base=st.floats(0.3, 3.0), bump=st.floats(1.0, 300),
       which=st.integers(0, 200))  # fmt: skip
@settings(max_examples=6, deadline=None)
def test_the_day_profiles_keep_the_laws(hour, base, bump, which):
    """The day's profile in principal components (a candidate curve): its own update leaves a
    morning on the plan unchanged and never lowers a later interval when a morning one rises;
    the reforecast choosing among the candidates keeps the laws too."""
    now = DAY + pd.Timedelta(hours=hour)
    calls, expected = past_days(HISTORY, DAY, 30, 104)
    k = 2 * hour
    logs = np.log((calls + 1.0) / (expected + 1.0))
    f = PLAN["calls"].to_numpy(float)
    actual = np.round(base * f[:k])
    more = actual.copy()
    more[which % k] += bump
    for profile in day_profiles(logs, expected, k, [(1, 1.0), (3, 0.25), (4, 4.0)]):
        assert (profile.log_multipliers(f, f[:k]) == 0.0).all()
        assert (profile.log_multipliers(f, more) >= profile.log_multipliers(f, actual)).all()
    same = reforecast_day(PLAN, f[:k], now, 30, settings=PROFILES, history=HISTORY)
    np.testing.assert_array_equal(same.rest_intervals["calls"], same.rest_intervals["plan"])
    low = reforecast_day(PLAN, actual, now, 30, settings=PROFILES, history=HISTORY)
    high = reforecast_day(PLAN, more, now, 30, settings=PROFILES, history=HISTORY)
    assert (high.rest_intervals["calls"] >= low.rest_intervals["calls"]).all()
    assert high.rest_upper >= low.rest_upper and high.rest_lower >= low.rest_lower
    for r in (low, high):
        assert r.intervals["calls"].sum() == pytest.approx(r.day, rel=1e-12)


def test_a_storm_profile_lifts_the_evening_more_than_the_afternoon():
    """Learnt from the history's components: a storm morning (outage calls up) lifts the
    evening, where the outage calls peak, further than the early afternoon."""
    calls, expected = past_days(HISTORY, DAY, 30, 104)
    logs = np.log((calls + 1.0) / (expected + 1.0))
    k = 20
    (profile,) = day_profiles(logs, expected, k, [(2, 1.0)])
    hours = np.arange(k) / 2
    office = np.exp(-0.5 * ((hours - 10) / 2.5) ** 2)
    outage = 0.2 + np.exp(-0.5 * ((hours - 19) / 3.0) ** 2)
    lift = np.exp(profile.log_multipliers(PLAN["calls"], 40 * office + 25 * outage * 2.5))
    assert lift[20 * 2 - k] > lift[13 * 2 - k] * 1.1


def test_the_rest_of_day_bounds_hold_about_their_level_on_days_like_the_history():
    """With a learnt curve the rest of the day's 80% bounds are the spread measured on the
    held-out days around the blend: on new days drawn like the history's they hold about 80%
    of the rest-of-day totals (not all of them: the posterior's spread is not added on top)."""
    history = halves_history(False, days=40 * 7, seed=8)
    fresh = halves_history(False, days=60, seed=9)
    fresh_days = [g for _, g in fresh.groupby(fresh["timestamp"].dt.normalize())]
    plan = plan_from_history(history)
    now = DAY + pd.Timedelta(hours=12)
    inside = 0
    for day in fresh_days:
        got = day["calls"].to_numpy(float)
        result = reforecast_day(plan, got[:24], now, 30, history=history)
        inside += bool(result.rest_lower <= got[24:].sum() <= result.rest_upper)
    assert result.curve_days > 0
    assert 0.65 <= inside / len(fresh_days) <= 0.92


# --- tomorrow carried from today -----------------------------------------------------------


def ar_days(phi: float, days: int = 400, seed: int = 11) -> pd.DataFrame:
    """Hourly calls whose daily level follows an AR(1) in logs with coefficient `phi`
    (sd 0.15) on a weekly pattern, days before DAY."""
    rng = np.random.default_rng(seed)
    shock = np.zeros(days)
    for d in range(1, days):
        shock[d] = phi * shock[d - 1] + rng.normal(0.0, 0.15)
    times = pd.date_range(DAY - pd.Timedelta(days=days), DAY, freq="h", inclusive="left")
    day_index = (times.normalize() - times[0].normalize()).days.to_numpy()
    weekday = np.array([1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7])[times.day_of_week]
    curve = 0.2 + np.clip(np.sin((times.hour.to_numpy() - 6) / 16 * np.pi), 0, None)
    mean = 400 * weekday * curve * np.exp(shock[day_index])
    return pd.DataFrame({"timestamp": times, "calls": rng.poisson(mean).astype(float)})


def test_persistence_is_measured_from_the_history():
    lasting = persistence_from_history(ar_days(0.7), DAY)
    fleeting = persistence_from_history(ar_days(0.0), DAY)
    assert lasting is not None and fleeting is not None
    assert 0.4 < lasting[0] < 0.9
    assert 0.0 <= fleeting[0] < 0.2
    assert persistence_from_history(ar_days(0.7, days=30), DAY) is None  # too few days


@given(
    ratio=st.floats(0.2, 5.0),
    more=st.floats(0.0, 2.0),
    rho=st.floats(0.0, 1.0),
)
@settings(max_examples=40, deadline=None)
def test_tomorrow_is_unchanged_by_a_day_on_plan_and_monotone_in_today(ratio, more, rho):
    plan = plan_day().assign(timestamp=lambda f: f["timestamp"] + pd.Timedelta(days=1))
    total = 1000.0
    same = carry_to_tomorrow(plan, total, total, rho)
    np.testing.assert_array_equal(same.intervals["calls"], plan["calls"])
    low = carry_to_tomorrow(plan, ratio * total, total, rho)
    high = carry_to_tomorrow(plan, (ratio + more) * total, total, rho)
    assert (high.intervals["calls"] >= low.intervals["calls"]).all()
    assert (low.intervals["lower"] <= low.intervals["calls"]).all()
    assert (low.intervals["calls"] <= low.intervals["upper"]).all()
    # carried toward today's ratio, never past it
    assert min(1.0, ratio) - 1e-12 <= low.factor <= max(1.0, ratio) + 1e-12
    assert low.total == pytest.approx(low.intervals["calls"].sum(), rel=1e-12)


# --- actions: never a broken rule -----------------------------------------------------------


def small_roster(day: pd.Timestamp) -> pd.DataFrame:
    """A week of 8-h shifts (meal break mid-shift) for 12 agents: 3 shift starts, 5-6 days."""
    rows = []
    week = day - pd.Timedelta(days=day.day_of_week)
    starts = [7, 7, 7, 7, 9, 9, 9, 9, 14, 14, 14, 14]
    for a, hour in enumerate(starts):
        off = {a % 7, (a + 1) % 7} if a % 3 else {a % 7}
        for d in range(7):
            if d in off:
                continue
            s = week + pd.Timedelta(days=d, hours=hour)
            e = s + pd.Timedelta(hours=8)
            bs = s + pd.Timedelta(hours=4)
            rows.append(
                {
                    "agent": f"A{a:02d}",
                    "start": s,
                    "end": e,
                    "breaks": f"{bs:%Y-%m-%dT%H:%M:%S}/{bs + pd.Timedelta(minutes=30):%Y-%m-%dT%H:%M:%S}",
                    "paid_hours": 8.0,
                }
            )
    return pd.DataFrame(rows)


def rest_demand(scale: float, now: pd.Timestamp) -> Demand:
    plan = plan_day(scale)
    rest = plan[plan["timestamp"] >= now].reset_index(drop=True)
    return Demand(
        pd.DatetimeIndex(rest["timestamp"]),
        rest["calls"].to_numpy(float),
        rest["aht"].to_numpy(float),
        30,
        StaffingTarget(sl_pct=80, target_s=20, shrinkage_pct=30, max_occupancy_pct=85),
    )


# every hour and every scale once in the default run (~1.5 s a case); all twelve in the slow run
DEFAULT_ACTION_CASES = {(8, 0.5), (10, 1.0), (13, 1.6), (13, 3.0)}
ACTION_CASES = [
    pytest.param(
        hour, scale, marks=() if (hour, scale) in DEFAULT_ACTION_CASES else pytest.mark.slow
    )
    for hour in (8, 10, 13)
    for scale in (0.5, 1.0, 1.6, 3.0)
]


@pytest.mark.parametrize("hour, scale", ACTION_CASES)
def test_no_action_breaks_a_rule(hour, scale):
    rules = Rules()
    roster = small_roster(DAY)
    assert check_roster_rules(roster, rules) == []
    now = DAY + pd.Timedelta(hours=hour)
    cfg = ActionSettings(movable_shrinkage_pct=5)
    result = plan_actions(roster, rest_demand(scale, now), 30.0, rules, now, cfg)
    assert result.new_breaches == ()
    # the same checker the schedule uses, on the whole week after every action
    assert check_roster_rules(result.roster, overtime_rules(rules, cfg)) == []
    # nothing in the past changed, no shift over the Labour Code's 12 h, breaks in their window
    before = roster.set_index(["agent", "start"])
    for row in result.roster.itertuples(index=False):
        hours = (row.end - row.start).total_seconds() / 3600
        assert hours <= 12 + 1e-9
        if (row.agent, row.start) not in before.index and row.start < now:
            pytest.fail(f"{row.agent}: a shift moved into the past ({row.start})")
    expected = [a.sl_after_pct - a.sl_before_pct for a in result.actions if a.kind != "callbacks"]
    assert all(g >= -1e-6 for g in expected)
    # a break is moved only for a gain the list shows (a hundredth of a point or more)
    for a in result.actions:
        if a.kind == "move-break":
            assert a.gain_points + a.covered_gain_points >= MIN_BREAK_GAIN_PTS - 1e-9


def test_a_short_afternoon_gets_actions_and_a_higher_service_level():
    rules = Rules()
    now = DAY + pd.Timedelta(hours=10)
    demand = rest_demand(1.6, now)
    result = plan_actions(small_roster(DAY), demand, 30.0, rules, now)
    assert result.actions
    assert result.actions[-1].sl_after_pct > result.actions[0].sl_before_pct
    kinds = {a.kind for a in result.actions}
    assert "extend-shift" in kinds or "call-in" in kinds


def test_a_very_short_day_stretches_shifts_past_their_first_step():
    """Three times the plan: the greedy keeps stretching a shift it changed (to the day's
    12 h), reports each shift's steps as one action, and stays within the rules."""
    rules = Rules()
    now = DAY + pd.Timedelta(hours=8)
    roster = small_roster(DAY)
    result = plan_actions(roster, rest_demand(3.0, now), 30.0, rules, now)
    stretched = [a for a in result.actions if a.kind == "extend-shift"]
    hours = (result.roster["end"] - result.roster["start"]).dt.total_seconds() / 3600
    assert (hours > 12 + 1e-9).sum() == 0 and (hours > 12 - 1e-9).sum() >= len(stretched) // 2
    changed = [(a.agent, a.what.split(" -> ")[0]) for a in stretched]
    assert len(changed) == len(set(changed))  # one action per shift
    assert result.new_breaches == ()
    for a in stretched:
        assert a.cost_vnd >= a.paid_hours * rules.wage_per_hour * 1.5 - 1e-6


def test_no_action_puts_an_agent_on_hours_the_agents_file_rules_out():
    """Three times the plan from 08:00: without the agents file the 14:00 shifts stretch into
    the night; with it, the no-night agents' and the agent unavailable on Wednesday evening's
    hours stay as they were, and the schedule's checker (given the file) finds the week clean."""
    rules = Rules()
    now = DAY + pd.Timedelta(hours=8)  # DAY is a Wednesday
    roster = small_roster(DAY)
    agents = pd.DataFrame(
        {
            "agent": ["A08", "A09", "A10", "A02"],
            "no_night": [True, True, False, False],
            # A10 works 14:00-22:00 today; A02 is off today (a call-in candidate)
            "unavailable": ["", "", "Wed 22:00-24:00", "Wed"],
        }
    )
    assert check_roster_rules(roster, rules, agents=agents) == []
    free = plan_actions(roster, rest_demand(3.0, now), 30.0, rules, now)
    assert agent_hours_problems(free.roster, agents, rules)  # the law can fail without the file
    held = plan_actions(roster, rest_demand(3.0, now), 30.0, rules, now, agents=agents)
    assert held.new_breaches == ()
    assert agent_hours_problems(held.roster, agents, rules) == []
    assert held.actions  # the other agents still take the day's extensions


def test_a_short_shift_stretched_past_six_hours_gets_its_meal_break():
    """A 4-h shift (no meal break) extended to 6 h or more gets a meal break inside the rules'
    window, and the schedule's checker finds the week clean."""
    rules = Rules()
    now = DAY + pd.Timedelta(hours=8)
    rows = []
    for a in range(6):
        s = DAY + pd.Timedelta(hours=9)
        rows.append({"agent": f"P{a}", "start": s, "end": s + pd.Timedelta(hours=4),
                     "breaks": "", "paid_hours": 4.0})  # fmt: skip
    roster = pd.DataFrame(rows)
    assert check_roster_rules(roster, rules) == []
    result = plan_actions(roster, rest_demand(1.0, now), 30.0, rules, now)
    after = result.roster
    long = after[(after["end"] - after["start"]) >= pd.Timedelta(hours=rules.meal_break_from_h)]
    assert len(long) > 0
    for row in long.itertuples(index=False):
        breaks = parse_breaks(row.breaks)
        assert breaks and all(b[0] >= now for b in breaks)
    assert check_roster_rules(after, overtime_rules(rules, ActionSettings())) == []


# --- the command line -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The small line's week 2026-02-09 planned and published by `planner run` (store too)."""
    root = tmp_path_factory.mktemp("intraday")
    result = invoke(["run", write_small(root), "--out", root / "week", "-q"])
    assert result.exit_code in (0, 3), result.output
    return root


def actuals(root: Path, factor: float, until: int = 10, day: str = "2026-02-11") -> Path:
    plan = pd.read_csv(root / "week" / "forecast.csv", parse_dates=["timestamp"])
    today = plan[plan["timestamp"].dt.normalize() == pd.Timestamp(day)]
    today = today[today["timestamp"] < pd.Timestamp(day) + pd.Timedelta(hours=until)]
    frame = pd.DataFrame(
        {
            "timestamp": today["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "calls": np.round(factor * today["calls"]).astype(int),
        }
    )
    path = root / f"actuals-{factor:g}-{until}-{day}.csv"
    frame.to_csv(path, index=False)
    return path


def test_cli_reforecasts_from_the_week_directory(published):
    path = actuals(published, 1.0)
    result = invoke(
        ["intraday", published / "small.toml", "--actuals", path, "--plan-dir",
         published / "week", "--format", "json"]
    )  # fmt: skip
    assert result.exit_code in (0, 3), result.output
    obj = json.loads(result.stdout)
    assert obj["version"] == 1 and obj["now"] == "2026-02-11T10:00:00"
    assert 0.8 < obj["reforecast"]["factor"] < 1.2
    assert len(obj["intervals"]) == 14  # 10:00 .. 23:00, hourly
    steps = [s["after"] for s in obj["service_level"]]
    assert steps[0] == "before"


@pytest.mark.slow
def test_cli_storm_morning_from_the_store_says_what_to_do(published, tmp_path):
    path = actuals(published, 3.0)
    out = tmp_path / "rest.csv"
    png = tmp_path / "today.png"
    result = invoke(
        ["intraday", published / "small.toml", "--actuals", path, "--store",
         published / "planner.db", "-o", out, "--format", "csv", "--plot", png]
    )  # fmt: skip
    assert result.exit_code in (0, 3), result.output
    frame = pd.read_csv(out)
    assert list(frame.columns[:5]) == ["timestamp", "plan", "calls", "lower", "upper"]
    assert (frame["calls"] > frame["plan"]).all()
    assert png.read_bytes()[:4] == b"\x89PNG"
    if result.exit_code == 3:
        line = result.stderr.strip().splitlines()[-1]
        assert line.startswith("planner: short: ") and "agent-hours" in line
    # same input, same output
    again = invoke(
        ["intraday", published / "small.toml", "--actuals", path, "--store",
         published / "planner.db", "--format", "csv", "--no-record"]
    )  # fmt: skip
    assert again.stdout == out.read_text()
    # the first run was recorded in the intraday tables (schema 3 on), the second was not
    with sqlite3.connect(published / "planner.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        runs = conn.execute("SELECT run_id, day, now, factor, exit_code FROM intraday_runs")
        rows = runs.fetchall()
        n_forecast = conn.execute("SELECT COUNT(*) FROM intraday_forecast").fetchone()[0]
    assert len(rows) == 1
    run_id, day, now, factor, code = rows[0]
    assert (day, now, code) == ("2026-02-11", "2026-02-11T10:00:00", result.exit_code)
    assert factor > 1.5 and run_id is not None and n_forecast == len(frame)


def test_cli_quiet_prints_no_table(published):
    path = actuals(published, 1.0)
    result = invoke(
        ["intraday", published / "small.toml", "--actuals", path, "--plan-dir",
         published / "week", "--quiet"]
    )  # fmt: skip
    assert result.exit_code in (0, 3)
    assert result.stdout == ""


def test_cli_tomorrow_without_enough_history_says_so(published):
    path = actuals(published, 1.5)
    result = invoke(
        ["intraday", published / "small.toml", "--actuals", path, "--plan-dir",
         published / "week", "--format", "json", "--tomorrow"]
    )  # fmt: skip
    assert result.exit_code in (0, 3), result.output
    obj = json.loads(result.stdout)
    assert obj["tomorrow"] is None and obj["reforecast"]["curve_days"] == 0
    assert "too little history to measure how busyness lasts" in result.stderr


@pytest.mark.slow
def test_cli_tomorrow_carries_a_busy_day_into_the_next(tmp_path):
    """A line with 20 weeks of history whose busy days last (AR(1) levels): a busy morning
    lifts tomorrow's plan, shrunk by the measured persistence, and the store keeps tomorrow's
    intervals with the rest of today's."""
    history = ar_days(0.7, days=140)
    history["timestamp"] += pd.Timestamp("2026-02-09") - DAY  # the 20 weeks before 2026-02-09
    history.assign(
        timestamp=history["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
        calls=history["calls"].astype(int),
        aht=300,
    ).to_csv(tmp_path / "history.csv", index=False)
    (tmp_path / "line.toml").write_text(
        '[data]\nhistory = "history.csv"\ncountry = "none"\n'
        '[forecast]\nmodel = "seasonal_naive"\n' + SMALL_RULES,
        encoding="utf-8",
    )
    run = invoke(["run", tmp_path / "line.toml", "--out", tmp_path / "week", "-q"])
    assert run.exit_code in (0, 3), run.output
    path = actuals(tmp_path, 1.6, day="2026-02-11")
    db = tmp_path / "planner.db"
    result = invoke(
        ["intraday", tmp_path / "line.toml", "--actuals", path, "--store", db,
         "--format", "json", "--tomorrow"]
    )  # fmt: skip
    assert result.exit_code in (0, 3), result.output
    obj = json.loads(result.stdout)
    t = obj["tomorrow"]
    assert t["day"] == "2026-02-12" and 0.3 < t["persistence"] <= 1.0
    assert 1.0 < t["factor"] < obj["reforecast"]["day"] / obj["reforecast"]["plan_rest"] * 2
    assert t["calls"] > t["plan"] and len(t["intervals"]) == 24
    assert obj["reforecast"]["curve_days"] > 0
    with sqlite3.connect(db) as conn:
        stamps = [r[0] for r in conn.execute("SELECT timestamp FROM intraday_forecast")]
    assert sum(s.startswith("2026-02-12") for s in stamps) == 24
    assert sum(s.startswith("2026-02-11") for s in stamps) == 14


def test_bad_input_is_one_line_and_exit_2(published, tmp_path):
    week = published / "week"
    base = ["intraday", published / "small.toml", "--plan-dir", week, "--actuals"]
    # actuals of a day the plan does not cover
    other = actuals(published, 1.0, day="2026-02-11")
    text = other.read_text().replace("2026-02-11", "2026-03-11")
    moved = tmp_path / "march.csv"
    moved.write_text(text)
    result = invoke([*base, moved])
    assert result.exit_code == 2
    assert "2026-03-11" in error_line(result) and "covers 2026-02-09" in error_line(result)
    # rows past now
    result = invoke([*base, actuals(published, 1.0), "--at", "08:00"])
    assert result.exit_code == 2 and "past now (08:00)" in error_line(result)
    # a gap in the morning's rows
    lines = actuals(published, 1.0).read_text().splitlines()
    gap = tmp_path / "gap.csv"
    gap.write_text("\n".join(lines[:4] + lines[5:]) + "\n")
    result = invoke([*base, gap])
    assert result.exit_code == 2 and "gap in the morning" in error_line(result)
    assert "2026-02-11T03:00" in error_line(result)
    # a store without today's plan
    result = invoke(
        ["intraday", published / "small.toml", "--actuals", moved, "--store",
         published / "planner.db"]
    )  # fmt: skip
    assert result.exit_code == 2 and "no published plan" in error_line(result)
    # two days of actuals
    two = tmp_path / "two.csv"
    rows = actuals(published, 1.0).read_text().splitlines()
    two.write_text("\n".join([*rows, rows[1].replace("2026-02-11", "2026-02-12")]) + "\n")
    result = invoke([*base, two])
    assert result.exit_code == 2 and "rows of 2 days" in error_line(result)
    # a bad --at, or one off the interval grid
    result = invoke([*base, actuals(published, 1.0), "--at", "ten"])
    assert result.exit_code == 2 and "--at" in error_line(result)
    result = invoke([*base, actuals(published, 1.0), "--at", "10:30"])
    assert result.exit_code == 2 and "60-min interval grid" in error_line(result)


def test_the_intraday_scenario_table_is_validated(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[intraday]\nmovable_shrinkage_pct = 5\n")
    assert load_scenario(path, rules_from_mapping).intraday.movable_shrinkage_pct == 5
    path.write_text("[intraday]\nmovable = 5\n")
    with pytest.raises(InputError, match=r"\[intraday\] unknown key 'movable'"):
        load_scenario(path, rules_from_mapping)
    path.write_text("[intraday]\ncallback_accept_pct = 500\n")
    with pytest.raises(InputError, match=r"callback_accept_pct = 500: expected a number"):
        load_scenario(path, rules_from_mapping)
