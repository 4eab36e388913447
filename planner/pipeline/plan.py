"""The plan of one week: history -> forecast -> adjustments -> staffing -> schedule
(-> simulation), for one scenario; nothing written.

The planning week is 7 days from a Monday (or from `--start`). Which week: `--week`/`--start`
on the command line, else the scenario's `[run] week`/`start`, else the first full
Monday-Sunday week after the history ends.

Expected service level = what the queueing model (Erlang C or A, the scenario's) gives for the
point forecast (after adjustments) with the agents the roster puts on the phones in each
interval, less shrinkage: floor(on_phone * (1 - shrinkage)). Calls-weighted over the week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner import calendar, forecast, history, io, schedule, staffing
from planner import simulate as simulation_stage
from planner.choices import NoteTopic
from planner.errors import ExitCode, InputError
from planner.forecast import ForecastResult
from planner.history import History
from planner.notes import Note, from_texts, note, warning
from planner.pipeline.kpis import Kpis, plan_kpis, summary_inputs
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
from planner.schedule import ScheduleResult
from planner.simulate import SimulationResult

Log = Callable[[str], None]


def quiet_log(_message: str) -> None:
    """The log that says nothing (the default `log` of the pipeline's functions)."""
    return None


# --- the plan of one week ------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekPlan:
    """Everything one scenario's week produced (frames as in DESIGN.md's contracts)."""

    scenario: Scenario
    start: dt.date
    label: str
    history: History
    forecast: ForecastResult  # adjustments applied
    requirements: pd.DataFrame
    schedule: ScheduleResult
    evaluation: pd.DataFrame  # the queueing model on the scheduled coverage (point forecast)
    kpis: Kpis
    inputs: tuple[dict, ...]
    notes: tuple[Note, ...] = ()
    simulation: SimulationResult | None = None
    gap_limit_pct: float = 0.0  # the proven gap at which the solve stops, percent

    @property
    def exit_code(self) -> int:
        """3 when short of target; else 4 when the wall clock (not the gap or a work limit)
        ended the roster search, so another run may give another roster; else 0."""
        if self.schedule.short:
            return int(ExitCode.TARGETS_NOT_MET)
        if self.schedule.clock_stopped:
            return int(ExitCode.CLOCK_STOPPED)
        return int(ExitCode.OK)


def resolve_scenario(
    scenario: Scenario | str | os.PathLike | None, allowed_dirs: Sequence[str | os.PathLike] = ()
) -> Scenario:
    """A Scenario as given, loaded from a path, or the built-in baseline for None.
    `allowed_dirs`: folders outside its own that the scenario may name files in."""
    if scenario is None:
        return default_scenario(schedule.rules_from_mapping)
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario, schedule.rules_from_mapping, allowed_dirs)


def with_time_limit(scenario: Scenario, time_limit_s: float | None) -> Scenario:
    """The scenario with its solver time limit replaced (None: unchanged)."""
    if time_limit_s is None:
        return scenario
    if not (isinstance(time_limit_s, (int, float)) and 0 < time_limit_s <= 86400):
        raise InputError(f"{time_limit_s}: expected seconds in (0, 86400]", "time_limit_s")
    run = dataclasses.replace(scenario.run, time_limit_s=float(time_limit_s))
    return dataclasses.replace(scenario, run=run)


def week_holidays(scenario: Scenario, first: dt.date) -> tuple[pd.Timestamp, ...]:
    """The public holidays of the scenario's calendar (`[data] country`) from the week's
    Monday to the Monday after (Sunday's night shifts end there): their worked hours are
    paid the holiday rates."""
    country = scenario.data.country
    if not country or country == "none":
        return ()
    start = pd.Timestamp(first)
    return tuple(sorted(calendar.holiday_names(country, start, start + pd.Timedelta(days=7))))


def default_out_dir(label: str) -> Path:
    """Where a week's files go by default: `out/<week>`."""
    return Path("out") / label


def history_path(scenario: Scenario) -> Path:
    return scenario.data.history or io.bundled_path(history.BUNDLED_HISTORY)


def load_history(scenario: Scenario):
    data = scenario.data
    return history.read_history(
        history_path(scenario),
        timezone=data.timezone,
        country=None if data.country == "none" else data.country,
    )


