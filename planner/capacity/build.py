"""One scenario's capacity plan: the long-range forecast, the weekly demand, today's agents,
the plan and its risk, and the weekly table that shows every term."""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner import forecast, history, store
from planner.capacity import inefficiency as ineff
from planner.capacity.aht import seasonal_aht
from planner.capacity.config import CapacityConfig, capacity_config
from planner.capacity.days import DaysLimit, days_limit
from planner.capacity.demand import BOUNDS_REACH_DAYS, Demand, weekly_demand
from planner.capacity.inefficiency import Inefficiency
from planner.capacity.plan import Plan, solve_plan
from planner.capacity.risk import Risk, simulate_risk
from planner.capacity.spread import (
    MIN_FIT_LEADS,
    MIN_ORIGINS,
    MIN_SPAN_DAYS,
    LeadSpread,
    ShortSpread,
    plan_spread,
)
from planner.capacity.supply import ROSTER_COLUMNS, Workforce, base_supply, survival
from planner.capacity.weekrun import WeekRunNeed, week_run_need
from planner.errors import InputError
from planner.scenario import Scenario, apply_adjustments, first_week_after, parse_week, week_label
from planner.schedule.rules import Rules
from planner.staffing import staff_requirements

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
    inefficiency: Inefficiency
    week_run: WeekRunNeed | None = None  # the week handed to the weekly run, as it staffs it

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
            "inefficiency": self.inefficiency.factor,
            "inefficiency_source": self.inefficiency.source,
            "inefficiency_detail": self.inefficiency.detail,
            "week_run_week": None if self.week_run is None else self.week_run.week,
            "week_run_staff_hours": None
            if self.week_run is None
            else round(self.week_run.staff_hours, 1),
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
    result = forecast.forecast_history(
        hist, horizon_days=7 * weeks, start=pd.Timestamp(first), **scenario.forecaster_options()
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
    week_run: str | None = None,
    store_path=None,
    week_scenario: Scenario | None = None,
    week_history: history.History | None = None,
) -> CapacityPlan:
    """Plan `scenario`'s workforce over `cfg.horizon_weeks` weeks from the Monday `first`
    (default: the first full week after the history). `forecast_result`: a ForecastResult
    covering those weeks (default: the scenario's forecaster is run). `week_run` ("2027-W28"):
    a week handed to the weekly run (its agents file): covered at the larger of the plan's
    requirement and the weekly run's own (`planner.capacity.weekrun`; the run of
    `week_scenario` on `week_history`, default this scenario and history), with overtime only
    where hires and temps run out (`handed_overtime_h`).
    `store_path`: a plan store whose published rosters measure the inefficiency (unless the
    scenario gives it); without one, a roster of one sample week does."""
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
    options = scenario.forecaster_options()
    country = options["country"]
    clock = time.monotonic()
    spread = _spread(fc, hist, options)
    spread_note = (
        spread.describe()
        if spread is not None
        else (
            f"demand spread from the forecast's daily bounds (day_error_correlation "
            f"{cfg.day_error_correlation:g}, level_drift_pct_per_year "
            f"{cfg.level_drift_pct_per_year:g}, from the bounds' reach of "
            f"{BOUNDS_REACH_DAYS // 7} weeks): the history is too short to measure it (at "
            f"least {MIN_FIT_LEADS} leads each scored at {MIN_ORIGINS} past origins with "
            f"{MIN_SPAN_DAYS // 365} years of history before them, or a year and a half of "
            f"weekly calls for the level's drift)"
        )
    )
    log(f"{spread_note} ({time.monotonic() - clock:.1f} s)")
    clock = time.monotonic()
    demand = _demand(fc, hist, first, cfg, scenario, country, spread)
    log(f"demand: Erlang on every interval ({time.monotonic() - clock:.1f} s)")
    need: WeekRunNeed | None = None
    loop: tuple[int, ...] = ()
    required = demand.weeks["staff_hours_q"].to_numpy(float).copy()
    if "staff_hours_upper" in demand.weeks.columns:  # [forecast] plan_at = "upper"
        required = np.maximum(required, demand.weeks["staff_hours_upper"].to_numpy(float))
    if week_run is not None:
        w = _week_index(demand, week_run)
        clock = time.monotonic()
        need = week_run_need(week_scenario or scenario, week_history or hist, parse_week(week_run))
        log(f"{need.describe()} ({time.monotonic() - clock:.1f} s)")
        required[w] = max(required[w], need.staff_hours)
        loop = (w,)
    clock = time.monotonic()
    factor = _inefficiency(scenario, hist, cfg, fc, demand, first, need, store_path)
    log(f"{factor.describe()} ({time.monotonic() - clock:.1f} s)")
    cfg = replace(cfg, inefficiency=factor.factor)
    base = base_supply(workforce, cfg, cfg.horizon_weeks)
    handed_ot = handed_overtime_h(need.scenario.rules) if need is not None else 0.0
    limits = {}
    if need is not None:
        clock = time.monotonic()
        limits[loop[0]] = days_limit(need.requirements, need.scenario.rules, need.week)
        log(
            f"{need.week}'s agent-days: at most {limits[loop[0]].days_per_agent} days an agent, "
            f"covering every interval takes {limits[loop[0]].full_cover_days:,.0f} "
            f"({time.monotonic() - clock:.1f} s)"
        )
    plan, limits = plan_within_days(
        lambda found: solve_plan(
            demand, base, cfg, required_staff_hours=required, handed_weeks=loop,
            handed_overtime_h=handed_ot, days_limits=found,
        ),
        demand, scenario.rules, limits, log,
    )  # fmt: skip
    log(f"plan: {plan.status}, gap {plan.gap_pct:.2f}% ({plan.seconds:.1f} s)")
    clock = time.monotonic()
    fixed = {loop[0]: need.staff_hours} if need is not None else None
    risk = simulate_risk(plan, demand, workforce, cfg, fixed_staff_hours=fixed)
    log(f"risk: {risk.draws} draws ({time.monotonic() - clock:.1f} s)")
    table = plan.weeks.assign(staff_hours=required, p_short=risk.p_short)
    table = table[list(TABLE_COLUMNS)].reset_index(drop=True)
    notes = list(fc.notes)
    notes.append(spread_note)
    notes.append(factor.describe())
    if need is not None:
        w = loop[0]
        q = demand.weeks.iloc[w]
        notes.append(
            f"{need.describe()}; the plan's own P{cfg.quantile_pct:g}: {q['staff_hours_q']:,.1f} "
            f"staff-hours ({q['calls_p50']:,.0f} calls at P50, {q['aht_s']:.1f} s AHT "
            f"({cfg.aht}), {q['shrinkage_pct']:g}% shrinkage); the week is covered at the "
            f"larger, {required[w]:,.1f}, before cost (a shortfall only where the levers "
            f"cannot reach it), {_handed_overtime_text(handed_ot, need)}; its overtime: "
            f"{plan.weeks['overtime_h'].iloc[w]:,.1f} h; "
            f"{limits[w].describe(float(plan.weeks['agents_eq'].iloc[w]))}"
        )
    if scenario.forecast.plan_at == "upper":
        notes.append(
            f"[forecast] plan_at = upper: each week is covered at the larger of P"
            f"{cfg.quantile_pct:g} of its demand and every interval at its upper bound (the "
            "basis the weekly runs staff)"
        )
    return CapacityPlan(
        scenario.name, cfg, first, demand, plan, risk, workforce, table, tuple(notes), fc.model,
        factor, need,
    )  # fmt: skip


