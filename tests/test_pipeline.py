"""The weekly run: outputs, summary.json contract, atomic publish, lock, determinism, compare.

Everything runs on a small synthetic line (5 weeks of 60-minute history, a few agents, short
time limits) so the whole file takes seconds.
"""

from __future__ import annotations

import json
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL_RULES, write_history

from planner import jobs, pipeline, report
from planner.errors import InputError, PlannerError
from planner.jobs.week import MARKER
from planner.report import empty_spans
from planner.schedule import StaffingGap, agents_to_add, rules_from_mapping

WEEK = "2026-W07"  # the first full week after the small history ends (Sunday 2026-02-08)

SUMMARY_KEYS = {
    "version",
    "scenario",
    "week",
    "forecast",
    "service",
    "solver",
    "kpis",
    "simulation",
    "targets_met",
    "shortfall",
    "exit_code",
    "notes",
    "inputs",
    "outputs",
}
KPI_KEYS = {
    "calls",
    "calls_planned",
    "peak_interval_calls",
    "peak_interval",
    "required_agent_hours",
    "required_staff_hours",
    "required_fte",
    "fte_hours_per_week",
    "peak_staff",
    "headcount",
    "paid_hours",
    "night_hours",
    "cost",
    "currency",
    "scheduled_staff_hours",
    "over_coverage_pct",
    "understaffed_intervals",
    "shortfall_staff_hours",
    "service_level_pct",
    "asa_s",
    "occupancy_pct",
    "abandon_pct",
    "intervals_below_target",
    "targets_met",
    "idle_paid_hours",
    "overtime_hours",
    "overtime_cost",
    "holiday_hours",
    "holiday_premium_cost",
    "below_paid_minimum",
}


def child(small: Path, name: str, text: str) -> Path:
    path = small.parent / f"{name}.toml"
    path.write_text(f'extends = "{small.name}"\n{text}', encoding="utf-8")
    return path


