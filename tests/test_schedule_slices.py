"""Which slices the search visits and in what order: laws of `slice_order` and of the cut that
caps a slice's size (no solver runs here); and the cap on a slice's work, on a tiny HiGHS
model (a fraction of a second)."""

from __future__ import annotations

import functools
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from planner.schedule import improve
from planner.schedule.improve import MAX_SLICE_TOURS, _cut, slice_order, work_cap

slices_and_values = st.integers(1, 30).flatmap(
    lambda n: st.tuples(
        st.lists(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True), max_size=12),
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
        st.lists(st.floats(0, 3, allow_nan=False), min_size=n, max_size=n),
    )
)


@given(slices_and_values)
def test_without_the_lp_every_slice_is_visited_in_order(case):
    slices, roster, _ = case
    assert slice_order(slices, np.array(roster, dtype=float), None) == list(range(len(slices)))


@given(slices_and_values)
def test_slices_go_farthest_from_the_lp_first_and_agreeing_ones_are_skipped(case):
    slices, roster, lp = case
    roster_a, lp_a = np.array(roster, dtype=float), np.array(lp)
    order = slice_order(slices, roster_a, lp_a)
    scores = [float(np.abs(roster_a - lp_a)[members].sum()) for members in slices]
    assert len(set(order)) == len(order)
    assert scores == [float(np.abs(roster_a - lp_a)[m].sum()) for m in slices]
    assert all(scores[k] > improve.DIFFERENCE_EPS for k in order)
    skipped = set(range(len(slices))) - set(order)
    assert all(scores[k] <= improve.DIFFERENCE_EPS for k in skipped)
    visited = [round(scores[k], 6) for k in order]
    assert visited == sorted(visited, reverse=True)


@given(slices_and_values)
def test_the_first_round_keeps_the_order_and_visits_the_same_slices(case):
    slices, roster, lp = case
    roster_a, lp_a = np.array(roster, dtype=float), np.array(lp)
    first = slice_order(slices, roster_a, lp_a, ranked=False)
    assert first == sorted(first)
    assert sorted(slice_order(slices, roster_a, lp_a)) == first


def test_a_roster_equal_to_the_lp_leaves_nothing_to_visit():
    slices = [[0, 1], [2], [1, 2, 3]]
    values = np.array([1.0, 0.0, 2.0, 3.0])
    assert slice_order(slices, values, values.copy()) == []


@given(st.integers(1, 12), st.data())
def test_a_large_slice_is_cut_into_capped_parts_that_keep_every_tour(cap, data):
    starts = data.draw(st.lists(st.integers(0, 47), min_size=1, max_size=60))
    members = data.draw(st.lists(st.sampled_from(range(len(starts))), unique=True))
    members.sort()
    parts = _cut(members, starts, cap)
    assert sorted(k for part in parts for k in part) == members
    if len(members) <= cap:
        assert parts == [members]
        return
    assert all(0 < len(part) <= cap for part in parts)
    # cut by start time: no tour of a later part starts before one of an earlier part
    latest = [max(starts[k] for k in part) for part in parts]
    earliest = [min(starts[k] for k in part) for part in parts]
    assert all(a <= b for a, b in zip(latest, earliest[1:], strict=False))


def test_the_default_cap_is_the_search_s():
    starts = list(range(3 * MAX_SLICE_TOURS))
    parts = _cut(list(range(len(starts))), starts)
    assert len(parts) == 3 and all(len(part) == MAX_SLICE_TOURS for part in parts)


def _covering_mip():
    """A small covering MIP (integers 0-10, random costs and rows, fixed seed) whose branch
    and bound takes many interrupt checks."""
    import highspy

    rng = np.random.default_rng(0)
    n, m = 60, 40
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    cols = np.arange(n, dtype=np.int32)
    for _ in range(n):
        h.addVar(0, 10)
    h.changeColsIntegrality(n, cols, np.array([highspy.HighsVarType.kInteger] * n))
    h.changeColsCost(n, cols, rng.integers(5, 20, n).astype(float))
    for _ in range(m):
        idx = rng.choice(n, 10, replace=False).astype(np.int32)
        h.addRow(rng.integers(10, 30) + 0.5, highspy.kHighsInf, 10, idx, rng.integers(1, 9, 10))
    return h


