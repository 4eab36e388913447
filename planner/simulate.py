"""Check the plan: play a roster against the forecast in a discrete-event simulation.

The model, per replication:

- Arrivals: a Poisson process at each interval's forecast rate (`calls` per interval, spread
  uniformly inside it). With `overdispersion` v > 0 each interval's rate is first multiplied by a
  gamma variable with mean 1 and variance v, so counts have variance calls + v * calls^2.
- Talk (handle) times: exponential with the interval's AHT, or lognormal with the same mean and
  a coefficient of variation of 1 (`service="lognormal"`). A call keeps the AHT of the interval it
  arrived in.
- Patience: each caller hangs up after an exponential time with mean `patience_s`, or never
  (`patience_s=None`). A caller who hangs up never occupies an agent.
- One first-come-first-served queue; identical agents.
- Agents: every roster row (agent-shift) puts one agent on the phones from `start` to `end`
  minus its breaks, to the second. An agent in a call when a break or the shift end comes
  finishes that call first and then goes (the break is not moved); a call is never started by an
  agent who is off the phones. With `absence_pct` each agent-shift is missing altogether with
  that probability, drawn anew in every replication.
- The horizon is the requirements' intervals: from the first timestamp to the end of the last
  interval. Calls still in the queue at the end are counted as `waiting`; nothing is simulated
  after the end. When the horizon is whole days from midnight the roster is read as a cyclic
  week, as the scheduler builds it: the Sunday-night shift running past the end also covers
  Monday morning.

The queue is run as a multi-server FCFS recursion over calls in arrival order with a heap of
agents keyed by the first second each could take a new call (O(n log agents) per replication,
plain Python + numpy: about 0.2-0.3 s per 50,000 calls).

Measures, per interval of arrival (means over replications):
- `offered`, `answered`, `abandoned`, `waiting` (still queued at the horizon end): calls;
  offered = answered + abandoned + waiting, in every replication and interval.
- `service_level`: share (0..1) of calls *offered* answered within `target_s`; abandoned calls
  count against it (the Erlang C convention: SL = P(wait <= t) over all offered calls).
- `asa`: mean wait of the answered calls, s.
- `agents`: mean agents on the phones (time-averaged over the interval, after absence).
- `occupancy`: share (0..1) of the agents' on-phone time spent in calls; it can pass 1 in an
  interval where agents finish calls into their break or past their shift end.
Interval ratios are ratios of replication totals (pooled), so an interval with few calls still
gets a value. The summary gives, over replications, the mean and a 95% confidence interval
(Student t) of the calls-weighted service level, ASA, abandonment and occupancy of the horizon
(keys with their units: `service_level_pct`, `asa_s`, `abandon_pct`, `occupancy_pct`; the
frames keep fractions 0..1 like the Requirements CSV).
"""

from __future__ import annotations

import bisect
import heapq
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner import io
from planner.errors import InputError

SERVICES = ("exponential", "lognormal")
INTERVAL_COLUMNS = (
    "timestamp",
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa",
    "agents",
    "waiting",
    "occupancy",
)
WORST_INTERVALS = 5
SL_DEFINITION = (
    "service_level = share of calls offered answered within target_s; abandoned and still-waiting "
    "calls count as not answered in time"
)
_LOGNORMAL_SIGMA2 = math.log(2.0)  # CV = 1: sigma^2 = ln(1 + CV^2)


@dataclass(frozen=True)
class SimulationResult:
    """What `simulate` returns.

    `intervals`: one row per requirements interval with the columns of `INTERVAL_COLUMNS`
    (means over replications; `service_level` and `occupancy` as fractions 0..1 like the
    Requirements CSV, `asa` in s).
    `summary`: the horizon's KPIs with 95% confidence intervals, the worst intervals and the
    settings used (see `simulate`).
    `runs`: one row per replication with its horizon totals and KPIs (`replication, offered,
    answered, abandoned, waiting, service_level, asa, abandon, occupancy`; fractions and s), the values
    the confidence intervals are computed from.
    """

    intervals: pd.DataFrame
    summary: dict = field(default_factory=dict)
    runs: pd.DataFrame | None = None


# --- reading the inputs --------------------------------------------------------------------


