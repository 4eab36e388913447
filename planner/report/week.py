"""The week's output files (DESIGN.md's contracts): the CSVs, the workbook, summary.json and the
two charts, written into one directory."""

from __future__ import annotations

from pathlib import Path

from planner import io
from planner.pipeline import WeekPlan
from planner.report import charts, summary_json, text
from planner.report.workbook import write_roster_xlsx

OUTPUT_FILES = (
    "forecast.csv",
    "requirements.csv",
    "roster.csv",
    "coverage.csv",
    "roster.xlsx",
    "summary.json",
    "forecast.png",
    "coverage.png",
)
SIM_FILE = "sim.csv"


def write_plan(plan: WeekPlan, directory: Path, extra: dict | None = None) -> list[str]:
    """Write every output file of `plan` into `directory` (which exists); return their names.
    `extra`: more top-level keys for summary.json (the plan store's `drift`)."""
    directory = Path(directory)
    res = plan.schedule
    names = list(OUTPUT_FILES)
    if plan.simulation is not None:
        names.append(SIM_FILE)
    io.write_text(directory / "forecast.csv", io.frame_to_csv(plan.forecast.intervals))
    io.write_text(directory / "requirements.csv", io.frame_to_csv(plan.requirements))
    io.write_text(directory / "roster.csv", io.frame_to_csv(res.roster))
    io.write_text(directory / "coverage.csv", io.frame_to_csv(res.coverage))
    write_roster_xlsx(res, directory / "roster.xlsx")
    charts.plot_forecast(plan.history, plan.forecast, directory / "forecast.png")
    charts.plot_coverage(res.coverage, directory / "coverage.png", title=text.chart_title(plan))
    if plan.simulation is not None:
        io.write_text(directory / SIM_FILE, io.frame_to_csv(plan.simulation.intervals))
    summary = summary_json.summary_dict(plan, names)
    summary.update(extra or {})
    io.write_text(directory / "summary.json", io.to_json(summary))
    return sorted(names)
