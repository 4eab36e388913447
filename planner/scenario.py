"""Scenario files: every knob of a weekly run in one TOML file, validated on load.

A scenario states the data, the forecast settings, the service target, the roster rules
(`[shifts]`, `[labour]`, `[cost]`, validated by the function the caller passes, the schedule
stage's `rules_from_mapping`), dated
adjustments to the forecast and the run settings. A what-if says only what differs from another
file with `extends = "baseline.toml"` (relative to the file; tables are merged key by key, arrays
such as `[[adjustments]]` are replaced; a cycle is an error).

Every error names the file that set the value, the table, the key, the value and what is
allowed: ``scenarios/x.toml: [service] sl_pct = 800: expected a number in (0, 100)``.

Example (all keys optional; these are the defaults, i.e. `scenarios/baseline.toml`)::

    name = "baseline"
    description = "80/20 Erlang C, 30% shrinkage, 85% occupancy cap"

    [data]
    history = "bundled"          # or "bundled:hotline_by_type.csv", or a CSV path
                                 # (relative to this file)
    agents = ""                  # optional agent list CSV ("" = size the workforce;
                                 # "bundled:agents.csv" = the sample list)
    events = ""                  # optional events file (make-up days, storms, campaigns)
    temperature = ""             # optional daily temperature CSV ("bundled:temperature.csv")
    country = "VN"               # holidays country, or "none"
    timezone = "Asia/Ho_Chi_Minh"  # only for timestamps with a UTC offset (default: the country's)

    [forecast]
    model = "auto"               # auto, seasonal_naive, ets, regression or regression_level
    level = 80                   # prediction-interval level, percent
    plan_at = "point"            # staff the "point" forecast or its "upper" bound
    interval_min = 0             # 0 = the history's interval; else 15, 30 or 60

    [service]
    sl_pct = 80                  # answer sl_pct % of calls ...
    target_s = 20                # ... within target_s seconds (or set asa_s instead)
    model = "erlang-c"           # or "erlang-a" (with patience_s)
    max_occupancy_pct = 85
    shrinkage_pct = 30
    # aht_s = 300                # override the forecast's AHT; or [service.aht_by_queue]
    pooled = true                # per-queue forecasts: one pool of agents takes every queue

    [[adjustments]]              # none by default
    label = "heat wave"
    from = 2027-07-13            # a date (whole day) or a date-time
    to = 2027-07-16              # inclusive for a date, exclusive for a date-time
    volume_factor = 1.3          # calls (and bounds) times this
    # queue = "outage"           # only this queue (or a list); needs a per-queue history
    # aht_factor = 1.1 / aht_s = 420

    [run]
    solver = "cbc"               # or "highs"
    time_limit_s = 60
    # gap_pct = 1                # stop at a proven 1% gap (default: the scheduler's)
    simulate = false
    # week = "2027-W28"          # plan this ISO week (or start = 2027-07-12)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import os
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import holidays
import pandas as pd

from planner import io
from planner.choices import ForecastModel, PlanAt, ServiceModel, Solver, values
from planner.errors import InputError

BUNDLED = "bundled"
BASELINE_DESCRIPTION = (
    "80/20 Erlang C, 30% shrinkage, 85% occupancy cap, VN labour rules, bundled data"
)
RULE_TABLES = ("shifts", "labour", "cost")
TOP_KEYS = ("extends", "name", "description", "data", "forecast", "service", "adjustments", "run")
ALL_TOP_KEYS = TOP_KEYS + RULE_TABLES

SERVICE_MODELS = values(ServiceModel)
PLAN_AT = values(PlanAt)
SOLVERS = values(Solver)
FORECAST_MODELS = values(ForecastModel)
INTERVALS = (0, 15, 30, 60)
MAX_EXTENDS = 64  # files in one `extends` chain
MAX_SCENARIO_BYTES = 1 << 20
MAX_SHRINKAGE_PCT = 90.0  # more would mean ten or more paid agents per agent on the phones
MIN_OCCUPANCY_CAP_PCT = 30.0
MIN_SHRINKAGE_PCT = 0.01  # finer than this is not a measurement (and 1e-300 overflows)

# Validates the roster rule tables of a scenario: `validate(tables, source) -> Rules`, with
# `tables` = {"shifts": {...}, "labour": {...}, "cost": {...}} (any subset) and `source` the file
# named in errors. The schedule stage provides it (`planner.schedule.rules_from_mapping`); the
# scenario layer only calls it, so it does not depend on the stage.
RulesValidator = Callable[[Mapping, str], Any]


# --- the validated scenario ----------------------------------------------------------------------


@dataclass(frozen=True)
class DataConfig:
    """Input files (absolute paths resolved against the scenario file; None = not given)."""

    history: Path | None = None  # None = the bundled hotline history
    agents: Path | None = None
    events: Path | None = None
    temperature: Path | None = None
    country: str = "VN"
    timezone: str | None = None  # the line's zone for offset timestamps; None = the country's


@dataclass(frozen=True)
class ForecastConfig:
    model: str = "auto"
    level: float = 80.0  # percent
    plan_at: str = "point"  # "point" | "upper"
    interval_min: int | None = None  # None = the history's own interval


@dataclass(frozen=True)
class ServiceConfig:
    """The service target; `target()` turns it into a `planner.staffing.StaffingTarget`."""

    sl_pct: float = 80.0
    target_s: float = 20.0
    asa_s: float | None = None
    model: str = "erlang-c"
    patience_s: float | None = None
    max_abandon_pct: float | None = None
    max_occupancy_pct: float | None = 85.0
    shrinkage_pct: float = 30.0
    aht_s: float | None = None
    aht_by_queue: tuple[tuple[str, float], ...] = ()
    pooled: bool = True  # per-queue forecasts staffed as one pool of agents

    def target(self):
        """The `planner.staffing.StaffingTarget` for this service target."""
        from planner.staffing import StaffingTarget

        return StaffingTarget(
            sl_pct=self.sl_pct,
            target_s=self.target_s,
            asa_s=self.asa_s,
            max_occupancy_pct=self.max_occupancy_pct,
            shrinkage_pct=self.shrinkage_pct,
            model=self.model,
            patience_s=self.patience_s,
            max_abandon_pct=self.max_abandon_pct,
            aht_s=self.aht_s,
            aht_by_queue=dict(self.aht_by_queue),
        )


@dataclass(frozen=True)
class Adjustment:
    """Scale the forecast over [start, end) (optionally for some queues only)."""

    label: str
    start: dt.datetime
    end: dt.datetime  # exclusive
    queues: tuple[str, ...] = ()
    volume_factor: float = 1.0
    aht_factor: float = 1.0
    aht_s: float | None = None

    def describe(self) -> str:
        what = []
        if self.volume_factor != 1.0:
            what.append(f"calls x{self.volume_factor:g}")
        if self.aht_factor != 1.0:
            what.append(f"AHT x{self.aht_factor:g}")
        if self.aht_s is not None:
            what.append(f"AHT = {self.aht_s:g} s")
        where = f" ({', '.join(self.queues)})" if self.queues else ""
        return (
            f"{self.label}: {', '.join(what) or 'no change'}{where} "
            f"from {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M}"
        )


@dataclass(frozen=True)
class RunConfig:
    solver: str = "cbc"
    time_limit_s: float = 60.0
    gap_pct: float | None = None  # stop at this proven gap (None: the scheduler's default)
    simulate: bool = False
    replications: int = 20
    seed: int = 0
    week: str | None = None  # ISO week "YYYY-Www"
    start: dt.date | None = None
    store: Path | None = None  # the plan store (None: planner.db beside the outputs)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. `files` lists the TOML files it was built from (leaf first)."""

    name: str = "baseline"
    description: str = ""
    data: DataConfig = field(default_factory=DataConfig)
    forecast: ForecastConfig = field(default_factory=ForecastConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    rules: Any = None  # planner.schedule.Rules
    adjustments: tuple[Adjustment, ...] = ()
    run: RunConfig = field(default_factory=RunConfig)
    files: tuple[Path, ...] = ()
    origins: tuple[tuple[str, str], ...] = ()  # (dotted key, file that set it)

    @property
    def source(self) -> str:
        return str(self.files[0]) if self.files else "<defaults>"

    def where(self, dotted: str) -> str:
        """`file: [table] key` for a dotted key such as "forecast.interval_min", naming the file
        that set it (or the leaf file, or `<defaults>`)."""
        table, _, key = dotted.rpartition(".")
        src = dict(self.origins).get(dotted, self.source)
        return f"{src}: [{table}] {key}" if table else f"{src}: {key}"


def default_scenario(validate_rules: RulesValidator) -> Scenario:
    """The built-in baseline (what `scenarios/baseline.toml` states explicitly)."""
    return dataclasses.replace(
        build_scenario({}, {}, files=(), name="baseline", validate_rules=validate_rules),
        description=BASELINE_DESCRIPTION,
    )


# --- loading -------------------------------------------------------------------------------------


def load_scenario(path: str | os.PathLike, validate_rules: RulesValidator) -> Scenario:
    """Read, merge (`extends`) and validate a scenario file; `validate_rules` checks its roster
    rule tables (see `RulesValidator`)."""
    path = Path(path)
    merged, origin, files = _load_chain(path)
    if not merged:
        raise InputError(
            f"{path}: empty scenario file, expected TOML settings such as [data] history "
            "(run without a scenario for the bundled demo line)"
        )
    return build_scenario(
        merged, origin, files=files, name=path.stem, validate_rules=validate_rules
    )


def load_rules(path: str | os.PathLike, validate_rules: RulesValidator):
    """The roster rules (`planner.schedule.Rules`) of a scenario file, `extends` followed.

    Only the rule tables are validated (the other tables belong to other stages), but an
    unknown top-level key or table (`[labor]`) is an error rather than silently ignored.
    """
    path = Path(path)
    merged, origin, _ = _load_chain(path)
    top = _Checker(merged, "", origin, str(path))
    top.unknown(ALL_TOP_KEYS)
    for table in RULE_TABLES:
        if table in merged and not isinstance(merged[table], Mapping):
            top.fail(table, merged[table], "expected a table")
    return _rules(merged, origin, str(path), validate_rules)


def _read_toml(path: Path) -> dict:
    raw = io.read_bytes(path, "scenario file", max_bytes=MAX_SCENARIO_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text, expected a TOML scenario") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: invalid TOML: nested too deeply") from None


def _resolve(path: Path) -> Path:
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError):  # a symlink loop
        raise InputError(f"{path}: cannot resolve the path (a symlink loop?)") from None


