"""`simulate`: the replications of the week, their interval means, per-run totals and the
summary with 95% confidence intervals."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.simulate.engine import ReplicationSettings, run_replication
from planner.simulate.inputs import Demand, pooled_demand, roster_windows
from planner.simulate.result import (
    INTERVAL_COLUMNS,
    SERVICES,
    SL_DEFINITION,
    WORST_INTERVALS,
    Estimate,
    SimulationResult,
    SimulationSummary,
)

# --- the public entry point ----------------------------------------------------------------


def simulate(
    roster: pd.DataFrame,
    requirements: pd.DataFrame,
    replications: int = 20,
    seed: int = 0,
    patience_s: float | None = None,
    service: str = "exponential",
    absence_pct: float = 0.0,
    overdispersion: float = 0.0,
    target_s: float = 20.0,
    interval_min: int | None = None,
    cyclic: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate the roster against the requirements' call forecast, `replications` times.

    `roster`: frame with `start`, `end` (date-times) and `breaks` (text `start/end;start/end` or
    a list of (start, end) pairs) per agent-shift. `requirements`: frame with `timestamp`,
    `calls` (expected calls in the interval), `aht` (s); a `service_level` column (the plan) is
    carried into the summary for comparison. `patience_s`: mean caller patience (s) or None for
    callers who never hang up. `service`: "exponential" or "lognormal" (CV 1) talk times.
    `absence_pct`: chance (%) that an agent-shift is missing. `overdispersion`: variance of the
    gamma multiplier on each interval's call rate (0 = Poisson). `target_s`: the service-level
    threshold (s). `interval_min`: the interval length, by default the smallest step between
    timestamps. `cyclic`: the roster is a cyclic week as the scheduler makes it (shifts running
    past the end of the horizon also cover its start; see `roster_windows`); by default, when
    the horizon is whole days from midnight.
    `progress(done, total)` is called after each replication.

    Deterministic for a given `seed`: replication r uses the r-th child of
    `numpy.random.SeedSequence(seed)`.
    """
    if int(replications) < 1:
        raise InputError(f"replications = {replications!r}: expected a whole number >= 1")
    if service not in SERVICES:
        raise InputError(f"service = {service!r}: expected one of {', '.join(SERVICES)}")
    if not 0.0 <= float(absence_pct) < 100.0:
        raise InputError(f"absence = {absence_pct!r}: expected a percentage in [0, 100)")
    if not float(overdispersion) >= 0.0:
        raise InputError(f"overdispersion = {overdispersion!r}: expected a number >= 0")
    if not float(target_s) >= 0.0:
        raise InputError(f"target = {target_s!r}: expected seconds >= 0")
    if patience_s is not None and not float(patience_s) > 0:
        raise InputError(f"patience = {patience_s!r}: expected seconds > 0 or none")
    demand = pooled_demand(requirements, interval_min)
    horizon_s = len(demand.calls) * demand.interval_s
    if cyclic is None:  # a cyclic roster only makes sense over whole days from midnight
        cyclic = demand.origin == demand.origin.normalize() and horizon_s % 86400 == 0
    notes = _overlap_notes(roster, demand, horizon_s, bool(cyclic))
    windows = roster_windows(roster, demand.origin, horizon_s if cyclic else None)
    cfg = ReplicationSettings(
        None if patience_s is None else float(patience_s),
        service,
        float(absence_pct),
        float(overdispersion),
        float(target_s),
    )
    children = np.random.SeedSequence(int(seed)).spawn(int(replications))
    runs = []
    for r, child in enumerate(children):
        runs.append(run_replication(np.random.default_rng(child), demand, windows, cfg))
        if progress is not None:
            progress(r + 1, int(replications))
    intervals = _interval_frame(demand, runs)
    per_run = _runs_frame(runs)
    summary = _summary(demand, per_run, intervals, cfg, int(replications), int(seed))
    summary = dataclasses.replace(summary, cyclic=bool(cyclic), notes=tuple(notes))
    return SimulationResult(intervals=intervals, summary=summary, runs=per_run)


def _overlap_notes(roster: pd.DataFrame, demand: Demand, horizon_s: float, cyclic: bool):
    """Warn when the roster's shifts lie outside the requirements' horizon."""
    if len(roster) == 0:
        return ["the roster has no shifts: nobody answers"]
    first, last = pd.to_datetime(roster["start"]).min(), pd.to_datetime(roster["end"]).max()
    end = demand.origin + pd.Timedelta(seconds=horizon_s)
    if last > demand.origin and first < end:
        return []
    where = f"roster {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}"
    horizon = f"requirements {demand.origin:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"
    if cyclic:
        return [f"{where} does not overlap the {horizon}: shifts moved by whole cycles (cyclic)"]
    return [f"{where} does not overlap the {horizon}: nobody answers"]


def _ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, scale * num / np.where(den > 0, den, 1.0), np.nan)


