"""The capacity plan closed in a loop with planner's own rosters: the week handed to the weekly
run is covered as that run staffs it (the same staff-hours), the agents the plan expects there
cover the roster the run makes, the scheduling inefficiency is measured on real rosters (the
store's published ones, else one sample week), and a plan is recorded in the store."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest
from helpers import invoke
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import capacity, store
from planner.capacity import inefficiency as ineff

WEEK = "2026-W15"


@pytest.fixture(autouse=True)
def _away_from_any_store(tmp_path, monkeypatch):
    """`planner capacity` reads (and records in) `out/planner.db` when one is there: run each
    test in its own folder, so that a store in the checkout is never touched."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def loop_scenario(small, tmp_path):
    """The small line with 4 of today's agents: the plan must add temps to cover a week."""
    agents = tmp_path / "agents.csv"
    rows = [f"A{i:02d},full-time,40,2025-0{1 + i % 9}-01" for i in range(4)]
    agents.write_text("agent,contract,weekly_hours,hire_date\n" + "\n".join(rows) + "\n")
    text = small.read_text().replace("[data]\n", '[data]\nagents = "agents.csv"\n')
    text += (
        "\n[capacity]\nhorizon_weeks = 16\ndraws = 200\ntemp_max = 60\ntemp_lead_weeks = 0\n"
        "contract_hours = 40\npart_time_hours = 20\nshortfall_cost_per_hour = 5000000\n"
    )
    small.write_text(text)
    return small


# --- the inefficiency -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    paid=st.lists(st.floats(1, 48), min_size=1, max_size=40),
    extra=st.floats(1, 48),
    covered=st.floats(10, 2000),
)
def test_inefficiency_counts_each_agents_contract_and_never_falls_below_one(paid, extra, covered):
    cfg = capacity.capacity_config({"contract_hours": 48, "part_time_hours": 24})
    one = ineff.measured(np.array(paid), covered, cfg, "sample week", "x")
    assert one is not None and one.factor >= 1.0
    fte = ineff.roster_fte(np.array(paid), cfg)
    assert np.all(fte == np.where(np.array(paid) > 24, 1.0, 0.5))  # a contract holds each
    more = ineff.measured(np.array([*paid, extra]), covered, cfg, "sample week", "x")
    assert more is not None and more.factor >= one.factor  # one more agent never helps
    assert one.factor == pytest.approx(max(1.0, fte.sum() * 48 / covered), abs=1e-4)
    none = capacity.capacity_config({"max_part_time_pct": 0})
    assert np.all(ineff.roster_fte(np.array(paid), none) == 1.0)  # no part-time contract


def test_inefficiency_from_the_stores_published_rosters(tmp_path):
    db = tmp_path / "planner.db"
    conn = store.open_store(db, create=True)
    for run_id, week, published, required, short, paid in (
        (1, "2026-W10", 1, 100.0, 0.0, [40, 40, 20]),
        (2, "2026-W11", 1, 90.0, 10.0, [40, 30]),
        (3, "2026-W11", 0, 500.0, 0.0, [40] * 20),  # a revision not in force: not read
    ):
        conn.execute(
            "INSERT INTO runs (run_id, scenario, scenario_sha256, week, week_start, revision,"
            " published, created_utc, planner_version, exit_code) VALUES "
            "(?, 's', '', ?, ?, ?, ?, '2026-01-01T00:00:00Z', '0', 0)",
            (run_id, week, f"2026-03-0{run_id + 1}", run_id, published),
        )
        conn.executemany(
            "INSERT INTO kpis VALUES (?, ?, ?)",
            [(run_id, "required_staff_hours", required), (run_id, "shortfall_staff_hours", short)],
        )
        conn.executemany(
            'INSERT INTO shifts (run_id, agent, start, "end", breaks, paid_hours) '
            "VALUES (?, ?, ?, ?, '', ?)",
            [(run_id, f"A{k}", f"2026-03-0{k % 7 + 1}T08:00:00", f"2026-03-0{k % 7 + 1}T16:00:00",
              p) for k, p in enumerate(paid)],
        )  # fmt: skip
    conn.commit()
    conn.close()
    rosters = store.published_rosters(db)
    assert sorted(rosters["run_id"].unique()) == [1, 2]
    cfg = capacity.capacity_config({"contract_hours": 40, "part_time_hours": 20})
    found = ineff.from_store_rosters(rosters, cfg, str(db))
    # run 1: 1 + 1 + 0.5 FTE for 100 staff-hours; run 2: 2 FTE for 90 - 10 covered
    assert found is not None and found.source == "store"
    assert found.factor == pytest.approx(4.5 * 40 / 180, abs=1e-4)
    assert "2 published rosters" in found.detail
    assert store.published_rosters(tmp_path / "none.db").empty  # no store: nothing created
    assert not (tmp_path / "none.db").exists()


# --- the loop ---------------------------------------------------------------------------------


