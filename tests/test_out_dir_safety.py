"""`--out` replaces only a directory a planner run published (issue 19, item 1): a folder of
the user's, or a symlink to one, is refused with one line before any work and kept as it was."""

from __future__ import annotations

import json

import pytest
from helpers import error_line, invoke, tree

from planner.jobs.week import MARKER


def _users_folder(path):
    (path / "photos").mkdir(parents=True)
    (path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 a cat")
    (path / "thesis.txt").write_text("chapter 1\n", encoding="utf-8")
    return tree(path)


@pytest.mark.parametrize("through_link", [False, True])
def test_out_onto_a_users_folder_is_refused_and_nothing_is_lost(small, tmp_path, through_link):
    folder = tmp_path / "userdir"
    before = _users_folder(folder)
    out = folder
    if through_link:
        out = tmp_path / "link"
        out.symlink_to(folder)
    result = invoke(["run", small, "--week", "2026-W07", "--out", out, "-q"])
    assert result.exit_code == 2, result.output
    line = error_line(result)
    assert "no planner run published" in line and "thesis.txt" in line
    assert tree(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert not (tmp_path / "planner.db").exists()  # refused before any work


def test_a_folder_with_only_a_summary_json_of_another_shape_is_the_users(small, tmp_path):
    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "summary.json").write_text('{"mine": 1}\n', encoding="utf-8")
    result = invoke(["run", small, "--week", "2026-W07", "--out", folder, "-q", "--no-store"])
    assert result.exit_code == 2 and (folder / "summary.json").read_text() == '{"mine": 1}\n'


@pytest.mark.slow
def test_a_published_week_an_empty_folder_and_an_older_planners_week_may_be_replaced(
    small, tmp_path
):
    empty = tmp_path / "empty"
    empty.mkdir()
    made = invoke(["run", small, "--week", "2026-W07", "--out", empty, "-q", "--no-store"])
    assert made.exit_code in (0, 3), made.output
    assert (empty / MARKER).is_file()
    again = invoke(["run", small, "--week", "2026-W08", "--out", empty, "-q", "--no-store"])
    assert again.exit_code in (0, 3), again.output
    assert json.loads((empty / "summary.json").read_text())["week"]["label"] == "2026-W08"
    (empty / MARKER).unlink()  # a week an older planner published: its own files only
    older = invoke(["run", small, "--week", "2026-W07", "--out", empty, "-q", "--no-store"])
    assert older.exit_code in (0, 3), older.output