def test_a_slice_stopped_on_its_work_cap_does_not_stop_the_next_ones():
    """The cap stops a run after its checks, and the next run on the same model (the next
    slice) does its own work: HiGHS keeps an interrupt flag between runs."""
    h = _covering_mip()
    calls = work_cap(h, 5)
    h.run()
    assert h.getInfo().simplex_iteration_count > 0 and calls[0] == 6
    assert h.modelStatusToString(h.getModelStatus()) == "Interrupted by user"
    for _ in range(2):
        calls[0] = 0
        h.run()
        assert h.getInfo().simplex_iteration_count > 0 and calls[0] == 6


def test_thin_weeks_first_free_neighbouring_patterns_in_half_days():
    """On a week of thin tours the first slices are pairs of patterns of working days that
    differ by one day at most, each with starts within 12 hours; then the usual slices follow,
    so every tour is still in some slice."""
    import pandas as pd

    from planner.schedule import rules_from_mapping
    from planner.schedule.files import requirements_horizon
    from planner.schedule.groups import make_groups
    from planner.schedule.model import build_model
    from planner.schedule.rules import DAY_MIN

    rules = rules_from_mapping(
        {"shifts": {"shift_lengths_h": [8], "start_step_min": 60, "days_per_week": [5, 6]}}, "t"
    )
    times = pd.date_range("2026-07-06", periods=7 * 24, freq="60min")
    req = requirements_horizon(pd.DataFrame({"timestamp": times, "staff": 3.0}))
    model = build_model(req, rules, make_groups(None, rules, req.queues))
    keys = list(model.y)
    plain, thin = improve.tour_slices(model), improve.tour_slices(model, thin=True)
    pairs = thin[: len(thin) - len(plain)]
    assert pairs and thin[len(pairs) :] == plain
    for members in pairs:
        patterns = {model.tours[keys[k][1]].days for k in members}
        assert len(patterns) == 2
        one, other = (set(p) for p in patterns)
        assert len(one & other) >= min(len(one), len(other)) - 1
        starts = sorted(model.tours[keys[k][1]].shift.start_min % DAY_MIN for k in members)
        assert starts[-1] - starts[0] < 12 * 60
    assert {k for members in thin for k in members} == set(range(len(keys)))
    lp = np.zeros(len(keys))
    lp[:10] = 1.0
    assert improve.thin_tours(lp) and not improve.thin_tours(2 * lp)


@given(
    st.floats(0.001, 0.2),
    st.floats(0.05, 8.0),
    st.one_of(st.floats(0.5, 200.0), st.just(float("inf"))),
)
def test_the_gap_note_says_small_team_exactly_below_the_peak_threshold(gap, per_tour, peak):
    """The reason printed with the gap: a small team (fewer than `SMALL_TEAM_PEAK` agents on
    the phones at the peak, named as a whole number) and thin tours, each said exactly when
    it holds."""
    from planner.schedule.result import hardness_note
    from planner.schedule.solvers import SMALL_TEAM_PEAK, THIN_TOURS

    note = hardness_note(gap, per_tour, peak)
    assert note.startswith(f"gap {100 * gap:.2f}%")
    assert ("small team" in note) == (peak < SMALL_TEAM_PEAK)
    if peak < SMALL_TEAM_PEAK:
        assert f"small team: {math.ceil(peak - 1e-9)} agents on the phones at the peak" in note
    assert ("thin tours" in note) == (per_tour <= THIN_TOURS)


