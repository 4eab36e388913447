"""The weekly run and scenario comparison: history -> forecast -> adjustments -> staffing ->
schedule (-> simulation), for one scenario and one week.

- `plan_week(scenario, week=..., start=...)` computes a `WeekPlan` (frames and KPIs), nothing
  written.
- `run_week(...)` is what cron calls: it takes a lock next to the output directory, plans, and
  publishes every output file at once (built in a temporary sibling directory, then renamed).
- `compare(paths, ...)` plans several scenarios on one common week and returns one row of KPIs
  per scenario with deltas to the first.

The planning week is 7 days from a Monday (or from `--start`). Which week: `--week`/`--start`
on the command line, else the scenario's `[run] week`/`start`, else the first full
Monday-Sunday week after the history ends. `compare` plans every scenario on the same week:
the command line's, else the first one pinned by a scenario in the order given, else the
default week of the first scenario.

Expected service level = what the queueing model (Erlang C or A, the scenario's) gives for the
point forecast (after adjustments) with the agents the roster puts on the phones in each
interval, less shrinkage: floor(on_phone * (1 - shrinkage)). Calls-weighted over the week.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner import io
from planner.errors import ExitCode, InputError, PlannerError
from planner.scenario import (
    Scenario,
    apply_adjustments,
    default_scenario,
    first_week_after,
    load_scenario,
    parse_start,
    parse_week,
    sha256_file,
    week_label,
)

SUMMARY_VERSION = 1
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

Log = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


# --- the plan of one week ------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekPlan:
    """Everything one scenario's week produced (frames as in DESIGN.md's contracts)."""

    scenario: Scenario
    start: dt.date
    label: str
    history: object  # planner.history.History
    forecast: object  # planner.forecast.ForecastResult, adjustments applied
    requirements: pd.DataFrame
    schedule: object  # planner.schedule.ScheduleResult
    evaluation: pd.DataFrame  # the queueing model on the scheduled coverage (point forecast)
    kpis: dict
    inputs: tuple[dict, ...]
    notes: tuple[str, ...] = ()
    simulation: object | None = None  # planner.simulate.SimulationResult

    @property
    def exit_code(self) -> int:
        return int(ExitCode.TARGETS_NOT_MET if self.schedule.short else ExitCode.OK)


def resolve_scenario(scenario: Scenario | str | os.PathLike | None) -> Scenario:
    """A Scenario as given, loaded from a path, or the built-in baseline for None."""
    if scenario is None:
        return default_scenario()
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario)


def with_time_limit(scenario: Scenario, time_limit_s: float | None) -> Scenario:
    """The scenario with its solver time limit replaced (None: unchanged)."""
    if time_limit_s is None:
        return scenario
    if not (isinstance(time_limit_s, (int, float)) and 0 < time_limit_s <= 86400):
        raise InputError(f"--time-limit {time_limit_s}: expected seconds in (0, 86400]")
    run = dataclasses.replace(scenario.run, time_limit_s=float(time_limit_s))
    return dataclasses.replace(scenario, run=run)


def history_path(scenario: Scenario) -> Path:
    from planner.history import BUNDLED_HISTORY

    return scenario.data.history or io.bundled_path(BUNDLED_HISTORY)


def load_history(scenario: Scenario):
    from planner.history import read_history

    return read_history(history_path(scenario))


def resolve_start(
    scenario: Scenario, history, week: str | None = None, start: str | dt.date | None = None
) -> dt.date:
    """The first day of the planning week (see the module docstring for the order)."""
    if week and start:
        raise InputError("give --week or --start, not both")
    if week:
        return parse_week(week)
    if start:
        return start if isinstance(start, dt.date) else parse_start(start)
    if scenario.run.week:
        return parse_week(scenario.run.week)
    if scenario.run.start:
        return scenario.run.start
    return first_week_after(pd.Timestamp(history.last_day()).date())


def plan_week(
    scenario: Scenario | str | os.PathLike | None = None,
    week: str | None = None,
    start: str | dt.date | None = None,
    simulate: bool | None = None,
    log: Log = _quiet,
    progress: bool = False,
    time_limit_s: float | None = None,
) -> WeekPlan:
    """Plan one week of one scenario; nothing is written. Raises PlannerError subclasses.
    `time_limit_s` overrides the scenario's `[run] time_limit_s` for the roster solve."""
    from planner import schedule, staffing

    sc = with_time_limit(resolve_scenario(scenario), time_limit_s)
    simulate = sc.run.simulate if simulate is None else simulate
    notes: list[str] = []

    clock = time.monotonic()
    hist = load_history(sc)
    first = resolve_start(sc, hist, week, start)
    label = week_label(first)
    log(
        f"history: {hist.source} ({len(hist.frame):,} rows, last day "
        f"{pd.Timestamp(hist.last_day()):%Y-%m-%d}) {_took(clock)}"
    )

    clock = time.monotonic()
    fc = _forecast(sc, hist, first)
    notes.extend(fc.notes)
    frame, adj_notes = apply_adjustments(fc.intervals, sc.adjustments)
    notes.extend(adj_notes)
    fc = dataclasses.replace(
        fc, intervals=frame, daily=_rescale_daily(fc.daily, fc.intervals, frame)
    )
    log(
        f"forecast: {fc.model}, {label} from {first}, {frame['calls'].sum():,.0f} calls"
        f"{' (adjusted)' if sc.adjustments else ''} {_took(clock)}"
    )

    clock = time.monotonic()
    target = sc.service.target()
    basis = frame
    if sc.forecast.plan_at == "upper":
        basis = frame.assign(calls=frame["upper"])
    requirements = staffing.staff_requirements(basis, target, pooled=sc.service.pooled)
    log(
        f"staffing: {sc.service.model} {sc.service.sl_pct:g}/{sc.service.target_s:g}, "
        f"peak {int(requirements.groupby('timestamp')['staff'].sum().max())} staff {_took(clock)}"
    )

    clock = time.monotonic()
    agents = schedule.read_agents(sc.data.agents) if sc.data.agents else None
    gap = {} if sc.run.gap_pct is None else {"gap_pct": sc.run.gap_pct}
    result = schedule.build_roster(
        requirements,
        sc.rules,
        agents=agents,
        time_limit_s=sc.run.time_limit_s,
        solver=sc.run.solver,
        progress=progress,
        source=f"{sc.name} requirements",
        **gap,
    )
    notes.extend(result.messages)
    log(
        f"schedule: {result.status}, {result.headcount} agents, gap {100 * result.gap:.2f}%"
        f"{', SHORT' if result.short else ''} {_took(clock)}"
    )

    evaluation, eval_frame = _evaluate(sc, frame, result, target)

    simulation = None
    if simulate:
        clock = time.monotonic()
        simulation = _simulate(sc, result, eval_frame)
        log(f"simulate: {sc.run.replications} replications {_took(clock)}")

    kpis = _kpis(sc, fc, requirements, result, evaluation, simulation)
    inputs = _inputs(sc)
    return WeekPlan(
        scenario=sc,
        start=first,
        label=label,
        history=hist,
        forecast=fc,
        requirements=requirements,
        schedule=result,
        evaluation=evaluation,
        kpis=kpis,
        inputs=inputs,
        notes=tuple(notes),
        simulation=simulation,
    )


