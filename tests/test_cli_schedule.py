"""`planner schedule` through click's CliRunner: outputs, exit codes, determinism."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli
from planner.io import frame_to_csv
from planner.schedule import on_phone_counts, read_roster

TINY_TOML = """
[shifts]
shift_lengths_h = [8]
start_step_min = 60
start_windows = ["06:00-06:00", "14:00-14:00", "22:00-22:00"]
days_per_week = [5]

[labour]
{labour}

[forecast]
ignored = "other stages' tables are ignored"
"""


def write_inputs(tmp_path, labour=""):
    times = pd.date_range("2026-07-06", periods=7 * 24, freq="60min")
    staff = np.where((times.hour >= 6) & (times.hour < 22), 2, 1).astype(float)
    req = tmp_path / "req.csv"
    req.write_text(frame_to_csv(pd.DataFrame({"timestamp": times, "staff": staff})))
    rules = tmp_path / "rules.toml"
    rules.write_text(TINY_TOML.format(labour=labour))
    return req, rules


def run(args):
    """`planner schedule ARGS`, on HiGHS unless a test names the solver: these small symmetric
    weeks take HiGHS 0.2 s and CBC (the default, tested in test_schedule) ~14 s."""
    args = [*map(str, args)]
    if "--solver" not in args:
        args += ["--solver", "highs"]
    return CliRunner().invoke(cli, ["schedule", *args])


@pytest.mark.slow
def test_schedule_writes_roster_coverage_and_workbook(tmp_path):
    req, rules = write_inputs(tmp_path)
    out, cov, xlsx = tmp_path / "r.csv", tmp_path / "c.csv", tmp_path / "r.xlsx"
    result = run([req, "--rules", rules, "-o", out, "--coverage", cov, "--xlsx", xlsx])
    assert result.exit_code == 0, result.output
    roster = read_roster(out)
    assert list(roster.columns[:5]) == ["agent", "start", "end", "breaks", "paid_hours"]
    coverage = pd.read_csv(cov, parse_dates=["timestamp"])
    assert list(coverage.columns) == ["timestamp", "required", "scheduled", "shortfall"]
    recomputed = on_phone_counts(roster, coverage["timestamp"], 60)
    assert np.allclose(recomputed, coverage["scheduled"])
    assert (recomputed >= coverage["required"] - 1e-9).all()
    assert (coverage["shortfall"] == 0).all()
    from openpyxl import load_workbook

    assert load_workbook(xlsx).sheetnames == ["Roster", "Coverage", "Summary"]


@pytest.mark.slow
def test_schedule_is_deterministic(tmp_path):
    req, rules = write_inputs(tmp_path)
    outputs = []
    for k in range(2):
        paths = [tmp_path / f"r{k}.csv", tmp_path / f"c{k}.csv", tmp_path / f"w{k}.xlsx"]
        args = [req, "--rules", rules, "-o", paths[0], "--coverage", paths[1], "--xlsx", paths[2]]
        assert run(args).exit_code == 0
        outputs.append([p.read_bytes() for p in paths])
    assert outputs[0] == outputs[1]


@pytest.mark.slow
def test_schedule_table_and_json(tmp_path):
    req, rules = write_inputs(tmp_path)
    table = run([req, "--rules", rules, "--format", "table"])
    assert table.exit_code == 0
    assert "headcount" in table.stdout and "gap_pct" in table.stdout
    as_json = run([req, "--rules", rules, "--format", "json"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)[0]["agent"] == "A001"


@pytest.mark.slow
def test_headcount_cap_exits_3_with_the_short_intervals(tmp_path):
    req, rules = write_inputs(tmp_path, labour="headcount_cap = 4")
    out = tmp_path / "r.csv"
    result = run([req, "--rules", rules, "-o", out])
    assert result.exit_code == 3
    assert "coverage short in" in result.stderr
    assert out.exists()  # outputs are still written
    assert read_roster(out)["agent"].nunique() <= 4


@pytest.mark.parametrize(
    "labour, needle",
    [("max_weekly_hours = 30", "max_weekly_hours = 30"), ("min_rest_h = 17", "min_rest_h = 17")],
)
def test_impossible_rules_exit_2_naming_the_rule(tmp_path, labour, needle):
    req, rules = write_inputs(tmp_path, labour=labour)
    result = run([req, "--rules", rules])
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.output


def test_missing_requirements_and_bad_rules_are_usage_errors(tmp_path):
    result = run([])
    assert result.exit_code == 2
    assert "REQUIREMENTS" in result.stderr
    req, rules = write_inputs(tmp_path)
    rules.write_text("[labour]\nmax_weekly_hour = 40\n")
    result = run([req, "--rules", rules])
    assert result.exit_code == 2
    assert "unknown rule key 'labour.max_weekly_hour'" in result.stderr


@pytest.mark.slow
def test_agents_file_names_the_roster(tmp_path):
    req, rules = write_inputs(tmp_path)
    agents = tmp_path / "agents.csv"
    lines = ["agent,contract,weekly_hours,no_night,unavailable,preferred_start"]
    lines += [f"N{k:02d},full-time,40,no,,06:00" for k in range(8)]
    lines += ["D01,full-time,40,yes,Sun,08:00"]
    agents.write_text("\n".join(lines) + "\n")
    out = tmp_path / "r.csv"
    result = run([req, "--rules", rules, "--agents", agents, "-o", out])
    assert result.exit_code in (0, 3), result.output
    roster = read_roster(out)
    assert set(roster["agent"]) <= {f"N{k:02d}" for k in range(8)} | {"D01"}
    d01 = roster[roster["agent"] == "D01"]
    assert (d01["night_hours"] == 0).all()
    assert not (d01["start"].dt.day_of_week == 6).any()


def test_rules_misspelt_table_is_an_error_and_extends_is_followed(tmp_path):
    req, rules = write_inputs(tmp_path)
    out = tmp_path / "roster.csv"
    typo = tmp_path / "typo.toml"
    typo.write_text("[labor]\nmax_weekly_hours = 30\n")  # was silently ignored
    result = run([req, "--rules", typo, "-o", out])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "typo.toml" in lines[0] and "'labor'" in lines[0]
    assert not out.exists()
    child = tmp_path / "child.toml"
    child.write_text('extends = "rules.toml"\n[labour]\nmax_weekly_hours = 30\n')
    result = run([req, "--rules", child, "-o", out])  # the parent's 8 h x 5 days = 40 h
    assert result.exit_code == 2 and "max_weekly_hours = 30" in result.stderr
    assert not out.exists()


def test_unwritable_output_is_refused_before_any_file_is_written(tmp_path):
    req, rules = write_inputs(tmp_path)
    (tmp_path / "a_dir").mkdir()
    coverage, xlsx = tmp_path / "coverage.csv", tmp_path / "roster.xlsx"
    args = [req, "--rules", rules, "--coverage", coverage, "--xlsx", xlsx, "-o"]
    result = run([*args, tmp_path / "a_dir"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "a_dir: is a directory" in lines[0]
    assert not coverage.exists() and not xlsx.exists()  # were written before -o failed


@pytest.mark.slow
def test_schedule_previous_week_chains_two_weeks(tmp_path):
    from planner.scenario import load_rules
    from planner.schedule import check_weeks, rules_from_mapping

    req, rules_path = write_inputs(tmp_path)
    first = tmp_path / "week1.csv"
    assert run([req, "--rules", rules_path, "-o", first]).exit_code == 0
    times = pd.date_range("2026-07-13", periods=7 * 24, freq="60min")
    staff = np.where((times.hour >= 6) & (times.hour < 22), 2, 1).astype(float)
    req2 = tmp_path / "req2.csv"
    req2.write_text(frame_to_csv(pd.DataFrame({"timestamp": times, "staff": staff})))
    second = tmp_path / "week2.csv"
    result = run([req2, "--rules", rules_path, "--previous", first, "-o", second])
    assert result.exit_code == 0, result.output
    rules = load_rules(rules_path, rules_from_mapping)
    assert rules != rules_from_mapping({}, "defaults")
    assert check_weeks(read_roster(first), read_roster(second), rules) == []
    assert set(read_roster(second)["agent"]) & set(read_roster(first)["agent"])


def test_schedule_previous_must_be_a_roster(tmp_path):
    req, rules_path = write_inputs(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("agent,start\nA1,2026-07-05T22:00\n")
    result = run([req, "--rules", rules_path, "--previous", bad])
    assert result.exit_code == 2
    assert "bad.csv" in result.output and "Traceback" not in result.output


def test_an_implausible_staff_value_is_refused_naming_the_row(tmp_path):
    times = pd.date_range("2026-07-06", periods=7 * 24, freq="60min")
    staff = np.full(len(times), 2.0)
    staff[5] = 1e12  # a typo: the model would need a trillion agent variables
    req = tmp_path / "req.csv"
    req.write_text(frame_to_csv(pd.DataFrame({"timestamp": times, "staff": staff})))
    result = run([req, "-o", tmp_path / "roster.csv"])
    assert result.exit_code == 2
    assert "req.csv:7: column 'staff'" in result.output and "above 100000" in result.output
    assert not (tmp_path / "roster.csv").exists()


@pytest.mark.slow
def test_the_solver_banner_never_reaches_the_roster_on_stdout(tmp_path):
    """The whole solve (LP, polish, slice search in its child) writes nothing on file
    descriptor 1 but the Roster CSV, as a shell pipe sees it."""
    import numpy as np
    import pandas as pd
    from helpers import planner_process

    times = pd.date_range("2026-07-06", periods=7 * 48, freq="30min")
    hours = times.hour.to_numpy()
    staff = np.where((hours >= 7) & (hours < 22), 6, 2)
    path = tmp_path / "requirements.csv"
    pd.DataFrame({"timestamp": times.strftime("%Y-%m-%dT%H:%M:%S"), "staff": staff}).to_csv(
        path, index=False
    )
    proc = planner_process(["schedule", path, "--time-limit", "20"], cwd=tmp_path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 4), err
    lines = out.splitlines()
    assert lines[0].startswith("agent,start,end,breaks,paid_hours")
    assert all(line.startswith(("A", "H")) for line in lines[1:]), out[:500]
    assert "HiGHS" not in out
