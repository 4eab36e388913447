"""Planning weeks: ISO week names, start dates, labels, and the range of plannable dates."""

from __future__ import annotations

import datetime as dt

from planner.errors import InputError

# --- weeks ---------------------------------------------------------------------------------------


FIRST_PLANNABLE = dt.date(1900, 1, 1)
LAST_PLANNABLE = dt.date(2200, 12, 31)


def plannable(day: dt.date) -> bool:
    """Whether a week from `day` can be planned (dates the calendar and the clocks handle)."""
    return FIRST_PLANNABLE <= day <= LAST_PLANNABLE


def parse_week(text: str) -> dt.date:
    """'2027-W28' -> the Monday of that ISO week."""
    try:
        year_text, week_text = text.strip().upper().split("-W")
        monday = dt.date.fromisocalendar(int(year_text), int(week_text), 1)
    except ValueError:
        raise InputError(f"week {text!r}: expected an ISO week YYYY-Www, e.g. 2027-W28") from None
    if not plannable(monday):
        raise InputError(f"week {text!r}: expected a week from {FIRST_PLANNABLE.year} to 2200")
    return monday


def parse_start(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"start {text!r}: expected a date YYYY-MM-DD") from None
    if not plannable(day):
        raise InputError(f"start {text!r}: expected a date from 1900-01-01 to 2200-12-31")
    return day


def week_label(start: dt.date) -> str:
    """'2027-W28' for a Monday, else the start date itself."""
    if start.weekday() == 0:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.isoformat()


def first_week_after(last: dt.date) -> dt.date:
    """The Monday of the first full Monday-Sunday week after the day `last`."""
    return last + dt.timedelta(days=7 - last.weekday())