def test_run_writes_every_output_and_a_versioned_summary(small, tmp_path):
    week_run = jobs.run_week(small, out_dir=tmp_path / "out")
    plan, out = week_run.plan, week_run.directory
    assert plan.label == WEEK
    assert sorted(p.name for p in out.iterdir()) == sorted([*report.OUTPUT_FILES, MARKER])
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == SUMMARY_KEYS
    assert summary["version"] == 1
    assert set(summary["kpis"]) == KPI_KEYS
    assert summary["outputs"] == sorted(report.OUTPUT_FILES)
    assert summary["week"] == {
        "label": WEEK,
        "start": "2026-02-09T00:00:00",
        "end": "2026-02-16T00:00:00",
        "interval_min": 60,
    }
    assert set(summary["solver"]) == {
        "name",
        "status",
        "objective",
        "bound",
        "gap_pct",
        "time_limit_s",
        "gap_limit_pct",
        "clock_stopped",
        "objective_wage_hours",
        "bound_wage_hours",
        "objective_cost",
        "bound_cost",
        "currency",
    }
    assert summary["solver"]["clock_stopped"] is False
    solver = summary["solver"]
    assert solver["objective_wage_hours"] == solver["objective"]
    assert solver["bound_wage_hours"] == solver["bound"] <= solver["objective"]
    assert solver["objective_cost"] == pytest.approx(40000 * solver["objective"], abs=1)
    assert solver["currency"] == summary["kpis"]["currency"] == "VND"
    assert set(summary["service"]) >= {
        *("model", "sl_pct", "target_s", "asa_s", "max_occupancy_pct", "shrinkage_pct"),
        *("patience_s", "max_abandon_pct", "pooled", "aht_s", "aht_by_queue", "aht_used_s"),
    }
    assert summary["service"]["aht_used_s"] == 300.0  # the fixture's AHT
    roles = [(i["role"], i["name"]) for i in summary["inputs"]]
    assert roles == [("scenario", "small.toml"), ("history", "history.csv")]
    assert all(len(i["sha256"]) == 64 for i in summary["inputs"])
    text = (out / "summary.json").read_text()
    assert str(tmp_path) not in text  # no machine paths
    assert summary["exit_code"] == 0 and summary["targets_met"] is True
    assert summary["shortfall"] is None
    # the CSV contracts
    head = {
        name: (out / name).read_text().splitlines()[0]
        for name in ("forecast.csv", "requirements.csv", "roster.csv", "coverage.csv")
    }
    assert head["forecast.csv"].startswith("timestamp,calls,lower,upper")
    assert head["requirements.csv"].startswith(
        "timestamp,calls,aht,agents,staff,service_level,asa,occupancy"
    )
    assert head["roster.csv"].startswith("agent,start,end,breaks,paid_hours")
    assert head["coverage.csv"] == "timestamp,required,scheduled,shortfall"
    assert (out / "forecast.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # KPIs agree with the files
    coverage = pd.read_csv(out / "coverage.csv")
    assert summary["kpis"]["understaffed_intervals"] == int((coverage["shortfall"] > 0).sum())
    forecast = pd.read_csv(out / "forecast.csv")
    assert summary["kpis"]["calls"] == pytest.approx(forecast["calls"].sum(), abs=0.1)
    assert 0 < summary["kpis"]["service_level_pct"] <= 100


def test_same_inputs_give_byte_identical_outputs(small, tmp_path):
    a = jobs.run_week(small, out_dir=tmp_path / "a").directory
    b = jobs.run_week(small, out_dir=tmp_path / "b").directory
    for name in ("forecast.csv", "requirements.csv", "roster.csv", "coverage.csv", "summary.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for name in ("forecast.png", "coverage.png"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.slow
def test_the_weekly_run_returns_what_its_store_hook_did(small, tmp_path):
    """The hook's drift goes into summary.json and the frozen result, its record into the
    result; the hook sees the week before anything is published and after all of it is."""
    from planner.accuracy import Drift, Recorded

    seen = []
    drift = Drift(
        weeks=("2026-W05",), days=7, days_in_bounds_pct=100.0, level_pct=80.0,
        realised_wape_pct=5.0, expected_wape_pct=6.0, p_value=1.0, drifted=False,
    )  # fmt: skip

    class Hook:
        def previous_roster(self, scenario, week_start, out_dir):
            seen.append(("previous", week_start))
            return None

        def overtime_worked(self, scenario, week_start, out_dir):
            seen.append(("overtime", week_start))
            return None

        def before_publish(self, plan, out_dir):
            seen.append(("before", (out_dir / "summary.json").exists()))
            return drift

        def before_swap(self, plan, out_dir, built):
            seen.append(("swap", (built / "summary.json").exists()))

        def after_publish(self, plan, out_dir):
            seen.append(("after", (out_dir / "summary.json").exists()))
            return Recorded(out_dir / "planner.db", 7, 1)

    hook: jobs.StoreHook = Hook()
    week_run = jobs.run_week(small, out_dir=tmp_path / "out", store_hook=hook)
    assert [kind for kind, _ in seen] == ["previous", "overtime", "before", "swap", "after"]
    # checked before anything is written; pending from the built files; confirmed once published
    assert seen[2][1] is False and seen[3][1] is True and seen[4][1] is True
    assert week_run.drift == drift and week_run.recorded == Recorded(
        tmp_path / "out" / "planner.db", 7, 1
    )
    summary = json.loads((week_run.directory / "summary.json").read_text())
    assert summary["drift"] == drift.as_dict()
    plain = jobs.run_week(small, out_dir=tmp_path / "plain")
    assert plain.recorded is None and plain.drift is None
    assert "drift" not in json.loads((plain.directory / "summary.json").read_text())


@pytest.mark.slow
def test_a_failure_mid_run_leaves_no_directory(small, tmp_path, monkeypatch):
    from planner.report import charts

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(charts, "plot_coverage", boom)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="disk on fire"):
        jobs.run_week(small, out_dir=out)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


@pytest.mark.slow
def test_a_failed_rerun_keeps_the_previous_outputs(small, tmp_path, monkeypatch):
    out = tmp_path / "out"
    jobs.run_week(small, out_dir=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    from planner import schedule

    def infeasible(*args, **kwargs):
        raise PlannerError("solver fell over")

    monkeypatch.setattr(schedule, "build_roster", infeasible)
    with pytest.raises(PlannerError):
        jobs.run_week(small, out_dir=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.slow
def test_leftovers_of_a_killed_run_are_removed(small, tmp_path):
    stale = tmp_path / ".out.abc12345.tmp"
    stale.mkdir()
    (stale / "roster.csv").write_text("half")
    jobs.run_week(small, out_dir=tmp_path / "out")
    assert not stale.exists()


def test_a_successful_rerun_replaces_the_directory_as_a_whole(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("from last week")
    with pytest.raises(InputError, match="no planner run published"):  # not a week of ours
        jobs.publish_directory(out, lambda d: (d / "new.csv").write_text("x\n"))
    (out / MARKER).write_text("")  # last week's, as a run publishes it
    jobs.publish_directory(out, lambda d: (d / "new.csv").write_text("x\n"))
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "new.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.slow
def test_a_second_run_on_the_same_directory_refuses(small, tmp_path):
    out = tmp_path / "out"
    with jobs.output_lock(out):
        with pytest.raises(PlannerError, match="another planner run is writing") as err:
            jobs.run_week(small, out_dir=out)
        assert err.value.exit_code == 1
    assert not out.exists()
    jobs.run_week(small, out_dir=out)  # the lock is released afterwards
    assert (out / "summary.json").exists()


@pytest.mark.slow
def test_adjustments_reach_the_forecast_file_on_their_dates(small, tmp_path):
    surge = child(
        small,
        "surge",
        '[[adjustments]]\nlabel = "storm"\nfrom = 2026-02-11\nto = 2026-02-12\n'
        "volume_factor = 2.0\n",
    )
    base = pipeline.plan_week(small)
    plan = pipeline.plan_week(surge)
    a = base.forecast.intervals.set_index("timestamp")["calls"]
    b = plan.forecast.intervals.set_index("timestamp")["calls"]
    days = b.index.normalize()
    hit = (days >= "2026-02-11") & (days <= "2026-02-12")
    assert np.allclose(b[hit], 2 * a[hit]) and a[hit].sum() > 0
    assert np.allclose(b[~hit], a[~hit])
    # the daily forecast follows, and more calls need more staff
    daily = plan.forecast.daily.set_index("date")["calls"]
    assert daily.sum() == pytest.approx(b.sum(), rel=1e-3)
    assert plan.kpis.required_staff_hours > base.kpis.required_staff_hours
    assert any("storm" in n.text and "48 intervals" in n.text for n in plan.notes)


@pytest.mark.slow
def test_plan_at_upper_staffs_the_upper_bound(small):
    upper = child(small, "upper", '[forecast]\nplan_at = "upper"\n')
    base = pipeline.plan_week(small)
    plan = pipeline.plan_week(upper)
    assert plan.kpis.calls == base.kpis.calls
    assert plan.kpis.calls_planned > base.kpis.calls_planned
    assert plan.kpis.required_staff_hours >= base.kpis.required_staff_hours


@pytest.mark.slow
def test_week_and_start_choose_the_week(small):
    plan = pipeline.plan_week(small, start="2026-02-11")
    assert plan.label == "2026-02-11"
    assert str(plan.requirements["timestamp"].iloc[0]) == "2026-02-11 00:00:00"
    with pytest.raises(PlannerError, match="not both"):
        pipeline.plan_week(small, week="2026-W08", start="2026-02-11")


@pytest.mark.slow
def test_headcount_cap_is_written_but_short(small, tmp_path):
    capped = child(small, "capped", "[labour]\nheadcount_cap = 2\n")
    week_run = jobs.run_week(capped, out_dir=tmp_path / "out")
    plan, out = week_run.plan, week_run.directory
    assert plan.exit_code == 3
    summary = json.loads((out / "summary.json").read_text())
    assert summary["exit_code"] == 3 and summary["targets_met"] is False
    assert summary["kpis"]["understaffed_intervals"] > 0
    assert summary["kpis"]["headcount"] <= 2
    line = report.shortfall_line(plan)
    assert line.startswith("targets not met: ") and "\n" not in line
    res = plan.schedule
    for row in res.short_intervals().itertuples():
        if row.scheduled <= 0:  # every interval with nobody on the phones is in a listed span
            spans = line.split("nobody on the phones ")[1]
            day_before = row.timestamp - pd.Timedelta(days=1)  # a span may start before midnight
            assert f"{row.timestamp:%a} " in spans or f"{day_before:%a} " in spans
    gap = agents_to_add(res, plan.scenario.rules)
    assert f"add about {gap.add_full_time} full-time or {gap.add_part_time} part-time" in line
    assert f"short by about {res.shortfall_hours / 40:.1f} FTE" in line
    recorded = summary["shortfall"]
    assert recorded["message"] == line
    assert (recorded["add_full_time"], recorded["add_part_time"]) == (
        gap.add_full_time,
        gap.add_part_time,
    )
    assert recorded["fte_gap"] == round(gap.fte, 1)


@pytest.mark.slow
def test_compare_orders_rows_and_measures_deltas_to_the_first(small):
    strict = child(small, "strict", "[service]\nsl_pct = 95\ntarget_s = 10\n")
    result = pipeline.compare([small, strict], jobs=1)
    frame = result.frame
    assert list(frame["scenario"]) == ["small", "strict"]
    assert result.week == WEEK
    assert frame["d_cost"].iloc[0] == 0
    assert frame["d_cost"].iloc[1] == pytest.approx(frame["cost"].iloc[1] - frame["cost"].iloc[0])
    assert frame["required_staff_hours"].iloc[1] > frame["required_staff_hours"].iloc[0]
    view = report.comparison_view(result)
    assert list(view.columns) == ["metric", "small", "strict"]
    assert "(=)" not in view.set_index("metric").loc["required staff-h", "strict"]


@pytest.mark.slow
def test_compare_uses_the_first_pinned_week(small):
    pinned = child(small, "pinned", '[run]\nweek = "2026-W08"\n')
    result = pipeline.compare([small, pinned], jobs=1)
    assert result.week == "2026-W08"
    assert set(result.frame["week"]) == {"2026-W08"}
    assert pipeline.compare([small, pinned], week="2026-W07").week == "2026-W07"


@pytest.mark.slow
def test_compare_in_parallel_gives_the_same_table(small):
    strict = child(small, "strict", "[service]\nsl_pct = 90\n")
    serial = pipeline.compare([small, strict], jobs=1).frame
    parallel = pipeline.compare([small, strict], jobs=2).frame
    pd.testing.assert_frame_equal(serial, parallel)


@pytest.mark.slow
def test_simulate_adds_sim_csv_and_simulated_kpis(small, tmp_path):
    quick = child(small, "quick", "[run]\nreplications = 3\n")
    out = jobs.run_week(quick, out_dir=tmp_path / "out", simulate=True).directory
    assert (out / "sim.csv").read_text().startswith("timestamp,offered,answered,abandoned")
    summary = json.loads((out / "summary.json").read_text())
    assert "sim.csv" in summary["outputs"]
    assert summary["simulation"]["replications"] == 3
    assert 0 < summary["kpis"]["simulated_service_level_pct"] <= 100


def test_compare_names_the_scenario_that_failed(small, monkeypatch):
    from planner import schedule
    from planner.errors import SolverError

    def no_roster(*args, **kwargs):
        raise SolverError("CBC found no roster within 20 s")

    monkeypatch.setattr(schedule, "build_roster", no_roster)
    with pytest.raises(SolverError, match=r"^small: CBC found no roster") as err:
        pipeline.compare([small])
    assert err.value.exit_code == 1


@pytest.mark.slow
def test_per_queue_history_with_a_queue_adjustment(tmp_path):
    single = pd.read_csv(write_history(tmp_path / "h1.csv"))
    both = pd.concat(
        [single.assign(queue="outage"), single.assign(queue="billing", aht=500)],
        ignore_index=True,
    )
    both.to_csv(tmp_path / "queues.csv", index=False)
    path = tmp_path / "q.toml"
    path.write_text(
        '[data]\nhistory = "queues.csv"\ncountry = "none"\n[forecast]\nmodel = "seasonal_naive"\n'
        "[[adjustments]]\nlabel = 'storm'\nfrom = 2026-02-10\nto = 2026-02-10\nqueue = 'outage'\n"
        "volume_factor = 3\n" + SMALL_RULES,
        encoding="utf-8",
    )
    plan = pipeline.plan_week(path)
    fc = plan.forecast.intervals
    day = fc["timestamp"].dt.normalize() == "2026-02-10"
    by_queue = fc[day].groupby("queue")["calls"].sum()
    assert by_queue["outage"] == pytest.approx(3 * by_queue["billing"], rel=0.02)
    assert "queue" not in plan.requirements.columns  # pooled by default
    assert plan.kpis.calls == pytest.approx(fc["calls"].sum(), abs=0.1)


def test_tables_group_thousands_without_noise_or_needless_decimals():
    from planner.report import render_table

    frame = pd.DataFrame({"calls": [3692.1, 12.0], "staff": [3.0, 4.0], "cost": ["x", 125450000.0]})
    text = render_table(frame)
    assert "3,692.1 " in text and "3,692.10" not in text
    assert " 3 " in text and "3.00" not in text
    assert "125,450,000" in text and "125450000.0" not in text


def test_csvs_carry_no_float_noise():
    from planner import io

    frame = pd.DataFrame({"x": [6.3999999999999995, 0.1 + 0.2, 3.0, float("nan")], "n": 1})
    assert io.frame_to_csv(frame) == "x,n\n6.4,1\n0.3,1\n3.0,1\n,1\n"


def test_empty_spans_join_consecutive_intervals_with_nobody_on_the_phones():
    times = pd.date_range("2026-07-06", periods=8, freq="30min")
    cov = pd.DataFrame(
        {
            "timestamp": times,
            "required": [2, 2, 2, 0, 1, 1, 3, 3],
            "scheduled": [1, 0, 0, 0, 0, 1, 0, 3],
        }  # fmt: skip
    )
    result = types.SimpleNamespace(coverage=cov, interval_min=30)
    assert empty_spans(result) == "Mon 00:30-01:30, Mon 02:00-02:30, Mon 03:00-03:30"
    assert empty_spans(types.SimpleNamespace(coverage=cov.head(1), interval_min=30)) == ""


def test_agents_to_add_cover_the_missing_hours_and_no_fewer():
    """K full-time (or P part-time) agents at this roster's on-phone hours per agent give at
    least the missing hours, K - 1 (P - 1) do not."""
    roster = pd.DataFrame({"agent": ["F1", "F1", "P1"], "paid_hours": [24.0, 24.0, 20.0]})
    rules = rules_from_mapping({}, "default")
    for missing in (0.5, 30.0, 43.2, 200.0, 3409.5):
        result = types.SimpleNamespace(
            roster=roster, shortfall_hours=missing, on_phone_hours=61.2, paid_hours=68.0
        )
        gap = agents_to_add(result, rules)
        assert isinstance(gap, StaffingGap)
        full_h, part_h = 48 * 0.9, 20 * 0.9
        assert gap.add_full_time * full_h >= missing > (gap.add_full_time - 1) * full_h
        assert gap.add_part_time * part_h >= missing > (gap.add_part_time - 1) * part_h
        assert gap.fte == pytest.approx(missing / rules.full_time_min_hours)
