"""Long-range demand: the forecast's intervals staffed week by week with planner's own Erlang
path, at quantiles of weekly demand.

Each week of the horizon is staffed interval by interval with `planner.staffing.
staff_requirements` (the scenario's service target, occupancy cap, Erlang C or A), exactly as
`planner staff` staffs it; the agents of each interval are grossed up for that week's shrinkage
with `planner.erlang.staff_for_shrinkage` (per interval, rounded up, as `planner staff` does), so
at the scenario's shrinkage the week's required staff-hours are `planner staff`'s.

Uncertainty of weekly demand: the log of a week's calls is normal around the point forecast.
Its standard deviation sigma_w is measured on the history where it can be: the forecaster's
weekly errors from past origins at each lead, sigma_w**2 = a + b (h_w - 1) with h_w the week's
lead from the history's end (`planner.capacity.spread`). Where the history is too short for
that (under about two and a half years), from the forecaster's own weekly errors 1-4 weeks
ahead and the level's drift measured on the year-on-year differences of the weekly calls,
sigma_w**2 = s0**2 + b max(h_w - 4, 0), centred at the latest origin's mean error (its 4 weeks the last before the cut) and
widened to hold the point forecast (`planner.capacity.spread.short_spread`,
`log_multiplier`). Where even
that cannot be measured (under a year and a half of weeks, or no weekly errors), it comes
from the forecast's own bounds and a configured drift:

    sigma_w = sqrt( s_d(w)**2 * (1 + 6 rho) / 7  +  (drift / 100)**2 * h_w / 52 )

- s_d(w): the calls-weighted mean daily log-sd of the forecast's own calibrated bounds in week w
  (log(upper / lower) / (2 z_level)); 7 days whose errors share the correlation rho
  (`day_error_correlation`) average to the first term;
- the level's drift: a random walk whose log-sd grows by `level_drift_pct_per_year` per
  square root of a year, h_w the weeks from the end of the daily bounds' reach to the end of
  week w (0 before it). The daily bounds are calibrated on errors up to 4 weeks ahead and
  extrapolate their own random walk to twice that (`BOUNDS_REACH_DAYS` from the history's last
  day), then stay flat: the drift takes over where they stop widening, not on top of them
  from the first week (which counted the first two months' growth twice).
A quantile q of demand scales every interval of the week by exp(z_q sigma_w) (with a centre
c_w, the short-history rule's: exp(c_w + z_q sigma_w), held on the point forecast's side) and is staffed
again (Erlang is not linear in the calls); a grid of such multipliers gives the Monte Carlo its
staff-hours curve per week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from planner import calendar
from planner.capacity.config import CapacityConfig
from planner.capacity.spread import LeadSpread, ShortSpread, leads_of, log_multiplier
from planner.erlang import staff_for_shrinkage
from planner.errors import InputError
from planner.forecast.bounds import EXTRAPOLATE_FACTOR
from planner.forecast.rolling import CALIBRATION_MAX_DAYS
from planner.scenario import week_label
from planner.staffing import StaffingTarget, interval_seconds, resolve_aht, staff_requirements

QUANTILES = (10, 50, 80, 90)
# the daily bounds' reach: calibrated up to 28 days ahead, extrapolated to twice that by
# `planner.forecast.bounds.calibrate`, flat beyond
BOUNDS_REACH_DAYS = EXTRAPOLATE_FACTOR * CALIBRATION_MAX_DAYS
Z_GRID = (-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


@dataclass(frozen=True)
class Demand:
    """Per week (rows of `weeks`): `week, start, calls_p10, calls_p50, calls_p90, aht_s,
    sigma, shrinkage_pct, tet_days, phone_hours, staff_hours_p10 ... staff_hours_p90,
    staff_hours_q` (staff-hours at the plan's quantile). `z_grid` (k,) and `staff_hours_grid`
    (weeks x k): staff-hours when every interval of the week is scaled by exp(z sigma_w)
    (`log_multiplier`: exp(c_w + z sigma_w) held on the point forecast's side, c_w the spread's centre).
    `intervals`: `timestamp, week, staff` (agents with shrinkage, per interval) at the plan's
    quantile (the grid point `staff_hours_q` is read at; with `upper`, the larger of it and
    every interval at its upper bound): what a roster of each week must cover."""

    weeks: pd.DataFrame
    quantile_pct: float
    z_grid: np.ndarray
    staff_hours_grid: np.ndarray
    interval_s: int
    intervals: pd.DataFrame | None = None

    def week_requirements(self, w: int) -> pd.DataFrame:
        """Week `w`'s `timestamp, staff` per interval (see `intervals`)."""
        if self.intervals is None:
            raise ValueError("this demand kept no interval requirements")
        rows = self.intervals[self.intervals["week"] == w]
        return rows[["timestamp", "staff"]].reset_index(drop=True)

    def staff_hours_at(self, z: np.ndarray) -> np.ndarray:
        """Staff-hours per week for standard-normal scores `z` (draws x weeks), interpolated
        in the grid (linear; clipped at its ends)."""
        z = np.atleast_2d(np.asarray(z, dtype=float))
        out = np.empty_like(z)
        for w in range(z.shape[1]):
            out[:, w] = np.interp(z[:, w], self.z_grid, self.staff_hours_grid[w])
        return out


def week_starts(first: dt.date, weeks: int) -> list[dt.date]:
    return [first + dt.timedelta(days=7 * k) for k in range(weeks)]


def weekly_shrinkage(
    first: dt.date, weeks: int, cfg: CapacityConfig, country: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """(shrinkage percent per week, Tết days per week): the default, Tết weeks at
    `tet_shrinkage_pct`, then `shrinkage_by_week` overrides."""
    tet = tet_days(first, weeks, country)
    base = float(cfg.shrinkage_pct if cfg.shrinkage_pct is not None else 30.0)
    pct = np.full(weeks, base)
    if cfg.tet_shrinkage_pct is not None:
        pct[tet > 0] = cfg.tet_shrinkage_pct
    labels = {week_label(s): k for k, s in enumerate(week_starts(first, weeks))}
    for week, value in cfg.shrinkage_by_week:
        if week in labels:
            pct[labels[week]] = value
    return pct, tet


def tet_days(first: dt.date, weeks: int, country: str | None) -> np.ndarray:
    """Days of the Lunar New Year block (by the holidays package) in each week."""
    start = pd.Timestamp(first)
    end = start + pd.Timedelta(days=7 * weeks - 1)
    names = calendar.holiday_names(country, start, end)
    out = np.zeros(weeks, dtype=int)
    for day, name in names.items():
        if calendar.TET_PATTERN.search(name):
            out[(day - start).days // 7] += 1
    return out


def weekly_sigma(
    daily: pd.DataFrame,
    first: dt.date,
    weeks: int,
    level: float,
    cfg,
    spread: LeadSpread | ShortSpread | None = None,
    history_day: dt.date | None = None,
) -> np.ndarray:
    """sigma_w of the module docstring: measured on the history at each week's lead when
    `spread` is given (`planner.capacity.spread`), else from the forecast's daily frame and
    the configured drift (after the daily bounds' reach from `history_day`, the history's last
    day; default the day before `first`)."""
    if spread is not None:
        return spread.sigma_at(leads_of(week_starts(first, weeks), spread.cut))
    frame = daily.copy()
    frame["date"] = pd.to_datetime(frame["date"])
    frame = frame.groupby("date")[["calls", "lower", "upper"]].sum()
    start = pd.Timestamp(first)
    frame = frame[(frame.index >= start) & (frame.index < start + pd.Timedelta(days=7 * weeks))]
    z_level = float(norm.ppf(0.5 + level / 200.0))
    calls = frame["calls"].to_numpy(dtype=float)
    lo = np.maximum(frame["lower"].to_numpy(dtype=float), 1e-9)
    hi = np.maximum(frame["upper"].to_numpy(dtype=float), 1e-9)
    s_day = np.where(calls > 0, np.log(hi / lo) / (2.0 * z_level), 0.0)
    week = ((frame.index - start).days // 7).to_numpy()
    weight = np.bincount(week, weights=calls, minlength=weeks)
    s_week = np.bincount(week, weights=calls * s_day, minlength=weeks) / np.maximum(weight, 1e-9)
    rho = cfg.day_error_correlation
    last = history_day or first - dt.timedelta(days=1)
    week_end = (first - last).days + 7.0 * np.arange(1, weeks + 1) - 1.0  # days ahead
    walk = np.maximum(week_end - BOUNDS_REACH_DAYS, 0.0) / 7.0
    drift = (cfg.level_drift_pct_per_year / 100.0) ** 2 * walk / 52.0
    return np.sqrt(s_week**2 * (1.0 + 6.0 * rho) / 7.0 + drift)


def _z_grid(quantile_pct: float) -> np.ndarray:
    extra = [float(norm.ppf(q / 100.0)) for q in (*QUANTILES, quantile_pct)]
    extra[1] = 0.0  # the median is the point forecast itself, exactly
    return np.array(sorted(set(Z_GRID) | set(extra)))


def weekly_demand(
    intervals: pd.DataFrame,
    daily: pd.DataFrame,
    first: dt.date,
    cfg: CapacityConfig,
    target: StaffingTarget,
    *,
    pooled: bool = True,
    level: float = 80.0,
    country: str | None = "VN",
    upper: bool = False,
    memo: dict | None = None,
    spread: LeadSpread | ShortSpread | None = None,
    history_day: dt.date | None = None,
) -> Demand:
    """Staff each week of `intervals` (a Forecast frame covering `cfg.horizon_weeks` weeks
    from the Monday `first`) at the quantiles of weekly demand; see the module docstring.
    `upper`: also staff every interval at its upper bound (`[forecast] plan_at = "upper"`, the
    basis the weekly run staffs), column `staff_hours_upper`. `memo`: {z: (staff-hours,
    agent-hours)} of earlier calls with the same inputs but another quantile (the grid points
    they share are not staffed again; filled here). `spread`: the weekly spread by lead
    measured on the history (`planner.capacity.spread`); None: from the daily bounds, the
    drift counted from their reach after `history_day` (the forecast's last history day)."""
    weeks = cfg.horizon_weeks
    start = pd.Timestamp(first)
    end = start + pd.Timedelta(days=7 * weeks)
    ts = pd.to_datetime(intervals["timestamp"])
    frame = intervals[(ts >= start) & (ts < end)].reset_index(drop=True)
    ts = pd.to_datetime(frame["timestamp"])
    if frame.empty or ts.max() < end - pd.Timedelta(days=1):
        last = "nothing" if frame.empty else f"{ts.max():%Y-%m-%d}"
        raise InputError(
            f"the forecast covers {last} of the {weeks} weeks from {first} "
            f"(to {(end - pd.Timedelta(days=1)):%Y-%m-%d})"
        )
    interval = interval_seconds(frame)
    hours = interval / 3600.0
    week_of_row = ((ts - start).dt.days // 7).to_numpy()
    sigma = weekly_sigma(daily, first, weeks, level, cfg, spread, history_day)
    centre = (
        spread.bias_at(leads_of(week_starts(first, weeks), spread.cut))
        if spread is not None
        else np.zeros(weeks)
    )
    shrink, tet = weekly_shrinkage(first, weeks, cfg, country)
    aht = resolve_aht(frame, target)
    calls = frame["calls"].to_numpy(dtype=float)
    calls_week = np.bincount(week_of_row, weights=calls, minlength=weeks)
    aht_week = np.bincount(week_of_row, weights=calls * aht, minlength=weeks) / np.maximum(
        calls_week, 1e-9
    )
    plain = dataclasses.replace(target, aht_s=None, aht_by_queue={})
    base = frame.assign(aht=aht)
    z_grid = _z_grid(cfg.quantile_pct)
    grid = np.zeros((weeks, len(z_grid)))
    phone: np.ndarray = np.zeros(weeks)

    def staff_hours(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        """(staff-hours, agent-hours) per week, each interval grossed up for its week's
        shrinkage, and the intervals' `timestamp, week, staff`."""
        req = staff_requirements(frame, plain, pooled=pooled, interval_s=interval)
        agents = req["agents"].to_numpy(dtype=float)
        req_week = ((pd.to_datetime(req["timestamp"]) - start).dt.days // 7).to_numpy()
        staff = np.zeros(len(agents))
        for pct in np.unique(shrink):
            rows = np.isin(req_week, np.flatnonzero(shrink == pct))
            staff[rows] = staff_for_shrinkage(agents[rows], float(pct))
        out = np.bincount(req_week, weights=staff, minlength=weeks) * hours
        kept = pd.DataFrame({"timestamp": req["timestamp"], "week": req_week, "staff": staff})
        return out, np.bincount(req_week, weights=agents, minlength=weeks) * hours, kept

    held: dict = {} if memo is None else memo
    for k, z in enumerate(z_grid):
        if float(z) not in held:
            mult = log_multiplier(z, sigma, centre)[week_of_row]
            scaled = base.assign(calls=calls * np.exp(mult))
            held[float(z)] = staff_hours(scaled)
        grid[:, k], agent_hours, _ = held[float(z)]
        if z == 0.0:
            phone = agent_hours
    z_plan = float(norm.ppf(cfg.quantile_pct / 100.0))
    kept = held[float(z_grid[_nearest(z_grid, z_plan)])][2]
    starts = week_starts(first, weeks)
    out = pd.DataFrame(
        {
            "week": [week_label(s) for s in starts],
            "start": [s.isoformat() for s in starts],
            "calls_p10": calls_week * np.exp(log_multiplier(norm.ppf(0.10), sigma, centre)),
            "calls_p50": calls_week,
            "calls_p90": calls_week * np.exp(log_multiplier(norm.ppf(0.90), sigma, centre)),
            "aht_s": aht_week,
            "sigma": sigma,
            "shrinkage_pct": shrink,
            "tet_days": tet,
            "phone_hours": phone,
        }
    )
    for q in QUANTILES:
        out[f"staff_hours_p{q}"] = _at(grid, z_grid, 0.0 if q == 50 else float(norm.ppf(q / 100)))
    out["staff_hours_q"] = _at(grid, z_grid, z_plan)
    if upper:
        bound = frame["upper"] if "upper" in frame.columns else frame["calls"]
        if "upper" not in held:
            held["upper"] = staff_hours(base.assign(calls=bound.to_numpy(float)))
        out["staff_hours_upper"] = held["upper"][0]
        kept = kept.assign(staff=np.maximum(kept["staff"], held["upper"][2]["staff"]))
    return Demand(out, float(cfg.quantile_pct), z_grid, grid, interval, kept)


def _nearest(z_grid: np.ndarray, z: float) -> int:
    return int(np.argmin(np.abs(z_grid - z)))


def _at(grid: np.ndarray, z_grid: np.ndarray, z: float) -> np.ndarray:
    return grid[:, _nearest(z_grid, z)].copy()
