"""Dated adjustments applied to an interval forecast."""

from __future__ import annotations

import pandas as pd

from planner.choices import NoteTopic
from planner.errors import InputError
from planner.notes import Note, note
from planner.scenario.model import Adjustment

# --- adjustments ---------------------------------------------------------------------------------


def apply_adjustments(
    frame: pd.DataFrame, adjustments: tuple[Adjustment, ...]
) -> tuple[pd.DataFrame, list[Note]]:
    """Apply dated adjustments to an interval forecast (`timestamp,calls[,lower,upper][,aht]
    [,queue]`). Returns the new frame and one note per adjustment (what it changed, or that it
    missed the frame's dates or queues)."""
    out = frame.copy()
    notes: list[Note] = []
    stamps = pd.to_datetime(out["timestamp"])
    has_queue = "queue" in out.columns
    for adj in adjustments:
        mask = (stamps >= pd.Timestamp(adj.start)) & (stamps < pd.Timestamp(adj.end))
        if adj.queues:
            if not has_queue:
                raise InputError(
                    f"adjustment {adj.label!r}: queue = {', '.join(adj.queues)} needs a "
                    "per-queue history (a 'queue' column), e.g. the bundled hotline_by_type.csv"
                )
            known = set(out["queue"].astype(str))
            missing = [q for q in adj.queues if q not in known]
            if missing:
                raise InputError(
                    f"adjustment {adj.label!r}: queue {', '.join(missing)} not in the forecast; "
                    f"queues: {', '.join(sorted(known))}"
                )
            mask &= out["queue"].astype(str).isin(adj.queues)
        hit = int(mask.sum())
        if hit == 0:
            notes.append(
                note(
                    NoteTopic.UNUSED_ADJUSTMENT,
                    f"{adj.describe()}: outside the planned dates, no effect",
                )
            )
            continue
        for col in ("calls", "lower", "upper"):
            if col in out.columns:
                out[col] = out[col].astype(float)
                out.loc[mask, col] = out.loc[mask, col] * adj.volume_factor
        if adj.aht_factor != 1.0 or adj.aht_s is not None:
            if "aht" not in out.columns:
                raise InputError(
                    f"adjustment {adj.label!r}: changes AHT but the forecast has no AHT; "
                    "set [service] aht_s"
                )
            out["aht"] = out["aht"].astype(float)
            if adj.aht_s is not None:
                out.loc[mask, "aht"] = adj.aht_s
            else:
                out.loc[mask, "aht"] = out.loc[mask, "aht"] * adj.aht_factor
        notes.append(note(NoteTopic.ADJUSTMENT, f"{adj.describe()}: {hit} intervals"))
    return out, notes
