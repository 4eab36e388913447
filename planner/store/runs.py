"""Recording a published run in the store and reading runs back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner import __version__, io
from planner.errors import InputError
from planner.store.schema import EmptyStoreError, connected, insert_row, write_transaction

# The files of a published week directory that say which run it holds: the roster the next week
# continues and the summary (whose `drift` and `kpis` differ between any two runs of a week).
FINGERPRINT_FILES = ("roster.csv", "summary.json")
MAX_FINGERPRINT_BYTES = 256 << 20
PENDING, CONFIRMED, ABANDONED = "pending", "confirmed", "abandoned"

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


def fingerprint(directory: str | os.PathLike) -> str | None:
    """What a week directory holds, as one sha256 over `FINGERPRINT_FILES` (names, sizes and
    bytes); None when the directory or one of those files is missing or not a regular file."""
    digest = hashlib.sha256()
    for name in FINGERPRINT_FILES:
        try:
            raw = io.read_bytes(Path(directory) / name, "published file", MAX_FINGERPRINT_BYTES)
        except InputError:
            return None
        digest.update(f"{name}\0{len(raw)}\0".encode())
        digest.update(raw)
    return digest.hexdigest()


def _summary(summary: dict | None, outputs_dir) -> dict | None:
    if summary is None and outputs_dir is not None:
        summary_file = Path(outputs_dir) / "summary.json"
        if summary_file.is_file():
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
    return summary


def record_run(
    store_path: str | os.PathLike,
    record: RunRecord,
    outputs_dir: str | os.PathLike | None,
    summary: dict | None = None,
) -> int:
    """Record a published week as the next revision of its
    scenario and week, marked published, in one transaction; returns its run_id. The files in
    `outputs_dir` are taken for what it published (its `publications` row, confirmed).

    `summary`: summary.json's object (default: read from `outputs_dir/summary.json`)."""
    path = Path(store_path)
    row = _run_row(record, outputs_dir)
    summary = _summary(summary, outputs_dir)
    row["summary_json"] = None if summary is None else json.dumps(summary, sort_keys=True)
    printed, where = None, None
    if outputs_dir is not None:
        printed, where = fingerprint(outputs_dir), str(Path(outputs_dir).absolute())
    with connected(path, create=True) as conn, write_transaction(conn):
        run_id = _write_run(conn, record, row)
        _publish(conn, run_id, row["scenario"], row["week_start"])
        if printed is not None:
            conn.execute(
                "INSERT INTO publications (run_id, directory, fingerprint, state) "
                "VALUES (?, ?, ?, ?)",
                (run_id, where, printed, CONFIRMED),
            )
    return run_id


def record_pending(
    store_path: str | os.PathLike,
    record: RunRecord,
    out_dir: str | os.PathLike,
    built_dir: str | os.PathLike,
    summary: dict | None = None,
) -> int:
    """Record a week before its files are swapped in: the run (the next revision, not yet
    published) with a `pending` publication of the files in `built_dir` (the directory about to
    become `out_dir`). `confirm_run` after the swap marks it published; if that never happens
    (a kill, a store that fails after the swap), the next run settles it from `out_dir` itself:
    the pending runs of the scenario left by earlier runs are settled first, each from its own
    week directory (confirmed if its files are there, else abandoned)."""
    printed = fingerprint(built_dir)
    if printed is None:
        raise InputError(f"{built_dir}: not a complete week directory (no roster.csv)")
    row = _run_row(record, out_dir)
    summary = _summary(summary, built_dir)
    row["summary_json"] = None if summary is None else json.dumps(summary, sort_keys=True)
    with connected(Path(store_path), create=True) as conn, write_transaction(conn):
        for week in _pending_weeks(conn, row["scenario"]) | {row["week_start"]}:
            _settle(conn, row["scenario"], week)
        run_id = _write_run(conn, record, row)
        conn.execute(
            "INSERT INTO publications (run_id, directory, fingerprint, state) VALUES (?, ?, ?, ?)",
            (run_id, str(Path(out_dir).absolute()), printed, PENDING),
        )
    return run_id


def confirm_run(store_path: str | os.PathLike, run_id: int) -> None:
    """Mark a pending run published (its files are swapped in): the revision in force of its
    scenario and week, in one transaction."""
    with connected(Path(store_path), create=True) as conn, write_transaction(conn):
        scenario, week_start = conn.execute(
            "SELECT scenario, week_start FROM runs WHERE run_id = ?", (run_id,)
        ).fetchone()
        _publish(conn, run_id, scenario, week_start)
        conn.execute("UPDATE publications SET state = ? WHERE run_id = ?", (CONFIRMED, run_id))


