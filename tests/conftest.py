"""Shared test fixtures: a small synthetic line and its scenario, planned in about a second."""

from __future__ import annotations

import os
from pathlib import Path

# As the command line does: small least-squares solves run single-threaded (threaded BLAS made
# them ~50x slower on a loaded two-core machine). Set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd
import pytest
from helpers import invoke

SMALL_RULES = """
# a tiny roster model that CBC solves to optimality in well under a second
[shifts]
shift_lengths_h = [8]
start_step_min = 240
days_per_week = [5]
meal_break_min = 0
night_meal_break_min = 0

[run]
# far above what the solve takes: it stops on its gap or work limit, never on the clock, so no
# test depends on how fast (or how busy) the machine is
time_limit_s = 600
"""


def write_history(path: Path) -> Path:
    """Five weeks of hourly calls (Mon 2026-01-05 .. Sun 2026-02-08), a day curve, no noise
    but for a fixed pattern, AHT 300 s."""
    times = pd.date_range("2026-01-05", "2026-02-08 23:00", freq="h")
    hour = times.hour.to_numpy()
    day = np.clip(np.sin((hour - 6) / 16 * np.pi), 0.05, None)
    weekday = np.array([1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7])[times.day_of_week]
    calls = np.round(25 * day * weekday + (times.day.to_numpy() % 3)).astype(int)
    frame = pd.DataFrame(
        {"timestamp": times.strftime("%Y-%m-%dT%H:%M:%S"), "calls": calls, "aht": 300}
    )
    frame.to_csv(path, index=False)
    return path


def write_small(folder: Path) -> Path:
    """The small line's history and scenario written into `folder`; the scenario's path."""
    write_history(folder / "history.csv")
    path = folder / "small.toml"
    path.write_text(
        '[data]\nhistory = "history.csv"\ncountry = "none"\n'
        '[forecast]\nmodel = "seasonal_naive"\n' + SMALL_RULES,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_small(tmp_path)


@pytest.fixture
def cli():
    """The command line as users run it: `cli(["run", path, "--out", dir])` -> click Result."""
    return invoke
