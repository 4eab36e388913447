"""One scenario's capacity plan: the long-range forecast, the weekly demand, today's agents,
the plan and its risk, and the weekly table that shows every term."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner import forecast, history
from planner.capacity.aht import seasonal_aht
from planner.capacity.config import CapacityConfig, capacity_config
from planner.capacity.demand import Demand, weekly_demand
from planner.capacity.plan import Plan, solve_plan
from planner.capacity.risk import Risk, simulate_risk
from planner.capacity.supply import Workforce, base_supply, survival
from planner.errors import InputError
from planner.scenario import Scenario, apply_adjustments, first_week_after, week_label

MAX_DAYS_AHEAD = 800  # 104 weeks from two months after the history ends

TABLE_COLUMNS = (
    "week",
    "start",
    "calls_p10",
    "calls_p50",
    "calls_p90",
    "aht_s",
    "phone_hours",
    "shrinkage_pct",
    "staff_hours",
    "inefficiency",
    "required_fte",
    "required_fte_p50",
    "required_fte_p90",
    "tenured_fte",
    "ramping_fte",
    "ramping_eff_fte",
    "trainees_fte",
    "attrition_fte",
    "hires",
    "graduates",
    "overtime_h",
    "temps",
    "effective_fte",
    "gap_fte",
    "shortfall_h",
    "p_short",
    "cost_vnd",
)


@dataclass(frozen=True)
class CapacityPlan:
    """Everything `planner capacity` shows for one scenario. `table`: one row per week with
    `TABLE_COLUMNS` (units: calls, seconds, hours, percent, FTE, heads, VND; p_short 0..1)."""

    scenario: str
    config: CapacityConfig
    first: dt.date
    demand: Demand
    plan: Plan
    risk: Risk
    workforce: Workforce
    table: pd.DataFrame
    notes: tuple[str, ...]
    forecast_model: str

    @property
    def short(self) -> bool:
        return self.plan.short

    def summary(self) -> dict:
        t = self.table
        hires = int(sum(c.size for c in self.plan.classes))
        return {
            "scenario": self.scenario,
            "from": week_label(self.first),
            "weeks": int(len(t)),
            "quantile_pct": self.config.quantile_pct,
            "today_fte": round(self.workforce.fte, 2),
            "hires": hires,
            "classes": len(self.plan.classes),
            "overtime_h": round(float(t["overtime_h"].sum()), 1),
            "temp_weeks": round(float(t["temps"].sum()), 1),
            "shortfall_h": round(float(t["shortfall_h"].sum()), 1),
            "worst_gap_fte": round(float(t["gap_fte"].min()), 2) + 0.0,  # never "-0.0"
            "worst_week": str(t["week"].iloc[int(t["gap_fte"].idxmin())]),
            "weeks_p_short_over_20pct": int((t["p_short"] > 0.2).sum()),
            "cost_vnd": round(self.plan.cost["total"]),
            "cost_p50_vnd": round(self.risk.cost_p50),
            "cost_p80_vnd": round(self.risk.cost_p80),
            "cost_p90_vnd": round(self.risk.cost_p90),
            "solver_status": self.plan.status,
            "solver_gap_pct": round(self.plan.gap_pct, 3),
        }


def config_of(scenario: Scenario) -> CapacityConfig:
    """The scenario's validated `[capacity]` table."""
    return capacity_config(
        dict(scenario.capacity),
        dict(scenario.origins),
        scenario.source,
        default_shrinkage_pct=scenario.service.shrinkage_pct,
    )


