"""Same-day actions for the rest of the day, each legal under the roster's rules.

Stages, cheapest kind first (DOMAIN.md "The day itself"), each greedy on the Erlang C service
level of the rest of the day (calls-weighted):

1. move breaks that have not begun out of the worst intervals, inside the rules' break window
   (`break_after_start_h` after the start, `break_before_end_h` before the end): free;
2. cancel the shrinkage the scenario marks movable (training, meetings; default none): priced
   at the wage of the hours moved (they are held another day);
3. extend shifts (end later, or start earlier when the start is still ahead by the call-in
   lead) and call in agents who are off today, one step at a time, the best service-level
   points per VND first, until no interval is short or no step adds a point: overtime at
   `overtime_pay_pct` of the wage, a call-in at `rest_day_pay_pct` (work on a day off), the
   night premium on the night hours added; the Labour Code's 12 h of work a day and what
   the week's, month's and year's overtime caps leave each agent (`OvertimeTally.room_h`, the
   roster's own: the week's `overtime_hours` and the overtime of earlier weeks of the month
   and year, `overtime_before`) bound them; every hour added counts as overtime. A shift changed is offered again from where
   it now is, so a storm morning stretches every useful shift to the day's cap rather than
   stopping at its first half-hour; a shift stretched past `meal_break_from_h` gets its meal
   break. The steps of one shift are reported as one action (hours, cost and gains summed);
4. offer callbacks in intervals still below the target: a share of the callers who would wait
   past the target accept a call back, which is handled in a later interval with spare agents.

Every shift changed is re-checked by the schedule's own checker (`check_roster_rules`, on the
agent's week, with the daily cap at 12 h and the weekly cap raised by the overtime allowed,
the month's and year's overtime with the earlier weeks'): an action that adds a breach is
dropped. A call-in also keeps the rules' consecutive working
days (the checker does not count them).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner.choices import IntradayAction
from planner.intraday.gap import Demand, interval_sl, on_phone, required_agents, weighted_sl_pct
from planner.io import parse_breaks
from planner.schedule import (
    AgentLimits,
    OvertimeTally,
    OvertimeWorked,
    Rules,
    agent_limits,
    check_roster_rules,
    hours_clash,
)
from planner.schedule.tours import night_minutes

STAMP = "%Y-%m-%dT%H:%M:%S"
# a break is moved only for at least this many objective points (service level + covered, as
# the list shows them to a hundredth): a move for less disturbs an agent for nothing shown
MIN_BREAK_GAIN_PTS = 0.01


@dataclass(frozen=True)
class ActionSettings:
    """Knobs of the actions (percentages in percent, hours in h)."""

    overtime_pay_pct: float = 150.0  # Labour Code Art. 98: >= 150% on a normal day
    rest_day_pay_pct: float = 200.0  # >= 200% on a weekly day off
    max_daily_work_h: float = 12.0  # Art. 107: normal + overtime <= 12 h a day
    overtime_month_h: float = 40.0  # the weekly hours' check raised by this much (the caps
    # themselves are the rules': `max_overtime_week_h`, `_month_h`, `_year_h`)
    call_in_lead_min: int = 60  # an agent called in starts this long after now, at the earliest
    callback_accept_pct: float = 30.0  # of the callers who would wait past the target
    movable_shrinkage_pct: float = 0.0  # of paid time, cancellable today (scenario)
    min_gain_points: float = 0.02  # an action must add this many SL points
    max_actions: int = 400


@dataclass(frozen=True)
class Action:
    """One proposed action with the expected (Erlang C) SL of the rest of the day before and
    after it, in the order the greedy took them (each after the ones before)."""

    kind: IntradayAction
    agent: str
    what: str
    paid_hours: float
    cost_vnd: float
    sl_before_pct: float
    sl_after_pct: float
    covered_before_pct: float  # percent of the required agent-intervals on the phones
    covered_after_pct: float

    @property
    def covered_gain_points(self) -> float:
        return self.covered_after_pct - self.covered_before_pct

    @property
    def gain_points(self) -> float:
        return self.sl_after_pct - self.sl_before_pct

    @property
    def cost_per_point_vnd(self) -> float:
        return self.cost_vnd / self.gain_points if self.gain_points > 0 else math.inf


@dataclass(frozen=True)
class ActionPlan:
    """What the actions did: the actions (greedy order), the week's roster after them, the
    rest of the day's calls after callbacks, the shrinkage after cancelling, the breaches the
    checker finds in the changed agents' weeks that were not there before (empty)."""

    actions: tuple[Action, ...]
    roster: pd.DataFrame
    calls: np.ndarray
    shrinkage_pct: float
    callbacks: float
    new_breaches: tuple[str, ...]
    stage_rosters: tuple[tuple[IntradayAction, pd.DataFrame, float, np.ndarray], ...]


