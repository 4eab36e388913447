"""`planner sweep`: many week plans (sites x scenarios x weeks) on one engine, with only this
process (the client) writing files and the plan store.

A sweep plan is a TOML file:

    weeks = "2027-W01..2027-W04"     # an ISO week range (or a list of weeks)
    kinds = ["week", "capacity"]     # optional; default ["week"]
    store = "sweep.db"               # optional; default: <plan name>.db beside the plan
    [[sites]]                        # each site: a scenario file with its own history, agents
    name = "north"
    scenario = "sites/north.toml"
    [[scenarios]]                    # optional; without, each site's own file is its scenario
    name = "service-90-20"
    file = "../scenarios/service-90-20.toml"

A cell is one (kind, site, scenario, week). A week cell plans the site's `[data]` (history,
agents, events, temperature, country, time zone) under the scenario's forecast, service, rules
and run settings (`plan_week`); weeks are planned independently (each cyclic, no roster
carried over from the week before, so every cell can run anywhere at any time). A capacity
cell is the capacity plan (`planner capacity`) of one site and scenario, from the range's first
week over the scenario's `[capacity] horizon_weeks`: one per site and scenario, not per week.

Idempotence: a cell's key is its site, scenario, week and the SHA-256 of everything it reads
(the scenario and site files, the history, agents, events and temperature files, planner's
version). The store records a cell's run with an `inputs` row of role `sweep-cell` holding that
checksum; a cell whose key is stored is not planned again (a retried task or a second delivery
is recorded once; a sweep interrupted and run again with the same command skips what it has).
A cell's week files are published (all at once) before its run is recorded. The store holds
week runs only: a capacity cell's key is kept in `cell.json` beside its `capacity.csv` under
`--out` (`<site>/<scenario>/capacity/`), so with `--out` a capacity cell already written is not
planned again, and without it every capacity cell is planned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import tempfile
import threading
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner import __version__, history, io, store
from planner.accuracy import run_record
from planner.choices import CellKind
from planner.errors import ExitCode, InputError, PlannerError
from planner.jobs.capacity import plan_scenario
from planner.jobs.engines import Engine, Outcome, Shared
from planner.jobs.week import check_out_dir, publish_directory
from planner.pipeline import load_history, plan_week, resolve_scenario
from planner.pipeline.kpis import summary_inputs
from planner.report import capacity as capacity_report
from planner.report import summary_json
from planner.report.week import write_plan
from planner.scenario import Scenario, parse_week, week_label
from planner.store import RunRecord

CELL_ROLE = "sweep-cell"  # the store's `inputs.role` of a cell's idempotent key
MAX_CELLS = 100_000
ROW_KEYS = (
    "required_fte",
    "headcount",
    "cost",
    "service_level_pct",
    "shortfall_staff_hours",
    "understaffed_intervals",
)
# a capacity cell's own figures (its required_fte is the plan's peak, cost the plan's total,
# shortfall_staff_hours the plan's shortfall hours); shown when the plan asks for capacity
CAPACITY_KEYS = ("hires", "worst_gap_fte", "weeks_p_short_over_20pct")
COUNT_COLUMNS = (
    "headcount",
    "understaffed_intervals",
    "hires",
    "weeks_p_short_over_20pct",
    "exit_code",
)
FRAME_COLUMNS = (
    "site",
    "scenario",
    "week",
    "kind",
    *ROW_KEYS,
    *CAPACITY_KEYS,
    "exit_code",
    "source",
)
CAPACITY_DIR = "capacity"  # a capacity cell's folder under <site>/<scenario>/
CAPACITY_MARK = "cell.json"  # its idempotent key and table row, written with capacity.csv
_PLOT_LOCK = threading.Lock()  # matplotlib's pyplot is not thread-safe (the threads engine)


@dataclass(frozen=True)
class Cell:
    """One unit of work: a kind of plan for one site, scenario and week. `key` is its
    idempotent key (site, scenario, week, inputs' SHA-256)."""

    kind: CellKind
    site: str
    scenario: str
    week: str
    start: dt.date
    sha256: str

    @property
    def name(self) -> str:
        if self.kind is CellKind.CAPACITY:
            return f"{self.site}/{self.scenario}/{CAPACITY_DIR}"
        return f"{self.site}/{self.scenario}/{self.week}"

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.site}-{self.scenario}-{self.week}-{self.sha256[:16]}"


