"""planner.erlang against published values, exact arithmetic and queueing laws.

Golden cases: `tests/fixtures/erlang_c_reference.csv` is a verbatim copy of the team's shared
reference file `../shared/benchmarks/erlang/erlang_c_reference.csv` (see its README there):
published Erlang C / B values from cran/ErlangC, rodrigo-arenas/pyworkforce, josimar-jr/ErlangC,
PyPI call-center-tools 1.0.0 and turbotab 0.8.0, plus large-load consensus cases L01-L07. The
`pub_*` columns are the sources' numbers (checked within the source's own tolerance), the
`chk_*` columns a 50-digit recomputation (checked to their printed rounding).
"""

from __future__ import annotations

import csv
import math
import re
from decimal import Decimal, getcontext
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from planner import erlang
from planner.errors import InputError

FIXTURE = Path(__file__).parent / "fixtures" / "erlang_c_reference.csv"
ROWS = list(csv.DictReader(FIXTURE.open(encoding="utf-8")))


def _f(row, key):
    return None if row[key] == "" else float(row[key])


def _rounding(text: str) -> float:
    """Half a unit in the last printed decimal place of `text`."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


def _published_tol(row, text: str) -> float:
    stated = row["published_tolerance"]
    m = re.match(r"^\s*([0-9.eE-]+)", stated)
    # at least 1e-9 relative: values printed to 15+ digits carry the source's float noise
    # (testthat's own default tolerance is 1.5e-8)
    tol = max(_rounding(text), 1e-9 * abs(float(text)))
    if m:
        tol = max(tol, float(m.group(1)))
    return tol * (1 + 1e-9) + 1e-15


def _inputs(row):
    return _f(row, "calls_per_interval"), _f(row, "aht_s"), _f(row, "interval_s")


METRIC_ROWS = [r for r in ROWS if r["kind"] == "metrics_at_N"]
REQUIRED_ROWS = [r for r in ROWS if r["kind"] == "required_agents"]
B_ROWS = [r for r in ROWS if r["kind"].startswith("erlang_b")]


def test_fixture_has_every_case():
    assert len(ROWS) == 27
    assert len(METRIC_ROWS) + len(REQUIRED_ROWS) + len(B_ROWS) == 27


def _metrics(row, n):
    calls, aht, interval = _inputs(row)
    a = calls * aht / interval
    t = _f(row, "target_answer_s")
    return {
        "service_level": None
        if t is None
        else float(erlang.service_level(calls, aht, n, t, interval)),
        "wait_probability": float(erlang.erlang_c(a, n)),
        "asa_s": float(erlang.asa(calls, aht, n, interval)),
        "occupancy": float(erlang.occupancy(calls, aht, n, interval)),
    }


def _check_metrics(row, got):
    pub = {"service_level": "pub_service_level", "wait_probability": "pub_wait_probability"}
    pub |= {"asa_s": "pub_asa_s", "occupancy": "pub_occupancy"}
    chk = {"service_level": "chk_sl", "wait_probability": "chk_pw", "asa_s": "chk_asa_s"}
    chk |= {"occupancy": "chk_occ"}
    for key, col in pub.items():
        if row[col]:
            assert got[key] == pytest.approx(float(row[col]), abs=_published_tol(row, row[col])), (
                row["case_id"],
                key,
            )
    for key, col in chk.items():
        if row[col]:
            tol = _rounding(row[col]) * (1 + 1e-9)
            assert got[key] == pytest.approx(float(row[col]), abs=tol), (row["case_id"], key)


@pytest.mark.parametrize("row", METRIC_ROWS, ids=[r["case_id"] for r in METRIC_ROWS])
def test_published_metrics_at_n(row):
    _check_metrics(row, _metrics(row, _f(row, "agents_given")))


@pytest.mark.parametrize("row", REQUIRED_ROWS, ids=[r["case_id"] for r in REQUIRED_ROWS])
def test_published_required_agents(row):
    calls, aht, interval = _inputs(row)
    n = erlang.agents_needed(
        calls,
        aht,
        _f(row, "sl_target"),
        _f(row, "target_answer_s"),
        interval,
        max_occupancy=_f(row, "max_occupancy"),
    )
    assert n == int(row["pub_required_agents"]) == int(row["chk_required_agents"])
    _check_metrics(row, _metrics(row, n))
    m = re.search(r"(?:shrink\w*|scheduled_agents)=(\d+)", row["pub_other"])
    if m and _f(row, "shrinkage"):
        assert erlang.staff_for_shrinkage(n, 100 * _f(row, "shrinkage")) == int(m.group(1))


def test_turbotab_fractional_agents():
    """E14/E15: turbotab's fractional requirement (linear interpolation of SL in N)."""
    assert erlang.agents_needed(25, 180, 0.8, 20, 600, fractional=True) == pytest.approx(
        10.285163130544403, rel=1e-12
    )
    assert erlang.agents_needed(100, 180, 0.8, 20, 600, fractional=True) == pytest.approx(
        34.53, abs=0.005
    )
    capped = erlang.agents_needed(100, 180, 0.8, 20, 600, max_occupancy=0.85, fractional=True)
    assert capped == pytest.approx(30 / 0.85, rel=1e-12)


