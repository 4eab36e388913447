"""Risk of a plan: a seeded Monte Carlo over demand, attrition and dropout.

Each draw (vectorised over draws with numpy; one seed, so the same inputs give the same risk):

- demand: log multiplier of week w = sqrt(A_w) e_w + sqrt(B) (f_1 + ... + f_w), e and f
  standard normal, with A_w and B the week's noise and the level drift of
  `planner.capacity.demand` (so its variance is sigma_w**2); staff-hours from the week's
  staff-hours curve (Erlang on every interval at a grid of multipliers, interpolated; a
  draw's score z reads the curve at the spread's own multiplier for z, centred where the
  short-history rule centres it, `planner.capacity.spread.log_multiplier`);
- attrition: each of today's agents leaves in the week where a uniform draw passes their
  survival curve (so each is still there with the expected probability);
- dropout and graduates' attrition: a class's graduates are Binomial(size, 1 - dropout), then
  each week Binomial(heads, weekly leave rate) of them leave.
The plan's overtime and temps are kept as planned; a week handed to the weekly run requires at
least that run's own staff-hours in every draw (its roster is held to them). P(short) of a week is the share of draws
whose required FTE exceeds the effective FTE; the plan's cost per draw adds the priced shortfall
of that draw to the plan's other costs (wages on the draw's payroll).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from planner.capacity.config import WEEKS_PER_MONTH, CapacityConfig
from planner.capacity.demand import Demand
from planner.capacity.plan import Plan, required_fte
from planner.capacity.supply import Workforce, survival


@dataclass(frozen=True)
class Risk:
    """`p_short` per week, the plan's cost at P50/P80/P90 (VND), the mean shortfall
    staff-hours per week, and the number of draws."""

    p_short: np.ndarray
    cost_p50: float
    cost_p80: float
    cost_p90: float
    mean_shortfall_h: np.ndarray
    draws: int


def simulate_risk(
    plan: Plan,
    demand: Demand,
    workforce: Workforce,
    cfg: CapacityConfig,
    draws: int | None = None,
    fixed_staff_hours: Mapping[int, float] | None = None,
) -> Risk:
    """`fixed_staff_hours`: week index -> staff-hours a week requires whatever the demand
    draw (the week handed to the weekly run: that run's own requirement), so each draw
    requires at least that there."""
    d = int(draws or cfg.draws)
    weeks = cfg.horizon_weeks
    h = cfg.contract_hours
    rng = np.random.default_rng(cfg.seed)
    frame = plan.weeks
    sigma = demand.weeks["sigma"].to_numpy(float)
    drift = (cfg.level_drift_pct_per_year / 100.0) ** 2 / 52.0
    noise = np.sqrt(np.maximum(sigma**2 - drift * np.arange(1, weeks + 1), 0.0))
    walk = np.cumsum(rng.standard_normal((d, weeks)), axis=1) * np.sqrt(drift)
    log_mult = noise * rng.standard_normal((d, weeks)) + walk
    z = log_mult / np.maximum(sigma, 1e-12)
    required = required_fte(demand.staff_hours_at(z), cfg)
    for w, hours in (fixed_staff_hours or {}).items():
        required[:, w] = np.maximum(required[:, w], required_fte(np.asarray(hours), cfg))

    # today's agents
    fte = workforce.frame["fte"].to_numpy(float)
    surv = survival(cfg, workforce.frame["tenure_months"].to_numpy(), weeks)[:, :weeks]
    u = rng.random((d, len(fte)))
    present = np.zeros((d, weeks))
    for i in range(len(fte)):
        stays = np.searchsorted(-surv[i], -u[:, i], side="left")  # weeks with surv > u
        present += fte[i] * (np.arange(weeks)[None, :] < stays[:, None])
    paid = present.copy()

    # classes
    effective = present.copy()
    keep = 1.0 - cfg.dropout_pct / 100.0
    ramp = np.asarray(cfg.ramp_pct()) / 100.0
    fte_of = {c.name: c.fte for c in plan.contracts}
    first = np.datetime64(frame["start"].iloc[0])
    for cls in plan.classes:
        s = int((np.datetime64(cls.training_start.isoformat()) - first).astype(int) // 7)
        grad = s + cfg.classroom_weeks
        for name, size in cls.sizes:
            f = fte_of[name]
            paid[:, s : min(grad, weeks)] += size * f
            if grad >= weeks:
                continue
            heads = rng.binomial(size, keep, d).astype(np.int64)
            for w in range(grad, weeks):
                k = w - grad
                prod = ramp[k] if k < len(ramp) else 1.0
                effective[:, w] += heads * f * prod
                paid[:, w] += heads * f
                rate = cfg.weekly_leave_rate((w - s) / WEEKS_PER_MONTH)
                heads = heads - rng.binomial(heads, rate)
    tp = cfg.temp_productivity_pct / 100.0
    levers = tp * frame["temps"].to_numpy(float) + frame["overtime_h"].to_numpy(float) / h
    effective = effective + levers[None, :]
    gap_h = np.maximum(0.0, required - effective) * h
    short = gap_h > 1e-6
    fixed = (
        frame[["cost_hiring", "cost_training", "cost_overtime", "cost_temps"]].to_numpy(float).sum()
    )
    cost = fixed + paid.sum(axis=1) * h * cfg.wage_per_hour
    cost = cost + gap_h.sum(axis=1) * cfg.shortfall_cost_per_hour
    p50, p80, p90 = np.percentile(cost, [50, 80, 90])
    return Risk(short.mean(axis=0), float(p50), float(p80), float(p90), gap_h.mean(axis=0), d)