def handed_overtime_h(rules) -> float:
    """Overtime one agent may work in a week handed to the weekly run whose roster follows
    `rules`: its per-agent cap (`Rules.overtime_cap_h`) when the roster has an overtime lever
    (longer shifts, `[shifts] overtime_extensions_h`, or rest-day shifts), else 0."""
    lever = bool(rules.overtime_extensions_h) or bool(rules.rest_day_shifts)
    return float(rules.overtime_cap_h) if lever else 0.0


def _handed_overtime_text(hours: float, need: WeekRunNeed) -> str:
    if hours <= 0:
        return f"without overtime ({need.scenario.name}'s roster has no overtime lever)"
    return (
        f"with overtime only where hires and temps run out (the agents file carries heads; "
        f"{need.scenario.name}'s roster adds longer and rest-day shifts where it is short, at "
        f"most {hours:g} h an agent in the week)"
    )


def _week_index(demand: Demand, week: str) -> int:
    weeks = list(demand.weeks["week"])
    parse_week(week)
    if week not in weeks:
        raise InputError(
            f"{{agents_week}} {week}: not in the plan ({weeks[0]} to {weeks[-1]})", "agents_week"
        )
    return weeks.index(week)


def _inefficiency(
    scenario: Scenario, hist, cfg: CapacityConfig, fc, demand: Demand, first, need, store_path
) -> Inefficiency:
    """The scheduling inefficiency: given, else from the store's published rosters, else from
    a roster of one sample week (the week handed to the weekly run, else the plan's busiest
    week at the median forecast, staffed as the plan staffs it at the scenario's shrinkage)."""
    if cfg.inefficiency is not None:
        return Inefficiency(
            cfg.inefficiency, "given", f"{scenario.source}: [capacity] inefficiency"
        )
    if store_path is not None:
        rosters = store.published_rosters(store_path, ineff.STORE_RUNS)
        found = ineff.from_store_rosters(rosters, cfg, str(store_path))
        if found is not None:
            return found
    rules, run = scenario.rules, scenario.run
    if need is not None:
        requirements, week = need.requirements, need.week
        rules, run = need.scenario.rules, need.scenario.run
    else:
        w = int(np.argmax(demand.weeks["staff_hours_p50"].to_numpy(float)))
        week = str(demand.weeks["week"].iloc[w])
        intervals = _staffing_intervals(fc, hist, first, cfg)
        ts = pd.to_datetime(intervals["timestamp"])
        day0 = pd.Timestamp(first) + pd.Timedelta(days=7 * w)
        rows = intervals[(ts >= day0) & (ts < day0 + pd.Timedelta(days=7))]
        requirements = staff_requirements(
            rows.reset_index(drop=True), scenario.service.target(), pooled=scenario.service.pooled
        )
    return ineff.from_sample_week(
        requirements,
        week,
        rules,
        cfg,
        time_limit_s=run.time_limit_s,
        solver=run.solver,
        gap_pct=run.gap_pct,
    )


