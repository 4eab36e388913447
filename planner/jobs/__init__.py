"""Files in, files out: the only code besides the command line that turns paths into results
and writes files.

- `week`: the weekly run (`run_week`): a lock next to the output directory, the directory
  checked before any work, the week planned and published at once (built in a temporary
  sibling, then swapped in by `swap`), the plan store's hook (`StoreHook`) before and after;
  it returns a frozen `WeekRun`.
- `staffing`: `planner staff` over a Forecast CSV (or the bundled history).
- `simulate`: `planner simulate` over a Roster CSV and a Requirements CSV.
"""

from planner.jobs.simulate import assumed_absence, simulate_files
from planner.jobs.staffing import load_forecast, plan_staffing
from planner.jobs.week import (
    StoreHook,
    WeekRun,
    check_out_dir,
    output_lock,
    publish_directory,
    run_week,
)

__all__ = [
    "StoreHook",
    "WeekRun",
    "assumed_absence",
    "check_out_dir",
    "load_forecast",
    "output_lock",
    "plan_staffing",
    "publish_directory",
    "run_week",
    "simulate_files",
]
