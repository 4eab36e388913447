"""The plan store: every published weekly run kept in one SQLite file, nothing overwritten.

Why the standard library's `sqlite3`: the store is one file beside the outputs that cron,
`sqlite3` and pandas read without a server or another dependency; SQLite gives transactions,
WAL concurrency and a page-level integrity check. (SQLAlchemy Core would add a dependency for a
PostgreSQL reach the project does not need; the SQL here is plain and portable.)

A store is recognised by `PRAGMA application_id` = 0x504C4E52 ("PLNR") and versioned by
`PRAGMA user_version` (the schema version); `MIGRATIONS` bring an older store up to date on
open, inside one transaction. Tables (timestamps are ISO text `YYYY-MM-DDTHH:MM:SS`, local):

- `runs`: one row per recorded run: `run_id`, `scenario`, `scenario_sha256`, `week` (label),
  `week_start` (date), `revision` (1, 2, ... per scenario and week), `published` (1 for the
  revision in force), `created_utc`, `planner_version`, `exit_code`, `solver`,
  `solver_status`, `gap_pct`, `objective`, `bound`, `forecast_model`, `level_pct`,
  `interval_min`, `history_last_day`, `country`, `shrinkage_pct`, `out_dir`, `summary_json`.
- `inputs(run_id, role, name, sha256)`; `kpis(run_id, name, value)` (numbers only).
- `forecast(run_id, timestamp, queue, calls, lower, upper, aht)` per interval and
  `forecast_daily(run_id, date, queue, calls, lower, upper)` per day, bounds at `level_pct`.
- `requirements(run_id, timestamp, queue, calls, aht, agents, staff, service_level)`.
- `shifts(run_id, agent, start, end, breaks, paid_hours)` (the Roster CSV) and
  `coverage(run_id, timestamp, required, scheduled, shortfall)`.
- `publications(run_id, directory, fingerprint, state)` (schema 2): where a run was published
  (absolute path) and a sha256 of its roster.csv and summary.json; `state` is `pending` from
  before the swap of the week directory, `confirmed` after it, `abandoned` when the directory
  showed that the swap never happened. Publishing and recording thus agree: the week in force
  is judged by its directory (`in_force`), so the next week never continues anything but the
  week actually published.
- schema 3 adds `planner intraday`'s tables: `intraday_runs` (one row per intraday run: the
  published run it updated, day, now, busyness factor, rest-of-day total and bounds, service
  level before and after, exit code), `intraday_forecast(intraday_id, timestamp, calls, lower,
  upper)` and `intraday_actions(intraday_id, rank, kind, agent, what, paid_hours, cost,
  sl_before_pct, sl_after_pct)`.
- schema 4 adds `planner capacity`'s tables: `capacity_plans` (one row per recorded plan: scenario,
  first week, weeks, quantile, exit code, solver, the measured inefficiency and its source,
  hires, overtime, temps, shortfall, worst gap, cost at P50/P80/P90, the summary as JSON),
  `capacity_weeks(capacity_id, week, start, ...)` (every term of the weekly table) and
  `capacity_classes(capacity_id, number, requisition, training_start, graduation, open_by,
  needed_week, full_time, part_time)`.
- schema 5 adds `shifts.overtime_hours` (the Roster CSV's; 0 for shifts recorded before it):
  `overtime_worked` reads a scenario's published overtime earlier in a week's year, so a
  week is held to what the month's and year's caps leave.

Faults: an empty (zero-byte) file is a new store (a first run that failed on a full disk
leaves one); a file that is not a planner store, or one of a newer schema, is refused with one line
(exit 2); a corrupt or unreadable store is one line (exit 1). A run is written in a single
`BEGIN IMMEDIATE` transaction, so a process killed at any moment leaves the store as it was;
concurrent writers wait up to `BUSY_TIMEOUT_S` for each other (WAL mode), then are refused.

The package: `schema` (the tables, migrations, opening and checking a store file), `runs`
(recording a run, reading runs back) and `today` (the published plan covering a day, and
recording intraday runs and reading them back) and `capacity` (recording a capacity plan, reading published
rosters for its measured inefficiency).
"""

from planner.store.capacity import (
    list_capacity_plans,
    published_rosters,
    read_capacity_weeks,
    record_capacity,
)
from planner.store.runs import (
    FINGERPRINT_FILES,
    HISTORY_COLUMNS,
    RunRecord,
    confirm_run,
    fingerprint,
    in_force,
    list_runs,
    overtime_worked,
    previous_roster,
    published_run_id,
    read_table,
    record_pending,
    record_run,
)
from planner.store.schema import (
    APPLICATION_ID,
    BUSY_TIMEOUT_S,
    DEFAULT_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    EmptyStoreError,
    StoreError,
    StoreInputError,
    check_store,
    connected,
    default_store_path,
    open_store,
    resolve_store_path,
)
from planner.store.today import (
    DayPlan,
    published_plan_for_day,
    record_intraday,
    recorded_intraday,
)

__all__ = [
    "list_capacity_plans",
    "published_rosters",
    "read_capacity_weeks",
    "record_capacity",
    "DayPlan",
    "published_plan_for_day",
    "record_intraday",
    "recorded_intraday",
    "APPLICATION_ID",
    "BUSY_TIMEOUT_S",
    "DEFAULT_NAME",
    "FINGERPRINT_FILES",
    "HISTORY_COLUMNS",
    "RunRecord",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "EmptyStoreError",
    "StoreError",
    "StoreInputError",
    "check_store",
    "confirm_run",
    "connected",
    "default_store_path",
    "fingerprint",
    "in_force",
    "list_runs",
    "open_store",
    "overtime_worked",
    "previous_roster",
    "published_run_id",
    "read_table",
    "record_pending",
    "record_run",
    "resolve_store_path",
]
