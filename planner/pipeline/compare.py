"""Scenario comparison: several scenarios planned on one common week, one row of KPIs per
scenario with deltas to the first.

Which week: the command line's `--week`/`--start`, else the first one pinned by a scenario in
the order given, else the default week of the first scenario.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import os
import signal
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from planner import store
from planner.errors import InputError, PlannerError
from planner.pipeline.plan import (
    Log,
    load_history,
    plan_week,
    quiet_log,
    resolve_scenario,
    resolve_start,
    took,
    with_time_limit,
)
from planner.pipeline.publish import default_out_dir
from planner.report.numbers import rounded
from planner.report.tables import COMPARE_METRICS, SIM_METRIC
from planner.scenario import Scenario, week_label

PR_SET_PDEATHSIG = 1  # linux/prctl.h

# --- compare -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One row per scenario (in the order given): KPIs and `d_<kpi>` deltas to the first."""

    frame: pd.DataFrame
    week: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def common_start(
    scenarios: Sequence[Scenario], week: str | None = None, start: str | None = None
) -> dt.date:
    """The week every scenario of a comparison is planned on (see the module docstring)."""
    if week or start:
        return resolve_start(scenarios[0], None, week, start)
    for sc in scenarios:
        if sc.run.week or sc.run.start:
            return resolve_start(sc, None)
    return resolve_start(scenarios[0], load_history(scenarios[0]))


def _compare_one(sc: Scenario, first: dt.date, simulate: bool, previous=None) -> dict:
    try:
        plan = plan_week(sc, start=first, simulate=simulate, previous=previous)
    except PlannerError as exc:  # say which scenario failed, keep the exit code
        raise type(exc)(f"{sc.name}: {exc}") from None
    row = {"scenario": sc.name, "week": plan.label, **plan.kpis.as_dict()}
    row["solver_status"] = plan.schedule.status
    row["gap_pct"] = rounded(100.0 * plan.schedule.gap, 3)
    row["exit_code"] = plan.exit_code
    return {"row": row, "notes": [f"{sc.name}: {n}" for n in plan.notes]}


def compare(
    scenarios: Sequence[str | os.PathLike | Scenario],
    week: str | None = None,
    start: str | None = None,
    jobs: int = 1,
    simulate: bool = False,
    log: Log = quiet_log,
    time_limit_s: float | None = None,
    store_path: str | os.PathLike | None = None,
    use_store: bool = True,
) -> Comparison:
    """Plan each scenario on one common week and tabulate them (in the order given).

    Like `planner run`, a scenario whose last week is published in the plan store continues
    that roster (read only; `store_path`, else the scenario's `[run] store`, else the store
    `planner run` records into by default), so both plan the same roster; `use_store=False`
    plans every week on its own (cyclic)."""
    if not scenarios:
        raise InputError("compare needs at least one scenario file")
    loaded = [with_time_limit(resolve_scenario(s), time_limit_s) for s in scenarios]
    names = [s.name for s in loaded]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"scenario names repeat: {', '.join(dupes)}; give each a distinct name")
    first = common_start(loaded, week, start)
    label = week_label(first)
    notes = []
    for sc in loaded:
        own = sc.run.week or (sc.run.start.isoformat() if sc.run.start else None)
        if own and own != label and not (week or start):
            notes.append(f"{sc.name}: planned on {label} (its own week is {own})")
    log(f"compare: {len(loaded)} scenarios on {label}, {jobs} job(s)")
    previous = [_last_week(sc, first, store_path) if use_store else None for sc in loaded]
    if jobs > 1 and len(loaded) > 1:
        results = _in_workers(loaded, first, simulate, jobs, previous)
    else:
        results = []
        for sc, last_week in zip(loaded, previous, strict=True):
            clock = time.monotonic()
            results.append(_compare_one(sc, first, simulate, last_week))
            log(f"compare: {sc.name} done {took(clock)}")
    rows = [r["row"] for r in results]
    for r in results:
        notes.extend(r["notes"])
    frame = pd.DataFrame(rows)
    metrics = [m for m, _, _ in COMPARE_METRICS]
    if simulate:
        metrics.append(SIM_METRIC[0])
    base = frame.iloc[0]
    for m in metrics:
        if m not in frame.columns:
            frame[m] = None
        values = pd.to_numeric(frame[m], errors="coerce")
        first_value = pd.to_numeric(pd.Series([base[m]]), errors="coerce").iloc[0]
        frame[f"d_{m}"] = (values - first_value).round(3)
    order = ["scenario", "week"]
    order += [m for m in metrics] + ["currency", "solver_status", "gap_pct", "exit_code"]
    order += [f"d_{m}" for m in metrics]
    return Comparison(frame[order], label, tuple(notes))


def _last_week(sc: Scenario, first: dt.date, store_path) -> pd.DataFrame | None:
    """Last week's published roster of `sc` in the store `planner run` would use, or None."""
    path = store.resolve_store_path(store_path, default_out_dir(week_label(first)), sc.run.store)
    return store.previous_roster(path, sc.name, first)


def _worker_start() -> None:
    """In each worker: die with the parent (SIGKILL when it exits, however it exits), leave
    Ctrl-C to the parent (which stops the workers), and take SIGTERM's default."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


def _in_workers(
    loaded: Sequence[Scenario], first: dt.date, simulate: bool, jobs: int, previous: list
) -> list:
    """Plan the scenarios in worker processes; any way out of here (an error, Ctrl-C, SIGTERM)
    kills the workers first."""
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(loaded)), initializer=_worker_start)
    try:
        futures = [
            pool.submit(_compare_one, sc, first, simulate, last_week)
            for sc, last_week in zip(loaded, previous, strict=True)
        ]
        results = [f.result() for f in futures]
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results
