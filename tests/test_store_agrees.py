"""Publishing and recording agree (issue 19, items 2 and 3): the next week continues only the
week actually published, judged by its directory, even when the store never recorded it or
recorded another revision; an empty or half-made store does not block the next run; a store
that is a FIFO or sits in a folder that does not exist is refused before any work."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_small
from helpers import deadline, error_line, invoke

from planner import io, jobs, store
from planner.accuracy import RunRecorder, run_record
from planner.errors import PlannerError
from planner.io import read_roster
from planner.scenario import load_rules
from planner.schedule import check_weeks, rules_from_mapping


def rest_across(week1: pd.DataFrame, week2: pd.DataFrame) -> float:
    """The shortest rest (h) of any agent from their last shift of week 1 to their first of
    week 2 (inf when nobody works both)."""
    last_end = week1.groupby("agent")["end"].max()
    first_start = week2.groupby("agent")["start"].min()
    both = last_end.index.intersection(first_start.index)
    if both.empty:
        return float("inf")
    return float(((first_start[both] - last_end[both]).dt.total_seconds() / 3600).min())


def _fail(monkeypatch, step: str) -> None:
    """Make the store fail at `step` (`record_pending`: before the swap, `confirm_run`: after
    it) as a full disk does."""

    def broken(*args, **kwargs):
        raise store.StoreError("planner.db: cannot write the store: the disk is full")

    monkeypatch.setattr(store, step, broken)


def _legal_across(small: Path, first: Path, second: Path) -> None:
    week1 = read_roster(first / "roster.csv")
    week2 = read_roster(second / "roster.csv")
    rules = load_rules(small, rules_from_mapping)
    assert check_weeks(week1, week2, rules) == []
    assert rest_across(week1, week2) >= rules.min_rest_h
    summary = json.loads((second / "summary.json").read_text(encoding="utf-8"))
    assert any("continues last week's published roster" in str(n) for n in summary["notes"])


@pytest.mark.slow  # two weekly runs (about 3 s)
def test_a_week_the_store_never_recorded_is_continued_from_its_directory(small, tmp_path):
    """Cron's default layout out/<week>: week 7 published without a store record (`--no-store`,
    or an older planner whose store write failed); week 8 continues week 7 as published."""
    out = tmp_path / "out"
    out.mkdir()
    first = invoke(["run", small, "--week", "2026-W07", "--out", out / "2026-W07", "-q",
                    "--no-store"])  # fmt: skip
    assert first.exit_code in (0, 3), first.output
    second = invoke(["run", small, "--week", "2026-W08", "--out", out / "2026-W08", "-q"])
    assert second.exit_code in (0, 3), second.output
    _legal_across(small, out / "2026-W07", out / "2026-W08")


@pytest.mark.slow
def test_a_store_that_fails_after_the_swap_leaves_a_pending_run_the_next_week_continues(
    small, tmp_path, monkeypatch
):
    """Week 7 is published but the store fails on its confirmation (a full or read-only disk):
    one line, exit 1, the files in place, the run pending; week 8 continues week 7 as
    published (any folder names: not found by the default layout) and settles it."""
    out = tmp_path / "out"
    out.mkdir()
    with monkeypatch.context() as patch:
        _fail(patch, "confirm_run")
        first = invoke(["run", small, "--week", "2026-W07", "--out", out / "first", "-q"])
    assert first.exit_code == 1, first.output
    line = error_line(first)
    assert "published in" in line and "pending" in line and "disk is full" in line
    assert (out / "first" / "roster.csv").exists()
    runs = store.list_runs(out / "planner.db")
    assert runs["published"].tolist() == [False]  # pending: not yet confirmed
    second = invoke(["run", small, "--week", "2026-W08", "--out", out / "second", "-q"])
    assert second.exit_code in (0, 3), second.output
    _legal_across(small, out / "first", out / "second")
    runs = store.list_runs(out / "planner.db")
    assert runs["published"].tolist() == [True, True]  # week 7 settled from its files


@pytest.mark.slow  # a fault run
def test_a_store_that_fails_before_the_swap_publishes_nothing(small, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    _fail(monkeypatch, "record_pending")
    first = invoke(["run", small, "--week", "2026-W07", "--out", out / "first", "-q"])
    assert first.exit_code == 1, first.output
    assert "not published" in error_line(first)
    assert sorted(p.name for p in out.iterdir()) in ([], ["planner.db"])


@pytest.fixture(scope="module")
def published_week(tmp_path_factory):
    """Week 7 of the small line planned and published without a store, once for the module."""
    folder = tmp_path_factory.mktemp("published")
    run = jobs.run_week(write_small(folder), week="2026-W07", out_dir=folder / "a")
    return run.plan, run.directory


@pytest.fixture
def two_plans(published_week, tmp_path):
    """Week 7's plan and a copy of its published directory that the test may rewrite."""
    plan, directory = published_week
    copy = tmp_path / "a"
    shutil.copytree(directory, copy)
    return plan, copy


