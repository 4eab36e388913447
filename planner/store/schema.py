"""The store file: its schema and migrations, recognising, opening and checking it."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from planner import __version__
from planner.errors import InputError, PlannerError

APPLICATION_ID = 0x504C4E52  # "PLNR"
SCHEMA_VERSION = 5
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

# 2: where each run was published and what it published, so that a run killed (or whose store
# write failed) between the swap of its week directory and its confirmation here is settled by
# the next run from the directory itself: `pending` is recorded before the swap, `confirmed`
# after it, `abandoned` when the directory shows that the swap never happened.
_SCHEMA_2 = """
CREATE TABLE publications (
    run_id INTEGER PRIMARY KEY REFERENCES runs ON DELETE CASCADE,
    directory TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'abandoned'))
);
"""

# 3: `planner intraday`'s reforecasts and actions, in tables of their own (none changed).
_SCHEMA_3 = """
CREATE TABLE intraday_runs (
    intraday_id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs ON DELETE CASCADE,
    day TEXT NOT NULL,
    now TEXT NOT NULL,
    created_utc TEXT NOT NULL,
    planner_version TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    factor REAL, factor_lower REAL, factor_upper REAL, weight_on_actuals REAL,
    level_pct REAL, actual_so_far REAL, rest REAL, rest_lower REAL, rest_upper REAL,
    sl_expected_before_pct REAL, sl_expected_after_pct REAL,
    sl_simulated_before_pct REAL, sl_simulated_after_pct REAL,
    short_agent_hours REAL
);
CREATE INDEX intraday_runs_day ON intraday_runs (day, now);
CREATE TABLE intraday_forecast (
    intraday_id INTEGER NOT NULL REFERENCES intraday_runs ON DELETE CASCADE,
    timestamp TEXT NOT NULL, calls REAL NOT NULL, lower REAL, upper REAL,
    PRIMARY KEY (intraday_id, timestamp)
) WITHOUT ROWID;
CREATE TABLE intraday_actions (
    intraday_id INTEGER NOT NULL REFERENCES intraday_runs ON DELETE CASCADE,
    rank INTEGER NOT NULL, kind TEXT NOT NULL, agent TEXT NOT NULL DEFAULT '',
    what TEXT NOT NULL, paid_hours REAL, cost REAL, sl_before_pct REAL, sl_after_pct REAL,
    PRIMARY KEY (intraday_id, rank)
) WITHOUT ROWID;
"""

# 4: `planner capacity`'s plans: one row per plan, its weeks (every term of the weekly table)
# and its hiring classes, in tables of their own (none changed).
_SCHEMA_4 = """
CREATE TABLE capacity_plans (
    capacity_id INTEGER PRIMARY KEY,
    scenario TEXT NOT NULL,
    scenario_sha256 TEXT,
    first_week TEXT NOT NULL,
    weeks INTEGER NOT NULL,
    quantile_pct REAL NOT NULL,
    created_utc TEXT NOT NULL,
    planner_version TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    forecast_model TEXT,
    solver_status TEXT, gap_pct REAL,
    inefficiency REAL, inefficiency_source TEXT, inefficiency_detail TEXT,
    hires INTEGER, classes INTEGER, overtime_h REAL, temp_weeks REAL, shortfall_h REAL,
    worst_gap_fte REAL, worst_week TEXT, weeks_p_short_over_20pct INTEGER,
    cost_vnd REAL, cost_p50_vnd REAL, cost_p80_vnd REAL, cost_p90_vnd REAL,
    summary_json TEXT NOT NULL
);
CREATE INDEX capacity_plans_scenario ON capacity_plans (scenario, first_week);
CREATE TABLE capacity_weeks (
    capacity_id INTEGER NOT NULL REFERENCES capacity_plans ON DELETE CASCADE,
    week TEXT NOT NULL, start TEXT NOT NULL,
    calls_p10 REAL, calls_p50 REAL, calls_p90 REAL, aht_s REAL, phone_hours REAL,
    shrinkage_pct REAL, staff_hours REAL, inefficiency REAL, required_fte REAL,
    required_fte_p50 REAL, required_fte_p90 REAL, tenured_fte REAL, ramping_fte REAL,
    ramping_eff_fte REAL, trainees_fte REAL, attrition_fte REAL, hires REAL, graduates REAL,
    overtime_h REAL, temps REAL, effective_fte REAL, gap_fte REAL, shortfall_h REAL,
    p_short REAL, cost_vnd REAL,
    PRIMARY KEY (capacity_id, week)
) WITHOUT ROWID;
CREATE TABLE capacity_classes (
    capacity_id INTEGER NOT NULL REFERENCES capacity_plans ON DELETE CASCADE,
    number INTEGER NOT NULL,
    requisition TEXT NOT NULL, training_start TEXT NOT NULL, graduation TEXT NOT NULL,
    open_by TEXT NOT NULL, needed_week TEXT NOT NULL,
    full_time INTEGER NOT NULL, part_time INTEGER NOT NULL,
    PRIMARY KEY (capacity_id, number)
) WITHOUT ROWID;
"""

# 5: each shift's overtime hours (the Roster CSV's `overtime_hours`), so that a week's
# overtime is held to what earlier weeks of its month and year left of the Labour Code's caps;
# shifts recorded before it count none.
_SCHEMA_5 = """
ALTER TABLE shifts ADD COLUMN overtime_hours REAL NOT NULL DEFAULT 0;
"""

# version -> the SQL that brings a store from version - 1 to it (1: from an empty file)
MIGRATIONS: dict[int, str] = {
    1: _SCHEMA_1,
    2: _SCHEMA_2,
    3: _SCHEMA_3,
    4: _SCHEMA_4,
    5: _SCHEMA_5,
}


class StoreError(PlannerError):
    """The store cannot be read or written (corrupt, locked too long, disk): exit 1."""


class StoreInputError(InputError):
    """The file given as the store is not one this planner can use: exit 2."""


class EmptyStoreError(StoreInputError):
    """A store with no runs yet (no file, an empty file, an empty database) opened to read."""


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


def _disk_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < (1 << 20)
    except OSError:
        return False


def _fail(path: Path, exc: BaseException) -> PlannerError:
    text = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
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
    folder = path.absolute().parent
    if (
        code == sqlite3.SQLITE_FULL
        or "disk is full" in text
        or (("disk I/O error" in text or "unable to open" in text) and _disk_full(folder))
    ):
        return StoreError(f"{path}: cannot write the store: the disk holding {folder} is full")
    if code == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return StoreError(f"{path}: cannot write the store: it or its folder is read-only")
    if ("unable to open" in text or "disk I/O error" in text) and not os.access(
        folder, os.W_OK | os.X_OK
    ):
        return StoreError(
            f"{path}: cannot write the store: no permission to write in {folder} (SQLite "
            "keeps its journal beside the store)"
        )
    return StoreError(f"{path}: store error: {text}")


def check_file(path: Path) -> bool:
    """True when `path` holds data (an SQLite file); False when there is none yet: no file, or
    an empty one (a run that failed while creating the store, on a full disk, leaves that: it is
    a new store). Anything else is refused: a directory, a FIFO or a device (reading would
    block or never end), a file of another kind."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise StoreInputError(f"{path}: the store's file name is too long") from None
        if exc.errno == errno.ENOTDIR:
            raise StoreInputError(f"cannot create the store {path}: a parent is a file") from None
        if exc.errno == errno.ELOOP:
            raise StoreInputError(f"{path}: a symlink loop, expected a planner store") from None
        raise StoreError(f"{path}: cannot read the store: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreInputError(f"{path}: is a directory, expected a planner store file")
    if not stat.S_ISREG(info.st_mode):
        raise StoreInputError(
            f"{path}: not a regular file (a FIFO or a device), expected a planner store file"
        )
    if info.st_size == 0:
        return False
    try:
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store: {exc.strerror or exc}") from None
    if not head:
        return False
    if len(head) < len(_SQLITE_MAGIC) and _SQLITE_MAGIC.startswith(head):
        return True  # another run is creating it right now: SQLite itself will wait for it
    if head != _SQLITE_MAGIC:
        raise StoreInputError(
            f"{path}: not a planner store (not an SQLite database); give another {{store_path}}",
            "store_path",
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
            "give another {store_path}",
            "store_path",
        )
    if version > SCHEMA_VERSION:
        raise StoreInputError(
            f"{path}: the store has schema version {version}, newer than this planner "
            f"{__version__} reads (up to {SCHEMA_VERSION}); upgrade planner or give another "
            "{store_path}",
            "store_path",
        )
    return int(version)


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction that takes the store's write lock at once (`BEGIN IMMEDIATE`):
    committed when the block ends, rolled back when it raises (a kill: SQLite undoes it)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def insert_row(conn: sqlite3.Connection, table: str, names, values) -> int:
    """INSERT one row of `values` into `names` of `table`; its rowid."""
    cursor = conn.execute(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        list(values),
    )
    assert cursor.lastrowid is not None  # an INSERT always sets it
    return int(cursor.lastrowid)


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the missing migrations in one transaction (re-checked under the write lock, so
    concurrent openers of a new store create it once)."""
    if _check_identity(conn, path) == SCHEMA_VERSION:
        return
    with write_transaction(conn):
        version = _check_identity(conn, path)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in filter(str.strip, MIGRATIONS[target].split(";")):
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Put the store in WAL mode. While another run holds a lock on a store being created,
    SQLite does not wait: it leaves the mode unchanged, or (another run writing it) fails at
    once with "database is locked"; so try again until the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            mode = "locked"
        if mode == "wal":
            return
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("cannot switch the store to WAL mode (locked)")
        time.sleep(0.05)


def _read_only(path: Path) -> bool:
    """Whether a store can only be read here (a read-only mount, no write permission): SQLite
    cannot keep a WAL store's shared-memory file beside it then."""
    folder = path.absolute().parent
    return not (os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK))


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A store nobody can change here, opened as immutable (no journal, no lock files)."""
    uri = path.absolute().as_uri() + "?immutable=1"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def open_store(path: str | os.PathLike, create: bool = True) -> sqlite3.Connection:
    """Open (and with `create`, create or migrate) the store at `path`; WAL mode, busy
    timeout. Raises StoreInputError (foreign or newer file) or StoreError. Without `create`,
    a store on a read-only mount (or without write permission) is opened read-only."""
    path = Path(path)
    exists = check_file(path)
    if not exists and not create:
        raise EmptyStoreError(f"{path}: no planner store there (run `planner run` first)")
    if not exists and not path.parent.exists():
        raise StoreInputError(
            f"{path}: the store's folder {path.parent} does not exist; create it first"
        )
    read_only = not create and _read_only(path)
    try:
        conn = _connect_read_only(path) if read_only else _connect(path)
    except sqlite3.Error as exc:
        raise _fail(path, exc) from None
    try:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("database disk image is malformed (quick_check)")
        if create:
            _switch_to_wal(conn)
            _migrate(conn, path)
        else:
            version = _check_identity(conn, path)
            if version == 0:
                raise EmptyStoreError(f"{path}: no runs recorded there yet (an empty store)")
            if version < SCHEMA_VERSION:
                if read_only:
                    raise StoreInputError(
                        f"{path}: the store has schema version {version} and is read-only "
                        "here; open it once with `planner run` where it can be written"
                    )
                _migrate(conn, path)
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
    that a foreign, newer or corrupt file is refused up front; for a store not yet there, its
    folder must exist and be writable (a store's folder is never created). A missing store is
    created only when the first run is recorded. Returns the path."""
    path = Path(path)
    if check_file(path):
        with connected(path, create=True):
            pass
        return path
    folder = path.parent
    if not folder.exists():
        first = next((p for p in path.parents if p.exists()), Path("."))
        if not first.is_dir():
            raise StoreInputError(f"cannot create the store {path}: a parent is a file")
        raise StoreInputError(
            f"cannot create the store {path}: the folder {folder} does not exist; create it first"
        )
    if not folder.is_dir():
        raise StoreInputError(f"cannot create the store {path}: {folder} is a file")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"cannot create the store {path}: permission denied (in {folder})")
    return path
