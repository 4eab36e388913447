"""Check the plan: play a roster against the forecast in a discrete-event simulation.

The package: `result` (the columns and `SimulationResult`), `inputs` (files, demand, on-phone
windows), `engine` (the queue and one replication), `replications` (`simulate` and its summary),
(what `planner simulate` reads is `planner.jobs.simulate_files`, what it prints
`planner.report.simulation`).

The model, per replication:

- Arrivals: a Poisson process at each interval's forecast rate (`calls` per interval, spread
  uniformly inside it). With `overdispersion` v > 0 each interval's rate is first multiplied by a
  gamma variable with mean 1 and variance v, so counts have variance calls + v * calls^2.
- Talk (handle) times: exponential with the interval's AHT, or lognormal with the same mean and
  a coefficient of variation of 1 (`service="lognormal"`). A call keeps the AHT of the interval it
  arrived in.
- Patience: each caller hangs up after an exponential time with mean `patience_s`, or never
  (`patience_s=None`). A caller who hangs up never occupies an agent.
- One first-come-first-served queue; identical agents.
- Agents: every roster row (agent-shift) puts one agent on the phones from `start` to `end`
  minus its breaks, to the second. An agent in a call when a break or the shift end comes
  finishes that call first and then goes (the break is not moved); a call is never started by an
  agent who is off the phones. With `absence_pct` each agent-shift is missing altogether with
  that probability, drawn anew in every replication.
- The horizon is the requirements' intervals: from the first timestamp to the end of the last
  interval. Calls still in the queue at the end are counted as `waiting`; nothing is simulated
  after the end. When the horizon is whole days from midnight the roster is read as a cyclic
  week, as the scheduler builds it: the Sunday-night shift running past the end also covers
  Monday morning.

The queue is run as a multi-server FCFS recursion over calls in arrival order with a heap of
agents keyed by the first second each could take a new call (O(n log agents) per replication,
plain Python + numpy: about 0.2-0.3 s per 50,000 calls).

Measures, per interval of arrival (means over replications):
- `offered`, `answered`, `abandoned`, `waiting` (still queued at the horizon end): calls;
  offered = answered + abandoned + waiting, in every replication and interval.
- `service_level`: share (0..1) of calls *offered* answered within `target_s`; abandoned calls
  count against it (the Erlang C convention: SL = P(wait <= t) over all offered calls).
- `asa`: mean wait of the answered calls, s.
- `agents`: mean agents on the phones (time-averaged over the interval, after absence).
- `occupancy`: share (0..1) of the agents' on-phone time spent in calls; it can pass 1 in an
  interval where agents finish calls into their break or past their shift end.
Interval ratios are ratios of replication totals (pooled), so an interval with few calls still
gets a value. The summary gives, over replications, the mean and a 95% confidence interval
(Student t) of the calls-weighted service level, ASA, abandonment and occupancy of the horizon
(keys with their units: `service_level_pct`, `asa_s`, `abandon_pct`, `occupancy_pct`; the
frames keep fractions 0..1 like the Requirements CSV).
"""

from planner.simulate.engine import run_queue
from planner.simulate.inputs import load_requirements, load_roster, parse_patience, roster_windows
from planner.simulate.replications import simulate
from planner.simulate.result import (
    INTERVAL_COLUMNS,
    SERVICES,
    SL_DEFINITION,
    WORST_INTERVALS,
    Estimate,
    SimulationResult,
    SimulationSummary,
)

__all__ = [
    "INTERVAL_COLUMNS",
    "SERVICES",
    "SL_DEFINITION",
    "WORST_INTERVALS",
    "Estimate",
    "SimulationResult",
    "SimulationSummary",
    "load_requirements",
    "load_roster",
    "parse_patience",
    "roster_windows",
    "run_queue",
    "simulate",
]
