"""A scenario names files only in its own folder, the bundled data or folders the user allowed
(issue 19, item 6): a scenario from elsewhere cannot read /etc/passwd into an error message nor
create a store anywhere; outputs respect the user's umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from helpers import error_line, invoke

from planner import scenario as scenario_layer
from planner.errors import InputError
from planner.schedule import rules_from_mapping


def _with(small: Path, table: str, line: str) -> Path:
    path = small.with_name("case.toml")
    text = small.read_text(encoding="utf-8")
    if f"[{table}]\n" in text:
        text = text.replace(f"[{table}]\n", f"[{table}]\n{line}\n", 1)
    else:
        text += f"\n[{table}]\n{line}\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "table, line",
    [
        ("data", 'events = "/etc/passwd"'),
        ("data", 'temperature = "../outside.csv"'),
        ("data", 'agents = "sub/../../outside.csv"'),
        ("run", 'store = "/etc/planner.db"'),
        ("run", 'store = "../elsewhere/planner.db"'),
    ],
)
def test_a_path_outside_the_scenarios_folder_is_refused_before_any_work(
    small, tmp_path, table, line
):
    folder = small.parent / "scenario-folder"
    folder.mkdir()
    for name in ("small.toml", "history.csv"):
        (folder / name).write_bytes((small.parent / name).read_bytes())
    (small.parent / "outside.csv").write_text("secret,cell\nroot,x\n", encoding="utf-8")
    scenario = _with(folder / "small.toml", table, line)
    out = tmp_path / "week"
    result = invoke(["run", scenario, "--out", out, "-q"])
    assert result.exit_code == 2, result.output
    message = error_line(result)
    assert "outside the scenario's folder" in message and f"[{table}]" in message
    assert "root" not in message.replace(str(tmp_path), "") and "secret" not in message
    assert not out.exists() and not Path("/etc/planner.db").exists()
    assert not (small.parent / "elsewhere").exists()


def test_a_symlink_out_of_the_scenarios_folder_is_refused(small, tmp_path):
    folder = small.parent / "inner"
    folder.mkdir()
    (folder / "history.csv").symlink_to(small.parent / "history.csv")
    scenario = folder / "s.toml"
    scenario.write_text(small.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError, match="outside the scenario's folder"):
        scenario_layer.load_scenario(scenario, rules_from_mapping)
    loaded = scenario_layer.load_scenario(scenario, rules_from_mapping, [small.parent])
    assert loaded.data.history == folder / "history.csv"


def test_files_below_the_scenarios_folder_and_bundled_files_are_fine(small):
    (small.parent / "data").mkdir()
    (small.parent / "data" / "h.csv").write_bytes((small.parent / "history.csv").read_bytes())
    scenario = small.with_name("ok.toml")
    scenario.write_text(
        small.read_text(encoding="utf-8")
        .replace('"history.csv"', '"data/h.csv"')
        .replace("[run]\n", '[run]\nstore = "data/p.db"\n'),
        encoding="utf-8",
    )
    text = scenario.read_text(encoding="utf-8").replace(
        "[data]\n", '[data]\nagents = "bundled:agents.csv"\n'
    )
    scenario.write_text(text, encoding="utf-8")
    loaded = scenario_layer.load_scenario(scenario, rules_from_mapping)
    assert loaded.data.history == small.parent / "data" / "h.csv"
    assert loaded.data.agents is not None and loaded.data.agents.name == "agents.csv"


@pytest.mark.parametrize("value", ["bundled:../..", "bundled:../README.md", "bundled:/etc/passwd",
                                   "bundled:", "bundled:sub/agents.csv"])  # fmt: skip
def test_bundled_names_cannot_leave_the_bundled_folder(small, value):
    scenario = _with(small, "data", f'events = "{value}"')
    with pytest.raises(InputError, match="bundled file name, no folders"):
        scenario_layer.load_scenario(scenario, rules_from_mapping)


@pytest.mark.slow  # a weekly run (about 2 s)
def test_outputs_and_a_new_store_respect_the_umask(small, tmp_path):
    previous = os.umask(0o077)
    try:
        out = tmp_path / "f.csv"
        made = invoke(["forecast", small.with_name("history.csv"), "--country", "none",
                       "--horizon", "1", "-o", out])  # fmt: skip
        assert made.exit_code == 0, made.output
        run = invoke(["run", small, "--week", "2026-W07", "--out", tmp_path / "w", "-q"])
        assert run.exit_code in (0, 3), run.output
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "planner.db").stat().st_mode) & 0o077 == 0


def test_an_output_through_a_symlink_replaces_its_target_and_keeps_the_link(small, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    made = invoke(["forecast", small.with_name("history.csv"), "--country", "none",
                   "--horizon", "1", "-q", "-o", link])  # fmt: skip
    assert made.exit_code == 0, made.output
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("timestamp,")
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    made = invoke(["forecast", small.with_name("history.csv"), "--country", "none",
                   "--horizon", "1", "-q", "-o", loop])  # fmt: skip
    assert made.exit_code == 2 and "symlink loop" in error_line(made)
    assert loop.is_symlink()


@pytest.mark.slow
def test_allow_dir_lets_a_scenario_name_files_in_another_folder(small, tmp_path):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    moved = scenarios / "small.toml"
    history = small.with_name("history.csv")
    moved.write_text(
        small.read_text(encoding="utf-8").replace('"history.csv"', f'"{history}"'),
        encoding="utf-8",
    )
    out = tmp_path / "week"
    refused = invoke(["run", moved, "--week", "2026-W07", "--out", out, "-q", "--no-store"])
    assert refused.exit_code == 2 and "outside the scenario's folder" in error_line(refused)
    allowed = invoke(["run", moved, "--week", "2026-W07", "--out", out, "-q", "--no-store",
                      "--allow-dir", history.parent])  # fmt: skip
    assert allowed.exit_code in (0, 3), allowed.output
    compared = invoke(["compare", moved, "--week", "2026-W07", "--no-store", "--format", "csv",
                       "--allow-dir", history.parent])  # fmt: skip
    assert compared.exit_code == 0, compared.output
