"""Forecast speed: `planner forecast` on the bundled three years of 30-minute history.

Goal: under 10 s. The bundled history comes with its temperature file, so the command weighs
the weather terms too. Prints, per run, the wall time and the CPU time (user + system) of the
whole command in a fresh process, as a user runs it (start-up, loading, model choice, fit,
intraday spread, CSV out), then an in-process CPU breakdown. The machine may be shared: the
CPU time is the figure to compare, wall times are noisy.

`--against DIR` also times another checkout of planner (e.g. `git archive` of an older commit
unpacked in /tmp), interleaved with this one's runs, and prints the CPU ratio side by side.

    python benchmarks/forecast_speed.py [--repeat N] [--against /tmp/planner-before]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the CLI sets it: small solves
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(checkout: Path, out: Path) -> tuple[float, float]:
    """(wall s, CPU s) of one `python -m planner forecast` of `checkout`."""
    # that checkout's planner (`python -m planner` with it first on the path), not whichever
    # `planner` console script is first on PATH
    command = [sys.executable, "-m", "planner", "forecast", "--horizon", "14", "-q"]
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    cpu0, t0 = _children_cpu(), time.perf_counter()
    subprocess.run([*command, "-o", str(out)], check=True, env=env, cwd=checkout)
    return time.perf_counter() - t0, _children_cpu() - cpu0


WARM = """
import time
from planner.forecast import forecast_history
from planner.history import BUNDLED_HISTORY, BUNDLED_TEMPERATURE, read_history
from planner.io import bundled_path
history = read_history(bundled_path(BUNDLED_HISTORY))
temperature = bundled_path(BUNDLED_TEMPERATURE)
forecast_history(history, horizon_days=14, temperature=temperature)  # imports, caches
t0 = time.process_time()
forecast_history(history, horizon_days=14, temperature=temperature)
print(time.process_time() - t0)
"""


def warm_cpu(checkout: Path) -> float:
    """CPU s of `forecast_history` (auto, bundled history and temperature) in a process that
    has already run it once: the model choice and fit without start-up and imports."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", WARM], check=True, env=env, cwd=checkout, capture_output=True
    )
    return float(done.stdout.decode().split()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", type=Path, default=None, help="another planner checkout")
    args = parser.parse_args()
    checkouts = {"this": ROOT} | ({"against": args.against} if args.against else {})
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in checkouts}
    warm: dict[str, list[float]] = {k: [] for k in checkouts}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            for name, checkout in checkouts.items():
                times[name].append(run_once(checkout, Path(tmp) / f"{name}.csv"))
                warm[name].append(warm_cpu(checkout))
    print(
        "planner forecast (bundled 3 years, 30-min, bundled temperature file, model auto, "
        f"14 days), {args.repeat} runs each, interleaved (goal < 10 s):"
    )
    for name, checkout in checkouts.items():
        wall = [w for w, _ in times[name]]
        cpu = [c for _, c in times[name]]
        print(
            f"  {name:8s} {str(checkout):40s} CPU best {min(cpu):.1f} s, worst {max(cpu):.1f} s;"
            f" wall best {min(wall):.1f} s, worst {max(wall):.1f} s"
        )
    print("forecast_history alone (auto, warm process: no start-up or imports), CPU:")
    for name in checkouts:
        print(f"  {name:8s} best {min(warm[name]):.2f} s, worst {max(warm[name]):.2f} s")
    if args.against:
        ratio = min(c for _, c in times["this"]) / min(c for _, c in times["against"])
        print(f"CPU ratio this / against (best of each): whole command {ratio:.2f}x", end="")
        print(f", forecast_history alone {min(warm['this']) / min(warm['against']):.2f}x")

    from planner.forecast import forecast_history
    from planner.history import BUNDLED_HISTORY, BUNDLED_TEMPERATURE, read_history
    from planner.io import bundled_path

    t0 = time.process_time()
    history = read_history(bundled_path(BUNDLED_HISTORY))
    t1 = time.process_time()
    temperature = bundled_path(BUNDLED_TEMPERATURE)
    result = forecast_history(history, horizon_days=14, temperature=temperature)
    t2 = time.process_time()
    forecast_history(history, horizon_days=14, temperature=temperature, model=result.model)
    t3 = time.process_time()
    print("in-process CPU (this checkout):")
    print(f"  read_history: {t1 - t0:.1f} s ({len(history.frame):,} rows)")
    print(f"  forecast_history, auto ({result.model}; first call, imports): {t2 - t1:.1f} s")
    print(f"  forecast_history, fixed model: {t3 - t2:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
