"""`planner intraday` and the store: the published plan that covers a day, read back; the
intraday reforecast and its actions, recorded (tables `intraday_runs`, `intraday_forecast`,
`intraday_actions`, schema version 3)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner import __version__
from planner.store.runs import stored_shifts
from planner.store.schema import StoreInputError, connected, insert_row, write_transaction


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
        raise StoreInputError(
            f"{path}: no plan store there (give {{plan_dir}} or {{store_path}})",
            "plan_dir",
            "store_path",
        )
    day_text = day.isoformat()
    with connected(path, create=True) as conn:  # an older store is migrated, as a run would
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
        shifts = stored_shifts(conn, run_id)
    forecast["timestamp"] = pd.to_datetime(forecast["timestamp"])
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


INTRADAY_HEADER = (
    "factor",
    "factor_lower",
    "factor_upper",
    "weight_on_actuals",
    "level_pct",
    "actual_so_far",
    "rest",
    "rest_lower",
    "rest_upper",
    "sl_expected_before_pct",
    "sl_expected_after_pct",
    "sl_simulated_before_pct",
    "sl_simulated_after_pct",
    "short_agent_hours",
)
INTRADAY_ACTION_COLUMNS = (
    "rank",
    "kind",
    "agent",
    "what",
    "paid_hours",
    "cost",
    "sl_before_pct",
    "sl_after_pct",
)


def record_intraday(
    path: str | os.PathLike,
    run_id: int | None,
    day: dt.date,
    now: pd.Timestamp,
    exit_code: int,
    header: dict,
    forecast: pd.DataFrame,
    actions: pd.DataFrame,
) -> int:
    """Record one `planner intraday` run: its numbers (`INTRADAY_HEADER` keys of `header`),
    the rest of the day's reforecast (`timestamp, calls, lower, upper`; with tomorrow's carried
    plan after it when `planner intraday --tomorrow` gave one) and the ranked actions
    (`INTRADAY_ACTION_COLUMNS`), in one transaction; returns its intraday_id."""
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    names = ("run_id", "day", "now", "created_utc", "planner_version", "exit_code",
             *INTRADAY_HEADER)  # fmt: skip
    values = (run_id, day.isoformat(), f"{now:%Y-%m-%dT%H:%M:%S}", created, __version__,
              int(exit_code), *(_number(header.get(k)) for k in INTRADAY_HEADER))  # fmt: skip
    with connected(path, create=True) as conn, write_transaction(conn):
        intraday_id = insert_row(conn, "intraday_runs", names, values)
        conn.executemany(
            "INSERT INTO intraday_forecast VALUES (?, ?, ?, ?, ?)",
            [
                (intraday_id, f"{t:%Y-%m-%dT%H:%M:%S}", float(c), float(lo), float(hi))
                for t, c, lo, hi in zip(
                    pd.to_datetime(forecast["timestamp"]), forecast["calls"],
                    forecast["lower"], forecast["upper"], strict=True,
                )
            ],
        )  # fmt: skip
        conn.executemany(
            f"INSERT INTO intraday_actions (intraday_id, {', '.join(INTRADAY_ACTION_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in range(len(INTRADAY_ACTION_COLUMNS) + 1))})",
            [
                (intraday_id, *(_number(row[c]) if c not in ("kind", "agent", "what")
                                else str(row[c]) for c in INTRADAY_ACTION_COLUMNS))
                for row in actions.to_dict("records")
            ],
        )  # fmt: skip
    return intraday_id


def _number(value):
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def recorded_intraday(
    conn: sqlite3.Connection, first_day: dt.date, last_day: dt.date, scenario: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The `planner intraday` runs recorded for days `first_day` .. `last_day` against a
    published run (of `scenario` when given), the last one per (run, day, now) when cron ran
    the same time twice: (runs: `intraday_id, run_id, day, now, scenario, interval_min,
    level_pct, rest, rest_lower, rest_upper`; their reforecast rows: `intraday_id, timestamp,
    calls, lower, upper`, the rest of the day and any carried tomorrow)."""
    sql = (
        "SELECT i.intraday_id, i.run_id, i.day, i.now, r.scenario, r.interval_min, "
        "i.level_pct, i.rest, i.rest_lower, i.rest_upper FROM intraday_runs i "
        "JOIN runs r ON r.run_id = i.run_id WHERE i.day BETWEEN ? AND ? AND i.intraday_id = "
        "(SELECT MAX(j.intraday_id) FROM intraday_runs j WHERE j.run_id = i.run_id "
        "AND j.day = i.day AND j.now = i.now)"
    )
    params: list = [first_day.isoformat(), last_day.isoformat()]
    if scenario is not None:
        sql += " AND r.scenario = ?"
        params.append(scenario)
    runs = pd.read_sql_query(sql + " ORDER BY i.day, i.now, i.intraday_id", conn, params=params)
    ids = runs["intraday_id"].astype(int).tolist()
    marks = ", ".join("?" for _ in ids) or "NULL"
    rows = pd.read_sql_query(
        "SELECT intraday_id, timestamp, calls, lower, upper FROM intraday_forecast "
        f"WHERE intraday_id IN ({marks}) ORDER BY intraday_id, timestamp",
        conn,
        params=ids,
    )
    return runs, rows
