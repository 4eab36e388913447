"""Scenario comparison: several scenarios planned on one common week, one row of KPIs per
scenario with deltas to the first.

Which week: the command line's `--week`/`--start`, else the first one pinned by a scenario in
the order given, else the default week of the first scenario.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from planner.errors import InputError, PlannerError
from planner.pipeline.kpis import _r
from planner.pipeline.plan import (
    Log,
    _quiet,
    _took,
    load_history,
    plan_week,
    resolve_scenario,
    resolve_start,
    with_time_limit,
)
from planner.scenario import Scenario, week_label

# --- compare -------------------------------------------------------------------------------------

COMPARE_METRICS = (
    ("calls", "calls", 0),
    ("peak_interval_calls", "peak calls/interval", 0),
    ("required_staff_hours", "required staff-h", 0),
    ("required_fte", "required FTE", 1),
    ("headcount", "headcount", 0),
    ("paid_hours", "paid h", 0),
    ("cost", "cost", 0),
    ("service_level_pct", "service level %", 1),
    ("asa_s", "ASA s", 1),
    ("occupancy_pct", "occupancy %", 1),
    ("abandon_pct", "abandon %", 1),
    ("understaffed_intervals", "understaffed intervals", 0),
    ("shortfall_staff_hours", "shortfall staff-h", 1),
)
SIM_METRIC = ("simulated_service_level_pct", "simulated SL %", 1)


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


def _compare_one(sc: Scenario, first: dt.date, simulate: bool) -> dict:
    try:
        plan = plan_week(sc, start=first, simulate=simulate)
    except PlannerError as exc:  # say which scenario failed, keep the exit code
        raise type(exc)(f"{sc.name}: {exc}") from None
    row = {"scenario": sc.name, "week": plan.label, **plan.kpis}
    row["solver_status"] = plan.schedule.status
    row["gap_pct"] = _r(100.0 * plan.schedule.gap, 3)
    row["exit_code"] = plan.exit_code
    return {"row": row, "notes": [f"{sc.name}: {n}" for n in plan.notes]}


def compare(
    scenarios: Sequence[str | os.PathLike | Scenario],
    week: str | None = None,
    start: str | None = None,
    jobs: int = 1,
    simulate: bool = False,
    log: Log = _quiet,
    time_limit_s: float | None = None,
) -> Comparison:
    """Plan each scenario on one common week and tabulate them (in the order given)."""
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
    if jobs > 1 and len(loaded) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(loaded))) as pool:
            futures = [pool.submit(_compare_one, sc, first, simulate) for sc in loaded]
            results = [f.result() for f in futures]
    else:
        results = []
        for sc in loaded:
            clock = time.monotonic()
            results.append(_compare_one(sc, first, simulate))
            log(f"compare: {sc.name} done {_took(clock)}")
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


def comparison_view(comparison: Comparison, simulate: bool = False) -> pd.DataFrame:
    """The table people read: one row per metric, one column per scenario, each cell the value
    and (after the first scenario) its delta to the first."""
    frame = comparison.frame
    metrics = list(COMPARE_METRICS) + ([SIM_METRIC] if simulate else [])
    base = frame.iloc[0]
    rows = []
    for key, title, digits in metrics:
        unit = f" ({frame['currency'].iloc[0]})" if key == "cost" else ""
        row = {"metric": title + unit}
        for i, rec in frame.iterrows():
            row[rec["scenario"]] = _cell(rec[key], base[key] if i else None, digits)
        rows.append(row)
    status = {"metric": "solver"}
    for _, rec in frame.iterrows():
        status[rec["scenario"]] = f"{rec['solver_status']} ({rec['gap_pct']:g}% gap)"
    rows.append(status)
    return pd.DataFrame(rows)


def _cell(value, base, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:,.{digits}f}"
    if base is None or (isinstance(base, float) and math.isnan(base)):
        return text
    delta = float(value) - float(base)
    if abs(delta) < 10 ** (-digits) / 2:
        return f"{text} (=)"
    rel = f", {100 * delta / abs(base):+.0f}%" if base and abs(base) > 1e-9 else ""
    return f"{text} ({delta:+,.{digits}f}{rel})"
