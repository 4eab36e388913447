"""Does an average of the two best models earn its place? Same folds as the backtest.

At each of `folds` origins (14 days apart, the last ending with the history) the model choice
of `planner forecast --model auto` is re-run from the data before the origin; the pick's daily
forecast is scored against the plain average of the two models with the lowest selection WAPE.
Prints daily WAPE % of both per series (bundled hotline, its weekday-only cut, and the public
Anonymous Bank 1999 series at 30 min when ../shared/benchmarks is there).

    python benchmarks/forecast_blend.py [--folds 8]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from forecast_accuracy import series  # noqa: E402

from planner import calendar  # noqa: E402
from planner.forecast.exog import build_exog, read_temperature  # noqa: E402
from planner.forecast.grid import find_closed_holidays, make_grid  # noqa: E402
from planner.forecast.rolling import RollingOrigins, select, select_horizon  # noqa: E402

HORIZON = 14
WANTED = ("hotline 30-min", "weekdays 07-21", "bank 1999 30-min")


def main() -> int:
    folds = int(sys.argv[sys.argv.index("--folds") + 1]) if "--folds" in sys.argv else 8
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, history, country, temperature, _ in series(Path(tmp), None):
            if not name.startswith(WANTED):
                continue
            country = calendar.normalise_country(country)
            temp = read_temperature(temperature) if temperature else None
            grid = make_grid(history, country, None)
            n = len(grid.days)
            closed = find_closed_holidays(grid)
            tally = {"auto": [0.0, 0.0], "average of 2 best": [0.0, 0.0]}
            for k in range(folds, 0, -1):
                origin = n - k * HORIZON
                days = grid.days[: origin + HORIZON]
                exog = build_exog(
                    days, country, None, temp, grid.days[origin], grid.holiday_key[: len(days)],
                    closed,
                )  # fmt: skip
                rolling = RollingOrigins(grid, exog, 80.0)
                pick, scores, _ = select(rolling, origin, select_horizon(HORIZON))
                two = sorted(scores, key=scores.get)[:2]
                actual = rolling.actuals(n)[origin : origin + HORIZON]
                ok = np.isfinite(actual)
                forecasts = {
                    "auto": rolling.forecast(pick, origin, HORIZON, multipliers=True)[0],
                    "average of 2 best": np.mean(
                        [rolling.forecast(m, origin, HORIZON, multipliers=True)[0] for m in two],
                        axis=0,
                    ),
                }
                for key, mean in forecasts.items():
                    tally[key][0] += float(np.abs(mean[ok] - actual[ok]).sum())
                    tally[key][1] += float(actual[ok].sum())
            for key, (err, act) in tally.items():
                rows.append({"series": name, "forecast": key, "daily_wape_pct": 100 * err / act})
    frame = pd.DataFrame(rows).round(2)
    print(f"## daily WAPE, {folds} folds x {HORIZON} days: the auto pick vs the average of two")
    print(frame.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
