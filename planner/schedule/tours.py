"""Roster rules, shift templates and weekly tours for the scheduler .

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
from dataclasses import dataclass

from planner.errors import InputError
from planner.schedule.rules import DAY_MIN, Rules, parse_clock, parse_window

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
    windows: tuple[tuple[int, ...], ...]
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
