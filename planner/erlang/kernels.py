"""Numerical kernels of the queueing maths: Erlang B in logs, the confluent series, and the
argument checks shared by Erlang C and Erlang A (see the package docstring for the maths)."""

from __future__ import annotations

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


def log_erlang_b(traffic: np.ndarray, agents: np.ndarray) -> np.ndarray:
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


def log_hypergeometric_f(a: np.ndarray, y: np.ndarray) -> np.ndarray:
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


def as_float_arrays(*values):
    """The arguments as float arrays broadcast to one shape."""
    return np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))


def check_nonnegative(name: str, value: np.ndarray) -> None:
    """Refuse NaN or negative values of the parameter `name` (InputError)."""
    if np.any(np.isnan(value)) or np.any(value < 0):
        raise InputError(f"{name} must be >= 0 and a number, got {_first_bad(value)}")


def _first_bad(value: np.ndarray):
    flat = np.ravel(value)
    bad = np.isnan(flat) | (flat < 0)
    return flat[bad][0] if bad.any() else flat[0]


def traffic(calls, aht, interval=1800.0) -> np.ndarray:
    """Offered load in Erlangs: calls * aht / interval (aht and interval in seconds)."""
    calls, aht, interval = as_float_arrays(calls, aht, interval)
    check_nonnegative("calls", calls)
    check_nonnegative("aht", aht)
    if np.any(interval <= 0):
        raise InputError(f"interval must be > 0 seconds, got {np.ravel(interval)[0]}")
    return calls * aht / interval