def test_continuous_fractional_agents_meet_target_exactly():
    x = erlang.agents_needed(25, 180, 0.8, 20, 600, fractional="continuous")
    assert 10 < x < 11
    assert erlang.service_level(25, 180, x, 20, 600) == pytest.approx(0.8, abs=1e-9)


@pytest.mark.parametrize("row", B_ROWS, ids=[r["case_id"] for r in B_ROWS])
def test_published_erlang_b_lines(row):
    calls, aht, interval = _inputs(row)
    a = calls * aht / interval
    n = np.arange(1, 400)
    lines = int(n[np.asarray(erlang.erlang_b(a, n)) <= 0.01][0])
    assert lines == int(row["pub_required_agents"])
    assert float(erlang.erlang_b(a, lines)) == pytest.approx(
        float(row["chk_pw"]), abs=_rounding(row["chk_pw"])
    )


# --- exact arithmetic ------------------------------------------------------------------------


def _b_decimal(a: str, n: int) -> Decimal:
    getcontext().prec = 50
    A, b = Decimal(a), Decimal(1)
    for k in range(1, n + 1):
        b = A * b / (k + A * b)
    return b


EXACT = [
    ("0.1", 1),
    ("0.1", 4),
    ("10", 14),
    ("45", 48),
    ("333.3333333333333", 345),
    ("2000", 2019),  # L05
    ("4166.666666666667", 4186),  # L06
    ("5000", 5030),  # L07
    ("5000", 4000),  # overloaded: B near 1 - N/A
    ("5000", 5400),  # very lightly loaded
    ("10000", 10100),
    ("10000", 9000),
]


@pytest.mark.parametrize(("a", "n"), EXACT)
def test_erlang_b_and_c_match_50_digit_recursion(a, n):
    b = _b_decimal(a, n)
    assert float(erlang.erlang_b(float(a), n)) == pytest.approx(float(b), rel=1e-9)
    A = Decimal(a)
    if n > A:
        c = n * b / (n - A * (1 - b))
        assert float(erlang.erlang_c(float(a), n)) == pytest.approx(float(c), rel=1e-9)


def _b_float_recursion(a: float, n: int) -> float:
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


@given(st.floats(0.1, 10_000), st.floats(-0.5, 0.5))
@settings(max_examples=60, deadline=None)
def test_erlang_b_equals_the_recursion_from_01_to_10000_erlangs(a, rel):
    n = max(1, int(a + rel * 4 * math.sqrt(a) + 1))
    assert float(erlang.erlang_b(a, n)) == pytest.approx(_b_float_recursion(a, n), rel=1e-9)


