"""How often the 80% bounds hold on short histories, over many cuts instead of one.

One 8-week history backtested on 2 folds scores 28 days from 2 origins: its coverage moves by
10-20 points from one cut to the next (the two origins' level errors decide it), so one such
figure says little about the calibration. This cuts each line into short histories ending every
23 days back from its end (`--cuts`, default 12), backtests `auto` on 2 folds x 14 days on each
(as `benchmarks/forecast_accuracy.py` does for its 8-week series) and prints the bounds'
coverage over all the cuts' days and intervals together, with the spread over cuts.

Lines: the bundled hotline (30-min), the Anonymous Bank 1999 (15-min, IL holidays) and the daily
offered calls 2013-2018 (no country), read from ../shared/benchmarks or /work/shared/benchmarks
(skipped when absent).

    python benchmarks/forecast_short_bounds.py              # 6, 8 and 13 weeks, 12 cuts
    python benchmarks/forecast_short_bounds.py --weeks 8 --cuts 20
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared_data import shared_benchmarks  # noqa: E402

from planner.forecast import backtest  # noqa: E402
from planner.history import History  # noqa: E402

SHARED = shared_benchmarks("calls")
HORIZON, FOLDS, STEP_DAYS = 14, 2, 23


def lines():
    """(name, frame of timestamp/calls, interval minutes or None, country)."""
    hot = pd.read_csv(ROOT / "data" / "hotline_history.csv", parse_dates=["timestamp"])
    yield "hotline 30-min", hot[["timestamp", "calls"]], 30, "VN"
    if SHARED is None:
        print("# shared benchmark data not found: the public lines are skipped", file=sys.stderr)
        return
    bank = SHARED / "anonymous-bank-1999" / "anonymous_bank_1999_6min.csv"
    if bank.exists():
        raw = pd.read_csv(bank, parse_dates=["interval_start"])
        raw = raw.rename(columns={"interval_start": "timestamp"})
        raw = raw.assign(timestamp=raw["timestamp"].dt.floor("15min"), calls=raw["calls"].round())
        yield "bank 1999 15-min", raw.groupby("timestamp", as_index=False)["calls"].sum(), 15, "IL"
    offered = SHARED / "daily-offered-calls-2012-2019" / "call_volume.csv"
    if offered.exists():
        raw = pd.read_csv(offered, parse_dates=["Date"])
        raw = raw[(raw["Date"] >= "2013-01-01") & (raw["Date"] <= "2018-12-31")]
        frame = pd.DataFrame({"timestamp": raw["Date"], "calls": raw["No_calls_Offered"].round()})
        yield "daily offered", frame[frame["calls"] > 0], None, "none"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, nargs="*", default=[6, 8, 13])
    parser.add_argument("--cuts", type=int, default=12)
    args = parser.parse_args()
    rows = []
    for name, frame, interval, country in lines():
        day = frame["timestamp"].dt.normalize()
        ends = day.max() - pd.to_timedelta(np.arange(args.cuts) * STEP_DAYS, unit="D")
        for weeks in args.weeks:
            t0 = time.perf_counter()
            tally = {"daily": [0.0, 0], "interval": [0.0, 0]}
            per_cut = []
            for end in ends:
                start = end - pd.Timedelta(days=7 * weeks + FOLDS * HORIZON - 1)
                part = frame[(day >= start) & (day <= end)].reset_index(drop=True)
                table = backtest(
                    History(part, interval, (), name),
                    folds=FOLDS,
                    horizon_days=HORIZON,
                    country=country,
                    models=("seasonal_naive", "auto"),
                )
                for level in tally:
                    sel = table[
                        (table["model"] == "auto")
                        & (table["level"] == level)
                        & (table["days"] == "all")
                    ]
                    if sel.empty:
                        continue
                    r = sel.iloc[0]
                    tally[level][0] += r["coverage_pct"] * r["n"] / 100
                    tally[level][1] += int(r["n"])
                    if level == "daily":
                        per_cut.append(r["coverage_pct"])
            row = {"line": name, "weeks": weeks, "cuts": args.cuts}
            for level, (inside, n) in tally.items():
                row[f"{level}_cov80_pct"] = round(100 * inside / n, 1) if n else np.nan
            row["daily_cov_min_max"] = f"{min(per_cut):.0f}-{max(per_cut):.0f}"
            row["s"] = round(time.perf_counter() - t0, 1)
            rows.append(row)
            print(f"# {name}, {weeks} weeks: {row['s']} s", file=sys.stderr, flush=True)
    print(pd.DataFrame(rows).drop(columns="s").to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
