"""The hiring plan: an integer programme over the weeks of the horizon.

Decisions, per week w: `n[c, s]` trainees of contract c in a class that starts training in week
s (integers; a class, if opened (`open[s]` binary), seats class_min..class_max trainees, at most
max_part_time_pct % of them part-time), overtime hours `ot[w]`, temps `temp[w]` (from
temp_lead_weeks on, at most temp_max) and priced shortfall staff-hours `short[w]`.

Rules, each added by a named helper (`cover_w`, `train_cap_w`, `ot_month_YYYY_MM`,
`ot_year_YYYY`, `class_size_s`, `part_time_s`):

- cover: effective FTE (today's agents after attrition + graduates at their ramp + temps x their
  productivity) + overtime hours / contract_hours + shortfall / contract_hours >= required FTE at
  the plan's quantile;
- no class starts before recruiting_lead_weeks (the requisition opens in week 0 at the
  earliest), nor in a week that holds Tết days (no_class_in_tet) or in no_class_weeks; classes
  whose graduates would never reach the horizon are not offered;
- trainees in classrooms at once <= training_capacity;
- overtime within the Labour Code caps (Vietnam 2019, art. 107): over each calendar month (weeks
  by their Thursday) overtime hours <= overtime_h_per_month x the month's average heads on the
  phones x (weeks of it in the horizon / its weeks), likewise per ISO year with
  overtime_h_per_year; so no agent need work more than the caps on average.

Cost (VND) minimised: hires (hire_cost + classroom weeks x training_cost_per_week + wages of the
weeks on the payroll within the horizon), overtime at overtime_premium_pct of the wage, temps,
shortfall at shortfall_cost_per_hour. Today's agents' wages are a constant, reported in the
plan's cost. HiGHS, one thread, fixed seed: the same inputs give the same plan.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from planner.capacity.config import CapacityConfig
from planner.capacity.days import DaysLimit
from planner.capacity.demand import Demand, week_starts
from planner.capacity.supply import BaseSupply, class_response, shifted, supply_table
from planner.errors import SolverError
from planner.scenario import parse_week, week_label

SCALE = 1e-6  # the objective in millions of VND (numerics)
# a week handed to the weekly run is covered before cost: its missing staff-hour weighs this many
# times its price (above any lever's cost per staff-hour of one week: a class paid for two years
# costs ~5 M VND per staff-hour of a single week, 13x the default price)
HANDED_WEIGHT = 1000.0


@dataclass(frozen=True)
class Contract:
    name: str
    hours: float  # paid hours a week
    fte: float  # hours / contract_hours


@dataclass(frozen=True)
class HiringClass:
    """One class: requisition (recruiting starts), training start, graduation (Mondays), size
    by contract, and the latest requisition that still graduates it before the first week it
    is needed (`open_by`, for `needed_week`)."""

    requisition: dt.date
    training_start: dt.date
    graduation: dt.date
    sizes: tuple[tuple[str, int], ...]
    open_by: dt.date
    needed_week: str

    @property
    def size(self) -> int:
        return sum(n for _, n in self.sizes)

    def describe(self) -> str:
        parts = ", ".join(f"{n} {c}" for c, n in self.sizes if n)
        return (
            f"class of {self.size} ({parts}): requisition {self.requisition}, training "
            f"{self.training_start}, graduates {self.graduation}; open by {self.open_by} "
            f"for {self.needed_week[5:]}"
        )


@dataclass(frozen=True)
class Plan:
    """The solved plan: `weeks` (per week: required, supply terms, levers, gap, cost), the
    `classes`, the solver's status/gap/time, cost totals by term, shortfall reasons, and the
    agent-days limits (`planner.capacity.days`, by week index) it was solved under."""

    weeks: pd.DataFrame
    classes: tuple[HiringClass, ...]
    status: str
    gap_pct: float
    seconds: float
    cost: dict[str, float]
    shortfall: tuple[str, ...]
    contracts: tuple[Contract, ...]
    days_limits: dict[int, DaysLimit] = field(default_factory=dict)

    @property
    def short(self) -> bool:
        return bool(self.shortfall)


def contracts(cfg: CapacityConfig) -> tuple[Contract, ...]:
    out = [Contract("full-time", cfg.contract_hours, 1.0)]
    if cfg.max_part_time_pct > 0 and cfg.part_time_hours < cfg.contract_hours:
        out.append(
            Contract("part-time", cfg.part_time_hours, cfg.part_time_hours / cfg.contract_hours)
        )
    return tuple(out)


def required_fte(staff_hours: np.ndarray, cfg: CapacityConfig) -> np.ndarray:
    """Required FTE = staff-hours (shrinkage included) x inefficiency / contract_hours (a
    config whose inefficiency is not yet measured, None, takes none: 1)."""
    return np.asarray(staff_hours, float) * inefficiency_of(cfg) / cfg.contract_hours


def inefficiency_of(cfg: CapacityConfig) -> float:
    return 1.0 if cfg.inefficiency is None else float(cfg.inefficiency)


def allowed_starts(demand: Demand, cfg: CapacityConfig) -> list[int]:
    weeks = cfg.horizon_weeks
    blocked = {parse_week(w) for w in cfg.no_class_weeks}
    first = dt.date.fromisoformat(demand.weeks["start"].iloc[0])
    out = []
    for s in range(cfg.recruiting_lead_weeks, weeks - cfg.classroom_weeks):
        monday = first + dt.timedelta(days=7 * s)
        if monday in blocked:
            continue
        if cfg.no_class_in_tet and demand.weeks["tet_days"].iloc[s] > 0:
            continue
        out.append(s)
    return out


def month_groups(first: dt.date, weeks: int) -> tuple[dict, dict]:
    """{(year, month): [weeks]} by each week's Thursday, and {iso year: [weeks]}."""
    months: dict = defaultdict(list)
    years: dict = defaultdict(list)
    for w, monday in enumerate(week_starts(first, weeks)):
        thursday = monday + dt.timedelta(days=3)
        months[(thursday.year, thursday.month)].append(w)
        years[monday.isocalendar()[0]].append(w)
    return months, years


