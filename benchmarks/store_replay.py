"""Replay weekly runs into a plan store, cron style, and read them back.

For each of the last N weeks of the bundled history (default 26), the history is cut before
that Monday, `planner run`'s pipeline plans the week (the baseline scenario's forecast and
service settings; a quick roster model, 8-hour shifts on the hour, so the replay takes
minutes, not an hour: the forecast, which is what the report scores, is the baseline's), the
week is published and recorded in one store, with the drift check each run makes. Then:

- the accuracy report over the full history, beside `planner backtest` on the same origins
  (folds = N, horizon 7 days: its folds are these weeks), both daily WAPE, model auto;
- the store's growth per weekly run (bytes, after a checkpoint);
- the time `planner accuracy` takes over 2N stored weeks (the N replayed runs recorded again
  under a second scenario name), in-process, best of 3.

Run: python benchmarks/store_replay.py [--weeks 26] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from planner import accuracy, io, jobs, store
from planner.forecast import backtest
from planner.history import BUNDLED_HISTORY, read_history
from planner.pipeline.plan import resolve_scenario

QUICK_ROSTER = """
[shifts]
shift_lengths_h = [8]
start_step_min = 60
days_per_week = [5]
meal_break_min = 0
night_meal_break_min = 0

[run]
time_limit_s = 30
"""


def scenario_text(history: Path) -> str:
    return (
        'name = "replay"\n'
        f'[data]\nhistory = "{history}"\ncountry = "VN"\n'
        '[forecast]\nmodel = "auto"\nlevel = 80\n'
        "[service]\nsl_pct = 80\ntarget_s = 20\nmax_occupancy_pct = 85\nshrinkage_pct = 30\n"
        + QUICK_ROSTER
    )


def checkpointed_size(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--keep", metavar="DIR", help="keep the store and outputs here")
    args = parser.parse_args()

    source = io.bundled_path(BUNDLED_HISTORY)
    full = pd.read_csv(source)
    stamps = pd.to_datetime(full["timestamp"])
    history = read_history(source)
    last_monday = (history.last_day() - pd.Timedelta(days=6)).date()
    if pd.Timestamp(last_monday).day_of_week != 0:
        print("the bundled history does not end on a Sunday; weeks would be partial")
        return 1
    weeks = [last_monday - dt.timedelta(days=7 * k) for k in range(args.weeks - 1, -1, -1)]
    work = Path(args.keep or tempfile.mkdtemp(prefix="store-replay-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "planner.db"
    if db.exists():
        db.unlink()
    print(f"replaying {len(weeks)} weekly runs {weeks[0]}..{weeks[-1]} into {db}")
    sizes, plans, clock = [], [], time.monotonic()
    for start in weeks:
        cut_path = work / "history.csv"
        full[stamps < pd.Timestamp(start)].to_csv(cut_path, index=False)
        scenario_path = work / "replay.toml"
        scenario_path.write_text(scenario_text(cut_path), encoding="utf-8")
        scenario = resolve_scenario(scenario_path)
        recorder = accuracy.RunRecorder(db)  # what `planner run --store DB` hooks in
        out_dir = work / "out" / str(start)
        week = jobs.run_week(scenario, start=start, out_dir=out_dir, store_hook=recorder)
        plan, recorded, drift = week.plan, week.recorded, week.drift
        sizes.append(checkpointed_size(db))
        plans.append(plan)
        line = f"  {plan.label}: run {recorded.run_id}, {plan.forecast.model}"
        if drift is not None:
            line += (
                f", drift check over {len(drift.weeks)} weeks: WAPE {drift.realised_wape_pct}% "
                f"vs {drift.expected_wape_pct}% expected, {drift.days_in_bounds_pct}% of days "
                f"in bounds (p {drift.p_value:.3f})"
            )
            if drift.drifted:
                line += "\n    WARNING " + drift.message()
        print(line, flush=True)
    print(f"replay: {time.monotonic() - clock:.0f} s")

    report = accuracy.accuracy_report(db, source)
    cols = ["week", "model", "actual_calls", "wape_daily_pct", "bias_pct", "wape_interval_pct",
            "expected_wape_pct", "days_in_bounds_pct", "intervals_in_bounds_pct"]  # fmt: skip
    print(report.weeks[cols].to_string(index=False))
    print(report.overall.to_string(index=False))
    print(report.horizon.to_string(index=False))

    clock = time.monotonic()
    scores = backtest(history, folds=len(weeks), horizon_days=7, country="VN")
    auto = scores[scores["model"] == "auto"].set_index(["level", "days"])
    print(f"planner backtest --folds {len(weeks)} --horizon 7 ({time.monotonic() - clock:.0f} s):")
    print(auto.to_string())
    over = report.overall.iloc[0]
    print(
        f"agreement, all days: daily WAPE store {over['wape_daily_pct']:.2f}% vs backtest "
        f"{auto.loc[('daily', 'all'), 'wape_pct']:.2f}%; interval WAPE store "
        f"{over['wape_interval_pct']:.2f}% vs backtest {auto.loc[('interval', 'all'), 'wape_pct']:.2f}%; "
        f"bias store {over['bias_pct']:.2f}% vs {auto.loc[('daily', 'all'), 'bias_pct']:.2f}%; "
        f"days in bounds store {over['days_in_bounds_pct']:.1f}% vs "
        f"{auto.loc[('daily', 'all'), 'coverage_pct']:.1f}%"
    )

    growth = [b - a for a, b in zip(sizes, sizes[1:], strict=False)]
    print(
        f"store: {sizes[-1] / 1e6:.2f} MB after {len(sizes)} runs, growth per weekly run "
        f"{sum(growth) / max(len(growth), 1) / 1e3:.0f} kB (max {max(growth, default=0) / 1e3:.0f} kB)"
    )

    for plan in plans:  # a second scenario's runs: 2N stored weeks to read
        twin = dataclasses.replace(plan, scenario=dataclasses.replace(plan.scenario, name="twin"))
        store.record_run(db, accuracy.run_record(twin), None)
    best = float("inf")
    for _ in range(3):
        clock = time.monotonic()
        accuracy.accuracy_report(db, source)
        best = min(best, time.monotonic() - clock)
    print(f"planner accuracy over {2 * len(plans)} stored weeks: {best:.2f} s (best of 3)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
