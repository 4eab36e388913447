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

Drift (`drift_check`): over the last `DRIFT_WEEKS` stored weeks before the run, the days inside
the bounds are compared with the bounds' level; when that share is below what the level allows
(binomial, one-sided 2.5%) and the realised WAPE is above the expected one, the forecast has
drifted: `planner run` says so on stderr, even under `--quiet`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner import io, store
from planner.errors import InputError, PlannerError

DRIFT_WEEKS = 4
DRIFT_ALPHA = 0.025
SL_COLUMNS = ("answered_within_target", "service_level", "abandoned")


# --- actuals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actuals:
    """What happened: `frame` with `timestamp` and `calls` summed over queues (+ the optional
    `answered_within_target`, `abandoned` counts), `interval_min` (None: daily history)."""

    frame: pd.DataFrame
    interval_min: int | None
    first_day: pd.Timestamp
    last_day: pd.Timestamp
    source: str

    def daily(self) -> pd.DataFrame:
        day = self.frame["timestamp"].dt.normalize().rename("date")
        return self.frame.drop(columns="timestamp").groupby(day).sum(min_count=1)

    def on_grid(self, interval_min: int) -> pd.DataFrame:
        """Calls per interval of `interval_min` minutes (the history summed onto it)."""
        stamps = self.frame["timestamp"].dt.floor(f"{int(interval_min)}min").rename("timestamp")
        return self.frame[["calls"]].groupby(stamps).sum()


def actuals_from_history(history, extra: pd.DataFrame | None = None) -> Actuals:
    """Actuals from a `planner.history.History` (and optional SL columns per timestamp)."""
    frame = history.frame[["timestamp", "calls"]]
    frame = frame.groupby("timestamp", sort=True, as_index=False)["calls"].sum()
    if extra is not None and len(extra.columns) > 1:
        frame = frame.merge(extra, on="timestamp", how="left")
    return Actuals(
        frame, history.interval_min, history.first_day(), history.last_day(), history.source
    )


def read_actuals(path: str | os.PathLike) -> Actuals:
    """Read a History CSV (`-` = stdin) as actuals, with its optional service-level columns."""
    from planner.history import read_history

    if str(path) == "-":  # read twice below: spool stdin once
        import sys
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            spooled = Path(tmp) / "stdin"
            spooled.write_text(sys.stdin.read(), encoding="utf-8")
            return read_actuals(spooled)

    history = read_history(path)
    rows = io.read_csv_rows(path, ["timestamp", "calls"], what="history file")
    present = [c for c in SL_COLUMNS if c in rows.columns]
    extra = None
    if present:
        extra = pd.DataFrame({"timestamp": io.parse_timestamps(rows, "timestamp", path)})
        if history.interval_min is None:
            extra["timestamp"] = extra["timestamp"].dt.normalize()
        calls = io.parse_numbers(rows, "calls", path, minimum=0).to_numpy(dtype=float)
        for col in present:
            values = io.parse_numbers(rows, col, path, minimum=0, allow_empty=True)
            values = values.to_numpy(dtype=float)
            if col == "service_level":  # a share of the row's calls, 0..1 or percent
                scale = 100.0 if np.nanmax(np.append(values, 0.0)) > 1.0 else 1.0
                col, values = "answered_within_target", values / scale * calls
                if "answered_within_target" in present:
                    continue
            extra[col] = values
        extra = extra.groupby("timestamp", sort=True, as_index=False).sum(min_count=1)
    return actuals_from_history(history, extra)


# --- the runs to score ----------------------------------------------------------------------


def _covered_runs(
    conn: sqlite3.Connection,
    actuals: Actuals,
    scenario: str | None,
    before: dt.date | None = None,
    weeks: int | None = None,
) -> pd.DataFrame:
    sql = "SELECT * FROM runs WHERE published = 1"
    params: list = []
    if scenario is not None:
        sql += " AND scenario = ?"
        params.append(scenario)
    if before is not None:
        sql += " AND week_start < ?"
        params.append(before.isoformat())
    runs = pd.read_sql_query(sql + " ORDER BY week_start, scenario", conn, params=params)
    start = pd.to_datetime(runs["week_start"])
    covered = (start >= actuals.first_day) & (start + pd.Timedelta(days=6) <= actuals.last_day)
    runs = runs[covered.to_numpy()].reset_index(drop=True)
    if weeks is not None and len(runs):
        keep = sorted(runs["week_start"].unique())[-int(weeks) :]
        runs = runs[runs["week_start"].isin(keep)].reset_index(drop=True)
    return runs


