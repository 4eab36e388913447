"""`planner forecast` and `planner backtest` through click's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.io import frame_to_csv

FIXTURE_DAYS = ("2025-09-01", "2025-11-30")


@pytest.fixture(scope="module")
def history_csv(tmp_path_factory) -> str:
    """A 13-week 30-minute history (Poisson counts around a day-peak profile), as CSV text."""
    rng = np.random.default_rng(7)
    days = pd.date_range(*FIXTURE_DAYS)
    hour = np.arange(48) / 2
    shape = 0.1 + np.exp(-(((hour - 10) / 3) ** 2)) + np.exp(-(((hour - 16) / 3) ** 2))
    shape /= shape.sum()
    weekly = np.array([1.2, 1.05, 1.0, 1.0, 0.95, 0.8, 0.7])
    rows = []
    for day in days:
        counts = rng.poisson(3000 * weekly[day.weekday()] * shape)
        aht = rng.normal(200, 10, 48).round()
        for s in range(48):
            rows.append((day + pd.Timedelta(minutes=30 * s), int(counts[s]), aht[s]))
    frame = pd.DataFrame(rows, columns=["timestamp", "calls", "aht"])
    return frame_to_csv(frame)


@pytest.fixture()
def history_file(tmp_path, history_csv):
    path = tmp_path / "history.csv"
    path.write_text(history_csv)
    return path


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.mark.slow
def test_forecast_csv_to_file(tmp_path, history_file):
    out = tmp_path / "fc.csv"
    result = run("forecast", str(history_file), "--horizon", "7", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["timestamp", "calls", "lower", "upper", "aht"]
    assert len(frame) == 7 * 48
    assert frame["timestamp"].iloc[0] == "2025-12-01T00:00:00"
    assert result.stdout == ""


@pytest.mark.slow
def test_forecast_is_byte_identical(tmp_path, history_file):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (a, b):
        assert run("forecast", str(history_file), "--horizon", "5", "-o", str(out)).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_forecast_from_stdin_with_bom_and_crlf(history_csv):
    text = "\ufeff" + history_csv.replace("\n", "\r\n")
    result = run("forecast", "-", "--horizon", "2", "--model", "seasonal_naive", input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("timestamp,calls,lower,upper,aht\n")
    assert len(result.stdout.strip().splitlines()) == 1 + 2 * 48


@pytest.mark.slow
def test_forecast_table_json_interval_and_plot(tmp_path, history_file):
    table = run("forecast", str(history_file), "--horizon", "3", "--format", "table", "-q")
    assert table.exit_code == 0 and "2025-12-01" in table.stdout and "lower" in table.stdout
    js = run(
        "forecast", str(history_file), "--horizon", "1", "--format", "json", "--interval", "60"
    )
    assert js.exit_code == 0
    records = json.loads(js.stdout)
    assert len(records) == 24 and set(records[0]) == {"timestamp", "calls", "lower", "upper", "aht"}
    png = tmp_path / "fc.png"
    plot = run("forecast", str(history_file), "--horizon", "7", "--plot", str(png), "-o", "-")
    assert plot.exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_forecast_notes_go_to_stderr(history_file):
    result = run("forecast", str(history_file), "--horizon", "7")
    assert result.exit_code == 0
    assert "model auto" in result.stderr
    assert "model auto" not in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--interval", "15"], "--interval 15"),
        (["--level", "120"], "--level"),
        (["--country", "XX"], "--country 'XX'"),
        (["--start", "tomorrow"], "--start 'tomorrow'"),
        (["--horizon", "0"], "--horizon 0"),
        (["--interval", "0"], "'--interval': 0"),
        (["--interval", "-30"], "'--interval': -30"),
        (["--plot", "chart.pdf"], "'chart.pdf': charts are PNG"),
    ],
)
def test_forecast_bad_options(tmp_path, history_file, args, expected):
    out = tmp_path / "fc.csv"
    result = run("forecast", str(history_file), *args, "-o", str(out))
    assert result.exit_code == 2
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_forecast_mixed_utc_offsets_name_the_row(tmp_path):
    path = tmp_path / "tz.csv"
    path.write_text("timestamp,calls\n2026-11-02T00:00:00+07:00,5\n2026-11-02T00:30:00,6\n")
    out = tmp_path / "fc.csv"
    result = run("forecast", str(path), "-o", str(out))
    assert result.exit_code == 2  # was an internal pandas ValueError, exit 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "tz.csv:3: column 'timestamp'" in lines[0]
    assert not out.exists()


def test_forecast_year_typo_is_refused_naming_the_row(tmp_path, history_csv):
    lines = history_csv.splitlines()
    lines[5] = "1926" + lines[5][4:]  # 2026 -> 1926 on file line 6
    path = tmp_path / "typo.csv"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "fc.csv"
    result = run("forecast", str(path), "-o", str(out))
    assert result.exit_code == 2  # was a forecast over 100 empty years, numpy warnings on stderr
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and "typo.csv:6: column 'timestamp' = 1926-" in err[0]
    assert not out.exists()


def test_forecast_bad_events_file(tmp_path, history_file):
    events = tmp_path / "events.csv"
    events.write_text("start,end,label,multiplier\n2025-12-02,2025-12-01,storm,2\n")
    out = tmp_path / "fc.csv"
    result = run("forecast", str(history_file), "--events", str(events), "-o", str(out))
    assert result.exit_code == 2
    assert "events.csv:2: column 'end'" in result.stderr
    assert not out.exists()


@pytest.mark.slow
def test_forecast_with_events_multiplier(tmp_path, history_file):
    events = tmp_path / "events.csv"
    events.write_text("start,end,label,multiplier\n2025-12-02,2025-12-02,campaign,1.5\n")
    args = ["forecast", str(history_file), "--horizon", "3", "--model", "seasonal_naive"]
    plain = run(*args, "--format", "json", "-q")
    boosted = run(*args, "--events", str(events), "--format", "json", "-q")
    p, b = pd.DataFrame(json.loads(plain.stdout)), pd.DataFrame(json.loads(boosted.stdout))
    day = p["timestamp"].str.startswith("2025-12-02")
    assert b.loc[day, "calls"].sum() == pytest.approx(1.5 * p.loc[day, "calls"].sum(), rel=1e-3)
    assert b.loc[~day, "calls"].sum() == pytest.approx(p.loc[~day, "calls"].sum())


@pytest.mark.slow
def test_backtest_table_and_csv(tmp_path, history_file):
    result = run("backtest", str(history_file), "--folds", "2", "--horizon", "7")
    assert result.exit_code == 0, result.stderr
    assert "wape_pct" in result.stdout and "seasonal_naive" in result.stdout
    out = tmp_path / "bt.csv"
    csv = run(
        "backtest",
        str(history_file),
        "--folds",
        "2",
        "--horizon",
        "7",
        "--format",
        "csv",
        "-o",
        str(out),
    )
    assert csv.exit_code == 0
    frame = pd.read_csv(out)
    assert {"model", "level", "days", "wape_pct", "bias_pct", "mase"} <= set(frame.columns)


def test_help_has_examples():
    for command in ("forecast", "backtest"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Examples" in result.output
