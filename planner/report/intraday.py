"""Rendering `planner intraday`: the rest of the day per interval (CSV), the whole result
(JSON, versioned), a text report for the duty planner, and a PNG (plan vs actuals vs
reforecast with bounds; required vs on the phones before and after the actions)."""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd

from planner import io
from planner.intraday import IntradayResult
from planner.report.charts import DPI, pyplot, save_png

JSON_VERSION = 1


def intervals_frame(result: IntradayResult) -> pd.DataFrame:
    """One row per interval of the rest of the day."""
    ref = result.reforecast.rest_intervals
    before = result.gap_before.frame
    after = result.gap_after.frame
    return pd.DataFrame(
        {
            "timestamp": ref["timestamp"],
            "plan": ref["plan"].round(2),
            "calls": ref["calls"].round(2),
            "lower": ref["lower"].round(2),
            "upper": ref["upper"].round(2),
            "calls_after": after["calls"].round(2),
            "aht": before["aht"].round(1),
            "required": before["required"],
            "on_phone": before["on_phone"].round(2),
            "gap": before["gap"].round(2),
            "service_level": before["service_level"].round(4),
            "required_after": after["required"],
            "on_phone_after": after["on_phone"].round(2),
            "gap_after": after["gap"].round(2),
            "service_level_after": after["service_level"].round(4),
        }
    )


def actions_frame(result: IntradayResult) -> pd.DataFrame:
    rows = [
        {
            "rank": 0,
            "kind": str(a.kind),
            "agent": a.agent,
            "what": a.what,
            "paid_hours": round(a.paid_hours, 2),
            "cost": round(a.cost_vnd),
            "sl_before_pct": round(a.sl_before_pct, 2),
            "sl_after_pct": round(a.sl_after_pct, 2),
            "gain_points": round(a.gain_points, 3),
            "covered_gain_points": round(a.covered_gain_points, 3),
            "cost_per_point": None
            if math.isinf(a.cost_per_point_vnd)
            else round(a.cost_per_point_vnd),
        }
        for a in result.plan.actions
    ]
    frame = pd.DataFrame(
        rows,
        columns=["rank", "kind", "agent", "what", "paid_hours", "cost", "sl_before_pct",
                 "sl_after_pct", "gain_points", "covered_gain_points", "cost_per_point"],
    )  # fmt: skip
    if len(frame):
        covered = frame["covered_gain_points"].to_numpy(float)
        per_covered = np.where(
            covered > 0, frame["cost"] / np.where(covered > 0, covered, 1), np.inf
        )
        order = frame.assign(_c=frame["cost_per_point"].astype(float).fillna(np.inf),
                             _d=per_covered).sort_values(
            ["_c", "_d", "gain_points"], ascending=[True, True, False], kind="stable"
        )  # fmt: skip
        frame = order.drop(columns=["_c", "_d"]).reset_index(drop=True)
        frame["rank"] = np.arange(1, len(frame) + 1)
    return frame


