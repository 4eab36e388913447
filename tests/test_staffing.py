"""planner.staffing: forecast in, Requirements frame out; targets, AHT sources, queues, reverse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import erlang
from planner.errors import InputError
from planner.staffing import (
    REQUIREMENTS_COLUMNS,
    StaffingTarget,
    evaluate_staffing,
    read_coverage,
    read_forecast,
    staff_requirements,
    summarise_requirements,
)


def _forecast(n=8, calls=100.0, aht=None, start="2026-11-02T08:00", freq="30min"):
    ts = pd.date_range(start, periods=n, freq=freq)
    frame = pd.DataFrame({"timestamp": ts, "calls": np.full(n, calls)})
    if aht is not None:
        frame["aht"] = aht
    return frame


def test_call_centre_helper_example():
    """100 calls / 30 min, AHT 180 s, 80/20, 85% cap, 30% shrinkage: 14 agents, 20 staff."""
    req = staff_requirements(
        _forecast(4, 100.0, 180.0), StaffingTarget(max_occupancy_pct=85, shrinkage_pct=30)
    )
    assert tuple(req.columns) == REQUIREMENTS_COLUMNS
    assert req["agents"].tolist() == [14] * 4
    assert req["staff"].tolist() == [20] * 4
    assert req["service_level"].iloc[0] == pytest.approx(0.88835, abs=1e-6)
    assert req["occupancy"].iloc[0] == pytest.approx(10 / 14, abs=1e-6)


def test_aht_sources_in_order():
    frame = _forecast(2, 100.0, 180.0)
    assert staff_requirements(frame, StaffingTarget(aht_s=360))["aht"].tolist() == [360, 360]
    assert staff_requirements(frame, StaffingTarget())["aht"].tolist() == [180, 180]
    bare = _forecast(2, 100.0)
    by_queue = staff_requirements(bare, StaffingTarget(aht_by_queue={"*": 240}))
    assert by_queue["aht"].tolist() == [240, 240]
    with pytest.raises(InputError, match="no AHT.*give aht_s"):
        staff_requirements(bare, StaffingTarget())


def test_zero_call_intervals_need_no_one():
    frame = _forecast(3, 0.0)
    req = staff_requirements(frame, StaffingTarget())  # no AHT needed when there are no calls
    assert req["agents"].tolist() == [0, 0, 0] and req["staff"].tolist() == [0, 0, 0]


def test_interval_length_comes_from_the_forecast():
    half = staff_requirements(_forecast(2, 100.0, 180.0, freq="30min"), StaffingTarget())
    quarter = staff_requirements(_forecast(2, 50.0, 180.0, freq="15min"), StaffingTarget())
    assert half["agents"].iloc[0] == quarter["agents"].iloc[0] == 14  # both 10 Erlangs


def _two_queues():
    ts = pd.date_range("2026-11-02T08:00", periods=2, freq="30min")
    return pd.DataFrame(
        {
            "timestamp": np.repeat(ts, 2),
            "queue": ["billing", "outage"] * 2,
            "calls": [100.0, 300.0, 100.0, 300.0],
            "aht": [360.0, 120.0, 360.0, 120.0],
        }
    )


def test_per_queue_and_pooled():
    per_queue = staff_requirements(_two_queues(), StaffingTarget())
    assert per_queue["queue"].tolist() == ["billing", "outage"] * 2
    billing = int(erlang.agents_needed(100, 360, 0.8, 20))
    outage = int(erlang.agents_needed(300, 120, 0.8, 20))
    assert per_queue["agents"].tolist() == [billing, outage] * 2
    pooled = staff_requirements(_two_queues(), StaffingTarget(), pooled=True)
    assert "queue" not in pooled.columns and len(pooled) == 2
    assert pooled["aht"].iloc[0] == pytest.approx((100 * 360 + 300 * 120) / 400)
    assert pooled["agents"].iloc[0] < billing + outage  # pooling economies of scale


def test_erlang_a_adds_abandonment_and_needs_no_more_agents():
    frame = _forecast(3, 600.0, 300.0)
    c = staff_requirements(frame, StaffingTarget())
    a = staff_requirements(frame, StaffingTarget(model="erlang-a", patience_s=120))
    assert "abandon" in a.columns and "abandon" not in c.columns
    assert (a["agents"] <= c["agents"]).all()
    capped = staff_requirements(
        frame, StaffingTarget(model="erlang-a", patience_s=120, max_abandon_pct=1)
    )
    assert (capped["abandon"] <= 0.01).all()


def test_asa_only_target():
    req = staff_requirements(_forecast(1, 100.0, 180.0), StaffingTarget(sl_pct=None, asa_s=10))
    n = req["agents"].iloc[0]
    assert erlang.asa(100, 180, n) <= 10 < erlang.asa(100, 180, n - 1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sl_pct": 800}, "percentage.*did you mean 80"),
        ({"sl_pct": 100, "target_s": 0}, "100% at once cannot be met"),
        ({"sl_pct": 100}, "100% within 20 s cannot be met"),
        ({"aht_s": -5}, "AHT"),
        ({"asa_s": 0}, "ASA"),
        ({"shrinkage_pct": 100}, "shrinkage"),
        ({"model": "erlang-x"}, "model"),
        ({"model": "erlang-a"}, "patience"),
        ({"max_abandon_pct": 5}, "erlang-a"),
        ({"sl_pct": None}, "no staffing target"),
    ],
)
def test_impossible_or_malformed_targets(kwargs, match):
    with pytest.raises(InputError, match=match):
        StaffingTarget(**kwargs)


def test_reverse_mode_reports_what_agents_deliver():
    frame = _forecast(3, 100.0, 180.0)
    out = evaluate_staffing(frame, [8, 11, 14], StaffingTarget())
    assert out["service_level"].tolist()[1:] == pytest.approx([0.389614, 0.88835], abs=1e-6)
    assert np.isnan(out["asa"].iloc[0])  # 8 agents for 10 Erlangs: the queue grows
    assert out["meets_target"].tolist() == [False, False, True]
    a = evaluate_staffing(frame, 8, StaffingTarget(model="erlang-a", patience_s=60))
    assert (a["abandon"] > 0).all() and np.isfinite(a["asa"]).all()


def test_summary_staff_hours_and_fte():
    req = staff_requirements(_forecast(48, 100.0, 180.0, start="2026-11-02"), StaffingTarget())
    summ = summarise_requirements(req)
    assert summ.staff_hours == pytest.approx(48 * 20 * 0.5)
    assert summ.daily["fte"].iloc[0] == pytest.approx(480 / (40 / 7), abs=0.05)
    assert summ.peaks["agents"].iloc[0] == 14
    assert summ.fte == pytest.approx(84.0)


def test_read_forecast_errors_name_file_line_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("timestamp,calls,aht\n2026-11-02T08:00,100,180\n2026-11-02T08:30,100,-3\n")
    with pytest.raises(InputError, match=r"f\.csv:3: column 'aht'"):
        read_forecast(path)
    path.write_text("timestamp,volume\n2026-11-02T08:00,100\n")
    with pytest.raises(InputError, match="missing column 'calls'"):
        read_forecast(path)
    path.write_text("timestamp,calls\n2026-11-02T08:00,100\n2026-11-02T08:00,90\n")
    with pytest.raises(InputError, match="duplicate"):
        read_forecast(path)


def test_read_forecast_and_coverage(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        "timestamp,calls,lower,upper,aht,queue\n"
        "2026-11-02T08:00,100,80,120,180,outage\n2026-11-02T08:00,50,40,60,300,billing\n"
    )
    frame = read_forecast(path)
    assert frame["queue"].tolist() == ["billing", "outage"]
    cov = tmp_path / "c.csv"
    cov.write_text("timestamp,required,scheduled,shortfall\n2026-11-02T08:00,14,15,0\n")
    assert read_coverage(cov)["scheduled"].tolist() == [15.0]


# --- on-phone agents from a roster, and the shrinkage a requirements frame implies ------------


def test_on_phone_agents_rounds_down_like_the_weekly_run():
    from planner.staffing import on_phone_agents

    assert on_phone_agents([90, 10, 0, 1], 30).tolist() == [63, 7, 0, 0]
    assert on_phone_agents([5], 0).tolist() == [5]
    with pytest.raises(InputError, match="shrinkage"):
        on_phone_agents([5], 100)


def test_staffed_then_evaluated_on_its_own_staff_meets_the_target():
    """A requirements frame's staff, put back through shrinkage, gives at least its agents."""
    from planner.staffing import on_phone_agents

    req = staff_requirements(_forecast(6, 150.0, 240.0), StaffingTarget(shrinkage_pct=35))
    assert (on_phone_agents(req["staff"], 35) >= req["agents"]).all()