def _minutes(ts, origin: pd.Timestamp) -> float:
    return (pd.Timestamp(ts) - origin).total_seconds() / 60.0


def _cover(a: float, b: float, edges: np.ndarray, step: float) -> np.ndarray:
    """Share of each interval [edges[i], edges[i] + step) inside [a, b) (minutes)."""
    lo = np.maximum(edges, a)
    hi = np.minimum(edges + step, b)
    return np.clip(hi - lo, 0.0, None) / step


def shift_cover(start, end, breaks, origin, edges, step) -> np.ndarray:
    """Rostered share of each interval of one shift (breaks off), like `on_phone_counts`."""
    out = _cover(_minutes(start, origin), _minutes(end, origin), edges, step)
    for bs, be in breaks:
        out = out - _cover(_minutes(bs, origin), _minutes(be, origin), edges, step)
    return out


def _breaks_text(breaks) -> str:
    return ";".join(f"{bs:{STAMP}}/{be:{STAMP}}" for bs, be in sorted(breaks))


def overtime_rules(rules: Rules, settings: ActionSettings) -> Rules:
    """The rules the changed roster is checked under: the day's cap at the Labour Code's 12 h
    of work and the week's raised by the month's overtime allowance."""
    return dataclasses.replace(
        rules,
        max_daily_hours=max(rules.max_daily_hours, settings.max_daily_work_h),
        max_weekly_hours=rules.max_weekly_hours + settings.overtime_month_h,
    )


class _State:
    """The day as the actions change it."""

    def __init__(
        self,
        roster,
        demand: Demand,
        shrinkage_pct: float,
        overtime_before: OvertimeWorked | None = None,
        limits: AgentLimits | None = None,
    ):
        self.roster = roster.reset_index(drop=True).copy()
        self.limits = limits or {}  # the agents file's no-night flags and unavailable hours
        if "overtime_hours" not in self.roster.columns:  # a roster written before overtime
            self.roster["overtime_hours"] = 0.0
        self.roster["overtime_hours"] = self.roster["overtime_hours"].fillna(0.0).astype(float)
        self.before = overtime_before or OvertimeWorked()
        self.demand = demand
        self.calls = demand.calls.copy()
        self.shrinkage = float(shrinkage_pct)
        self.origin = demand.timestamps[0]
        self.step = float(demand.interval_min)
        self.edges = np.arange(len(demand.timestamps)) * self.step
        self.required = required_agents(demand)
        self.rostered = np.zeros(len(self.edges))
        for row in self.roster.itertuples(index=False):
            self.rostered += self.cover_row(row.start, row.end, parse_breaks(row.breaks))

    def cover_row(self, start, end, breaks) -> np.ndarray:
        return shift_cover(start, end, breaks, self.origin, self.edges, self.step)

    def sl_vector(self, rostered=None, calls=None, shrinkage=None) -> np.ndarray:
        d = self.demand.with_calls(self.calls if calls is None else calls)
        r = self.rostered if rostered is None else rostered
        return interval_sl(d, on_phone(r, self.shrinkage if shrinkage is None else shrinkage))

    def sl_pct(self, rostered=None, calls=None, shrinkage=None) -> float:
        c = self.calls if calls is None else calls
        return weighted_sl_pct(self.demand.with_calls(c), self.sl_vector(rostered, c, shrinkage))

    def cover_pct(self, rostered=None, calls=None, shrinkage=None) -> float:
        """Percent of the required agent-intervals covered by agents on the phones."""
        required = (
            self.required if calls is None else required_agents(self.demand.with_calls(calls))
        )
        r = self.rostered if rostered is None else rostered
        agents = on_phone(r, self.shrinkage if shrinkage is None else shrinkage)
        total = float(required.sum())
        return 100.0 if total <= 0 else float(100.0 * np.minimum(agents, required).sum() / total)

    def objective(self, rostered=None, calls=None, shrinkage=None) -> float:
        """What the actions raise: service-level points plus covered-requirement points. The
        second gives the greedy a direction when the day is so short that the Erlang service
        level is 0 in every interval and one more agent adds no service-level point."""
        return self.sl_pct(rostered, calls, shrinkage) + self.cover_pct(rostered, calls, shrinkage)

    def short(self) -> np.ndarray:
        """Intervals with fewer agents on the phones than required."""
        return on_phone(self.rostered, self.shrinkage) < self.required - 1e-6

    def marginal(self, sign: float = 1.0) -> np.ndarray:
        """Objective points one more (sign 1) or one fewer (-1) rostered agent adds (loses)
        in each interval."""
        base = self.sl_vector()
        other = self.sl_vector(np.maximum(self.rostered + sign, 0.0))
        total = max(float(self.calls.sum()), 1e-9)
        agents = on_phone(self.rostered, self.shrinkage)
        share = 1.0 - self.shrinkage / 100.0
        if sign > 0:
            gap = np.clip(self.required - agents, 0.0, share)
        else:
            gap = np.clip(self.required - agents + share, 0.0, share)
        cover = 100.0 * gap / max(float(self.required.sum()), 1e-9)
        return 100.0 * self.calls * np.abs(other - base) / total + cover


