"""All rendering for people and programs: text tables, CSV/JSON output, the run's text report,
summary.json and the PNG charts (`planner.report.charts`)."""

from planner.report.progress import terminal_progress
from planner.report.tables import emit_frame, render_table
from planner.report.text import delivery_text, requirements_text

__all__ = [
    "delivery_text",
    "emit_frame",
    "render_table",
    "requirements_text",
    "terminal_progress",
]
