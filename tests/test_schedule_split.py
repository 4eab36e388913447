"""The headcount split of a named week's bound (`planner.schedule.split.headcount_split`), as
laws: it never passes the cheapest roster (a valid bound), never falls below the LP, leaves
a sized week alone and leaves the model as it found it; and a named week's roster solved with
it keeps every agent's rules and is the same twice."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pulp
import pytest
from helpers import agents_frame

from planner.schedule import build_roster, check_roster_rules, rules_from_mapping
from planner.schedule.build import lp_relaxation
from planner.schedule.files import requirements_horizon
from planner.schedule.groups import make_groups
from planner.schedule.model import build_model
from planner.schedule.solvers import SolveStatus, run_highs_bounded
from planner.schedule.split import headcount_split

WEEK = "2026-07-06"  # a Monday
# four fixed 8-hour shifts, 5 days a week, on an hourly grid: HiGHS proves such a week
# optimal in a fraction of a second
RULES = {
    "shifts": {
        "shift_lengths_h": [8],
        "start_step_min": 60,
        "start_windows": ["06:00-06:00", "10:00-10:00", "14:00-14:00", "22:00-22:00"],
        "days_per_week": [5],
    },
    "labour": {"contract_tolerance_h": 0, "coverage": "soft"},
}


def week(day: int, night: int, peak: int) -> pd.DataFrame:
    """Hourly requirements: `day` agents 07-23, `night` otherwise, `peak` more 10-12."""
    times = pd.date_range(WEEK, periods=7 * 24, freq="60min")
    hours = times.hour.to_numpy()
    staff = np.where((hours >= 7) & (hours < 23), day, night) + np.where(
        (hours >= 10) & (hours < 12), peak, 0
    )
    return pd.DataFrame({"timestamp": times, "staff": staff.astype(float)})


def team(full_time: int, part_time: int, **extra) -> pd.DataFrame:
    """Full-timers (paid their 40 h whether rostered or not) and part-timers (paid by the hour),
    all on 40 h; `extra`: agent -> {column: value}."""
    return agents_frame(full_time, part_time, 40.0, 40.0, **extra)


def named_model(req: pd.DataFrame, agents: pd.DataFrame | None):
    rules = rules_from_mapping(RULES, "split rules")
    horizon = requirements_horizon(req)
    return build_model(horizon, rules, make_groups(agents, rules, horizon.queues))


def lp_and_split(model):
    deadline = time.monotonic() + 120
    lp = lp_relaxation(model, deadline)
    tours = {key: max(0.0, var.value() or 0.0) for key, var in model.y.items()}
    return lp, tours, headcount_split(model, tours, deadline)


def lp_with(model, limit) -> float:
    """The LP relaxation with one more row (through the model itself, not the split's MPS)."""
    model.prob += (limit, "probe")
    try:
        report = lp_relaxation(model, time.monotonic() + 120)
    finally:
        model.prob._constraints.pop("probe")
    return report.objective if report.status.has_solution else math.inf


def test_the_split_is_the_cheaper_side_of_a_whole_headcount_and_leaves_the_model_alone():
    """2 agents by day, 1 by night, 2 more from 10 to 12, 8 full-timers and 3 part-timers: the
    LP rosters 10.5 agents; no roster has half an agent, so none costs less than the cheaper
    of the LP with at most 10 and the LP with at least 11."""
    model = named_model(week(2, 1, 2), team(8, 3))
    rows = model.prob.numConstraints()
    lp, tours, split = lp_and_split(model)
    assert model.prob.numConstraints() == rows  # no split row left behind
    assert all((var.value() or 0.0) == pytest.approx(tours[k]) for k, var in model.y.items())
    count = sum(tours.values())
    assert count == pytest.approx(10.5)
    total = pulp.lpSum(model.y.values())
    sides = lp_with(model, total <= math.floor(count)), lp_with(model, total >= math.ceil(count))
    assert split == pytest.approx(min(sides))
    assert split > lp.objective + 1e-6


@pytest.mark.parametrize("agents", [None, "whole"])
def test_a_sized_week_or_a_whole_headcount_is_not_split(agents):
    """No named agent (the sized week), or an LP that rosters whole agents (6 full-timers and
    3 part-timers, all of them needed): nothing to add to the LP."""
    model = named_model(week(2, 1, 2), team(6, 3) if agents else None)
    _, tours, split = lp_and_split(model)
    assert split == -math.inf
    if agents:
        assert sum(tours.values()) == pytest.approx(9.0)


@pytest.mark.slow
def test_the_split_never_passes_the_cheapest_roster():
    """Against HiGHS's proven optimum of a small named week (about 12 s): a valid bound."""
    model = named_model(week(2, 1, 1), team(8, 3))
    lp, _, split = lp_and_split(model)
    assert split > lp.objective + 1e-6
    best = run_highs_bounded(model.prob, time.monotonic() + 600, 0.0)
    assert best.status == SolveStatus.OPTIMAL
    assert split <= best.objective + 1e-6


@pytest.mark.slow
def test_a_named_week_keeps_every_agents_rules_and_is_the_same_twice():
    """No-night, unavailable days and hours, a preferred start, part-timers: every rule holds
    on the roster rows, overtime included (the overtime hand-out used to extend a no-night
    agent's 14:00 shift to midnight on this week), and the same input gives the same roster
    byte for byte."""
    agents = team(
        6,
        3,
        F00={"no_night": True},
        F01={"unavailable": "Sun"},
        F02={"unavailable": "Tue 17:00-24:00;Thu 17:00-24:00"},
        F03={"preferred_start": "08:00"},
        P00={"no_night": True},
    )
    rules = rules_from_mapping(RULES, "split rules")
    req = week(4, 1, 2)
    # a 5% target gap ends the search early (about 11 s a run): the laws hold on any roster
    runs = [
        build_roster(req, rules, agents=agents, time_limit_s=300, solver="highs", gap_pct=5)
        for _ in range(2)
    ]
    assert runs[0].roster.to_csv(index=False) == runs[1].roster.to_csv(index=False)
    roster = runs[0].roster
    assert check_roster_rules(roster, rules) == []
    start = pd.to_datetime(roster["start"])
    end = pd.to_datetime(roster["end"])
    for agent in ("F00", "P00"):  # no night hours
        own = roster["agent"] == agent
        assert (roster.loc[own, "night_hours"] == 0).all()
    f01 = roster["agent"] == "F01"
    assert not (start[f01].dt.day_of_week == 6).any()  # no shift starting on Sunday
    assert not ((end[f01].dt.day_of_week == 6) & (end[f01].dt.hour > 0)).any()
    f02 = roster["agent"] == "F02"
    for day in (1, 3):  # Tuesday and Thursday evenings free
        on = f02 & (start.dt.day_of_week == day)
        assert (start[on].dt.hour + (end[on] - start[on]).dt.total_seconds() / 3600 <= 17).all()
    assert (roster["overtime_hours"] > 0).any()  # the week does hand out overtime
    assert runs[0].bound <= runs[0].objective + 1e-6