def _day_type(dates: pd.DatetimeIndex, country: str | None) -> np.ndarray:
    from planner import calendar

    names = np.array(dates.day_name(), dtype=object)
    code = None if country in (None, "", "none") else country
    if code is not None and len(dates):
        names[calendar.is_holiday(dates, code)] = "holiday"
    return names


def _scored_days(conn, runs: pd.DataFrame, actuals: Actuals) -> pd.DataFrame:
    """One row per run and day: forecast, bounds, actual, days ahead, day type."""
    if runs.empty:
        return pd.DataFrame()
    rows = store.read_table(conn, "forecast_daily", runs["run_id"].tolist())
    rows["date"] = pd.to_datetime(rows["date"])
    days = rows.groupby(["run_id", "date"], as_index=False)[["calls", "lower", "upper"]].sum()
    actual = actuals.daily()
    days["actual"] = actual["calls"].reindex(days["date"]).fillna(0.0).to_numpy()
    for col in ("answered_within_target", "abandoned"):
        if col in actual.columns:
            days[col] = actual[col].reindex(days["date"]).to_numpy()
    info = runs.set_index("run_id")
    days = days.join(
        info[["scenario", "week", "level_pct", "history_last_day", "country"]], "run_id"
    )
    days["days_ahead"] = (days["date"] - pd.to_datetime(days["history_last_day"])).dt.days
    days["day_type"] = ""
    for country, group in days.groupby(days["country"].fillna("none")):
        when = pd.DatetimeIndex(group["date"])
        days.loc[group.index, "day_type"] = _day_type(when, country)
    return days


def _scored_intervals(conn, runs: pd.DataFrame, actuals: Actuals) -> pd.DataFrame:
    if runs.empty or actuals.interval_min is None:
        return pd.DataFrame()
    rows = store.read_table(conn, "forecast", runs["run_id"].tolist())
    rows["timestamp"] = pd.to_datetime(rows["timestamp"])
    cells = rows.groupby(["run_id", "timestamp"], as_index=False)[["calls", "lower", "upper"]]
    cells = cells.sum()
    cells["actual"] = np.nan
    for minutes, group in runs.groupby("interval_min"):
        if int(minutes) % int(actuals.interval_min):
            continue  # the history is coarser than the forecast: no interval score
        grid = actuals.on_grid(int(minutes))["calls"]
        mask = cells["run_id"].isin(group["run_id"])
        stamps = cells.loc[mask, "timestamp"]
        cells.loc[mask, "actual"] = grid.reindex(stamps).fillna(0.0).to_numpy()
    return cells.dropna(subset=["actual"])


# --- the measures ---------------------------------------------------------------------------


def _pct(num: float, den: float) -> float | None:
    return None if den <= 0 else round(100.0 * num / den, 2)


def _scores(frame: pd.DataFrame) -> dict:
    f, a = frame["calls"].to_numpy(float), frame["actual"].to_numpy(float)
    open_ = (f > 0) | (a > 0)
    inside = (frame["lower"].to_numpy(float) - 1e-9 <= a) & (
        a <= frame["upper"].to_numpy(float) + 1e-9
    )
    return {
        "actual_calls": round(float(a.sum()), 1),
        "forecast_calls": round(float(f.sum()), 1),
        "wape_pct": _pct(float(np.abs(f - a).sum()), float(a.sum())),
        "bias_pct": _pct(float((f - a).sum()), float(a.sum())),
        "in_bounds_pct": _pct(float((inside & open_).sum()), float(open_.sum())),
    }


def expected_wape_pct(days: pd.DataFrame) -> float | None:
    """The daily WAPE the bounds imply (see the module docstring), percent."""
    from scipy.special import ndtri

    f = days["calls"].to_numpy(float)
    lo, hi = days["lower"].to_numpy(float), days["upper"].to_numpy(float)
    level = days["level_pct"].to_numpy(float)
    z = ndtri(0.5 + level / 200.0)
    ok = (f > 0) & (lo > 0) & (hi > lo)
    if not ok.any() or f.sum() <= 0:
        return None
    spread = np.log(hi[ok] / lo[ok]) / (2.0 * z[ok])
    return _pct(float((f[ok] * spread * math.sqrt(2.0 / math.pi)).sum()), float(f.sum()))


