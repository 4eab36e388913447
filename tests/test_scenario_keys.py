"""A scenario key that belongs to another table (or stands at the top level) is one line naming
the file, the table, the key and where it belongs; through `extends` the line names the file
that set it. Exit 2 on the command line, nothing planned."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import error_line

from planner import scenario
from planner.errors import InputError
from planner.scenario.keys import TABLE_KEYS, homes
from planner.schedule import Rules, rules_from_mapping

# one key of five tables, each with a table it does not belong in
CASES = {
    "data": ("country", '"VN"', "run"),
    "forecast": ("plan_at", '"upper"', "data"),
    "service": ("sl_pct", "90", "forecast"),
    "cost": ("wage_per_hour", "80000", "shifts"),
    "run": ("solver", '"highs"', "service"),
}
POSITIONS = ("top level", "wrong table", "through extends")


def _write(tmp_path: Path, home: str, position: str) -> tuple[Path, Path]:
    """(the scenario to load, the file the error must name)."""
    key, value, wrong = CASES[home]
    base = tmp_path / "base.toml"
    base.write_text('[data]\nhistory = "h.csv"\ncountry = "none"\n', encoding="utf-8")
    leaf = tmp_path / "what-if.toml"
    if position == "top level":
        leaf.write_text(f'{key} = {value}\nextends = "base.toml"\n', encoding="utf-8")
        return leaf, leaf
    if position == "wrong table":
        leaf.write_text(f'extends = "base.toml"\n[{wrong}]\n{key} = {value}\n', encoding="utf-8")
        return leaf, leaf
    # the misplaced key sits in the parent; the child only extends it
    middle = tmp_path / "middle.toml"
    middle.write_text(f'extends = "base.toml"\n[{wrong}]\n{key} = {value}\n', encoding="utf-8")
    leaf.write_text('extends = "middle.toml"\nname = "leaf"\n', encoding="utf-8")
    return leaf, middle


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("home", sorted(CASES))
def test_a_misplaced_key_is_one_line_naming_file_table_key_and_home(tmp_path, cli, home, position):
    path, culprit = _write(tmp_path, home, position)
    key, _, wrong = CASES[home]
    result = cli(["run", path, "--out", tmp_path / "out", "--no-store"])
    assert result.exit_code == 2, result.output
    line = error_line(result)
    assert line.startswith(f"planner: error: {culprit}: ")
    assert key in line
    assert f"belongs in [{home}]" in line
    if position != "top level":
        assert f"[{wrong}]" in line
    else:
        assert "top level" in line
    assert not (tmp_path / "out").exists()


def test_the_rules_of_schedule_rules_are_checked_the_same_way(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[shifts]\nwage_per_hour = 80000\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"\[shifts\] wage_per_hour belongs in \[cost\]"):
        scenario.load_rules(path, rules_from_mapping)


def test_a_key_of_no_table_lists_what_the_table_allows(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[data]\nhistoryy = 'h.csv'\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        scenario.load_scenario(path, rules_from_mapping)
    assert str(err.value).startswith(f"{path}: [data] unknown key 'historyy'")
    assert "allowed in [data]: history" in str(err.value)


def test_an_adjustment_key_elsewhere_and_a_service_key_in_an_adjustment(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[service]\nvolume_factor = 2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"volume_factor belongs in \[\[adjustments\]\]"):
        scenario.load_scenario(path, rules_from_mapping)
    path.write_text(
        "[[adjustments]]\nfrom = 2027-07-01\nto = 2027-07-02\nsl_pct = 90\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"sl_pct belongs in \[service\], not in an adjust"):
        scenario.load_scenario(path, rules_from_mapping)


def test_every_rule_key_listed_by_table_is_a_rule_and_no_key_has_two_rule_tables():
    rules = {name for name in Rules.__dataclass_fields__ if name != "source"}
    for table in ("shifts", "labour", "cost"):
        assert set(TABLE_KEYS[table]) <= rules, table
    for key in rules:
        assert sum(t in ("shifts", "labour", "cost") for t in homes(key)) <= 1, key
