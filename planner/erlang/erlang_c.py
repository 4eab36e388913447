"""Erlang B and C (M/M/N, no abandonment): blocking, waiting probability, service level, ASA,
occupancy, and the smallest agents meeting a target."""

from __future__ import annotations

import numpy as np
from scipy import special

from planner.erlang.kernels import (
    as_float_arrays,
    check_nonnegative,
    log_erlang_b,
    traffic,
)
from planner.errors import InputError

# ---------------------------------------------------------------------------------------------
# Erlang B and C


def erlang_b(traffic, agents) -> np.ndarray:
    """Blocking probability of M/M/N/N with offered load `traffic` (Erlangs) and N `agents`.

    Equals the recursion B(0)=1, B(n) = A B(n-1)/(n + A B(n-1)); real N gives the continuous
    extension. B = 0 when A = 0 (and N > 0), B = 1 when N = 0.
    """
    a, n = as_float_arrays(traffic, agents)
    check_nonnegative("traffic", a)
    check_nonnegative("agents", n)
    out = np.where(n == 0, 1.0, 0.0)
    live = (a > 0) & (n > 0)
    if live.any():
        out[live] = np.exp(log_erlang_b(a[live], n[live]))
    return out[()] if out.ndim == 0 else out


def erlang_c(traffic, agents) -> np.ndarray:
    """Probability that a call waits (M/M/N), C = N B / (N - A (1 - B)); 1 when N <= A > 0."""
    a, n = as_float_arrays(traffic, agents)
    b = np.asarray(erlang_b(a, n), dtype=float)
    out = np.ones(np.broadcast(a, n).shape, dtype=float)
    out[a == 0] = 0.0
    stable = (n > a) & (a > 0)
    ns, as_, bs = n[stable], a[stable], b[stable]
    out[stable] = ns * bs / (ns - as_ * (1.0 - bs))
    return out[()] if out.ndim == 0 else out


def service_level(calls, aht, agents, target, interval=1800.0) -> np.ndarray:
    """Fraction of calls answered within `target` s: 1 - C exp(-(N - A) target / aht).

    0 when N <= A (the queue grows without bound); 1 when there are no calls.
    """
    calls, aht, agents, target, interval = as_float_arrays(calls, aht, agents, target, interval)
    check_nonnegative("target", target)
    a = traffic(calls, aht, interval)
    c = np.asarray(erlang_c(a, agents), dtype=float)
    out = np.zeros(a.shape, dtype=float)
    out[a == 0] = 1.0
    stable = (agents > a) & (a > 0)
    out[stable] = 1.0 - c[stable] * np.exp(
        -(agents[stable] - a[stable]) * target[stable] / aht[stable]
    )
    return out[()] if out.ndim == 0 else out


def asa(calls, aht, agents, interval=1800.0) -> np.ndarray:
    """Average speed of answer (mean wait, s) = C aht / (N - A); inf when N <= A; 0 if no calls."""
    calls, aht, agents, interval = as_float_arrays(calls, aht, agents, interval)
    a = traffic(calls, aht, interval)
    c = np.asarray(erlang_c(a, agents), dtype=float)
    out = np.full(a.shape, np.inf)
    out[a == 0] = 0.0
    stable = (agents > a) & (a > 0)
    out[stable] = c[stable] * aht[stable] / (agents[stable] - a[stable])
    return out[()] if out.ndim == 0 else out


def occupancy(calls, aht, agents, interval=1800.0) -> np.ndarray:
    """Share of agents' time on calls = A / N, capped at 1 (N <= A); 0 when there is no load."""
    calls, aht, agents, interval = as_float_arrays(calls, aht, agents, interval)
    a = traffic(calls, aht, interval)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(a > 0, np.minimum(a / np.where(agents > 0, agents, 1.0), 1.0), 0.0)
    out = np.where((agents == 0) & (a > 0), 1.0, out)
    return out[()] if out.ndim == 0 else out