@dataclass(frozen=True)
class CellInputs:
    """What the cells of one site and scenario read, shipped to the workers once: the scenario
    and the content of every file it names (`(sha256, name, bytes)`, in `input_paths` order),
    so that a worker needs no shared file system."""

    scenario: Scenario
    files: tuple[tuple[str, str, bytes], ...]


@dataclass(frozen=True)
class SweepPlan:
    """A read and checked sweep plan: the scenario of each (site, scenario) pair and the cells
    in plan order (site, then scenario, then week)."""

    source: Path
    scenarios: Mapping[tuple[str, str], CellInputs]
    cells: tuple[Cell, ...]
    store_path: Path


@dataclass(frozen=True)
class CellResult:
    """What a worker sends back: the table row's figures, the store's record, summary.json's
    object and the week's files (name -> bytes; empty unless asked)."""

    cell: Cell
    kpis: Mapping[str, object]
    exit_code: int
    record: RunRecord | None  # None: a capacity cell (not a week run of the store)
    summary: Mapping[str, object]
    files: Mapping[str, bytes]


@dataclass(frozen=True)
class Failure:
    cell: Cell
    reason: str


@dataclass(frozen=True)
class Sweep:
    """The sweep's table (one row per cell, `FRAME_COLUMNS`), the cells that failed and why,
    and how many cells were planned now and found in the store."""

    frame: pd.DataFrame
    failures: tuple[Failure, ...]
    planned: int
    stored: int
    engine: str

    @property
    def exit_code(self) -> int:
        if self.failures:
            return int(ExitCode.RUNTIME_ERROR)
        if (self.frame["exit_code"] == ExitCode.TARGETS_NOT_MET).any():
            return int(ExitCode.TARGETS_NOT_MET)
        return int(ExitCode.OK)


# --- the plan file -------------------------------------------------------------------------------


def parse_weeks(value, where: str) -> tuple[dt.date, ...]:
    """`2027-W01..2027-W04` (inclusive), one week, or a list of weeks: their Mondays."""
    if isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = [value]
    else:
        raise InputError(f"{where}: expected a week range such as 2027-W01..2027-W52")
    starts: list[dt.date] = []
    for item in items:
        if not isinstance(item, str):
            raise InputError(f"{where}: {item!r}: expected a week such as 2027-W01")
        first_text, sep, last_text = item.partition("..")
        try:
            first = parse_week(first_text.strip())
            last = parse_week(last_text.strip()) if sep else first
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        if last < first:
            raise InputError(f"{where}: {item}: the range ends before it starts")
        day = first
        while day <= last:
            starts.append(day)
            day += dt.timedelta(days=7)
    if not starts:
        raise InputError(f"{where}: no week")
    if len(set(starts)) != len(starts):
        raise InputError(f"{where}: a week is listed twice")
    return tuple(starts)


def parse_kinds(value, where: str) -> tuple[CellKind, ...]:
    """`["week"]`, `["capacity"]` or both: the kinds of cell of each site and scenario."""
    choices = ", ".join(repr(str(k)) for k in CellKind)
    if not isinstance(value, list) or not value:
        raise InputError(f"{where}: expected a list of {choices}")
    kinds: list[CellKind] = []
    for item in value:
        if item not in {str(k) for k in CellKind}:
            raise InputError(f"{where}: {item!r}: expected {choices}")
        if CellKind(item) in kinds:
            raise InputError(f"{where}: {item!r} is listed twice")
        kinds.append(CellKind(item))
    return tuple(kinds)


