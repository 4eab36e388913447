"""Where a week's gap lies: how far honest bounds rise above the LP bound, and what a
price-and-branch polish finds beside planner's own polish (issue 25).

For each week (the weeks of `schedule_peers.py`; planner's model of it, built as `planner
schedule` builds it) this prints:

- the LP bound and the agents its relaxation uses; the grain of the objective (the largest
  step every tour cost is a whole multiple of, when the tours carry the whole objective: a
  bound may then round up to the next step) and the bound so rounded;
- the fewest agents any fractional roster needs (the LP with every tour costing 1), and the
  LP bound again with "agents >= that, rounded up" added (a valid cut: a roster has whole
  agents);
- planner's polish (HiGHS over the tours the LP uses and the constructive start uses, 5
  nodes, gap 0) beside price-and-branch polishes: the same over every tour whose LP reduced
  cost is at most 0, 1, 2 wage-hours, with the objective, gap to the LP bound and CPU seconds
  of each (one thread; CPU seconds are the figure to read on a shared machine). The LP here
  is simplex's vertex, not the interior point's crossover planner uses, so its support, and
  the "polish" row, may differ from planner's own polish on the same week.

    python benchmarks/schedule_bound_probe.py                  # x0.3 and x0.5
    python benchmarks/schedule_bound_probe.py --weeks x1 --thresholds 0,1
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import highspy
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from schedule_peers import model_of, weeks  # noqa: E402

from planner.schedule.start import build_start  # noqa: E402

POLISH_NODES = 5  # as planner's polish (`build.RESTRICTED_NODE_LIMIT`)


def grain(costs: np.ndarray, places: int = 2) -> float:
    """The largest step (to `places` decimals) every cost is a whole multiple of; 0 if none."""
    scale = 10**places
    ints = np.round(costs * scale).astype(np.int64)
    if not np.allclose(ints, costs * scale, atol=1e-6):
        return 0.0
    return float(Fraction(int(np.gcd.reduce(ints)), scale))


def highs_of(path: Path) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.readModel(str(path))
    return h


def relaxation(h: highspy.Highs) -> tuple[float, np.ndarray, np.ndarray]:
    """(objective, column values, reduced costs) of the LP relaxation (simplex: a vertex)."""
    h.setOptionValue("solve_relaxation", True)
    h.setOptionValue("solver", "simplex")
    h.run()
    h.setOptionValue("solve_relaxation", False)
    h.setOptionValue("solver", "choose")
    solution = h.getSolution()
    values, duals = np.array(solution.col_value), np.array(solution.col_dual)
    return h.getInfo().objective_function_value, values, duals


def probe(name: str, model, thresholds: list[float], folder: Path) -> None:
    path = folder / f"{name.replace('/', '_')}.mps"
    model.prob.writeMPS(str(path))
    start = build_start(model)  # the model's variables hold the LP's values (`model_of`)
    h = highs_of(path)
    n = h.getNumCol()
    names = [h.getColName(j)[1] for j in range(n)]
    column = {var: j for j, var in enumerate(names)}
    tours = np.array([column[var.name] for var in model.y.values()], dtype=np.int32)
    lp, values, duals = relaxation(h)
    cost = np.array(h.getLp().col_cost_)
    priced = np.flatnonzero(np.abs(cost) > 1e-12)
    only_tours = set(priced.tolist()) <= set(tours.tolist())
    step = grain(cost[tours]) if only_tours else 0.0
    rounded = math.ceil(lp / step - 1e-9) * step if step > 0 else lp
    print(
        f"{name:<8} LP bound {lp:,.2f}, {values[tours].sum():.2f} agents on "
        f"{int((values[tours] > 1e-6).sum())} tours; objective grain "
        f"{step:g} wage-h{'' if only_tours else ' (costs beyond the tours)'}: bound {rounded:,.2f} "
        f"(+{100 * (rounded - lp) / lp:.3f}%)",
        flush=True,
    )
    fewest = highs_of(path)
    unit = np.zeros(n)
    unit[tours] = 1.0
    fewest.changeColsCost(n, np.arange(n, dtype=np.int32), unit)
    least, _, _ = relaxation(fewest)
    need = math.ceil(least - 1e-6)
    cut = highs_of(path)
    cut.addRow(need, highspy.kHighsInf, len(tours), tours, np.ones(len(tours)))
    with_cut, _, _ = relaxation(cut)
    print(
        f"{'':<8} fewest agents (LP) {least:.2f}; with agents >= {need}: bound {with_cut:,.2f} "
        f"(+{100 * (with_cut - lp) / lp:.3f}%)",
        flush=True,
    )
    if start is None:
        print(f"{'':<8} no constructive start")
        return
    x0 = np.array([float(start.values.get(var, 0.0)) for var in names])
    used = (values[tours] > 1e-6) | (x0[tours] > 0.5)
    reduced = duals[tours]
    lower, upper = np.array(h.getLp().col_lower_), np.array(h.getLp().col_upper_)
    print(f"{'':<8} constructive start {start.objective:,.2f}", flush=True)
    for label, keep in [("polish", used)] + [
        (f"rc<={t:g}", used | (reduced <= t + 1e-9)) for t in thresholds
    ]:
        closed = tours[~keep]
        h.changeColsBounds(len(closed), closed, np.zeros(len(closed)), np.zeros(len(closed)))
        for option, value in {
            "mip_max_nodes": POLISH_NODES,
            "mip_rel_gap": 0.0,
            "mip_pscost_minreliable": 0,
        }.items():
            h.setOptionValue(option, value)
        solution = highspy.HighsSolution()
        solution.col_value = list(x0)
        solution.value_valid = True
        h.setSolution(solution)
        began = time.process_time()
        h.run()
        took = time.process_time() - began
        objective = h.getInfo().objective_function_value  # before the bounds change it
        h.changeColsBounds(len(closed), closed, lower[closed], upper[closed])
        print(
            f"{'':<8} {label:<8} {int(keep.sum()):>5} tours  {objective:,.2f}  gap "
            f"{100 * (objective - lp) / objective:5.2f}%  {took:5.1f} CPU s",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", default="x0.3,x0.5", help="weeks of schedule_peers.py")
    parser.add_argument("--thresholds", default="0,1,2", help="reduced costs, wage-hours")
    args = parser.parse_args()
    thresholds = [float(t) for t in args.thresholds.split(",") if t]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, req, rules, agents, previous in weeks(set(args.weeks.split(",")), folder, 90):
            probe(name, model_of(req, rules, agents, previous), thresholds, folder)


if __name__ == "__main__":
    main()
