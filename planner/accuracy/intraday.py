"""The intraday reforecasts `planner intraday` recorded, scored against what happened.

For every recorded intraday run whose day the actuals cover (the last one per plan, day and
time when cron ran the same time twice), the rest of the day from its "now" is scored twice on
the same intervals: the reforecast (`intraday_forecast`) and the morning plan it updated (the
published run's `forecast`). Rest-of-day interval WAPE = sum |forecast - actual| / sum actual
over the intervals from now to midnight; `change_pct` is the reforecast's WAPE relative to the
plan's (- = better). Also: whether the actual rest-of-day total fell inside the reforecast's
bounds (`rest_lower`, `rest_upper`, at the recorded level) and the share of intervals inside
the interval bounds. A carried tomorrow (`planner intraday --tomorrow`) is scored on its
daily total against tomorrow's published plan, when the actuals cover tomorrow too.

Per intraday run (`intraday`) and per time of the reforecast (`intraday_by_time`: the WAPE
over every scored day at that time, so a 10:00 run and a 12:00 run are never mixed).
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from planner import store

INTRADAY_COLUMNS = (
    "day",
    "now",
    "scenario",
    "run_id",
    "intraday_id",
    "intervals",
    "actual_rest",
    "plan_rest",
    "reforecast_rest",
    "wape_plan_pct",
    "wape_reforecast_pct",
    "change_pct",
    "rest_in_bounds",
    "intervals_in_bounds_pct",
    "tomorrow_actual",
    "tomorrow_plan",
    "tomorrow_carried",
)
BY_TIME_COLUMNS = (
    "now",
    "runs",
    "actual_rest",
    "wape_plan_pct",
    "wape_reforecast_pct",
    "change_pct",
    "rest_in_bounds_pct",
    "intervals_in_bounds_pct",
    "tomorrow_days",
    "tomorrow_wape_plan_pct",
    "tomorrow_wape_carried_pct",
)


def _pct(num: float, den: float) -> float | None:
    return None if den <= 0 else round(100.0 * num / den, 2)


def _change(new: float | None, old: float | None) -> float | None:
    return None if new is None or not old else round(100.0 * (new - old) / old, 2)


def scored_intraday(
    conn: sqlite3.Connection,
    grid: pd.Series,
    interval_min: int,
    last_day: pd.Timestamp,
    first_day: pd.Timestamp,
    scenario: str | None = None,
) -> pd.DataFrame:
    """One row per recorded intraday run (`INTRADAY_COLUMNS`) whose day the actuals cover:
    `grid` is the actual calls per timestamp at `interval_min` minutes (the history summed
    onto it); runs of plans at an interval the history cannot be summed onto are left out."""
    runs, rows = store.recorded_intraday(conn, first_day.date(), last_day.date(), scenario)
    if runs.empty:
        return pd.DataFrame(columns=list(INTRADAY_COLUMNS))
    rows["timestamp"] = pd.to_datetime(rows["timestamp"])
    plan = store.read_table(conn, "forecast", sorted(set(runs["run_id"].astype(int))))
    plan["timestamp"] = pd.to_datetime(plan["timestamp"])
    plan = plan.groupby(["run_id", "timestamp"])["calls"].sum()
    by_id = dict(list(rows.groupby("intraday_id")))
    out = []
    for run in runs.itertuples():
        minutes = run.interval_min
        if minutes is None or pd.isna(minutes) or int(minutes) % int(interval_min):
            continue
        day = pd.Timestamp(run.day)
        now = pd.Timestamp(run.now)
        mine = by_id.get(run.intraday_id)
        if mine is None:
            continue
        step = f"{int(minutes)}min"
        actual = (
            grid.groupby(grid.index.floor(step)).sum() if int(minutes) != interval_min else grid
        )
        today = mine[mine["timestamp"].dt.normalize() == day]
        today = today[today["timestamp"] >= now]
        if today.empty:
            continue
        stamps = pd.DatetimeIndex(today["timestamp"])
        a = actual.reindex(stamps).fillna(0.0).to_numpy(float)
        f = today["calls"].to_numpy(float)
        p = plan.reindex(pd.MultiIndex.from_arrays([[run.run_id] * len(stamps), stamps]))
        p = p.fillna(0.0).to_numpy(float)
        inside = (today["lower"].to_numpy(float) - 1e-9 <= a) & (
            a <= today["upper"].to_numpy(float) + 1e-9
        )
        open_ = (f > 0) | (a > 0)
        total = float(a.sum())
        row = {
            "day": run.day,
            "now": f"{now:%H:%M}",
            "scenario": run.scenario,
            "run_id": int(run.run_id),
            "intraday_id": int(run.intraday_id),
            "intervals": len(stamps),
            "actual_rest": round(total, 1),
            "plan_rest": round(float(p.sum()), 1),
            "reforecast_rest": round(float(f.sum()), 1),
            "wape_plan_pct": _pct(float(np.abs(p - a).sum()), total),
            "wape_reforecast_pct": _pct(float(np.abs(f - a).sum()), total),
            "rest_in_bounds": bool(run.rest_lower - 1e-9 <= total <= run.rest_upper + 1e-9)
            if pd.notna(run.rest_lower) and pd.notna(run.rest_upper)
            else None,
            "intervals_in_bounds_pct": _pct(float((inside & open_).sum()), float(open_.sum())),
            "_err_plan": float(np.abs(p - a).sum()),
            "_err_reforecast": float(np.abs(f - a).sum()),
            "_inside": float((inside & open_).sum()),
            "_open": float(open_.sum()),
        }
        row["change_pct"] = _change(row["wape_reforecast_pct"], row["wape_plan_pct"])
        row.update(_tomorrow(mine, day, actual, plan, int(run.run_id), last_day))
        out.append(row)
    if not out:
        return pd.DataFrame(columns=list(INTRADAY_COLUMNS))
    return pd.DataFrame(out)


def _tomorrow(mine, day, actual, plan, run_id: int, last_day) -> dict:
    """Tomorrow's carried daily total (rows of the next day in the reforecast) and the plan's,
    against tomorrow's actual calls, when the actuals cover tomorrow."""
    nxt = day + pd.Timedelta(days=1)
    rows = mine[mine["timestamp"].dt.normalize() == nxt]
    if rows.empty or nxt > last_day:
        return {"tomorrow_actual": None, "tomorrow_plan": None, "tomorrow_carried": None}
    stamps = pd.DatetimeIndex(rows["timestamp"])
    planned = plan.reindex(pd.MultiIndex.from_arrays([[run_id] * len(stamps), stamps]))
    day_actual = actual[(actual.index >= nxt) & (actual.index < nxt + pd.Timedelta(days=1))]
    return {
        "tomorrow_actual": round(float(day_actual.sum()), 1),
        "tomorrow_plan": None if planned.isna().all() else round(float(planned.sum()), 1),
        "tomorrow_carried": round(float(rows["calls"].sum()), 1),
    }


