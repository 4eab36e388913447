"""The roster workbook (xlsx): sheets Roster (agent x day), Coverage and Summary, with
fixed timestamps so the bytes do not depend on when it ran.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd

from planner import io
from planner.schedule.files import COVERAGE_COLUMNS, parse_breaks


def write_roster_xlsx(result, path: str | os.PathLike) -> None:
    """Write the roster workbook: sheets Roster (agent x day), Coverage and Summary.

    Deterministic: the workbook's created/modified properties are fixed to the week start.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    roster = result.roster
    coverage = result.coverage
    week_start = pd.Timestamp(coverage["timestamp"].iloc[0]).normalize()
    days = pd.date_range(week_start, periods=int(result.horizon_days), freq="D")
    wb = Workbook()
    ws = wb.active
    ws.title = "Roster"
    ws.append(["agent", *[d.strftime("%a %Y-%m-%d") for d in days], "paid_hours"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for agent, rows in roster.groupby("agent", sort=True):
        cells = [""] * len(days)
        for row in rows.itertuples(index=False):
            k = (row.start.normalize() - week_start).days
            if 0 <= k < len(days):
                text = f"{row.start:%H:%M}-{row.end:%H:%M}"
                brks = parse_breaks(row.breaks)
                if brks:
                    text += " (break " + ", ".join(f"{b:%H:%M}" for b, _ in brks) + ")"
                cells[k] = text
        ws.append([agent, *cells, float(rows["paid_hours"].sum())])
    ws.column_dimensions["A"].width = 10
    for col in "BCDEFGH":
        ws.column_dimensions[col].width = 26
    ws.freeze_panes = "B2"
    cs = wb.create_sheet("Coverage")
    cs.append(COVERAGE_COLUMNS)
    for row in coverage.itertuples(index=False):
        cs.append([row.timestamp.to_pydatetime(), row.required, row.scheduled, row.shortfall])
    cs.column_dimensions["A"].width = 20
    ss = wb.create_sheet("Summary")
    for key, value in result.summary().items():
        if key != "solve_s":  # the clock would make the workbook differ run to run
            ss.append([key, value])
    ss.column_dimensions["A"].width = 28
    stamp = dt.datetime(week_start.year, week_start.month, week_start.day)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "planner"
    with io.atomic_path(path) as tmp:
        wb.save(tmp)
        _fix_zip_times(tmp, stamp)


def _fix_zip_times(path, stamp: dt.datetime) -> None:
    """Rewrite the xlsx zip with fixed member timestamps and `modified` property (openpyxl sets
    it to the clock on save) so the bytes do not depend on when it ran."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                    rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)
