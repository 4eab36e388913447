"""Sizing: agents and staff per interval for a target (Erlang C or Erlang A), and the
reverse: what given agents deliver.

Forecast frame in: `timestamp,calls[,lower,upper][,aht][,queue]`. Requirements frame out:
`timestamp,calls,aht,agents,staff,service_level,asa,occupancy` (+ `abandon` with Erlang A,
+ `queue` when staffed per queue). `agents` = on the phones by the queueing model; `staff` =
agents grossed up for shrinkage (exact integer arithmetic, never loses an agent).
Units: aht and asa in seconds; service_level, occupancy and abandon are fractions 0..1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner import erlang, io
from planner.errors import InputError
from planner.staffing.target import StaffingTarget, is_number

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


# ---------------------------------------------------------------------------------------------
# input


def agents_from_coverage(frame: pd.DataFrame, coverage: pd.DataFrame) -> np.ndarray:
    """The `scheduled` agents of `coverage` for each row of `frame`, matched by timestamp."""
    if "queue" in frame.columns:
        raise InputError(
            "a coverage file counts agents per interval, not per queue: add {pooled} to staff "
            "the queues as one pool",
            "pooled",
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
            f"no AHT{where} at {frame['timestamp'].iloc[first]:%Y-%m-%dT%H:%M:%S}: give {{aht_s}} "
            "SECONDS, an 'aht' column in the forecast, or aht per queue in the scenario",
            "aht_s",
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


def on_phone_agents(rostered, shrinkage_pct: float) -> np.ndarray:
    """Agents on the phones out of `rostered` staff after `shrinkage_pct` percent shrinkage:
    floor(rostered x (1 - s)), the whole agents `planner run` credits a roster with (a 1e-9
    tolerance so that 90 staff at 30% are 63 agents, not 62)."""
    if not is_number(shrinkage_pct) or not 0 <= shrinkage_pct < 100:
        raise InputError(f"shrinkage must be a percentage in [0, 100), got {shrinkage_pct!r}")
    rostered = np.asarray(rostered, dtype=float)
    return np.floor(rostered * (1.0 - shrinkage_pct / 100.0) + 1e-9)
