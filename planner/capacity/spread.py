"""How far a week's calls stray from the forecast at each lead, measured on the history itself.

The bounds of a months-ahead plan are only as honest as their width at the lead they are read
at. The forecaster's own bounds are calibrated on daily errors up to 28 days ahead; how much
wider a week 13 or 26 weeks out must be is a property of the line (a stable line drifts
little, a growing or restless one much), so it is measured, not chosen:

1. origins: Mondays on a fixed 4-week grid (weeks counted from `GRID_EPOCH`), the latest
   `ORIGINS` of them at least `STEP_WEEKS` weeks before the cut (the day after the last history
   day the plan may use), each with at least `MIN_SPAN_DAYS` days of history before it (two
   years: the span the forecaster needs to learn the yearly shape; a forecast from less is
   another, rougher forecaster, whose errors would not be this one's);
2. from each origin, the scenario's forecaster is run on the history before it (what it would
   have forecast then) and its weekly totals are compared with the calls that came before the
   cut: e(o, h) = log(actual / forecast) of the h-th week (h = 1 .. LEAD_WEEKS; weeks not over
   by the cut, with a missing day or no calls are not scored: recent origins score the short
   leads only);
3. the spread by lead, as the forecaster's calibration does for days: s(h) = mean |e(., h)|
   x sqrt(pi / 2) (the normal's sd from the mean absolute error, less swayed by one odd week
   than a mean square), and s(h)**2 fitted as a + b (h - 1), a, b >= 0, weighted by the errors
   per lead (the level's error grows like a random walk's);
4. the scale, from the errors' own quantile rather than the normal's shape: a and b are
   multiplied by k**2, k = q80(|e(o, h)| / sigma_fit(h)) / z_0.9 over all scored errors, so
   that +-z_0.9 sigma (the plan's P10-P90 band) holds 80% of the measured errors. The mean
   absolute error converts to the normal's sd only for centred normal errors; a forecaster
   whose errors at past origins share an offset (a level it under- or over-shot, the same
   error at every lead) has a mean |e| near that offset, and the normal read from it puts
   most errors well inside +-z_0.9 sigma (on the public daily series, errors +0.11 on average,
   83-85% of them inside); the quantile sets the band's width by what it must hold, as the
   forecaster's own daily bounds do (`planner.forecast.bounds`: the same fit, then the
   empirical quantiles of the errors it standardises);
5. a plan's week w, h_w weeks after the cut, has sigma_w = sqrt(a + b (h_w - 1)): beyond the
   measured leads the random walk goes on (the line's variance grows by b a week).

The fit reads only the leads 1 .. L that at least `MIN_ORIGINS` origins score (the later an
origin, the fewer leads it scores before the cut): a lead seen by one or two origins is one or
two weeks, not a spread. Beyond L the random walk goes on, as it does beyond `LEAD_WEEKS`
(the log says the leads it fitted). Fewer than `MIN_FIT_LEADS` such leads (a short history):
None, and the plan keeps the spread from the forecast's daily bounds and the configured drift
(`planner.capacity.demand`), and says so. A quarter of leads, because the growth b read off a
few leads is no random walk's: on the bundled three years, 4 origins scoring 5 leads (Tết
2026 in them) extrapolate to 19.6% at 26 weeks, where the weekly errors that came were ~5%. The forecasts are memoised per
process by history and origin, so plans of one history share them (a comparison, a sweep, a
backtest whose origins move a week at a time).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from planner import forecast
from planner.errors import InputError

LEAD_WEEKS = 26
ORIGINS = 12
STEP_WEEKS = 4
MIN_ORIGINS = 4
MIN_FIT_LEADS = 13  # leads, each scored at MIN_ORIGINS origins, the fit needs (a quarter)
MIN_SPAN_DAYS = 730
GRID_EPOCH = dt.date(2000, 1, 3)  # a Monday: the origins' grid is the same for every cut


@dataclass(frozen=True)
class LeadSpread:
    """var(h) = a + b (h - 1) of a week's log error at lead h weeks from `cut` (the first day
    after the history the plan uses); `s_by_lead` the measured s(h) (NaN where unscored)."""

    cut: dt.date
    a: float
    b: float
    origins: tuple[dt.date, ...]
    errors: int
    s_by_lead: tuple[float, ...]
    longest: int = LEAD_WEEKS  # the longest lead fitted (scored at MIN_ORIGINS origins)
    scale: float = 1.0  # k of step 4 (a and b hold it already)

    def sigma_at(self, leads) -> np.ndarray:
        """sigma of the weeks `leads` weeks ahead (1 = the week from the cut)."""
        h = np.maximum(np.asarray(leads, dtype=float), 1.0)
        return np.sqrt(np.maximum(self.a + self.b * (h - 1.0), 1e-8))

    def describe(self) -> str:
        s13, s26 = self.sigma_at([13, 26])
        return (
            f"demand spread measured on the history: the forecaster run from {len(self.origins)} "
            f"past origins ({self.origins[0]} .. {self.origins[-1]}, every {STEP_WEEKS} weeks), "
            f"{self.errors} weekly errors at 1-{self.longest} weeks ahead (each lead scored at "
            f"{MIN_ORIGINS} origins or more{self._beyond()}): sigma(h)^2 = "
            f"{self.a:.5f} + {self.b:.6f} (h - 1), i.e. {100 * s13:.1f}% at 13 weeks, "
            f"{100 * s26:.1f}% at 26 (log-sd of a week's calls; scaled by {self.scale:.2f} so "
            f"that the P10-P90 band holds 80% of the measured errors)"
        )

    def _beyond(self) -> str:
        if self.longest >= LEAD_WEEKS:
            return ""
        return "; the later leads extrapolated as the random walk: the history is short"


def leads_of(week_starts, cut: dt.date) -> np.ndarray:
    """Lead in weeks (1 = the week that holds the cut) of each Monday in `week_starts`."""
    days = np.array([(pd.Timestamp(s).date() - cut).days for s in week_starts], dtype=float)
    return np.floor(days / 7.0) + 1.0


def grid_origins(cut: dt.date, first_day: dt.date) -> list[dt.date]:
    """The measuring origins for a cut (oldest first): see the module docstring."""
    latest = cut - dt.timedelta(weeks=STEP_WEEKS)
    weeks = (latest - GRID_EPOCH).days // 7
    weeks -= weeks % STEP_WEEKS
    out = []
    for k in range(ORIGINS):
        origin = GRID_EPOCH + dt.timedelta(weeks=weeks - k * STEP_WEEKS)
        if (origin - first_day).days < MIN_SPAN_DAYS:
            break
        out.append(origin)
    return out[::-1]


_FORECASTS: dict[tuple, tuple[object, pd.Series | None]] = {}


def _weekly_forecast(hist, origin: dt.date, settings: tuple) -> pd.Series | None:
    """Weekly point totals (indexed by Monday) the forecaster gives from `origin`, memoised."""
    key = (id(hist), origin, tuple(_hashable(v) for v in settings))
    hit = _FORECASTS.get(key)
    if hit is not None and hit[0] is hist:
        return hit[1]
    model, country, events, temperature, interval_min = settings
    try:
        fc = forecast.forecast_history(
            hist,
            horizon_days=7 * LEAD_WEEKS,
            start=pd.Timestamp(origin),
            interval_min=interval_min,
            country=country,
            events=events,
            model=model,
            temperature=temperature,
        )
    except InputError:  # the history before this origin cannot be forecast from
        weekly = None
    else:
        daily = fc.daily.assign(date=pd.to_datetime(fc.daily["date"]))
        days = daily.groupby("date")["calls"].sum()
        weekly = _weekly(days, origin)
    if len(_FORECASTS) >= 256:
        _FORECASTS.clear()
    _FORECASTS[key] = (hist, weekly)  # holds the history, so its id stays unique
    return weekly


def _hashable(value):
    try:
        hash(value)
    except TypeError:  # a Series of temperatures, say: by identity
        return ("id", id(value))
    return value


def _weekly(days: pd.Series, origin: dt.date) -> pd.Series:
    """Daily totals summed into the weeks from the Monday `origin` (only whole weeks)."""
    start = pd.Timestamp(origin)
    week = (days.index - start).days // 7
    keep = week >= 0
    grouped = days[keep].groupby(week[keep])
    sums, count = grouped.sum(), grouped.count()
    sums = sums[count == 7]
    return pd.Series(sums.to_numpy(float), index=sums.index.to_numpy(int))


def fit_spread(errors: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(a, b, s by lead) from `errors` (origins x leads, NaN unscored): see the module
    docstring, step 3."""
    finite = np.isfinite(errors)
    count = finite.sum(axis=0).astype(float)
    mae = np.where(count > 0, np.nansum(np.abs(errors), axis=0) / np.maximum(count, 1), np.nan)
    s = mae * math.sqrt(math.pi / 2.0)
    use = count > 0
    x, y, w = np.arange(errors.shape[1], dtype=float)[use], (s**2)[use], count[use]
    if w.sum() == 0:
        return 0.0, 0.0, s
    xm, ym = np.average(x, weights=w), np.average(y, weights=w)
    sxx = float(np.sum(w * (x - xm) ** 2))
    b = float(np.sum(w * (x - xm) * (y - ym)) / sxx) if sxx > 0 else 0.0
    a = ym - b * xm
    if b < 0:  # no growth seen: the mean
        a, b = ym, 0.0
    elif a < 0:  # through the origin
        a, b = 0.0, float(np.sum(w * x * y) / max(np.sum(w * x * x), 1e-12))
    return float(a), float(b), s


