"""Queueing maths for staffing: Erlang B, Erlang C and Erlang A, vectorised with numpy.

Everything broadcasts over numpy arrays; times are in seconds; service levels are fractions
(0.8 = 80%). The offered load (traffic) in Erlangs is ``A = calls * aht / interval``.

Exactness. Nothing here forms ``A**N / N!``. Erlang B is the Poisson ratio

    B(N, A) = p(N; A) / P(X <= N; A) = p(N; A) / Q(N + 1, A)

with ``Q`` the regularised upper incomplete gamma function (``scipy.special.gammaincc``) and the
Poisson term ``log p = N log A - A - lgamma(N + 1)`` computed in logs with a Stirling split that
does not lose digits when N and A are in the thousands. Where ``Q`` would underflow (N far below
A) the exact finite series ``1/B = sum_j N!/((N-j)! A^j)`` is summed instead. The result equals
the textbook recursion ``B(0)=1, B(n) = A B(n-1) / (n + A B(n-1))`` to ~1e-12 relative from 0.1
to 10,000 Erlangs (tests compare it with 50-digit decimal arithmetic).

Fractional agents. The same formula is defined for real N (Jagerman's continuous extension of
Erlang B, through the incomplete gamma function); Erlang C and the service level follow from it
and are smooth and increasing in N. ``agents_needed(..., fractional="continuous")`` returns the
real N at which the target is met exactly on that curve (bisection); ``fractional=True`` uses
the calculators' convention, linear interpolation of the service level between N-1 and N
(it reproduces turbotab's published 10.285163130544403 agents).

Erlang A (M/M/N+M: exponential patience with mean ``patience`` s) uses the exact formulas of
Mandelbaum & Zeltyn, "The M/M/n+G queue: summary of performance measures" (special case of
exponential patience), written with the confluent series ``F(a, y) = 1F1(1; a + 1; y)`` so that
they stay finite as patience grows (they tend to Erlang C). See :func:`erlang_a` for the
definitions of service level and ASA used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from planner.errors import InputError

_LOG_TINY = -650.0  # below this a probability is treated as zero
_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)


# ---------------------------------------------------------------------------------------------
# numerical kernels


def _stirling_error(a: np.ndarray) -> np.ndarray:
    """lgamma(a + 1) - [(a + 1/2) log a - a + log sqrt(2 pi)], accurate for a > 0."""
    a = np.asarray(a, dtype=float)
    out = np.empty_like(a)
    big = a >= 15.0
    ab = a[big]
    inv = 1.0 / ab
    inv2 = inv * inv
    out[big] = inv * (
        1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 / 1188)))
    )
    small = ~big
    asm = a[small]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[small] = special.gammaln(asm + 1.0) - ((asm + 0.5) * np.log(asm) - asm + _HALF_LOG_2PI)
    return out


def _log_poisson(n: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log(x**n * exp(-x) / Gamma(n + 1)) for real n >= 0, x > 0, without cancellation.

    Uses n log x - x - lgamma(n+1) = n (log1p(d) - d) - log sqrt(2 pi n) - stirling_error(n),
    d = (x - n) / n, so that no two numbers of size ~n are subtracted.
    """
    n, x = np.broadcast_arrays(np.asarray(n, dtype=float), np.asarray(x, dtype=float))
    out = np.empty(n.shape, dtype=float)
    pos = n > 0
    npos, xpos = n[pos], x[pos]
    d = (xpos - npos) / npos
    near = np.abs(d) < 0.5  # Stirling split where n log x and x + lgamma(n+1) nearly cancel
    res = np.empty(npos.shape, dtype=float)
    nn, dn = npos[near], d[near]
    res[near] = nn * (np.log1p(dn) - dn) - 0.5 * np.log(nn) - _HALF_LOG_2PI - _stirling_error(nn)
    far = ~near
    with np.errstate(divide="ignore"):
        res[far] = special.xlogy(npos[far], xpos[far]) - xpos[far] - special.gammaln(npos[far] + 1)
    out[pos] = res
    out[~pos] = -x[~pos]
    return out


