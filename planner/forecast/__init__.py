"""Call-volume forecasting: daily models, the intraday profile, bounds and backtests.

Daily totals and the intraday curve are forecast separately (DOMAIN.md): a daily model forecasts
the total calls of each day, then an intraday profile by day type spreads it over the intervals,
so the intervals of a day always sum to its daily forecast.

Daily models share one small contract (`fit(y, exog)`, `predict(days, exog) -> mean, lower,
upper`), after statsforecast:

- `seasonal_naive`: the same weekday a week earlier (the baseline every model must beat).
- `ets`: Holt-Winters / ETS(A,Ad,A): damped additive trend and additive weekly season on log
  calls over the last year.
- `regression`: least squares on log calls with weekday dummies (off inside the Tết block,
  where every day is a day off), yearly Fourier terms (order 8) and a linear trend (both with
  700+ days of history; with 400-700 days a coarse yearly shape of order 4 and no trend; under
  400 neither), holiday and Tết regressors (`planner.calendar`: Tết block, each day eve..4th,
  the first three days back, days before, rebound after, each other holiday by name (one seen
  only closed has no effect), the day after a closed holiday, bridge/substitute days), one
  regressor per past event label, and optionally temperature (max temperature and heat above
  32 °C; over the horizon the temperature file's rows past the history, a weather forecast,
  and the day-of-year climatology where there are none). Huber-weighted (IRLS), so storm days
  and glitches do not pull the fit. The residuals get an AR(1) correction that starts from the
  mean residual of the last 3 days and decays over the horizon. Fitted on the last 3 years.
- `regression_level`: the same regression whose residual correction fades to a running level
  (an exponentially weighted mean of the residuals) instead of to zero, so a new level carries.
- `auto` (default): the model with the lowest daily WAPE over 12 weekly rolling origins (each
  scored over the selection horizon, 7-28 days), a near-tie between the regression and its
  running-level extension to the plain regression (see `rolling.select`); a short history weighs only the models it can feed (`usable_models`).

Closed days: a weekday mostly absent over the last year is closed; a holiday is closed only if
that same holiday was closed when last seen, and one never seen is an ordinary day of its
weekday (a note names it and how to mark it closed in the events file).

Bounds at `level` % (default 80) are calibrated on the model's own rolling-origin errors,
conformal-style, not taken from the model's variance formula (model-based bounds are too narrow
when the model is wrong and too wide when it is cautious). After the model choice, the chosen
model (also a model named with `model=`) is re-run from 26 weekly origins over the last half
year (each scored over the selection horizon, 7-28 days; future event multipliers are not
applied) and gives log errors e(o, h) = log(actual / forecast) by origin o and horizon step h.
Their spread grows with h (the forecast origin's uncertainty): the mean |e| by step is fitted as
``s(h)**2 = a + b * (h - 1)`` with a, b >= 0, the errors are standardised by s(h) and pooled,
and the daily bounds are ``M * exp(q * s(h))`` with q the empirical alpha and 1 - alpha
quantiles (alpha = (1 - level/100) / 2, finite-sample conformal ranks) of the standardised
errors; so a biased model gets asymmetric bounds. Steps beyond the calibration horizon
extrapolate s(h) up to twice that horizon. With fewer than 20 scored errors (short history) the
model's own bounds are kept: regression normal on log scale with the AR(1) forecast variance;
ETS normal on log scale with an approximate ETS variance; naive empirical quantiles of
week-on-week log ratios widened by sqrt(weeks ahead). `backtest` shows these raw model bounds
for the named models and the calibrated ones for `auto` (calibrated from the data before each
origin only). The same forecasts' weekly totals (days 1-7, 8-14, ... of each origin, log(actual / forecast);
for a regression only from origins with the span class of the forecast's own history: a
history under 700 days fits another, coarser regression) are kept as `weekly_log_errors`: how
much a week's days' errors cancel, measured rather than assumed. Interval bounds combine the daily bound, scaled by the interval's share of the
day, with the noise of the interval itself around the profile: variance m + c m^2 for an
interval of mean m (Poisson, plus the shape's day-to-day error of relative variance c, a moment
estimate over the last 28 days around the profile that the days before them gave, i.e. out of
sample, so the profile's own error counts; one c for all intervals, so quiet night intervals are
about Poisson and busy ones take the shape error): ``half_width_i = sqrt((share_i * (U -
M))**2 + z**2 * (m_i + c * m_i**2))`` (likewise below, >= 0), z the normal quantile of the level.

Intraday profile: per day type (Monday..Sunday, and public holiday when the history has at least
two open holidays), the share of each interval in the pooled calls of the type's last 26
complete days, each day weighted by a recency weight that halves every 4 days of the type (the
calls-weighted, Poisson estimate: a quiet interval's few calls are not rounded to 0 by a median);
then shrunk toward the mean profile of itself and its 2 most similar types (L1 distance) by
James-Stein: the weight kept is tau^2 / (tau^2 + v), v the profile's summed variance (its days'
spread of shares over their effective number), tau^2 its squared distance to that pool beyond v.
A type with few or noisy days (15-min intervals, a handful of calls each) borrows shape from its
neighbours; one clearly its own (a short Friday) keeps it. Closed intervals (see
`planner.history`) get share 0.

Per-queue history: the daily model forecasts the total over queues; each interval is split by the
queues' shares of that interval over the same recent days of that type. AHT: the calls-weighted
mean AHT of the same interval of the week over the last 8 weeks (per queue when per queue).

Output values are rounded to 0.1 call; the intervals of each day (and queue) are rounded with the
largest-remainder method so they sum exactly to the rounded daily total.

Layout: `grid` (the history as days x intervals, open rules), `exog` (holiday, event and
temperature features), `models` (the `DailyModel`s), `rolling` (the one rolling-origin path:
model choice and calibration errors), `bounds`, `profile` (intraday spread, AHT, rounding),
`backtest`, `api` (`forecast_history`, `ForecastResult`).
"""

from planner.calendar import read_events
from planner.forecast.api import ForecastResult, as_temperature, forecast_history, weather_effects
from planner.forecast.backtest import backtest
from planner.forecast.exog import read_temperature
from planner.forecast.models import ETS, MODELS, DailyModel, Regression, SeasonalNaive

__all__ = [
    "ETS",
    "DailyModel",
    "MODELS",
    "ForecastResult",
    "Regression",
    "SeasonalNaive",
    "backtest",
    "as_temperature",
    "forecast_history",
    "read_events",
    "read_temperature",
    "weather_effects",
]