def _break_window_ok(start, end, bs, be, rules: Rules) -> bool:
    return bs >= start + pd.Timedelta(hours=rules.break_after_start_h) and be <= end - pd.Timedelta(
        hours=rules.break_before_end_h
    )


def move_breaks(state: _State, rules: Rules, now: pd.Timestamp) -> list[Action]:
    """Stage 1: each break not begun goes where it costs the least service level."""
    actions: list[Action] = []
    grid = pd.Timedelta(minutes=15 if state.step % 15 == 0 else state.step)
    day_end = state.origin + pd.Timedelta(minutes=state.step * len(state.edges))
    for idx in range(len(state.roster)):
        row = state.roster.iloc[idx]
        breaks = parse_breaks(row["breaks"])
        if not breaks or row["end"] <= now or row["start"] >= day_end:
            continue
        for j, (bs, be) in enumerate(breaks):
            if bs < now:
                continue
            others = [b for k, b in enumerate(breaks) if k != j]
            length = be - bs
            old_cover = state.cover_row(row["start"], row["end"], breaks)
            before = state.objective()
            best: tuple[float, Any, Any] = (before, None, None)
            gain, loss = state.marginal(), state.marginal(-1.0)
            options = []
            t = max(now.ceil(grid), row["start"])
            while t + length <= row["end"]:
                cand = (t, t + length)
                if (
                    t != bs
                    and _break_window_ok(row["start"], row["end"], *cand, rules)
                    and all(cand[1] <= o[0] or cand[0] >= o[1] for o in others)
                ):
                    delta = state.cover_row(row["start"], row["end"], [*others, cand]) - old_cover
                    approx = float(np.clip(delta, 0, None) @ gain - np.clip(-delta, 0, None) @ loss)
                    options.append((approx, cand, delta))
                t += grid
            options.sort(key=lambda o: -o[0])
            for approx, cand, delta in options[:3]:
                if approx <= 0:
                    break
                value = state.objective(rostered=state.rostered + delta)
                if value > best[0] + 1e-9:
                    best = (value, cand, state.rostered + delta)
            if best[1] is None or best[0] - before < MIN_BREAK_GAIN_PTS:
                continue
            new_breaks = [*others, best[1]]
            sl_before, cov_before = state.sl_pct(), state.cover_pct()
            state.roster.at[idx, "breaks"] = _breaks_text(new_breaks)
            state.rostered = best[2]
            breaks = new_breaks
            actions.append(
                Action(
                    IntradayAction.MOVE_BREAK,
                    str(row["agent"]),
                    f"break {bs:%H:%M}-{be:%H:%M} -> {best[1][0]:%H:%M}-{best[1][1]:%H:%M}",
                    0.0,
                    0.0,
                    sl_before,
                    state.sl_pct(),
                    cov_before,
                    state.cover_pct(),
                )
            )
    return actions


