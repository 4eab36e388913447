"""PNG charts of the weekly run and of a comparison (matplotlib, Agg backend).

Byte-identical for the same input: no Software/creation metadata, a fixed size and dpi, and the
file written atomically.
"""

from __future__ import annotations

import os

import pandas as pd

from planner import io
from planner.forecast import ForecastResult
from planner.history import History

DPI = 100


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | os.PathLike) -> None:
    with io.atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None})


def plot_coverage(coverage: pd.DataFrame, path: str | os.PathLike, title: str = "") -> None:
    """Required vs scheduled staff per interval over the week, shortfalls shaded red."""
    plt = _pyplot()
    times = pd.to_datetime(coverage["timestamp"])
    required = coverage["required"].to_numpy(dtype=float)
    scheduled = coverage["scheduled"].to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(12, 4.5), dpi=DPI)
    ax.step(times, required, where="post", color="0.25", lw=1.2, label="required staff")
    ax.step(
        times, scheduled, where="post", color="tab:green", lw=1.2, label="scheduled (on phones)"
    )
    short = scheduled < required - 1e-6
    if short.any():
        ax.fill_between(
            times,
            scheduled,
            required,
            where=short,
            step="post",
            color="tab:red",
            alpha=0.35,
            label="shortfall",
        )
    ax.set_ylabel("agents")
    ax.set_title(title or "Coverage: required vs scheduled")
    # below the axes, so it never covers the curve (the worst shortfall included)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, frameon=False)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def plot_compare(frame: pd.DataFrame, path: str | os.PathLike, week: str = "") -> None:
    """Cost against expected service level, one labelled point per scenario."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=DPI)
    currency = str(frame["currency"].iloc[0]) if "currency" in frame.columns else ""
    points = []
    for rec in frame.itertuples(index=False):
        sl, cost = rec.service_level_pct, rec.cost
        if sl is None or cost is None or pd.isna(sl) or pd.isna(cost):
            continue
        short = getattr(rec, "understaffed_intervals", 0) or 0
        points.append((float(sl), float(cost) / 1e6, str(rec.scenario), int(short)))
    for sl, cost, _, short in points:
        ax.scatter([sl], [cost], s=60, color="tab:red" if short else "tab:blue", zorder=3)
    for (sl, cost, name, short), offset in zip(points, _label_offsets(points), strict=True):
        ax.annotate(
            name + (f" ({short} short)" if short else ""),
            (sl, cost),
            textcoords="offset points",
            xytext=offset,
            fontsize=9,
            arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.6} if offset[1] != 4 else None,
        )
    ax.set_xlabel("expected service level, % (calls-weighted, queueing model on the roster)")
    ax.set_ylabel(f"weekly cost, million {currency}".strip())
    ax.set_title(f"Scenarios: cost vs service level{f' ({week})' if week else ''}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def _label_offsets(points: list[tuple[float, float, str, int]]) -> list[tuple[int, int]]:
    """Label offsets (points) so that labels of scenarios lying close together (within 3% of
    the plotted ranges) stack instead of overlapping."""
    if not points:
        return []
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x_span = (max(xs) - min(xs)) or 1.0
    y_span = (max(ys) - min(ys)) or 1.0
    offsets: list[tuple[int, int]] = []
    for i, (x, y, _, _) in enumerate(points):
        near = sum(
            1
            for j in range(i)
            if abs(points[j][0] - x) < 0.03 * x_span and abs(points[j][1] - y) < 0.03 * y_span
        )
        offsets.append((6, 4 + 12 * near))
    return offsets


def plot_forecast(history: History, result: ForecastResult, path: str | os.PathLike) -> None:
    """PNG of the last 8 weeks of daily history, the daily forecast and its bounds (atomic)."""
    plt = _pyplot()
    total = history.total()
    daily = total.groupby(total["timestamp"].dt.normalize())["calls"].sum()
    daily = daily[daily.index > result.history_day - pd.Timedelta(days=56)]
    fc = result.daily.groupby("date")[["calls", "lower", "upper"]].sum()
    fc.index = pd.to_datetime(fc.index)
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=100)
    ax.plot(daily.index, daily.to_numpy(), color="0.3", lw=1.2, label="history")
    ax.plot(fc.index, fc["calls"], color="tab:blue", lw=1.6, label=f"forecast ({result.model})")
    ax.fill_between(
        fc.index,
        fc["lower"],
        fc["upper"],
        color="tab:blue",
        alpha=0.2,
        label=f"{result.level:g}% bounds",
    )
    ax.set_ylabel("calls per day")
    ax.set_title("Daily calls: recent history and forecast")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    with io.atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(fig)
