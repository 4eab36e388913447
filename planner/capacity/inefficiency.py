"""The scheduling inefficiency, measured on real rosters: how many contract hours a roster
needs per required staff-hour.

Staff-hours of a requirement are not a workforce: shifts are whole (4-9 h), breaks fall where
they must, nights and weekends need their own people, and a contract pays its hours whether or
not the roster can use every one of them. A roster that covers the requirement shows the
factor. For each agent of the roster:

    fte(agent) = 1                                   if the week's paid hours > part_time_hours
               = part_time_hours / contract_hours    otherwise (a part-time contract holds it)

    inefficiency = sum of fte x contract_hours / (required staff-hours - shortfall staff-hours)

(a full-timer whose tours give 36 paid hours still holds a 48-hour contract; the shortfall is
taken off so that a short roster does not look efficient). Where the rosters come from, first
found first:

1. `[capacity] inefficiency` given in the scenario (a number; the source says so);
2. the plan store's published rosters (the latest `STORE_RUNS` runs with shifts);
3. a roster of one sample week solved here with the scenario's rules and no named agents (the
   roster sizes its own workforce): the week handed to the weekly run when there is one, else
   the plan's busiest week at the median forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import schedule
from planner.capacity.config import CapacityConfig

STORE_RUNS = 8


@dataclass(frozen=True)
class Inefficiency:
    """The factor, where it comes from, and the roster terms it was computed from (zero when
    given)."""

    factor: float
    source: str  # "given", "store" or "sample week"
    detail: str
    agents: int = 0
    fte: float = 0.0
    paid_hours: float = 0.0
    covered_staff_hours: float = 0.0

    def describe(self) -> str:
        if self.source == "given":
            return f"inefficiency {self.factor:.4f} ({self.detail})"
        return (
            f"inefficiency {self.factor:.4f} measured on {self.detail}: {self.agents} agents "
            f"({self.fte:.1f} FTE at the plan's contracts, {self.paid_hours:,.0f} paid h) for "
            f"{self.covered_staff_hours:,.1f} covered staff-hours"
        )


_SAMPLE_CACHE: dict[tuple, Inefficiency] = {}


def roster_fte(paid_hours_per_agent: np.ndarray, cfg: CapacityConfig) -> np.ndarray:
    """Each rostered agent's FTE at the plan's contracts (see the module docstring)."""
    paid = np.asarray(paid_hours_per_agent, float)
    part = cfg.part_time_hours / cfg.contract_hours
    if cfg.max_part_time_pct <= 0 or part >= 1.0:
        return np.ones(len(paid))
    return np.where(paid > cfg.part_time_hours + 1e-9, 1.0, part)


def measured(
    paid_hours_per_agent: np.ndarray,
    covered_staff_hours: float,
    cfg: CapacityConfig,
    source: str,
    detail: str,
) -> Inefficiency | None:
    """The factor of rosters whose agents were paid `paid_hours_per_agent` in total for
    `covered_staff_hours`; None when nothing was covered. Never below 1 (a roster cannot
    cover more staff-hours than it pays)."""
    if covered_staff_hours <= 0 or len(paid_hours_per_agent) == 0:
        return None
    fte = roster_fte(paid_hours_per_agent, cfg)
    factor = max(1.0, float(fte.sum()) * cfg.contract_hours / covered_staff_hours)
    return Inefficiency(
        round(factor, 4),
        source,
        detail,
        agents=len(paid_hours_per_agent),
        fte=float(fte.sum()),
        paid_hours=float(np.sum(paid_hours_per_agent)),
        covered_staff_hours=float(covered_staff_hours),
    )


def from_store_rosters(rosters: pd.DataFrame, cfg: CapacityConfig, store: str):
    """From the store's published rosters: `rosters` has one row per run and agent (`run_id`,
    `week`, `agent`, `paid_hours`, `required_staff_hours`, `shortfall_staff_hours`)."""
    if rosters.empty:
        return None
    runs = rosters.drop_duplicates("run_id")
    covered = float((runs["required_staff_hours"] - runs["shortfall_staff_hours"]).sum())
    weeks = sorted(runs["week"].astype(str))
    span = weeks[0] if len(weeks) == 1 else f"{weeks[0]}..{weeks[-1]}"
    detail = f"{len(runs)} published rosters in the plan store {store} ({span})"
    return measured(rosters["paid_hours"].to_numpy(float), covered, cfg, "store", detail)


def from_sample_week(
    requirements: pd.DataFrame,
    week: str,
    rules,
    cfg: CapacityConfig,
    *,
    time_limit_s: float,
    solver: str,
    gap_pct: float | None = None,
) -> Inefficiency:
    """Roster one week's requirements (`staff` per interval) with `rules` and no named agents,
    and measure it (memoised per process on the requirement, the rules and the solve)."""
    staff = tuple(np.asarray(requirements["staff"], float).round(6))
    stamps = tuple(pd.to_datetime(requirements["timestamp"]).astype("int64"))
    key = (week, staff, stamps, rules, time_limit_s, solver, gap_pct, cfg.contract_hours,
           cfg.part_time_hours, cfg.max_part_time_pct)  # fmt: skip
    hit = _SAMPLE_CACHE.get(key)
    if hit is not None:
        return hit
    result = schedule.build_roster(
        requirements,
        rules,
        agents=None,
        time_limit_s=time_limit_s,
        solver=solver,
        source=f"the sample week {week}",
        gap_pct=schedule.DEFAULT_GAP_PCT if gap_pct is None else gap_pct,
    )
    paid = result.roster.groupby("agent")["paid_hours"].sum().to_numpy(float)
    covered = float(result.required_hours - result.shortfall_hours)
    detail = f"a roster of the sample week {week} ({result.status}, gap {100 * result.gap:.2f}%)"
    out = measured(paid, covered, cfg, "sample week", detail)
    if out is None:
        out = Inefficiency(1.0, "sample week", f"the sample week {week} needs nobody")
    if len(_SAMPLE_CACHE) >= 8:
        _SAMPLE_CACHE.clear()
    _SAMPLE_CACHE[key] = out
    return out
