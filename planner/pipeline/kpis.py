"""The week's KPIs and summary.json (version 1), from a plan's frames and results."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner import io
from planner.scenario import Scenario, sha256_file

if TYPE_CHECKING:
    from planner.pipeline.plan import WeekPlan

SUMMARY_VERSION = 1


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
