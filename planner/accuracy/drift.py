"""The drift warning: recent weeks' days inside the bounds against what the bounds' level allows."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner import store
from planner.accuracy.scores import (
    accuracy_scores,
    actuals_from_history,
    covered_runs,
    expected_wape_pct,
    scored_days,
)

# --- drift ----------------------------------------------------------------------------------

DRIFT_WEEKS = 4
DRIFT_ALPHA = 0.025


@dataclass(frozen=True)
class Drift:
    """The last weeks' realised accuracy against the bounds' promise (percent)."""

    weeks: tuple[str, ...]
    days: int
    realised_wape_pct: float | None
    expected_wape_pct: float | None
    days_in_bounds_pct: float | None
    level_pct: float
    p_value: float
    drifted: bool

    def as_dict(self) -> dict:
        return {
            "weeks": list(self.weeks),
            "days": self.days,
            "realised_wape_pct": self.realised_wape_pct,
            "expected_wape_pct": self.expected_wape_pct,
            "days_in_bounds_pct": self.days_in_bounds_pct,
            "level_pct": self.level_pct,
            "p_value": round(self.p_value, 4),
            "drifted": self.drifted,
        }

    def message(self) -> str:
        return (
            f"forecast drift: over {len(self.weeks)} stored weeks ({self.weeks[0]}..{self.weeks[-1]}) "
            f"daily WAPE {self.realised_wape_pct:.1f}% vs {self.expected_wape_pct:.1f}% expected, "
            f"{self.days_in_bounds_pct:.0f}% of days inside the {self.level_pct:g}% bounds; "
            "check the history for a change (new service, outage, tariff) or add events"
        )


def drift_from_days(days: pd.DataFrame, weeks: tuple[str, ...]) -> Drift | None:
    """Drift figures of scored days (see the module docstring); None without open days."""
    from scipy.special import bdtr

    if days.empty:
        return None
    f, a = days["calls"].to_numpy(float), days["actual"].to_numpy(float)
    open_ = (f > 0) | (a > 0)
    n = int(open_.sum())
    if n == 0:
        return None
    inside = (days["lower"].to_numpy(float) - 1e-9 <= a) & (
        a <= days["upper"].to_numpy(float) + 1e-9
    )
    k = int((inside & open_).sum())
    level = float(days["level_pct"].iloc[-1])
    p = float(bdtr(k, n, level / 100.0))  # P(at most k of n inside) if the bounds hold
    s = accuracy_scores(days)
    expected = expected_wape_pct(days)
    worse = s["wape_pct"] is not None and expected is not None and s["wape_pct"] > expected
    return Drift(
        weeks,
        n,
        s["wape_pct"],
        expected,
        s["in_bounds_pct"],
        level,
        p,
        bool(p < DRIFT_ALPHA and worse),
    )


def drift_check(
    store_path: str | os.PathLike | None, plan, weeks: int = DRIFT_WEEKS
) -> Drift | None:
    """Drift of `plan`'s scenario over its last `weeks` stored weeks that `plan.history`
    covers (None: no store, or nothing to compare yet)."""
    if store_path is None or not Path(store_path).exists():
        return None
    actuals = actuals_from_history(plan.history)
    try:
        with store.connected(store_path) as conn:
            runs = covered_runs(conn, actuals, plan.scenario.name, before=plan.start, weeks=weeks)
            if runs.empty:
                return None
            days = scored_days(conn, runs, actuals)
    except store.EmptyStoreError:  # an empty file: a new store, nothing to compare yet
        return None
    return drift_from_days(days, tuple(runs["week"]))