def _week_problems(
    roster: pd.DataFrame, agent: str, rules: Rules, before: OvertimeWorked
) -> set[str]:
    return set(check_roster_rules(roster[roster["agent"] == agent], rules, overtime_before=before))


def _meal_break(start, end, rules: Rules) -> list:
    """A meal break in the middle of a new shift (on the 15-min grid; the longer of the day
    and night meal breaks, so it is legal at night too), or none if the shift is too short."""
    hours = (end - start).total_seconds() / 3600
    if hours < rules.meal_break_from_h or rules.meal_break_min <= 0:
        return []
    minutes = max(rules.meal_break_min, rules.night_meal_break_min)
    mid = start + (end - start) / 2 - pd.Timedelta(minutes=minutes / 2)
    bs = mid.floor("15min")
    return [(bs, bs + pd.Timedelta(minutes=minutes))]


@dataclass(frozen=True)
class _Candidate:
    kind: IntradayAction
    agent: str
    row: int | None  # roster row changed (None: a new row)
    start: pd.Timestamp
    end: pd.Timestamp
    breaks: tuple
    paid_hours: float  # added
    cost_vnd: float
    what: str


def _consecutive_ok(days: set, rules: Rules) -> bool:
    run = best = 0
    prev = None
    for d in sorted(days):
        run = run + 1 if prev is not None and (d - prev).days == 1 else 1
        best = max(best, run)
        prev = d
    return best <= rules.max_consecutive_days


def _meal_ok(start, end, breaks, rules: Rules) -> bool:
    """True when a shift of this length needs no meal break or has one long enough."""
    hours = (end - start).total_seconds() / 3600
    if hours < rules.meal_break_from_h or rules.meal_break_min <= 0:
        return True
    longest = max(((be - bs).total_seconds() / 60 for bs, be in breaks), default=0.0)
    return longest >= max(rules.meal_break_min, rules.night_meal_break_min) - 1e-9


def _with_meal(start, end, breaks: tuple, rules: Rules, now) -> tuple | None:
    """The breaks of a shift stretched to [start, end): unchanged when they are enough, else a
    meal break added in the middle of its window, not before now (None: no room for one)."""
    if _meal_ok(start, end, breaks, rules) or any(
        (be - bs).total_seconds() / 60 >= rules.meal_break_min for bs, be in breaks
    ):
        return breaks  # a meal break that may be too short at night: the checker decides
    minutes = pd.Timedelta(minutes=max(rules.meal_break_min, rules.night_meal_break_min))
    lo = max(start + pd.Timedelta(hours=rules.break_after_start_h), now.ceil("15min"))
    hi = end - pd.Timedelta(hours=rules.break_before_end_h) - minutes
    if hi < lo:
        return None
    bs = (lo + (hi - lo) / 2).floor("15min")
    bs = max(bs, lo.ceil("15min"))
    if bs > hi or any(bs < e and bs + minutes > s for s, e in breaks):
        return None
    return tuple(sorted([*breaks, (bs, bs + minutes)]))


def _night_h(start, end, rules: Rules) -> float:
    base = start.normalize()
    minutes = night_minutes(
        round((start - base).total_seconds() / 60), round((end - start).total_seconds() / 60), rules
    )
    return minutes / 60.0


def _cost(start, end, added_from, added_to, pay_pct: float, rules: Rules) -> float:
    """Wage of the hours added ([added_from, added_to)) at `pay_pct`, plus the night premium
    of those of them in the night window (Art. 98)."""
    hours = (added_to - added_from).total_seconds() / 3600
    night = _night_h(added_from, added_to, rules)
    return rules.wage_per_hour * (hours * pay_pct + night * rules.night_premium_pct) / 100.0