def intraday_by_time(scored: pd.DataFrame) -> pd.DataFrame:
    """The scored intraday runs summed per time of the reforecast (`BY_TIME_COLUMNS`)."""
    if scored.empty:
        return pd.DataFrame(columns=list(BY_TIME_COLUMNS))
    out = []
    for now, group in scored.groupby("now", sort=True):
        total = float(group["actual_rest"].sum())
        plan = _pct(float(group["_err_plan"].sum()), total)
        refc = _pct(float(group["_err_reforecast"].sum()), total)
        bounded = group["rest_in_bounds"].dropna()
        row = {
            "now": now,
            "runs": len(group),
            "actual_rest": round(total, 1),
            "wape_plan_pct": plan,
            "wape_reforecast_pct": refc,
            "change_pct": _change(refc, plan),
            "rest_in_bounds_pct": _pct(float(bounded.astype(bool).sum()), float(len(bounded))),
            "intervals_in_bounds_pct": _pct(
                float(group["_inside"].sum()), float(group["_open"].sum())
            ),  # fmt: skip
        }
        t = group.dropna(subset=["tomorrow_actual", "tomorrow_plan"])
        actual = float(t["tomorrow_actual"].sum()) if len(t) else 0.0
        row["tomorrow_days"] = len(t)
        row["tomorrow_wape_plan_pct"] = _pct(
            float((t["tomorrow_plan"] - t["tomorrow_actual"]).abs().sum()) if len(t) else 0.0,
            actual,
        )
        row["tomorrow_wape_carried_pct"] = _pct(
            float((t["tomorrow_carried"] - t["tomorrow_actual"]).abs().sum()) if len(t) else 0.0,
            actual,
        )
        out.append(row)
    return pd.DataFrame(out, columns=list(BY_TIME_COLUMNS))


def intraday_tables(
    conn: sqlite3.Connection,
    grid: pd.Series | None,
    interval_min: int | None,
    first_day: pd.Timestamp,
    last_day: pd.Timestamp,
    scenario: str | None = None,
    weeks: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per intraday run, per time of the reforecast): the two intraday tables of the report;
    empty without an interval history. `weeks`: only the days of the last N ISO weeks scored."""
    if grid is None or interval_min is None:
        empty = pd.DataFrame(columns=list(INTRADAY_COLUMNS))
        return empty, pd.DataFrame(columns=list(BY_TIME_COLUMNS))
    scored = scored_intraday(conn, grid, interval_min, last_day, first_day, scenario)
    if weeks is not None and len(scored):
        monday = pd.to_datetime(scored["day"]) - pd.to_timedelta(
            pd.to_datetime(scored["day"]).dt.dayofweek, unit="D"
        )
        keep = sorted(monday.unique())[-int(weeks) :]
        scored = scored[monday.isin(keep).to_numpy()].reset_index(drop=True)
    by_time = intraday_by_time(scored)
    per_run = scored[list(INTRADAY_COLUMNS)] if len(scored) else scored
    return per_run.reset_index(drop=True), by_time
