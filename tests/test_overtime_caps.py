"""Overtime caps across weeks (issue 22): what earlier weeks of the month and year worked is
read back (the plan store's `shifts.overtime_hours`, schema 5) and holds this week's
overtime, split by date when the week runs over a month's end; checked from the rows alone.

Laws:
- two chained weeks: every agent's overtime in the month, first week's plus second week's,
  is within the month's cap, and the second week's checker (rows + history) finds nothing;
  the same second week planned without the history would break the cap (so the law can fail);
- `OvertimeTally.room_h` is what the caps leave on that date, never negative, and the checker
  flags a month exactly when the history plus the rows of that month pass its cap;
- the store keeps each shift's overtime and gives back a scenario's published overtime of the
  year before a week; an older store is migrated with none.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest
from helpers import invoke
from hypothesis import given, settings
from hypothesis import strategies as st
from test_contracts_overtime import agents, rules, week

from planner import jobs, store
from planner.accuracy import RunRecorder
from planner.schedule import (
    OvertimeTally,
    OvertimeWorked,
    Rules,
    build_roster,
    check_roster_rules,
    rules_from_mapping,
)

MONTH_CAP = 6.0


@pytest.fixture
def small_agents(small, tmp_path):
    """The small line with 14 named full-timers (too few: the week needs overtime) and a
    month's overtime cap of 6 h."""
    team = tmp_path / "agents.csv"
    team.write_text(
        "agent,contract,weekly_hours\n" + "".join(f"F{k:02d},full-time,40\n" for k in range(14)),
        encoding="utf-8",
    )
    text = small.read_text(encoding="utf-8")
    text = text.replace("[data]\n", '[data]\nagents = "agents.csv"\n')
    text += "\n[labour]\nmax_overtime_month_h = 6\nmax_overtime_week_h = 6\n"
    small.write_text(text, encoding="utf-8")
    return small


def _month_overtime(*rosters) -> pd.Series:
    rows = pd.concat(rosters, ignore_index=True)
    month = pd.to_datetime(rows["start"]).dt.strftime("%Y-%m")
    return rows.groupby([rows["agent"], month])["overtime_hours"].sum()


def day_only(hour):
    return 2 if 8 <= hour < 20 else 0


@pytest.mark.slow
def test_the_second_of_two_chained_weeks_is_held_to_what_the_first_left():
    # four full-timers for a 12-h line of 2 agents, +60% on Wed and Thu in both weeks
    r = rules(max_overtime_month_h=MONTH_CAP, max_overtime_week_h=MONTH_CAP)
    team = agents(4)
    first = build_roster(week(day_only, storm_days=(2, 3)), r, agents=team, time_limit_s=200)
    assert first.overtime_hours > 0 and check_roster_rules(first.roster, r) == []
    before = OvertimeWorked.from_rows(first.roster)
    demand = week(day_only, storm_days=(2, 3))
    demand["timestamp"] += pd.Timedelta(days=7)  # the next week, same month (July 2026)
    second = build_roster(
        demand, r, agents=team, time_limit_s=200, previous=first.roster, overtime_before=before
    )
    assert check_roster_rules(second.roster, r, overtime_before=before) == []
    assert (_month_overtime(first.roster, second.roster) <= MONTH_CAP + 1e-9).all()
    used = first.roster.groupby("agent")["overtime_hours"].sum()
    for agent, hours in second.roster.groupby("agent")["overtime_hours"].sum().items():
        assert hours <= MONTH_CAP - used.get(agent, 0.0) + 1e-9, agent
    # without the history the same week breaks the month's cap: the law above can fail
    bare = first.roster.drop(columns=["overtime_hours"])
    blind = build_roster(demand, r, agents=team, time_limit_s=200, previous=bare)
    assert check_roster_rules(blind.roster, r, overtime_before=before) != []
    assert second.overtime_hours < blind.overtime_hours
    # last week's roster with its overtime column is history enough (`schedule --previous`)
    chained = build_roster(demand, r, agents=team, time_limit_s=200, previous=first.roster)
    assert check_roster_rules(chained.roster, r, overtime_before=before) == []


def _rows(entries):
    return pd.DataFrame(
        {
            "agent": [a for a, _, _ in entries],
            "start": pd.to_datetime(
                [pd.Timestamp(d) + pd.Timedelta(hours=8) for _, d, _ in entries]
            ),
            "overtime_hours": [h for _, _, h in entries],
        }
    )


