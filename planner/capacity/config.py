"""The `[capacity]` table of a scenario: every knob of the long-range plan, with its default
and unit, validated so that an error names the file, the table and the key.

Example (these are the defaults; every key is optional)::

    [capacity]
    horizon_weeks = 78            # weeks planned, 4 to 104
    quantile_pct = 80             # cover this quantile of weekly demand (50, 80, 90 ...)
    contract_hours = 48           # paid hours a week of one FTE (a full-time contract)
    # inefficiency = 1.10         # contract hours / required staff-hours of real rosters
                                  # (>= 1); unset: measured on the plan store's published
                                  # rosters, else on a roster of one sample week
    aht = "seasonal"              # last year's same weeks at this year's level, or "recent"
    shrinkage_pct = 30            # default weekly shrinkage (default: [service] shrinkage_pct)
    tet_shrinkage_pct = 45        # shrinkage of a week that holds Tết days (leave)
    shrinkage_by_week = { "2027-W28" = 34 }  # per-week overrides (summer leave, training)
    attrition_pct_per_month = 2.0 # expected leavers per month, percent of headcount
    attrition_by_tenure = [[0, 3, 5.0], [3, 12, 2.5], [12, 1200, 1.5]]
                                  # [from, to) months of tenure -> percent a month (optional)
    recruiting_lead_weeks = 4     # requisition to the first classroom day
    classroom_weeks = 6           # paid, not on the phones
    dropout_pct = 15              # of a class, leaving by graduation
    ramp_weeks = 8                # linear ramp from ramp_start_pct to 100% after graduation
    ramp_start_pct = 50
    # ramp = [50, 60, 70, 80, 90, 100]   # or a table: productivity % per week, ending at 100
    class_min = 6                 # a class, if opened, seats 6 to 24 trainees
    class_max = 24
    training_capacity = 40        # trainees in classrooms at once
    no_class_weeks = []           # ISO weeks when no class may start ("2027-W06")
    no_class_in_tet = true        # no class starts in a week that holds Tết days
    overtime_h_per_month = 40     # Labour Code 2019 art. 107 caps, per agent
    overtime_h_per_year = 300     # 200 in general, 300 for power supply
    overtime_premium_pct = 150    # overtime pay, percent of the hourly wage
    temp_lead_weeks = 4           # temps can work from this week on
    temp_max = 20                 # temps at once
    temp_productivity_pct = 70
    temp_cost_per_week = 2400000  # VND per temp per week
    wage_per_hour = 40000         # VND per paid hour
    hire_cost = 6000000           # VND per hire (recruiting)
    training_cost_per_week = 800000  # VND per trainee per classroom week (trainer, seat)
    shortfall_cost_per_hour = 400000 # VND per missing staff-hour (where the levers run out)
    part_time_hours = 24          # paid hours a week of a part-time hire
    max_part_time_pct = 30        # at most this share of a class on part-time contracts
    day_error_correlation = 0.3   # weekly error: the daily bounds' errors share this much
    level_drift_pct_per_year = 6  # the level wanders: log-sd grows by this per sqrt(year)
    draws = 1000                  # Monte Carlo draws for the risk
    seed = 0
    time_limit_s = 30             # the plan's MIP
    gap_pct = 0.5                 # stop at this proven gap
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn

from planner.choices import AhtBasis, allowed, values
from planner.errors import InputError
from planner.scenario import parse_week

TABLE = "capacity"
WEEKS_PER_MONTH = 52.0 / 12.0


@dataclass(frozen=True)
class TenureBand:
    """Attrition of agents whose tenure is in [from_months, to_months): percent per month."""

    from_months: float
    to_months: float
    pct_per_month: float


@dataclass(frozen=True)
class CapacityConfig:
    """Every knob of the capacity plan (units in the names; see the module docstring)."""

    horizon_weeks: int = 78
    quantile_pct: float = 80.0
    contract_hours: float = 48.0
    inefficiency: float | None = None  # None: measured (`planner.capacity.inefficiency`)
    aht: str = AhtBasis.SEASONAL.value
    shrinkage_pct: float | None = None  # None: the scenario's [service] shrinkage_pct
    tet_shrinkage_pct: float | None = 45.0  # None: Tết weeks take the default shrinkage
    shrinkage_by_week: tuple[tuple[str, float], ...] = ()  # ("2027-W30", 38.0), ...
    attrition_pct_per_month: float = 2.0
    attrition_by_tenure: tuple[TenureBand, ...] = ()
    recruiting_lead_weeks: int = 4
    classroom_weeks: int = 6
    dropout_pct: float = 15.0
    ramp_weeks: int = 8
    ramp_start_pct: float = 50.0
    ramp: tuple[float, ...] = ()  # a table of productivity percent per week (overrides linear)
    class_min: int = 6
    class_max: int = 24
    training_capacity: int = 40
    no_class_weeks: tuple[str, ...] = ()
    no_class_in_tet: bool = True
    overtime_h_per_month: float = 40.0
    overtime_h_per_year: float = 300.0
    overtime_premium_pct: float = 150.0
    temp_lead_weeks: int = 4
    temp_max: float = 20.0
    temp_productivity_pct: float = 70.0
    temp_cost_per_week: float = 2_400_000.0
    wage_per_hour: float = 40_000.0
    hire_cost: float = 6_000_000.0
    training_cost_per_week: float = 800_000.0
    shortfall_cost_per_hour: float = 400_000.0
    part_time_hours: float = 24.0
    max_part_time_pct: float = 30.0
    day_error_correlation: float = 0.3
    level_drift_pct_per_year: float = 6.0
    draws: int = 1000
    seed: int = 0
    time_limit_s: float = 30.0
    gap_pct: float = 0.5

    def ramp_pct(self) -> tuple[float, ...]:
        """Productivity percent in each week after graduation until 100% (the last is 100)."""
        if self.ramp:
            return self.ramp
        n = self.ramp_weeks
        if n == 0:
            return (100.0,)
        step = (100.0 - self.ramp_start_pct) / n
        return tuple(self.ramp_start_pct + step * k for k in range(n)) + (100.0,)

    def monthly_attrition_pct(self, tenure_months: float) -> float:
        for band in self.attrition_by_tenure:
            if band.from_months <= tenure_months < band.to_months:
                return band.pct_per_month
        return self.attrition_pct_per_month

    def weekly_leave_rate(self, tenure_months: float) -> float:
        """Share of the headcount leaving in one week (the monthly rate compounded weekly)."""
        monthly = self.monthly_attrition_pct(tenure_months) / 100.0
        return 1.0 - (1.0 - monthly) ** (1.0 / WEEKS_PER_MONTH)


KEYS = (
    "horizon_weeks",
    "quantile_pct",
    "contract_hours",
    "inefficiency",
    "aht",
    "shrinkage_pct",
    "tet_shrinkage_pct",
    "shrinkage_by_week",
    "attrition_pct_per_month",
    "attrition_by_tenure",
    "recruiting_lead_weeks",
    "classroom_weeks",
    "dropout_pct",
    "ramp_weeks",
    "ramp_start_pct",
    "ramp",
    "class_min",
    "class_max",
    "training_capacity",
    "no_class_weeks",
    "no_class_in_tet",
    "overtime_h_per_month",
    "overtime_h_per_year",
    "overtime_premium_pct",
    "temp_lead_weeks",
    "temp_max",
    "temp_productivity_pct",
    "temp_cost_per_week",
    "wage_per_hour",
    "hire_cost",
    "training_cost_per_week",
    "shortfall_cost_per_hour",
    "part_time_hours",
    "max_part_time_pct",
    "day_error_correlation",
    "level_drift_pct_per_year",
    "draws",
    "seed",
    "time_limit_s",
    "gap_pct",
)


class _Table:
    """Typed reads out of `[capacity]`, naming `file: [capacity] key = value: expected ...`."""

    def __init__(self, table: Mapping, origins: Mapping[str, str], fallback: str):
        self.table = table
        self.origins = origins
        self.fallback = fallback

    def fail(self, key: str, value, allowed: str) -> NoReturn:
        src = self.origins.get(f"{TABLE}.{key}", self.origins.get(TABLE, self.fallback))
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        if isinstance(value, bool):
            shown = "true" if value else "false"
        raise InputError(f"{src}: [{TABLE}] {key} = {shown}: {allowed}")

    def number(self, key, default, low, high, *, integer=False, low_open=False):
        if key not in self.table:
            return default
        value = self.table[key]
        lo = "(" if low_open else "["
        allowed = (
            f"expected {'a whole number' if integer else 'a number'} in {lo}{low:g}, {high:g}]"
        )
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, value, allowed)
        if not math.isfinite(value) or (integer and value != int(value)):
            self.fail(key, value, allowed)
        if (value <= low if low_open else value < low) or value > high:
            self.fail(key, value, allowed)
        return int(value) if integer else float(value)

    def boolean(self, key, default):
        if key not in self.table:
            return default
        value = self.table[key]
        if not isinstance(value, bool):
            self.fail(key, value, "expected true or false")
        return value

    def weeks(self, key) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if not isinstance(value, list):
            self.fail(key, value, 'expected a list of ISO weeks, e.g. ["2027-W06"]')
        for item in value:
            if not isinstance(item, str):
                self.fail(key, value, 'expected a list of ISO weeks, e.g. ["2027-W06"]')
            try:
                parse_week(item)
            except InputError:
                self.fail(key, item, 'expected an ISO week "YYYY-Www", e.g. "2027-W06"')
        return tuple(value)


def capacity_config(
    table: Mapping | None,
    origins: Mapping[str, str] | None = None,
    fallback: str = "<defaults>",
    default_shrinkage_pct: float = 30.0,
) -> CapacityConfig:
    """Validate a `[capacity]` mapping into a `CapacityConfig`; `origins` maps dotted keys
    ("capacity.dropout_pct") to the file that set them, for the error messages."""
    table = dict(table or {})
    t = _Table(table, dict(origins or {}), fallback)
    for key in table:
        if key not in KEYS:
            t.fail(key, table[key], f"unknown key; allowed: {', '.join(KEYS)}")
    d = CapacityConfig()
    horizon = t.number("horizon_weeks", d.horizon_weeks, 4, 104, integer=True)
    lead = t.number("recruiting_lead_weeks", d.recruiting_lead_weeks, 0, 52, integer=True)
    classroom = t.number("classroom_weeks", d.classroom_weeks, 0, 52, integer=True)
    if lead + classroom >= horizon:
        t.fail(
            "recruiting_lead_weeks",
            lead,
            f"recruiting ({lead} weeks) and classroom ({classroom} weeks) do not end within "
            f"the horizon of {horizon} weeks: no hire could ever reach the phones",
        )
    ramp: tuple[float, ...] = ()
    if "ramp" in table:
        raw = table["ramp"]
        if (
            not isinstance(raw, list)
            or not raw
            or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 100
                for v in raw
            )
        ):
            t.fail("ramp", raw, "expected a list of productivity percentages in (0, 100]")
        if raw[-1] != 100:
            t.fail("ramp", raw, "expected a ramp that ends at 100 (full productivity)")
        if any(b < a for a, b in zip(raw, raw[1:], strict=False)):
            t.fail("ramp", raw, "expected a ramp that never falls")
        ramp = tuple(float(v) for v in raw)
    bands: list[TenureBand] = []
    if "attrition_by_tenure" in table:
        raw = table["attrition_by_tenure"]
        shape = "expected a list of [from_months, to_months, percent_per_month]"
        if not isinstance(raw, list) or not raw:
            t.fail("attrition_by_tenure", raw, shape)
        for item in raw:
            if not (
                isinstance(item, list)
                and len(item) == 3
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in item)
            ):
                t.fail("attrition_by_tenure", raw, shape)
            lo, hi, pct = (float(v) for v in item)
            if lo < 0 or hi <= lo:
                t.fail("attrition_by_tenure", item, "expected 0 <= from_months < to_months")
            if not 0 <= pct < 100:
                t.fail("attrition_by_tenure", item, "expected a percent per month in [0, 100)")
            bands.append(TenureBand(lo, hi, pct))
    by_week: list[tuple[str, float]] = []
    if "shrinkage_by_week" in table:
        raw = table["shrinkage_by_week"]
        if not isinstance(raw, Mapping):
            t.fail("shrinkage_by_week", raw, 'expected a table of "YYYY-Www" = percent')
        for week in sorted(raw):
            try:
                parse_week(week)
            except InputError:
                t.fail("shrinkage_by_week", week, 'expected ISO week keys "YYYY-Www"')
            value = raw[week]
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0 <= value < 90
            ):
                t.fail(f"shrinkage_by_week.{week}", value, "expected a percent in [0, 90)")
            by_week.append((week, float(value)))
    class_min = t.number("class_min", d.class_min, 1, 500, integer=True)
    class_max = t.number("class_max", d.class_max, 1, 500, integer=True)
    if class_max < class_min:
        t.fail("class_max", class_max, f"expected at least class_min = {class_min}")
    capacity = t.number("training_capacity", d.training_capacity, 1, 5000, integer=True)
    if capacity < class_min:
        t.fail(
            "training_capacity",
            capacity,
            f"expected at least class_min = {class_min}: no class could ever start",
        )
    year = t.number("overtime_h_per_year", d.overtime_h_per_year, 0, 300)
    month = t.number("overtime_h_per_month", d.overtime_h_per_month, 0, 40)
    shrink = t.number("shrinkage_pct", None, 0, 89.9)
    aht = table.get("aht", d.aht)
    if aht not in values(AhtBasis):
        t.fail("aht", aht, allowed(AhtBasis))
    return CapacityConfig(
        horizon_weeks=horizon,
        quantile_pct=t.number("quantile_pct", d.quantile_pct, 1, 99),
        contract_hours=t.number("contract_hours", d.contract_hours, 1, 80),
        inefficiency=t.number("inefficiency", None, 1, 3),
        aht=aht,
        shrinkage_pct=default_shrinkage_pct if shrink is None else shrink,
        tet_shrinkage_pct=t.number("tet_shrinkage_pct", d.tet_shrinkage_pct, 0, 89.9),
        shrinkage_by_week=tuple(by_week),
        attrition_pct_per_month=t.number(
            "attrition_pct_per_month", d.attrition_pct_per_month, 0, 99
        ),
        attrition_by_tenure=tuple(bands),
        recruiting_lead_weeks=lead,
        classroom_weeks=classroom,
        dropout_pct=t.number("dropout_pct", d.dropout_pct, 0, 99),
        ramp_weeks=t.number("ramp_weeks", d.ramp_weeks, 0, 52, integer=True),
        ramp_start_pct=t.number("ramp_start_pct", d.ramp_start_pct, 0, 100, low_open=True),
        ramp=ramp,
        class_min=class_min,
        class_max=class_max,
        training_capacity=capacity,
        no_class_weeks=t.weeks("no_class_weeks"),
        no_class_in_tet=t.boolean("no_class_in_tet", d.no_class_in_tet),
        overtime_h_per_month=month,
        overtime_h_per_year=year,
        overtime_premium_pct=t.number("overtime_premium_pct", d.overtime_premium_pct, 100, 400),
        temp_lead_weeks=t.number("temp_lead_weeks", d.temp_lead_weeks, 0, 104, integer=True),
        temp_max=t.number("temp_max", d.temp_max, 0, 10000),
        temp_productivity_pct=t.number(
            "temp_productivity_pct", d.temp_productivity_pct, 0, 100, low_open=True
        ),
        temp_cost_per_week=t.number("temp_cost_per_week", d.temp_cost_per_week, 0, 1e12),
        wage_per_hour=t.number("wage_per_hour", d.wage_per_hour, 0, 1e9),
        hire_cost=t.number("hire_cost", d.hire_cost, 0, 1e12),
        training_cost_per_week=t.number(
            "training_cost_per_week", d.training_cost_per_week, 0, 1e12
        ),
        shortfall_cost_per_hour=t.number(
            "shortfall_cost_per_hour", d.shortfall_cost_per_hour, 0, 1e12, low_open=True
        ),
        part_time_hours=t.number("part_time_hours", d.part_time_hours, 1, 80),
        max_part_time_pct=t.number("max_part_time_pct", d.max_part_time_pct, 0, 100),
        day_error_correlation=t.number("day_error_correlation", d.day_error_correlation, 0, 1),
        level_drift_pct_per_year=t.number(
            "level_drift_pct_per_year", d.level_drift_pct_per_year, 0, 100
        ),
        draws=t.number("draws", d.draws, 10, 100000, integer=True),
        seed=t.number("seed", d.seed, 0, 2**31 - 1, integer=True),
        time_limit_s=t.number("time_limit_s", d.time_limit_s, 0, 86400, low_open=True),
        gap_pct=t.number("gap_pct", d.gap_pct, 0, 100),
    )
