"""The accuracy report: actuals from the history, the stored runs they cover, and WAPE, bias,
bounds coverage and service delivered by week, days ahead, day type and time of day."""

from __future__ import annotations

import datetime as dt
import math
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner import calendar, io, store
from planner.accuracy.intraday import BY_TIME_COLUMNS, INTRADAY_COLUMNS, intraday_tables
from planner.errors import InputError
from planner.history import BUNDLED_HISTORY, local_timestamps, read_history

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
    if str(path) == "-":  # read twice below: spool stdin once
        import sys
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            spooled = Path(tmp) / "stdin"
            spooled.write_text(sys.stdin.read(), encoding="utf-8")
            return read_actuals(spooled)

    history = read_history(path)
    rows = io.read_timestamped_rows(
        path,
        "history file",
        {"calls": io.Number()},
        optional={col: io.Number(allow_empty=True) for col in SL_COLUMNS},
        unique=False,  # read_history has refused repeated rows; clock-change ones are summed
        parse_stamps=local_timestamps,  # the local times read_history gives the rows
    )
    present = [c for c in SL_COLUMNS if c in rows.frame.columns]
    extra = None
    if present:
        extra = pd.DataFrame({"timestamp": rows.frame["timestamp"]})
        if history.interval_min is None:
            extra["timestamp"] = extra["timestamp"].dt.normalize()
        calls = rows.frame["calls"].to_numpy(dtype=float)
        for col in present:
            values = rows.frame[col].to_numpy(dtype=float)
            if col == "service_level":  # a share of the row's calls, 0..1 or percent
                scale = 100.0 if np.nanmax(np.append(values, 0.0)) > 1.0 else 1.0
                col, values = "answered_within_target", values / scale * calls
                if "answered_within_target" in present:
                    continue
            extra[col] = values
        extra = extra.groupby("timestamp", sort=True, as_index=False).sum(min_count=1)
    return actuals_from_history(history, extra)


# --- the runs to score ----------------------------------------------------------------------


def covered_runs(
    conn: sqlite3.Connection,
    actuals: Actuals,
    scenario: str | None,
    before: dt.date | None = None,
    weeks: int | None = None,
) -> pd.DataFrame:
    """The published runs (of `scenario`, before `before`, the last `weeks`) whose forecast
    days the actuals cover."""
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
    names = np.array(dates.day_name(), dtype=object)
    code = None if country in (None, "", "none") else country
    if code is not None and len(dates):
        names[calendar.is_holiday(dates, code)] = "holiday"
    return names


def scored_days(conn, runs: pd.DataFrame, actuals: Actuals) -> pd.DataFrame:
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


def accuracy_scores(frame: pd.DataFrame) -> dict:
    """WAPE, bias and bound coverage of scored rows (`calls`, `lower`, `upper`, `actual`)."""
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
    `day_type`, `time_of_day`, `overall` (one row: every scored day and interval), the
    scored `days` (run, date, forecast, bounds, actual) for the chart, and the recorded
    intraday reforecasts (`planner.accuracy.intraday`): `intraday` (one row per intraday run)
    and `intraday_by_time` (per time of the reforecast)."""

    weeks: pd.DataFrame
    horizon: pd.DataFrame
    day_type: pd.DataFrame
    time_of_day: pd.DataFrame
    overall: pd.DataFrame
    days: pd.DataFrame
    notes: tuple[str, ...] = field(default_factory=tuple)
    intraday: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(INTRADAY_COLUMNS))
    )
    intraday_by_time: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(BY_TIME_COLUMNS))
    )

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "overall": self.overall,
            "weeks": self.weeks,
            "horizon": self.horizon,
            "day_type": self.day_type,
            "time_of_day": self.time_of_day,
            "intraday_by_time": self.intraday_by_time,
            "intraday": self.intraday,
        }


def _grouped(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=[key, "days"])
    rows = []
    for value, group in frame.groupby(key, sort=True):
        rows.append({key: value, "count": len(group), **accuracy_scores(group)})
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


def build_report(
    conn,
    actuals: Actuals,
    runs: pd.DataFrame,
    intraday: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> AccuracyReport:
    """Score `runs` (rows of the runs table) against `actuals`; `intraday`: the scored
    intraday runs and their per-time table (`intraday.intraday_tables`), if any."""
    days = scored_days(conn, runs, actuals)
    cells = _scored_intervals(conn, runs, actuals)
    kpis = store.read_table(conn, "kpis", runs["run_id"].tolist()) if len(runs) else pd.DataFrame()
    weeks = []
    for run in runs.itertuples():
        d = days[days["run_id"] == run.run_id]
        c = cells[cells["run_id"] == run.run_id] if len(cells) else cells
        day_scores, cell_scores = accuracy_scores(d), accuracy_scores(c) if len(c) else {}
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
        s = accuracy_scores(days)
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
        s = accuracy_scores(cells)
        overall.update(
            {"wape_interval_pct": s["wape_pct"], "intervals_in_bounds_pct": s["in_bounds_pct"]}
        )
    notes = []
    per_run, by_time = intraday if intraday is not None else (None, None)
    if runs.empty and (per_run is None or per_run.empty):
        notes.append("no stored week is covered by the history yet")
    elif len(cells) == 0 and len(runs):
        notes.append("the history has no intervals on the forecasts' grid: daily scores only")
    extra = {} if per_run is None else {"intraday": per_run, "intraday_by_time": by_time}
    return AccuracyReport(
        weeks_frame,
        horizon,
        day_type,
        time_of_day,
        pd.DataFrame([overall]),
        days,
        tuple(notes),
        **extra,
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
        raise InputError(f"{weeks}: expected a whole number of weeks >= 1", "weeks")
    if history is None:
        history = io.bundled_path(BUNDLED_HISTORY)
    actuals = read_actuals(history)
    grid = None
    if actuals.interval_min is not None:
        grid = actuals.on_grid(actuals.interval_min)["calls"]
    with store.connected(store_path) as conn:
        runs = covered_runs(conn, actuals, scenario, weeks=weeks)
        intraday = intraday_tables(
            conn, grid, actuals.interval_min, actuals.first_day, actuals.last_day,
            scenario=scenario, weeks=weeks,
        )  # fmt: skip
        return build_report(conn, actuals, runs, intraday)
