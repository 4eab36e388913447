"""Roster rules as validated data: `Rules` and its reader `rules_from_mapping`, with the
clock helpers the rules use. Pure data, no solver.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from planner.errors import InputError

DAY_MIN = 24 * 60
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Rules:
    """Roster rules. Defaults follow the Vietnam Labour Code 2019 (see DOMAIN.md).

    Build it from a scenario TOML with `rules_from_mapping`. The TOML shape (every key optional;
    the three tables may also be given flat, in one mapping)::

        [shifts]
        shift_lengths_h = [4, 6, 8, 9]     # paid lengths a shift may have (meal break is paid)
        start_step_min = 30                # shift starts on this grid (multiple of the interval)
        start_windows = ["00:00-23:30"]    # allowed start times of day, inclusive; may wrap
        days_per_week = [5, 6]             # days a tour works (one number or a list)
        days_off_consecutive = true        # the days off of a tour form one block
        meal_break_min = 30                # Art. 109: >= 30 min in a shift of 6 h or more
        night_meal_break_min = 45          # Art. 109: >= 45 min when the shift is at night
        meal_break_from_h = 6              # shifts this long or longer get the meal break
        night_shift_min_h = 3              # a shift with this many night hours is a night shift
        break_after_start_h = 2            # the meal break starts >= this long after shift start
        break_before_end_h = 2             # ... and ends >= this long before shift end
        short_break_min = 0                # short (rest) break length; 0 = no short breaks
        short_break_from_h = 4             # shifts this long or longer get short breaks
        short_breaks_per_shift = 1         # 1: before or after the meal break; 2: one each
        start_tolerance_min = 0            # a tour may start this much earlier/later on some
                                           # days (multiple of start_step_min; 0 = same start)
        overtime_extensions_h = [2, 4]     # overtime: a shift may run this much longer on a
                                           # day (within max_work_day_h and min_rest_h)
        rest_day_shifts = true             # overtime: a short shift (the shortest length
                                           # needing no meal break) on an agent's weekly rest
                                           # day, paid rest_day_overtime_pay_pct

        [labour]
        min_rest_h = 12                    # Art. 109: rest between two shifts
        min_weekly_rest_h = 24             # Art. 111: consecutive rest in the week
        max_weekly_hours = 48              # Art. 105
        max_daily_hours = 10               # Art. 105 (hours set by the week)
        max_consecutive_days = 6           # working days in a row, also across two weeks
        night_start = "22:00"              # Art. 106: night work 22:00-06:00
        night_end = "06:00"
        coverage = "hard"                  # "hard": cover every interval; "soft": penalise gaps
        headcount_cap = 0                  # at most this many agents (0 = no cap; makes cover soft)
        contract_tolerance_h = 8           # a 48 h contract takes tours of 40-48 h
        part_time_hours = 24               # contract hours of a part-timer with no weekly_hours
        full_time_min_hours = 40           # a tour with fewer weekly hours is part-time
        max_part_time_pct = 30             # at most this % of the tours may be part-time
        part_time_min_hours = 20           # a hire's part-time tour has at least these hours
        full_time_paid_hours = 40          # a hire's full-time tour is paid at least these
        min_hours_full_time_pct = 100      # a named full-timer is paid at least this % of the
                                           # contract's weekly hours, rostered or not
        min_hours_part_time_pct = 0        # the same for part-timers (agents file `min_hours`
                                           # overrides both per agent)
        max_work_day_h = 12                # Art. 107: ordinary + overtime hours in a day
        max_overtime_week_h = 40           # overtime per agent in a week (the Code sets none:
                                           # the month's cap)
        max_overtime_month_h = 40          # Art. 107: overtime per agent in a month (0 = none)
        max_overtime_year_h = 200          # Art. 107: 200 h a year, 300 h in power supply

        [cost]
        wage_per_hour = 40000              # VND per paid hour (plausible; not from the article)
        night_premium_pct = 30             # Art. 98: night hours paid >= 30% more
        head_cost_per_week = 600000        # VND per agent per week on top of wages:
                                           # recruitment, training, seat and licences
        shortfall_penalty_per_hour = 400000  # VND per agent-hour of missing cover (soft cover;
                                           # deeper cuts of an interval cost 2x, 4x, 8x)
        overtime_pay_pct = 150             # Art. 98: an overtime hour on a normal day
        rest_day_overtime_pay_pct = 200    # ... on a weekly rest day
        holiday_overtime_pay_pct = 300     # ... on a public holiday
        holiday_pay_pct = 300              # Art. 98: an ordinary hour worked on a public
                                           # holiday (the scenario's calendar)
        night_weekend_penalty_h = 0        # fairness: wage-hours added to a tour per (night
                                           # shift x weekend day) it combines (0 = off)
        currency = "VND"

    `planner schedule --rules SCENARIO.toml` reads these three tables from a scenario file.
    """

    shift_lengths_h: tuple[float, ...] = (4.0, 6.0, 8.0, 9.0)
    start_step_min: int = 30
    start_windows: tuple[str, ...] = ("00:00-23:30",)
    days_per_week: tuple[int, ...] = (5, 6)
    days_off_consecutive: bool = True
    meal_break_min: int = 30
    night_meal_break_min: int = 45
    meal_break_from_h: float = 6.0
    night_shift_min_h: float = 3.0
    break_after_start_h: float = 2.0
    break_before_end_h: float = 2.0
    short_break_min: int = 0
    short_break_from_h: float = 4.0
    short_breaks_per_shift: int = 1
    start_tolerance_min: int = 0
    overtime_extensions_h: tuple[float, ...] = (2.0, 4.0)
    rest_day_shifts: bool = True
    min_rest_h: float = 12.0
    min_weekly_rest_h: float = 24.0
    max_weekly_hours: float = 48.0
    max_daily_hours: float = 10.0
    max_consecutive_days: int = 6
    night_start: str = "22:00"
    night_end: str = "06:00"
    coverage: str = "hard"
    headcount_cap: int = 0
    contract_tolerance_h: float = 8.0
    part_time_hours: float = 24.0
    full_time_min_hours: float = 40.0
    max_part_time_pct: float = 30.0
    part_time_min_hours: float = 20.0
    full_time_paid_hours: float = 40.0
    min_hours_full_time_pct: float = 100.0
    min_hours_part_time_pct: float = 0.0
    max_work_day_h: float = 12.0
    max_overtime_week_h: float = 40.0
    max_overtime_month_h: float = 40.0
    max_overtime_year_h: float = 200.0
    wage_per_hour: float = 40000.0
    night_premium_pct: float = 30.0
    head_cost_per_week: float = 600000.0
    shortfall_penalty_per_hour: float = 400000.0
    overtime_pay_pct: float = 150.0
    rest_day_overtime_pay_pct: float = 200.0
    holiday_overtime_pay_pct: float = 300.0
    holiday_pay_pct: float = 300.0
    night_weekend_penalty_h: float = 0.0
    currency: str = "VND"
    source: str = field(default="defaults", compare=False)

    @property
    def soft_coverage(self) -> bool:
        """Coverage is soft when asked for, or when a headcount cap may make it impossible."""
        return self.coverage == "soft" or self.headcount_cap > 0

    @property
    def overtime_cap_h(self) -> float:
        """Overtime one agent may work in one week: the tightest of the week, month and year
        caps (what earlier weeks used is not known to a single week's roster)."""
        return min(self.max_overtime_week_h, self.max_overtime_month_h, self.max_overtime_year_h)


_TABLES = ("shifts", "labour", "cost")
_LISTS = {
    "shift_lengths_h": float,
    "start_windows": str,
    "days_per_week": int,
    "overtime_extensions_h": float,
}
_RANGES = {
    "start_step_min": (1, 1440),
    "meal_break_min": (0, 240),
    "night_meal_break_min": (0, 240),
    "meal_break_from_h": (0, 24),
    "night_shift_min_h": (0, 24),
    "break_after_start_h": (0, 24),
    "break_before_end_h": (0, 24),
    "short_break_min": (0, 60),
    "short_break_from_h": (0, 24),
    "short_breaks_per_shift": (1, 2),
    "start_tolerance_min": (0, 240),
    "min_rest_h": (0, 168),
    "min_weekly_rest_h": (0, 168),
    "max_weekly_hours": (0, 168),
    "max_daily_hours": (0, 24),
    "max_consecutive_days": (1, 14),
    "headcount_cap": (0, 100000),
    "contract_tolerance_h": (0, 168),
    "part_time_hours": (0, 168),
    "full_time_min_hours": (0, 168),
    "max_part_time_pct": (0, 100),
    "part_time_min_hours": (0, 168),
    "full_time_paid_hours": (0, 168),
    "head_cost_per_week": (0, 1e15),
    "wage_per_hour": (0, 1e12),
    "night_premium_pct": (0, 1000),
    "shortfall_penalty_per_hour": (0, 1e15),
    "night_weekend_penalty_h": (0, 1000),
    "min_hours_full_time_pct": (0, 100),
    "min_hours_part_time_pct": (0, 100),
    "max_work_day_h": (1, 24),
    "max_overtime_week_h": (0, 168),
    "max_overtime_month_h": (0, 744),
    "max_overtime_year_h": (0, 8784),
    "overtime_pay_pct": (100, 1000),
    "rest_day_overtime_pay_pct": (100, 1000),
    "holiday_overtime_pay_pct": (100, 1000),
    "holiday_pay_pct": (100, 1000),
}
_CHOICES = {"coverage": ("hard", "soft")}


def rules_from_mapping(mapping: Mapping, source: str = "rules") -> Rules:
    """Validate a TOML-like mapping (flat, or with `[shifts]`/`[labour]`/`[cost]` tables).

    Unknown keys, wrong types and out-of-range values raise InputError naming `source`, the key
    and what is allowed. Missing keys keep their Labour-Code defaults (see `Rules`).
    """
    flat: dict[str, tuple[str, Any]] = {}
    for key, value in mapping.items():
        if key in _TABLES:
            if not isinstance(value, Mapping):
                raise InputError(f"{source}: [{key}] must be a table, got {value!r}")
            for sub, subval in value.items():
                flat[sub] = (f"{key}.{sub}", subval)
        else:
            flat[key] = (key, value)
    known = {f.name: f for f in fields(Rules) if f.name != "source"}
    values: dict[str, Any] = {}
    for key, (label, value) in flat.items():
        if key not in known:
            raise InputError(
                f"{source}: unknown rule key {label!r}; allowed: {', '.join(sorted(known))}"
            )
        values[key] = _check_value(key, label, value, source)
    rules = Rules(**values, source=source)
    _check_consistency(rules)
    return rules


def _check_value(key: str, label: str, value, source: str):
    default = Rules.__dataclass_fields__[key].default
    if key in _LISTS:
        kind = _LISTS[key]
        items = value if isinstance(value, (list, tuple)) else [value]
        if not items:
            raise InputError(f"{source}: {label} must not be empty")
        out = []
        for item in items:
            ok = isinstance(item, str) if kind is str else _is_number(item)
            if not ok or (kind is int and float(item) != int(item)):
                raise InputError(
                    f"{source}: {label} = {value!r}: expected a list of {kind.__name__}"
                )
            if kind is not str and float(item) <= 0:
                raise InputError(f"{source}: {label} = {value!r}: values must be positive")
            out.append(kind(item))
        if key == "start_windows":
            for item in out:
                parse_window(item, f"{source}: {label}")
        return tuple(sorted(set(out))) if kind is not str else tuple(out)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InputError(f"{source}: {label} = {value!r}: expected true or false")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise InputError(f"{source}: {label} = {value!r}: expected a string")
        if key in _CHOICES and value not in _CHOICES[key]:
            raise InputError(
                f"{source}: {label} = {value!r}: expected one of {', '.join(_CHOICES[key])}"
            )
        if key in ("night_start", "night_end"):
            parse_clock(value, f"{source}: {label}")
        return value
    if not _is_number(value):
        raise InputError(f"{source}: {label} = {value!r}: expected a number")
    low, high = _RANGES[key]
    if not low <= float(value) <= high:
        raise InputError(f"{source}: {label} = {value!r}: expected a number in [{low:g}, {high:g}]")
    if isinstance(default, int):
        if float(value) != int(value):
            raise InputError(f"{source}: {label} = {value!r}: expected a whole number")
        return int(value)
    return float(value)


def _is_number(value) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _check_consistency(rules: Rules) -> None:
    if any(d > 7 for d in rules.days_per_week):
        raise InputError(
            f"{rules.source}: shifts.days_per_week = {list(rules.days_per_week)}: at most 7"
        )
    if max(rules.days_per_week) > rules.max_consecutive_days:
        raise InputError(
            f"{rules.source}: shifts.days_per_week = {list(rules.days_per_week)}: more than "
            f"labour.max_consecutive_days = {rules.max_consecutive_days}"
        )
    if rules.start_tolerance_min % rules.start_step_min:
        raise InputError(
            f"{rules.source}: shifts.start_tolerance_min = {rules.start_tolerance_min}: expected "
            f"a multiple of shifts.start_step_min = {rules.start_step_min}"
        )
    _check_overtime(rules)
    for length in rules.shift_lengths_h:
        if length > 24:
            raise InputError(
                f"{rules.source}: shifts.shift_lengths_h contains {length:g}: at most 24 h"
            )


def _check_overtime(rules: Rules) -> None:
    """The overtime caps must nest (a day's work holds the ordinary shift, a month's cap no more
    than a year's) and the extensions fit in a day: one line naming the key otherwise."""
    src = rules.source
    if rules.max_work_day_h < rules.max_daily_hours:
        raise InputError(
            f"{src}: labour.max_work_day_h = {rules.max_work_day_h:g}: below labour."
            f"max_daily_hours = {rules.max_daily_hours:g} (a day's work includes its ordinary "
            "hours)"
        )
    if rules.max_overtime_month_h > rules.max_overtime_year_h:
        raise InputError(
            f"{src}: labour.max_overtime_month_h = {rules.max_overtime_month_h:g}: above "
            f"labour.max_overtime_year_h = {rules.max_overtime_year_h:g}"
        )
    for ext in rules.overtime_extensions_h:
        if ext >= 24:
            raise InputError(
                f"{src}: shifts.overtime_extensions_h contains {ext:g}: expected less than 24 h"
            )


def parse_clock(text: str, where: str) -> int:
    """'HH:MM' -> minutes after midnight (24:00 allowed), InputError naming `where` otherwise."""
    try:
        hh, mm = text.strip().split(":")
        minutes = int(hh) * 60 + int(mm)
    except ValueError:
        raise InputError(f"{where} = {text!r}: expected HH:MM") from None
    if not (0 <= int(mm) < 60 and 0 <= minutes <= DAY_MIN):
        raise InputError(f"{where} = {text!r}: expected HH:MM between 00:00 and 24:00")
    return minutes


def parse_window(text: str, where: str) -> tuple[int, int]:
    """'HH:MM-HH:MM' -> (first, last) minutes of day; last < first means the window wraps."""
    parts = text.split("-")
    if len(parts) != 2:
        raise InputError(f"{where} = {text!r}: expected 'HH:MM-HH:MM'")
    return parse_clock(parts[0], where), parse_clock(parts[1], where)
