"""Cron's chain with every default but the clock, twice: the bundled week and the next one, the
second continuing the first from the plan store. Both chains end the same way (0, or 3 where
the roster leaves an interval short because covering it costs more than its shortfall: the
bundled week's Monday 09:30, half an agent-hour, since full-timers are paid their contract and
overtime is priced) and write the same files byte for byte: the work limits, not the clock, end each roster solve (the time limit is set far
above them so that a busy test machine cannot end a solve on the clock; the default 90 s is
what the work limits are sized to stay well inside)."""

from __future__ import annotations

import pytest
from helpers import invoke

WEEKS = ("2026-W45", "2026-W46")


def chain(root) -> tuple[list[int], dict[str, bytes]]:
    """Run the two weeks into `root` (store beside them); their exit codes, and every file
    written, by path."""
    codes = []
    for week in WEEKS:
        args = ["run", "--week", week, "--out", root / week, "--quiet", "--time-limit", 1200]
        result = invoke(args)
        assert result.exit_code in (0, 3), result.output  # never the clock (4) or an error
        codes.append(result.exit_code)
    return codes, {
        str(path.relative_to(root)): path.read_bytes()
        for week in WEEKS
        for path in sorted((root / week).iterdir())
        if path.is_file()
    }


@pytest.mark.slow
def test_cron_chain_twice_ends_alike_and_writes_the_same_files(tmp_path):
    codes, first = chain(tmp_path / "a")
    codes_again, second = chain(tmp_path / "b")
    assert codes == codes_again
    assert sorted(first) == sorted(second)
    assert any(name.endswith("roster.csv") for name in first)
    for name, content in first.items():
        assert second[name] == content, name
