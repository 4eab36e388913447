"""A simulation for people and programs: its summary as text, the result as JSON, and what
`planner simulate` writes."""

from __future__ import annotations

import json
import sys

from planner import io
from planner.report.tables import render_table
from planner.simulate import Estimate, SimulationResult, SimulationSummary


def _fmt_ci(item: Estimate, unit: str, digits: int = 1, scale: float = 1.0) -> str:
    if item.mean is None:
        return "n/a"
    text = f"{scale * item.mean:.{digits}f}{unit}"
    if item.ci_low is not None and item.ci_high is not None:
        low, high = scale * item.ci_low, scale * item.ci_high
        text += f"  (95% CI {low:.{digits}f}-{high:.{digits}f}{unit})"
    return text


def summary_text(summary: SimulationSummary) -> str:
    """The summary as a few human-readable lines."""
    s = summary
    patience = "none" if s.patience_s is None else f"{s.patience_s:g} s"
    lines = [
        f"Simulated {s.start} to {s.end}: {s.replications} "
        f"replication{'s' if s.replications != 1 else ''} (seed {s.seed}), "
        f"{s.service} talk times, patience "
        f"{patience}, absence {s.absence_pct:g}%",
        f"  calls offered     {_fmt_ci(s.offered, '', 0)}  (forecast {s.calls_forecast:,.0f})",
        f"  service level     {_fmt_ci(s.service_level_pct, '%')} answered within {s.target_s:g} s",
    ]
    if s.planned_service_level_pct is not None:
        planned = s.planned_service_level_pct
        lines.append(f"  planned SL        {planned:.1f}% (requirements, calls-weighted)")
    lines += [
        f"  ASA               {_fmt_ci(s.asa_s, ' s')}",
        f"  abandoned         {_fmt_ci(s.abandon_pct, '%', 2)}",
        f"  occupancy         {_fmt_ci(s.occupancy_pct, '%')}",
    ]
    if s.absence_assumed is not None:
        lines.append(f"  assumed: {s.absence_assumed}")
    if s.waiting_at_end > 0:
        lines.append(f"  still queued at the end: {s.waiting_at_end:.1f} calls")
    lines += [f"  note: {note}" for note in s.notes]
    if s.worst_intervals:
        lines.append("  worst intervals (service level %, ASA s, offered, agents on phones):")
        for row in s.worst_intervals:
            asa = "n/a" if row["asa"] is None else f"{row['asa']:.0f} s"
            plan = (
                f"  planned {row['planned_service_level_pct']:.1f}%"
                if "planned_service_level_pct" in row
                else ""
            )
            lines.append(
                f"    {row['timestamp']}  SL {row['service_level_pct']:5.1f}%  ASA {asa:>6}  "
                f"offered {row['offered']:6.1f}  agents {row['agents']:5.1f}{plan}"
            )
    return "\n".join(lines) + "\n"


def result_json(result: SimulationResult) -> str:
    """`{"summary": ..., "intervals": [...]}` as deterministic JSON text."""
    records = json.loads(io.frame_to_json(result.intervals))
    return io.to_json({"summary": result.summary.as_dict(), "intervals": records})


def emit_result(result: SimulationResult, output: str, fmt: str, quiet: bool = False) -> None:
    """Write a simulation for `planner simulate`: csv = the intervals (summary on stderr unless
    `quiet`); json = {"summary", "intervals"}; table = the summary then the intervals table."""
    if fmt == "json":
        io.write_text(output, result_json(result))
    elif fmt == "table":
        text = summary_text(result.summary) + "\n"
        text += render_table(result.intervals, "Simulated intervals (means)")
        io.write_text(output, text)
    else:
        io.write_text(output, io.frame_to_csv(result.intervals))
        if not quiet:
            sys.stderr.write(summary_text(result.summary))
