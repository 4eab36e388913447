"""What the morning says about the rest of the day's curve, learnt from the line's past days.

The busyness factor (`reforecast`) moves the whole rest of the day by one number. Real days
move unevenly: a storm multiplies the outage calls, which fill the night and the evening more
than the office hours, so the evening of a storm day runs further above the plan than its
morning peak; and the last two hours say more than the night. A regression learnt from the
history the plan was made from (Shen & Huang 2008 update the day's curve by a regression on
the morning's intervals; Weinberg, Brown & Stroud 2007 let the multiplier vary in time):

    log m_j = sum_b beta_jb x_b,   x_b = log((A_b + 1) / (F_b + 1))

with x_b the morning's blocks of `block_h` hours ending at now (actual A_b vs expected F_b),
m_j the multiplier of the rest of the day's block j (interpolated between block centres, so
the multiplier is smooth in time), and beta >= 0 (non-negative least squares: a busier
morning never lowers any interval, and a morning on the plan leaves the plan as it is). On
the past days the expected calls are the mean of the same weekday's four weeks before.

The regression is blended with the busyness factor B in log space, with the weight
`weight` and the trust `trust` chosen together on the last `holdout_days` days of the history
(fitted on the days before them), the pair with the least absolute error over the rest of
those days' intervals: the rest of the day is f_j (B^(1 - weight) m_j^weight)^trust. A line
whose morning says little about its afternoon's curve gets a weight near 0 and keeps the
factor alone; one whose morning says little about its afternoon at all (its afternoons swing
on their own: an outage of the recording, a closing time that moves) gets a trust below 1 and
leans on the plan (the shrinkage toward the plan chosen per time of day from the line's own
days, not from a constant). The same held-out days measure the spread of the rest of the
day's total around the blend at the bounds' level (their absolute deviation from the median
at that level, over the normal's; less its Poisson part): the bounds' spread.

Optionally (`profile_components`) the same held-out days also choose between the block
regression and the day's profile in a few principal components of past days, updated from the
morning by penalised least squares (`DayProfiles`, after Shen & Huang 2008). Measured on the
bundled line and the bank it did no better (the choice among many candidates on 56 days also
picks some by chance, and its held-out spread is then too narrow), so it is off by default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import nnls
from scipy.special import ndtri

WEIGHTS = np.linspace(0.0, 1.0, 11)
TRUSTS = np.linspace(0.0, 1.0, 11)
PENALTIES = (0.25, 1.0, 4.0)


@dataclass(frozen=True, eq=False)
class DayProfiles:
    """The day's deviation from its plan in a few principal components of past days' (Shen &
    Huang 2008 express each day's intraday profile in the leading singular vectors of past
    days' profiles and update the day's scores from its morning by penalised least squares).

    A day's deviation, r_i = log((A_i + 1) / (F_i + 1)) per interval, is sum_k s_k v_ki plus
    noise: `basis` holds the v_k (intervals x components, the leading right singular vectors
    of past days' deviations from their expected calls), `score_var` the prior variance of
    each score s_k (its mean square over those days, times the penalty), `noise_var` an
    interval's noise beyond its Poisson part (the variance the components leave, less
    Poisson). The morning's intervals fit the scores by generalised ridge (the posterior mean
    of s under that prior: shrunk toward 0, the plan's own scores), weighting each interval by
    its precision 1 / (1 / (F_i + 1) + noise_var); the fitted components give the rest of the
    day. A later interval never falls when a morning interval rises (the fit's negative gains,
    noise of the components, are set to 0), and a morning on the plan (r = 0) leaves it."""

    basis: np.ndarray
    score_var: np.ndarray
    noise_var: float
    now_index: int

    def gains(self, plan_calls) -> np.ndarray:
        """d log m_j / d r_i: the rest of the day's log multipliers per morning deviation."""
        f = np.asarray(plan_calls, float)[: self.now_index]
        precision = 1.0 / (1.0 / (f + 1.0) + self.noise_var)
        seen, rest = self.basis[: self.now_index], self.basis[self.now_index :]
        lhs = seen.T @ (precision[:, None] * seen) + np.diag(1.0 / self.score_var)
        scores = np.linalg.solve(lhs, seen.T * precision[None, :])
        return np.maximum(rest @ scores, 0.0)

    def log_multipliers(self, plan_calls, actual_calls) -> np.ndarray:
        f = np.asarray(plan_calls, float)
        r = np.log((np.asarray(actual_calls, float) + 1.0) / (f[: self.now_index] + 1.0))
        return self.gains(f) @ r


def day_profiles(
    logs: np.ndarray, expected: np.ndarray, now_index: int, shapes
) -> list[DayProfiles]:
    """One `DayProfiles` per (components, penalty) of `shapes`: the leading singular vectors
    of past days' deviations `logs` (days x intervals, from their `expected` calls), the
    scores' prior variance divided by the penalty."""
    if not shapes:
        return []
    _, sing, vt = np.linalg.svd(logs, full_matrices=False)
    poisson = float(np.mean(1.0 / (expected + 1.0)))
    out = []
    for components, penalty in shapes:
        basis = vt[:components].T
        score_var = np.maximum(sing[:components] ** 2 / len(logs), 1e-12) / penalty
        left = logs - (logs @ basis) @ basis.T
        noise = max(float(np.mean(left**2)) - poisson, 1e-4)
        out.append(DayProfiles(basis, score_var, noise, now_index))
    return out


