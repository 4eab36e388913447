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
   cut. Its weather: where the plan's forecast has a weather term (`weather_term`: a
   temperature file with two past years before the cut, and the temperature terms kept by the
   forecaster at the cut), the weather that came up to the cut (the temperature file's days
   before it), so that these errors are those of a forecast that knows the weather and the
   term adds the weather's own, week of the year by week (step 5); else the weather known at
   the origin (`known_temperature`: the file's days before it, the climatology beyond), which
   pools the weather's surprise of every season into the errors: e(o, h) = log(actual /
   forecast) of the h-th week's workload, calls x AHT (h = 1 .. LEAD_WEEKS): the calls'
   log error plus, where the history has AHT, the AHT's (`planner.capacity.aht.
   weekly_aht_errors`: the week's calls-weighted AHT against last year's season at this
   year's level, as the plan forecasts it). The band spans staff-hours, which follow the
   workload, and a line's calls and AHT need not stray together: on the bundled hotline the
   calls the forecast misses are mostly outage calls, half as long as the rest, so a week
   missed by -20% in calls was missed by -10% in workload (2026-05-11 from 2026-02-09), and
   the spread of the calls alone was twice the workload's (weeks not over
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
5. a plan's week w, h_w weeks after the cut, has sigma_w = sqrt(a + b (h_w - 1) + v(h_w)):
   beyond the measured leads the random walk goes on (the line's variance grows by b a week);
   v is the weather term's variance of that week (0 without it, and on the days the file has
   a weather-forecast row for).

The fit reads only the leads 1 .. L that at least `MIN_ORIGINS` origins score (the later an
origin, the fewer leads it scores before the cut): a lead seen by one or two origins is one or
two weeks, not a spread. Beyond L the random walk goes on, as it does beyond `LEAD_WEEKS`
(the log says the leads it fitted). Fewer than `MIN_FIT_LEADS` such leads (a short history):
None, and the plan takes a `ShortSpread` (`short_spread`, below): the forecaster's own weekly
errors 1-4 weeks ahead (the forecasts its daily bounds are calibrated on,
`ForecastResult.weekly_log_errors`, the AHT's error added as in step 2), centred at the mean
error of its latest origin (`recent_bias`, `BIAS_ORIGINS`: its 4 weeks are the last before the
cut, so this is what its level missed by lately; a history this
short cannot tell a recent step in the level from its trend, and the forecaster carries such
a miss on for months) and scaled around that centre by the quantile rule of step 4 (the band
exp(centre +- z sigma), held on the point forecast's side of it, `log_multiplier`: the P50
stays the forecast), and beyond them the level's drift, a random walk's variance per week measured on the year-on-year
differences of the weekly calls before the cut (`level_drift`); where even that cannot be
measured, the spread from the forecast's daily bounds and the configured drift
(`planner.capacity.demand`). The plan says which. A quarter of leads, because the growth b read off a
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

from planner import calendar, forecast
from planner.capacity.aht import weekly_aht_errors
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
    weather: tuple[float, ...] = ()  # the weather's variance by lead 1, 2, ... (`WeatherTerm`)
    weather_years: int = 0  # the temperature years it was measured on (0: none)

    def sigma_at(self, leads) -> np.ndarray:
        """sigma of the weeks `leads` weeks ahead (1 = the week from the cut)."""
        h = np.maximum(np.asarray(leads, dtype=float), 1.0)
        return np.sqrt(np.maximum(self.a + self.b * (h - 1.0) + self.weather_at(h), 1e-8))

    def bias_at(self, leads) -> np.ndarray:
        """The band's centre against the point forecast: 0 (see `ShortSpread.bias_at`)."""
        return np.zeros(np.shape(leads))

    def weather_at(self, leads) -> np.ndarray:
        """The weather's variance of the weeks `leads` weeks ahead (0 without the term; past
        the leads measured, that of the same week of the year 52 weeks earlier)."""
        h = np.maximum(np.asarray(leads, dtype=float), 1.0).astype(int)
        if not self.weather:
            return np.zeros(h.shape)
        count = len(self.weather)
        back = np.maximum(np.ceil((h - count) / 52.0), 0.0).astype(int)
        return np.asarray(self.weather)[np.maximum(h - 52 * back, 1) - 1]

    def describe(self) -> str:
        s13, s26 = self.sigma_at([13, 26])
        return (
            f"demand spread measured on the history: the forecaster run from {len(self.origins)} "
            f"past origins ({self.origins[0]} .. {self.origins[-1]}, every {STEP_WEEKS} weeks), "
            f"{self.errors} weekly errors at 1-{self.longest} weeks ahead (each lead scored at "
            f"{MIN_ORIGINS} origins or more{self._beyond()}): sigma(h)^2 = "
            f"{self.a:.5f} + {self.b:.6f} (h - 1){self._weather_note()}, i.e. {100 * s13:.1f}% "
            f"at 13 weeks, {100 * s26:.1f}% at 26 (log-sd of a week's workload, calls x AHT; scaled by "
            f"{self.scale:.2f} so that the P10-P90 band holds 80% of the measured errors)"
        )

    def _weather_note(self) -> str:
        if not self.weather_years:
            return " (the past forecasts given the weather known at their origin)"
        w = np.sqrt(np.asarray(self.weather))
        return (
            f" (the past forecasts given the weather that came) + the weather's own term, "
            f"measured on {self.weather_years} past years of temperatures: {100 * w.min():.1f}% "
            f"to {100 * w.max():.1f}% by week of the year"
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


def _weekly_forecast(
    hist, origin: dt.date, settings: tuple, weather_to: dt.date | None = None
) -> pd.Series | None:
    """Weekly point totals (indexed by Monday) the forecaster gives from `origin`, memoised,
    given the temperature file's days before `weather_to` (default `origin`: the weather
    known then; a later day: the weather that came up to it)."""
    model, country, events, temperature, interval_min = settings
    temperature = known_temperature(temperature, origin if weather_to is None else weather_to)
    # keyed by the temperatures the forecast reads: plans whose cuts differ share it
    settings = (model, country, events, temperature, interval_min)
    key = (id(hist), origin, tuple(_hashable(v) for v in settings))
    hit = _FORECASTS.get(key)
    if hit is not None and hit[0] is hist:
        return hit[1]
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


def _week_starts(origin, weeks: int) -> pd.DatetimeIndex:
    """The first days of the `weeks` weeks from `origin` (lead 1, 2, ...)."""
    return pd.date_range(pd.Timestamp(origin), periods=weeks, freq="7D")


def daily_calls(hist, cut: dt.date) -> pd.Series:
    """The history's calls per day (all queues; indexed by day) before `cut`."""
    frame = hist.total()
    stamps = pd.to_datetime(frame["timestamp"])
    before = stamps < pd.Timestamp(cut)
    return frame["calls"][before].groupby(stamps[before].dt.normalize()).sum()


def known_temperature(temperature, origin: dt.date) -> pd.Series | None:
    """The temperature file's days before `origin` (a path is read): what a forecast from
    `origin` knew. The file's later rows are the weather that came; a forecast given them as
    its weather forecast months ahead is scored with a foresight no plan has (the plan's own
    forecast takes the climatology where the file stops), and its errors would make the
    spread too narrow, as `planner.forecast`'s calibration says of its own origins."""
    series = forecast.as_temperature(temperature)
    if series is None:
        return None
    return series[series.index < pd.Timestamp(origin)]


def _hashable(value):
    if isinstance(value, pd.Series):  # a Series of temperatures: by content
        return (
            "series",
            len(value),
            hash(value.index.asi8.tobytes()) if isinstance(value.index, pd.DatetimeIndex) else 0,
            hash(np.asarray(value.to_numpy(), dtype=float).tobytes()),
        )
    try:
        hash(value)
    except TypeError:  # by identity
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
    days = daily_calls(hist, cut)
    if days.empty:
        return None
    origins = grid_origins(cut, days.index[0].date())
    if len(origins) < MIN_ORIGINS:
        return None
    temperature = forecast.as_temperature(temperature)
    settings = (model, country, events, temperature, interval_min)
    # first with the weather known at each origin; the leads scored do not hang on the weather,
    # so the weather term is measured only for a history long enough for the spread by lead
    rows, used = _scored(hist, days, origins, settings, {o: o for o in origins})
    if len(rows) < MIN_ORIGINS or seen_leads(np.vstack(rows)) < MIN_FIT_LEADS:
        return None  # too few origins see the leads: their spread would be one or two weeks
    weather = weather_term(
        hist, cut, model=model, country=country, events=events, temperature=temperature,
        interval_min=interval_min,
    )  # fmt: skip
    if weather is not None:
        # the weather that came (up to the cut): the errors of a forecast that knows the
        # weather, to which the term adds the weather's own
        ends = {o: min(cut, o + dt.timedelta(weeks=LEAD_WEEKS)) for o in origins}
        rows, used = _scored(hist, days, origins, settings, ends)
        if len(rows) < MIN_ORIGINS:
            return None
    errors = np.vstack(rows)
    longest = seen_leads(errors)
    if longest < MIN_FIT_LEADS:
        return None
    errors = errors[:, :longest]
    a, b, s = fit_spread(errors)
    scale = quantile_scale(errors, a, b)
    a, b = a * scale**2, b * scale**2
    seen = np.isfinite(errors).any(axis=1)
    return LeadSpread(
        cut, a, b, tuple(o for o, keep in zip(used, seen, strict=True) if keep),
        int(np.isfinite(errors).sum()), tuple(float(v) for v in s), longest, scale,
        tuple(float(v) for v in weather.variance) if weather else (),
        weather.years if weather else 0,
    )  # fmt: skip


def _scored(
    hist, days: pd.Series, origins, settings: tuple, ends: dict
) -> tuple[list[np.ndarray], list[dt.date]]:
    """The weekly log errors (a row of `LEAD_WEEKS` per origin, NaN unscored; only origins
    with a scored week) of the forecasts from `origins` given the temperatures before
    `ends[origin]`, against the daily totals `days` (before the cut)."""
    rows, used = [], []
    for origin in origins:
        weekly = _weekly_forecast(hist, origin, settings, ends[origin])
        if weekly is None:
            continue
        actual = _weekly(days, origin)  # whole weeks before the cut only
        aht = weekly_aht_errors(hist, pd.Timestamp(origin), _week_starts(origin, LEAD_WEEKS))
        row = np.full(LEAD_WEEKS, np.nan)
        for k in range(LEAD_WEEKS):
            got, fc = actual.get(k, np.nan), weekly.get(k, np.nan)
            if got > 0 and fc > 0:
                row[k] = math.log(got / fc) + aht[k]  # the workload's error (calls x AHT)
        if np.isfinite(row).any():
            rows.append(row)
            used.append(origin)
    return rows, used


# --- the weather's own term: what not knowing a week's temperatures moves its forecast ------

WEATHER_WEEKS = 104  # leads the weather term is measured for (beyond: 52 weeks earlier)
WEATHER_POOL_WEEKS = 3  # neighbouring weeks of the year pooled on each side
MIN_WEATHER_YEARS = 2  # past years of temperatures the term needs
MIN_YEAR_COVER = 0.9  # share of a past year's days the temperature file must hold


@dataclass(frozen=True)
class WeatherTerm:
    """The weather's variance of a week's log calls by lead 1 .. `WEATHER_WEEKS` from the
    cut (`weather_term`), measured on `years` past years of temperatures."""

    variance: tuple[float, ...]
    years: int


def past_years(temperature: pd.Series, cut: dt.date, days: pd.DatetimeIndex) -> list[pd.Series]:
    """The temperatures of each past year before `cut` on `days` (from the cut on): year k's
    value for day d is the file's on the day 365 k days before the cut plus d's offset from
    the cut within its year (the same day of the year); only the years whose 365 days the
    file holds `MIN_YEAR_COVER` of, nearest first."""
    known = temperature[temperature.index < pd.Timestamp(cut)].dropna()
    offset = pd.to_timedelta((days - pd.Timestamp(cut)).days % 365, unit="D")
    out: list[pd.Series] = []
    for k in range(1, 100):
        first = pd.Timestamp(cut) - pd.Timedelta(days=365 * k)
        if not len(known) or first + pd.Timedelta(days=365) <= known.index[0]:
            break
        year = known[(known.index >= first) & (known.index < first + pd.Timedelta(days=365))]
        if len(year) >= MIN_YEAR_COVER * 365:
            out.append(pd.Series(known.reindex(first + offset).to_numpy(), index=days))
    return out


def weather_variance(
    days: pd.DatetimeIndex,
    climate: np.ndarray,
    means: np.ndarray,
    given: np.ndarray,
    cut: dt.date,
    weeks: int = WEATHER_WEEKS,
) -> np.ndarray:
    """The weather's variance by lead 1 .. `weeks` (`weather_term`) from the daily point
    forecasts on `days` with the climatology (`climate`) and with each past year's
    temperatures (`means`, years x days); `given`: the days with a weather-forecast row."""
    mondays = days - pd.to_timedelta(days.day_of_week, unit="D")
    lead = np.maximum(np.floor((mondays - pd.Timestamp(cut)).days.to_numpy() / 7.0) + 1, 1)
    x = np.zeros((means.shape[0], weeks))
    free = np.zeros(weeks)
    for h in range(1, weeks + 1):
        week = lead == h
        base = float(climate[week].sum())
        if base <= 0:
            continue
        x[:, h - 1] = np.log(np.maximum(means[:, week].sum(axis=1), 1e-12) / base)
        free[h - 1] = float(climate[week & ~given].sum()) / base
    square = np.mean(x**2, axis=0)
    pool = WEATHER_POOL_WEEKS
    pooled = np.array([square[max(h - pool, 0) : h + pool + 1].mean() for h in range(weeks)])
    years = means.shape[0]
    return pooled * (years + 1) / (years - 1) * free**2


def weather_term(
    hist,
    cut: dt.date,
    *,
    model: str = "auto",
    country: str | None = "VN",
    events=None,
    temperature=None,
    interval_min: int | None = None,
) -> WeatherTerm | None:
    """What not knowing the weather of a week months ahead moves the forecast of its calls,
    measured on the history's own temperature years (nothing after `cut` is read but the
    temperature file's rows past it, a weather forecast the plan's forecast takes).

    The forecaster fitted on the history before `cut` (as the plan's forecast fits it, with
    its choice of the temperature terms) forecasts `WEATHER_WEEKS` weeks from the cut with the
    day-of-year climatology, and again with each past year's temperatures on the same days of
    the year (`past_years`); per week, x_k = log(calls with year k / calls with the
    climatology). The variance is the mean of x_k**2 over the years (the climatology is the
    plan's P50) pooled over `WEATHER_POOL_WEEKS` neighbouring weeks of the year on each side,
    times (K + 1) / (K - 1) for K years: the climatology is their own mean, so a new year
    strays from it by that much more than the years it was drawn from. A week's days with a
    weather-forecast row count for nothing (the variance times the share of the week's calls
    on days without one, squared). None without a temperature file, with fewer than
    `MIN_WEATHER_YEARS` past years, or when the forecast leaves the temperature out."""
    temperature = forecast.as_temperature(temperature)
    if temperature is None:
        return None
    future = pd.date_range(pd.Timestamp(cut), periods=7 * WEATHER_WEEKS, freq="D")
    years = past_years(temperature, cut, future)
    if len(years) < MIN_WEATHER_YEARS:
        return None
    try:
        effects = forecast.weather_effects(
            hist, years, 7 * WEATHER_WEEKS, model, start=pd.Timestamp(cut),
            interval_min=interval_min, country=country, events=events, temperature=temperature,
        )  # fmt: skip
    except InputError:
        return None
    if effects is None:
        return None
    days, climate, means, given = effects
    variance = weather_variance(days, climate, means, given, cut)
    return WeatherTerm(tuple(float(v) for v in variance), len(years))


def seen_leads(errors: np.ndarray) -> int:
    """L of the module docstring: the leads 1 .. L of `errors` (origins x leads, NaN
    unscored) that at least `MIN_ORIGINS` origins score each."""
    enough = np.isfinite(errors).sum(axis=0) >= MIN_ORIGINS
    return int(np.argmin(enough)) if not enough.all() else int(enough.size)


# --- a short history: the forecaster's weekly errors at short leads and the level's drift ----

DRIFT_LAGS = LEAD_WEEKS  # the lags (weeks) of the year-on-year variogram the drift is fitted on
MIN_PAIRS = 8  # pairs a lag needs to enter the drift's fit
MIN_WEEK_ERRORS = 12  # weekly errors the short-lead spread needs
MAD_TO_SD = 0.6744897501960817  # median |x| of a centred normal, in sds
# calibration origins the short band's centre reads: the latest (its weeks the last)
BIAS_ORIGINS = 1


@dataclass(frozen=True)
class ShortSpread:
    """The spread of a plan whose history is too short for `LeadSpread`: a week's log error at
    lead h weeks from `cut` has centre `bias` and var(h) = s0**2 + b max(h - reach, 0).
    `bias`: the mean of the forecaster's own weekly errors from its latest calibration origin
    (`BIAS_ORIGINS`), its `reach` weeks the last before the cut: what its level missed by
    lately (a short history cannot tell a recent step in the level from its trend, and the
    forecaster carries the miss on); `s0`: the errors at
    1 .. `reach` weeks ahead (its bounds' calibration forecasts) around `bias`, scaled so that
    `bias` +-z_0.9 s0 holds `BAND_SHARE` of them; `b`: the level's drift per week, from the
    year-on-year differences of the weekly history before the cut (`level_drift`). The band
    is exp(bias +- z sigma) around the point forecast, widened to hold the point forecast
    itself (`log_multiplier`): the P50 stays the forecaster's."""

    cut: dt.date
    s0: float
    reach: int
    b: float
    errors: int  # weekly errors behind s0
    pairs: int  # year-on-year pairs behind b
    lags: int  # lags the drift was fitted on
    bias: float = 0.0  # the latest origin's mean weekly log error (the band's centre)

    def sigma_at(self, leads) -> np.ndarray:
        """sigma of the weeks `leads` weeks ahead (1 = the week from the cut)."""
        h = np.asarray(leads, dtype=float)
        return np.sqrt(self.s0**2 + self.b * np.maximum(h - self.reach, 0.0))

    def bias_at(self, leads) -> np.ndarray:
        """The band's centre (log, against the point forecast) of the weeks `leads` ahead."""
        return np.full(np.shape(leads), self.bias, dtype=float)

    def describe(self) -> str:
        s13, s26 = self.sigma_at([13, 26])
        return (
            f"demand spread for a short history (too short to run the forecaster from past "
            f"origins {LEAD_WEEKS} weeks ahead): the forecaster's own {self.errors} weekly errors "
            f"at 1-{self.reach} weeks ahead; its latest (the {self.reach} weeks before the cut) "
            f"missed by {100 * self.bias:+.1f}% on average (the band's centre against the point "
            f"forecast), "
            f"the errors around that give {100 * self.s0:.1f}% (scaled so that the P10-P90 "
            f"band holds 80% of them), and the level drifts by {100 * math.sqrt(52 * self.b):.1f}% "
            f"a year (the year-on-year differences of the weekly calls, holiday weeks left out: "
            f"their variance grows by {2 * self.b:.6f} a week of lag over {self.lags} lags, "
            f"{self.pairs} pairs), counted beyond {self.reach} weeks: {100 * s13:.1f}% at 13 "
            f"weeks, {100 * s26:.1f}% at 26 (log-sd of a week's workload); the band widened "
            f"to hold the point forecast"
        )


def log_multiplier(z, sigma, bias) -> np.ndarray:
    """The log multiplier on a week's point forecast at standard-normal score `z` for a
    spread `sigma` centred at `bias` (broadcast): bias + z sigma, held on the point
    forecast's side of it (z < 0: at most 0; z > 0: at least 0; z = 0: 0), so the median is
    the point forecast and every band P(q) .. P(100 - q) holds it; monotone in z."""
    z = np.asarray(z, dtype=float)
    u = np.asarray(bias, dtype=float) + z * np.asarray(sigma, dtype=float)
    return np.where(z < 0, np.minimum(u, 0.0), np.where(z > 0, np.maximum(u, 0.0), 0.0))


def recent_bias(errors: np.ndarray, count: int) -> float:
    """The mean of the finite `errors` (origins x leads, oldest origin first) of the latest
    `count` origins that score a week (0.0 for none)."""
    rows = [row[np.isfinite(row)] for row in np.atleast_2d(errors)]
    latest = [row for row in rows if row.size][-count:] if count > 0 else []
    return float(np.concatenate(latest).mean()) if latest else 0.0


def band_scale(errors: np.ndarray) -> float:
    """s with +-Z90 s holding `BAND_SHARE` of the finite `errors` (log errors; 0.0 for none):
    the quantile rule of the module docstring's step 4, for errors of one spread."""
    finite = np.abs(errors[np.isfinite(errors)])
    if finite.size == 0:
        return 0.0
    return float(np.quantile(finite, BAND_SHARE, method="inverted_cdf")) / Z90


def weekly_log_calls(days: pd.Series, cut: dt.date) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """(Mondays, log of the week's calls) of the whole weeks before `cut` from the first Monday
    of `days` (daily totals); NaN where a day is missing or the week has no calls."""
    days = days[days.index < pd.Timestamp(cut)]
    if days.empty:
        return pd.DatetimeIndex([]), np.zeros(0)
    first = days.index[0] + pd.Timedelta(days=(7 - days.index[0].weekday()) % 7)
    weekly = _weekly(days, first.date())  # whole weeks only
    count = (pd.Timestamp(cut) - first).days // 7
    out = np.full(max(count, 0), np.nan)
    for k, total in weekly.items():
        if 0 <= k < count and total > 0:
            out[k] = math.log(total)
    return pd.date_range(first, periods=len(out), freq="7D"), out


def level_drift(
    days: pd.Series, cut: dt.date, country: str | None
) -> tuple[float, int, int] | None:
    """(b, pairs, lags): the variance a week's log level gains per week of lead, measured on
    the weekly calls before `cut` (`days`: daily totals). The year-on-year difference D_t =
    x_t - x_{t-52} of the log weekly calls x removes the yearly shape (weeks holding a public
    holiday in either year are left out: the forecast places holidays by their date, their
    difference measures the calendar, not the level); a level l that wanders as a random
    walk of variance b a week, under week noise n, gives var(D_{t+k} - D_t) = 2 b k + 4 var(n)
    for 0 < k < 52 (a linear trend cancels). That variance is measured at each lag k = 1 ..
    `DRIFT_LAGS` robustly ((median |D_{t+k} - D_t| / 0.674)^2, so a storm week or a Tết the
    calendar missed does not set it) and fitted as c + 2 b k weighted by the pairs, b >= 0.
    None when fewer than `MIN_FIT_LEADS` lags have `MIN_PAIRS` pairs (under ~1.5 years)."""
    mondays, x = weekly_log_calls(days, cut)
    if x.size <= 52:
        return None
    holiday = np.zeros(x.size, dtype=bool)
    names = calendar.holiday_names(country, mondays[0], mondays[-1] + pd.Timedelta(days=6))
    for day in names:
        holiday[(day - mondays[0]).days // 7] = True
    diff = x[52:] - x[:-52]
    diff[holiday[52:] | holiday[:-52]] = np.nan
    lags, var, weight = [], [], []
    for k in range(1, DRIFT_LAGS + 1):
        pair = diff[k:] - diff[:-k]
        pair = pair[np.isfinite(pair)]
        if pair.size >= MIN_PAIRS:
            lags.append(k)
            var.append((float(np.median(np.abs(pair))) / MAD_TO_SD) ** 2)
            weight.append(pair.size)
    if len(lags) < MIN_FIT_LEADS:
        return None
    lag, v, w = (np.asarray(a, dtype=float) for a in (lags, var, weight))
    centred = lag - np.average(lag, weights=w)
    slope = float(np.sum(w * centred * (v - np.average(v, weights=w))) / np.sum(w * centred**2))
    return max(slope / 2.0, 0.0), int(w.sum()), len(lags)


def short_spread(
    hist, cut: dt.date, weekly_errors, country: str | None, error_origins=()
) -> ShortSpread | None:
    """The `ShortSpread` of a plan on `hist` before `cut` whose forecast's calibration gave
    `weekly_errors` (`ForecastResult.weekly_log_errors`: origins x leads of 1, 2, ... weeks;
    `error_origins`, `ForecastResult.weekly_error_origins`, the first day of each row: with
    them, each week's error is its workload's, the AHT's error added as `_scored` adds it);
    None when fewer than `MIN_WEEK_ERRORS` of them are scored or `level_drift` cannot be
    measured (the plan keeps the spread from the forecast's daily bounds, as before)."""
    errors = np.asarray(weekly_errors, dtype=float)
    if errors.ndim != 2 or np.isfinite(errors).sum() < MIN_WEEK_ERRORS:
        return None
    if len(error_origins) == errors.shape[0]:
        aht = [
            weekly_aht_errors(hist, pd.Timestamp(o), _week_starts(o, errors.shape[1]))
            for o in error_origins
        ]
        errors = errors + np.vstack(aht)
        if np.isfinite(errors).sum() < MIN_WEEK_ERRORS:
            return None
    drift = level_drift(daily_calls(hist, cut), cut, country)
    if drift is None:
        return None
    b, pairs, lags = drift
    reach = errors.shape[1]
    bias = recent_bias(errors, BIAS_ORIGINS)
    return ShortSpread(
        cut, band_scale(errors - bias), reach, b, int(np.isfinite(errors).sum()), pairs, lags,
        bias,
    )  # fmt: skip


def plan_spread(
    hist,
    cut: dt.date,
    weekly_errors=(),
    error_origins=(),
    *,
    model: str = "auto",
    country: str | None = "VN",
    events=None,
    temperature=None,
    interval_min: int | None = None,
) -> LeadSpread | ShortSpread | None:
    """The spread a plan on `hist` before `cut` uses: measured by lead where the history is
    long enough (`measure_spread`), else from the forecast's weekly errors at short leads and
    the level's drift (`short_spread`), else None (the forecast's daily bounds and the
    configured drift, `planner.capacity.demand`)."""
    measured = measure_spread(
        hist, cut, model=model, country=country, events=events, temperature=temperature,
        interval_min=interval_min,
    )  # fmt: skip
    if measured is not None:
        return measured
    return short_spread(hist, cut, weekly_errors, country, error_origins)
