"""Reading call history: formats the loader accepts and the bad input it names."""

from __future__ import annotations

import io as stdio

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.calendar import day_features, read_events
from planner.cli import cli
from planner.errors import InputError
from planner.history import read_history

INTERVAL_CSV = (
    "timestamp,calls,aht\n"
    "2026-01-05T00:00:00,3,200\n"
    "2026-01-05T00:30:00,4,210\n"
    "2026-01-05T01:00:00,5,\n"
)


def write(tmp_path, text: str | bytes, name: str = "h.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def test_interval_history_with_aht(tmp_path):
    hist = read_history(write(tmp_path, INTERVAL_CSV))
    assert hist.interval_min == 30
    assert list(hist.frame.columns) == ["timestamp", "calls", "aht"]
    assert hist.frame["calls"].tolist() == [3.0, 4.0, 5.0]
    assert hist.frame["aht"].iloc[2] == pytest.approx(205.0)  # empty AHT: the median
    assert hist.queues == ()


def test_daily_history(tmp_path):
    hist = read_history(write(tmp_path, "timestamp,calls\n2026-01-01,10\n2026-01-02,12\n"))
    assert hist.interval_min is None
    assert hist.is_daily


def test_bom_and_crlf(tmp_path):
    raw = ("\ufeff" + INTERVAL_CSV.replace("\n", "\r\n")).encode("utf-8")
    hist = read_history(write(tmp_path, raw))
    assert hist.interval_min == 30 and len(hist.frame) == 3


def test_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", stdio.TextIOWrapper(stdio.BytesIO(INTERVAL_CSV.encode())))
    hist = read_history("-")
    assert hist.source == "<stdin>" and len(hist.frame) == 3


def test_queue_column_long_format(tmp_path):
    text = (
        "timestamp,queue,calls,aht,extra\n"
        "2026-01-05T00:00:00,outage,3,100,x\n"
        "2026-01-05T00:00:00,billing,1,300,x\n"
        "2026-01-05T00:15:00,outage,2,100,x\n"
        "2026-01-05T00:15:00,billing,2,300,x\n"
    )
    hist = read_history(write(tmp_path, text))
    assert hist.queues == ("outage", "billing")
    assert hist.interval_min == 15
    total = hist.total()
    assert total["calls"].tolist() == [4.0, 4.0]
    assert total["aht"].iloc[0] == pytest.approx((3 * 100 + 1 * 300) / 4)


def test_gaps_of_whole_intervals_are_allowed(tmp_path):
    text = "timestamp,calls\n2026-01-05T07:00:00,1\n2026-01-05T07:30:00,1\n2026-01-06T07:00:00,2\n"
    assert read_history(write(tmp_path, text)).interval_min == 30


BAD_CASES = {
    "missing column": ("timestamp,count\n2026-01-01,3\n", "missing column 'calls'"),
    "negative": ("timestamp,calls\n2026-01-01,3\n2026-01-02,-1\n", ":3: column 'calls'"),
    "non-numeric": ("timestamp,calls\n2026-01-01,abc\n", ":2: column 'calls' = 'abc'"),
    "empty count": ("timestamp,calls\n2026-01-01,\n", ":2: column 'calls' is empty"),
    "bad timestamp": ("timestamp,calls\n2026-13-01,3\n", ":2: column 'timestamp'"),
    "duplicate": (
        "timestamp,calls\n2026-01-01T00:00,3\n2026-01-01T00:30,3\n2026-01-01T00:30,4\n",
        ":4: column 'timestamp' = 2026-01-01T00:30:00 is a duplicate",
    ),
    "duplicate in queue": (
        "timestamp,queue,calls\n2026-01-01,a,3\n2026-01-01,b,3\n2026-01-01,a,4\n",
        "for queue 'a'",
    ),
    "irregular": (
        "timestamp,calls\n2026-01-01T00:00,3\n2026-01-01T00:30,3\n2026-01-01T01:00,3\n"
        "2026-01-01T01:15,4\n",
        ":5: column 'timestamp' = 2026-01-01T01:15:00 is 15 min after the previous row",
    ),
    "empty file": ("", "empty"),
    "header only": ("timestamp,calls\n", "no data rows"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_raises_input_error(tmp_path, case):
    text, expected = BAD_CASES[case]
    with pytest.raises(InputError) as err:
        read_history(write(tmp_path, text))
    assert expected in str(err.value)
    assert "h.csv" in str(err.value)


@pytest.mark.parametrize("case", sorted(BAD_CASES))
@pytest.mark.parametrize("command", ["forecast", "backtest"])
def test_bad_input_through_cli(tmp_path, case, command):
    text, expected = BAD_CASES[case]
    path = write(tmp_path, text)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, [command, str(path), "-o", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("planner: error: ")
    assert expected in lines[0]
    assert not out.exists()
    assert result.stdout == ""


def test_missing_file_through_cli(tmp_path):
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["forecast", str(tmp_path / "nope.csv"), "-o", str(out)])
    assert result.exit_code == 2
    assert "not found" in result.stderr and not out.exists()


def test_events_file_bad_rows(tmp_path):
    good = write(tmp_path, "start,end,label,multiplier\n2026-02-01,2026-02-02,storm,1.5\n", "e.csv")
    events = read_events(good)
    assert events.frame["multiplier"].tolist() == [1.5]
    for text, expected in [
        ("start,end,label\n2026-02-30,2026-03-01,x\n", "e.csv:2: column 'start'"),
        ("start,end,label\n2026-03-02,2026-03-01,x\n", "e.csv:2: column 'end'"),
        ("start,end,label,multiplier\n2026-03-01,2026-03-01,x,lots\n", "'multiplier' = 'lots'"),
        ("start,label\n2026-03-01,x\n", "missing column 'end'"),
    ]:
        with pytest.raises(InputError, match=expected):
            read_events(write(tmp_path, text, "e.csv"))


def test_tet_features_from_the_package_in_two_years():
    days = pd.date_range("2025-01-01", "2026-03-31")
    feats = day_features(days, "VN")
    tet = feats.index[feats["tet"] == 1]
    assert pd.Timestamp("2025-01-29") in tet and pd.Timestamp("2026-02-17") in tet
    assert feats.loc["2025-01-29", "tet_+0"] == 1 and feats.loc["2026-02-17", "tet_+0"] == 1
    assert feats.loc["2025-01-28", "tet_-1"] == 1 and feats.loc["2026-02-16", "tet_-1"] == 1
    assert feats.loc["2025-02-02", "tet_back_1"] == 1 and feats.loc["2026-02-21", "tet_back_1"] == 1
    assert feats.loc["2025-02-05", "post_tet"] == 1 and feats.loc["2026-02-12", "pre_tet"] == 1
    assert feats.loc["2025-09-02", "holiday"] == 1
    none = day_features(days, "none")
    assert np.all(none.to_numpy() == 0)


def hourly_csv(start: str, hours: int, suffix: str = "", spike_at: int | None = None) -> str:
    """Hourly rows from `start` (a fixed daily curve), timestamps ending with `suffix`."""
    stamps = pd.date_range(start, periods=hours, freq="h")
    calls = (20 + 10 * np.sin(stamps.hour.to_numpy() / 24 * 2 * np.pi)).round().astype(int)
    if spike_at is not None:
        calls[spike_at] = 1_550_000
    body = "".join(
        f"{t.strftime('%Y-%m-%dT%H:%M:%S')}{suffix},{c}\n"
        for t, c in zip(stamps, calls, strict=True)
    )
    return "timestamp,calls\n" + body


@pytest.mark.parametrize("suffix", ["Z", "+00:00"])
def test_utc_offsets_become_the_countrys_local_time(tmp_path, suffix):
    hist = read_history(write(tmp_path, hourly_csv("2026-01-05", 72, suffix)), country="VN")
    assert hist.frame["timestamp"].iloc[0] == pd.Timestamp("2026-01-05T07:00")  # UTC+7
    assert hist.interval_min == 60
    assert any("Asia/Ho_Chi_Minh" in n for n in hist.notes)


def test_utc_offsets_with_a_named_zone_and_daylight_saving(tmp_path):
    # 2025-10-26 01:00 local happens twice in London: the two rows are added up
    text = hourly_csv("2025-10-24", 96, "Z")
    hist = read_history(write(tmp_path, text), timezone="Europe/London", country="GB")
    assert hist.frame["timestamp"].iloc[0] == pd.Timestamp("2025-10-24T01:00")  # BST, UTC+1
    assert hist.frame["timestamp"].is_unique
    assert hist.frame["calls"].sum() == pytest.approx(
        pd.read_csv(stdio.StringIO(text))["calls"].sum()
    )
    assert any("daylight saving" in n for n in hist.notes)


def test_utc_offsets_need_a_zone_when_the_country_has_several(tmp_path):
    path = write(tmp_path, hourly_csv("2026-01-05", 48, "Z"))
    with pytest.raises(InputError, match="give timezone") as raised:
        read_history(path, country="US")
    assert raised.value.params == ("timezone",)
    with pytest.raises(InputError, match="not a time zone name"):
        read_history(path, timezone="Mars/Olympus")
    assert read_history(path, timezone="America/Chicago").frame["timestamp"].iloc[0] == (
        pd.Timestamp("2026-01-04T18:00")
    )


def test_cli_timezone_option(tmp_path):
    path = write(tmp_path, hourly_csv("2026-01-05", 24 * 28, "Z"))
    result = CliRunner().invoke(cli, ["forecast", str(path), "--timezone", "Nowhere/City", "-q"])
    assert result.exit_code == 2
    assert "--timezone 'Nowhere/City'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    ok = CliRunner().invoke(cli, ["forecast", str(path), "--country", "none", "--timezone", "UTC"])
    assert ok.exit_code == 0, ok.stderr
    assert "converted to UTC local time" in ok.stderr


def test_spike_is_warned_naming_the_row_and_left_out(tmp_path):
    from planner.forecast import forecast_history

    path = write(tmp_path, hourly_csv("2026-01-05", 24 * 35, spike_at=24 * 30 + 10))
    hist = read_history(path)
    warning = [n for n in hist.notes if "1,550,000" in n]
    assert warning and f"h.csv:{24 * 30 + 10 + 2}:" in warning[0]  # header is line 1
    assert "2026-02-04T10:00:00" in warning[0] and "keep_spikes" in warning[0]
    assert hist.suspect_days == (pd.Timestamp("2026-02-04"),)
    assert hist.frame["calls"].max() < 100
    result = forecast_history(hist, horizon_days=7, country="none")
    assert result.daily["calls"].max() < 2 * 24 * 20
    assert any("1,550,000" in n for n in result.notes)
    kept = read_history(path, keep_spikes=True)
    assert kept.frame["calls"].max() == 1_550_000 and kept.suspect_days == ()
    assert any("kept in the fit" in n for n in kept.notes)