def weeks_in_month(year: int, month: int) -> int:
    """Weeks whose Thursday falls in the month (4 or 5)."""
    day = dt.date(year, month, 1)
    count = 0
    while day.month == month:
        if day.weekday() == 3:
            count += 1
        day += dt.timedelta(days=1)
    return count


def weeks_in_iso_year(year: int) -> int:
    return dt.date(year, 12, 28).isocalendar()[1]


def solve_plan(
    demand: Demand,
    base: BaseSupply,
    cfg: CapacityConfig,
    required_staff_hours: np.ndarray | None = None,
    handed_weeks: tuple[int, ...] = (),
    handed_overtime_h: float = 0.0,
    days_limits: dict[int, DaysLimit] | None = None,
) -> Plan:
    """Build and solve the plan against `required_staff_hours` per week (default: the
    demand's quantile); see the module docstring. `handed_weeks`: weeks handed to the weekly
    run (their agents file is written), covered before cost: their shortfall weighs
    `HANDED_WEIGHT` times its price in the objective, so it is left only where the levers
    cannot reach the week (it is reported and costed at its price). Their overtime: at most
    `handed_overtime_h` an agent (the weekly run's own cap; 0 when its roster has no
    overtime lever), within the plan's month and year caps, and weighed `HANDED_WEIGHT` times
    its price: the agents file carries heads, not overtime, so the week is covered by hires
    and temps first, and overtime counts only where they run out (the weekly roster places
    it itself, in longer shifts and rest-day shifts, where it is short). `days_limits`: per
    handed week, what its roster can cover with the agents the file hands it (whole-agent
    equivalents: today's agents, graduates x productivity, temps x theirs): the week's
    shortfall is at least the limit's (`DaysLimit.short_h`, as its tangents), whatever its
    overtime, so the plan buys heads that reach the week or reports the shortfall."""
    weeks = cfg.horizon_weeks
    first = dt.date.fromisoformat(demand.weeks["start"].iloc[0])
    need_hours = (
        demand.weeks["staff_hours_q"].to_numpy(float)
        if required_staff_hours is None
        else np.asarray(required_staff_hours, float)
    )
    req = required_fte(need_hours, cfg)
    h = cfg.contract_hours
    unit = class_response(cfg, weeks)
    starts = allowed_starts(demand, cfg)
    kinds = contracts(cfg)
    prob = pulp.LpProblem("capacity", pulp.LpMinimize)
    n = {
        (c.name, s): pulp.LpVariable(
            f"n_{c.name.replace('-', '_')}_{s}", 0, cfg.class_max, cat="Integer"
        )
        for c in kinds
        for s in starts
    }
    opened = {s: pulp.LpVariable(f"open_{s}", cat="Binary") for s in starts}
    ot = [
        pulp.LpVariable(f"ot_{w}", 0, 0 if w in handed_weeks and handed_overtime_h <= 0 else None)
        for w in range(weeks)
    ]
    temp = [
        pulp.LpVariable(f"temp_{w}", 0, cfg.temp_max if w >= cfg.temp_lead_weeks else 0)
        for w in range(weeks)
    ]
    short = [pulp.LpVariable(f"short_{w}", 0) for w in range(weeks)]
    tp = cfg.temp_productivity_pct / 100.0

    def class_term(series: np.ndarray, w: int, fte_weighted: bool = True):
        terms = []
        for (name, s), var in n.items():
            if s > w:
                continue
            coef = series[w - s]
            if coef:
                fte = next(c.fte for c in kinds if c.name == name) if fte_weighted else 1.0
                terms.append((var, coef * fte))
        return pulp.LpAffineExpression(terms)

    # cost
    wage = cfg.wage_per_hour
    cost_terms = []
    for (name, s), var in n.items():
        c = next(k for k in kinds if k.name == name)
        paid_weeks = float(shifted(unit.trainees + unit.heads, s, weeks).sum())
        coef = cfg.hire_cost + cfg.classroom_weeks * cfg.training_cost_per_week
        coef += wage * c.hours * paid_weeks
        cost_terms.append((var, coef * SCALE))
    premium = wage * cfg.overtime_premium_pct / 100.0
    for w in range(weeks):
        weight = HANDED_WEIGHT if w in handed_weeks else 1.0
        cost_terms.append((ot[w], weight * premium * SCALE))
        cost_terms.append((temp[w], cfg.temp_cost_per_week * SCALE))
        cost_terms.append((short[w], weight * cfg.shortfall_cost_per_hour * SCALE))
    prob += pulp.LpAffineExpression(cost_terms)

    for w in range(weeks):
        effective = base.fte[w] + class_term(unit.effective, w) + tp * temp[w]
        prob += effective + (ot[w] + short[w]) * (1.0 / h) >= float(req[w]), f"cover_{w}"
        prob += class_term(unit.trainees, w, False) <= cfg.training_capacity, f"train_cap_{w}"
    for s in starts:
        size = pulp.lpSum(n[(c.name, s)] for c in kinds)
        prob += size <= cfg.class_max * opened[s], f"class_size_max_{s}"
        prob += size >= cfg.class_min * opened[s], f"class_size_min_{s}"
        if len(kinds) > 1:
            prob += n[(kinds[1].name, s)] <= cfg.max_part_time_pct / 100.0 * size, f"part_time_{s}"
    months, years = month_groups(first, weeks)
    heads = [base.heads[w] + class_term(unit.heads, w, False) for w in range(weeks)]
    limits = days_limits or {}
    for w, limit in sorted(limits.items()):
        # the week's agent-days as one variable: each tangent's row holds two terms, not
        # every class's (a sparse model solves faster)
        days = pulp.LpVariable(f"days_{w}", 0)
        agents = base.heads[w] + class_term(unit.effective, w, False) + tp * temp[w]
        prob += days == limit.days_per_agent * agents, f"days_{w}"
        for i, (k, value, slope) in enumerate(limit.tangents):
            prob += short[w] >= value + slope * (days - k), f"days_{w}_{i}"
    for w in handed_weeks if handed_overtime_h > 0 else ():
        prob += ot[w] <= handed_overtime_h * heads[w], f"ot_handed_{w}"
    for (year, month), ws in months.items():
        cap = cfg.overtime_h_per_month / weeks_in_month(year, month)
        prob += (
            pulp.lpSum(ot[w] for w in ws) <= cap * pulp.lpSum(heads[w] for w in ws),
            (f"ot_month_{year}_{month:02d}"),
        )
    for year, ws in years.items():
        cap = cfg.overtime_h_per_year / weeks_in_iso_year(year)
        prob += (
            pulp.lpSum(ot[w] for w in ws) <= cap * pulp.lpSum(heads[w] for w in ws),
            (f"ot_year_{year}"),
        )

    status, gap, seconds = _solve(prob, cfg)
    sizes: dict[int, dict[float, float]] = {}
    chosen: dict[int, list[tuple[str, int]]] = {}
    for (name, s), var in n.items():
        value = int(round(var.varValue or 0.0))
        if value:
            fte = next(c.fte for c in kinds if c.name == name)
            sizes.setdefault(s, {})
            sizes[s][fte] = sizes[s].get(fte, 0) + value
            chosen.setdefault(s, []).append((name, value))
    table = supply_table(base, cfg, sizes, weeks).frame
    frame = demand.weeks.copy()
    frame["inefficiency"] = inefficiency_of(cfg)
    frame["required_fte"] = req
    frame["required_fte_p50"] = required_fte(frame["staff_hours_p50"], cfg)
    frame["required_fte_p90"] = required_fte(frame["staff_hours_p90"], cfg)
    for col in table.columns:
        frame[col] = table[col].to_numpy()
    frame["overtime_h"] = [max(0.0, v.varValue or 0.0) for v in ot]
    frame["temps"] = [max(0.0, v.varValue or 0.0) for v in temp]
    frame["heads"] = base.heads + _class_heads(unit.heads, sizes, weeks, False)
    frame["effective_fte"] = (
        frame["tenured_fte"]
        + frame["ramping_eff_fte"]
        + tp * frame["temps"]
        + frame["overtime_h"] / h
    )
    frame["gap_fte"] = frame["effective_fte"] - frame["required_fte"]
    frame["shortfall_h"] = np.maximum(0.0, -frame["gap_fte"].to_numpy()) * h
    frame["agents_eq"] = (
        base.heads + _class_heads(unit.effective, sizes, weeks, False) + tp * frame["temps"]
    )
    for w, limit in limits.items():
        days_short = limit.short_h(float(frame["agents_eq"].iloc[w]))
        frame.loc[w, "shortfall_h"] = max(float(frame["shortfall_h"].iloc[w]), days_short)
    frame["shortfall_h"] = np.where(frame["shortfall_h"] < 1e-6, 0.0, frame["shortfall_h"])
    cost = _weekly_cost(frame, cfg, chosen, kinds)
    for key, values in cost.items():
        frame[f"cost_{key}"] = values
    frame["cost_vnd"] = sum(cost.values())
    totals = {k: float(np.sum(v)) for k, v in cost.items()}
    totals["total"] = float(frame["cost_vnd"].sum())
    classes = _classes(first, cfg, chosen, frame, unit, sizes)
    reasons = _shortfall_reasons(
        frame, cfg, months, starts, handed_weeks, handed_overtime_h, limits
    )
    return Plan(frame, classes, status, gap, seconds, totals, reasons, kinds, dict(limits))


