"""Speed (and accuracy) of planner.erlang. Run: .venv/bin/python benchmarks/erlang_speed.py

1. A week of 15-minute intervals (672) for a line taking 10,000 calls a day (AHT 300 s, 80/20):
   vectorised `agents_needed` against a plain per-interval Python loop (start at floor(A)+1,
   add one agent until the service level is met, each step a scalar `erlang_c` call), and,
   for honesty, a tuned pure-Python loop that carries the Erlang B recursion up N by N.
2. Erlang A for 336 peak half-hours at ~220 agents each (patience 120 s): `agents_needed_a`
   plus evaluating `erlang_a` at the answer.
3. If ../shared/benchmarks/erlang/erlang_c_reference.csv is present (the team's shared
   reference file, `Path(__file__).parents[2] / "shared"`), the largest relative deviation from
   its 50-digit `chk_*` values; skipped with a note when it is missing.
"""

from __future__ import annotations

import csv
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner import erlang  # noqa: E402

AHT = 300.0
SL, TARGET = 0.8, 20.0


def intraday_week(calls_per_day: float, interval_min: int) -> np.ndarray:
    """A smooth 24/7 day shape (night trough, late-morning and evening peaks), 7 days."""
    per_day = 24 * 60 // interval_min
    hours = (np.arange(per_day) + 0.5) * interval_min / 60
    shape = (
        0.15
        + np.exp(-0.5 * ((hours - 10.5) / 2.5) ** 2)
        + 0.7 * np.exp(-0.5 * ((hours - 19.5) / 2.0) ** 2)
    )
    day = calls_per_day * shape / shape.sum()
    weekly = np.array([1.1, 1.0, 1.0, 1.0, 1.05, 0.9, 0.85])
    return np.concatenate([day * w for w in weekly])


def loop_agents_needed(calls: np.ndarray, aht: float, interval: float) -> np.ndarray:
    """The plain way: one interval at a time, one agent at a time."""
    out = []
    for c in calls:
        a = c * aht / interval
        if a == 0:
            out.append(0)
            continue
        n = math.floor(a) + 1
        while True:
            pw = float(erlang.erlang_c(a, n))
            if 1.0 - pw * math.exp(-(n - a) * TARGET / aht) >= SL:
                break
            n += 1
        out.append(n)
    return np.array(out)


def loop_recursion(calls: np.ndarray, aht: float, interval: float) -> np.ndarray:
    """A tuned pure-Python loop: one Erlang B recursion per interval, carried up N by N."""
    out = []
    for c in calls:
        a = c * aht / interval
        if a == 0:
            out.append(0)
            continue
        b, n = 1.0, 0
        while True:
            n += 1
            b = a * b / (n + a * b)
            if n > a:
                pw = n * b / (n - a * (1 - b))
                if 1.0 - pw * math.exp(-(n - a) * TARGET / aht) >= SL:
                    break
        out.append(n)
    return np.array(out)


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def part1() -> None:
    calls = intraday_week(10_000, 15)
    interval = 900.0
    t_vec, vec = best_of(lambda: erlang.agents_needed(calls, AHT, SL, TARGET, interval))
    t_loop, loop = best_of(lambda: loop_agents_needed(calls, AHT, interval), repeat=1)
    t_rec, rec = best_of(lambda: loop_recursion(calls, AHT, interval))
    same = bool(np.array_equal(vec, loop)) and bool(np.array_equal(vec, rec))
    print("1. agents_needed, 672 x 15-min intervals, 10,000 calls/day, AHT 300 s, 80/20")
    print(f"   peak load {calls.max() * AHT / interval:.1f} Erlangs, peak agents {int(vec.max())}")
    print(f"   vectorised: {t_vec * 1000:8.2f} ms   (best of 3)")
    print(f"   plain loop: {t_loop * 1000:8.2f} ms   (same answers: {same})")
    print(f"   speed-up:   {t_loop / t_vec:8.1f} x")
    print(
        f"   (a tuned pure-Python loop carrying the Erlang B recursion up N by N: "
        f"{t_rec * 1000:.2f} ms, {t_rec / t_vec:.1f} x the vectorised time)"
    )


def part2() -> None:
    rng = np.random.default_rng(7)
    # ~220 agents: offered load ~200-235 Erlangs at AHT 300 s per half-hour
    calls = rng.uniform(1200, 1400, 336)

    def run():
        n = erlang.agents_needed_a(calls, AHT, SL, TARGET, patience=120.0, interval=1800.0)
        return n, erlang.erlang_a(calls, AHT, n, TARGET, 120.0, 1800.0)

    t, (n, res) = best_of(run)
    print("2. Erlang A (patience 120 s), 336 peak half-hours, agents_needed_a + erlang_a")
    print(
        f"   agents {int(n.min())}-{int(n.max())} (mean {n.mean():.1f}); offered load "
        f"{(calls * AHT / 1800).mean():.1f} Erlangs mean; abandon {res.abandon.mean():.2%}"
    )
    print(f"   total time: {t * 1000:.1f} ms (best of 3)")


def part3() -> None:
    ref = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "erlang"
    path = ref / "erlang_c_reference.csv"
    if not path.exists():
        print(f"3. accuracy: skipped, {path} not found (the shared benchmarks are optional)")
        return
    worst, agree, total = 0.0, 0, 0
    for row in csv.DictReader(path.open(encoding="utf-8")):
        calls, aht, interval = (
            float(row[k]) for k in ("calls_per_interval", "aht_s", "interval_s")
        )
        a = calls * aht / interval
        if row["kind"] == "required_agents":
            cap = float(row["max_occupancy"]) if row["max_occupancy"] else None
            n = erlang.agents_needed(
                calls, aht, float(row["sl_target"]), float(row["target_answer_s"]), interval, cap
            )
            total += 1
            agree += int(n) == int(row["chk_required_agents"])
        else:
            n = float(row["agents_given"] or row["pub_required_agents"])
        if row["chk_pw"] and not row["kind"].startswith("erlang_b"):
            pw = float(erlang.erlang_c(a, n))
            worst = max(worst, abs(pw / float(row["chk_pw"]) - 1))
    print(f"3. accuracy vs {path.name}: required agents agree {agree}/{total}; worst relative")
    print(f"   gap to 6-digit chk_pw {worst:.1e} (the reference's own rounding)")


if __name__ == "__main__":
    part1()
    part2()
    part3()