@pytest.mark.slow  # a capacity plan, a sample roster and a weekly run (about 10 s)
def test_the_weeks_agents_cover_the_weekly_runs_roster(loop_scenario, tmp_path):
    plan_csv, agents = tmp_path / "plan.csv", tmp_path / "w15.csv"
    cap = invoke(["capacity", loop_scenario, "--format", "csv", "-o", plan_csv, "--no-store",
                  "--agents-week", WEEK, "--agents-out", agents])  # fmt: skip
    assert cap.exit_code in (0, 3), cap.stderr
    assert "measured on a roster of the sample week 2026-W15" in cap.stderr
    row = pd.read_csv(plan_csv).set_index("week").loc[WEEK]
    assert row["overtime_h"] == 0  # the temps reach the week: no overtime counted on
    assert row["shortfall_h"] == 0  # the levers reach this week: the plan covers it
    assert row["temps"] >= 1 and row["tenured_fte"] < row["required_fte"]  # with temps
    run_sc = tmp_path / "loop.toml"
    run_sc.write_text(f'extends = "{loop_scenario.name}"\n[data]\nagents = "{agents.name}"\n')
    run = invoke(["run", run_sc, "--week", WEEK, "--out", tmp_path / "week", "--no-store", "-q"])
    assert run.exit_code in (0, 3), run.stderr
    kpis = json.loads((tmp_path / "week" / "summary.json").read_text())["kpis"]
    # the week covered as the weekly run staffs it: the same staff-hours (item 1: to 0.5%)
    summary_line = next(x for x in cap.stderr.splitlines() if "as the weekly run of" in x)
    theirs = float(kpis["required_staff_hours"])
    ours = float(summary_line.split(") = ")[1].split(" staff-hours")[0].replace(",", ""))
    assert abs(ours - theirs) <= 0.005 * theirs
    assert row["staff_hours"] >= ours - 0.05
    assert float(kpis["shortfall_staff_hours"]) <= 0.01 * theirs  # the loop closes


def test_a_plan_is_recorded_in_the_store_and_read_back(cap_like, tmp_path):
    db = tmp_path / "plans.db"
    result = invoke(["capacity", cap_like, "--format", "csv", "-o", tmp_path / "p.csv",
                     "--store", db])  # fmt: skip
    assert result.exit_code in (0, 3), result.stderr
    assert "recorded as capacity plan 1" in result.stderr
    plans = store.list_capacity_plans(db)
    assert len(plans) == 1 and plans["inefficiency_source"].iloc[0] == "given"
    weeks = store.read_capacity_weeks(db, 1)
    table = pd.read_csv(tmp_path / "p.csv")
    pd.testing.assert_frame_equal(
        weeks[list(store.capacity.WEEK_COLUMNS)].astype(float),
        table[list(store.capacity.WEEK_COLUMNS)].astype(float),
        check_exact=False,
        rtol=1e-9,
    )
    assert tuple(table.columns[2:]) == store.capacity.WEEK_COLUMNS
    with sqlite3.connect(db) as conn:
        n_classes = conn.execute("SELECT COUNT(*) FROM capacity_classes").fetchone()[0]
        assert n_classes == plans["classes"].iloc[0]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    bad = invoke(["capacity", cap_like, "--store", db, "--no-store"])
    assert bad.exit_code == 2 and "not both" in bad.stderr


@pytest.fixture
def cap_like(small, tmp_path):
    agents = tmp_path / "agents.csv"
    rows = [f"A{i:02d},full-time,48" for i in range(12)]
    agents.write_text("agent,contract,weekly_hours\n" + "\n".join(rows) + "\n")
    text = small.read_text().replace("[data]\n", '[data]\nagents = "agents.csv"\n')
    text += "\n[capacity]\nhorizon_weeks = 12\ndraws = 100\ninefficiency = 1.15\n"
    small.write_text(text)
    return small


@pytest.mark.slow  # a weekly run, then a capacity plan (about 4 s on a quiet machine)
def test_a_plan_measures_its_inefficiency_on_the_stores_published_roster(cap_like, tmp_path):
    db = tmp_path / "planner.db"
    week = invoke(["run", cap_like, "--out", tmp_path / "week", "--store", db, "-q"])
    assert week.exit_code in (0, 3), week.stderr
    measured_sc = tmp_path / "measured.toml"
    text = cap_like.read_text().replace("inefficiency = 1.15\n", "")
    measured_sc.write_text(text)
    result = invoke(["capacity", measured_sc, "--format", "json", "--store", db])
    assert result.exit_code in (0, 3), result.stderr
    assert "measured on 1 published rosters in the plan store" in result.stderr
    rosters = store.published_rosters(db)
    kpis = json.loads((tmp_path / "week" / "summary.json").read_text())["kpis"]
    cfg = capacity.capacity_config({})
    fte = ineff.roster_fte(rosters["paid_hours"].to_numpy(), cfg).sum()
    covered = kpis["required_staff_hours"] - kpis["shortfall_staff_hours"]
    factor = max(1.0, fte * 48 / covered)
    rows = json.loads(result.stdout)
    assert {r["inefficiency"] for r in rows} == {round(factor, 4)}
    plans = store.list_capacity_plans(db)
    assert list(plans["inefficiency_source"]) == ["store"]