def check_targets(sl, target, asa_target, max_occupancy, max_abandon=None, model="C") -> None:
    """Refuse targets outside their ranges (service level 0..1, target and ASA in s > 0,
    occupancy and abandonment fractions), naming the value; shared by Erlang C and A."""
    if sl is not None:
        sl_arr, t_arr = as_float_arrays(sl, target)
        if np.any(np.isnan(sl_arr)) or np.any(sl_arr < 0) or np.any(sl_arr > 1):
            raise InputError(
                f"service level must be a fraction between 0 and 1 (0.8 = 80%), got "
                f"{np.ravel(sl_arr)[0]:g}"
            )
        if np.any(sl_arr >= 1):
            raise InputError(
                "a service level of 100% cannot be met: in a queue some calls always wait "
                "(the probability only approaches 100% as agents grow without bound); "
                "use a target below 100%, e.g. 99%"
            )
        if np.any(np.isnan(t_arr)) or np.any(t_arr < 0):
            raise InputError(f"answer-time target must be >= 0 s, got {np.ravel(t_arr)[0]:g}")
    if asa_target is not None and (np.any(np.asarray(asa_target) <= 0)):
        raise InputError(
            "an ASA target of 0 s cannot be met: some calls always wait; give an ASA above 0 s"
        )
    if max_occupancy is not None:
        occ = np.asarray(max_occupancy, dtype=float)
        if np.any(np.isnan(occ)) or np.any(occ <= 0) or np.any(occ > 1):
            raise InputError(
                f"max occupancy must be a fraction in (0, 1] (0.85 = 85%), got {np.ravel(occ)[0]:g}"
            )
    if max_abandon is not None:
        ab = np.asarray(max_abandon, dtype=float)
        if np.any(np.isnan(ab)) or np.any(ab <= 0) or np.any(ab > 1):
            raise InputError(
                "max abandonment must be a fraction in (0, 1] (0.05 = 5%); 0% cannot be met "
                f"when callers have finite patience, got {np.ravel(ab)[0]:g}"
            )


