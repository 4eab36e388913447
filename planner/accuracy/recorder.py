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
from planner.scenario import week_label

# --- the weekly run's hook ------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """A published run in the store: `run_id` and `revision` in `store_path`."""

    store_path: Path
    run_id: int
    revision: int


class RunRecorder:
    """The plan store's hook in `planner.pipeline.run_week`.

    `before_publish`: resolves the store (`--store`, else the scenario's `[run] store`, else
    beside the output directory), refuses a foreign, newer or corrupt one before anything is
    published, and runs the drift check; returns summary.json's `drift` key.
    `after_publish`: records the run in one transaction (`recorded`); a failure there leaves the
    files published and its one line says so."""

    def __init__(self, store_option: str | os.PathLike | None = None):
        self.store_option = store_option
        self.path: Path | None = None
        self.drift: Drift | None = None
        self.recorded: Recorded | None = None

    def previous_roster(self, scenario, week_start, out_dir) -> pd.DataFrame | None:
        """Last week's published roster of `scenario` (a Scenario) from the store this run
        records into, for `build_roster(..., previous=...)`; None when there is none."""
        scenario_store = getattr(scenario.run, "store", None)
        path = store.resolve_store_path(self.store_option, out_dir, scenario_store)
        # where last week sits in the default layout (`out/<week>`), should the store not know it
        last = pd.Timestamp(week_start).date() - dt.timedelta(days=7)
        beside = Path(out_dir).parent / week_label(last)
        return store.previous_roster(path, scenario.name, week_start, directories=[beside])

    def before_publish(self, plan, out_dir) -> dict:
        scenario_store = getattr(plan.scenario.run, "store", None)
        self.path = store.resolve_store_path(self.store_option, out_dir, scenario_store)
        store.check_store(self.path)
        self.drift = drift_check(self.path, plan)
        return {"drift": None if self.drift is None else self.drift.as_dict()}

    def after_publish(self, plan, out_dir) -> Recorded:
        path = self.path or store.resolve_store_path(self.store_option, out_dir)
        try:
            run_id = store.record_run(path, plan, out_dir, plan.exit_code)
            with store.connected(path) as conn:
                (revision,) = conn.execute(
                    "SELECT revision FROM runs WHERE run_id = ?", (run_id,)
                ).fetchone()
        except PlannerError as exc:
            raise type(exc)(
                f"{exc} (the week's files are published in {out_dir}/, the run is not recorded)"
            ) from None
        self.recorded = Recorded(path, run_id, int(revision))
        return self.recorded
