"""The solved roster and its honest figures (`ScheduleResult`), and the texts made from it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from planner.errors import SolverError
from planner.schedule.check import coverage_frame, on_phone_counts
from planner.schedule.model import Model
from planner.schedule.rules import Rules
from planner.schedule.solvers import SolveReport, SolveStatus


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

    @property
    def over_pct(self) -> float:
        """On-phone hours above the required staff-hours, in % of the required."""
        if self.required_hours <= 0:
            return 0.0
        return 100.0 * (self.on_phone_hours - self.required_hours) / self.required_hours

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
            "objective_wage_hours": round(self.objective, 3),
            "bound_wage_hours": round(self.bound, 3),
            "gap_pct": round(100.0 * self.gap, 3),
            "solver": self.solver,
            "solve_s": round(self.solve_s, 1),
        }


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
    cost = rules.wage_per_hour * (paid + rules.night_premium_pct / 100.0 * night)
    cost += rules.head_cost_per_week * headcount * req.n_days / 7.0
    objective = info.objective
    bound = min(info.bound, objective)
    gap = 0.0 if objective <= 1e-9 else max(0.0, (objective - bound) / abs(objective))
    status = SolveStatus(info.status)
    if status == SolveStatus.OPTIMAL and gap > 1e-6:
        status = SolveStatus.WITHIN_GAP  # the solver's word; the gap says how close
    messages = list(model.messages)
    if rules.night_weekend_penalty_h > 0 and model.groups and model.groups[0].agents:
        messages.append(fairness_note(roster, rules, model.groups))
    if unused:
        messages.append(f"{len(unused)} agents have no tour this week: {', '.join(unused[:10])}")
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


def summary_frame(result: ScheduleResult) -> pd.DataFrame:
    """The summary as a two-column frame (figure, value) for tables."""
    items = result.summary()
    return pd.DataFrame({"figure": list(items), "value": [str(v) for v in items.values()]})


def describe_short(result: ScheduleResult, limit: int = 8, rules: Rules | None = None) -> str:
    """The exit-3 message: how many intervals and agent-hours are short, the worst intervals
    (largest share of their requirement missing), every span with nobody on the phones while
    staff is needed, and the gap in full-time equivalents with the agents to add."""
    short = result.short_intervals()
    text = f"{len(short)} intervals, {result.shortfall_hours:g} agent-hours in all; worst: "
    text += worst_intervals(result, limit)
    empty = empty_spans(result)
    if empty:
        text += f"; nobody on the phones {empty}"
    return text + "; " + staffing_gap(result, rules or Rules())


def worst_intervals(result: ScheduleResult, limit: int) -> str:
    """'Mon 2027-07-12 00:00 needs 9, has 2; ...': the `limit` short intervals missing the
    largest share of their requirement (earliest first among equals)."""
    short = result.short_intervals()
    worst = short.assign(share=short["shortfall"] / short["required"].where(short["required"] > 0))
    worst = worst.sort_values(["share", "timestamp"], ascending=[False, True], kind="stable")
    return "; ".join(
        f"{row.timestamp:%a %Y-%m-%d %H:%M} needs {row.required:g}, has {row.scheduled:g}"
        for row in worst.head(limit).itertuples(index=False)
    )


def empty_spans(result: ScheduleResult) -> str:
    """'Mon 00:00-02:30, Tue 01:00-01:30': every span with nobody on the phones while staff is
    needed ('' when there is none)."""
    cov = result.coverage
    empty = cov[(cov["required"] > 0) & (cov["scheduled"] <= 0)]
    step = pd.Timedelta(minutes=result.interval_min)
    spans: list[list[pd.Timestamp]] = []
    for ts in pd.to_datetime(empty["timestamp"]):
        if spans and ts == spans[-1][1]:
            spans[-1][1] = ts + step
        else:
            spans.append([ts, ts + step])
    return ", ".join(f"{a:%a %H:%M}-{b:%H:%M}" for a, b in spans)


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


def staffing_gap(result: ScheduleResult, rules: Rules) -> str:
    """'short by about F FTE: add about K full-time and P part-time agents ...'."""
    gap = agents_to_add(result, rules)
    head = f"short by about {gap.fte:.1f} FTE"
    if gap.mix and gap.add_full_time + gap.add_part_time == 0:
        return (
            f"{head}, which these agents could cover (the week's linear relaxation needs no "
            "hire): raise the time limit or lower the gap"
        )
    if gap.mix:
        return (
            f"{head}: add about {gap.add_full_time} full-time and {gap.add_part_time} "
            "part-time agents to meet the target (the week's linear relaxation with hires: "
            "a lower estimate, whole shifts and breaks take more, most on small teams)"
        )
    return (
        f"{head}: add about {gap.add_full_time} full-time or {gap.add_part_time} part-time "
        "agents (more where the gaps are at night or on weekends)"
    )


def clock_note(result: ScheduleResult) -> str:
    """The line printed (even under --quiet) when the wall clock, not the gap, ended the solve."""
    return (
        f"the roster search stopped on the time limit, not on the gap (gap "
        f"{100 * result.gap:.2f}% against the bound); a busier or faster machine may give "
        "another roster: raise the time limit ([run] time_limit_s)"
    )
