"""Forecast speed: `planner forecast` on the bundled three years of 30-minute history.

Goal: well under 10 s on 2 cores. Prints the wall time of the whole command (a fresh
process, as a user runs it: start-up, loading, model choice, fit, intraday spread, CSV out) and
an in-process breakdown.

    .venv/bin/python benchmarks/forecast_speed.py [--repeat N]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the CLI sets it: small solves
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    # this checkout's planner (`python -m planner` with the repository first on the path), not
    # whichever `planner` console script is first on PATH
    command = [sys.executable, "-m", "planner", "forecast", "--horizon", "14", "-q"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            out = Path(tmp) / "forecast.csv"
            t0 = time.perf_counter()
            subprocess.run([*command, "-o", str(out)], check=True, env=env)
            times.append(time.perf_counter() - t0)
    print(
        f"planner forecast (bundled 3 years, 30-min, model auto, 14 days): "
        f"best {min(times):.1f} s, worst {max(times):.1f} s over {repeat} runs (goal < 10 s)"
    )

    from planner.forecast import forecast_history
    from planner.history import BUNDLED_HISTORY, BUNDLED_TEMPERATURE, read_history
    from planner.io import bundled_path

    t0 = time.perf_counter()
    history = read_history(bundled_path(BUNDLED_HISTORY))
    t1 = time.perf_counter()
    temperature = bundled_path(BUNDLED_TEMPERATURE)
    result = forecast_history(history, horizon_days=14, temperature=temperature)
    t2 = time.perf_counter()
    forecast_history(history, horizon_days=14, temperature=temperature, model=result.model)
    t3 = time.perf_counter()
    print(f"  read_history: {t1 - t0:.1f} s ({len(history.frame):,} rows)")
    print(f"  forecast_history, auto ({result.model}): {t2 - t1:.1f} s")
    print(f"  forecast_history, fixed model: {t3 - t2:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
