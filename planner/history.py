"""Reading and validating call history: `read_history(path) -> History`.

History CSV (DESIGN.md): header row, `timestamp` and `calls` required, optional `aht` (seconds) and
`queue` (call type, long format: one row per queue and timestamp). Extra columns are ignored.

- Daily history: every timestamp is a date (or midnight) and rows are at least a day apart.
- Interval history: ISO date-times on a regular grid of `interval_min` minutes (a divisor of a
  day: 5, 6, 10, 15, 30, 60, ...). The base interval is the smallest step between consecutive rows
  of a queue; every other step must be a whole multiple of it (a larger step is a gap: closed or
  missing intervals), and every timestamp must sit on that grid from midnight.

Absent rows are not errors. How they are read (`planner.forecast` applies this rule):

- A *day* with no row at all is closed when its day type (Monday..Sunday, or public holiday) is
  mostly absent in the history (a weekdays-only line: weekends; a line closed on holidays:
  holidays), and missing data otherwise.
- An *interval* with no row on a day that has rows is closed when that interval of the day is
  absent on most recent days of the same day type (nights of a 07:00-21:00 line), and missing
  data otherwise (a gap inside an otherwise-open pattern).
- Closed days and intervals are forecast as 0; missing ones are left out of model fitting.

Two input traps are caught here:

- Timestamps with a UTC offset (`2026-01-05T03:00:00Z`, `+00:00`, common from cloud telephony)
  are converted to the line's local time: `timezone` (an IANA name), by default the country's
  one zone (VN: Asia/Ho_Chi_Minh); a country with several zones must name one. Rows with and
  without an offset together are refused. Two rows landing on the same local interval (the
  hour repeated when daylight saving ends) are added up.
- Implausible spikes: a row with more than `SPIKE_FACTOR` (10) times the robust level of the
  same interval of the week (the median of that weekday and time over the history, and at
  least the mean of the queue's non-zero rows) is most likely a typo. Each gets a warning in
  `History.notes` naming the row; unless `keep_spikes`, the row is dropped and its day is
  listed in `History.suspect_days`, which the forecast treats as missing (not fitted, not
  scored).

Bad input raises `InputError` naming file:line, the column and what was expected.
"""

from __future__ import annotations

import math
import os
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner import io
from planner.errors import InputError

BUNDLED_HISTORY = "hotline_history.csv"
BUNDLED_BY_TYPE = "hotline_by_type.csv"
BUNDLED_TEMPERATURE = "temperature.csv"
MINUTES_PER_DAY = 24 * 60
MAX_GAP_DAYS = 366  # a longer gap between rows is taken for a typo in a year
SPIKE_FACTOR = 10.0  # a row above this many times its interval's robust level is a typo
MAX_SPIKE_NOTES = 5
UTC_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$", re.I)


@dataclass(frozen=True)
class History:
    """A validated call history.

    `frame`: columns `timestamp` (datetime64, interval start or day), `calls` (float),
    optional `aht` (seconds, float) and `queue` (str), sorted by queue then timestamp.
    `interval_min`: the base interval in minutes, or None for daily history.
    `queues`: the queue names in first-seen order (empty when there is no `queue` column).
    `source`: the file the history came from (for messages).
    `notes`: what reading did to the input (offsets converted, spikes left out), for stderr.
    `suspect_days`: days with a row left out as a spike: missing data to the forecast.
    """

    frame: pd.DataFrame
    interval_min: int | None
    queues: tuple[str, ...]
    source: str
    notes: tuple[str, ...] = ()
    suspect_days: tuple[pd.Timestamp, ...] = ()

    @property
    def has_aht(self) -> bool:
        return "aht" in self.frame.columns

    @property
    def is_daily(self) -> bool:
        return self.interval_min is None

    def total(self) -> pd.DataFrame:
        """Calls summed over queues per timestamp (`aht` as the calls-weighted mean)."""
        frame = self.frame
        if not self.queues:
            return frame.drop(columns=["queue"], errors="ignore").reset_index(drop=True)
        if not self.has_aht:
            return frame.groupby("timestamp", sort=True)["calls"].sum().to_frame().reset_index()
        calls, aht = io.calls_weighted_aht(frame["calls"], frame["aht"], frame["timestamp"])
        return pd.DataFrame({"calls": calls, "aht": aht}).rename_axis("timestamp").reset_index()

    def truncate(self, before: pd.Timestamp) -> History:
        """The history strictly before `before` (a day boundary)."""
        frame = self.frame[self.frame["timestamp"] < before].reset_index(drop=True)
        suspect = tuple(d for d in self.suspect_days if d < before)
        return History(frame, self.interval_min, self.queues, self.source, self.notes, suspect)

    def last_day(self) -> pd.Timestamp:
        return self.frame["timestamp"].max().normalize()

    def first_day(self) -> pd.Timestamp:
        return self.frame["timestamp"].min().normalize()


