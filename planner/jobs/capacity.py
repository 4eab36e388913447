"""`planner capacity` from files: scenarios in, the plan's table, chart, workbook and the
agents file of a planned week out (every file written atomically, after all plans are made)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner import capacity, io, pipeline, store
from planner.capacity import CapacityPlan
from planner.errors import ExitCode, InputError
from planner.report import capacity as render
from planner.report import emit_frame, render_table
from planner.scenario import Scenario, parse_week

Log = Callable[[str], None]
RunCalls = Callable[[Callable[..., CapacityPlan], list[tuple]], list[CapacityPlan]]


@dataclass(frozen=True)
class CapacityRun:
    """The plans of one `planner capacity` call, one per scenario."""

    plans: tuple[CapacityPlan, ...]

    @property
    def exit_code(self) -> int:
        """3 when a plan has shortfall (written and reported), else 0."""
        return int(ExitCode.TARGETS_NOT_MET if any(p.short for p in self.plans) else ExitCode.OK)


def plan_scenario(
    scenario: Scenario | str | os.PathLike | None,
    *,
    weeks: int | None = None,
    first_week: str | None = None,
    quantile_pct: float | None = None,
    draws: int | None = None,
    log: Log = lambda _m: None,
    agents_week: str | None = None,
    store_path: str | os.PathLike | None = None,
    week_scenario: str | os.PathLike | None = None,
) -> CapacityPlan:
    """Load a scenario (None: the built-in baseline), its history and agents, and plan it.
    Command-line values override the scenario's `[capacity]` keys of the same meaning.
    `agents_week`: the week whose agents file is handed to the weekly run (covered as that run
    staffs it; by `week_scenario`'s weekly run when given, else this scenario's);
    `store_path`: the plan store whose published rosters measure the inefficiency."""
    sc = pipeline.resolve_scenario(scenario)
    overrides: dict = {}
    if weeks is not None:
        overrides["horizon_weeks"] = weeks
    if quantile_pct is not None:
        overrides["quantile_pct"] = quantile_pct
    if draws is not None:
        overrides["draws"] = draws
    if overrides:
        origins = dict(sc.origins)
        for key in overrides:
            origins[f"capacity.{key}"] = "command line"
        sc = dataclasses.replace(
            sc,
            capacity=tuple(sorted({**dict(sc.capacity), **overrides}.items())),
            origins=tuple(sorted(origins.items())),
        )
    cfg = capacity.config_of(sc)
    hist = pipeline.load_history(sc)
    first = parse_week(first_week) if first_week else None
    start = first or (pd.Timestamp(hist.last_day()).date() + dt.timedelta(days=1))
    if sc.data.agents is None:
        raise InputError(
            f"{sc.source}: [data] agents is empty: the capacity plan starts from today's agents; "
            "give an agents file (agent,contract,weekly_hours[,hire_date])"
        )
    workforce = capacity.read_workforce(sc.data.agents, cfg, start)
    week_sc = week_hist = None
    if week_scenario is not None:
        week_sc = pipeline.resolve_scenario(week_scenario)
        week_hist = pipeline.load_history(week_sc)
    return capacity.capacity_plan(
        sc,
        hist,
        workforce,
        cfg,
        first=first,
        log=log,
        week_run=agents_week,
        store_path=store_path,
        week_scenario=week_sc,
        week_history=week_hist,
    )


def run_capacity(
    scenarios: Sequence[str | os.PathLike | None],
    *,
    weeks: int | None = None,
    first_week: str | None = None,
    quantile_pct: float | None = None,
    log: Log = lambda _m: None,
    run_calls: RunCalls | None = None,
    agents_week: str | None = None,
    store_path: str | os.PathLike | None = None,
    week_scenario: str | os.PathLike | None = None,
) -> CapacityRun:
    """Plan every scenario (none: the built-in baseline), in order. `run_calls(work, calls)`
    (`planner.jobs.engines.ordered`) plans them on an engine, one scenario per call, with the
    same results as here; the plans' progress lines are then not shown. `agents_week`: the
    first scenario's week handed to the weekly run (see `plan_scenario`)."""
    chosen = list(scenarios) or [None]
    store_text = None if store_path is None else str(store_path)
    if run_calls is not None and len(chosen) > 1:
        calls = [
            (
                s,
                weeks,
                first_week,
                quantile_pct,
                agents_week if k == 0 else None,
                store_text,
                week_scenario if k == 0 else None,
            )
            for k, s in enumerate(chosen)
        ]
        return CapacityRun(tuple(run_calls(_plan_call, calls)))
    plans = [
        plan_scenario(
            s,
            weeks=weeks,
            first_week=first_week,
            quantile_pct=quantile_pct,
            log=log,
            agents_week=agents_week if k == 0 else None,
            store_path=store_text,
            week_scenario=week_scenario if k == 0 else None,
        )
        for k, s in enumerate(chosen)
    ]
    return CapacityRun(tuple(plans))


