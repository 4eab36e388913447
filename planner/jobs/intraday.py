"""`planner intraday` from files: today's actuals and the published plan in, the reforecast,
the gap and the actions out.

The plan comes from a week directory (`forecast.csv`, `roster.csv` as `planner run` writes
them) or from the plan store (the published run whose week holds today). Bad input is one
`InputError` line (exit 2): actuals for another day than the plan, rows past "now", a gap in
the morning's rows, an interval other than the plan's, a store without today's plan.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

from planner import io, schedule, store
from planner.choices import IntradayAction
from planner.errors import ExitCode, InputError
from planner.history import BUNDLED_HISTORY, read_history
from planner.intraday import (
    ActionSettings,
    Demand,
    IntradayResult,
    SimulatedStep,
    Tomorrow,
    UpdateSettings,
    carry_to_tomorrow,
    gap_frame,
    persistence_from_history,
    plan_actions,
    reforecast_day,
    rostered,
    simulate_rest,
)
from planner.report.intraday import actions_frame
from planner.scenario import Scenario, default_scenario, load_scenario
from planner.schedule import OvertimeWorked, rules_from_mapping

REPLICATIONS = 10
STAGE_LABELS = {
    IntradayAction.MOVE_BREAK: "+ breaks moved",
    IntradayAction.CANCEL_SHRINKAGE: "+ shrinkage cancelled",
    IntradayAction.EXTEND_SHIFT: "+ extensions, call-ins",
    IntradayAction.CALLBACKS: "+ callbacks",
}


def _scenario(path: str | os.PathLike | None) -> Scenario:
    if path is None:
        return default_scenario(rules_from_mapping)
    return load_scenario(path, rules_from_mapping)


def _country(sc: Scenario) -> str | None:
    return None if sc.data.country == "none" else sc.data.country


def _parse_at(at: str | None, day: pd.Timestamp) -> pd.Timestamp | None:
    if at is None:
        return None
    try:
        clock = dt.time.fromisoformat(at)
    except ValueError:
        raise InputError(f"{{at}} {at!r}: expected a time of day HH:MM", "at") from None
    return day + pd.Timedelta(hours=clock.hour, minutes=clock.minute)


def read_actuals(path, country, timezone):
    """Today's actual rows: (day, calls per timestamp, the rows' interval in minutes or None
    for a single row, the file's name)."""
    history = read_history(path, timezone=timezone, country=country, keep_spikes=True)
    frame = history.total()
    if history.is_daily and len(frame) > 1:
        raise InputError(f"{history.source}: daily rows; expected today's intervals")
    days = frame["timestamp"].dt.normalize().unique()
    if len(days) != 1:
        raise InputError(
            f"{history.source}: rows of {len(days)} days ({pd.Timestamp(days[0]).date()} .. "
            f"{pd.Timestamp(days[-1]).date()}); expected today's rows only"
        )
    calls = frame.set_index("timestamp")["calls"]
    return pd.Timestamp(days[0]), calls, history.interval_min, history.source


def morning(calls: pd.Series, day: pd.Timestamp, step: int, at: str | None, source: str):
    """Now (`--at`, else the end of the last row) and the calls of every interval before it;
    refuses rows past now, a `--at` off the grid and a gap in the morning's rows."""
    last = calls.index.max() + pd.Timedelta(minutes=step)
    now = _parse_at(at, day) or last
    if (now - day) % pd.Timedelta(minutes=step):
        raise InputError(f"{{at}} {at}: expected a time on the {step}-min interval grid", "at")
    past = calls.index[calls.index >= now]
    if len(past):
        raise InputError(
            f"{source}: row {past[0]:%Y-%m-%dT%H:%M} is past now "
            f"({now:%H:%M}); give {{at}} later or leave the future rows out",
            "at",
        )
    expected = pd.date_range(day, now - pd.Timedelta(minutes=step), freq=f"{step}min")
    missing = expected.difference(pd.DatetimeIndex(calls.index))
    if len(missing):
        raise InputError(
            f"{source}: no row for {missing[0]:%Y-%m-%dT%H:%M} (a gap in the morning's "
            f"rows: {len(missing)} of {len(expected)} intervals up to {now:%H:%M} missing)"
        )
    return now, calls.reindex(expected).to_numpy(float)


def _recent_history(sc: Scenario, day: pd.Timestamp, step: int) -> pd.DataFrame | None:
    """The scenario's history (the bundled one by default) before today, at `step` minutes, to
    measure the morning's shape noise on; None when it cannot serve (another interval, no
    days before today, unreadable): the update then uses its default shape noise."""
    path = sc.data.history or io.bundled_path(BUNDLED_HISTORY)
    try:
        history = read_history(path, timezone=sc.data.timezone, country=_country(sc))
    except InputError:
        return None
    if history.interval_min != step:
        return None
    frame = history.total()[["timestamp", "calls"]]
    frame = frame[frame["timestamp"] < day]
    return frame if len(frame) else None


