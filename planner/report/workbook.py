"""The roster workbook (xlsx): sheets Roster (agent x day), Contracts (named agents' paid
minimum, rostered, overtime and idle hours), Coverage and Summary, with
fixed timestamps so the bytes do not depend on when it ran.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd

from planner import io
from planner.schedule.files import COVERAGE_COLUMNS, parse_breaks

NIGHT_FILL = "DDE4F0"  # night shifts are shaded in the Roster sheet
# A text cell starting with one of these is a formula to a spreadsheet (`=HYPERLINK(...)` as an
# agent's name would be a live link): such cells are written as text, marked quote-prefixed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(workbook) -> int:
    """Write every string cell of `workbook` that a spreadsheet would read as a formula as
    plain text instead (shown as it is, never evaluated); returns how many."""
    escaped = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    escaped += 1
    return escaped


def write_roster_xlsx(
    result,
    path: str | os.PathLike,
    scenario: str = "",
    service_level_pct: float | None = None,
) -> None:
    """Write the roster workbook people publish: sheets Roster (every agent x day, nights
    shaded and marked, breaks with their start and length, a headcount row per day and the
    totals), Coverage and Summary (week, scenario, and the expected service level in words),
    set up to print landscape with the header repeated on every page.

    Deterministic: the workbook's created/modified properties are fixed to the week start.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

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
    night_fill = PatternFill("solid", start_color=NIGHT_FILL, end_color=NIGHT_FILL)
    names = sorted(set(roster["agent"]) | set(getattr(result, "unused_agents", ())))
    by_agent = {agent: rows for agent, rows in roster.groupby("agent", sort=True)}
    heads = [0] * len(days)
    night_h = getattr(result, "night_shift_min_h", 3.0)
    for agent in names:
        rows = by_agent.get(agent)
        cells = [""] * len(days)
        nights = [False] * len(days)
        paid = 0.0
        if rows is not None:
            paid = float(rows["paid_hours"].sum())
            for row in rows.itertuples(index=False):
                k = (row.start.normalize() - week_start).days
                if not 0 <= k < len(days):
                    continue
                night = getattr(row, "night_hours", 0) >= night_h - 1e-9 > 0
                text = f"{row.start:%H:%M}-{row.end:%H:%M}" + (" night" if night else "")
                overtime = float(getattr(row, "overtime_hours", 0.0) or 0.0)
                if overtime > 0:
                    text += f" incl. {overtime:g} h overtime"
                brks = parse_breaks(row.breaks)
                if brks:
                    text += (
                        " (break "
                        + ", ".join(
                            f"{b:%H:%M} {round((e - b).total_seconds() / 60)}m" for b, e in brks
                        )
                        + ")"
                    )
                cells[k] = text
                nights[k] = night
                heads[k] += 1
        ws.append([agent, *[c or "off" for c in cells], paid])
        for k, night in enumerate(nights):
            if night:
                ws.cell(row=ws.max_row, column=k + 2).fill = night_fill
    ws.append(["agents working", *heads, float(roster["paid_hours"].sum())])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 16
    for col in "BCDEFGH":
        ws.column_dimensions[col].width = 30
    ws.freeze_panes = "B2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    contracts = getattr(result, "contracts", None)
    if contracts is not None and len(contracts):
        ks = wb.create_sheet("Contracts")  # paid minimum, rostered, overtime, idle and why
        ks.append(list(contracts.columns))
        for cell in ks[1]:
            cell.font = Font(bold=True)
        for values in contracts.itertuples(index=False):
            ks.append(list(values))
        ks.column_dimensions["A"].width = 16
        ks.column_dimensions[chr(ord("A") + len(contracts.columns) - 1)].width = 80
        ks.print_title_rows = "1:1"
    cs = wb.create_sheet("Coverage")
    cs.append(COVERAGE_COLUMNS)
    for row in coverage.itertuples(index=False):
        cs.append([row.timestamp.to_pydatetime(), row.required, row.scheduled, row.shortfall])
    cs.column_dimensions["A"].width = 20
    cs.print_title_rows = "1:1"
    ss = wb.create_sheet("Summary")
    end = days[-1]
    ss.append(["week", f"{week_start:%a %Y-%m-%d} to {end:%a %Y-%m-%d}"])
    if scenario:
        ss.append(["scenario", scenario])
    if service_level_pct is not None:
        ss.append(["expected service", f"about {service_level_pct:.0f}% of calls answered in time"])
    ss.append(
        ["agents", f"{result.headcount} working, {len(names) - result.headcount} off all week"]
    )
    for key, value in result.summary().items():
        if key != "solve_s":  # the clock would make the workbook differ run to run
            ss.append([key, value])
    ss.column_dimensions["A"].width = 28
    ss.column_dimensions["B"].width = 48
    stamp = dt.datetime(week_start.year, week_start.month, week_start.day)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "planner"
    _as_text(wb)
    with io.atomic_path(path) as tmp:
        wb.save(tmp)
        fix_zip_times(tmp, stamp)


def fix_zip_times(path, stamp: dt.datetime) -> None:
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