def resolve_start(
    scenario: Scenario, history, week: str | None = None, start: str | dt.date | None = None
) -> dt.date:
    """The first day of the planning week (see the module docstring for the order)."""
    if week and start:
        raise InputError("give {week} or {start}, not both", "week", "start")
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
    log: Log = quiet_log,
    progress: bool = False,
    time_limit_s: float | None = None,
    previous=None,
    overtime_before=None,
) -> WeekPlan:
    """Plan one week of one scenario; nothing is written. Raises PlannerError subclasses.
    `time_limit_s` overrides the scenario's `[run] time_limit_s` for the roster solve.
    `previous`: last week's roster (a Roster CSV frame), or a callable `(scenario, first_day)`
    that finds it (the plan store); with one, the week continues it instead of wrapping.
    `overtime_before`: the overtime worked earlier in the week's year (`agent, start,
    overtime_hours` rows), or a callable `(scenario, first_day)` that finds it (the plan
    store); the week's overtime is then held to what the month's and year's caps leave."""
    sc = with_time_limit(resolve_scenario(scenario), time_limit_s)
    simulate = sc.run.simulate if simulate is None else simulate
    notes: list[Note] = []

    clock = time.monotonic()
    hist = load_history(sc)
    first = resolve_start(sc, hist, week, start)
    label = week_label(first)
    if sc.forecast.interval_min and hist.is_daily:
        raise InputError(
            f"{sc.where('forecast.interval_min')} = {sc.forecast.interval_min}: the history "
            f"{hist.source} has daily rows, so there is no intraday profile to spread calls "
            "over intervals; give an interval history or leave interval_min out"
        )
    log(
        f"history: {hist.source} ({len(hist.frame):,} rows, last day "
        f"{pd.Timestamp(hist.last_day()):%Y-%m-%d}) {took(clock)}"
    )

    notes.extend(_implausible_aht(hist))

    clock = time.monotonic()
    fc = _forecast(sc, hist, first)
    notes.extend(from_texts(NoteTopic.FORECAST, fc.notes))
    try:
        frame, adj_notes = apply_adjustments(fc.intervals, sc.adjustments)
    except InputError as exc:  # name the file that set the adjustments
        raise InputError(f"{dict(sc.origins).get('adjustments', sc.source)}: {exc}") from None
    notes.extend(adj_notes)
    fc = dataclasses.replace(
        fc, intervals=frame, daily=_rescale_daily(fc.daily, fc.intervals, frame)
    )
    log(
        f"forecast: {fc.model}, {label} from {first}, {frame['calls'].sum():,.0f} calls"
        f"{' (adjusted)' if sc.adjustments else ''} {took(clock)}"
    )

    clock = time.monotonic()
    target = sc.service.target()
    basis = frame
    if sc.forecast.plan_at == "upper":
        basis = frame.assign(calls=frame["upper"])
    _refuse_runaway_workload(sc, basis, target)
    requirements = staffing.staff_requirements(basis, target, pooled=sc.service.pooled)
    log(
        f"staffing: {sc.service.model} {sc.service.sl_pct:g}/{sc.service.target_s:g}, "
        f"peak {int(requirements.groupby('timestamp')['staff'].sum().max())} staff {took(clock)}"
    )

    clock = time.monotonic()
    agents = schedule.read_agents(sc.data.agents) if sc.data.agents else None
    gap: dict = {} if sc.run.gap_pct is None else {"gap_pct": sc.run.gap_pct}
    last_week = previous(sc, first) if callable(previous) else previous
    if last_week is not None:
        notes.append(
            note(
                NoteTopic.STORE, f"continues last week's published roster ({len(last_week)} shifts)"
            )
        )
    worked = overtime_before(sc, first) if callable(overtime_before) else overtime_before
    before = None if worked is None else schedule.OvertimeWorked.from_rows(worked)
    if before is not None and before.hours:
        notes.append(note(NoteTopic.STORE, before.describe(first)))
    result = schedule.build_roster(
        requirements,
        sc.rules,
        agents=agents,
        time_limit_s=sc.run.time_limit_s,
        solver=sc.run.solver,
        progress=progress,
        source=f"{sc.name} requirements",
        previous=last_week,
        holidays=week_holidays(sc, first),
        overtime_before=before,
        **gap,
    )
    notes.extend(from_texts(NoteTopic.SCHEDULE, result.messages))
    log(
        f"schedule: {result.status}, {result.headcount} agents, gap {100 * result.gap:.2f}%"
        f"{', SHORT' if result.short else ''} {took(clock)}"
    )

    evaluation, eval_frame = _evaluate(sc, frame, result, target)

    simulation = None
    if simulate:
        clock = time.monotonic()
        simulation = _simulate(sc, result, eval_frame)
        log(f"simulate: {sc.run.replications} replications {took(clock)}")

    kpis = plan_kpis(sc, fc, requirements, result, evaluation, simulation)
    inputs = summary_inputs(sc)
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
        gap_limit_pct=float(schedule.DEFAULT_GAP_PCT if sc.run.gap_pct is None else sc.run.gap_pct),
    )