def _agent_candidates(
    state: _State, rules: Rules, cfg: ActionSettings, now, day, agent: str
) -> list[_Candidate]:
    """The extensions and call-ins of one agent the rules allow on their face, from the roster
    as it is now (the checker confirms): each of today's shifts that has not ended may end
    later or (its start still ahead by the call-in lead) start earlier, to the day's 12 h; an
    agent off today may be called in (rest and consecutive days kept); no hour added falls in
    an agent's unavailable hours or, for a no-night agent, in the night (the agents file)."""
    out: list[_Candidate] = []

    def free(start, minutes: int) -> bool:
        return hours_clash(state.limits, agent, start, minutes, rules) is None

    step = pd.Timedelta(minutes=state.step)
    lead = now + pd.Timedelta(minutes=cfg.call_in_lead_min)
    day_end = day + pd.Timedelta(days=1)
    rest = pd.Timedelta(hours=rules.min_rest_h)
    rows = state.roster[state.roster["agent"] == agent].sort_values("start")
    starts, ends = list(rows["start"]), list(rows["end"])
    tally = OvertimeTally(state.before)
    tally.add_rows(rows)
    today = [
        i for i, (s, e) in enumerate(zip(starts, ends, strict=True)) if s < day_end and e > now
    ]
    for i in today:
        idx = int(rows.index[i])
        s, e = starts[i], ends[i]
        length_h = (e - s).total_seconds() / 3600
        nxt = starts[i + 1] if i + 1 < len(starts) else None
        prv = ends[i - 1] if i > 0 else None
        brk = tuple(parse_breaks(rows.iloc[i]["breaks"]))
        room_h = tally.room_h(rules, agent, s)
        extra = step
        while (length_h + extra.total_seconds() / 3600) <= cfg.max_daily_work_h + 1e-9:
            h = extra.total_seconds() / 3600
            if h > room_h + 1e-9:
                break
            pay = cfg.overtime_pay_pct
            minutes = round(extra.total_seconds() / 60)
            if (nxt is None or e + extra + rest <= nxt) and free(e, minutes):
                new = _with_meal(s, e + extra, brk, rules, now)
                if new is not None:
                    out.append(_Candidate(IntradayAction.EXTEND_SHIFT, agent, idx, s, e + extra,
                                          new, h, _cost(s, e + extra, e, e + extra, pay, rules),
                                          f"shift {s:%H:%M}-{e:%H:%M} ends {e + extra:%H:%M}"))  # fmt: skip
            if (
                s - extra >= lead
                and (prv is None or prv + rest <= s - extra)
                and free(s - extra, minutes)
            ):
                new = _with_meal(s - extra, e, brk, rules, now)
                if new is not None:
                    out.append(_Candidate(IntradayAction.EXTEND_SHIFT, agent, idx, s - extra, e,
                                          new, h, _cost(s - extra, e, s - extra, s, pay, rules),
                                          f"shift {s:%H:%M}-{e:%H:%M} starts {s - extra:%H:%M}"))  # fmt: skip
            extra += step
    if any(s.normalize() == day for s in starts) or any(
        s < day_end and e > day for s, e in zip(starts, ends, strict=True)
    ):
        return out  # works today already: extensions only
    worked = {s.normalize() for s in starts} | {day}
    if not _consecutive_ok(worked, rules):
        return out
    start_grid = pd.Timedelta(minutes=rules.start_step_min)
    t = max(lead.ceil(start_grid), day)
    room_h = tally.room_h(rules, agent, day)  # a day off worked is overtime
    while t < day_end:
        for length in rules.shift_lengths_h:
            if length > cfg.max_daily_work_h or length > room_h + 1e-9:
                continue
            end = t + pd.Timedelta(hours=length)
            before = [x for x in ends if x <= t]
            after = [x for x in starts if x >= end]
            if before and max(before) + rest > t:
                continue
            if after and end + rest > min(after):
                continue
            if any(x < end and y > t for x, y in zip(starts, ends, strict=True)):
                continue
            if not free(t, round(length * 60)):
                continue
            brk = tuple(_meal_break(t, end, rules))
            cost = _cost(t, end, t, end, cfg.rest_day_pay_pct, rules)
            out.append(_Candidate(IntradayAction.CALL_IN, agent, None, t, end, brk,
                                  float(length), cost,
                                  f"call in {t:%H:%M}-{end:%H:%M}"))  # fmt: skip
        t += start_grid
    return out


