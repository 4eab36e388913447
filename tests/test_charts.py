"""The charts' windows and labels (the figures are inspected before they are saved): the
forecast plot spans about its horizon, wherever it starts, with the legend off the data."""

from __future__ import annotations

import matplotlib.dates as mdates
import pytest
from conftest import write_history

from planner.forecast import forecast_history
from planner.history import read_history
from planner.report import charts


@pytest.fixture
def figures(monkeypatch):
    seen = []
    monkeypatch.setattr(charts, "save_png", lambda fig, path: seen.append(fig))
    return seen


@pytest.mark.parametrize("start", [None, "2026-03-01", "2026-06-01", "2026-02-01"])
@pytest.mark.parametrize("horizon", [7, 14])
def test_the_forecast_window_fits_the_horizon_wherever_it_starts(tmp_path, figures, start, horizon):
    history = read_history(write_history(tmp_path / "h.csv"), country="none")
    result = forecast_history(history, horizon, start=start, country="none", model="seasonal_naive")
    charts.plot_forecast(history, result, tmp_path / "f.png")
    (fig,) = figures
    ax = fig.axes[0]
    low, high = (mdates.num2date(x) for x in ax.get_xlim())
    days = (high - low).days
    assert days <= 56 + horizon + 10  # at most 8 weeks of history, never a year
    assert days >= horizon - 1  # the forecast days themselves
    legend = ax.get_legend()
    assert legend is not None and legend.get_bbox_to_anchor().y0 < ax.get_window_extent().y0


def test_the_coverage_plot_says_rostered_staff(tmp_path, figures):
    import pandas as pd

    cov = pd.DataFrame(
        {
            "timestamp": pd.date_range("2026-02-09", periods=4, freq="h"),
            "required": [2.0, 3.0, 3.0, 2.0],
            "scheduled": [2.0, 2.0, 3.0, 2.0],
            "shortfall": [0.0, 1.0, 0.0, 0.0],
        }
    )
    charts.plot_coverage(cov, tmp_path / "c.png")
    labels = [t.get_text() for t in figures[0].axes[0].get_legend().get_texts()]
    assert any(label.startswith("rostered staff") for label in labels)
    assert not any("scheduled (on phones)" in label for label in labels)