def _publish(conn: sqlite3.Connection, run_id: int, scenario: str, week_start: str) -> None:
    conn.execute(
        "UPDATE runs SET published = 0 WHERE scenario = ? AND week_start = ? AND published = 1 "
        "AND run_id != ?",
        (scenario, week_start, run_id),
    )
    conn.execute("UPDATE runs SET published = 1 WHERE run_id = ?", (run_id,))


def _candidates(conn: sqlite3.Connection, scenario: str, week_start: str) -> list[tuple]:
    """(run_id, published, directory, fingerprint, state) of a week's runs that are or may be
    published, the newest revision first."""
    return conn.execute(
        "SELECT r.run_id, r.published, p.directory, p.fingerprint, p.state FROM runs r "
        "LEFT JOIN publications p ON p.run_id = r.run_id "
        "WHERE r.scenario = ? AND r.week_start = ? AND (r.published = 1 OR p.state = ?) "
        "ORDER BY r.revision DESC",
        (scenario, week_start, PENDING),
    ).fetchall()


def in_force(
    conn: sqlite3.Connection, scenario: str, week_start: dt.date | str
) -> tuple[int | None, Path | None]:
    """Which publication of a scenario's week is in force, judged by its week directory (what
    was actually published) before the store's `published` mark: `(run_id, None)` for a stored
    run, `(None, directory)` for a directory that holds a week the store has no run of (a
    publication whose store write failed), `(None, None)` for none. A pending run whose
    directory holds its files was published (killed before its confirmation); one whose
    directory holds other files was not. Where no directory can be checked (moved, deleted),
    the store's published run."""
    week = _as_date(week_start).isoformat()
    rows = _candidates(conn, scenario, week)
    for _run_id, _published, directory, _printed, _state in rows:
        if directory is None:
            continue
        actual = fingerprint(directory)
        if actual is None:
            continue  # gone or incomplete: it cannot tell
        for run_id, *_, printed, _ in rows:
            if printed == actual:
                return int(run_id), None
        if _is_week(Path(directory), scenario, week):
            return None, Path(directory)
    confirmed = [r for r in rows if r[1] == 1]
    return (int(confirmed[0][0]), None) if confirmed else (None, None)


def _is_week(directory: Path, scenario: str, week_start: str) -> bool:
    """Whether `directory` holds the published week `week_start` of `scenario` (by its
    summary.json)."""
    try:
        raw = io.read_bytes(directory / "summary.json", "summary", MAX_FINGERPRINT_BYTES)
        summary = json.loads(raw.decode("utf-8"))
        return (
            summary["scenario"]["name"] == scenario
            and str(summary["week"]["start"])[:10] == week_start
        )
    except (InputError, ValueError, KeyError, TypeError):
        return False


def _pending_weeks(conn: sqlite3.Connection, scenario: str) -> set[str]:
    """The weeks of `scenario` with a pending run (killed between its swap and confirmation,
    or left by a store that failed there)."""
    rows = conn.execute(
        "SELECT DISTINCT r.week_start FROM runs r JOIN publications p ON p.run_id = r.run_id "
        "WHERE r.scenario = ? AND p.state = ?",
        (scenario, PENDING),
    ).fetchall()
    return {str(r[0]) for r in rows}


def _settle(conn: sqlite3.Connection, scenario: str, week_start: str) -> None:
    """Settle the pending runs of one week from its directory (inside the caller's
    transaction): the one whose files are there is confirmed, the others abandoned."""
    rows = _candidates(conn, scenario, week_start)
    if not any(r[4] == PENDING for r in rows):
        return
    run_id, _ = in_force(conn, scenario, week_start)
    for pending_id, *_rest, state in rows:
        if state != PENDING:
            continue
        if pending_id == run_id:
            _publish(conn, pending_id, scenario, week_start)
            new_state = CONFIRMED
        else:
            new_state = ABANDONED
        conn.execute("UPDATE publications SET state = ? WHERE run_id = ?", (new_state, pending_id))


