"""The plan store: schema and migrations, revisions, previous roster, faults, concurrency."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import write_small

from planner import accuracy, jobs, store
from planner.cli import cli
from planner.errors import PlannerError

CHILD_TABLES = (
    "inputs",
    "kpis",
    "forecast",
    "forecast_daily",
    "requirements",
    "shifts",
    "coverage",
)


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """One small week planned and published once for the module: (plan, out_dir, scenario)."""
    base = tmp_path_factory.mktemp("store")
    scenario = write_small(base)
    week_run = jobs.run_week(scenario, out_dir=base / "out" / "week")
    plan, out_dir = week_run.plan, week_run.directory
    return plan, out_dir, scenario


def counts(path: Path) -> dict:
    with sqlite3.connect(path) as conn:
        return {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("runs",) + CHILD_TABLES
        }


@pytest.mark.slow
def test_a_run_is_stored_whole_with_its_schema_version(week, tmp_path):
    plan, out_dir, _ = week
    db = tmp_path / "planner.db"
    run_id = store.record_run(db, accuracy.run_record(plan), out_dir)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == store.APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        run = conn.execute(
            "SELECT scenario, week, revision, published, exit_code, solver_status, summary_json "
            "FROM runs WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        shifts = pd.read_sql_query("SELECT * FROM shifts", conn)
        forecast = pd.read_sql_query("SELECT * FROM forecast", conn)
    assert run[:5] == ("small", plan.label, 1, 1, plan.exit_code)
    assert run[5] == plan.schedule.status
    assert json.loads(run[6])["kpis"] == json.loads((out_dir / "summary.json").read_text())["kpis"]
    n = counts(db)
    assert n["shifts"] == len(plan.schedule.roster) and n["coverage"] == len(plan.schedule.coverage)
    assert n["forecast"] == len(plan.forecast.intervals) == n["requirements"]
    roster_csv = pd.read_csv(out_dir / "roster.csv")
    assert shifts["agent"].tolist() == roster_csv["agent"].tolist()
    assert shifts["start"].tolist() == roster_csv["start"].tolist()
    assert forecast["calls"].sum() == pytest.approx(plan.forecast.intervals["calls"].sum())


def test_a_rerun_adds_a_revision_and_publishes_it(week, tmp_path):
    plan, out_dir, _ = week
    db = tmp_path / "planner.db"
    first = store.record_run(db, accuracy.run_record(plan), out_dir)
    second = store.record_run(db, accuracy.run_record(plan), out_dir)
    runs = store.list_runs(db)
    assert runs["revision"].tolist() == [1, 2] and runs["published"].tolist() == [False, True]
    with store.connected(db) as conn:
        assert store.published_run_id(conn, "small", plan.start) == second != first
        # nothing overwritten: the first revision keeps its rows
        assert len(store.read_table(conn, "shifts", [first])) == len(plan.schedule.roster)


def test_previous_roster_is_last_weeks_published_roster(week, tmp_path):
    plan, out_dir, _ = week
    db = tmp_path / "planner.db"
    assert store.previous_roster(db, "small", plan.start + dt.timedelta(days=7)) is None
    assert not db.exists()  # asking does not create a store
    store.record_run(db, accuracy.run_record(plan), out_dir)
    prev = store.previous_roster(db, "small", plan.start + dt.timedelta(days=7))
    roster = plan.schedule.roster
    assert list(prev.columns) == ["agent", "start", "end", "breaks", "paid_hours"]
    assert prev["agent"].tolist() == roster["agent"].tolist()
    assert (prev["start"] == pd.to_datetime(roster["start"])).all()
    assert store.previous_roster(db, "small", plan.start) is None  # two weeks back: none
    assert store.previous_roster(db, "other", plan.start + dt.timedelta(days=7)) is None


def test_a_weekly_run_stays_well_under_a_megabyte(week, tmp_path):
    plan, out_dir, _ = week
    db = tmp_path / "planner.db"
    store.record_run(db, accuracy.run_record(plan), out_dir)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    one = db.stat().st_size
    for _ in range(3):
        store.record_run(db, accuracy.run_record(plan), out_dir)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert (db.stat().st_size - one) / 3 < 200_000  # 168 hourly intervals, 110 shifts


# --- faults ---------------------------------------------------------------------------------


def one_line(result, code: int, needle: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("planner: error:") and needle in lines[0], lines


def test_a_foreign_file_is_refused_in_one_line(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("this is not a database\n")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    for path in (text, other):
        with pytest.raises(store.StoreInputError, match="not a planner store"):
            store.open_store(path)
        one_line(
            CliRunner().invoke(cli, ["history", "--store", str(path)]), 2, "not a planner store"
        )
    assert text.read_text() == "this is not a database\n"


def test_a_store_from_a_newer_planner_is_refused(week, tmp_path):
    plan, out_dir, _ = week
    db = tmp_path / "planner.db"
    store.record_run(db, accuracy.run_record(plan), out_dir)
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    with pytest.raises(store.StoreInputError, match="newer"):
        store.record_run(db, accuracy.run_record(plan), out_dir)
    one_line(CliRunner().invoke(cli, ["history", "--store", str(db)]), 2, "newer than this planner")


def test_a_corrupt_store_is_one_line_exit_1(week, tmp_path):
    plan, out_dir, _ = week
    db = tmp_path / "planner.db"
    store.record_run(db, accuracy.run_record(plan), out_dir)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = bytearray(db.read_bytes())
    raw[4096 * 2 : 4096 * 6] = b"\xff" * (4096 * 4)  # scribble over a few pages
    db.write_bytes(bytes(raw))
    with pytest.raises(PlannerError, match="corrupt"):
        store.record_run(db, accuracy.run_record(plan), out_dir)
    one_line(CliRunner().invoke(cli, ["history", "--store", str(db)]), 1, "corrupt")


def test_an_old_store_is_migrated_on_open(tmp_path, monkeypatch):
    """A store at version N opened by a planner whose schema has a version N + 1 gets the
    migration, in place, with its runs kept."""
    db = tmp_path / "planner.db"
    store.open_store(db).close()
    nxt = store.SCHEMA_VERSION + 1
    migrations = {**store.MIGRATIONS, nxt: "ALTER TABLE runs ADD COLUMN note TEXT"}
    monkeypatch.setattr(store.schema, "MIGRATIONS", migrations)
    monkeypatch.setattr(store.schema, "SCHEMA_VERSION", nxt)
    conn = store.open_store(db)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(runs)")]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == nxt and "note" in columns
    conn.close()


def test_a_version_1_store_gets_the_intraday_tables_and_keeps_its_runs(tmp_path):
    """Schema 2 only adds `planner intraday`'s tables: a version-1 store migrates in place."""
    db = tmp_path / "planner.db"
    conn = sqlite3.connect(db)
    for statement in filter(str.strip, store.MIGRATIONS[1].split(";")):
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {store.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    before = {r[0]: r[1] for r in conn.execute("SELECT name, sql FROM sqlite_master")}
    conn.close()
    with store.connected(db, create=True) as conn:
        after = {r[0]: r[1] for r in conn.execute("SELECT name, sql FROM sqlite_master")}
        assert conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    # no table of version 1 changed but `shifts`, which schema 5 gives its overtime column
    assert {k: after[k] for k in before if k != "shifts"} == {
        k: v for k, v in before.items() if k != "shifts"
    }
    assert after["shifts"].startswith(before["shifts"].rstrip(")").rstrip())
    assert "overtime_hours REAL NOT NULL DEFAULT 0" in after["shifts"]
    assert {"intraday_runs", "intraday_forecast", "intraday_actions"} <= set(after)


FORK = multiprocessing.get_context("fork")  # children share the test's imports: fast starts


def in_child(target, *args) -> int:
    """Run `target(*args)` in a forked process; its exit code (-9: killed)."""
    child = FORK.Process(target=target, args=args)
    child.start()
    child.join(120)
    return child.exitcode


def _record_and_die_after(table, db, plan, out_dir):
    real = store.runs._insert_rows

    def insert_then_die(conn, name, columns, rows):
        real(conn, name, columns, rows)
        if name == table:  # part of the run written, not committed
            os.kill(os.getpid(), signal.SIGKILL)

    store.runs._insert_rows = insert_then_die
    store.record_run(db, accuracy.run_record(plan, 0), out_dir)


def test_a_run_killed_while_recording_leaves_the_store_as_it_was(week, tmp_path):
    plan, out_dir, _ = week
    db = tmp_path / "planner.db"
    store.record_run(db, accuracy.run_record(plan), out_dir)
    before = counts(db)
    for table in ("forecast", "shifts", "coverage"):
        assert in_child(_record_and_die_after, table, db, plan, out_dir) == -9
        assert counts(db) == before
    with store.connected(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.record_run(db, accuracy.run_record(plan), out_dir)  # and the store still takes runs
    assert store.list_runs(db)["revision"].tolist() == [1, 2]


def _run_and_die_in_the_solve(scenario, out):
    from planner import schedule

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    schedule.build_roster = die
    CliRunner().invoke(cli, ["run", str(scenario), "--out", str(out), "--quiet"])


@pytest.mark.slow
def test_a_run_killed_during_the_solve_leaves_store_and_outputs_as_they_were(week, tmp_path):
    _, _, scenario = week
    out = tmp_path / "out" / "week"
    first = CliRunner().invoke(cli, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert first.exit_code == 0, first.output
    db = tmp_path / "out" / "planner.db"
    before, files = counts(db), sorted(p.name for p in out.iterdir())
    assert in_child(_run_and_die_in_the_solve, scenario, out) == -9
    assert counts(db) == before
    assert sorted(p.name for p in out.iterdir()) == files


def _record_when_told(go, db, plan, out_dir, ids):
    go.wait(30)
    ids.put(store.record_run(db, accuracy.run_record(plan, 0), out_dir))


def test_five_runs_at_once_into_one_store_all_land(week, tmp_path):
    plan, out_dir, _ = week
    db = tmp_path / "shared" / "planner.db"  # a new store: all five also race to create it
    db.parent.mkdir()  # a store's folder is never created (a scenario could name any)
    go, ids = FORK.Event(), FORK.Queue()
    children = [
        FORK.Process(target=_record_when_told, args=(go, db, plan, out_dir, ids)) for _ in range(5)
    ]
    for child in children:
        child.start()
    go.set()
    for child in children:
        child.join(120)
    assert [c.exitcode for c in children] == [0] * 5
    assert sorted(ids.get(timeout=5) for _ in range(5)) == [1, 2, 3, 4, 5]
    runs = store.list_runs(db)
    assert sorted(runs["revision"]) == [1, 2, 3, 4, 5]
    assert runs["published"].sum() == 1
    assert runs.loc[runs["published"], "revision"].item() == 5
    assert counts(db)["shifts"] == 5 * len(plan.schedule.roster)


# --- the command line -------------------------------------------------------------------------


@pytest.mark.slow
def test_run_records_beside_its_outputs_and_history_lists_it(week, tmp_path):
    _, _, scenario = week
    out = tmp_path / "out" / "week"
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(scenario), "--out", str(out), "-q"]).exit_code == 0
    result = runner.invoke(cli, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 0 and "revision 2" in result.stderr
    listed = runner.invoke(cli, ["history", "--store", str(tmp_path / "out" / "planner.db"),
                                 "--format", "csv"])  # fmt: skip
    assert listed.exit_code == 0
    frame = pd.read_csv(pd.io.common.StringIO(listed.stdout))
    assert frame["revision"].tolist() == [1, 2] and frame["published"].tolist() == [False, True]
    other = tmp_path / "elsewhere.db"
    flagged = runner.invoke(cli, ["run", str(scenario), "--out", str(out), "--store", str(other)])
    assert flagged.exit_code == 0 and other.exists()
    none = tmp_path / "none"
    skipped = runner.invoke(cli, ["run", str(scenario), "--out", str(none / "w"), "--no-store"])
    assert skipped.exit_code == 0 and not (none / "planner.db").exists()


def test_run_refuses_a_foreign_store_before_planning(week, tmp_path):
    _, _, scenario = week
    bad = tmp_path / "notes.txt"
    bad.write_text("not a store")
    out = tmp_path / "week"
    result = CliRunner().invoke(cli, ["run", str(scenario), "--out", str(out), "--store", str(bad)])
    one_line(result, 2, "not a planner store")
    assert not out.exists()


@pytest.mark.slow
def test_the_scenarios_run_store_key_moves_the_store(week, tmp_path):
    _, _, scenario = week
    moved = tmp_path / "moved.toml"
    moved.write_text(
        scenario.read_text(encoding="utf-8").replace("[run]", '[run]\nstore = "plans/p.db"'),
        encoding="utf-8",
    )
    (tmp_path / "history.csv").write_bytes((scenario.parent / "history.csv").read_bytes())
    out = tmp_path / "out" / "w"
    result = CliRunner().invoke(cli, ["run", str(moved), "--out", str(out), "--quiet"])
    one_line(result, 2, "the folder")  # a store's folder is never created
    assert not out.exists()
    (tmp_path / "plans").mkdir()
    result = CliRunner().invoke(cli, ["run", str(moved), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plans" / "p.db").exists() and not (tmp_path / "out" / "planner.db").exists()
    assert store.list_runs(tmp_path / "plans" / "p.db")["week"].tolist() == ["2026-W07"]


def test_a_store_that_cannot_be_created_is_refused_before_any_work(week, tmp_path):
    _, _, scenario = week
    (tmp_path / "a_file").write_text("x")
    out = tmp_path / "week"
    bad = tmp_path / "a_file" / "planner.db"
    result = CliRunner().invoke(cli, ["run", str(scenario), "--out", str(out), "--store", str(bad)])
    one_line(result, 2, "cannot create the store")
    assert not out.exists()


def test_next_weeks_previous_roster_is_what_the_scheduler_reads_from_roster_csv(week, tmp_path):
    """What cron's next run hands the scheduler as `previous`: from the store it is the same
    frame, for the scheduler's boundary rules, as last week's roster.csv read back."""
    from planner.accuracy import RunRecorder
    from planner.schedule import read_roster
    from planner.schedule.weeks import agents_from_previous, boundary_state, spill_counts

    plan, out_dir, _ = week
    store.record_run(tmp_path / "planner.db", accuracy.run_record(plan), out_dir)
    next_start = pd.Timestamp(plan.start + dt.timedelta(days=7))
    previous = RunRecorder(tmp_path / "planner.db").previous_roster(
        plan.scenario, next_start, tmp_path / "next"
    )
    from_csv = read_roster(out_dir / "roster.csv")
    rules = plan.scenario.rules
    stamps = pd.date_range(next_start, periods=7 * 24, freq="h")
    assert (spill_counts(previous, stamps, 60) == spill_counts(from_csv, stamps, 60)).all()
    assert boundary_state(previous, next_start, rules) == boundary_state(
        from_csv, next_start, rules
    )
    assert str(agents_from_previous(previous, next_start, rules)) == str(
        agents_from_previous(from_csv, next_start, rules)
    )


def test_compare_reads_the_same_carried_weeks_as_the_run(week, tmp_path):
    """`planner compare --store` and `planner run --store` continue the same roster and hold
    the same overtime: one reader (`planner.pipeline.carried`) serves both."""
    from planner.accuracy import RunRecorder
    from planner.pipeline.compare import _from_store

    plan, out_dir, _ = week
    db = tmp_path / "planner.db"
    store.record_run(db, accuracy.run_record(plan), out_dir)
    next_start = plan.start + dt.timedelta(days=7)
    recorder = RunRecorder(db)
    run_previous = recorder.previous_roster(plan.scenario, next_start, tmp_path / "next")
    run_overtime = recorder.overtime_worked(plan.scenario, next_start, tmp_path / "next")
    compare_previous, compare_overtime = _from_store(plan.scenario, next_start, db)
    assert run_previous is not None and len(run_previous) > 0
    pd.testing.assert_frame_equal(run_previous, compare_previous)
    pd.testing.assert_frame_equal(run_overtime, compare_overtime)


def test_a_store_being_created_by_another_run_is_waited_for_not_refused(tmp_path):
    """Two runs creating one store at once: while the first writes it (before WAL mode, with
    the write lock), SQLite answers the second's switch to WAL with "database is locked" at
    once, without its busy wait; the second waits for the first and opens the store."""
    import sqlite3
    import threading

    db = tmp_path / "planner.db"
    first = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    first.execute("BEGIN IMMEDIATE")  # the other run's write lock on the new store
    done = threading.Timer(0.5, lambda: first.execute("ROLLBACK"))
    done.start()
    try:
        with store.connected(db, create=True) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        done.join()
        first.close()