def _load_chain(path: Path) -> tuple[dict, dict, tuple[Path, ...]]:
    """Merged mapping, {dotted key: file that set it}, and the files (leaf first)."""
    layers: list[tuple[dict, dict]] = []
    files: list[Path] = []
    seen: list[Path] = []
    while True:
        resolved = _resolve(path)
        if resolved in seen:
            chain = " -> ".join(str(p.name) for p in (*seen, resolved))
            raise InputError(f"{files[0]}: extends cycle: {chain}")
        if len(files) >= MAX_EXTENDS:
            raise InputError(
                f"{files[0]}: extends chain longer than {MAX_EXTENDS} files (at {path})"
            )
        seen.append(resolved)
        data = _read_toml(path)
        layers.append((data, _origins(data, path, "")))
        files.append(path)
        parent_name = data.pop("extends", None)
        if parent_name is None:
            break
        if not isinstance(parent_name, str) or not parent_name or "\x00" in parent_name:
            raise InputError(f"{path}: extends = {_show(parent_name)}: expected a file name")
        path = Path(os.path.normpath(path.parent / parent_name))
    merged: dict = {}
    origin: dict = {}
    for data, own in reversed(layers):  # the root first, each child over its parent
        merged = _merge(merged, data)
        origin.update(own)
    return merged, origin, tuple(files)