def _apply(roster: pd.DataFrame, cand: _Candidate) -> pd.DataFrame:
    roster = roster.copy()
    hours = (cand.end - cand.start).total_seconds() / 3600
    if cand.row is None:
        new = pd.DataFrame(
            {
                "agent": [cand.agent],
                "start": [cand.start],
                "end": [cand.end],
                "breaks": [_breaks_text(cand.breaks)],
                "paid_hours": [hours],
                "overtime_hours": [hours],  # work on a day off: all of it overtime
            }
        )
        extra = [c for c in roster.columns if c not in new.columns]
        for c in extra:
            new[c] = np.nan if c != "day" else f"{cand.start:%a}"
        roster = pd.concat([roster, new[roster.columns]], ignore_index=True)
    else:
        roster.at[cand.row, "start"] = cand.start
        roster.at[cand.row, "end"] = cand.end
        roster.at[cand.row, "breaks"] = _breaks_text(cand.breaks)
        roster.at[cand.row, "overtime_hours"] = (
            float(roster.at[cand.row, "overtime_hours"]) + hours - roster.at[cand.row, "paid_hours"]
        )
        roster.at[cand.row, "paid_hours"] = hours
    return roster


class _Pool:
    """The candidates of every agent with their change of the rostered agents per interval,
    rebuilt for one agent after that agent's shift changed (so a shift extended once can be
    extended again, up to the day's cap, and an agent called in can be kept longer)."""

    def __init__(self, state: _State, rules: Rules, cfg: ActionSettings, now, day):
        self.state, self.rules, self.cfg, self.now, self.day = state, rules, cfg, now, day
        self.refused: set[tuple[str, pd.Timestamp, pd.Timestamp]] = set()
        self.by_agent: dict[str, tuple[list[_Candidate], np.ndarray]] = {}
        for agent in sorted(str(a) for a in state.roster["agent"].unique()):
            self.rebuild(agent)

    def rebuild(self, agent: str) -> None:
        st = self.state
        cands = [
            c
            for c in _agent_candidates(st, self.rules, self.cfg, self.now, self.day, agent)
            if (c.agent, c.start, c.end) not in self.refused
        ]
        covers = np.zeros((len(cands), len(st.edges)))
        for i, c in enumerate(cands):
            covers[i] = st.cover_row(c.start, c.end, c.breaks)
            if c.row is not None:
                row = st.roster.loc[c.row]
                covers[i] -= st.cover_row(row["start"], row["end"], parse_breaks(row["breaks"]))
        self.by_agent[agent] = (cands, covers)

    def flat(self) -> tuple[list[_Candidate], np.ndarray]:
        cands = [c for agent in sorted(self.by_agent) for c in self.by_agent[agent][0]]
        blocks = [self.by_agent[a][1] for a in sorted(self.by_agent) if len(self.by_agent[a][0])]
        covers = np.vstack(blocks) if blocks else np.zeros((0, len(self.state.edges)))
        return cands, covers


