"""What Dask costs `planner sweep`, side by side with planner's own process pool.
Run: python benchmarks/sweep_overhead.py [--no-hotline]   (needs the `planner[dask]` extra)

1. 2 sites x 3 scenarios x 4 weeks = 24 week cells of a small synthetic line (five weeks of
   hourly history, 8-hour shifts: about a second a cell), on `local:2` (the process pool) and
   on `dask-local:2` (a LocalCluster of 2 worker processes), in one run, one after the other.
   Each cell's own time is measured inside the worker; per engine:
   - wall: from the first submit to the last result (the cluster's start and stop apart),
   - overhead per task = (wall x workers - sum of the cells' own times) / cells: what the
     engine adds per task (shipping, scheduling, results back, idle workers at the end),
   - the Dask cluster's start (its workers importing planner once) and stop, once per sweep.
2. One cell of the bundled hotline (88 agents, 30-minute intervals, CBC), timed in this process
   (skipped with --no-hotline), and from it the paper estimate of a utility group's budget
   season: 5 sites x 20 scenarios x 52 weeks = 5,200 cells on N workers:
   hours = cells x (hotline cell time + Dask overhead per task) / N + cluster start.

The machine is shared (2 cores, several jobs at once): absolute times are noisy; the ratios
measured side by side are the figures to read.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.jobs import engines, sweep  # noqa: E402
from planner.jobs.engines import Shared  # noqa: E402
from planner.pipeline import plan_week  # noqa: E402

RULES = """
[shifts]
shift_lengths_h = [8]
start_step_min = 240
days_per_week = [5]
meal_break_min = 0
night_meal_break_min = 0

