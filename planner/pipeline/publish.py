"""Publishing a week: every output file built in a temporary sibling directory, then
swapped in at once, under a lock next to the output directory (what cron calls)."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from planner import forecast, io, schedule
from planner.errors import InputError, PlannerError
from planner.pipeline.plan import (
    Log,
    WeekPlan,
    _quiet,
    _took,
    load_history,
    plan_week,
    resolve_scenario,
    resolve_start,
    with_time_limit,
)
from planner.report import charts, summary_json, text
from planner.scenario import Scenario, week_label

OUTPUT_FILES = (
    "forecast.csv",
    "requirements.csv",
    "roster.csv",
    "coverage.csv",
    "roster.xlsx",
    "summary.json",
    "forecast.png",
    "coverage.png",
)
SIM_FILE = "sim.csv"


# --- writing ------------------------------------------------------------------------------------


def write_plan(plan: WeekPlan, directory: Path, extra: dict | None = None) -> list[str]:
    """Write every output file of `plan` into `directory` (which exists); return their names.
    `extra`: more top-level keys for summary.json (the plan store's `drift`)."""
    directory = Path(directory)
    res = plan.schedule
    names = list(OUTPUT_FILES)
    if plan.simulation is not None:
        names.append(SIM_FILE)
    io.write_text(directory / "forecast.csv", io.frame_to_csv(plan.forecast.intervals))
    io.write_text(directory / "requirements.csv", io.frame_to_csv(plan.requirements))
    io.write_text(directory / "roster.csv", io.frame_to_csv(res.roster))
    io.write_text(directory / "coverage.csv", io.frame_to_csv(res.coverage))
    schedule.write_roster_xlsx(res, directory / "roster.xlsx")
    forecast.plot_forecast(plan.history, plan.forecast, directory / "forecast.png")
    charts.plot_coverage(res.coverage, directory / "coverage.png", title=text.chart_title(plan))
    if plan.simulation is not None:
        io.write_text(directory / SIM_FILE, io.frame_to_csv(plan.simulation.intervals))
    summary = summary_json.summary_dict(plan, names)
    summary.update(extra or {})
    io.write_text(directory / "summary.json", io.to_json(summary))
    return sorted(names)


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[Path]:
    """Hold an exclusive lock on `<out_dir>.lock` (next to it) or refuse at once."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out_dir.with_name(out_dir.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise PlannerError(
                f"{out_dir}: another planner run is writing this directory (lock {lock_path} is "
                "held); not started"
            ) from None
        yield lock_path
    finally:
        os.close(fd)  # closing releases the lock


def _check_out_dir(out_dir: Path) -> None:
    if str(out_dir) == "-":  # `-` is stdout elsewhere; a week is a directory of files
        raise InputError("--out -: expected a directory, a week's outputs cannot go to stdout")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: exists and is not a directory")


def publish_directory(out_dir: Path, fill: Callable[[Path], object]) -> object:
    """Build the directory with `fill(tmp)` in a temporary sibling, then rename it onto
    `out_dir` (replacing an existing one only on success). On failure nothing changes."""
    out_dir = Path(out_dir)
    _check_out_dir(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    old: Path | None = None
    try:
        value = fill(tmp)
        os.chmod(tmp, 0o755)
        for item in tmp.iterdir():
            os.chmod(item, 0o644)  # mkstemp's 0600 would hide the files from the team
        if out_dir.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent)
            )
            os.replace(out_dir, old / "previous")
        try:
            os.replace(tmp, out_dir)
        except OSError:
            if old is not None:
                os.replace(old / "previous", out_dir)
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return value


def _remove_leftovers(out_dir: Path) -> None:
    """Temporary siblings of a run that was killed (we hold the lock, so none is live)."""
    # mkdtemp names: prefix + 8 random characters + suffix (not another directory's temps)
    for pattern in (f".{out_dir.name}.{'?' * 8}.tmp", f".{out_dir.name}.{'?' * 8}.old"):
        for stale in out_dir.parent.glob(pattern):
            shutil.rmtree(stale, ignore_errors=True)


def default_out_dir(label: str) -> Path:
    return Path("out") / label


def run_week(
    scenario: Scenario | str | os.PathLike | None = None,
    week: str | None = None,
    start: str | dt.date | None = None,
    out_dir: str | os.PathLike | None = None,
    simulate: bool | None = None,
    log: Log = _quiet,
    progress: bool = False,
    time_limit_s: float | None = None,
    store_hook=None,
) -> tuple[WeekPlan, Path]:
    """Plan the week and publish its files into `out_dir` (default `out/<week>/`), atomically,
    under a lock. Returns the plan and the directory. `plan.exit_code` is 3 when short.

    `store_hook` (a `planner.accuracy.RunRecorder`): `before_publish(plan, out_dir)` gives
    summary.json's extra keys (and may refuse the run before anything is published);
    `after_publish(plan, out_dir)` records the published run in the plan store, still under
    the lock."""
    sc = with_time_limit(resolve_scenario(scenario), time_limit_s)
    if out_dir is None:
        hist = load_history(sc)
        out_dir = default_out_dir(week_label(resolve_start(sc, hist, week, start)))
    out_dir = Path(out_dir)
    _check_out_dir(out_dir)  # before the lock and the minutes of planning
    with output_lock(out_dir):
        _remove_leftovers(out_dir)
        previous = None
        if store_hook is not None:

            def previous(scenario, first):
                return store_hook.previous_roster(scenario, first, out_dir)

        plan = plan_week(
            sc,
            week=week,
            start=start,
            simulate=simulate,
            log=log,
            progress=progress,
            previous=previous,
        )
        clock = time.monotonic()
        extra = None if store_hook is None else store_hook.before_publish(plan, out_dir)
        publish_directory(out_dir, lambda tmp: write_plan(plan, tmp, extra))
        log(f"outputs: {out_dir} {_took(clock)}")
        if store_hook is not None:
            store_hook.after_publish(plan, out_dir)
    return plan, out_dir
