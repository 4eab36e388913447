"""Inputs that run away or broke the planner (issue 19, items 4 and 5): FIFOs and devices as
scenario inputs, implausible handle times and workloads, timestamps outside the calendar,
deep TOML keys, names over 255 bytes, a full temporary folder. Each ends in one line naming
the file and what is wrong, the documented exit code, no output, and never a hang (30 s)."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from helpers import deadline, error_line, invoke

from planner.errors import InputError
from planner.scenario import load_scenario
from planner.schedule import child, rules_from_mapping

KEYS = ("events", "temperature", "agents", "history")


def _scenario(small: Path, **data: str) -> Path:
    text = small.read_text(encoding="utf-8")
    lines = "".join(f'{key} = "{value}"\n' for key, value in data.items())
    if "history" in data:
        text = text.replace('history = "history.csv"\n', "")
    path = small.with_name("case.toml")
    path.write_text(text.replace("[data]\n", "[data]\n" + lines, 1), encoding="utf-8")
    return path


def _refused(args, needle: str, out: Path | None = None, code: int = 2) -> str:
    with deadline(30):
        result = invoke(args)
    assert result.exit_code == code, result.output
    line = error_line(result)
    assert needle in line, line
    if out is not None:
        assert not out.exists()
        assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    return line


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_a_device_or_fifo_named_by_a_scenario_is_refused_before_any_work(
    small, tmp_path, key, kind
):
    if kind == "fifo":
        target = tmp_path / f"{key}.fifo"
        os.mkfifo(target)
    else:
        target = Path("/dev/zero")
    scenario = _scenario(small, **{key: str(target)})
    out = tmp_path / "week"
    # /dev is outside the scenario's folder: refused as such; allowed, it is no regular file
    needle = "not a regular file" if kind == "fifo" else "outside the scenario's folder"
    line = _refused(
        ["run", scenario, "--week", "2026-W07", "--out", out, "--no-store", "-q"], needle, out
    )
    assert f"[data] {key}" in line and "case.toml" in line
    with pytest.raises(InputError, match=f"\\[data\\] {key}.*not a regular file"):
        load_scenario(scenario, rules_from_mapping, allowed_dirs=["/dev"])


def _history_with(small: Path, row: int, **cells) -> Path:
    frame = pd.read_csv(small.with_name("history.csv"), dtype=str)
    for column, value in cells.items():
        frame.loc[row, column] = value
    path = small.with_name("history.csv")
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "cells, needle",
    [
        ({"aht": "1e9"}, "column 'aht' = '1e9' is above 14400 s"),
        ({"aht": "300000"}, "milliseconds?"),
        ({"calls": "1e12"}, "column 'calls' = '1e12' would keep more than"),
        ({"timestamp": "-1"}, "column 'timestamp' = '-1' is outside the years"),
    ],
)
def test_an_implausible_history_cell_is_refused_naming_its_row(small, tmp_path, cells, needle):
    _history_with(small, 5, **cells)
    out = tmp_path / "week"
    line = _refused(
        ["run", small, "--week", "2026-W07", "--out", out, "--no-store", "-q"], needle, out
    )
    assert "history.csv:7:" in line  # the header is line 1, row 5 (from 0) is line 7


def test_a_whole_file_in_milliseconds_is_refused_not_staffed(small, tmp_path):
    path = small.with_name("history.csv")
    frame = pd.read_csv(path)
    frame["aht"] = frame["aht"] * 1000
    frame.to_csv(path, index=False)
    _refused(["run", small, "--out", tmp_path / "week", "--no-store", "-q"], "milliseconds?")


def test_a_runaway_workload_from_the_scenario_is_refused_before_staffing(small, tmp_path):
    path = small.with_name("history.csv")
    frame = pd.read_csv(path)
    frame["calls"] = frame["calls"] * 100  # a busy line: up to ~200 agents at 300 s
    frame.to_csv(path, index=False)
    scenario = small.with_name("busy.toml")
    scenario.write_text(
        small.read_text(encoding="utf-8")
        + "[[adjustments]]\nfrom = 2026-02-09\nto = 2026-02-15\nvolume_factor = 100\n"
        + "aht_s = 14400\n",
        encoding="utf-8",
    )
    out = tmp_path / "week"
    _refused(
        ["run", scenario, "--week", "2026-W07", "--out", out, "--no-store", "-q"],
        "more than any centre staffs",
        out,
    )


def test_a_daily_history_ending_in_year_9999_is_one_line(tmp_path):
    days = pd.date_range("9999-10-01", "9999-12-31", freq="D")
    path = tmp_path / "daily.csv"
    pd.DataFrame({"timestamp": days.strftime("%Y-%m-%d"), "calls": 100}).to_csv(path, index=False)
    _refused(["forecast", path, "--country", "none", "-o", tmp_path / "f.csv"], "daily.csv:2:")


def test_deep_dotted_toml_keys_are_one_line(small, tmp_path):
    scenario = small.with_name("deep.toml")
    scenario.write_text(
        small.read_text(encoding="utf-8") + "\n[service]\n" + ".".join(["a"] * 3000) + " = 1\n",
        encoding="utf-8",
    )
    _refused(["run", scenario, "--out", tmp_path / "week", "--no-store", "-q"], "nested more than")


def test_names_over_255_bytes_are_one_line(small, tmp_path):
    long = "n" * 300
    _refused(["forecast", tmp_path / f"{long}.csv"], "too long")
    _refused(["forecast", small.with_name("history.csv"), "-o", tmp_path / f"{long}.csv"],
             "too long")  # fmt: skip
    _refused(["run", small, "--out", tmp_path / "w", "--store", tmp_path / f"{long}.db", "-q"],
             "too long")  # fmt: skip


def test_a_full_temporary_folder_is_one_line(monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", full)
    with pytest.raises(child.PlannerError, match="is full.*TMPDIR"), child.solver_folder():
        pass


def test_forecast_events_and_temperature_still_refuse_a_fifo(tmp_path, small):
    fifo = tmp_path / "events.csv"
    os.mkfifo(fifo)
    history = small.with_name("history.csv")
    for option in ("--events", "--temperature"):
        _refused(["forecast", history, "--country", "none", option, fifo], "not a regular file")