DAYS = [dt.date(2026, 6, 22) + dt.timedelta(days=k) for k in range(21)]  # over June's end
ENTRIES = st.lists(
    st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(DAYS), st.sampled_from([2.0, 4.0])),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(history=ENTRIES, week_rows=ENTRIES)
def test_room_and_checker_agree_with_the_caps_split_by_date(history, week_rows):
    r = rules(max_overtime_month_h=10, max_overtime_week_h=10, max_overtime_year_h=14)
    before = OvertimeWorked.from_rows(_rows(history))
    tally = OvertimeTally(before)
    for agent in ("A", "B"):
        for day in DAYS:
            month = sum(h for a, d, h in history if a == agent and d.month == day.month)
            year = sum(h for a, _d, h in history if a == agent)
            assert tally.room_h(r, agent, day) == pytest.approx(
                max(0.0, min(10.0, 10.0 - month, 14.0 - year))
            )
    problems = check_roster_rules(_roster(_rows(week_rows)), r, overtime_before=before)
    for agent in ("A", "B"):
        mine = [(d, h) for a, d, h in week_rows if a == agent]
        if not mine:
            continue
        for month in (6, 7):
            total = sum(h for a, d, h in history + week_rows if a == agent and d.month == month)
            flagged = any(p.startswith(f"{agent}: ") and f"2026-{month:02d}" in p for p in problems)
            assert flagged == (total > 10 + 1e-9), (agent, month, problems)
        total = sum(h for a, _d, h in history + week_rows if a == agent)
        assert any(p.startswith(f"{agent}: ") and " in 2026 " in p for p in problems) == (
            total > 14 + 1e-9
        )


def _roster(rows):
    """Rows as shifts of one ordinary hour followed by their overtime."""
    length = pd.to_timedelta(rows["overtime_hours"] + 1.0, unit="h")
    return rows.assign(
        end=rows["start"] + length, breaks="", paid_hours=rows["overtime_hours"] + 1.0
    )


def test_a_week_over_a_months_end_starts_the_new_month_afresh():
    r = rules(max_overtime_month_h=6, max_overtime_week_h=40)
    before = OvertimeWorked.from_rows(_rows([("A", dt.date(2026, 6, 10), 6.0)]))
    tally = before.tally()
    assert tally.room_h(r, "A", dt.date(2026, 6, 30)) == 0
    assert tally.room_h(r, "A", dt.date(2026, 7, 1)) == 6


@pytest.mark.slow
def test_the_store_keeps_each_shifts_overtime_for_the_next_week(small_agents, tmp_path):
    (tmp_path / "out").mkdir()
    first = jobs.run_week(
        small_agents, week="2026-W07", out_dir=tmp_path / "out" / "2026-W07",
        store_hook=RunRecorder(),
    )  # fmt: skip
    roster = first.plan.schedule.roster
    assert roster["overtime_hours"].sum() > 0  # the small team needs overtime
    # what the next week's run reads through its store hook: the first week's overtime rows
    nxt = first.plan.start + dt.timedelta(days=7)
    read = RunRecorder().overtime_worked(first.plan.scenario, nxt, tmp_path / "out" / "2026-W08")
    mine = roster.loc[roster["overtime_hours"] > 0, ["agent", "start", "overtime_hours"]]
    pd.testing.assert_frame_equal(
        read.sort_values(["agent", "start"]).reset_index(drop=True),
        mine.sort_values(["agent", "start"]).reset_index(drop=True),
        check_like=True,
        check_dtype=False,
    )
    # compare, continuing the same store, holds the week to the same caps as the run would
    compared = invoke(
        ["compare", small_agents, "--week", "2026-W08", "--store", tmp_path / "out" / "planner.db",
         "--format", "json"]
    )  # fmt: skip
    assert compared.exit_code == 0, compared.output
    assert "overtime worked earlier (published weeks)" in compared.stderr
    # nothing of the week itself, nor of a week before the year
    assert store.overtime_worked(tmp_path / "out" / "planner.db", "small", first.plan.start).empty
    assert store.overtime_worked(tmp_path / "out" / "planner.db", "small", "2027-01-04").empty


