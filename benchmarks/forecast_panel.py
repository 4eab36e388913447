"""A panel of lines nobody here has seen: short histories, level steps, holiday habits, weather.

Every series is made from the real public series in `../shared/benchmarks/calls/` (skipped, and
said so, when that folder is missing) to imitate what a new user brings:

- `weekday 15-min closes holidays`: Anonymous Bank 1999 (IL), only Sunday-Thursday 08:00-20:00
  kept and every IL holiday left out (the line is closed then), from March (10 months);
- `24/7 30-min works holidays`: the bank's 24/7 line as it is (it works the holidays), from
  mid-April (8.5 months);
- `weekday 60-min +25% step`: the weekday line from February, +25% from 15 October (a step the
  rolling folds see fresh);
- `24/7 30-min -25% step`: the 24/7 line from March, -25% from 1 November;
- `load 30-min cold+heat`: the 24/7 line from February, each day scaled by a load response to
  the daily offered calls' own weather (`tmax` of 2015, °F -> °C, on the same calendar day):
  +2.5% per °C below 13 °C and +4% per °C above 27 °C; scored three ways: no temperature file,
  the file up to each origin (the horizon takes the climatology), and the file with the
  horizon's rows (a perfect weather forecast);
- `24/7 60-min, weather it ignores`: the 24/7 line from February with the same temperature file
  (and the horizon's rows), which does not drive it: the weather terms must not make it worse
  than `24/7 60-min, no temperature`, the same line without the file;
- `daily offered, 10 months`: the daily offered calls, March-December 2018, no country.

One run scores, on the same rolling folds (8 origins 14 days apart, the last ending with the
history): ours (`auto`, re-chosen at every origin, `planner.forecast.backtest`), the weekly
seasonal naive two ways (`naive`: the same weekday a week earlier spread by our profile;
`naive_iv`: each interval the same interval a week earlier) and, when statsforecast is
installed, its MSTL and AutoETS (daily totals, and MSTL per interval). Printed per series: the
interval (or, for a daily series, daily) WAPE ratio of ours to each naive and to the best peer,
the 80% bounds' coverage, and the panel's mean and worst ratio. Same defaults for every series:
no constant is set per series.

    python benchmarks/forecast_panel.py              # every series (several minutes)
    python benchmarks/forecast_panel.py --no-peers   # ours and the naives only
    python benchmarks/forecast_panel.py --only step
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from forecast_accuracy import HORIZON, interval_snaive, peers  # noqa: E402
from shared_data import shared_benchmarks  # noqa: E402

from planner.forecast import MODELS, backtest  # noqa: E402
from planner.history import History, read_history  # noqa: E402

SHARED = shared_benchmarks("calls")
FOLDS = 8
COLD_C, COLD_SLOPE = 13.0, 0.025  # the made-up load response (not known to the model)
HEAT_C, HEAT_SLOPE = 27.0, 0.04


def _write(frame: pd.DataFrame, path: Path, daily: bool = False) -> History:
    out = frame[["timestamp", "calls"]].copy()
    out["timestamp"] = out["timestamp"].dt.strftime("%Y-%m-%d" if daily else "%Y-%m-%dT%H:%M:%S")
    out.to_csv(path, index=False)
    return read_history(path)


def _bins(frame: pd.DataFrame, minutes: int) -> pd.DataFrame:
    out = frame.assign(timestamp=frame["timestamp"].dt.floor(f"{minutes}min"))
    return out.groupby("timestamp", as_index=False)["calls"].sum()


def _weather(shared: Path) -> pd.Series:
    """Daily max temperature (°C) of the daily offered calls' 2015, on 1999's calendar days."""
    raw = pd.read_csv(shared / "daily-offered-calls-2012-2019" / "call_volume.csv")
    raw["Date"] = pd.to_datetime(raw["Date"])
    year = raw[raw["Date"].dt.year == 2015]
    days = year["Date"] - pd.DateOffset(years=16)
    return pd.Series(((year["tmax"] - 32) * 5 / 9).round(1).to_numpy(), index=days.to_numpy())


def panel(tmp: Path, only: str | None):
    """(name, history, country, temperature path or None, weather_forecast) per series."""
    if SHARED is None:
        print("# ../shared/benchmarks/calls not found: no panel", file=sys.stderr)
        return
    raw = pd.read_csv(
        SHARED / "anonymous-bank-1999" / "anonymous_bank_1999_6min.csv",
        parse_dates=["interval_start"],
    ).rename(columns={"interval_start": "timestamp"})
    raw["calls"] = raw["calls"].round()  # 1999-05-23 has half-integer counts (its README)
    ts = raw["timestamp"]
    day = ts.dt.normalize()
    from planner import calendar

    days = pd.DatetimeIndex(day.unique())
    holidays = days[calendar.is_holiday(days, "IL")]
    weekday = (
        ts.dt.day_of_week.isin([6, 0, 1, 2, 3])
        & (ts.dt.hour >= 8)
        & (ts.dt.hour < 20)
        & ~day.isin(holidays)
    )
    temp = _weather(SHARED)
    temp_path = tmp / "temperature.csv"
    pd.DataFrame({"date": temp.index.strftime("%Y-%m-%d"), "temp_max_c": temp.to_numpy()}).to_csv(
        temp_path, index=False
    )

    def since(frame: pd.DataFrame, first: str) -> pd.DataFrame:
        return frame[frame["timestamp"] >= pd.Timestamp(first)]

    def step(frame: pd.DataFrame, start: str, factor: float) -> pd.DataFrame:
        out = frame.copy()
        late = out["timestamp"] >= pd.Timestamp(start)
        out.loc[late, "calls"] = (out.loc[late, "calls"] * factor).round()
        return out

    load = raw.copy()
    t = temp.reindex(load["timestamp"].dt.normalize()).to_numpy()
    response = (
        1 + COLD_SLOPE * np.maximum(COLD_C - t, 0.0) + HEAT_SLOPE * np.maximum(t - HEAT_C, 0.0)
    )
    load["calls"] = (load["calls"] * response).round()
    load30 = _write(_bins(since(load, "1999-02-01"), 30), tmp / "load30.csv")

    def make():
        yield (
            "weekday 15-min closes holidays",
            _write(_bins(since(raw[weekday], "1999-03-01"), 15), tmp / "wd15.csv"),
            "IL",
            None,
            False,
        )
        yield (
            "24/7 30-min works holidays",
            _write(_bins(since(raw, "1999-04-15"), 30), tmp / "all30.csv"),
            "IL",
            None,
            False,
        )
        yield (
            "weekday 60-min +25% step",
            _write(
                _bins(step(since(raw[weekday], "1999-02-01"), "1999-10-15", 1.25), 60),
                tmp / "wd60s.csv",
            ),
            "IL",
            None,
            False,
        )
        yield (
            "24/7 30-min -25% step",
            _write(_bins(step(since(raw, "1999-03-01"), "1999-11-01", 0.75), 30), tmp / "s30.csv"),
            "IL",
            None,
            False,
        )
        yield "load 30-min cold+heat, no temperature", load30, "IL", None, False
        yield "load 30-min cold+heat, climatology", load30, "IL", temp_path, False
        yield "load 30-min cold+heat, weather forecast", load30, "IL", temp_path, True
        all60 = _write(_bins(since(raw, "1999-02-01"), 60), tmp / "all60.csv")
        yield "24/7 60-min, no temperature", all60, "IL", None, False
        yield "24/7 60-min, weather it ignores", all60, "IL", temp_path, True
        offered = pd.read_csv(SHARED / "daily-offered-calls-2012-2019" / "call_volume.csv")
        offered["Date"] = pd.to_datetime(offered["Date"])
        offered = offered[(offered["Date"] >= "2018-03-01") & (offered["Date"] <= "2018-12-31")]
        frame = pd.DataFrame(
            {"timestamp": offered["Date"], "calls": offered["No_calls_Offered"].round()}
        )
        yield (
            "daily offered, 10 months",
            _write(frame, tmp / "offered.csv", daily=True),
            "none",
            None,
            False,
        )

    for item in make():
        if only is None or only.lower() in item[0].lower():
            yield item


def _row(table: pd.DataFrame, model: str, level: str) -> pd.Series | None:
    sel = table[(table["model"] == model) & (table["level"] == level) & (table["days"] == "all")]
    return None if sel.empty else sel.iloc[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="series whose name contains this")
    parser.add_argument("--no-peers", action="store_true", help="ours and the naives only")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--verbose", action="store_true", help="also every model of ours")
    args = parser.parse_args()
    pd.set_option("display.width", 220)
    have_peers = False
    if not args.no_peers:
        try:
            import statsforecast  # noqa: F401

            have_peers = True
        except ImportError:
            print("# statsforecast is not installed: no MSTL / AutoETS peers")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, history, country, temperature, weather in panel(Path(tmp), args.only):
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                table = backtest(
                    history,
                    folds=args.folds,
                    horizon_days=HORIZON,
                    country=country,
                    temperature=temperature,
                    models=(*MODELS, "auto") if args.verbose else ("seasonal_naive", "auto"),
                    weather_forecast=weather,
                )
            level = "interval" if history.interval_min is not None else "daily"
            ours, naive = _row(table, "auto", level), _row(table, "seasonal_naive", level)
            best_peer, best_name = np.nan, ""
            if have_peers:
                daily_peers, interval_peers, _ = peers(history, country, args.folds)
                found = interval_peers if level == "interval" else daily_peers
                found = {k: v for k, v in found.items() if k != "HoltWinters"}
                if found:
                    best_name = min(found, key=lambda k: found[k].wape())
                    best_peer = found[best_name].wape()
            iv = interval_snaive(history, country, args.folds) if level == "interval" else None
            daily = _row(table, "auto", "daily")
            rows.append(
                {
                    "series": name,
                    "level": level,
                    "wape_pct": ours["wape_pct"],
                    "x_naive": round(ours["wape_pct"] / naive["wape_pct"], 3),
                    "x_naive_iv": round(ours["wape_pct"] / iv.wape(), 3) if iv else np.nan,
                    "x_best_peer": round(ours["wape_pct"] / best_peer, 3)
                    if np.isfinite(best_peer)
                    else np.nan,
                    "best_peer": best_name,
                    "cov80_pct": ours["coverage_pct"],
                    "daily_wape": daily["wape_pct"],
                    "daily_cov80": daily["coverage_pct"],
                    "s": round(time.perf_counter() - t0),
                }
            )
            print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1))
            if args.verbose:
                print(table[table["days"] == "all"].to_string(index=False))
    frame = pd.DataFrame(rows)
    print(f"\n## panel: {args.folds} folds x {HORIZON} days; ratios of ours (auto) per interval")
    print(frame.to_string(index=False))
    for col in ("x_naive", "x_naive_iv", "x_best_peer"):
        vals = frame[col].dropna()
        if len(vals):
            print(f"{col}: mean {vals.mean():.3f}, worst {vals.max():.3f}")
    cov = frame["cov80_pct"]
    print(f"80% bounds: {cov.min():.1f}-{cov.max():.1f}% of intervals (goal 75-90%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