def summary(result: IntradayResult) -> dict:
    ref = result.reforecast
    return {
        "version": JSON_VERSION,
        "day": result.day.isoformat(),
        "now": f"{result.now:%Y-%m-%dT%H:%M:%S}",
        "plan": result.source,
        "reforecast": {
            "factor": round(ref.factor, 4),
            "factor_lower": round(ref.factor_lower, 4),
            "factor_upper": round(ref.factor_upper, 4),
            "raw_ratio": None if math.isnan(ref.raw_ratio) else round(ref.raw_ratio, 4),
            "weight_on_actuals": round(ref.weight_on_actuals, 4),
            "prior_cv": round(ref.prior_cv, 4),
            "level_pct": ref.level_pct,
            "actual_so_far": round(ref.actual_so_far, 2),
            "plan_so_far": round(ref.plan_so_far, 2),
            "plan_rest": round(ref.plan_rest, 2),
            "rest": round(ref.rest, 2),
            "rest_lower": round(ref.rest_lower, 2),
            "rest_upper": round(ref.rest_upper, 2),
            "day": round(ref.day, 2),
            "day_lower": round(ref.day_lower, 2),
            "day_upper": round(ref.day_upper, 2),
            "curve_weight": round(ref.curve_weight, 4),
            "curve_trust": round(ref.curve_trust, 4),
            "curve_days": ref.curve_days,
        },
        "tomorrow": _tomorrow_summary(result),
        "target_sl_pct": result.target_sl_pct,
        "short_before": {
            "intervals": int(len(result.gap_before.short)),
            "agent_hours": round(result.gap_before.short_agent_hours, 2),
        },
        "short_after": {
            "intervals": int(len(result.gap_after.short)),
            "agent_hours": round(result.gap_after.short_agent_hours, 2),
        },
        "callbacks": round(result.plan.callbacks, 1),
        "service_level": [
            {
                "after": s.label,
                "expected_pct": round(s.expected_pct, 2),
                "simulated_pct": round(s.simulated_pct, 2),
            }
            for s in result.steps
        ],
        "rule_breaches": list(result.plan.new_breaches),
        "notes": list(result.notes),
    }


def _tomorrow_summary(result: IntradayResult) -> dict | None:
    t = result.tomorrow
    if t is None:
        return None
    return {
        "day": t.day.isoformat(),
        "today_ratio": round(t.today_ratio, 4),
        "persistence": round(t.persistence, 4),
        "factor": round(t.factor, 4),
        "plan": round(t.plan_total, 2),
        "calls": round(t.total, 2),
        "lower": round(float(t.intervals["lower"].sum()), 2),
        "upper": round(float(t.intervals["upper"].sum()), 2),
        "intervals": [
            _clean(rec)
            for rec in _records(t.intervals.round({"plan": 2, "calls": 2, "lower": 2, "upper": 2}))
        ],
    }


def result_json(result: IntradayResult) -> str:
    obj = summary(result)
    obj["actions"] = [_clean(rec) for rec in actions_frame(result).to_dict("records")]
    obj["intervals"] = [_clean(rec) for rec in _records(intervals_frame(result))]
    return io.to_json(obj)