def test_an_older_store_gets_the_overtime_column_with_none(tmp_path):
    db = tmp_path / "planner.db"
    conn = sqlite3.connect(db)
    for version in range(1, 5):
        for statement in filter(str.strip, store.MIGRATIONS[version].split(";")):
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {store.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 4")
    conn.execute(
        "INSERT INTO runs (scenario, week, week_start, revision, published, created_utc, "
        "planner_version, exit_code) VALUES ('s', '2026-W07', '2026-02-09', 1, 1, 'x', 'x', 0)"
    )
    conn.execute(
        'INSERT INTO shifts (run_id, agent, start, "end", breaks, paid_hours) '
        "VALUES (1, 'A', '2026-02-09T08:00:00', '2026-02-09T20:00:00', '', 12)"
    )
    conn.commit()
    conn.close()
    read = store.overtime_worked(db, "s", dt.date(2026, 2, 16))
    assert read.empty
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        assert conn.execute("SELECT overtime_hours FROM shifts").fetchone()[0] == 0


@pytest.mark.parametrize("used_h", [36.0])
def test_the_intraday_actions_are_held_to_what_earlier_weeks_left(used_h):
    """A very short day (three times the plan) at 08:00: half the agents have already worked
    `used_h` of the month's 40 h of overtime in earlier weeks. No agent's overtime in the
    month, earlier weeks' plus the actions', passes the cap, and the checker (rows plus
    history) finds nothing; without the history the same actions would pass it."""
    from test_intraday import DAY, rest_demand, small_roster

    from planner.intraday import plan_actions

    r = Rules()
    now = DAY + pd.Timedelta(hours=8)
    roster = small_roster(DAY).assign(overtime_hours=0.0)
    tired = sorted(roster["agent"].unique())[::2]
    earlier = DAY.replace(day=2) + pd.Timedelta(hours=7)  # Monday of the same month
    before = OvertimeWorked.from_rows(
        pd.DataFrame({"agent": tired, "start": [earlier] * len(tired), "overtime_hours": used_h})
    )
    held = plan_actions(roster, rest_demand(3.0, now), 30.0, r, now, overtime_before=before)
    free = plan_actions(roster, rest_demand(3.0, now), 30.0, r, now)
    assert held.new_breaches == ()
    assert [
        p for p in check_roster_rules(held.roster, r, overtime_before=before) if "overtime" in p
    ] == []
    added = held.roster.groupby("agent")["overtime_hours"].sum()
    for agent in tired:
        assert added.get(agent, 0.0) <= 40.0 - used_h + 1e-9, agent
    blind = free.roster.groupby("agent")["overtime_hours"].sum()
    assert any(blind.get(agent, 0.0) > 40.0 - used_h + 1e-9 for agent in tired)


def test_a_shift_on_a_rest_day_covers_what_longer_shifts_cannot_at_the_rest_day_rate():
    """An 8-h line (08-16) needing 3 agents, 6 on Saturday, and four 40-h full-timers on
    5-day tours: longer shifts reach no short interval, an extra shift on a day off does.
    Every such row is a whole shift of overtime on a day the agent has no other shift, every
    rule holds (the checker, weekly rest included), it is paid `rest_day_overtime_pay_pct`,
    and the week is less short than without the lever."""
    from planner.schedule.result import roster_pay

    def five_day(**shifts):
        table = {"shifts": {**RULES_5, **shifts}, "labour": {"contract_tolerance_h": 0}}
        return rules_from_mapping(table, "test rules")

    demand = week(lambda h: 3 if 8 <= h < 16 else 0, storm_days=(5,), factor=1.7)
    team = agents(4).assign(weekly_hours=40.0)
    r = five_day()
    with_lever = build_roster(demand, r, agents=team, time_limit_s=200)
    without = build_roster(demand, five_day(rest_day_shifts=False), agents=team, time_limit_s=200)
    roster = with_lever.roster
    extra = roster[roster["overtime_hours"] >= roster["paid_hours"] - 1e-9]
    assert len(extra) > 0 and check_roster_rules(roster, r) == []
    for row in extra.itertuples(index=False):
        others = roster[(roster["agent"] == row.agent) & (roster["start"] != row.start)]
        assert row.start.normalize() not in set(others["start"].dt.normalize())
    pay = roster_pay(extra, r, frozenset(), pd.Timestamp(demand["timestamp"].iloc[0]))
    hours = float(extra["paid_hours"].sum())
    assert pay.overtime_cost == pytest.approx(hours * r.wage_per_hour * 2.0)
    assert with_lever.shortfall_hours < without.shortfall_hours
    assert without.roster["overtime_hours"].lt(without.roster["paid_hours"]).all()


RULES_5 = {
    "shift_lengths_h": [8],
    "start_step_min": 60,
    "days_per_week": [5],
    "meal_break_min": 0,
    "night_meal_break_min": 0,
}
