"""What a week carries over from the weeks published before it, read from the plan store the
weekly run records into: last week's roster (rest between weeks, days in a row) and the
overtime worked earlier in the month and year (the Labour Code's caps). `planner run` and
`planner compare` both read it here, so a compared scenario plans the roster the run would."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd

from planner import store
from planner.scenario import Scenario, week_label


def carried_store(
    scenario: Scenario, out_dir: str | os.PathLike, store_option: str | os.PathLike | None
) -> Path:
    """The store a week of `scenario` published into `out_dir` records into: `store_option`
    (`--store`), else the scenario's `[run] store`, else `planner.db` beside `out_dir`."""
    return store.resolve_store_path(store_option, out_dir, scenario.run.store)


def last_week_roster(
    scenario: Scenario,
    week_start: dt.date,
    out_dir: str | os.PathLike,
    store_option: str | os.PathLike | None = None,
) -> pd.DataFrame | None:
    """Last week's published roster of `scenario` (None when there is none), from its store,
    else from last week's directory beside `out_dir` in the default layout (`out/<week>`),
    should the store not know that week. Never anything but the week actually published
    (`planner.store.previous_roster`)."""
    last = pd.Timestamp(week_start).date() - dt.timedelta(days=7)
    beside = Path(out_dir).parent / week_label(last)
    path = carried_store(scenario, out_dir, store_option)
    return store.previous_roster(path, scenario.name, week_start, directories=[beside])


def overtime_before(
    scenario: Scenario,
    week_start: dt.date,
    out_dir: str | os.PathLike,
    store_option: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """The overtime of `scenario`'s published weeks earlier in the week's year (`agent, start,
    overtime_hours`), for the month's and year's caps (`planner.store.overtime_worked`)."""
    path = carried_store(scenario, out_dir, store_option)
    return store.overtime_worked(path, scenario.name, week_start)