def long_range_forecast(scenario: Scenario, hist, first: dt.date, weeks: int):
    """The scenario's forecaster run over `weeks` weeks from the Monday `first` (adjustments
    applied)."""
    data = scenario.data
    result = forecast.forecast_history(
        hist,
        horizon_days=7 * weeks,
        start=pd.Timestamp(first),
        interval_min=scenario.forecast.interval_min,
        level=scenario.forecast.level,
        country=None if data.country == "none" else data.country,
        events=data.events,
        model=scenario.forecast.model,
        temperature=data.temperature,
    )
    frame, notes = apply_adjustments(result.intervals, scenario.adjustments)
    return replace(result, intervals=frame, notes=result.notes + tuple(str(n) for n in notes))


def capacity_plan(
    scenario: Scenario,
    hist: history.History,
    workforce: Workforce,
    cfg: CapacityConfig | None = None,
    first: dt.date | None = None,
    forecast_result=None,
    log=lambda _m: None,
) -> CapacityPlan:
    """Plan `scenario`'s workforce over `cfg.horizon_weeks` weeks from the Monday `first`
    (default: the first full week after the history). `forecast_result`: a ForecastResult
    covering those weeks (default: the scenario's forecaster is run)."""
    cfg = cfg or config_of(scenario)
    first = first or first_week_after(pd.Timestamp(hist.last_day()).date())
    if first.weekday() != 0:
        raise InputError(f"{{first_week}} {first}: expected a Monday (an ISO week)", "first_week")
    ahead = (
        first + dt.timedelta(weeks=cfg.horizon_weeks) - pd.Timestamp(hist.last_day()).date()
    ).days
    if forecast_result is None and ahead > MAX_DAYS_AHEAD:
        raise InputError(
            f"{{first_week}} {week_label(first)} with {cfg.horizon_weeks} weeks ends {ahead} "
            f"days after "
            f"the history ({hist.source}, last day {pd.Timestamp(hist.last_day()):%Y-%m-%d}); "
            f"the forecast reaches at most {MAX_DAYS_AHEAD} days: start earlier or plan fewer weeks",
            "first_week",
        )
    clock = time.monotonic()
    fc = forecast_result or long_range_forecast(scenario, hist, first, cfg.horizon_weeks)
    log(f"forecast: {fc.model}, {cfg.horizon_weeks} weeks ({time.monotonic() - clock:.1f} s)")
    country = None if scenario.data.country == "none" else scenario.data.country
    clock = time.monotonic()
    demand = _demand(fc, hist, first, cfg, scenario, country)
    log(f"demand: Erlang on every interval ({time.monotonic() - clock:.1f} s)")
    base = base_supply(workforce, cfg, cfg.horizon_weeks)
    plan = solve_plan(demand, base, cfg)
    log(f"plan: {plan.status}, gap {plan.gap_pct:.2f}% ({plan.seconds:.1f} s)")
    clock = time.monotonic()
    risk = simulate_risk(plan, demand, workforce, cfg)
    log(f"risk: {risk.draws} draws ({time.monotonic() - clock:.1f} s)")
    table = plan.weeks.assign(staff_hours=plan.weeks["staff_hours_q"], p_short=risk.p_short)
    table = table[list(TABLE_COLUMNS)].reset_index(drop=True)
    notes = list(fc.notes)
    if scenario.forecast.plan_at != "point":
        notes.append(
            "capacity plans at [capacity] quantile_pct; [forecast] plan_at is for the week's run"
        )
    return CapacityPlan(
        scenario.name, cfg, first, demand, plan, risk, workforce, table, tuple(notes), fc.model
    )


_DEMAND_CACHE: dict[tuple, tuple[tuple, Demand]] = {}
DEMAND_KEYS = (
    "horizon_weeks",
    "aht",
    "quantile_pct",
    "shrinkage_pct",
    "tet_shrinkage_pct",
    "shrinkage_by_week",
    "day_error_correlation",
    "level_drift_pct_per_year",
)


