"""`[data] timezone`: a history exported in UTC (`...Z`) is read in the line's local time when a
scenario plans it, and a zone that does not exist is refused naming the key."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SMALL_RULES, write_history
from helpers import error_line, invoke

from planner import pipeline


def _scenario(tmp_path, extra: str = "") -> object:
    path = tmp_path / "utc.toml"
    path.write_text(
        '[data]\nhistory = "history.csv"\ncountry = "none"\n' + extra + "\n"
        '[forecast]\nmodel = "seasonal_naive"\n' + SMALL_RULES,
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_utc_history_is_planned_in_the_scenarios_time_zone(tmp_path):
    local = pd.read_csv(write_history(tmp_path / "local.csv"))
    stamps = pd.to_datetime(local["timestamp"]).dt.tz_localize("Asia/Ho_Chi_Minh")
    utc = local.assign(timestamp=stamps.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    utc.to_csv(tmp_path / "history.csv", index=False)
    plan = pipeline.plan_week(_scenario(tmp_path, 'timezone = "Asia/Ho_Chi_Minh"'))
    hist = plan.history.frame
    assert pd.Timestamp(hist["timestamp"].iloc[0]) == pd.Timestamp("2026-01-05 00:00")


def test_an_unknown_time_zone_is_refused_naming_the_key(tmp_path):
    write_history(tmp_path / "history.csv")
    result = invoke(["run", _scenario(tmp_path, 'timezone = "Mars/Olympus"'), "-q"])
    assert result.exit_code == 2
    line = error_line(result)
    assert "[data] timezone" in line and "Mars/Olympus" in line