def _took(clock: float) -> str:
    return f"({time.monotonic() - clock:.1f} s)"


_FORECAST_CACHE: dict[tuple, object] = {}


def _forecast(sc: Scenario, hist, first: dt.date):
    """The forecast for the week (memoised per process: scenarios of a comparison that differ
    only in staffing or rules share it)."""
    from planner.forecast import forecast_history

    data, fcfg = sc.data, sc.forecast
    key = (
        hist.source,
        _sha_or_none(sc.data.history),
        _sha_or_none(data.events),
        _sha_or_none(data.temperature),
        data.country,
        fcfg.model,
        fcfg.level,
        fcfg.interval_min,
        first,
    )
    if key not in _FORECAST_CACHE:
        if len(_FORECAST_CACHE) >= 8:
            _FORECAST_CACHE.clear()
        _FORECAST_CACHE[key] = forecast_history(
            hist,
            horizon_days=7,
            start=pd.Timestamp(first),
            interval_min=fcfg.interval_min,
            level=fcfg.level,
            country=None if data.country == "none" else data.country,
            events=data.events,
            model=fcfg.model,
            temperature=data.temperature,
        )
    return _FORECAST_CACHE[key]


def _sha_or_none(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return sha256_file(path)
    except OSError:
        return None  # the reader downstream names the missing file


def _rescale_daily(daily: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Scale each day (and queue) of the daily forecast like its intervals were adjusted."""
    keys = ["date"] + (["queue"] if "queue" in daily.columns else [])

    def per_day(frame: pd.DataFrame) -> pd.Series:
        group = [pd.to_datetime(frame["timestamp"]).dt.normalize().rename("date")]
        if "queue" in frame.columns:
            group.append(frame["queue"])
        return frame.groupby(group)["calls"].sum()

    ratio = (per_day(after) / per_day(before).where(per_day(before) > 0)).fillna(1.0)
    out = daily.copy()
    idx = (
        pd.MultiIndex.from_frame(out[keys].assign(date=pd.to_datetime(out["date"]).dt.normalize()))
        if len(keys) > 1
        else pd.to_datetime(out["date"]).dt.normalize()
    )
    factor = ratio.reindex(idx).fillna(1.0).to_numpy()
    for col in ("calls", "lower", "upper"):
        if col in out.columns:
            out[col] = np.round(out[col].to_numpy(dtype=float) * factor, 1)
    return out


def _evaluate(sc: Scenario, frame: pd.DataFrame, result, target):
    """The queueing model on the roster's on-phone agents, for the point forecast (pooled)."""
    from planner import staffing

    aht = staffing.resolve_aht(frame, target)
    if "queue" in frame.columns:
        base, aht = staffing.pool_queues(frame, aht)
    else:
        base = frame[["timestamp", "calls"]].reset_index(drop=True)
    eval_frame = base.assign(aht=aht)
    plain = dataclasses.replace(target, aht_s=None, aht_by_queue={})
    cov = result.coverage.set_index("timestamp")["scheduled"]
    scheduled = cov.reindex(pd.to_datetime(eval_frame["timestamp"])).fillna(0.0).to_numpy()
    keep = 1.0 - sc.service.shrinkage_pct / 100.0
    on_phones = np.floor(scheduled * keep + 1e-9)
    evaluation = staffing.evaluate_staffing(eval_frame, on_phones, plain)
    return evaluation, eval_frame


def _simulate(sc: Scenario, result, eval_frame: pd.DataFrame):
    from planner.simulate import simulate

    return simulate(
        result.roster,
        eval_frame,
        replications=sc.run.replications,
        seed=sc.run.seed,
        patience_s=sc.service.patience_s if sc.service.model == "erlang-a" else None,
        absence_pct=sc.service.shrinkage_pct,
        target_s=sc.service.target_s,
    )


# --- KPIs ----------------------------------------------------------------------------------------


def _r(value, digits: int = 2):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else round(value, digits)


def _kpis(sc, fc, requirements, result, evaluation, simulation) -> dict:
    from planner.staffing import interval_seconds, summarise_requirements

    intervals = fc.intervals
    per_ts = intervals.groupby("timestamp", sort=True)["calls"].sum()
    interval_s = interval_seconds(requirements)
    hours = interval_s / 3600.0
    req_ts = requirements.groupby("timestamp", sort=True)[["agents", "staff"]].sum()
    req_summary = summarise_requirements(requirements, interval_s=interval_s)
    calls = evaluation["calls"].to_numpy(dtype=float)
    weight = calls.sum()
    sl = evaluation["service_level"].to_numpy(dtype=float)
    asa = evaluation["asa"].to_numpy(dtype=float)
    agents = evaluation["agents"].to_numpy(dtype=float)
    occ = evaluation["occupancy"].to_numpy(dtype=float)
    unbounded = bool(np.any(np.isnan(asa) & (calls > 0)))
    abandon = None
    if "abandon" in evaluation.columns and weight > 0:
        abandon = 100.0 * float((evaluation["abandon"].to_numpy(float) * calls).sum() / weight)
    cov = result.coverage
    out = {
        "calls": _r(intervals["calls"].sum(), 1),
        "calls_planned": _r(
            (intervals["upper"] if sc.forecast.plan_at == "upper" else intervals["calls"]).sum(),
            1,
        ),
        "peak_interval_calls": _r(per_ts.max(), 1),
        "peak_interval": pd.Timestamp(per_ts.idxmax()).strftime("%Y-%m-%dT%H:%M:%S"),
        "required_agent_hours": _r(req_ts["agents"].sum() * hours),
        "required_staff_hours": _r(req_ts["staff"].sum() * hours),
        "required_fte": _r(req_summary.fte, 1),
        "fte_hours_per_week": req_summary.fte_hours_per_week,
        "peak_staff": int(req_ts["staff"].max()),
        "headcount": int(result.headcount),
        "paid_hours": _r(result.paid_hours),
        "night_hours": _r(result.night_hours),
        "cost": _r(result.cost, 0),
        "currency": result.currency,
        "scheduled_staff_hours": _r(result.on_phone_hours),
        "over_coverage_pct": _r(result.over_pct),
        "understaffed_intervals": int((cov["shortfall"] > 1e-6).sum()),
        "shortfall_staff_hours": _r(result.shortfall_hours),
        "service_level_pct": _r(100.0 * (sl * calls).sum() / weight) if weight > 0 else None,
        "asa_s": None if unbounded or weight <= 0 else _r(np.nansum(asa * calls) / weight),
        "occupancy_pct": _r(100.0 * (occ * agents).sum() / agents.sum()) if agents.sum() else None,
        "abandon_pct": _r(abandon),
        "intervals_below_target": int((~evaluation["meets_target"].astype(bool)).sum()),
        "targets_met": not result.short,
    }
    if simulation is not None:
        summ = simulation.summary
        out["simulated_service_level_pct"] = _r(_mean(summ.get("service_level_pct")))
        out["simulated_asa_s"] = _r(_mean(summ.get("asa_s")))
        out["simulated_abandon_pct"] = _r(_mean(summ.get("abandon_pct")))
    return out


def _mean(item):
    if isinstance(item, dict):
        return item.get("mean")
    return item


def _inputs(sc: Scenario) -> tuple[dict, ...]:
    """Input files with their checksums: names only (no machine paths) so reruns match."""
    from planner.history import BUNDLED_HISTORY

    items = []
    for path in sc.files:
        items.append({"role": "scenario", "name": Path(path).name, "sha256": sha256_file(path)})
    if sc.data.history is None:
        path = io.bundled_path(BUNDLED_HISTORY)
        items.append(
            {"role": "history", "name": f"bundled:{path.name}", "sha256": sha256_file(path)}
        )
    else:
        items.append(_input("history", sc.data.history))
    for role in ("agents", "events", "temperature"):
        path = getattr(sc.data, role)
        if path is not None:
            items.append(_input(role, path))
    return tuple(items)


def _input(role: str, path: Path) -> dict:
    return {"role": role, "name": Path(path).name, "sha256": sha256_file(path)}


def summary_dict(plan: WeekPlan, outputs: Sequence[str]) -> dict:
    """summary.json (version 1): KPIs, solver figures, inputs with checksums, output files.
    No wall-clock times and no absolute paths, so the same inputs give the same bytes."""
    sc, res = plan.scenario, plan.schedule
    end = plan.start + dt.timedelta(days=7)
    return {
        "version": SUMMARY_VERSION,
        "scenario": {"name": sc.name, "description": sc.description},
        "week": {
            "label": plan.label,
            "start": f"{plan.start.isoformat()}T00:00:00",
            "end": f"{end.isoformat()}T00:00:00",
            "interval_min": int(res.interval_min),
        },
        "forecast": {
            "model": plan.forecast.model,
            "level_pct": plan.forecast.level,
            "plan_at": sc.forecast.plan_at,
            "adjustments": [a.describe() for a in sc.adjustments],
        },
        "service": {
            "model": sc.service.model,
            "sl_pct": sc.service.sl_pct,
            "target_s": sc.service.target_s,
            "asa_s": sc.service.asa_s,
            "max_occupancy_pct": sc.service.max_occupancy_pct,
            "shrinkage_pct": sc.service.shrinkage_pct,
            "patience_s": sc.service.patience_s,
        },
        "solver": {
            "name": res.solver,
            "status": res.status,
            "objective": _r(res.objective, 3),
            "bound": _r(res.bound, 3),
            "gap_pct": _r(100.0 * res.gap, 3),
            "time_limit_s": sc.run.time_limit_s,
            "gap_limit_pct": _gap_limit(sc),
        },
        "kpis": plan.kpis,
        "simulation": _sim_summary(plan.simulation),
        "targets_met": not res.short,
        "exit_code": plan.exit_code,
        "notes": list(plan.notes),
        "inputs": list(plan.inputs),
        "outputs": sorted(outputs),
    }


def _gap_limit(sc: Scenario) -> float:
    from planner.schedule import DEFAULT_GAP_PCT

    return float(DEFAULT_GAP_PCT if sc.run.gap_pct is None else sc.run.gap_pct)


def _sim_summary(simulation) -> dict | None:
    if simulation is None:
        return None
    keep = {}
    for key, value in simulation.summary.items():
        if isinstance(value, (int, float, str, bool, dict, list)) or value is None:
            keep[key] = value
    return keep


# --- writing ------------------------------------------------------------------------------------


def write_plan(plan: WeekPlan, directory: Path) -> list[str]:
    """Write every output file of `plan` into `directory` (which exists); return their names."""
    from planner import charts
    from planner.forecast import plot_forecast
    from planner.schedule import write_roster_xlsx

    directory = Path(directory)
    res = plan.schedule
    names = list(OUTPUT_FILES)
    if plan.simulation is not None:
        names.append(SIM_FILE)
    io.write_text(directory / "forecast.csv", io.frame_to_csv(plan.forecast.intervals))
    io.write_text(directory / "requirements.csv", io.frame_to_csv(plan.requirements))
    io.write_text(directory / "roster.csv", io.frame_to_csv(res.roster))
    io.write_text(directory / "coverage.csv", io.frame_to_csv(res.coverage))
    write_roster_xlsx(res, directory / "roster.xlsx")
    plot_forecast(plan.history, plan.forecast, directory / "forecast.png")
    charts.plot_coverage(res.coverage, directory / "coverage.png", title=_chart_title(plan))
    if plan.simulation is not None:
        io.write_text(directory / SIM_FILE, io.frame_to_csv(plan.simulation.intervals))
    io.write_text(directory / "summary.json", io.to_json(summary_dict(plan, names)))
    return sorted(names)


def _chart_title(plan: WeekPlan) -> str:
    k = plan.kpis
    sl = k["service_level_pct"]
    return (
        f"{plan.scenario.name}, {plan.label}: {k['headcount']} agents, expected SL "
        f"{'n/a' if sl is None else f'{sl:.1f}%'}"
    )


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
) -> tuple[WeekPlan, Path]:
    """Plan the week and publish its files into `out_dir` (default `out/<week>/`), atomically,
    under a lock. Returns the plan and the directory. `plan.exit_code` is 3 when short."""
    sc = with_time_limit(resolve_scenario(scenario), time_limit_s)
    if out_dir is None:
        hist = load_history(sc)
        out_dir = default_out_dir(week_label(resolve_start(sc, hist, week, start)))
    out_dir = Path(out_dir)
    _check_out_dir(out_dir)  # before the lock and the minutes of planning
    with output_lock(out_dir):
        _remove_leftovers(out_dir)
        plan = plan_week(sc, week=week, start=start, simulate=simulate, log=log, progress=progress)
        clock = time.monotonic()
        publish_directory(out_dir, lambda tmp: write_plan(plan, tmp))
        log(f"outputs: {out_dir} {_took(clock)}")
    return plan, out_dir


def run_report(plan: WeekPlan, out_dir: Path) -> str:
    """A few lines for a person: where the files are and the week's figures."""
    k, res = plan.kpis, plan.schedule
    sl = k["service_level_pct"]
    lines = [
        f"{plan.scenario.name} {plan.label}: wrote {out_dir}/",
        f"  calls {k['calls']:,.0f} (peak {k['peak_interval_calls']:,.0f} per interval), "
        f"required {k['required_staff_hours']:,.0f} staff-hours ({k['required_fte']:g} FTE)",
        f"  roster {k['headcount']} agents, {k['paid_hours']:,.0f} paid h, cost "
        f"{k['cost']:,.0f} {k['currency']}; solver {res.status}, gap {100 * res.gap:.2f}%",
        f"  expected service level {_fmt(sl, '.1f', '%')}, ASA {_fmt(k['asa_s'], '.1f', ' s')}, "
        f"occupancy {_fmt(k['occupancy_pct'], '.1f', '%')}",
    ]
    if k.get("simulated_service_level_pct") is not None:
        lines.append(f"  simulated service level {k['simulated_service_level_pct']:.1f}%")
    if res.short:
        lines.append(shortfall_line(plan))
    return "\n".join(lines)


def _fmt(value, spec: str, unit: str) -> str:
    return "n/a" if value is None else f"{format(value, spec)}{unit}"


def shortfall_line(plan: WeekPlan) -> str:
    k = plan.kpis
    short = plan.schedule.short_intervals()
    worst = short.sort_values(["shortfall", "timestamp"], ascending=[False, True]).head(3)
    listed = ", ".join(
        f"{pd.Timestamp(r.timestamp):%a %H:%M} -{r.shortfall:g}" for r in worst.itertuples()
    )
    return (
        f"targets not met: {k['understaffed_intervals']} intervals short by "
        f"{k['shortfall_staff_hours']:,.1f} staff-hours in total (worst: {listed})"
    )


# --- compare -------------------------------------------------------------------------------------

COMPARE_METRICS = (
    ("calls", "calls", 0),
    ("peak_interval_calls", "peak calls/interval", 0),
    ("required_staff_hours", "required staff-h", 0),
    ("required_fte", "required FTE", 1),
    ("headcount", "headcount", 0),
    ("paid_hours", "paid h", 0),
    ("cost", "cost", 0),
    ("service_level_pct", "service level %", 1),
    ("asa_s", "ASA s", 1),
    ("occupancy_pct", "occupancy %", 1),
    ("abandon_pct", "abandon %", 1),
    ("understaffed_intervals", "understaffed intervals", 0),
    ("shortfall_staff_hours", "shortfall staff-h", 1),
)
SIM_METRIC = ("simulated_service_level_pct", "simulated SL %", 1)


@dataclass(frozen=True)
class Comparison:
    """One row per scenario (in the order given): KPIs and `d_<kpi>` deltas to the first."""

    frame: pd.DataFrame
    week: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def common_start(
    scenarios: Sequence[Scenario], week: str | None = None, start: str | None = None
) -> dt.date:
    """The week every scenario of a comparison is planned on (see the module docstring)."""
    if week or start:
        return resolve_start(scenarios[0], None, week, start)
    for sc in scenarios:
        if sc.run.week or sc.run.start:
            return resolve_start(sc, None)
    return resolve_start(scenarios[0], load_history(scenarios[0]))


def _compare_one(sc: Scenario, first: dt.date, simulate: bool) -> dict:
    try:
        plan = plan_week(sc, start=first, simulate=simulate)
    except PlannerError as exc:  # say which scenario failed, keep the exit code
        raise type(exc)(f"{sc.name}: {exc}") from None
    row = {"scenario": sc.name, "week": plan.label, **plan.kpis}
    row["solver_status"] = plan.schedule.status
    row["gap_pct"] = _r(100.0 * plan.schedule.gap, 3)
    row["exit_code"] = plan.exit_code
    return {"row": row, "notes": [f"{sc.name}: {n}" for n in plan.notes]}


def compare(
    scenarios: Sequence[str | os.PathLike | Scenario],
    week: str | None = None,
    start: str | None = None,
    jobs: int = 1,
    simulate: bool = False,
    log: Log = _quiet,
    time_limit_s: float | None = None,
) -> Comparison:
    """Plan each scenario on one common week and tabulate them (in the order given)."""
    if not scenarios:
        raise InputError("compare needs at least one scenario file")
    loaded = [with_time_limit(resolve_scenario(s), time_limit_s) for s in scenarios]
    names = [s.name for s in loaded]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"scenario names repeat: {', '.join(dupes)}; give each a distinct name")
    first = common_start(loaded, week, start)
    label = week_label(first)
    notes = []
    for sc in loaded:
        own = sc.run.week or (sc.run.start.isoformat() if sc.run.start else None)
        if own and own != label and not (week or start):
            notes.append(f"{sc.name}: planned on {label} (its own week is {own})")
    log(f"compare: {len(loaded)} scenarios on {label}, {jobs} job(s)")
    if jobs > 1 and len(loaded) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(loaded))) as pool:
            futures = [pool.submit(_compare_one, sc, first, simulate) for sc in loaded]
            results = [f.result() for f in futures]
    else:
        results = []
        for sc in loaded:
            clock = time.monotonic()
            results.append(_compare_one(sc, first, simulate))
            log(f"compare: {sc.name} done {_took(clock)}")
    rows = [r["row"] for r in results]
    for r in results:
        notes.extend(r["notes"])
    frame = pd.DataFrame(rows)
    metrics = [m for m, _, _ in COMPARE_METRICS]
    if simulate:
        metrics.append(SIM_METRIC[0])
    base = frame.iloc[0]
    for m in metrics:
        if m not in frame.columns:
            frame[m] = None
        values = pd.to_numeric(frame[m], errors="coerce")
        first_value = pd.to_numeric(pd.Series([base[m]]), errors="coerce").iloc[0]
        frame[f"d_{m}"] = (values - first_value).round(3)
    order = ["scenario", "week"]
    order += [m for m in metrics] + ["currency", "solver_status", "gap_pct", "exit_code"]
    order += [f"d_{m}" for m in metrics]
    return Comparison(frame[order], label, tuple(notes))