def read_history(
    path: str | os.PathLike,
    timezone: str | None = None,
    country: str | None = "VN",
    keep_spikes: bool = False,
) -> History:
    """Read and validate a history CSV (`-` = stdin); see the module docstring for the rules.

    `timezone` / `country`: the line's local time zone (or the country whose one zone it is),
    used only when the timestamps carry a UTC offset. `keep_spikes`: fit implausible spikes
    anyway (they are still warned about)."""
    zones: list[str | None] = []

    def local_times(cells: pd.DataFrame, column: str, path) -> pd.Series:
        stamps, zone = _local_timestamps(cells, column, path, timezone, country)
        zones.append(zone)
        return stamps

    rows = io.read_timestamped_rows(
        path,
        "history file",
        {"calls": io.Number()},
        optional={"aht": io.Number(allow_empty=True, maximum=None)},
        queue=True,
        unique=False,  # refused below, once rows repeated by a clock change are added up
        parse_stamps=local_times,
    )
    name, frame, zone = rows.name, rows.frame, zones[0]
    _refuse_runaway(rows)
    notes: list[str] = []
    if zone is not None:
        notes.append(
            f"{name}: timestamps carry a UTC offset: converted to {zone} local time "
            "(the timezone option chooses another zone)"
        )
    queues = tuple(dict.fromkeys(frame["queue"])) if "queue" in frame.columns else ()

    keys = ["queue", "timestamp"] if queues else ["timestamp"]
    frame = frame.sort_values(keys, kind="mergesort").reset_index(drop=True)
    if zone is not None and frame.duplicated(keys).any():
        frame = _merge_repeated(frame, keys)
        notes.append(
            f"{name}: rows on the same local interval after conversion to {zone} "
            "(daylight saving ends) were added up"
        )
    io.refuse_duplicate_rows(frame[keys], frame["_line"], name)
    interval = _base_interval(frame, queues, name)
    if interval is not None and MINUTES_PER_DAY % interval:
        raise InputError(
            f"{name}: column 'timestamp' steps of {interval} min do not divide a day, "
            "expected 15-, 30- or 60-minute intervals (or another divisor of 24 h)"
        )
    _check_grid(frame, queues, interval, name)
    if interval is None:
        frame["timestamp"] = frame["timestamp"].dt.normalize()
    spikes = _spikes(frame, queues, interval)
    suspect: tuple[pd.Timestamp, ...] = ()
    if spikes.any():
        notes += _spike_notes(frame, spikes, name, keep_spikes)
        if not keep_spikes:
            suspect = tuple(sorted(set(frame["timestamp"][spikes].dt.normalize())))
            frame = frame[~spikes].reset_index(drop=True)
    frame = frame.drop(columns=["_line", "_level"], errors="ignore")
    if "aht" in frame.columns and frame["aht"].isna().all():
        frame = frame.drop(columns=["aht"])
    elif "aht" in frame.columns:
        frame["aht"] = _fill_aht(frame, queues)
    return History(frame, interval, queues, name, tuple(notes), suspect)


def _refuse_runaway(rows: io.TimestampedRows) -> None:
    """Refuse, naming the row, a value no contact centre has: an AHT above `io.MAX_AHT_S` (a
    typo, or milliseconds), a row whose calls alone would keep more than `io.MAX_STAFF`
    agents busy for its whole interval (or day) at the file's AHT."""
    frame, name = rows.frame, rows.name
    calls = frame["calls"].to_numpy(dtype=float)
    if "aht" in frame.columns:
        aht = frame["aht"].to_numpy(dtype=float)
        high = np.flatnonzero(np.nan_to_num(aht) > io.MAX_AHT_S)
        if high.size:
            i = int(high[0])
            raise InputError(
                f"{name}:{frame['_line'].iloc[i]}: column 'aht' = {rows.cells['aht'].iloc[i]!r} "
                f"is above {io.MAX_AHT_S:g} s ({io.MAX_AHT_S / 3600:g} h), longer than any mean "
                "handle time: expected seconds (milliseconds?)"
            )
        work_s = calls * np.nan_to_num(aht)
    else:
        work_s = calls * 60.0  # at least a minute a call
    stamps = pd.DatetimeIndex(frame["timestamp"])
    daily = bool((stamps == stamps.normalize()).all())
    span_s = 86400.0 if daily else float(io.smallest_step_s(stamps) or 86400.0)
    over = np.flatnonzero(work_s / span_s > io.MAX_STAFF)
    if over.size:
        i = int(over[0])
        raise InputError(
            f"{name}:{frame['_line'].iloc[i]}: column 'calls' = "
            f"{rows.cells['calls'].iloc[i]!r} would keep more than {io.MAX_STAFF:,} agents busy "
            "at once, more than any centre staffs: a typo?"
        )


