"""Replay whole days through `planner intraday`'s reforecast and actions.

For every day of the last year of the bundled history (2025-11-03 .. 2026-11-01) and of the
Anonymous Bank's 6-minute days (1999, from February; read from ../shared/benchmarks, skipped
when absent), "now" is 10:00 and 12:00: the actuals before now are the day's rows, the morning
forecast is planner's forecast for the day made WEEKLY from the history up to the previous
Sunday (one 7-day forecast per week, for speed; bundled: model `regression`, the one `auto`
picks on it; bank: `auto`, country IL). Printed:

- days whose morning forecast missed the daily total by more than 10%: the rest-of-day interval
  WAPE of the reforecast and of the morning forecast and the reduction (targets >= 25% at 10:00,
  >= 35% at 12:00); the other days: the change (target: never more than 2% worse); beside them
  `oracle`, the change a level-only update would make if it knew the rest of the day's total
  (the morning forecast scaled to it): the bound of any one-factor update; `Poisson floor`, the
  change to the WAPE the true mean would still have if the calls were Poisson around it (the
  oracle's curve standing for the mean: no forecast gets below it); `at true total`, the
  update's own curve scaled to the true rest-of-day total (what its shape is worth; the gap to
  `change` is what its level costs); `curve weight`, the mean weight of the curve learnt from
  the history's mornings (`planner.intraday.morning`);
- the share of days whose actual rest-of-day total falls inside the reforecast's 80% bounds
  (target 75-85%);
- at 12:00, `--tomorrow`: the daily WAPE of tomorrow's plan and of the plan carried from today
  (shrunk by the persistence measured on the history before today), Monday to Saturday;
- on a storm day of the bundled history (2026-09-01, data/README.md), the week published by
  `planner run --week 2026-W36` (baseline, the bundled 88 agents, recorded in a plan store), the
  actions `planner intraday` proposes at 10:00 with the expected and simulated service level of
  the rest of the day before and after, and the schedule's rule checker on the week after
  them (target >= 15 points, no rule broken);
- the time of one intraday run (target <= 10 s; absolute times are noisy on a shared machine).

`oracle` and `+shape` (the morning forecast times exp(a + b t + c t^2) fitted to the true rest of
the day: a level and a shape in three numbers, known after the fact) bound what any update of
the level, or of the level and a smooth shape, could reach. `--profiles` adds the two series
with the day's profile in principal components of past days as a candidate curve (Shen & Huang
2008's intraday update, `planner.intraday.morning.DayProfiles`; off in planner: it did no
better).

`--variants` adds series that check the update is not fitted to the two series' intervals and
history lengths (nothing in it is set per series: the curve's weight and trust are chosen on
each line's own held-out weeks): the bundled line summed to 60 minutes, the bank summed to 30
minutes (each with its own weekly forecasts), and the bundled line whose update reads only the
26 weeks of history before each day.

The forecasts are cached in --cache (default /tmp/planner-intraday-cache) so a second run only
replays.

    python benchmarks/intraday_replay.py
    python benchmarks/intraday_replay.py --only bundled
    python benchmarks/intraday_replay.py --variants --no-storm
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared_data import ROOT, shared_benchmarks  # noqa: E402

from planner.forecast import forecast_history  # noqa: E402
from planner.history import read_history  # noqa: E402
from planner.intraday import (  # noqa: E402
    ActionSettings,
    UpdateSettings,
    carry_to_tomorrow,
    overtime_rules,
    persistence_from_history,
    reforecast_day,
)
from planner.jobs.intraday import run_intraday  # noqa: E402
from planner.schedule import Rules, check_roster_rules  # noqa: E402

MISS_PCT = 10.0


def weekly_forecasts(history_path, cache: Path, name: str, first: str, last: str, **kw):
    """One 7-day forecast per week (origin Monday, history up to the Sunday before), cached:
    the intervals and the daily rows (with the daily bounds a plan store keeps)."""
    out, out_daily = cache / f"{name}.csv", cache / f"{name}_daily.csv"
    if out.exists() and out_daily.exists():
        daily = pd.read_csv(out_daily, parse_dates=["date"])
        return pd.read_csv(out, parse_dates=["timestamp"]), daily
    history = read_history(history_path, country=kw.get("country"))
    frames, days = [], []
    for monday in pd.date_range(first, last, freq="W-MON"):
        t0 = time.perf_counter()
        result = forecast_history(history, horizon_days=7, start=monday, **kw)
        frames.append(result.intervals)
        days.append(result.daily)
        print(
            f"  {name}: forecast from {monday.date()} ({time.perf_counter() - t0:.1f} s)",
            file=sys.stderr,
        )
    frame = pd.concat(frames, ignore_index=True)
    daily = pd.concat(days, ignore_index=True)
    cache.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False)
    daily.to_csv(out_daily, index=False)
    daily["date"] = pd.to_datetime(daily["date"])
    return frame, daily


def bank_history(tmp: Path) -> Path | None:
    folder = shared_benchmarks("calls/anonymous-bank-1999")
    if folder is None:
        return None
    raw = pd.read_csv(folder / "anonymous_bank_1999_6min.csv", parse_dates=["interval_start"])
    frame = pd.DataFrame(
        {
            "timestamp": raw["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "calls": np.round(raw["calls"]).astype(int),
        }
    )
    path = tmp / "bank6.csv"
    frame.to_csv(path, index=False)
    return path


def coarser(path: Path, minutes: int, out: Path) -> Path:
    """The History CSV `path` summed onto `minutes`-minute intervals (a variant of a series at
    another interval), written to `out`."""
    if not out.exists():
        frame = pd.read_csv(path, parse_dates=["timestamp"])
        frame = frame.groupby(frame["timestamp"].dt.floor(f"{minutes}min"))["calls"].sum()
        frame = frame.reset_index()
        frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S")
        out.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out, index=False)
    return out


def variants(cache: Path, only: str | None):
    """(name, history path, morning forecasts, weeks of history the update may read) of the
    variants that check the update is not fitted to the two series' intervals and lengths:
    the bundled line summed to 60 min, the bank's days summed to 30 min, and the bundled line
    whose update reads only the 26 weeks before each day (a young centre's history; its
    morning forecast is the full one's)."""
    if only in (None, "bundled"):
        path = coarser(ROOT / "data" / "hotline_history.csv", 60, cache / "bundled60_history.csv")
        fc = weekly_forecasts(
            path, cache, "bundled60", "2025-11-03", "2026-10-26", model="regression",
            country="VN", temperature=ROOT / "data" / "temperature.csv",
        )  # fmt: skip
        yield "variant: bundled 60-min", path, fc, None
        path = ROOT / "data" / "hotline_history.csv"
        fc = weekly_forecasts(path, cache, "bundled", "2025-11-03", "2026-10-26",
                              model="regression", country="VN",
                              temperature=ROOT / "data" / "temperature.csv")  # fmt: skip
        yield "variant: bundled, 26 weeks of history", path, fc, 26
    if only in (None, "bank"):
        cache.mkdir(parents=True, exist_ok=True)
        six = bank_history(cache)
        if six is not None:
            path = coarser(six, 30, cache / "bank30_history.csv")
            fc = weekly_forecasts(
                path, cache, "bank30", "1999-02-01", "1999-12-27", model="auto", country="IL"
            )
            yield "variant: bank 30-min", path, fc, None


def series(cache: Path, only: str | None):
    """(name, history path, morning forecasts) per series."""
    if only in (None, "bundled"):
        path = ROOT / "data" / "hotline_history.csv"
        fc = weekly_forecasts(
            path,
            cache,
            "bundled",
            "2025-11-03",
            "2026-10-26",
            model="regression",
            country="VN",
            temperature=ROOT / "data" / "temperature.csv",
        )
        yield "bundled hotline 30-min", path, fc
    if only in (None, "bank"):
        cache.mkdir(parents=True, exist_ok=True)
        path = bank_history(cache)
        if path is None:
            print("bank: ../shared/benchmarks/calls/anonymous-bank-1999 not found, skipped")
        else:
            fc = weekly_forecasts(
                path, cache, "bank", "1999-02-01", "1999-12-27", model="auto", country="IL"
            )
            yield "Anonymous Bank 6-min", path, fc


def replay_accuracy(
    name,
    history_path,
    forecasts: pd.DataFrame,
    daily: pd.DataFrame | None,
    hours=(10, 12),
    history_weeks: int | None = None,
    settings: UpdateSettings | None = None,
) -> list[dict]:
    """Every forecast day with a full day of actuals, reforecast at each hour in `hours`; the
    day's spread from its daily bounds (`daily`, as the plan store keeps them) or, with None,
    from the interval bounds alone (as a week directory's forecast.csv has them).
    `history_weeks`: the update reads only that many weeks of history before the day."""
    bounds = None if daily is None else daily.set_index(daily["date"].dt.normalize())
    actual = pd.read_csv(history_path, parse_dates=["timestamp"])
    actual = actual.groupby("timestamp")["calls"].sum()
    history = actual.rename("calls").reset_index()
    step = int(pd.Series(forecasts["timestamp"]).diff().dropna().min().total_seconds() // 60)
    rows = []
    by_day = dict(list(forecasts.groupby(forecasts["timestamp"].dt.normalize())))
    for day, plan in by_day.items():
        plan = plan.sort_values("timestamp").reset_index(drop=True)
        got = actual.reindex(pd.DatetimeIndex(plan["timestamp"])).to_numpy(float)
        if np.isnan(got).any() or got.sum() <= 0:
            continue  # a missing day (or a closed one) is not replayed
        miss_pct = 100.0 * abs(plan["calls"].sum() - got.sum()) / got.sum()
        for hour in hours:
            now = day + pd.Timedelta(hours=hour)
            seen = np.asarray(plan["timestamp"] < now)
            day_bounds = None
            if bounds is not None and day in bounds.index:
                day_bounds = (float(bounds.at[day, "lower"]), float(bounds.at[day, "upper"]))
            past = history
            if history_weeks is not None:
                past = history[history["timestamp"] >= day - pd.Timedelta(weeks=history_weeks)]
            result = reforecast_day(
                plan, got[seen], now, step, day_bounds, settings=settings, history=past
            )
            truth = got[~seen]
            morning = plan["calls"].to_numpy(float)[~seen]
            updated = result.rest_intervals["calls"].to_numpy(float)
            carried = tomorrow_errors(by_day, day, actual, history, result, hour)
            rows.append(
                {
                    "series": name,
                    "day": day,
                    "hour": hour,
                    "missed": miss_pct > MISS_PCT,
                    "err_morning": float(np.abs(morning - truth).sum()),
                    "err_update": float(np.abs(updated - truth).sum()),
                    # the update's curve at the true rest-of-day total: what its shape alone
                    # is worth (the gap to err_update is what its level costs)
                    "err_true_level": float(
                        np.abs(updated * truth.sum() / max(updated.sum(), 1e-9) - truth).sum()
                    ),
                    # the best any one factor on the morning forecast could do (knowing the
                    # rest of the day's total): the bound of a level-only update
                    "err_oracle": float(
                        np.abs(morning * truth.sum() / max(morning.sum(), 1e-9) - truth).sum()
                    ),
                    # the best a level and a shape in 3 numbers could do knowing the rest of
                    # the day (the morning forecast x exp(quadratic in time), fitted to it)
                    "err_oracle_shape": float(np.abs(oracle_shape(morning, truth) - truth).sum()),
                    "actual_rest": float(truth.sum()),
                    "inside": bool(result.rest_lower <= truth.sum() <= result.rest_upper),
                    "factor": result.factor,
                    **carried,
                    "curve_weight": result.curve_weight,
                    # what even the true mean would miss by if the calls were Poisson around it
                    # (the oracle curve stands for the mean): no forecast gets below it
                    "err_floor": poisson_mad(morning * truth.sum() / max(morning.sum(), 1e-9)),
                }
            )
    return rows


def tomorrow_errors(by_day, day, actual, history, result, hour) -> dict:
    """At 12:00, tomorrow's daily error of the plan and of the plan carried from today
    (`--tomorrow`): only when tomorrow's plan comes from the same weekly forecast (Monday to
    Saturday; Sunday's tomorrow is next week's forecast, made after today)."""
    nxt = day + pd.Timedelta(days=1)
    if hour != 12 or day.day_of_week == 6 or nxt not in by_day:
        return {}
    plan = by_day[nxt].sort_values("timestamp").reset_index(drop=True)
    got = actual.reindex(pd.DatetimeIndex(plan["timestamp"])).to_numpy(float)
    measured = persistence_from_history(history, day)
    if np.isnan(got).any() or got.sum() <= 0 or measured is None:
        return {}
    carried = carry_to_tomorrow(plan, result.day, float(result.intervals["plan"].sum()),
                                measured[0])  # fmt: skip
    return {
        "tomorrow_actual": float(got.sum()),
        "tomorrow_err_plan": abs(float(plan["calls"].sum()) - got.sum()),
        "tomorrow_err_carried": abs(carried.total - got.sum()),
        "persistence": measured[0],
    }


def oracle_shape(plan_rest: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """The plan's rest of the day x exp(a + b t + c t^2), fitted to the true rest of the day by
    least squares on log((truth + 1) / (plan + 1)) weighted by the plan's calls (Poisson)."""
    t = np.linspace(-1.0, 1.0, len(truth))
    design = np.column_stack([np.ones_like(t), t, t * t])
    w = np.sqrt(plan_rest + 1.0)
    y = np.log((truth + 1.0) / (plan_rest + 1.0))
    coef = np.linalg.lstsq(design * w[:, None], y * w, rcond=None)[0]
    return plan_rest * np.exp(design @ coef)


def poisson_mad(mean: np.ndarray) -> float:
    """The summed mean absolute deviation of Poisson counts around `mean`: 2 m P(X = floor m)."""
    mean = np.asarray(mean, float)
    return float((2.0 * mean * stats.poisson.pmf(np.floor(mean), mean)).sum())


def print_accuracy(rows: list[dict]) -> None:
    frame = pd.DataFrame(rows)
    print(
        "series                                   now    days  kind            WAPE morning  WAPE update  change   "
        "oracle  +shape  at true total  Poisson floor  curve weight  80% bounds hold"
    )
    for (series_name, hour), part in frame.groupby(["series", "hour"], sort=False):
        inside = 100.0 * part["inside"].mean()
        for missed, sub in part.groupby("missed"):
            wm = 100.0 * sub["err_morning"].sum() / sub["actual_rest"].sum()
            wu = 100.0 * sub["err_update"].sum() / sub["actual_rest"].sum()
            wo = 100.0 * sub["err_oracle"].sum() / sub["actual_rest"].sum()
            ws = 100.0 * sub["err_oracle_shape"].sum() / sub["actual_rest"].sum()
            wf = 100.0 * sub["err_floor"].sum() / sub["actual_rest"].sum()
            wt = 100.0 * sub["err_true_level"].sum() / sub["actual_rest"].sum()
            kind = "missed > 10%" if missed else "others"
            print(
                f"{series_name:<40} {hour:02d}:00 {len(sub):>5}  {kind:<14} {wm:>11.1f}% "
                f"{wu:>11.1f}% {100.0 * (wu - wm) / wm:>+7.1f}% {100.0 * (wo - wm) / wm:>+7.1f}%"
                f" {100.0 * (ws - wm) / wm:>+6.1f}%"
                f"  {100.0 * (wt - wm) / wm:>+12.1f}%  {100.0 * (wf - wm) / wm:>+12.1f}%  {sub['curve_weight'].mean():>12.2f}"
                + (f"  {inside:.1f}% of {len(part)} days" if missed else "")
            )
        if "tomorrow_actual" in part.columns and part["tomorrow_actual"].notna().any():
            t = part[part["tomorrow_actual"].notna()]
            for label, sub in (("all days", t), ("today missed > 10%", t[t["missed"]])):
                wp = 100.0 * sub["tomorrow_err_plan"].sum() / sub["tomorrow_actual"].sum()
                wc = 100.0 * sub["tomorrow_err_carried"].sum() / sub["tomorrow_actual"].sum()
                print(
                    f"{'':<40} {hour:02d}:00 {len(sub):>5}  --tomorrow, {label}: daily WAPE "
                    f"of tomorrow's plan {wp:.1f}%, carried {wc:.1f}% ({100 * (wc - wp) / wp:+.1f}%), "
                    f"persistence {t['persistence'].mean():.2f}"
                )
        # per-day worst change on the other days
        others = part[~part["missed"]]
        if len(others):
            worse = (others["err_update"] - others["err_morning"]) / others["actual_rest"]
            print(
                f"{'':<40} {hour:02d}:00        others: days worse by > 2 points of WAPE: "
                f"{int((worse > 0.02).sum())} of {len(others)}"
            )


STORM_DAY = "2026-09-01"  # data/README.md: storm 2026-09-01 .. 09-02 (on National Day)
STORM_WEEK = "2026-W36"


def storm_day(cache: Path) -> None:
    """The published week of the storm made by `planner run` (baseline, bundled agents), then
    `planner intraday` at 10:00 on the storm day, as cron would run it."""
    week = cache / STORM_WEEK
    db = cache / "planner.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    if not (week / "roster.csv").exists():
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "planner", "run", "--week", STORM_WEEK, "--out", week,
             "--store", db, "--quiet"],
            env=env, check=False,
        )  # fmt: skip
        print(f"  planner run {STORM_WEEK}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    rows = pd.read_csv(ROOT / "data" / "hotline_history.csv")
    today = rows[rows["timestamp"].str.startswith(STORM_DAY)]
    today = today[today["timestamp"] < f"{STORM_DAY}T10:00:00"]
    actuals = cache / f"{STORM_DAY}-10.csv"
    today.to_csv(actuals, index=False)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "planner", "intraday", "--actuals", actuals, "--store", db,
         "--format", "json", "-o", cache / "storm.json"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    obj = json.loads((cache / "storm.json").read_text())
    result = run_intraday(None, actuals, store_path=db)
    roster = result.plan.roster
    checked = overtime_rules(Rules(), ActionSettings())
    breaches = check_roster_rules(roster, checked)
    kinds = pd.Series([a.kind for a in result.plan.actions]).value_counts().to_dict()
    steps = obj["service_level"]
    ref = obj["reforecast"]
    print()
    print(
        f"storm day {STORM_DAY} at 10:00 (plan: planner run {STORM_WEEK}, baseline, 88 agents): "
        f"calls so far {ref['actual_so_far']:.0f} vs plan {ref['plan_so_far']:.0f}, busyness "
        f"x{ref['factor']:.2f}, rest of the day {ref['rest']:.0f} calls "
        f"[{ref['rest_lower']:.0f}, {ref['rest_upper']:.0f}] vs plan {ref['plan_rest']:.0f}"
    )
    print("  actions: " + ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items())))
    for s in steps:
        print(f"  {s['after']:<22} expected {s['expected_pct']:5.1f}%  simulated "
              f"{s['simulated_pct']:5.1f}%")  # fmt: skip
    gain = steps[-1]["simulated_pct"] - steps[0]["simulated_pct"]
    print(
        f"  simulated gain of the set: {gain:+.1f} points (target >= 15); rule breaches in the "
        f"week after the actions (schedule checker, 12 h day, +40 h overtime): {len(breaches)}; "
        f"exit code {proc.returncode}"
    )
    load = os.getloadavg()[0]
    print(f"  one run of `planner intraday` (a process, imports included): {wall:.1f} s wall, "
          f"{cpu:.1f} s CPU, at a load of {load:.0f} on this machine (target <= 10 s)")  # fmt: skip


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default="/tmp/planner-intraday-cache")
    parser.add_argument("--only", choices=("bundled", "bank"), default=None)
    parser.add_argument("--forecasts-only", action="store_true")
    parser.add_argument("--no-storm", action="store_true", help="skip the storm-day actions")
    parser.add_argument(
        "--variants",
        action="store_true",
        help="also the variants: bundled 60-min, bank 30-min, bundled with 26 weeks of history",
    )
    parser.add_argument(
        "--profiles",
        action="store_true",
        help="also the two series (daily bounds) with the day's profile in principal "
        "components as a candidate curve (Shen & Huang 2008; off in planner)",
    )
    args = parser.parse_args(argv)
    rows = []
    for name, path, (fc, daily) in series(Path(args.cache), args.only):
        if args.forecasts_only:
            continue
        rows += replay_accuracy(f"{name}, daily bounds", path, fc, daily)
        rows += replay_accuracy(f"{name}, interval bounds", path, fc, None)
        if args.profiles:
            svd = UpdateSettings(profile_components=(1, 2, 3, 4, 6))
            rows += replay_accuracy(f"{name}, + profiles", path, fc, daily, settings=svd)
    if args.variants:
        for name, path, (fc, daily), weeks in variants(Path(args.cache), args.only):
            if not args.forecasts_only:
                rows += replay_accuracy(name, path, fc, daily, history_weeks=weeks)
    if rows:
        print_accuracy(rows)
    if not args.forecasts_only and not args.no_storm and args.only in (None, "bundled"):
        storm_day(Path(args.cache))


if __name__ == "__main__":
    main()
