"""The weekly run and scenario comparison: history -> forecast -> adjustments -> staffing ->
schedule (-> simulation), for one scenario and one week.

- `plan_week(scenario, week=..., start=...)` computes a `WeekPlan` (frames and KPIs), nothing
  written.
- `run_week(...)` is what cron calls: it takes a lock next to the output directory, plans, and
  publishes every output file at once (built in a temporary sibling directory, then renamed).
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

from planner.pipeline.compare import Comparison, common_start, compare
from planner.pipeline.kpis import Kpis
from planner.pipeline.plan import (
    Log,
    WeekPlan,
    history_path,
    load_history,
    plan_week,
    resolve_scenario,
    resolve_start,
    with_time_limit,
)
from planner.pipeline.publish import (
    OUTPUT_FILES,
    SIM_FILE,
    default_out_dir,
    output_lock,
    publish_directory,
    run_week,
    write_plan,
)
from planner.report.summary_json import SUMMARY_VERSION, summary_dict
from planner.report.tables import COMPARE_METRICS, SIM_METRIC, comparison_view
from planner.report.text import run_report, shortfall_line

__all__ = [
    "COMPARE_METRICS",
    "OUTPUT_FILES",
    "SIM_FILE",
    "SIM_METRIC",
    "SUMMARY_VERSION",
    "Comparison",
    "Kpis",
    "Log",
    "WeekPlan",
    "common_start",
    "compare",
    "comparison_view",
    "default_out_dir",
    "history_path",
    "load_history",
    "output_lock",
    "plan_week",
    "publish_directory",
    "resolve_scenario",
    "resolve_start",
    "run_report",
    "run_week",
    "shortfall_line",
    "summary_dict",
    "with_time_limit",
    "write_plan",
]
