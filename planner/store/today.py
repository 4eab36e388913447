"""Reading back the published plan that covers one day (for `planner intraday`)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.store.schema import StoreInputError, connected


@dataclass(frozen=True)
class DayPlan:
    """The published run covering a day: its forecast (all of the week's intervals, with
    bounds and AHT), the day's daily forecast row (or None), the week's shifts (Roster CSV
    frame), the run's bound level (%), interval (min) and shrinkage (%)."""

    run_id: int
    scenario: str
    week_start: dt.date
    forecast: pd.DataFrame
    daily: tuple[float, float, float] | None
    shifts: pd.DataFrame
    level_pct: float | None
    interval_min: int | None
    shrinkage_pct: float | None


def published_plan_for_day(
    path: str | os.PathLike, day: dt.date, scenario: str | None = None
) -> DayPlan:
    """The published run whose week holds `day` (of `scenario` when given); a store without
    one is refused naming the day (exit 2)."""
    path = Path(path)
    if not path.exists():
        raise StoreInputError(f"{path}: no plan store there (give --plan-dir or --store)")
    day_text = day.isoformat()
    with connected(path) as conn:
        sql = (
            "SELECT run_id, scenario, week_start, level_pct, interval_min, shrinkage_pct "
            "FROM runs WHERE published = 1 AND week_start <= ? AND date(week_start, '+6 day') >= ?"
        )
        params: list = [day_text, day_text]
        if scenario is not None:
            sql += " AND scenario = ?"
            params.append(scenario)
        found = conn.execute(sql + " ORDER BY run_id DESC", params).fetchall()
        if not found:
            who = f" of scenario {scenario!r}" if scenario else ""
            raise StoreInputError(f"{path}: no published plan{who} covers {day_text}")
        run_id, name, week_start, level, interval, shrinkage = found[0]
        forecast = pd.read_sql_query(
            "SELECT timestamp, SUM(calls) AS calls, SUM(lower) AS lower, SUM(upper) AS upper, "
            "SUM(calls * aht) / NULLIF(SUM(calls), 0) AS aht FROM forecast WHERE run_id = ? "
            "GROUP BY timestamp ORDER BY timestamp",
            conn,
            params=(run_id,),
        )
        daily_row = conn.execute(
            "SELECT SUM(calls), SUM(lower), SUM(upper) FROM forecast_daily "
            "WHERE run_id = ? AND date = ?",
            (run_id, day_text),
        ).fetchone()
        shifts = pd.read_sql_query(
            'SELECT agent, start, "end", breaks, paid_hours FROM shifts WHERE run_id = ? '
            "ORDER BY rowid",
            conn,
            params=(run_id,),
        )
    forecast["timestamp"] = pd.to_datetime(forecast["timestamp"])
    shifts["start"] = pd.to_datetime(shifts["start"])
    shifts["end"] = pd.to_datetime(shifts["end"])
    shifts["breaks"] = shifts["breaks"].fillna("")
    daily = None
    if daily_row is not None and daily_row[0] is not None and daily_row[1] is not None:
        daily = (float(daily_row[0]), float(daily_row[1]), float(daily_row[2]))
    return DayPlan(
        int(run_id),
        str(name),
        dt.date.fromisoformat(str(week_start)),
        forecast,
        daily,
        shifts,
        None if level is None else float(level),
        None if interval is None else int(interval),
        None if shrinkage is None else float(shrinkage),
    )