def _write_run(conn: sqlite3.Connection, record: RunRecord, row: dict) -> int:
    """Insert a run and its tables, not yet published (`_publish` marks it); its run_id."""
    (revision,) = conn.execute(
        "SELECT COALESCE(MAX(revision), 0) + 1 FROM runs WHERE scenario = ? AND week_start = ?",
        (row["scenario"], row["week_start"]),
    ).fetchone()
    row = {**row, "revision": int(revision), "published": 0}
    names = list(row)
    run_id = insert_row(conn, "runs", names, [row[n] for n in names])
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
        ("run_id", "agent", "start", "end", "breaks", "paid_hours", "overtime_hours"),
        zip(
            [run_id] * len(roster),
            [str(a) for a in roster["agent"]],
            _iso(roster["start"]),
            _iso(roster["end"]),
            breaks,
            _col(roster, "paid_hours"),
            [v or 0.0 for v in _col(roster, "overtime_hours", 0.0)],
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
    directories: Sequence[str | os.PathLike] = (),
) -> pd.DataFrame | None:
    """Last week's published roster of `scenario_name`: the week starting 7 days before
    `week_start`, as the Roster CSV frame (`agent,start,end,breaks,paid_hours`, start/end as
    timestamps, like `planner.roster.read_roster`), or None when there is none. Never anything
    but the week actually published (`in_force`): a stored run whose publication the week
    directory confirms, else the roster.csv of that directory. `directories`: where that week
    may have been published when the store has no run of it at all (such as the default
    `out/<week>` beside this week's), taken when its summary.json names the scenario and week.
    A missing or empty store file is not created."""
    last = _as_date(week_start) - dt.timedelta(days=7)
    if store is None:
        return None
    if isinstance(store, sqlite3.Connection):
        run_id, directory = in_force(store, scenario_name, last)
        found = stored_shifts(store, run_id) if run_id is not None else None
    else:
        path = Path(store)
        run_id, directory, found = None, None, None
        try:
            with connected(path) as conn:
                run_id, directory = in_force(conn, scenario_name, last)
                found = stored_shifts(conn, run_id) if run_id is not None else None
        except EmptyStoreError:
            pass
    if found is not None:
        return found[["agent", "start", "end", "breaks", "paid_hours"]]
    if directory is None:
        directory = next(
            (Path(d) for d in directories if _is_week(Path(d), scenario_name, last.isoformat())),
            None,
        )
    if directory is None:
        return None
    frame = io.read_roster(directory / "roster.csv")
    return frame[["agent", "start", "end", "breaks", "paid_hours"]].reset_index(drop=True)


def stored_shifts(conn: sqlite3.Connection, run_id: int) -> pd.DataFrame:
    """The Roster CSV rows of run `run_id` (`agent,start,end,breaks,paid_hours,
    overtime_hours`), in the order written, `start`/`end` as times."""
    frame = pd.read_sql_query(
        'SELECT agent, start, "end", breaks, paid_hours, overtime_hours FROM shifts '
        "WHERE run_id = ? ORDER BY rowid",
        conn,
        params=(run_id,),
    )
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


def overtime_worked(
    store: str | os.PathLike | sqlite3.Connection | None,
    scenario_name: str,
    week_start: dt.date | str,
) -> pd.DataFrame:
    """The overtime of `scenario_name`'s published weeks before `week_start` in its year:
    `agent, start, overtime_hours` of every published shift with overtime that starts from
    1 January of the week's first day up to that day (what the month's and year's caps have
    left is counted from these; `planner.schedule.OvertimeWorked.from_rows`). Empty when there
    is no store, no run, or none of them had overtime (shifts recorded before schema 5 count
    none). A missing or empty store file is not created."""
    first = _as_date(week_start)
    jan1 = dt.date(first.year, 1, 1)
    empty = pd.DataFrame({"agent": [], "start": pd.to_datetime([]), "overtime_hours": []})
    sql = (
        "SELECT s.agent, s.start, s.overtime_hours FROM shifts s JOIN runs r "
        "ON r.run_id = s.run_id WHERE r.scenario = ? AND r.published = 1 "
        "AND r.week_start < ? AND r.week_start >= ? AND s.overtime_hours > 0 "
        "AND s.start >= ? AND s.start < ? ORDER BY r.week_start, s.rowid"
    )
    params = (
        scenario_name,
        first.isoformat(),
        (jan1 - dt.timedelta(days=6)).isoformat(),
        jan1.isoformat(),
        first.isoformat(),
    )
    if store is None:
        return empty
    if isinstance(store, sqlite3.Connection):
        frame = pd.read_sql_query(sql, store, params=params)
    else:
        try:
            with connected(Path(store)) as conn:
                frame = pd.read_sql_query(sql, conn, params=params)
        except EmptyStoreError:
            return empty
    frame["start"] = pd.to_datetime(frame["start"])
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