def _interval_frame(demand: Demand, runs: list[dict]) -> pd.DataFrame:
    total = {key: np.sum([r[key] for r in runs], axis=0) for key in runs[0]}
    n = len(runs)
    offered = total["offered"] / n
    answered = total["answered"] / n
    abandoned = total["abandoned"] / n
    frame = pd.DataFrame(
        {
            "timestamp": demand.timestamps,
            "offered": offered,
            "answered": answered,
            "abandoned": abandoned,
            "service_level": _ratio(total["within"], total["offered"]),
            "asa": _ratio(total["wait_sum"], total["answered"]),
            "agents": total["on_phone_s"] / n / demand.interval_s,
            "waiting": total["waiting"] / n,
            "occupancy": _ratio(total["busy_s"], total["on_phone_s"]),
        }
    )
    for col in INTERVAL_COLUMNS[1:]:
        frame[col] = frame[col].astype(float).round(4)
    return frame.reset_index(drop=True)


def _runs_frame(runs: list[dict]) -> pd.DataFrame:
    tot = {key: np.array([r[key].sum() for r in runs]) for key in runs[0]}
    return pd.DataFrame(
        {
            "replication": np.arange(1, len(runs) + 1),
            "offered": tot["offered"],
            "answered": tot["answered"],
            "abandoned": tot["abandoned"],
            "waiting": tot["waiting"],
            "service_level": _ratio(tot["within"], tot["offered"]),
            "asa": _ratio(tot["wait_sum"], tot["answered"]),
            "abandon": _ratio(tot["abandoned"], tot["offered"]),
            "occupancy": _ratio(tot["busy_s"], tot["on_phone_s"]),
        }
    )


def _mean_ci(values: np.ndarray) -> Estimate:
    """Mean and 95% Student-t confidence interval of per-replication values."""
    values = np.asarray(values, float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return Estimate(None)
    mean = float(values.mean())
    if len(values) < 2:
        return Estimate(round(mean, 4))
    from scipy.special import stdtrit  # the Student t quantile; lighter than scipy.stats

    half = float(stdtrit(len(values) - 1, 0.975) * values.std(ddof=1) / math.sqrt(len(values)))
    return Estimate(round(mean, 4), round(mean - half, 4), round(mean + half, 4))


def _summary(
    demand, runs: pd.DataFrame, intervals, cfg: ReplicationSettings, replications, seed
) -> SimulationSummary:
    summary: dict = {
        "replications": replications,
        "seed": seed,
        "target_s": cfg.target_s,
        "patience_s": cfg.patience_s,
        "service": cfg.service,
        "absence_pct": cfg.absence_pct,
        "overdispersion": cfg.overdispersion,
        "interval_min": demand.interval_s / 60.0,
        "start": demand.timestamps[0].isoformat(),
        "end": (demand.timestamps[-1] + pd.Timedelta(seconds=demand.interval_s)).isoformat(),
        "calls_forecast": round(float(demand.calls.sum()), 2),
        "calls_simulated": int(runs["offered"].sum()),
        "service_level_definition": SL_DEFINITION,
        "offered": _mean_ci(runs["offered"]),
        "service_level_pct": _mean_ci(100 * runs["service_level"]),
        "asa_s": _mean_ci(runs["asa"]),
        "abandon_pct": _mean_ci(100 * runs["abandon"]),
        "occupancy_pct": _mean_ci(100 * runs["occupancy"]),
        "waiting_at_end": round(float(intervals["waiting"].sum()), 2),
    }
    if demand.planned_sl is not None and np.nansum(demand.calls) > 0:
        mask = ~np.isnan(demand.planned_sl)
        if mask.any() and demand.calls[mask].sum() > 0:
            summary["planned_service_level_pct"] = round(
                100
                * float(
                    np.sum(demand.planned_sl[mask] * demand.calls[mask]) / demand.calls[mask].sum()
                ),
                4,
            )
    busy = intervals[intervals["offered"] >= 1.0]
    worst = busy.sort_values(["service_level", "timestamp"], kind="stable").head(WORST_INTERVALS)
    rows = []
    for idx, row in worst.iterrows():
        item = {
            "timestamp": row["timestamp"].strftime("%Y-%m-%dT%H:%M:%S"),
            "offered": round(float(row["offered"]), 2),
            "service_level_pct": round(100 * float(row["service_level"]), 2),
            "asa": None if pd.isna(row["asa"]) else round(float(row["asa"]), 1),
            "abandoned": round(float(row["abandoned"]), 2),
            "agents": round(float(row["agents"]), 2),
        }
        if demand.planned_sl is not None and not np.isnan(demand.planned_sl[idx]):
            item["planned_service_level_pct"] = round(100 * float(demand.planned_sl[idx]), 2)
        rows.append(item)
    summary["worst_intervals"] = tuple(rows)
    return SimulationSummary(**summary, cyclic=False)
