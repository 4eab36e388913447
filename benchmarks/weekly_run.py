"""Benchmark of the unattended weekly run and of the scenario comparison.

1. `planner run` with no arguments (the baseline on the bundled history, next week), timed
   (target: under 2 minutes on 2 cores), then run again: the CSVs and summary.json must be
   byte-identical.
2. `planner compare scenarios/*.toml --jobs 2`: prints the side-by-side table and checks that
   the ranking is sensible. The shipped scenarios roster the same 88 named agents, so on the
   summer week their cost barely moves and what a harder week changes is the shortfall: the heat
   wave and the storm leave more staff-hours short than the baseline, 90/20 needs more
   staff-hours than 80/20, the headcount cap shows a shortfall.

Needs nothing outside the repository. Usage: `.venv/bin/python benchmarks/weekly_run.py
[--skip-run] [--skip-compare] [--jobs N]`. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLANNER = [sys.executable, "-c", "from planner.cli import main; main()"]
COMPARED = ("forecast.csv", "requirements.csv", "roster.csv", "coverage.csv", "summary.json")


def planner(args: list[str], cwd: Path) -> tuple[int, float, str, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        [*PLANNER, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"},
    )
    return proc.returncode, time.perf_counter() - started, proc.stdout, proc.stderr


def bench_run(work: Path) -> bool:
    print("== planner run (no arguments: baseline, bundled history, next week)")
    ok = True
    dirs = []
    for attempt in (1, 2):
        cwd = work / f"run{attempt}"
        cwd.mkdir()
        code, seconds, _, err = planner(["run", "--verbose"], cwd)
        out = sorted((cwd / "out").iterdir())
        out = [p for p in out if p.is_dir()]
        print(f"run {attempt}: exit {code}, {seconds:.1f} s wall (target < 120 s)")
        for line in err.strip().splitlines():
            print(f"    {line}")
        if code not in (0, 3) or not out:
            return False
        dirs.append(out[0])
        ok &= seconds < 120
    same = [(dirs[0] / n).read_bytes() == (dirs[1] / n).read_bytes() for n in COMPARED]
    for name, equal in zip(COMPARED, same, strict=True):
        print(f"  {name:18s} {'identical' if equal else 'DIFFERENT'} in both runs")
    summary = json.loads((dirs[0] / "summary.json").read_text())
    print(f"  solver: {summary['solver']}")
    return ok and all(same)


def bench_compare(work: Path, jobs: int) -> bool:
    print(f"\n== planner compare scenarios/*.toml --jobs {jobs}")
    from planner import pipeline
    from planner.report import tables

    files = sorted(str(p) for p in (REPO / "scenarios").glob("*.toml"))
    files.sort(key=lambda f: (Path(f).stem != "baseline", f))  # the baseline first
    result_path = work / "compare.json"
    plot = work / "compare.png"
    code, seconds, _, err = planner(
        [
            "compare",
            *files,
            "--jobs",
            str(jobs),
            "--format",
            "json",
            "-o",
            str(result_path),
            "--plot",
            str(plot),
        ],
        REPO,
    )
    print(f"exit {code}, {seconds:.1f} s wall for {len(files)} scenarios")
    if err.strip():
        print(err.rstrip())
    if code != 0:
        return False
    import pandas as pd

    frame = pd.DataFrame(json.loads(result_path.read_text()))
    week = frame["week"].iloc[0]
    view = tables.comparison_view(pipeline.Comparison(frame, week))
    print(tables.render_table(view, f"Scenarios on {week}"))
    by = frame.set_index("scenario")
    checks = {
        "the heat wave leaves more shortfall than the baseline": by.loc[
            "heat-wave", "shortfall_staff_hours"
        ]
        > by.loc["baseline", "shortfall_staff_hours"],
        "90/20 needs more staff-hours than 80/20": by.loc["service-90-20", "required_staff_hours"]
        > by.loc["baseline", "required_staff_hours"],
        "the headcount cap shows a shortfall": by.loc["headcount-cap", "understaffed_intervals"]
        > 0,
        "the storm leaves more shortfall than the baseline": by.loc[
            "storm", "shortfall_staff_hours"
        ]
        > by.loc["baseline", "shortfall_staff_hours"],
    }
    for text, passed in checks.items():
        print(f"  {'ok  ' if passed else 'FAIL'} {text}")
    return all(checks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-run", action="store_true")
    parser.add_argument("--skip-compare", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    ok = True
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_run:
            ok &= bench_run(work)
        if not args.skip_compare:
            ok &= bench_compare(work, args.jobs)
    print("\nall checks passed" if ok else "\nSOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
