"""`planner run` and `planner compare` through the CLI (CliRunner), on a small synthetic line."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from helpers import error_line, invoke

from planner import jobs, report
from planner.jobs.week import MARKER


@pytest.mark.slow
def test_run_end_to_end(small, tmp_path):
    out = tmp_path / "week"
    result = invoke(["run", small, "--out", out])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr and "expected service level" in result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == sorted([*report.OUTPUT_FILES, MARKER])
    assert json.loads((out / "summary.json").read_text())["version"] == 1


@pytest.mark.slow
def test_run_quiet_prints_nothing_verbose_logs_stages(small, tmp_path):
    result = invoke(["run", small, "--out", tmp_path / "q", "--quiet"])
    assert result.exit_code == 0
    assert result.output == ""
    result = invoke(["run", small, "--out", tmp_path / "v", "--verbose", "--quiet"])
    stages = [line.split(":")[1].strip() for line in result.stderr.splitlines()]
    assert stages == ["history", "forecast", "staffing", "schedule", "outputs"]


@pytest.mark.slow
def test_run_default_directory_is_out_week(small, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["run", small, "--week", "2026-W08", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "2026-W08" / "roster.csv").exists()


def test_bad_scenario_exits_2_naming_file_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[service]\nsl_pct = 800\n")
    result = invoke(["run", bad, "--out", tmp_path / "out"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"planner: error: {bad}: [service] sl_pct = 800: expected a number in (0, 100)"
    )
    assert not (tmp_path / "out").exists()
    result = invoke(["run", "--week", "2026-X1", "--out", tmp_path / "out"])
    assert result.exit_code == 2 and "ISO week" in result.stderr


def test_out_onto_a_file_is_refused_before_planning(small, tmp_path):
    target = tmp_path / "week.csv"
    target.write_text("keep\n")
    result = invoke(["run", small, "--out", target, "--verbose"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"planner: error: {target}: exists and is not a directory"
    ]  # one line: no stage was logged, so nothing was planned first
    assert target.read_text() == "keep\n"
    assert not (tmp_path / "week.csv.lock").exists()


def test_out_dash_is_refused_not_a_directory_named_dash(small, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["run", small, "--out", "-"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "planner: error: --out -: expected a directory, a week's outputs cannot go to stdout"
    ]
    assert not (tmp_path / "-").exists() and not (tmp_path / "-.lock").exists()


@pytest.mark.slow
def test_short_roster_exits_3_with_the_shortfall(small, tmp_path):
    capped = tmp_path / "capped.toml"
    capped.write_text('extends = "small.toml"\n[labour]\nheadcount_cap = 2\n')
    result = invoke(["run", capped, "--out", tmp_path / "out", "--quiet"])
    assert result.exit_code == 3
    assert result.stderr.startswith("planner: targets not met:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert (tmp_path / "out" / "summary.json").exists()


def test_locked_directory_exits_1(small, tmp_path):
    out = tmp_path / "out"
    with jobs.output_lock(out):
        result = invoke(["run", small, "--out", out])
    assert result.exit_code == 1
    assert "another planner run is writing" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_compare_csv_json_table_and_plot(small, tmp_path):
    strict = tmp_path / "strict.toml"
    strict.write_text('extends = "small.toml"\nname = "strict"\n[service]\nsl_pct = 95\n')
    plot = tmp_path / "cmp.png"
    result = invoke(["compare", small, strict, "--format", "csv", "--plot", plot])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert list(frame["scenario"]) == ["small", "strict"]
    assert {"cost", "d_cost", "service_level_pct", "headcount", "understaffed_intervals"} <= set(
        frame.columns
    )
    assert plot.read_bytes()[:4] == b"\x89PNG"
    result = invoke(["compare", small, strict, "--format", "json"])
    assert [r["scenario"] for r in json.loads(result.stdout)] == ["small", "strict"]
    result = invoke(["compare", small, strict])
    assert "Scenarios on 2026-W07" in result.stdout and "service level %" in result.stdout


def test_compare_needs_scenarios():
    assert invoke(["compare"]).exit_code == 2


@pytest.mark.slow
def test_compare_simulated_column(small, tmp_path):
    quick = tmp_path / "quick.toml"
    quick.write_text('extends = "small.toml"\n[run]\nreplications = 2\n')
    result = invoke(["compare", quick, "--simulate", "--format", "csv"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert 0 < frame["simulated_service_level_pct"].iloc[0] <= 100


@pytest.mark.slow
def test_time_limit_overrides_the_scenario(small, tmp_path):
    result = invoke(["run", small, "--out", tmp_path / "o", "-q", "--time-limit", "900"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["solver"]["time_limit_s"] == 900
    result = invoke(["run", small, "--out", tmp_path / "p", "--time-limit", "-1"])
    assert result.exit_code == 2 and "--time-limit -1" in result.stderr


@pytest.mark.slow
def test_run_shows_the_notes_on_the_terminal(small, tmp_path):
    away = tmp_path / "away.toml"
    away.write_text(
        f'extends = "{small.name}"\n[[adjustments]]\nlabel = "fair"\nfrom = 2030-01-01\n'
        "to = 2030-01-02\nvolume_factor = 2\n"
    )
    result = invoke(["run", away, "--out", tmp_path / "w"])
    assert result.exit_code == 0, result.output
    assert "planner: note: fair:" in result.stderr and "outside the planned dates" in result.stderr
    quiet = invoke(["run", away, "--out", tmp_path / "w", "-q"])
    assert quiet.stderr == ""


def test_an_aht_in_milliseconds_is_refused_naming_the_row(small, tmp_path):
    history = pd.read_csv(small.parent / "history.csv")
    history.loc[100, "aht"] = 300_000  # 83 hours: milliseconds, not seconds
    history.to_csv(small.parent / "history.csv", index=False)
    result = invoke(["run", small, "--out", tmp_path / "w"])
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert line.startswith("planner: error: ") and "\n" not in line
    assert "history.csv:102: column 'aht' = '300000'" in line and "milliseconds?" in line
    assert not (tmp_path / "w").exists()


@pytest.mark.slow
def test_an_aht_far_from_the_others_is_a_warning_naming_the_row(small, tmp_path):
    history = pd.read_csv(small.parent / "history.csv")
    history.loc[100, "aht"] = 9_000  # 2.5 hours: possible, but 30 times the others
    history.to_csv(small.parent / "history.csv", index=False)
    result = invoke(["run", small, "--out", tmp_path / "w"])
    assert result.exit_code in (0, 3), result.output
    warning = [line for line in result.stderr.splitlines() if "aht = 9000 s" in line]
    assert len(warning) == 1 and warning[0].startswith("planner: warning: ")
    assert str(pd.Timestamp(history.loc[100, "timestamp"]).strftime("%Y-%m-%dT%H:%M")) in warning[0]


@pytest.mark.slow
def test_compare_table_fits_its_content_and_gives_percent_metrics_in_points(small, tmp_path):
    strict = tmp_path / "strict.toml"
    strict.write_text(f'extends = "{small.name}"\nname = "strict"\n[service]\nsl_pct = 95\n')
    result = invoke(["compare", small, strict])
    assert result.exit_code == 0, result.output
    widths = {len(line) for line in result.stdout.splitlines() if line.strip()}
    assert max(widths) < 120  # not a fixed 200-column table
    sl_row = next(line for line in result.stdout.splitlines() if "service level %" in line)
    assert " pp)" in sl_row and "%)" not in sl_row.split("service level %")[1]


def test_an_adjustment_error_names_the_scenario_file(small, tmp_path):
    bad = tmp_path / "queue.toml"
    bad.write_text(
        f'extends = "{small.name}"\n[[adjustments]]\nfrom = 2026-02-09\nto = 2026-02-10\n'
        'queue = "outage"\nvolume_factor = 2\n'
    )
    result = invoke(["run", bad, "--out", tmp_path / "w"])
    assert result.exit_code == 2
    assert error_line(result).startswith(f"planner: error: {bad}: adjustment")