def local_timestamps(
    rows: pd.DataFrame, column: str, path, timezone: str | None = None, country: str | None = "VN"
) -> pd.Series:
    """A timestamp column of `read_csv_rows` cells as the local wall-clock times `read_history`
    gives them (offsets converted to `timezone`, else the country's zone)."""
    return _local_timestamps(rows, column, path, timezone, country)[0]


def _local_timestamps(
    rows: pd.DataFrame, column: str, path, timezone: str | None, country: str | None
) -> tuple[pd.Series, str | None]:
    """Timestamps as local wall-clock times, and the zone converted to (None: no offsets)."""
    name = io.display_name(path)
    raw = rows[column].astype(str).str.strip()
    offset = raw.str.contains(UTC_OFFSET).to_numpy()
    if timezone is not None:
        zone = _zone_info(timezone)
    if not offset.any():
        return io.parse_timestamps(rows, column, path), None
    if not offset.all():
        first = int(np.flatnonzero(~offset)[0])
        other = int(np.flatnonzero(offset)[0])
        raise InputError(
            f"{name}:{rows['_line'].iloc[first]}: column '{column}' = {raw.iloc[first]!r} has "
            f"no UTC offset but line {rows['_line'].iloc[other]} ({raw.iloc[other]!r}) has one, "
            "expected all local times or all with an offset"
        )
    if timezone is None:
        timezone = _country_zone(country, name, raw.iloc[0])
        zone = _zone_info(timezone)
    parsed = pd.to_datetime(raw, errors="coerce", utc=True, format="ISO8601")
    bad = parsed.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{name}:{rows['_line'].iloc[first]}: column '{column}' = {raw.iloc[first]!r} is "
            "not an ISO date-time"
        )
    return parsed.dt.tz_convert(zone).dt.tz_localize(None), timezone


