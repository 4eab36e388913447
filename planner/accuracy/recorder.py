"""The plan store's hook in the weekly run: check the store and the drift before publishing,
record the run after."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner import store
from planner.accuracy.drift import Drift, drift_check
from planner.errors import PlannerError

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
    `after_publish`: records the run in one transaction; a failure there leaves the files
    published and its one line says so."""

    def __init__(self, store_option: str | os.PathLike | None = None):
        self.store_option = store_option
        self.path: Path | None = None  # the store resolved by `before_publish`

    def previous_roster(self, scenario, week_start, out_dir) -> pd.DataFrame | None:
        """Last week's published roster of `scenario` (a Scenario) from the store this run
        records into, for `build_roster(..., previous=...)`; None when there is none."""
        scenario_store = getattr(scenario.run, "store", None)
        path = store.resolve_store_path(self.store_option, out_dir, scenario_store)
        return store.previous_roster(path, scenario.name, week_start)

    def before_publish(self, plan, out_dir) -> Drift | None:
        scenario_store = getattr(plan.scenario.run, "store", None)
        self.path = store.resolve_store_path(self.store_option, out_dir, scenario_store)
        store.check_store(self.path)
        return drift_check(self.path, plan)

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
        return Recorded(path, run_id, int(revision))
