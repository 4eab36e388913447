"""Benchmark: simulate a summer week of the bundled hotline, 20 replications.

Prints the simulation time, the calls simulated, and the simulated service level (mean and 95%
CI over replications, calls-weighted) next to what the queueing model plans for the same
agents on the phones: Erlang C with patience none, Erlang A with patience 120 s.

The week comes from the real chain when the modules are there: bundled history -> forecast
(from the history before the week) -> staff_requirements (80/20, Erlang C, 30% shrinkage) ->
build_roster (default rules). Without them, a synthetic week of the same size is used.
It reads nothing outside the repository.

    .venv/bin/python benchmarks/simulate_speed.py [--start 2026-06-08] [--replications 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.simulate import simulate  # noqa: E402

SHRINKAGE_PCT = 30.0


def real_week(start: str):
    """Requirements and roster for the week from `start` through the project's own chain."""
    from planner import history, io, schedule, staffing
    from planner.forecast import forecast_history

    clock = time.perf_counter()
    hist = history.read_history(io.bundled_path(history.BUNDLED_HISTORY))
    fc = forecast_history(hist, horizon_days=7, start=start)
    target = staffing.StaffingTarget(sl_pct=80, target_s=20, shrinkage_pct=SHRINKAGE_PCT)
    req = staffing.staff_requirements(fc.intervals, target)
    result = schedule.build_roster(req, time_limit_s=60)
    took = time.perf_counter() - clock
    print(
        f"chain: forecast {fc.model}, {fc.intervals['calls'].sum():,.0f} calls; peak "
        f"{req['agents'].max():.0f} agents / {req['staff'].max():.0f} staff; roster "
        f"{len(result.roster)} shifts, {result.headcount} agents, {result.status} ({took:.0f} s)"
    )
    return req, result.roster


def synthetic_week(start: str):
    """About 50,000 calls and 100 agents at the peak, 8-hour shifts with a 30-min break."""
    ts = pd.date_range(start, periods=7 * 48, freq="30min")
    hour = np.asarray(ts.hour + ts.minute / 60, float)
    shape = np.clip(np.sin((hour - 7) / 24 * 2 * np.pi), 0.05, None) + 0.15
    calls = shape / shape.sum() * 50_000
    req = pd.DataFrame({"timestamp": ts, "calls": calls, "aht": 240.0})
    need = np.ceil(calls * 240 / 1800 * 1.15 / (1 - SHRINKAGE_PCT / 100)) + 2
    rows, n = [], 0
    for k, t in enumerate(ts):
        for _ in range(int(np.ceil(need[(k + 8) % len(ts)] / 14))):
            brk = t + pd.Timedelta("4h")
            rows.append(
                (f"S{n:04d}", t, t + pd.Timedelta("8h"), f"{brk}/{brk + pd.Timedelta('30min')}")
            )
            n += 1
    roster = pd.DataFrame(rows, columns=["agent", "start", "end", "breaks"])
    print(f"synthetic week: {calls.sum():,.0f} calls, {len(roster)} shifts")
    return req, roster


def plan_roster(req: pd.DataFrame) -> pd.DataFrame:
    """A 'roster' that puts exactly the requirements' `agents` on the phones in every interval:
    agent i works every run of intervals needing more than i agents (no breaks, no absence)."""
    ts = pd.to_datetime(req["timestamp"]).reset_index(drop=True)
    need = req["agents"].to_numpy(int)
    step = pd.Timedelta(minutes=30)
    rows = []
    for i in range(int(need.max())):
        on = np.concatenate([[False], need > i, [False]])
        edges = np.flatnonzero(np.diff(on.astype(int)))
        for a, b in zip(edges[0::2], edges[1::2], strict=True):
            rows.append((f"P{i:03d}", ts[a], ts[b - 1] + step, ""))
    return pd.DataFrame(rows, columns=["agent", "start", "end", "breaks"])


def planned(req: pd.DataFrame, agents: np.ndarray, patience_s: float | None) -> float:
    """Calls-weighted SL (%) the queueing model gives with `agents` on the phones."""
    from planner import erlang

    calls, aht = req["calls"].to_numpy(float), req["aht"].to_numpy(float)
    n = np.floor(agents + 1e-9)
    if patience_s is None:
        sl = erlang.service_level(calls, aht, n, 20.0, 1800.0)
    else:
        sl = erlang.erlang_a(calls, aht, n, 20.0, patience_s, 1800.0).service_level
    return 100 * float(np.sum(sl * calls) / calls.sum())


def run(req, roster, replications: int, patience_s, absence_pct: float, label: str) -> None:
    clock = time.perf_counter()
    result = simulate(
        roster,
        req,
        replications=replications,
        seed=0,
        patience_s=patience_s,
        absence_pct=absence_pct,
    )
    took = time.perf_counter() - clock
    s = result.summary
    sl = s.service_level_pct
    # The model's view: the roster's on-phone agents, less the absent share on average.
    on_phone = result.intervals["agents"].to_numpy()
    try:
        plan = f"{planned(req, on_phone, patience_s):5.1f}%"
    except ImportError:
        plan = "  n/a"
    model = "Erlang C" if patience_s is None else "Erlang A"
    print(
        f"{label}: patience {'none' if patience_s is None else f'{patience_s:g} s':>5}, absence "
        f"{absence_pct:>4g}%: {took:5.1f} s for {s.calls_simulated:,} calls "
        f"({replications} reps); simulated SL {sl.mean:5.1f}% "
        f"[{sl.ci_low:.1f}, {sl.ci_high:.1f}] vs {model} {plan} at the same mean agents; "
        f"ASA {s.asa_s.mean:.1f} s, abandoned {s.abandon_pct.mean:.2f}%, "
        f"occupancy {s.occupancy_pct.mean:.1f}%"
    )


def report_plan(req: pd.DataFrame) -> None:
    if "service_level" in req.columns:
        calls = req["calls"].to_numpy(float)
        sl = 100 * float(np.sum(req["service_level"].to_numpy(float) * calls) / calls.sum())
        print(f"requirements: the staffing step plans SL {sl:.1f}% with its `agents` on the phones")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2026-06-08", help="Monday of the week (summer)")
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--synthetic", action="store_true", help="skip the real chain")
    args = parser.parse_args()
    try:
        if args.synthetic:
            raise ImportError
        req, roster = real_week(args.start)
    except ImportError:
        req, roster = synthetic_week(args.start)
    report_plan(req)
    if "agents" in req.columns:  # Erlang C's own assumptions: the plan's agents, exactly
        run(req, plan_roster(req), args.replications, None, 0.0, "plan's agents")
    for patience_s in (None, 120.0):
        run(req, roster, args.replications, patience_s, SHRINKAGE_PCT, "roster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