def _service(days: pd.DataFrame, kpis: pd.DataFrame) -> dict:
    out: dict = {}
    k = kpis.set_index("name")["value"]
    out["planned_sl_pct"] = _r(k.get("service_level_pct"))
    out["planned_abandon_pct"] = _r(k.get("abandon_pct"))
    calls = float(days["actual"].sum())
    if "answered_within_target" in days.columns and days["answered_within_target"].notna().any():
        out["actual_sl_pct"] = _pct(float(days["answered_within_target"].sum()), calls)
    if "abandoned" in days.columns and days["abandoned"].notna().any():
        out["actual_abandon_pct"] = _pct(float(days["abandoned"].sum()), calls)
    return out


def _r(value, digits: int = 2):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


@dataclass(frozen=True)
class AccuracyReport:
    """Tables of the report: `weeks` (one row per scored run), `horizon` (by days ahead),
    `day_type`, `time_of_day`, `overall` (one row: every scored day and interval), and the
    scored `days` (run, date, forecast, bounds, actual) for the chart."""

    weeks: pd.DataFrame
    horizon: pd.DataFrame
    day_type: pd.DataFrame
    time_of_day: pd.DataFrame
    overall: pd.DataFrame
    days: pd.DataFrame
    notes: tuple[str, ...] = field(default_factory=tuple)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "overall": self.overall,
            "weeks": self.weeks,
            "horizon": self.horizon,
            "day_type": self.day_type,
            "time_of_day": self.time_of_day,
        }


def _grouped(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=[key, "days"])
    rows = []
    for value, group in frame.groupby(key, sort=True):
        rows.append({key: value, "count": len(group), **_scores(group)})
    return pd.DataFrame(rows)


WEEK_COLUMNS = (
    "week",
    "scenario",
    "revision",
    "run_id",
    "model",
    "actual_calls",
    "forecast_calls",
    "wape_daily_pct",
    "bias_pct",
    "wape_interval_pct",
    "expected_wape_pct",
    "days_in_bounds_pct",
    "intervals_in_bounds_pct",
    "level_pct",
    "planned_sl_pct",
    "planned_abandon_pct",
)
WEEKDAY_ORDER = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "holiday",
)


def build_report(conn, actuals: Actuals, runs: pd.DataFrame) -> AccuracyReport:
    """Score `runs` (rows of the runs table) against `actuals`."""
    days = _scored_days(conn, runs, actuals)
    cells = _scored_intervals(conn, runs, actuals)
    kpis = store.read_table(conn, "kpis", runs["run_id"].tolist()) if len(runs) else pd.DataFrame()
    weeks = []
    for run in runs.itertuples():
        d = days[days["run_id"] == run.run_id]
        c = cells[cells["run_id"] == run.run_id] if len(cells) else cells
        day_scores, cell_scores = _scores(d), _scores(c) if len(c) else {}
        row = {
            "week": run.week,
            "scenario": run.scenario,
            "revision": int(run.revision),
            "run_id": int(run.run_id),
            "model": run.forecast_model,
            "actual_calls": day_scores["actual_calls"],
            "forecast_calls": day_scores["forecast_calls"],
            "wape_daily_pct": day_scores["wape_pct"],
            "bias_pct": day_scores["bias_pct"],
            "wape_interval_pct": cell_scores.get("wape_pct"),
            "expected_wape_pct": expected_wape_pct(d),
            "days_in_bounds_pct": day_scores["in_bounds_pct"],
            "intervals_in_bounds_pct": cell_scores.get("in_bounds_pct"),
            "level_pct": _r(run.level_pct, 1),
        }
        row.update(_service(d, kpis[kpis["run_id"] == run.run_id]))
        weeks.append(row)
    weeks_frame = pd.DataFrame(weeks) if weeks else pd.DataFrame(columns=list(WEEK_COLUMNS))
    horizon = _grouped(days, "days_ahead").rename(columns={"count": "days"})
    day_type = _grouped(days, "day_type").rename(columns={"count": "days"})
    if len(day_type):
        order = {name: i for i, name in enumerate(WEEKDAY_ORDER)}
        day_type = day_type.sort_values("day_type", key=lambda s: s.map(order)).reset_index(
            drop=True
        )
    if len(cells):
        cells = cells.assign(time=cells["timestamp"].dt.strftime("%H:%M"))
    time_of_day = _grouped(cells, "time").rename(columns={"count": "intervals"})
    overall: dict[str, float | int | None] = {"weeks": len(runs)}
    if len(days):
        s = _scores(days)
        overall.update(
            {
                "days": len(days),
                "actual_calls": s["actual_calls"],
                "wape_daily_pct": s["wape_pct"],
                "bias_pct": s["bias_pct"],
                "expected_wape_pct": expected_wape_pct(days),
                "days_in_bounds_pct": s["in_bounds_pct"],
            }
        )
    if len(cells):
        s = _scores(cells)
        overall.update(
            {"wape_interval_pct": s["wape_pct"], "intervals_in_bounds_pct": s["in_bounds_pct"]}
        )
    notes = []
    if runs.empty:
        notes.append("no stored week is covered by the history yet")
    elif len(cells) == 0:
        notes.append("the history has no intervals on the forecasts' grid: daily scores only")
    return AccuracyReport(
        weeks_frame, horizon, day_type, time_of_day, pd.DataFrame([overall]), days, tuple(notes)
    )