def _staffing_intervals(fc, hist, first: dt.date, cfg: CapacityConfig) -> pd.DataFrame:
    """The forecast's intervals with the handle time the plan staffs them at."""
    if cfg.aht != "seasonal":
        return fc.intervals
    origin = min(pd.Timestamp(first), fc.history_day + pd.Timedelta(days=1))
    return seasonal_aht(fc.intervals, hist, origin)


_DEMAND_CACHE: dict[tuple, tuple[tuple, Demand]] = {}
_GRID_MEMO: dict[tuple, tuple[tuple, dict]] = {}
_SPREAD_MEMO: dict[tuple, tuple[tuple, tuple[LeadSpread | ShortSpread | None]]] = {}


def _held(memo: dict, key: tuple, owners: tuple):
    """What `memo` holds under `key` for these very `owners` (objects whose ids are in the
    key), else None."""
    hit = memo.get(key)
    if hit is None or len(hit[0]) != len(owners):
        return None
    return hit[1] if all(a is b for a, b in zip(hit[0], owners, strict=True)) else None


def _hold(memo: dict, key: tuple, owners: tuple, value, size: int):
    """`value` kept in `memo` under `key` with its `owners` (so their ids stay unique while
    it is held); the memo is emptied when it reaches `size` entries. Returns `value`."""
    if len(memo) >= size:
        memo.clear()
    memo[key] = (owners, value)
    return value


def _spread(fc, hist, options: dict) -> LeadSpread | ShortSpread | None:
    """`plan_spread` of the forecast `fc` on `hist`, memoised per process: plans that share
    the forecast (a comparison, a sweep) measure it once."""
    settings = {name: value for name, value in options.items() if name not in ("level", "model")}
    key = (id(fc), id(hist), tuple(sorted(settings.items())))
    hit = _held(_SPREAD_MEMO, key, (fc, hist))
    if hit is not None:
        return hit[0]
    spread = plan_spread(
        hist,
        (pd.Timestamp(fc.history_day) + pd.Timedelta(days=1)).date(),
        fc.weekly_log_errors,
        fc.weekly_error_origins,
        # the point forecasts' settings (the bounds' level does not move a point forecast),
        # with the model the forecast chose: the spread is that model's (`auto` would pick
        # again at every origin by a backtest of its own, the spread's costliest part)
        **settings,
        model=fc.model,
    )
    return _hold(_SPREAD_MEMO, key, (fc, hist), (spread,), 8)[0]


DAYS_ROUNDS = 12  # re-solves, at most, with the agent-days limits of weeks found short of days
DAYS_NEAR = 4  # weeks either side of one found short of days that are checked with it
DAYS_MARGIN = 0.05  # a week whose agents are within this share of its limit is held to it


