"""`planner capacity` from files: scenarios in, the plan's table, chart, workbook and the
agents file of a planned week out (every file written atomically, after all plans are made)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from planner import capacity, io, pipeline
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
) -> CapacityPlan:
    """Load a scenario (None: the built-in baseline), its history and agents, and plan it.
    Command-line values override the scenario's `[capacity]` keys of the same meaning."""
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
    return capacity.capacity_plan(sc, hist, workforce, cfg, first=first, log=log)


def run_capacity(
    scenarios: Sequence[str | os.PathLike | None],
    *,
    weeks: int | None = None,
    first_week: str | None = None,
    quantile_pct: float | None = None,
    log: Log = lambda _m: None,
    run_calls: RunCalls | None = None,
) -> CapacityRun:
    """Plan every scenario (none: the built-in baseline), in order. `run_calls(work, calls)`
    (`planner.jobs.engines.ordered`) plans them on an engine, one scenario per call, with the
    same results as here; the plans' progress lines are then not shown."""
    chosen = list(scenarios) or [None]
    if run_calls is not None and len(chosen) > 1:
        calls = [(s, weeks, first_week, quantile_pct) for s in chosen]
        return CapacityRun(tuple(run_calls(_plan_call, calls)))
    plans = [
        plan_scenario(s, weeks=weeks, first_week=first_week, quantile_pct=quantile_pct, log=log)
        for s in chosen
    ]
    return CapacityRun(tuple(plans))


def _plan_call(
    scenario: str | os.PathLike | None,
    weeks: int | None,
    first_week: str | None,
    quantile_pct: float | None,
) -> CapacityPlan:
    """One scenario's plan where an engine runs it (positional arguments, picklable)."""
    return plan_scenario(scenario, weeks=weeks, first_week=first_week, quantile_pct=quantile_pct)


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
