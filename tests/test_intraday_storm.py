"""The storm morning of the bundled history (issue 23, item 3): at 10:00 on 2026-09-01 (storm
2026-09-01 .. 09-02, data/README.md) the actions `planner intraday` proposes on the week
`planner run` published raise the simulated service level of the rest of the day by at least
15 points, and the schedule's own checker finds no rule they break. Slow: it plans a week."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import invoke

from planner import io, store
from planner.choices import IntradayAction
from planner.history import BUNDLED_HISTORY
from planner.intraday import ActionSettings, overtime_rules
from planner.jobs.intraday import run_intraday
from planner.scenario import default_scenario
from planner.schedule import check_roster_rules, read_agents, rules_from_mapping

STORM_DAY = pd.Timestamp("2026-09-01")
NOW = STORM_DAY + pd.Timedelta(hours=10)


@pytest.fixture(scope="module")
def storm(tmp_path_factory) -> tuple[Path, Path]:
    """The storm week planned and published by `planner run` on the bundled data (a short time
    limit: the law must hold on any legal roster, not on the best one), and the storm day's
    rows of the bundled history up to 10:00 as the morning's actuals."""
    root = tmp_path_factory.mktemp("storm")
    db = root / "planner.db"
    run = invoke(
        ["run", "--week", "2026-W36", "--out", root / "week", "--store", db, "-q",
         "--time-limit", "20"]
    )  # fmt: skip
    assert run.exit_code in (0, 3), run.output
    rows = pd.read_csv(io.bundled_path(BUNDLED_HISTORY))
    stamps = pd.to_datetime(rows["timestamp"])
    morning = rows[(stamps >= STORM_DAY) & (stamps < NOW)]
    assert len(morning) == 20  # 00:00 .. 09:30, every 30 min
    path = root / "actuals.csv"
    morning.to_csv(path, index=False)
    return db, path


@pytest.mark.slow
def test_the_storm_mornings_actions_raise_the_simulated_service_level_by_15_points(storm):
    db, path = storm
    result = run_intraday(None, path, store_path=db, record=False)
    ref = result.reforecast
    assert ref.rest > 1.5 * float(ref.intervals["plan"][ref.intervals["timestamp"] >= NOW].sum())
    before, after = result.steps[0], result.steps[-1]
    assert after.simulated_pct - before.simulated_pct >= 15.0, result.steps
    assert after.expected_pct - before.expected_pct >= 15.0, result.steps
    kinds = {a.kind for a in result.plan.actions}
    assert IntradayAction.EXTEND_SHIFT in kinds
    # a storm morning stretches shifts well past their first half-hour
    assert max(a.paid_hours for a in result.plan.actions) >= 2.0
    if result.short_after:
        line = result.shortfall_line()
        assert "agent-hours" in line and f"{result.gap_after.short_agent_hours:.1f}" in line


@pytest.mark.slow
def test_the_storm_mornings_actions_break_no_rule(storm):
    db, path = storm
    result = run_intraday(None, path, store_path=db, record=False)
    wage = default_scenario(rules_from_mapping).rules.wage_per_hour
    rules = overtime_rules(default_scenario(rules_from_mapping).rules, ActionSettings())
    assert result.plan.new_breaches == ()
    # the same checker the schedule uses, on the whole week, before and after the actions,
    # the bundled agents' no-night flags and unavailable hours included
    agents = read_agents(io.bundled_path("agents.csv"))
    before = set(check_roster_rules(io_roster(db), rules, agents=agents))
    assert set(check_roster_rules(result.plan.roster, rules, agents=agents)) <= before
    original = io_roster(db).set_index(["agent", "start"]).sort_index()
    day_end = STORM_DAY + pd.Timedelta(days=1)
    for row in result.plan.roster.itertuples(index=False):
        hours = (row.end - row.start).total_seconds() / 3600
        assert hours <= 12 + 1e-9, row
        if (row.agent, row.start) in original.index:
            old = original.loc[(row.agent, row.start)]
            if row.end != old["end"]:  # ended later: a shift of today, not ended by now
                assert old["end"] > NOW and row.start < day_end, row
            continue
        # a new start: a shift started earlier (still ahead by the call-in lead) or a call-in
        assert row.start >= NOW + pd.Timedelta(hours=1) and row.start < day_end, row
    # a call-in only for an agent off today
    on_today = set(original.reset_index().query("start < @day_end and end > @STORM_DAY")["agent"])
    for action in result.plan.actions:
        if action.kind == IntradayAction.CALL_IN:
            assert action.agent not in on_today
        if action.kind in (IntradayAction.EXTEND_SHIFT, IntradayAction.CALL_IN):
            assert action.paid_hours > 0 and action.cost_vnd >= action.paid_hours * wage


def io_roster(db: Path) -> pd.DataFrame:
    """The published roster of the storm week, as the store keeps it."""
    return store.published_plan_for_day(db, STORM_DAY.date(), None).shifts
