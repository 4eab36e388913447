"""The accuracy report as JSON, text and a chart."""

from __future__ import annotations

import os

import numpy as np

from planner import io
from planner import report as render
from planner.accuracy.scores import (
    AccuracyReport,
)

# --- output ---------------------------------------------------------------------------------


def report_json(report: AccuracyReport) -> str:
    """Every table of the report as one JSON object (records), plus the notes."""
    import json

    doc = {
        name: json.loads(io.frame_to_json(frame)) if len(frame) else []
        for name, frame in report.tables().items()
    }
    doc["overall"] = doc["overall"][0] if doc["overall"] else {}
    keep = ["week", "scenario", "date", "days_ahead", "day_type", "calls", "lower", "upper"]
    if len(report.days):
        days = report.days[[*keep, "actual"]].rename(columns={"calls": "forecast"})
        doc["days"] = json.loads(io.frame_to_json(days.sort_values(["date", "scenario"])))
    else:
        doc["days"] = []
    doc["notes"] = list(report.notes)
    return io.to_json(doc)


def report_text(report: AccuracyReport) -> str:
    """The tables for a person (percent figures; WAPE and bias against actual calls)."""
    titles = {
        "overall": "All scored weeks",
        "weeks": "Per week (daily and interval WAPE, bias, bounds, service level)",
        "horizon": "By days ahead (days after the history's last day)",
        "day_type": "By day type",
        "time_of_day": "By time of day (interval WAPE)",
        "intraday_by_time": "Intraday reforecasts by their time: rest-of-day interval WAPE of "
        "the reforecast vs the morning plan's",
        "intraday": "Intraday reforecasts, one row per recorded run",
    }
    text = ""
    for name, frame in report.tables().items():
        if len(frame) and len(frame.columns) > 1:
            text += render.render_table(frame, titles[name], max_rows=200)
    for note in report.notes:
        text += render.wrap_lines(f"note: {note}\n")
    return text


def plot_accuracy(report: AccuracyReport, path: str | os.PathLike) -> None:
    """PNG: daily forecast with its bounds against actual calls over the scored weeks (top),
    weekly daily WAPE against the bounds' expected WAPE (bottom)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), dpi=100)
    days = report.days.sort_values(["date", "run_id"]) if len(report.days) else report.days
    if len(days):
        top.fill_between(
            days["date"], days["lower"], days["upper"], color="#9ecae1", label="bounds"
        )
        top.plot(days["date"], days["calls"], color="#3182bd", lw=1.2, label="forecast")
        top.plot(days["date"], days["actual"], color="#222222", lw=1.0, label="actual")
        top.legend(loc="upper left", fontsize=8)
    top.set_ylabel("calls per day")
    top.set_title("Stored forecasts against actual calls")
    weeks = report.weeks
    if len(weeks):
        x = np.arange(len(weeks))
        bottom.bar(x, weeks["wape_daily_pct"].astype(float), color="#3182bd", label="daily WAPE")
        expected = weeks["expected_wape_pct"].astype(float)
        bottom.plot(x, expected, "o-", color="#e6550d", label="expected (bounds)")
        step = max(1, len(weeks) // 13)
        bottom.set_xticks(x[::step], weeks["week"].iloc[::step], rotation=45, fontsize=7)
        bottom.legend(loc="upper left", fontsize=8)
    bottom.set_ylabel("WAPE %")
    fig.tight_layout()
    with io.atomic_path(path) as tmp:  # same bytes for the same report: no metadata
        fig.savefig(tmp, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
