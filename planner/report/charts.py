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
    """Required vs rostered staff per interval over the week (both before shrinkage: staff,
    not agents on the phones), shortfalls shaded red."""
    plt = _pyplot()
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
    _save(fig, path)
    plt.close(fig)


def plot_compare(frame: pd.DataFrame, path: str | os.PathLike, week: str = "") -> None:
    """Cost against expected service level: each scenario a numbered point (red when short of
    its requirement), named in a key beside the axes so no label covers another; where the
    comparison has them, a hollow marker at the target's service level and the cost of meeting
    it (hires added), joined to the roster's point by a dotted line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 5.5), dpi=DPI)
    currency = str(frame["currency"].iloc[0]) if "currency" in frame.columns else ""
    has_target = {"cost_to_target", "target_sl_pct"} <= set(frame.columns)
    keys = []
    n = 0
    for rec in frame.itertuples(index=False):
        sl, cost = rec.service_level_pct, rec.cost
        if sl is None or cost is None or pd.isna(sl) or pd.isna(cost):
            continue
        n += 1
        short = int(getattr(rec, "understaffed_intervals", 0) or 0)
        colour = "tab:red" if short else "tab:blue"
        x, y = float(sl), float(cost) / 1e6
        ax.scatter([x], [y], s=140, color=colour, zorder=3)
        ax.annotate(str(n), (x, y), ha="center", va="center", fontsize=8, color="white", zorder=4)
        key = f"{n}  {rec.scenario}" + (f" ({short} intervals short)" if short else "")
        if has_target and not pd.isna(rec.cost_to_target) and short:
            tx, ty = float(rec.target_sl_pct), float(rec.cost_to_target) / 1e6
            ax.plot([x, tx], [y, ty], ls=":", color=colour, lw=1, zorder=2)
            ax.scatter([tx], [ty], s=60, facecolors="white", edgecolors=colour, zorder=3)
            key += f"\n    to meet {rec.target_sl_pct:g}%: {ty:,.1f} M"
        keys.append(key)
    if has_target:
        ax.scatter([], [], s=60, facecolors="white", edgecolors="0.3", label="cost to meet target")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)
    ax.text(
        1.02, 1.0, "\n".join(keys), transform=ax.transAxes, va="top", ha="left", fontsize=9,
        family="monospace",
    )  # fmt: skip
    ax.set_xlabel("expected service level, % (calls-weighted, queueing model on the roster)")
    ax.set_ylabel(f"weekly cost, million {currency}".strip())
    ax.set_title(f"Scenarios: cost vs service level{f' ({week})' if week else ''}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.subplots_adjust(right=0.62)
    _save(fig, path)
    plt.close(fig)


def plot_forecast(history: History, result: ForecastResult, path: str | os.PathLike) -> None:
    """PNG of the daily forecast with its bounds after recent daily history, in a window that
    fits the horizon (history over three times the horizon, 4 to 8 weeks); a forecast starting
    well after the history ends shows only the days before it that the history has, and says
    where the history ends. The legend sits below the axes, off the data (atomic)."""
    plt = _pyplot()
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
    _save(fig, path)
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
    plt = _pyplot()
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
    _save(fig, path)
    plt.close(fig)