def plan_within_days(solve, demand: Demand, rules: Rules, limits: dict, log=lambda m: None):
    """`solve(limits)`, re-solved with the agent-days limit (`planner.capacity.days`) of each
    week it covers with overtime whose agents' days cannot place it, under the roster
    `rules`, at most `DAYS_ROUNDS` times. With such a week, the `DAYS_NEAR` weeks either side
    are checked too, and a checked week whose agents are within `DAYS_MARGIN` of its limit is
    held to it as well (each saves a round); a week whose days sufficed is checked again only
    when the plan gives it fewer agents. The plan and the limits it keeps."""
    plan = solve(limits)
    enough: dict[int, float] = {}  # week -> agents whose days cover every interval
    for _ in range(DAYS_ROUNDS):
        clock = time.monotonic()
        frame = plan.weeks
        overtime = np.flatnonzero(frame["overtime_h"].to_numpy(float) > 1e-6)
        found = _short_of_days(overtime, frame, demand, rules, limits, enough)
        # the overtime a limit takes from a week goes to its neighbours (one month's cap):
        # those are checked now, not one round later
        near = {v for w in found for v in range(w - DAYS_NEAR, w + DAYS_NEAR + 1)}
        near_weeks = [v for v in sorted(near) if 0 <= v < len(frame)]
        found |= _short_of_days(near_weeks, frame, demand, rules, limits | found, enough)
        if not found:
            break
        log(
            f"agent-days: {len(found)} week(s) the plan covers with overtime their agents' days "
            f"cannot place ({', '.join(v.week for v in found.values())}); solved again "
            f"({time.monotonic() - clock:.1f} s)"
        )
        limits = {**limits, **found}
        plan = solve(limits)
    return plan, limits


def _short_of_days(weeks, frame, demand, rules, skip, enough) -> dict[int, DaysLimit]:
    """Of `weeks` (indices of the plan's weekly `frame`, those in `skip` left out), the ones
    whose agents' days cannot cover every interval, with their limits; `enough` (week ->
    agents whose days suffice) is read and filled."""
    found: dict[int, DaysLimit] = {}
    for w in map(int, weeks):
        agents = float(frame["agents_eq"].iloc[w])
        if w in skip or agents >= enough.get(w, math.inf):
            continue
        label = str(frame["week"].iloc[w])
        limit = _week_days_limit(demand, w, rules, label, agents)
        if limit.short_h(agents) > 1e-6:
            found[w] = limit
        elif agents < (1 + DAYS_MARGIN) * limit.agents_to_cover():
            # close to its limit: held to it now (a cut that does not bind yet), since the
            # next solve may move this week's agents elsewhere
            found[w] = _week_days_limit(demand, w, rules, label, None)
        else:
            enough[w] = limit.agents_to_cover()
    return found


_DAYS_MEMO: dict = {}  # (id(demand), week, rules) -> (demand, limit): scenarios sharing a demand


def _week_days_limit(demand: Demand, w: int, rules: Rules, label: str, agents: float | None):
    """Week w's agent-days limit at `agents` (`days_limit`; None: with its tangents),
    memoised per process: the limit depends on the week's requirements and the roster rules
    only."""
    key = (id(demand), w, rules)
    held = _held(_DAYS_MEMO, key, (demand,))
    if held is not None and (
        held.tangents or (agents is not None and agents >= held.agents_to_cover())
    ):
        return held
    limit = days_limit(demand.week_requirements(w), rules, label, agents)
    return _hold(_DAYS_MEMO, key, (demand,), limit, 2048)


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


def _demand(
    fc,
    hist,
    first: dt.date,
    cfg: CapacityConfig,
    scenario: Scenario,
    country,
    spread: LeadSpread | ShortSpread | None = None,
) -> Demand:
    """The weekly demand (with `[capacity] aht = "seasonal"`, last year's handle time of the
    same weeks: `planner.capacity.aht`), memoised per process: scenarios that share the
    forecast object and differ only in supply or cost knobs (a sweep, a comparison) share it."""
    key = (
        id(fc),
        id(hist),
        first,
        tuple(getattr(cfg, k) for k in DEMAND_KEYS),
        scenario.service,
        scenario.forecast.plan_at,
        country,
        spread,
    )
    hit = _held(_DEMAND_CACHE, key, (fc, hist))
    if hit is not None:
        return hit
    # the staff-hours at each grid point do not depend on the quantile: shared between plans
    # that differ only in it (the grid point of their quantile is staffed once more)
    grid_key = tuple(v for k, v in enumerate(key) if k != 3) + tuple(
        getattr(cfg, k) for k in DEMAND_KEYS if k != "quantile_pct"
    )
    grid = _held(_GRID_MEMO, grid_key, (fc, hist))
    if grid is None:
        grid = _hold(_GRID_MEMO, grid_key, (fc, hist), {}, 8)
    intervals = _staffing_intervals(fc, hist, first, cfg)
    demand = weekly_demand(
        intervals,
        fc.daily,
        first,
        cfg,
        scenario.service.target(),
        pooled=scenario.service.pooled,
        level=fc.level,
        country=country,
        upper=scenario.forecast.plan_at == "upper",
        memo=grid,
        spread=spread,
        history_day=pd.Timestamp(fc.history_day).date(),
    )
    return _hold(_DEMAND_CACHE, key, (fc, hist), demand, 16)


