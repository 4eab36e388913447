"""Fuzz the weekly run (issue 19): a few hundred seeded malformed inputs of every kind a run
reads (histories, scenarios, agents, events, temperature, roster rules, and the paths a
scenario names) through `planner run`, each in a fresh folder. Every case must end within
30 s in a documented exit code with one error line when it fails, never an internal error;
a failed run leaves no output (no week directory, no hidden sibling, no stored run); a run
that publishes leaves every output file and a store that agrees with what it published."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from fuzz_corpus import BASES, RULES, SCENARIO, cases
from helpers import deadline, invoke

from planner import store
from planner.errors import PlannerError
from planner.jobs.week import MARKER
from planner.report.week import OUTPUT_FILES

RUN_BASE = (
    SCENARIO.split("[shifts]")[0].replace(
        'history = "history.csv"\n',
        'history = "history.csv"\nagents = "agents.csv"\nevents = "events.csv"\n'
        'temperature = "temperature.csv"\n',
    )
    + "[run]\ntime_limit_s = 10\ngap_pct = 5\n"
)
FILES = {
    "history": "history.csv",
    "agents": "agents.csv",
    "events": "events.csv",
    "temperature": "temperature.csv",
}
COUNTS = {"history": 70, "scenario": 70, "agents": 40, "events": 40, "temperature": 40,
          "rules": 40}  # fmt: skip
ODD_PATHS = ["/dev/zero", "FIFO", "../outside.csv", "bundled:../..", "bundled:", ".", "",
             "missing.csv", "LOOP", "x" * 300 + ".csv", "/etc/passwd", "sub/../../outside.csv",
             "LINK-OUT", "history.csv/x", "bundled:agents.csv", "\u00e9\u4e2d.csv"]  # fmt: skip


def _path_cases(n: int, seed: int = 20261) -> list[tuple[str, bytes]]:
    """Scenarios whose data paths (or [run] store) name something odd."""
    rng = random.Random(seed)
    out = []
    keys = [*FILES, "store"]
    for i in range(n):
        key, value = rng.choice(keys), rng.choice(ODD_PATHS)
        text = RUN_BASE + RULES
        if key == "store":
            text = text.replace("[run]\n", f'[run]\nstore = "{value}"\n')
        else:
            text = text.replace(f'{key} = "{FILES[key]}"', f'{key} = "{value}"')
        out.append((f"paths-{i:03d}-{key}", text.encode()))
    return out


def _all_cases() -> list[tuple[str, str, bytes]]:
    out = [(kind, name, data) for kind, n in COUNTS.items() for name, data in cases(kind, n)]
    out += [("paths", name, data) for name, data in _path_cases(24)]
    return out


CASES = _all_cases()


def test_the_corpus_is_large_and_seeded():
    assert len(CASES) >= 300
    assert {kind for kind, _, _ in CASES} == {*COUNTS, "paths"}
    assert [n for _, n, _ in _all_cases()] == [n for _, n, _ in CASES]
    assert [d for _, _, d in _all_cases()] == [d for _, _, d in CASES]


def _folder(root: Path, kind: str, data: bytes) -> Path:
    """A scenario folder with one valid file of each kind, the case's file in place."""
    root.mkdir()
    for key, name in FILES.items():
        (root / name).write_text(BASES[key](), encoding="utf-8")
    scenario = (RUN_BASE + RULES).encode()
    if kind in FILES:
        (root / FILES[kind]).write_bytes(data)
    elif kind == "rules":
        scenario = RUN_BASE.encode() + b"\n" + data
    else:
        scenario = data
    (root / "scenario.toml").write_bytes(scenario)
    os.mkfifo(root / "FIFO")
    os.symlink(root / "LOOP", root / "LOOP")
    (root.parent / "outside.csv").write_text("secret,cells\nroot,x\n", encoding="utf-8")
    os.symlink(root.parent / "outside.csv", root / "LINK-OUT")
    return root / "scenario.toml"


@pytest.mark.slow
@pytest.mark.parametrize("kind, name, data", CASES, ids=[name for _, name, _ in CASES])
def test_a_run_on_a_malformed_input_ends_cleanly(tmp_path, kind, name, data):
    scenario = _folder(tmp_path / "case", kind, data)
    out = tmp_path / "out"
    out.mkdir()
    week = out / "week"
    db = out / "planner.db"
    named = re.search(rb'\nstore = "([^"]*)"', scenario.read_bytes())
    if named:  # [run] store, relative to the scenario's folder
        db = scenario.parent / named.group(1).decode()
    with deadline(30):
        result = invoke(["run", scenario, "--out", week, "-q"])
    err = result.stderr
    assert "internal error" not in err and "Traceback" not in err, f"{name}: {err}"
    assert result.exit_code in (0, 1, 2, 3, 4), f"{name}: exit {result.exit_code}: {err}"
    errors = [line for line in err.splitlines() if line.startswith("planner: error:")]
    hidden = [p.name for p in out.iterdir() if p.name.startswith(".week.")]
    assert hidden == [], f"{name}: {hidden}"
    if result.exit_code in (1, 2):
        assert len(errors) == 1, f"{name}: {err}"
        assert "secret" not in err and "root,x" not in err, f"{name}: {err}"
        assert not week.exists(), f"{name}: a failed run left {week}"
        try:
            stored = store.list_runs(db)["published"].sum()
        except PlannerError:  # no store there, or not one (the fault was the store)
            stored = 0
        assert stored == 0, name
        return
    assert errors == [], f"{name}: {err}"
    assert sorted(p.name for p in week.iterdir()) == sorted(
        [*OUTPUT_FILES, MARKER, *(["sim.csv"] if (week / "sim.csv").exists() else [])]
    ), name
    runs = store.list_runs(db)
    assert runs["published"].sum() == 1, name
    published = runs[runs["published"]].iloc[0]
    with store.connected(db) as conn:
        scenario_name, start = conn.execute(
            "SELECT scenario, week_start FROM runs WHERE run_id = ?", (int(published["run_id"]),)
        ).fetchone()
        assert store.in_force(conn, scenario_name, start) == (int(published["run_id"]), None)
