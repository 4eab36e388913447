"""The plan store's hook in the weekly run: check the store and the drift before publishing,
record the run after."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner import store
from planner.accuracy.drift import Drift, drift_check
from planner.errors import PlannerError
from planner.pipeline import WeekPlan, carried_store, last_week_roster, overtime_before
from planner.scenario import Scenario
from planner.store import RunRecord


def run_record(plan: WeekPlan, exit_code: int | None = None) -> RunRecord:
    """What the store keeps of a published week (the one adapter from a plan to the store);
    `exit_code` defaults to the plan's."""
    sc, res, fc = plan.scenario, plan.schedule, plan.forecast
    scenario_sha = next((i["sha256"] for i in plan.inputs if i.get("role") == "scenario"), None)
    return RunRecord(
        scenario=sc.name,
        scenario_sha256=scenario_sha,
        week=plan.label,
        week_start=plan.start,
        exit_code=plan.exit_code if exit_code is None else int(exit_code),
        solver=res.solver,
        solver_status=str(res.status),
        gap_pct=100.0 * res.gap,
        objective=res.objective,
        bound=res.bound,
        forecast_model=fc.model,
        level_pct=fc.level,
        interval_min=int(res.interval_min),
        history_last_day=pd.Timestamp(fc.history_day).date(),
        country=sc.data.country,
        shrinkage_pct=sc.service.shrinkage_pct,
        inputs=tuple(plan.inputs),
        kpis=plan.kpis.as_dict(),
        forecast=fc.intervals,
        forecast_daily=fc.daily,
        requirements=plan.requirements,
        roster=res.roster,
        coverage=res.coverage,
    )


# --- the weekly run's hook ------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """A published run in the store: `run_id` and `revision` in `store_path`."""

    store_path: Path
    run_id: int
    revision: int


class RunRecorder:
    """The plan store's hook in the weekly run (`planner.jobs.StoreHook`).

    `before_publish`: resolves the store (the store option, else the scenario's `[run] store`,
    else beside the output directory), refuses a foreign, newer or corrupt one before anything
    is published, and runs the drift check; returns the drift (None: not enough stored weeks).
    `before_swap`: records the run `pending`, with a fingerprint of the files built, before
    they are swapped in; a store that cannot be written stops the run there, with last week's
    files in place. `after_publish`: confirms it after the swap; should that fail (a kill, a
    full or read-only store), the next run settles the pending run from the week directory."""

    def __init__(self, store_option: str | os.PathLike | None = None):
        self.store_option = store_option
        self.path: Path | None = None  # the store resolved by `before_publish`
        self.pending: int | None = None  # the run recorded by `before_swap`

    def previous_roster(
        self, scenario: Scenario, week_start: dt.date, out_dir: Path
    ) -> pd.DataFrame | None:
        """Last week's published roster of `scenario` from the store this run records into
        (`planner.pipeline.last_week_roster`, as `planner compare` reads it)."""
        return last_week_roster(scenario, week_start, out_dir, self.store_option)

    def overtime_worked(
        self, scenario: Scenario, week_start: dt.date, out_dir: Path
    ) -> pd.DataFrame:
        """The overtime of `scenario`'s published weeks earlier in the week's year, from the
        store this run records into (`planner.pipeline.overtime_before`)."""
        return overtime_before(scenario, week_start, out_dir, self.store_option)

    def _store(self, plan: WeekPlan, out_dir: Path) -> Path:
        """The store resolved by `before_publish`, else (a caller that skipped it) the one it
        would resolve."""
        return self.path or carried_store(plan.scenario, out_dir, self.store_option)

    def before_publish(self, plan: WeekPlan, out_dir: Path) -> Drift | None:
        self.path = carried_store(plan.scenario, out_dir, self.store_option)
        store.check_store(self.path)
        return drift_check(self.path, plan)

    def before_swap(self, plan: WeekPlan, out_dir: Path, built: Path) -> None:
        path = self._store(plan, out_dir)
        try:
            self.pending = store.record_pending(path, run_record(plan), out_dir, built)
        except PlannerError as exc:
            raise exc.prefixed(
                "the week is not published (last week's files are kept), the store failed"
            ) from None

    def after_publish(self, plan: WeekPlan, out_dir: Path) -> Recorded:
        path = self._store(plan, out_dir)
        try:
            if self.pending is None:  # a caller that published without `before_swap`
                run_id = store.record_run(path, run_record(plan), out_dir)
            else:
                run_id = self.pending
                store.confirm_run(path, run_id)
            with store.connected(path) as conn:
                (revision,) = conn.execute(
                    "SELECT revision FROM runs WHERE run_id = ?", (run_id,)
                ).fetchone()
        except PlannerError as exc:
            where = (
                "the run is not recorded"
                if self.pending is None
                else "the store holds the run as pending; the next run settles it from the files"
            )
            raise type(exc)(
                f"{exc} (the week's files are published in {out_dir}/, {where})"
            ) from None
        return Recorded(path, run_id, int(revision))
