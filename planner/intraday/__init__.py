"""The day itself: reforecast the rest of today from its calls so far, restaff it against the
published roster, and propose legal actions ranked by cost per point of service level.

`reforecast` (the shrunk Poisson-gamma update, with `morning`'s curve learnt from the
history's mornings), `tomorrow` (tomorrow's plan carried from today), `gap` (required vs on
the phones, expected and simulated service level), `actions` (break moves, movable shrinkage,
shift extensions, call-ins, callbacks, each re-checked by the schedule's rule checker).
"""

from planner.intraday.actions import (
    Action,
    ActionPlan,
    ActionSettings,
    overtime_rules,
    plan_actions,
    shift_cover,
)
from planner.intraday.gap import (
    Demand,
    Gap,
    expected_sl_pct,
    gap_frame,
    interval_sl,
    on_phone,
    required_agents,
    rostered,
    simulate_rest,
    weighted_sl_pct,
)
from planner.intraday.morning import (
    DayProfiles,
    MorningModel,
    day_profiles,
    learn_morning_model,
    past_days,
)
from planner.intraday.reforecast import Reforecast, UpdateSettings, prior_cv, reforecast_day
from planner.intraday.result import IntradayResult, SimulatedStep
from planner.intraday.tomorrow import Tomorrow, carry_to_tomorrow, persistence_from_history

__all__ = [
    "Action",
    "ActionPlan",
    "ActionSettings",
    "Demand",
    "Gap",
    "IntradayResult",
    "DayProfiles",
    "MorningModel",
    "Reforecast",
    "SimulatedStep",
    "Tomorrow",
    "UpdateSettings",
    "carry_to_tomorrow",
    "expected_sl_pct",
    "gap_frame",
    "interval_sl",
    "day_profiles",
    "learn_morning_model",
    "past_days",
    "on_phone",
    "overtime_rules",
    "persistence_from_history",
    "plan_actions",
    "prior_cv",
    "reforecast_day",
    "required_agents",
    "rostered",
    "shift_cover",
    "simulate_rest",
    "weighted_sl_pct",
]
