"""The slice search after the polish: never dearer than its start, legal, the same twice, and
every tour in some slice."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pulp
import pytest

from planner.schedule import rules_from_mapping
from planner.schedule.build import lp_relaxation
from planner.schedule.files import requirements_horizon
from planner.schedule.groups import make_groups
from planner.schedule.improve import improve_by_slices, tour_slices
from planner.schedule.model import build_model
from planner.schedule.start import build_start, values_kept

RULES = {"shifts": {"shift_lengths_h": [8, 9], "start_step_min": 60, "days_per_week": [5]}}


def peaked_week() -> pd.DataFrame:
    """An hourly 24/7 week with a morning and an afternoon peak (5-19 staff)."""
    times = pd.date_range("2026-07-06", periods=7 * 24, freq="60min")
    h = times.hour.to_numpy()
    shape = 5 + 12 * np.exp(-(((h - 10) / 2.5) ** 2)) + 9 * np.exp(-(((h - 16) / 3) ** 2))
    day = np.array([1.1, 1.0, 1.0, 1.0, 0.95, 0.8, 0.75])[times.day_of_week]
    return pd.DataFrame({"timestamp": times, "staff": np.ceil(shape * day)})


# every test here shares one search over a summer-sized week (a minute of solving)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def searched():
    rules = rules_from_mapping(RULES, "test")
    req = requirements_horizon(peaked_week())
    model = build_model(req, rules, make_groups(None, rules, req.queues))
    lp = lp_relaxation(model, time.monotonic() + 60)
    start = build_start(model)
    assert start is not None
    # deadlines far beyond what the search takes: its work limits end it, not the clock, so
    # the test does not depend on how fast or busy the machine is
    runs = [improve_by_slices(model, start, lp.objective, 0.0, time.monotonic() + 3600)]
    runs.append(improve_by_slices(model, start, lp.objective, 0.0, time.monotonic() + 3600))
    return model, lp, start, runs


def test_the_search_is_never_dearer_and_its_roster_is_legal(searched):
    model, lp, start, runs = searched
    better, _ = runs[0]
    assert lp.objective - 1e-6 <= better.objective <= start.objective + 1e-9
    for var in model.prob.variables():
        var.varValue = better.values[var.name]
    assert model.prob.valid(eps=1e-6)
    assert pulp.value(model.prob.objective) == pytest.approx(better.objective)


def test_the_search_gives_the_same_roster_twice(searched):
    _, _, _, runs = searched
    assert runs[0][0].values == runs[1][0].values


def test_every_tour_is_in_some_slice(searched):
    model = searched[0]
    covered = {k for band in tour_slices(model) for k in band}
    assert covered == set(range(len(model.y)))


def test_a_passed_deadline_keeps_the_start_and_says_the_clock_stopped(searched):
    model, lp, start, _ = searched
    same, clock = improve_by_slices(model, start, lp.objective, 0.0, time.monotonic() - 1)
    assert same is start and clock


def test_the_search_finds_a_cheaper_roster_than_the_constructive_start(searched):
    _, _, start, runs = searched
    assert runs[0][0].objective < start.objective - 1.0


def test_the_over_coverage_windows_never_make_the_roster_dearer_and_keep_it_legal(
    searched, monkeypatch
):
    """With the LP's tours and the week taken as thin enough, the search starts with the windows
    where the roster over-covers (`window_phase`): its roster is still never dearer than the
    start, legal, and the same twice."""
    from planner.schedule import improve

    model, lp, start, _ = searched
    with values_kept(model):
        lp_relaxation(model, time.monotonic() + 60)
        lp_tours = {key: max(0.0, var.value() or 0.0) for key, var in model.y.items()}
    monkeypatch.setattr(improve, "thin_tours", lambda _lp: True)
    monkeypatch.setattr(improve, "WINDOWS_FROM", 0.0)
    deadline = time.monotonic() + 3600
    budget = improve.WORK_BUDGET // 6  # enough for the windows and a round, in a third of the time
    runs = [
        improve_by_slices(model, start, lp.objective, 0.0, deadline, lp_tours, budget) for _ in "ab"
    ]
    better, _ = runs[0]
    assert lp.objective - 1e-6 <= better.objective <= start.objective + 1e-9
    for var in model.prob.variables():
        var.varValue = better.values[var.name]
    assert model.prob.valid(eps=1e-6)
    assert runs[0][0].values == runs[1][0].values
