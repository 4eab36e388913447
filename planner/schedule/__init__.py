"""The weekly roster (schedule stage) as a package.

`rules` (validated roster rules) -> `tours` (legal shifts and weekly tours) -> `groups` (named
agents grouped by what limits them; `boundary`: the network that shares a group's tours among
agents continuing last week) -> `model` (the integer programme) -> `start` (a legal
roster built before branch and bound) -> `solvers` (CBC / HiGHS, a typed outcome) -> `extract`
(one row per agent-shift) -> `check` (coverage and labour rules re-checked from the rows alone);
`files` reads the stage's files (the workbook is `planner.report.workbook`); `child` runs the
solver children (and compare's worker processes). `build_roster` in `build` ties them together; the names below are the stage's API and
are looked up as module attributes (`schedule.build_roster`), so tests may replace them.
"""

from planner.schedule.build import build_roster, lp_bound, solve_model
from planner.schedule.caps import OvertimeTally, OvertimeWorked
from planner.schedule.check import (
    AgentLimits,
    agent_hours_problems,
    agent_limits,
    check_roster_rules,
    coverage_frame,
    hours_clash,
    on_phone_counts,
)
from planner.schedule.files import (
    COVERAGE_COLUMNS,
    ROSTER_COLUMNS,
    Requirements,
    parse_breaks,
    parse_unavailable,
    read_agents,
    read_requirements,
    read_roster,
    requirements_horizon,
)
from planner.schedule.result import (
    ScheduleResult,
    StaffingGap,
    agents_to_add,
    fairness_note,
    nights_weekends_per_agent,
)
from planner.schedule.rules import DAY_MIN, DAY_NAMES, Rules, parse_clock, rules_from_mapping
from planner.schedule.solvers import DEFAULT_GAP_PCT, SOLVERS, SolveReport, SolveStatus
from planner.schedule.tours import Shift, Tour, make_shifts, make_tours
from planner.schedule.weeks import check_weeks

__all__ = [
    "AgentLimits",
    "agent_hours_problems",
    "agent_limits",
    "hours_clash",
    "COVERAGE_COLUMNS",
    "DAY_MIN",
    "DAY_NAMES",
    "DEFAULT_GAP_PCT",
    "OvertimeTally",
    "OvertimeWorked",
    "ROSTER_COLUMNS",
    "SOLVERS",
    "Requirements",
    "Rules",
    "ScheduleResult",
    "Shift",
    "SolveReport",
    "SolveStatus",
    "StaffingGap",
    "Tour",
    "agents_to_add",
    "build_roster",
    "check_weeks",
    "check_roster_rules",
    "coverage_frame",
    "fairness_note",
    "lp_bound",
    "make_shifts",
    "make_tours",
    "nights_weekends_per_agent",
    "on_phone_counts",
    "parse_breaks",
    "parse_clock",
    "parse_unavailable",
    "read_agents",
    "read_requirements",
    "read_roster",
    "requirements_horizon",
    "rules_from_mapping",
    "solve_model",
]