def test_large_loads_do_not_overflow():
    a = np.array([0.1, 1, 10, 170, 1000, 10_000])
    n = np.floor(a) + 5
    b = np.asarray(erlang.erlang_b(a, n))
    c = np.asarray(erlang.erlang_c(a, n))
    assert np.all(np.isfinite(b)) and np.all((b > 0) & (b < 1))
    assert np.all(np.isfinite(c)) and np.all((c > b) & (c < 1))


def test_agents_needed_integer_load_starts_above_load():
    """call-center-tools divides by zero at N = A for an integer load; we start at floor(A)+1."""
    assert erlang.agents_needed(1000, 180, 0.8, 20, 1800) == 107  # A = 100 exactly (L01)


def test_zero_calls_need_zero_agents():
    n = erlang.agents_needed([0, 100], 180, 0.8, 20)
    assert list(n) == [0, 14]
    assert erlang.service_level(0, 180, 0, 20) == 1.0
    assert erlang.agents_needed_a([0, 0], 180, 0.8, 20, patience=60).tolist() == [0, 0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sl": 1.0, "target": 0},
        {"sl": 1.0, "target": 20},
        {"sl": 8.0, "target": 20},
        {"sl": 0.8, "target": -1},
        {"sl": None, "asa_target": 0},
        {"sl": 0.8, "max_occupancy": 0},
    ],
)
def test_impossible_targets_are_input_errors(kwargs):
    with pytest.raises(InputError):
        erlang.agents_needed(100, 180, **kwargs)


def test_negative_aht_is_an_input_error():
    with pytest.raises(InputError, match="aht"):
        erlang.service_level(100, -180, 14, 20)


def test_asa_target_inverse():
    n = erlang.agents_needed(100, 180, None, asa_target=10)
    assert erlang.asa(100, 180, n) <= 10 < erlang.asa(100, 180, n - 1)


# --- shrinkage -------------------------------------------------------------------------------


def test_shrinkage_63_agents_30_percent_is_90_staff():
    assert erlang.staff_for_shrinkage(63, 30) == 90
    assert erlang.staff_for_shrinkage(14, 30) == 20
    assert erlang.staff_for_shrinkage(0, 30) == 0


@given(st.integers(0, 100_000), st.decimals(0, "99.9", places=1, allow_nan=False))
@settings(max_examples=300, deadline=None)
def test_shrinkage_never_loses_an_agent(agents, pct):
    from fractions import Fraction

    staff = int(erlang.staff_for_shrinkage(agents, float(pct)))
    keep = 1 - Fraction(str(pct)) / 100
    assert staff * keep >= agents  # exact: nobody lost to rounding
    assert (staff - 1) * keep < agents or staff == 0  # and no one too many


# --- laws --------------------------------------------------------------------------------


loads = st.floats(0.5, 400.0)


@given(loads, st.floats(30, 900), st.integers(0, 60), st.floats(0, 120))
@settings(max_examples=120, deadline=None)
def test_service_level_rises_with_agents(calls_per_min, aht, extra, target):
    calls = calls_per_min * 30
    a = calls * aht / 1800
    n = np.floor(a) + 1 + np.arange(extra, extra + 5)
    sl = np.asarray(erlang.service_level(calls, aht, n, target))
    assert np.all(np.diff(sl) >= -1e-12)


@given(st.floats(10, 2000), st.floats(60, 600), st.floats(0, 60))
@settings(max_examples=120, deadline=None)
def test_service_level_falls_with_calls_and_aht(calls, aht, target):
    n = np.floor(calls * aht * 1.3 / 1800) + 2
    base = erlang.service_level(calls, aht, n, target)
    assert erlang.service_level(calls * 1.05, aht, n, target) <= base + 1e-12
    assert erlang.service_level(calls, aht * 1.05, n, target) <= base + 1e-12


@given(st.floats(1, 5000), st.floats(30, 900), st.integers(1, 2000))
@settings(max_examples=100, deadline=None)
def test_occupancy_is_load_over_agents(calls, aht, agents):
    a = calls * aht / 1800
    if agents > a:
        assert erlang.occupancy(calls, aht, agents) == pytest.approx(a / agents, rel=1e-12)
    else:
        assert erlang.occupancy(calls, aht, agents) == 1.0


