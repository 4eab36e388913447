"""Does a weather forecast in the temperature file move the forecast? Heat waves of the bundled
summers, forecast with and without the horizon's temperatures.

For every heat wave in the bundled temperature file (3+ days in a row at 35 °C or more, May to
August, with 400+ days of history before it), `forecast_history` forecasts 14 days from 2 days
before the wave starts (model `auto`), three ways:

- climatology: the temperature file cut at the forecast's start (the horizon gets the
  day-of-year climatology, what happens with no weather forecast);
- forecast: the file's rows past the start kept, i.e. a weather forecast that is right;
- noisy forecast: those rows plus a fixed pseudo-random error (sd 1.5 °C on day 1 growing to
  3 °C by day 14), closer to a real forecast.

Prints per wave and pooled: WAPE % on the heat days (35 °C or more) and on all 14 days, and the
share of heat days inside the 80% bounds.

    python benchmarks/forecast_heat.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.forecast import forecast_history, read_temperature  # noqa: E402
from planner.history import read_history  # noqa: E402

HOT_C = 35.0
HORIZON = 14


def heat_waves(temp: pd.Series, first_allowed: pd.Timestamp) -> list[pd.Timestamp]:
    hot = (temp >= HOT_C) & temp.index.month.isin([5, 6, 7, 8])
    starts, run = [], 0
    for day, is_hot in hot.items():
        run = run + 1 if is_hot else 0
        if run == 3:
            start = day - pd.Timedelta(days=2)
            if start >= first_allowed and (not starts or (start - starts[-1]).days > HORIZON):
                starts.append(start)
    return starts


def main() -> int:
    history = read_history(ROOT / "data" / "hotline_history.csv")
    temp = read_temperature(ROOT / "data" / "temperature.csv")
    actual = history.frame.groupby(history.frame["timestamp"].dt.normalize())["calls"].sum()
    rng = np.random.default_rng(2026)
    rows = []
    first = history.first_day() + pd.Timedelta(days=400)
    for wave in heat_waves(temp, first):
        start = wave - pd.Timedelta(days=2)
        days = pd.date_range(start, periods=HORIZON)
        noise = rng.normal(0, 1, HORIZON) * np.linspace(1.5, 3.0, HORIZON)
        noisy = temp.copy()
        noisy[days] = temp[days].to_numpy() + noise
        runs = {
            "climatology": temp[temp.index < start],
            "forecast": temp,
            "noisy forecast": noisy,
        }
        hot = temp.reindex(days).to_numpy() >= HOT_C
        for name, series in runs.items():
            result = forecast_history(
                history, horizon_days=HORIZON, start=start, temperature=series
            )
            fc = result.daily.set_index(pd.to_datetime(result.daily["date"]))
            act = actual.reindex(days).to_numpy()
            err = np.abs(fc["calls"].to_numpy() - act)
            inside = (act >= fc["lower"].to_numpy()) & (act <= fc["upper"].to_numpy())
            rows.append(
                {
                    "wave": wave.date(),
                    "run": name,
                    "model": result.model,
                    "heat_days": int(hot.sum()),
                    "abs_hot": err[hot].sum(),
                    "act_hot": act[hot].sum(),
                    "abs_all": err.sum(),
                    "act_all": act.sum(),
                    "in_hot": int(inside[hot].sum()),
                }
            )
    frame = pd.DataFrame(rows)
    frame["heat_wape_pct"] = (100 * frame["abs_hot"] / frame["act_hot"]).round(1)
    frame["all_wape_pct"] = (100 * frame["abs_all"] / frame["act_all"]).round(1)
    frame["heat_cov80_pct"] = (100 * frame["in_hot"] / frame["heat_days"]).round(0)
    pd.set_option("display.width", 200)
    print(f"## heat waves (3+ days >= {HOT_C:g} °C), {HORIZON} days from 2 days before each")
    cols = ["wave", "run", "model", "heat_days", "heat_wape_pct", "all_wape_pct", "heat_cov80_pct"]
    print(frame[cols].to_string(index=False))
    pooled = frame.groupby("run", sort=False)[["abs_hot", "act_hot", "abs_all", "act_all"]].sum()
    pooled["in_hot"] = frame.groupby("run", sort=False)["in_hot"].sum()
    pooled["heat_days"] = frame.groupby("run", sort=False)["heat_days"].sum()
    print("\n## pooled")
    for name, row in pooled.iterrows():
        print(
            f"{name:>15}: heat-day WAPE {100 * row['abs_hot'] / row['act_hot']:5.1f}%, all-day "
            f"WAPE {100 * row['abs_all'] / row['act_all']:5.1f}%, heat days inside the 80% "
            f"bounds {100 * row['in_hot'] / row['heat_days']:3.0f}% ({row['heat_days']:.0f} days)"
        )
    clim = pooled.loc["climatology"]
    for name in ("forecast", "noisy forecast"):
        cut = 1 - (pooled.loc[name, "abs_hot"] / clim["abs_hot"])
        print(f"heat-day error cut by the {name}: {100 * cut:.0f}% (goal: a third or more)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
