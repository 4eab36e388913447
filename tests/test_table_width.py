"""`--format table` fits the terminal: no line wider than `COLUMNS` (columns cut into blocks
that repeat the key column, cells wrapped if one column alone is too wide); `--wide` keeps the
natural width; CSV and JSON are untouched."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.cli import cli
from planner.report import render_table

FIXTURES = Path(__file__).parent / "fixtures"
WIDTH = 100


def invoke(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": str(WIDTH)})
    return result.exit_code, result.stdout, result.stderr


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


cell = st.one_of(
    st.text(alphabet="abcdefgh ,.()+-%0123456789", max_size=60),
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.integers(-(10**12), 10**12),
)


@settings(max_examples=40, deadline=None)
@given(
    width=st.integers(40, 200),
    ncols=st.integers(1, 12),
    nrows=st.integers(0, 4),
    data=st.data(),
)
def test_no_line_is_wider_than_the_width_and_every_header_is_shown(width, ncols, nrows, data):
    columns = [f"column-{i}-{'x' * data.draw(st.integers(0, 20))}" for i in range(ncols)]
    rows = [[data.draw(cell) for _ in columns] for _ in range(nrows)]
    frame = pd.DataFrame(rows, columns=columns)
    text = render_table(frame, "A title", width=width)
    assert widest(text) <= width
    flat = text.replace("│", "").replace("┃", "").replace(" ", "").replace("\n", "")
    for col in columns:  # wrapped headers are still all there
        assert col.replace(" ", "") in flat or col[:8] in flat


def test_a_table_that_fits_is_rendered_as_before_and_none_is_full_width():
    frame = pd.DataFrame(
        {"metric": ["a"], **{f"scenario {i}": ["1,234 (+5, +1%)"] for i in range(9)}}
    )
    narrow = render_table(frame, width=WIDTH)
    full = render_table(frame, width=None)
    assert widest(narrow) <= WIDTH < widest(full)
    assert narrow.count("metric") == 2 and full.count("metric") == 1  # the key column repeated
    small = frame.iloc[:, :2]
    assert render_table(small, width=WIDTH) == render_table(small, width=None)


@pytest.mark.slow
def test_compare_history_and_accuracy_tables_fit_100_columns(small, tmp_path):
    lines = small.read_text(encoding="utf-8")
    history = pd.read_csv(tmp_path / "history.csv")
    history[history["timestamp"] < "2026-02-02"].to_csv(tmp_path / "cut.csv", index=False)
    cut = tmp_path / "cut.toml"
    cut.write_text(lines.replace('"history.csv"', '"cut.csv"'), encoding="utf-8")
    strict = tmp_path / "strict.toml"
    strict.write_text('extends = "cut.toml"\nname = "strict-service-95"\n[service]\nsl_pct = 95\n')
    lean = tmp_path / "lean.toml"
    lean.write_text(
        'extends = "cut.toml"\nname = "lean-shrinkage-10"\n[service]\nshrinkage_pct = 10\n'
    )
    code, out, err = invoke("compare", cut, strict, lean, "--no-store")
    assert code in (0, 3), err
    assert "Scenarios on 2026-W06" in out
    assert (
        widest(out)
        <= WIDTH
        < widest(invoke("compare", cut, strict, lean, "--no-store", "--wide")[1])
    )
    db = tmp_path / "planner.db"
    for name in (cut, strict, lean):
        code, _, err = invoke("run", name, "--out", tmp_path / name.stem, "--store", db, "-q")
        assert code in (0, 3), err
    code, out, err = invoke("history", "--store", db)
    assert code == 0, err
    assert "strict-service-95" in out and widest(out) <= WIDTH
    code, out, err = invoke("accuracy", tmp_path / "history.csv", "--store", db)
    assert code == 0, err
    assert "WAPE" in out or "wape" in out
    assert widest(out) <= WIDTH


def test_simulate_table_fits_100_columns():
    code, out, err = invoke(
        "simulate", "--roster", FIXTURES / "sim_roster.csv", "--requirements",
        FIXTURES / "sim_requirements.csv", "--replications", "2", "--format", "table",
    )  # fmt: skip
    assert code == 0, err
    assert widest(out) <= WIDTH and widest(err) <= WIDTH


@pytest.mark.slow
def test_backtest_table_fits_100_columns(small, tmp_path):
    code, out, err = invoke("backtest", tmp_path / "history.csv", "--folds", "2", "--horizon", "7")
    assert code == 0, err
    assert "wape_pct" in out.replace("\n", "") or "wape" in out
    assert widest(out) <= WIDTH