def _origins(data: Mapping, path: Path, prefix: str) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        out[dotted] = path
        if isinstance(value, Mapping):
            out.update(_origins(value, path, dotted + "."))
    return out


def _merge(base: Mapping, over: Mapping) -> dict:
    """Deep merge of tables; anything else (values, arrays) in `over` replaces `base`."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


# --- validation ----------------------------------------------------------------------------------


class _Checker:
    """Reads typed values out of one table and names the culprit on error."""

    def __init__(self, table: Mapping, section: str, origin: Mapping, fallback: str):
        self.table = dict(table)
        self.section = section
        self.origin = origin
        self.fallback = fallback

    def where(self, key: str) -> str:
        dotted = f"{self.section}.{key}" if self.section else key
        src = self.origin.get(dotted, self.origin.get(self.section, self.fallback))
        return str(src)

    def fail(self, key: str, value, allowed: str) -> NoReturn:
        head = f"[{self.section}] " if self.section else ""
        raise InputError(f"{self.where(key)}: {head}{key} = {_show(value)}: {allowed}")

    def missing(self, key: str, allowed: str) -> NoReturn:
        head = f"[{self.section}] " if self.section else ""
        raise InputError(f"{self.where(key)}: {head}{key} is missing: {allowed}")

    def unknown(self, allowed: tuple[str, ...]) -> None:
        for key in self.table:
            if key not in allowed:
                head = f"[{self.section}] " if self.section else ""
                raise InputError(
                    f"{self.where(key)}: {head}unknown key {key!r}; allowed: {', '.join(allowed)}"
                )

    def has(self, key: str) -> bool:
        return key in self.table

    def string(self, key: str, default, choices: tuple[str, ...] | None = None):
        if key not in self.table:
            return default
        value = self.table[key]
        if not isinstance(value, str):
            self.fail(key, value, "expected a string")
        if choices is not None and value not in choices:
            self.fail(key, value, f"expected one of {', '.join(repr(c) for c in choices)}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        if key not in self.table:
            return default
        value = self.table[key]
        if not isinstance(value, bool):
            self.fail(key, value, "expected true or false")
        return value

    def number(
        self,
        key: str,
        default,
        low: float,
        high: float,
        *,
        low_open: bool = False,
        high_open: bool = False,
        integer: bool = False,
    ):
        if key not in self.table:
            return default
        value = self.table[key]
        lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
        kind = "a whole number" if integer else "a number"
        allowed = f"expected {kind} in {lo}{low:g}, {high:g}{hi}"
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            self.fail(key, value, allowed)
        if integer and value != int(value):
            self.fail(key, value, allowed)
        too_low = value <= low if low_open else value < low
        too_high = value >= high if high_open else value > high
        if too_low or too_high:
            self.fail(key, value, allowed)
        return int(value) if integer else float(value)

    def path(self, key: str, base: Path | None) -> Path | None:
        """A file path relative to the file that set it; "bundled:NAME" = a bundled data file."""
        value = self.string(key, "")
        if value == "":
            return None
        if value.startswith(BUNDLED + ":"):
            name = value.split(":", 1)[1]
            try:
                return io.bundled_path(name)
            except InputError:
                self.fail(key, value, f"no bundled file {name!r} (see data/README.md)")
        path = Path(value)
        dotted = f"{self.section}.{key}"
        if dotted in self.origin:  # relative to the file that set it (extends may differ)
            base = Path(self.origin[dotted]).parent
        if not path.is_absolute() and base is not None:
            path = Path(os.path.normpath(base / path))
        return path

    def date_or_datetime(self, key: str) -> dt.date | dt.datetime | None:
        if key not in self.table:
            return None
        value = self.table[key]
        if isinstance(value, str):
            try:
                value = (
                    dt.datetime.fromisoformat(value)
                    if "T" in value or " " in value
                    else (dt.date.fromisoformat(value))
                )
            except ValueError:
                self.fail(key, self.table[key], "expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        if isinstance(value, dt.time) or not isinstance(value, dt.date):
            self.fail(key, value, "expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        return value


def _show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return repr(value)


def build_scenario(
    data: Mapping,
    origin: Mapping,
    *,
    files: tuple[Path, ...],
    name: str,
    validate_rules: RulesValidator,
) -> Scenario:
    """Validate a merged scenario mapping into a `Scenario`."""
    fallback = str(files[0]) if files else "<defaults>"
    base = files[0].parent if files else None
    top = _Checker(data, "", origin, fallback)
    top.unknown(ALL_TOP_KEYS)
    for table in ("data", "forecast", "service", "run", *RULE_TABLES):
        if table in data and not isinstance(data[table], Mapping):
            top.fail(table, data[table], "expected a table")

    scenario_name = top.string("name", name)
    description = top.string("description", "")

    return Scenario(
        name=scenario_name,
        description=description,
        data=_data(data.get("data", {}), origin, fallback, base),
        forecast=_forecast(data.get("forecast", {}), origin, fallback),
        service=_service(data.get("service", {}), origin, fallback),
        rules=_rules(data, origin, fallback, validate_rules),
        adjustments=_adjustments(data.get("adjustments", []), origin, fallback),
        run=_run(data.get("run", {}), origin, fallback, base),
        files=files,
        origins=tuple(sorted((key, str(src)) for key, src in origin.items())),
    )


def _data(table: Mapping, origin, fallback, base) -> DataConfig:
    c = _Checker(table, "data", origin, fallback)
    c.unknown(("history", "agents", "events", "temperature", "country", "timezone"))
    history = c.string("history", BUNDLED)
    if not history.strip():
        c.fail("history", history, f'expected a CSV path, "{BUNDLED}" or "{BUNDLED}:NAME"')
    history_path = None if history == BUNDLED else c.path("history", base)
    country = c.string("country", "VN")
    if country.lower() != "none" and country.upper() not in holidays.list_supported_countries():
        c.fail(
            "country", country, 'expected a country code of python-holidays (e.g. "VN") or "none"'
        )
    timezone = c.string("timezone", None)
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            c.fail("timezone", timezone, 'expected an IANA time zone (e.g. "Asia/Ho_Chi_Minh")')
    return DataConfig(
        history=history_path,
        agents=c.path("agents", base),
        events=c.path("events", base),
        temperature=c.path("temperature", base),
        country=country.upper() if country.lower() != "none" else "none",
        timezone=timezone,
    )


def _forecast(table: Mapping, origin, fallback) -> ForecastConfig:
    c = _Checker(table, "forecast", origin, fallback)
    c.unknown(("model", "level", "plan_at", "interval_min"))
    model = c.string("model", ForecastModel.AUTO.value, FORECAST_MODELS)
    interval = c.number("interval_min", 0, 0, 60, integer=True)
    if interval not in INTERVALS:
        c.fail("interval_min", interval, "expected 0 (the history's interval), 15, 30 or 60")
    return ForecastConfig(
        model=model,
        level=c.number("level", 80.0, 0, 100, low_open=True, high_open=True),
        plan_at=c.string("plan_at", "point", PLAN_AT),
        interval_min=interval or None,
    )


def _service(table: Mapping, origin, fallback) -> ServiceConfig:
    c = _Checker(table, "service", origin, fallback)
    c.unknown(
        (
            "sl_pct",
            "target_s",
            "asa_s",
            "model",
            "patience_s",
            "max_abandon_pct",
            "max_occupancy_pct",
            "shrinkage_pct",
            "aht_s",
            "aht_by_queue",
            "pooled",
        )
    )
    model = c.string("model", "erlang-c", SERVICE_MODELS)
    patience = c.number("patience_s", None, 0, 86400, low_open=True)
    if model == "erlang-a" and patience is None:
        c.fail("model", model, "erlang-a needs [service] patience_s (mean patience, seconds)")
    asa = c.number("asa_s", None, 0, 3600, low_open=True)
    occupancy = c.number("max_occupancy_pct", 85.0, MIN_OCCUPANCY_CAP_PCT, 100)
    if c.has("max_occupancy_pct") and occupancy == 100:
        occupancy = None  # no cap
    aht_by_queue: tuple[tuple[str, float], ...] = ()
    if "aht_by_queue" in table:
        raw = table["aht_by_queue"]
        if not isinstance(raw, Mapping):
            c.fail("aht_by_queue", raw, "expected a table of queue = seconds")
        q = _Checker(raw, "service.aht_by_queue", origin, fallback)
        aht_by_queue = tuple(
            (str(k), q.number(k, None, 0, 86400, low_open=True)) for k in sorted(raw)
        )
    return ServiceConfig(
        sl_pct=c.number("sl_pct", 80.0, 0, 100, low_open=True, high_open=True),
        target_s=c.number("target_s", 20.0, 0, 3600, low_open=True),
        asa_s=asa,
        model=model,
        patience_s=patience,
        max_abandon_pct=c.number("max_abandon_pct", None, 0, 100, low_open=True, high_open=True),
        max_occupancy_pct=occupancy,
        shrinkage_pct=_shrinkage(c),
        aht_s=c.number("aht_s", None, 0, 86400, low_open=True),
        aht_by_queue=aht_by_queue,
        pooled=c.boolean("pooled", True),
    )


def _shrinkage(c: _Checker) -> float:
    """Shrinkage, percent: 0, or from MIN_SHRINKAGE_PCT to MAX_SHRINKAGE_PCT."""
    value = c.number("shrinkage_pct", 30.0, 0, MAX_SHRINKAGE_PCT)
    if 0 < value < MIN_SHRINKAGE_PCT:
        c.fail(
            "shrinkage_pct",
            value,
            f"expected 0 or a percentage in [{MIN_SHRINKAGE_PCT:g}, {MAX_SHRINKAGE_PCT:g}]",
        )
    return value


def _rules(data: Mapping, origin: Mapping, fallback: str, validate_rules: RulesValidator):
    """Roster rules: each file's own tables are checked (so errors name that file), then the
    merged tables (consistency across files), by `validate_rules`."""
    merged = {t: dict(data[t]) for t in RULE_TABLES if t in data}
    by_file: dict[str, dict] = {}
    for table, entries in merged.items():
        for key, value in entries.items():
            src = str(origin.get(f"{table}.{key}", fallback))
            by_file.setdefault(src, {}).setdefault(table, {})[key] = value
    for src, part in by_file.items():
        validate_rules(part, src)
    return validate_rules(merged, fallback)


_ADJUSTMENT_KEYS = ("label", "from", "to", "queue", "volume_factor", "aht_factor", "aht_s")


def _adjustments(items, origin: Mapping, fallback: str) -> tuple[Adjustment, ...]:
    src = str(origin.get("adjustments", fallback))
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise InputError(f"{src}: adjustments = {_show(items)}: expected [[adjustments]] tables")
    out = []
    for n, item in enumerate(items, start=1):
        c = _Checker(item, f"adjustments.{n}", {}, src)
        c.unknown(_ADJUSTMENT_KEYS)
        label = c.string("label", f"adjustment {n}")
        start = c.date_or_datetime("from")
        end = c.date_or_datetime("to")
        if start is None or end is None:
            c.missing(
                "from" if start is None else "to", "expected a date; both from and to are required"
            )
        start_dt = _as_start(start)
        end_dt = _as_end(end)
        if end_dt <= start_dt:
            c.fail("to", end, f"expected a date or time after from = {_show(start)}")
        queues: tuple[str, ...] = ()
        if "queue" in item:
            raw = item["queue"]
            raw_list = [raw] if isinstance(raw, str) else raw
            if (
                not isinstance(raw_list, list)
                or not raw_list
                or not all(isinstance(q, str) and q for q in raw_list)
            ):
                c.fail("queue", raw, "expected a queue name or a list of queue names")
            queues = tuple(raw_list)
        volume = c.number("volume_factor", 1.0, 0, 100)
        aht_factor = c.number("aht_factor", 1.0, 0, 100, low_open=True)
        aht_s = c.number("aht_s", None, 0, 86400, low_open=True)
        if not any(k in item for k in ("volume_factor", "aht_factor", "aht_s")):
            c.missing("volume_factor", "expected volume_factor, aht_factor or aht_s")
        if aht_s is not None and "aht_factor" in item:
            c.fail("aht_s", aht_s, "give aht_s or aht_factor, not both")
        out.append(Adjustment(label, start_dt, end_dt, queues, volume, aht_factor, aht_s))
    return tuple(out)


def _as_start(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())


def _as_end(value: dt.date | dt.datetime) -> dt.datetime:
    """A date `to` includes that whole day; a date-time `to` is the exclusive end."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value + dt.timedelta(days=1), dt.time())


