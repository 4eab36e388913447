"""Named exit codes and the errors the library raises for users to read.

The CLI catches `PlannerError` in one place and turns it into one stderr line and its exit code.
An `InputError` about a parameter names the parameter as the library calls it
(`time_limit_s`); the CLI shows its flag (`--time-limit`) instead, so the library never names
a flag.
"""

from __future__ import annotations

from collections.abc import Mapping
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

    def prefixed(self, where: str) -> PlannerError:
        """The same error (class and exit code) saying where it happened first."""
        return type(self)(f"{where}: {self}")


class InputError(PlannerError):
    """Bad input: a missing or malformed file, an unknown key, an impossible option value.

    `params`: the parameters the message is about, by their names in the library. The message
    places each as `{name}`; without a placeholder, the first parameter leads the message
    (`InputError("0: expected seconds above 0", "time_limit_s")`). `str()` shows the names;
    `render(names)` shows the names a caller gives (the CLI's flags)."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, *params: str) -> None:
        if params and not any("{" + p + "}" in message for p in params):
            message = "{" + params[0] + "} " + message
        self.template = message
        self.params = params
        super().__init__(self.render({}))

    def prefixed(self, where: str) -> InputError:
        """The same error saying where it happened first, its parameters kept."""
        return type(self)(f"{where}: {self.template}", *self.params)

    def render(self, names: Mapping[str, str]) -> str:
        """The message with each parameter shown as `names[param]` (else by its own name)."""
        text = self.template
        for param in self.params:
            text = text.replace("{" + param + "}", names.get(param, param))
        return text


class InfeasibleError(PlannerError):
    """The rules cannot be met at all (explained, naming the rule); nothing is written."""

    exit_code = ExitCode.BAD_INPUT


class SolverError(PlannerError):
    """The solver failed or found nothing within its time limit."""

    exit_code = ExitCode.RUNTIME_ERROR


class InterruptedAfterPublish(KeyboardInterrupt):
    """Ctrl-C after a week was published: the text says where (not "interrupted" alone, which
    reads as if nothing was written)."""
