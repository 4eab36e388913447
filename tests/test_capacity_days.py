"""The agent-days limit of a week handed to the weekly run: a hand-computed flat week, the
tangents below the shortfall they approximate (a convex function of the agent-days), and the
plan that must report a handed week its agents' days cannot cover."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_capacity import synthetic

from planner import capacity
from planner.capacity.build import plan_within_days
from planner.capacity.days import day_lengths_min, days_limit, days_per_agent
from planner.scenario import ServiceConfig
from planner.schedule import build_roster, rules_from_mapping

FIRST = dt.date(2027, 1, 4)


def week_of(staff: np.ndarray, interval_min: int = 30) -> pd.DataFrame:
    stamps = pd.date_range("2027-07-12", periods=len(staff), freq=f"{interval_min}min")
    return pd.DataFrame({"timestamp": stamps, "staff": staff.astype(float)})


def rules(**tables):
    return rules_from_mapping(tables, "test.toml")


def twelve_hour_days_limit(staff: np.ndarray):
    """The limit of a week of `staff` per 30-min interval, days of 6 or 12 h, no meal break."""
    return days_limit(
        week_of(staff),
        rules(shifts={"shift_lengths_h": [6, 12], "meal_break_min": 0,
                      "night_meal_break_min": 0},
              labour={"max_daily_hours": 12, "max_work_day_h": 12,
                      "max_overtime_week_h": 0}),
        "2027-W28",
    )  # fmt: skip


@settings(max_examples=8, deadline=None)
@given(level=st.integers(1, 30), share=st.floats(0.3, 1.2))
def test_a_flat_week_takes_two_twelve_hour_days_a_day_and_lacks_twelve_hours_a_missing_day(
    level, share
):
    # 24/7 at `level` agents, days of at most 12 h without a meal break: every day takes
    # 2 x level agent-days; each agent-day fewer leaves 12 staff-hours uncovered
    lim = twelve_hour_days_limit(np.full(336, level))
    assert lim.longest_day_h == 12
    assert abs(lim.full_cover_days - 14 * level) < 1e-6
    agents = share * 14 * level / lim.days_per_agent
    expected = max(0.0, 14 * level - agents * lim.days_per_agent) * 12
    # the tangents are exact at the grid's points and below the line between them
    assert lim.short_h(agents) <= expected + 1e-6
    if any(abs(agents * lim.days_per_agent - k) < 1e-9 for k, _, _ in lim.tangents):
        assert abs(lim.short_h(agents) - expected) < 1e-6


@settings(max_examples=8, deadline=None)
@given(level=st.integers(1, 30), share=st.floats(0.3, 0.99))
def test_a_line_open_five_days_takes_an_agent_a_day_not_six_days_an_agent(level, share):
    # open Mon-Fri 08-20 at `level` agents, 12-h days: N agents start at most N shifts a day,
    # so covering takes `level` agents (five days each), not 5 x level / 6 of six days each;
    # with fewer, a roster of 08-20 shifts leaves 12 h a day per missing agent (the relaxation
    # may do a little better: a shift started the evening before reaches into the morning)
    staff = np.zeros(336)
    for day in range(5):
        staff[day * 48 + 16 : day * 48 + 40] = level
    lim = twelve_hour_days_limit(staff)
    assert abs(lim.agents_to_cover() - level) < 1e-6
    agents = share * level
    assert 0 < lim.short_h(agents) <= 5 * 12 * (level - agents) + 1e-6


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10**6), peak=st.integers(5, 80))
def test_the_tangents_lie_below_the_shortfall_and_it_falls_with_more_agents(seed, peak):
    # a morning peak and a lower evening on random days: the shortfall against agent-days is
    # convex, so every tangent lies below every solved point, and more agents never leave more
    rng = np.random.default_rng(seed)
    t = np.arange(48)
    day = peak * np.exp(-0.5 * ((t - 19) / 3) ** 2) + 0.4 * peak * np.exp(
        -0.5 * ((t - 38) / 4) ** 2
    )
    staff = np.ceil(np.concatenate([day * rng.uniform(0.6, 1.1) for _ in range(7)]) + 1)
    lim = days_limit(week_of(staff), rules(), "2027-W28")
    for k_i, v_i, _ in lim.tangents:
        for k_j, v_j, slope_j in lim.tangents:
            assert v_j + slope_j * (k_i - k_j) <= v_i + 1e-6
    agents = np.linspace(0, 1.2 * lim.agents_to_cover(), 25)
    short = [lim.short_h(a) for a in agents]
    assert all(b <= a + 1e-9 for a, b in zip(short, short[1:], strict=False))
    assert lim.short_h(lim.agents_to_cover()) <= 1e-6
    # never more than the week's staff-hours, never more than it leaves without anyone
    assert short[0] <= staff.sum() / 2 + 1e-6


def test_the_days_an_agent_works_and_a_days_length_follow_the_rules():
    default = rules()
    assert days_per_agent(default) == 6  # 5 or 6 days (+ a rest-day shift) within 6 in a row
    assert days_per_agent(rules(labour={"max_consecutive_days": 7})) == 7
    assert days_per_agent(rules(shifts={"days_per_week": [5], "rest_day_shifts": False})) == 5
    assert max(day_lengths_min(default)) == 12 * 60  # 8 h + 4 h, the day's work cap
    assert max(day_lengths_min(rules(labour={"max_overtime_week_h": 0}))) == 9 * 60


def test_a_handed_week_its_agents_days_cannot_cover_is_short_with_the_reason():
    # week 20 handed to the weekly run, its hours covered by the levers; its roster's days are
    # not: 70 agents x 6 days against a requirement that takes many more agent-days
    weeks, w = 30, 20
    cfg = capacity.capacity_config({"horizon_weeks": weeks, "temp_max": 5, "class_max": 6,
                                    "training_capacity": 6})  # fmt: skip
    intervals, daily = synthetic(FIRST, weeks)
    demand = capacity.weekly_demand(intervals, daily, FIRST, cfg, ServiceConfig().target())
    base = capacity.base_supply(capacity.workforce_of([1.0] * 70), cfg, weeks)
    need = demand.weeks["staff_hours_q"].to_numpy(float)
    peaky = np.tile(np.r_[np.full(14, 2), np.full(8, 90), np.full(26, 2)], 7)
    lim = days_limit(week_of(peaky), rules(), "W21")
    free = capacity.solve_plan(demand, base, cfg, required_staff_hours=need, handed_weeks=(w,),
                               handed_overtime_h=40.0)  # fmt: skip
    held = capacity.solve_plan(demand, base, cfg, required_staff_hours=need, handed_weeks=(w,),
                               handed_overtime_h=40.0, days_limits={w: lim})  # fmt: skip
    agents = float(held.weeks["agents_eq"].iloc[w])
    assert agents * 6 < lim.full_cover_days  # the levers cannot reach 90 x 7 / 6 agents
    assert lim.short_h(agents) > 0
    assert held.weeks["shortfall_h"].iloc[w] >= lim.short_h(agents) - 1e-6
    assert held.short and "agent-days" in " ".join(held.shortfall)
    assert held.weeks["shortfall_h"].iloc[w] > free.weeks["shortfall_h"].iloc[w]
    # a limit only removes plans: the held plan costs at least as much
    assert held.cost["total"] >= free.cost["total"] - 1e-6 * free.cost["total"]


def peaky_hour(hour: int) -> int:
    return 7 if 8 <= hour < 11 else 4 if 18 <= hour < 21 else 1


@pytest.mark.slow
@pytest.mark.parametrize("full_time", [5, 8])
def test_no_roster_of_the_weekly_run_beats_the_limit(full_time):
    # the limit relaxes the weekly run's roster: a roster of that many agents (named, with
    # overtime and rest-day shifts) is never less short than it says
    times = pd.date_range("2027-07-12", periods=7 * 24, freq="60min")
    demand = pd.DataFrame({"timestamp": times, "staff": [float(peaky_hour(h)) for h in times.hour]})
    r = rules()
    team = pd.DataFrame(
        {"agent": [f"F{k:02d}" for k in range(full_time)], "contract": "full-time",
         "weekly_hours": 48.0, "skills": "", "unavailable": "", "preferred_start": "",
         "no_night": False, "min_hours": np.nan}
    )  # fmt: skip
    result = build_roster(demand, r, agents=team, time_limit_s=10)
    lim = days_limit(demand, r, "2027-W28")
    assert result.shortfall_hours >= lim.short_h(full_time) - 1e-6
    if full_time == 5:
        assert lim.short_h(full_time) > 0  # 5 agents x 6 days cannot cover 7 mornings and evenings


def test_the_weeks_interval_requirements_add_up_to_the_plans_staff_hours():
    weeks = 12
    cfg = capacity.capacity_config({"horizon_weeks": weeks})
    intervals, daily = synthetic(FIRST, weeks)
    demand = capacity.weekly_demand(intervals, daily, FIRST, cfg, ServiceConfig().target())
    for w in range(weeks):
        req = demand.week_requirements(w)
        assert len(req) == 7 * 48
        assert req["staff"].sum() * 0.5 == pytest.approx(demand.weeks["staff_hours_q"].iloc[w])


@pytest.mark.slow
def test_every_week_covered_with_overtime_has_the_days_to_place_it_or_is_reported_short():
    # a peaky line (a bell-shaped day) and a team whose hours the plan tops up with overtime:
    # without the check, weeks "covered" by overtime their agents' days cannot place
    weeks = 11
    cfg = capacity.capacity_config({"horizon_weeks": weeks, "temp_max": 0, "class_max": 6,
                                    "training_capacity": 6})  # fmt: skip
    intervals, daily = synthetic(FIRST, weeks, level=4000.0)
    demand = capacity.weekly_demand(intervals, daily, FIRST, cfg, ServiceConfig().target())
    base = capacity.base_supply(capacity.workforce_of([1.0] * 60), cfg, weeks)
    roster_rules = rules()

    def solve(limits):
        return capacity.solve_plan(demand, base, cfg, days_limits=limits)

    free = solve({})
    held, limits = plan_within_days(solve, demand, roster_rules, {})
    over = np.flatnonzero(free.weeks["overtime_h"].to_numpy() > 1e-6)
    unplaceable = [
        w for w in over
        if days_limit(demand.week_requirements(w), roster_rules, "w").short_h(
            float(free.weeks["agents_eq"].iloc[w])) > 1e-6
    ]  # fmt: skip
    assert unplaceable  # the case the check is for
    for w in np.flatnonzero(held.weeks["overtime_h"].to_numpy() > 1e-6):
        agents = float(held.weeks["agents_eq"].iloc[w])
        short = days_limit(demand.week_requirements(w), roster_rules, "w").short_h(agents)
        assert held.weeks["shortfall_h"].iloc[w] >= short - 1e-6
    assert set(limits) >= set(unplaceable)
    assert held.cost["total"] >= free.cost["total"] * (1 - 1e-6)
