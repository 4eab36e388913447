"""Cron's chain with every default but the clock, twice: the bundled week and the next one, the
second continuing the first from the plan store. Both chains exit 0 and write the same files
byte for byte: the work limits, not the clock, end each roster solve (the time limit is set far
above them so that a busy test machine cannot end a solve on the clock; the default 90 s is
what the work limits are sized to stay well inside)."""

from __future__ import annotations

import pytest
from helpers import invoke

WEEKS = ("2026-W45", "2026-W46")


def chain(root) -> dict[str, bytes]:
    """Run the two weeks into `root` (store beside them); every file written, by path."""
    for week in WEEKS:
        args = ["run", "--week", week, "--out", root / week, "--quiet", "--time-limit", 1200]
        result = invoke(args)
        assert result.exit_code == 0, result.output
    return {
        str(path.relative_to(root)): path.read_bytes()
        for week in WEEKS
        for path in sorted((root / week).iterdir())
        if path.is_file()
    }


@pytest.mark.slow
def test_cron_chain_twice_exits_0_and_writes_the_same_files(tmp_path):
    first = chain(tmp_path / "a")
    second = chain(tmp_path / "b")
    assert sorted(first) == sorted(second)
    assert any(name.endswith("roster.csv") for name in first)
    for name, content in first.items():
        assert second[name] == content, name
