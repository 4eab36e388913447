"""The validated scenario: its configs as frozen dataclasses, and the limits the checker applies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.choices import ForecastModel, PlanAt, ServiceModel, Solver, values
from planner.staffing import DEFAULT_SL_PCT, StaffingTarget

BUNDLED = "bundled"
BUNDLED_AGENTS = "bundled:agents.csv"  # the bundled centre's named agents (data/agents.csv)
BASELINE_DESCRIPTION = (
    "80/20 Erlang C, 30% shrinkage, 85% occupancy cap, VN labour rules, bundled data"
)
RULE_TABLES = ("shifts", "labour", "cost")
TOP_KEYS = (
    *("extends", "name", "description", "data", "forecast", "service", "adjustments", "run"),
    "capacity",
    "intraday",
)
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
    agents: Path | None = None  # None = no agent list: the roster sizes the workforce
    events: Path | None = None
    temperature: Path | None = None  # the loader gives the bundled history the bundled file
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
    """The service target; `target()` turns it into a `planner.staffing.StaffingTarget`, whose
    defaults it shares (the occupancy cap and pooling are the weekly plan's own)."""

    sl_pct: float = DEFAULT_SL_PCT
    target_s: float = StaffingTarget.target_s
    asa_s: float | None = None
    model: str = "erlang-c"
    patience_s: float | None = None
    max_abandon_pct: float | None = None
    max_occupancy_pct: float | None = 85.0
    shrinkage_pct: float = StaffingTarget.shrinkage_pct
    aht_s: float | None = None
    aht_by_queue: tuple[tuple[str, float], ...] = ()
    pooled: bool = True  # per-queue forecasts staffed as one pool of agents

    def target(self) -> StaffingTarget:
        """The `planner.staffing.StaffingTarget` for this service target."""
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


# The roster solve's wall-clock limit, in seconds: one default for a scenario's `[run]
# time_limit_s` (what `planner run` and `planner compare` use) and `planner schedule
# --time-limit`, which also builds the start and searches slices within it. A safety net,
# not the stop: the search ends on its work limits (25-56 CPU s on the weeks of
# `benchmarks/schedule_peers.py`), and the clock must stay well clear of them on a busy
# machine (beside two CPU hogs on 2 cores a solve gets about two thirds of a core), or the
# roster would depend on the load: at 90 s the sized x1 week continuing its own roster
# (43.6 CPU s of work) and summer-peak with the capacity plan's 163 agents ended on the clock
# at a load of 4-8.
SCHEDULE_TIME_LIMIT_S = 180.0
RUN_TIME_LIMIT_S = SCHEDULE_TIME_LIMIT_S


@dataclass(frozen=True)
class RunConfig:
    solver: str = "cbc"
    time_limit_s: float = RUN_TIME_LIMIT_S
    gap_pct: float | None = None  # stop at this proven gap (None: the scheduler's default)
    simulate: bool = False
    replications: int = 20
    seed: int = 0
    week: str | None = None  # ISO week "YYYY-Www"
    start: dt.date | None = None
    store: Path | None = None  # the plan store (None: planner.db beside the outputs)


@dataclass(frozen=True)
class IntradayConfig:
    """`[intraday]`: what `planner intraday` may move on the day (percentages in percent)."""

    movable_shrinkage_pct: float = 0.0  # of paid time: training, meetings that can be held later
    callback_accept_pct: float = 30.0  # of the callers who would wait past the target


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
    intraday: IntradayConfig = field(default_factory=IntradayConfig)
    files: tuple[Path, ...] = ()
    # the raw `[capacity]` table as (key, value) pairs; `planner.capacity` validates it
    capacity: tuple[tuple[str, Any], ...] = ()
    origins: tuple[tuple[str, str], ...] = ()  # (dotted key, file that set it)

    @property
    def source(self) -> str:
        return str(self.files[0]) if self.files else "<defaults>"

    def forecaster_options(self) -> dict[str, Any]:
        """The keyword arguments of `planner.forecast.forecast_history` that this scenario sets
        (interval in minutes, bound level in percent, holiday country, events, model,
        temperature file); the caller adds the history, the start and the horizon."""
        data, fcfg = self.data, self.forecast
        return {
            "interval_min": fcfg.interval_min,
            "level": fcfg.level,
            "country": None if data.country == "none" else data.country,
            "events": data.events,
            "model": fcfg.model,
            "temperature": data.temperature,
        }

    def where(self, dotted: str) -> str:
        """`file: [table] key` for a dotted key such as "forecast.interval_min", naming the file
        that set it (or the leaf file, or `<defaults>`)."""
        table, _, key = dotted.rpartition(".")
        src = dict(self.origins).get(dotted, self.source)
        return f"{src}: [{table}] {key}" if table else f"{src}: {key}"
