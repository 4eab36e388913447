"""The plan store: every published weekly run kept in one SQLite file, nothing overwritten.

Why the standard library's `sqlite3`: the store is one file beside the outputs that cron,
`sqlite3` and pandas read without a server or another dependency; SQLite gives transactions,
WAL concurrency and a page-level integrity check. (SQLAlchemy Core would add a dependency for a
PostgreSQL reach the project does not need; the SQL here is plain and portable.)

A store is recognised by `PRAGMA application_id` = 0x504C4E52 ("PLNR") and versioned by
`PRAGMA user_version` (the schema version); `MIGRATIONS` bring an older store up to date on
open, inside one transaction. Tables (timestamps are ISO text `YYYY-MM-DDTHH:MM:SS`, local):

- `runs`: one row per recorded run: `run_id`, `scenario`, `scenario_sha256`, `week` (label),
  `week_start` (date), `revision` (1, 2, ... per scenario and week), `published` (1 for the
  revision in force), `created_utc`, `planner_version`, `exit_code`, `solver`,
  `solver_status`, `gap_pct`, `objective`, `bound`, `forecast_model`, `level_pct`,
  `interval_min`, `history_last_day`, `country`, `shrinkage_pct`, `out_dir`, `summary_json`.
- `inputs(run_id, role, name, sha256)`; `kpis(run_id, name, value)` (numbers only).
- `forecast(run_id, timestamp, queue, calls, lower, upper, aht)` per interval and
  `forecast_daily(run_id, date, queue, calls, lower, upper)` per day, bounds at `level_pct`.
- `requirements(run_id, timestamp, queue, calls, aht, agents, staff, service_level)`.
- `shifts(run_id, agent, start, end, breaks, paid_hours)` (the Roster CSV) and
  `coverage(run_id, timestamp, required, scheduled, shortfall)`.

Faults: a file that is not a planner store, or one of a newer schema, is refused with one line
(exit 2); a corrupt or unreadable store is one line (exit 1). A run is written in a single
`BEGIN IMMEDIATE` transaction, so a process killed at any moment leaves the store as it was;
concurrent writers wait up to `BUSY_TIMEOUT_S` for each other (WAL mode), then are refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from planner import __version__
from planner.errors import InputError, PlannerError

APPLICATION_ID = 0x504C4E52  # "PLNR"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 60.0
DEFAULT_NAME = "planner.db"
_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA_1 = """
CREATE TABLE runs (
    run_id INTEGER PRIMARY KEY,
    scenario TEXT NOT NULL,
    scenario_sha256 TEXT,
    week TEXT NOT NULL,
    week_start TEXT NOT NULL,
    revision INTEGER NOT NULL,
    published INTEGER NOT NULL CHECK (published IN (0, 1)),
    created_utc TEXT NOT NULL,
    planner_version TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    solver TEXT,
    solver_status TEXT,
    gap_pct REAL,
    objective REAL,
    bound REAL,
    forecast_model TEXT,
    level_pct REAL,
    interval_min INTEGER,
    history_last_day TEXT,
    country TEXT,
    shrinkage_pct REAL,
    out_dir TEXT,
    summary_json TEXT,
    UNIQUE (scenario, week_start, revision)
);
CREATE INDEX runs_published ON runs (scenario, week_start, published);
CREATE TABLE inputs (
    run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,
    role TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT
);
CREATE TABLE kpis (
    run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,
    name TEXT NOT NULL, value REAL,
    PRIMARY KEY (run_id, name)
);
CREATE TABLE forecast (
    run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,
    timestamp TEXT NOT NULL, queue TEXT NOT NULL DEFAULT '',
    calls REAL NOT NULL, lower REAL, upper REAL, aht REAL,
    PRIMARY KEY (run_id, timestamp, queue)
) WITHOUT ROWID;
CREATE TABLE forecast_daily (
    run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,
    date TEXT NOT NULL, queue TEXT NOT NULL DEFAULT '',
    calls REAL NOT NULL, lower REAL, upper REAL,
    PRIMARY KEY (run_id, date, queue)
) WITHOUT ROWID;
CREATE TABLE requirements (
    run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,
    timestamp TEXT NOT NULL, queue TEXT NOT NULL DEFAULT '',
    calls REAL, aht REAL, agents REAL, staff REAL, service_level REAL,
    PRIMARY KEY (run_id, timestamp, queue)
) WITHOUT ROWID;
CREATE TABLE shifts (
    run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,
    agent TEXT NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL,
    breaks TEXT NOT NULL DEFAULT '', paid_hours REAL
);
CREATE INDEX shifts_run ON shifts (run_id);
CREATE TABLE coverage (
    run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,
    timestamp TEXT NOT NULL, required REAL, scheduled REAL, shortfall REAL,
    PRIMARY KEY (run_id, timestamp)
) WITHOUT ROWID;
"""

# version -> the SQL that brings a store from version - 1 to it (1: from an empty file)
MIGRATIONS: dict[int, str] = {1: _SCHEMA_1}


class StoreError(PlannerError):
    """The store cannot be read or written (corrupt, locked too long, disk): exit 1."""


class StoreInputError(InputError):
    """The file given as the store is not one this planner can use: exit 2."""


# --- opening -------------------------------------------------------------------------------


def default_store_path(out_dir: str | os.PathLike | None) -> Path:
    """`planner.db` beside the week's output directory (`out/planner.db` by default)."""
    parent = Path(out_dir).parent if out_dir is not None else Path("out")
    return parent / DEFAULT_NAME