@given(
    st.floats(1, 3000),
    st.floats(30, 900),
    st.sampled_from([0.5, 0.8, 0.9, 0.95]),
    st.sampled_from([0, 10, 20, 60]),
    st.one_of(st.none(), st.sampled_from([0.8, 0.85, 0.9])),
)
@settings(max_examples=120, deadline=None)
def test_agents_needed_is_minimal(calls, aht, sl, target, cap):
    n = int(erlang.agents_needed(calls, aht, sl, target, max_occupancy=cap))
    a = calls * aht / 1800

    def meets(k):
        ok = k > a and erlang.service_level(calls, aht, k, target) >= sl
        return ok and (cap is None or a / k <= cap * (1 + 1e-12))

    assert meets(n)
    assert not meets(n - 1)


def test_agents_needed_vectorised_equals_scalar():
    calls = np.array([0, 3, 50, 400, 1500, 2500])
    vec = erlang.agents_needed(calls, 240, 0.8, 20)
    assert [int(erlang.agents_needed(c, 240, 0.8, 20)) for c in calls] == vec.tolist()


# --- Erlang A ----------------------------------------------------------------------------


def _erlang_a_ctmc(calls, aht, n, target, patience, interval=1800, cap=150):
    """Independent check: truncated birth-death chain + the tagged caller's journey (expm)."""
    lam, mu, th = calls / interval, 1 / aht, 1 / patience
    k = np.arange(n + cap + 1)
    rates_up = np.full(len(k) - 1, lam)
    rates_down = np.minimum(k[1:], n) * mu + np.maximum(k[1:] - n, 0) * th
    logp = np.concatenate([[0.0], np.cumsum(np.log(rates_up) - np.log(rates_down))])
    p = np.exp(logp - logp.max())
    p /= p.sum()
    p_wait = p[n:].sum()
    # tagged caller finding j waiting: states "i ahead" (i = j..0), absorbing served/abandoned
    m = cap + 1
    q = np.zeros((m + 2, m + 2))
    for i in range(m):
        out = n * mu + (i + 1) * th
        q[i, i] = -out
        if i > 0:
            q[i, i - 1] = n * mu + i * th
        else:
            q[i, m] = n * mu  # served
        q[i, m + 1] = th  # own abandonment
    start = np.zeros(m + 2)
    start[:m] = p[n : n + m]
    served_by_t = (start @ expm(q * target))[m]
    # from i ahead, the caller outlasts every stage with probability n mu / (n mu + (i+1) th)
    served_ever = start[:m] @ (n * mu / (n * mu + (np.arange(m) + 1) * th))
    # E[W; served] = start Q_T^-2 q_served (integral of the not-yet-served-but-will-be mass)
    qt = q[:m, :m]
    w_served = start[:m] @ np.linalg.solve(qt, np.linalg.solve(qt, q[:m, m]))
    abandon = p_wait - served_ever
    return {
        "p_wait": p_wait,
        "service_level": (1 - p_wait) + served_by_t,
        "abandon": abandon,
        "asa": w_served / (1 - abandon),
    }


@pytest.mark.parametrize(
    ("calls", "aht", "n", "target", "patience"),
    [(100, 180, 10, 20, 120), (100, 180, 8, 20, 60), (300, 240, 45, 30, 200), (50, 300, 3, 10, 30)],
)
def test_erlang_a_matches_birth_death_chain(calls, aht, n, target, patience):
    got = erlang.erlang_a(calls, aht, n, target, patience)
    ref = _erlang_a_ctmc(calls, aht, n, target, patience)
    for key, value in ref.items():
        assert float(getattr(got, key)) == pytest.approx(value, abs=1e-8, rel=1e-8), key
    assert float(got.mean_wait) == pytest.approx(float(got.abandon) * patience, rel=1e-12)