def _class_heads(series, sizes, weeks, fte_weighted: bool) -> np.ndarray:
    out = np.zeros(weeks)
    for s, by_fte in sizes.items():
        for fte, size in by_fte.items():
            out += size * (fte if fte_weighted else 1.0) * shifted(series, s, weeks)
    return out


def _weekly_cost(frame: pd.DataFrame, cfg: CapacityConfig, chosen, kinds) -> dict[str, np.ndarray]:
    weeks = len(frame)
    h = cfg.contract_hours
    wage = cfg.wage_per_hour
    hiring = np.zeros(weeks)
    training = np.zeros(weeks)
    for s, items in chosen.items():
        size = sum(v for _, v in items)
        hiring[s] += cfg.hire_cost * size
        for k in range(cfg.classroom_weeks):
            if s + k < weeks:
                training[s + k] += cfg.training_cost_per_week * size
    paid_fte = frame["tenured_fte"] + frame["ramping_fte"] + frame["trainees_fte"]
    return {
        "wages": (paid_fte * h * wage).to_numpy(),
        "hiring": hiring,
        "training": training,
        "overtime": (frame["overtime_h"] * wage * cfg.overtime_premium_pct / 100.0).to_numpy(),
        "temps": (frame["temps"] * cfg.temp_cost_per_week).to_numpy(),
        "shortfall": (frame["shortfall_h"] * cfg.shortfall_cost_per_hour).to_numpy(),
    }


