"""Roster rules, shifts and tours: moved to `planner.schedule.rules` and `planner.schedule.tours`;
this module keeps the old import path working."""

from planner.schedule.rules import *  # noqa: F403
from planner.schedule.rules import DAY_MIN, DAY_NAMES, Rules, parse_clock, rules_from_mapping
from planner.schedule.tours import *  # noqa: F403
from planner.schedule.tours import Shift, Tour, make_shifts, make_tours, night_minutes

__all__ = [
    "DAY_MIN",
    "DAY_NAMES",
    "Rules",
    "Shift",
    "Tour",
    "make_shifts",
    "make_tours",
    "night_minutes",
    "parse_clock",
    "rules_from_mapping",
]