@pytest.mark.slow
@given(st.floats(20, 3000), st.floats(60, 600), st.floats(1.05, 1.6), st.sampled_from([0, 20]))
@settings(max_examples=60, deadline=None)
def test_erlang_a_tends_to_erlang_c(calls, aht, ratio, target):
    a = calls * aht / 1800
    n = np.ceil(a * ratio)
    r = erlang.erlang_a(calls, aht, n, target, patience=1e9)
    assert float(r.p_wait) == pytest.approx(float(erlang.erlang_c(a, n)), abs=1e-5)
    sl_c = float(erlang.service_level(calls, aht, n, target))
    assert float(r.service_level) == pytest.approx(sl_c, abs=1e-5)
    assert float(r.abandon) < 1e-5
    asa_c = float(erlang.asa(calls, aht, n))
    # the ASA converges like 1/patience with a large constant when N - A is small (heavy waits)
    assert float(r.asa) == pytest.approx(asa_c, rel=1e-3, abs=1e-4)
    assert float(r.mean_wait) == pytest.approx(asa_c, rel=1e-3, abs=1e-4)


def test_erlang_a_converges_monotonically_in_patience():
    gaps = [
        abs(
            float(erlang.erlang_a(100, 180, 11, 20, p).service_level)
            - float(erlang.service_level(100, 180, 11, 20))
        )
        for p in (60, 600, 6000, 60000)
    ]
    assert gaps == sorted(gaps, reverse=True)


def test_erlang_a_may_need_fewer_agents_than_the_load():
    a = 400 * 300 / 1800  # 66.7 Erlangs
    n = erlang.agents_needed_a(400, 300, 0.5, 60, patience=30)
    assert n < a
    r = erlang.erlang_a(400, 300, n, 60, 30)
    assert r.service_level >= 0.5 and erlang.erlang_a(400, 300, n - 1, 60, 30).service_level < 0.5


@given(
    st.floats(5, 1500),
    st.floats(60, 600),
    st.sampled_from([0.6, 0.8, 0.9]),
    st.floats(10, 600),
    st.one_of(st.none(), st.sampled_from([0.02, 0.05])),
)
@settings(max_examples=60, deadline=None)
def test_agents_needed_a_is_minimal(calls, aht, sl, patience, max_ab):
    n = int(erlang.agents_needed_a(calls, aht, sl, 20, patience=patience, max_abandon=max_ab))

    def meets(k):
        r = erlang.erlang_a(calls, aht, k, 20, patience)
        return r.service_level >= sl and (max_ab is None or r.abandon <= max_ab)

    assert meets(n)
    assert n == 1 or not meets(n - 1)


def test_erlang_a_never_needs_more_than_erlang_c_for_the_same_waiting_share():
    calls = np.linspace(100, 1500, 15)
    c = erlang.agents_needed(calls, 300, 0.8, 20)
    a = erlang.agents_needed_a(calls, 300, 0.8, 20, patience=180)
    assert np.all(a <= c)


@given(st.floats(1, 3000), st.floats(60, 600), st.floats(5, 900), st.sampled_from([0, 20, 60]))
@settings(max_examples=60, deadline=None)
def test_erlang_a_improves_with_agents(calls, aht, patience, target):
    a = calls * aht / 1800
    n = np.unique(np.ceil(a * np.linspace(0.3, 2.0, 12)))
    r = erlang.erlang_a(calls, aht, n, target, patience)
    assert np.all(np.diff(r.service_level) >= -1e-9)
    assert np.all(np.diff(r.abandon) <= 1e-12)
    assert np.all((r.p_wait >= 0) & (r.p_wait <= 1) & (r.abandon <= r.p_wait + 1e-15))


def test_agents_needed_a_asa_target_is_minimal():
    calls = np.array([50.0, 400.0, 1300.0])
    n = erlang.agents_needed_a(calls, 300, None, 20, patience=120, asa_target=15)
    assert np.all(erlang.erlang_a(calls, 300, n, 20, 120).asa <= 15)
    assert np.all(erlang.erlang_a(calls, 300, n - 1, 20, 120).asa > 15)
