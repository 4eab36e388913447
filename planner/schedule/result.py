"""The solved roster and its honest figures (`ScheduleResult`) and what it lacks (`StaffingGap`);
the texts made from it are `planner.report.roster`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from planner.errors import SolverError
from planner.schedule.check import coverage_frame, on_phone_counts
from planner.schedule.groups import tour_misfit
from planner.schedule.model import (
    IDLE_WEIGHT,
    Model,
    holiday_minutes,
    overtime_pay_pct,
    tour_cost_wage_hours,
)
from planner.schedule.rules import Rules
from planner.schedule.solvers import SMALL_TEAM_PEAK, THIN_TOURS, SolveReport, SolveStatus

CONTRACT_COLUMNS = [
    *("agent", "contract_h", "min_hours", "rostered_h", "ordinary_h", "overtime_h"),
    *("idle_h", "reason"),
]


@dataclass(frozen=True)
class ScheduleResult:
    """A solved roster with honest solver figures. Money in `currency`, hours in hours."""

    roster: pd.DataFrame  # ROSTER_COLUMNS, one row per agent-shift
    coverage: pd.DataFrame  # COVERAGE_COLUMNS, recomputed from the roster rows
    status: SolveStatus  # a str: "optimal", "feasible (time limit)", ...
    objective: float  # wage-hours incl. night premium and shortfall penalties
    bound: float  # solver's best bound on the objective
    gap: float  # (objective - bound) / objective
    cost: float  # paid cost with night premium, in currency
    short: bool  # some interval is below its requirement
    headcount: int
    paid_hours: float
    night_hours: float
    on_phone_hours: float
    required_hours: float
    shortfall_hours: float
    solver: str
    solve_s: float
    horizon_days: int
    interval_min: int
    currency: str = "VND"
    messages: tuple[str, ...] = ()
    # a short week with named agents: (full-time, part-time) hires the week's LP with hires
    # allowed takes to cover every interval (None: not computed)
    hires: tuple[int, int] | None = None
    unused_agents: tuple[str, ...] = field(default=())
    clock_stopped: bool = False  # the wall-clock limit, not the gap or a work limit, ended it
    first_roster_s: float = float("nan")  # seconds from the solve's start to a legal roster
    night_shift_min_h: float = 3.0  # the rule: a shift with this many night hours is a night
    agents_per_lp_tour: float = float("nan")  # the week's hardness (`SolveReport`)
    # salaried agents' paid hours not rostered (their paid minimum less their ordinary hours)
    idle_paid_hours: float = 0.0
    overtime_hours: float = 0.0  # hours worked beyond the tours (longer shifts)
    overtime_cost: float = 0.0  # what the overtime hours are paid (their rate, night premium)
    holiday_hours: float = 0.0  # ordinary hours worked on public holidays
    holiday_premium_cost: float = 0.0  # their pay above the ordinary wage
    idle_cost: float = 0.0  # what the idle paid hours are paid
    # per named agent: contract and paid minimum, rostered, overtime and idle hours, and why
    # an agent is below the minimum (`CONTRACT_COLUMNS`); empty without an agents file
    contracts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CONTRACT_COLUMNS))

    @property
    def over_pct(self) -> float:
        """On-phone hours above the required staff-hours, in % of the required."""
        if self.required_hours <= 0:
            return 0.0
        return 100.0 * (self.on_phone_hours - self.required_hours) / self.required_hours

    def below_minimum(self) -> int:
        """Named agents whose ordinary rostered hours are below their paid minimum."""
        if self.contracts.empty:
            return 0
        return int((self.contracts["idle_h"] > 1e-6).sum())

    def short_intervals(self) -> pd.DataFrame:
        return self.coverage[self.coverage["shortfall"] > 1e-6].reset_index(drop=True)

    def summary(self) -> dict:
        """Key figures, for the table, the JSON output and the workbook's Summary sheet."""
        return {
            "status": self.status,
            "headcount": self.headcount,
            "paid_hours": round(self.paid_hours, 2),
            "night_hours": round(self.night_hours, 2),
            f"cost_{self.currency.lower()}": round(self.cost, 0),
            "required_staff_hours": round(self.required_hours, 2),
            "on_phone_hours": round(self.on_phone_hours, 2),
            "over_coverage_pct": round(self.over_pct, 2),
            "shortfall_hours": round(self.shortfall_hours, 2),
            "short_intervals": int((self.coverage["shortfall"] > 1e-6).sum()),
            "idle_paid_hours": round(self.idle_paid_hours, 2),
            "overtime_hours": round(self.overtime_hours, 2),
            f"overtime_cost_{self.currency.lower()}": round(self.overtime_cost, 0),
            "holiday_hours": round(self.holiday_hours, 2),
            f"holiday_premium_{self.currency.lower()}": round(self.holiday_premium_cost, 0),
            "below_paid_minimum": self.below_minimum(),
            "objective_wage_hours": round(self.objective, 3),
            "bound_wage_hours": round(self.bound, 3),
            "gap_pct": round(100.0 * self.gap, 3),
            "solver": self.solver,
            "solve_s": round(self.solve_s, 1),
        }


