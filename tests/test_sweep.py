"""`planner sweep`: sites x scenarios x weeks on the local pool and on Dask (a LocalCluster of
two workers). Laws: the same cells give the same week files byte for byte and the same store
rows on every engine; a cell is recorded once however often it is delivered or the sweep is
run; bad input is one line and nothing written; a worker killed mid-solve has its cell rerun."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import SMALL_RULES, write_history
from helpers import error_line, invoke
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import InputError
from planner.jobs import engines, sweep
from planner.report import render_table
from planner.scenario import week_label

SITE = '[data]\nhistory = "history.csv"\ncountry = "none"\n[forecast]\nmodel = "seasonal_naive"\n'
# the cells' own columns in the store (run_id, created_utc and out_dir say where and when)
RUN_COLUMNS = (
    "scenario, scenario_sha256, week, week_start, revision, published, planner_version, "
    "exit_code, solver, solver_status, gap_pct, objective, bound, forecast_model, level_pct, "
    "interval_min, history_last_day, country, shrinkage_pct, summary_json"
)


def make_plan(root: Path, weeks: str = "2026-W07", sites=("north", "south"), highs=False) -> Path:
    """Two sites (each its own history), the site's own scenario and a 90% what-if (solved by
    the in-process HiGHS, which forks, with `highs`)."""
    for name in sites:
        (root / name).mkdir(exist_ok=True)
        write_history(root / name / "history.csv")
        (root / name / "site.toml").write_text(SITE + SMALL_RULES, encoding="utf-8")
    rules = SMALL_RULES.replace("[run]", '[run]\nsolver = "highs"') if highs else SMALL_RULES
    (root / "tight.toml").write_text("[service]\nsl_pct = 90\n" + rules, encoding="utf-8")
    text = f'weeks = "{weeks}"\n'
    for name in sites:
        text += f'[[sites]]\nname = "{name}"\nscenario = "{name}/site.toml"\n'
    text += '[[scenarios]]\nname = "own"\nfile = "north/site.toml"\n'
    text += '[[scenarios]]\nfile = "tight.toml"\n'
    path = root / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def store_rows(path: Path) -> list[tuple]:
    """Every row of the cells' runs and their child tables, without run_id / time / place."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(f"SELECT {RUN_COLUMNS} FROM runs ORDER BY scenario, week").fetchall()
        for table in ("inputs", "kpis", "forecast", "requirements", "shifts", "coverage"):
            names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            shown = ", ".join(f't."{n}"' for n in names if n != "run_id")
            rows += conn.execute(
                f"SELECT r.scenario, r.week, {shown} FROM {table} t JOIN runs r USING (run_id) "
                f"ORDER BY r.scenario, r.week, {shown}"
            ).fetchall()
    return rows


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# --- the plan ------------------------------------------------------------------------------------


@given(st.integers(1, 50), st.integers(0, 51))
def test_a_week_range_has_one_cell_per_week(first: int, length: int) -> None:
    last = min(52, first + length)
    starts = sweep.parse_weeks(f"2027-W{first:02d}..2027-W{last:02d}", "plan")
    assert len(starts) == last - first + 1
    assert [week_label(s) for s in starts][0] == f"2027-W{first:02d}"
    assert all((b - a).days == 7 for a, b in zip(starts, starts[1:], strict=False))


@pytest.mark.parametrize("weeks", ["2027-W05..2027-W02", "2027-W99", 7, ["2027-W01", "2027-W01"]])
def test_a_bad_week_range_is_refused(weeks) -> None:
    with pytest.raises(InputError):
        sweep.parse_weeks(weeks, "plan")


def test_cells_are_sites_by_scenarios_by_weeks_with_distinct_keys(tmp_path: Path) -> None:
    plan = sweep.read_plan(make_plan(tmp_path, weeks="2026-W07..2026-W09"))
    assert len(plan.cells) == 2 * 2 * 3
    assert len({c.key for c in plan.cells}) == len(plan.cells)
    # the same site files under another name are another cell; the same inputs, the same key
    again = sweep.read_plan(tmp_path / "plan.toml")
    assert [c.key for c in again.cells] == [c.key for c in plan.cells]
    (tmp_path / "south" / "history.csv").write_text(
        (tmp_path / "south" / "history.csv").read_text() + "2026-02-09T00:00:00,1,300\n"
    )
    changed = sweep.read_plan(tmp_path / "plan.toml")
    moved = {c.name for c, d in zip(plan.cells, changed.cells, strict=True) if c.key != d.key}
    assert moved == {c.name for c in plan.cells if c.site == "south"}


