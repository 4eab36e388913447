"""Recording a published run in the store and reading runs back."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner import __version__
from planner.store.schema import connected

# --- recording a run ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRecord:
    """One published week as the store keeps it: the `runs` row's figures and the frames of
    its tables (DESIGN.md's CSV contracts). Built from a week's plan by one adapter
    (`planner.accuracy.run_record`); the store never sees a plan."""

    scenario: str
    scenario_sha256: str | None
    week: str  # the label, 2027-W28
    week_start: dt.date
    exit_code: int
    solver: str | None
    solver_status: str
    gap_pct: float | None
    objective: float | None
    bound: float | None
    forecast_model: str
    level_pct: float | None
    interval_min: int
    history_last_day: dt.date
    country: str
    shrinkage_pct: float | None
    inputs: tuple[Mapping[str, str], ...]  # role, name, sha256
    kpis: Mapping[str, object]  # summary.json's kpis (numbers are stored)
    forecast: pd.DataFrame  # the Forecast CSV
    forecast_daily: pd.DataFrame  # date[,queue],calls,lower,upper
    requirements: pd.DataFrame  # the Requirements CSV
    roster: pd.DataFrame  # the Roster CSV
    coverage: pd.DataFrame  # the Coverage CSV


def _iso(values) -> list[str]:
    return [pd.Timestamp(v).strftime("%Y-%m-%dT%H:%M:%S") for v in values]


def _num(value):
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) or math.isinf(value) else value


def _col(frame: pd.DataFrame, name: str, default=None) -> list:
    if name not in frame.columns:
        return [default] * len(frame)
    return [_num(v) for v in frame[name].tolist()]


def _queues(frame: pd.DataFrame) -> list[str]:
    return [str(q) for q in frame["queue"]] if "queue" in frame.columns else [""] * len(frame)


def _insert_rows(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows) -> None:
    """One executemany per table (a separate function so fault tests can interrupt here)."""
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _run_row(record: RunRecord, out_dir) -> dict:
    return {
        "scenario": record.scenario,
        "scenario_sha256": record.scenario_sha256,
        "week": record.week,
        "week_start": record.week_start.isoformat(),
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "planner_version": __version__,
        "exit_code": int(record.exit_code),
        "solver": record.solver,
        "solver_status": record.solver_status,
        "gap_pct": _num(record.gap_pct),
        "objective": _num(record.objective),
        "bound": _num(record.bound),
        "forecast_model": record.forecast_model,
        "level_pct": _num(record.level_pct),
        "interval_min": int(record.interval_min),
        "history_last_day": pd.Timestamp(record.history_last_day).strftime("%Y-%m-%d"),
        "country": record.country,
        "shrinkage_pct": _num(record.shrinkage_pct),
        "out_dir": None if out_dir is None else str(Path(out_dir)),
    }


def record_run(
    store_path: str | os.PathLike,
    record: RunRecord,
    outputs_dir: str | os.PathLike | None,
    summary: dict | None = None,
) -> int:
    """Record a published week as the next revision of its scenario and week, marked
    published, in one transaction; returns its run_id.

    `summary`: summary.json's object (default: read from `outputs_dir/summary.json`)."""
    path = Path(store_path)
    if summary is None and outputs_dir is not None:
        summary_file = Path(outputs_dir) / "summary.json"
        if summary_file.exists():
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
    row = _run_row(record, outputs_dir)
    row["summary_json"] = None if summary is None else json.dumps(summary, sort_keys=True)
    with connected(path, create=True) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            run_id = _write_run(conn, record, row)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return run_id


def _write_run(conn: sqlite3.Connection, record: RunRecord, row: dict) -> int:
    (revision,) = conn.execute(
        "SELECT COALESCE(MAX(revision), 0) + 1 FROM runs WHERE scenario = ? AND week_start = ?",
        (row["scenario"], row["week_start"]),
    ).fetchone()
    conn.execute(
        "UPDATE runs SET published = 0 WHERE scenario = ? AND week_start = ? AND published = 1",
        (row["scenario"], row["week_start"]),
    )
    row = {**row, "revision": int(revision), "published": 1}
    names = list(row)
    cursor = conn.execute(
        f"INSERT INTO runs ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [row[n] for n in names],
    )
    assert cursor.lastrowid is not None  # an INSERT always sets it
    run_id = int(cursor.lastrowid)
    _insert_rows(
        conn,
        "inputs",
        ("run_id", "role", "name", "sha256"),
        [(run_id, i.get("role"), i.get("name"), i.get("sha256")) for i in record.inputs],
    )
    kpis = [(run_id, k, _num(v)) for k, v in sorted(record.kpis.items()) if _num(v) is not None]
    _insert_rows(conn, "kpis", ("run_id", "name", "value"), kpis)
    fc = record.forecast
    _insert_rows(
        conn,
        "forecast",
        ("run_id", "timestamp", "queue", "calls", "lower", "upper", "aht"),
        zip(
            [run_id] * len(fc),
            _iso(fc["timestamp"]),
            _queues(fc),
            _col(fc, "calls"),
            _col(fc, "lower"),
            _col(fc, "upper"),
            _col(fc, "aht"),
            strict=True,
        ),
    )
    daily = record.forecast_daily
    _insert_rows(
        conn,
        "forecast_daily",
        ("run_id", "date", "queue", "calls", "lower", "upper"),
        zip(
            [run_id] * len(daily),
            [pd.Timestamp(d).strftime("%Y-%m-%d") for d in daily["date"]],
            _queues(daily),
            _col(daily, "calls"),
            _col(daily, "lower"),
            _col(daily, "upper"),
            strict=True,
        ),
    )
    req = record.requirements
    _insert_rows(
        conn,
        "requirements",
        ("run_id", "timestamp", "queue", "calls", "aht", "agents", "staff", "service_level"),
        zip(
            [run_id] * len(req),
            _iso(req["timestamp"]),
            _queues(req),
            *(_col(req, c) for c in ("calls", "aht", "agents", "staff", "service_level")),
            strict=True,
        ),
    )
    roster = record.roster
    breaks = ["" if not isinstance(b, str) else b for b in roster["breaks"]]
    _insert_rows(
        conn,
        "shifts",
        ("run_id", "agent", "start", "end", "breaks", "paid_hours"),
        zip(
            [run_id] * len(roster),
            [str(a) for a in roster["agent"]],
            _iso(roster["start"]),
            _iso(roster["end"]),
            breaks,
            _col(roster, "paid_hours"),
            strict=True,
        ),
    )
    cov = record.coverage
    _insert_rows(
        conn,
        "coverage",
        ("run_id", "timestamp", "required", "scheduled", "shortfall"),
        zip(
            [run_id] * len(cov),
            _iso(cov["timestamp"]),
            *(_col(cov, c) for c in ("required", "scheduled", "shortfall")),
            strict=True,
        ),
    )
    return run_id


# --- reading --------------------------------------------------------------------------------


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def published_run_id(
    conn: sqlite3.Connection, scenario_name: str, week_start: dt.date | str
) -> int | None:
    """The run_id of the published revision of a scenario's week, or None."""
    found = conn.execute(
        "SELECT run_id FROM runs WHERE scenario = ? AND week_start = ? AND published = 1",
        (scenario_name, _as_date(week_start).isoformat()),
    ).fetchone()
    return None if found is None else int(found[0])


def previous_roster(
    store: str | os.PathLike | sqlite3.Connection | None,
    scenario_name: str,
    week_start: dt.date | str,
) -> pd.DataFrame | None:
    """Last week's published roster of `scenario_name`: the week starting 7 days before
    `week_start`, as the Roster CSV frame (`agent,start,end,breaks,paid_hours`, start/end as
    timestamps, like `planner.roster.read_roster`), or None when the store or that week has
    none. A missing store file is not created."""
    if store is None:
        return None
    if isinstance(store, sqlite3.Connection):
        return _previous(store, scenario_name, week_start)
    path = Path(store)
    if not path.exists():
        return None
    with connected(path) as conn:
        return _previous(conn, scenario_name, week_start)


def _previous(conn, scenario_name, week_start) -> pd.DataFrame | None:
    last = _as_date(week_start) - dt.timedelta(days=7)
    run_id = published_run_id(conn, scenario_name, last)
    if run_id is None:
        return None
    frame = pd.read_sql_query(
        'SELECT agent, start, "end", breaks, paid_hours FROM shifts WHERE run_id = ? '
        "ORDER BY rowid",
        conn,
        params=(run_id,),
    )
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


HISTORY_COLUMNS = (
    "run_id",
    "week",
    "scenario",
    "revision",
    "published",
    "created_utc",
    "exit_code",
    "solver_status",
    "gap_pct",
    "headcount",
    "cost",
    "service_level_pct",
)


def list_runs(
    store_path: str | os.PathLike, scenario: str | None = None, published_only: bool = False
) -> pd.DataFrame:
    """The stored runs, oldest week first: `HISTORY_COLUMNS` (cost in the run's currency,
    service level = the plan's expected, percent)."""
    where, params = [], []
    if scenario is not None:
        where.append("r.scenario = ?")
        params.append(scenario)
    if published_only:
        where.append("r.published = 1")
    sql = f"""
        SELECT r.run_id, r.week, r.scenario, r.revision, r.published, r.created_utc,
               r.exit_code, r.solver_status, r.gap_pct,
               (SELECT value FROM kpis WHERE run_id = r.run_id AND name = 'headcount') AS headcount,
               (SELECT value FROM kpis WHERE run_id = r.run_id AND name = 'cost') AS cost,
               (SELECT value FROM kpis WHERE run_id = r.run_id AND name = 'service_level_pct')
                   AS service_level_pct
        FROM runs r {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY r.week_start, r.scenario, r.revision"""
    with connected(store_path) as conn:
        frame = pd.read_sql_query(sql, conn, params=params)
    frame["published"] = frame["published"].astype(bool)
    if len(frame):
        frame["headcount"] = frame["headcount"].astype("Int64")
    return frame[list(HISTORY_COLUMNS)]


def read_table(conn: sqlite3.Connection, table: str, run_ids: Sequence[int]) -> pd.DataFrame:
    """Rows of one child table for the given runs (for the accuracy report)."""
    if table not in {"forecast", "forecast_daily", "requirements", "shifts", "coverage", "kpis"}:
        raise ValueError(table)
    marks = ", ".join("?" for _ in run_ids) or "NULL"
    return pd.read_sql_query(
        f"SELECT * FROM {table} WHERE run_id IN ({marks})", conn, params=list(run_ids)
    )
