"""Erlang A (M/M/N+M: callers abandon after an exponential patience): service level, ASA,
abandonment, and the smallest agents meeting a target."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.erlang.erlang_c import check_targets, search_min_agents, sqrt_staffing_guess
from planner.erlang.kernels import (
    as_float_arrays,
    check_nonnegative,
    log_erlang_b,
    log_hypergeometric_f,
    traffic,
)
from planner.errors import InputError

# ---------------------------------------------------------------------------------------------
# Erlang A


@dataclass(frozen=True)
class ErlangAResult:
    """Erlang A (M/M/N+M) measures, arrays broadcast from the inputs.

    p_wait: probability an arriving call has to wait (all agents busy).
    service_level: fraction of OFFERED calls answered within the target: answered at once, or
        answered after a wait of at most `target` s without abandoning first. Abandoned calls
        count as not answered in time (the conservative definition).
    abandon: fraction of offered calls that hang up before an agent answers.
    asa: average speed of answer, s: mean wait of the ANSWERED calls (E[W | served]); inf when
        no agent is on; tends to the Erlang C ASA as patience grows.
    occupancy: carried load / agents = A (1 - abandon) / N.
    mean_wait: mean wait in s of all offered calls, answered or abandoned (= abandon * patience,
        exact for exponential patience).
    """

    p_wait: np.ndarray
    service_level: np.ndarray
    abandon: np.ndarray
    asa: np.ndarray
    occupancy: np.ndarray
    mean_wait: np.ndarray


def _answered_wait_ratio(s: np.ndarray, y: np.ndarray, max_terms: int = 20_000):
    """R = sum_j w_j s/(s+j+1) (psi(s+j+2) - psi(s+1)) / sum_j w_j, w_j = y^j/((s+1)...(s+j)),
    so that E[W; served] = P(wait) R / theta. Returns (R, converged)."""
    term = np.ones_like(s)
    harm = 1.0 / (s + 1.0)
    total = np.ones_like(s)
    acc = s / (s + 1.0) * harm
    done = np.zeros(s.shape, dtype=bool)
    peak = y - s  # terms grow until j passes y - s
    for j in range(1, max_terms + 1):
        term = term * y / (s + j)
        harm = harm + 1.0 / (s + j + 1.0)
        total = total + term
        acc = acc + term * (s / (s + j + 1.0)) * harm
        big = total > 1e200
        if big.any():
            term, total, acc = (np.where(big, v * 1e-200, v) for v in (term, total, acc))
        done |= (j > peak) & (term <= 1e-17 * total)
        if done.all():
            break
    return acc / total, done


def erlang_a(
    calls, aht, agents, target, patience, interval=1800.0, with_asa: bool = True
) -> ErlangAResult:
    """Exact M/M/N+M measures (Mandelbaum & Zeltyn), vectorised; see `ErlangAResult`.

    With lambda = calls/interval, mu = 1/aht, theta = 1/patience, s = N mu/theta, y = lambda/theta
    and F(a, y) = 1F1(1; a+1; y):
      P(wait) = 1 / (1 + (1/B(N, A) - 1) / F(s, y))
      P(abandon | wait) = 1 - (N/A) (1 - 1/F(s, y))
      P(answered after waiting > t) = P(wait) s/(s+1) exp(lambda H(t) - (N mu + theta) t)
                                      F(s+1, y e^{-theta t}) / F(s, y),  H(t) = (1 - e^{-theta t})/theta
      SL(t) = 1 - P(abandon) - P(answered after waiting > t).
    ASA of answered calls: a caller who finds j callers waiting is answered with probability
    s/(s+j+1) after a mean (1/theta) sum_{k=1}^{j+1} 1/(s+k) given that it is answered, and finds
    j waiting with probability proportional to y^j / ((s+1)...(s+j)); the sum over j is carried
    until it converges (for patience so long that it needs over 20,000 terms, the answered
    calls' ASA is taken as mean_wait / P(answered), which has the same Erlang C limit).
    """
    calls, aht, agents, target, patience, interval = as_float_arrays(
        calls, aht, agents, target, patience, interval
    )
    check_nonnegative("target", target)
    if np.any(np.isnan(patience)) or np.any(patience <= 0):
        raise InputError(f"patience must be > 0 seconds, got {np.ravel(patience)[0]:g}")
    check_nonnegative("agents", agents)
    a = traffic(calls, aht, interval)
    shape = a.shape
    p_wait = np.zeros(shape)
    sl = np.ones(shape)
    ab = np.zeros(shape)
    occ = np.zeros(shape)
    live = a > 0
    none = live & (agents == 0)
    p_wait[none], sl[none], ab[none] = 1.0, 0.0, 1.0
    m = live & (agents > 0)
    if m.any():
        A, n, h, t, pat = a[m], agents[m], aht[m], target[m], patience[m]
        theta = 1.0 / pat
        lam = A / h
        s = n * pat / h
        y = A * pat / h
        log_f = log_hypergeometric_f(s, y)
        log_b = log_erlang_b(A, n)
        # 1/B - 1 in logs: log(expm1(-log B)); -log B >= 0
        log_inv_b_m1 = np.log(-np.expm1(log_b)) - log_b
        pw = 1.0 / (1.0 + np.exp(np.minimum(log_inv_b_m1 - log_f, 700.0)))
        ab_w = 1.0 - (n / A) * (-np.expm1(-log_f))
        ab_w = np.clip(ab_w, 0.0, 1.0)
        pab = pw * ab_w
        decay = np.exp(-theta * t)
        h_t = -np.expm1(-theta * t) / theta
        log_tail = (
            np.log(s / (s + 1.0))
            + lam * h_t
            - (n / h + theta) * t
            + log_hypergeometric_f(s + 1.0, y * decay)
            - log_f
        )
        late = pw * np.exp(np.minimum(log_tail, 0.0))
        p_wait[m] = pw
        ab[m] = pab
        sl[m] = np.clip(1.0 - pab - late, 0.0, 1.0)
        occ[m] = np.minimum(A * (1.0 - pab) / n, 1.0)
    asa_v = ab * patience
    asa_ans = np.zeros(shape)
    asa_ans[none] = np.inf
    if with_asa and m.any():
        pw, pab = p_wait[m], ab[m]
        ratio, ok = _answered_wait_ratio(s, y)
        served = 1.0 - pab
        with np.errstate(divide="ignore", invalid="ignore"):
            exact = pw * ratio * pat / served
            approx = asa_v[m] / served
        asa_ans[m] = np.where(served > 0, np.where(ok, exact, approx), np.inf)
    return ErlangAResult(
        p_wait=_out(p_wait),
        service_level=_out(sl),
        abandon=_out(ab),
        asa=_out(asa_ans),
        occupancy=_out(occ),
        mean_wait=_out(asa_v),
    )


def _out(x: np.ndarray):
    return x[()] if x.ndim == 0 else x


def agents_needed_a(
    calls,
    aht,
    sl=None,
    target=20.0,
    patience=120.0,
    interval=1800.0,
    max_occupancy=None,
    asa_target=None,
    max_abandon=None,
) -> np.ndarray:
    """Smallest whole number of agents meeting every given target under Erlang A.

    Targets as in `agents_needed`, plus `max_abandon` (fraction of offered calls). Because
    callers abandon, this may be fewer agents than the offered load. Zero calls → 0 agents.
    """
    calls, aht, patience, interval = as_float_arrays(calls, aht, patience, interval)
    if sl is None and asa_target is None and max_occupancy is None and max_abandon is None:
        raise InputError("no target given: give a service level, ASA, occupancy or abandonment")
    check_targets(sl, target, asa_target, max_occupancy, max_abandon)
    a = traffic(calls, aht, interval)
    shape = a.shape
    a = a.ravel()
    calls_f = np.broadcast_to(calls, shape).ravel()
    aht_f = np.broadcast_to(aht, shape).ravel()
    pat_f = np.broadcast_to(patience, shape).ravel()
    int_f = np.broadcast_to(interval, shape).ravel()
    t_f = np.broadcast_to(np.asarray(target, float), shape).ravel()

    def col(v):
        return None if v is None else np.broadcast_to(np.asarray(v, float), shape).ravel()

    sl_f, asa_f, occ_f, ab_f = col(sl), col(asa_target), col(max_occupancy), col(max_abandon)

    def meets(n: np.ndarray, mask: np.ndarray) -> np.ndarray:
        r = erlang_a(
            calls_f[mask],
            aht_f[mask],
            n,
            t_f[mask],
            pat_f[mask],
            int_f[mask],
            with_asa=asa_f is not None,
        )
        ok = np.ones(n.shape, dtype=bool)
        if sl_f is not None:
            ok &= np.asarray(r.service_level) >= sl_f[mask]
        if asa_f is not None:
            ok &= np.asarray(r.asa) <= asa_f[mask]
        if occ_f is not None:
            ok &= np.asarray(r.occupancy) <= occ_f[mask] * (1 + 1e-12)
        if ab_f is not None:
            ok &= np.asarray(r.abandon) <= ab_f[mask]
        return ok

    active = a > 0
    # Erlang A may need fewer agents than the load: search from 1 agent, first probing the
    # Erlang C square-root-staffing guess (usually close above the answer), then bisecting.
    lo = np.ones_like(a)
    step = np.ceil(np.sqrt(a)).clip(min=1)
    guess = None
    if sl_f is not None:
        guess = sqrt_staffing_guess(a, sl_f, t_f, aht_f)
    n = search_min_agents(meets, lo, active, step, guess).astype(float)
    n[~active] = 0.0
    return n.reshape(shape)[()] if shape == () else n.reshape(shape)