Z90 = NormalDist().inv_cdf(0.90)
BAND_SHARE = 0.80  # the P10-P90 band


def quantile_scale(errors: np.ndarray, a: float, b: float) -> float:
    """k of the module docstring, step 4: the factor on sigma(h) = sqrt(a + b (h - 1)) (h = 1
    for the first column of `errors`, origins x leads, NaN unscored) after which +-Z90 sigma
    holds `BAND_SHARE` of the scored errors (the smallest such k; 1.0 when nothing is
    scored or sigma is zero)."""
    h = np.arange(errors.shape[1], dtype=float)
    sigma = np.sqrt(np.maximum(a + b * h, 0.0))
    finite = np.isfinite(errors) & (sigma[None, :] > 0)
    if not finite.any():
        return 1.0
    ratio = (np.abs(errors) / np.where(sigma > 0, sigma, 1.0)[None, :])[finite]
    q = float(np.quantile(ratio, BAND_SHARE, method="inverted_cdf"))
    return q / Z90 if q > 0 else 1.0


def measure_spread(
    hist,
    cut: dt.date,
    *,
    model: str = "auto",
    country: str | None = "VN",
    events=None,
    temperature=None,
    interval_min: int | None = None,
) -> LeadSpread | None:
    """The spread by lead of the forecaster's weekly totals on `hist` before `cut` (module
    docstring); None when fewer than `MIN_ORIGINS` origins can be scored."""
    frame = hist.total()
    stamps = pd.to_datetime(frame["timestamp"])
    before = stamps < pd.Timestamp(cut)
    days = frame["calls"][before].groupby(stamps[before].dt.normalize()).sum()
    if days.empty:
        return None
    settings = (model, country, events, temperature, interval_min)
    rows, used = [], []
    for origin in grid_origins(cut, days.index[0].date()):
        weekly = _weekly_forecast(hist, origin, settings)
        if weekly is None:
            continue
        actual = _weekly(days, origin)  # whole weeks before the cut only
        row = np.full(LEAD_WEEKS, np.nan)
        for k in range(LEAD_WEEKS):
            got, fc = actual.get(k, np.nan), weekly.get(k, np.nan)
            if got > 0 and fc > 0:
                row[k] = math.log(got / fc)
        if np.isfinite(row).any():
            rows.append(row)
            used.append(origin)
    if len(rows) < MIN_ORIGINS:
        return None
    errors = np.vstack(rows)
    longest = seen_leads(errors)
    if longest < MIN_FIT_LEADS:
        return None  # too few origins see the leads: their spread would be one or two weeks
    errors = errors[:, :longest]
    a, b, s = fit_spread(errors)
    scale = quantile_scale(errors, a, b)
    a, b = a * scale**2, b * scale**2
    seen = np.isfinite(errors).any(axis=1)
    return LeadSpread(
        cut, a, b, tuple(o for o, keep in zip(used, seen, strict=True) if keep),
        int(np.isfinite(errors).sum()), tuple(float(v) for v in s), longest, scale,
    )  # fmt: skip


def seen_leads(errors: np.ndarray) -> int:
    """L of the module docstring: the leads 1 .. L of `errors` (origins x leads, NaN
    unscored) that at least `MIN_ORIGINS` origins score each."""
    enough = np.isfinite(errors).sum(axis=0) >= MIN_ORIGINS
    return int(np.argmin(enough)) if not enough.all() else int(enough.size)
