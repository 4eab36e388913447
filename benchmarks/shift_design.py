"""TU Wien minimum shift design (MSD) instances through the roster engine's shift/coverage code.

Reads ../shared/benchmarks/shift-design (Musliu, Schaerf, Slany 2004; Di Gaspero et al. 2007;
Abseher's ASP distribution, see its README), solves each instance with
`design_shifts` (benchmarks/shift_design_model.py) (the MSD objective: UnderCover x shortage person-min +
Overcover x excess person-min + Shifts x distinct shifts used, cyclic week), and prints our
value beside `best_known.csv`. Exits 0 with a note when the shared folder is missing.

    .venv/bin/python benchmarks/shift_design.py [--sets DataSet1:1-30,DataSet2] [--time-limit 10]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shift_design_model import design_shifts  # noqa: E402

_HERE = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "shift-design"
# next to the checkout, or the shared folder of this machine (a worktree lives elsewhere)
SHARED = next(
    (p for p in (_HERE, Path("/work/shared/benchmarks/shift-design")) if p.is_dir()), _HERE
)


def parse_instance(path: Path) -> dict:
    """The `#`-headed sections of a RandomExampleN.txt file."""
    lines = path.read_text(encoding="latin-1").replace("\r", "").split("\n")
    sections: dict[str, list[str]] = {}
    key = None
    for line in lines:
        if line.startswith("#") and not line.startswith("# ") or line.startswith("#Shift"):
            key = line.strip("#: ").split(":")[0].strip()
            sections[key] = []
        elif key is not None and line.strip():
            sections[key].append(line.strip())
    interval = int(sections["MinuteInterval"][0])
    demand = [int(v) for v in " ".join(sections["Requirements"]).split()]
    templates = []
    for line in sections[
        "Abbr, Full name, Start, + Minutes,  -Minutes, Length, +Minutes, -Minutes, available days"
    ]:
        parts = line.split()
        hh, mm = parts[-7].split(":")
        start = int(hh) * 60 + int(mm)
        s_plus, s_minus, length, l_plus, l_minus = (int(v) for v in parts[-6:-1])
        templates.append((start - s_minus, start + s_plus, length - l_minus, length + l_plus))
    weights = {k: float(sections[k][0]) for k in ("UnderCover", "Overcover", "Shifts")}
    return {
        "interval": interval,
        "days": int(sections["DaysPerCycle"][0]),
        "cyclic": sections["FlagCyclical"][0].lower().startswith("y"),
        "demand": demand,
        "templates": templates,
        "weights": weights,
    }


def candidates(templates, interval) -> list[tuple[int, int]]:
    out = set()
    for s_lo, s_hi, l_lo, l_hi in templates:
        for start in range(s_lo, s_hi + 1, interval):
            for length in range(l_lo, l_hi + 1, interval):
                out.add((start % 1440, length))
    return sorted(out)


def selection(spec: str) -> list[tuple[str, int]]:
    out = []
    for part in spec.split(","):
        name, _, rng = part.partition(":")
        folder = SHARED / name
        count = len(list(folder.glob("RandomExample*.txt")))
        lo, _, hi = rng.partition("-") if rng else ("1", "", str(count))
        lo, hi = int(lo), int(hi or lo)
        out += [(name, k) for k in range(lo, hi + 1)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="DataSet1:1-30,DataSet2")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    args = parser.parse_args()
    if not SHARED.exists():
        print(f"shift-design benchmark data not found at {SHARED}; nothing to do")
        return
    best = {}
    with open(SHARED / "best_known.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            best[row["dataset"], row["instance"]] = row
    print(
        f"{'instance':<26}{'min':>4}{'ours':>8}{'bound':>9}{'best':>7}{'file':>7}"
        f"{'short':>7}{'excess':>7}{'shifts':>7}{'time_s':>8}  verdict"
    )
    tally = {"= best": 0, "< best": 0, "> best": 0}
    by_interval: dict[int, list] = {}
    for name, k in selection(args.sets):
        inst = parse_instance(SHARED / name / f"RandomExample{k}.txt")
        w = inst["weights"]
        t0 = time.perf_counter()
        plan = design_shifts(
            inst["demand"],
            inst["interval"],
            candidates(inst["templates"], inst["interval"]),
            inst["days"],
            cyclic=inst["cyclic"],
            under_weight=w["UnderCover"],
            over_weight=w["Overcover"],
            shift_weight=w["Shifts"],
            time_limit_s=args.time_limit,
            solver=args.solver,
        )
        secs = time.perf_counter() - t0
        ours = (
            w["UnderCover"] * plan.shortage_min
            + w["Overcover"] * plan.excess_min
            + w["Shifts"] * plan.distinct_shifts
        )
        ref = best.get((name, f"RandomExample{k}"), {})
        bk = float(ref.get("best_known_upper_bound") or "nan")
        verdict = "= best" if abs(ours - bk) < 1e-6 else ("< best" if ours < bk else "> best")
        tally[verdict] += 1
        by_interval.setdefault(inst["interval"], []).append((ours - bk) / bk if bk else 0)
        print(
            f"{name + '/' + str(k):<26}{inst['interval']:>4}{ours:>8.0f}{plan.bound:>9.1f}"
            f"{bk:>7.0f}{ref.get('fitness_stated_in_file', ''):>7}{plan.shortage_min:>7.0f}"
            f"{plan.excess_min:>7.0f}{plan.distinct_shifts:>7}{secs:>8.1f}  {verdict}"
        )
    print(
        f"summary: {tally['= best']} equal to best known, {tally['< best']} better, "
        f"{tally['> best']} worse"
    )
    for interval, rel in sorted(by_interval.items()):
        print(
            f"  {interval}-min instances: {len(rel)}, mean excess over best known "
            f"{100 * sum(rel) / len(rel):.2f}%, worst {100 * max(rel):.2f}%"
        )


if __name__ == "__main__":
    main()