def accuracy_report(
    store_path: str | os.PathLike,
    history: str | os.PathLike | None = None,
    scenario: str | None = None,
    weeks: int | None = None,
) -> AccuracyReport:
    """`planner accuracy`: the report for the store's published runs covered by `history`
    (a History CSV; default the bundled one), optionally one scenario and the last `weeks`."""
    if weeks is not None and int(weeks) < 1:
        raise InputError(f"--weeks {weeks}: expected a whole number of weeks >= 1")
    if history is None:
        from planner.history import BUNDLED_HISTORY

        history = io.bundled_path(BUNDLED_HISTORY)
    actuals = read_actuals(history)
    with store.connected(store_path) as conn:
        runs = _covered_runs(conn, actuals, scenario, weeks=weeks)
        return build_report(conn, actuals, runs)


# --- drift ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """The last weeks' realised accuracy against the bounds' promise (percent)."""

    weeks: tuple[str, ...]
    days: int
    realised_wape_pct: float | None
    expected_wape_pct: float | None
    days_in_bounds_pct: float | None
    level_pct: float
    p_value: float
    drifted: bool

    def as_dict(self) -> dict:
        return {
            "weeks": list(self.weeks),
            "days": self.days,
            "realised_wape_pct": self.realised_wape_pct,
            "expected_wape_pct": self.expected_wape_pct,
            "days_in_bounds_pct": self.days_in_bounds_pct,
            "level_pct": self.level_pct,
            "p_value": round(self.p_value, 4),
            "drifted": self.drifted,
        }

    def message(self) -> str:
        return (
            f"forecast drift: over {len(self.weeks)} stored weeks ({self.weeks[0]}..{self.weeks[-1]}) "
            f"daily WAPE {self.realised_wape_pct:.1f}% vs {self.expected_wape_pct:.1f}% expected, "
            f"{self.days_in_bounds_pct:.0f}% of days inside the {self.level_pct:g}% bounds; "
            "check the history for a change (new service, outage, tariff) or add events"
        )


def drift_from_days(days: pd.DataFrame, weeks: tuple[str, ...]) -> Drift | None:
    """Drift figures of scored days (see the module docstring); None without open days."""
    from scipy.special import bdtr

    if days.empty:
        return None
    f, a = days["calls"].to_numpy(float), days["actual"].to_numpy(float)
    open_ = (f > 0) | (a > 0)
    n = int(open_.sum())
    if n == 0:
        return None
    inside = (days["lower"].to_numpy(float) - 1e-9 <= a) & (
        a <= days["upper"].to_numpy(float) + 1e-9
    )
    k = int((inside & open_).sum())
    level = float(days["level_pct"].iloc[-1])
    p = float(bdtr(k, n, level / 100.0))  # P(at most k of n inside) if the bounds hold
    s = _scores(days)
    expected = expected_wape_pct(days)
    worse = s["wape_pct"] is not None and expected is not None and s["wape_pct"] > expected
    return Drift(
        weeks,
        n,
        s["wape_pct"],
        expected,
        s["in_bounds_pct"],
        level,
        p,
        bool(p < DRIFT_ALPHA and worse),
    )