def _demand(fc, hist, first: dt.date, cfg: CapacityConfig, scenario: Scenario, country) -> Demand:
    """The weekly demand (with `[capacity] aht = "seasonal"`, last year's handle time of the
    same weeks: `planner.capacity.aht`), memoised per process: scenarios that share the
    forecast object and differ only in supply or cost knobs (a sweep, a comparison) share it."""
    key = (
        id(fc),
        id(hist),
        first,
        tuple(getattr(cfg, k) for k in DEMAND_KEYS),
        scenario.service,
        country,
    )
    hit = _DEMAND_CACHE.get(key)
    if hit is not None and hit[0][0] is fc and hit[0][1] is hist:
        return hit[1]
    intervals = fc.intervals
    if cfg.aht == "seasonal":
        origin = min(pd.Timestamp(first), fc.history_day + pd.Timedelta(days=1))
        intervals = seasonal_aht(intervals, hist, origin)
    demand = weekly_demand(
        intervals,
        fc.daily,
        first,
        cfg,
        scenario.service.target(),
        pooled=scenario.service.pooled,
        level=fc.level,
        country=country,
    )
    if len(_DEMAND_CACHE) >= 16:
        _DEMAND_CACHE.clear()
    _DEMAND_CACHE[key] = ((fc, hist), demand)  # holds them, so their ids stay unique
    return demand


def expected_agents(result: CapacityPlan, week: str) -> pd.DataFrame:
    """The agents file the plan expects in `week` ("2027-W28"): today's agents less the
    expected leavers (those likeliest to have left go first), plus the plan's graduates still
    expected then (H001, ...) and its temps that week (T001, ...), with `contract`,
    `weekly_hours` and `productivity_pct`. The plan's overtime hours are not in it (a roster
    of contract hours does not carry them)."""
    weeks = list(result.table["week"])
    if week not in weeks:
        raise InputError(
            f"{{agents_week}} {week}: not in the plan ({weeks[0]} to {weeks[-1]})", "agents_week"
        )
    w = weeks.index(week)
    cfg = result.config
    frame = result.workforce.frame
    surv = survival(cfg, frame["tenure_months"].to_numpy(), w)[:, w]
    leavers = int(round(float((1.0 - surv).sum())))
    order = np.lexsort((np.arange(len(frame)), surv))  # lowest survival first, then file order
    gone = set(order[:leavers].tolist())
    rows = []
    for i, row in frame.iterrows():
        if i in gone:
            continue
        hours = row["fte"] * cfg.contract_hours
        rows.append(
            {
                "agent": row["agent"],
                "contract": "full-time" if row["fte"] >= 1.0 - 1e-9 else "part-time",
                "weekly_hours": round(hours, 2),
                "productivity_pct": 100.0,
            }
        )
    hours_of = {c.name: c.hours for c in result.plan.contracts}
    ramp = cfg.ramp_pct()
    keep = 1.0 - cfg.dropout_pct / 100.0
    number = 0
    for cls in result.plan.classes:
        s = (cls.training_start - result.first).days // 7
        since = w - s - cfg.classroom_weeks
        if since < 0:
            continue
        stay = (
            survival(cfg, np.array([0.0]), w - s)[0, w - s]
            / (survival(cfg, np.array([0.0]), cfg.classroom_weeks)[0, cfg.classroom_weeks])
        )
        prod = ramp[since] if since < len(ramp) else 100.0
        for name, size in cls.sizes:
            for _ in range(int(round(size * keep * stay))):
                number += 1
                rows.append(
                    {
                        "agent": f"H{number:03d}",
                        "contract": name,
                        "weekly_hours": hours_of[name],
                        "productivity_pct": round(prod, 1),
                    }
                )
    temps = int(round(float(result.table["temps"].iloc[w])))
    for k in range(temps):
        rows.append(
            {
                "agent": f"T{k + 1:03d}",
                "contract": "full-time",
                "weekly_hours": cfg.contract_hours,
                "productivity_pct": cfg.temp_productivity_pct,
            }
        )
    return pd.DataFrame(rows, columns=["agent", "contract", "weekly_hours", "productivity_pct"])
