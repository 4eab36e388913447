"""All rendering for people and programs, above the pipeline whose results it renders (the
pipeline imports nothing from here).

`tables` (rich text tables, CSV/JSON/table output, the comparison's view), `text` (the run's
report, the shortfall line, the staffing texts), `summary_json` (summary.json), `week` (every
output file of a week), `workbook` (roster.xlsx), `charts` (PNG charts), `simulation` (a
simulation's summary text and JSON), `progress` (the terminal progress bar).
"""

from planner.report.progress import terminal_progress
from planner.report.simulation import emit_result, result_json, summary_text
from planner.report.summary_json import SUMMARY_VERSION, summary_dict
from planner.report.tables import METRIC_TITLES, comparison_view, emit_frame, render_table
from planner.report.text import (
    chart_title,
    delivery_text,
    requirements_text,
    run_report,
    shortfall_line,
)
from planner.report.week import OUTPUT_FILES, SIM_FILE, write_plan
from planner.report.workbook import write_roster_xlsx

__all__ = [
    "METRIC_TITLES",
    "OUTPUT_FILES",
    "SIM_FILE",
    "SUMMARY_VERSION",
    "chart_title",
    "comparison_view",
    "delivery_text",
    "emit_frame",
    "emit_result",
    "render_table",
    "requirements_text",
    "result_json",
    "run_report",
    "shortfall_line",
    "summary_dict",
    "summary_text",
    "terminal_progress",
    "write_plan",
    "write_roster_xlsx",
]