def _clean(record: dict) -> dict:
    """NaN as null, numpy scalars as Python numbers (JSON has no NaN)."""
    out = {}
    for key, value in record.items():
        if isinstance(value, np.generic):
            value = value.item()
        out[key] = None if isinstance(value, float) and math.isnan(value) else value
    return out


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.copy()
    out["timestamp"] = out["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return out.to_dict("records")


def result_text(result: IntradayResult) -> str:
    """The duty planner's view: the reforecast, the gap, the ranked actions, the service level."""
    ref = result.reforecast
    lines = [
        f"{result.day} at {result.now:%H:%M} (plan: {result.source})",
        f"calls so far {ref.actual_so_far:,.0f} vs plan {ref.plan_so_far:,.0f}"
        + ("" if math.isnan(ref.raw_ratio) else f" (raw ratio x{ref.raw_ratio:.2f})")
        + f"; busyness x{ref.factor:.3f} "
        f"[{ref.factor_lower:.3f}, {ref.factor_upper:.3f}] "
        f"({100 * ref.weight_on_actuals:.0f}% weight on the actuals)",
        f"rest of the day {ref.rest:,.0f} calls [{ref.rest_lower:,.0f}, {ref.rest_upper:,.0f}] "
        f"({ref.level_pct:g}%), plan {ref.plan_rest:,.0f}; the day {ref.day:,.0f} "
        f"[{ref.day_lower:,.0f}, {ref.day_upper:,.0f}]"
        + (
            f"; the curve learnt from {ref.curve_days} past mornings weighs "
            f"{100 * ref.curve_weight:.0f}%"
            + (
                ""
                if ref.curve_trust >= 1.0
                else f", the morning trusted {100 * ref.curve_trust:.0f}%"
            )
            if ref.curve_days
            else ""
        ),
    ]
    if result.tomorrow is not None:
        t = result.tomorrow
        lines.append(
            f"tomorrow {t.day}: {t.total:,.0f} calls vs plan {t.plan_total:,.0f} "
            f"(x{t.factor:.3f}: today x{t.today_ratio:.3f} to the power {t.persistence:.2f}, "
            f"how far busyness lasted a day in the history)"
        )
    lines += [
        f"short before the actions: {len(result.gap_before.short)} intervals, "
        f"{result.gap_before.short_agent_hours:.1f} agent-hours on the phones",
        "",
    ]
    actions = actions_frame(result)
    if len(actions):
        lines.append("actions (ranked by cost per point of service level):")
        for row in actions.itertuples(index=False):
            per = "free" if row.cost == 0 else (
                "-" if pd.isna(row.cost_per_point) else f"{row.cost_per_point:,.0f}/pt"
            )  # fmt: skip
            who = f"{row.agent}: " if row.agent else ""
            lines.append(
                f"  {row.rank:>3}. {row.kind:<16} {who}{row.what}  "
                f"SL {row.gain_points:+.2f} pts, covered {row.covered_gain_points:+.2f} pts, "
                f"{row.cost:,.0f} ({per})"
            )
    else:
        lines.append("actions: none needed or none legal")
    lines.append("")
    lines.append("service level of the rest of the day   expected   simulated")
    for s in result.steps:
        lines.append(f"  {s.label:<36} {s.expected_pct:>7.1f}%  {s.simulated_pct:>8.1f}%")
    lines.append(
        f"short after the actions: {len(result.gap_after.short)} intervals, "
        f"{result.gap_after.short_agent_hours:.1f} agent-hours on the phones"
    )
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def emit_result(result: IntradayResult, output: str, fmt: str) -> None:
    if fmt == "csv":
        text = io.frame_to_csv(intervals_frame(result))
    elif fmt == "json":
        text = result_json(result)
    else:
        text = result_text(result)
    io.write_text(output, text)


def plot_intraday(result: IntradayResult, path: str | os.PathLike) -> None:
    """Plan vs actuals vs reforecast (with bounds) above; required vs on the phones below."""
    plt = pyplot()
    day = result.reforecast.intervals
    rest = result.reforecast.rest_intervals
    fig, (top, low) = plt.subplots(2, 1, figsize=(12, 7), dpi=DPI, sharex=True)
    top.step(day["timestamp"], day["plan"], where="post", color="0.5", lw=1, label="plan")
    top.fill_between(day["timestamp"], day["plan_lower"], day["plan_upper"], step="post",
                     color="0.85", label="plan bounds")  # fmt: skip
    seen = day[~day["rest"]]
    top.step(seen["timestamp"], seen["actual"], where="post", color="k", lw=1.4, label="actual")
    top.step(rest["timestamp"], rest["calls"], where="post", color="tab:red", lw=1.4,
             label="reforecast")  # fmt: skip
    top.fill_between(rest["timestamp"], rest["lower"], rest["upper"], step="post",
                     color="tab:red", alpha=0.2, label=f"{result.reforecast.level_pct:g}% bounds")  # fmt: skip
    top.axvline(result.now, color="tab:blue", lw=0.8, ls="--")
    top.set_ylabel("calls per interval")
    top.legend(loc="upper left", fontsize=8)
    top.set_title(f"{result.day}: the rest of the day at {result.now:%H:%M}")
    before, after = result.gap_before.frame, result.gap_after.frame
    low.step(before["timestamp"], before["required"], where="post", color="0.2", lw=1.2,
             label="required (reforecast)")  # fmt: skip
    low.step(before["timestamp"], before["on_phone"], where="post", color="tab:orange", lw=1.2,
             label="on the phones (roster)")  # fmt: skip
    low.step(after["timestamp"], after["on_phone"], where="post", color="tab:green", lw=1.2,
             label="on the phones after the actions")  # fmt: skip
    low.set_ylabel("agents")
    low.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    save_png(fig, path)
    plt.close(fig)
