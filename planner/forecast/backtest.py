"""Rolling-origin evaluation of every daily model, daily and per interval."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.stats import norm

from planner import calendar
from planner.errors import InputError
from planner.forecast.api import as_events, as_temperature, check_forecast_args
from planner.forecast.bounds import calibrate, interval_bounds
from planner.forecast.exog import build_exog
from planner.forecast.grid import (
    MIN_HISTORY_DAYS,
    check_open_days,
    daily_series,
    find_closed_holidays,
    in_summer,
    learn_open_rules,
    make_grid,
    profile_type,
)
from planner.forecast.models import MODELS
from planner.forecast.profile import intraday_profile
from planner.forecast.rolling import RollingOrigins, select, select_horizon
from planner.history import History


def backtest(
    history: History,
    folds: int = 8,
    horizon_days: int = 14,
    interval_min: int | None = None,
    level: float = 80.0,
    country: str | None = "VN",
    events=None,
    temperature=None,
    models: tuple[str, ...] = (*MODELS, "auto"),
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Rolling-origin evaluation of every model: `folds` origins `horizon_days` apart, the last
    fold ending with the history. Returns one row per model, level (daily / interval) and subset
    (all days / summer days 20 May-31 Aug): `n` (days or intervals scored), `wape_pct`
    (sum|error| / sum actual), `bias_pct` (sum error / sum actual), `mase` (mean absolute error
    over the in-sample weekly seasonal naive's, averaged over folds), `vs_naive_pct` (WAPE
    improvement over seasonal_naive), `coverage_pct` (actuals inside the bounds, over open days
    / intervals: closed ones forecast 0 are not counted).
    `auto` re-runs the model choice at every origin from the data before it, as
    `forecast_history` would.
    Per-queue history is scored on the total over queues. Missing days are not scored."""
    check_forecast_args(horizon_days, level, "auto")
    if int(folds) < 1:
        raise InputError(f"{folds}: expected at least 1", "folds")
    unknown = [m for m in models if m not in (*MODELS, "auto")]
    if unknown:
        raise InputError(f"model {unknown[0]!r}: expected one of {', '.join(MODELS)}")
    country = calendar.normalise_country(country)
    events = as_events(events)
    temperature = as_temperature(temperature)
    grid = make_grid(history, country, interval_min)
    n = len(grid.days)
    h = int(horizon_days)
    origins = [n - k * h for k in range(int(folds), 0, -1)]
    if origins[0] < MIN_HISTORY_DAYS:
        raise InputError(
            f"{history.source}: {n} days of history is too short for {folds} folds of "
            f"{h} days (needs {MIN_HISTORY_DAYS + folds * h})"
        )
    rules_full = learn_open_rules(grid, n)
    y_full, closed_full = daily_series(grid, rules_full, n)
    check_open_days(y_full.iloc[: origins[0]], history.source)
    acts = np.where(closed_full, 0.0, y_full.to_numpy())
    closed_holidays = find_closed_holidays(grid)
    records: list[dict] = []
    steps = len(origins) * len(models)
    done = 0
    for origin in origins:
        cutoff = grid.days[origin]
        rolling = RollingOrigins(
            grid,
            build_exog(
                grid.days[: origin + h],
                country,
                events,
                temperature,
                cutoff,
                grid.holiday_key[: origin + h],
                closed_holidays,
            ),
            level,
        )
        rules_o, y = rolling.history(origin)
        days = grid.days[origin : origin + h]
        actual = acts[origin : origin + h]
        ok = np.isfinite(actual)
        summer = in_summer(days)
        intraday = intraday_profile(grid, rules_o, origin)
        ptype = profile_type(
            rules_o, grid.day_type[origin : origin + h], days, grid.holiday_key[origin : origin + h]
        )
        train = y.to_numpy()[-371:]
        d_scale = np.nanmean(np.abs(train[7:] - train[:-7]))
        past = grid.calls[max(0, origin - 35) : origin].ravel()
        lag = 7 * grid.slots
        i_scale = np.mean(np.abs(past[lag:] - past[:-lag])) if past.size > lag else np.nan
        i_actual = grid.calls[origin : origin + h]
        for name in models:
            fit_name, log_errors = name, np.empty((0, 1))
            if name == "auto":
                fit_name, _, log_errors = select(rolling, origin, select_horizon(h))
            mean, lower, upper = rolling.forecast(fit_name, origin, h, multipliers=True)
            hot = None
            if name == "auto":
                hot = rolling.calibration_hot(origin, select_horizon(h)), rolling.hot(origin, h)
            lower, upper = calibrate(
                mean, lower, upper, np.arange(1, h + 1), log_errors, level, *(hot or (None, None))
            )
            shares = intraday.shares[ptype]
            i_fc = mean[:, None] * shares
            i_lo, i_up = interval_bounds(
                shares,
                mean[:, None],
                lower[:, None],
                upper[:, None],
                norm.ppf(0.5 + level / 200),
                intraday.shape_noise,
            )
            # coverage counts open days / intervals (or ones that had calls anyway) only:
            # a closed interval forecast 0 with bounds 0..0 is trivially inside
            i_in = (i_actual >= i_lo) & (i_actual <= i_up)
            i_open = (i_fc > 0) | (i_actual > 0)
            d_in = (actual >= lower) & (actual <= upper)
            d_open = (mean > 0) | (actual > 0)
            for subset, mask in (("all", ok), ("summer", ok & summer)):
                if not mask.any():
                    continue
                records.append(
                    _score(name, "daily", subset, origin, mean[mask], actual[mask], d_scale)
                    | {
                        "inside": int((d_in & d_open)[mask].sum()),
                        "open": int(d_open[mask].sum()),
                    }
                )
                if grid.interval_min is None:
                    continue
                records.append(
                    _score(
                        name,
                        "interval",
                        subset,
                        origin,
                        i_fc[mask].ravel(),
                        i_actual[mask].ravel(),
                        i_scale,
                    )
                    | {"inside": int((i_in & i_open)[mask].sum()), "open": int(i_open[mask].sum())}
                )
            done += 1
            if progress is not None:
                progress(done, steps)
    return _summarise(pd.DataFrame(records), models)


