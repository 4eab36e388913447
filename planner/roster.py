"""Roster files: requirements and agents in; roster, coverage and workbook out (issue 4).

`on_phone_counts` recomputes coverage from roster rows alone and `check_roster_rules` re-checks
the labour rules from roster rows alone, so tests and benchmarks can verify a roster without
trusting the optimiser that built it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import io
from planner.errors import InputError
from planner.shifts import DAY_NAMES, Rules, night_minutes, parse_clock

ROSTER_COLUMNS = ["agent", "start", "end", "breaks", "paid_hours", "day", "night_hours"]
COVERAGE_COLUMNS = ["timestamp", "required", "scheduled", "shortfall"]


@dataclass(frozen=True)
class Requirements:
    """A planning horizon of interval staff requirements (whole days from midnight)."""

    frame: pd.DataFrame  # timestamp, staff (summed over queues)
    interval_min: int
    queues: tuple[str, ...]
    source: str

    @property
    def n_days(self) -> int:
        return len(self.frame) * self.interval_min // (24 * 60)

    @property
    def week_start(self) -> pd.Timestamp:
        return self.frame["timestamp"].iloc[0]


def read_requirements(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Requirements CSV (`timestamp`, `staff`; other columns kept) into a frame.

    Per-queue files (a `queue` column) keep one row per queue and interval. Raises InputError
    naming file and line for a bad timestamp or a negative/non-numeric staff value.
    """
    rows = io.read_csv_rows(path, ["timestamp", "staff"], "requirements file")
    frame = pd.DataFrame({"timestamp": io.parse_timestamps(rows, "timestamp", path)})
    frame["staff"] = io.parse_numbers(rows, "staff", path, minimum=0)
    if "queue" in rows.columns:
        frame["queue"] = rows["queue"].to_numpy()
    frame["_line"] = rows["_line"].to_numpy()
    return frame


def requirements_horizon(frame: pd.DataFrame, source: str = "requirements") -> Requirements:
    """Check a requirements frame is a regular grid of whole days and sum it over queues."""
    queues: tuple[str, ...] = ()
    if "queue" in frame.columns:
        queues = tuple(sorted(frame["queue"].astype(str).unique()))
        dup = frame.duplicated(["timestamp", "queue"])
    else:
        dup = frame.duplicated(["timestamp"])
    if dup.any():
        line = frame["_line"].iloc[int(np.flatnonzero(dup)[0])] if "_line" in frame else "?"
        raise InputError(f"{source}:{line}: duplicate timestamp {frame['timestamp'][dup].iloc[0]}")
    total = frame.groupby("timestamp", sort=True)["staff"].sum().reset_index()
    times = total["timestamp"]
    if len(times) < 2:
        raise InputError(f"{source}: needs at least one whole day of intervals")
    steps = times.diff().dropna().dt.total_seconds().div(60).unique()
    if len(steps) != 1 or steps[0] not in (15, 30, 60):
        raise InputError(
            f"{source}: timestamps must be a regular 15-, 30- or 60-minute grid without gaps; "
            f"found steps of {sorted(int(s) for s in steps)} min"
        )
    interval = int(steps[0])
    first = times.iloc[0]
    if first != first.normalize():
        raise InputError(f"{source}: the first interval must start at 00:00, got {first}")
    if (len(times) * interval) % (24 * 60):
        raise InputError(
            f"{source}: {len(times)} intervals of {interval} min are not whole days "
            f"({24 * 60 // interval} per day)"
        )
    return Requirements(total, interval, queues, source)


def read_agents(path: str | os.PathLike) -> pd.DataFrame:
    """Read an agents CSV: `agent` (required), optional `contract` (full-time/part-time),
    `weekly_hours`, `skills` (`;`-separated queues), `no_night` (yes/no), `unavailable`
    (`;`-separated `Mon` or `Sat 18:00-24:00` tokens), `preferred_start` (HH:MM).

    Returns a frame with those columns normalised; InputError names file:line for bad cells.
    """
    name = io.display_name(path)
    rows = io.read_csv_rows(path, ["agent"], "agents file")
    out = pd.DataFrame({"agent": rows["agent"]})
    if (out["agent"] == "").any():
        line = rows["_line"][out["agent"] == ""].iloc[0]
        raise InputError(f"{name}:{line}: column 'agent' is empty")
    dup = out["agent"].duplicated()
    if dup.any():
        raise InputError(
            f"{name}:{rows['_line'][dup].iloc[0]}: agent {out['agent'][dup].iloc[0]!r} repeated"
        )
    contract = (
        rows["contract"].str.lower() if "contract" in rows else pd.Series(["full-time"] * len(rows))
    )
    for value, line in zip(contract, rows["_line"], strict=True):
        if value not in ("full-time", "part-time", "ft", "pt", ""):
            raise InputError(
                f"{name}:{line}: column 'contract' = {value!r}: expected full-time or part-time"
            )
    out["contract"] = ["part-time" if c in ("part-time", "pt") else "full-time" for c in contract]
    if "weekly_hours" in rows:
        out["weekly_hours"] = io.parse_numbers(rows, "weekly_hours", path, allow_empty=True)
    else:
        out["weekly_hours"] = np.nan
    out["skills"] = rows.get("skills", "")
    flags = rows["no_night"].str.lower() if "no_night" in rows else pd.Series([""] * len(rows))
    truthy = {"yes", "true", "1", "y", "x"}
    for value, line in zip(flags, rows["_line"], strict=True):
        if value not in truthy | {"no", "false", "0", "n", ""}:
            raise InputError(f"{name}:{line}: column 'no_night' = {value!r}: expected yes or no")
    out["no_night"] = [f in truthy for f in flags]
    out["unavailable"] = rows.get("unavailable", "")
    for value, line in zip(out["unavailable"], rows["_line"], strict=True):
        try:
            parse_unavailable(value)
        except InputError as exc:
            raise InputError(f"{name}:{line}: column 'unavailable': {exc}") from None
    out["preferred_start"] = rows.get("preferred_start", "")
    for value, line in zip(out["preferred_start"], rows["_line"], strict=True):
        if value:
            parse_clock(value, f"{name}:{line}: column 'preferred_start'")
    out["_line"] = rows["_line"].to_numpy()
    return out.reset_index(drop=True)


