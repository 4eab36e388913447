"""Forecast accuracy: rolling-origin backtests of every daily model, daily and per interval.

Prints WAPE / bias / MASE of each model (and of `auto`, the model choice `planner forecast` makes,
re-run at every origin) against the weekly seasonal naive, all days and summer days separately,
on:

1. the bundled hotline history (30-min, 24/7, VN holidays, temperature), 26 folds x 14 days;
2. the same line cut to weekdays 07:00-21:00, closed on VN holidays (closed hours must stay 0);
3. /work/shared/benchmarks/calls/anonymous-bank-1999 (Israel, 1999, 6-min counts aggregated to
   30 min; IL holidays; one year only, so no yearly terms), 12 folds x 14 days;
4. /work/shared/benchmarks/calls/daily-offered-calls-2012-2019 (daily, unknown country, 2013-2018
   as its README advises; `--country none`), 26 folds x 14 days.

Same defaults for every data set (no tuning per data set). The public data sets are read from
../shared/benchmarks relative to the repo; when that folder is missing they are skipped.

    .venv/bin/python benchmarks/forecast_accuracy.py [--quick]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small solves: threads only slow them down

import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner import calendar  # noqa: E402
from planner.forecast import backtest  # noqa: E402
from planner.history import read_history  # noqa: E402

SHARED = next(
    (
        p
        for p in (
            Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "calls",
            Path("/work/shared/benchmarks/calls"),
        )
        if p.exists()
    ),
    Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "calls",
)


def _history_from(frame: pd.DataFrame, tmp: Path, name: str):
    """Write `frame` as a History CSV and read it back through the real loader."""
    path = tmp / f"{name}.csv"
    out = frame.copy()
    fmt = "%Y-%m-%d" if name.endswith("daily") else "%Y-%m-%dT%H:%M:%S"
    out["timestamp"] = out["timestamp"].dt.strftime(fmt)
    out.to_csv(path, index=False)
    return read_history(path)


def datasets(tmp: Path, quick: bool):
    bundled = ROOT / "data" / "hotline_history.csv"
    temperature = ROOT / "data" / "temperature.csv"
    folds = 8 if quick else 26
    if bundled.exists():
        yield "hotline (bundled, 30-min, VN)", read_history(bundled), "VN", temperature, folds
        frame = pd.read_csv(bundled, parse_dates=["timestamp"])
        ts = frame["timestamp"]
        days = pd.DatetimeIndex(ts.dt.normalize().unique())
        hol = days[calendar.is_holiday(days, "VN")]
        keep = (
            (ts.dt.day_of_week < 5)
            & (ts.dt.hour >= 7)
            & (ts.dt.hour < 21)
            & ~ts.dt.normalize().isin(hol)
        )
        yield (
            "hotline weekdays 07-21, closed holidays",
            _history_from(frame[keep], tmp, "weekday_line"),
            "VN",
            None,
            folds,
        )
    if not SHARED.exists():
        print(f"# {SHARED} not found: public call-centre benchmarks skipped", file=sys.stderr)
        return
    bank = SHARED / "anonymous-bank-1999" / "anonymous_bank_1999_6min.csv"
    if bank.exists():
        raw = pd.read_csv(bank, parse_dates=["interval_start"])
        raw["timestamp"] = raw["interval_start"].dt.floor("30min")
        half = raw.groupby("timestamp", as_index=False)["calls"].sum()
        half["calls"] = half["calls"].round()  # 1999-05-23 has half-integer counts (README)
        yield (
            "anonymous bank 1999 (30-min, IL)",
            _history_from(half, tmp, "bank"),
            "IL",
            None,
            6 if quick else 12,
        )
    daily = SHARED / "daily-offered-calls-2012-2019" / "call_volume.csv"
    if daily.exists():
        raw = pd.read_csv(daily, parse_dates=["Date"])
        raw = raw[(raw["Date"] >= "2013-01-01") & (raw["Date"] <= "2018-12-31")]
        frame = pd.DataFrame({"timestamp": raw["Date"], "calls": raw["No_calls_Offered"].round()})
        yield (
            "daily offered calls 2013-2018 (none)",
            _history_from(frame, tmp, "offered_daily"),
            "none",
            None,
            folds,
        )


def main() -> int:
    quick = "--quick" in sys.argv
    pd.set_option("display.width", 200)
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, history, country, temperature, folds in datasets(Path(tmp), quick):
            t0 = time.perf_counter()
            table = backtest(
                history, folds=folds, horizon_days=14, country=country, temperature=temperature
            )
            took = time.perf_counter() - t0
            print(f"\n## {name}: {folds} folds x 14 days, country {country} ({took:.0f} s)")
            print(table.to_string(index=False))
            for _, row in table[table["model"] == "auto"].iterrows():
                summary.append(
                    {
                        "data set": name,
                        "level": row["level"],
                        "days": row["days"],
                        "auto_wape": row["wape_pct"],
                        "naive_wape": float(
                            table[
                                (table["model"] == "seasonal_naive")
                                & (table["level"] == row["level"])
                                & (table["days"] == row["days"])
                            ]["wape_pct"].iloc[0]
                        ),
                        "auto_bias": row["bias_pct"],
                        "auto_mase": row["mase"],
                        "better_pct": row["vs_naive_pct"],
                        "coverage": row["coverage_pct"],
                    }
                )
    print(
        "\n## summary: auto (the chosen model) vs seasonal naive, WAPE %; coverage % of the "
        "80% bounds (open days / intervals)"
    )
    print(pd.DataFrame(summary).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