# --- bad input: one line, nothing written ----------------------------------------------------------


def test_a_site_without_its_history_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    (tmp_path / "south" / "history.csv").unlink()
    result = invoke(["sweep", plan, "--out", tmp_path / "out", "--quiet"])
    assert result.exit_code == 2
    line = error_line(result)
    assert "site south" in line and "history.csv" in line
    assert not (tmp_path / "out").exists() and not (tmp_path / "plan.db").exists()


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    plan = make_plan(tmp_path)
    result = invoke(
        ["sweep", plan, "--engine", "dask://127.0.0.1:9", "--connect-timeout", "0.5", "-q"]
    )
    assert result.exit_code == 1
    assert "dask://127.0.0.1:9: no Dask scheduler answered" in error_line(result)
    assert not (tmp_path / "plan.db").exists()


def test_without_dask_the_dask_engines_say_what_to_install(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(engines, "distributed", None)
    for engine in ("dask-local:2", "dask://127.0.0.1:8786", "dask-local-threads:2"):
        result = invoke(["sweep", make_plan(tmp_path), "--engine", engine, "-q"])
        assert result.exit_code == 2
        assert "pip install 'planner[dask]'" in error_line(result)


@pytest.mark.parametrize("text", ["dask", "dask-local:0", "dask://host", "spark://x:1", "local:x"])
def test_a_bad_engine_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        engines.engine_from_text(text)


# --- the same cells everywhere ---------------------------------------------------------------------


def run_engine(plan: Path, root: Path, engine: str) -> tuple[str, dict[str, bytes], list[tuple]]:
    """The sweep's CSV, its week files and its store rows on `engine`."""
    out, db = root / f"out-{engine}", root / f"{engine}.db"
    result = invoke(
        ["sweep", plan, "--engine", engine, "--out", out, "--store", db, "-q", "--format", "csv"]
    )
    assert result.exit_code == 0, result.stderr
    files = tree(out)
    assert len(files) == 2 * 10  # 2 cells x the week's 9 files and its marker
    return result.stdout, files, store_rows(db)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, tuple]:
    """One site, its own scenario (CBC) and a 90% what-if solved by HiGHS (which forks, made
    to work from a daemonic Dask worker), one week, planned in this process."""
    root = tmp_path_factory.mktemp("engines")
    plan = make_plan(root, sites=("north",), highs=True)
    return plan, run_engine(plan, root, "local")


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["local:2", "dask-local:2", "dask-local-threads:2"])
def test_every_engine_gives_the_same_files_and_store_rows(reference, engine: str) -> None:
    """Byte-identical week files, the same table and identical store rows as in-process."""
    if engine.startswith("dask"):
        pytest.importorskip("distributed")
    plan, expected = reference
    got = run_engine(plan, plan.parent, engine)
    assert got[0] == expected[0]
    assert got[1] == expected[1]
    assert got[2] == expected[2]