def add_shifts(state: _State, rules: Rules, cfg: ActionSettings, now, day) -> list[Action]:
    """Stage 3: extensions and call-ins, best points per VND first, until no interval is short
    or no change adds a point; an agent's shift may be stretched again after it changed."""
    checked = overtime_rules(rules, cfg)
    pool = _Pool(state, rules, cfg, now, day)
    baseline: dict[str, set[str]] = {}
    steps: list[tuple[int, Action]] = []
    first: dict[int, tuple | None] = {}  # a changed row's shift before the actions (None: new)
    while len(steps) < cfg.max_actions:
        if not state.short().any():
            break
        cands, covers = pool.flat()
        if not cands:
            break
        costs = np.array([c.cost_vnd for c in cands], float)
        approx = covers @ state.marginal()
        ratio = np.where(approx > 0, approx / np.maximum(costs, 1.0), -np.inf)
        order = np.argsort(-ratio, kind="stable")[:6]
        best = None
        before = state.objective()
        for i in order:
            if not np.isfinite(ratio[i]):
                break
            value = state.objective(rostered=state.rostered + covers[i])
            score = (value - before) / max(costs[i], 1.0)
            if value - before >= cfg.min_gain_points and (best is None or score > best[0]):
                best = (score, int(i), value)
        if best is None:
            break
        i = best[1]
        cand = cands[i]
        roster = _apply(state.roster, cand)
        if cand.agent not in baseline:
            baseline[cand.agent] = _week_problems(state.roster, cand.agent, checked, state.before)
        if _week_problems(roster, cand.agent, checked, state.before) - baseline[cand.agent]:
            pool.refused.add((cand.agent, cand.start, cand.end))
            pool.rebuild(cand.agent)
            continue
        sl_before, cov_before = state.sl_pct(), state.cover_pct()
        row = len(state.roster) if cand.row is None else cand.row
        if row not in first:
            old = state.roster.loc[row] if cand.row is not None else None
            first[row] = None if old is None else (old["start"], old["end"])
        state.roster = roster
        state.rostered = state.rostered + covers[i]
        pool.rebuild(cand.agent)
        steps.append(
            (
                row,
                Action(
                    cand.kind,
                    cand.agent,
                    cand.what,
                    cand.paid_hours,
                    cand.cost_vnd,
                    sl_before,
                    state.sl_pct(),
                    cov_before,
                    state.cover_pct(),
                ),
            )
        )
    return _per_shift(steps, first, state.roster)


def _per_shift(steps, first, roster: pd.DataFrame) -> list[Action]:
    """One action per shift changed (the greedy may stretch a shift in several steps): its
    paid hours and cost summed, its gains the sum of its steps' gains (each measured after the
    steps before it), `sl_before_pct` the service level before its first step; in the order of
    the first steps."""
    out: list[Action] = []
    for row in dict.fromkeys(r for r, _ in steps):
        mine = [a for r, a in steps if r == row]
        new = roster.loc[row]
        s, e = new["start"], new["end"]
        if first[row] is None:
            kind, what = IntradayAction.CALL_IN, f"call in {s:%H:%M}-{e:%H:%M}"
        else:
            s0, e0 = first[row]
            kind = IntradayAction.EXTEND_SHIFT
            what = f"shift {s0:%H:%M}-{e0:%H:%M} -> {s:%H:%M}-{e:%H:%M}"
        hours = sum(a.paid_hours for a in mine)
        if kind == IntradayAction.EXTEND_SHIFT:
            what += f" (+{hours:g} h overtime)"
        sl0, cov0 = mine[0].sl_before_pct, mine[0].covered_before_pct
        out.append(
            Action(
                kind,
                mine[0].agent,
                what,
                hours,
                sum(a.cost_vnd for a in mine),
                sl0,
                sl0 + sum(a.gain_points for a in mine),
                cov0,
                cov0 + sum(a.covered_gain_points for a in mine),
            )
        )
    return out


def cancel_shrinkage(state: _State, rules: Rules, cfg: ActionSettings) -> list[Action]:
    """Stage 2: the movable shrinkage (training, meetings) is held another day."""
    movable = min(cfg.movable_shrinkage_pct, state.shrinkage)
    if movable <= 0:
        return []
    before = state.sl_pct()
    after_pct = state.shrinkage - movable
    after = state.sl_pct(shrinkage=after_pct)
    if state.objective(shrinkage=after_pct) - state.objective() < cfg.min_gain_points:
        return []
    hours = float(state.rostered.sum() * state.step / 60.0 * movable / 100.0)
    cov_before = state.cover_pct()
    state.shrinkage = after_pct
    return [
        Action(
            IntradayAction.CANCEL_SHRINKAGE,
            "",
            f"hold {movable:g}% of paid time (training, meetings) another day: "
            f"shrinkage {after_pct + movable:g}% -> {after_pct:g}%",
            hours,
            hours * rules.wage_per_hour,
            before,
            after,
            cov_before,
            state.cover_pct(),
        )
    ]


