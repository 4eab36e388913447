"""`planner accuracy` scores the intraday reforecasts `planner intraday` recorded in the store:
the rest of the day's interval WAPE of the reforecast against the morning plan's."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest
from helpers import invoke
from test_intraday import actuals, published  # noqa: F401  (the module's fixture)

DAY = "2026-02-11"


@pytest.mark.slow
def test_accuracy_scores_a_recorded_storm_morning_against_the_day(published, tmp_path):  # noqa: F811
    """A storm morning at twice the plan, then a day that stays at twice the plan: the
    recorded reforecast's rest-of-day WAPE is the hand computation from the store's rows and
    the actuals, and beats the morning plan's on the same intervals."""
    db = tmp_path / "planner.db"
    db.write_bytes((published / "planner.db").read_bytes())
    for until in (10, 12):
        result = invoke(
            ["intraday", published / "small.toml", "--actuals", actuals(published, 2.0, until),
             "--store", db, "--format", "json", "-o", tmp_path / f"{until}.json"]
        )  # fmt: skip
        assert result.exit_code in (0, 3), result.output
    # the whole week's actuals: twice the plan on the storm day, the plan elsewhere
    plan = pd.read_csv(published / "week" / "forecast.csv", parse_dates=["timestamp"])
    storm = plan["timestamp"].dt.normalize() == pd.Timestamp(DAY)
    calls = np.round(np.where(storm, 2.0, 1.0) * plan["calls"]).astype(int)
    week = pd.DataFrame({"timestamp": plan["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
                         "calls": calls})  # fmt: skip
    week.to_csv(tmp_path / "actual.csv", index=False)

    result = invoke(["accuracy", tmp_path / "actual.csv", "--store", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [r["now"] for r in doc["intraday"]] == ["10:00", "12:00"]
    assert [r["now"] for r in doc["intraday_by_time"]] == ["10:00", "12:00"]
    with sqlite3.connect(db) as conn:
        rows = pd.read_sql_query(
            "SELECT i.now, f.timestamp, f.calls FROM intraday_forecast f "
            "JOIN intraday_runs i USING (intraday_id)",
            conn,
            parse_dates=["timestamp"],
        )
    truth = week.assign(timestamp=pd.to_datetime(week["timestamp"])).set_index("timestamp")
    for row, by_time in zip(doc["intraday"], doc["intraday_by_time"], strict=True):
        mine = rows[rows["now"].str.endswith(row["now"] + ":00")].set_index("timestamp")
        a = truth["calls"].reindex(mine.index).to_numpy(float)
        p = plan.set_index("timestamp")["calls"].reindex(mine.index).to_numpy(float)
        wape = 100 * np.abs(mine["calls"].to_numpy() - a).sum() / a.sum()
        wape_plan = 100 * np.abs(p - a).sum() / a.sum()
        assert row["day"] == DAY and row["intervals"] == len(mine) == 24 - int(row["now"][:2])
        assert row["wape_reforecast_pct"] == by_time["wape_reforecast_pct"]
        assert abs(row["wape_reforecast_pct"] - wape) < 0.01
        assert abs(row["wape_plan_pct"] - wape_plan) < 0.01
        assert row["wape_reforecast_pct"] < row["wape_plan_pct"] and row["change_pct"] < 0
    # the table names the intraday scores; --scenario of another line scores none
    text = invoke(["accuracy", tmp_path / "actual.csv", "--store", db])
    assert text.exit_code == 0 and "Intraday reforecasts by their time" in text.stdout
    other = invoke(["accuracy", tmp_path / "actual.csv", "--store", db, "--scenario", "nope",
                    "--format", "json"])  # fmt: skip
    assert other.exit_code == 0 and json.loads(other.stdout)["intraday"] == []