def _plan_call(
    scenario: str | os.PathLike | None,
    weeks: int | None,
    first_week: str | None,
    quantile_pct: float | None,
    agents_week: str | None = None,
    store_path: str | None = None,
    week_scenario: str | os.PathLike | None = None,
) -> CapacityPlan:
    """One scenario's plan where an engine runs it (positional arguments, picklable)."""
    return plan_scenario(
        scenario,
        weeks=weeks,
        first_week=first_week,
        quantile_pct=quantile_pct,
        agents_week=agents_week,
        store_path=store_path,
        week_scenario=week_scenario,
    )


def capacity_store(
    store_option: str | os.PathLike | None,
    no_store: bool,
    scenarios: Sequence[str | os.PathLike | None],
) -> Path | None:
    """The plan store of a `planner capacity` call: `--store`, else the first scenario's
    `[run] store`, else `out/planner.db` when it exists (a capacity plan never creates a store
    unless asked); None with `--no-store`. Its published rosters measure the inefficiency, and
    the plans are recorded in it."""
    if no_store:
        return None
    if store_option is not None:
        return Path(store.check_store(store_option))
    first = list(scenarios)[0] if scenarios else None
    own = pipeline.resolve_scenario(first).run.store
    path = Path(store.resolve_store_path(None, None, own))
    if own is not None or path.exists():
        return Path(store.check_store(path))
    return None


def record_plans(run: CapacityRun, store_path: str | os.PathLike) -> list[int]:
    """Record every plan of the run in the store (one transaction each), the last step."""
    ids = []
    for plan in run.plans:
        classes = [
            {
                "requisition": c.requisition,
                "training_start": c.training_start,
                "graduation": c.graduation,
                "open_by": c.open_by,
                "needed_week": c.needed_week,
                "full_time": dict(c.sizes).get("full-time", 0),
                "part_time": dict(c.sizes).get("part-time", 0),
            }
            for c in plan.plan.classes
        ]
        ids.append(
            store.record_capacity(
                store_path,
                plan.summary(),
                render.weekly_frame(plan),
                classes,
                exit_code=int(ExitCode.TARGETS_NOT_MET if plan.short else ExitCode.OK),
            )
        )
    return ids


def write_outputs(
    run: CapacityRun,
    output: str,
    fmt: str,
    plot: str | None = None,
    xlsx: str | None = None,
    agents_week: str | None = None,
    agents_out: str | None = None,
) -> None:
    """The weekly table (one scenario) or the side-by-side summary and all weeks (several) to
    `output`; the PNG of the first scenario; the workbook; the agents file of `agents_week`."""
    plans = list(run.plans)
    agents = None
    if agents_week is not None:  # computed before anything is written (bad week: no output)
        if agents_out is None:
            raise InputError("{agents_week} needs {agents_out} PATH", "agents_week", "agents_out")
        agents = capacity.expected_agents(plans[0], agents_week)
    if fmt == "table":
        text = ""
        for p in plans:
            text += render.summary_text(p) + "\n"
            view = render.weekly_frame(p)[list(render.TEXT_COLUMNS)]
            text += _table(view, f"{p.scenario}: week by week (all terms: the csv format)")
        if len(plans) > 1:
            text += _table(render.comparison_frame(plans), "scenarios side by side")
        io.write_text(output, text)
    elif len(plans) == 1:
        emit_frame(render.weekly_frame(plans[0]), output, fmt)
    else:
        frame = pd.concat([render.weekly_frame(p, with_scenario=True) for p in plans])
        emit_frame(frame.reset_index(drop=True), output, fmt)
    if plot:
        render.plot_capacity(plans[0], plot)
    if xlsx:
        render.write_workbook(plans, xlsx)
    if agents is not None and agents_out is not None:
        io.write_text(agents_out, io.frame_to_csv(agents))


def _table(frame: pd.DataFrame, title: str) -> str:
    return render_table(frame, title, max_rows=len(frame) + 1)