@pytest.mark.slow
def test_a_sweep_run_again_skips_what_the_store_holds(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    first = invoke(["sweep", plan, "--format", "csv"])
    assert first.exit_code == 0, first.stderr
    assert "4 cells planned, 0 found in the store" in first.stderr
    again = invoke(["sweep", plan, "--format", "csv", "--plot", tmp_path / "sweep.png"])
    assert again.exit_code == 0
    assert (tmp_path / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "0 cells planned, 4 found in the store" in again.stderr
    assert again.stdout == first.stdout
    with sqlite3.connect(tmp_path / "plan.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (4,)


@pytest.mark.slow
def test_a_cell_delivered_twice_is_recorded_once(tmp_path: Path) -> None:
    """An engine that delivers each result twice (a retried task whose first run also got
    through) still gives one run per cell."""

    class Twice:
        name = "twice"

        def run(self, work, shared, calls, keys=None):
            for outcome in engines.LocalEngine(1).run(work, shared, calls, keys):
                yield outcome
                yield outcome

    plan = make_plan(tmp_path, sites=("north",))
    result = sweep.run_sweep(plan, Twice())
    assert result.planned == 2 and not result.failures
    with sqlite3.connect(tmp_path / "plan.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (2,)


# --- faults ---------------------------------------------------------------------------------------


def _solver_children() -> list:
    import psutil

    return [
        p
        for p in psutil.Process().children(recursive=True)
        if p.is_running() and "cbc" in p.name().lower()
    ]


@pytest.mark.slow
def test_a_worker_killed_mid_solve_has_its_cell_rerun(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    plan = make_plan(tmp_path, weeks="2026-W07..2026-W09")
    seen: list = []
    stop = threading.Event()

    def killer() -> None:
        while not stop.is_set():
            for child in _solver_children():
                worker = child.parent()
                if worker is not None and worker.pid != os.getpid():
                    seen.append(child)
                    os.kill(worker.pid, signal.SIGKILL)
                    return
            time.sleep(0.01)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        result = sweep.run_sweep(plan, engines.DaskEngine(workers=2, retries=3))
    finally:
        stop.set()
        thread.join()
    assert seen, "no solver child was seen to kill its worker"
    assert not result.failures, result.failures
    assert result.planned == 12
    deadline = time.monotonic() + 10
    while any(p.is_running() and p.status() != "zombie" for p in seen):
        assert time.monotonic() < deadline, "a solver child outlived its worker by 10 s"
        time.sleep(0.1)
    with sqlite3.connect(tmp_path / "plan.db") as conn:
        per_cell = conn.execute(
            "SELECT COUNT(*) FROM inputs WHERE role = ? GROUP BY sha256", (sweep.CELL_ROLE,)
        ).fetchall()
        assert len(per_cell) == 12 and {n for (n,) in per_cell} == {1}
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (12,)


@pytest.mark.slow
def test_compare_on_a_dask_engine_gives_the_same_table(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    make_plan(tmp_path, sites=("north",))
    tight = tmp_path / "north" / "tight.toml"
    tight.write_text('extends = "site.toml"\n[service]\nsl_pct = 90\n', encoding="utf-8")
    args = ["compare", tmp_path / "north" / "site.toml", tight, "--week"]
    args += ["2026-W07", "--no-store", "--format", "csv"]
    local = invoke(args)
    dask = invoke([*args, "--engine", "dask-local-threads:2"])
    assert local.exit_code == 0, local.stderr
    assert dask.exit_code == 0, dask.stderr
    assert dask.stdout == local.stdout


@pytest.mark.slow
def test_a_worker_on_another_planner_version_is_named(monkeypatch, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setattr(engines, "__version__", "0.0.0-other")
    result = invoke(["sweep", make_plan(tmp_path), "--engine", "dask-local-threads:1", "-q"])
    assert result.exit_code == 1
    line = error_line(result)
    assert "dask-local-threads:1: worker " in line and "planner" in line
    assert not (tmp_path / "plan.db").exists()


@pytest.mark.slow
def test_a_failed_cell_is_named_with_why_and_the_others_are_kept(tmp_path: Path) -> None:
    """A site whose history is daily while its scenario asks for 60-minute intervals fails
    when planned (not when read): that cell is one line, exit 1, the other cell is stored."""
    make_plan(tmp_path, sites=("north",))
    daily = tmp_path / "daily"
    daily.mkdir()
    days = [f"2026-01-{d:02d},{900 + 10 * (d % 7)}" for d in range(1, 32)]
    (daily / "history.csv").write_text("timestamp,calls\n" + "\n".join(days) + "\n")
    (daily / "site.toml").write_text(
        SITE.replace('"seasonal_naive"', '"seasonal_naive"\ninterval_min = 60') + SMALL_RULES
    )
    plan = tmp_path / "mixed.toml"
    plan.write_text(
        'weeks = "2026-W07"\n[[sites]]\nname = "north"\nscenario = "north/site.toml"\n'
        '[[sites]]\nname = "daily"\nscenario = "daily/site.toml"\n'
    )
    result = invoke(["sweep", plan, "--format", "csv", "-q"])
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith("planner: error: daily/site/2026-W07: ") and "daily rows" in line
    assert result.stdout.splitlines()[1].startswith("north,site,2026-W07,week,")
    with sqlite3.connect(tmp_path / "mixed.db") as conn:
        assert conn.execute("SELECT scenario FROM runs").fetchall() == [("north:site",)]


# --- the capacity plan as a kind of cell ---------------------------------------------------------

CAPACITY = "[capacity]\nhorizon_weeks = 12\ndraws = 200\ntemp_max = 2\n"


def make_capacity_plan(root: Path, kinds: str = '["capacity"]') -> Path:
    """One site with today's agents and a short capacity horizon, a capacity cell (and week
    cells when `kinds` asks), no what-if: the site's own scenario."""
    (root / "north").mkdir(exist_ok=True)
    write_history(root / "north" / "history.csv")
    rows = [f"A{i:02d},full-time,48,2025-0{1 + i % 9}-01" for i in range(12)]
    (root / "north" / "agents.csv").write_text(
        "agent,contract,weekly_hours,hire_date\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    site = SITE.replace("[data]\n", '[data]\nagents = "agents.csv"\n') + SMALL_RULES + CAPACITY
    (root / "north" / "site.toml").write_text(site, encoding="utf-8")
    path = root / "plan.toml"
    path.write_text(
        f'weeks = "2026-W07"\nkinds = {kinds}\n'
        '[[sites]]\nname = "north"\nscenario = "north/site.toml"\n',
        encoding="utf-8",
    )
    return path


def test_a_capacity_cell_is_one_per_site_and_scenario_with_its_own_key(tmp_path: Path) -> None:
    plan = make_capacity_plan(tmp_path, '["week", "capacity"]')
    plan.write_text(plan.read_text().replace('"2026-W07"', '"2026-W07..2026-W09"'))
    cells = sweep.read_plan(plan).cells
    assert [str(c.kind) for c in cells] == ["week"] * 3 + ["capacity"]
    assert cells[-1].name == "north/site/capacity" and cells[-1].week == "2026-W07"
    assert len({c.key for c in cells}) == 4
    assert cells[-1].sha256 not in {c.sha256 for c in cells[:-1]}


@pytest.mark.parametrize("kinds", ['["month"]', "[]", '"week"', '["week", "week"]'])
def test_a_bad_kind_is_one_line_naming_the_key(tmp_path: Path, kinds: str) -> None:
    plan = make_capacity_plan(tmp_path, kinds)
    result = invoke(["sweep", plan, "--no-store"])
    assert result.exit_code == 2
    assert "kinds" in error_line(result)
    assert not (tmp_path / "plan.db").exists()


def run_capacity_engine(plan: Path, root: Path, engine: str) -> tuple[str, dict[str, bytes]]:
    out = root / f"out-{engine}"
    result = invoke(["sweep", plan, "--engine", engine, "--out", out, "--no-store", "-q",
                     "--format", "csv"])  # fmt: skip
    assert result.exit_code in (0, 3), result.stderr
    return result.stdout, tree(out)


@pytest.mark.slow  # a LocalCluster started and stopped (seconds to tens of seconds under load)
def test_a_capacity_cell_gives_the_same_table_and_files_on_dask_threads(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    plan = make_capacity_plan(tmp_path)
    here = run_capacity_engine(plan, tmp_path, "local")
    assert {Path(n).name for n in here[1]} == {"capacity.csv", "cell.json", ".planner-week"}
    frame = pd.read_csv(io.StringIO(here[0]))
    assert list(frame["kind"]) == ["capacity"]
    table = pd.read_csv(tmp_path / "out-local" / "north" / "site" / "capacity" / "capacity.csv")
    assert frame["required_fte"].iloc[0] == pytest.approx(table["required_fte"].max())
    assert frame["worst_gap_fte"].iloc[0] == pytest.approx(table["gap_fte"].min(), abs=0.01)
    assert frame["weeks_p_short_over_20pct"].iloc[0] == (table["p_short"] > 0.2).sum()
    assert run_capacity_engine(plan, tmp_path, "dask-local-threads:2") == here


def test_a_written_capacity_cell_is_not_planned_again(tmp_path: Path) -> None:
    plan = make_capacity_plan(tmp_path)
    args = ["sweep", plan, "--out", tmp_path / "out", "--format", "csv"]
    first = invoke(args)
    assert first.exit_code in (0, 3), first.stderr
    assert "1 cells planned, 0 found" in first.stderr
    again = invoke(args)
    assert "0 cells planned, 1 found" in again.stderr
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)


def test_a_capacity_folder_someone_else_wrote_is_refused(tmp_path: Path) -> None:
    plan = make_capacity_plan(tmp_path)
    mine = tmp_path / "out" / "north" / "site" / "capacity"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = invoke(["sweep", plan, "--out", tmp_path / "out", "--no-store"])
    assert result.exit_code == 2
    assert "notes.txt" in error_line(result)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_a_missing_count_reads_as_a_dash_in_the_table() -> None:
    """A week cell has no hires, a capacity cell no headcount: `-`, as a missing figure."""
    frame = pd.DataFrame({"kind": ["week", "capacity"], "hires": pd.array([None, 3], "Int64")})
    text = render_table(frame, "cells")
    assert "<NA>" not in text and "-" in text and "3" in text