[run]
time_limit_s = 600
"""
WORKERS = 2


def write_site(root: Path, name: str, scale: float) -> Path:
    """A small line: five weeks of hourly calls (a day curve, a week curve), AHT 300 s."""
    folder = root / name
    folder.mkdir()
    times = pd.date_range("2026-01-05", "2026-02-08 23:00", freq="h")
    day = np.clip(np.sin((times.hour.to_numpy() - 6) / 16 * np.pi), 0.05, None)
    weekday = np.array([1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7])[times.day_of_week]
    calls = np.round(scale * 25 * day * weekday + (times.day.to_numpy() % 3)).astype(int)
    pd.DataFrame(
        {"timestamp": times.strftime("%Y-%m-%dT%H:%M:%S"), "calls": calls, "aht": 300}
    ).to_csv(folder / "history.csv", index=False)
    (folder / "site.toml").write_text(
        '[data]\nhistory = "history.csv"\ncountry = "none"\n'
        '[forecast]\nmodel = "seasonal_naive"\n' + RULES,
        encoding="utf-8",
    )
    return folder / "site.toml"


def write_plan(root: Path) -> Path:
    write_site(root, "north", 1.0)
    write_site(root, "south", 1.4)
    for name, table in (("sl90", "sl_pct = 90"), ("shrink35", "shrinkage_pct = 35")):
        (root / f"{name}.toml").write_text(f"[service]\n{table}\n{RULES}", encoding="utf-8")
    text = 'weeks = "2026-W07..2026-W10"\n'
    for site in ("north", "south"):
        text += f'[[sites]]\nname = "{site}"\nscenario = "{site}/site.toml"\n'
    text += '[[scenarios]]\nname = "own"\nfile = "north/site.toml"\n'
    text += '[[scenarios]]\nfile = "sl90.toml"\n[[scenarios]]\nfile = "shrink35.toml"\n'
    (root / "plan.toml").write_text(text, encoding="utf-8")
    return root / "plan.toml"


def timed_cell(cell, inputs, with_files):
    clock = time.perf_counter()
    result = sweep.plan_cell(cell, inputs, with_files)
    return result.kpis["cost"], time.perf_counter() - clock


def measure(engine, plan) -> dict:
    calls = [(timed_cell, c, Shared((c.site, c.scenario)), False) for c in plan.cells]
    keys = [f"bench-{c.key}" for c in plan.cells]
    costs, own = {}, []

    def consume(outcomes):
        for outcome in outcomes:
            if outcome.error is not None:
                raise outcome.error
            cost, seconds = outcome.result
            costs[outcome.index] = cost
            own.append(seconds)

    start = time.perf_counter()
    if isinstance(engine, engines.DaskEngine):
        with engine.client() as client:
            # warm: the workers import planner once (the pool's forks inherit this process's)
            client.run(importlib.import_module, "planner.jobs.sweep")
            ready = time.perf_counter()
            consume(_dask_stream(client, engine, plan, calls, keys))
            done = time.perf_counter()
        stopped = time.perf_counter()
        cluster_s = (ready - start) + (stopped - done)
    else:
        ready = start
        consume(engine.run(_call, plan.scenarios, calls, keys))
        done = time.perf_counter()
        cluster_s = 0.0
    wall = done - ready
    n = len(plan.cells)
    return {
        "engine": engine.name,
        "cells": n,
        "wall_s": wall,
        "cell_mean_s": statistics.mean(own),
        "overhead_per_task_s": (wall * WORKERS - sum(own)) / n,
        "cluster_s": cluster_s,
        "costs": [costs[i] for i in range(n)],
    }


def _call(work, *args):
    return work(*args)


def _dask_stream(client, engine, plan, calls, keys):
    """`DaskEngine.run` on an open client (so the cluster's start is timed apart)."""
    sent = {k: client.scatter(v, hash=False, broadcast=True) for k, v in plan.scenarios.items()}
    futures = []
    for args, key in zip(calls, keys, strict=True):
        resolved = [sent[a.key] if isinstance(a, Shared) else a for a in args]
        futures.append(client.submit(_call, *resolved, key=key, pure=False))
    index = {f.key: i for i, f in enumerate(futures)}
    for future in engines.distributed.as_completed(futures):
        yield engines.Outcome(index[future.key], None, future.result())


def hotline_cell_s() -> float:
    clock = time.perf_counter()
    plan_week(None, week="2027-W10", simulate=False)
    return time.perf_counter() - clock


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-hotline", action="store_true", help="skip the bundled hotline cell")
    parser.add_argument("--rounds", type=int, default=2, help="alternated rounds (best kept)")
    args = parser.parse_args()
    if engines.distributed is None:
        sys.exit("benchmarks/sweep_overhead.py: " + engines.INSTALL_HINT)
    with tempfile.TemporaryDirectory() as tmp:
        plan = sweep.read_plan(write_plan(Path(tmp)), Path(tmp) / "unused.db")
        runs: dict[str, list[dict]] = {"local": [], "dask": []}
        for _ in range(args.rounds):  # alternated, so a burst of load hits both alike
            runs["local"].append(measure(engines.LocalEngine(WORKERS), plan))
            runs["dask"].append(measure(engines.DaskEngine(workers=WORKERS), plan))
        local = min(runs["local"], key=lambda r: r["wall_s"])
        dask = min(runs["dask"], key=lambda r: r["wall_s"])
    assert local["costs"] == dask["costs"], "the engines planned different weeks"
    print(
        f"2 sites x 3 scenarios x 4 weeks = 24 cells, 2 workers, best of {args.rounds} "
        f"alternated rounds (shared 2-core machine, load {os.getloadavg()[0]:.1f}: noisy)"
    )
    print(f"{'engine':<14}{'wall s':>9}{'cell s':>9}{'overhead/task s':>17}{'cluster s':>11}")
    for r in (local, dask):
        print(
            f"{r['engine']:<14}{r['wall_s']:>9.2f}{r['cell_mean_s']:>9.2f}"
            f"{r['overhead_per_task_s']:>17.3f}{r['cluster_s']:>11.2f}"
        )
    ratio = dask["wall_s"] / local["wall_s"]
    with_start = (dask["wall_s"] + dask["cluster_s"]) / local["wall_s"]
    extra = dask["overhead_per_task_s"] - local["overhead_per_task_s"]
    print(
        f"dask / local wall time: {ratio:.3f} (with the cluster's start and stop: {with_start:.3f})"
    )
    print(f"Dask's extra overhead per task over the pool: {extra:+.3f} s")
    if args.no_hotline:
        return
    cell_s = hotline_cell_s()
    cells = 5 * 20 * 52
    per_task = max(0.0, dask["overhead_per_task_s"])
    print(f"\nbundled hotline, one week cell in this process: {cell_s:.1f} s")
    print("5 sites x 20 scenarios x 52 weeks = 5,200 cells, paper estimate on N Dask workers:")
    for n in (2, 8, 32, 128):
        hours = (cells * (cell_s + per_task) / n + dask["cluster_s"]) / 3600
        print(f"  N = {n:>3}: {hours:7.2f} h")


if __name__ == "__main__":
    main()
