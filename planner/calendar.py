"""Special days: public holidays (python-holidays, by country) and the user's events file.

Holidays come from the `holidays` package, so moving feasts (Tết, Pesach, Easter) need no
hand-made dates. `day_features` turns them into daily regressors:

- `tet`: the Lunar New Year block as the package lists it (VN: the days off around Tết);
  `tet_-1` .. `tet_+3`: one regressor per day from the eve to the fourth day (the dip deepens
  and recovers by day, the same way every year, whatever weekday it falls on);
- `pre_tet` (1-7 days before the block); `tet_back_1` .. `tet_back_3`: the first three days
  after the block, each its own effect (the return to work and its catch-up); `post_tet` the
  4th-7th days after it (the rest of the rebound);
- `holiday`: any other public holiday; `eve`: the day before one (not itself a holiday or
  a substitute day off; the regression keeps it from lowering an already short day);
  `post_holiday`: the first day after another holiday
  (with `closed` given: only after a holiday the centre was closed, the catch-up day);
- `bridge`: substitute / observed days off, and a working day squeezed between a holiday and a
  weekend;
- `observance`: a day of the package's optional or half-day calendar that is not a public
  holiday (IL: Chol HaMoed, Purim; BR: Carnival), one effect for all.

Events file (`--events`): CSV `start,end,label[,multiplier]`, dates inclusive — make-up working
days, storms, campaigns. Past events become one regressor per label; on forecast days the
multiplier (default 1) scales the forecast.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import holidays as pyholidays
import numpy as np
import pandas as pd

from planner import io
from planner.errors import InputError

TET_PATTERN = re.compile(r"lunar new year|chinese new year|spring festival|\btet\b", re.I)
TET_DAY_PATTERN = re.compile(r"^(lunar new year|chinese new year.*|spring festival)$", re.I)
# the holidays package's secondary calendars: days many people keep without a day off (Chol
# HaMoed, Purim, Carnival); one learned effect for all of them. The US and AU half-day lists
# are empty without a state, which is not asked for, so there they add nothing
OBSERVANCE_CATEGORIES = ("optional", "half_day")
SUBSTITUTE_PATTERN = re.compile(r"substitut|observed|day off|bridge", re.I)
TET_DAYS = tuple(f"tet_{k:+d}" for k in range(-1, 4))  # eve, Lunar New Year's day, days 2-4
TET_BACK = tuple(f"tet_back_{k}" for k in range(1, 4))  # the first days back after Tết
FEATURES = (
    "tet",
    *TET_DAYS,
    "pre_tet",
    *TET_BACK,
    "post_tet",
    "holiday",
    "eve",
    "observance",
    "post_holiday",
    "bridge",
)


def normalise_country(country: str | None) -> str | None:
    """`none`/empty → None; otherwise an upper-case code the `holidays` package knows."""
    if country is None or str(country).strip().lower() in ("", "none"):
        return None
    code = str(country).strip().upper()
    if code not in pyholidays.list_supported_countries():
        raise InputError(
            f"{country!r} is not a country code the holidays package knows "
            "(e.g. VN, US, IL, GB), or 'none'",
            "country",
        )
    return code


def holiday_names(country: str | None, start: pd.Timestamp, end: pd.Timestamp) -> dict:
    """{date (Timestamp): English holiday name} for days in [start, end]."""
    code = normalise_country(country)
    if code is None:
        return {}
    years = list(range(start.year, end.year + 1))
    try:
        table = pyholidays.country_holidays(code, years=years, language="en_US")
    except (NotImplementedError, ValueError, KeyError):
        table = pyholidays.country_holidays(code, years=years)
    return {
        pd.Timestamp(day): str(name)
        for day, name in sorted(table.items())
        if start <= pd.Timestamp(day) <= end
    }


def observance_days(country: str | None, start: pd.Timestamp, end: pd.Timestamp) -> set:
    """Days in [start, end] of the country's `OBSERVANCE_CATEGORIES` (those it has)."""
    code = normalise_country(country)
    if code is None:
        return set()
    known = getattr(pyholidays.country_holidays(code), "supported_categories", ())
    categories = tuple(c for c in OBSERVANCE_CATEGORIES if c in known)
    if not categories:
        return set()
    years = list(range(start.year, end.year + 1))
    table = pyholidays.country_holidays(code, years=years, categories=categories)
    return {pd.Timestamp(d) for d in table if start <= pd.Timestamp(d) <= end}


