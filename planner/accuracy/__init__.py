"""How good were the stored plans: forecasts against what happened, and the drift warning.

For every published run in the store whose whole week the history now covers, the forecast
(`forecast` and `forecast_daily` tables) is set against the actual calls:

- WAPE = sum |forecast - actual| / sum actual and bias = sum (forecast - actual) / sum actual
  (percent, + = forecast too high), over days (daily totals) and over intervals (the run's
  interval; the history is summed onto it). Queues are summed per timestamp.
- Share of actual open days / intervals inside the forecast's bounds (at the run's level).
- By days ahead (the day's distance from the history's last day when the run was made), by day
  type (Monday..Sunday, `holiday` for the run's country's public holidays) and by time of day.
- Expected WAPE: the daily WAPE the forecast's own bounds imply. Those bounds come from the
  model's backtest errors (log errors, conformal); read as a normal spread in logs,
  s = ln(upper / lower) / (2 z) and E|error| = forecast x s x sqrt(2 / pi).
- Where the history has `answered_within_target` (calls answered within the service-level
  target) or `service_level` (0..1 or percent), and `abandoned`: the service level and
  abandonment the centre delivered, beside what the plan expected.

Intraday (`intraday`): every reforecast `planner intraday` recorded in the store whose day the
history covers, scored on the rest of its day from its "now": the interval WAPE of the
reforecast against the morning plan's on the same intervals, whether the rest-of-day total fell
inside its bounds, and a carried tomorrow's daily error; per run and per time of the reforecast.

Drift (`drift_check`): over the last `DRIFT_WEEKS` stored weeks before the run, the days inside
the bounds are compared with the bounds' level; when that share is below what the level allows
(binomial, one-sided 2.5%) and the realised WAPE is above the expected one, the forecast has
drifted: `planner run` says so on stderr, even under `--quiet`.

The package: `scores` (actuals, the runs they cover, the report), `intraday` (the recorded
reforecasts' scores), `drift` (the warning),
`recorder` (the store's hook in `planner run`) and `output` (JSON, text, chart).
"""

from planner.accuracy.drift import DRIFT_ALPHA, DRIFT_WEEKS, Drift, drift_check, drift_from_days
from planner.accuracy.intraday import (
    BY_TIME_COLUMNS,
    INTRADAY_COLUMNS,
    intraday_by_time,
    intraday_tables,
)
from planner.accuracy.output import plot_accuracy, report_json, report_text
from planner.accuracy.recorder import Recorded, RunRecorder, run_record
from planner.accuracy.scores import (
    SL_COLUMNS,
    WEEK_COLUMNS,
    WEEKDAY_ORDER,
    AccuracyReport,
    Actuals,
    accuracy_report,
    actuals_from_history,
    build_report,
    expected_wape_pct,
    read_actuals,
)

__all__ = [
    "BY_TIME_COLUMNS",
    "INTRADAY_COLUMNS",
    "DRIFT_ALPHA",
    "DRIFT_WEEKS",
    "SL_COLUMNS",
    "WEEKDAY_ORDER",
    "WEEK_COLUMNS",
    "AccuracyReport",
    "Actuals",
    "Drift",
    "Recorded",
    "RunRecorder",
    "accuracy_report",
    "actuals_from_history",
    "build_report",
    "drift_check",
    "drift_from_days",
    "expected_wape_pct",
    "intraday_by_time",
    "intraday_tables",
    "plot_accuracy",
    "read_actuals",
    "report_json",
    "report_text",
    "run_record",
]
