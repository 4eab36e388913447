"""`planner staff` through click's CliRunner, with a small forecast fixture written per test."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli

FORECAST = (
    "timestamp,calls,lower,upper,aht\n"
    "2026-11-02T08:00:00,0,0,0,180\n"
    "2026-11-02T08:30:00,100,80,120,180\n"
    "2026-11-02T09:00:00,200,160,240,180\n"
    "2026-11-02T09:30:00,150,120,180,180\n"
)
HEADER = "timestamp,calls,aht,agents,staff,service_level,asa,occupancy"


@pytest.fixture
def forecast(tmp_path):
    path = tmp_path / "forecast.csv"
    path.write_text(FORECAST)
    return str(path)


def run(*args, input=None):
    return CliRunner().invoke(cli, ["staff", *args], input=input)


def test_requirements_csv_to_stdout(forecast):
    result = run(forecast, "--max-occupancy", "85", "--shrinkage", "30")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert result.stdout.splitlines()[0] == HEADER
    assert frame["agents"].tolist()[:2] == [0, 14]
    assert frame["staff"].tolist()[:2] == [0, 20]


def test_same_input_same_bytes_and_stdin(forecast):
    first = run(forecast).stdout
    assert run(forecast).stdout == first
    assert run("-", input=FORECAST).stdout == first


def test_output_file_json_and_table(forecast, tmp_path):
    out = tmp_path / "req.json"
    assert run(forecast, "--format", "json", "-o", str(out)).exit_code == 0
    records = json.loads(out.read_text())
    assert records[1]["agents"] == 14 and isinstance(records[1]["service_level"], float)
    table = run(forecast, "--format", "table")
    assert table.exit_code == 0
    assert "Peak intervals" in table.stdout and "FTE" in table.stdout


def test_erlang_a_and_asa_target(forecast):
    a = run(forecast, "--model", "erlang-a", "--patience", "120", "--max-abandon", "3")
    assert a.exit_code == 0, a.output
    assert a.stdout.splitlines()[0] == HEADER + ",abandon"
    asa = run(forecast, "--asa", "10")
    assert asa.exit_code == 0
    frame = pd.read_csv(io.StringIO(asa.stdout))
    assert (frame["asa"] <= 10).all()


def test_reverse_mode_agents_and_coverage(forecast, tmp_path):
    result = run(forecast, "--agents", "14")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert frame["meets_target"].tolist() == [True, True, False, False]
    cov = tmp_path / "coverage.csv"
    cov.write_text(
        "timestamp,required,scheduled,shortfall\n"
        + "".join(f"2026-11-02T{t}:00,0,{n},0\n" for t, n in [("08:00", 0), ("08:30", 14),
                                                                  ("09:00", 26), ("09:30", 20)])
    )  # fmt: skip
    res = run(forecast, "--coverage", str(cov), "--model", "erlang-a", "--patience", "90")
    assert res.exit_code == 0, res.output
    assert "abandon" in res.stdout.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--sl", "800"], "did you mean 80"),
        (["--sl", "100", "--target", "0"], "cannot be met"),
        (["--aht", "-180"], "AHT"),
        (["--asa", "0"], "ASA"),
        (["--model", "erlang-a"], "patience"),
        (["--agents", "5", "--coverage", "x.csv"], "not both"),
    ],
)
def test_bad_options_one_line_exit_2(forecast, args, needle):
    result = run(forecast, *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("planner: error:") and needle in lines[0]


def test_forecast_without_needed_columns(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,volume\n2026-11-02T08:00:00,10\n")
    result = run(str(bad))
    assert result.exit_code == 2 and "missing column 'calls'" in result.stderr
    no_aht = tmp_path / "no_aht.csv"
    no_aht.write_text("timestamp,calls\n2026-11-02T08:00:00,10\n")
    result = run(str(no_aht))
    assert result.exit_code == 2 and "--aht" in result.stderr
    assert run(str(no_aht), "--aht", "200").exit_code == 0


def test_daily_forecast_error_names_the_file(tmp_path):
    daily = tmp_path / "daily.csv"
    daily.write_text("timestamp,calls,aht\n2026-11-02,3000,200\n2026-11-03,3100,200\n")
    out = tmp_path / "req.csv"
    result = run(str(daily), "-o", str(out))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"planner: error: {daily}: the forecast is daily"
    )
    assert not out.exists()


def test_no_partial_file_on_error(tmp_path):
    out = tmp_path / "req.csv"
    result = run(str(tmp_path / "missing.csv"), "-o", str(out))
    assert result.exit_code == 2 and not out.exists()


@pytest.mark.parametrize("target", ["a_dir", "a_file/req.csv"])
def test_output_path_that_cannot_be_written_is_one_line(forecast, tmp_path, target):
    (tmp_path / "a_dir").mkdir()
    (tmp_path / "a_file").write_text("x")
    out = tmp_path / target
    result = run(forecast, "-o", str(out))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        ("planner: error: " + f"{out}: ", f"planner: error: cannot write {out}: ")
    )
    assert not any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))
    assert (tmp_path / "a_file").read_text() == "x"


def test_output_to_a_fifo_writes_into_it_and_keeps_it(forecast, tmp_path):
    """-o /dev/null or a named pipe: the temp-file-and-rename used to replace the device (as
    root /dev/null became a regular file). A FIFO stands in for /dev/null here."""
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    result = run(forecast, "-o", str(fifo))
    reader.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert got and got[0].startswith(HEADER)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.slow
def test_without_a_file_forecasts_the_bundled_history():
    pytest.importorskip("planner.forecast")
    pytest.importorskip("planner.history")
    result = run("--format", "csv")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert list(frame.columns[:8]) == HEADER.split(",")
    assert (frame["agents"] >= 0).all() and frame["agents"].max() > 0


def _coverage(tmp_path, counts):
    cov = tmp_path / "coverage.csv"
    times = ["08:00", "08:30", "09:00", "09:30"]
    cov.write_text(
        "timestamp,required,scheduled,shortfall\n"
        + "".join(f"2026-11-02T{t}:00,0,{n},0\n" for t, n in zip(times, counts, strict=True))
    )
    return str(cov)


def test_coverage_applies_shrinkage_to_the_rostered_staff(forecast, tmp_path):
    """A coverage file counts rostered staff: only rostered x (1 - shrinkage) take calls."""
    cov = _coverage(tmp_path, [0, 20, 37, 29])
    at = {}
    for shrinkage in ("0", "30"):
        res = run(forecast, "--coverage", cov, "--shrinkage", shrinkage)
        assert res.exit_code == 0, res.output
        assert f"1 - {shrinkage}% shrinkage" in res.stderr
        at[shrinkage] = pd.read_csv(io.StringIO(res.stdout))
    assert at["0"]["agents"].tolist() == [0, 20, 37, 29]
    assert at["30"]["agents"].tolist() == [0, 14, 25, 20]  # floor(20 * 0.7) = 14, ...
    assert at["30"]["rostered"].tolist() == [0, 20, 37, 29]
    assert (at["30"]["service_level"] < at["0"]["service_level"])[1:].all()
    table = run(forecast, "--coverage", cov, "--shrinkage", "30", "--format", "table")
    assert "calls-weighted" in table.stdout and "30% shrinkage" in table.stdout


def test_agents_option_counts_agents_on_the_phones(forecast):
    """--agents is already on the phones: shrinkage does not apply to it."""
    a = pd.read_csv(io.StringIO(run(forecast, "--agents", "14", "--shrinkage", "0").stdout))
    b = pd.read_csv(io.StringIO(run(forecast, "--agents", "14", "--shrinkage", "40").stdout))
    assert a.equals(b)