@dataclass(frozen=True, eq=False)
class MorningModel:
    """A learnt regression of the rest of the day on the morning, for one time of day.

    `now_index`: intervals before now; `morning_edges`, `rest_edges`: the blocks' interval
    edges; `coef` (rest blocks x morning blocks, >= 0); `weight`: the blend's weight on the
    regression (0..1); `rest_rel_var`: the held-out relative variance of the rest of the
    day's total beyond Poisson; `days`: the past days it was learnt on; `trust`: the power the
    blend is raised to (0..1: 0 keeps the plan, 1 the blend as it is)."""

    interval_min: int
    now_index: int
    morning_edges: tuple[int, ...]
    rest_edges: tuple[int, ...]
    coef: np.ndarray
    weight: float
    rest_rel_var: float
    days: int
    trust: float = 1.0
    profile: DayProfiles | None = None

    def log_multipliers(self, plan_calls, actual_calls) -> np.ndarray:
        """log m_j for every interval from now on (the regression alone, before the blend)."""
        f = np.asarray(plan_calls, float)
        if self.profile is not None:
            return self.profile.log_multipliers(f, np.asarray(actual_calls, float))
        x = _block_logs(np.asarray(actual_calls, float), f[: self.now_index], self.morning_edges)
        per_block = self.coef @ x
        if len(per_block) == 1:
            return np.full(len(f) - self.now_index, float(per_block[0]))
        e = np.asarray(self.rest_edges, float)
        centres = (e[:-1] + e[1:] - 1.0) / 2.0
        return np.interp(np.arange(self.now_index, len(f), dtype=float), centres, per_block)


def _edges(start: int, stop: int, size: int, backward: bool) -> tuple[int, ...]:
    if backward:  # blocks ending at `stop`, the first one shorter
        cuts = list(range(stop, start, -size))[::-1]
        return tuple([start, *cuts]) if cuts[0] != start else tuple(cuts)
    cuts = list(range(start, stop, size))
    return tuple([*cuts, stop])


def _block_logs(actual: np.ndarray, expected: np.ndarray, edges) -> np.ndarray:
    """log((A_b + 1) / (F_b + 1)) for each block; works on one day (1-d) or many (2-d)."""
    a = np.add.reduceat(actual, list(edges[:-1]), axis=-1)
    f = np.add.reduceat(expected, list(edges[:-1]), axis=-1)
    return np.log((a + 1.0) / (f + 1.0))


def _fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.vstack([nnls(x, y[:, j])[0] for j in range(y.shape[1])])


