"""Week after week, opening hours, a roster every time, and the solver child's lifetime.

The two-week check reads the two Roster CSV files back and checks the rules across the
boundary from their rows alone (`check_weeks`, `on_phone_counts`), never from the solver.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.io import frame_to_csv
from planner.schedule import (
    build_roster,
    check_roster_rules,
    check_weeks,
    on_phone_counts,
    read_roster,
    rules_from_mapping,
)
from planner.schedule.child import PREFIX, sweep_stale

SMALL = {
    "shifts": {
        "shift_lengths_h": [8],
        "start_step_min": 60,
        "start_windows": ["06:00-06:00", "14:00-14:00", "22:00-22:00"],
        "days_per_week": [5],
    },
    "labour": {"max_part_time_pct": 100, "part_time_min_hours": 0},
}


def week(start: str, day=3, night=2) -> pd.DataFrame:
    times = pd.date_range(start, periods=7 * 24, freq="60min")
    staff = np.where((times.hour >= 6) & (times.hour < 22), day, night).astype(float)
    return pd.DataFrame({"timestamp": times, "staff": staff})


def saved(result, path: Path) -> pd.DataFrame:
    path.write_text(frame_to_csv(result.roster))
    return read_roster(path)


@pytest.mark.slow
def test_two_weeks_keep_every_rule_across_the_boundary(tmp_path):
    rules = rules_from_mapping(SMALL, "small")
    first = build_roster(week("2026-07-06"), rules, time_limit_s=20, solver="highs")
    one = saved(first, tmp_path / "week1.csv")
    # the second week needs more in the day: last week's agents stay, hires come on top
    second = build_roster(
        week("2026-07-13", day=4), rules, time_limit_s=20, solver="highs", previous=one
    )
    two = saved(second, tmp_path / "week2.csv")
    assert check_roster_rules(one, rules) == []
    assert check_weeks(one, two, rules) == []
    # last week's agents keep their names; hires get new ones
    assert set(one["agent"]) <= set(two["agent"]) | set(second.unused_agents)
    assert len(set(two["agent"])) == len(two["agent"].unique())
    # this week is not wrapped: Monday's first hours are covered by last week's Sunday night
    # plus this week's own shifts, never by this week's Sunday night
    times = week("2026-07-13")["timestamp"]
    covered = on_phone_counts(one, times, 60, cyclic=False) + on_phone_counts(
        two, times, 60, cyclic=False
    )
    assert (covered >= week("2026-07-13", day=4)["staff"].to_numpy() - 1e-9).all()
    sunday_night = two[pd.to_datetime(two["end"]) > pd.Timestamp("2026-07-20")]
    assert (pd.to_datetime(sunday_night["start"]) < pd.Timestamp("2026-07-20")).all()


@pytest.mark.slow
@pytest.mark.parametrize("tolerance_min", [0, 60])
def test_a_weekday_line_gets_no_shift_outside_its_hours(tolerance_min):
    times = pd.date_range("2026-07-06", periods=7 * 48, freq="30min")
    open_ = (times.day_of_week < 5) & (times.hour >= 7) & (times.hour < 21)
    staff = np.where(open_, 4.0, 0.0)
    staff[(times.hour >= 10) & (times.hour < 16) & open_] = 6.0
    rules = rules_from_mapping(
        {
            "shifts": {
                "shift_lengths_h": [4, 6, 7, 8],
                "days_per_week": [5],
                "start_tolerance_min": tolerance_min,  # moved starts stay inside the hours too
            },
            "labour": {"max_part_time_pct": 100, "part_time_min_hours": 0},
        },
        "weekday",
    )
    result = build_roster(
        pd.DataFrame({"timestamp": times, "staff": staff}), rules, time_limit_s=30, solver="highs"
    )
    assert not result.short
    starts = pd.to_datetime(result.roster["start"])
    ends = pd.to_datetime(result.roster["end"])
    assert (starts.dt.day_of_week < 5).all()
    assert (starts.dt.hour >= 7).all()
    assert ((ends.dt.hour * 60 + ends.dt.minute) <= 21 * 60).all()
    assert (ends.dt.normalize() == starts.dt.normalize()).all()


@pytest.mark.slow
def test_the_clock_ends_a_search_with_a_roster_and_says_so():
    rules = rules_from_mapping(SMALL, "small")
    # CBC needs many nodes to prove this symmetric week; 2 s stop it on the clock
    result = build_roster(week("2026-07-06"), rules, time_limit_s=2, solver="cbc")
    assert not result.short
    assert check_roster_rules(result.roster, rules) == []
    if result.clock_stopped:
        assert result.status == "feasible (time limit)"
    else:  # a fast machine proved it within 2 s
        assert result.status in ("optimal", "optimal within gap tolerance")


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from planner.schedule.child import run_child, solver_folder
    with solver_folder() as folder:
        (folder / "model.mps").write_text("x")
        print(folder, flush=True)
        run_child(["sleep", "60"], folder / "log", time.monotonic() + 60, folder)
    """
)