def _flat_week_model():
    """A 24/7 hourly week of 3 staff, 8-h shifts of 5 or 6 days (no solver runs)."""
    import pandas as pd

    from planner.schedule import rules_from_mapping
    from planner.schedule.files import requirements_horizon
    from planner.schedule.groups import make_groups
    from planner.schedule.model import build_model

    rules = rules_from_mapping(
        {"shifts": {"shift_lengths_h": [8], "start_step_min": 60, "days_per_week": [5, 6]}}, "t"
    )
    times = pd.date_range("2026-07-06", periods=7 * 24, freq="60min")
    req = requirements_horizon(pd.DataFrame({"timestamp": times, "staff": 3.0}))
    return build_model(req, rules, make_groups(None, rules, req.queues))


@functools.cache
def flat():
    """The flat week's model and its tours' cover, built once by the worker that needs it
    (not at import: every worker imports every test module)."""
    model = _flat_week_model()
    return model, improve.tour_cover(model)


def agents_per_tour(picks, n: int, scale: float = 1.0) -> np.ndarray:
    """Agents on each of `n` tours from (any integer, agents) picks (the tour: modulo n)."""
    out = np.zeros(n)
    for k, agents in picks:
        out[k % n] += agents * scale
    return out


def test_a_tour_is_on_shift_its_paid_hours_each_working_day():
    FLAT, FLAT_COVER = flat()
    for k, (_, i) in enumerate(FLAT.y):
        tour = FLAT.tours[i]
        assert FLAT_COVER[k].sum() == tour.paid_min // FLAT.req.interval_min


tours_and_agents = st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 3)), max_size=40)


@given(tours_and_agents, tours_and_agents)
def test_windows_are_where_the_roster_stands_most_above_the_lp(roster_picks, lp_picks):
    """The windows chosen are at most `WINDOWS`, each with more agents on shift in the roster
    than in the LP, most first; a roster equal to the LP has none."""
    FLAT, FLAT_COVER = flat()
    roster = agents_per_tour(roster_picks, len(FLAT.y))
    lp = agents_per_tour(lp_picks, len(FLAT.y), 0.5)
    firsts = improve.window_starts(FLAT, FLAT_COVER, roster, lp)
    assert len(firsts) <= improve.WINDOWS and len(set(firsts)) == len(firsts)
    above = roster @ FLAT_COVER - lp @ FLAT_COVER
    width = round(improve.WINDOW_H * 60) // FLAT.req.interval_min
    n = FLAT_COVER.shape[1]
    scores = [float(above[np.arange(t, t + width) % n].sum()) for t in firsts]
    assert all(score > improve.DIFFERENCE_EPS for score in scores)
    assert scores == sorted(scores, reverse=True)
    assert improve.window_starts(FLAT, FLAT_COVER, roster, roster.copy()) == []


@given(tours_and_agents, st.integers(0, 7 * 24 - 1))
def test_a_window_frees_its_roster_tours_and_only_tours_on_shift_in_it(roster_picks, first):
    """Every tour the roster uses on shift in the window is freed; every freed tour is on
    shift in the window and starts within `NEAR_START_H` of a freed roster tour."""
    FLAT, FLAT_COVER = flat()
    roster = agents_per_tour(roster_picks, len(FLAT.y))
    members = improve.window_slice(FLAT, FLAT_COVER, roster, first)
    width = round(improve.WINDOW_H * 60) // FLAT.req.interval_min
    inside = FLAT_COVER[:, np.arange(first, first + width) % FLAT_COVER.shape[1]].any(axis=1)
    used = {k for k in range(len(roster)) if roster[k] > 0 and inside[k]}
    assert used <= set(members) and all(inside[k] for k in members)
    keys = list(FLAT.y)
    start = [FLAT.tours[i].shift.start_min for (_, i) in keys]
    for k in members:
        apart = [min(abs(start[k] - start[u]), 24 * 60 - abs(start[k] - start[u])) for u in used]
        assert min(apart) <= improve.NEAR_START_H * 60
