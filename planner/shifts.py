"""Roster rules, shift templates and weekly tours for the scheduler (issue 4).

Everything here is pure data: a validated `Rules` object, the legal shifts (start time of day,
paid length) with their meal-break positions, and the legal weekly tours (one shift start and
length worked on a block of days). Each labour rule is checked by its own named helper
(`rule_*`), so that when no tour survives, the message can say which rule removed them.

The time axis is continuous over the planning week: slot 0 is the first interval of the week,
a shift is a run of slots that may cross midnight, and with a cyclic week a Sunday-night shift
wraps into Monday's small hours (slot indices taken modulo the week).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

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

        [labour]
        min_rest_h = 12                    # Art. 109: rest between two shifts
        min_weekly_rest_h = 24             # Art. 111: consecutive rest in the week
        max_weekly_hours = 48              # Art. 105
        max_daily_hours = 10               # Art. 105 (hours set by the week)
        night_start = "22:00"              # Art. 106: night work 22:00-06:00
        night_end = "06:00"
        coverage = "hard"                  # "hard": cover every interval; "soft": penalise gaps
        headcount_cap = 0                  # at most this many agents (0 = no cap; makes cover soft)
        contract_tolerance_h = 8           # a 48 h contract takes tours of 40-48 h
        part_time_hours = 24               # contract hours of a part-timer with no weekly_hours
        full_time_min_hours = 40           # a tour with fewer weekly hours is part-time
        max_part_time_pct = 100            # at most this % of the tours may be part-time

        [cost]
        wage_per_hour = 40000              # VND per paid hour (plausible; not from the article)
        night_premium_pct = 30             # Art. 98: night hours paid >= 30% more
        shortfall_penalty_per_hour = 400000  # VND per agent-hour of missing cover (soft cover)
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
    min_rest_h: float = 12.0
    min_weekly_rest_h: float = 24.0
    max_weekly_hours: float = 48.0
    max_daily_hours: float = 10.0
    night_start: str = "22:00"
    night_end: str = "06:00"
    coverage: str = "hard"
    headcount_cap: int = 0
    contract_tolerance_h: float = 8.0
    part_time_hours: float = 24.0
    full_time_min_hours: float = 40.0
    max_part_time_pct: float = 100.0
    wage_per_hour: float = 40000.0
    night_premium_pct: float = 30.0
    shortfall_penalty_per_hour: float = 400000.0
    night_weekend_penalty_h: float = 0.0
    currency: str = "VND"
    source: str = field(default="defaults", compare=False)

    @property
    def soft_coverage(self) -> bool:
        """Coverage is soft when asked for, or when a headcount cap may make it impossible."""
        return self.coverage == "soft" or self.headcount_cap > 0


_TABLES = ("shifts", "labour", "cost")
_LISTS = {"shift_lengths_h": float, "start_windows": str, "days_per_week": int}
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
    "headcount_cap": (0, 100000),
    "contract_tolerance_h": (0, 168),
    "part_time_hours": (0, 168),
    "full_time_min_hours": (0, 168),
    "max_part_time_pct": (0, 100),
    "wage_per_hour": (0, 1e12),
    "night_premium_pct": (0, 1000),
    "shortfall_penalty_per_hour": (0, 1e15),
    "night_weekend_penalty_h": (0, 1000),
}
_CHOICES = {"coverage": ("hard", "soft")}


def rules_from_mapping(mapping: Mapping, source: str = "rules") -> Rules:
    """Validate a TOML-like mapping (flat, or with `[shifts]`/`[labour]`/`[cost]` tables).

    Unknown keys, wrong types and out-of-range values raise InputError naming `source`, the key
    and what is allowed. Missing keys keep their Labour-Code defaults (see `Rules`).
    """
    flat: dict[str, object] = {}
    for key, value in mapping.items():
        if key in _TABLES:
            if not isinstance(value, Mapping):
                raise InputError(f"{source}: [{key}] must be a table, got {value!r}")
            for sub, subval in value.items():
                flat[sub] = (f"{key}.{sub}", subval)
        else:
            flat[key] = (key, value)
    known = {f.name: f for f in fields(Rules) if f.name != "source"}
    values: dict[str, object] = {}
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
    if rules.start_tolerance_min % rules.start_step_min:
        raise InputError(
            f"{rules.source}: shifts.start_tolerance_min = {rules.start_tolerance_min}: expected "
            f"a multiple of shifts.start_step_min = {rules.start_step_min}"
        )
    for length in rules.shift_lengths_h:
        if length > 24:
            raise InputError(
                f"{rules.source}: shifts.shift_lengths_h contains {length:g}: at most 24 h"
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


# --- shifts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shift:
    """A daily shift: start minute of the day and paid length in minutes, plus its meal break."""

    start_min: int
    length_min: int
    night_min: int
    break_min: int  # meal-break length (0 = none)
    break_offsets: tuple[int, ...]  # allowed break starts, minutes after the shift start
    short_min: int = 0  # short-break length (0 = none)
    # one tuple of allowed starts (minutes after the shift start) per short break
    short_offsets: tuple[tuple[int, ...], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.start_min // 60:02d}{self.start_min % 60:02d}x{self.length_min}"


def night_minutes(start_min: int, length_min: int, rules: Rules) -> int:
    """Minutes of [start, start+length) (minutes from a midnight) inside the night window."""
    ns = parse_clock(rules.night_start, "labour.night_start")
    ne = parse_clock(rules.night_end, "labour.night_end")
    total = 0
    for day in range(-1, 3):
        base = day * DAY_MIN
        windows = [(base + ns, base + ne)] if ns < ne else [(base + ns, base + DAY_MIN + ne)]
        for lo, hi in windows:
            total += max(0, min(hi, start_min + length_min) - max(lo, start_min))
    return total


def allowed_starts(rules: Rules, interval_min: int) -> list[int]:
    """Start minutes of day on the start grid that fall in some start window."""
    step = max(rules.start_step_min, interval_min)  # a finer grid than the data means the data's
    if step % interval_min:
        raise InputError(
            f"{rules.source}: shifts.start_step_min = {step} is not a multiple of the "
            f"requirements' {interval_min}-min interval"
        )
    out = []
    for minute in range(0, DAY_MIN, step):
        for text in rules.start_windows:
            lo, hi = parse_window(text, f"{rules.source}: shifts.start_windows")
            inside = lo <= minute <= hi if lo <= hi else (minute >= lo or minute <= hi)
            if inside:
                out.append(minute)
                break
    return out


def make_shifts(rules: Rules, interval_min: int) -> list[Shift]:
    """All legal daily shifts (start on the grid and in a window, length allowed by the rules)."""
    shifts = []
    for length_h in rules.shift_lengths_h:
        length = round(length_h * 60)
        if length % interval_min:
            raise InputError(
                f"{rules.source}: shifts.shift_lengths_h contains {length_h:g} h, not a "
                f"multiple of the {interval_min}-min interval"
            )
        if rule_daily_hours(length, rules):
            continue
        for start in allowed_starts(rules, interval_min):
            night = night_minutes(start, length, rules)
            shifts.append(_with_break(start, length, night, rules, interval_min))
    return sorted(shifts, key=lambda s: (s.start_min, s.length_min))


def make_shift(start: int, length: int, rules: Rules, interval_min: int) -> Shift:
    """The shift starting `start` minutes after midnight, `length` minutes long, with its breaks."""
    return _with_break(start, length, night_minutes(start, length, rules), rules, interval_min)


def _with_break(start: int, length: int, night: int, rules: Rules, interval_min: int) -> Shift:
    meal = _with_meal_break(start, length, night, rules, interval_min)
    if not rules.short_break_min or length < rules.short_break_from_h * 60:
        return meal
    windows = short_break_windows(meal, rules, interval_min)
    return Shift(
        start, length, night, meal.break_min, meal.break_offsets, rules.short_break_min, windows
    )


SHORT_BREAK_MARGIN_MIN = 60  # a short break starts >= 1 h after the shift start, ends >= 1 h
# before its end, and never overlaps any position the meal break may take


def short_break_windows(
    shift: Shift, rules: Rules, interval_min: int
) -> tuple[tuple[int, ...], ...]:
    """Allowed starts of each short break: before the meal break's window and/or after it.

    With `short_breaks_per_shift = 1` the break goes before or after the meal window; with 2 one
    goes before and one after (a shift without a meal break is split at its middle). Offsets are
    on the interval grid; InputError when a window is empty (the shift is too short for them).
    """
    short = rules.short_break_min
    length = shift.length_min
    lo = math.ceil(SHORT_BREAK_MARGIN_MIN / interval_min) * interval_min
    hi = length - SHORT_BREAK_MARGIN_MIN - short
    if shift.break_min:
        before_hi = shift.break_offsets[0] - short
        after_lo = shift.break_offsets[-1] + shift.break_min
    else:
        middle = length // 2
        before_hi = middle - short
        after_lo = middle
    after_lo = math.ceil(after_lo / interval_min) * interval_min
    before = tuple(range(lo, before_hi + 1, interval_min))
    after = tuple(range(after_lo, hi + 1, interval_min))
    if rules.short_breaks_per_shift == 1:
        windows = (
            (before + after,) if shift.break_min else (tuple(range(lo, hi + 1, interval_min)),)
        )
    else:
        windows = (before, after)
    if any(not w for w in windows):
        raise InputError(
            f"{rules.source}: shifts.short_break_min = {short} with short_breaks_per_shift = "
            f"{rules.short_breaks_per_shift}: no room for the short break(s) in a "
            f"{length / 60:g}-h shift (they keep {SHORT_BREAK_MARGIN_MIN} min from both ends and "
            f"clear of the meal break); raise shifts.short_break_from_h"
        )
    return windows


def _with_meal_break(start: int, length: int, night: int, rules: Rules, interval_min: int) -> Shift:
    if length < rules.meal_break_from_h * 60 or rules.meal_break_min == 0:
        return Shift(start, length, night, 0, ())
    is_night = night >= rules.night_shift_min_h * 60
    brk = max(rules.meal_break_min, rules.night_meal_break_min if is_night else 0)
    first = math.ceil(rules.break_after_start_h * 60 / interval_min) * interval_min
    last = length - round(rules.break_before_end_h * 60) - brk
    offsets = tuple(range(first, last + 1, interval_min))
    if not offsets:  # the window is too narrow: put the break in the middle of the shift
        offsets = (((length - brk) // 2) // interval_min * interval_min,)
    return Shift(start, length, night, brk, offsets)


# --- tours and the rules they must keep ----------------------------------------------------------


@dataclass(frozen=True)
class Tour:
    """A weekly tour: the same shift worked on `days` (day indices of the week)."""

    shift: Shift
    days: tuple[int, ...]

    @property
    def paid_min(self) -> int:
        return self.shift.length_min * len(self.days)

    @property
    def night_min(self) -> int:
        return self.shift.night_min * len(self.days)


def rule_daily_hours(length_min: int, rules: Rules) -> str | None:
    if length_min > rules.max_daily_hours * 60:
        return f"labour.max_daily_hours = {rules.max_daily_hours:g}"
    return None


def rule_weekly_hours(tour: Tour, rules: Rules) -> str | None:
    if tour.paid_min > rules.max_weekly_hours * 60 + 1e-9:
        return f"labour.max_weekly_hours = {rules.max_weekly_hours:g}"
    return None


def rest_gaps_min(tour: Tour, n_days: int) -> list[int]:
    """Rest between consecutive shifts of a tour, in minutes, over the cyclic week."""
    days = tour.days
    gaps = []
    for i, day in enumerate(days):
        nxt = days[(i + 1) % len(days)] + (n_days if i + 1 == len(days) else 0)
        gaps.append((nxt - day) * DAY_MIN - tour.shift.length_min)
    return gaps


def rule_rest(tour: Tour, rules: Rules, n_days: int) -> str | None:
    if len(tour.days) > 1 or n_days * DAY_MIN > tour.shift.length_min:
        gaps = rest_gaps_min(tour, n_days)
        if min(gaps) < rules.min_rest_h * 60:
            return f"labour.min_rest_h = {rules.min_rest_h:g}"
    return None


def rule_weekly_rest(tour: Tour, rules: Rules, n_days: int) -> str | None:
    if max(rest_gaps_min(tour, n_days)) < rules.min_weekly_rest_h * 60:
        return f"labour.min_weekly_rest_h = {rules.min_weekly_rest_h:g}"
    return None


def day_patterns(rules: Rules, n_days: int) -> list[tuple[int, ...]]:
    """Sets of worked days: blocks of consecutive days (cyclic) or any combination."""
    out = set()
    for count in rules.days_per_week:
        if count > n_days:
            continue
        if rules.days_off_consecutive:
            for first in range(n_days):
                out.add(tuple(sorted((first + i) % n_days for i in range(count))))
        else:
            out.update(itertools.combinations(range(n_days), count))
    return sorted(out, key=lambda d: (len(d), d))


def make_tours(
    rules: Rules, interval_min: int, n_days: int = 7
) -> tuple[list[Tour], dict[str, int]]:
    """All legal tours and, per rule, how many candidate tours it rejected."""
    rejected: dict[str, int] = {}
    tours = []
    lengths = {round(h * 60) for h in rules.shift_lengths_h}
    for length in sorted(lengths):
        reason = rule_daily_hours(length, rules)
        if reason:
            rejected[reason] = rejected.get(reason, 0) + len(day_patterns(rules, n_days))
    for shift in make_shifts(rules, interval_min):
        for days in day_patterns(rules, n_days):
            tour = Tour(shift, days)
            reason = (
                rule_weekly_hours(tour, rules)
                or rule_rest(tour, rules, n_days)
                or rule_weekly_rest(tour, rules, n_days)
            )
            if reason:
                rejected[reason] = rejected.get(reason, 0) + 1
            else:
                tours.append(tour)
    return tours, rejected


WEEKEND_DAYS = (5, 6)  # Saturday, Sunday (day indices of the week)


def tour_nights_weekends(tour: Tour, rules: Rules) -> tuple[int, int]:
    """(night shifts, weekend days) a tour works: a night shift has >= night_shift_min_h night
    hours; weekend days are the Saturdays and Sundays its shifts start on."""
    night = tour.shift.night_min >= rules.night_shift_min_h * 60 and tour.shift.night_min > 0
    weekend = sum(1 for d in tour.days if d % 7 in WEEKEND_DAYS)
    return (len(tour.days) if night else 0), weekend


def start_deltas(rules: Rules, interval_min: int) -> tuple[int, ...]:
    """Start-time moves (minutes, non-zero) a tour may make on a day: the multiples of the
    start grid within +-`start_tolerance_min`."""
    step = max(rules.start_step_min, interval_min)
    count = rules.start_tolerance_min // step
    return tuple(sorted(k * step for k in range(-count, count + 1) if k))


def tour_variants_legal(tour: Tour, deltas: tuple[int, ...], rules: Rules, n_days: int) -> bool:
    """True when every combination of per-day starts (base, or base + any of `deltas`) keeps
    the rest rules: each pair of consecutive shifts is checked at its worst variant pair (the
    first moved as late, the next as early as allowed), and the weekly rest at its worst."""
    if not deltas:
        return False
    spread = max(max(deltas), 0) - min(min(deltas), 0)
    gaps = rest_gaps_min(tour, n_days)
    if min(gaps) - spread < rules.min_rest_h * 60:
        return False
    return max(gaps) - spread >= rules.min_weekly_rest_h * 60


def slot_cover(start_min: int, length_min: int, interval_min: int, n_slots: int, cyclic: bool):
    """Slots covered by [start, start+length) minutes from the week start (wrapped if cyclic)."""
    first = start_min // interval_min
    count = length_min // interval_min
    out = []
    for k in range(first, first + count):
        if cyclic:
            out.append(k % n_slots)
        elif 0 <= k < n_slots:
            out.append(k)
    return out


def break_loss(
    start_min: int, length_min: int, interval_min: int, n_slots: int, cyclic: bool
) -> list[tuple[int, float]]:
    """(slot, fraction of the slot) lost to a break [start, start+length) minutes from week start."""
    out = []
    minute = start_min
    end = start_min + length_min
    while minute < end:
        slot = minute // interval_min
        slot_end = (slot + 1) * interval_min
        part = min(end, slot_end) - minute
        index = slot % n_slots if cyclic else slot
        if cyclic or 0 <= index < n_slots:
            out.append((index, part / interval_min))
        minute += part
    return out