def hardness_note(gap: float, per_tour: float, peak_agents: float = math.inf) -> str:
    """Why the gap is what it is: the LP's agents per tour it uses (a week is hard to round
    when that is about one or fewer: each tour is then a whole agent or none), and a small team
    (fewer than `SMALL_TEAM_PEAK` agents on the phones at the week's peak: one agent more or
    less is a large share of the cost, so rounding, not the search, bounds the gap)."""
    text = f"gap {100 * gap:.2f}% against the bound; the LP puts {per_tour:.1f} agents on each tour"
    if per_tour <= THIN_TOURS:
        text += (
            " it uses (thin tours: rounding them to whole agents, not the bound, keeps the gap"
            " open; such a roster is rarely provably closer)"
        )
    else:
        text += " it uses"
    if peak_agents < SMALL_TEAM_PEAK:
        text += (
            f"; small team: {math.ceil(peak_agents - 1e-9)} agents on the phones at the peak,"
            " rounding to whole agents bounds the gap"
        )
    return text


def schedule_result(
    model: Model, roster: pd.DataFrame, unused, info: SolveReport, solver: str, spill=None
):
    req, rules = model.req, model.rules
    times = req.frame["timestamp"]
    required = req.frame["staff"].to_numpy(dtype=float)
    scheduled = on_phone_counts(roster, times, req.interval_min, cyclic=model.cyclic)
    if spill is not None:
        scheduled = scheduled + spill
    coverage = coverage_frame(times, required, scheduled)
    short_total = float(coverage["shortfall"].sum())
    if not rules.soft_coverage and short_total > 1e-6:
        raise SolverError(
            "internal check failed: the roster leaves intervals short under hard coverage"
        )
    hours = req.interval_min / 60.0
    paid = float(roster["paid_hours"].sum())
    night = float(roster["night_hours"].sum())
    headcount = int(roster["agent"].nunique())
    pay = roster_pay(roster, rules, model.holiday_days, req.week_start)
    objective = info.objective
    bound = min(info.bound, objective)
    decided = model.gap_base(objective)  # the gap is on what the roster decides
    gap = 0.0 if decided <= 1e-9 else max(0.0, (objective - bound) / decided)
    contracts = contract_frame(model, roster, 100.0 * gap)
    idle = float(contracts["idle_h"].sum()) if len(contracts) else 0.0
    wage = rules.wage_per_hour
    cost = wage * (paid + rules.night_premium_pct / 100.0 * night)
    cost += pay.overtime_extra + pay.holiday_extra + wage * idle
    salaried = set(contracts.loc[contracts["min_hours"] > 0, "agent"]) if len(contracts) else set()
    paid_heads = len(set(roster["agent"]) | salaried)
    cost += rules.head_cost_per_week * paid_heads * req.n_days / 7.0
    status = SolveStatus(info.status)
    if status == SolveStatus.OPTIMAL and gap > 1e-6:
        status = SolveStatus.WITHIN_GAP  # the solver's word; the gap says how close
    messages = list(model.messages)
    if rules.night_weekend_penalty_h > 0 and model.groups and model.groups[0].agents:
        messages.append(fairness_note(roster, rules, model.groups))
    if gap > 1e-6 and info.agents_per_lp_tour == info.agents_per_lp_tour:
        peak = float(required.max()) if len(required) else 0.0
        messages.append(hardness_note(gap, info.agents_per_lp_tour, peak))
    if unused:
        messages.append(f"{len(unused)} agents have no tour this week: {', '.join(unused[:10])}")
    below = contract_note(contracts)
    if below:
        messages.append(below)
    return ScheduleResult(
        roster=roster,
        coverage=coverage,
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        cost=cost,
        short=short_total > 1e-6,
        headcount=headcount,
        paid_hours=paid,
        night_hours=night,
        on_phone_hours=float(scheduled.sum() * hours),
        required_hours=float(required.sum() * hours),
        shortfall_hours=short_total * hours,
        solver=solver,
        solve_s=info.seconds,
        horizon_days=req.n_days,
        interval_min=req.interval_min,
        currency=rules.currency,
        messages=tuple(messages),
        unused_agents=tuple(unused),
        clock_stopped=info.clock_stopped,
        first_roster_s=info.first_s,
        night_shift_min_h=rules.night_shift_min_h,
        agents_per_lp_tour=info.agents_per_lp_tour,
        idle_paid_hours=idle,
        overtime_hours=pay.overtime_h,
        overtime_cost=pay.overtime_cost,
        holiday_hours=pay.holiday_h,
        holiday_premium_cost=pay.holiday_extra,
        idle_cost=wage * idle,
        contracts=contracts,
    )