def _zone_info(timezone: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(str(timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"{timezone!r}: not a time zone name, expected an IANA name "
            "(e.g. Asia/Ho_Chi_Minh, Europe/London, America/New_York)",
            "timezone",
        ) from None


def country_zones(country: str | None) -> list[str]:
    """The IANA zones of a country (ISO code) from the system's zone.tab, [] if unknown."""
    if not country:
        return []
    for base in zoneinfo.TZPATH:
        table = Path(base) / "zone.tab"
        if table.exists():
            zones = []
            for line in table.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) >= 3 and parts[0] == str(country).upper():
                    zones.append(parts[2])
            return zones
    return []


def _country_zone(country: str | None, name: str, example: str) -> str:
    code = None if country is None or str(country).lower() in ("", "none") else str(country)
    zones = country_zones(code)
    if len(zones) == 1:
        return zones[0]
    if code is None:
        why = "no country is given"
    elif zones:
        why = f"country {code.upper()} has {len(zones)} time zones (e.g. {zones[0]})"
    else:
        why = f"the time zone of country {code.upper()} is not known here"
    raise InputError(
        f"{name}: timestamps carry a UTC offset (e.g. {example!r}) and {why}: give {{timezone}} "
        "(an IANA name such as Asia/Ho_Chi_Minh) to convert them to the line's local time",
        "timezone",
    )


def _merge_repeated(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add up rows on the same key (calls summed, AHT calls-weighted, the first line kept)."""
    group = frame.groupby(keys, sort=True)
    out = group.agg(calls=("calls", "sum"), _line=("_line", "first"))
    if "aht" in frame.columns:
        by = [frame[k] for k in keys]
        out["aht"] = io.calls_weighted_aht(frame["calls"], frame["aht"], by)[1]
    return out.reset_index()[list(frame.columns)]


def _spikes(frame: pd.DataFrame, queues: tuple[str, ...], interval: int | None) -> np.ndarray:
    """Rows above SPIKE_FACTOR times their interval of the week's robust level (see module);
    the level is left in column `_level`."""
    stamps = frame["timestamp"]
    slot = stamps.dt.day_of_week * MINUTES_PER_DAY
    if interval is not None:
        slot = slot + stamps.dt.hour * 60 + stamps.dt.minute
    groups = [frame["queue"], slot] if queues else [slot]
    median = frame["calls"].groupby(groups).transform("median")
    nonzero = frame["calls"].where(frame["calls"] > 0)
    mean = nonzero.groupby(frame["queue"]).transform("mean") if queues else nonzero.mean()
    level = np.maximum(median.to_numpy(), np.nan_to_num(np.asarray(mean, dtype=float)))
    frame["_level"] = level
    return (frame["calls"].to_numpy() > SPIKE_FACTOR * level) & (level > 0)


def _spike_notes(frame: pd.DataFrame, spikes: np.ndarray, name: str, keep: bool) -> list[str]:
    rows = frame[spikes]
    what = (
        "kept in the fit (keep_spikes)"
        if keep
        else ("left out of the fit, its day counted as missing (keep_spikes keeps it)")
    )
    notes = []
    for _, row in rows.head(MAX_SPIKE_NOTES).iterrows():
        where = f" (queue {row['queue']!r})" if "queue" in rows.columns else ""
        notes.append(
            f"warning: {name}:{row['_line']}: calls = {row['calls']:,.0f} at "
            f"{_iso(row['timestamp'])}{where} is over {SPIKE_FACTOR:g}x that interval's usual "
            f"level ({row['_level']:,.0f}): a typo? {what}"
        )
    if len(rows) > MAX_SPIKE_NOTES:
        notes.append(f"warning: {name}: {len(rows) - MAX_SPIKE_NOTES} more such rows")
    return notes


def _iso(value: pd.Timestamp) -> str:
    return (
        value.strftime("%Y-%m-%dT%H:%M:%S")
        if value != value.normalize()
        else value.strftime("%Y-%m-%d")
    )


def _steps(frame: pd.DataFrame, queues: tuple[str, ...]) -> pd.Series:
    """Minutes from the previous row of the same queue (NaN on each queue's first row)."""
    diff = frame["timestamp"].diff()
    if queues:
        diff[frame["queue"] != frame["queue"].shift()] = pd.NaT
    return diff.dt.total_seconds() / 60.0


def _base_interval(frame: pd.DataFrame, queues: tuple[str, ...], name: str) -> int | None:
    """None for daily history, else the most common step in minutes (the smaller on a tie)."""
    stamps = frame["timestamp"]
    midnight = bool((stamps == stamps.dt.normalize()).all())
    steps = _steps(frame, queues)
    positive = steps.dropna()
    if midnight and (positive.empty or positive.min() >= MINUTES_PER_DAY):
        return None
    if positive.empty:
        raise InputError(
            f"{name}: only one interval row, expected a series of regular 15/30/60-minute intervals"
        )
    counts = positive.value_counts()
    base = float(min(counts.index[counts == counts.max()]))
    if base != math.floor(base) or base < 1:
        line = frame["_line"][steps == base].iloc[0]
        raise InputError(
            f"{name}:{line}: column 'timestamp' step of {base:g} min, expected whole minutes"
        )
    return int(base)


def _check_grid(
    frame: pd.DataFrame, queues: tuple[str, ...], interval: int | None, name: str
) -> None:
    steps = _steps(frame, queues)
    base = MINUTES_PER_DAY if interval is None else interval
    far = steps > MAX_GAP_DAYS * MINUTES_PER_DAY
    if far.any():  # most likely a typo in a year: forecasting would span the empty years
        i = int(np.flatnonzero(far.to_numpy())[0])
        row, prev = frame.iloc[i], frame.iloc[i - 1]
        raise InputError(
            f"{name}:{prev['_line']}: column 'timestamp' = {_iso(prev['timestamp'])} is "
            f"{steps.iloc[i] / MINUTES_PER_DAY:,.0f} days before the next row "
            f"({_iso(row['timestamp'])}, line {row['_line']}), expected gaps of at most "
            f"{MAX_GAP_DAYS} days (a wrong year?)"
        )
    bad = steps.notna() & (np.mod(steps.fillna(0), base) != 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        row = frame.iloc[i]
        raise InputError(
            f"{name}:{row['_line']}: column 'timestamp' = {_iso(row['timestamp'])} is "
            f"{steps.iloc[i]:g} min after the previous row, expected a whole multiple of the "
            f"{base}-minute interval (irregular steps)"
        )
    if interval is not None:
        minute = frame["timestamp"].dt.hour * 60 + frame["timestamp"].dt.minute
        off = (minute % interval != 0) | (frame["timestamp"].dt.second != 0)
        if off.any():
            row = frame[off].iloc[0]
            raise InputError(
                f"{name}:{row['_line']}: column 'timestamp' = {_iso(row['timestamp'])} is not on "
                f"the {interval}-minute grid from midnight, expected interval starts"
            )


def _fill_aht(frame: pd.DataFrame, queues: tuple[str, ...]) -> pd.Series:
    """Empty AHT cells (allowed when an interval had no calls) take the queue's median AHT."""
    aht = frame["aht"]
    if not aht.isna().any():
        return aht
    if queues:
        med = aht.groupby(frame["queue"]).transform("median")
        return aht.fillna(med).fillna(aht.median())
    return aht.fillna(aht.median())