def resolve_store_path(
    store_option: str | os.PathLike | None,
    out_dir: str | os.PathLike | None,
    scenario_store: str | os.PathLike | None = None,
) -> Path:
    """Which store a run records into: `--store`, else the scenario's `[run] store`, else
    `planner.db` beside the output directory."""
    if store_option is not None:
        return Path(store_option)
    if scenario_store is not None:
        return Path(scenario_store)
    return default_store_path(out_dir)


def _fail(path: Path, exc: BaseException) -> PlannerError:
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and (
        "malformed" in text or "not a database" in text or "corrupt" in text
    ):
        return StoreError(
            f"{path}: the store is corrupt ({text}); move it aside or restore a backup, "
            "the week's files are not affected"
        )
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return StoreError(
            f"{path}: the store stayed locked by another run for {BUSY_TIMEOUT_S:g} s ({text})"
        )
    return StoreError(f"{path}: store error: {text}")


def _check_file(path: Path) -> bool:
    """True when `path` holds data (an SQLite file); refuse anything else."""
    if path.is_dir():
        raise StoreInputError(f"{path}: is a directory, expected a planner store file")
    if not path.exists():
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store: {exc.strerror or exc}") from None
    if not head:
        return False
    if len(head) < len(_SQLITE_MAGIC) and _SQLITE_MAGIC.startswith(head):
        return True  # another run is creating it right now: SQLite itself will wait for it
    if head != _SQLITE_MAGIC:
        raise StoreInputError(
            f"{path}: not a planner store (not an SQLite database); give another --store"
        )
    return True


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


