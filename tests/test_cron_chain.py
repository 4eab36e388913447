"""Cron's chain with every default but the clock: the bundled week, then the next one twice
from copies of the plan store the first left, each continuing the first from the store. Both
runs of the second week end the same way (0, or 3 where the roster leaves an interval short
because covering it costs more than its shortfall: full-timers are paid their contract and
overtime is priced) and write the same files byte for byte: the work limits, not the clock,
end each roster solve (the time limit is set far above them so that a busy test machine cannot
end a solve on the clock; the default 90 s is what the work limits are sized to stay well
inside). The first week's own repeatability is the end-to-end test's."""

from __future__ import annotations

import shutil

import pytest
from helpers import invoke, tree

FIRST, SECOND = "2026-W45", "2026-W46"


def run_week(root, week) -> int:
    """`planner run --week WEEK` into `root/WEEK` (the store beside it); its exit code."""
    args = ["run", "--week", week, "--out", root / week, "--quiet", "--time-limit", 1200]
    result = invoke(args)
    assert result.exit_code in (0, 3), result.output  # never the clock (4) or an error
    return result.exit_code


@pytest.mark.slow
def test_cron_chain_second_week_twice_ends_alike_and_writes_the_same_files(tmp_path):
    run_week(tmp_path / "a", FIRST)
    (tmp_path / "b").mkdir()
    shutil.copy(tmp_path / "a" / "planner.db", tmp_path / "b" / "planner.db")
    code = run_week(tmp_path / "a", SECOND)
    assert run_week(tmp_path / "b", SECOND) == code
    first, second = tree(tmp_path / "a" / SECOND), tree(tmp_path / "b" / SECOND)
    assert sorted(first) == sorted(second)
    assert any(name.endswith("roster.csv") for name in first)
    for name, content in first.items():
        assert second[name] == content, name
