"""The day itself: reforecast the rest of today from its calls so far, restaff it against the
published roster, and propose legal actions ranked by cost per point of service level.

`reforecast` (the shrunk Poisson-gamma update), `gap` (required vs on the phones),
`actions` (break moves, shift extensions, call-ins, movable shrinkage, callbacks).
"""

from planner.intraday.reforecast import Reforecast, UpdateSettings, prior_cv, reforecast_day

__all__ = ["Reforecast", "UpdateSettings", "prior_cv", "reforecast_day"]
