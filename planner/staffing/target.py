"""The staffing target: what each interval must achieve and how agents become staff, validated
in one place (each message names the field)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType

from planner.errors import InputError

MODELS = ("erlang-c", "erlang-a")
DEFAULT_SL_PCT = 80.0  # 80% of calls answered within 20 s: the industry's usual target


@dataclass(frozen=True)
class StaffingTarget:
    """What each interval must achieve, and how agents become staff.

    sl_pct: percent of calls answered within `target_s` seconds (None: no SL target).
    asa_s: average speed of answer target in seconds (None: none).
    max_occupancy_pct: cap on agents' busy share, percent (None: no cap).
    shrinkage_pct: share of paid time off the phones, percent (staff = agents / (1 - s)).
    model: "erlang-c" (no abandonment) or "erlang-a" (callers abandon; needs patience_s).
    patience_s: mean caller patience in seconds (Erlang A).
    max_abandon_pct: cap on the percent of offered calls that abandon (Erlang A).
    aht_s: one AHT in seconds for every interval (overrides the forecast's `aht` column).
    aht_by_queue: AHT in seconds per queue name (used when neither aht_s nor an `aht` column
        gives one; the key "*" applies to a forecast without queues or to any other queue).
    """

    sl_pct: float | None = DEFAULT_SL_PCT
    target_s: float = 20.0
    asa_s: float | None = None
    max_occupancy_pct: float | None = None
    shrinkage_pct: float = 30.0
    model: str = "erlang-c"
    patience_s: float | None = None
    max_abandon_pct: float | None = None
    aht_s: float | None = None
    aht_by_queue: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "aht_by_queue", MappingProxyType(dict(self.aht_by_queue)))
        _validate(self)

    @property
    def sl(self) -> float | None:
        return None if self.sl_pct is None else self.sl_pct / 100.0


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _validate(t: StaffingTarget) -> None:
    if t.sl_pct is not None:
        if not is_number(t.sl_pct) or t.sl_pct <= 0 or t.sl_pct > 100:
            hint = (
                f" (did you mean {t.sl_pct / 10:g}?)"
                if is_number(t.sl_pct) and t.sl_pct > 100
                else ""
            )
            raise InputError(
                f"service level ({{sl_pct}}) must be a percentage above 0 and below 100, got "
                f"{t.sl_pct!r}{hint}",
                "sl_pct",
            )
        if t.sl_pct >= 100:
            within = "at once" if t.target_s == 0 else f"within {t.target_s:g} s"
            raise InputError(
                f"a service level ({{sl_pct}}) of 100% {within} cannot be met: in a queue some "
                "calls always wait, however many agents there are; use a target below 100% "
                "(e.g. 99)",
                "sl_pct",
            )
    if not is_number(t.target_s) or t.target_s < 0:
        raise InputError(
            f"answer-time target ({{target_s}}) must be >= 0 seconds, got {t.target_s!r}",
            "target_s",
        )
    if t.asa_s is not None and (not is_number(t.asa_s) or t.asa_s <= 0):
        raise InputError(
            f"ASA target ({{asa_s}}) must be above 0 seconds (an ASA of 0 s means no call ever "
            f"waits, which no number of agents guarantees), got {t.asa_s!r}",
            "asa_s",
        )
    if t.sl_pct is None and t.asa_s is None:
        raise InputError(
            "no staffing target: give a service level ({sl_pct}, {target_s}) or an ASA target "
            "({asa_s})",
            "sl_pct",
            "target_s",
            "asa_s",
        )
    if t.max_occupancy_pct is not None and (
        not is_number(t.max_occupancy_pct) or not 0 < t.max_occupancy_pct <= 100
    ):
        raise InputError(
            f"max occupancy ({{max_occupancy_pct}}) must be a percentage in (0, 100], got "
            f"{t.max_occupancy_pct!r}",
            "max_occupancy_pct",
        )
    if not is_number(t.shrinkage_pct) or not 0 <= t.shrinkage_pct < 100:
        raise InputError(
            f"shrinkage ({{shrinkage_pct}}) must be a percentage in [0, 100), got "
            f"{t.shrinkage_pct!r}",
            "shrinkage_pct",
        )
    if t.model not in MODELS:
        raise InputError(
            f"model ({{model}}) must be one of {', '.join(MODELS)}, got {t.model!r}", "model"
        )
    if t.model == "erlang-a" and (
        t.patience_s is None or not is_number(t.patience_s) or t.patience_s <= 0
    ):
        raise InputError(
            f"model erlang-a needs the callers' mean patience in seconds above 0 "
            f"({{patience_s}}), got {t.patience_s!r}",
            "patience_s",
        )
    if t.max_abandon_pct is not None:
        if t.model != "erlang-a":
            raise InputError(
                "max abandonment ({max_abandon_pct}) needs model erlang-a (Erlang C has no "
                "abandonment)",
                "max_abandon_pct",
            )
        if not is_number(t.max_abandon_pct) or not 0 < t.max_abandon_pct <= 100:
            raise InputError(
                f"max abandonment ({{max_abandon_pct}}) must be a percentage in (0, 100] (0% "
                f"cannot be met when callers have finite patience), got {t.max_abandon_pct!r}",
                "max_abandon_pct",
            )
    if t.aht_s is not None and (not is_number(t.aht_s) or t.aht_s <= 0):
        raise InputError(
            f"AHT ({{aht_s}}) must be a number of seconds above 0, got {t.aht_s!r}", "aht_s"
        )
    for queue, value in t.aht_by_queue.items():
        if not is_number(value) or value <= 0:
            raise InputError(f"AHT for queue {queue!r} must be seconds above 0, got {value!r}")