def _shifted(plan, directory: Path, hours: int):
    """Another revision of `plan`: its shifts `hours` later (breaks dropped), written as the
    roster.csv of `directory`; the new plan."""
    roster = plan.schedule.roster.copy()
    for column in ("start", "end"):
        roster[column] = pd.to_datetime(roster[column]) + pd.Timedelta(hours=hours)
    roster["breaks"] = ""
    other = dataclasses.replace(plan, schedule=dataclasses.replace(plan.schedule, roster=roster))
    (directory / "roster.csv").write_text(io.frame_to_csv(roster), encoding="utf-8")
    return other


def _next_monday(plan) -> dt.date:
    return plan.start + dt.timedelta(days=7)


def test_a_republished_week_the_store_missed_is_read_from_its_directory(two_plans, tmp_path):
    """The store holds revision 1 of week 7; revision 2 was published into the same directory
    but never recorded: the next week continues revision 2, from its roster.csv."""
    plan, directory = two_plans
    db = tmp_path / "planner.db"
    store.record_run(db, run_record(plan), directory)
    recorded = store.previous_roster(db, plan.scenario.name, _next_monday(plan))
    assert recorded is not None and len(recorded) == len(plan.schedule.roster)
    published = _shifted(plan, directory, 4).schedule.roster
    found = store.previous_roster(db, plan.scenario.name, _next_monday(plan))
    assert found is not None
    assert list(found["start"]) == list(published["start"])


def test_a_pending_run_is_confirmed_or_abandoned_by_what_its_directory_holds(two_plans, tmp_path):
    """A run recorded `pending` before its swap and never confirmed (killed in between): if its
    files are in the directory it was published, else the earlier revision still is."""
    plan, directory = two_plans
    db = tmp_path / "planner.db"
    first = store.record_run(db, run_record(plan), directory)
    built = tmp_path / "built"
    built.mkdir()
    for item in directory.iterdir():
        (built / item.name).write_bytes(item.read_bytes())
    other = _shifted(plan, built, 4)  # revision 2's files, built but not swapped in
    shifted = other.schedule.roster

    pending = store.record_pending(db, run_record(other), directory, built)
    with store.connected(db) as conn:
        assert store.in_force(conn, plan.scenario.name, plan.start) == (first, None)
    found = store.previous_roster(db, plan.scenario.name, _next_monday(plan))
    assert found is not None and len(found) == len(plan.schedule.roster)
    assert list(found["start"]) == list(pd.to_datetime(plan.schedule.roster["start"]))

    # killed after the swap, before the confirmation: the directory now holds revision 2
    for item in built.iterdir():
        (directory / item.name).write_bytes(item.read_bytes())
    with store.connected(db) as conn:
        assert store.in_force(conn, plan.scenario.name, plan.start) == (pending, None)
    found = store.previous_roster(db, plan.scenario.name, _next_monday(plan))
    assert found is not None and list(found["start"]) == list(shifted["start"])

    # the next run of that week settles it in the store: revision 2 published, 1 not
    third = store.record_pending(db, run_record(other), directory, built)
    runs = store.list_runs(db).set_index("run_id")
    assert runs.loc[pending, "published"] and not runs.loc[first, "published"]
    assert not runs.loc[third, "published"]  # pending until its own confirmation
    store.confirm_run(db, third)
    runs = store.list_runs(db).set_index("run_id")
    assert runs["published"].tolist() == [False, False, True]