def _log_erlang_b(traffic: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """log B(N, A) for A > 0, N >= 0 (arrays already broadcast, float)."""
    a, n = traffic, agents
    log_pmf = _log_poisson(n, a)
    q = special.gammaincc(n + 1.0, a)  # P(X <= N) for Poisson(A); real N allowed
    out = np.empty(a.shape, dtype=float)
    ok = q > 1e-280
    out[ok] = log_pmf[ok] - np.log(q[ok])
    bad = ~ok
    if bad.any():
        # N far below A: 1/B = sum_{j>=0} prod_{i<j} (N - i) / A, ratio <= N/A < 1.
        nb, ab = n[bad], a[bad]
        total = np.ones_like(nb)
        term = np.ones_like(nb)
        for j in range(int(np.max(nb)) + 1):
            term = term * np.maximum(nb - j, 0.0) / ab
            total += term
            if not np.any(term > 1e-17 * total):
                break
        out[bad] = -np.log(total)
    return out


def _log_f(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log F(a, y), F(a, y) = 1F1(1; a+1; y) = sum_k y^k / ((a+1)...(a+k)), a >= 0, y >= 0.

    F(a, y) = Gamma(a+1) e^y y^-a P(a, y) (P = regularised lower incomplete gamma); where P
    underflows (y far below a) the series converges geometrically and is summed directly.
    """
    a, y = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(y, dtype=float))
    out = np.zeros(a.shape, dtype=float)
    live = y > 0
    a_l, y_l = a[live], y[live]
    res = np.empty(a_l.shape, dtype=float)
    zero_a = a_l <= 0
    res[zero_a] = y_l[zero_a]  # F(0, y) = e^y
    pa = np.where(zero_a, 1.0, a_l)
    p = special.gammainc(pa, y_l)
    use_gamma = (~zero_a) & (p > 1e-200)
    res[use_gamma] = np.log(p[use_gamma]) - _log_poisson(pa[use_gamma], y_l[use_gamma])
    series = (~zero_a) & ~use_gamma
    if series.any():
        aa, yy = a_l[series], y_l[series]
        total = np.ones_like(aa)
        term = np.ones_like(aa)
        k = 0
        while True:
            k += 1
            term = term * yy / (aa + k)
            total += term
            if not np.any(term > 1e-17 * total) or k > 1_000_000:
                break
        res[series] = np.log(total)
    out[live] = res
    return out


def _arrays(*values):
    return np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))


def _check_nonneg(name: str, value: np.ndarray) -> None:
    if np.any(np.isnan(value)) or np.any(value < 0):
        raise InputError(f"{name} must be >= 0 and a number, got {_first_bad(value)}")


def _first_bad(value: np.ndarray):
    flat = np.ravel(value)
    bad = np.isnan(flat) | (flat < 0)
    return flat[bad][0] if bad.any() else flat[0]


def traffic(calls, aht, interval=1800.0) -> np.ndarray:
    """Offered load in Erlangs: calls * aht / interval (aht and interval in seconds)."""
    calls, aht, interval = _arrays(calls, aht, interval)
    _check_nonneg("calls", calls)
    _check_nonneg("aht", aht)
    if np.any(interval <= 0):
        raise InputError(f"interval must be > 0 seconds, got {np.ravel(interval)[0]}")
    return calls * aht / interval


# ---------------------------------------------------------------------------------------------
# Erlang B and C


def erlang_b(traffic, agents) -> np.ndarray:
    """Blocking probability of M/M/N/N with offered load `traffic` (Erlangs) and N `agents`.

    Equals the recursion B(0)=1, B(n) = A B(n-1)/(n + A B(n-1)); real N gives the continuous
    extension. B = 0 when A = 0 (and N > 0), B = 1 when N = 0.
    """
    a, n = _arrays(traffic, agents)
    _check_nonneg("traffic", a)
    _check_nonneg("agents", n)
    out = np.where(n == 0, 1.0, 0.0)
    live = (a > 0) & (n > 0)
    if live.any():
        out[live] = np.exp(_log_erlang_b(a[live], n[live]))
    return out[()] if out.ndim == 0 else out


def erlang_c(traffic, agents) -> np.ndarray:
    """Probability that a call waits (M/M/N), C = N B / (N - A (1 - B)); 1 when N <= A > 0."""
    a, n = _arrays(traffic, agents)
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
    calls, aht, agents, target, interval = _arrays(calls, aht, agents, target, interval)
    _check_nonneg("target", target)
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
    calls, aht, agents, interval = _arrays(calls, aht, agents, interval)
    a = traffic(calls, aht, interval)
    c = np.asarray(erlang_c(a, agents), dtype=float)
    out = np.full(a.shape, np.inf)
    out[a == 0] = 0.0
    stable = (agents > a) & (a > 0)
    out[stable] = c[stable] * aht[stable] / (agents[stable] - a[stable])
    return out[()] if out.ndim == 0 else out


def occupancy(calls, aht, agents, interval=1800.0) -> np.ndarray:
    """Share of agents' time on calls = A / N, capped at 1 (N <= A); 0 when there is no load."""
    calls, aht, agents, interval = _arrays(calls, aht, agents, interval)
    a = traffic(calls, aht, interval)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(a > 0, np.minimum(a / np.where(agents > 0, agents, 1.0), 1.0), 0.0)
    out = np.where((agents == 0) & (a > 0), 1.0, out)
    return out[()] if out.ndim == 0 else out


def _check_targets(sl, target, asa_target, max_occupancy, max_abandon=None, model="C") -> None:
    if sl is not None:
        sl_arr, t_arr = _arrays(sl, target)
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


def _search_min(
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


def _sqrt_staffing_guess(a, sl, target, aht) -> np.ndarray:
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
    calls, aht, interval = _arrays(calls, aht, interval)
    if sl is None and asa_target is None and max_occupancy is None:
        raise InputError("no target given: give a service level, an ASA or a max occupancy")
    _check_targets(sl, target, asa_target, max_occupancy)
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
        b = np.exp(_log_erlang_b(av, n))  # n > av always: the search starts at floor(A) + 1
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
        guess = _sqrt_staffing_guess(a, sl_f, t_f, aht_f)
        if occ_f is not None:
            guess = np.maximum(guess, np.ceil(a / occ_f - 1e-9))
    n_int = _search_min(meets, lo, active, step, guess).astype(float)
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
    calls, aht, agents, target, patience, interval = _arrays(
        calls, aht, agents, target, patience, interval
    )
    _check_nonneg("target", target)
    if np.any(np.isnan(patience)) or np.any(patience <= 0):
        raise InputError(f"patience must be > 0 seconds, got {np.ravel(patience)[0]:g}")
    _check_nonneg("agents", agents)
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
        log_f = _log_f(s, y)
        log_b = _log_erlang_b(A, n)
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
            + _log_f(s + 1.0, y * decay)
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
    calls, aht, patience, interval = _arrays(calls, aht, patience, interval)
    if sl is None and asa_target is None and max_occupancy is None and max_abandon is None:
        raise InputError("no target given: give a service level, ASA, occupancy or abandonment")
    _check_targets(sl, target, asa_target, max_occupancy, max_abandon)
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
        guess = _sqrt_staffing_guess(a, sl_f, t_f, aht_f)
    n = _search_min(meets, lo, active, step, guess).astype(float)
    n[~active] = 0.0
    return n.reshape(shape)[()] if shape == () else n.reshape(shape)


# ---------------------------------------------------------------------------------------------
# shrinkage


def staff_for_shrinkage(agents, shrinkage_pct) -> np.ndarray:
    """Staff to schedule so that `agents` remain on the phones after `shrinkage_pct` percent.

    staff = ceil(agents / (1 - s)) in exact rational arithmetic (the percentage is read as the
    decimal it is written as), so no agent is lost to float rounding: 63 agents at 30% is 90
    staff, and staff * (1 - s) >= agents always. Fractional agents are first rounded up.
    """
    from fractions import Fraction

    pct = Fraction(str(shrinkage_pct)) if not isinstance(shrinkage_pct, Fraction) else shrinkage_pct
    if pct < 0 or pct >= 100:
        raise InputError(f"shrinkage must be at least 0% and below 100%, got {float(pct):g}%")
    agents = np.asarray(agents, dtype=float)
    if np.any(np.isnan(agents)) or np.any(agents < 0):
        raise InputError("agents must be >= 0")
    whole = np.ceil(agents - 1e-9).astype(np.int64)
    num = 100 * pct.denominator
    den = 100 * pct.denominator - pct.numerator
    staff = -((-whole * num) // den)
    return staff
