"""Forecast accuracy on call histories nobody here made: ours against the seasonal naive and peers.

One run, the same rolling-origin folds (`folds` origins 14 days apart, the last fold ending with
the history, each fitted on the days before its origin only) for every model:

- ours: `auto` (the model choice `planner forecast` makes, re-run at every origin) as
  `planner.forecast.backtest` scores it, daily totals and intervals (daily forecast spread by
  the intraday profile);
- two seasonal naives: `snaive(daily x ours)`, the backtest's: daily, the same weekday a week
  earlier, per interval that daily forecast spread by OUR intraday profile (a hybrid: a better
  profile improves it too); `snaive(interval)`, the classic interval one: each interval the same
  interval 7 days earlier (0 if it was closed), always computed, on the same folds and intervals;
- peers: statsmodels Holt-Winters (damped additive trend, additive weekly season) on daily
  totals, always; with the optional `bench` extra (`pip install -e ".[bench]"`) statsforecast
  AutoETS and MSTL on daily totals (seasons 7, and 365 with 2+ years) and MSTL on the interval
  series directly (seasons of a day and a week, last 4 weeks), with their 80% intervals.

Printed per series and model: WAPE % (sum |error| / sum actual), bias %, ratio to the WAPE of
`snaive(daily x ours)` (x_naive) and, per interval, of `snaive(interval)` (x_snaive_iv), ratio to
the best peer's WAPE, and coverage % of the 80% bounds (open days /
intervals), daily and per interval. Missing days are not scored; closed days count (actual 0).
Peers get no calendar: they forecast closed days as their seasons say.

Series: the bundled hotline (30-min and 60-min), the shared public ones (Anonymous Bank 1999 at
15/30/60 min, IL holidays; daily offered calls 2013-2018, no country) and variants made from the
bundled line: weekdays 07-21 closed on holidays; the same with a holiday never seen before that
the centre works; an 8-week history; a 2-year history; a missing week; a +30% level shift.
Same defaults for every series (no tuning per series). The public series are read from
../shared/benchmarks (next to the repo) or /work/shared/benchmarks; skipped (and said so) when
absent.

    python benchmarks/forecast_accuracy.py            # 8 folds x 14 days (a few minutes)
    python benchmarks/forecast_accuracy.py --folds 26 # more origins
    python benchmarks/forecast_accuracy.py --only bank --verbose
    python benchmarks/forecast_accuracy.py --no-peers # ours and the two naives only (faster)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small solves: threads only slow them down

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared_data import shared_benchmarks  # noqa: E402

from planner import calendar  # noqa: E402
from planner.forecast import backtest  # noqa: E402
from planner.forecast.grid import daily_series, learn_open_rules, make_grid  # noqa: E402
from planner.history import History, read_history  # noqa: E402

SHARED = shared_benchmarks("calls") or ROOT.parent / "shared" / "benchmarks" / "calls"
HORIZON = 14
LEVEL = 80.0


def _history_from(frame: pd.DataFrame, tmp: Path, name: str, daily: bool = False) -> History:
    """Write `frame` as a History CSV and read it back through the real loader."""
    path = tmp / f"{name}.csv"
    out = frame[["timestamp", "calls"]].copy()
    out["timestamp"] = out["timestamp"].dt.strftime("%Y-%m-%d" if daily else "%Y-%m-%dT%H:%M:%S")
    out.to_csv(path, index=False)
    return read_history(path)


def _resample(frame: pd.DataFrame, minutes: int) -> pd.DataFrame:
    out = frame.assign(timestamp=frame["timestamp"].dt.floor(f"{minutes}min"))
    return out.groupby("timestamp", as_index=False)["calls"].sum()


def series(tmp: Path, only: str | None):
    """(name, history, country, temperature, folds override or None) for every series."""
    bundled = ROOT / "data" / "hotline_history.csv"
    temperature = ROOT / "data" / "temperature.csv"
    frame = pd.read_csv(bundled, parse_dates=["timestamp"])[["timestamp", "calls"]]
    ts = frame["timestamp"]
    end = ts.max().normalize()
    days = pd.DatetimeIndex(ts.dt.normalize().unique())
    hol = days[calendar.is_holiday(days, "VN")]
    weekday = (ts.dt.day_of_week < 5) & (ts.dt.hour >= 7) & (ts.dt.hour < 21)

    def cut(first_day) -> pd.DataFrame:
        return frame[ts >= pd.Timestamp(first_day)]

    def make():
        yield "hotline 30-min", read_history(bundled), "VN", temperature, None
        yield "hotline 60-min", _history_from(_resample(frame, 60), tmp, "h60"), "VN", None, None
        yield (
            "weekdays 07-21, closed holidays",
            _history_from(frame[weekday & ~ts.dt.normalize().isin(hol)], tmp, "weekday"),
            "VN",
            None,
            None,
        )
        # a holiday the centre works, never seen before: the history starts after last year's
        # National Day, every other holiday closed
        national = hol[(hol.month == 9) & (hol.year == end.year)]
        worked = frame[
            weekday
            & (ts >= pd.Timestamp(f"{end.year - 1}-09-15"))
            & (~ts.dt.normalize().isin(hol) | ts.dt.normalize().isin(national))
        ]
        yield "unseen worked holiday", _history_from(worked, tmp, "unseen"), "VN", None, None
        yield (
            "8-week history",
            _history_from(cut(end - pd.Timedelta(days=56 + 2 * HORIZON - 1)), tmp, "w8"),
            "VN",
            None,
            2,
        )
        two = cut(end - pd.Timedelta(days=729))
        yield "2-year history", _history_from(two, tmp, "y2"), "VN", temperature, None
        gap = (ts.dt.normalize() > end - pd.Timedelta(days=60)) & (
            ts.dt.normalize() <= end - pd.Timedelta(days=53)
        )
        yield "a missing week", _history_from(frame[~gap], tmp, "gap"), "VN", temperature, None
        shifted = frame.copy()
        late = ts.dt.normalize() > end - pd.Timedelta(days=140)
        shifted.loc[late, "calls"] = (shifted.loc[late, "calls"] * 1.3).round()
        yield "+30% level shift", _history_from(shifted, tmp, "shift"), "VN", temperature, None
        if not SHARED.exists():
            print(f"# {SHARED} not found: the public series are skipped", file=sys.stderr)
            return
        bank = SHARED / "anonymous-bank-1999" / "anonymous_bank_1999_6min.csv"
        if bank.exists():
            raw = pd.read_csv(bank, parse_dates=["interval_start"])
            raw = raw.rename(columns={"interval_start": "timestamp"})
            raw["calls"] = raw["calls"].round()  # 1999-05-23 has half-integer counts (README)
            for minutes in (15, 30, 60):
                history = _history_from(_resample(raw, minutes), tmp, f"bank{minutes}")
                yield f"bank 1999 {minutes}-min (IL)", history, "IL", None, None
        offered = SHARED / "daily-offered-calls-2012-2019" / "call_volume.csv"
        if offered.exists():
            raw = pd.read_csv(offered, parse_dates=["Date"])
            raw = raw[(raw["Date"] >= "2013-01-01") & (raw["Date"] <= "2018-12-31")]
            daily = pd.DataFrame(
                {"timestamp": raw["Date"], "calls": raw["No_calls_Offered"].round()}
            )
            history = _history_from(daily, tmp, "offered", daily=True)
            yield "daily offered 2013-2018 (none)", history, "none", None, None

    for item in make():
        if only is None or only.lower() in item[0].lower():
            yield item


# ----------------------------------------------------------------------------------------------
# peers


def _filled(values: np.ndarray, period: int) -> np.ndarray:
    """NaN (missing) values filled from one period earlier (or later at the start)."""
    out = values.astype(float).copy()
    for i in np.flatnonzero(~np.isfinite(out)):
        j = i - period
        while j >= 0 and not np.isfinite(out[j]):
            j -= period
        if j >= 0:
            out[i] = out[j]
    rest = ~np.isfinite(out)
    out[rest] = np.nanmean(out) if np.isfinite(out).any() else 0.0
    return out


def _holt_winters(train: np.ndarray, h: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(
            train, trend="add", damped_trend=True, seasonal="add", seasonal_periods=7
        ).fit()
        return np.maximum(fit.forecast(h), 0.0)


def _statsforecast(train: np.ndarray, h: int, seasons: list[int], freq: str, ets: bool = True):
    """{name: (mean, lower, upper)} from statsforecast AutoETS (when `ets`; it has no seasons
    over 24, so not per interval) and MSTL, or {} without statsforecast."""
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import MSTL, AutoETS
    except ImportError:
        return {}
    df = pd.DataFrame(
        {
            "unique_id": "s",
            "ds": pd.date_range("2000-01-03", periods=len(train), freq=freq),
            "y": train,
        }
    )
    models = [AutoETS(season_length=seasons[0], alias="AutoETS")] if ets else []
    models.append(MSTL(season_length=seasons, alias="MSTL"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = StatsForecast(models=models, freq=freq, n_jobs=1).forecast(
            df=df, h=h, level=[int(LEVEL)]
        )
    result = {}
    for name in [m.alias for m in models]:
        lo, hi = f"{name}-lo-{int(LEVEL)}", f"{name}-hi-{int(LEVEL)}"
        result[name] = tuple(np.maximum(out[c].to_numpy(), 0.0) for c in (name, lo, hi))
    return result


# ----------------------------------------------------------------------------------------------
# scoring


class Tally:
    """Sums of |error|, error and actual, and bound hits, over the scored days / intervals."""

    def __init__(self):
        self.abs = self.err = self.act = 0.0
        self.inside = self.open = 0

    def add(self, forecast, actual, lower=None, upper=None):
        forecast, actual = np.asarray(forecast, float), np.asarray(actual, float)
        self.abs += float(np.abs(forecast - actual).sum())
        self.err += float((forecast - actual).sum())
        self.act += float(actual.sum())
        if lower is not None:
            is_open = (forecast > 0) | (actual > 0)
            hit = (actual >= np.asarray(lower)) & (actual <= np.asarray(upper))
            self.inside += int((hit & is_open).sum())
            self.open += int(is_open.sum())

    def wape(self):
        return 100 * self.abs / self.act if self.act > 0 else np.nan

    def bias(self):
        return 100 * self.err / self.act if self.act > 0 else np.nan

    def coverage(self):
        return 100 * self.inside / self.open if self.open else np.nan


def _interval_past(grid, acts: np.ndarray, origin: int) -> np.ndarray:
    """Calls per interval before `origin`, flat (days x slots): absent intervals 0 (closed),
    a whole missing day filled from the same day a week (or more) earlier."""
    calls = grid.calls.astype(float).copy()
    calls[~np.isfinite(acts)] = np.nan
    return _filled(calls[:origin].ravel(), 7 * grid.slots)


def interval_snaive(history: History, country: str, folds: int) -> Tally | None:
    """The classic interval seasonal naive on the backtest's folds and scored intervals: every
    interval forecast as the same interval 7 days earlier (0 if it was closed; the last week
    repeated beyond 7 days). None for a daily history."""
    grid = make_grid(history, calendar.normalise_country(country), None)
    if grid.interval_min is None:
        return None
    n, slots = len(grid.days), grid.slots
    y, closed = daily_series(grid, learn_open_rules(grid, n), n)
    acts = np.where(closed, 0.0, y.to_numpy())
    tally = Tally()
    for k in range(folds, 0, -1):
        origin = n - k * HORIZON
        ok = np.isfinite(acts[origin : origin + HORIZON])
        last_week = _interval_past(grid, acts, origin)[-7 * slots :]
        naive = np.tile(last_week, HORIZON // 7 + 1)[: HORIZON * slots].reshape(HORIZON, slots)
        tally.add(naive[ok], grid.calls[origin : origin + HORIZON][ok])
    return tally


def peers(history: History, country: str, folds: int) -> tuple[dict, dict, int]:
    """Peer tallies on the backtest's folds: ({model: Tally} daily, {model: Tally} interval,
    number of folds)."""
    grid = make_grid(history, calendar.normalise_country(country), None)
    n = len(grid.days)
    rules = learn_open_rules(grid, n)
    y, closed = daily_series(grid, rules, n)
    acts = np.where(closed, 0.0, y.to_numpy())
    daily: dict[str, Tally] = {}
    interval: dict[str, Tally] = {}
    slots = grid.slots
    for k in range(folds, 0, -1):
        origin = n - k * HORIZON
        actual = acts[origin : origin + HORIZON]
        ok = np.isfinite(actual)
        train = _filled(acts[:origin], 7)[-3 * 365 :]
        daily.setdefault("HoltWinters", Tally()).add(_holt_winters(train, HORIZON)[ok], actual[ok])
        seasons = [7, 365] if len(train) >= 730 else [7]
        for name, (mean, lo, hi) in _statsforecast(train, HORIZON, seasons, "D").items():
            daily.setdefault(name, Tally()).add(mean[ok], actual[ok], lo[ok], hi[ok])
        if grid.interval_min is None:
            continue
        past = _interval_past(grid, acts, origin)
        iv_actual = grid.calls[origin : origin + HORIZON][ok]
        week = 7 * slots
        recent = past[-4 * week :]
        found = _statsforecast(
            recent, HORIZON * slots, [slots, week], f"{grid.interval_min}min", ets=False
        )
        for name, (mean, lo, hi) in found.items():
            shape = (HORIZON, slots)
            interval.setdefault(name, Tally()).add(
                mean.reshape(shape)[ok], iv_actual, lo.reshape(shape)[ok], hi.reshape(shape)[ok]
            )
    return daily, interval, folds


def _ours(table: pd.DataFrame, model: str, level: str) -> dict | None:
    row = table[(table["model"] == model) & (table["level"] == level) & (table["days"] == "all")]
    if row.empty:
        return None
    r = row.iloc[0]
    return {"wape": r["wape_pct"], "bias": r["bias_pct"], "cov": r["coverage_pct"]}


NAIVE = "snaive(daily x ours)"  # the backtest's seasonal_naive, spread by our profile
SNAIVE_IV = "snaive(interval)"  # the classic one: the same interval 7 days earlier


def report(name, table, daily_peers, interval_peers, snaive_iv: Tally | None) -> list[dict]:
    """Rows per level and model; `x_naive` is the ratio to the daily seasonal naive spread by
    our intraday profile, `x_snaive_iv` (intervals only) to the classic interval naive."""
    rows = []
    for level, peer_tallies in (("daily", daily_peers), ("interval", interval_peers)):
        if _ours(table, "auto", level) is None:
            continue
        peer_rows = {k: {"wape": t.wape(), "bias": t.bias(), "cov": t.coverage()}
                     for k, t in peer_tallies.items()}  # fmt: skip
        best_peer = min((v["wape"] for v in peer_rows.values()), default=np.nan)
        naive = _ours(table, "seasonal_naive", level)["wape"]
        entries = {"ours (auto)": _ours(table, "auto", level)}
        entries[NAIVE] = _ours(table, "seasonal_naive", level)
        iv_naive = np.nan
        if level == "interval" and snaive_iv is not None:
            iv_naive = snaive_iv.wape()
            entries[SNAIVE_IV] = {"wape": iv_naive, "bias": snaive_iv.bias(), "cov": np.nan}
        entries.update(peer_rows)
        for model, v in entries.items():
            rows.append(
                {
                    "series": name,
                    "level": level,
                    "model": model,
                    "wape_pct": round(v["wape"], 2),
                    "bias_pct": round(v["bias"], 2),
                    "x_naive": round(v["wape"] / naive, 3) if naive else np.nan,
                    "x_snaive_iv": round(v["wape"] / iv_naive, 3) if iv_naive else np.nan,
                    "x_best_peer": round(v["wape"] / best_peer, 3)
                    if np.isfinite(best_peer)
                    else np.nan,
                    "cov80_pct": round(v["cov"], 1) if np.isfinite(v["cov"]) else np.nan,
                }
            )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=8, help="rolling origins (default 8)")
    parser.add_argument("--only", default=None, help="series whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="also every model of ours")
    parser.add_argument(
        "--no-peers",
        action="store_true",
        help="only auto and the two seasonal naives (a quick look at WAPE and coverage)",
    )
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 500)
    if args.no_peers:
        print("# no peers: ours (auto) and the two seasonal naives only")
    else:
        try:
            import statsforecast  # noqa: F401

            print("# peers: statsmodels Holt-Winters, statsforecast AutoETS and MSTL")
        except ImportError:
            print("# peers: statsmodels Holt-Winters (install the bench extra for statsforecast)")
    print(
        f"# x_naive: WAPE over {NAIVE}'s, the backtest's seasonal naive (daily: the same weekday"
        " a week earlier; per interval that daily forecast spread by OUR intraday profile)\n"
        f"# x_snaive_iv: WAPE over {SNAIVE_IV}'s, the classic interval seasonal naive (each"
        " interval: the same interval 7 days earlier, 0 if closed), intervals only"
    )
    summary = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, history, country, temperature, fold_override in series(Path(tmp), args.only):
            folds = fold_override or args.folds
            t0 = time.perf_counter()
            table = backtest(
                history,
                folds=folds,
                horizon_days=HORIZON,
                country=country,
                temperature=temperature,
                **({"models": ("seasonal_naive", "auto")} if args.no_peers else {}),
            )
            t1 = time.perf_counter()
            daily_peers, interval_peers = {}, {}
            if not args.no_peers:
                daily_peers, interval_peers, _ = peers(history, country, folds)
            t2 = time.perf_counter()
            snaive_iv = interval_snaive(history, country, folds)
            rows = report(name, table, daily_peers, interval_peers, snaive_iv)
            summary += rows
            print(
                f"\n## {name}: {folds} folds x {HORIZON} days, country {country}, "
                f"temperature {'yes' if temperature else 'no'} "
                f"(ours {t1 - t0:.0f} s, peers {t2 - t1:.0f} s)"
            )
            print(pd.DataFrame(rows).drop(columns="series").to_string(index=False))
            if args.verbose:
                print(table.to_string(index=False))
    frame = pd.DataFrame(summary)
    ours = frame[frame["model"] == "ours (auto)"]
    print(
        f"\n## summary: ours (auto), ratios to {NAIVE} (x_naive), to {SNAIVE_IV}"
        " (x_snaive_iv, intervals) and to the best peer"
    )
    print(ours.drop(columns="model").to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
