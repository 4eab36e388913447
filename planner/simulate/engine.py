"""The queue engine: a multi-server FCFS recursion with reneging over time-varying agent
windows, and one replication of the week (arrivals, talk times, patience, absence)."""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass

import numpy as np

from planner.simulate.inputs import Demand

_LOGNORMAL_SIGMA2 = math.log(2.0)  # CV = 1: sigma^2 = ln(1 + CV^2)


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
class ReplicationSettings:
    """The options one replication runs with (times in s, percentages 0..100)."""

    patience_s: float | None
    service: str
    absence_pct: float
    overdispersion: float
    target_s: float


def run_replication(
    rng: np.random.Generator, demand: Demand, windows: list, cfg: ReplicationSettings
) -> dict:
    """One replication of the queue over `demand` with the agents' on-phone `windows`."""
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
