"""Numbers as people and files read them: rounded without float noise, grouped in tables."""

from __future__ import annotations

import math


def rounded(value, digits: int = 2) -> float | None:
    """`value` rounded to `digits` decimals; None for None, NaN and infinities."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else round(value, digits)


def figure(value, spec: str, unit: str = "") -> str:
    """`value` formatted with `spec` and `unit`, or "n/a" for None."""
    return "n/a" if value is None else f"{format(value, spec)}{unit}"
