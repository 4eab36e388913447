"""`planner compare` answers the manager's question: each scenario's target, the hires and cost
meeting it takes, cost deltas within the solvers' gap marked, and an overloaded week seen
through Erlang A (callers hang up) instead of an unbounded queue."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.pipeline.answers import ASSUMED_PATIENCE_S, overload_view, overloaded
from planner.report.tables import _delta_cell


@settings(max_examples=40, deadline=None)
@given(
    calls=st.lists(st.one_of(st.just(0.0), st.floats(0.01, 200)), min_size=1, max_size=8),
    agents=st.integers(0, 40),
    patience=st.one_of(st.none(), st.floats(5, 900)),
)
def test_erlang_a_view_answered_and_abandoned_add_up_to_the_offered_calls(calls, agents, patience):
    frame = pd.DataFrame({"calls": calls, "aht": 300.0, "agents": float(agents), "asa": np.nan})
    view = overload_view(frame, 20.0, patience, 1800)
    if sum(calls) <= 0:
        assert view is None
        return
    assert view.patience_s == (ASSUMED_PATIENCE_S if patience is None else patience)
    assert view.answered_pct + view.abandon_pct == pytest.approx(100.0, abs=0.02)
    assert 0 <= view.service_level_pct <= view.answered_pct + 0.01
    if agents == 0:
        assert view.answered_pct == pytest.approx(0.0, abs=0.01)


def test_more_agents_lose_fewer_calls():
    frame = pd.DataFrame({"calls": [120.0, 150.0], "aht": 300.0, "asa": np.nan})
    few = overload_view(frame.assign(agents=10.0), 20.0, None, 1800)
    more = overload_view(frame.assign(agents=20.0), 20.0, None, 1800)
    assert more.abandon_pct < few.abandon_pct
    assert overloaded(frame.assign(agents=10.0))
    assert not overloaded(frame.assign(agents=20.0, asa=5.0))


def test_a_delta_within_the_gap_is_marked_not_significant():
    assert _delta_cell(101.0, 100.0, 0, significant=False) == "101 (+1, +1%, n.s.)"
    assert _delta_cell(150.0, 100.0, 0) == "150 (+50, +50%)"


@pytest.mark.slow
def test_each_scenario_says_what_meeting_its_target_takes(small, tmp_path, cli):
    strict = tmp_path / "strict.toml"
    strict.write_text('extends = "small.toml"\nname = "strict"\n[service]\nsl_pct = 95\n')
    capped = tmp_path / "capped.toml"
    capped.write_text('extends = "small.toml"\nname = "capped"\n[labour]\nheadcount_cap = 6\n')
    result = cli(["compare", small, strict, capped, "--no-store", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["scenario"]: r for r in json.loads(result.stdout)}
    for name in ("small", "strict"):  # covered: no hire, the cost is the cost to target
        row = rows[name]
        assert row["hire_full_time"] == row["hire_part_time"] == 0
        assert row["cost_to_target"] == row["cost"]
        assert row["erlang_a_answered_pct"] is None
        assert row["d_cost_significant"] is True
    row = rows["capped"]  # six agents cannot carry the line
    assert row["understaffed_intervals"] > 0 and row["asa_s"] is None
    assert row["hire_full_time"] + row["hire_part_time"] > 0
    assert row["cost_to_target"] == row["cost"] + row["hire_cost"] > row["cost"]
    assert row["erlang_a_answered_pct"] + row["erlang_a_abandon_pct"] == pytest.approx(
        100, abs=0.02
    )
    assert row["erlang_a_asa_s"] is not None
    assert row["target_sl_pct"] == 80 and rows["strict"]["target_sl_pct"] == 95
    csv = cli(["compare", small, capped, "--no-store", "--format", "csv"])
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert {"cost_to_target", "d_cost_to_target", "erlang_a_abandon_pct"} <= set(frame.columns)
    table = cli(["compare", small, capped, "--no-store"])
    assert "cost to meet it" in table.stdout and "Erlang A abandon %" in table.stdout
