"""The weekly run and scenario comparison: history -> forecast -> adjustments -> staffing ->
schedule (-> simulation), for one scenario and one week.

- `plan_week(scenario, week=..., start=...)` computes a `WeekPlan` (frames and KPIs), nothing
  written (publishing it is `planner.jobs.run_week`, rendering it `planner.report`).
- `compare(paths, ...)` plans several scenarios on one common week and returns one row of KPIs
  per scenario with deltas to the first.

The planning week is 7 days from a Monday (or from `--start`). Which week: `--week`/`--start`
on the command line, else the scenario's `[run] week`/`start`, else the first full
Monday-Sunday week after the history ends. `compare` plans every scenario on the same week:
the command line's, else the first one pinned by a scenario in the order given, else the
default week of the first scenario.

Expected service level = what the queueing model (Erlang C or A, the scenario's) gives for the
point forecast (after adjustments) with the agents the roster puts on the phones in each
interval, less shrinkage: floor(on_phone * (1 - shrinkage)). Calls-weighted over the week.
"""

from planner.pipeline.carried import carried_store, last_week_roster, overtime_before
from planner.pipeline.compare import Comparison, common_start, compare
from planner.pipeline.kpis import COMPARE_KEYS, SIM_COMPARE_KEY, Kpis
from planner.pipeline.plan import (
    Log,
    WeekPlan,
    default_out_dir,
    history_path,
    load_history,
    plan_week,
    quiet_log,
    resolve_scenario,
    resolve_start,
    took,
    with_time_limit,
)

__all__ = [
    "COMPARE_KEYS",
    "SIM_COMPARE_KEY",
    "Comparison",
    "Kpis",
    "Log",
    "WeekPlan",
    "carried_store",
    "common_start",
    "compare",
    "default_out_dir",
    "history_path",
    "last_week_roster",
    "load_history",
    "overtime_before",
    "plan_week",
    "quiet_log",
    "resolve_scenario",
    "resolve_start",
    "took",
    "with_time_limit",
]
