"""Scenario files: every knob of a weekly run in one TOML file, validated on load.

A scenario states the data, the forecast settings, the service target, the roster rules
(`[shifts]`, `[labour]`, `[cost]`, validated by the function the caller passes, the schedule
stage's `rules_from_mapping`), dated
adjustments to the forecast and the run settings. A what-if says only what differs from another
file with `extends = "baseline.toml"` (relative to the file; tables are merged key by key, arrays
such as `[[adjustments]]` are replaced; a cycle is an error).

Every error names the file that set the value, the table, the key, the value and what is
allowed: ``scenarios/x.toml: [service] sl_pct = 800: expected a number in (0, 100)``.

Example (all keys optional; these are the defaults, i.e. `scenarios/baseline.toml`)::

    name = "baseline"
    description = "80/20 Erlang C, 30% shrinkage, 85% occupancy cap"

    [data]
    history = "bundled"          # or "bundled:hotline_by_type.csv", or a CSV path
                                 # (relative to this file)
    agents = "bundled:agents.csv"  # the bundled centre's agents (the default with a bundled
                                 # history); a CSV path, or "" = the roster sizes the
                                 # workforce (the default with a history of one's own)
    events = ""                  # optional events file (make-up days, storms, campaigns)
    temperature = ""             # optional daily temperature CSV (default with the bundled
                                 # history: "bundled:temperature.csv", as planner forecast)
    country = "VN"               # holidays country, or "none"
    timezone = "Asia/Ho_Chi_Minh"  # only for timestamps with a UTC offset (default: the country's)

    [forecast]
    model = "auto"               # auto, seasonal_naive, ets, regression or regression_level
    level = 80                   # prediction-interval level, percent
    plan_at = "point"            # staff the "point" forecast or its "upper" bound
    interval_min = 0             # 0 = the history's interval; else 15, 30 or 60

    [service]
    sl_pct = 80                  # answer sl_pct % of calls ...
    target_s = 20                # ... within target_s seconds (or set asa_s instead)
    model = "erlang-c"           # or "erlang-a" (with patience_s)
    max_occupancy_pct = 85
    shrinkage_pct = 30
    # aht_s = 300                # override the forecast's AHT; or [service.aht_by_queue]
    pooled = true                # per-queue forecasts: one pool of agents takes every queue

    [[adjustments]]              # none by default
    label = "heat wave"
    from = 2027-07-13            # a date (whole day) or a date-time
    to = 2027-07-16              # inclusive for a date, exclusive for a date-time
    volume_factor = 1.3          # calls (and bounds) times this
    # queue = "outage"           # only this queue (or a list); needs a per-queue history
    # aht_factor = 1.1 / aht_s = 420

    [run]
    solver = "cbc"               # or "highs"
    time_limit_s = 180           # seconds: a safety net, the search stops on its work limits
    # gap_pct = 1                # stop at a proven 1% gap (default: the scheduler's)
    simulate = false
    # week = "2027-W28"          # plan this ISO week (or start = 2027-07-12)
"""

from planner.scenario.adjust import apply_adjustments
from planner.scenario.load import (
    build_scenario,
    default_scenario,
    load_rules,
    load_scenario,
    sha256_file,
)
from planner.scenario.model import (
    ALL_TOP_KEYS,
    BASELINE_DESCRIPTION,
    BUNDLED,
    BUNDLED_AGENTS,
    FORECAST_MODELS,
    INTERVALS,
    MAX_EXTENDS,
    MAX_SCENARIO_BYTES,
    MAX_SHRINKAGE_PCT,
    MIN_OCCUPANCY_CAP_PCT,
    MIN_SHRINKAGE_PCT,
    PLAN_AT,
    RULE_TABLES,
    SERVICE_MODELS,
    SOLVERS,
    TOP_KEYS,
    Adjustment,
    DataConfig,
    ForecastConfig,
    IntradayConfig,
    RulesValidator,
    RunConfig,
    Scenario,
    ServiceConfig,
)
from planner.scenario.weeks import (
    FIRST_PLANNABLE,
    LAST_PLANNABLE,
    first_week_after,
    parse_start,
    parse_week,
    plannable,
    week_label,
)

__all__ = [
    "ALL_TOP_KEYS",
    "Adjustment",
    "BASELINE_DESCRIPTION",
    "BUNDLED",
    "BUNDLED_AGENTS",
    "DataConfig",
    "FIRST_PLANNABLE",
    "FORECAST_MODELS",
    "ForecastConfig",
    "IntradayConfig",
    "INTERVALS",
    "LAST_PLANNABLE",
    "MAX_EXTENDS",
    "MAX_SCENARIO_BYTES",
    "MAX_SHRINKAGE_PCT",
    "MIN_OCCUPANCY_CAP_PCT",
    "MIN_SHRINKAGE_PCT",
    "PLAN_AT",
    "RULE_TABLES",
    "RulesValidator",
    "RunConfig",
    "SERVICE_MODELS",
    "SOLVERS",
    "Scenario",
    "ServiceConfig",
    "TOP_KEYS",
    "apply_adjustments",
    "build_scenario",
    "default_scenario",
    "first_week_after",
    "load_rules",
    "load_scenario",
    "parse_start",
    "parse_week",
    "plannable",
    "sha256_file",
    "week_label",
]