def _run(table: Mapping, origin: Mapping, fallback: str, base: Path | None = None) -> RunConfig:
    c = _Checker(table, "run", origin, fallback)
    c.unknown(
        (
            *("solver", "time_limit_s", "gap_pct", "simulate", "replications", "seed"),
            *("week", "start", "store"),
        )
    )
    week = c.string("week", None)
    if week is not None:
        try:
            parse_week(week)
        except InputError:
            c.fail("week", week, 'expected an ISO week "YYYY-Www", e.g. "2027-W28"')
    start = c.date_or_datetime("start")
    if isinstance(start, dt.datetime):
        if start.time() != dt.time():
            c.fail("start", start, "expected a date (the week starts at midnight)")
        start = start.date()
    if start is not None and not plannable(start):
        c.fail("start", start, "expected a date from 1900-01-01 to 2200-12-31")
    if week is not None and start is not None:
        c.fail("start", start, "give week or start, not both")
    return RunConfig(
        solver=c.string("solver", "cbc", SOLVERS),
        time_limit_s=c.number("time_limit_s", 60.0, 0, 86400, low_open=True),
        gap_pct=c.number("gap_pct", None, 0, 100, high_open=True),
        simulate=c.boolean("simulate", False),
        replications=c.number("replications", 20, 1, 10000, integer=True),
        seed=c.number("seed", 0, 0, 2**31 - 1, integer=True),
        week=week,
        start=start,
        store=c.path("store", base),
    )


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


