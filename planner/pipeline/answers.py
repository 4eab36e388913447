"""What a manager asks of a scenario, beyond what its roster delivers: what meeting its target
takes (hires and their cost), and, when the week is overloaded, what the line would really do
(Erlang A: callers hang up instead of waiting for ever).

Figures only; the comparison puts them in its rows and the report renders them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner import schedule, staffing
from planner.erlang import erlang_a
from planner.io.numbers import rounded
from planner.schedule import Rules, ScheduleResult

# Mean caller patience assumed for the Erlang A view of an overloaded Erlang C week (the
# scenario's own [service] patience_s when it gives one). An assumption, shown with the figures.
ASSUMED_PATIENCE_S = 120.0


@dataclass(frozen=True)
class TargetCost:
    """What meeting the target takes: hires next to the named agents and their weekly cost.

    `hire_full_time`/`hire_part_time`: the week's LP estimate (`mix`), a lower estimate; when the
    LP was not solved (no named agents, a headcount cap), the full-time count that gives the
    missing on-phone hours, and no part-timer. `hire_cost`: each hire paid its contract minimum
    (full-time `full_time_paid_hours`, part-time `part_time_min_hours`) at the base wage plus the
    per-head cost, so a lower estimate too (no night premium)."""

    hire_full_time: int
    hire_part_time: int
    hire_cost: float
    cost_to_target: float  # the roster's cost + hire_cost


def target_cost(result: ScheduleResult, rules: Rules) -> TargetCost:
    """Hires and extra cost to meet the target (zero when the roster already meets it)."""
    if not result.short:
        return TargetCost(0, 0, 0.0, float(result.cost))
    gap = schedule.agents_to_add(result, rules)
    full = gap.add_full_time
    part = gap.add_part_time if gap.mix else 0
    full_each = rules.wage_per_hour * rules.full_time_paid_hours + rules.head_cost_per_week
    part_each = rules.wage_per_hour * rules.part_time_min_hours + rules.head_cost_per_week
    extra = full * full_each + part * part_each
    return TargetCost(full, part, float(extra), float(result.cost) + float(extra))


@dataclass(frozen=True)
class OverloadView:
    """The week under Erlang A with `patience_s`: calls-weighted shares of the offered calls
    answered, answered within the target and abandoned (percent), and the mean wait of the
    answered calls (s)."""

    patience_s: float
    answered_pct: float | None
    service_level_pct: float | None
    abandon_pct: float | None
    asa_s: float | None


def overload_view(evaluation, target_s: float, patience_s: float | None, interval_s: int):
    """Erlang A on the roster's on-phone agents (`evaluation`: calls, aht, agents per interval);
    None when there are no calls."""
    calls = evaluation["calls"].to_numpy(dtype=float)
    weight = calls.sum()
    if weight <= 0:
        return None
    patience = ASSUMED_PATIENCE_S if patience_s is None else float(patience_s)
    m = erlang_a(
        calls,
        evaluation["aht"].to_numpy(dtype=float),
        evaluation["agents"].to_numpy(dtype=float),
        target_s,
        patience,
        float(interval_s),
    )
    abandon = float((m.abandon * calls).sum() / weight)
    answered = calls * (1.0 - m.abandon)
    asa = np.where(np.isfinite(m.asa), m.asa, np.nan)
    served = answered[np.isfinite(asa)].sum()
    return OverloadView(
        patience_s=patience,
        answered_pct=rounded(100.0 * (1.0 - abandon)),
        service_level_pct=rounded(100.0 * float((m.service_level * calls).sum() / weight)),
        abandon_pct=rounded(100.0 * abandon),
        asa_s=rounded(float(np.nansum(asa * answered) / served)) if served > 0 else None,
    )


def overloaded(evaluation) -> bool:
    """Some interval with calls has a queue that grows without bound (Erlang C: no ASA)."""
    calls = evaluation["calls"].to_numpy(dtype=float)
    return bool(np.any(np.isnan(evaluation["asa"].to_numpy(dtype=float)) & (calls > 0)))


def interval_s_of(requirements) -> int:
    return int(staffing.interval_seconds(requirements))
