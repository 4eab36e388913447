"""Reading scenario files (`extends` followed, size-capped, no FIFOs) and checking every value,
naming `file: [table] key` on error."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import tomllib
import zoneinfo
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

import holidays

from planner import io
from planner.errors import InputError
from planner.history import BUNDLED_TEMPERATURE
from planner.scenario.keys import (
    ADJUSTMENT_KEYS,
    DATA_KEYS,
    FORECAST_KEYS,
    RUN_KEYS,
    SERVICE_KEYS,
    check_placement,
)
from planner.scenario.model import (
    ALL_TOP_KEYS,
    BASELINE_DESCRIPTION,
    BUNDLED,
    BUNDLED_AGENTS,
    FORECAST_MODELS,
    INTERVALS,
    MAX_EXTENDS,
    MAX_SCENARIO_BYTES,
    MAX_SHRINKAGE_PCT,
    MIN_OCCUPANCY_CAP_PCT,
    MIN_SHRINKAGE_PCT,
    PLAN_AT,
    RULE_TABLES,
    SERVICE_MODELS,
    SOLVERS,
    Adjustment,
    DataConfig,
    ForecastConfig,
    IntradayConfig,
    RulesValidator,
    RunConfig,
    Scenario,
    ServiceConfig,
)
from planner.scenario.weeks import parse_week, plannable


def default_scenario(validate_rules: RulesValidator) -> Scenario:
    """The built-in baseline (what `scenarios/baseline.toml` states explicitly)."""
    return dataclasses.replace(
        build_scenario({}, {}, files=(), name="baseline", validate_rules=validate_rules),
        description=BASELINE_DESCRIPTION,
    )


# --- loading -------------------------------------------------------------------------------------


def load_scenario(
    path: str | os.PathLike,
    validate_rules: RulesValidator,
    allowed_dirs: Sequence[str | os.PathLike] = (),
) -> Scenario:
    """Read, merge (`extends`) and validate a scenario file; `validate_rules` checks its roster
    rule tables (see `RulesValidator`). The files it names (history, agents, events,
    temperature, the store) must lie inside the folder of the scenario file that names them,
    the bundled data folder or one of `allowed_dirs` (folders the user allowed on the command
    line): a scenario from elsewhere cannot read or create files anywhere."""
    path = Path(path)
    merged, origin, files = _load_chain(path)
    if not merged:
        raise InputError(
            f"{path}: empty scenario file, expected TOML settings such as [data] history "
            "(run without a scenario for the bundled demo line)"
        )
    return build_scenario(
        merged,
        origin,
        files=files,
        name=path.stem,
        validate_rules=validate_rules,
        allowed_dirs=allowed_dirs,
    )


def load_rules(path: str | os.PathLike, validate_rules: RulesValidator):
    """The roster rules (`planner.schedule.Rules`) of a scenario file, `extends` followed.

    Only the rule tables are validated (the other tables belong to other stages), but an
    unknown top-level key or table (`[labor]`) is an error rather than silently ignored.
    """
    path = Path(path)
    merged, origin, _ = _load_chain(path)
    check_placement(merged, origin, str(path), ALL_TOP_KEYS, inspect=RULE_TABLES)
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
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: invalid TOML: nested too deeply") from None
    key = _too_deep(data)
    if key is not None:
        raise InputError(
            f"{path}: key {key[:60]!r}... is nested more than {MAX_DEPTH} tables deep; a "
            "scenario's tables are at most 3 deep ([service.aht_by_queue])"
        )
    return data


MAX_DEPTH = 8


def _too_deep(data: Mapping) -> str | None:
    """The dotted key of the first value nested deeper than `MAX_DEPTH` tables or arrays (a
    dotted key `a.a.a...` thousands long is valid TOML), else None. Iterative: no recursion."""
    todo: list[tuple[object, str, int]] = [(data, "", 0)]
    while todo:
        value, key, depth = todo.pop()
        if depth > MAX_DEPTH:
            return key
        if isinstance(value, Mapping):
            todo.extend((v, f"{key}.{k}" if key else str(k), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            todo.extend((v, f"{key}[{n}]", depth + 1) for n, v in enumerate(value))
    return None


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

    def __init__(
        self,
        table: Mapping,
        section: str,
        origin: Mapping,
        fallback: str,
        allowed_dirs: Sequence[str | os.PathLike] = (),
    ):
        self.table = dict(table)
        self.section = section
        self.origin = origin
        self.fallback = fallback
        self.allowed_dirs = tuple(allowed_dirs)

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

    def path(self, key: str, base: Path | None, default: str = "") -> Path | None:
        """A file path relative to the file that set it; "bundled:NAME" = a bundled data file.
        It must lie inside that file's folder, the bundled folder or an allowed folder."""
        value = self.string(key, default)
        if value == "":
            return None
        if "\x00" in value:
            self.fail(key, value.replace("\x00", "\\0"), "a path cannot contain a NUL byte")
        if value.startswith(BUNDLED + ":"):
            name = value.split(":", 1)[1]
            if not name or name != Path(name).name or name in (".", ".."):
                self.fail(
                    key, value, "expected a bundled file name, no folders (see data/README.md)"
                )
            try:
                return io.bundled_path(name)
            except (InputError, OSError):
                self.fail(key, value, f"no bundled file {name!r} (see data/README.md)")
        path = Path(value)
        dotted = f"{self.section}.{key}"
        if dotted in self.origin:  # relative to the file that set it (extends may differ)
            base = Path(self.origin[dotted]).parent
        if not path.is_absolute() and base is not None:
            path = Path(os.path.normpath(base / path))
        if base is not None:
            self._confine(key, value, path, base)
        return path

    def _confine(self, key: str, value: str, path: Path, base: Path) -> None:
        """Refuse a path outside the scenario file's folder, the bundled folder and the allowed
        folders (symlinks followed, so a link cannot lead out)."""
        try:
            real = Path(os.path.realpath(path))
            roots = [base, *_bundled_root(), *map(Path, self.allowed_dirs)]
            inside = any(real.is_relative_to(os.path.realpath(root)) for root in roots)
        except (OSError, ValueError):
            inside = False
        if not inside:
            self.fail(
                key,
                value,
                f"outside the scenario's folder {base}; a scenario may name only files in its "
                "own folder (or below), the bundled data, or folders allowed on the command line",
            )

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


