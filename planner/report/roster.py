"""A roster's texts for people: its summary table, the short intervals, the spans with nobody
on the phones, the agents to add, and the clock's warning."""

from __future__ import annotations

import pandas as pd

from planner.schedule import Rules, ScheduleResult, agents_to_add


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


def staffing_gap(result: ScheduleResult, rules: Rules) -> str:
    """'short by about F FTE: add about K full-time and P part-time agents ...'."""
    gap = agents_to_add(result, rules)
    head = f"short by about {gap.fte:.1f} FTE" if gap.fte >= 0.05 else "short by under 0.1 FTE"
    if gap.mix and gap.add_full_time + gap.add_part_time == 0:
        if result.clock_stopped:
            why = "the clock stopped the roster search: raise the time limit"
        else:
            why = (
                "the roster leaves it where covering it costs more than the missing cover's "
                "price, or where its search stopped on the gap or its work limit: raise "
                "[cost] shortfall_penalty_per_hour to buy that cover, or lower the gap"
            )
        return (
            f"{head}, which these agents could cover (the week's linear relaxation needs no "
            f"hire); {why}"
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


def clock_note(result: ScheduleResult, limit: str = "the time limit") -> str:
    """The line printed (even when quiet) when the wall clock, not the gap, ended the solve;
    `limit` names the setting to raise as the caller knows it."""
    return (
        f"the roster search stopped on the time limit, not on the gap (gap "
        f"{100 * result.gap:.2f}% against the bound); a busier or faster machine may give "
        f"another roster: raise {limit}"
    )
