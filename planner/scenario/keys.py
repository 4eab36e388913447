"""Where each scenario key belongs, so that a key in the wrong table (or at the top level) is
named with its home instead of being silently taken or called unknown.

The roster rule keys are listed here by table because the rule validator of the schedule stage
reads the three rule tables as one flat set; a rule key it knows that is missing here is left to
that validator (it is accepted in any rule table, as before).
"""

from __future__ import annotations

from collections.abc import Mapping

from planner.errors import InputError

TOP_LEVEL_KEYS = ("extends", "name", "description")
DATA_KEYS = ("history", "agents", "events", "temperature", "country", "timezone")
FORECAST_KEYS = ("model", "level", "plan_at", "interval_min")
SERVICE_KEYS = (
    *("sl_pct", "target_s", "asa_s", "model", "patience_s", "max_abandon_pct"),
    *("max_occupancy_pct", "shrinkage_pct", "aht_s", "aht_by_queue", "pooled"),
)
RUN_KEYS = (
    *("solver", "time_limit_s", "gap_pct", "simulate", "replications", "seed"),
    *("week", "start", "store"),
)
ADJUSTMENT_KEYS = ("label", "from", "to", "queue", "volume_factor", "aht_factor", "aht_s")
SHIFTS_KEYS = (
    *("shift_lengths_h", "start_step_min", "start_windows", "days_per_week"),
    *("days_off_consecutive", "meal_break_min", "night_meal_break_min", "meal_break_from_h"),
    *("night_shift_min_h", "break_after_start_h", "break_before_end_h", "short_break_min"),
    *("short_break_from_h", "short_breaks_per_shift", "start_tolerance_min"),
    *("overtime_extensions_h", "rest_day_shifts"),
)
LABOUR_KEYS = (
    *("min_rest_h", "min_weekly_rest_h", "max_weekly_hours", "max_daily_hours"),
    *("max_consecutive_days", "night_start", "night_end", "coverage", "headcount_cap"),
    *("contract_tolerance_h", "part_time_hours", "full_time_min_hours", "max_part_time_pct"),
    *("part_time_min_hours", "full_time_paid_hours"),
    *("min_hours_full_time_pct", "min_hours_part_time_pct", "max_work_day_h"),
    *("max_overtime_week_h", "max_overtime_month_h", "max_overtime_year_h"),
)
COST_KEYS = (
    *("wage_per_hour", "night_premium_pct", "head_cost_per_week"),
    *("shortfall_penalty_per_hour", "night_weekend_penalty_h", "currency"),
    *("overtime_pay_pct", "rest_day_overtime_pay_pct", "holiday_overtime_pay_pct"),
    "holiday_pay_pct",
)

# table -> its keys ("[[adjustments]]" is an array of tables)
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "data": DATA_KEYS,
    "forecast": FORECAST_KEYS,
    "service": SERVICE_KEYS,
    "shifts": SHIFTS_KEYS,
    "labour": LABOUR_KEYS,
    "cost": COST_KEYS,
    "adjustments": ADJUSTMENT_KEYS,
    "run": RUN_KEYS,
}
_RULE_TABLES = ("shifts", "labour", "cost")


def homes(key: str) -> tuple[str, ...]:
    """The tables a key belongs to, in the scenario's order ("" = none)."""
    return tuple(table for table, keys in TABLE_KEYS.items() if key in keys)


def _show_homes(tables: tuple[str, ...]) -> str:
    shown = [f"[[{t}]]" if t == "adjustments" else f"[{t}]" for t in tables]
    return " or ".join(shown)


def check_placement(
    data: Mapping,
    origin: Mapping,
    fallback: str,
    tables: tuple[str, ...],
    inspect: tuple[str, ...] | None = None,
) -> None:
    """Raise InputError, one line naming the file, table and key, for the first key of `data`
    that stands where it does not belong: a table's key at the top level or in another table.

    `tables` are the top-level tables this scenario layer accepts (others are left to the
    caller's unknown-key check); `inspect` limits the tables whose keys are looked at (None:
    all; `planner schedule --rules` reads only the rule tables). A key of no known table is left to each table's own check,
    which lists what is allowed.
    """
    for key in data:
        if key in TOP_LEVEL_KEYS or key in tables:
            continue
        home = homes(key)
        if home:
            src = origin.get(key, fallback)
            raise InputError(
                f"{src}: {key} is set at the top level but belongs in {_show_homes(home)}"
            )
    looked_at = tables if inspect is None else tuple(t for t in tables if t in inspect)
    items = data.get("adjustments") if "adjustments" in looked_at else None
    for n, item in enumerate(items if isinstance(items, list) else [], start=1):
        for key in item if isinstance(item, Mapping) else ():
            home = homes(key)
            if home and "adjustments" not in home:
                src = origin.get("adjustments", fallback)
                raise InputError(
                    f"{src}: [[adjustments]] {n}: {key} belongs in {_show_homes(home)}, "
                    "not in an adjustment"
                )
    for table in TABLE_KEYS:
        if table == "adjustments" or table not in looked_at:
            continue
        entries = data.get(table)
        if not isinstance(entries, Mapping):
            continue
        own = TABLE_KEYS[table]
        for key in entries:
            if key in own:
                continue
            home = homes(key)
            if home:
                src = origin.get(f"{table}.{key}", origin.get(table, fallback))
                raise InputError(
                    f"{src}: [{table}] {key} belongs in {_show_homes(home)}, not in [{table}]"
                )
            if table in _RULE_TABLES:
                continue  # a rule key unknown here: the rule validator names it
            src = origin.get(f"{table}.{key}", origin.get(table, fallback))
            raise InputError(
                f"{src}: [{table}] unknown key {key!r} (no scenario table has it); "
                f"allowed in [{table}]: {', '.join(own)}"
            )
