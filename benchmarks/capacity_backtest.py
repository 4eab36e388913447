"""Backtest of the capacity plan's demand side: how close is the weekly required FTE planned
13 and 26 weeks ahead to the requirement the calls that came would have set?

For each of the last 26 full weeks of a history and each lead L in (13, 26) weeks: forecast
from the history before the week's Monday minus L weeks (`planner.forecast`, the scenario's
model, only the days before that origin), staff that week interval by interval at P10/P50/P90
of weekly demand (`planner.capacity.weekly_demand`, its bounds at L weeks ahead), and compare
with the same Erlang staffing of the week's actual calls and AHT (80/20, 85% occupancy cap,
30% shrinkage flat on both sides, inefficiency 1.10, 48-h FTE). Printed per series and lead:
WAPE of weekly required FTE (P50) = sum |planned - actual| / sum actual, its bias, and the share
of weeks whose actual requirement lies inside the planned P10-P90 band (target 75-90%).

Series: the bundled hotline (30-min intervals with AHT) and, when ../shared/benchmarks is on
this machine, the public daily offered-calls series 2013-2018 (daily only: both sides spread
over the day by one fixed 30-min profile with AHT 300 s, so this scores the daily forecast
carried through Erlang; no country calendar).

Each row says which spread rule the plans took (`planner.capacity.spread.plan_spread`: the
spread by lead measured on the history, else the short-history rule of the forecaster's weekly
errors and the level's drift, else the daily bounds and the fixed drift) and what the band held
under the rule before the short-history one (the daily bounds where the history is short), in
the same run.

    python benchmarks/capacity_backtest.py              # both series (many minutes)
    python benchmarks/capacity_backtest.py --only bundled --weeks 8
    python benchmarks/capacity_backtest.py --only daily --daily-from 2016-01-01  # 3 years
    python benchmarks/capacity_backtest.py --only daily --daily-to 2015-12-31    # 2013-2015
    python benchmarks/capacity_backtest.py --only bundled --bundled-from 2024-10-28  # 2 years
    python benchmarks/capacity_backtest.py --only bundled --shift-pct -10 --shift-from 2026-01-05
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared_data import shared_benchmarks  # noqa: E402

from planner import forecast, history, io  # noqa: E402
from planner.capacity import (  # noqa: E402
    CapacityConfig,
    required_fte,
    seasonal_aht,
    weekly_demand,
)
from planner.capacity.spread import (  # noqa: E402
    LeadSpread,
    ShortSpread,
    known_temperature,
    plan_spread,
)
from planner.scenario import ServiceConfig  # noqa: E402
from planner.staffing import staff_requirements  # noqa: E402

LEADS = (13, 26)
CFG = CapacityConfig(tet_shrinkage_pct=None, shrinkage_pct=30.0, inefficiency=1.10)
TARGET = ServiceConfig().target()


def profile() -> np.ndarray:
    """A fixed 48-interval day shape (night trough, late-morning and evening peaks)."""
    hours = (np.arange(48) + 0.5) / 2
    shape = (
        0.15
        + np.exp(-0.5 * ((hours - 10.5) / 2.5) ** 2)
        + 0.7 * np.exp(-0.5 * ((hours - 19.5) / 2.0) ** 2)
    )
    return shape / shape.sum()


def spread(days: pd.DataFrame) -> pd.DataFrame:
    """Daily `date,calls[,lower,upper]` to 30-min intervals by `profile()`, AHT 300 s."""
    p = profile()
    stamps = pd.to_datetime(days["date"]).to_numpy()[:, None] + np.arange(48) * np.timedelta64(
        30, "m"
    )
    out = {"timestamp": stamps.ravel(), "aht": 300.0}
    for col in ("calls", "lower", "upper"):
        if col in days.columns:
            out[col] = (days[col].to_numpy(float)[:, None] * p[None, :]).ravel()
    return pd.DataFrame(out)


def actual_fte(intervals: pd.DataFrame) -> float:
    req = staff_requirements(intervals, TARGET, pooled=True, interval_s=1800)
    hours = req["staff"].sum() * 0.5
    return float(required_fte(np.array([hours]), CFG)[0])


def backtest(hist: history.History, country, model: str, weeks: int, daily: bool, temperature):
    frame = hist.total()
    last = pd.Timestamp(hist.last_day())
    last_monday = last - pd.Timedelta(days=last.weekday())
    if last.weekday() != 6:  # the last week is not complete
        last_monday -= pd.Timedelta(days=7)
    targets = [last_monday - pd.Timedelta(days=7 * k) for k in range(weeks)][::-1]
    rows = []
    for lead in LEADS:
        for target in targets:
            origin = target - pd.Timedelta(days=7 * lead)
            fc = forecast.forecast_history(
                hist,
                horizon_days=7 * (lead + 1),
                start=origin,
                level=80.0,
                country=country,
                model=model,
                # the weather as known at the origin (the file's later rows are the weather that
                # came: a plan months ahead has only the climatology)
                temperature=known_temperature(temperature, origin.date()),
            )
            intervals = spread(fc.daily) if daily else seasonal_aht(fc.intervals, hist, origin)
            cfg = CapacityConfig(horizon_weeks=lead + 1, tet_shrinkage_pct=None, shrinkage_pct=30.0)
            # the spread of the model the forecast chose (as `planner capacity` measures it)
            # (the temperature file up to the origin: its later rows are the weather that came,
            # not a weather forecast the plan would have had)
            measured = plan_spread(
                hist, origin.date(), fc.weekly_log_errors, fc.weekly_error_origins, model=fc.model,
                country=country,
                temperature=known_temperature(temperature, origin.date()),
            )  # fmt: skip
            demand, bounds = (
                weekly_demand(
                    intervals, fc.daily, origin.date(), cfg, TARGET, level=80.0,
                    country=country, spread=s,
                ).weeks.iloc[-1]
                for s in (measured, None)
            )  # fmt: skip
            ts = pd.to_datetime(frame["timestamp"])
            week = frame[(ts >= target) & (ts < target + pd.Timedelta(days=7))]
            if daily:
                got = spread(week.assign(date=ts[week.index].dt.normalize()))
            else:
                got = week.assign(aht=week["aht"].fillna(0.0)) if "aht" in week else week
            rows.append(
                {
                    "lead": lead,
                    "week": target.date(),
                    "p10": float(required_fte(np.array([demand["staff_hours_p10"]]), CFG)[0]),
                    "p50": float(required_fte(np.array([demand["staff_hours_p50"]]), CFG)[0]),
                    "p90": float(required_fte(np.array([demand["staff_hours_p90"]]), CFG)[0]),
                    "actual": actual_fte(got),
                    "model": fc.model,
                    "measured": isinstance(measured, LeadSpread),
                    "short": isinstance(measured, ShortSpread),
                    "sigma": float(demand["sigma"]),
                    "p10_bounds": float(
                        required_fte(np.array([bounds["staff_hours_p10"]]), CFG)[0]
                    ),
                    "p90_bounds": float(
                        required_fte(np.array([bounds["staff_hours_p90"]]), CFG)[0]
                    ),
                    "sigma_bounds": float(bounds["sigma"]),
                }
            )
    return pd.DataFrame(rows)


def report(name: str, frame: pd.DataFrame, seconds: float) -> None:
    for lead, part in frame.groupby("lead"):
        err = (part["p50"] - part["actual"]).abs().sum() / part["actual"].sum() * 100
        bias = (part["p50"] - part["actual"]).sum() / part["actual"].sum() * 100
        inside = ((part["actual"] >= part["p10"]) & (part["actual"] <= part["p90"])).mean() * 100
        old = (part["actual"] >= part["p10_bounds"]) & (part["actual"] <= part["p90_bounds"])
        # the rule before the short spread: measured by lead, else the daily bounds
        before = np.where(part["short"], old, inside_rows(part))
        short = part[part["short"]]
        models = ", ".join(sorted(set(part["model"])))
        print(
            f"{name:<28} lead {lead:>2} weeks: {len(part)} weeks, weekly required FTE WAPE "
            f"{err:5.1f}%, bias {bias:+5.1f}%, P10-P90 holds {inside:5.1f}% ({models}); "
            f"sigma {100 * part['sigma'].mean():.1f}%: measured by lead at "
            f"{int(part['measured'].sum())} of {len(part)} origins, from the short-lead weekly "
            f"errors and the drift at {len(short)} (sigma {_mean_pct(short['sigma'])}), from "
            f"the daily bounds at {len(part) - int(part['measured'].sum()) - len(short)}; "
            f"with the daily bounds and the fixed drift where the history is short (the rule "
            f"before): the band holds {100 * before.mean():5.1f}% (sigma of those "
            f"{_mean_pct(short['sigma_bounds'])}); the daily bounds at every origin: "
            f"{100 * old.mean():5.1f}%"
        )
    print(f"{'':<28} ({seconds:.0f} s)")


def inside_rows(part: pd.DataFrame) -> np.ndarray:
    return ((part["actual"] >= part["p10"]) & (part["actual"] <= part["p90"])).to_numpy()


def _mean_pct(values: pd.Series) -> str:
    return f"{100 * values.mean():.1f}%" if len(values) else "-"


def daily_offered(path: Path, first: str = "2013-01-01", last: str = "2018-12-31") -> Path:
    raw = pd.read_csv(path)
    raw["Date"] = pd.to_datetime(raw["Date"])
    raw = raw[(raw["Date"] >= first) & (raw["Date"] <= last)]
    out = Path(tempfile.mkdtemp()) / "daily_offered.csv"
    pd.DataFrame(
        {
            "timestamp": raw["Date"].dt.strftime("%Y-%m-%d"),
            "calls": raw["No_calls_Offered"].round().astype(int),
        }
    ).to_csv(out, index=False)
    return out


def variant(
    hist: history.History, first: str | None, shift_pct: float, shift_from: str | None
) -> history.History:
    """`hist` from the day `first` on (None: all of it), its calls from `shift_from` on times
    (1 + shift_pct / 100): the variants a spread must hold on too."""
    frame = hist.frame
    if first is not None:
        frame = frame[frame["timestamp"] >= pd.Timestamp(first)].reset_index(drop=True)
    if shift_pct:
        if shift_from is None:
            raise SystemExit("--shift-pct needs --shift-from")
        later = frame["timestamp"] >= pd.Timestamp(shift_from)
        frame = frame.assign(
            calls=np.where(later, frame["calls"] * (1 + shift_pct / 100), frame["calls"])
        )
    return dataclasses.replace(hist, frame=frame)


def _shifted(args) -> str:
    return f", calls {args.shift_pct:+g}% from {args.shift_from}" if args.shift_pct else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=("bundled", "daily"), default=None)
    parser.add_argument("--weeks", type=int, default=26, help="target weeks (default 26)")
    parser.add_argument("--model", default="auto", help="forecast model (default auto)")
    parser.add_argument(
        "--daily-from",
        default="2013-01-01",
        help="first day of the daily series (default 2013-01-01; 2016-01-01: the last three "
        "years, as short as the bundled history)",
    )
    parser.add_argument(
        "--daily-to", default="2018-12-31", help="last day of the daily series (2018-12-31)"
    )
    parser.add_argument(
        "--bundled-from",
        default=None,
        help="first day of the bundled history (2024-10-28: a year shorter; a variant)",
    )
    parser.add_argument(
        "--shift-pct",
        type=float,
        default=0.0,
        help="a level shift: the calls from --shift-from on times (1 + this / 100) (a variant)",
    )
    parser.add_argument("--shift-from", default=None, help="first day of the level shift")
    args = parser.parse_args()
    if args.only in (None, "bundled"):
        clock = time.monotonic()
        hist = history.read_history(io.bundled_path(history.BUNDLED_HISTORY))
        hist = variant(hist, args.bundled_from, args.shift_pct, args.shift_from)
        temp = io.bundled_path(history.BUNDLED_TEMPERATURE)
        frame = backtest(hist, "VN", args.model, args.weeks, False, temp)
        name = "bundled hotline (30 min)"
        if args.bundled_from or args.shift_pct:
            name = f"bundled from {pd.Timestamp(hist.first_day()):%Y-%m-%d}{_shifted(args)}"
        report(name, frame, time.monotonic() - clock)
    if args.only in (None, "daily"):
        folder = shared_benchmarks("calls/daily-offered-calls-2012-2019")
        if folder is None:
            print("daily offered calls: ../shared/benchmarks not on this machine, skipped")
            return
        clock = time.monotonic()
        path = daily_offered(folder / "call_volume.csv", args.daily_from, args.daily_to)
        hist = variant(history.read_history(path), None, args.shift_pct, args.shift_from)
        frame = backtest(hist, None, args.model, args.weeks, True, None)
        name = f"daily offered calls {args.daily_from[2:4]}-{args.daily_to[2:4]}{_shifted(args)}"
        report(name, frame, time.monotonic() - clock)


if __name__ == "__main__":
    main()
