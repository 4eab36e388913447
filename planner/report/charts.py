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


def pyplot():
    """matplotlib's pyplot on the Agg backend (no display; imported when a chart is drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_png(fig, path: str | os.PathLike) -> None:
    """Byte-identical PNGs: no Software metadata, written atomically."""
    with io.atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None})


def plot_coverage(coverage: pd.DataFrame, path: str | os.PathLike, title: str = "") -> None:
    """Required vs rostered staff per interval over the week (both before shrinkage: staff,
    not agents on the phones), shortfalls shaded red."""
    plt = pyplot()
    times = pd.to_datetime(coverage["timestamp"])
    required = coverage["required"].to_numpy(dtype=float)
    scheduled = coverage["scheduled"].to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(12, 4.5), dpi=DPI)
    ax.step(times, required, where="post", color="0.25", lw=1.2, label="required staff")
    ax.step(
        times,
        scheduled,
        where="post",
        color="tab:green",
        lw=1.2,
        label="rostered staff (before shrinkage, breaks excluded)",
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
    ax.set_ylabel("staff")
    ax.set_title(title or "Coverage: required vs rostered staff")
    # below the axes, so it never covers the curve (the worst shortfall included)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, frameon=False)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    save_png(fig, path)
    plt.close(fig)


def plot_compare(frame: pd.DataFrame, path: str | os.PathLike, week: str = "") -> None:
    """The scenarios side by side, one row each (names never overlap, however close their
    figures): the roster's weekly cost and, where the comparison has it, the cost of meeting
    the target (left); the expected service level against each target (right), red when the
    roster is short of its requirement."""
    plt = pyplot()
    rows = frame.reset_index(drop=True)
    n = len(rows)
    currency = str(rows["currency"].iloc[0]) if "currency" in rows.columns else ""
    has_target = {"cost_to_target", "target_sl_pct"} <= set(rows.columns)
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(12, 2.2 + 0.55 * n), dpi=DPI, sharey=True,
        gridspec_kw={"width_ratios": [3, 2]},
    )  # fmt: skip
    ys = list(range(n))[::-1]  # the first scenario on top
    understaffed = rows["understaffed_intervals"] if "understaffed_intervals" in rows else [0] * n
    colours = ["tab:red" if int(v or 0) > 0 else "tab:blue" for v in understaffed]
    cost = pd.to_numeric(rows["cost"], errors="coerce").to_numpy(dtype=float) / 1e6
    height = 0.38 if has_target else 0.6
    shift = height / 2 if has_target else 0.0
    bars: list[tuple] = [(cost, shift, {"color": colours, "label": "roster's cost"})]
    if has_target:
        to_target = pd.to_numeric(rows["cost_to_target"], errors="coerce").to_numpy(float) / 1e6
        hollow = {"color": "white", "edgecolor": "0.3", "hatch": "//"}
        bars.append((to_target, -shift, {**hollow, "label": "cost to meet the target"}))
    for values, offset, style in bars:
        left.barh([y + offset for y in ys], values, height=height, **style)
        for y, value in zip(ys, values, strict=True):
            if value == value:  # not NaN
                left.annotate(f"{value:,.0f}", (value, y + offset), xytext=(3, 0),
                              textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    left.set_yticks(ys)
    left.set_yticklabels([str(s) for s in rows["scenario"]])
    left.set_xlabel(f"weekly cost, million {currency}".strip())
    left.margins(x=0.15)
    left.grid(axis="x", alpha=0.3)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1 - 0.6 / (2.2 + 0.55 * n)),
                ncol=2, frameon=False)  # fmt: skip
    sl = pd.to_numeric(rows["service_level_pct"], errors="coerce").to_numpy(dtype=float)
    right.barh(ys, sl, height=0.6, color=colours)
    for y, value in zip(ys, sl, strict=True):
        if value == value:
            right.annotate(f"{value:.1f}%", (value, y), xytext=(3, 0), textcoords="offset points",
                           va="center", fontsize=8)  # fmt: skip
    if has_target:
        for y, target in zip(ys, rows["target_sl_pct"], strict=True):
            right.plot([target, target], [y - 0.4, y + 0.4], color="0.1", lw=2)
        right.plot([], [], color="0.1", lw=2, label="target")
        right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1 - 0.6 / (2.2 + 0.55 * n)),
                     frameon=False)  # fmt: skip
    right.set_xlim(0, 110)
    right.set_xlabel("expected service level, %")
    right.grid(axis="x", alpha=0.3)
    fig.suptitle(
        f"Scenarios{f' on {week}' if week else ''}: cost and service level"
        " (red: the roster is short of its requirement)"
    )
    fig.tight_layout()
    save_png(fig, path)
    plt.close(fig)


def plot_forecast(history: History, result: ForecastResult, path: str | os.PathLike) -> None:
    """PNG of the daily forecast with its bounds after recent daily history, in a window that
    fits the horizon (history over three times the horizon, 4 to 8 weeks); a forecast starting
    well after the history ends shows only the days before it that the history has, and says
    where the history ends. The legend sits below the axes, off the data (atomic)."""
    plt = pyplot()
    total = history.total()
    daily = total.groupby(total["timestamp"].dt.normalize())["calls"].sum()
    fc = result.daily.groupby("date")[["calls", "lower", "upper"]].sum()
    fc.index = pd.to_datetime(fc.index)
    first = fc.index.min()
    lookback = pd.Timedelta(days=min(56, max(28, 3 * len(fc))))
    daily = daily[(daily.index >= first - lookback) & (daily.index < first)]
    fig, ax = plt.subplots(figsize=(10, 4.8), dpi=DPI)
    if len(daily):
        ax.plot(daily.index, daily.to_numpy(), color="0.3", lw=1.2, label="history")
    ax.plot(
        fc.index, fc["calls"], color="tab:blue", lw=1.6, marker="o", ms=3,
        label=f"forecast ({result.model})",
    )  # fmt: skip
    ax.fill_between(
        fc.index,
        fc["lower"],
        fc["upper"],
        color="tab:blue",
        alpha=0.2,
        label=f"{result.level:g}% bounds",
    )
    ax.set_ylabel("calls per day")
    ends = pd.Timestamp(result.history_day)
    gap = (first - ends).days - 1
    title = f"Daily calls: forecast {first:%Y-%m-%d} to {fc.index.max():%Y-%m-%d}"
    if gap > 0:
        title += f" (history ends {ends:%Y-%m-%d}, {gap} days before)"
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    save_png(fig, path)
    plt.close(fig)


def plot_intervals(
    forecast: pd.DataFrame,
    requirements: pd.DataFrame,
    evaluation: pd.DataFrame,
    path: str | os.PathLike,
    title: str = "",
) -> None:
    """The week interval by interval: calls forecast with its bounds (top); agents the target
    needs on the phones against the roster's on-phone agents (staff after shrinkage), short
    intervals shaded (bottom)."""
    plt = pyplot()
    fc = forecast.groupby("timestamp", sort=True)[["calls", "lower", "upper"]].sum()
    fc.index = pd.to_datetime(fc.index)
    need = requirements.groupby("timestamp", sort=True)["agents"].sum()
    need.index = pd.to_datetime(need.index)
    have = evaluation.groupby("timestamp", sort=True)["agents"].sum()
    have.index = pd.to_datetime(have.index)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(13, 6.5), dpi=DPI, sharex=True)
    top.fill_between(fc.index, fc["lower"], fc["upper"], step="post", color="tab:blue",
                     alpha=0.2, label="bounds")  # fmt: skip
    top.step(fc.index, fc["calls"], where="post", color="tab:blue", lw=1.1, label="forecast")
    top.set_ylabel("calls per interval")
    top.set_title(title or "The week by interval")
    top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    top.grid(alpha=0.3)
    bottom.step(need.index, need.to_numpy(), where="post", color="0.25", lw=1.1,
                label="required on the phones")  # fmt: skip
    aligned = have.reindex(need.index).fillna(0.0)
    bottom.step(aligned.index, aligned.to_numpy(), where="post", color="tab:green", lw=1.1,
                label="roster's agents on the phones")  # fmt: skip
    short = aligned.to_numpy() < need.to_numpy() - 1e-6
    if short.any():
        bottom.fill_between(need.index, aligned.to_numpy(), need.to_numpy(), where=short,
                            step="post", color="tab:red", alpha=0.35, label="short")  # fmt: skip
    bottom.set_ylabel("agents on the phones")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    bottom.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    save_png(fig, path)
    plt.close(fig)