def search_min_agents(
    ok, lo: np.ndarray, active: np.ndarray, step0: np.ndarray, guess: np.ndarray | None = None
) -> np.ndarray:
    """Smallest integer n >= lo with ok(n, mask) True, for every element where `active`.

    `ok(n, mask)` evaluates the (monotone) criterion for the elements selected by `mask` at the
    integer agent counts `n[mask]`. Vectorised over all elements at once: test a `guess` and
    guess - 1 (or `lo`), widen by doubling steps until every element is bracketed, bisect.
    Usually 2-3 evaluations with a good guess, about 2 log2(range) without.
    """
    lo = lo.astype(np.int64)
    bad = lo - 1  # largest n known to fail (lo - 1 stands for "nothing below lo")
    good = np.full(lo.shape, -1, dtype=np.int64)  # smallest n known to pass; -1 = none yet
    todo = active.copy()
    if not todo.any():
        return np.where(active, lo, 0)

    def probe(n: np.ndarray, where: np.ndarray) -> None:
        nonlocal bad, good
        if not where.any():
            return
        res = np.zeros_like(where)
        res[where] = ok(n[where], where)
        good = np.where(where & res & ((good < 0) | (n < good)), n, good)
        bad = np.where(where & ~res & (n > bad), n, bad)

    if guess is None:
        probe(lo, todo)
    else:
        g = np.maximum(guess.astype(np.int64), lo)
        probe(g, todo)
        probe(g - 1, todo & (g - 1 >= lo))
    step = np.maximum(step0.astype(np.int64), 1)
    for _ in range(64):
        open_ = todo & (good < 0)
        if not open_.any():
            break
        probe(bad + step, open_)
        step = step * 2
    open_ = todo & (good < 0)
    if open_.any():
        raise InputError(
            "the target cannot be met with any number of agents (search gave up past "
            f"{int(bad[open_].max())} agents); relax the service level or ASA target"
        )
    while True:
        gap = todo & (good - bad > 1)
        if not gap.any():
            break
        probe((good + bad) // 2, gap)
    return np.where(active, good, 0)


def sqrt_staffing_guess(a, sl, target, aht) -> np.ndarray:
    """Halfin-Whitt square-root staffing: N ~ A + beta sqrt(A), where beta solves
    1 - exp(-beta sqrt(A) T / aht) / (1 + beta Phi(beta) / phi(beta)) = sl (bisection)."""
    root = np.sqrt(a)
    lo_b, hi_b = np.zeros_like(a), np.full_like(a, 8.0)
    for _ in range(24):
        b = 0.5 * (lo_b + hi_b)
        ratio = special.ndtr(b) / np.exp(-0.5 * b * b) * np.sqrt(2 * np.pi)
        with np.errstate(invalid="ignore", divide="ignore"):  # zero-call intervals: aht 0/NaN
            slv = 1.0 - np.exp(-b * root * target / aht) / (1.0 + b * ratio)
        up = slv < sl
        lo_b = np.where(up, b, lo_b)
        hi_b = np.where(up, hi_b, b)
    return np.ceil(a + hi_b * root)


def agents_needed(
    calls,
    aht,
    sl=None,
    target=20.0,
    interval=1800.0,
    max_occupancy=None,
    asa_target=None,
    fractional: bool | str = False,
) -> np.ndarray:
    """Smallest number of agents meeting every given target (Erlang C), per element.

    `sl` is a fraction (0.8) answered within `target` s; `asa_target` a mean wait in s;
    `max_occupancy` a fraction (N >= A / max_occupancy). Zero-call elements need 0 agents.
    `fractional=True` returns a real N instead: the service level (and ASA) interpolated
    linearly between the whole agent counts N-1 and N (the convention of turbotab and most
    Erlang calculators), and at least A / max_occupancy. `fractional="continuous"` solves on
    the continuous Erlang C curve instead (see the module docstring). Raises InputError for targets no staffing can meet.
    """
    calls, aht, interval = as_float_arrays(calls, aht, interval)
    if sl is None and asa_target is None and max_occupancy is None:
        raise InputError("no target given: give a service level, an ASA or a max occupancy")
    check_targets(sl, target, asa_target, max_occupancy)
    a = traffic(calls, aht, interval)
    shape = a.shape
    a = a.ravel()
    aht_f = np.broadcast_to(aht, shape).ravel()
    sl_f = None if sl is None else np.broadcast_to(np.asarray(sl, float), shape).ravel()
    t_f = np.broadcast_to(np.asarray(target, float), shape).ravel()
    asa_f = (
        None
        if asa_target is None
        else np.broadcast_to(np.asarray(asa_target, float), shape).ravel()
    )
    occ_f = (
        None
        if max_occupancy is None
        else np.broadcast_to(np.asarray(max_occupancy, float), shape).ravel()
    )

    def meets(n: np.ndarray, mask: np.ndarray) -> np.ndarray:
        av, hv = a[mask], aht_f[mask]
        n = np.asarray(n, dtype=float)
        b = np.exp(log_erlang_b(av, n))  # n > av always: the search starts at floor(A) + 1
        c = n * b / (n - av * (1.0 - b))
        ok = n > av
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if sl_f is not None:
                slv = 1.0 - c * np.exp(-(n - av) * t_f[mask] / hv)
                ok &= slv >= sl_f[mask]
            if asa_f is not None:
                ok &= c * hv / (n - av) <= asa_f[mask]
            if occ_f is not None:
                ok &= av <= occ_f[mask] * n * (1 + 1e-12)
        return ok

    active = a > 0
    lo = np.floor(a) + 1
    step = np.ceil(np.sqrt(a)).clip(min=1)
    guess = None
    if sl_f is not None:
        guess = sqrt_staffing_guess(a, sl_f, t_f, aht_f)
        if occ_f is not None:
            guess = np.maximum(guess, np.ceil(a / occ_f - 1e-9))
    n_int = search_min_agents(meets, lo, active, step, guess).astype(float)
    n_int[~active] = 0.0
    if not fractional:
        return n_int.reshape(shape)[()] if shape == () else n_int.reshape(shape)
    if fractional == "continuous":
        # bisection on the continuous Erlang C curve between N-1 (fails) and N (meets)
        hi = n_int.copy()
        lo_f = np.maximum(n_int - 1.0, a)
        if occ_f is not None:
            lo_f = np.where(active, np.maximum(lo_f, a / occ_f * (1 - 1e-15)), lo_f)
        for _ in range(60):
            mid = 0.5 * (lo_f + hi)
            res = np.zeros_like(active)
            res[active] = meets(mid[active], active)
            hi = np.where(active & res, mid, hi)
            lo_f = np.where(active & ~res, mid, lo_f)
        out = np.where(active, hi, 0.0)
    else:
        # linear interpolation between N-1 and N of each measure that is targeted
        out = n_int.copy()
        m = active
        nm1 = n_int[m] - 1.0
        av, hv = a[m], aht_f[m]
        frac = np.zeros(av.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            if sl_f is not None:
                s0 = np.asarray(service_level(av, hv, nm1, t_f[m], hv), float)
                s1 = np.asarray(service_level(av, hv, n_int[m], t_f[m], hv), float)
                f = np.where(s0 >= sl_f[m], 0.0, (sl_f[m] - s0) / (s1 - s0))
                frac = np.maximum(frac, f)
            if asa_f is not None:
                q0 = np.asarray(asa(av, hv, nm1, hv), float)
                q1 = np.asarray(asa(av, hv, n_int[m], hv), float)
                f = np.where(np.isinf(q0), 1.0, (q0 - asa_f[m]) / (q0 - q1))
                frac = np.maximum(frac, np.where(q0 <= asa_f[m], 0.0, f))
        x = nm1 + np.clip(frac, 0.0, 1.0)
        if occ_f is not None:
            x = np.maximum(x, av / occ_f[m])
        out[m] = x
    return out.reshape(shape)[()] if shape == () else out.reshape(shape)