def parse_unavailable(text: str) -> tuple[tuple[int, int, int], ...]:
    """`Mon;Sat 18:00-24:00` -> ((day, from_min, to_min), ...) with day 0 = Monday."""
    out = []
    for token in filter(None, (t.strip() for t in str(text).split(";"))):
        parts = token.split()
        day = parts[0][:3].title()
        if day not in DAY_NAMES or len(parts) > 2:
            raise InputError(f"{token!r}: expected a day name (Mon..Sun), optionally HH:MM-HH:MM")
        lo, hi = 0, 24 * 60
        if len(parts) == 2:
            a, _, b = parts[1].partition("-")
            lo, hi = parse_clock(a, token), parse_clock(b, token)
            if hi <= lo:
                raise InputError(f"{token!r}: the hours must not wrap midnight; split it")
        out.append((DAY_NAMES.index(day), lo, hi))
    return tuple(out)


def read_roster(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Roster CSV (`agent,start,end,breaks,paid_hours`) into a typed frame."""
    name = io.display_name(path)
    rows = io.read_csv_rows(path, ["agent", "start", "end", "breaks", "paid_hours"], "roster file")
    out = pd.DataFrame({"agent": rows["agent"]})
    out["start"] = io.parse_timestamps(rows, "start", path)
    out["end"] = io.parse_timestamps(rows, "end", path)
    out["breaks"] = rows["breaks"]
    out["paid_hours"] = io.parse_numbers(rows, "paid_hours", path)
    for s, e, b, line in zip(out["start"], out["end"], out["breaks"], rows["_line"], strict=True):
        if e <= s:
            raise InputError(f"{name}:{line}: shift end {e} is not after its start {s}")
        try:
            for bs, be in parse_breaks(b):
                if not (s <= bs < be <= e):
                    raise InputError(f"break {bs}/{be} is not inside the shift {s}/{e}")
        except InputError as exc:
            raise InputError(f"{name}:{line}: column 'breaks': {exc}") from None
    for extra in ("day", "night_hours"):
        if extra in rows:
            out[extra] = rows[extra] if extra == "day" else io.parse_numbers(rows, extra, path)
    return out


def parse_breaks(text: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """`start/end;start/end` -> list of timestamp pairs."""
    out = []
    if text is None or (isinstance(text, float) and text != text):  # NaN from pandas
        return out
    for pair in filter(None, (p.strip() for p in str(text).split(";"))):
        a, sep, b = pair.partition("/")
        if not sep:
            raise InputError(f"{pair!r}: expected start/end")
        try:
            out.append((pd.Timestamp(a), pd.Timestamp(b)))
        except ValueError:
            raise InputError(f"{pair!r}: expected ISO date-times start/end") from None
    return out


def on_phone_counts(
    roster: pd.DataFrame,
    timestamps,
    interval_min: int,
    cyclic: bool = True,
) -> np.ndarray:
    """Agents on the phones per interval, from roster rows only (inside a shift, not on a break).

    A break that covers part of an interval counts pro rata (a 45-min break takes 1.5 half-hour
    intervals), so counts may be fractional. With `cyclic` (the default, matching the
    scheduler's cyclic week) time past the end of the horizon wraps to its start, so a Sunday
    night shift covers Monday's first hours.
    """
    times = pd.DatetimeIndex(pd.to_datetime(timestamps))
    n = len(times)
    counts = np.zeros(n)
    if n == 0 or roster.empty:
        return counts
    origin = times[0]
    minutes = np.zeros(n * interval_min + 1)  # difference array per minute of the horizon
    horizon = n * interval_min

    def add(start, end, sign):
        a = int((pd.Timestamp(start) - origin).total_seconds() // 60)
        b = int((pd.Timestamp(end) - origin).total_seconds() // 60)
        if cyclic:
            shift = (a // horizon) * horizon
            a, b = a - shift, b - shift
            while b > 0:
                lo, hi = max(a, 0), min(b, horizon)
                if lo < hi:
                    minutes[lo] += sign
                    minutes[hi] -= sign
                a, b = a - horizon, b - horizon
        else:
            lo, hi = max(a, 0), min(b, horizon)
            if lo < hi:
                minutes[lo] += sign
                minutes[hi] -= sign

    for row in roster.itertuples(index=False):
        add(row.start, row.end, 1)
        for bs, be in parse_breaks(row.breaks):
            add(bs, be, -1)
    per_minute = np.cumsum(minutes)[:horizon]
    counts = per_minute.reshape(n, interval_min).mean(axis=1)
    return np.round(counts, 9)


def coverage_frame(timestamps, required, scheduled) -> pd.DataFrame:
    """The Coverage CSV frame: timestamp, required, scheduled, shortfall."""
    required = np.asarray(required, dtype=float)
    scheduled = np.round(np.asarray(scheduled, dtype=float), 6)
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime(timestamps),
            "required": required,
            "scheduled": scheduled,
            "shortfall": np.round(np.maximum(required - scheduled, 0.0), 6),
        }
    )


def check_roster_rules(roster: pd.DataFrame, rules: Rules, horizon_days: int = 7) -> list[str]:
    """Re-check the labour rules from roster rows alone; return one message per breach.

    Checks: rest between consecutive shifts of an agent (cyclic over the horizon), longest
    consecutive rest in the week, weekly paid hours, daily hours, paid hours = end - start,
    meal breaks (length, inside the shift), night premium hours, and with
    `short_break_min` > 0 the short breaks (count, length, no overlap with the meal break).
    """
    problems = []
    horizon = pd.Timedelta(days=horizon_days)
    for agent, rows in roster.groupby("agent", sort=True):
        rows = rows.sort_values("start")
        starts = list(rows["start"])
        ends = list(rows["end"])
        paid = float(rows["paid_hours"].sum())
        if paid > rules.max_weekly_hours + 1e-9:
            problems.append(f"{agent}: {paid:g} paid hours > max_weekly_hours")
        gaps = []
        for i in range(len(starts)):
            nxt = starts[i + 1] if i + 1 < len(starts) else starts[0] + horizon
            gaps.append((nxt - ends[i]).total_seconds() / 3600)
        if gaps and min(gaps) < rules.min_rest_h - 1e-9:
            problems.append(f"{agent}: rest of {min(gaps):g} h < min_rest_h")
        if gaps and max(gaps) < rules.min_weekly_rest_h - 1e-9:
            problems.append(f"{agent}: longest rest {max(gaps):g} h < min_weekly_rest_h")
        for row in rows.itertuples(index=False):
            hours = (row.end - row.start).total_seconds() / 3600
            if abs(hours - row.paid_hours) > 1e-6:
                problems.append(f"{agent}: paid_hours {row.paid_hours} != shift length {hours:g}")
            if hours > rules.max_daily_hours + 1e-9:
                problems.append(f"{agent}: shift of {hours:g} h > max_daily_hours")
            brks = parse_breaks(row.breaks)
            if hours >= rules.meal_break_from_h and rules.meal_break_min > 0:
                start_min = row.start.hour * 60 + row.start.minute
                night = night_minutes(start_min, round(hours * 60), rules)
                need = rules.meal_break_min
                if night >= rules.night_shift_min_h * 60:
                    need = max(need, rules.night_meal_break_min)
                longest = max(((be - bs).total_seconds() / 60 for bs, be in brks), default=0)
                if longest < need:
                    problems.append(f"{agent} {row.start}: meal break {longest:g} min < {need} min")
            for bs, be in brks:
                if not (row.start <= bs < be <= row.end):
                    problems.append(f"{agent} {row.start}: break {bs} outside the shift")
            if rules.short_break_min > 0 and hours >= rules.short_break_from_h:
                problems.extend(_short_break_problems(agent, row, hours, brks, rules))
    return problems


def _short_break_problems(agent, row, hours, brks, rules: Rules) -> list[str]:
    """The short breaks of one shift: the right number, each `short_break_min` long, none
    overlapping another break (the meal break being the longest one, when the shift has one)."""
    out = []
    lengths = sorted(((be - bs).total_seconds() / 60, bs, be) for bs, be in brks)
    has_meal = hours >= rules.meal_break_from_h and rules.meal_break_min > 0
    shorts = lengths[:-1] if has_meal and lengths else lengths
    if len(shorts) != rules.short_breaks_per_shift:
        out.append(
            f"{agent} {row.start}: {len(shorts)} short breaks, expected "
            f"{rules.short_breaks_per_shift}"
        )
    for minutes, bs, _ in shorts:
        if abs(minutes - rules.short_break_min) > 1e-9:
            out.append(f"{agent} {row.start}: short break at {bs} of {minutes:g} min")
    spans = sorted((bs, be) for bs, be in brks)
    for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False):
        if b_start < a_end:
            out.append(f"{agent} {row.start}: breaks overlap at {b_start}")
    return out


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
