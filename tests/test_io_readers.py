"""The shared reader of timestamped rows and the one reader per file contract built on it."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import error_line, invoke
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import io
from planner.errors import InputError
from planner.schedule import read_requirements as schedule_requirements
from planner.simulate import load_requirements, load_roster
from planner.staffing import interval_seconds, read_forecast


def write(tmp_path, text: str, name: str = "in.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cells(values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"x": values, "_line": range(2, len(values) + 2)})


def first_fault(values: list[str], **spec) -> str | None:
    """The message of the first cell that is bad on its own (read one cell at a time)."""
    for n, value in enumerate(values):
        one = pd.DataFrame({"x": [value], "_line": [n + 2]})
        try:
            io.parse_numbers(one, "x", "f.csv", **spec)
        except InputError as exc:
            return str(exc)
    return None


@pytest.mark.parametrize(
    "cell, spec, fault",
    [
        ("", {}, "column 'x' is empty, expected a number"),
        ("abc", {}, "column 'x' = 'abc' is not a number"),
        ("inf", {"minimum": None}, "column 'x' = 'inf' is not a number"),
        ("-1", {}, "column 'x' = '-1' is below 0"),
        ("1e9", {"maximum": 10.0}, "column 'x' = '1e9' is above 10, the most"),
        ("2.5", {"integer": True}, "column 'x' = '2.5' is not a whole number"),
    ],
)
def test_each_kind_of_bad_cell_is_named(cell, spec, fault):
    frame = cells(["1", cell])
    with pytest.raises(InputError, match=f"^f.csv:3: {fault}"):
        io.parse_numbers(frame, "x", "f.csv", **spec)
    assert first_fault([cell], **spec) is not None


CELL = st.sampled_from(["", "1", "2.5", "-1", "1e9", "abc", "inf", "nan", "0", "7", " 3"])
SPECS = st.fixed_dictionaries(
    {
        "minimum": st.sampled_from([None, 0.0, 1.0]),
        "integer": st.booleans(),
        "allow_empty": st.booleans(),
        "maximum": st.sampled_from([None, 10.0]),
    }
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(CELL, min_size=1, max_size=12), SPECS)
def test_a_column_fails_on_its_first_bad_cell_as_that_cell_alone_would(values, spec):
    expected = first_fault(values, **spec)
    if expected is None:
        parsed = io.parse_numbers(cells(values), "x", "f.csv", **spec)
        assert parsed.dtype == float and len(parsed) == len(values)
        assert parsed.isna().tolist() == [v == "" for v in values]
    else:
        with pytest.raises(InputError) as caught:
            io.parse_numbers(cells(values), "x", "f.csv", **spec)
        assert str(caught.value) == expected


def test_timestamped_rows_parse_stamps_numbers_queue_and_lines(tmp_path):
    path = write(
        tmp_path,
        "timestamp,calls,aht,queue,note\n"
        "2026-07-06T00:00,3,180,a,x\n2026-07-06T00:00,4,,b,y\n2026-07-06T00:30,5,200,a,z\n",
    )
    rows = io.read_timestamped_rows(
        path,
        "test file",
        {"calls": io.Number()},
        optional={"aht": io.Number(allow_empty=True), "absent": io.Number()},
        queue=True,
    )
    frame = rows.frame
    assert list(frame.columns) == ["timestamp", "calls", "aht", "queue", "_line"]
    assert frame["timestamp"].dt.minute.tolist() == [0, 0, 30]
    assert frame["calls"].tolist() == [3.0, 4.0, 5.0]
    assert frame["aht"].isna().tolist() == [False, True, False]
    assert frame["queue"].tolist() == ["a", "b", "a"]
    assert frame["_line"].tolist() == [2, 3, 4]
    assert rows.cells["note"].tolist() == ["x", "y", "z"]
    assert rows.name == str(path)


@pytest.mark.parametrize(
    "text, message",
    [
        ("timestamp,calls\n2026-07-06T00:00,3\nsoon,3\n", ":3: column 'timestamp' = 'soon'"),
        ("timestamp,calls\n2026-07-06T00:00,3\n2026-07-06T00:30,-1\n", ":3: column 'calls'"),
        (
            "timestamp,calls,queue\n2026-07-06T00:00,3,a\n2026-07-06T00:30,3,\n",
            ":3: column 'queue' is empty, expected a queue name",
        ),
        (
            "timestamp,calls,queue\n2026-07-06T00:30,3,a\n2026-07-06T00:30,3,a\n",
            ":3: column 'timestamp' = 2026-07-06T00:30:00 is a duplicate for queue 'a'",
        ),
        ("timestamp\n2026-07-06T00:00\n", ":1: missing column 'calls'"),
    ],
    ids=["timestamp", "number", "queue", "duplicate", "missing"],
)
def test_timestamped_rows_name_file_line_and_column(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=f"^{path}{message}"):
        io.read_timestamped_rows(path, "test file", {"calls": io.Number()}, queue=True)


def test_a_repeated_row_is_allowed_when_the_reader_refuses_it_later(tmp_path):
    path = write(tmp_path, "timestamp,calls\n2026-07-06T00:00,3\n2026-07-06T00:00,3\n")
    rows = io.read_timestamped_rows(path, "test file", {"calls": io.Number()}, unique=False)
    assert len(rows.frame) == 2


REQUIREMENTS = (
    "timestamp,calls,aht,agents,staff,service_level,asa,occupancy,queue\n"
    "2026-07-06T00:00,0,,0,0,,,,a\n"
    "2026-07-06T00:00,4,300,3,4,0.8,12,0.5,b\n"
    "2026-07-06T00:30,6,240,4,5,0.82,10,0.6,a\n"
    "2026-07-06T00:30,2,200,2,3,0.9,5,0.3,b\n"
)


def test_scheduler_and_simulation_read_one_requirements_file_alike(tmp_path):
    path = write(tmp_path, REQUIREMENTS, "req.csv")
    for_schedule = schedule_requirements(path)
    for_simulation = load_requirements(path)
    assert list(for_schedule.columns) == ["timestamp", "staff", "queue", "_line"]
    assert "_line" not in for_simulation.columns
    for column in ("timestamp", "staff", "queue"):
        assert for_schedule[column].tolist() == for_simulation[column].tolist()
    assert for_simulation["aht"].isna().tolist() == [True, False, False, False]


@pytest.mark.parametrize(
    "read", [schedule_requirements, load_requirements], ids=["schedule", "simulate"]
)
def test_both_readers_of_requirements_refuse_the_same_faults_alike(tmp_path, read):
    path = write(tmp_path, REQUIREMENTS.replace("6,240,4,5", "6,240,4,-5"), "req.csv")
    with pytest.raises(InputError, match=r"req\.csv:4: column 'staff' = '-5' is below 0"):
        read(path)
    path = write(tmp_path, REQUIREMENTS.replace(",b\n", ",\n", 1), "req.csv")
    with pytest.raises(InputError, match=r"req\.csv:3: column 'queue' is empty"):
        read(path)


def test_calls_without_a_handle_time_read_alike_in_forecast_and_requirements(tmp_path):
    text = "timestamp,calls,aht,staff\n2026-07-06T00:00,0,,0\n2026-07-06T00:30,2,0,1\n"
    path = write(tmp_path, text, "f.csv")
    expected = (
        f"{path}:3: column 'aht' = '0': expected a handle time in seconds above 0 where calls > 0"
    )
    for read in (read_forecast, load_requirements):
        with pytest.raises(InputError) as caught:
            read(path)
        assert str(caught.value) == expected


def test_an_empty_queue_reads_the_same_in_every_per_queue_file(tmp_path):
    path = write(
        tmp_path,
        "timestamp,calls,aht,staff,queue\n2026-07-06T00:00,3,180,2,a\n2026-07-06T00:30,3,180,2,\n",
    )
    for command in (
        ["forecast", path, "--horizon", "1"],
        ["staff", path, "--aht", "300"],
        ["schedule", path],
    ):
        result = invoke(command)
        assert result.exit_code == 2, result.output
        assert "in.csv:3: column 'queue' is empty, expected a queue name" in error_line(result)


def test_roster_reader_keeps_its_columns_and_names_a_bad_break(tmp_path):
    path = write(
        tmp_path,
        "agent,start,end,breaks,paid_hours,day,night_hours\n"
        "A1,2026-07-06T08:00,2026-07-06T16:00,2026-07-06T12:00/2026-07-06T12:30,7.5,Mon,0\n",
        "roster.csv",
    )
    roster = load_roster(path)
    assert list(roster.columns) == [
        "agent",
        "start",
        "end",
        "breaks",
        "paid_hours",
        "day",
        "night_hours",
    ]
    assert roster["paid_hours"].tolist() == [7.5]
    path.write_text(path.read_text().replace("12:30,7.5", "16:30,7.5"))
    with pytest.raises(InputError, match=r"roster\.csv:2: column 'breaks': break .* not inside"):
        load_roster(path)


@pytest.mark.parametrize(
    "stamps, step",
    [
        (["2026-07-06T00:00"], None),
        (["2026-07-06T01:00", "2026-07-06T00:00", "2026-07-06T00:15", "2026-07-06T00:15"], 900.0),
        (["2026-07-06", "2026-07-08"], 2 * 86400.0),
    ],
)
def test_smallest_step_is_over_distinct_timestamps_in_any_order(stamps, step):
    assert io.smallest_step_s(pd.to_datetime(stamps)) == step


def test_a_daily_forecast_is_refused_as_a_file_and_as_a_frame(tmp_path):
    path = write(tmp_path, "timestamp,calls\n2026-07-06,3\n2026-07-07,4\n", "daily.csv")
    with pytest.raises(InputError, match=f"^{path}: the forecast is daily"):
        read_forecast(path)
    frame = pd.DataFrame({"timestamp": pd.to_datetime(["2026-07-06", "2026-07-07"])})
    with pytest.raises(InputError, match="^the forecast is daily"):
        interval_seconds(frame)