@dataclass(frozen=True)
class Pay:
    """Pay of a roster's rows beyond their ordinary wage and night premium: overtime hours
    and their pay (rate and night premium), ordinary hours on public holidays and their pay
    above the ordinary wage. Money in the rules' currency."""

    overtime_h: float
    overtime_cost: float
    overtime_extra: float  # overtime pay above the ordinary wage of those hours
    holiday_h: float
    holiday_extra: float


def roster_pay(roster: pd.DataFrame, rules: Rules, holiday_days, week_start) -> Pay:
    """`Pay` from the roster rows alone: a row's `overtime_hours` are paid
    `overtime_pay_pct` (`holiday_overtime_pay_pct` when the shift starts on a public
    holiday; a row all overtime is a shift on a weekly rest day, paid at least
    `rest_day_overtime_pay_pct`), its other hours on `holiday_days` (day indices from `week_start`) are paid
    `holiday_pay_pct` (the overtime, at one end of the shift, is taken from its holiday
    hours first). Night premiums are the rows' `night_hours`, counted apart."""
    wage = rules.wage_per_hour
    first = pd.Timestamp(week_start)
    ot_h = ot_extra = hol_h = 0.0
    has_ot = "overtime_hours" in roster.columns
    for row in roster.itertuples(index=False):
        start = int((pd.Timestamp(row.start) - first).total_seconds() // 60)
        end = int((pd.Timestamp(row.end) - first).total_seconds() // 60)
        ot_min = round(float(row.overtime_hours) * 60) if has_ot else 0
        on_holiday = holiday_minutes(start, end - start, holiday_days)
        hol_h += max(0, on_holiday - ot_min) / 60.0
        if ot_min:
            rate = overtime_pay_pct(start, holiday_days, rules) / 100.0
            if ot_min >= end - start and rate < rules.rest_day_overtime_pay_pct / 100.0:
                rate = rules.rest_day_overtime_pay_pct / 100.0  # a shift on a rest day
            ot_h += ot_min / 60.0
            ot_extra += (rate - 1.0) * ot_min / 60.0
    holiday_extra = wage * (rules.holiday_pay_pct - 100.0) / 100.0 * hol_h
    return Pay(
        overtime_h=ot_h,
        overtime_cost=wage * (ot_h + ot_extra),
        overtime_extra=wage * ot_extra,
        holiday_h=hol_h,
        holiday_extra=holiday_extra,
    )


def contract_frame(model: Model, roster: pd.DataFrame, gap_pct: float = 0.0) -> pd.DataFrame:
    """Per named agent (`CONTRACT_COLUMNS`): contract hours, paid minimum, rostered,
    ordinary and overtime hours, idle paid hours (minimum less ordinary hours) and, for an
    agent below the minimum, why: no legal tour that long fits them (the rule that excludes
    it), or the roster placed fewer of their hours (the search's choice within its gap)."""
    rows = []
    per = roster.groupby("agent")["paid_hours"].sum() if len(roster) else pd.Series(dtype=float)
    if "overtime_hours" in roster.columns and len(roster):
        ot = roster.groupby("agent")["overtime_hours"].sum()
    else:
        ot = pd.Series(dtype=float)
    for group in model.groups:
        if not group.agents or group.overflow:
            continue
        why = None
        for agent in group.agents:
            rostered = float(per.get(agent, 0.0))
            overtime = float(ot.get(agent, 0.0))
            ordinary = rostered - overtime
            idle = max(0.0, group.paid_min_h - ordinary)
            reason = ""
            if idle > 1e-6:
                if why is None:
                    why = _below_reason(model, group, gap_pct)
                reason = why
            rows.append(
                (agent, group.max_h, group.paid_min_h, rostered, ordinary, overtime, idle, reason)
            )
    frame = pd.DataFrame(rows, columns=CONTRACT_COLUMNS)
    return frame.sort_values("agent", kind="stable").reset_index(drop=True)


def _below_reason(model: Model, group, gap_pct: float) -> str:
    """Why a group's agent may be rostered below the paid minimum."""
    need = group.paid_min_h
    long_enough = [t for t in model.tours if t.paid_min / 60.0 >= need - 1e-9]
    if not long_enough:
        return f"no legal tour reaches {need:g} h (shift lengths x days, weekly and rest rules)"
    reasons: dict[str, int] = {}
    fitting = []
    for tour in long_enough:
        why = tour_misfit(tour, group, model.slack_min)
        if why is None:
            fitting.append(tour)
        else:
            reasons[why] = reasons.get(why, 0) + 1
    if fitting:
        rules = model.rules
        premium = min(
            tour_cost_wage_hours(t, rules, True, model.holiday_days) - t.paid_min / 60.0
            for t in fitting
        )
        if premium > (IDLE_WEIGHT - 1.0) * need + 1e-9:
            return (
                f"a tour of {need:g} h fits, but every such tour pays premiums (night, public "
                f"holiday: {premium:.0f} wage-hours at least) the week's cover is not worth "
                f"(gap {gap_pct:.1f}%)"
            )
        return (
            f"a tour of {need:g} h fits; the roster placed fewer of their hours "
            f"(gap {gap_pct:.1f}%)"
        )
    named = ", ".join(sorted(reasons))
    return f"no legal tour of {need:g} h fits them: {named}"


def contract_note(contracts: pd.DataFrame) -> str:
    """'contracts: k of n named agents below their paid minimum (H idle paid hours): ...'."""
    if contracts.empty:
        return ""
    below = contracts[contracts["idle_h"] > 1e-6]
    if below.empty:
        return ""
    salaried = int((contracts["min_hours"] > 0).sum())
    parts = []
    for reason, rows in below.groupby("reason", sort=True):
        names = ", ".join(rows["agent"].head(6)) + (" ..." if len(rows) > 6 else "")
        parts.append(f"{len(rows)} ({names}): {reason}")
    return (
        f"contracts: {len(below)} of {salaried} agents with a paid minimum are rostered below "
        f"it ({below['idle_h'].sum():,.1f} idle paid hours, paid): " + "; ".join(parts)
    )


def nights_weekends_per_agent(
    roster: pd.DataFrame, rules: Rules, agents: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Per agent: night shifts (>= night_shift_min_h night hours) and weekend days (shifts
    starting on a Saturday or Sunday), from the roster rows; `agents` adds those with no row."""
    night = roster["night_hours"] >= rules.night_shift_min_h - 1e-9
    night &= roster["night_hours"] > 0
    weekend = pd.to_datetime(roster["start"]).dt.day_of_week >= 5
    frame = (
        pd.DataFrame({"agent": roster["agent"], "nights": night, "weekend_days": weekend})
        .groupby("agent", sort=True)[["nights", "weekend_days"]]
        .sum()
        .astype(int)
    )
    frame = frame.reindex(sorted(set(frame.index) | set(agents)), fill_value=0)
    return frame.rename_axis("agent").reset_index()


def fairness_note(roster: pd.DataFrame, rules: Rules, groups) -> str:
    """'fairness: night shifts per agent a-b (max-min d), weekend days ..., k agents with both'."""
    names = tuple(a for g in groups for a in g.agents)
    per = nights_weekends_per_agent(roster, rules, names)
    if per.empty:
        return "fairness: no agent has a tour"
    n, w = per["nights"], per["weekend_days"]
    both = int(((n > 0) & (w > 0)).sum())
    return (
        f"fairness: night shifts per agent {n.min()}-{n.max()} (max-min {n.max() - n.min()}), "
        f"weekend days {w.min()}-{w.max()} (max-min {w.max() - w.min()}), "
        f"{both} of {len(per)} agents work both nights and weekends"
    )


@dataclass(frozen=True)
class StaffingGap:
    """What a short roster lacks: full-time equivalents (at the full-time contract hours) and
    the agents to add. `mix`: both counts together (the week's LP with hires allowed); else
    either count alone (from the missing hours)."""

    fte: float
    add_full_time: int
    add_part_time: int
    mix: bool = False


def agents_to_add(result: ScheduleResult, rules: Rules) -> StaffingGap:
    """The FTE gap and the agents to add to meet the target: the hires of the week's LP
    (`result.hires`) when it was solved, else the missing agent-hours over the on-phone hours
    an agent of each contract gives a week (this roster's mean where it has such agents, else
    the rules' contract hours, less breaks)."""
    fte = result.shortfall_hours / max(rules.full_time_min_hours, 1.0)
    hires = getattr(result, "hires", None)
    if hires is not None:
        return StaffingGap(fte, hires[0], hires[1], mix=True)
    per = result.roster.groupby("agent")["paid_hours"].sum()
    on_phone_share = result.on_phone_hours / result.paid_hours if result.paid_hours else 0.9
    full = per[per >= rules.full_time_min_hours - 1e-9]
    full_h = (float(full.mean()) if len(full) else rules.max_weekly_hours) * on_phone_share
    part = per[per < rules.full_time_min_hours - 1e-9]
    part_h = (float(part.mean()) if len(part) else rules.part_time_hours) * on_phone_share
    add_full = math.ceil(result.shortfall_hours / max(full_h, 1.0) - 1e-9)
    add_part = math.ceil(result.shortfall_hours / max(part_h, 1.0) - 1e-9)
    return StaffingGap(fte, add_full, add_part)