def test_a_pending_run_whose_swap_never_happened_is_abandoned(two_plans, tmp_path):
    plan, directory = two_plans
    db = tmp_path / "planner.db"
    first = store.record_run(db, run_record(plan), directory)
    built = tmp_path / "built"
    built.mkdir()
    for item in directory.iterdir():
        (built / item.name).write_bytes(item.read_bytes())
    other = _shifted(plan, built, 4)
    pending = store.record_pending(db, run_record(other), directory, built)
    again = store.record_pending(db, run_record(other), directory, built)  # settles it
    with store.connected(db) as conn:
        states = dict(conn.execute("SELECT run_id, state FROM publications").fetchall())
    assert states == {first: "confirmed", pending: "abandoned", again: "pending"}
    assert store.list_runs(db).set_index("run_id")["published"].to_dict() == {
        first: True,
        pending: False,
        again: False,
    }


# --- item 3: an empty or half-made store is a new store -----------------------------------------


@pytest.mark.parametrize(
    "kind", ["zero-byte", pytest.param("empty-database", marks=pytest.mark.slow)]
)
def test_an_empty_store_does_not_block_the_next_run(small, tmp_path, kind):
    out = tmp_path / "o"
    out.mkdir()
    db = out / "planner.db"
    if kind == "zero-byte":
        db.write_bytes(b"")  # what a first run on a full disk leaves
    else:
        sqlite3.connect(db).close()
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA user_version = 0")
            conn.execute("VACUUM")
    result = invoke(["run", small, "--week", "2026-W07", "--out", out / "week", "-q"])
    assert result.exit_code in (0, 3), result.output
    assert store.list_runs(db)["week"].tolist() == ["2026-W07"]
    one = invoke(["history", "--store", db])
    assert one.exit_code == 0, one.output


def test_history_of_an_empty_store_is_one_line(tmp_path):
    db = tmp_path / "planner.db"
    db.write_bytes(b"")
    result = invoke(["history", "--store", db])
    assert result.exit_code == 2
    assert "planner.db" in error_line(result)


def test_a_fifo_as_the_store_is_refused_at_once(small, tmp_path):
    fifo = tmp_path / "planner.db"
    os.mkfifo(fifo)
    out = tmp_path / "week"
    for args in (
        ["run", small, "--week", "2026-W07", "--out", out, "--store", fifo, "-q"],
        ["history", "--store", fifo],
    ):
        with deadline(30):
            result = invoke(args)
        assert result.exit_code == 2, result.output
        assert "not a regular file" in error_line(result)
    assert not out.exists()


def test_a_store_in_a_folder_that_does_not_exist_is_refused_before_any_work(small, tmp_path):
    out = tmp_path / "week"
    result = invoke(["run", small, "--out", out, "--store", tmp_path / "no" / "p.db", "-q"])
    assert result.exit_code == 2
    assert "does not exist" in error_line(result)
    assert not out.exists() and not (tmp_path / "no").exists()


def test_a_full_disk_is_named_not_a_disk_io_error(tmp_path, monkeypatch):
    db = tmp_path / "planner.db"
    monkeypatch.setattr(store.schema, "_disk_full", lambda folder: True)
    error = store.schema._fail(db, sqlite3.OperationalError("disk I/O error"))
    assert isinstance(error, PlannerError) and "is full" in str(error)
    assert "disk I/O" not in str(error)


