"""Roster a summer week of the bundled hotline and print its figures.

Requirements: bundled history -> forecast (planner.forecast, from the history before the week)
-> staff per half-hour (Erlang C, 80% in 20 s, 30% shrinkage). Falls back to a synthetic
summer curve (peak ~100, night ~10) when those modules or the data are missing.

Figures: every interval covered? (recomputed from the written roster file), labour rules kept
(checked from the roster file alone), on-phone hours vs required staff-hours, objective vs the
solver's bound and the LP bound, solve time.

    .venv/bin/python benchmarks/schedule_summer_week.py [--week 2026-07-06] [--time-limit 110]
        [--solver highs|cbc] [--rules SCENARIO.toml]   # e.g. [shifts] short_break_min = 15
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.io import frame_to_csv  # noqa: E402
from planner.scenario import load_rules  # noqa: E402
from planner.schedule import (  # noqa: E402
    Rules,
    build_roster,
    check_roster_rules,
    lp_bound,
    on_phone_counts,
    read_roster,
    rules_from_mapping,
)


def hotline_requirements(week: str) -> tuple[pd.DataFrame, str]:
    try:
        from planner.forecast import forecast_history
        from planner.history import BUNDLED_HISTORY, read_history
        from planner.io import bundled_path
        from planner.staffing import StaffingTarget, staff_requirements

        history = read_history(bundled_path(BUNDLED_HISTORY))
        fc = forecast_history(history, horizon_days=7, start=week)
        req = staff_requirements(fc.intervals, StaffingTarget(sl_pct=80, target_s=20))
        return req[["timestamp", "staff"]], f"forecast of the bundled history ({fc.model})"
    except Exception as exc:  # noqa: BLE001 - a benchmark falls back, and says so
        print(f"(no forecast/staffing: {type(exc).__name__}: {exc}; synthetic curve)")
        times = pd.date_range(week, periods=7 * 48, freq="30min")
        h = times.hour + times.minute / 60
        shape = np.exp(-(((h - 10) / 3.0) ** 2)) + 0.85 * np.exp(-(((h - 15) / 3.5) ** 2))
        staff = np.ceil(10 + 90 * shape / shape.max())
        return pd.DataFrame({"timestamp": times, "staff": staff}), "synthetic summer curve"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--week", default="2026-07-06", help="Monday of the week")
    parser.add_argument("--time-limit", type=float, default=110.0)
    parser.add_argument("--solver", default="cbc", choices=["cbc", "highs"])
    parser.add_argument("--rules", help="scenario TOML with [shifts]/[labour]/[cost] tables")
    args = parser.parse_args()
    req, origin = hotline_requirements(args.week)
    rules = load_rules(args.rules, rules_from_mapping) if args.rules else Rules()
    print(f"week of {args.week}: {origin}")
    print(
        f"  requirement: peak {req['staff'].max():g} staff, night min {req['staff'].min():g}, "
        f"{req['staff'].sum() / 2:,.0f} staff-hours"
    )
    t0 = time.perf_counter()
    lp = lp_bound(req, rules)
    t_lp = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = build_roster(req, rules, time_limit_s=args.time_limit, solver=args.solver)
    elapsed = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.csv"
        path.write_text(frame_to_csv(result.roster))
        roster = read_roster(path)
    counts = on_phone_counts(roster, req["timestamp"], 30)
    short = counts < req["staff"].to_numpy() - 1e-9
    problems = check_roster_rules(roster, rules)
    on_phone_h = counts.sum() / 2
    need_h = req["staff"].sum() / 2
    gap_lp = (result.objective - lp) / result.objective
    print(
        f"  every interval covered (from the roster file): {not short.any()} "
        f"({int(short.sum())} short of {len(short)})"
    )
    print(f"  labour rules kept (from the roster file): {not problems} ({len(problems)} breaches)")
    print(
        f"  headcount {result.headcount}, paid {result.paid_hours:,.1f} h, "
        f"night {result.night_hours:,.1f} h, cost {result.cost:,.0f} {result.currency}"
    )
    print(
        f"  on-phone {on_phone_h:,.1f} h vs required {need_h:,.1f} staff-h: "
        f"{100 * (on_phone_h - need_h) / need_h:+.2f}% (target <= +10%)"
    )
    print(
        f"  objective {result.objective:,.2f} wage-h, solver bound {result.bound:,.2f} "
        f"(gap {100 * result.gap:.2f}%), LP bound {lp:,.2f} (gap {100 * gap_lp:.2f}%, "
        f"LP solved in {t_lp:.1f} s); status: {result.status}"
    )
    print(f"  solve time {elapsed:.1f} s with {args.solver} (1 thread; target < 120 s)")


if __name__ == "__main__":
    main()
