"""A repeated row reads the same in every file contract: file, line, the timestamp and, for
per-queue files, the queue."""

from __future__ import annotations

import pytest
from helpers import error_line, invoke

ROWS = "2026-07-06T00:00:00,{v}\n2026-07-06T00:30:00,{v}\n2026-07-06T00:30:00,{v}\n"


@pytest.mark.parametrize(
    "command, header",
    [
        (["forecast", "{f}", "--horizon", "1"], "timestamp,calls\n"),
        (["staff", "{f}", "--aht", "300"], "timestamp,calls\n"),
        (["schedule", "{f}"], "timestamp,staff\n"),
        (["staff", "{f}", "--coverage", "{f}", "--aht", "300"], "timestamp,calls,scheduled\n"),
    ],
    ids=["history", "forecast", "requirements", "coverage"],
)
def test_a_repeated_row_is_named_the_same_way_in_every_file(tmp_path, command, header):
    path = tmp_path / "in.csv"
    value = "3,3" if "scheduled" in header else "3"
    path.write_text(header + ROWS.format(v=value), encoding="utf-8")
    result = invoke([part.format(f=path) for part in command])
    assert result.exit_code == 2
    line = error_line(result)
    assert "in.csv:4: column 'timestamp' = 2026-07-06T00:30:00 is a duplicate" in line, line