def test_a_store_on_a_read_only_mount_is_read_by_history(two_plans, tmp_path, monkeypatch):
    """`planner history` and `accuracy` only read: a store that cannot be written here (a
    read-only mount; faked, since root may write anywhere) is opened immutable."""
    plan, directory = two_plans
    db = tmp_path / "planner.db"
    store.record_run(db, run_record(plan), directory)
    monkeypatch.setattr(store.schema, "_read_only", lambda path: True)
    opened: list[str] = []
    real = store.schema._connect_read_only

    def spy(path):
        opened.append(str(path))
        return real(path)

    monkeypatch.setattr(store.schema, "_connect_read_only", spy)
    result = invoke(["history", "--store", db, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "2026-W07" in result.stdout and opened


# --- kills in the recording window (a deterministic hook, in a forked child) --------------------

FORK = multiprocessing.get_context("fork")


def _publish_and_die(scenario: Path, week: str, out: Path, at: str) -> None:
    """Run the week with the store hook and SIGKILL this process at `at`: `confirm_run`
    (after the swap, before the confirmation) or `replace_directory` (after the pending record,
    before the swap)."""

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if at == "confirm_run":
        store.confirm_run = die  # type: ignore[assignment]
    else:
        jobs.swap.replace_directory = die  # type: ignore[assignment]
    jobs.run_week(scenario, week=week, out_dir=out, store_hook=RunRecorder())
    os._exit(0)  # not reached


def _killed(scenario: Path, week: str, out: Path, at: str) -> int:
    child = FORK.Process(target=_publish_and_die, args=(scenario, week, out, at))
    child.start()
    child.join(120)
    return child.exitcode


@pytest.mark.slow
def test_a_kill_after_the_swap_before_the_confirmation_keeps_publishing_and_store_agreed(
    small, tmp_path
):
    out = tmp_path / "out"
    out.mkdir()
    assert _killed(small, "2026-W07", out / "first", "confirm_run") == -signal.SIGKILL
    assert (out / "first" / "roster.csv").exists()  # published
    db = out / "planner.db"
    with store.connected(db) as conn:
        run_id, directory = store.in_force(conn, "small", dt.date(2026, 2, 9))
    assert directory is None and run_id is not None  # the pending run, judged by its files
    with deadline(60):
        second = invoke(["run", small, "--week", "2026-W08", "--out", out / "second", "-q"])
    assert second.exit_code in (0, 3), second.output
    _legal_across(small, out / "first", out / "second")
    assert store.list_runs(db)["published"].tolist() == [True, True]
    # the next run of week 7 itself sweeps what the killed one left
    with deadline(60):
        again = invoke(["run", small, "--week", "2026-W07", "--out", out / "first", "-q"])
    assert again.exit_code in (0, 3), again.output
    assert sorted(p.name for p in out.iterdir()) == ["first", "planner.db", "second"] + [
        p.name for p in out.iterdir() if p.name.startswith("planner.db-")
    ]


@pytest.mark.slow
def test_a_kill_after_the_pending_record_before_the_swap_publishes_nothing(small, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    first = invoke(["run", small, "--week", "2026-W07", "--out", out / "first", "-q"])
    assert first.exit_code in (0, 3), first.output
    before = {p.name: p.read_bytes() for p in (out / "first").iterdir()}
    # revision 2 differs (a stricter target), or it would publish the very same bytes
    small.write_text(small.read_text(encoding="utf-8") + "[service]\nsl_pct = 95\n")
    assert _killed(small, "2026-W07", out / "first", "replace_directory") == -signal.SIGKILL
    assert {p.name: p.read_bytes() for p in (out / "first").iterdir()} == before
    db = out / "planner.db"
    with store.connected(db) as conn:
        in_force = store.in_force(conn, "small", dt.date(2026, 2, 9))
    assert in_force == (1, None)  # revision 1 stays in force: the pending one was not swapped
    with deadline(60):
        second = invoke(["run", small, "--week", "2026-W08", "--out", out / "second", "-q"])
    assert second.exit_code in (0, 3), second.output
    _legal_across(small, out / "first", out / "second")
    with store.connected(db) as conn:
        states = dict(conn.execute("SELECT run_id, state FROM publications").fetchall())
    assert states == {1: "confirmed", 2: "abandoned", 3: "confirmed"}


@pytest.mark.slow
def test_a_killed_first_publish_leaves_nothing_once_another_week_runs(small, tmp_path):
    """Cron's default layout: week 7 killed after its pending record, before its first swap
    (a hidden .tmp and a .lock are left); the next run, of week 8, sweeps them."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.lock").write_text("the user's, not empty\n")  # never touched
    assert _killed(small, "2026-W07", out / "2026-W07", "replace_directory") == -signal.SIGKILL
    left = sorted(p.name for p in out.iterdir() if "2026-W07" in p.name)
    assert "2026-W07.lock" in left and any(n.endswith(".tmp") for n in left)
    with deadline(60):
        second = invoke(["run", small, "--week", "2026-W08", "--out", out / "2026-W08", "-q"])
    assert second.exit_code in (0, 3), second.output
    assert [p.name for p in out.iterdir() if "2026-W07" in p.name] == []
    assert (out / "notes.lock").read_text() == "the user's, not empty\n"


@pytest.mark.slow
def test_ctrl_c_after_the_swap_says_the_week_is_published(small, tmp_path, monkeypatch):
    def interrupted(self, plan, out_dir):
        raise KeyboardInterrupt

    monkeypatch.setattr(RunRecorder, "after_publish", interrupted)
    out = tmp_path / "week"
    result = invoke(["run", small, "--week", "2026-W07", "--out", out, "-q"])
    assert result.exit_code == 130
    assert result.stderr.strip() == (
        f"planner: interrupted after the week was published in {out}/; the next run settles "
        "its store record"
    )
    assert (out / "roster.csv").exists()
