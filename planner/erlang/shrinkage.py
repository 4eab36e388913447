"""From agents on the phones to staff on the roster."""

from __future__ import annotations

import numpy as np

from planner.errors import InputError


def staff_for_shrinkage(agents, shrinkage_pct) -> np.ndarray:
    """Staff to schedule so that `agents` remain on the phones after `shrinkage_pct` percent.

    staff = ceil(agents / (1 - s)) in exact rational arithmetic (the percentage is read as the
    decimal it is written as), so no agent is lost to float rounding: 63 agents at 30% is 90
    staff, and staff * (1 - s) >= agents always. Fractional agents are first rounded up.
    """
    from fractions import Fraction

    pct = Fraction(str(shrinkage_pct)) if not isinstance(shrinkage_pct, Fraction) else shrinkage_pct
    if pct < 0 or pct >= 100:
        raise InputError(f"shrinkage must be at least 0% and below 100%, got {float(pct):g}%")
    agents = np.asarray(agents, dtype=float)
    if np.any(np.isnan(agents)) or np.any(agents < 0):
        raise InputError("agents must be >= 0")
    whole = np.ceil(agents - 1e-9).astype(np.int64)
    num = 100 * pct.denominator
    den = 100 * pct.denominator - pct.numerator
    staff = -((-whole * num) // den)
    return staff
