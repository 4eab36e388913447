"""The roster simulation: closed forms, Erlang C golden cases, conservation, breaks, seeds."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.report import terminal_progress
from planner.simulate import (
    INTERVAL_COLUMNS,
    load_requirements,
    load_roster,
    parse_patience,
    roster_windows,
    run_queue,
    simulate,
)

FIXTURES = Path(__file__).parent / "fixtures"
START = pd.Timestamp("2026-07-06")


def steady(calls: float, aht: float, agents: int, days: int, interval_min: int = 30):
    """Requirements with a constant rate and a roster of `agents` on the phones all the time."""
    ts = pd.date_range(START, periods=days * 24 * 60 // interval_min, freq=f"{interval_min}min")
    req = pd.DataFrame({"timestamp": ts, "calls": float(calls), "aht": float(aht)})
    end = ts[-1] + pd.Timedelta(minutes=interval_min)
    roster = pd.DataFrame(
        {
            "agent": [f"A{i:03d}" for i in range(agents)],
            "start": START,
            "end": end,
            "breaks": "",
        }
    )
    return roster, req


# --- closed forms and golden cases ----------------------------------------------------------


def test_single_agent_matches_mm1_closed_form():
    # lambda = 21 calls / 30 min, mu = 1/60 s: rho = 0.7.
    roster, req = steady(calls=21, aht=60, agents=1, days=10)
    result = simulate(roster, req, replications=4, seed=11, cyclic=False)
    lam, mu, t = 21 / 1800, 1 / 60, 20.0
    rho = lam / mu
    sl = 1 - rho * math.exp(-(mu - lam) * t)  # 0.367
    asa = rho / (mu - lam)  # 140 s
    s = result.summary
    assert s.service_level_pct.mean == pytest.approx(100 * sl, abs=2.5)
    assert s.asa_s.mean == pytest.approx(asa, rel=0.12)
    assert s.occupancy_pct.mean == pytest.approx(100 * rho, abs=1.5)
    assert s.abandon_pct.mean == 0.0


def _reference_cases():
    frame = pd.read_csv(FIXTURES / "erlang_c_sim_reference.csv", comment="#")
    return [pytest.param(row, id=row.case_id) for row in frame.itertuples() if row.agents >= 12]


@pytest.mark.parametrize("case", _reference_cases())
def test_steady_multi_server_matches_published_erlang_c(case):
    roster, req = steady(case.calls_per_interval, case.aht_s, int(case.agents), days=6)
    result = simulate(roster, req, replications=3, seed=5, target_s=case.target_answer_s)
    s = result.summary
    assert s.service_level_pct.mean == pytest.approx(100 * case.pub_service_level, abs=2.5)
    assert s.asa_s.mean == pytest.approx(case.pub_asa_s, rel=0.25, abs=2.0)
    assert s.occupancy_pct.mean == pytest.approx(
        100 * case.offered_load_erlangs / case.agents, abs=1.5
    )


def test_agrees_with_planner_erlang_service_level():
    erlang = pytest.importorskip("planner.erlang")
    calls, aht, agents = 300.0, 200.0, 38
    planned = float(erlang.service_level(calls, aht, agents, 20.0, 1800.0))
    roster, req = steady(calls, aht, agents, days=4)
    result = simulate(roster, req, replications=3, seed=2)
    assert result.summary.service_level_pct.mean == pytest.approx(100 * planned, abs=3.0)


# --- conservation, breaks, absence ------------------------------------------------------------


@pytest.mark.parametrize("patience", [None, 90.0])
def test_conservation_offered_is_answered_abandoned_or_waiting(patience):
    # Overloaded: 3 agents for 3.3 Erlangs, so calls are still queued at the end.
    roster, req = steady(calls=33, aht=180, agents=3, days=1)
    result = simulate(roster, req, replications=1, seed=3, patience_s=patience, cyclic=False)
    iv = result.intervals
    assert np.array_equal(iv["offered"], iv["answered"] + iv["abandoned"] + iv["waiting"])
    runs = result.runs
    assert np.allclose(runs["offered"], runs["answered"] + runs["abandoned"] + runs["waiting"])
    if patience is None:
        assert iv["waiting"].iloc[-1] > 0
        assert iv["abandoned"].sum() == 0
    else:
        assert iv["abandoned"].sum() > 0
    many = simulate(roster, req, replications=5, seed=3, patience_s=patience, cyclic=False)
    assert np.allclose(
        many.runs["offered"],
        many.runs["answered"] + many.runs["abandoned"] + many.runs["waiting"],
    )


def test_breaks_remove_agents_in_their_intervals():
    roster = load_roster(FIXTURES / "sim_roster.csv")
    req = load_requirements(FIXTURES / "sim_requirements.csv")
    result = simulate(roster, req, replications=2, seed=0)
    # A01, A02 from 08:00; A03 from 09:00; A01 on break 10:00-10:30, A03 11:00-11:30.
    assert result.intervals["agents"].tolist() == [2, 2, 3, 3, 2, 3, 2, 3]


def test_a_break_across_intervals_counts_to_the_minute():
    roster, req = steady(calls=10, aht=120, agents=2, days=1)
    roster.loc[0, "breaks"] = "2026-07-06T10:15:00/2026-07-06T10:45:00"
    result = simulate(roster, req, replications=1, seed=0)
    agents = result.intervals.set_index("timestamp")["agents"]
    assert agents[pd.Timestamp("2026-07-06T10:00")] == 1.5
    assert agents[pd.Timestamp("2026-07-06T10:30")] == 1.5
    assert agents[pd.Timestamp("2026-07-06T11:00")] == 2.0


def test_no_call_is_started_by_an_agent_on_break():
    # One agent, a break 10:00-10:30 and a steady stream: no answer starts inside the break.
    roster, req = steady(calls=20, aht=60, agents=1, days=1)
    roster.loc[0, "breaks"] = "2026-07-06T10:00:00/2026-07-06T10:30:00"
    windows = roster_windows(roster, START)
    rng = np.random.default_rng(0)
    arrivals = np.sort(rng.random(2000) * 86400)
    service = rng.exponential(60, 2000)
    start, agent = run_queue(
        arrivals.tolist(), service.tolist(), [math.inf] * 2000, windows, 86400.0
    )
    s = start[agent >= 0]
    assert not np.any((s >= 36000) & (s < 37800))
    assert np.any(s == 37800)  # the queue built in the break is answered when it ends


def test_cyclic_week_wraps_night_shifts_to_the_start():
    ts = pd.date_range(START, periods=48, freq="30min")
    req = pd.DataFrame({"timestamp": ts, "calls": 0.0, "aht": 180.0})
    roster = pd.DataFrame(
        {
            "agent": ["N1"],
            "start": [pd.Timestamp("2026-07-06T22:00")],
            "end": [pd.Timestamp("2026-07-07T06:00")],
            "breaks": [""],
        }
    )
    cyc = simulate(roster, req, replications=1).intervals["agents"].to_numpy()
    flat = simulate(roster, req, replications=1, cyclic=False).intervals["agents"].to_numpy()
    assert cyc[:12].tolist() == [1.0] * 12 and cyc[12:44].sum() == 0 and cyc[44:].sum() == 4
    assert flat[:12].sum() == 0 and flat[44:].sum() == 4


def test_absence_removes_that_share_of_agent_shifts():
    roster, req = steady(calls=100, aht=180, agents=100, days=1)
    result = simulate(roster, req, replications=10, seed=1, absence_pct=30)
    assert result.intervals["agents"].mean() == pytest.approx(70, abs=3)


@pytest.mark.parametrize("service", ["exponential", "lognormal"])
def test_talk_time_distributions_keep_the_mean(service):
    roster, req = steady(calls=200, aht=240, agents=40, days=1)  # 26.7 Erlangs on 40
    result = simulate(roster, req, replications=3, seed=4, service=service)
    assert result.summary.occupancy_pct.mean == pytest.approx(100 * 26.667 / 40, abs=2.0)


def test_more_patience_fewer_abandons():
    roster, req = steady(calls=40, aht=180, agents=4, days=1)  # 4 Erlangs on 4 agents
    rates = [
        simulate(roster, req, replications=2, seed=9, patience_s=p).summary.abandon_pct.mean
        for p in (30, 120, 600)
    ]
    assert rates[0] > rates[1] > rates[2] > 0


def test_overdispersion_widens_the_volume():
    roster, req = steady(calls=100, aht=60, agents=10, days=1)
    plain = simulate(roster, req, replications=20, seed=1).runs["offered"].std()
    wide = simulate(roster, req, replications=20, seed=1, overdispersion=0.3).runs["offered"].std()
    assert plain < 2.5 * math.sqrt(4800)
    assert wide > 3 * plain


# --- determinism and the result's shape -------------------------------------------------------


def test_same_seed_same_result_other_seed_differs():
    roster = load_roster(FIXTURES / "sim_roster.csv")
    req = load_requirements(FIXTURES / "sim_requirements.csv")
    a = simulate(roster, req, replications=3, seed=7, patience_s=120)
    b = simulate(roster, req, replications=3, seed=7, patience_s=120)
    c = simulate(roster, req, replications=3, seed=8, patience_s=120)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)
    assert a.summary == b.summary
    assert not a.intervals.equals(c.intervals)


def test_result_shape_and_summary_keys():
    roster = load_roster(FIXTURES / "sim_roster.csv")
    req = load_requirements(FIXTURES / "sim_requirements.csv")
    result = simulate(roster, req, replications=4, seed=0)
    assert tuple(result.intervals.columns) == INTERVAL_COLUMNS
    assert len(result.intervals) == 8 and len(result.runs) == 4
    s = result.summary
    for key in ("service_level_pct", "asa_s", "abandon_pct", "occupancy_pct", "offered"):
        estimate = getattr(s, key)
        assert estimate.ci_low <= estimate.mean <= estimate.ci_high
    assert s.planned_service_level_pct == pytest.approx(80.0, abs=1.5)
    assert 1 <= len(s.worst_intervals) <= 5
    worst = [row["service_level_pct"] for row in s.worst_intervals]
    assert worst == sorted(worst)


# --- the queue itself, as properties ----------------------------------------------------------

window_lists = st.lists(
    st.lists(st.floats(0, 5000, allow_nan=False), min_size=2, max_size=6, unique=True),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(
    edges=window_lists,
    seed=st.integers(0, 2**16),
    n=st.integers(0, 60),
    patient=st.booleans(),
)
def test_queue_laws(edges, seed, n, patient):
    windows = []
    for points in edges:
        points = sorted(points)[: len(points) // 2 * 2]
        windows.append((points[0::2], points[1::2]))
    rng = np.random.default_rng(seed)
    arrivals = np.sort(rng.random(n) * 5000)
    service = rng.exponential(100, n)
    patience = rng.exponential(60, n) if not patient else np.full(n, math.inf)
    horizon = 4500.0
    start, agent = run_queue(
        arrivals.tolist(), service.tolist(), patience.tolist(), windows, horizon
    )
    answered = agent >= 0
    wait = start - arrivals
    assert np.all(wait >= 0)
    assert np.all(start[answered] < horizon)
    assert np.all(wait[answered] <= patience[answered])
    # FCFS with identical agents: answers start in arrival order.
    assert np.all(np.diff(start[answered]) >= 0)
    for j, (ws, we) in enumerate(windows):
        mine = np.flatnonzero(agent == j)
        for i in mine:  # an agent only starts a call while on the phones
            assert any(a <= start[i] < b for a, b in zip(ws, we, strict=True))
        ends = start[mine] + service[mine]
        assert np.all(start[mine][1:] >= ends[:-1] - 1e-9)  # one call at a time
    # Unanswered calls: nobody could take them in time.
    lost = ~answered
    assert np.all((wait[lost] > patience[lost]) | (start[lost] >= horizon))
    # No idling: a call that has to wait finds every agent on the phones busy when it arrives.
    ends = start + service
    for i in np.flatnonzero((wait > 0) & (arrivals < horizon)):
        t = arrivals[i]
        for j, (ws, we) in enumerate(windows):
            on_phone = any(a <= t < b for a, b in zip(ws, we, strict=True))
            busy = np.any((agent == j) & (start <= t) & (t < ends))
            assert busy or not on_phone, (i, j)


# --- inputs -----------------------------------------------------------------------------------


def test_patience_parsing():
    assert parse_patience("none") is None
    assert parse_patience("120") == 120.0
    for bad in ("-3", "0", "soon"):
        with pytest.raises(InputError, match="patience"):
            parse_patience(bad)


def test_bad_roster_and_requirements_name_the_culprit(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "agent,start,end,breaks,paid_hours\n"
        "A1,2026-07-06T08:00,2026-07-06T12:00,2026-07-06T13:00/2026-07-06T13:30,4\n"
    )
    with pytest.raises(InputError, match=r"roster.csv:2: column 'breaks'"):
        load_roster(roster)
    req = tmp_path / "req.csv"
    req.write_text("timestamp,calls\n2026-07-06T08:00,10\n")
    with pytest.raises(InputError, match=r"req.csv:1: missing column 'aht'"):
        load_requirements(req)
    req.write_text("timestamp,calls,aht\n2026-07-06T08:00,ten,180\n")
    with pytest.raises(InputError, match=r"req.csv:2: column 'calls'"):
        load_requirements(req)
    req.write_text("timestamp,calls,aht\n2026-07-06T08:00,0,\n2026-07-06T08:30,2,\n")
    with pytest.raises(InputError, match=r"req.csv:3: column 'aht' = ''"):
        load_requirements(req)
    req.write_text("timestamp,calls,aht\n2026-07-06T08:00,1,180\n2026-07-06T08:00,2,180\n")
    with pytest.raises(InputError, match=r"req.csv:3: column 'timestamp' = .* is a duplicate"):
        load_requirements(req)


def test_progress_is_called_once_per_replication():
    roster = load_roster(FIXTURES / "sim_roster.csv")
    req = load_requirements(FIXTURES / "sim_requirements.csv")
    seen = []
    simulate(roster, req, replications=3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with terminal_progress("simulating", 3, enabled=True) as update:
        simulate(roster, req, replications=3, progress=update)
    with terminal_progress("simulating", 3, enabled=False) as update:
        assert update is None


def test_bad_options_are_input_errors():
    roster = load_roster(FIXTURES / "sim_roster.csv")
    req = load_requirements(FIXTURES / "sim_requirements.csv")
    for kwargs in (
        {"replications": 0},
        {"service": "gamma"},
        {"absence_pct": 100},
        {"patience_s": -1},
    ):
        with pytest.raises(InputError):
            simulate(roster, req, **kwargs)


def test_a_roster_outside_the_horizon_is_noted():
    roster, req = steady(calls=10, aht=120, agents=2, days=1)
    roster["start"] += pd.Timedelta(days=30)
    roster["end"] += pd.Timedelta(days=30)
    flat = simulate(roster, req, replications=1, cyclic=False)
    assert "does not overlap" in flat.summary.notes[0]
    assert flat.summary.service_level_pct.mean == 0.0
    assert simulate(*steady(10, 120, 2, 1), replications=1).summary.notes == ()


def test_queues_are_pooled_per_interval():
    roster, req = steady(calls=0, aht=100, agents=30, days=1)
    a = req.assign(queue="outage", calls=100.0, aht=100.0)
    b = req.assign(queue="billing", calls=100.0, aht=300.0)
    pooled = pd.concat([a, b]).sort_values("timestamp", kind="stable")
    result = simulate(roster, pooled, replications=2, seed=1)
    assert len(result.intervals) == 48
    assert result.intervals["offered"].mean() == pytest.approx(200, rel=0.05)
    # 200 calls x 200 s calls-weighted AHT / 1800 s = 22.2 Erlangs on 30 agents.
    assert result.summary.occupancy_pct.mean == pytest.approx(100 * 22.22 / 30, abs=2.0)
