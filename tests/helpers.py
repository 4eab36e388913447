"""Plain helpers shared by the tests (no fixtures here: those live in conftest.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner, Result

from planner.cli import cli

REPO = Path(__file__).resolve().parents[1]


def invoke(args: Sequence[object], input: str | bytes | None = None) -> Result:
    """Run the `planner` command line in-process (what users see: stdout, stderr, exit code)."""
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def error_line(result: Result) -> str:
    """The one `planner: error:` line of a failed run (fails the test if there are others)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("planner: error: "), result.stderr
    return lines[0]


def planner_process(
    args: Sequence[object], cwd: str | os.PathLike, **popen: object
) -> subprocess.Popen:
    """`python -m planner ARGS` as a child process of its own (for signals and kills)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "planner", *map(str, args)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,  # type: ignore[arg-type]
    )


def tree(path: Path) -> dict[str, bytes]:
    """{relative name: bytes} of every file under `path` (to compare directories exactly)."""
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


class Hang(AssertionError):
    """A call ran past its `deadline`."""


@contextlib.contextmanager
def deadline(seconds: int = 30) -> Iterator[None]:
    """Fail (raise `Hang`) instead of hanging when the block runs past `seconds` (SIGALRM:
    a blocking open or read is interrupted too). Main thread only."""

    def ring(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def agents_frame(
    full_time: int, part_time: int = 0, full_h: float = 48.0, part_h: float = 24.0, **extra
) -> pd.DataFrame:
    """An agents frame as `read_agents` returns it: `full_time` full-timers F00.. on `full_h`
    hours and `part_time` part-timers P00.. on `part_h`, no constraints; `extra`: agent ->
    {column: value}."""
    rows = [
        {"agent": f"F{k:02d}", "contract": "full-time", "weekly_hours": full_h}
        for k in range(full_time)
    ]
    rows += [
        {"agent": f"P{k:02d}", "contract": "part-time", "weekly_hours": part_h}
        for k in range(part_time)
    ]
    frame = pd.DataFrame(rows)
    for column in ("skills", "unavailable", "preferred_start"):
        frame[column] = ""
    frame["no_night"] = False
    frame["min_hours"] = np.nan
    for agent, changes in extra.items():
        for column, value in changes.items():
            frame.loc[frame["agent"] == agent, column] = value
    return frame