# --- adjustments ---------------------------------------------------------------------------------


def apply_adjustments(
    frame: pd.DataFrame, adjustments: tuple[Adjustment, ...]
) -> tuple[pd.DataFrame, list[str]]:
    """Apply dated adjustments to an interval forecast (`timestamp,calls[,lower,upper][,aht]
    [,queue]`). Returns the new frame and one note per adjustment (what it changed, or that it
    missed the frame's dates or queues)."""
    out = frame.copy()
    notes: list[str] = []
    stamps = pd.to_datetime(out["timestamp"])
    has_queue = "queue" in out.columns
    for adj in adjustments:
        mask = (stamps >= pd.Timestamp(adj.start)) & (stamps < pd.Timestamp(adj.end))
        if adj.queues:
            if not has_queue:
                raise InputError(
                    f"adjustment {adj.label!r}: queue = {', '.join(adj.queues)} needs a "
                    "per-queue history (a 'queue' column), e.g. the bundled hotline_by_type.csv"
                )
            known = set(out["queue"].astype(str))
            missing = [q for q in adj.queues if q not in known]
            if missing:
                raise InputError(
                    f"adjustment {adj.label!r}: queue {', '.join(missing)} not in the forecast; "
                    f"queues: {', '.join(sorted(known))}"
                )
            mask &= out["queue"].astype(str).isin(adj.queues)
        hit = int(mask.sum())
        if hit == 0:
            notes.append(f"{adj.describe()}: outside the planned dates, no effect")
            continue
        for col in ("calls", "lower", "upper"):
            if col in out.columns:
                out[col] = out[col].astype(float)
                out.loc[mask, col] = out.loc[mask, col] * adj.volume_factor
        if adj.aht_factor != 1.0 or adj.aht_s is not None:
            if "aht" not in out.columns:
                raise InputError(
                    f"adjustment {adj.label!r}: changes AHT but the forecast has no AHT; "
                    "set [service] aht_s"
                )
            out["aht"] = out["aht"].astype(float)
            if adj.aht_s is not None:
                out.loc[mask, "aht"] = adj.aht_s
            else:
                out.loc[mask, "aht"] = out.loc[mask, "aht"] * adj.aht_factor
        notes.append(f"{adj.describe()}: {hit} intervals")
    return out, notes


# --- checksums -----------------------------------------------------------------------------------


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