def _check_identity(conn: sqlite3.Connection, path: Path) -> int:
    """The store's schema version (0: an empty database); refuse a foreign or newer one."""
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app != APPLICATION_ID:
        if app == 0 and not _tables(conn):
            return 0
        raise StoreInputError(
            f"{path}: not a planner store (an SQLite database of another application); "
            "give another --store"
        )
    if version > SCHEMA_VERSION:
        raise StoreInputError(
            f"{path}: the store has schema version {version}, newer than this planner "
            f"{__version__} reads (up to {SCHEMA_VERSION}); upgrade planner or give another --store"
        )
    return int(version)


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the missing migrations in one transaction (re-checked under the write lock, so
    concurrent openers of a new store create it once)."""
    if _check_identity(conn, path) == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _check_identity(conn, path)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in filter(str.strip, MIGRATIONS[target].split(";")):
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Put the store in WAL mode. While another run holds a lock on a store being created,
    SQLite leaves the mode unchanged instead of waiting, so try again until the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("cannot switch the store to WAL mode (locked)")
        time.sleep(0.05)


def open_store(path: str | os.PathLike, create: bool = True) -> sqlite3.Connection:
    """Open (and with `create`, create or migrate) the store at `path`; WAL mode, busy
    timeout. Raises StoreInputError (foreign or newer file) or StoreError."""
    path = Path(path)
    exists = _check_file(path)
    if not exists and not create:
        raise StoreInputError(f"{path}: no planner store there (run `planner run` first)")
    if not exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the store: {exc.strerror or exc}") from None
    try:
        conn = _connect(path)
    except sqlite3.Error as exc:
        raise _fail(path, exc) from None
    try:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("database disk image is malformed (quick_check)")
        if create:
            _switch_to_wal(conn)
            _migrate(conn, path)
        elif _check_identity(conn, path) != SCHEMA_VERSION:
            raise StoreInputError(f"{path}: the store is empty or older; open it with a run")
    except PlannerError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise _fail(path, exc) from None
    return conn


@contextlib.contextmanager
def connected(path: str | os.PathLike, create: bool = False) -> Iterator[sqlite3.Connection]:
    """`open_store` as a context manager; sqlite errors inside become one-line StoreErrors."""
    conn = open_store(path, create=create)
    try:
        yield conn
    except sqlite3.Error as exc:
        raise _fail(Path(path), exc) from None
    finally:
        conn.close()


def check_store(path: str | os.PathLike) -> Path:
    """Open (and migrate) an existing store once, before a run spends minutes planning, so
    that a foreign, newer or corrupt file is refused up front. A missing store is created only
    when the first run is recorded. Returns the path."""
    if _check_file(Path(path)):
        with connected(path, create=True):
            pass
    return Path(path)


# --- recording a run ------------------------------------------------------------------------


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


def _run_row(plan, out_dir, exit_code: int) -> dict:
    sc, res, fc = plan.scenario, plan.schedule, plan.forecast
    scenario_sha = next((i["sha256"] for i in plan.inputs if i.get("role") == "scenario"), None)
    return {
        "scenario": sc.name,
        "scenario_sha256": scenario_sha,
        "week": plan.label,
        "week_start": plan.start.isoformat(),
        "created_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "planner_version": __version__,
        "exit_code": int(exit_code),
        "solver": getattr(res, "solver", None),
        "solver_status": str(getattr(res, "status", "")),
        "gap_pct": _num(100.0 * res.gap) if getattr(res, "gap", None) is not None else None,
        "objective": _num(getattr(res, "objective", None)),
        "bound": _num(getattr(res, "bound", None)),
        "forecast_model": fc.model,
        "level_pct": _num(fc.level),
        "interval_min": int(res.interval_min),
        "history_last_day": pd.Timestamp(fc.history_day).strftime("%Y-%m-%d"),
        "country": sc.data.country,
        "shrinkage_pct": _num(sc.service.shrinkage_pct),
        "out_dir": None if out_dir is None else str(Path(out_dir)),
    }


def record_run(
    store_path: str | os.PathLike,
    plan,
    outputs_dir: str | os.PathLike | None,
    exit_code: int,
    summary: dict | None = None,
) -> int:
    """Record a published `plan` (a `planner.pipeline.WeekPlan`) as the next revision of its
    scenario and week, marked published, in one transaction; returns its run_id.

    `summary`: summary.json's object (default: read from `outputs_dir/summary.json`)."""
    path = Path(store_path)
    if summary is None and outputs_dir is not None:
        summary_file = Path(outputs_dir) / "summary.json"
        if summary_file.exists():
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
    row = _run_row(plan, outputs_dir, exit_code)
    row["summary_json"] = None if summary is None else json.dumps(summary, sort_keys=True)
    with connected(path, create=True) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            run_id = _write_run(conn, plan, row)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return run_id


def _write_run(conn: sqlite3.Connection, plan, row: dict) -> int:
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
        [(run_id, i.get("role"), i.get("name"), i.get("sha256")) for i in plan.inputs],
    )
    kpis = [
        (run_id, k, _num(v)) for k, v in sorted(plan.kpis.as_dict().items()) if _num(v) is not None
    ]
    _insert_rows(conn, "kpis", ("run_id", "name", "value"), kpis)
    fc = plan.forecast.intervals
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
    daily = plan.forecast.daily
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
    req = plan.requirements
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
    roster = plan.schedule.roster
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
    cov = plan.schedule.coverage
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
