"""Every shipped scenario plans a week end to end (forecast, staffing, roster, KPIs) when pointed
at a small synthetic line: their rules, targets and adjustments are all usable, not just loadable.
The seasonal naive forecast and one shift type (8 h, 5 days, starts every 4 h) keep each plan
to seconds; targets, adjustments, costs, labour rules and plan_at are the scenario's own."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from conftest import write_history

from planner import pipeline
from planner.scenario import load_scenario
from planner.schedule import rules_from_mapping

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.toml"))


@pytest.fixture(scope="module")
def small_history(tmp_path_factory) -> Path:
    return write_history(tmp_path_factory.mktemp("shipped") / "history.csv")


@pytest.fixture(scope="module")
def small_history_by_queue(small_history) -> Path:
    """The same line split into two call types (the storm scenario scales one of them)."""
    total = pd.read_csv(small_history)
    outage = total.assign(calls=total["calls"] // 3, queue="outage")
    billing = total.assign(calls=total["calls"] - outage["calls"], queue="billing")
    path = small_history.with_name("by_queue.csv")
    pd.concat([outage, billing]).sort_values(["timestamp", "queue"]).to_csv(path, index=False)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_plans_a_small_week(path, small_history, small_history_by_queue):
    shipped = load_scenario(path, rules_from_mapping)
    per_queue = any(a.queues for a in shipped.adjustments)
    history = small_history_by_queue if per_queue else small_history
    data = dataclasses.replace(shipped.data, history=history, country="none")
    run = dataclasses.replace(
        shipped.run,
        week=None,
        start=dt.date(2026, 2, 9),
        time_limit_s=60,
        gap_pct=10,  # the roster's quality is not what this test is about
        simulate=False,
    )
    rules = dataclasses.replace(
        shipped.rules, shift_lengths_h=(8.0,), days_per_week=(5,), start_step_min=240
    )
    forecast = dataclasses.replace(shipped.forecast, model="seasonal_naive")
    planned = dataclasses.replace(shipped, data=data, run=run, rules=rules, forecast=forecast)
    plan = pipeline.plan_week(planned)
    assert plan.label == "2026-W07"
    assert plan.exit_code in (0, 3, 4)
    assert len(plan.schedule.roster) > 0
    assert plan.kpis.calls > 0
    if not shipped.rules.headcount_cap:
        assert plan.kpis.service_level_pct is not None


@pytest.mark.slow
def test_heat_wave_scenario_lifts_its_hot_days_through_the_weather_forecast():
    """The heat-wave scenario's temperature file (a weather forecast of 38-39 °C on 13-16 July
    2027) raises those days above what the baseline forecasts for the same week on the bundled
    line, and the days after the heat much less."""
    from planner import forecast, io
    from planner.history import BUNDLED_HISTORY, read_history

    hist = read_history(io.bundled_path(BUNDLED_HISTORY))
    daily = {}
    for name in ("baseline", "heat-wave"):
        sc = load_scenario(Path(SCENARIOS[0]).with_name(f"{name}.toml"), rules_from_mapping)
        result = forecast.forecast_history(
            hist,
            horizon_days=7,
            start=pd.Timestamp("2027-07-12"),
            country=sc.data.country,
            model="regression",
            temperature=sc.data.temperature,
        )
        daily[name] = result.daily.set_index("date")["calls"]
    lift = daily["heat-wave"] / daily["baseline"]
    heat = [f"2027-07-{d}" for d in (13, 14, 15, 16)]
    assert (lift[heat] > 1.15).all(), lift
    assert lift["2027-07-18"] < lift[heat].min()