def load_roster(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Roster CSV (`agent,start,end,breaks,paid_hours`) with the scheduler's reader,
    `planner.roster.read_roster` (one reader per file type in the project); errors name the
    file, line and column."""
    from planner.roster import read_roster

    return read_roster(path)


def load_requirements(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Requirements CSV for the simulation: `timestamp,calls,aht` required; `agents`,
    `staff`, `service_level`, `asa`, `occupancy`, `abandon` and `queue` kept when present.

    (The scheduler's `planner.roster.read_requirements` reads only `timestamp,staff`.)"""
    frame = io.read_csv_rows(path, ["timestamp", "calls", "aht"], "requirements")
    out = pd.DataFrame({"timestamp": io.parse_timestamps(frame, "timestamp", path)})
    out["calls"] = io.parse_numbers(frame, "calls", path)
    out["aht"] = io.parse_numbers(frame, "aht", path, allow_empty=True)  # closed: may be empty
    bad = ~(out["aht"] > 0) & (out["calls"] > 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{io.display_name(path)}:{frame['_line'].iloc[i]}: column 'aht' = "
            f"{frame['aht'].iloc[i]!r}: expected a handle time in seconds above 0 where calls > 0"
        )
    for col in ("agents", "staff", "service_level", "asa", "occupancy", "abandon"):
        if col in frame.columns:
            out[col] = io.parse_numbers(frame, col, path, minimum=None, allow_empty=True)
    if "queue" in frame.columns:
        out["queue"] = frame["queue"]
    keys = ["timestamp", "queue"] if "queue" in out.columns else ["timestamp"]
    dup = out.duplicated(keys).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(
            f"{io.display_name(path)}:{frame['_line'].iloc[i]}: duplicate interval "
            f"{frame['timestamp'].iloc[i]}" + (" for that queue" if "queue" in out.columns else "")
        )
    return out


def parse_patience(text: str | float | None) -> float | None:
    """`none` (or None) → no abandonment; otherwise the mean patience in seconds (> 0)."""
    if text is None:
        return None
    if isinstance(text, str) and text.strip().lower() in ("none", "inf", "infinite", ""):
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InputError(f"--patience = {text!r}: expected seconds (> 0) or 'none'") from None
    if math.isinf(value):
        return None
    if not value > 0:
        raise InputError(f"--patience = {text!r}: expected seconds (> 0) or 'none'")
    return value


# --- the model inputs ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Demand:
    timestamps: pd.DatetimeIndex  # interval starts
    calls: np.ndarray  # expected calls per interval
    aht: np.ndarray  # s
    interval_s: float
    origin: pd.Timestamp
    planned_sl: np.ndarray | None  # requirements' service_level, 0..1


def _demand(requirements: pd.DataFrame, interval_min: int | None) -> _Demand:
    for col in ("timestamp", "calls", "aht"):
        if col not in requirements.columns:
            raise InputError(f"requirements: missing column {col!r}")
    if len(requirements) == 0:
        raise InputError("requirements: no intervals to simulate")
    frame = requirements[["timestamp", "calls", "aht"]].copy()
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    frame["calls"] = frame["calls"].astype(float)
    frame["aht"] = frame["aht"].astype(float)
    if (frame["calls"] < 0).any() or frame["calls"].isna().any():
        raise InputError("requirements: column 'calls' must be non-negative numbers")
    bad_aht = (frame["aht"].isna() | (frame["aht"] <= 0)) & (frame["calls"] > 0)
    if bad_aht.any():
        ts = frame["timestamp"][bad_aht].iloc[0]
        raise InputError(f"requirements: column 'aht' must be > 0 s where calls > 0 (at {ts})")
    planned = None
    if "service_level" in requirements.columns:
        frame["planned"] = pd.to_numeric(requirements["service_level"], errors="coerce")
    # One pool of agents: queues (if any) are pooled per timestamp, AHT calls-weighted.
    frame["work"] = frame["calls"] * frame["aht"].fillna(0.0)
    agg = {"calls": "sum", "work": "sum", "aht": "mean"}
    if "planned" in frame.columns:
        frame["planned_w"] = frame["planned"] * frame["calls"]
        agg["planned_w"] = "sum"
    grouped = frame.groupby("timestamp", sort=True).agg(agg)
    calls = grouped["calls"].to_numpy(float)
    aht = np.where(calls > 0, grouped["work"].to_numpy(float) / np.maximum(calls, 1e-300), 0.0)
    aht = np.where(calls > 0, aht, grouped["aht"].fillna(0.0).to_numpy(float))
    if "planned_w" in grouped.columns:
        with np.errstate(invalid="ignore", divide="ignore"):
            planned = np.where(calls > 0, grouped["planned_w"].to_numpy(float) / calls, np.nan)
    if planned is not None and np.nanmax(np.append(planned, 0.0)) > 1.0:
        planned = planned / 100.0  # given in %: the Requirements CSV convention is 0..1
    stamps = pd.DatetimeIndex(grouped.index)
    # Seconds from the first interval (not .asi8: pandas 3 may store s or us, not ns).
    offsets = np.asarray((stamps - stamps[0]).total_seconds(), float)
    if interval_min is None:
        steps = np.diff(offsets)
        interval_s = float(steps.min()) if len(steps) else 1800.0
    else:
        interval_s = float(interval_min) * 60.0
    if interval_s <= 0:
        raise InputError("requirements: interval length must be positive")
    if np.any(np.abs(offsets / interval_s - np.round(offsets / interval_s)) > 1e-9):
        raise InputError(
            f"requirements: timestamps are not on a regular {interval_s / 60:g}-minute grid"
        )
    return _Demand(stamps, calls, aht, interval_s, stamps[0], planned)


def _parse_breaks(value, start, end, where: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Breaks as sorted (start, end) pairs inside the shift, from text or from pairs."""
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return []
    pairs: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    if isinstance(value, str):
        from planner.roster import parse_breaks  # the Roster CSV's own `start/end;...` parser

        try:
            pairs = parse_breaks(value)
        except InputError as exc:
            raise InputError(f"{where}: column 'breaks': {exc}") from None
    else:
        for item in value:
            b0, b1 = item
            pairs.append((pd.Timestamp(b0), pd.Timestamp(b1)))
    pairs = [
        (b0.tz_localize(None) if b0.tz else b0, b1.tz_localize(None) if b1.tz else b1)
        for b0, b1 in pairs
    ]
    pairs.sort()
    prev_end = start
    for b0, b1 in pairs:
        if b1 <= b0:
            raise InputError(
                f"{where}: column 'breaks': break {b0}/{b1} does not end after it starts"
            )
        if b0 < start or b1 > end:
            raise InputError(f"{where}: column 'breaks': break {b0}/{b1} is outside the shift")
        if b0 < prev_end:
            raise InputError(f"{where}: column 'breaks': break {b0}/{b1} overlaps another")
        prev_end = b1
    return pairs


def roster_windows(
    roster: pd.DataFrame, origin: pd.Timestamp, cycle_s: float | None = None
) -> list[tuple[list, list]]:
    """Per roster row (agent-shift), its on-phone windows as (starts, ends) lists in seconds
    from `origin`: the shift minus its breaks.

    With `cycle_s` (the horizon length) the roster is a cyclic week, as the scheduler builds it
    (`planner.roster.on_phone_counts`): a shift is moved by whole cycles so it starts inside
    [0, cycle_s), and the part of a shift that runs past the end (Sunday night into Monday)
    also covers the start of the horizon."""
    for col in ("start", "end"):
        if col not in roster.columns:
            raise InputError(f"roster: missing column {col!r}")
    starts = pd.to_datetime(roster["start"])
    ends = pd.to_datetime(roster["end"])
    breaks = roster["breaks"] if "breaks" in roster.columns else [None] * len(roster)
    lines = roster["_line"] if "_line" in roster.columns else range(2, len(roster) + 2)
    windows = []
    for start, end, brk, line in zip(starts, ends, breaks, lines, strict=True):
        where = f"roster:{line}"
        if pd.isna(start) or pd.isna(end) or end <= start:
            raise InputError(f"{where}: shift end {end} is not after start {start}")
        edges = [start]
        for b0, b1 in _parse_breaks(brk, start, end, where):
            edges += [b0, b1]
        edges.append(end)
        ws, we = [], []
        for w0, w1 in zip(edges[::2], edges[1::2], strict=True):
            if w1 > w0:
                ws.append((w0 - origin).total_seconds())
                we.append((w1 - origin).total_seconds())
        if cycle_s and ws:
            shift = math.floor(ws[0] / cycle_s) * cycle_s
            ws = [w - shift for w in ws]
            we = [w - shift for w in we]
            wrap = [i for i, w in enumerate(we) if w > cycle_s]
            ws = [ws[i] - cycle_s for i in wrap] + ws
            we = [we[i] - cycle_s for i in wrap] + we
        windows.append((ws, we))
    return windows


# --- the queue -----------------------------------------------------------------------------


def _next_on_phone(starts: list, ends: list, t: float) -> float | None:
    """The first second >= t at which this agent is on the phones, or None (no more windows)."""
    idx = bisect.bisect_right(starts, t) - 1
    if idx >= 0 and t < ends[idx]:
        return t
    if idx + 1 < len(starts):
        return starts[idx + 1]
    return None


def run_queue(
    arrivals: list, service: list, patience: list, windows: list, horizon: float
) -> tuple[np.ndarray, np.ndarray]:
    """One multi-server FCFS queue with reneging over time-varying agent windows.

    `arrivals` sorted (s); `service`, `patience` per call (s; patience may be inf); `windows` as
    from `roster_windows`. Returns per call the time the first agent could start it (inf when no
    agent ever comes) and the index of the window list (agent-shift) that answered it, or -1.
    A call is answered when an agent can start it before `horizon` and before the caller's
    patience runs out; unanswered calls do not occupy an agent.
    """
    heap = []
    for j, (ws, _) in enumerate(windows):
        if ws:
            heap.append((ws[0], j))
    heapq.heapify(heap)
    n = len(arrivals)
    start_out = [math.inf] * n
    agent_out = [-1] * n
    pop, replace = heapq.heappop, heapq.heapreplace
    bisect_right = bisect.bisect_right
    for i in range(n):
        a = arrivals[i]
        # Find the agent who can take this call first.
        while heap:
            key, j = heap[0]
            if key > a:
                start = key
                break
            ws, we = windows[j]
            idx = bisect_right(ws, a) - 1
            if idx >= 0 and a < we[idx]:
                start = a
                break
            # Free since `key` but off the phones at `a`: move on to the next window.
            if idx + 1 < len(ws):
                replace(heap, (ws[idx + 1], j))
            else:
                pop(heap)
        else:
            start = math.inf
        start_out[i] = start
        if start >= horizon or start - a > patience[i]:
            continue
        agent_out[i] = j
        free = start + service[i]
        ws, we = windows[j]
        nxt = _next_on_phone(ws, we, free)
        if nxt is None:
            pop(heap)
        else:
            replace(heap, (nxt, j))
    return np.asarray(start_out, float), np.asarray(agent_out, np.int64)


def _cumulative_overlap(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """For each edge b: total length of [starts, ends) spans lying before b."""

    def part(points: np.ndarray) -> np.ndarray:
        points = np.sort(points)
        csum = np.concatenate([[0.0], np.cumsum(points)])
        count = np.searchsorted(points, edges, side="left")
        return count * edges - csum[count]

    if len(starts) == 0:
        return np.zeros(len(edges))
    return part(starts) - part(ends)


# --- one replication -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    patience_s: float | None
    service: str
    absence_pct: float
    overdispersion: float
    target_s: float


def _replication(rng: np.random.Generator, demand: _Demand, windows: list, cfg: _Settings) -> dict:
    k = len(demand.calls)
    step = demand.interval_s
    horizon = k * step
    # Absence: each agent-shift missing with probability absence_pct / 100.
    present = rng.random(len(windows)) >= cfg.absence_pct / 100.0
    agents = [w for w, keep in zip(windows, present, strict=True) if keep]
    # Arrivals.
    rate = demand.calls
    if cfg.overdispersion > 0:
        shape = 1.0 / cfg.overdispersion
        rate = rate * rng.gamma(shape, cfg.overdispersion, size=k)
    counts = rng.poisson(rate)
    interval = np.repeat(np.arange(k), counts)
    arrivals = interval * step + rng.random(len(interval)) * step
    order = np.argsort(arrivals, kind="stable")
    arrivals, interval = arrivals[order], interval[order]
    mean = demand.aht[interval]
    if cfg.service == "exponential":
        service = rng.exponential(1.0, len(interval)) * mean
    else:
        mu = np.log(np.maximum(mean, 1e-12)) - _LOGNORMAL_SIGMA2 / 2.0
        service = np.exp(mu + math.sqrt(_LOGNORMAL_SIGMA2) * rng.standard_normal(len(interval)))
    if cfg.patience_s is None:
        patience = np.full(len(interval), math.inf)
    else:
        patience = rng.exponential(cfg.patience_s, len(interval))
    start, agent = run_queue(
        arrivals.tolist(), service.tolist(), patience.tolist(), agents, horizon
    )
    wait = start - arrivals
    answered = agent >= 0
    # Hung up before the end (possibly before the answer would have come) ...
    abandoned = (wait > patience) & (arrivals + patience < horizon)
    # ... or still in the queue at the end: no answer before the end, patience not yet run out.
    waiting = (start >= horizon) & (arrivals + patience >= horizon)
    within = answered & (wait <= cfg.target_s)
    edges = np.arange(k + 1) * step
    # Agents on the phones: on-phone seconds per interval.
    if agents:
        ws = np.concatenate([np.asarray(w[0], float) for w in agents])
        we = np.concatenate([np.asarray(w[1], float) for w in agents])
    else:
        ws = we = np.zeros(0)
    on_phone = np.diff(_cumulative_overlap(ws, we, edges))
    s = start[answered]
    busy = np.diff(_cumulative_overlap(s, s + service[answered], edges))
    return {
        "offered": counts.astype(float),
        "answered": np.bincount(interval[answered], minlength=k).astype(float),
        "abandoned": np.bincount(interval[abandoned], minlength=k).astype(float),
        "waiting": np.bincount(interval[waiting], minlength=k).astype(float),
        "within": np.bincount(interval[within], minlength=k).astype(float),
        "wait_sum": np.bincount(interval[answered], weights=wait[answered], minlength=k),
        "on_phone_s": on_phone,
        "busy_s": busy,
    }


# --- the public entry point ----------------------------------------------------------------


def simulate(
    roster: pd.DataFrame,
    requirements: pd.DataFrame,
    replications: int = 20,
    seed: int = 0,
    patience_s: float | None = None,
    service: str = "exponential",
    absence_pct: float = 0.0,
    overdispersion: float = 0.0,
    target_s: float = 20.0,
    interval_min: int | None = None,
    cyclic: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate the roster against the requirements' call forecast, `replications` times.

    `roster`: frame with `start`, `end` (date-times) and `breaks` (text `start/end;start/end` or
    a list of (start, end) pairs) per agent-shift. `requirements`: frame with `timestamp`,
    `calls` (expected calls in the interval), `aht` (s); a `service_level` column (the plan) is
    carried into the summary for comparison. `patience_s`: mean caller patience (s) or None for
    callers who never hang up. `service`: "exponential" or "lognormal" (CV 1) talk times.
    `absence_pct`: chance (%) that an agent-shift is missing. `overdispersion`: variance of the
    gamma multiplier on each interval's call rate (0 = Poisson). `target_s`: the service-level
    threshold (s). `interval_min`: the interval length, by default the smallest step between
    timestamps. `cyclic`: the roster is a cyclic week as the scheduler makes it (shifts running
    past the end of the horizon also cover its start; see `roster_windows`); by default, when
    the horizon is whole days from midnight.
    `progress(done, total)` is called after each replication.

    Deterministic for a given `seed`: replication r uses the r-th child of
    `numpy.random.SeedSequence(seed)`.
    """
    if int(replications) < 1:
        raise InputError(f"replications = {replications!r}: expected a whole number >= 1")
    if service not in SERVICES:
        raise InputError(f"service = {service!r}: expected one of {', '.join(SERVICES)}")
    if not 0.0 <= float(absence_pct) < 100.0:
        raise InputError(f"absence = {absence_pct!r}: expected a percentage in [0, 100)")
    if not float(overdispersion) >= 0.0:
        raise InputError(f"overdispersion = {overdispersion!r}: expected a number >= 0")
    if not float(target_s) >= 0.0:
        raise InputError(f"target = {target_s!r}: expected seconds >= 0")
    if patience_s is not None and not float(patience_s) > 0:
        raise InputError(f"patience = {patience_s!r}: expected seconds > 0 or none")
    demand = _demand(requirements, interval_min)
    horizon_s = len(demand.calls) * demand.interval_s
    if cyclic is None:  # a cyclic roster only makes sense over whole days from midnight
        cyclic = demand.origin == demand.origin.normalize() and horizon_s % 86400 == 0
    notes = _overlap_notes(roster, demand, horizon_s, bool(cyclic))
    windows = roster_windows(roster, demand.origin, horizon_s if cyclic else None)
    cfg = _Settings(
        None if patience_s is None else float(patience_s),
        service,
        float(absence_pct),
        float(overdispersion),
        float(target_s),
    )
    children = np.random.SeedSequence(int(seed)).spawn(int(replications))
    runs = []
    for r, child in enumerate(children):
        runs.append(_replication(np.random.default_rng(child), demand, windows, cfg))
        if progress is not None:
            progress(r + 1, int(replications))
    intervals = _interval_frame(demand, runs)
    per_run = _runs_frame(runs)
    summary = _summary(demand, per_run, intervals, cfg, int(replications), int(seed))
    summary["cyclic"] = bool(cyclic)
    summary["notes"] = notes
    return SimulationResult(intervals=intervals, summary=summary, runs=per_run)


def _overlap_notes(roster: pd.DataFrame, demand: _Demand, horizon_s: float, cyclic: bool):
    """Warn when the roster's shifts lie outside the requirements' horizon."""
    if len(roster) == 0:
        return ["the roster has no shifts: nobody answers"]
    first, last = pd.to_datetime(roster["start"]).min(), pd.to_datetime(roster["end"]).max()
    end = demand.origin + pd.Timedelta(seconds=horizon_s)
    if last > demand.origin and first < end:
        return []
    where = f"roster {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}"
    horizon = f"requirements {demand.origin:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"
    if cyclic:
        return [f"{where} does not overlap the {horizon}: shifts moved by whole cycles (cyclic)"]
    return [f"{where} does not overlap the {horizon}: nobody answers"]


def _ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, scale * num / np.where(den > 0, den, 1.0), np.nan)


def _interval_frame(demand: _Demand, runs: list[dict]) -> pd.DataFrame:
    total = {key: np.sum([r[key] for r in runs], axis=0) for key in runs[0]}
    n = len(runs)
    offered = total["offered"] / n
    answered = total["answered"] / n
    abandoned = total["abandoned"] / n
    frame = pd.DataFrame(
        {
            "timestamp": demand.timestamps,
            "offered": offered,
            "answered": answered,
            "abandoned": abandoned,
            "service_level": _ratio(total["within"], total["offered"]),
            "asa": _ratio(total["wait_sum"], total["answered"]),
            "agents": total["on_phone_s"] / n / demand.interval_s,
            "waiting": total["waiting"] / n,
            "occupancy": _ratio(total["busy_s"], total["on_phone_s"]),
        }
    )
    for col in INTERVAL_COLUMNS[1:]:
        frame[col] = frame[col].astype(float).round(4)
    return frame.reset_index(drop=True)


def _runs_frame(runs: list[dict]) -> pd.DataFrame:
    tot = {key: np.array([r[key].sum() for r in runs]) for key in runs[0]}
    return pd.DataFrame(
        {
            "replication": np.arange(1, len(runs) + 1),
            "offered": tot["offered"],
            "answered": tot["answered"],
            "abandoned": tot["abandoned"],
            "waiting": tot["waiting"],
            "service_level": _ratio(tot["within"], tot["offered"]),
            "asa": _ratio(tot["wait_sum"], tot["answered"]),
            "abandon": _ratio(tot["abandoned"], tot["offered"]),
            "occupancy": _ratio(tot["busy_s"], tot["on_phone_s"]),
        }
    )


def _mean_ci(values: np.ndarray) -> dict:
    """Mean and 95% Student-t confidence interval of per-replication values."""
    values = np.asarray(values, float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return {"mean": None, "ci_low": None, "ci_high": None}
    mean = float(values.mean())
    if len(values) < 2:
        return {"mean": round(mean, 4), "ci_low": None, "ci_high": None}
    from scipy.special import stdtrit  # the Student t quantile; lighter than scipy.stats

    half = float(stdtrit(len(values) - 1, 0.975) * values.std(ddof=1) / math.sqrt(len(values)))
    return {
        "mean": round(mean, 4),
        "ci_low": round(mean - half, 4),
        "ci_high": round(mean + half, 4),
    }


def _summary(demand, runs: pd.DataFrame, intervals, cfg: _Settings, replications, seed) -> dict:
    summary: dict = {
        "replications": replications,
        "seed": seed,
        "target_s": cfg.target_s,
        "patience_s": cfg.patience_s,
        "service": cfg.service,
        "absence_pct": cfg.absence_pct,
        "overdispersion": cfg.overdispersion,
        "interval_min": demand.interval_s / 60.0,
        "start": demand.timestamps[0].isoformat(),
        "end": (demand.timestamps[-1] + pd.Timedelta(seconds=demand.interval_s)).isoformat(),
        "calls_forecast": round(float(demand.calls.sum()), 2),
        "calls_simulated": int(runs["offered"].sum()),
        "service_level_definition": SL_DEFINITION,
        "offered": _mean_ci(runs["offered"]),
        "service_level_pct": _mean_ci(100 * runs["service_level"]),
        "asa_s": _mean_ci(runs["asa"]),
        "abandon_pct": _mean_ci(100 * runs["abandon"]),
        "occupancy_pct": _mean_ci(100 * runs["occupancy"]),
        "waiting_at_end": round(float(intervals["waiting"].sum()), 2),
    }
    if demand.planned_sl is not None and np.nansum(demand.calls) > 0:
        mask = ~np.isnan(demand.planned_sl)
        if mask.any() and demand.calls[mask].sum() > 0:
            summary["planned_service_level_pct"] = round(
                100
                * float(
                    np.sum(demand.planned_sl[mask] * demand.calls[mask]) / demand.calls[mask].sum()
                ),
                4,
            )
    busy = intervals[intervals["offered"] >= 1.0]
    worst = busy.sort_values(["service_level", "timestamp"], kind="stable").head(WORST_INTERVALS)
    rows = []
    for idx, row in worst.iterrows():
        item = {
            "timestamp": row["timestamp"].strftime("%Y-%m-%dT%H:%M:%S"),
            "offered": round(float(row["offered"]), 2),
            "service_level_pct": round(100 * float(row["service_level"]), 2),
            "asa": None if pd.isna(row["asa"]) else round(float(row["asa"]), 1),
            "abandoned": round(float(row["abandoned"]), 2),
            "agents": round(float(row["agents"]), 2),
        }
        if demand.planned_sl is not None and not np.isnan(demand.planned_sl[idx]):
            item["planned_service_level_pct"] = round(100 * float(demand.planned_sl[idx]), 2)
        rows.append(item)
    summary["worst_intervals"] = rows
    return summary


# --- reading and rendering for the command line --------------------------------------------


def assumed_absence(requirements: pd.DataFrame) -> tuple[float, str]:
    """The absence (percent of agent-shifts missing) to simulate when none is given: the
    plan's shrinkage when the requirements carry it (`staff` vs `agents`, see
    `planner.staffing.implied_shrinkage`), as `planner run` simulates; else 0. Returns the
    percentage and a sentence saying where it came from."""
    from planner.staffing import implied_shrinkage

    implied = implied_shrinkage(requirements)
    if implied is None:
        return (
            0.0,
            "absence 0%: the requirements carry no staff and agents columns to imply a shrinkage",
        )
    return implied.pct, (
        f"absence {implied.pct:g}% = the plan's shrinkage, implied by the requirements' staff vs "
        f"agents: {implied.describe()}"
    )


def simulate_files(
    roster_path: str | os.PathLike,
    requirements_path: str | os.PathLike,
    absence_pct: float | None = None,
    **options,
) -> SimulationResult:
    """`simulate` over a Roster CSV and a Requirements CSV (what `planner simulate` runs).
    `absence_pct=None`: the plan's shrinkage when the requirements imply one (see
    `assumed_absence`); the summary's `absence_assumed` says what was used and why."""
    if str(roster_path) == "-" and str(requirements_path) == "-":
        raise InputError("--roster - and --requirements -: only one of them can read stdin")
    requirements = load_requirements(requirements_path)
    roster = load_roster(roster_path)
    if absence_pct is None:
        absence_pct, why = assumed_absence(requirements)
    else:
        why = f"absence {float(absence_pct):g}% as given"
    result = simulate(roster, requirements, absence_pct=absence_pct, **options)
    result.summary["absence_assumed"] = why
    return result


def _fmt_ci(item: dict, unit: str, digits: int = 1, scale: float = 1.0) -> str:
    if item["mean"] is None:
        return "n/a"
    text = f"{scale * item['mean']:.{digits}f}{unit}"
    if item["ci_low"] is not None:
        low, high = scale * item["ci_low"], scale * item["ci_high"]
        text += f"  (95% CI {low:.{digits}f}-{high:.{digits}f}{unit})"
    return text


def summary_text(summary: dict) -> str:
    """The summary as a few human-readable lines."""
    patience = "none" if summary["patience_s"] is None else f"{summary['patience_s']:g} s"
    lines = [
        f"Simulated {summary['start']} to {summary['end']}: {summary['replications']} "
        f"replication{'s' if summary['replications'] != 1 else ''} (seed {summary['seed']}), "
        f"{summary['service']} talk times, patience "
        f"{patience}, absence {summary['absence_pct']:g}%",
        f"  calls offered     {_fmt_ci(summary['offered'], '', 0)}  "
        f"(forecast {summary['calls_forecast']:,.0f})",
        f"  service level     {_fmt_ci(summary['service_level_pct'], '%')} answered within "
        f"{summary['target_s']:g} s",
    ]
    if "planned_service_level_pct" in summary:
        planned = summary["planned_service_level_pct"]
        lines.append(f"  planned SL        {planned:.1f}% (requirements, calls-weighted)")
    lines += [
        f"  ASA               {_fmt_ci(summary['asa_s'], ' s')}",
        f"  abandoned         {_fmt_ci(summary['abandon_pct'], '%', 2)}",
        f"  occupancy         {_fmt_ci(summary['occupancy_pct'], '%')}",
    ]
    if "absence_assumed" in summary:
        lines.append(f"  assumed: {summary['absence_assumed']}")
    if summary["waiting_at_end"] > 0:
        lines.append(f"  still queued at the end: {summary['waiting_at_end']:.1f} calls")
    lines += [f"  note: {note}" for note in summary.get("notes", [])]
    if summary["worst_intervals"]:
        lines.append("  worst intervals (service level %, ASA s, offered, agents on phones):")
        for row in summary["worst_intervals"]:
            asa = "n/a" if row["asa"] is None else f"{row['asa']:.0f} s"
            plan = (
                f"  planned {row['planned_service_level_pct']:.1f}%"
                if "planned_service_level_pct" in row
                else ""
            )
            lines.append(
                f"    {row['timestamp']}  SL {row['service_level_pct']:5.1f}%  ASA {asa:>6}  "
                f"offered {row['offered']:6.1f}  agents {row['agents']:5.1f}{plan}"
            )
    return "\n".join(lines) + "\n"


def result_json(result: SimulationResult) -> str:
    """`{"summary": ..., "intervals": [...]}` as deterministic JSON text."""
    import json

    records = json.loads(io.frame_to_json(result.intervals))
    return io.to_json({"summary": result.summary, "intervals": records})


def emit_result(result: SimulationResult, output: str, fmt: str, quiet: bool = False) -> None:
    """Write a simulation for `planner simulate`: csv = the intervals (summary on stderr unless
    `quiet`); json = {"summary", "intervals"}; table = the summary then the intervals table."""
    from planner import report

    if fmt == "json":
        io.write_text(output, result_json(result))
    elif fmt == "table":
        text = summary_text(result.summary) + "\n"
        text += report.render_table(result.intervals, "Simulated intervals (means)")
        io.write_text(output, text)
    else:
        io.write_text(output, io.frame_to_csv(result.intervals))
        if not quiet:
            sys.stderr.write(summary_text(result.summary))
