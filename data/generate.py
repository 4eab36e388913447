"""Generate the bundled, SYNTHETIC hotline history in ``data/``.

Run ``python data/generate.py`` from anywhere: it rewrites, byte for byte,

- ``hotline_history.csv``  ``timestamp,calls,aht``       (30-min intervals, all call types)
- ``hotline_by_type.csv``  ``timestamp,queue,calls,aht`` (the same intervals per call type)
- ``temperature.csv``      ``date,temp_max_c,temp_mean_c`` (daily, northern Vietnam)

and prints a calibration summary.  Everything is drawn from one ``numpy`` generator seeded
with ``SEED``; the only other input is the ``holidays`` package (VN calendar, Tết included).

The model, day by day:

1. Temperature: Hanoi monthly normals (interpolated) + AR(1) noise + injected heat waves
   (May-Aug, 38-40 °C) + cooling on storm days.
2. Expected calls per call type: a base level x an air-conditioning season (late May-Aug)
   x the day's heat (outage calls mostly) x weekday x holiday / Tết x storm x growth
   (~4 %/year) x a day-level random effect (AR(1), log-normal).
3. Intraday: each call type has its own half-hour profile (weekday or weekend); interval
   counts are negative-binomial (over-dispersed) around expected value x profile.
4. AHT per type and interval: the mean of ``calls`` gamma-distributed handle times around
   the type's AHT (slightly longer at night), rounded to whole seconds.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

SEED = 20231030
START = pd.Timestamp("2023-10-30")  # a Monday
END = pd.Timestamp("2026-11-01")  # last day, included (a Sunday)
INTERVAL_MIN = 30
OUT_DIR = Path(__file__).resolve().parent
# The committed files were written with these versions. Random streams (numpy) and holiday
# calendars (holidays) may change between releases, so other versions may not reproduce them.
GENERATED_WITH = {"numpy": "2.4.6", "pandas": "3.1.1", "holidays": "0.109"}

# Call types: base calls/day in a mild non-summer week (before weekday/growth effects),
# AHT in seconds, and how strongly the air-conditioning season lifts them.
# Plausible values, NOT from the article.
QUEUES = ("outage", "billing", "new_connection", "customer_details", "advice", "complaints")
BASE_PER_DAY = {
    "outage": 1030.0,
    "billing": 900.0,
    "new_connection": 330.0,
    "customer_details": 300.0,
    "advice": 270.0,
    "complaints": 180.0,
}
AHT_S = {
    "outage": 150.0,
    "billing": 240.0,
    "new_connection": 330.0,
    "customer_details": 270.0,
    "advice": 300.0,
    "complaints": 420.0,
}
SEASON_LIFT = {
    "outage": 2.95,  # overloaded transformers and lines while air-conditioning runs
    "billing": 0.40,  # high summer bills
    "new_connection": 0.10,
    "customer_details": 0.0,
    "advice": 0.35,  # energy-saving questions
    "complaints": 0.35,
}
# Weekday factors Mon..Sun: strong for office-type calls, weak for outages.
WEEKDAY_ADMIN = np.array([1.22, 1.08, 1.04, 1.02, 0.98, 0.78, 0.62])
WEEKDAY_OUTAGE = np.array([1.06, 1.02, 1.0, 1.0, 1.0, 0.97, 0.93])
GROWTH_PER_YEAR = 0.04
GROWTH_REF = pd.Timestamp("2025-07-01")  # growth factor 1 here
HANOI_TMAX_NORMALS = [19.3, 19.9, 22.8, 27.0, 31.5, 32.6, 32.9, 32.0, 31.0, 28.6, 25.2, 21.8]
HANOI_DIURNAL = [3.0, 2.9, 2.6, 3.0, 3.4, 3.6, 3.7, 3.6, 3.5, 3.4, 3.3, 3.1]  # max - mean
NB_SIZE = 25.0  # negative-binomial size: variance = mu + mu^2 / NB_SIZE
HANDLE_TIME_CV = 0.8  # coefficient of variation of one call's handle time above the minimum
MIN_HANDLE_S = 20.0  # no call is handled in less (greeting, identification)
DAILY_CAP_KNEE = 8400.0  # above this the expected day compresses (IVR outage messages)
DAILY_CAP_SPAN = 1600.0


@dataclass(frozen=True)
class Event:
    kind: str  # "heat wave" or "storm"
    start: pd.Timestamp
    days: int
    size: float  # heat: °C above normal at the peak; storm: outage multiplier on day 1


def smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def monthly_interp(dates: pd.DatetimeIndex, normals: list[float]) -> np.ndarray:
    """Periodic linear interpolation of 12 monthly values placed on the 15th."""
    doy = dates.day_of_year.to_numpy() - 1.0
    anchors = (np.arange(12) * 365.25 / 12.0) + 14.0
    xs = np.concatenate([anchors - 365.25, anchors, anchors + 365.25])
    ys = np.tile(np.asarray(normals, dtype=float), 3)
    return np.interp(doy, xs, ys)


def ac_season(dates: pd.DatetimeIndex) -> np.ndarray:
    """0..1: air-conditioning season, ramping up 10-31 May, full Jun-Aug, down by ~20 Sep."""
    doy = dates.day_of_year.to_numpy().astype(float)
    up = smoothstep((doy - 130.0) / 22.0)
    down = 1.0 - smoothstep((doy - 236.0) / 28.0)
    return up * down


def draw_events(rng: np.random.Generator, years: range) -> list[Event]:
    events: list[Event] = []
    for year in years:
        # kind, season start, candidate days, latest start, min days between, days, magnitude
        events += _spaced_events(rng, "heat wave", (year, 5, 20), 95, 100, 8, (3, 8), (4.5, 7.0))
        events += _spaced_events(rng, "storm", (year, 7, 10), 110, 115, 10, (1, 4), (2.0, 3.0))
    return sorted(events, key=lambda e: (e.start, e.kind))


def _spaced_events(rng, kind, season_start, candidates, latest, spacing, days_range, magnitude):
    """2-3 events of `kind` at random days after `season_start` (year, month, day), at least
    `spacing` days apart, none starting after day `latest`."""
    year, month, day = season_start
    events = []
    n = int(rng.integers(2, 4))
    starts = np.sort(rng.choice(np.arange(0, candidates), size=n, replace=False))
    last_end = -10
    for s in starts:
        s = max(int(s), last_end + spacing)
        if s > latest:
            continue
        days = int(rng.integers(*days_range))
        start = pd.Timestamp(year=year, month=month, day=day) + pd.Timedelta(days=s)
        events.append(Event(kind, start, days, float(rng.uniform(*magnitude))))
        last_end = s + days
    return events


def make_temperature(
    rng: np.random.Generator, days: pd.DatetimeIndex, events: list[Event]
) -> pd.DataFrame:
    clim = monthly_interp(days, HANOI_TMAX_NORMALS)
    n = len(days)
    noise = np.empty(n)
    noise[0] = 0.0
    shocks = rng.normal(0.0, 1.3, n)
    for i in range(1, n):
        noise[i] = 0.75 * noise[i - 1] + shocks[i]
    # winter is more variable (cold surges), summer less
    winter = 1.0 - ac_season(days)
    tmax = clim + noise * (0.6 + 0.6 * winter)
    for ev in events:
        idx = np.flatnonzero((days >= ev.start) & (days < ev.start + pd.Timedelta(days=ev.days)))
        if ev.kind == "heat wave":
            k = np.arange(len(idx))
            shape = np.sin(np.pi * (k + 1) / (len(idx) + 1)) ** 0.5
            tmax[idx] = np.maximum(tmax[idx], clim[idx] + ev.size * shape)
        else:
            tmax[idx] -= rng.uniform(3.5, 6.0, len(idx))
    tmax = np.minimum(tmax, 40.5)
    diurnal = monthly_interp(days, HANOI_DIURNAL) + rng.normal(0.0, 0.5, n)
    tmean = tmax - np.clip(diurnal, 1.5, 6.0)
    return pd.DataFrame(
        {"date": days, "temp_max_c": np.round(tmax, 1), "temp_mean_c": np.round(tmean, 1)}
    )


def holiday_factors(days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, list]:
    """Multipliers (admin, outage) for holidays, the Tết block, the run-up and the rebound."""
    cal = holidays.VN(years=range(days[0].year, days[-1].year + 1))
    admin = np.ones(len(days))
    outage = np.ones(len(days))
    tet_blocks = []
    tet_days = sorted(d for d, name in cal.items() if "Lunar New Year" in name)
    # group consecutive Tết days into one block per year
    for d in tet_days:
        if tet_blocks and (pd.Timestamp(d) - tet_blocks[-1][-1]).days <= 1:
            tet_blocks[-1].append(pd.Timestamp(d))
        else:
            tet_blocks.append([pd.Timestamp(d)])
    index = {d: i for i, d in enumerate(days)}
    for d, name in cal.items():
        i = index.get(pd.Timestamp(d))
        if i is None or "Lunar New Year" in name:
            continue
        admin[i] *= 0.55
        outage[i] *= 0.92
    for block in tet_blocks:
        for j, d in enumerate(block):
            i = index.get(d)
            if i is None:
                continue
            # eve and first days are the quietest
            admin[i] *= 0.22 if j < len(block) - 2 else 0.35
            outage[i] *= 0.55 if j < len(block) - 2 else 0.7
        for k in range(1, 8):  # run-up: people finish errands, then leave
            i = index.get(block[0] - pd.Timedelta(days=k))
            if i is not None:
                admin[i] *= 0.80 + 0.02 * k
                outage[i] *= 0.93
        for k in range(1, 11):  # rebound after the break
            i = index.get(block[-1] + pd.Timedelta(days=k))
            if i is not None:
                admin[i] *= 1.0 + 0.35 * np.exp(-(k - 1) / 3.0)
                outage[i] *= 1.0 + 0.10 * np.exp(-(k - 1) / 3.0)
    return admin, outage, tet_blocks


def intraday_profiles() -> dict[tuple[str, bool], np.ndarray]:
    """Half-hour shares (48 values summing to 1) per (queue, weekend)."""
    h = np.arange(48) * 0.5 + 0.25  # interval centre, hours

    def bumps(parts, floor):
        y = np.full(48, floor)
        for centre, width, amp in parts:
            y += amp * np.exp(-0.5 * ((h - centre) / width) ** 2)
        # deep night trough around 03:30
        y *= 1.0 - 0.75 * np.exp(-0.5 * ((h - 3.5) / 1.6) ** 2)
        return y / y.sum()

    admin_wd = bumps([(9.6, 1.25, 1.0), (15.2, 1.15, 0.85), (19.8, 1.6, 0.32)], 0.02)
    admin_we = bumps([(10.0, 1.5, 0.9), (15.3, 1.4, 0.65), (19.8, 1.8, 0.40)], 0.03)
    outage_wd = bumps(
        [(9.8, 1.4, 0.75), (15.0, 1.4, 0.85), (20.2, 1.8, 0.70), (23.0, 1.2, 0.18)], 0.06
    )
    outage_we = bumps(
        [(10.2, 1.6, 0.70), (15.2, 1.6, 0.80), (20.2, 1.9, 0.72), (23.0, 1.2, 0.20)], 0.07
    )
    profiles = {}
    for q in QUEUES:
        profiles[(q, False)] = outage_wd if q == "outage" else admin_wd
        profiles[(q, True)] = outage_we if q == "outage" else admin_we
    return profiles


def expected_daily(
    days: pd.DatetimeIndex,
    temp: pd.DataFrame,
    events: list[Event],
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, list]:
    """Expected calls per day and call type (before interval noise)."""
    n = len(days)
    season = ac_season(days)
    tmax = temp["temp_max_c"].to_numpy()
    clim = monthly_interp(days, HANOI_TMAX_NORMALS)
    dow = days.day_of_week.to_numpy()
    years = (days - GROWTH_REF).days.to_numpy() / 365.25
    growth = (1.0 + GROWTH_PER_YEAR) ** years
    admin_h, outage_h, tet_blocks = holiday_factors(days)
    # billing calls follow the billing cycle: more in the days after bills go out (5th-15th)
    dom = days.day.to_numpy()
    billing_cycle = 1.0 + 0.18 * np.exp(-0.5 * ((dom - 10.0) / 3.5) ** 2)

    storm = np.ones(n)
    after_storm = np.ones(n)
    for ev in events:
        if ev.kind != "storm":
            continue
        for k in range(ev.days + 3):
            i = (ev.start + pd.Timedelta(days=k) - days[0]).days
            if not 0 <= i < n:
                continue
            if k < ev.days:
                storm[i] = max(storm[i], ev.size * (0.82**k))
            else:  # restoration tail
                storm[i] = max(storm[i], 1.0 + 0.4 * 0.5 ** (k - ev.days))
            after_storm[i] = max(after_storm[i], 1.3 if k >= 1 else 1.0)

    # heat: outage calls climb with the day's (and yesterday's) heat above 33 °C,
    # and with any anomaly above the normal for the date.
    heat = 0.7 * tmax + 0.3 * np.concatenate([[tmax[0]], tmax[:-1]])
    heat_term = 0.55 * np.maximum(heat - 33.5, 0.0) + 0.12 * (heat - clim)

    # day-level random effect (log scale, AR(1)) shared by all queues + a small per-queue one
    shocks = rng.normal(0.0, 0.055, n)
    day_re = np.empty(n)
    day_re[0] = shocks[0]
    for i in range(1, n):
        day_re[i] = 0.45 * day_re[i - 1] + shocks[i]

    out = {}
    for q in QUEUES:
        base = BASE_PER_DAY[q] * growth * (1.0 + SEASON_LIFT[q] * season)
        if q == "outage":
            lift = 1.0 + SEASON_LIFT[q] * season
            base = base * np.maximum(lift + heat_term, 0.6 * lift) / lift
            base = base * WEEKDAY_OUTAGE[dow] * outage_h * storm
        else:
            base = base * WEEKDAY_ADMIN[dow] * admin_h
            if q == "billing":
                base = base * billing_cycle
            if q == "complaints":
                base = base * after_storm
        own = rng.normal(0.0, 0.04, n)
        out[q] = base * np.exp(day_re + own)
    frame = pd.DataFrame(out, index=days)
    # soft ceiling: beyond the knee, IVR "known outage in your area" messages deflect repeat
    # callers, so offered calls grow more slowly (asymptote knee + span)
    total = frame.sum(axis=1).to_numpy()
    over = np.maximum(total - DAILY_CAP_KNEE, 0.0)
    squeezed = DAILY_CAP_KNEE + DAILY_CAP_SPAN * np.tanh(over / DAILY_CAP_SPAN)
    scale = np.where(total > DAILY_CAP_KNEE, squeezed / total, 1.0)
    out_q = frame["outage"].to_numpy()
    # take the deflection out of outage calls only
    frame["outage"] = np.maximum(out_q - (total - total * scale), 0.2 * out_q)
    return frame, tet_blocks


def make_intervals(
    rng: np.random.Generator, daily: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    days = daily.index
    n_days = len(days)
    profiles = intraday_profiles()
    weekend = np.asarray(days.day_of_week >= 5)
    slots = 48
    stamps = (
        days.repeat(slots)
        + pd.to_timedelta(np.tile(np.arange(slots) * INTERVAL_MIN, n_days), "min")
    ).to_numpy()
    hours = np.tile(np.arange(slots) * 0.5, n_days)
    # night calls take a little longer (fewer agents' shortcuts, more detail), peaks shorter
    aht_shape = 1.0 + 0.08 * ((hours >= 22) | (hours < 6)) - 0.03 * ((hours >= 9) & (hours < 11))
    counts = {}
    ahts = {}
    expected_aht_num = np.zeros(n_days * slots)
    expected_mu = np.zeros(n_days * slots)
    for q in QUEUES:
        prof = np.where(
            weekend[:, None], profiles[(q, True)][None, :], profiles[(q, False)][None, :]
        )
        # a little interval-level jitter in the shape itself (not a smooth curve)
        jitter = np.exp(rng.normal(0.0, 0.05, (n_days, slots)))
        mu = (daily[q].to_numpy()[:, None] * prof * jitter).ravel()
        p = NB_SIZE / (NB_SIZE + mu)
        c = rng.negative_binomial(NB_SIZE, p)
        mean_aht = AHT_S[q] * aht_shape
        k = 1.0 / HANDLE_TIME_CV**2
        shape = np.maximum(c, 1) * k
        sample = MIN_HANDLE_S + rng.gamma(shape, (mean_aht - MIN_HANDLE_S) / shape)
        a = np.where(c > 0, sample, mean_aht)
        counts[q] = c
        ahts[q] = a
        expected_aht_num += mu * mean_aht
        expected_mu += mu
    total = sum(counts[q] for q in QUEUES)
    weighted = sum(counts[q] * ahts[q] for q in QUEUES)
    expected_aht = expected_aht_num / np.maximum(expected_mu, 1e-9)
    aht_total = np.where(total > 0, weighted / np.maximum(total, 1), expected_aht)
    history = pd.DataFrame(
        {"timestamp": stamps, "calls": total, "aht": np.rint(aht_total).astype(int)}
    )
    by_type = pd.DataFrame(
        {
            "timestamp": np.repeat(stamps, len(QUEUES)),
            "queue": np.tile(np.array(QUEUES), len(stamps)),
            "calls": np.stack([counts[q] for q in QUEUES], axis=1).ravel(),
            "aht": np.rint(np.stack([ahts[q] for q in QUEUES], axis=1).ravel()).astype(int),
        }
    )
    return history, by_type


def write_csv(frame: pd.DataFrame, path: Path, stamp_col: str, fmt: str) -> None:
    """Write ``frame`` as CSV (``\\n`` line ends), formatting each distinct stamp once."""
    uniq, inverse = np.unique(frame[stamp_col].to_numpy(), return_inverse=True)
    stamps = pd.DatetimeIndex(uniq).strftime(fmt).to_numpy(dtype=object)[inverse]
    columns = [stamps] + [
        frame[c].to_numpy().astype(str).astype(object) for c in frame.columns if c != stamp_col
    ]
    body = "\n".join(map(",".join, zip(*columns, strict=True)))
    text = ",".join(frame.columns) + "\n" + body + "\n"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def summarise(
    history: pd.DataFrame,
    by_type: pd.DataFrame,
    temp: pd.DataFrame,
    events: list[Event],
    tet_blocks: list,
) -> str:
    ts = pd.DatetimeIndex(history["timestamp"])
    day = pd.Series(history["calls"].to_numpy(), index=ts).resample("D").sum()
    d = day.index
    summer = ((d.month == 5) & (d.day >= 20)) | d.month.isin([6, 7, 8])
    weekday = d.day_of_week < 5
    lines = [f"Calibration summary (synthetic hotline history, seed {SEED})"]
    lines.append(f"  span: {ts[0]:%Y-%m-%d %H:%M} .. {ts[-1]:%Y-%m-%d %H:%M}, {len(d)} days")
    lines.append(
        f"  summer (20 May-Aug) daily mean: {day[summer].mean():,.0f} "
        f"(weekdays {day[summer & weekday].mean():,.0f})"
    )
    lines.append(
        f"  other months daily mean: {day[~summer].mean():,.0f} "
        f"(weekdays {day[~summer & weekday].mean():,.0f})"
    )
    top = day.sort_values(ascending=False).head(5)
    lines.append("  top days: " + ", ".join(f"{i:%Y-%m-%d} {v:,}" for i, v in top.items()))
    for y in sorted(set(d.year)):
        yd = day[d.year == y]
        s = yd[summer[d.year == y]]
        lines.append(
            f"  {y}: {len(yd)} days, total {yd.sum():,}, summer mean "
            + (f"{s.mean():,.0f}, max {s.max():,}" if len(s) else "-")
        )
    full = day[(d >= "2023-11-01") & (d < "2026-11-01")]
    lines.append(f"  mean per year (Nov 2023-Oct 2026): {full.sum() / 3:,.0f} calls")
    dow = day.groupby(d.day_of_week).mean()
    lines.append("  mean by weekday Mon..Sun: " + " ".join(f"{v:,.0f}" for v in dow))
    hh = history.groupby(ts.strftime("%H:%M"))["calls"].mean()
    lines.append(
        f"  mean calls/interval: 02:00-05:00 {hh.loc['02:00':'04:30'].mean():.1f}, "
        f"peak {hh.idxmax()} {hh.max():.1f}"
    )
    for block in tet_blocks:
        b = pd.DatetimeIndex(block)
        if b[0] < d[0] or b[-1] > d[-1]:
            continue
        around = day[((d >= b[0] - pd.Timedelta(days=28)) & (d < b[0] - pd.Timedelta(days=7)))]
        lines.append(
            f"  Tết {b[0]:%Y-%m-%d}..{b[-1]:%m-%d}: mean {day[b].mean():,.0f}/day vs "
            f"{around.mean():,.0f} three weeks before; week after "
            f"{day[b[-1] + pd.Timedelta(days=1) : b[-1] + pd.Timedelta(days=7)].mean():,.0f}"
        )
    tmax = temp.set_index("date")["temp_max_c"]
    out_day = (
        by_type[by_type["queue"] == "outage"]
        .assign(date=lambda f: pd.DatetimeIndex(f["timestamp"]).normalize())
        .groupby("date")["calls"]
        .sum()
    )
    for ev in events:
        span = pd.date_range(ev.start, periods=ev.days, freq="D")
        span = span[(span >= d[0]) & (span <= d[-1])]
        if len(span) == 0:
            continue
        lines.append(
            f"  {ev.kind}: {span[0]:%Y-%m-%d}..{span[-1]:%m-%d} ({len(span)} d), "
            f"Tmax up to {tmax[span].max():.1f} °C, calls/day up to {day[span].max():,}, "
            f"outage up to {out_day[span].max():,}"
        )
    bt_day = pd.DatetimeIndex(by_type["timestamp"]).normalize()
    bt_summer = ((bt_day.month == 5) & (bt_day.day >= 20)) | bt_day.month.isin([6, 7, 8])
    for label, mask in (("summer", bt_summer), ("other months", ~bt_summer)):
        part = by_type[np.asarray(mask)]
        share = part.groupby("queue")["calls"].sum() / part["calls"].sum()
        lines.append(f"  shares, {label}: " + ", ".join(f"{q} {share[q]:.1%}" for q in QUEUES))
    lines.append(f"  temperature: Tmax range {tmax.min():.1f}..{tmax.max():.1f} °C")
    return "\n".join(lines)


def generate(out_dir: Path = OUT_DIR, summary: bool = True) -> str:
    """Write the three CSV files into ``out_dir``; return the calibration summary."""
    rng = np.random.default_rng(SEED)
    days = pd.date_range(START, END, freq="D")
    events = draw_events(rng, range(START.year, END.year + 1))
    temp = make_temperature(rng, days, events)
    daily, tet_blocks = expected_daily(days, temp, events, rng)
    history, by_type = make_intervals(rng, daily)
    out_dir = Path(out_dir)
    write_csv(history, out_dir / "hotline_history.csv", "timestamp", "%Y-%m-%dT%H:%M:%S")
    write_csv(by_type, out_dir / "hotline_by_type.csv", "timestamp", "%Y-%m-%dT%H:%M:%S")
    write_csv(temp, out_dir / "temperature.csv", "date", "%Y-%m-%d")
    return summarise(history, by_type, temp, events, tet_blocks) if summary else ""


def version_mismatches() -> list[str]:
    """Installed versions that differ from ``GENERATED_WITH`` ("name have X, made with Y")."""
    installed = {
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "holidays": holidays.__version__,
    }
    return [
        f"{name} {installed[name]} (files made with {want})"
        for name, want in GENERATED_WITH.items()
        if installed[name] != want
    ]


def main(argv: list[str]) -> int:
    """``python data/generate.py [OUT_DIR]`` (default: the folder of this script)."""
    out_dir = Path(argv[0]) if argv else OUT_DIR
    for mismatch in version_mismatches():
        print(f"warning: {mismatch}; output may differ from the committed files", file=sys.stderr)
    print(generate(out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
