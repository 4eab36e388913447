"""A roster search ended by the wall clock (not the gap or a work limit) may differ on a busier
machine: `planner run` says so on stderr even under --quiet, exits 4, and summary.json records it
(`planner schedule` prints the same line and exits 4 through the same `clock_stopped` flag)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from helpers import invoke

from planner import schedule


def _clock_stopped(real):
    def build(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), clock_stopped=True)

    return build


@pytest.mark.slow
def test_run_says_the_clock_stopped_the_search_even_when_quiet(small, tmp_path, monkeypatch):
    monkeypatch.setattr(schedule, "build_roster", _clock_stopped(schedule.build_roster))
    out = tmp_path / "out" / "week"
    result = invoke(["run", small, "--out", out, "--quiet", "--no-store"])
    assert result.exit_code == 4, result.output
    assert "stopped on the time limit" in result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["solver"]["clock_stopped"] is True
    assert summary["exit_code"] == 4
