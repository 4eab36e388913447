"""Speed and honesty of `planner capacity`. Run: python benchmarks/capacity_speed.py

On the bundled hotline (forecast once, 104 weeks from 2027-W01, the scenario
scenarios/capacity-2027.toml with 104 weeks, two contracts: full-time and part-time):

1. The whole plan (demand, the inefficiency measured on a roster of the busiest week, MIP,
   risk), then its MIP solved again to a proven 0.01%: the proven gap and the cost difference
   between the two, and the seconds each took.
2. 20 capacity scenarios x 104 weeks (attrition 1-3%/month, quantile 50-90, dropout 10-25%,
   temp caps 0-30; one shared forecast, each with its own demand, MIP and 1,000-draw risk).
   `--jobs 2` (default) plans them in two processes (the 2 cores), `--jobs 1` one by one.
3. The Monte Carlo: 1,000 draws over demand, attrition and dropout.
Times are wall-clock seconds on a shared machine (noisy; compare them side by side in one run),
with the CPU seconds the work took beside them (this process and its workers): on a loaded
machine the wall clock mostly measures the wait for a core.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

# as the command line does: small least-squares solves single-threaded (threaded BLAS on a
# loaded two-core machine multiplies the forecasts' CPU); set before numpy is imported
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner import capacity, pipeline  # noqa: E402
from planner.capacity import build  # noqa: E402
from planner.scenario import parse_week  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WEEKS = 104
SHARED: dict = {}  # what the forked workers of step 2 read (the forecast is made once)


def variant(k: int):
    """Scenario k of step 2: its own attrition, quantile, dropout, temp cap and seed."""
    sc = SHARED["scenario"]
    keys = {
        **dict(sc.capacity),
        "horizon_weeks": WEEKS,
        "attrition_pct_per_month": 1.0 + (k % 5) * 0.5,
        "quantile_pct": (50, 80, 90, 70)[k % 4],
        "dropout_pct": (10, 15, 20, 25)[(k // 4) % 4],
        "temp_max": (0, 10, 20, 30)[(k // 5) % 4],
        "seed": k,
    }
    return dataclasses.replace(sc, name=f"v{k:02d}", capacity=tuple(sorted(keys.items())))


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def plan_variant(k: int) -> float:
    """Scenario k's plan (the inefficiency measured once, by step 1, is shared: same week)."""
    if not SHARED.get("memo", True):
        build._GRID_MEMO.clear()  # each demand staffs its own grid, as before the memo
    sc = variant(k)
    out = capacity.capacity_plan(
        sc,
        SHARED["history"],
        SHARED["workforce"],
        capacity.config_of(sc),
        first=SHARED["first"],
        forecast_result=SHARED["forecast"],
    )
    return out.plan.gap_pct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="processes for step 2 (default 2)")
    parser.add_argument(
        "--compare-memo",
        action="store_true",
        help="step 2 also without the demand grid shared between quantiles (side by side)",
    )
    args = parser.parse_args()
    sc = pipeline.resolve_scenario(ROOT / "scenarios" / "capacity-2027.toml")
    sc = dataclasses.replace(
        sc, capacity=tuple(sorted({**dict(sc.capacity), "horizon_weeks": WEEKS}.items()))
    )
    cfg = capacity.config_of(sc)
    first = parse_week("2027-W01")
    hist = pipeline.load_history(sc)
    clock = time.monotonic()
    fc = capacity.long_range_forecast(sc, hist, first, WEEKS)
    print(f"forecast {WEEKS} weeks ({fc.model}): {time.monotonic() - clock:.1f} s")
    workforce = capacity.read_workforce(sc.data.agents, cfg, first)

    clock = time.monotonic()
    cpu = cpu_seconds()
    result = capacity.capacity_plan(sc, hist, workforce, cfg, first=first, forecast_result=fc)
    total = time.monotonic() - clock
    cpu = cpu_seconds() - cpu
    plan = result.plan
    print(
        f"1. MIP, {WEEKS} weeks, contracts {', '.join(c.name for c in plan.contracts)}: "
        f"{plan.status}, proven gap {plan.gap_pct:.3f}% in {plan.seconds:.1f} s "
        f"(whole plan with demand and risk {total:.1f} s wall, {cpu:.1f} CPU s); "
        f"{len(plan.classes)} classes, "
        f"{sum(c.size for c in plan.classes)} hires, cost {plan.cost['total'] / 1e9:.3f} bn VND"
    )
    base = capacity.base_supply(workforce, result.config, WEEKS)
    # the same plan (its measured inefficiency, its required staff-hours) solved on
    tight = dataclasses.replace(result.config, gap_pct=0.01, time_limit_s=120)
    exact = capacity.solve_plan(
        result.demand, base, tight, required_staff_hours=result.table["staff_hours"].to_numpy(),
        days_limits=plan.days_limits,
    )  # fmt: skip
    diff = (plan.cost["total"] - exact.cost["total"]) / exact.cost["total"] * 100
    print(
        f"   solved to gap 0.01%: {exact.status}, gap {exact.gap_pct:.3f}% in "
        f"{exact.seconds:.1f} s; the default stop costs {diff:+.3f}% more"
    )

    SHARED.update(scenario=sc, history=hist, workforce=workforce, first=first, forecast=fc)
    spent = {}
    for memo in (True, False) if args.compare_memo else (True,):
        for memo_of_step_1 in (build._GRID_MEMO, build._DEMAND_CACHE, build._SPREAD_MEMO):
            memo_of_step_1.clear()  # step 2 starts cold: its workers measure what they share
        build._DAYS_MEMO.clear()
        SHARED["memo"] = memo
        clock = time.monotonic()
        cpu = cpu_seconds()
        if args.jobs > 1:
            with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
                rows = pool.map(plan_variant, range(20))
        else:
            rows = [plan_variant(k) for k in range(20)]
        took = time.monotonic() - clock
        spent[memo] = cpu = cpu_seconds() - cpu
        print(
            f"2. 20 scenarios x {WEEKS} weeks (demand, MIP, 1,000 draws each; forecast shared; "
            f"{args.jobs} processes; demand grid shared between quantiles: {memo}): "
            f"{took:.1f} s wall, {cpu:.1f} CPU s, worst proven gap {max(rows):.3f}%"
        )
    if args.compare_memo:
        print(
            f"   CPU with the shared grid / without, side by side: {spent[True] / spent[False]:.2f}"
        )

    clock = time.monotonic()
    risk = capacity.simulate_risk(plan, result.demand, workforce, cfg, draws=1000)
    print(
        f"3. Monte Carlo, 1,000 draws x {WEEKS} weeks: {time.monotonic() - clock:.2f} s; "
        f"cost P50/P80/P90 {risk.cost_p50 / 1e9:.2f}/{risk.cost_p80 / 1e9:.2f}/"
        f"{risk.cost_p90 / 1e9:.2f} bn VND; {int((risk.p_short > 0.2).sum())} weeks with "
        "P(short) > 20%"
    )


if __name__ == "__main__":
    main()
