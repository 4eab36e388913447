"""The sweep's chart: weekly cost and expected service level over the weeks, one line per site
and scenario."""

from __future__ import annotations

import os

import pandas as pd

from planner.report.charts import DPI, pyplot, save_png


def plot_sweep(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Two panels over the weeks (the sweep's table, `planner.jobs.sweep.summary_frame`):
    weekly cost (millions) and expected service level (%), a line per site and scenario; the
    week cells only (a capacity cell's figures cover its whole horizon)."""
    if "kind" in frame.columns:
        frame = frame[frame["kind"] == "week"]
    plt = pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), dpi=DPI, sharex=True)
    weeks = sorted(frame["week"].unique())
    position = {w: i for i, w in enumerate(weeks)}
    for (site, scenario), part in frame.groupby(["site", "scenario"], sort=True):
        x = [position[w] for w in part["week"]]
        label = f"{site} / {scenario}"
        cost = pd.to_numeric(part["cost"], errors="coerce") / 1e6
        sl = pd.to_numeric(part["service_level_pct"], errors="coerce")
        top.plot(x, cost, marker="o", ms=3, label=label)
        bottom.plot(x, sl, marker="o", ms=3, label=label)
    top.set_ylabel("weekly cost, millions")
    bottom.set_ylabel("expected service level, %")
    step = max(1, len(weeks) // 13)
    bottom.set_xticks(range(0, len(weeks), step), weeks[::step], rotation=45, ha="right")
    top.set_title("Sweep: cost and service level per week")
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    top.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    save_png(fig, path)
    plt.close(fig)