def _bundled_root() -> list[Path]:
    """The bundled data folder (empty when this installation has none)."""
    try:
        return [io.bundled_path(BUNDLED_AGENTS).parent]
    except InputError:
        return []


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
    allowed_dirs: Sequence[str | os.PathLike] = (),
) -> Scenario:
    """Validate a merged scenario mapping into a `Scenario` (`allowed_dirs`: see
    `load_scenario`)."""
    fallback = str(files[0]) if files else "<defaults>"
    base = files[0].parent if files else None
    check_placement(data, origin, fallback, ALL_TOP_KEYS)
    top = _Checker(data, "", origin, fallback)
    top.unknown(ALL_TOP_KEYS)
    for table in ("data", "forecast", "service", "run", "capacity", "intraday", *RULE_TABLES):
        if table in data and not isinstance(data[table], Mapping):
            top.fail(table, data[table], "expected a table")

    scenario_name = top.string("name", name)
    description = top.string("description", "")

    return Scenario(
        name=scenario_name,
        description=description,
        data=_data(data.get("data", {}), origin, fallback, base, allowed_dirs),
        forecast=_forecast(data.get("forecast", {}), origin, fallback),
        service=_service(data.get("service", {}), origin, fallback),
        rules=_rules(data, origin, fallback, validate_rules),
        adjustments=_adjustments(data.get("adjustments", []), origin, fallback),
        run=_run(data.get("run", {}), origin, fallback, base, allowed_dirs),
        intraday=_intraday(data.get("intraday", {}), origin, fallback),
        files=files,
        capacity=tuple(sorted(dict(data.get("capacity", {})).items())),
        origins=tuple(sorted((key, str(src)) for key, src in origin.items())),
    )


def _data(table: Mapping, origin, fallback, base, allowed_dirs=()) -> DataConfig:
    c = _Checker(table, "data", origin, fallback, allowed_dirs)
    c.unknown(DATA_KEYS)
    history = c.string("history", BUNDLED)
    if not history.strip():
        c.fail("history", history, f'expected a CSV path, "{BUNDLED}" or "{BUNDLED}:NAME"')
    history_path = None if history == BUNDLED else c.path("history", base)
    # the bundled line comes with its centre's agents; a line of one's own sizes its workforce
    bundled_line = history == BUNDLED or history.startswith(BUNDLED + ":")
    country = c.string("country", DataConfig.country)
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
    temperature = c.path("temperature", base)
    if temperature is None and history_path is None:  # as `planner forecast` on the bundled line
        temperature = io.bundled_path(BUNDLED_TEMPERATURE)
    agents = c.path("agents", base, BUNDLED_AGENTS if bundled_line else "")
    events = c.path("events", base)
    # a FIFO or a device (/dev/zero) would block or never end: refused before any work
    for key, path in (
        ("history", history_path),
        ("agents", agents),
        ("events", events),
        ("temperature", temperature),
    ):
        if path is not None:
            try:
                io.check_regular(path, f"{key} file")
            except InputError as exc:
                raise InputError(f"{c.where(key)}: [data] {key}: {exc}") from None
    return DataConfig(
        history=history_path,
        agents=agents,
        events=events,
        temperature=temperature,
        country=country.upper() if country.lower() != "none" else "none",
        timezone=timezone,
    )