def _tomorrow(
    forecast: pd.DataFrame,
    day: pd.Timestamp,
    store_path: Path | None,
    scenario_name: str | None,
    ref,
    recent: pd.DataFrame | None,
    where: str,
) -> tuple[Tomorrow | None, str | None]:
    """Tomorrow's plan carried from today's reforecast, or None and a note saying why not
    (no plan for tomorrow, no history to measure the persistence on)."""
    nxt = day + pd.Timedelta(days=1)
    rows = forecast[forecast["timestamp"].dt.normalize() == nxt]
    if rows.empty and store_path is not None:
        try:
            rows = store.published_plan_for_day(store_path, nxt.date(), scenario_name).forecast
            rows = rows[rows["timestamp"].dt.normalize() == nxt]
        except InputError:
            rows = rows.iloc[0:0]
    if rows.empty:
        return None, f"no plan for tomorrow {nxt.date()} ({where}): tomorrow not carried"
    measured = None if recent is None else persistence_from_history(recent, day)
    if measured is None:
        return None, "too little history to measure how busyness lasts a day: tomorrow not carried"
    rho, pairs = measured
    plan_day = float(ref.intervals["plan"].sum())
    return carry_to_tomorrow(rows.reset_index(drop=True), ref.day, plan_day, rho, pairs), None


def _plan_from_dir(plan_dir: Path, day: pd.Timestamp):
    for name in ("forecast.csv", "roster.csv"):
        if not (plan_dir / name).is_file():
            raise InputError(f"{plan_dir}: no {name} (expected a week directory of planner run)")
    forecast = io.read_forecast(plan_dir / "forecast.csv")
    if "queue" in forecast.columns:
        calls, aht = (
            io.calls_weighted_aht(forecast["calls"], forecast["aht"], forecast["timestamp"])
            if "aht" in forecast.columns
            else (forecast.groupby("timestamp")["calls"].sum(), None)
        )
        pooled = forecast.groupby("timestamp")[["lower", "upper"]].sum()
        pooled["calls"] = calls
        if aht is not None:
            pooled["aht"] = aht
        forecast = pooled.reset_index()
    roster = io.read_roster(plan_dir / "roster.csv")
    return forecast, roster, None, f"{plan_dir}", None, None, None


def _plan_from_store(path: Path, day: pd.Timestamp, scenario_name: str | None):
    found = store.published_plan_for_day(path, day.date(), scenario_name)
    before = store.overtime_worked(path, found.scenario, found.week_start)
    return (
        found.forecast,
        found.shifts,
        found.daily,
        f"{path} (run {found.run_id}, {found.scenario}, week of {found.week_start})",
        found.shrinkage_pct,
        found.run_id,
        OvertimeWorked.from_rows(before),
    )


