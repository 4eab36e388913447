"""`planner accuracy` and the drift warning: stored forecasts scored against what happened."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SMALL_RULES, write_history

from planner import accuracy
from planner.cli import cli

WEEK_W = "2026-02-02"  # the fifth week of the fixture history (Mon 2026-01-05 .. Sun 02-08)


def scenario(base: Path, history: str) -> Path:
    path = base / f"{Path(history).stem}.toml"
    path.write_text(
        f'name = "small"\n[data]\nhistory = "{history}"\ncountry = "none"\n'
        '[forecast]\nmodel = "seasonal_naive"\n' + SMALL_RULES,
        encoding="utf-8",
    )
    return path


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def planned_w(tmp_path_factory):
    """`planner run` on the history cut before week W; then W's actuals (the fixture's week,
    disturbed so that the forecast misses) appended. Returns (base dir, full history)."""
    base = tmp_path_factory.mktemp("accuracy")
    full = pd.read_csv(write_history(base / "generated.csv"))
    cut = full[full["timestamp"] < WEEK_W]
    cut.to_csv(base / "cut.csv", index=False)
    result = invoke("run", scenario(base, "cut.csv"), "--out", base / "out" / "w", "--quiet")
    assert result.exit_code == 0, result.output
    rng = np.random.default_rng(7)
    week = full[full["timestamp"] >= WEEK_W].copy()
    week["calls"] = np.round(week["calls"] * rng.uniform(0.6, 1.5, len(week))).astype(int)
    week["answered_within_target"] = np.floor(week["calls"] * 0.85).astype(int)
    week["abandoned"] = np.floor(week["calls"] * 0.04).astype(int)
    actual = pd.concat([cut, week], ignore_index=True)
    actual.to_csv(base / "actual.csv", index=False)
    return base, actual


@pytest.mark.slow
def test_weekly_wape_equals_the_hand_computation_from_forecast_csv(planned_w):
    base, actual = planned_w
    result = invoke("accuracy", base / "actual.csv", "--store", base / "out" / "planner.db",
                    "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (week,) = doc["weeks"]
    fc = pd.read_csv(base / "out" / "w" / "forecast.csv", parse_dates=["timestamp"])
    act = actual.assign(timestamp=pd.to_datetime(actual["timestamp"]))
    merged = fc.merge(act[["timestamp", "calls"]], on="timestamp", suffixes=("_f", "_a"))
    assert len(merged) == len(fc) == 7 * 24
    by_day = merged.groupby(merged["timestamp"].dt.date)[["calls_f", "calls_a"]].sum()
    daily = 100 * (by_day["calls_f"] - by_day["calls_a"]).abs().sum() / by_day["calls_a"].sum()
    interval = 100 * (merged["calls_f"] - merged["calls_a"]).abs().sum() / merged["calls_a"].sum()
    bias = 100 * (merged["calls_f"] - merged["calls_a"]).sum() / merged["calls_a"].sum()
    assert daily > 1 and interval > daily  # the disturbed week is really missed
    assert week["week"] == "2026-W06"
    assert week["wape_daily_pct"] == pytest.approx(daily, abs=0.01)
    assert week["wape_interval_pct"] == pytest.approx(interval, abs=0.01)
    assert week["bias_pct"] == pytest.approx(bias, abs=0.01)
    calls = merged["calls_a"].sum()
    within = act.loc[act["timestamp"] >= WEEK_W, "answered_within_target"].sum()
    assert week["actual_sl_pct"] == pytest.approx(100 * within / calls, abs=0.01)
    summary = json.loads((base / "out" / "w" / "summary.json").read_text())
    assert week["planned_sl_pct"] == pytest.approx(summary["kpis"]["service_level_pct"])
    assert [row["days_ahead"] for row in doc["horizon"]] == list(range(1, 8))
    assert doc["overall"]["weeks"] == 1 and len(doc["time_of_day"]) == 24
    per_day = pd.DataFrame(doc["days"])
    assert per_day["actual"].tolist() == by_day["calls_a"].tolist()
    assert per_day["forecast"].to_numpy() == pytest.approx(by_day["calls_f"].to_numpy())


@pytest.mark.slow
def test_table_csv_plot_and_weeks_not_yet_covered(planned_w, tmp_path):
    base, _ = planned_w
    db = base / "out" / "planner.db"
    table = invoke("accuracy", base / "actual.csv", "--store", db, "--plot", tmp_path / "a.png")
    assert table.exit_code == 0, table.output
    assert "By days ahead" in table.stdout and "By day type" in table.stdout
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv = invoke("accuracy", base / "actual.csv", "--store", db, "--format", "csv")
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert frame["week"].tolist() == ["2026-W06"] and "expected_wape_pct" in frame.columns
    early = invoke("accuracy", base / "cut.csv", "--store", db, "--format", "csv")
    assert early.exit_code == 0 and "no stored week is covered" in early.stderr
    other = invoke("accuracy", base / "actual.csv", "--store", db, "--scenario", "x",
                   "--format", "json")  # fmt: skip
    assert json.loads(other.stdout)["weeks"] == []
    piped = CliRunner().invoke(
        cli,
        ["accuracy", "-", "--store", str(db), "--format", "csv"],
        input=(base / "actual.csv").read_text(),
    )
    assert piped.exit_code == 0 and piped.stdout == csv.stdout
    missing = invoke("accuracy", base / "actual.csv", "--store", tmp_path / "none.db")
    assert missing.exit_code == 2 and "no planner store" in missing.stderr


def days_frame(actual_factor: float, n: int = 28, level: float = 80.0) -> pd.DataFrame:
    forecast = np.full(n, 1000.0)
    return pd.DataFrame(
        {
            "calls": forecast,
            "lower": forecast * 0.93,
            "upper": forecast * 1.07,
            "actual": forecast * actual_factor * (1 + 0.02 * np.sin(np.arange(n))),
            "level_pct": level,
        }
    )


def test_expected_wape_is_what_the_bounds_imply():
    """80% bounds of +-7% in logs: s = ln(1.07 / 0.93) / (2 x 1.2816); E|e| = s sqrt(2/pi)."""
    s = np.log(1.07 / 0.93) / (2 * 1.2815516)
    expected = 100 * s * np.sqrt(2 / np.pi)
    assert accuracy.expected_wape_pct(days_frame(1.0)) == pytest.approx(expected, abs=0.01)


def test_drift_only_when_the_bounds_calibration_breaks_and_errors_grow():
    calm = accuracy.drift_from_days(days_frame(1.0), ("W1", "W2", "W3", "W4"))
    assert not calm.drifted and calm.days_in_bounds_pct == 100
    shifted = accuracy.drift_from_days(days_frame(1.25), ("W1", "W2", "W3", "W4"))
    assert shifted.drifted and shifted.realised_wape_pct > shifted.expected_wape_pct
    assert shifted.p_value < accuracy.DRIFT_ALPHA
    assert shifted.realised_wape_pct == pytest.approx(100 * 0.25 / 1.25, abs=0.2)
    assert "forecast drift" in shifted.message()
    assert accuracy.drift_from_days(pd.DataFrame(), ()) is None


@pytest.mark.slow
def test_run_warns_about_drift_even_under_quiet(planned_w, tmp_path):
    """Week W was planned from a history that then doubled: the run of week W + 1, on the
    history with W in it, says so on stderr although --quiet."""
    base, actual = planned_w
    store = tmp_path / "planner.db"
    cut = scenario(base, "cut.csv")
    first = invoke("run", cut, "--out", tmp_path / "w", "--store", store, "--quiet")
    assert first.exit_code == 0 and first.stderr == ""
    doubled = actual.copy()
    late = doubled["timestamp"] >= WEEK_W
    doubled.loc[late, "calls"] = doubled.loc[late, "calls"] * 2
    doubled.to_csv(base / "doubled.csv", index=False)
    nxt = invoke("run", scenario(base, "doubled.csv"), "--out", tmp_path / "w2", "--store",
                 store, "--quiet")  # fmt: skip
    assert nxt.exit_code in (0, 3), nxt.output
    warning = [line for line in nxt.stderr.splitlines() if "forecast drift" in line]
    assert len(warning) == 1 and warning[0].startswith("planner: warning:")
    assert "2026-W06" in warning[0]
    drift = json.loads((tmp_path / "w2" / "summary.json").read_text())["drift"]
    assert drift["drifted"] and drift["weeks"] == ["2026-W06"] and drift["days"] == 7
    assert drift["realised_wape_pct"] > drift["expected_wape_pct"]
    assert json.loads((tmp_path / "w" / "summary.json").read_text())["drift"] is None


def test_actuals_with_utc_offsets_keep_their_service_level_on_the_local_interval(tmp_path):
    path = tmp_path / "actuals.csv"
    path.write_text(
        "timestamp,calls,answered_within_target\n"
        "2026-07-06T01:00:00Z,10,8\n2026-07-06T01:30:00Z,20,15\n2026-07-06T02:00:00Z,30,27\n",
        encoding="utf-8",
    )
    frame = accuracy.read_actuals(path).frame  # VN: UTC+7, the history's local times
    assert frame["timestamp"].dt.strftime("%H:%M").tolist() == ["08:00", "08:30", "09:00"]
    assert frame["answered_within_target"].tolist() == [8.0, 15.0, 27.0]