def _forecast(table: Mapping, origin, fallback) -> ForecastConfig:
    c = _Checker(table, "forecast", origin, fallback)
    c.unknown(FORECAST_KEYS)
    model = c.string("model", ForecastConfig.model, FORECAST_MODELS)
    interval = c.number("interval_min", 0, 0, 60, integer=True)
    if interval not in INTERVALS:
        c.fail("interval_min", interval, "expected 0 (the history's interval), 15, 30 or 60")
    return ForecastConfig(
        model=model,
        level=c.number("level", ForecastConfig.level, 0, 100, low_open=True, high_open=True),
        plan_at=c.string("plan_at", ForecastConfig.plan_at, PLAN_AT),
        interval_min=interval or None,
    )


def _intraday(table: Mapping, origin, fallback) -> IntradayConfig:
    c = _Checker(table, "intraday", origin, fallback)
    c.unknown(("movable_shrinkage_pct", "callback_accept_pct"))
    return IntradayConfig(
        movable_shrinkage_pct=c.number("movable_shrinkage_pct", 0.0, 0, 90),
        callback_accept_pct=c.number("callback_accept_pct", 30.0, 0, 100),
    )


def _service(table: Mapping, origin, fallback) -> ServiceConfig:
    c = _Checker(table, "service", origin, fallback)
    c.unknown(SERVICE_KEYS)
    model = c.string("model", ServiceConfig.model, SERVICE_MODELS)
    patience = c.number("patience_s", None, 0, 86400, low_open=True)
    if model == "erlang-a" and patience is None:
        c.fail("model", model, "erlang-a needs [service] patience_s (mean patience, seconds)")
    asa = c.number("asa_s", None, 0, 3600, low_open=True)
    occupancy = c.number(
        "max_occupancy_pct", ServiceConfig.max_occupancy_pct, MIN_OCCUPANCY_CAP_PCT, 100
    )
    if c.has("max_occupancy_pct") and occupancy == 100:
        occupancy = None  # no cap
    aht_by_queue: tuple[tuple[str, float], ...] = ()
    if "aht_by_queue" in table:
        raw = table["aht_by_queue"]
        if not isinstance(raw, Mapping):
            c.fail("aht_by_queue", raw, "expected a table of queue = seconds")
        q = _Checker(raw, "service.aht_by_queue", origin, fallback)
        aht_by_queue = tuple(
            (str(k), q.number(k, None, 0, io.MAX_AHT_S, low_open=True)) for k in sorted(raw)
        )
    return ServiceConfig(
        sl_pct=c.number("sl_pct", ServiceConfig.sl_pct, 0, 100, low_open=True, high_open=True),
        target_s=c.number("target_s", ServiceConfig.target_s, 0, 3600, low_open=True),
        asa_s=asa,
        model=model,
        patience_s=patience,
        max_abandon_pct=c.number("max_abandon_pct", None, 0, 100, low_open=True, high_open=True),
        max_occupancy_pct=occupancy,
        shrinkage_pct=_shrinkage(c),
        aht_s=c.number("aht_s", None, 0, io.MAX_AHT_S, low_open=True),
        aht_by_queue=aht_by_queue,
        pooled=c.boolean("pooled", ServiceConfig.pooled),
    )


def _shrinkage(c: _Checker) -> float:
    """Shrinkage, percent: 0, or from MIN_SHRINKAGE_PCT to MAX_SHRINKAGE_PCT."""
    value = c.number("shrinkage_pct", ServiceConfig.shrinkage_pct, 0, MAX_SHRINKAGE_PCT)
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


_ADJUSTMENT_KEYS = ADJUSTMENT_KEYS


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
        aht_s = c.number("aht_s", None, 0, io.MAX_AHT_S, low_open=True)
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


def _run(
    table: Mapping,
    origin: Mapping,
    fallback: str,
    base: Path | None = None,
    allowed_dirs: Sequence[str | os.PathLike] = (),
) -> RunConfig:
    c = _Checker(table, "run", origin, fallback, allowed_dirs)
    c.unknown(RUN_KEYS)
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
        solver=c.string("solver", RunConfig.solver, SOLVERS),
        time_limit_s=c.number("time_limit_s", RunConfig.time_limit_s, 0, 86400, low_open=True),
        gap_pct=c.number("gap_pct", None, 0, 100, high_open=True),
        simulate=c.boolean("simulate", RunConfig.simulate),
        replications=c.number("replications", RunConfig.replications, 1, 10000, integer=True),
        seed=c.number("seed", RunConfig.seed, 0, 2**31 - 1, integer=True),
        week=week,
        start=start,
        store=c.path("store", base),
    )


# --- checksums -----------------------------------------------------------------------------------


def sha256_file(path: str | Path) -> str:
    """The sha256 of an input file (InputError for a FIFO, a device, a missing file)."""
    return io.sha256_file(path, "input file")
