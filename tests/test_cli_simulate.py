"""`planner simulate` through click's CliRunner: outputs, formats, stdin, errors."""

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
ROSTER = str(FIXTURES / "sim_roster.csv")
REQ = str(FIXTURES / "sim_requirements.csv")
BASE = ["simulate", "--roster", ROSTER, "--requirements", REQ, "--replications", "3"]


def run(args, **kwargs):
    return CliRunner().invoke(cli, args, catch_exceptions=False, **kwargs)


def test_csv_to_file_and_summary_on_stderr(tmp_path):
    out = tmp_path / "sim.csv"
    result = run([*BASE, "--patience", "120", "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert list(frame.columns[:7]) == [
        "timestamp",
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "asa",
        "agents",
    ]
    assert len(frame) == 8
    assert result.stdout == ""
    assert "service level" in result.stderr and "95% CI" in result.stderr
    assert "worst intervals" in result.stderr


def test_csv_to_stdout_is_byte_identical_for_a_seed():
    a = run([*BASE, "--seed", "4", "--quiet", "--absence", "0"])
    b = run([*BASE, "--seed", "4", "--quiet", "--absence", "0"])
    c = run([*BASE, "--seed", "5", "--quiet", "--absence", "0"])
    assert a.exit_code == 0 and a.stdout == b.stdout and a.stdout != c.stdout
    assert a.stderr == ""
    assert pd.read_csv(io.StringIO(a.stdout))["agents"].tolist() == [2, 2, 3, 3, 2, 3, 2, 3]


def test_json_has_summary_and_intervals():
    result = run([*BASE, "--format", "json", "--absence", "10", "--service", "lognormal"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert set(doc) == {"summary", "intervals"}
    assert len(doc["intervals"]) == 8
    s = doc["summary"]
    assert s["replications"] == 3 and s["service"] == "lognormal" and s["absence_pct"] == 10
    assert {"mean", "ci_low", "ci_high"} <= set(s["service_level_pct"])
    assert s["worst_intervals"]


def test_table_shows_summary_and_intervals():
    result = run([*BASE, "--format", "table", "--target", "30"])
    assert result.exit_code == 0
    assert "answered within 30 s" in result.stdout
    assert "Simulated intervals" in result.stdout


def test_roster_from_stdin():
    text = Path(ROSTER).read_text()
    result = run(
        ["simulate", "--roster", "-", "--requirements", REQ, "--replications", "2", "--quiet"],
        input=text,
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("timestamp,offered,answered")


def _one_error_line(result):
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("planner: error:"), result.stderr
    return lines[0]


def test_bad_inputs_exit_2_with_one_line(tmp_path):
    line = _one_error_line(run([*BASE[:2], "missing.csv", *BASE[3:]]))
    assert "missing.csv" in line
    bad = tmp_path / "roster.csv"
    bad.write_text(
        "agent,start,end,breaks,paid_hours\n"
        "A1,2026-07-06T08:00,2026-07-06T12:00,2026-07-06T09:00/2026-07-06T08:30,4\n"
    )
    line = _one_error_line(run(["simulate", "--roster", str(bad), "--requirements", REQ]))
    assert "roster.csv:2" in line and "breaks" in line
    line = _one_error_line(run([*BASE, "--patience", "soon"]))
    assert "patience" in line


def test_usage_errors_exit_2():
    assert run([*BASE, "--service", "gamma"]).exit_code == 2
    assert run([*BASE, "--absence", "100"]).exit_code == 2
    assert run(["simulate", "--roster", ROSTER]).exit_code == 2


def test_no_partial_file_on_error(tmp_path):
    out = tmp_path / "sim.csv"
    result = run([*BASE, "--patience", "-5", "-o", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


def test_negative_seed_is_one_line_exit_2(tmp_path):
    out = tmp_path / "sim.csv"
    line = _one_error_line(run([*BASE, "--seed", "-1", "-o", str(out)]))
    assert "--seed" in line
    assert not out.exists()


def test_roster_and_requirements_both_from_stdin_is_refused():
    roster = Path(ROSTER).read_text()
    result = run(["simulate", "--roster", "-", "--requirements", "-"], input=roster)
    assert "only one of them can read stdin" in _one_error_line(result)


def test_absence_defaults_to_the_plans_shrinkage_and_says_so(tmp_path):
    """The fixture's staff vs agents fit any shrinkage in (0, 25]; 15% is the simplest value
    nearest the unrounded estimate, and the summary says where it came from."""
    result = run([*BASE, "--format", "json"])
    summary = json.loads(result.stdout)["summary"]
    assert summary["absence_pct"] == 15
    assert "plan's shrinkage" in summary["absence_assumed"]
    stderr = run(BASE).stderr
    assert "assumed: absence 15% = the plan's shrinkage" in stderr
    given = json.loads(run([*BASE, "--format", "json", "--absence", "5"]).stdout)["summary"]
    assert given["absence_pct"] == 5 and "as given" in given["absence_assumed"]
    bare = tmp_path / "req.csv"
    pd.read_csv(REQ)[["timestamp", "calls", "aht"]].to_csv(bare, index=False)
    args = ["simulate", "--roster", ROSTER, "--requirements", str(bare), "--replications", "2"]
    plain = json.loads(run([*args, "--format", "json"]).stdout)["summary"]
    assert plain["absence_pct"] == 0 and "no staff and agents" in plain["absence_assumed"]


@pytest.mark.slow
def test_staff_coverage_and_simulation_agree_with_the_runs_expected_service_level(small, tmp_path):
    """What `planner run` promises (summary.json) is what reverse staffing of its coverage and
    a simulation of its roster report, with the defaults each command takes from the plan."""
    out = tmp_path / "week"
    res = run(["run", str(small), "--out", str(out), "--quiet"])
    assert res.exit_code in (0, 3), res.output
    summary = json.loads((out / "summary.json").read_text())
    expected = summary["kpis"]["service_level_pct"]
    service = summary["service"]
    staff = run(
        [
            "staff",
            str(out / "forecast.csv"),
            "--coverage",
            str(out / "coverage.csv"),
            "--shrinkage",
            str(service["shrinkage_pct"]),
            "--sl",
            str(service["sl_pct"]),
            "--target",
            str(service["target_s"]),
        ]
    )
    assert staff.exit_code == 0, staff.output
    frame = pd.read_csv(io.StringIO(staff.stdout))
    reverse = 100 * (frame["service_level"] * frame["calls"]).sum() / frame["calls"].sum()
    assert abs(reverse - expected) < 3
    sim = run(
        [
            "simulate",
            "--roster",
            str(out / "roster.csv"),
            "--requirements",
            str(out / "requirements.csv"),
            "--target",
            str(service["target_s"]),
            "--format",
            "json",
        ]
    )
    assert sim.exit_code == 0, sim.output
    sim_summary = json.loads(sim.stdout)["summary"]
    assert sim_summary["absence_pct"] == service["shrinkage_pct"]
    assert abs(sim_summary["service_level_pct"]["mean"] - expected) < 3
