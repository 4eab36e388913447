"""Roster files and checks: moved to `planner.schedule.files`, `planner.schedule.check` and
`planner.schedule.workbook`; this module keeps the old import path working."""

from planner.schedule.check import check_roster_rules, coverage_frame, on_phone_counts
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
from planner.schedule.workbook import write_roster_xlsx

__all__ = [
    "COVERAGE_COLUMNS",
    "ROSTER_COLUMNS",
    "Requirements",
    "check_roster_rules",
    "coverage_frame",
    "on_phone_counts",
    "parse_breaks",
    "parse_unavailable",
    "read_agents",
    "read_requirements",
    "read_roster",
    "requirements_horizon",
    "write_roster_xlsx",
]