def _name(entry: Mapping, key: str, where: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if (
        not isinstance(value, str)
        or not value
        or not value.replace("-", "").replace("_", "").isalnum()
    ):
        raise InputError(f"{where}: {key} = {value!r}: expected a name of letters, digits, - or _")
    return value


def _file(entry: Mapping, key: str, base: Path, where: str) -> Path:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: {key}: expected a scenario file name")
    path = Path(value)
    return path if path.is_absolute() else Path(os.path.normpath(base / path))


def read_plan(path: str | os.PathLike, store_path: str | os.PathLike | None = None) -> SweepPlan:
    """Read and check a sweep plan: every site's scenario and history are read here, before
    any work, so a missing file is one line naming the site."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such sweep plan") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"weeks", "kinds", "store", "sites", "scenarios"})
    if unknown:
        raise InputError(
            f"{path}: unknown key {unknown[0]!r} (expected weeks, kinds, store, sites, scenarios)"
        )
    base = path.parent
    starts = parse_weeks(data.get("weeks"), f"{path}: weeks")
    kinds = parse_kinds(data.get("kinds", ["week"]), f"{path}: kinds")
    sites = data.get("sites")
    if not isinstance(sites, list) or not sites or not all(isinstance(s, dict) for s in sites):
        raise InputError(f"{path}: [[sites]]: expected at least one site (name, scenario)")
    what_ifs = data.get("scenarios", [])
    if not isinstance(what_ifs, list) or not all(isinstance(s, dict) for s in what_ifs):
        raise InputError(f"{path}: [[scenarios]]: expected tables (name, file)")
    loaded_sites: list[tuple[str, Scenario]] = []
    for i, entry in enumerate(sites, 1):
        name = _name(entry, "name", f"{path}: [[sites]] #{i}")
        file = _file(entry, "scenario", base, f"{path}: site {name}")
        try:
            site = resolve_scenario(file)
            load_history(site)
        except PlannerError as exc:
            raise exc.prefixed(f"site {name}") from None
        loaded_sites.append((name, site))
    loaded_what_ifs: list[tuple[str, Scenario | None]] = []
    for i, entry in enumerate(what_ifs, 1):
        file = _file(entry, "file", base, f"{path}: [[scenarios]] #{i}")
        name = _name(entry, "name", f"{path}: [[scenarios]] #{i}", file.stem)
        try:
            loaded_what_ifs.append((name, resolve_scenario(file)))
        except PlannerError as exc:
            raise exc.prefixed(f"scenario {name}") from None
    if not loaded_what_ifs:
        loaded_what_ifs = [("site", None)]
    for label, names in (
        ("site", [n for n, _ in loaded_sites]),
        ("scenario", [n for n, _ in loaded_what_ifs]),
    ):
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InputError(f"{path}: {label} name {dupes[0]!r} repeats")
    if len(loaded_sites) * len(loaded_what_ifs) * (len(starts) + 1) > MAX_CELLS:
        raise InputError(f"{path}: more than {MAX_CELLS:,} cells")
    scenarios: dict[tuple[str, str], CellInputs] = {}
    cells: list[Cell] = []
    for site_name, site in loaded_sites:
        for scen_name, what_if in loaded_what_ifs:
            sc = cell_scenario(site_name, site, scen_name, what_if)
            scenarios[(site_name, scen_name)] = CellInputs(sc, _read_inputs(sc, site_name))
            inputs = summary_inputs(sc)
            for start in starts if CellKind.WEEK in kinds else ():
                cells.append(
                    Cell(
                        CellKind.WEEK,
                        site_name,
                        scen_name,
                        week_label(start),
                        start,
                        cell_checksum(CellKind.WEEK, site_name, scen_name, start, inputs),
                    )
                )
            if CellKind.CAPACITY in kinds:
                first = starts[0]
                checksum = cell_checksum(CellKind.CAPACITY, site_name, scen_name, first, inputs)
                cells.append(
                    Cell(
                        CellKind.CAPACITY,
                        site_name,
                        scen_name,
                        week_label(first),
                        first,
                        checksum,
                    )
                )
    if store_path is None:
        named = data.get("store")
        if named is not None and (not isinstance(named, str) or not named):
            raise InputError(f"{path}: store = {named!r}: expected a file name")
        store_path = base / named if named else path.with_suffix(".db")
    return SweepPlan(path, scenarios, tuple(cells), Path(store_path))


def cell_scenario(site_name: str, site: Scenario, name: str, what_if: Scenario | None) -> Scenario:
    """The scenario a cell plans: the site's data under the what-if's settings, named
    `site:scenario` (the store's scenario name)."""
    if what_if is None:
        return dataclasses.replace(site, name=f"{site_name}:{name}")
    return dataclasses.replace(
        what_if, name=f"{site_name}:{name}", data=site.data, files=what_if.files + site.files
    )


def input_paths(sc: Scenario) -> tuple[Path, ...]:
    """Every file a cell of `sc` reads: its TOML files, then history, agents, events and
    temperature (the bundled ones, installed with planner, are not shipped)."""
    data = (sc.data.history, sc.data.agents, sc.data.events, sc.data.temperature)
    return (*sc.files, *(p for p in data if p is not None and not _bundled(p)))


def _bundled(path: Path) -> bool:
    return Path(path).resolve().is_relative_to(io.bundled_path(history.BUNDLED_HISTORY).parent)


def _read_inputs(sc: Scenario, site: str) -> tuple[tuple[str, str, bytes], ...]:
    files = []
    for path in input_paths(sc):
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InputError(f"site {site}: {path}: cannot read: {exc.strerror}") from None
        files.append((hashlib.sha256(data).hexdigest(), Path(path).name, data))
    return tuple(files)


def localise(inputs: CellInputs) -> Scenario:
    """On a worker: the shipped files written once per machine under the temporary folder
    (`planner-sweep-inputs/<sha256>/<name>`, content-addressed, written atomically) and the
    scenario pointed at them."""
    root = Path(tempfile.gettempdir()) / f"planner-sweep-inputs-{os.getuid()}"
    where: dict[Path, Path] = {}
    for path, (sha, name, data) in zip(input_paths(inputs.scenario), inputs.files, strict=True):
        target = root / sha / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        where[Path(path)] = target
    sc = inputs.scenario

    def moved(path: Path | None) -> Path | None:
        return None if path is None else where.get(Path(path), path)

    data_config = dataclasses.replace(
        sc.data,
        history=moved(sc.data.history),
        agents=moved(sc.data.agents),
        events=moved(sc.data.events),
        temperature=moved(sc.data.temperature),
    )
    return dataclasses.replace(sc, data=data_config, files=tuple(where[Path(p)] for p in sc.files))


def cell_checksum(kind: CellKind, site: str, scenario: str, start: dt.date, inputs) -> str:
    """SHA-256 of what a cell reads: names, week, input files' checksums, planner's version."""
    text = json.dumps(
        {
            "kind": str(kind),
            "site": site,
            "scenario": scenario,
            "week_start": start.isoformat(),
            "inputs": list(inputs),
            "planner": __version__,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- one cell (runs on a worker) -----------------------------------------------------------------


def plan_cell(cell: Cell, inputs: CellInputs, with_files: bool) -> CellResult:
    """Plan one cell where the engine runs it (on every engine alike: from the shipped input
    files); nothing is written but those and a private temporary folder for the week's files,
    read back into the result."""
    if cell.kind is CellKind.CAPACITY:
        return _capacity_cell(cell, inputs, with_files)
    try:
        plan = plan_week(localise(inputs), start=cell.start, simulate=False)
    except PlannerError as exc:
        raise exc.prefixed(cell.name) from None
    files: dict[str, bytes] = {}
    if with_files:
        with _PLOT_LOCK, tempfile.TemporaryDirectory(prefix="planner-sweep-") as tmp:
            write_plan(plan, Path(tmp))
            files = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir())}
        summary = json.loads(files["summary.json"])
    else:
        summary = summary_json.summary_dict(plan, [])
    record = run_record(plan)
    record = dataclasses.replace(
        record,
        inputs=(*record.inputs, {"role": CELL_ROLE, "name": cell.key, "sha256": cell.sha256}),
    )
    return CellResult(cell, plan.kpis.as_dict(), plan.exit_code, record, summary, files)


def _capacity_cell(cell: Cell, inputs: CellInputs, with_files: bool) -> CellResult:
    """The capacity plan of one site and scenario from the cell's week: its table row and
    (when asked) `capacity.csv`, the weekly table `planner capacity --format csv` writes."""
    try:
        plan = plan_scenario(localise(inputs), first_week=cell.week)
    except PlannerError as exc:
        raise exc.prefixed(cell.name) from None
    summary = plan.summary()
    figures = {
        "required_fte": round(float(plan.table["required_fte"].max()), 2),
        "cost": summary["cost_vnd"],
        "shortfall_staff_hours": summary["shortfall_h"],
        **{key: summary[key] for key in CAPACITY_KEYS},
    }
    exit_code = int(ExitCode.TARGETS_NOT_MET if plan.short else ExitCode.OK)
    files: dict[str, bytes] = {}
    if with_files:
        table = io.frame_to_csv(capacity_report.weekly_frame(plan))
        files["capacity.csv"] = table.encode("utf-8")
        mark = {"key": cell.key, "sha256": cell.sha256, "exit_code": exit_code, "row": figures}
        files[CAPACITY_MARK] = (json.dumps(mark, indent=2, sort_keys=True) + "\n").encode("utf-8")
    return CellResult(cell, figures, exit_code, None, summary, files)


def _written_capacity(target: Path | None, cell: Cell) -> dict | None:
    """The mark of a capacity cell already written under `target` with this key, else None."""
    if target is None or cell.kind is not CellKind.CAPACITY:
        return None
    try:
        mark = json.loads((cell_dir(target, cell) / CAPACITY_MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(mark, dict) or mark.get("sha256") != cell.sha256:
        return None
    return mark


# --- the client ----------------------------------------------------------------------------------


def stored_cells(store_path: Path) -> dict[str, int]:
    """The cells the store holds: checksum -> run_id (none for a store not yet made)."""
    if not store_path.exists():
        return {}
    with store.connected(store_path) as conn:
        rows = conn.execute(
            "SELECT sha256, MIN(run_id) FROM inputs WHERE role = ? GROUP BY sha256", (CELL_ROLE,)
        ).fetchall()
    return {str(sha): int(run_id) for sha, run_id in rows}


def _stored_rows(store_path: Path, run_ids: Sequence[int]) -> dict[int, dict]:
    if not run_ids:
        return {}
    with store.connected(store_path) as conn:
        kpis = store.read_table(conn, "kpis", run_ids)
        marks = ", ".join("?" for _ in run_ids)
        codes = dict(
            conn.execute(
                f"SELECT run_id, exit_code FROM runs WHERE run_id IN ({marks})", list(run_ids)
            ).fetchall()
        )
    out: dict[int, dict] = {rid: {"exit_code": int(code)} for rid, code in codes.items()}
    for rid, name, value in kpis[["run_id", "name", "value"]].itertuples(index=False):
        out[int(rid)][str(name)] = value
    return out


def _row(cell: Cell, figures: Mapping[str, object], exit_code: int, source: str) -> dict:
    row: dict[str, object] = {
        "site": cell.site,
        "scenario": cell.scenario,
        "week": cell.week,
        "kind": str(cell.kind),
    }
    for key in (*ROW_KEYS, *CAPACITY_KEYS):
        value = figures.get(key)
        row[key] = None if value is None else float(value)  # type: ignore[arg-type]
    row["exit_code"] = int(exit_code)
    row["source"] = source
    return row


def cell_dir(out_dir: Path, cell: Cell) -> Path:
    if cell.kind is CellKind.CAPACITY:
        return out_dir / cell.site / cell.scenario / CAPACITY_DIR
    return out_dir / cell.site / cell.scenario / cell.week


def run_sweep(
    plan_path: str | os.PathLike,
    engine: Engine,
    out_dir: str | os.PathLike | None = None,
    store_path: str | os.PathLike | None = None,
    use_store: bool = True,
    progress: Callable[[Cell, str], None] | None = None,
    start: Callable[[int, int], None] | None = None,
) -> Sweep:
    """Run every cell of the plan not already stored on `engine`; publish each finished cell's
    files (under `out_dir/<site>/<scenario>/<week>/`, when given) and record it in the store,
    here, as results arrive. `start(total, stored)` is called once the cells are known,
    `progress(cell, outcome)` after each cell ("planned", "failed")."""
    plan = read_plan(plan_path, store_path)
    target = None
    if out_dir is not None and Path(out_dir).is_dir():
        # an earlier sweep's folder (a resumed sweep): only the cells' own folders are
        # replaced, each refused if something else than a planner run wrote it
        target = Path(out_dir).resolve()
        for cell in plan.cells:
            if cell_dir(target, cell).exists():
                check_out_dir(cell_dir(target, cell))
    elif out_dir is not None:
        target = check_out_dir(out_dir)
        if not target.exists():
            try:
                target.mkdir()
            except OSError as exc:
                raise InputError(f"cannot create {target}: {exc}") from None
    done: dict[str, int] = {}
    if use_store:
        store.check_store(plan.store_path)
        done = stored_cells(plan.store_path)
    written: dict[Cell, dict] = {}
    if use_store:
        for cell in plan.cells:
            mark = _written_capacity(target, cell)
            if mark is not None:
                written[cell] = mark
    todo = [c for c in plan.cells if c.sha256 not in done and c not in written]
    if start is not None:
        start(len(plan.cells), len(plan.cells) - len(todo))
    rows: dict[Cell, dict] = {}
    failures: list[Failure] = []
    calls = [(cell, Shared((cell.site, cell.scenario)), target is not None) for cell in todo]
    keys = [cell.key for cell in todo]
    for outcome in engine.run(plan_cell, plan.scenarios, calls, keys):
        cell = todo[outcome.index]
        if outcome.error is not None:
            failures.append(Failure(cell, _reason(cell, outcome.error)))
            if progress is not None:
                progress(cell, "failed")
            continue
        result: CellResult = outcome.result
        if use_store and cell.sha256 in done:  # delivered twice (a retried task): once only
            continue
        if cell in rows:  # a capacity cell delivered twice
            continue
        where = None
        if target is not None:
            where = cell_dir(target, cell)
            where.parent.mkdir(parents=True, exist_ok=True)
            publish_directory(where, functools.partial(_write_files, files=result.files))
        if use_store and result.record is not None:
            done[cell.sha256] = store.record_run(
                plan.store_path, result.record, where, dict(result.summary)
            )
        rows[cell] = _row(cell, result.kpis, result.exit_code, "planned")
        if progress is not None:
            progress(cell, "planned")
    stored = _stored_rows(
        plan.store_path, [done[c.sha256] for c in plan.cells if c not in rows and c.sha256 in done]
    )
    table = []
    for cell in plan.cells:
        if cell in rows:
            table.append(rows[cell])
        elif cell in written:
            mark = written[cell]
            table.append(_row(cell, mark.get("row", {}), int(mark.get("exit_code", 0)), "stored"))
        elif cell.sha256 in done and done[cell.sha256] in stored:
            figures = stored[done[cell.sha256]]
            table.append(_row(cell, figures, int(figures["exit_code"]), "stored"))
    frame = pd.DataFrame(table, columns=list(FRAME_COLUMNS))
    for column in COUNT_COLUMNS:
        frame[column] = pd.to_numeric(frame[column]).round().astype("Int64")
    return Sweep(
        frame, tuple(failures), planned=len(rows), stored=len(table) - len(rows), engine=engine.name
    )


def _write_files(directory: Path, files: Mapping[str, bytes]) -> None:
    for name, data in files.items():
        (directory / name).write_bytes(data)


def _reason(cell: Cell, error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, PlannerError):
        return text if text.startswith(cell.name) else f"{cell.name}: {text}"
    return f"{cell.name}: {type(error).__name__}: {text}"


def summary_frame(sweep: Sweep) -> pd.DataFrame:
    """The table per site and scenario over the weeks: one row per (site, scenario, week),
    ordered by site, scenario, week (the cells' own order); a capacity cell's row follows its
    first week's, with the capacity figures' columns (only when the sweep has such cells)."""
    frame = sweep.frame.drop(columns=["source"])
    if not (frame["kind"] == str(CellKind.CAPACITY)).any():
        frame = frame.drop(columns=list(CAPACITY_KEYS))
    return frame.sort_values(["site", "scenario", "week"], kind="stable").reset_index(drop=True)


__all__ = [
    "CAPACITY_KEYS",
    "CELL_ROLE",
    "Cell",
    "CellResult",
    "Failure",
    "Outcome",
    "Sweep",
    "SweepPlan",
    "cell_checksum",
    "cell_scenario",
    "parse_weeks",
    "plan_cell",
    "read_plan",
    "run_sweep",
    "stored_cells",
    "summary_frame",
]
