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

from planner.erlang.erlang_a import ErlangAResult, agents_needed_a, erlang_a
from planner.erlang.erlang_c import (
    agents_needed,
    asa,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
)
from planner.erlang.kernels import traffic
from planner.erlang.shrinkage import staff_for_shrinkage

__all__ = [
    "ErlangAResult",
    "agents_needed",
    "agents_needed_a",
    "asa",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
    "staff_for_shrinkage",
    "traffic",
]
