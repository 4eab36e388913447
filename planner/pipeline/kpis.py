"""The week's KPIs (typed) and the input checksums, from a plan's frames and results."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner import history, io, staffing
from planner.io.numbers import rounded
from planner.scenario import Scenario, sha256_file


@dataclass(frozen=True)
class Kpis:
    """The week's figures (summary.json's `kpis`): hours in hours, rates in percent, cost in the
    rules' currency, None where a figure does not exist (no calls, unbounded queue)."""

    calls: float | None
    calls_planned: float | None
    peak_interval_calls: float | None
    peak_interval: str  # ISO date-time of the busiest interval
    required_agent_hours: float | None
    required_staff_hours: float | None
    required_fte: float | None
    fte_hours_per_week: float
    peak_staff: int
    headcount: int
    paid_hours: float | None
    night_hours: float | None
    cost: float | None
    currency: str
    scheduled_staff_hours: float | None
    over_coverage_pct: float | None
    understaffed_intervals: int
    shortfall_staff_hours: float | None
    service_level_pct: float | None
    asa_s: float | None
    occupancy_pct: float | None
    abandon_pct: float | None
    intervals_below_target: int
    targets_met: bool
    # salaried agents' paid minimum not rostered (paid: in `cost`), overtime worked and paid,
    # ordinary hours on public holidays and their pay above the wage, agents below minimum
    idle_paid_hours: float | None = None
    overtime_hours: float | None = None
    overtime_cost: float | None = None
    holiday_hours: float | None = None
    holiday_premium_cost: float | None = None
    below_paid_minimum: int = 0
    simulated: bool = False  # the simulated_* figures exist (the week was simulated)
    simulated_service_level_pct: float | None = None
    simulated_asa_s: float | None = None
    simulated_abandon_pct: float | None = None

    def as_dict(self) -> dict:
        """The JSON mapping (summary.json `kpis`, compare rows); simulated_* only if simulated."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del out["simulated"]
        if not self.simulated:
            for key in SIMULATED_KEYS:
                del out[key]
        return out


SIMULATED_KEYS = ("simulated_service_level_pct", "simulated_asa_s", "simulated_abandon_pct")

# The KPIs a comparison sets side by side, in the order shown (their titles and digits are
# `planner.report.tables.METRIC_TITLES`); the simulated one only when the week was simulated.
COMPARE_KEYS = (
    "calls",
    "peak_interval_calls",
    "required_staff_hours",
    "required_fte",
    "headcount",
    "paid_hours",
    "idle_paid_hours",
    "overtime_hours",
    "cost",
    "service_level_pct",
    "asa_s",
    "occupancy_pct",
    "abandon_pct",
    "understaffed_intervals",
    "shortfall_staff_hours",
)
SIM_COMPARE_KEY = "simulated_service_level_pct"


def plan_kpis(sc, fc, requirements, result, evaluation, simulation) -> Kpis:
    """The KPIs of one planned week: forecast, requirements, schedule and, when run, the
    forecast evaluation and the simulation."""
    intervals = fc.intervals
    per_ts = intervals.groupby("timestamp", sort=True)["calls"].sum()
    interval_s = staffing.interval_seconds(requirements)
    hours = interval_s / 3600.0
    req_ts = requirements.groupby("timestamp", sort=True)[["agents", "staff"]].sum()
    req_summary = staffing.summarise_requirements(requirements, interval_s=interval_s)
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
    out: dict = {
        "calls": rounded(intervals["calls"].sum(), 1),
        "calls_planned": rounded(
            (intervals["upper"] if sc.forecast.plan_at == "upper" else intervals["calls"]).sum(),
            1,
        ),
        "peak_interval_calls": rounded(per_ts.max(), 1),
        "peak_interval": pd.Timestamp(per_ts.idxmax()).strftime("%Y-%m-%dT%H:%M:%S"),
        "required_agent_hours": rounded(req_ts["agents"].sum() * hours),
        "required_staff_hours": rounded(req_ts["staff"].sum() * hours),
        "required_fte": rounded(req_summary.fte, 1),
        "fte_hours_per_week": req_summary.fte_hours_per_week,
        "peak_staff": int(req_ts["staff"].max()),
        "headcount": int(result.headcount),
        "paid_hours": rounded(result.paid_hours),
        "night_hours": rounded(result.night_hours),
        "cost": rounded(result.cost, 0),
        "currency": result.currency,
        "scheduled_staff_hours": rounded(result.on_phone_hours),
        "over_coverage_pct": rounded(result.over_pct),
        "understaffed_intervals": int((cov["shortfall"] > 1e-6).sum()),
        "shortfall_staff_hours": rounded(result.shortfall_hours),
        "service_level_pct": rounded(100.0 * (sl * calls).sum() / weight) if weight > 0 else None,
        "asa_s": None if unbounded or weight <= 0 else rounded(np.nansum(asa * calls) / weight),
        "occupancy_pct": rounded(100.0 * (occ * agents).sum() / agents.sum())
        if agents.sum()
        else None,
        "abandon_pct": rounded(abandon),
        "intervals_below_target": int((~evaluation["meets_target"].astype(bool)).sum()),
        "targets_met": not result.short,
        "idle_paid_hours": rounded(result.idle_paid_hours),
        "overtime_hours": rounded(result.overtime_hours),
        "overtime_cost": rounded(result.overtime_cost, 0),
        "holiday_hours": rounded(result.holiday_hours),
        "holiday_premium_cost": rounded(result.holiday_premium_cost, 0),
        "below_paid_minimum": result.below_minimum(),
    }
    if simulation is not None:
        summ = simulation.summary
        out["simulated"] = True
        out["simulated_service_level_pct"] = rounded(summ.service_level_pct.mean)
        out["simulated_asa_s"] = rounded(summ.asa_s.mean)
        out["simulated_abandon_pct"] = rounded(summ.abandon_pct.mean)
    return Kpis(**out)


def summary_inputs(sc: Scenario) -> tuple[dict, ...]:
    """Input files with their checksums: names only (no machine paths) so reruns match."""
    items = []
    for path in sc.files:
        items.append({"role": "scenario", "name": Path(path).name, "sha256": sha256_file(path)})
    if sc.data.history is None:
        path = io.bundled_path(history.BUNDLED_HISTORY)
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
