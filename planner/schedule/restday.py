"""Extra shifts on a weekly rest day: after the roster is drawn, an agent off on a day may work
a short shift there as overtime, paid `rest_day_overtime_pay_pct` (Labour Code Art. 98: at
least 200%; `holiday_overtime_pay_pct` on a public holiday), where it removes more shortfall
cost than it costs.

Deterministic and small: the shift is the shortest of `shift_lengths_h` that needs no meal
break; each round takes the (day, start) whose cover saves the most over its cost and gives it
to the first agent (least overtime in the month, then by name) who is off that day and keeps
every rule: rest before and after (`min_rest_h`), the week's longest rest
(`min_weekly_rest_h`), the days in a row (`max_consecutive_days`), what the overtime caps
leave (`OvertimeTally.room_h`, earlier weeks included) and the agents file's no-night and
unavailable hours. On a week that continues last week's
roster, no run of working days that reaches its Monday is lengthened (last week's days are not
counted here). Off with `[shifts] rest_day_shifts = false`.
"""

from __future__ import annotations

import pandas as pd

from planner.schedule.check import on_phone_counts
from planner.schedule.groups import group_may_work
from planner.schedule.model import Model, overtime_allowed
from planner.schedule.overtime import best_relief, shortfall_terms
from planner.schedule.rules import DAY_MIN, DAY_NAMES
from planner.schedule.tours import night_minutes, slot_cover


def rest_day_length_min(model: Model) -> int:
    """The extra shift's length (min): the shortest shift needing no meal break; 0: none."""
    rules = model.rules
    lengths = [
        round(h * 60)
        for h in rules.shift_lengths_h
        if (h < rules.meal_break_from_h or rules.meal_break_min <= 0)
        and h <= rules.max_daily_hours
        and round(h * 60) % model.req.interval_min == 0
    ]
    return min(lengths, default=0)


def add_rest_day_shifts(model: Model, roster: pd.DataFrame) -> pd.DataFrame:
    """The roster with extra overtime shifts on rest days where each pays (see the module)."""
    rules = model.rules
    length = rest_day_length_min(model)
    if (
        not rules.rest_day_shifts
        or not model.soft
        or not overtime_allowed(rules)
        or not length
        or roster.empty
    ):
        return roster
    req = model.req
    n = len(req.frame)
    interval = req.interval_min
    need, prices = shortfall_terms(model)
    counts = on_phone_counts(roster, req.frame["timestamp"], interval, cyclic=model.cyclic)
    deficit = need - counts
    if not (deficit > 1e-6).any():
        return roster
    week_start = pd.Timestamp(req.week_start)
    n_days = req.n_days
    tally = model.ot_before.tally()
    tally.add_rows(roster)
    rows = [tuple(r) for r in roster.itertuples(index=False)]
    columns = list(roster.columns)
    by_agent: dict[str, list[int]] = {}
    for k, row in enumerate(rows):
        by_agent.setdefault(str(row[0]), []).append(k)
    step = rules.start_step_min
    starts = range(0, DAY_MIN, step)
    options = []  # (day, start_min, slots, cost in wage-hours)
    for day in range(n_days):
        if not model.cyclic and day == 0:
            continue
        rate = (
            rules.holiday_overtime_pay_pct
            if day in model.holiday_days
            else rules.rest_day_overtime_pay_pct
        ) / 100.0
        for start in starts:
            first = day * DAY_MIN + start
            slots = slot_cover(first, length, interval, n, model.cyclic)
            if len(slots) * interval < length:
                continue  # past the end of a week that does not wrap
            night = night_minutes(start, length, rules)
            cost = length / 60.0 * rate + rules.night_premium_pct / 100.0 * night / 60.0
            options.append((day, start, slots, cost))
    dead: set[int] = set()
    while True:
        best = best_relief(options, prices, deficit, lambda k: k not in dead)
        if best is None:
            break
        day, start, slots, _ = options[best]
        begin = week_start + pd.Timedelta(minutes=day * DAY_MIN + start)
        end = begin + pd.Timedelta(minutes=length)
        hours = length / 60.0
        agent = _first_free(model, rows, by_agent, tally, begin, end, hours, n_days)
        if agent is None:
            dead.add(best)
            continue
        night_h = night_minutes(start, length, rules) / 60.0
        values = {
            "agent": agent,
            "start": begin,
            "end": end,
            "breaks": "",
            "paid_hours": hours,
            "day": DAY_NAMES[begin.day_of_week],
            "night_hours": night_h,
            "overtime_hours": hours,
        }
        rows.append(tuple(values.get(c) for c in columns))
        by_agent.setdefault(agent, []).append(len(rows) - 1)
        tally.add(agent, begin, hours)
        deficit[slots] -= 1.0
    if len(rows) == len(roster):
        return roster
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["agent", "start"], kind="stable").reset_index(drop=True)


def _first_free(model: Model, rows, by_agent, tally, begin, end, hours, n_days) -> str | None:
    """The first agent (least overtime in the month, then by name) off on `begin`'s day who
    may work [begin, end) as overtime under every rule; None when nobody may."""
    rules = model.rules
    week_start = pd.Timestamp(model.req.week_start)
    horizon = pd.Timedelta(days=n_days)
    day = (begin.normalize() - week_start).days
    order = sorted(by_agent, key=lambda a: (tally.month_h(a, begin), a))
    group_of = {name: group for group in model.groups for name in group.agents}
    first = int((begin - week_start).total_seconds() // 60)
    length = int((end - begin).total_seconds() // 60)
    for agent in order:
        if tally.room_h(rules, agent, begin) < hours - 1e-9:
            continue
        if not group_may_work(first, length, group_of.get(agent), rules):
            continue  # no night shifts, or unavailable then
        spans = sorted((rows[k][1], rows[k][2]) for k in by_agent[agent])
        worked = {(s.normalize() - week_start).days for s, _ in spans}
        if day in worked:
            continue
        if not _days_ok(worked | {day}, day, rules.max_consecutive_days, n_days, model.cyclic):
            continue
        spans = sorted([*spans, (begin, end)])
        gaps = [
            (b[0] - a[1]).total_seconds() / 3600 for a, b in zip(spans, spans[1:], strict=False)
        ]
        if model.cyclic:
            gaps.append((spans[0][0] + horizon - spans[-1][1]).total_seconds() / 3600)
        if gaps and (min(gaps) < rules.min_rest_h - 1e-9):
            continue
        if gaps and max(gaps) < rules.min_weekly_rest_h - 1e-9:
            continue
        return agent
    return None


def _days_ok(days: set[int], day: int, most: int, n_days: int, cyclic: bool) -> bool:
    """The run of working days through `day` is at most `most` long (wrapping when the week
    does), and on a week continuing last week's, does not reach its Monday."""
    run, k = 1, day - 1
    while (k >= 0 or cyclic) and (k % n_days) in days and run <= n_days:
        run, k = run + 1, k - 1
    reaches_monday = k < 0 and not cyclic
    k = day + 1
    while (k < n_days or cyclic) and (k % n_days) in days and run <= n_days:
        run, k = run + 1, k + 1
    return run <= most and not reaches_monday