def holiday_key(name: str) -> str:
    """A holiday's name without its year-specific notes: `Independence Day (observed)` and
    `Day off (substituted from 05/04/2024)` become `Independence Day` and `Day off`."""
    return re.sub(r"\s*\([^)]*\)", "", str(name)).strip() or str(name).strip()


def holiday_keys(days: pd.DatetimeIndex, country: str | None) -> np.ndarray:
    """The holiday key (`holiday_key`) of each day, "" on ordinary days."""
    out = np.full(len(days), "", dtype=object)
    if len(days) == 0:
        return out
    names = holiday_names(country, days.min(), days.max())
    if not names:
        return out
    keys = pd.Series({day: holiday_key(n) for day, n in names.items()})
    hit = pd.Series(days).map(keys)
    mask = hit.notna().to_numpy()
    out[mask] = hit[mask].to_numpy()
    return out


def day_features(
    days: pd.DatetimeIndex, country: str | None, closed: set | None = None
) -> pd.DataFrame:
    """Holiday regressors (0/1 float columns `FEATURES`) for each day in `days`; with `closed`
    (holiday dates the centre was closed) `post_holiday` marks only the days after those."""
    pad = pd.Timedelta(days=14)
    names = holiday_names(country, days.min() - pad, days.max() + pad)
    full = pd.date_range(days.min() - pad, days.max() + pad, freq="D")
    feat = pd.DataFrame(0.0, index=full, columns=list(FEATURES))
    tet_days = sorted(d for d, n in names.items() if TET_PATTERN.search(n))
    for block in _blocks(tet_days):
        feat.loc[block, "tet"] = 1.0
        core = [d for d in block if TET_DAY_PATTERN.match(names[d].strip())]
        first = core[0] if core else block[len(block) // 2]
        for k in range(-1, 4):
            day = first + pd.Timedelta(days=k)
            if day in block and day in feat.index:
                feat.loc[day, f"tet_{k:+d}"] = 1.0
        before = pd.date_range(block[0] - pd.Timedelta(days=7), block[0] - pd.Timedelta(days=1))
        after = pd.date_range(block[-1] + pd.Timedelta(days=1), block[-1] + pd.Timedelta(days=7))
        feat.loc[feat.index.isin(before), "pre_tet"] = 1.0
        for k, day in enumerate(after[:3], start=1):
            if day in feat.index:
                feat.loc[day, f"tet_back_{k}"] = 1.0
        feat.loc[feat.index.isin(after[3:]), "post_tet"] = 1.0
    other = [d for d, n in names.items() if not TET_PATTERN.search(n)]
    for day in other:
        col = "bridge" if SUBSTITUTE_PATTERN.search(names[day]) else "holiday"
        feat.loc[day, col] = 1.0
    off = set(names)
    for day in other:
        eve = day - pd.Timedelta(days=1)
        if not SUBSTITUTE_PATTERN.search(names[day]) and eve not in off and eve in feat.index:
            feat.loc[eve, "eve"] = 1.0
        nxt = day + pd.Timedelta(days=1)
        after_closure = closed is None or day in closed
        if after_closure and nxt not in off and nxt in feat.index:
            feat.loc[nxt, "post_holiday"] = 1.0
        # a working day squeezed between a holiday and a weekend
        for gap, weekend in ((1, 5), (-1, 6)):
            mid = day + pd.Timedelta(days=gap)
            beyond = day + pd.Timedelta(days=2 * gap)
            workday = mid not in off and mid.weekday() < 5
            if workday and beyond.weekday() == weekend and mid in feat.index:
                feat.loc[mid, "bridge"] = 1.0
    for day in observance_days(country, full[0], full[-1]) - off:
        feat.loc[day, "observance"] = 1.0
    others = [
        "holiday",
        "eve",
        "observance",
        "post_holiday",
        "bridge",
        "pre_tet",
        "post_tet",
        *TET_BACK,
    ]
    feat.loc[feat["tet"] == 1, others] = 0.0
    return feat.reindex(days).fillna(0.0)


def is_holiday(days: pd.DatetimeIndex, country: str | None) -> np.ndarray:
    """True where the day is a public holiday (including Tết and substitute days off)."""
    if len(days) == 0:
        return np.zeros(0, dtype=bool)
    names = holiday_names(country, days.min(), days.max())
    return np.asarray(days.isin(list(names)))


def _blocks(days: list[pd.Timestamp]) -> list[list[pd.Timestamp]]:
    blocks: list[list[pd.Timestamp]] = []
    for day in days:
        if blocks and (day - blocks[-1][-1]).days <= 2:
            blocks[-1].append(day)
        else:
            blocks.append([day])
    return blocks


@dataclass(frozen=True)
class Events:
    """Rows of an events file: `start`, `end` (inclusive days), `label`, `multiplier` (float,
    NaN when not given)."""

    frame: pd.DataFrame
    source: str

    def regressors(self, days: pd.DatetimeIndex) -> pd.DataFrame:
        """One 0/1 column per label (`event:<label>`) over `days`."""
        out = pd.DataFrame(index=days)
        for label, rows in self.frame.groupby("label", sort=True):
            col = np.zeros(len(days))
            for start, end in zip(rows["start"], rows["end"], strict=True):
                col[(days >= start) & (days <= end)] = 1.0
            out[f"event:{label}"] = col
        return out

    def multipliers(self, days: pd.DatetimeIndex) -> np.ndarray:
        """Product of the given multipliers of events covering each day (1 where none)."""
        mult = np.ones(len(days))
        for start, end, m in zip(
            self.frame["start"], self.frame["end"], self.frame["multiplier"], strict=True
        ):
            if not np.isnan(m):
                mult[(days >= start) & (days <= end)] *= m
        return mult

    def has_multiplier(self, days: pd.DatetimeIndex) -> np.ndarray:
        hit = np.zeros(len(days), dtype=bool)
        for start, end, m in zip(
            self.frame["start"], self.frame["end"], self.frame["multiplier"], strict=True
        ):
            if not np.isnan(m):
                hit |= (days >= start) & (days <= end)
        return hit


def read_events(path: str | os.PathLike) -> Events:
    """Read an events CSV `start,end,label[,multiplier]`; bad rows → InputError with file:line."""
    name = io.display_name(path)
    rows = io.read_csv_rows(path, ["start", "end", "label"], what="events file")
    out = []
    for rec in rows.to_dict("records"):
        line = rec["_line"]
        dates = []
        for col in ("start", "end"):
            value = pd.to_datetime(rec[col], errors="coerce", format="ISO8601")
            if pd.isna(value):
                raise InputError(
                    f"{name}:{line}: column '{col}' = {rec[col]!r} is not an ISO date (YYYY-MM-DD)"
                )
            dates.append(pd.Timestamp(value).tz_localize(None).normalize())
        if dates[1] < dates[0]:
            raise InputError(
                f"{name}:{line}: column 'end' = {rec['end']!r} is before start {rec['start']!r}"
            )
        if not rec["label"]:
            raise InputError(f"{name}:{line}: column 'label' is empty, expected a name")
        mult = np.nan
        raw = rec.get("multiplier", "")
        if raw:
            try:
                mult = float(raw)
            except ValueError:
                mult = np.nan
                raw_bad = True
            else:
                raw_bad = not np.isfinite(mult) or mult < 0
            if raw_bad:
                raise InputError(
                    f"{name}:{line}: column 'multiplier' = {raw!r}, expected a number >= 0 "
                    "(e.g. 1.5 for +50%)"
                )
        out.append((dates[0], dates[1], rec["label"], mult))
    frame = pd.DataFrame(out, columns=["start", "end", "label", "multiplier"])
    return Events(frame, name)