def past_days(history: pd.DataFrame, today: pd.Timestamp, interval_min: int, weeks: int):
    """(calls, expected) of every complete day of the `weeks` weeks before today whose four
    same-weekday days before it are complete too: the actual intervals and their mean."""
    n = 24 * 60 // interval_min
    start = today - pd.Timedelta(weeks=weeks + 4)
    frame = history[(history["timestamp"] >= start) & (history["timestamp"] < today)]
    if frame.empty:
        return np.empty((0, n)), np.empty((0, n))
    times = pd.DatetimeIndex(frame["timestamp"])
    days = pd.date_range(start.normalize(), today - pd.Timedelta(days=1), freq="D")
    slot = ((times - times.normalize()) // pd.Timedelta(minutes=interval_min)).to_numpy()
    row = days.get_indexer(times.normalize())
    grid = np.full((len(days), n), np.nan)
    ok = (row >= 0) & (slot >= 0) & (slot < n)
    grid[row[ok], slot[ok]] = frame["calls"].to_numpy(float)[ok]
    full = ~np.isnan(grid).any(axis=1)
    idx = np.arange(28, len(days))
    keep = [
        i for i in idx if full[i] and full[i - 7] and full[i - 14] and full[i - 21] and full[i - 28]
    ]
    if not keep:
        return np.empty((0, n)), np.empty((0, n))
    k = np.asarray(keep)
    expected = (grid[k - 7] + grid[k - 14] + grid[k - 21] + grid[k - 28]) / 4.0
    return grid[k], expected


def learn_morning_model(
    history: pd.DataFrame,
    now: pd.Timestamp,
    interval_min: int,
    level: Callable[[np.ndarray, np.ndarray, float], float],
    weeks: int = 104,
    block_h: float = 2.0,
    holdout_days: int = 56,
    min_days: int = 84,
    level_pct: float = 80.0,
    profile_components: tuple[int, ...] = (),
) -> MorningModel | None:
    """Learn the regression for the time of `now` from the history's days before today.

    `level(expected, actual_morning, day_cv)`: the busyness factor's log for a past day (the
    update's own posterior, with the day's spread `day_cv`), to weigh the blend on the held-out
    days. `profile_components`: also try the day's profile in that many principal components
    (`DayProfiles`, at each of `PENALTIES`) and keep whichever candidate the held-out days
    prefer (off by default: on the bundled line and the bank it did no better than the block
    regression, `benchmarks/intraday_replay.py --profiles`). None with fewer than `min_days`
    usable days, or when now is midnight."""
    today = pd.Timestamp(now).normalize()
    n = 24 * 60 // interval_min
    k = int((pd.Timestamp(now) - today) / pd.Timedelta(minutes=interval_min))
    if not 0 < k < n:
        return None
    calls, expected = past_days(history, today, interval_min, weeks)
    if len(calls) < min_days:
        return None
    size = max(1, round(block_h * 60 / interval_min))
    m_edges = _edges(0, k, size, backward=True)
    r_edges = _edges(k, n, size, backward=False)
    x = _block_logs(calls[:, :k], expected[:, :k], m_edges)
    y = _block_logs(calls[:, k:], expected[:, k:], tuple(e - k for e in r_edges))
    hold = min(holdout_days, len(calls) // 3)
    logs = np.log((calls + 1.0) / (expected + 1.0))
    # the candidate curves, each learnt on the days before the held-out ones: the block
    # regression, and the day's profile in a few principal components at a few penalties
    trials = [MorningModel(interval_min, k, m_edges, r_edges, _fit(x[:-hold], y[:-hold]), 1.0,
                           0.0, len(calls) - hold)]  # fmt: skip
    shapes = [
        (c, p) for c in profile_components if c < min(n, len(calls) - hold) for p in PENALTIES
    ]
    for candidate in day_profiles(logs[:-hold], expected[:-hold], k, shapes):
        trials.append(dataclasses.replace(trials[0], profile=candidate))
    day_ratio = np.log((calls.sum(axis=1) + 1.0) / (expected.sum(axis=1) + 1.0))
    day_cv = float(np.std(day_ratio[:-hold]))
    errors = np.zeros((len(trials), len(TRUSTS), len(WEIGHTS)))
    levels = []
    for a, f in zip(calls[-hold:], expected[-hold:], strict=True):
        log_b = level(f, a[:k], day_cv)
        levels.append(log_b)
        for i, trial in enumerate(trials):
            errors[i] += _blend_errors(log_b, trial.log_multipliers(f, a[:k]), f[k:], a[k:])
    pick, t_best, best = np.unravel_index(int(np.argmin(errors)), errors.shape)
    rest_true = calls[-hold:, k:].sum(axis=1)
    rest_pred = np.array(
        [
            _blend(log_b, trials[pick].log_multipliers(f, a[:k]), f[k:], TRUSTS[t_best],
                   WEIGHTS[best]).sum()
            for log_b, a, f in zip(levels, calls[-hold:], expected[-hold:], strict=True)
        ]
    )  # fmt: skip
    ok = (rest_true > 0) & (rest_pred > 0)
    resid = np.log(rest_true[ok] / rest_pred[ok])
    rel_var = 0.0
    if ok.sum() > 2:
        # the spread at the bounds' own level: the held-out days' absolute deviation from
        # their median at that level over the normal's (the median absolute deviation would
        # miss the heavy tails a line's odd days give; the mean's square would let one holiday
        # week, whose past days' expected calls are wrong, widen every bound)
        z = float(ndtri(0.5 + level_pct / 200.0))
        spread = float(np.quantile(np.abs(resid - np.median(resid)), level_pct / 100.0)) / z
        rel_var = spread**2 - float(np.mean(1.0 / rest_pred[ok]))
    profile: DayProfiles | None = None
    if pick > 0:  # the chosen profile model, learnt again on every day
        profile = day_profiles(logs, expected, k, [shapes[pick - 1]])[0]
    return MorningModel(
        interval_min=interval_min,
        now_index=k,
        morning_edges=m_edges,
        rest_edges=r_edges,
        coef=_fit(x, y),
        weight=float(WEIGHTS[best]),
        rest_rel_var=max(rel_var, 0.0),
        days=len(calls),
        trust=float(TRUSTS[t_best]),
        profile=profile,
    )


def blend_log(log_b, log_m, trust, weight):
    """The rest of the day's log multiplier: trust x ((1 - weight) log B + weight log m), the
    busyness factor's log `log_b` blended with the learnt curve's `log_m` (numbers or arrays
    that broadcast)."""
    return trust * ((1.0 - weight) * log_b + weight * log_m)


def _blend(log_b: float, log_m: np.ndarray, plan_rest: np.ndarray, trust, weight):
    return plan_rest * np.exp(blend_log(log_b, log_m, trust, weight))


def _blend_errors(log_b: float, log_m: np.ndarray, plan_rest: np.ndarray, actual_rest):
    """The absolute error over the rest of the day of every (trust, weight) blend."""
    blend = _blend(log_b, log_m, plan_rest, TRUSTS[:, None, None], WEIGHTS[None, :, None])
    return np.abs(blend - actual_rest[None, None, :]).sum(axis=2)
