"""`planner simulate` over files: a Roster CSV played against a Requirements CSV, with the
plan's shrinkage as the absence when none is given."""

from __future__ import annotations

import dataclasses
import os

import pandas as pd

from planner.errors import InputError
from planner.simulate import SimulationResult, load_requirements, load_roster, simulate
from planner.staffing import implied_shrinkage


def assumed_absence(requirements: pd.DataFrame) -> tuple[float, str]:
    """The absence (percent of agent-shifts missing) to simulate when none is given: the
    plan's shrinkage when the requirements carry it (`staff` vs `agents`, see
    `planner.staffing.implied_shrinkage`), as `planner run` simulates; else 0. Returns the
    percentage and a sentence saying where it came from."""
    implied = implied_shrinkage(requirements)
    if implied is None:
        return (
            0.0,
            "absence 0%: the requirements carry no staff and agents columns to imply a shrinkage",
        )
    return implied.pct, (
        f"absence {implied.pct:g}% = the plan's shrinkage, implied by the requirements' staff vs "
        f"agents: {implied.describe()}"
    )


def simulate_files(
    roster_path: str | os.PathLike,
    requirements_path: str | os.PathLike,
    absence_pct: float | None = None,
    **options,
) -> SimulationResult:
    """`simulate` over a Roster CSV and a Requirements CSV (what `planner simulate` runs).
    `absence_pct=None`: the plan's shrinkage when the requirements imply one (see
    `assumed_absence`); the summary's `absence_assumed` says what was used and why."""
    if str(roster_path) == "-" and str(requirements_path) == "-":
        raise InputError(
            "{roster_path} - and {requirements_path} -: only one of them can read stdin",
            "roster_path",
            "requirements_path",
        )
    requirements = load_requirements(requirements_path)
    roster = load_roster(roster_path)
    if absence_pct is None:
        absence_pct, why = assumed_absence(requirements)
    else:
        why = f"absence {float(absence_pct):g}% as given"
    result = simulate(roster, requirements, absence_pct=absence_pct, **options)
    summary = dataclasses.replace(result.summary, absence_assumed=why)
    return dataclasses.replace(result, summary=summary)
