"""The named choices every layer shares (command-line options, scenario keys, stage arguments).

Each is a `StrEnum`, so a member compares equal to its text (`ServiceModel.ERLANG_C ==
"erlang-c"`) and prints as it is written in a scenario file or on the command line. `values(E)`
gives the texts in declaration order, for click's `Choice` and for error messages.
"""

from __future__ import annotations

from enum import StrEnum


class ForecastModel(StrEnum):
    """Daily forecasting models; `auto` picks one by a quick backtest."""

    AUTO = "auto"
    SEASONAL_NAIVE = "seasonal_naive"
    ETS = "ets"
    REGRESSION = "regression"
    REGRESSION_LEVEL = "regression_level"


class ServiceModel(StrEnum):
    """Queueing models for staffing: Erlang C (no abandonment) or Erlang A (with patience)."""

    ERLANG_C = "erlang-c"
    ERLANG_A = "erlang-a"


class Solver(StrEnum):
    """MIP solvers for the roster: CBC (bundled with PuLP) or HiGHS (highspy)."""

    CBC = "cbc"
    HIGHS = "highs"


class SolveStatus(StrEnum):
    """How a roster solve ended; the values are summary.json's `solver.status` strings."""

    OPTIMAL = "optimal"
    WITHIN_GAP = "optimal within gap tolerance"
    WORK_LIMIT = "feasible (work limit)"
    TIME_LIMIT = "feasible (time limit)"
    START = "feasible (start)"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no solution"

    @property
    def has_solution(self) -> bool:
        return self not in (SolveStatus.INFEASIBLE, SolveStatus.NO_SOLUTION)


class PlanAt(StrEnum):
    """Which forecast the staffing covers: the point forecast or its upper bound."""

    POINT = "point"
    UPPER = "upper"


class Coverage(StrEnum):
    """Roster coverage: `hard` covers every interval; `soft` penalises gaps."""

    HARD = "hard"
    SOFT = "soft"


class TalkTime(StrEnum):
    """Talk-time distribution of the simulation (lognormal: same mean, CV 1)."""

    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"


class AhtBasis(StrEnum):
    """Handle time of the capacity plan's weeks: last year's same weeks at this year's level
    (`seasonal`), or the forecaster's recent 8 weeks (`recent`, as the weekly run)."""

    SEASONAL = "seasonal"
    RECENT = "recent"


class OutputFormat(StrEnum):
    """How a command writes its result."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


class NoteKind(StrEnum):
    """What a note is: something to know, or a warning (the CLI prints it even when quiet
    would hide notes)."""

    NOTE = "note"
    WARNING = "warning"


class NoteTopic(StrEnum):
    """What a note is about, for callers that show some notes only."""

    DATA = "data"  # the history's rows (offsets converted, spikes, odd AHT)
    FORECAST = "forecast"  # how the forecast was made
    ADJUSTMENT = "adjustment"  # what a scenario's adjustment changed
    UNUSED_ADJUSTMENT = "unused-adjustment"  # an adjustment outside the planned dates
    WEEK = "week"  # which week a scenario was planned on
    STORE = "store"  # what the plan store contributed (last week's roster)
    SCHEDULE = "schedule"  # the roster search and its result


def values(choice: type[StrEnum]) -> tuple[str, ...]:
    """The texts of a choice, in declaration order."""
    return tuple(member.value for member in choice)


def allowed(choice: type[StrEnum]) -> str:
    """'expected one of "a", "b"' for an error message."""
    return "expected one of " + ", ".join(f'"{v}"' for v in values(choice))


class CellKind(StrEnum):
    """What one cell of `planner sweep` plans (the plan file's `kinds`)."""

    WEEK = "week"  # forecast -> staffing -> roster -> KPIs for one site, scenario and week
    CAPACITY = "capacity"  # the capacity plan of one site and scenario from the first week


class IntradayAction(StrEnum):
    """What `planner intraday` may propose for the rest of the day, cheapest kinds first."""

    MOVE_BREAK = "move-break"
    CANCEL_SHRINKAGE = "cancel-shrinkage"
    EXTEND_SHIFT = "extend-shift"
    CALL_IN = "call-in"
    CALLBACKS = "callbacks"
