"""Contracts, overtime and holiday pay in the roster (issue 22, items 3 and 4), as laws read
from the roster rows alone:

- a salaried agent is paid their paid minimum whether rostered or not, and is rostered up to it
  or the roster says why (the rule that keeps a long enough tour from them);
- overtime never breaks a cap: a day's work within `max_work_day_h`, an agent's week within
  the overtime cap, every other labour rule kept (`check_roster_rules`);
- a two-day storm is covered by overtime for less than hiring for the week would cost;
- the public-holiday premium is paid on the holiday's hours and on no other day's;
- a misconfigured cap is one line naming file, table and key, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import agents_frame, error_line, invoke

from planner.errors import InputError
from planner.pipeline.answers import target_cost
from planner.schedule import build_roster, check_roster_rules, rules_from_mapping
from planner.schedule.result import roster_pay

WEEK = "2026-07-06"  # a Monday
WAGE = 40000.0

# one 8-hour shift length on an hourly grid, 6-day tours: small enough to solve in seconds
RULES = {
    "shifts": {
        "shift_lengths_h": [8],
        "start_step_min": 60,
        "days_per_week": [6],
        "meal_break_min": 0,
        "night_meal_break_min": 0,
    },
    "labour": {"contract_tolerance_h": 0},
}


def rules(**labour):
    table = {**RULES, "labour": {**RULES["labour"], **labour}}
    return rules_from_mapping(table, "test rules")


def week(staff_by_hour, storm_days=(), factor=1.6):
    """A week of hourly requirements: `staff_by_hour(hour)`, times `factor` on `storm_days`."""
    times = pd.date_range(WEEK, periods=7 * 24, freq="60min")
    staff = np.array([staff_by_hour(h) for h in times.hour], dtype=float)
    storm = np.isin(times.day_of_week, list(storm_days))
    staff[storm] = np.ceil(staff[storm] * factor)
    return pd.DataFrame({"timestamp": times, "staff": staff})


def agents(full_time, part_time=0, **extra):
    return agents_frame(full_time, part_time, **extra)


def day_line(hour):
    return 3 if 7 <= hour < 23 else 1


def per_agent(roster, column):
    return roster.groupby("agent")[column].sum()


def test_full_timers_rostered_to_their_contract_or_told_why():
    team = agents(8, 2, F07={"unavailable": "Mon;Tue"})  # F07 cannot work 6 days
    result = build_roster(week(day_line), rules(), agents=team, time_limit_s=120)
    assert check_roster_rules(result.roster, rules()) == []
    contracts = result.contracts.set_index("agent")
    ordinary = per_agent(result.roster, "paid_hours") - per_agent(result.roster, "overtime_hours")
    for agent in [f"F{k:02d}" for k in range(8)]:
        row = contracts.loc[agent]
        assert row["min_hours"] == 48
        assert row["ordinary_h"] == pytest.approx(ordinary.get(agent, 0.0))
        assert row["ordinary_h"] <= 48 + 1e-9  # never past the contract's ordinary hours
        if row["ordinary_h"] < 48 - 1e-9:
            assert row["reason"], agent  # below the contract: the roster says why
            assert row["idle_h"] == pytest.approx(48 - row["ordinary_h"])
    assert "unavailable" in contracts.loc["F07", "reason"]
    assert contracts.loc["F07", "idle_h"] > 0
    assert result.idle_paid_hours == pytest.approx(contracts["idle_h"].sum())
    assert any("contracts:" in m and "F07" in m for m in result.messages)


def test_the_cost_is_what_the_centre_pays():
    team = agents(8, 2, F07={"unavailable": "Mon;Tue"})
    r = rules()
    result = build_roster(week(day_line), r, agents=team, time_limit_s=120)
    roster = result.roster
    # ordinary hours, idle paid hours, night premium, overtime premium, per-head cost of every
    # agent paid this week (rostered or salaried): nothing else
    pay = roster_pay(roster, r, frozenset(), pd.Timestamp(WEEK))
    salaried = set(result.contracts.loc[result.contracts["min_hours"] > 0, "agent"])
    heads = len(set(roster["agent"]) | salaried)
    expected = WAGE * (
        roster["paid_hours"].sum()
        + result.idle_paid_hours
        + r.night_premium_pct / 100 * roster["night_hours"].sum()
    )
    expected += pay.overtime_extra + r.head_cost_per_week * heads
    assert result.cost == pytest.approx(expected)
    # salaried agents are paid at least their minimum whatever the roster does
    assert result.cost >= WAGE * 48 * 8


@pytest.mark.slow
def test_an_agents_own_min_hours_replace_the_contracts():
    team = agents(4, 0, F00={"min_hours": 0.0}, F01={"min_hours": 40.0})
    result = build_roster(week(lambda h: 1), rules(), agents=team, time_limit_s=120)
    contracts = result.contracts.set_index("agent")
    assert contracts.loc["F00", "min_hours"] == 0
    assert contracts.loc["F01", "min_hours"] == 40
    assert contracts.loc["F02", "min_hours"] == 48
    assert contracts.loc["F00", "idle_h"] == 0  # paid as rostered: never idle


def caps_hold(roster, r):
    """The caps, from the rows: a day's work, the week's overtime per agent."""
    hours = (roster["end"] - roster["start"]).dt.total_seconds() / 3600
    assert (hours <= r.max_work_day_h + 1e-9).all()
    assert (roster["paid_hours"] - roster["overtime_hours"] <= r.max_daily_hours + 1e-9).all()
    weekly = per_agent(roster, "overtime_hours")
    assert (weekly <= min(r.max_overtime_week_h, r.max_overtime_month_h) + 1e-9).all()
    assert check_roster_rules(roster, r) == []


@pytest.mark.slow
def test_a_storm_is_covered_by_overtime_for_less_than_hiring_for_the_week():
    # 9 full-timers cover the ordinary week (3 by day, 1 at night); +60% on Wed and Thu
    demand = week(day_line, storm_days=(2, 3))
    team = agents(9)
    with_ot = rules()
    without = rules(max_overtime_month_h=0, max_overtime_week_h=0)
    covered = build_roster(demand, with_ot, agents=team, time_limit_s=200)
    short = build_roster(demand, without, agents=team, time_limit_s=200)
    caps_hold(covered.roster, with_ot)
    assert covered.overtime_hours > 0
    assert short.overtime_hours == 0
    assert covered.shortfall_hours < short.shortfall_hours
    # meeting the target by hiring: the hires the week's LP takes at their weekly cost
    hire = target_cost(short, without)
    assert hire.hire_full_time + hire.hire_part_time > 0
    # overtime's extra cost plus what it leaves short (priced as hires too) is below hiring
    rest = target_cost(covered, with_ot)
    assert covered.cost + rest.hire_cost < short.cost + hire.hire_cost
    assert covered.overtime_cost < hire.hire_cost


@pytest.mark.slow
def test_overtime_never_breaks_a_cap_even_when_the_caps_are_tight():
    demand = week(day_line, storm_days=(2, 3))
    tight = rules(max_overtime_week_h=4, max_work_day_h=10)
    result = build_roster(demand, tight, agents=agents(9), time_limit_s=120)
    caps_hold(result.roster, tight)
    assert (per_agent(result.roster, "overtime_hours") <= 4 + 1e-9).all()


@pytest.fixture(scope="module")
def plain_week():
    return build_roster(week(day_line), rules(), agents=agents(9), time_limit_s=120)


def hours_on(roster, date):
    """Ordinary hours worked on `date`, from the rows (a night shift counts its hours before
    and after midnight on their own dates; a row's overtime is not ordinary)."""
    day0, day1 = date, date + pd.Timedelta(days=1)
    starts = roster["start"].clip(lower=day0)
    ends = roster["end"].clip(upper=day1)
    on_day = (ends - starts).dt.total_seconds().clip(lower=0) / 3600
    return float((on_day - roster["overtime_hours"]).clip(lower=0).sum())


def hand_roster():
    """Rows of every kind: day shifts, a night shift over each midnight, one with overtime."""
    rows = []
    monday = pd.Timestamp(WEEK)
    for day in range(7):
        base = monday + pd.Timedelta(days=day)
        rows.append(("D", base + pd.Timedelta(hours=8), base + pd.Timedelta(hours=16), 0.0))
        rows.append(("N", base + pd.Timedelta(hours=22), base + pd.Timedelta(hours=30), 0.0))
    wed = monday + pd.Timedelta(days=2)
    rows.append(("O", wed + pd.Timedelta(hours=10), wed + pd.Timedelta(hours=20), 2.0))
    frame = pd.DataFrame(rows, columns=["agent", "start", "end", "overtime_hours"])
    frame["paid_hours"] = (frame["end"] - frame["start"]).dt.total_seconds() / 3600
    return frame


@pytest.mark.parametrize("holiday", range(7))
def test_the_holiday_premium_is_paid_on_the_holiday_only(holiday):
    roster, r = hand_roster(), rules()
    date = pd.Timestamp(WEEK) + pd.Timedelta(days=holiday)
    pay = roster_pay(roster, r, frozenset({holiday}), pd.Timestamp(WEEK))
    assert pay.holiday_h == pytest.approx(hours_on(roster, date))
    assert pay.holiday_h > 0
    assert pay.holiday_extra == pytest.approx(WAGE * 2.0 * pay.holiday_h)  # 300%: +200%
    none = roster_pay(roster, r, frozenset(), pd.Timestamp(WEEK))
    assert none.holiday_extra == 0 and none.holiday_h == 0
    # overtime: 150% on a normal day, 300% on a holiday
    rate = 3.0 if holiday == 2 else 1.5
    assert pay.overtime_h == 2.0
    assert pay.overtime_extra == pytest.approx(WAGE * (rate - 1.0) * 2.0)


@pytest.mark.slow
def test_a_roster_with_a_holiday_costs_its_premium_and_one_without_does_not(plain_week):
    demand, r = week(day_line), rules()
    date = pd.Timestamp(WEEK) + pd.Timedelta(days=3)
    costed = build_roster(demand, r, agents=agents(9), time_limit_s=120, holidays=(date,))
    assert costed.holiday_hours == pytest.approx(hours_on(costed.roster, date))
    assert costed.holiday_premium_cost == pytest.approx(WAGE * 2.0 * costed.holiday_hours)
    assert plain_week.holiday_premium_cost == 0
    elsewhere = (pd.Timestamp(WEEK) - pd.Timedelta(days=3),)  # not in the week
    other = build_roster(demand, r, agents=agents(9), time_limit_s=120, holidays=elsewhere)
    assert other.holiday_hours == 0 and other.cost == pytest.approx(plain_week.cost)


@pytest.mark.parametrize(
    ("table", "text", "key"),
    [
        ("labour", "max_overtime_month_h = 250", "labour.max_overtime_month_h"),
        ("labour", "max_work_day_h = 8", "labour.max_work_day_h"),
        ("labour", "max_work_day_h = 30", "labour.max_work_day_h"),
        ("cost", "overtime_pay_pct = 90", "cost.overtime_pay_pct"),
        ("shifts", "overtime_extensions_h = [0]", "shifts.overtime_extensions_h"),
        ("labour", "min_hours_full_time_pct = 120", "labour.min_hours_full_time_pct"),
    ],
)
def test_a_misconfigured_cap_is_one_line_naming_file_table_and_key(tmp_path, table, text, key):
    requirements = tmp_path / "req.csv"
    week(day_line).to_csv(requirements, index=False)
    bad = tmp_path / "bad.toml"
    bad.write_text(f"[{table}]\n{text}\n", encoding="utf-8")
    result = invoke(["schedule", str(requirements), "--rules", str(bad)])
    assert result.exit_code == 2
    line = error_line(result)
    assert "bad.toml" in line and key in line
    assert "Traceback" not in result.output


def test_caps_must_nest():
    with pytest.raises(InputError, match="max_overtime_month_h = 250: above"):
        rules(max_overtime_month_h=250)
    assert rules(max_overtime_year_h=300, max_overtime_month_h=40).overtime_cap_h == 40


@pytest.mark.slow
def test_bundled_week_full_timers_at_contract_and_fewer_agents_cost_no_more(tmp_path):
    """2026-W45 with the bundled agents: every full-timer rostered to the contract or told
    why; the first 70 of the list cost no more than all 88 unless short by more."""
    root = Path(__file__).resolve().parents[1]
    agents_csv = (root / "data" / "agents.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "first70.csv").write_text("\n".join(agents_csv[:71]) + "\n", encoding="utf-8")
    baseline = root / "scenarios" / "baseline.toml"
    fewer = tmp_path / "fewer.toml"
    fewer.write_text(
        f'extends = "{baseline.as_posix()}"\nname = "fewer"\n[data]\nagents = "first70.csv"\n',
        encoding="utf-8",
    )
    summaries = {}
    for name, path in (("baseline", baseline), ("fewer", fewer)):
        out = tmp_path / name
        result = invoke(["run", path, "--week", "2026-W45", "--out", out, "--no-store", "--quiet"])
        assert result.exit_code in (0, 3), result.stderr
        summaries[name] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        contracts = pd.read_excel(out / "roster.xlsx", sheet_name="Contracts")
        full = contracts[contracts["min_hours"] >= 48]
        assert len(full) == 70
        below = full[full["ordinary_h"] < full["min_hours"] - 1e-9]
        assert all(isinstance(why, str) and why for why in below["reason"])
        assert (full["ordinary_h"] <= full["contract_h"] + 1e-9).all()
    base, few = summaries["baseline"]["kpis"], summaries["fewer"]["kpis"]
    assert (
        few["cost"] <= base["cost"] or few["shortfall_staff_hours"] > base["shortfall_staff_hours"]
    )