@settings(max_examples=60, deadline=None)
@given(
    agents=st.lists(st.integers(0, 150), min_size=1, max_size=60),
    tenths=st.integers(0, 600),
)
def test_implied_shrinkage_reproduces_every_rows_staff(agents, tenths):
    """Law: the implied shrinkage turns every row's agents into exactly its staff again."""
    from planner.staffing import implied_shrinkage

    pct = tenths / 10
    staff = erlang.staff_for_shrinkage(agents, pct)
    implied = implied_shrinkage(pd.DataFrame({"agents": agents, "staff": staff}))
    if staff.max() == 0:
        assert implied is None
        return
    assert implied.exact and implied.low_pct <= pct <= implied.high_pct + 1e-9
    assert erlang.staff_for_shrinkage(agents, implied.pct).tolist() == staff.tolist()


def test_implied_shrinkage_of_a_real_sized_week_is_the_one_used():
    from planner.staffing import implied_shrinkage

    agents = np.random.default_rng(3).integers(0, 120, 336)
    for pct in (0, 12.5, 30, 33, 35.5):
        staff = erlang.staff_for_shrinkage(agents, pct)
        assert implied_shrinkage(pd.DataFrame({"agents": agents, "staff": staff})).pct == pct


def test_implied_shrinkage_without_columns_or_consistent_rows():
    from planner.staffing import implied_shrinkage

    assert implied_shrinkage(pd.DataFrame({"calls": [3.0]})) is None
    rough = implied_shrinkage(pd.DataFrame({"agents": [3, 5], "staff": [6, 5]}))
    assert not rough.exact and rough.pct == pytest.approx(27.3)
    assert "about" in rough.describe()