def run_intraday(
    scenario_path: str | os.PathLike | None,
    actuals_path: str | os.PathLike,
    at: str | None = None,
    plan_dir: str | os.PathLike | None = None,
    store_path: str | os.PathLike | None = None,
    replications: int = REPLICATIONS,
    record: bool = True,
    tomorrow: bool = False,
) -> IntradayResult:
    """Reforecast the rest of today, restaff it against the published roster, propose actions.

    With the plan read from the store and `record`, the reforecast and the ranked actions are
    recorded there (`store.record_intraday`), the last step, so that a failure before it
    leaves the store as it was. With `tomorrow`, tomorrow's plan (from the same plan, else
    the store's run covering tomorrow) is carried from today's evidence (`intraday.tomorrow`)
    and recorded with the rest of the day."""
    sc = _scenario(scenario_path)
    day, calls, actual_step, source = read_actuals(actuals_path, _country(sc), sc.data.timezone)
    path = None
    if plan_dir is not None:
        forecast, roster, daily, where, shrinkage, run_id, earlier = _plan_from_dir(
            Path(plan_dir), day
        )
    else:
        path = Path(store.resolve_store_path(store_path, None, sc.run.store))
        forecast, roster, daily, where, shrinkage, run_id, earlier = _plan_from_store(
            path, day, sc.name if scenario_path is not None else None
        )
    today = forecast[forecast["timestamp"].dt.normalize() == day].reset_index(drop=True)
    if today.empty:
        span = f"{forecast['timestamp'].min():%Y-%m-%d} .. {forecast['timestamp'].max():%Y-%m-%d}"
        raise InputError(f"{source}: actuals of {day.date()}, but the plan ({where}) covers {span}")
    plan_s = io.smallest_step_s(pd.DatetimeIndex(today["timestamp"]))
    step = int(plan_s // 60) if plan_s is not None else (actual_step or 30)
    if actual_step is not None and actual_step != step:
        raise InputError(f"{source}: {actual_step}-min rows, the plan ({where}) is at {step} min")
    now, actual = morning(calls, day, step, at, source)
    if now >= day + pd.Timedelta(days=1):
        raise InputError(f"{source}: the day is over at {now}; nothing left to reforecast")
    level = sc.forecast.level
    bounds = None if daily is None else (daily[1], daily[2])
    recent = _recent_history(sc, day, step)
    ref = reforecast_day(
        today, actual, now, step, bounds, UpdateSettings(level_pct=level), history=recent
    )
    rest = ref.rest_intervals
    aht = rest["aht"].to_numpy(float)
    target = sc.service.target()
    if np.isnan(aht).any():
        fallback = target.aht_s or sc.service.aht_s or 300.0
        aht = np.where(np.isnan(aht), fallback, aht)
    demand = Demand(pd.DatetimeIndex(rest["timestamp"]), rest["calls"].to_numpy(float), aht,
                    step, target)  # fmt: skip
    shrinkage_pct = sc.service.shrinkage_pct if shrinkage is None else shrinkage
    before = gap_frame(demand, rostered(roster, demand), shrinkage_pct)
    settings = ActionSettings(
        movable_shrinkage_pct=sc.intraday.movable_shrinkage_pct,
        callback_accept_pct=sc.intraday.callback_accept_pct,
    )
    agents = schedule.read_agents(sc.data.agents) if sc.data.agents else None
    plan = plan_actions(roster, demand, shrinkage_pct, sc.rules, now, settings, earlier, agents)
    after_demand = demand.with_calls(plan.calls)
    after = gap_frame(after_demand, rostered(plan.roster, demand), plan.shrinkage_pct)
    steps = [
        SimulatedStep(
            "before",
            before.expected_sl_pct,
            simulate_rest(roster, demand, shrinkage_pct, replications, sc.run.seed),
        )
    ]
    for kind, stage_roster, stage_shrinkage, stage_calls in plan.stage_rosters:
        d = demand.with_calls(stage_calls)
        stage_gap = gap_frame(d, rostered(stage_roster, d), stage_shrinkage)
        steps.append(
            SimulatedStep(
                STAGE_LABELS[kind],
                stage_gap.expected_sl_pct,
                simulate_rest(stage_roster, d, stage_shrinkage, replications, sc.run.seed),
            )
        )
    notes = []
    carried = None
    if tomorrow:
        name = sc.name if scenario_path is not None else None
        carried, why = _tomorrow(forecast, day, path, name, ref, recent, where)
        if why:
            notes.append(why)
    if plan.new_breaches:
        notes.append("rule breaches: " + "; ".join(plan.new_breaches))
    result = IntradayResult(
        day.date(), now, where, ref, before, after, plan, tuple(steps), target.sl_pct,
        tuple(notes), carried,
    )  # fmt: skip
    if record and path is not None:
        _record(path, run_id, result)
    return result


def _record(path: Path, run_id: int | None, result: IntradayResult) -> None:
    ref = result.reforecast
    header = {
        "factor": ref.factor,
        "factor_lower": ref.factor_lower,
        "factor_upper": ref.factor_upper,
        "weight_on_actuals": ref.weight_on_actuals,
        "level_pct": ref.level_pct,
        "actual_so_far": ref.actual_so_far,
        "rest": ref.rest,
        "rest_lower": ref.rest_lower,
        "rest_upper": ref.rest_upper,
        "sl_expected_before_pct": result.steps[0].expected_pct,
        "sl_expected_after_pct": result.steps[-1].expected_pct,
        "sl_simulated_before_pct": result.steps[0].simulated_pct,
        "sl_simulated_after_pct": result.steps[-1].simulated_pct,
        "short_agent_hours": result.gap_after.short_agent_hours,
    }
    code = ExitCode.TARGETS_NOT_MET if result.short_after else ExitCode.OK
    columns = ["timestamp", "calls", "lower", "upper"]
    rows = ref.rest_intervals[columns]
    if result.tomorrow is not None:  # tomorrow's carried plan, scored like the rest of today
        rows = pd.concat([rows, result.tomorrow.intervals[columns]], ignore_index=True)
    store.record_intraday(
        path, run_id, result.day, result.now, int(code), header, rows, actions_frame(result),
    )  # fmt: skip