def comparison_view(comparison: Comparison, simulate: bool = False) -> pd.DataFrame:
    """The table people read: one row per metric, one column per scenario, each cell the value
    and (after the first scenario) its delta to the first."""
    frame = comparison.frame
    metrics = list(COMPARE_METRICS) + ([SIM_METRIC] if simulate else [])
    base = frame.iloc[0]
    rows = []
    for key, title, digits in metrics:
        unit = f" ({frame['currency'].iloc[0]})" if key == "cost" else ""
        row = {"metric": title + unit}
        for i, rec in frame.iterrows():
            row[rec["scenario"]] = _cell(rec[key], base[key] if i else None, digits)
        rows.append(row)
    status = {"metric": "solver"}
    for _, rec in frame.iterrows():
        status[rec["scenario"]] = f"{rec['solver_status']} ({rec['gap_pct']:g}% gap)"
    rows.append(status)
    return pd.DataFrame(rows)


def _cell(value, base, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:,.{digits}f}"
    if base is None or (isinstance(base, float) and math.isnan(base)):
        return text
    delta = float(value) - float(base)
    if abs(delta) < 10 ** (-digits) / 2:
        return f"{text} (=)"
    rel = f", {100 * delta / abs(base):+.0f}%" if base and abs(base) > 1e-9 else ""
    return f"{text} ({delta:+,.{digits}f}{rel})"