def drift_check(
    store_path: str | os.PathLike | None, plan, weeks: int = DRIFT_WEEKS
) -> Drift | None:
    """Drift of `plan`'s scenario over its last `weeks` stored weeks that `plan.history`
    covers (None: no store, or nothing to compare yet)."""
    if store_path is None or not Path(store_path).exists():
        return None
    actuals = actuals_from_history(plan.history)
    with store.connected(store_path) as conn:
        runs = _covered_runs(conn, actuals, plan.scenario.name, before=plan.start, weeks=weeks)
        if runs.empty:
            return None
        days = _scored_days(conn, runs, actuals)
    return drift_from_days(days, tuple(runs["week"]))


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
        return store.previous_roster(path, scenario.name, week_start)

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


# --- output ---------------------------------------------------------------------------------


def report_json(report: AccuracyReport) -> str:
    """Every table of the report as one JSON object (records), plus the notes."""
    import json

    doc = {
        name: json.loads(io.frame_to_json(frame)) if len(frame) else []
        for name, frame in report.tables().items()
    }
    doc["overall"] = doc["overall"][0] if doc["overall"] else {}
    keep = ["week", "scenario", "date", "days_ahead", "day_type", "calls", "lower", "upper"]
    if len(report.days):
        days = report.days[[*keep, "actual"]].rename(columns={"calls": "forecast"})
        doc["days"] = json.loads(io.frame_to_json(days.sort_values(["date", "scenario"])))
    else:
        doc["days"] = []
    doc["notes"] = list(report.notes)
    return io.to_json(doc)


def report_text(report: AccuracyReport) -> str:
    """The tables for a person (percent figures; WAPE and bias against actual calls)."""
    from planner import report as render

    titles = {
        "overall": "All scored weeks",
        "weeks": "Per week (daily and interval WAPE, bias, bounds, service level)",
        "horizon": "By days ahead (days after the history's last day)",
        "day_type": "By day type",
        "time_of_day": "By time of day (interval WAPE)",
    }
    text = ""
    for name, frame in report.tables().items():
        if len(frame) and len(frame.columns) > 1:
            text += render.render_table(frame, titles[name], max_rows=200)
    for note in report.notes:
        text += f"note: {note}\n"
    return text


def plot_accuracy(report: AccuracyReport, path: str | os.PathLike) -> None:
    """PNG: daily forecast with its bounds against actual calls over the scored weeks (top),
    weekly daily WAPE against the bounds' expected WAPE (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), dpi=100)
    days = report.days.sort_values(["date", "run_id"]) if len(report.days) else report.days
    if len(days):
        top.fill_between(
            days["date"], days["lower"], days["upper"], color="#9ecae1", label="bounds"
        )
        top.plot(days["date"], days["calls"], color="#3182bd", lw=1.2, label="forecast")
        top.plot(days["date"], days["actual"], color="#222222", lw=1.0, label="actual")
        top.legend(loc="upper left", fontsize=8)
    top.set_ylabel("calls per day")
    top.set_title("Stored forecasts against actual calls")
    weeks = report.weeks
    if len(weeks):
        x = np.arange(len(weeks))
        bottom.bar(x, weeks["wape_daily_pct"].astype(float), color="#3182bd", label="daily WAPE")
        expected = weeks["expected_wape_pct"].astype(float)
        bottom.plot(x, expected, "o-", color="#e6550d", label="expected (bounds)")
        step = max(1, len(weeks) // 13)
        bottom.set_xticks(x[::step], weeks["week"].iloc[::step], rotation=45, fontsize=7)
        bottom.legend(loc="upper left", fontsize=8)
    bottom.set_ylabel("WAPE %")
    fig.tight_layout()
    with io.atomic_path(path) as tmp:  # same bytes for the same report: no metadata
        fig.savefig(tmp, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