def _score(model, level, subset, origin, forecast, actual, scale) -> dict:
    err = forecast - actual
    mae = float(np.mean(np.abs(err)))
    return {
        "model": model,
        "level": level,
        "days": subset,
        "fold": origin,
        "n": int(actual.size),
        "abs": float(np.abs(err).sum()),
        "err": float(err.sum()),
        "act": float(actual.sum()),
        "mase": mae / scale if scale and np.isfinite(scale) and scale > 0 else np.nan,
    }


def _summarise(records: pd.DataFrame, models: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for (level, subset), part in records.groupby(["level", "days"], sort=False):
        naive = part[part["model"] == "seasonal_naive"]
        naive_wape = naive["abs"].sum() / naive["act"].sum() if len(naive) else np.nan
        for name in models:
            sel = part[part["model"] == name]
            if sel.empty:
                continue
            wape = sel["abs"].sum() / sel["act"].sum() if sel["act"].sum() > 0 else np.nan
            row = {
                "model": name,
                "level": level,
                "days": subset,
                "n": int(sel["n"].sum()),
                "wape_pct": round(100 * wape, 2),
                "bias_pct": round(100 * sel["err"].sum() / sel["act"].sum(), 2),
                "mase": round(float(sel["mase"].mean()), 3),
                "vs_naive_pct": round(100 * (1 - wape / naive_wape), 2)
                if np.isfinite(naive_wape) and naive_wape > 0
                else np.nan,
                "coverage_pct": round(100 * sel["inside"].sum() / max(sel["open"].sum(), 1), 1),
            }
            rows.append(row)
    order = {"daily": 0, "interval": 1}
    out = pd.DataFrame(rows)
    out["_o"] = out["level"].map(order) * 10 + (out["days"] == "summer")
    return out.sort_values("_o", kind="mergesort").drop(columns="_o").reset_index(drop=True)