def _classes(first, cfg, chosen, frame, unit, sizes) -> tuple[HiringClass, ...]:
    weeks = len(frame)
    out = []
    slack = frame["gap_fte"].to_numpy()
    for s in sorted(chosen):
        contribution = _class_heads(unit.effective, {s: sizes[s]}, weeks, True)
        grad = s + cfg.classroom_weeks
        needed = grad
        for w in range(grad, weeks):
            if contribution[w] > 1e-9 and slack[w] - contribution[w] < -1e-6:
                needed = w
                break
        latest_start = max(needed - cfg.classroom_weeks, 0)
        monday = first + dt.timedelta(days=7 * s)
        out.append(
            HiringClass(
                requisition=monday - dt.timedelta(weeks=cfg.recruiting_lead_weeks),
                training_start=monday,
                graduation=first + dt.timedelta(days=7 * grad),
                sizes=tuple(sorted(chosen[s])),
                open_by=first + dt.timedelta(weeks=latest_start - cfg.recruiting_lead_weeks),
                needed_week=week_label(first + dt.timedelta(days=7 * needed)),
            )
        )
    return tuple(out)


def _overtime_cap_left(frame, cfg, w: int, months, years) -> tuple[float, str]:
    """Overtime hours still allowed in week w's month and year (the smaller), and which cap
    binds."""
    ot = frame["overtime_h"].to_numpy()
    heads = frame["heads"].to_numpy()
    left = []
    for (year, month), ws in months.items():
        if w in ws:
            cap = cfg.overtime_h_per_month / weeks_in_month(year, month) * heads[ws].sum()
            left.append((cap - ot[ws].sum(), f"{cfg.overtime_h_per_month:g} h a month"))
    for year, ws in years.items():
        if w in ws:
            cap = cfg.overtime_h_per_year / weeks_in_iso_year(year) * heads[ws].sum()
            left.append((cap - ot[ws].sum(), f"{cfg.overtime_h_per_year:g} h a year"))
    return min(left) if left else (0.0, "")


