"""The CLI shell: version, help, and the one error boundary."""

import pytest
from helpers import invoke

from planner import __version__


def test_version():
    result = invoke(["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_examples():
    result = invoke(["--help"])
    assert result.exit_code == 0
    assert "Examples" in result.output


def test_unknown_command_is_usage_error():
    result = invoke(["no-such-command"])
    assert result.exit_code == 2


def test_bad_option_value_is_one_line_naming_the_option(tmp_path):
    out = tmp_path / "sim.csv"
    result = invoke(["simulate", "--roster", "r.csv", "--replications", "0", "-o", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("planner: error: simulate: ")
    assert "--replications" in lines[0]
    assert not out.exists()


def test_unknown_command_is_one_line():
    result = invoke(["no-such-command"])
    assert result.stderr.strip().splitlines() == [
        "planner: error: No such command 'no-such-command'."
    ]


def test_dates_outside_the_calendar_are_one_line_not_an_internal_error(tmp_path):
    for args in (
        ["forecast", "--start", "9999-12-31", "-o", tmp_path / "f.csv"],
        ["run", "--start", "9999-12-31", "--out", tmp_path / "w"],
        ["run", "--week", "9999-W52", "--out", tmp_path / "w"],
    ):
        result = invoke(args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("planner: error: "), result.stderr


def test_schedule_table_format_never_overwrites_a_roster_csv(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("kept\n")
    req = tmp_path / "req.csv"
    req.write_text("timestamp,staff\n2026-02-09T00:00:00,1\n")
    result = invoke(["schedule", req, "-o", roster, "--format", "table"])
    assert result.exit_code == 2 and "use --format csv" in result.stderr
    assert roster.read_text() == "kept\n"


@pytest.mark.slow
def test_patience_under_erlang_c_is_a_warning_not_silence(tmp_path):
    out = tmp_path / "req.csv"
    result = invoke(["staff", "--patience", "120", "-o", out])
    assert result.exit_code == 0, result.output
    assert "planner: warning: --patience has no effect under erlang-c" in result.stderr


def test_an_input_error_names_its_parameter_and_the_cli_its_flag():
    from planner.errors import InputError

    exc = InputError("-1: expected seconds in (0, 86400]", "time_limit_s")
    assert str(exc) == "time_limit_s -1: expected seconds in (0, 86400]"
    assert exc.render({"time_limit_s": "--time-limit"}).startswith("--time-limit -1:")
    both = InputError("give {week} or {start}, not both", "week", "start").prefixed("base")
    assert str(both) == "base: give week or start, not both"
    assert both.render({"week": "--week", "start": "--start"}) == (
        "base: give --week or --start, not both"
    )
    assert str(InputError("{not_a_param} stays")) == "{not_a_param} stays"
    result = invoke(["staff", "--sl", "120", "-o", "-"])
    assert result.exit_code == 2
    assert "service level (--sl) must be a percentage" in result.stderr
    result = invoke(["run", "--week", "2026-W01", "--start", "2026-01-01"])
    assert result.exit_code == 2 and "give --week or --start, not both" in result.stderr
