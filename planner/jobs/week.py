"""The weekly run (what cron calls): plan the week and publish every output file at once
(built in a temporary sibling directory, then swapped in), under a lock next to the output
directory, with the plan store's hook before and after publishing."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pandas as pd

from planner import io
from planner.accuracy import Drift, Recorded
from planner.errors import InputError, InterruptedAfterPublish, PlannerError
from planner.jobs import swap
from planner.pipeline import (
    Log,
    WeekPlan,
    default_out_dir,
    load_history,
    plan_week,
    quiet_log,
    resolve_scenario,
    resolve_start,
    took,
    with_time_limit,
)
from planner.report.week import OUTPUT_FILES, SIM_FILE, write_plan
from planner.scenario import Scenario, week_label
from planner.schedule import child as solver_child

# Every week directory a run publishes holds this hidden file: a later run may replace only a
# directory that has it (or is empty, or an older planner's week), never a folder of the user's.
MARKER = ".planner-week"
MARKER_TEXT = "a week published by planner run; planner may replace this directory\n"


class StoreHook(Protocol):
    """The plan store's part in the weekly run (`planner.accuracy.RunRecorder` is one)."""

    def previous_roster(
        self, scenario: Scenario, week_start: dt.date, out_dir: Path
    ) -> pd.DataFrame | None:
        """Last week's published roster of `scenario`, for the week to continue."""
        ...

    def overtime_worked(
        self, scenario: Scenario, week_start: dt.date, out_dir: Path
    ) -> pd.DataFrame | None:
        """The overtime of `scenario`'s published weeks earlier in the week's year (`agent,
        start, overtime_hours`), for the month's and year's caps."""
        ...

    def before_publish(self, plan: WeekPlan, out_dir: Path) -> Drift | None:
        """Check the store (may refuse the run before anything is published); the drift."""
        ...

    def before_swap(self, plan: WeekPlan, out_dir: Path, built: Path) -> None:
        """Record the run as pending, from the files built in `built`, before the swap (may
        refuse: then nothing is published)."""
        ...

    def after_publish(self, plan: WeekPlan, out_dir: Path) -> Recorded:
        """Confirm the published run (still under the lock)."""
        ...


@dataclass(frozen=True)
class WeekRun:
    """What a weekly run did: the plan, where it was published, how it was recorded in the
    plan store (None without a store) and the forecast's drift (None: not checked)."""

    plan: WeekPlan
    directory: Path
    recorded: Recorded | None = None
    drift: Drift | None = None

    @property
    def exit_code(self) -> int:
        return self.plan.exit_code


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[Path]:
    """Hold an exclusive lock on `<out_dir>.lock` (next to it) or refuse at once. The lock file
    is removed on release, so no `.lock` outlives its run."""
    out_dir = Path(out_dir)
    lock_path = out_dir.with_name(out_dir.name + ".lock")
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise io.write_error(lock_path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise PlannerError(
                f"{out_dir}: another planner run is writing this directory (lock {lock_path} is "
                "held); not started"
            ) from None
        try:
            same = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder removed it as we opened it: lock the new one
    try:
        yield lock_path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)  # while still holding it, so nobody locks a removed file
        os.close(fd)  # closing releases the lock


