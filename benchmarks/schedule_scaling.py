"""How the roster engine scales: a 24/7 summer week of 10,000 calls a day at x0.5, x1, x2, x3
(30-min intervals) and x1 at 15 minutes, on CBC and HiGHS; then named agents at 110% and 90%
of the need.

The weeks are built here, not taken from the bundled data: a hotline-shaped day (morning and
afternoon peaks, a quiet night, a lighter weekend), scaled to the daily volume, staffed per
interval with planner's own Erlang C (80% in 20 s, AHT 210 s, 30% shrinkage). Every figure is
recomputed from the roster rows: on-phone efficiency = required staff-hours / on-phone hours;
headcount vs FTE (paid hours / full-time 40 h); the shift-length mix as shares of paid hours;
the gap of the final roster against the LP bound. "to 1%": the solve time when the search
ended on the gap (otherwise "-": it ended on the work limit or the clock, as the status says).

    python benchmarks/schedule_scaling.py            # the whole table (long: ~20 min on 2 cores)
    python benchmarks/schedule_scaling.py --quick    # x0.5 and x1 only, both solvers
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.schedule import (  # noqa: E402
    Rules,
    build_roster,
    check_roster_rules,
    lp_bound,
    on_phone_counts,
)
from planner.staffing import StaffingTarget, staff_requirements  # noqa: E402

WEEK = "2026-07-06"


def summer_week(daily_calls: float, interval_min: int) -> pd.DataFrame:
    """Requirements of a 24/7 week: `daily_calls` on a weekday, staffed by planner's Erlang C."""
    times = pd.date_range(WEEK, periods=7 * 24 * 60 // interval_min, freq=f"{interval_min}min")
    h = times.hour + times.minute / 60
    shape = 0.06 + np.exp(-(((h - 10.5) / 2.6) ** 2)) + 0.8 * np.exp(-(((h - 15.5) / 3.0) ** 2))
    day = np.array([1.08, 1.02, 1.0, 1.0, 0.98, 0.85, 0.8])[times.day_of_week]
    weights = shape * day
    per_day = pd.Series(shape).groupby(times.normalize()).transform("sum").to_numpy()
    calls = daily_calls * weights / per_day
    forecast = pd.DataFrame({"timestamp": times, "calls": calls, "aht": 210.0})
    req = staff_requirements(forecast, StaffingTarget(sl_pct=80, target_s=20))
    return req[["timestamp", "staff"]]


def figures(result, req: pd.DataFrame, lp: float, rules: Rules) -> dict:
    interval = int((req["timestamp"].iloc[1] - req["timestamp"].iloc[0]).total_seconds() // 60)
    counts = on_phone_counts(result.roster, req["timestamp"], interval)
    need_h = float(req["staff"].sum()) * interval / 60
    on_h = float(counts.sum()) * interval / 60
    paid = result.roster.groupby(result.roster["paid_hours"])["paid_hours"].sum()
    mix = " ".join(f"{h:g}h:{100 * v / paid.sum():.0f}%" for h, v in paid.items())
    fte = result.paid_hours / 40.0
    gap_lp = (result.objective - lp) / result.objective if result.objective else math.nan
    return {
        "status": str(result.status),
        "first_s": result.first_roster_s,
        "to_1pct": result.solve_s
        if result.gap <= 0.01 + 1e-9 and not result.clock_stopped
        else None,
        "solve_s": result.solve_s,
        "gap_lp_pct": 100 * gap_lp,
        "efficiency": need_h / on_h if on_h else math.nan,
        "headcount": result.headcount,
        "fte": fte,
        "mix": mix,
        "short_h": result.shortfall_hours,
        "breaches": len(check_roster_rules(result.roster, rules)),
    }


def row(label: str, solver: str, f: dict) -> str:
    one = "-" if f["to_1pct"] is None else f"{f['to_1pct']:.0f}"
    return (
        f"{label:<12} {solver:<6} {f['first_s']:>6.1f} {one:>6} {f['solve_s']:>6.0f} "
        f"{f['gap_lp_pct']:>6.2f} {f['efficiency']:>5.3f} {f['headcount']:>5} "
        f"{f['fte']:>6.1f} {f['headcount'] / f['fte']:>5.2f} {f['breaches']:>3}  "
        f"{f['status']:<29} {f['mix']}"
    )


HEADER = (
    f"{'week':<12} {'solver':<6} {'first':>6} {'to 1%':>6} {'secs':>6} {'gap%':>6} "
    f"{'eff':>5} {'heads':>5} {'FTE':>6} {'h/FTE':>5} {'brk':>3}  {'status':<29} paid-hours mix"
)


def agents_frame(n_full: int, n_part: int) -> pd.DataFrame:
    names = [f"F{k:03d}" for k in range(1, n_full + 1)] + [
        f"P{k:03d}" for k in range(1, n_part + 1)
    ]
    contract = ["full-time"] * n_full + ["part-time"] * n_part
    return pd.DataFrame(
        {
            "agent": names,
            "contract": contract,
            "weekly_hours": np.nan,
            "skills": "",
            "no_night": False,
            "unavailable": "",
            "preferred_start": "",
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="x0.5 and x1 only")
    parser.add_argument("--time-limit", type=float, default=90.0, help="per solve, seconds")
    parser.add_argument("--solvers", default="cbc,highs")
    args = parser.parse_args()
    rules = Rules()
    cells = [(0.5, 30), (1, 30)] if args.quick else [(0.5, 30), (1, 30), (2, 30), (3, 30), (1, 15)]
    print(f"rules: built-in defaults; time limit {args.time_limit:g} s per solve, 1 thread")
    print(HEADER)
    base = None
    for scale, interval in cells:
        req = summer_week(10000 * scale, interval)
        lp = lp_bound(req, rules)
        label = f"x{scale:g}/{interval}m"
        need = float(req["staff"].sum()) * interval / 60
        print(f"-- {label}: peak {req['staff'].max():g}, {need:,.0f} staff-hours, LP {lp:,.1f}")
        for solver in args.solvers.split(","):
            began = time.perf_counter()
            result = build_roster(req, rules, time_limit_s=args.time_limit, solver=solver)
            f = figures(result, req, lp, rules)
            f["solve_s"] = time.perf_counter() - began
            print(row(label, solver, f), flush=True)
            if scale == 1 and interval == 30 and base is None:
                base = (req, result, lp)
    if base is None:
        return
    req, result, lp = base
    per = result.roster.groupby("agent")["paid_hours"].sum()
    n_full = int((per >= rules.full_time_min_hours).sum())
    n_part = len(per) - n_full
    print(f"-- named agents, from the x1 roster's {n_full} full-time + {n_part} part-time")
    for share in (1.1, 0.9):
        agents = agents_frame(round(n_full * share), round(n_part * share))
        began = time.perf_counter()
        named = build_roster(req, rules, agents=agents, time_limit_s=args.time_limit)
        f = figures(named, req, lp, rules)
        f["gap_lp_pct"] = 100 * named.gap  # against its own bound: the LP above has no names
        f["solve_s"] = time.perf_counter() - began
        cov = named.coverage
        empty = int(((cov["required"] > 0) & (cov["scheduled"] <= 0)).sum())
        print(row(f"agents {share:.0%}", "cbc", f))
        print(
            f"   exit {3 if named.short else 0}; {len(agents) - len(named.unused_agents)} of "
            f"{len(agents)} agents used; short {named.shortfall_hours:.1f} agent-h in "
            f"{int((cov['shortfall'] > 1e-6).sum())} intervals; {empty} needed intervals with "
            "nobody on the phones"
        )


if __name__ == "__main__":
    main()
