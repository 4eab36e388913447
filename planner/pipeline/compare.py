"""Scenario comparison: several scenarios planned on one common week, one row of KPIs per
scenario with deltas to the first.

Which week: the command line's `--week`/`--start`, else the first one pinned by a scenario in
the order given, else the default week of the first scenario.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.choices import NoteTopic
from planner.errors import InputError, PlannerError
from planner.io.numbers import rounded
from planner.notes import Note, note
from planner.pipeline import answers
from planner.pipeline.carried import last_week_roster, overtime_before
from planner.pipeline.kpis import COMPARE_KEYS, SIM_COMPARE_KEY
from planner.pipeline.plan import (
    Log,
    default_out_dir,
    load_history,
    plan_week,
    quiet_log,
    resolve_scenario,
    resolve_start,
    took,
    with_time_limit,
)
from planner.scenario import Scenario, week_label
from planner.schedule.child import map_in_workers

ANSWER_KEYS = ("patience_s", "answered_pct", "service_level_pct", "abandon_pct", "asa_s")
# the columns a comparison adds after the KPIs: the target, what meeting it takes, Erlang A
ANSWER_COLUMNS = (
    *("target_sl_pct", "target_s", "hire_full_time", "hire_part_time", "hire_cost"),
    "cost_to_target",
    *(f"erlang_a_{key}" for key in ANSWER_KEYS),
)

# --- compare -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One row per scenario (in the order given): KPIs and `d_<kpi>` deltas to the first."""

    frame: pd.DataFrame
    week: str
    notes: tuple[Note, ...] = field(default_factory=tuple)


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


def _compare_one(
    sc: Scenario, first: dt.date, simulate: bool, previous=None, overtime_before=None
) -> dict:
    try:
        plan = plan_week(
            sc,
            start=first,
            simulate=simulate,
            previous=previous,
            overtime_before=overtime_before,
        )
    except PlannerError as exc:  # say which scenario failed, keep the exit code
        raise exc.prefixed(sc.name) from None
    row = {"scenario": sc.name, "week": plan.label, **plan.kpis.as_dict()}
    row["solver_status"] = plan.schedule.status
    row["gap_pct"] = rounded(100.0 * plan.schedule.gap, 3)
    row["exit_code"] = plan.exit_code
    row.update(_answers(plan))
    return {"row": row, "notes": [n.about(sc.name) for n in plan.notes]}


def _answers(plan) -> dict:
    """The target, what meeting it takes (hires, cost) and, for an overloaded Erlang C week,
    the Erlang A view (see `planner.pipeline.answers`)."""
    sc = plan.scenario
    cost = answers.target_cost(plan.schedule, sc.rules)
    out: dict = {
        "target_sl_pct": sc.service.sl_pct,
        "target_s": sc.service.target_s,
        "hire_full_time": cost.hire_full_time,
        "hire_part_time": cost.hire_part_time,
        "hire_cost": rounded(cost.hire_cost, 0),
        "cost_to_target": rounded(cost.cost_to_target, 0),
    }
    view = None
    if sc.service.model == "erlang-c" and answers.overloaded(plan.evaluation):
        view = answers.overload_view(
            plan.evaluation,
            sc.service.target_s,
            sc.service.patience_s,
            answers.interval_s_of(plan.requirements),
        )
    for key in ANSWER_KEYS:
        out[f"erlang_a_{key}"] = None if view is None else getattr(view, key)
    return out


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
    run_calls: Callable[[Callable[..., dict], list[tuple]], list[dict]] | None = None,
    allowed_dirs: Sequence[str | os.PathLike] = (),
) -> Comparison:
    """Plan each scenario on one common week and tabulate them (in the order given).

    Like `planner run`, a scenario whose last week is published in the plan store continues
    that roster (read only; `store_path`, else the scenario's `[run] store`, else the store
    `planner run` records into by default), so both plan the same roster; `use_store=False`
    plans every week on its own (cyclic). `run_calls(work, calls)`: where the scenarios are
    planned (`[work(*args) for args in calls]`, in order; an engine of `planner.jobs.engines`),
    instead of this process or `jobs` worker processes. `allowed_dirs`: folders outside their
    own that the scenarios may name files in."""
    if not scenarios:
        raise InputError("compare needs at least one scenario file")
    loaded = [with_time_limit(resolve_scenario(s, allowed_dirs), time_limit_s) for s in scenarios]
    names = [s.name for s in loaded]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"scenario names repeat: {', '.join(dupes)}; give each a distinct name")
    first = common_start(loaded, week, start)
    label = week_label(first)
    notes: list[Note] = []
    for sc in loaded:
        own = sc.run.week or (sc.run.start.isoformat() if sc.run.start else None)
        if own and own != label and not (week or start):
            notes.append(
                note(NoteTopic.WEEK, f"{sc.name}: planned on {label} (its own week is {own})")
            )
    log(f"compare: {len(loaded)} scenarios on {label}, {jobs} job(s)")
    stored = [_from_store(sc, first, store_path) if use_store else (None, None) for sc in loaded]
    calls = [(sc, first, simulate, *before) for sc, before in zip(loaded, stored, strict=True)]
    if run_calls is not None:
        results = run_calls(_compare_one, calls)
    elif jobs > 1 and len(loaded) > 1:
        results = map_in_workers(_compare_one, calls, jobs)
    else:
        results = []
        for call in calls:
            clock = time.monotonic()
            results.append(_compare_one(*call))
            log(f"compare: {call[0].name} done {took(clock)}")
    rows = [r["row"] for r in results]
    for r in results:
        notes.extend(r["notes"])
    frame = pd.DataFrame(rows)
    metrics = list(COMPARE_KEYS)
    if simulate:
        metrics.append(SIM_COMPARE_KEY)
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
    frame["d_cost_to_target"] = (frame["cost_to_target"] - base["cost_to_target"]).round(3)
    # a cost delta within the solvers' gaps (the larger of the two, of the larger cost) may be
    # solver noise rather than the scenario's doing
    gap = np.maximum(frame["gap_pct"].astype(float), float(base["gap_pct"])) / 100.0
    for key in ("cost", "cost_to_target"):
        noise = gap * np.maximum(frame[key].astype(float), float(base[key]))
        significant = frame[f"d_{key}"].abs().astype(float) > noise
        significant.iloc[0] = True  # the first scenario is the base: no delta to doubt
        frame[f"d_{key}_significant"] = significant
    order += [*ANSWER_COLUMNS, "d_cost_to_target", "d_cost_significant"]
    order += ["d_cost_to_target_significant"]
    return Comparison(frame[order], label, tuple(notes))


def _from_store(
    sc: Scenario, first: dt.date, store_path
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """Last week's published roster of `sc` (or None) and the overtime its published weeks
    worked earlier in the year, read as `planner run` reads them into `out/<week>`."""
    out_dir = default_out_dir(week_label(first))
    return (
        last_week_roster(sc, first, out_dir, store_path),
        overtime_before(sc, first, out_dir, store_path),
    )