def offer_callbacks(state: _State, rules: Rules, cfg: ActionSettings) -> tuple[list[Action], float]:
    """Stage 4: in each interval below the target, `callback_accept_pct` of the callers who
    would wait past the target take a call back, handled by the spare agents of a later
    interval (first come, first served); without spare agents later, no callback is offered."""
    if cfg.callback_accept_pct <= 0:
        return [], 0.0
    target = (state.demand.target.sl_pct or 0.0) / 100.0
    sl = state.sl_vector()
    agents = on_phone(state.rostered, state.shrinkage)
    aht = state.demand.aht_s
    interval_s = state.demand.interval_s
    # calls a later interval can take on while keeping its required agents (its spare agents' time)
    spare = np.where(
        aht > 0, np.maximum(agents - state.required, 0.0) * interval_s / np.maximum(aht, 1.0), 0.0
    )
    calls = state.calls.copy()
    moved = 0.0
    for i in np.flatnonzero(sl < target):
        want = cfg.callback_accept_pct / 100.0 * calls[i] * (1.0 - sl[i])
        for j in range(i + 1, len(calls)):
            if want <= 1e-9:
                break
            take = min(want, spare[j])
            if take <= 0:
                continue
            spare[j] -= take
            calls[i] -= take
            calls[j] += take
            want -= take
            moved += take
    if moved <= 0:
        return [], 0.0
    before = state.sl_pct()
    after = state.sl_pct(calls=calls)
    if state.objective(calls=calls) - state.objective() < cfg.min_gain_points:
        return [], 0.0
    cov_before = state.cover_pct()
    state.calls = calls
    state.required = required_agents(state.demand.with_calls(calls))
    hours = float(moved * np.average(aht, weights=np.maximum(state.demand.calls, 1e-9)) / 3600.0)
    return [
        Action(
            IntradayAction.CALLBACKS,
            "",
            f"offer callbacks: {moved:.0f} calls from the intervals below target to later ones",
            hours,
            hours * rules.wage_per_hour,
            before,
            after,
            cov_before,
            state.cover_pct(),
        )
    ], moved


def plan_actions(
    roster: pd.DataFrame,
    demand: Demand,
    shrinkage_pct: float,
    rules: Rules,
    now: pd.Timestamp,
    settings: ActionSettings | None = None,
    overtime_before: OvertimeWorked | None = None,
    agents: pd.DataFrame | None = None,
) -> ActionPlan:
    """The actions for the rest of the day (`demand`: from now to the end of the day) on the
    published week's `roster`, in the order taken, with the roster after each stage.
    `overtime_before`: the overtime the agents worked in earlier weeks of the month and year
    (the plan store's, `planner.store.overtime_worked`): extensions and call-ins are held to
    what the caps leave after it and the week's own `overtime_hours`. `agents`: the agents
    file (`planner.schedule.read_agents`), whose no-night flags and unavailable hours no
    extension or call-in breaks."""
    cfg = settings or ActionSettings()
    day = pd.Timestamp(now).normalize()
    limits = agent_limits(agents) if agents is not None else None
    state = _State(roster, demand, shrinkage_pct, overtime_before, limits)
    actions: list[Action] = []
    stages = []
    for kind, run in (
        (IntradayAction.MOVE_BREAK, lambda: move_breaks(state, rules, now)),
        (IntradayAction.CANCEL_SHRINKAGE, lambda: cancel_shrinkage(state, rules, cfg)),
        (IntradayAction.EXTEND_SHIFT, lambda: add_shifts(state, rules, cfg, now, day)),
    ):
        done = run()
        actions += done
        if done:
            stages.append((kind, state.roster.copy(), state.shrinkage, state.calls.copy()))
    done, moved = offer_callbacks(state, rules, cfg)
    actions += done
    if done:
        stages.append(
            (IntradayAction.CALLBACKS, state.roster.copy(), state.shrinkage, state.calls.copy())
        )
    checked = overtime_rules(rules, cfg)
    breaches: list[str] = []
    if actions:  # the whole week re-checked: what the actions added, if anything
        before = state.before
        known = set(check_roster_rules(roster, checked, overtime_before=before, agents=agents))
        after = check_roster_rules(state.roster, checked, overtime_before=before, agents=agents)
        breaches = sorted(set(after) - known)
    return ActionPlan(
        tuple(actions), state.roster, state.calls, state.shrinkage, moved, tuple(breaches),
        tuple(stages),
    )  # fmt: skip
