"""Named exit codes and the errors the library raises for users to read.

The CLI catches `PlannerError` in one place and turns it into one stderr line and its exit code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (DESIGN.md)."""

    OK = 0
    RUNTIME_ERROR = 1
    BAD_INPUT = 2
    TARGETS_NOT_MET = 3
    CLOCK_STOPPED = 4  # written and on target, but the wall clock ended the roster search


class PlannerError(Exception):
    """An error with a message fit for a user; `exit_code` says how the process ends."""

    exit_code: ExitCode = ExitCode.RUNTIME_ERROR


class InputError(PlannerError):
    """Bad input: a missing or malformed file, an unknown key, an impossible option value."""

    exit_code = ExitCode.BAD_INPUT


class InfeasibleError(PlannerError):
    """The rules cannot be met at all (explained, naming the rule); nothing is written."""

    exit_code = ExitCode.BAD_INPUT


class SolverError(PlannerError):
    """The solver failed or found nothing within its time limit."""

    exit_code = ExitCode.RUNTIME_ERROR
