"""Scenario files: validation messages, `extends`, weeks, and dated adjustments."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import scenario
from planner.choices import NoteTopic
from planner.errors import InputError
from planner.scenario import (
    Adjustment,
    apply_adjustments,
    first_week_after,
    parse_week,
    week_label,
)
from planner.schedule import rules_from_mapping


def load_scenario(path):
    return scenario.load_scenario(path, rules_from_mapping)


def default_scenario():
    return scenario.default_scenario(rules_from_mapping)


SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped files ----------------------------------------------------------------------------


def test_shipped_scenarios_load_and_have_a_header():
    files = sorted(SCENARIOS.glob("*.toml"))
    names = {p.stem for p in files}
    assert {
        "baseline",
        "summer-peak",
        "heat-wave",
        "storm",
        "service-90-20",
        "more-part-time",
        "headcount-cap",
    } <= names
    for path in files:
        sc = load_scenario(path)
        assert sc.name == path.stem
        assert path.read_text(encoding="utf-8").startswith("#"), f"{path.name}: no comment header"


def test_baseline_file_states_the_builtin_defaults():
    baseline = load_scenario(SCENARIOS / "baseline.toml")
    assert dataclasses.replace(baseline, files=(), origins=()) == default_scenario()


def test_what_ifs_differ_from_the_baseline_where_they_say():
    assert load_scenario(SCENARIOS / "service-90-20.toml").service.sl_pct == 90
    assert load_scenario(SCENARIOS / "headcount-cap.toml").rules.headcount_cap > 0
    assert load_scenario(SCENARIOS / "summer-peak.toml").forecast.plan_at == "upper"
    heat = load_scenario(SCENARIOS / "heat-wave.toml")
    # the heat wave comes from the weather forecast, resolved next to the scenario file, not
    # from a fixed lift (both at once would count the heat twice)
    assert heat.data.temperature == SCENARIOS / "heat-wave-temperature.csv"
    assert heat.data.temperature.is_file()
    assert heat.adjustments == ()
    assert heat.run.week == "2027-W28"
    # inherited from the baseline
    assert heat.service.shrinkage_pct == 30 and heat.rules.max_weekly_hours == 48


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[service]\nsl_pcnt = 80\n", "[service] unknown key 'sl_pcnt'"),
        ("[service]\nsl_pct = 800\n", "[service] sl_pct = 800: expected a number in (0, 100)"),
        ('[service]\nsl_pct = "80"\n', '[service] sl_pct = "80": expected a number'),
        ("[service]\nshrinkage_pct = 100\n", "[service] shrinkage_pct = 100"),
        ('[service]\nmodel = "erlang-x"\n', '[service] model = "erlang-x": expected one of'),
        ('[service]\nmodel = "erlang-a"\n', "erlang-a needs [service] patience_s"),
        ('[forecast]\nplan_at = "lower"\n', '[forecast] plan_at = "lower": expected one of'),
        ("[forecast]\ninterval_min = 20\n", "[forecast] interval_min = 20"),
        ("[run]\ntime_limit_s = -1\n", "[run] time_limit_s = -1"),
        ('[run]\nsimulate = "yes"\n', '[run] simulate = "yes": expected true or false'),
        ('[run]\nweek = "2027-28"\n', '[run] week = "2027-28": expected an ISO week'),
        ('[run]\nsolver = "gurobi"\n', '[run] solver = "gurobi"'),
        ("[run]\ngap_pct = 100\n", "[run] gap_pct = 100: expected a number in [0, 100)"),
        ('[data]\ncountry = "Vietnam"\n', '[data] country = "Vietnam"'),
        ('[run]\nweek = "9999-W52"\n', '[run] week = "9999-W52": expected an ISO week'),
        ("[run]\nstart = 9999-12-31\n", "[run] start = 9999-12-31: expected a date from"),
        ('[data]\ncountry = "XX"\n', '[data] country = "XX": expected a country code'),
        ('[data]\nhistory = ""\n', '[data] history = "": expected a CSV path'),
        ('[forecast]\nmodel = "prophet"\n', '[forecast] model = "prophet": expected one of'),
        ("[service]\nshrinkage_pct = 99.999\n", "[service] shrinkage_pct = 99.999"),
        ("[service]\nshrinkage_pct = 1e300\n", "[service] shrinkage_pct = 1e+300"),
        ("[service]\nmax_occupancy_pct = 0.0001\n", "[service] max_occupancy_pct = 0.0001"),
        ("colour = 1\n", "unknown key 'colour'"),
        ("service = 3\n", "service = 3: expected a table"),
    ],
)
def test_bad_values_name_file_table_key_and_what_is_allowed(tmp_path, text, expected):
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"# only a comment\n"])
def test_an_empty_scenario_is_an_error_not_the_bundled_demo(tmp_path, content):
    path = tmp_path / "empty.toml"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty scenario file"):
        load_scenario(path)


def test_hostile_scenario_files_end_in_one_clean_error(tmp_path):
    deep = write(tmp_path, "deep.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError, match="nested too deeply|invalid TOML"):
        load_scenario(deep)
    for n in range(200):  # a long extends chain: refused, no RecursionError
        write(tmp_path, f"c{n}.toml", f'extends = "c{n + 1}.toml"\n' if n < 199 else "name = 'x'\n")
    with pytest.raises(InputError, match="extends chain longer than"):
        load_scenario(tmp_path / "c0.toml")
    (tmp_path / "loop.toml").symlink_to(tmp_path / "loop.toml")
    child = write(tmp_path, "child.toml", 'extends = "loop.toml"\n')
    with pytest.raises(InputError, match="symlink loop|cannot read"):
        load_scenario(child)
    nul = write(tmp_path, "nul.toml", 'extends = "a\\u0000b.toml"\n')
    with pytest.raises(InputError, match="extends"):
        load_scenario(nul)


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    import os

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_scenario(fifo)
    child = write(tmp_path, "child.toml", 'extends = "pipe.toml"\n')
    with pytest.raises(InputError, match="not a regular file"):
        load_scenario(child)


@pytest.mark.slow
def test_the_scenario_layer_does_not_import_the_schedule_stage():
    import subprocess
    import sys

    code = "import sys, planner.scenario; print('planner.schedule' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_roster_rules_are_validated_by_the_schedule_stage_naming_the_file(tmp_path):
    path = write(tmp_path, "bad.toml", "[labour]\nmax_weekly_hours = 500\n")
    with pytest.raises(InputError, match=r"bad\.toml: labour\.max_weekly_hours = 500"):
        load_scenario(path)
    path = write(tmp_path, "bad2.toml", "[shifts]\nshift_length = 8\n")
    with pytest.raises(InputError, match=r"bad2\.toml: unknown rule key 'shifts\.shift_length'"):
        load_scenario(path)


@pytest.mark.parametrize(
    "item, expected",
    [
        ("from = 2027-07-01\nto = 2027-07-02\nvolume = 2\n", "unknown key 'volume'"),
        ("from = 2027-07-01\nvolume_factor = 2\n", "to is missing"),
        ('from = "1 July"\nto = 2027-07-02\nvolume_factor = 2\n', 'from = "1 July"'),
        (
            "from = 2027-07-03\nto = 2027-07-01\nvolume_factor = 2\n",
            "expected a date or time after",
        ),
        ("from = 2027-07-01\nto = 2027-07-02\nvolume_factor = -1\n", "volume_factor = -1"),
        ("from = 2027-07-01\nto = 2027-07-02\n", "expected volume_factor, aht_factor or aht_s"),
        ("from = 2027-07-01\nto = 2027-07-02\nqueue = 3\nvolume_factor = 2\n", "queue = 3"),
    ],
)
def test_bad_adjustments(tmp_path, item, expected):
    path = write(tmp_path, "adj.toml", f"[[adjustments]]\n{item}")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}: [adjustments.1] ")
    assert expected in str(err.value)


def test_invalid_toml_and_missing_file(tmp_path):
    path = write(tmp_path, "broken.toml", "[service\nsl_pct = 80\n")
    with pytest.raises(InputError, match=r"broken\.toml: invalid TOML"):
        load_scenario(path)
    with pytest.raises(InputError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.toml")


# --- extends ------------------------------------------------------------------------------------


def test_extends_deep_merges_and_paths_are_relative_to_each_file(tmp_path):
    (tmp_path / "sub").mkdir()
    write(
        tmp_path,
        "base.toml",
        '[data]\nevents = "events.csv"\n[service]\nsl_pct = 85\nshrinkage_pct = 25\n'
        "[labour]\nheadcount_cap = 50\n",
    )
    child = write(
        tmp_path / "sub",
        "child.toml",
        'extends = "../base.toml"\n[service]\nsl_pct = 90\n[data]\nagents = "agents.csv"\n',
    )
    sc = load_scenario(child)
    assert sc.service.sl_pct == 90  # overridden
    assert sc.service.shrinkage_pct == 25  # inherited from the same table
    assert sc.rules.headcount_cap == 50
    assert sc.data.events == tmp_path / "events.csv"
    assert sc.data.agents == tmp_path / "sub" / "agents.csv"
    assert [p.name for p in sc.files] == ["child.toml", "base.toml"]
    assert sc.name == "child"


def test_an_error_in_the_parent_names_the_parent(tmp_path):
    write(tmp_path, "base.toml", "[service]\nsl_pct = 0\n")
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\n[service]\ntarget_s = 15\n')
    with pytest.raises(InputError) as err:
        load_scenario(child)
    assert str(err.value).startswith(f"{tmp_path / 'base.toml'}: [service] sl_pct = 0")


def test_a_child_can_fix_its_parents_value(tmp_path):
    write(tmp_path, "base.toml", "[service]\nsl_pct = 70\n")
    child = write(tmp_path, "child.toml", 'extends = "base.toml"\n[service]\nsl_pct = 95\n')
    assert load_scenario(child).service.sl_pct == 95


def test_extends_cycle_is_reported(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(InputError, match=r"extends cycle: a\.toml -> b\.toml -> a\.toml"):
        load_scenario(tmp_path / "a.toml")
    write(tmp_path, "self.toml", 'extends = "self.toml"\n')
    with pytest.raises(InputError, match="extends cycle"):
        load_scenario(tmp_path / "self.toml")


def test_extends_missing_parent(tmp_path):
    child = write(tmp_path, "child.toml", 'extends = "gone.toml"\n')
    with pytest.raises(InputError, match=r"gone\.toml: scenario file not found"):
        load_scenario(child)


def test_adjustments_of_a_child_replace_the_parents(tmp_path):
    write(
        tmp_path,
        "base.toml",
        "[[adjustments]]\nlabel='a'\nfrom=2027-01-01\nto=2027-01-02\nvolume_factor=2\n",
    )
    child = write(
        tmp_path,
        "child.toml",
        'extends = "base.toml"\n[[adjustments]]\nlabel="b"\nfrom=2027-02-01\nto=2027-02-01\n'
        "aht_s = 300\n",
    )
    adjustments = load_scenario(child).adjustments
    assert [a.label for a in adjustments] == ["b"]
    assert adjustments[0].end == dt.datetime(2027, 2, 2)  # a date 'to' takes the whole day


# --- weeks ----------------------------------------------------------------------------------------


def test_weeks():
    assert parse_week("2027-W28") == dt.date(2027, 7, 12)
    assert week_label(dt.date(2027, 7, 12)) == "2027-W28"
    assert week_label(dt.date(2027, 7, 14)) == "2027-07-14"
    assert first_week_after(dt.date(2026, 11, 1)) == dt.date(2026, 11, 2)  # a Sunday
    assert first_week_after(dt.date(2026, 11, 2)) == dt.date(2026, 11, 9)  # a Monday
    with pytest.raises(InputError):
        parse_week("2027-W60")


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_first_week_after_is_the_next_monday(day):
    monday = first_week_after(day)
    assert monday.weekday() == 0
    assert 1 <= (monday - day).days <= 7


def test_week_and_start_together_are_refused(tmp_path):
    path = write(tmp_path, "w.toml", '[run]\nweek = "2027-W28"\nstart = 2027-07-12\n')
    with pytest.raises(InputError, match="give week or start, not both"):
        load_scenario(path)


# --- adjustments on a forecast frame ---------------------------------------------------------


def forecast_frame(queues=()):
    times = pd.date_range("2027-07-12", periods=7 * 24, freq="h")
    frames = []
    for q in queues or (None,):
        f = pd.DataFrame(
            {"timestamp": times, "calls": 10.0, "lower": 8.0, "upper": 12.0, "aht": 300.0}
        )
        if q is not None:
            f["queue"] = q
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def test_volume_adjustment_hits_exactly_its_days():
    adj = Adjustment("heat", dt.datetime(2027, 7, 13), dt.datetime(2027, 7, 15), volume_factor=1.3)
    out, notes = apply_adjustments(forecast_frame(), (adj,))
    day = out["timestamp"].dt.date
    inside = (day >= dt.date(2027, 7, 13)) & (day <= dt.date(2027, 7, 14))
    assert np.allclose(out.loc[inside, "calls"], 13.0)
    assert np.allclose(out.loc[inside, "upper"], 15.6)
    assert np.allclose(out.loc[~inside, "calls"], 10.0)
    assert np.allclose(out["aht"], 300.0)
    assert "48 intervals" in notes[0].text and notes[0].topic == NoteTopic.ADJUSTMENT


def test_queue_adjustment_touches_only_that_queue_and_aht():
    adj = Adjustment(
        "storm",
        dt.datetime(2027, 7, 14),
        dt.datetime(2027, 7, 16),
        queues=("outage",),
        volume_factor=3.0,
        aht_factor=1.2,
    )
    out, _ = apply_adjustments(forecast_frame(("outage", "billing")), (adj,))
    day = out["timestamp"].dt.date
    hit = (out["queue"] == "outage") & (day >= dt.date(2027, 7, 14)) & (day <= dt.date(2027, 7, 15))
    assert np.allclose(out.loc[hit, "calls"], 30.0)
    assert np.allclose(out.loc[hit, "aht"], 360.0)
    assert np.allclose(out.loc[~hit, "calls"], 10.0)
    assert np.allclose(out.loc[~hit, "aht"], 300.0)


def test_adjustments_compose_and_time_bounds_are_half_open():
    a = Adjustment("a", dt.datetime(2027, 7, 12, 8), dt.datetime(2027, 7, 12, 10), volume_factor=2)
    b = Adjustment("b", dt.datetime(2027, 7, 12, 9), dt.datetime(2027, 7, 12, 11), aht_s=400)
    out, _ = apply_adjustments(forecast_frame(), (a, b))
    by_hour = out.set_index(out["timestamp"].dt.hour)[:24]
    assert list(by_hour.loc[7:11, "calls"]) == [10, 20, 20, 10, 10]
    assert list(by_hour.loc[7:11, "aht"]) == [300, 300, 400, 400, 300]


def test_adjustment_outside_the_week_is_noted_not_applied():
    adj = Adjustment("june", dt.datetime(2027, 6, 10), dt.datetime(2027, 6, 21), volume_factor=1.3)
    frame = forecast_frame()
    out, notes = apply_adjustments(frame, (adj,))
    pd.testing.assert_frame_equal(out, frame)
    assert "no effect" in notes[0].text and notes[0].topic == NoteTopic.UNUSED_ADJUSTMENT


def test_queue_adjustment_needs_queues():
    adj = Adjustment("s", dt.datetime(2027, 7, 14), dt.datetime(2027, 7, 15), ("outage",), 3.0)
    with pytest.raises(InputError, match="needs a per-queue history"):
        apply_adjustments(forecast_frame(), (adj,))
    with pytest.raises(InputError, match="queue outage not in the forecast"):
        apply_adjustments(forecast_frame(("billing",)), (adj,))


def test_bundled_files_can_be_named(tmp_path):
    path = write(
        tmp_path,
        "b.toml",
        '[data]\nhistory = "bundled:hotline_by_type.csv"\ntemperature = "bundled:temperature.csv"\n',
    )
    sc = load_scenario(path)
    assert sc.data.history.name == "hotline_by_type.csv" and sc.data.history.exists()
    assert sc.data.temperature.name == "temperature.csv"
    path = write(tmp_path, "c.toml", '[data]\nevents = "bundled:nope.csv"\n')
    with pytest.raises(InputError, match=r'\[data\] events = "bundled:nope.csv": no bundled file'):
        load_scenario(path)


def test_the_bundled_history_forecasts_with_the_bundled_temperature_as_planner_forecast(
    tmp_path,
):
    from planner import io
    from planner.pipeline.kpis import summary_inputs

    bundled = io.bundled_path("temperature.csv")
    own = write(tmp_path, "history.csv", "timestamp,calls\n2026-07-06,3\n")
    other = write(tmp_path, "weather.csv", "date,temp_max_c\n2026-07-06,30\n")
    cases = {
        "": bundled,  # the bundled history, no temperature given
        'history = "bundled"\n': bundled,
        'history = "bundled"\ntemperature = "weather.csv"\n': other,
        f'history = "{own.name}"\n': None,  # a history of one's own: only a file given
        'history = "bundled:hotline_by_type.csv"\n': None,  # as `planner forecast FILE`
    }
    for data, expected in cases.items():
        sc = load_scenario(write(tmp_path, "s.toml", f'name = "s"\n[data]\n{data}'))
        assert sc.data.temperature == expected, data
        roles = [item["role"] for item in summary_inputs(sc)]
        assert ("temperature" in roles) == (expected is not None), data
    assert scenario.default_scenario(rules_from_mapping).data.temperature == bundled


def test_the_bundled_line_comes_with_its_named_agents_and_an_own_line_does_not(tmp_path):
    from planner import io

    bundled = io.bundled_path("agents.csv")
    assert default_scenario().data.agents == bundled
    per_queue = write(tmp_path, "q.toml", '[data]\nhistory = "bundled:hotline_by_type.csv"\n')
    assert load_scenario(per_queue).data.agents == bundled
    write(tmp_path, "h.csv", "timestamp,calls,aht\n")
    own = write(tmp_path, "own.toml", '[data]\nhistory = "h.csv"\n')
    assert load_scenario(own).data.agents is None  # the roster sizes the workforce
    sized = write(tmp_path, "sized.toml", '[data]\nagents = ""\n')
    assert load_scenario(sized).data.agents is None
    listed = write(tmp_path, "listed.toml", '[data]\nhistory = "h.csv"\nagents = "a.csv"\n')
    assert load_scenario(listed).data.agents == tmp_path / "a.csv"
