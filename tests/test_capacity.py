"""The capacity plan's laws: the supply recurrence against a hand-computed table, the plan
within its levers' limits, no week below the requirement without a reported shortfall, the
same staff-hours as `planner staff`, bad `[capacity]` keys named, and the command line."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from helpers import error_line, invoke
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import capacity
from planner.capacity import plan as plan_mod
from planner.errors import InputError
from planner.history import read_history
from planner.jobs.capacity import plan_scenario
from planner.scenario import ServiceConfig, load_scenario
from planner.schedule import rules_from_mapping
from planner.schedule.files import read_agents

FIRST = dt.date(2027, 1, 4)  # 2027-W01; Tết 2027 falls in W05-W06


@pytest.fixture(autouse=True)
def _away_from_any_store(tmp_path, monkeypatch):
    """`planner capacity` reads (and records in) `out/planner.db` when one is there: run each
    test in its own folder, so that a store in the checkout is never touched."""
    monkeypatch.chdir(tmp_path)


def synthetic(first: dt.date, weeks: int, level: float = 3000.0):
    """A forecast (intervals, daily) of `weeks` weeks: a bell-shaped day, a yearly wave."""
    days = pd.date_range(first, periods=7 * weeks)
    shape = np.exp(-0.5 * ((np.arange(48) - 24) / 7.0) ** 2)
    shape /= shape.sum()
    daily = level * (1 + 0.3 * np.sin(2 * np.pi * (days.day_of_year.to_numpy() - 100) / 365))
    stamps = (days.values[:, None] + np.arange(48) * np.timedelta64(30, "m")).ravel()
    calls = np.round((daily[:, None] * shape[None, :]).ravel(), 1)
    intervals = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(stamps),
            "calls": calls,
            "lower": calls * 0.85,
            "upper": calls * 1.15,
            "aht": 300.0,
        }
    )
    day_frame = pd.DataFrame(
        {
            "date": days.strftime("%Y-%m-%d"),
            "calls": daily,
            "lower": 0.85 * daily,
            "upper": 1.18 * daily,
        }  # fmt: skip
    )
    return intervals, day_frame


def weekly_rate_cfg(weekly: float, **keys) -> capacity.CapacityConfig:
    """A config whose monthly attrition compounds to exactly `weekly` a week."""
    monthly = 100.0 * (1.0 - (1.0 - weekly) ** (52.0 / 12.0))
    return capacity.capacity_config({"attrition_pct_per_month": monthly, **keys})


# --- supply ---------------------------------------------------------------------------------


def test_supply_reproduces_the_hand_computed_12_week_table():
    # 100 FTE today, 1% leave each week; a class of 20 starts in week 1: 6 classroom weeks,
    # 15% dropout -> 17 graduates in week 7, linear ramp 50, 62.5, 75, 87.5 then 100%
    cfg = weekly_rate_cfg(
        0.01, classroom_weeks=6, dropout_pct=15, ramp_weeks=4, ramp_start_pct=50,
        horizon_weeks=12, recruiting_lead_weeks=1,
    )  # fmt: skip
    base = capacity.base_supply(capacity.workforce_of([1.0] * 100), cfg, 12)
    table = capacity.supply_table(base, cfg, {1: {1.0: 20}}, 12).frame
    today = [100 * 0.99**w for w in range(12)]
    assert today[:4] == pytest.approx([100, 99, 98.01, 97.0299], abs=1e-9)
    grads = [0] * 7 + [17, 16.83, 16.6617, 16.495083, 16.33013217]
    prod = [0] * 7 + [0.5, 0.625, 0.75, 0.875, 1.0]
    expected_eff = [g * p for g, p in zip(grads, prod, strict=True)]
    assert expected_eff[7:] == pytest.approx([8.5, 10.51875, 12.496275, 14.433197625,
                                              16.33013217], abs=1e-9)  # fmt: skip
    ramping = [g if p < 1 else 0 for g, p in zip(grads, prod, strict=True)]
    tenured = [t + (g if p == 1 else 0) for t, g, p in zip(today, grads, prod, strict=True)]
    np.testing.assert_allclose(table["tenured_fte"], tenured, atol=1e-9)
    np.testing.assert_allclose(table["ramping_fte"], ramping, atol=1e-9)
    np.testing.assert_allclose(
        table["ramping_eff_fte"], [e if p < 1 else 0 for e, p in zip(expected_eff, prod,
                                                                       strict=True)], atol=1e-9
    )  # fmt: skip
    np.testing.assert_allclose(table["trainees_fte"], [0] + [20] * 6 + [0] * 5, atol=1e-12)
    np.testing.assert_allclose(table["hires"], [0, 20] + [0] * 10)
    np.testing.assert_allclose(table["graduates"], [0] * 7 + [17] + [0] * 4, atol=1e-12)
    # the recurrence: FTE(w) = FTE(w-1) - attrition(w-1) + graduates(w)
    fte = (table["tenured_fte"] + table["ramping_fte"]).to_numpy()
    attr = table["attrition_fte"].to_numpy()
    for w in range(1, 12):
        assert fte[w] == pytest.approx(fte[w - 1] - attr[w - 1] + table["graduates"][w], abs=1e-9)


def test_attrition_by_tenure_bands_apply_to_each_agent():
    cfg = capacity.capacity_config({"attrition_by_tenure": [[0, 3, 10.0], [3, 1200, 1.0]]})
    new = capacity.base_supply(capacity.workforce_of([1.0], [0.0]), cfg, 8)
    old = capacity.base_supply(capacity.workforce_of([1.0], [24.0]), cfg, 8)
    assert new.fte[-1] < old.fte[-1]
    weekly_new = 1 - 0.9 ** (12 / 52)
    assert new.fte[1] == pytest.approx(1 - weekly_new)


# --- demand ---------------------------------------------------------------------------------


def test_required_staff_hours_equal_planner_staff_for_the_same_week(tmp_path):
    cfg = capacity.capacity_config({"horizon_weeks": 12, "tet_shrinkage_pct": 30})
    intervals, daily = synthetic(FIRST, 12)
    target = ServiceConfig().target()  # 80/20, 85% occupancy cap, 30% shrinkage
    demand = capacity.weekly_demand(intervals, daily, FIRST, cfg, target, country="VN")
    for week in (0, 4, 7):  # week 4 holds Tết days (shrinkage kept at 30% here)
        day0 = pd.Timestamp(FIRST) + pd.Timedelta(days=7 * week)
        rows = intervals[(intervals["timestamp"] >= day0)
                         & (intervals["timestamp"] < day0 + pd.Timedelta(days=7))]  # fmt: skip
        path = tmp_path / f"week{week}.csv"
        rows.assign(timestamp=rows["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S")).to_csv(
            path, index=False
        )
        result = invoke(["staff", path, "--sl", 80, "--target", 20, "--max-occupancy", 85,
                         "--shrinkage", 30, "--format", "json"])  # fmt: skip
        assert result.exit_code == 0, result.stderr
        staff_hours = sum(r["staff"] for r in json.loads(result.stdout)) * 0.5
        ours = demand.weeks["staff_hours_p50"].iloc[week]
        assert abs(ours - staff_hours) <= 0.005 * staff_hours
        assert demand.weeks["calls_p10"].iloc[week] < demand.weeks["calls_p50"].iloc[week]


def test_quantiles_rise_and_bounds_widen_with_the_horizon():
    cfg = capacity.capacity_config({"horizon_weeks": 30, "tet_shrinkage_pct": 30})
    intervals, daily = synthetic(FIRST, 30)
    demand = capacity.weekly_demand(intervals, daily, FIRST, cfg, ServiceConfig().target())
    w = demand.weeks
    assert (w["staff_hours_p10"] <= w["staff_hours_p50"]).all()
    assert (w["staff_hours_p50"] <= w["staff_hours_p80"]).all()
    assert (w["staff_hours_p80"] <= w["staff_hours_p90"]).all()
    # the same daily bounds every day: the weeks inside the bounds' reach share their sigma,
    # the drift widens every later week (it starts where the bounds stop widening)
    sigma, reach = w["sigma"].to_numpy(), capacity.demand.BOUNDS_REACH_DAYS // 7
    np.testing.assert_allclose(sigma[:reach], sigma[0])
    assert np.all(np.diff(sigma[reach - 1 :]) > 0)


def test_the_drift_counts_from_the_historys_end_not_the_plans_start():
    # a plan that starts 20 weeks after the history's end has drifted 20 weeks already
    cfg = capacity.capacity_config({"horizon_weeks": 12, "tet_shrinkage_pct": 30})
    intervals, daily = synthetic(FIRST, 12)
    target = ServiceConfig().target()
    near = capacity.weekly_demand(intervals, daily, FIRST, cfg, target)
    later = capacity.weekly_demand(
        intervals, daily, FIRST, cfg, target, history_day=FIRST - dt.timedelta(weeks=20, days=1)
    )
    assert np.all(later.weeks["sigma"].to_numpy() > near.weeks["sigma"].to_numpy())


def test_tet_weeks_take_the_tet_shrinkage_and_overrides_win():
    cfg = capacity.capacity_config(
        {"horizon_weeks": 12, "tet_shrinkage_pct": 45, "shrinkage_by_week": {"2027-W09": 20}}
    )
    pct, tet = capacity.weekly_shrinkage(FIRST, 12, cfg, "VN")
    assert tet[4] > 0 and pct[4] == 45  # Tết 2027: 2027-02-06 (W05)
    assert pct[0] == 30 and pct[8] == 20


# --- the plan -------------------------------------------------------------------------------


def _plan(weeks: int, agents: int, **keys):
    cfg = capacity.capacity_config({"horizon_weeks": weeks, **keys})
    intervals, daily = synthetic(FIRST, weeks)
    demand = capacity.weekly_demand(intervals, daily, FIRST, cfg, ServiceConfig().target())
    workforce = capacity.workforce_of([1.0] * agents + [0.5] * 6)
    base = capacity.base_supply(workforce, cfg, weeks)
    return cfg, demand, workforce, capacity.solve_plan(demand, base, cfg)


@pytest.mark.parametrize(
    "keys",
    [
        {},
        {"overtime_h_per_year": 200, "temp_max": 5},
        {"class_max": 10, "training_capacity": 12, "ramp": [40, 70, 100]},
    ],
)
def test_plan_keeps_every_limit_and_reports_every_short_week(keys):
    weeks = 40
    cfg, demand, _, plan = _plan(weeks, 70, **keys)
    t = plan.weeks
    # overtime caps, by calendar month and ISO year, per agent on average
    months, years = plan_mod.month_groups(FIRST, weeks)
    for (y, m), ws in months.items():
        cap = cfg.overtime_h_per_month / plan_mod.weeks_in_month(y, m)
        assert t["overtime_h"].iloc[ws].sum() <= cap * t["heads"].iloc[ws].sum() + 1e-6
    for y, ws in years.items():
        cap = cfg.overtime_h_per_year / plan_mod.weeks_in_iso_year(y)
        assert t["overtime_h"].iloc[ws].sum() <= cap * t["heads"].iloc[ws].sum() + 1e-6
    assert (t["temps"] <= cfg.temp_max + 1e-9).all()
    assert (t["temps"].iloc[: cfg.temp_lead_weeks] == 0).all()
    # no week below the requirement unless its shortfall is reported
    below = t["gap_fte"] < -1e-6
    assert (t.loc[below, "shortfall_h"] > 0).all()
    reported = " ".join(plan.shortfall)
    for week in t.loc[below, "week"]:
        assert week in reported or any(
            a <= week <= b for a, b in (s.split(":")[0].split("..") for s in plan.shortfall
                                        if ".." in s.split(":")[0])
        )  # fmt: skip
    # classes: whole, within size limits, after the lead time, never in a Tết week
    for c in plan.classes:
        assert cfg.class_min <= c.size <= cfg.class_max
        s = (c.training_start - FIRST).days // 7
        assert s >= cfg.recruiting_lead_weeks
        assert demand.weeks["tet_days"].iloc[s] == 0
        assert c.requisition == c.training_start - dt.timedelta(weeks=cfg.recruiting_lead_weeks)
        assert c.open_by >= c.requisition
        pt = dict(c.sizes).get("part-time", 0)
        assert pt <= cfg.max_part_time_pct / 100 * c.size + 1e-9
    assert (t["trainees_fte"] <= cfg.training_capacity + 1e-9).all()
    # every term adds up
    eff = t["tenured_fte"] + t["ramping_eff_fte"] + 0.7 * t["temps"] + t["overtime_h"] / 48
    np.testing.assert_allclose(t["effective_fte"], eff)
    assert plan.gap_pct <= 1.0


@pytest.mark.parametrize("per_agent", [0.0, 4.0, 40.0])
def test_a_handed_week_takes_overtime_only_where_hires_and_temps_run_out(per_agent):
    # week 20 handed to the weekly run at half as much again as its neighbours: its agents
    # file carries heads, so the plan covers it with hires and temps first; overtime only
    # beyond them, within the weekly run's cap an agent, then the shortfall
    weeks, w = 30, 20
    cfg = capacity.capacity_config({"horizon_weeks": weeks, "temp_max": 5})
    intervals, daily = synthetic(FIRST, weeks)
    demand = capacity.weekly_demand(intervals, daily, FIRST, cfg, ServiceConfig().target())
    base = capacity.base_supply(capacity.workforce_of([1.0] * 70), cfg, weeks)
    need = demand.weeks["staff_hours_q"].to_numpy(float).copy()
    need[w] *= 1.5
    plan = capacity.solve_plan(
        demand, base, cfg, required_staff_hours=need, handed_weeks=(w,), handed_overtime_h=per_agent
    )
    row = plan.weeks.iloc[w]
    assert row["overtime_h"] <= per_agent * row["heads"] + 1e-6
    if row["overtime_h"] > 1e-6:
        assert row["temps"] >= cfg.temp_max - 1e-6  # the temps first
    none = capacity.solve_plan(demand, base, cfg, required_staff_hours=need, handed_weeks=(w,))
    assert none.weeks["overtime_h"].iloc[w] == 0
    assert row["shortfall_h"] <= none.weeks["shortfall_h"].iloc[w] + 1e-6
    if row["shortfall_h"] > 0:
        text = " ".join(plan.shortfall)
        assert ("weekly run's cap" in text) if per_agent else ("no overtime" in text)


def test_impossible_target_gets_a_plan_with_its_shortfall_and_reason():
    _, _, _, plan = _plan(20, 10, temp_max=0, overtime_h_per_month=0, overtime_h_per_year=0)
    assert plan.short
    assert "no class can graduate" in plan.shortfall[0]
    assert plan.cost["shortfall"] > 0


def test_risk_is_seeded_and_follows_the_gap():
    cfg, demand, workforce, plan = _plan(20, 70)
    a = capacity.simulate_risk(plan, demand, workforce, cfg, draws=300)
    b = capacity.simulate_risk(plan, demand, workforce, cfg, draws=300)
    np.testing.assert_array_equal(a.p_short, b.p_short)
    assert a.cost_p50 <= a.cost_p80 <= a.cost_p90
    gap = plan.weeks["gap_fte"].to_numpy()
    roomy = gap > 0.3 * plan.weeks["required_fte"].to_numpy()
    assert (a.p_short[roomy] < 0.01).all()
    assert ((a.p_short >= 0) & (a.p_short <= 1)).all()


def test_a_handed_week_reported_short_is_short_in_every_draw():
    # the weekly run's requirement does not hang on the demand draw: a handed week the plan
    # cannot cover (no overtime there, temps spent) is short in every draw, not at P(short) 0
    weeks, w = 30, 20
    cfg = capacity.capacity_config({"horizon_weeks": weeks, "temp_max": 0})
    intervals, daily = synthetic(FIRST, weeks)
    demand = capacity.weekly_demand(intervals, daily, FIRST, cfg, ServiceConfig().target())
    workforce = capacity.workforce_of([1.0] * 70)
    base = capacity.base_supply(workforce, cfg, weeks)
    need = demand.weeks["staff_hours_q"].to_numpy(float).copy()
    need[w] *= 1.5
    plan = capacity.solve_plan(demand, base, cfg, required_staff_hours=need, handed_weeks=(w,))
    assert plan.weeks["shortfall_h"].iloc[w] > 0
    risk = capacity.simulate_risk(plan, demand, workforce, cfg, 300, fixed_staff_hours={w: need[w]})
    assert risk.p_short[w] == 1.0
    free = capacity.simulate_risk(plan, demand, workforce, cfg, 300)
    others = np.arange(weeks) != w
    np.testing.assert_array_equal(risk.p_short[others], free.p_short[others])


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "key", "expect"),
    [
        ("horizen_weeks = 52", "horizen_weeks", "unknown key"),
        ("attrition_pct_per_month = -1", "attrition_pct_per_month", "expected a number"),
        ("ramp = [50, 80, 90]", "ramp", "ends at 100"),
        (
            "recruiting_lead_weeks = 20\nclassroom_weeks = 8\nhorizon_weeks = 26",
            "recruiting_lead_weeks",
            "within the horizon",
        ),  # fmt: skip
        ("class_min = 30\nclass_max = 20", "class_max", "class_min"),
        ("training_capacity = 3", "training_capacity", "no class could ever start"),
        ('no_class_weeks = ["2027-13"]', "no_class_weeks", "ISO week"),
        ("overtime_h_per_month = 60", "overtime_h_per_month", "[0, 40]"),
    ],
)
def test_bad_capacity_keys_name_file_table_and_key(tmp_path, line, key, expect):
    path = tmp_path / "cap.toml"
    path.write_text(f"[capacity]\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        capacity.config_of(load_scenario(path, rules_from_mapping))
    message = str(err.value)
    assert message.startswith(f"{path}: [capacity] {key}")
    assert expect in message
    result = invoke(["capacity", path])
    assert result.exit_code == 2
    assert str(path) in error_line(result) and f"[capacity] {key}" in error_line(result)


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def cap_scenario(small, tmp_path):
    agents = tmp_path / "agents.csv"
    rows = [f"A{i:02d},full-time,48,2025-0{1 + i % 9}-01" for i in range(12)]
    agents.write_text("agent,contract,weekly_hours,hire_date\n" + "\n".join(rows) + "\n")
    text = small.read_text().replace("[data]\n", '[data]\nagents = "agents.csv"\n')
    text += "\n[capacity]\nhorizon_weeks = 16\ndraws = 200\ntemp_max = 2\n"
    small.write_text(text)
    return small


def test_cli_writes_the_weekly_table_with_every_term(cap_scenario, tmp_path):
    out = tmp_path / "plan.csv"
    result = invoke(["capacity", cap_scenario, "--format", "csv", "-o", out, "-q",
                     "--agents-week", "2026-W15", "--agents-out", tmp_path / "w.csv"])  # fmt: skip
    assert result.exit_code in (0, 3), result.stderr
    frame = pd.read_csv(out)
    assert tuple(frame.columns) == capacity.TABLE_COLUMNS
    assert len(frame) == 16 and frame["week"].iloc[0] == "2026-W07"
    req = frame["staff_hours"] * frame["inefficiency"] / 48
    np.testing.assert_allclose(frame["required_fte"], req, atol=0.01)
    agents = pd.read_csv(tmp_path / "w.csv")
    assert list(agents.columns) == [
        "agent",
        "contract",
        "weekly_hours",
        "productivity_pct",
        "stands_for",
    ]
    again = invoke(["capacity", cap_scenario, "--format", "csv", "-q", "--agents-week",
                    "2026-W15", "--agents-out", tmp_path / "w2.csv"])  # fmt: skip
    assert again.stdout == out.read_text()  # same inputs, same bytes
    assert (tmp_path / "w2.csv").read_text() == (tmp_path / "w.csv").read_text()
    if result.exit_code == 3:
        assert (frame["shortfall_h"] > 0).any()


def test_the_handed_agents_keep_their_contract_and_roster_columns(cap_scenario, tmp_path):
    # a centre whose full-timers work 40 h (the plan's contract is 48) and whose agents have
    # night and day constraints: the week's file hands them on as they are, for the roster
    rows = [f"A{i:02d},full-time,40,{'yes' if i % 3 == 0 else 'no'},{'Sun' if i % 4 == 0 else ''}"
            for i in range(12)] + ["P01,part-time,20,no,Mon 00:00-08:00"]  # fmt: skip
    (tmp_path / "agents.csv").write_text(
        "agent,contract,weekly_hours,no_night,unavailable\n" + "\n".join(rows) + "\n"
    )
    result = invoke(["capacity", cap_scenario, "--format", "csv", "-q", "--agents-week",
                     "2026-W15", "--agents-out", tmp_path / "w.csv"])  # fmt: skip
    assert result.exit_code in (0, 3), result.stderr
    handed = read_agents(tmp_path / "w.csv")  # the weekly run reads it
    given = read_agents(tmp_path / "agents.csv").set_index("agent")
    today = handed[handed["agent"].isin(given.index)].set_index("agent")
    assert len(today) > 0
    for column in ("contract", "weekly_hours", "no_night", "unavailable"):
        assert (today[column] == given.loc[today.index, column]).all(), column
    others = handed[~handed["agent"].isin(given.index)]
    assert not others["no_night"].any() and (others["unavailable"] == "").all()


def test_cli_exit_3_and_reason_when_short(cap_scenario):
    text = cap_scenario.read_text().replace(
        "temp_max = 2", "temp_max = 0\novertime_h_per_month = 0"
    )
    cap_scenario.write_text(text)
    result = invoke(["capacity", cap_scenario, "--format", "json", "--weeks", "12"])
    assert result.exit_code == 3, result.stderr
    rows = json.loads(result.stdout)
    assert any(r["shortfall_h"] > 0 for r in rows)
    assert "SHORT " in result.stderr and "no class can graduate" in result.stderr
    assert math.isclose(sum(r["p_short"] >= 0 for r in rows), 12)
    short_h = {r["week"]: r["shortfall_h"] for r in rows}
    for first, last, said in re.findall(
        r"SHORT (\S+?)(?:\.\.(\S+))?: short ([\d,.]+) staff-hours", result.stderr
    ):
        weeks = [w for w in short_h if first <= w <= (last or first)]
        hours = sum(short_h[w] for w in weeks)  # each week's shortfall, once, in one line
        assert float(said.replace(",", "")) > 0 and abs(float(said.replace(",", "")) - hours) <= 0.5


@pytest.mark.slow  # four plans (about 4 s on a quiet machine)
def test_cli_plans_scenarios_side_by_side(cap_scenario, tmp_path):
    dearer = tmp_path / "dearer.toml"
    dearer.write_text(
        f'extends = "{cap_scenario.name}"\nname = "dearer"\n[capacity]\nhire_cost = 60000000\n'
    )
    result = invoke(["capacity", cap_scenario, dearer, "--format", "csv", "-q"])
    assert result.exit_code in (0, 3), result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert list(frame["scenario"].unique()) == [cap_scenario.stem, "dearer"]
    table = invoke(["capacity", cap_scenario, dearer, "-q"])
    assert "scenarios side by side" in table.stdout


def test_expected_agents_are_todays_survivors_plus_whole_agent_equivalents(cap_scenario):
    result = plan_scenario(cap_scenario, quantile_pct=90)
    t, cfg = result.table, result.config
    base = capacity.base_supply(result.workforce, cfg, len(t))
    for w in (0, 8, len(t) - 1):
        agents = capacity.expected_agents(result, t["week"].iloc[w])
        today = agents[agents["agent"].str.startswith("A")]
        hires = agents[agents["agent"].str.startswith("H")]
        temps = agents[agents["agent"].str.startswith("T")]
        assert len(today) == round(base.heads[w])  # the expected survivors, whole
        assert (agents["productivity_pct"] == 100.0).all()  # each row is a whole agent's work
        # the weekly roster counts every agent whole: graduates and temps are handed at their
        # productivity, so the file's heads are the plan's effective FTE of them (rounded)
        grads = t["tenured_fte"].iloc[w] - base.fte[w] + t["ramping_eff_fte"].iloc[w]
        temps_eff = round(t["temps"].iloc[w]) * cfg.temp_productivity_pct / 100.0
        handed = (hires["weekly_hours"].sum() + temps["weekly_hours"].sum()) / cfg.contract_hours
        slack = 0.5 * (2 * len(result.plan.classes) + 1) + 0.5
        assert abs(handed - grads - temps_eff) <= slack + 1e-9
        if w == 0:
            assert len(hires) == 0
        if len(temps):
            assert (
                temps["stands_for"].str.endswith(f"temps at {cfg.temp_productivity_pct:g}%").all()
            )
    with pytest.raises(InputError, match="not in the plan"):
        capacity.expected_agents(result, "2030-W01")


def test_seasonal_aht_takes_last_years_same_weeks_at_this_years_level(tmp_path):
    # two years of hourly calls: AHT 200 s in June-August, 250 s otherwise; +10% since October
    times = pd.date_range("2024-01-01", "2026-02-28 23:00", freq="h")
    summer = times.month.isin([6, 7, 8])
    aht = np.where(summer, 200.0, 250.0) * np.where(times >= pd.Timestamp("2025-10-01"), 1.1, 1.0)
    path = tmp_path / "h.csv"
    pd.DataFrame(
        {"timestamp": times.strftime("%Y-%m-%dT%H:%M:%S"), "calls": 10, "aht": aht}
    ).to_csv(path, index=False)
    hist = read_history(path, country=None)
    origin = pd.Timestamp("2026-03-01")
    stamps = pd.date_range("2026-07-06", periods=24, freq="h")
    forecast = pd.DataFrame({"timestamp": stamps, "calls": 10.0, "aht": 275.0})
    out = capacity.seasonal_aht(forecast, hist, origin)
    # last July at 200 s; the 8 weeks before the origin at 275 s, a year earlier at 250 s:
    # July 2026 at 200 x 1.1 = 220 s
    np.testing.assert_allclose(out["aht"], 220.0)
    short = read_history(path, country=None).truncate(pd.Timestamp("2024-06-01"))
    kept = capacity.seasonal_aht(forecast, short, pd.Timestamp("2024-06-01"))
    np.testing.assert_allclose(kept["aht"], 275.0)  # under a year of history: unchanged


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--from", "2027-13"], "ISO week"),
        (["--agents-week", "2027-W28"], "--agents-out"),
        (["--plot", "plan.pdf"], ".png"),
        (["--weeks", "200"], "--weeks"),
        (["--quantile", "100"], "--quantile"),
    ],
)
def test_cli_bad_options_one_line_exit_2(args, expect, tmp_path):
    result = invoke(["capacity", *args])
    assert result.exit_code == 2
    assert expect in error_line(result)


@settings(max_examples=40, deadline=None)
@given(
    attrition=st.floats(0, 20),
    dropout=st.floats(0, 60),
    classroom=st.integers(0, 8),
    ramp_weeks=st.integers(0, 10),
    start=st.integers(0, 10),
    size=st.integers(1, 30),
    part=st.booleans(),
)
def test_supply_recurrence_holds_for_any_knobs(
    attrition, dropout, classroom, ramp_weeks, start, size, part
):
    weeks = 30
    cfg = capacity.capacity_config(
        {
            "attrition_pct_per_month": attrition,
            "dropout_pct": dropout,
            "classroom_weeks": classroom,
            "ramp_weeks": ramp_weeks,
            "horizon_weeks": weeks,
            "recruiting_lead_weeks": 0,
        }  # fmt: skip
    )
    fte = 0.5 if part else 1.0
    base = capacity.base_supply(capacity.workforce_of([1.0] * 20 + [0.5] * 4), cfg, weeks)
    t = capacity.supply_table(base, cfg, {start: {fte: size}}, weeks).frame
    paid = (t["tenured_fte"] + t["ramping_fte"]).to_numpy()
    for w in range(1, weeks):
        grads = t["graduates"].iloc[w] * fte
        assert paid[w] == pytest.approx(paid[w - 1] - t["attrition_fte"].iloc[w - 1] + grads)
    assert (t["ramping_eff_fte"] <= t["ramping_fte"] + 1e-12).all()
    assert (t["attrition_fte"] >= 0).all()
    assert t["graduates"].sum() == pytest.approx(
        size * (1 - dropout / 100) if start + classroom < weeks else 0.0
    )


def test_agents_file_hire_dates_give_tenure_and_bad_ones_name_the_line(tmp_path):
    path = tmp_path / "agents.csv"
    path.write_text(
        "agent,contract,weekly_hours,hire_date\nA1,full-time,48,2026-12-07\n"
        "A2,part-time,,2020-01-06\nA3,full-time,48,\n"
    )
    cfg = capacity.capacity_config({})
    wf = capacity.read_workforce(path, cfg, FIRST)
    assert list(wf.frame["fte"]) == [1.0, 0.5, 1.0]
    assert wf.frame["tenure_months"].iloc[0] == pytest.approx(4 / (52 / 12))
    assert wf.frame["tenure_months"].iloc[1] > 80
    path.write_text("agent,hire_date\nA1,2026-13-01\n")
    with pytest.raises(InputError, match=r"agents.csv:2: column 'hire_date' = '2026-13-01'"):
        capacity.read_workforce(path, cfg, FIRST)
    path.write_text("agent,hire_date\nA1,2027-06-01\n")
    with pytest.raises(InputError, match="after the plan's start"):
        capacity.read_workforce(path, cfg, FIRST)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("agent,contract\nA1,temp\n", r"agents.csv:2: column 'contract' = 'temp'"),
        ("agent\nA1\nA1\n", r"agents.csv:3: agent 'A1' repeated"),
        ("agent,no_night\nA1,maybe\n", r"agents.csv:2: column 'no_night' = 'maybe'"),
        ("agent,unavailable\nA1,Someday\n", r"agents.csv:2: column 'unavailable'"),
    ],
)
def test_the_agents_file_is_checked_as_the_weekly_run_reads_it(tmp_path, text, match):
    """The plan hands its agents file on to the weekly run: a cell that run refuses is refused
    here, naming the line, not carried into the file it writes."""
    path = tmp_path / "agents.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=match):
        capacity.read_workforce(path, capacity.capacity_config({}), FIRST)


def test_a_plan_beyond_the_forecasts_reach_is_refused(cap_scenario):
    result = invoke(["capacity", cap_scenario, "--from", "2029-W01", "--weeks", "52"])
    assert result.exit_code == 2
    assert "the forecast reaches at most 800 days" in error_line(result)


@pytest.mark.slow  # plans on a local engine and in process (about 3 s)
def test_scenarios_on_an_engine_give_the_in_process_result(cap_scenario, tmp_path):
    dearer = tmp_path / "dearer.toml"
    dearer.write_text(
        f'extends = "{cap_scenario.name}"\nname = "dearer"\n[capacity]\nhire_cost = 60000000\n'
    )
    here = invoke(["capacity", cap_scenario, dearer, "--format", "csv", "-q"])
    assert here.exit_code in (0, 3), here.stderr
    pooled = invoke(["capacity", cap_scenario, dearer, "--format", "csv", "-q",
                     "--engine", "local:2"])  # fmt: skip
    assert (pooled.exit_code, pooled.stdout) == (here.exit_code, here.stdout)


def test_a_bad_engine_on_capacity_is_one_line(cap_scenario):
    result = invoke(["capacity", cap_scenario, cap_scenario, "--engine", "nowhere:3"])
    assert result.exit_code == 2
    assert "nowhere:3" in error_line(result)