def expected_agents(result: CapacityPlan, week: str) -> pd.DataFrame:
    """The agents file the plan expects in `week` ("2027-W28"), for the weekly run to roster:
    today's agents less the expected leavers (those likeliest to have left go first), then the
    plan's graduates still expected then and its temps that week, in whole-agent equivalents:
    the weekly roster counts every agent whole, so n graduates at p% productivity are handed
    as n x p / 100 agents (H001, ...) and n temps at `temp_productivity_pct` as n x that / 100
    (T001, ...), rounded cumulatively over the groups so the file's total is the plan's
    effective heads rounded once. Columns `agent`, `contract` (today's agents keep theirs),
    `weekly_hours`, the roster's columns of today's agents file as written there (`skills`,
    `no_night`, `unavailable`, `preferred_start`, `min_hours`, those it has; empty for
    graduates and temps), `productivity_pct` (100 on every row: each row is a whole agent's
    work) and `stands_for` (today's agent, or the group of graduates or temps it is part of).
    The plan's overtime hours are not in it (a roster of contract hours does not carry
    them)."""
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
    kept = [c for c in ROSTER_COLUMNS if c in frame]
    rows = []
    for i, row in frame.iterrows():
        if i in gone:
            continue
        hours = row["fte"] * cfg.contract_hours
        contract = row.get("contract", "full-time" if row["fte"] >= 1.0 - 1e-9 else "part-time")
        rows.append(
            {
                "agent": row["agent"],
                "contract": contract,
                "weekly_hours": round(hours, 2),
                **{c: row[c] for c in kept},
                "productivity_pct": 100.0,
                "stands_for": "today's agent",
            }
        )
    for prefix, contract, hours, heads, prod, what in _handed_groups(result, w):
        rows.append(
            {
                "agent": prefix,
                "contract": contract,
                "weekly_hours": hours,
                "productivity_pct": 100.0,
                "stands_for": f"{heads:g} {what} at {prod:g}%",
                "_equivalents": heads * prod / 100.0,
            }
        )
    out, held, number = [], 0.0, {"H": 0, "T": 0}
    for row in rows:
        if "_equivalents" not in row:
            out.append(row)
            continue
        before = round(held)
        held += row.pop("_equivalents")
        for _ in range(int(round(held)) - int(before)):
            prefix = row["agent"]
            number[prefix] += 1
            out.append({**row, "agent": f"{prefix}{number[prefix]:03d}"})
    columns = ["agent", "contract", "weekly_hours", *kept, "productivity_pct", "stands_for"]
    return pd.DataFrame(out, columns=columns).fillna({c: "" for c in kept})


def _handed_groups(result: CapacityPlan, w: int) -> list[tuple[str, str, float, int, float, str]]:
    """(prefix, contract, weekly hours, heads, productivity %, what) of each group of the
    plan's graduates (per class and contract) and of its temps expected in week index `w`."""
    cfg = result.config
    hours_of = {c.name: c.hours for c in result.plan.contracts}
    ramp = cfg.ramp_pct()
    keep = 1.0 - cfg.dropout_pct / 100.0
    groups = []
    for cls in result.plan.classes:
        s = (cls.training_start - result.first).days // 7
        since = w - s - cfg.classroom_weeks
        if since < 0:
            continue
        stay = (
            survival(cfg, np.array([0.0]), w - s)[0, w - s]
            / (survival(cfg, np.array([0.0]), cfg.classroom_weeks)[0, cfg.classroom_weeks])
        )
        prod = round(float(ramp[since]) if since < len(ramp) else 100.0, 1)
        for name, size in cls.sizes:
            heads = int(round(size * keep * stay))
            if heads:
                what = f"{name} graduates of the class trained from {cls.training_start}"
                groups.append(("H", name, hours_of[name], heads, prod, what))
    temps = int(round(float(result.table["temps"].iloc[w])))
    if temps:
        prod = float(cfg.temp_productivity_pct)
        groups.append(("T", "full-time", cfg.contract_hours, temps, prod, "temps"))
    return groups
