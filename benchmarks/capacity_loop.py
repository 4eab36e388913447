"""The loop: a capacity plan's agents for one week, rostered by the weekly run of that week.

Run: python benchmarks/capacity_loop.py [--week 2027-W28] [--from 2027-W06] [--weeks 52]

On the bundled hotline (history to 2026-11-01, today's 88 agents), for each plan below:

1. `planner capacity` (in February, 52 weeks from 2027-W06) with `--agents-week W --agents-out
   agents.csv --week-scenario scenarios/summer-peak.toml --no-store`: the week is covered as
   summer-peak's weekly run staffs it, the inefficiency measured on a roster of that week;
2. `planner run` of summer-peak for W with that agents file (a scenario that extends
   summer-peak, names it and pins W); the file hands graduates and temps over as whole-agent
   equivalents at their productivity (the weekly roster counts every agent whole);
3. the loop figure: the week run's required staff-hours, its shortfall, and the shortfall as a
   percent of the requirement (goal: at most 1%), with the plan's own figures for W beside it.

Plans: `capacity-2027` (P80 of weekly demand at last July's handle time, the levers of
scenarios/capacity-2027.toml); `weekly-basis`, the same knobs planned on the weekly runs' basis
(summer-peak's `[forecast] plan_at = "upper"`, `[capacity] aht = "recent"`: the forecaster's
handle time, as the weekly run uses; the `[service]` 30% shrinkage in the summer weeks instead
of the summer-leave 34%); `weekly-basis-levers`, that plan with levers that can reach the
week without overtime (80 classroom seats, 40 temps, a missing staff-hour priced at 2 M VND,
above a hire's cost); `temps-40`, capacity-2027 with one lever that reaches the week (40 temps
instead of 20). Times are wall-clock on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def planner(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )


def loop(name: str, scenario: Path, week: str, first: str, weeks: int, work: Path) -> dict:
    agents = work / f"{name}-agents.csv"
    plan_csv = work / f"{name}-plan.csv"
    clock = time.monotonic()
    cap = planner(
        "capacity", str(scenario), "--from", first, "--weeks", str(weeks), "--format", "csv",
        "-o", str(plan_csv), "--agents-week", week, "--agents-out", str(agents),
        "--week-scenario", str(SCENARIOS / "summer-peak.toml"), "--no-store",
    )  # fmt: skip
    cap_s = time.monotonic() - clock
    if cap.returncode not in (0, 3):
        raise SystemExit(f"{name}: planner capacity failed ({cap.returncode}): {cap.stderr}")
    row = pd.read_csv(plan_csv).set_index("week").loc[week]
    staff = pd.read_csv(agents)
    run_sc = work / f"{name}-run.toml"
    run_sc.write_text(
        f'extends = "{SCENARIOS / "summer-peak.toml"}"\nname = "{name}-loop"\n'
        f'[data]\nagents = "{agents.name}"\n[run]\nweek = "{week}"\n'
    )
    out = work / f"{name}-week"
    clock = time.monotonic()
    run = planner("run", str(run_sc), "--out", str(out), "--no-store", "--allow-dir", str(ROOT))
    run_s = time.monotonic() - clock
    if run.returncode not in (0, 3):
        raise SystemExit(f"{name}: planner run failed ({run.returncode}): {run.stderr}")
    kpis = json.loads((out / "summary.json").read_text())["kpis"]
    required = float(kpis["required_staff_hours"])
    short = float(kpis["shortfall_staff_hours"])
    ineff = next((line.strip() for line in cap.stderr.splitlines() if "inefficiency " in line
                  and "measured" in line), "")  # fmt: skip
    return {
        "plan": name,
        "plan_staff_h": float(row["staff_hours"]),
        "plan_required_fte": float(row["required_fte"]),
        "plan_effective_fte": float(row["effective_fte"]),
        "plan_short_h": float(row["shortfall_h"]),
        "plan_overtime_h": float(row["overtime_h"]),
        "agents": len(staff),
        "hires_in_file": int(staff["agent"].str.startswith("H").sum()),
        "temps_in_file": int(staff["agent"].str.startswith("T").sum()),
        "graduates": _people(staff, "H"),
        "temps": _people(staff, "T"),
        "run_required_staff_h": required,
        "run_short_staff_h": short,
        "run_short_pct": 100.0 * short / required if required else 0.0,
        "run_headcount": int(kpis["headcount"]),
        "run_paid_h": float(kpis["paid_hours"]),
        "capacity_s": cap_s,
        "run_s": run_s,
        "inefficiency": ineff,
        "plan_exit": cap.returncode,
        "days": "\n  ".join(
            line.strip() for line in cap.stderr.splitlines() if "agent-days" in line
        ),
    }


def _people(staff: pd.DataFrame, prefix: str) -> int:
    """Heads the whole-agent equivalents `prefix`... stand for (`stands_for`: "24 ... at p%")."""
    groups = staff.loc[staff["agent"].str.startswith(prefix), "stands_for"].drop_duplicates()
    return int(sum(int(text.split()[0]) for text in groups))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--week", default="2027-W28")
    parser.add_argument("--from", dest="first", default="2027-W06")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument(
        "--only", default="", help="comma-separated plans to run (default: all four)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        summer = ", ".join(f'"2027-W{w}" = 30' for w in range(27, 33))
        runs_basis = work / "weekly-basis.toml"
        runs_basis.write_text(
            f'extends = "{SCENARIOS / "capacity-2027.toml"}"\nname = "weekly-basis"\n'
            '[forecast]\nplan_at = "upper"\n[capacity]\naht = "recent"\n'
            f"shrinkage_by_week = {{ {summer} }}\n"
        )
        reach = work / "weekly-basis-levers.toml"
        reach.write_text(
            f'extends = "{runs_basis.name}"\nname = "weekly-basis-levers"\n[capacity]\n'
            "training_capacity = 80\ntemp_max = 40\nshortfall_cost_per_hour = 2000000\n"
        )
        temps = work / "temps-40.toml"
        temps.write_text(
            f'extends = "{SCENARIOS / "capacity-2027.toml"}"\nname = "temps-40"\n[capacity]\n'
            "temp_max = 40\n"
        )
        chosen = [n for n in args.only.split(",") if n]
        rows = [
            loop(p.stem, p, args.week, args.first, args.weeks, work)
            for p in (SCENARIOS / "capacity-2027.toml", runs_basis, reach, temps)
            if not chosen or p.stem in chosen
        ]
    for r in rows:
        print(
            f"{r['plan']}: plan {args.week}: {r['plan_staff_h']:,.1f} staff-h, required "
            f"{r['plan_required_fte']:.1f} FTE, effective {r['plan_effective_fte']:.1f} FTE, plan "
            f"short {r['plan_short_h']:,.0f} staff-h (exit {r['plan_exit']}), overtime {r['plan_overtime_h']:,.1f} h (the "
            f"roster must place it); agents file {r['agents']} "
            f"({r['hires_in_file']} whole-agent equivalents of {r['graduates']} graduates, "
            f"{r['temps_in_file']} of {r['temps']} temps)\n"
            f"  {r['inefficiency']}\n  {r['days']}\n"
            f"  planner run summer-peak {args.week} with them: required "
            f"{r['run_required_staff_h']:,.1f} staff-h, short {r['run_short_staff_h']:,.1f} "
            f"staff-h = {r['run_short_pct']:.2f}% (goal <= 1%); roster {r['run_headcount']} "
            f"agents, {r['run_paid_h']:,.0f} paid h (capacity {r['capacity_s']:.0f} s, run "
            f"{r['run_s']:.0f} s wall)"
        )


if __name__ == "__main__":
    main()
