"""Cron style, two weeks in a row: the second `planner run` finds last week's published roster in
the plan store and continues it, so every rule holds across the boundary, checked from the two
roster files alone."""

from __future__ import annotations

import json

import pytest
from helpers import invoke

from planner.scenario import load_rules
from planner.schedule import check_weeks, read_roster, rules_from_mapping


@pytest.mark.slow
def test_the_second_week_continues_the_first_from_the_store(small, tmp_path):
    out = tmp_path / "out"
    first = invoke(["run", small, "--week", "2026-W07", "--out", out / "w07", "--quiet"])
    assert first.exit_code in (0, 3), first.output
    second = invoke(["run", small, "--week", "2026-W08", "--out", out / "w08", "--quiet"])
    assert second.exit_code in (0, 3), second.output

    week1 = read_roster(out / "w07" / "roster.csv")
    week2 = read_roster(out / "w08" / "roster.csv")
    rules = load_rules(small, rules_from_mapping)
    assert check_weeks(week1, week2, rules) == []
    assert set(week2["agent"]) & set(week1["agent"])
    assert week2["start"].min() >= week1["end"].min()  # nothing wrapped back into week 1
    assert (out / "planner.db").exists()
    summary = json.loads((out / "w08" / "summary.json").read_text(encoding="utf-8"))
    assert summary["week"]["label"] == "2026-W08"
    assert any("continues last week's published roster" in note for note in summary["notes"])
    first_summary = json.loads((out / "w07" / "summary.json").read_text(encoding="utf-8"))
    assert not any("continues last week" in note for note in first_summary["notes"])


@pytest.mark.slow
def test_compare_continues_the_store_like_run_and_gives_the_same_roster(small, tmp_path):
    out = tmp_path / "out"
    store = out / "planner.db"
    assert invoke(["run", small, "--week", "2026-W07", "--out", out / "w07", "-q"]).exit_code in (
        0,
        3,
    )
    second = invoke(["run", small, "--week", "2026-W08", "--out", out / "w08", "-q"])
    assert second.exit_code in (0, 3), second.output
    summary = json.loads((out / "w08" / "summary.json").read_text(encoding="utf-8"))

    def compared(*extra):
        result = invoke(["compare", small, "--week", "2026-W08", "--format", "json", *extra])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)[0], result.stderr

    row, stderr = compared("--store", store)
    assert "continues last week's published roster" in stderr
    assert row["headcount"] == summary["kpis"]["headcount"]
    assert row["cost"] == summary["kpis"]["cost"]
    alone, stderr = compared("--no-store")
    assert "continues" not in stderr
    assert invoke(["compare", small, "--store", store, "--no-store"]).exit_code == 2