def _refuse_runaway_workload(sc: Scenario, basis: pd.DataFrame, target) -> None:
    """Refuse, before staffing and rostering, a week whose workload (calls x AHT over the
    interval, in agents busy at once) exceeds what any centre staffs (`io.MAX_STAFF`): a typo
    in the history or the scenario, which would otherwise run for minutes and gigabytes."""
    if getattr(target, "aht_s", None) is not None:
        aht = np.full(len(basis), float(target.aht_s))
    elif "aht" in basis.columns:
        aht = basis["aht"].to_numpy(dtype=float)
    else:
        by_queue = dict(getattr(target, "aht_by_queue", None) or {})
        queues = basis["queue"] if "queue" in basis.columns else pd.Series([""] * len(basis))
        aht = np.array([float(by_queue.get(q, 0.0)) for q in queues], dtype=float)
    interval_s = 60.0 * float(sc.forecast.interval_min or 30)
    if len(basis) > 1:
        steps = pd.DatetimeIndex(basis["timestamp"]).sort_values().unique()
        if len(steps) > 1:
            interval_s = float((steps[1:] - steps[:-1]).total_seconds().min())
    load = basis["calls"].to_numpy(dtype=float) * np.nan_to_num(aht) / interval_s
    worst = int(np.argmax(load)) if len(load) else 0
    if len(load) and load[worst] > io.MAX_STAFF:
        when = pd.Timestamp(basis["timestamp"].iloc[worst])
        raise InputError(
            f"{sc.source}: the week's workload at {when:%Y-%m-%d %H:%M} is "
            f"{load[worst]:,.0f} agents busy at once ({basis['calls'].iloc[worst]:,.0f} calls x "
            f"{aht[worst]:,.0f} s AHT), more than any centre staffs ({io.MAX_STAFF:,}); check "
            "the history's calls and aht, and the scenario's [service] and [[adjustments]]"
        )


def _implausible_aht(hist: History) -> list[Note]:
    """A warning per history row whose AHT is far outside the file's own range (at most 3)."""
    if "aht" not in hist.frame.columns:
        return []
    frame = hist.frame
    odd = io.far_outside(frame["aht"].to_numpy(dtype=float))
    notes = []
    median = float(np.median(frame["aht"].to_numpy(dtype=float)[frame["aht"].to_numpy() > 0]))
    for _, row in frame[odd].head(3).iterrows():
        queue = f", queue {row['queue']}" if "queue" in frame.columns else ""
        notes.append(
            warning(
                NoteTopic.DATA,
                f"{hist.source}: aht = {row['aht']:g} s at "
                f"{pd.Timestamp(row['timestamp']):%Y-%m-%dT%H:%M}{queue} is far outside the file's "
                f"range (median {median:g} s): milliseconds or minutes instead of seconds?",
            )
        )
    if odd.sum() > 3:
        notes.append(
            warning(NoteTopic.DATA, f"{hist.source}: {int(odd.sum()) - 3} more such aht values")
        )
    return notes


def took(clock: float) -> str:
    """`(N.N s)` since `clock` (a `time.monotonic()` reading), for log lines."""
    return f"({time.monotonic() - clock:.1f} s)"


_FORECAST_CACHE: dict[tuple, object] = {}


def _forecast(sc: Scenario, hist, first: dt.date):
    """The forecast for the week (memoised per process: scenarios of a comparison that differ
    only in staffing or rules share it)."""
    options = sc.forecaster_options()
    key = (
        hist.source,
        _sha_or_none(sc.data.history),
        _sha_or_none(options["events"]),
        _sha_or_none(options["temperature"]),
        *(options[name] for name in ("country", "model", "level", "interval_min")),
        first,
    )
    if key not in _FORECAST_CACHE:
        if len(_FORECAST_CACHE) >= 8:
            _FORECAST_CACHE.clear()
        _FORECAST_CACHE[key] = forecast.forecast_history(
            hist, horizon_days=7, start=pd.Timestamp(first), **options
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
    aht = staffing.resolve_aht(frame, target)
    if "queue" in frame.columns:
        base, aht = staffing.pool_queues(frame, aht)
    else:
        base = frame[["timestamp", "calls"]].reset_index(drop=True)
    eval_frame = base.assign(aht=aht)
    plain = dataclasses.replace(target, aht_s=None, aht_by_queue={})
    cov = result.coverage.set_index("timestamp")["scheduled"]
    scheduled = cov.reindex(pd.to_datetime(eval_frame["timestamp"])).fillna(0.0).to_numpy()
    on_phones = staffing.on_phone_agents(scheduled, sc.service.shrinkage_pct)
    evaluation = staffing.evaluate_staffing(eval_frame, on_phones, plain)
    return evaluation, eval_frame


def _simulate(sc: Scenario, result, eval_frame: pd.DataFrame):
    return simulation_stage.simulate(
        result.roster,
        eval_frame,
        replications=sc.run.replications,
        seed=sc.run.seed,
        patience_s=sc.service.patience_s if sc.service.model == "erlang-a" else None,
        absence_pct=sc.service.shrinkage_pct,
        target_s=sc.service.target_s,
    )