def _shortfall_reasons(
    frame, cfg, months, starts, handed=(), handed_overtime_h=0.0, limits=None
) -> tuple[str, ...]:
    """One line per run of consecutive short weeks, with the levers that ran out (`handed`:
    the weeks handed to the weekly run, with at most `handed_overtime_h` of overtime an
    agent; none when it is 0, their roster having no overtime lever; `limits`: their
    agent-days limits, named instead of overtime when a week's days run out)."""
    limits = limits or {}
    short = frame["shortfall_h"].to_numpy() > 1e-6
    first = dt.date.fromisoformat(frame["start"].iloc[0])
    _, years = month_groups(first, len(frame))
    out = []
    w = 0
    weeks = len(frame)
    earliest_graduation = (min(starts) if starts else weeks) + cfg.classroom_weeks
    while w < weeks:
        if not short[w]:
            w += 1
            continue
        end = w
        while end + 1 < weeks and short[end + 1]:
            end += 1
        why = []
        if w < earliest_graduation:
            why.append(
                f"no class can graduate before week {earliest_graduation + 1} of the plan "
                f"(recruiting {cfg.recruiting_lead_weeks} + classroom {cfg.classroom_weeks} weeks)"
            )
        if w < cfg.temp_lead_weeks:
            why.append(f"temps need {cfg.temp_lead_weeks} weeks' notice")
        elif frame["temps"].iloc[w : end + 1].min() >= cfg.temp_max - 1e-6:
            why.append(f"temps at their maximum ({cfg.temp_max:g})")
        left, cap = _overtime_cap_left(frame, cfg, w, months, years)
        in_handed = any(k in handed for k in range(w, end + 1))
        on_cap = [
            k for k in range(w, end + 1) if k in handed and frame["overtime_h"].iloc[k]
            >= handed_overtime_h * frame["heads"].iloc[k] - 1e-3
        ]  # fmt: skip
        # each week's shortfall whatever its overtime (its agents' days), where it has one
        by_days = {
            k: limits[k].short_h(frame["agents_eq"].iloc[k]) for k in range(w, end + 1) if k in limits
        }  # fmt: skip
        days_bound = [k for k, short_h in by_days.items() if short_h > 1e-6]
        overtime_why = []
        if in_handed and handed_overtime_h <= 0:
            overtime_why.append("no overtime in the week handed to the weekly run (its roster "
                                "has no overtime lever)")  # fmt: skip
        elif on_cap:
            overtime_why.append(f"overtime at the weekly run's cap ({handed_overtime_h:g} h per "
                                "agent in the week)")  # fmt: skip
        elif left <= 1e-3:
            overtime_why.append(f"overtime at its cap ({cap} per agent)")
        why.extend(limits[k].describe(frame["agents_eq"].iloc[k]) for k in days_bound)
        if any(
            frame["shortfall_h"].iloc[k] > by_days.get(k, 0.0) + 0.05 for k in range(w, end + 1)
        ):
            why.extend(overtime_why)  # weeks short by more than their days: overtime would help
        if w >= earliest_graduation:
            trainees = frame["trainees_fte"].iloc[max(0, w - 26) : w].max()
            if trainees >= cfg.training_capacity - 1e-6:
                why.append(f"classrooms full ({cfg.training_capacity} trainees)")
            elif in_handed:
                why.append("no class the plan can still open graduates enough people for it")
            else:
                why.append(
                    f"another class of at least {cfg.class_min} costs more than this shortfall "
                    f"at {cfg.shortfall_cost_per_hour:,.0f} VND an hour"
                )
        hours = frame["shortfall_h"].iloc[w : end + 1].sum()
        span = frame["week"].iloc[w] + ("" if end == w else f"..{frame['week'].iloc[end]}")
        shown = f"{hours:,.1f}" if hours < 10 else f"{hours:,.0f}"  # never "short 0"
        out.append(f"{span}: short {shown} staff-hours: {'; '.join(why)}")
        w = end + 1
    return tuple(out)


@contextlib.contextmanager
def _quiet_stdout():
    """HiGHS prints a banner on file descriptor 1; keep stdout for data."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    sink = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(sink, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(sink)


def _solve(prob: pulp.LpProblem, cfg: CapacityConfig) -> tuple[str, float, float]:
    began = time.monotonic()
    solver = pulp.HiGHS(
        msg=False,
        timeLimit=cfg.time_limit_s,
        threads=1,
        gapRel=cfg.gap_pct / 100.0,
        random_seed=0,
    )
    try:
        with _quiet_stdout():
            prob.solve(solver)
    except pulp.PulpSolverError as exc:
        raise SolverError(f"HiGHS failed on the capacity plan: {exc}") from None
    seconds = time.monotonic() - began
    model = prob.solverModel
    info = model.getInfo()
    status = model.modelStatusToString(model.getModelStatus())
    if info.primal_solution_status != 2:
        raise SolverError(f"HiGHS found no capacity plan ({status}) in {cfg.time_limit_s:g} s")
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound)
    gap = 0.0 if objective == 0 else max(0.0, (objective - bound) / abs(objective) * 100.0)
    if not math.isfinite(gap):
        gap = 0.0
    return status, gap, seconds