def _child_of(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in out.stdout.split()]


def _gone(pid: int, within_s: float = 5.0) -> bool:
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split()[2] == "Z":
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="prctl(PR_SET_PDEATHSIG) is Linux's")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_the_solver_child_dies_with_planner(sig, tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    # a job started in the background (CI, nohup) ignores SIGINT, and Python then keeps it
    # ignored: planner would run out its solve and the SIGINT case would test nothing
    parent = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
    folder = Path(parent.stdout.readline().strip())
    children = []
    for _ in range(100):
        children = _child_of(parent.pid)
        if children:
            break
        time.sleep(0.05)
    assert children, "the solver child did not start"
    parent.send_signal(sig)
    parent.wait(timeout=120)  # a bound for a busy machine, not a measure
    assert _gone(children[0]), "the solver child outlived planner"
    if sig != signal.SIGKILL:
        assert not folder.exists()  # stopped and cleaned up on the way out
    else:  # nothing runs after SIGKILL: the next solve sweeps the folder
        assert folder.exists()
        assert sweep_stale(str(tmp_path)) == 1
        assert not any(p.name.startswith(PREFIX) for p in tmp_path.iterdir())


@pytest.mark.slow
def test_the_workbook_lists_every_agent_marks_nights_and_prints_landscape(tmp_path):
    from openpyxl import load_workbook

    from planner.report import write_roster_xlsx

    rules = rules_from_mapping(SMALL, "small")
    names = [f"N{k:02d}" for k in range(1, 31)]  # more agents than the week needs
    agents = pd.DataFrame(
        {
            "agent": names,
            "contract": "full-time",
            "weekly_hours": 40.0,
            "skills": "",
            "no_night": False,
            "unavailable": "",
            "preferred_start": "",
            "min_hours": 0.0,  # paid as rostered, so the week leaves some of them idle
        }
    )
    result = build_roster(week("2026-07-06"), rules, agents=agents, time_limit_s=20, solver="highs")
    assert result.unused_agents
    path = tmp_path / "roster.xlsx"
    write_roster_xlsx(result, path, scenario="baseline", service_level_pct=85.2)
    wb = load_workbook(path)
    ws = wb["Roster"]
    rows = list(ws.iter_rows(values_only=True))
    listed = [r[0] for r in rows[1:-1]]
    assert listed == sorted(names)  # every agent of the list, off all week included
    idle = result.unused_agents[0]
    assert rows[1 + listed.index(idle)][1:8] == ("off",) * 7
    assert rows[-1][0] == "agents working"
    per_day = result.roster.groupby(pd.to_datetime(result.roster["start"]).dt.day_of_week).size()
    assert list(rows[-1][1:8]) == [int(per_day.get(d, 0)) for d in range(7)]
    assert any("night" in str(c) for r in rows for c in r)
    assert any("m)" in str(c) for r in rows for c in r)  # break start and length
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$1:$1"
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True)}
    assert summary["scenario"] == "baseline"
    assert "85%" in summary["expected service"]


def test_a_roster_even_when_the_clock_stops_the_lp():
    """No LP in time (the deadline has passed): the greedy construction still gives a legal
    roster that covers the week, reported as stopped on the clock with the trivial bound."""
    from planner.schedule import requirements_horizon, solve_model
    from planner.schedule.extract import extract_roster
    from planner.schedule.groups import make_groups
    from planner.schedule.model import build_model

    rules = rules_from_mapping(SMALL, "small")
    req = requirements_horizon(week("2026-07-06"))
    model = build_model(req, rules, make_groups(None, rules, req.queues))
    report = solve_model(model, "cbc", 1, deadline=time.monotonic() - 1)
    assert report.status == "feasible (time limit)" and report.clock_stopped
    assert report.bound == 0.0 and report.objective > 0
    roster, _ = extract_roster(model, None)
    assert check_roster_rules(roster, rules) == []
    covered = on_phone_counts(roster, req.frame["timestamp"], 60)
    assert (covered >= req.frame["staff"].to_numpy() - 1e-9).all()
