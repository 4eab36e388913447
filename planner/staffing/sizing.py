"""Staffing: turn a forecast into agents and staff per interval (Erlang C or Erlang A).

Forecast frame in: `timestamp,calls[,lower,upper][,aht][,queue]`. Requirements frame out:
`timestamp,calls,aht,agents,staff,service_level,asa,occupancy` (+ `abandon` with Erlang A,
+ `queue` when staffed per queue). `agents` = on the phones by the queueing model; `staff` =
agents grossed up for shrinkage (exact integer arithmetic, never loses an agent).
Units: aht and asa in seconds; service_level, occupancy and abandon are fractions 0..1.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from planner import erlang, io
from planner.errors import InputError
from planner.io import read_coverage as read_coverage
from planner.io import read_forecast as read_forecast

MODELS = ("erlang-c", "erlang-a")
DEFAULT_INTERVAL_S = 1800
REQUIREMENTS_COLUMNS = (
    "timestamp",
    "calls",
    "aht",
    "agents",
    "staff",
    "service_level",
    "asa",
    "occupancy",
)


@dataclass(frozen=True)
class StaffingTarget:
    """What each interval must achieve, and how agents become staff.

    sl_pct: percent of calls answered within `target_s` seconds (None: no SL target).
    asa_s: average speed of answer target in seconds (None: none).
    max_occupancy_pct: cap on agents' busy share, percent (None: no cap).
    shrinkage_pct: share of paid time off the phones, percent (staff = agents / (1 - s)).
    model: "erlang-c" (no abandonment) or "erlang-a" (callers abandon; needs patience_s).
    patience_s: mean caller patience in seconds (Erlang A).
    max_abandon_pct: cap on the percent of offered calls that abandon (Erlang A).
    aht_s: one AHT in seconds for every interval (overrides the forecast's `aht` column).
    aht_by_queue: AHT in seconds per queue name (used when neither aht_s nor an `aht` column
        gives one; the key "*" applies to a forecast without queues or to any other queue).
    """

    sl_pct: float | None = 80.0
    target_s: float = 20.0
    asa_s: float | None = None
    max_occupancy_pct: float | None = None
    shrinkage_pct: float = 30.0
    model: str = "erlang-c"
    patience_s: float | None = None
    max_abandon_pct: float | None = None
    aht_s: float | None = None
    aht_by_queue: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "aht_by_queue", MappingProxyType(dict(self.aht_by_queue)))
        _validate(self)

    @property
    def sl(self) -> float | None:
        return None if self.sl_pct is None else self.sl_pct / 100.0


def _num(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _validate(t: StaffingTarget) -> None:
    if t.sl_pct is not None:
        if not _num(t.sl_pct) or t.sl_pct <= 0 or t.sl_pct > 100:
            hint = (
                f" (did you mean {t.sl_pct / 10:g}?)" if _num(t.sl_pct) and t.sl_pct > 100 else ""
            )
            raise InputError(
                f"service level must be a percentage above 0 and below 100, got {t.sl_pct!r}{hint}"
            )
        if t.sl_pct >= 100:
            within = "at once" if t.target_s == 0 else f"within {t.target_s:g} s"
            raise InputError(
                f"a service level of 100% {within} cannot be met: in a queue some calls always "
                "wait, however many agents there are; use a target below 100% (e.g. 99)"
            )
    if not _num(t.target_s) or t.target_s < 0:
        raise InputError(f"answer-time target must be >= 0 seconds, got {t.target_s!r}")
    if t.asa_s is not None and (not _num(t.asa_s) or t.asa_s <= 0):
        raise InputError(
            f"ASA target must be above 0 seconds (an ASA of 0 s means no call ever waits, which "
            f"no number of agents guarantees), got {t.asa_s!r}"
        )
    if t.sl_pct is None and t.asa_s is None:
        raise InputError("no staffing target: give a service level (--sl/--target) or --asa")
    if t.max_occupancy_pct is not None and (
        not _num(t.max_occupancy_pct) or not 0 < t.max_occupancy_pct <= 100
    ):
        raise InputError(
            f"max occupancy must be a percentage in (0, 100], got {t.max_occupancy_pct!r}"
        )
    if not _num(t.shrinkage_pct) or not 0 <= t.shrinkage_pct < 100:
        raise InputError(f"shrinkage must be a percentage in [0, 100), got {t.shrinkage_pct!r}")
    if t.model not in MODELS:
        raise InputError(f"model must be one of {', '.join(MODELS)}, got {t.model!r}")
    if t.model == "erlang-a" and (
        t.patience_s is None or not _num(t.patience_s) or t.patience_s <= 0
    ):
        raise InputError(
            f"model erlang-a needs the callers' mean patience in seconds above 0 (--patience), "
            f"got {t.patience_s!r}"
        )
    if t.max_abandon_pct is not None:
        if t.model != "erlang-a":
            raise InputError("max abandonment needs model erlang-a (Erlang C has no abandonment)")
        if not _num(t.max_abandon_pct) or not 0 < t.max_abandon_pct <= 100:
            raise InputError(
                f"max abandonment must be a percentage in (0, 100] (0% cannot be met when "
                f"callers have finite patience), got {t.max_abandon_pct!r}"
            )
    if t.aht_s is not None and (not _num(t.aht_s) or t.aht_s <= 0):
        raise InputError(f"AHT must be a number of seconds above 0, got {t.aht_s!r}")
    for queue, value in t.aht_by_queue.items():
        if not _num(value) or value <= 0:
            raise InputError(f"AHT for queue {queue!r} must be seconds above 0, got {value!r}")


# ---------------------------------------------------------------------------------------------
# input (the Forecast and Coverage CSVs are read by `planner.io.read_forecast` and
# `planner.io.read_coverage`, kept importable from here)


def agents_from_coverage(frame: pd.DataFrame, coverage: pd.DataFrame) -> np.ndarray:
    """The `scheduled` agents of `coverage` for each row of `frame`, matched by timestamp."""
    if "queue" in frame.columns:
        raise InputError(
            "a coverage file counts agents per interval, not per queue: add --pooled to staff "
            "the queues as one pool"
        )
    lookup = coverage.set_index("timestamp")["scheduled"]
    missing = ~frame["timestamp"].isin(lookup.index)
    if missing.any():
        ts = frame["timestamp"][missing].iloc[0]
        raise InputError(
            f"coverage has no row for interval {ts:%Y-%m-%dT%H:%M:%S} "
            f"({int(missing.sum())} forecast intervals missing)"
        )
    return lookup.reindex(frame["timestamp"]).to_numpy(dtype=float)


# ---------------------------------------------------------------------------------------------
# helpers


def interval_seconds(frame: pd.DataFrame) -> int:
    """Interval length of a forecast: the smallest step between its timestamps (30 min if one)."""
    step = io.smallest_step_s(frame["timestamp"])
    if step is None:
        return DEFAULT_INTERVAL_S
    if step >= 86400:
        raise InputError(io.DAILY_FORECAST)
    return int(step)


def resolve_aht(frame: pd.DataFrame, target: StaffingTarget) -> np.ndarray:
    """AHT in seconds per row: target.aht_s, else the `aht` column, else target.aht_by_queue."""
    n = len(frame)
    if target.aht_s is not None:
        return np.full(n, float(target.aht_s))
    aht = (
        frame["aht"].to_numpy(dtype=float).copy() if "aht" in frame.columns else np.full(n, np.nan)
    )
    need = np.isnan(aht)
    if need.any() and target.aht_by_queue:
        queues = frame["queue"].to_numpy() if "queue" in frame.columns else np.full(n, "*")
        for i in np.flatnonzero(need):
            value = target.aht_by_queue.get(queues[i], target.aht_by_queue.get("*"))
            if value is not None:
                aht[i] = float(value)
        need = np.isnan(aht)
    calls = frame["calls"].to_numpy(dtype=float)
    missing = need & (calls > 0)
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        where = f" for queue {frame['queue'].iloc[first]!r}" if "queue" in frame.columns else ""
        raise InputError(
            f"no AHT{where} at {frame['timestamp'].iloc[first]:%Y-%m-%dT%H:%M:%S}: give --aht "
            "SECONDS, an 'aht' column in the forecast, or aht per queue in the scenario"
        )
    aht[need] = 0.0  # zero-call rows without an AHT carry no load
    return aht


def pool_queues(frame: pd.DataFrame, aht: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per timestamp: calls summed, AHT the calls-weighted mean of the queues' AHTs."""
    calls, pooled_aht = io.calls_weighted_aht(
        pd.Series(frame["calls"].to_numpy(dtype=float)),
        pd.Series(np.asarray(aht, dtype=float)),
        frame["timestamp"].to_numpy(),
    )
    out = pd.DataFrame({"timestamp": calls.index, "calls": calls.to_numpy()})
    return out.reset_index(drop=True), pooled_aht.to_numpy(dtype=float)


def _prepare(frame: pd.DataFrame, target: StaffingTarget, pooled: bool):
    if not {"timestamp", "calls"} <= set(frame.columns):
        raise InputError("the forecast needs the columns 'timestamp' and 'calls'")
    aht = resolve_aht(frame, target)
    if pooled and "queue" in frame.columns:
        base, aht = pool_queues(frame, aht)
    else:
        keep = [c for c in ("timestamp", "calls", "queue") if c in frame.columns]
        base = frame[keep].reset_index(drop=True).copy()
        base["calls"] = base["calls"].astype(float)
    return base, aht


def _measures(calls, aht, agents, target: StaffingTarget, interval: int) -> dict:
    if target.model == "erlang-a":
        r = erlang.erlang_a(calls, aht, agents, target.target_s, target.patience_s, interval)
        asa_a = np.asarray(r.asa, float)
        return {
            "service_level": np.asarray(r.service_level, float),
            "asa": np.where(np.isinf(asa_a), np.nan, asa_a),  # empty: nobody is answered
            "occupancy": np.asarray(r.occupancy, float),
            "abandon": np.asarray(r.abandon, float),
        }
    asa = np.asarray(erlang.asa(calls, aht, agents, interval), float)
    return {
        "service_level": np.asarray(
            erlang.service_level(calls, aht, agents, target.target_s, interval), float
        ),
        "asa": np.where(np.isinf(asa), np.nan, asa),  # empty cell: the queue grows unbounded
        "occupancy": np.asarray(erlang.occupancy(calls, aht, agents, interval), float),
    }


def _assemble(base, aht, agents, staff, measures) -> pd.DataFrame:
    out = pd.DataFrame({"timestamp": base["timestamp"].to_numpy()})
    out["calls"] = base["calls"].to_numpy(dtype=float)
    out["aht"] = np.round(aht, 3)
    out["agents"] = agents
    if staff is not None:
        out["staff"] = staff
    out["service_level"] = np.round(measures["service_level"], 6)
    out["asa"] = np.round(measures["asa"], 3)
    out["occupancy"] = np.round(measures["occupancy"], 6)
    if "abandon" in measures:
        out["abandon"] = np.round(measures["abandon"], 6)
    if "queue" in base.columns:
        out["queue"] = base["queue"].to_numpy()
    return out


# ---------------------------------------------------------------------------------------------
# the two directions


def staff_requirements(
    forecast_frame: pd.DataFrame,
    target: StaffingTarget,
    pooled: bool = False,
    interval_s: int | None = None,
) -> pd.DataFrame:
    """Requirements frame: agents on the phones per interval meeting `target`, and staff.

    Per-queue forecasts are staffed per queue with each queue's AHT; `pooled=True` staffs one
    pool per interval with the calls-weighted AHT. The interval length is the forecast's step.
    """
    interval = int(interval_s or interval_seconds(forecast_frame))
    base, aht = _prepare(forecast_frame, target, pooled)
    calls = base["calls"].to_numpy(dtype=float)
    occ = None if target.max_occupancy_pct is None else target.max_occupancy_pct / 100.0
    if target.model == "erlang-a":
        agents = erlang.agents_needed_a(
            calls,
            aht,
            target.sl,
            target.target_s,
            patience=target.patience_s,
            interval=interval,
            max_occupancy=occ,
            asa_target=target.asa_s,
            max_abandon=None if target.max_abandon_pct is None else target.max_abandon_pct / 100,
        )
    else:
        agents = erlang.agents_needed(
            calls,
            aht,
            target.sl,
            target.target_s,
            interval,
            max_occupancy=occ,
            asa_target=target.asa_s,
        )
    agents = np.asarray(agents).astype(np.int64)
    staff = erlang.staff_for_shrinkage(agents, target.shrinkage_pct)
    return _assemble(base, aht, agents, staff, _measures(calls, aht, agents, target, interval))


def evaluate_staffing(
    frame: pd.DataFrame,
    agents_on_phones,
    target: StaffingTarget,
    pooled: bool = False,
    interval_s: int | None = None,
) -> pd.DataFrame:
    """Reverse mode: what `agents_on_phones` (a number, or one per row) deliver per interval.

    Returns `timestamp,calls,aht,agents,service_level,asa,occupancy` (+ `abandon` with Erlang A,
    + `queue`), plus `meets_target` (True when every target of `target` is met). ASA is empty
    where the agents cannot carry the load (Erlang C: the queue grows without bound).
    """
    interval = int(interval_s or interval_seconds(frame))
    base, aht = _prepare(frame, target, pooled)
    agents = np.broadcast_to(np.asarray(agents_on_phones, dtype=float), (len(base),)).copy()
    if np.any(np.isnan(agents)) or np.any(agents < 0):
        raise InputError("agents on the phones must be numbers >= 0")
    calls = base["calls"].to_numpy(dtype=float)
    m = _measures(calls, aht, agents, target, interval)
    out = _assemble(base, aht, np.round(agents, 6), None, m)
    ok = np.ones(len(out), dtype=bool)
    if target.sl is not None:
        ok &= m["service_level"] >= target.sl
    if target.asa_s is not None:
        ok &= np.nan_to_num(m["asa"], nan=np.inf) <= target.asa_s
    if target.max_occupancy_pct is not None:
        ok &= m["occupancy"] <= target.max_occupancy_pct / 100 + 1e-12
    if target.max_abandon_pct is not None:
        ok &= m["abandon"] <= target.max_abandon_pct / 100
    out["meets_target"] = ok
    return out


# ---------------------------------------------------------------------------------------------
# summaries for people


@dataclass(frozen=True)
class RequirementsSummary:
    """What a planner reads first: peak intervals, staff-hours per day, and FTEs.

    FTE basis: `fte_hours_per_week` paid hours per full-time employee (default 40 h);
    daily FTE = staff-hours of that day / (fte_hours_per_week / 7), i.e. the headcount the line
    needs if every day of the week looked like that day.
    """

    peaks: pd.DataFrame
    daily: pd.DataFrame
    staff_hours: float
    fte: float
    fte_hours_per_week: float
    days: float


def summarise_requirements(
    requirements: pd.DataFrame,
    fte_hours_per_week: float = 40.0,
    top: int = 10,
    interval_s: int | None = None,
) -> RequirementsSummary:
    """Peak intervals (by agents), daily calls / peak agents / staff-hours / FTE, and totals."""
    interval = int(interval_s or interval_seconds(requirements))
    per_ts = requirements.groupby("timestamp", sort=True).agg(
        calls=("calls", "sum"), agents=("agents", "sum"), staff=("staff", "sum")
    )
    per_ts = per_ts.reset_index()
    peaks = (
        per_ts.sort_values(["agents", "timestamp"], ascending=[False, True], kind="stable")
        .head(top)
        .reset_index(drop=True)
    )
    hours = interval / 3600.0
    per_ts["date"] = per_ts["timestamp"].dt.strftime("%Y-%m-%d")
    per_ts["staff_hours"] = per_ts["staff"] * hours
    daily = per_ts.groupby("date", sort=True).agg(
        calls=("calls", "sum"), peak_agents=("agents", "max"), staff_hours=("staff_hours", "sum")
    )
    daily["fte"] = (daily["staff_hours"] / (fte_hours_per_week / 7.0)).round(1)
    daily["calls"] = daily["calls"].round(1)
    daily = daily.reset_index()
    total = float(per_ts["staff_hours"].sum())
    days = len(per_ts) * interval / 86400.0
    fte = total / (fte_hours_per_week * days / 7.0) if days > 0 else 0.0
    return RequirementsSummary(
        peaks=peaks,
        daily=daily,
        staff_hours=total,
        fte=round(fte, 1),
        fte_hours_per_week=fte_hours_per_week,
        days=days,
    )


def load_forecast(path: str | os.PathLike | None) -> pd.DataFrame:
    """The forecast to staff: `path` (a Forecast CSV, `-` = stdin), or with no path a fresh
    forecast of the bundled hotline history (planner.history + planner.forecast)."""
    if path is not None:
        return read_forecast(path)
    from planner import forecast, history  # lazy: the forecasting stage is optional here

    hist = history.read_history(io.bundled_path(history.BUNDLED_HISTORY))
    return forecast.forecast_history(hist).intervals


def on_phone_agents(rostered, shrinkage_pct: float) -> np.ndarray:
    """Agents on the phones out of `rostered` staff after `shrinkage_pct` percent shrinkage:
    floor(rostered x (1 - s)), the whole agents `planner run` credits a roster with (a 1e-9
    tolerance so that 90 staff at 30% are 63 agents, not 62)."""
    if not _num(shrinkage_pct) or not 0 <= shrinkage_pct < 100:
        raise InputError(f"shrinkage must be a percentage in [0, 100), got {shrinkage_pct!r}")
    rostered = np.asarray(rostered, dtype=float)
    return np.floor(rostered * (1.0 - shrinkage_pct / 100.0) + 1e-9)


def delivered_service_level_pct(frame: pd.DataFrame) -> float | None:
    """Calls-weighted service level (percent) of an evaluated frame; None without calls."""
    calls = frame["calls"].to_numpy(dtype=float)
    if calls.sum() <= 0:
        return None
    sl = frame["service_level"].to_numpy(dtype=float)
    return float(100.0 * (sl * calls).sum() / calls.sum())


def plan_staffing(
    forecast_path: str | os.PathLike | None,
    target: StaffingTarget,
    pooled: bool = False,
    agents: float | None = None,
    coverage_path: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """What `planner staff` does: load (or make) the forecast, then either compute the
    Requirements frame, or with `agents` / `coverage_path` evaluate that staffing.

    `agents` counts agents on the phones. A coverage file's `scheduled` counts rostered staff,
    so, as `planner run` does, only floor(scheduled x (1 - shrinkage)) of them are on the
    phones; the frame then carries the `rostered` count too."""
    if agents is not None and coverage_path is not None:
        raise InputError("give either --agents or --coverage, not both")
    frame = load_forecast(forecast_path)
    if agents is None and coverage_path is None:
        return staff_requirements(frame, target, pooled=pooled)
    if coverage_path is not None:
        coverage = read_coverage(coverage_path)
        if pooled and "queue" in frame.columns:
            base, aht = pool_queues(frame, resolve_aht(frame, target))
            frame = base.assign(aht=aht)
            target = _without_aht_override(target)
        rostered = agents_from_coverage(frame, coverage)
        out = evaluate_staffing(frame, on_phone_agents(rostered, target.shrinkage_pct), target)
        out["rostered"] = rostered
        return out
    return evaluate_staffing(frame, agents, target, pooled=pooled)


def _without_aht_override(target: StaffingTarget) -> StaffingTarget:
    from dataclasses import replace

    return replace(target, aht_s=None, aht_by_queue={})


# ---------------------------------------------------------------------------------------------
# the shrinkage a Requirements frame was made with


@dataclass(frozen=True)
class ImpliedShrinkage:
    """The shrinkage (percent) that turned a Requirements frame's `agents` into its `staff`.

    `pct`: the value assumed; `low_pct`-`high_pct`: every shrinkage the rows agree with
    (staff = ceil(agents / (1 - s)) in each row); `exact` is False when no single shrinkage
    fits every row, and `pct` is then the staff-hours estimate 1 - sum(agents) / sum(staff).
    """

    pct: float
    low_pct: float
    high_pct: float
    exact: bool

    def describe(self) -> str:
        if not self.exact:
            return f"about {self.pct:g}% (1 - agents / staff over the week)"
        if self.high_pct - self.low_pct > 1.0:
            return (
                f"{self.pct:g}% (its rows fit any value in {self.low_pct:.1f}-{self.high_pct:.1f}%)"
            )
        return f"{self.pct:g}%"


def implied_shrinkage(requirements: pd.DataFrame) -> ImpliedShrinkage | None:
    """The shrinkage implied by the `agents` and `staff` columns (None without them or without
    a row with staff). Each row with staff S > 0 bounds it: staff = ceil(a / (1 - s)) means
    100 (1 - a / (S - 1)) < s <= 100 (1 - a / S). Within the common range the simplest value is
    taken (a multiple of 5, else of 1, 0.5, 0.1, 0.01 percent), nearest the unrounded estimate
    1 - sum(a) / sum(S - 1/2)."""
    if not {"agents", "staff"} <= set(requirements.columns):
        return None
    agents = pd.to_numeric(requirements["agents"], errors="coerce").to_numpy(dtype=float)
    staff = pd.to_numeric(requirements["staff"], errors="coerce").to_numpy(dtype=float)
    keep = ~np.isnan(agents) & ~np.isnan(staff) & (staff > 0)
    if not keep.any():
        return None
    a, s = np.ceil(agents[keep] - 1e-9), staff[keep]
    high = float(np.min(100.0 * (1.0 - a / s)))
    with np.errstate(divide="ignore"):
        lows = np.where(s > 1, 100.0 * (1.0 - a / np.maximum(s - 1.0, 1e-300)), -np.inf)
    low = max(float(np.max(lows)), 0.0)
    estimate = 100.0 * (1.0 - a.sum() / max(float((s - 0.5).sum()), 1e-300))
    if high >= 0 and low <= high + 1e-9 and np.all(a <= s):
        for step in (5.0, 1.0, 0.5, 0.1, 0.01):
            grid = np.round(np.arange(math.floor(low / step), math.ceil(high / step) + 1) * step, 2)
            fits = [
                float(c)
                for c in grid
                if 0 <= c < 100 and np.array_equal(erlang.staff_for_shrinkage(a, c), s)
            ]
            if fits:
                best = min(fits, key=lambda c: (abs(c - estimate), c))
                return ImpliedShrinkage(best, round(low, 2), round(high, 2), True)
    rough = 100.0 * (1.0 - a.sum() / s.sum())
    rough = round(float(min(max(rough, 0.0), 99.0)), 1)
    return ImpliedShrinkage(rough, rough, rough, False)
