"""`planner capacity` and the store: a capacity plan recorded (tables `capacity_plans`,
`capacity_weeks`, `capacity_classes`, schema version 4), plans listed back, and the published
weekly rosters read for the plan's measured scheduling inefficiency."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from planner import __version__
from planner.store.schema import (
    EmptyStoreError,
    check_file,
    connected,
    insert_row,
    write_transaction,
)

# the numbers of a plan's weekly table, in `capacity_weeks` (after `week`, `start`)
WEEK_COLUMNS = (
    "calls_p10", "calls_p50", "calls_p90", "aht_s", "phone_hours", "shrinkage_pct",
    "staff_hours", "inefficiency", "required_fte", "required_fte_p50", "required_fte_p90",
    "tenured_fte", "ramping_fte", "ramping_eff_fte", "trainees_fte", "attrition_fte", "hires",
    "graduates", "overtime_h", "temps", "effective_fte", "gap_fte", "shortfall_h", "p_short",
    "cost_vnd",
)  # fmt: skip
# the summary's numbers kept as columns of `capacity_plans` (the whole summary is in
# `summary_json`)
PLAN_COLUMNS = (
    "forecast_model", "solver_status", "gap_pct", "inefficiency", "inefficiency_source",
    "inefficiency_detail", "hires", "classes", "overtime_h", "temp_weeks", "shortfall_h",
    "worst_gap_fte", "worst_week", "weeks_p_short_over_20pct", "cost_vnd", "cost_p50_vnd",
    "cost_p80_vnd", "cost_p90_vnd",
)  # fmt: skip
CLASS_COLUMNS = (
    "requisition", "training_start", "graduation", "open_by", "needed_week", "full_time",
    "part_time",
)  # fmt: skip


def record_capacity(
    path: str | os.PathLike,
    summary: Mapping[str, Any],
    weeks: pd.DataFrame,
    classes: Sequence[Mapping[str, object]],
    exit_code: int,
    scenario_sha256: str | None = None,
) -> int:
    """Record one capacity plan in one transaction: `summary` (the plan's summary dict: its
    `scenario`, `from`, `weeks`, `quantile_pct` and `PLAN_COLUMNS` keys), the weekly table
    (`week`, `start` and `WEEK_COLUMNS`) and the classes (`CLASS_COLUMNS` keys each); returns
    its capacity_id. The store is created (or migrated) when needed."""
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = ("scenario", "scenario_sha256", "first_week", "weeks", "quantile_pct", "created_utc",
            "planner_version", "exit_code", *PLAN_COLUMNS, "summary_json")  # fmt: skip
    values = (
        str(summary["scenario"]), scenario_sha256, str(summary["from"]), int(summary["weeks"]),
        float(summary["quantile_pct"]), created, __version__, int(exit_code),
        *(_value(summary.get(k)) for k in PLAN_COLUMNS),
        json.dumps(dict(summary), sort_keys=True, default=str),
    )  # fmt: skip
    week_rows = [
        (str(r["week"]), str(r["start"]), *(_value(r[c]) for c in WEEK_COLUMNS))
        for r in weeks.to_dict("records")
    ]
    class_rows = [
        (k + 1, *(_value(c[name]) for name in CLASS_COLUMNS)) for k, c in enumerate(classes)
    ]
    with connected(path, create=True) as conn, write_transaction(conn):
        capacity_id = insert_row(conn, "capacity_plans", head, values)
        marks = ", ".join("?" for _ in range(len(WEEK_COLUMNS) + 3))
        conn.executemany(
            f"INSERT INTO capacity_weeks (capacity_id, week, start, {', '.join(WEEK_COLUMNS)}) "
            f"VALUES ({marks})",
            [(capacity_id, *row) for row in week_rows],
        )
        marks = ", ".join("?" for _ in range(len(CLASS_COLUMNS) + 2))
        conn.executemany(
            f"INSERT INTO capacity_classes (capacity_id, number, {', '.join(CLASS_COLUMNS)}) "
            f"VALUES ({marks})",
            [(capacity_id, *row) for row in class_rows],
        )
    return capacity_id


def list_capacity_plans(path: str | os.PathLike, scenario: str | None = None) -> pd.DataFrame:
    """The recorded capacity plans, oldest first (`capacity_id`, `scenario`, `first_week`,
    `weeks`, `created_utc`, `exit_code` and `PLAN_COLUMNS`)."""
    where, params = "", []
    if scenario is not None:
        where, params = "WHERE scenario = ?", [scenario]
    columns = ("capacity_id", "scenario", "first_week", "weeks", "quantile_pct", "created_utc",
               "exit_code", *PLAN_COLUMNS)  # fmt: skip
    with connected(path) as conn:
        return pd.read_sql_query(
            f"SELECT {', '.join(columns)} FROM capacity_plans {where} ORDER BY capacity_id",
            conn,
            params=params,
        )


def read_capacity_weeks(path: str | os.PathLike, capacity_id: int) -> pd.DataFrame:
    """One recorded plan's weekly table (`week`, `start`, `WEEK_COLUMNS`)."""
    with connected(path) as conn:
        return pd.read_sql_query(
            f"SELECT week, start, {', '.join(WEEK_COLUMNS)} FROM capacity_weeks "
            "WHERE capacity_id = ? ORDER BY start",
            conn,
            params=[capacity_id],
        )


def published_rosters(path: str | os.PathLike, runs: int = 8) -> pd.DataFrame:
    """The latest `runs` published weekly runs that have a roster: one row per run and agent
    (`run_id`, `week`, `agent`, `paid_hours` of the week, the run's `required_staff_hours` and
    `shortfall_staff_hours`). Empty when there is no store there or no such run yet (nothing
    is created)."""
    columns = ["run_id", "week", "agent", "paid_hours", "required_staff_hours",
               "shortfall_staff_hours"]  # fmt: skip
    if not check_file(Path(path)):
        return pd.DataFrame(columns=columns)
    sql = """
        SELECT r.run_id, r.week, s.agent, SUM(s.paid_hours) AS paid_hours,
               (SELECT value FROM kpis WHERE run_id = r.run_id
                   AND name = 'required_staff_hours') AS required_staff_hours,
               COALESCE((SELECT value FROM kpis WHERE run_id = r.run_id
                   AND name = 'shortfall_staff_hours'), 0) AS shortfall_staff_hours
        FROM runs r JOIN shifts s ON s.run_id = r.run_id
        WHERE r.run_id IN (
            SELECT run_id FROM runs WHERE published = 1
                AND EXISTS (SELECT 1 FROM shifts WHERE shifts.run_id = runs.run_id)
            ORDER BY week_start DESC, run_id DESC LIMIT ?)
        GROUP BY r.run_id, s.agent
        ORDER BY r.run_id, s.agent"""
    try:
        with connected(path) as conn:
            frame = pd.read_sql_query(sql, conn, params=[int(runs)])
    except EmptyStoreError:
        return pd.DataFrame(columns=columns)
    frame = frame.dropna(subset=["required_staff_hours"])
    return frame[columns].reset_index(drop=True)


def _value(value):
    """A cell for SQLite: numbers as float/int, dates and text as text, missing as NULL."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return None if number != number else number
