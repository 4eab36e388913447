"""The bundled synthetic hotline history in data/ has the shape the README promises."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
STAMP = "%Y-%m-%dT%H:%M:%S"
QUEUES = {"outage", "billing", "new_connection", "customer_details", "advice", "complaints"}


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "hotline_history.csv")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], format=STAMP)
    return frame


@pytest.fixture(scope="module")
def by_type() -> pd.DataFrame:
    frame = pd.read_csv(DATA / "hotline_by_type.csv")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], format=STAMP)
    return frame


@pytest.fixture(scope="module")
def daily(history: pd.DataFrame) -> pd.Series:
    return history.set_index("timestamp")["calls"].resample("D").sum()


def summer_mask(index: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(((index.month == 5) & (index.day >= 20)) | index.month.isin([6, 7, 8]))


def test_files_exist_with_documented_columns(history, by_type):
    assert list(history.columns) == ["timestamp", "calls", "aht"]
    assert list(by_type.columns) == ["timestamp", "queue", "calls", "aht"]
    temp = pd.read_csv(DATA / "temperature.csv", parse_dates=["date"])
    assert list(temp.columns) == ["date", "temp_max_c", "temp_mean_c"]
    assert (DATA / "README.md").is_file()
    assert (DATA / "generate.py").is_file()
    assert set(by_type["queue"]) == QUEUES
    for frame in (history, by_type):
        assert frame["calls"].dtype.kind == "i" and (frame["calls"] >= 0).all()
        assert frame["aht"].notna().all() and (frame["aht"] > 0).all()
    assert temp["date"].is_monotonic_increasing and temp["date"].is_unique
    assert (temp["temp_max_c"] >= temp["temp_mean_c"]).all()
    assert temp["temp_max_c"].between(5, 42).all()


def test_regular_half_hours_24_7_for_three_years(history):
    ts = history["timestamp"]
    assert ts.is_unique
    assert (ts.diff().dropna() == pd.Timedelta(minutes=30)).all()
    assert ts.iloc[0] == pd.Timestamp("2023-10-30T00:00")
    assert ts.iloc[-1] >= pd.Timestamp("2026-10-31T23:30")
    assert ts.iloc[-1] - ts.iloc[0] >= pd.Timedelta(days=3 * 365)


def test_by_type_sums_to_total_per_interval(history, by_type):
    counts = by_type.groupby("timestamp").size()
    assert (counts == len(QUEUES)).all()
    total = by_type.groupby("timestamp")["calls"].sum()
    assert total.index.equals(pd.DatetimeIndex(history["timestamp"]))
    assert np.array_equal(total.to_numpy(), history["calls"].to_numpy())
    # the total AHT is the calls-weighted mean of the per-type AHTs (rounding aside)
    weighted = (by_type["calls"] * by_type["aht"]).groupby(by_type["timestamp"]).sum()
    busy = history["calls"].to_numpy() > 0
    mean = weighted.to_numpy()[busy] / history["calls"].to_numpy()[busy]
    assert np.abs(mean - history["aht"].to_numpy()[busy]).max() <= 1.0


def test_summer_level_and_worst_days(daily):
    summer = summer_mask(daily.index)
    assert 6000 <= daily[summer].mean() <= 8000
    assert 9000 <= daily.max() <= 10500
    assert 2500 <= daily[~summer].mean() <= 3600


def test_mondays_heaviest_sundays_lightest(daily):
    by_dow = daily.groupby(daily.index.day_of_week).mean()
    assert by_dow.idxmax() == 0
    assert by_dow.idxmin() == 6


def test_tet_days_lower_than_surrounding_weeks(daily):
    years = sorted(set(daily.index.year))
    cal = holidays.VN(years=years)
    checked = 0
    for year in years:
        tet = pd.DatetimeIndex(
            sorted(d for d, name in cal.items() if d.year == year and "Lunar New Year" in name)
        )
        if len(tet) == 0 or tet[0] < daily.index[0] + pd.Timedelta(days=35):
            continue
        around = daily[
            ((daily.index >= tet[0] - pd.Timedelta(days=35)) & (daily.index < tet[0]))
            | ((daily.index > tet[-1]) & (daily.index <= tet[-1] + pd.Timedelta(days=35)))
        ]
        assert daily[tet].mean() < 0.7 * around.mean(), year
        checked += 1
    assert checked >= 3


def test_night_trough_below_day_peak(history):
    hhmm = history["timestamp"].dt.strftime("%H:%M")
    profile = history.groupby(hhmm)["calls"].mean()
    night = profile.loc["02:00":"04:30"]
    assert (night > 0).all()
    assert night.max() < 0.1 * profile.max()
    assert "08:30" <= profile.idxmax() <= "16:30"
    # an afternoon peak exists besides the morning one
    assert profile.loc["14:00":"16:30"].max() > 0.7 * profile.max()


def test_summer_heat_drives_outage_calls(by_type):
    outage = by_type[by_type["queue"] == "outage"]
    per_day = outage.set_index("timestamp")["calls"].resample("D").sum()
    temp = pd.read_csv(DATA / "temperature.csv", parse_dates=["date"]).set_index("date")
    summer = summer_mask(per_day.index)
    corr = np.corrcoef(per_day[summer], temp["temp_max_c"].reindex(per_day.index)[summer])[0, 1]
    assert corr > 0.3


def test_generator_reproduces_the_files_byte_for_byte(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("bundled_generate", DATA / "generate.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look the module up
    spec.loader.exec_module(module)
    if module.version_mismatches():
        pytest.skip("other library versions: " + "; ".join(module.version_mismatches()))
    module.generate(tmp_path, summary=False)
    for name in ("hotline_history.csv", "hotline_by_type.csv", "temperature.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