def check_out_dir(out_dir: str | os.PathLike, create_parent: bool = False) -> Path:
    """Refuse, before any work, an output directory that cannot be published: `-`, an empty
    name, `.`/`..`/`/`, a name too long, an existing file, a missing parent (with
    `create_parent`, one missing level is made, as for `out/<week>`; never a deeper tree), an
    unwritable parent. Returns the path
    to publish at: a symlink is followed to its target (so the link keeps pointing at it and
    the lock covers every name of it)."""
    text = os.fspath(out_dir)
    if text == "-":  # `-` is stdout elsewhere; a week is a directory of files
        raise InputError("-: expected a directory, a week's outputs cannot go to stdout", "out_dir")
    if not text.strip():
        raise InputError('"": expected a directory name', "out_dir")
    if "\x00" in text:
        raise InputError("{out_dir}: a directory name cannot contain a NUL byte", "out_dir")
    path = Path(text)
    if any(len(os.fsencode(part)) > 240 for part in path.parts):  # room for `.NAME.<rnd>.tmp`
        raise InputError(f"{text[:60]}...: a name is longer than 240 bytes", "out_dir")
    if path.is_symlink():
        try:
            path = path.resolve()
        except (OSError, RuntimeError):
            raise InputError(f"{text}: a symlink loop", "out_dir") from None
    if path.name in ("", ".", "..") or path == Path(path.anchor):
        raise InputError(
            f"{text}: expected a directory of its own (such as out/week), not "
            "the current, parent or root directory, which a week's outputs would replace",
            "out_dir",
        )
    if len(os.fsencode(path.name)) > 240:  # room for the hidden `.NAME.<random>.tmp` sibling
        raise InputError(f"{text}: the name is longer than 240 bytes", "out_dir")
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: exists and is not a directory")
    if path.is_dir():
        _refuse_foreign(path, text)
    parent = path.parent
    if not parent.exists() and create_parent and parent.parent.is_dir():
        try:
            parent.mkdir()
        except OSError as exc:
            raise io.write_error(parent, exc) from None
    if not parent.exists():
        raise InputError(f"cannot write {path}: the folder {parent} does not exist")
    if not parent.is_dir():
        raise InputError(f"cannot write {path}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PlannerError(f"cannot write {path}: permission denied (in {parent})")
    return path


def _ours(directory: Path) -> bool:
    """Whether a hidden sibling holds nothing but what a run builds or parks."""
    try:
        names = set(os.listdir(directory))
    except OSError:
        return False
    return names <= {*OUTPUT_FILES, SIM_FILE, MARKER, "previous"}


def sweep_other_weeks(target: Path) -> list[str]:
    """Recover the other week directories beside `target` that a killed run left half done
    (a hidden `.NAME.<random>.tmp` or `.old`, a stale `NAME.lock`), each under its own lock
    (one another run holds is left alone), so no leftover waits for the next run of its own
    week. Only planner's own: hidden siblings holding only output files, lock files that are
    empty beside a published week or none. Returns what was done, one line each."""
    parent = target.parent
    names: set[str] = set()
    for suffix in (".tmp", ".old"):
        for hidden in parent.glob(f".*.{swap.RANDOM_PART}{suffix}"):
            if hidden.is_dir() and not hidden.is_symlink() and _ours(hidden):
                names.add(hidden.name[1:].rsplit(".", 2)[0])
    for lock in parent.glob("*.lock"):
        name = lock.name[: -len(".lock")]
        other = parent / name
        with contextlib.suppress(OSError):
            empty = lock.is_file() and lock.stat().st_size == 0
            if empty and (not other.exists() or (other / MARKER).is_file()):
                names.add(name)
    names.discard(target.name)
    done: list[str] = []
    for name in sorted(names):
        other = parent / name
        if other.exists() and not (other / MARKER).is_file():
            continue  # not a week of ours
        try:
            with output_lock(other):
                done += swap.recover(other)
        except PlannerError:
            continue  # another run is publishing that week right now
    return done


def _refuse_foreign(path: Path, text: str) -> None:
    """Refuse to replace a directory that no planner run published: only an empty one, one
    holding `MARKER` or (written by an earlier planner) only the week's output files with its
    summary.json may be replaced, since replacing removes everything in it."""
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        raise io.write_error(path, exc) from None
    if not names or MARKER in names:
        return
    ours = {*OUTPUT_FILES, SIM_FILE}
    if "summary.json" in names and set(names) <= ours:
        try:
            summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
            if isinstance(summary, dict) and "version" in summary and "week" in summary:
                return
        except (OSError, ValueError):
            pass
    foreign = [n for n in names if n not in ours][:3] or names[:3]
    shown = text if text == str(path) else f"{text} (-> {path})"
    raise InputError(
        f"{shown}: exists and holds files no planner run published ({', '.join(foreign)}"
        f"{', ...' if len(names) > 3 else ''}), which publishing would delete; give a new or "
        "empty directory, or one a planner run published",
        "out_dir",
    )


def publish_directory(
    out_dir: Path,
    fill: Callable[[Path], object],
    before_swap: Callable[[Path], object] | None = None,
) -> object:
    """Build the directory with `fill(tmp)` in a temporary sibling, then (after
    `before_swap(tmp)`: the store's pending record) swap it in for `out_dir` in one step
    (`swap.replace_directory`). On failure nothing changes; a kill leaves `out_dir` whole (or
    recoverable by `swap.recover`)."""
    out_dir = check_out_dir(out_dir)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    except OSError as exc:
        raise io.write_error(out_dir, exc) from None
    try:
        value = fill(tmp)
        (tmp / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp's 0700 would hide the week from the team
        for item in tmp.iterdir():
            os.chmod(item, 0o666 & ~umask)
        if before_swap is not None:
            before_swap(tmp)
        try:
            parking = swap.replace_directory(tmp, out_dir)
        except OSError as exc:
            raise io.write_error(out_dir, exc) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the new files, or after a swap the old ones
    if parking is not None:
        shutil.rmtree(parking, ignore_errors=True)
    return value


def run_week(
    scenario: Scenario | str | os.PathLike | None = None,
    week: str | None = None,
    start: str | dt.date | None = None,
    out_dir: str | os.PathLike | None = None,
    simulate: bool | None = None,
    log: Log = quiet_log,
    progress: bool = False,
    time_limit_s: float | None = None,
    store_hook: StoreHook | None = None,
    allowed_dirs: Sequence[str | os.PathLike] = (),
) -> WeekRun:
    """Plan the week and publish its files into `out_dir` (default `out/<week>/`), atomically,
    under a lock. `exit_code` is 3 when short.

    `allowed_dirs`: folders outside its own that the scenario may name files in.
    `store_hook`: `previous_roster` lets the week continue last week's published roster,
    `overtime_worked` hold its overtime to what earlier weeks left of the month's and year's
    caps;
    `before_publish` checks the store and the drift (summary.json's `drift` key) and may
    refuse the run before anything is published; `before_swap` records the run as pending
    once its files are built, before they are swapped in; `after_publish` confirms it, still
    under the lock. Publishing and recording thus agree: a kill or a store failure between the
    swap and the confirmation leaves a pending run that the next run settles from the files."""
    sc = with_time_limit(resolve_scenario(scenario, allowed_dirs), time_limit_s)
    hist = None
    if out_dir is None:
        hist = load_history(sc)
        out_dir = default_out_dir(week_label(resolve_start(sc, hist, week, start)))
        target = check_out_dir(out_dir, create_parent=True)
    else:
        target = check_out_dir(out_dir, create_parent=True)  # before the lock and the planning
        if week or start:
            resolve_start(sc, None, week, start)  # a bad week is refused before the lock
    shown = Path(out_dir)
    with output_lock(target):
        for line in swap.recover(target):  # first of all: a killed run's leftovers
            log(line)
        for line in sweep_other_weeks(target):  # and those of killed runs of other weeks
            log(line)
        solver_child.sweep_stale()  # and the solver folders of a planner that was killed
        previous, overtime = None, None
        if store_hook is not None:
            hook = store_hook

            def previous(scenario: Scenario, first: dt.date) -> pd.DataFrame | None:
                return hook.previous_roster(scenario, first, shown)

            def overtime(scenario: Scenario, first: dt.date) -> pd.DataFrame | None:
                return hook.overtime_worked(scenario, first, shown)

        plan = plan_week(
            sc,
            week=week,
            start=start,
            simulate=simulate,
            log=log,
            progress=progress,
            previous=previous,
            overtime_before=overtime,
        )
        clock = time.monotonic()
        drift, extra = None, None
        if store_hook is not None:
            drift = store_hook.before_publish(plan, shown)
            extra = {"drift": None if drift is None else drift.as_dict()}
        before_swap = None
        if store_hook is not None:
            recorder = store_hook

            def before_swap(tmp: Path) -> None:
                recorder.before_swap(plan, shown, tmp)

        publish_directory(target, lambda tmp: write_plan(plan, tmp, extra), before_swap)
        try:
            log(f"outputs: {target} {took(clock)}")
            recorded = None if store_hook is None else store_hook.after_publish(plan, shown)
        except KeyboardInterrupt:
            pending = "" if store_hook is None else "; the next run settles its store record"
            raise InterruptedAfterPublish(
                f"after the week was published in {shown}/{pending}"
            ) from None
    return WeekRun(plan, shown, recorded, drift)
