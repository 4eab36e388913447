"""planner's roster search beside general MIP solvers on planner's own model of each week.

The weeks (issue 25's table): sized 24/7 summer weeks at x0.3, x0.5, x1, x2, x3 of 10,000
calls a day (30 min) and x1 at 15 min (`schedule_scaling.summer_week`); the x1 week open on
weekdays 07-21 only; a storm week (x1 with Tuesday and Wednesday afternoons at 2.5x the calls);
the bundled week 2026-W45 with its 88 named agents (`data/agents.csv`, requirements from
`planner run`); the same continuing its own roster as last week's (`--previous`); what-ifs on
it (a 90/30 service target; only the first 70 agents of the list); and the x1 week continuing
its own roster (the sized week after week).

For each week planner runs as `planner schedule` does (HiGHS, the default gap, `--time-limit`),
printing gap, status, wall time, headcount, on-phone efficiency, the 8/9-h share of paid
hours, the agents on the phones at the peak (under 20: a small team, whose gap may be 2%) and
the LP's agents per tour it uses (the week's hardness). Then the same model is
written to MPS (PuLP `writeMPS`) and solved by each peer at the same time limit: HiGHS alone
(1 thread), OR-Tools CP-SAT (8 and 2 workers, through `model_builder`), SCIP (`pyscipopt`,
when installed); each prints objective, bound, its gap to planner's LP bound and its time.
The peers are benchmark extras (`pip install ortools pyscipopt`), never planner's
dependencies; a missing one is reported and skipped.

Times are wall-clock on whatever machine runs this (2 shared cores here: noisy), with the CPU
seconds of planner and its solver children beside them (the figure to read on a busy machine); the
deterministic part is planner's status (gap or work limit, not the clock).

    python benchmarks/schedule_peers.py                       # every week, 90 s each
    python benchmarks/schedule_peers.py --weeks x1,chained --time-limit 30 --no-peers
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from schedule_scaling import WEEK, summer_week  # noqa: E402

from planner.io import frame_to_csv  # noqa: E402
from planner.scenario import load_rules  # noqa: E402
from planner.schedule import (  # noqa: E402
    Rules,
    build_roster,
    on_phone_counts,
    read_agents,
    read_roster,
    rules_from_mapping,
)
from planner.schedule.build import cpu_seconds, lp_relaxation, offer_overtime  # noqa: E402
from planner.schedule.caps import OvertimeWorked  # noqa: E402
from planner.schedule.files import requirements_horizon  # noqa: E402
from planner.schedule.groups import make_groups  # noqa: E402
from planner.schedule.model import build_model  # noqa: E402
from planner.schedule.overtime import hold_overtime_before  # noqa: E402
from planner.schedule.weeks import (  # noqa: E402
    agents_from_previous,
    boundary_state,
    spill_counts,
)
from planner.staffing import StaffingTarget, staff_requirements  # noqa: E402

BUNDLED_WEEK = "2026-W45"


def storm_week() -> pd.DataFrame:
    """The x1 week with Tuesday and Wednesday 12:00-18:00 at 2.5x the calls."""
    base = summer_week(10000, 30)
    times = base["timestamp"]
    h = times.dt.hour
    storm = times.dt.day_of_week.isin([1, 2]) & (h >= 12) & (h < 18)
    # re-staff the storm intervals from their calls: the same curve as summer_week's
    hh = times.dt.hour + times.dt.minute / 60
    shape = 0.06 + np.exp(-(((hh - 10.5) / 2.6) ** 2)) + 0.8 * np.exp(-(((hh - 15.5) / 3.0) ** 2))
    day = np.array([1.08, 1.02, 1.0, 1.0, 0.98, 0.85, 0.8])[times.dt.day_of_week]
    per_day = pd.Series(shape.to_numpy()).groupby(times.dt.normalize().to_numpy()).transform("sum")
    calls = 10000 * shape.to_numpy() * day / per_day.to_numpy()
    calls = np.where(storm, 2.5 * calls, calls)
    forecast = pd.DataFrame({"timestamp": times, "calls": calls, "aht": 210.0})
    req = staff_requirements(forecast, StaffingTarget(sl_pct=80, target_s=20))
    return req[["timestamp", "staff"]]


def weekday_week() -> pd.DataFrame:
    req = summer_week(10000, 30).copy()
    t = req["timestamp"]
    open_ = (t.dt.day_of_week < 5) & (t.dt.hour >= 7) & (t.dt.hour < 21)
    req.loc[~open_, "staff"] = 0.0
    return req


def bundled(work: Path) -> pd.DataFrame:
    """The requirements `planner run` computes for the bundled week (calls, aht, staff)."""
    out = work / "bundled"
    if not (out / "requirements.csv").exists():
        subprocess.run(
            [sys.executable, "-m", "planner", "run", "--week", BUNDLED_WEEK, "--out", str(out)]
            + ["--no-store", "--quiet", "--time-limit", "5"],
            cwd=REPO,
            check=False,
            capture_output=True,
        )
    frame = pd.read_csv(out / "requirements.csv", parse_dates=["timestamp"])
    return frame


def restaffed(req: pd.DataFrame, sl_pct: float, target_s: float) -> pd.DataFrame:
    """The bundled week's forecast staffed to another target, with the baseline's 30% shrinkage
    read back the way `planner simulate` does (staff vs agents)."""
    shrink = 1.0 - float(req["agents"].sum()) / float(req["staff"].sum())
    forecast = req[["timestamp", "calls", "aht"]]
    new = staff_requirements(forecast, StaffingTarget(sl_pct=sl_pct, target_s=target_s))
    agents = new["agents"] if "agents" in new else new["staff"]
    return pd.DataFrame(
        {"timestamp": req["timestamp"], "staff": np.ceil(agents / (1.0 - shrink) - 1e-9)}
    )


def shifted(req: pd.DataFrame, days: int) -> pd.DataFrame:
    out = req[["timestamp", "staff"]].copy()
    out["timestamp"] = out["timestamp"] + pd.Timedelta(days=days)
    return out


def weeks(selected: set[str], work: Path, limit: float):
    """(name, requirements, rules, agents or None, previous roster or None) per week."""
    rules = Rules()
    scale = {"x0.3": 0.3, "x0.5": 0.5, "x1": 1.0, "x2": 2.0, "x3": 3.0}
    for name, factor in scale.items():
        if name in selected:
            yield name, summer_week(10000 * factor, 30), rules, None, None
    if "x1/15m" in selected:
        yield "x1/15m", summer_week(10000, 15), rules, None, None
    if "weekday" in selected:
        yield "weekday", weekday_week(), rules, None, None
    if "storm" in selected:
        yield "storm", storm_week(), rules, None, None
    if "chained" in selected:  # the sized x1 week continuing its own roster
        req = summer_week(10000, 30)
        first = build_roster(req, rules, time_limit_s=limit, solver="highs")
        yield "chained", shifted(req, 7), rules, None, roster_file(first.roster, work, "x1")
    named = {"named", "named+prev", "90/30", "first70"} & selected
    if not named:
        return
    base = load_rules(REPO / "scenarios" / "baseline.toml", rules_from_mapping)
    agents = read_agents(REPO / "data" / "agents.csv")
    req = bundled(work)
    plain = req[["timestamp", "staff"]]
    if "named" in selected or "named+prev" in selected:
        yield "named", plain, base, agents, None
    if "named+prev" in selected:
        first = build_roster(plain, base, agents=agents, time_limit_s=limit, solver="highs")
        previous = roster_file(first.roster, work, "named")
        yield "named+prev", shifted(plain, 7), base, agents, previous
    if "90/30" in selected:
        yield "90/30", restaffed(req, 90, 30), base, agents, None
    if "first70" in selected:
        yield "first70", plain, base, agents.head(70), None


def roster_file(roster: pd.DataFrame, work: Path, name: str) -> pd.DataFrame:
    path = work / f"{name}-roster.csv"
    path.write_text(frame_to_csv(roster), encoding="utf-8")
    return read_roster(path)


def model_of(req, rules, agents, previous):
    """planner's model of the week, built as `build_roster` builds it."""
    from dataclasses import replace

    horizon = requirements_horizon(req, "week")
    if agents is not None and not rules.soft_coverage:
        rules = replace(rules, coverage="soft")
    spill = boundary = None
    hires = False
    if previous is not None:
        spill = spill_counts(previous, horizon.frame["timestamp"], horizon.interval_min)
        boundary = boundary_state(previous, horizon.week_start, rules)
        if agents is None:
            agents = agents_from_previous(previous, horizon.week_start, rules)
            hires = True
    groups = make_groups(agents, rules, horizon.queues, boundary, hires, salaried=not hires)
    model = build_model(horizon, rules, groups, cyclic=previous is None, spill=spill)
    hold_overtime_before(model, None if previous is None else OvertimeWorked.from_rows(previous))
    # as `solve_model` does: a soft week whose LP leaves intervals short gets the overtime
    # variables that reach them (without them the peers solved a model with one lever fewer,
    # whose LP bound lay above planner's roster on the named week); the extensions and
    # rest-day shifts planner adds after its search stay planner's own
    if lp_relaxation(model, time.monotonic() + 600).status.has_solution:
        offer_overtime(model)
    return model


def figures(result, req: pd.DataFrame) -> str:
    interval = int((req["timestamp"].iloc[1] - req["timestamp"].iloc[0]).total_seconds() // 60)
    counts = on_phone_counts(result.roster, req["timestamp"], interval)
    need = float(req["staff"].sum())
    eff = need / float(counts.sum()) if counts.sum() else math.nan
    paid = result.roster["paid_hours"]
    long_share = float(paid[paid >= 8].sum() / paid.sum()) if len(paid) else math.nan
    peak = float(req["staff"].max())  # under SMALL_TEAM_PEAK: a small team, held to 2%, not 1%
    return (
        f"heads {result.headcount:>4} eff {eff:.3f} 8/9h {100 * long_share:>3.0f}% "
        f"peak {peak:>3.0f}"
    )


def whole(result) -> str:
    """The gap on the whole objective and in wage-hours: a named week's gap is on the cost
    the roster decides (`Model.gap_base`: above the salaried minimum, at least a tenth of the
    objective), ten times its share of the whole cost on the bundled week."""
    above = result.objective - result.bound
    return f"whole {gap_to(result.objective, result.bound):.2f}% ({above:,.1f} wage-h)"


def gap_to(objective: float, bound: float) -> float:
    if not math.isfinite(objective) or objective <= 0:
        return math.nan
    return 100.0 * (objective - bound) / objective


def peer_highs(path: Path, limit: float):
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", limit)
    h.readModel(str(path))
    h.run()
    info = h.getInfo()
    obj = info.objective_function_value if info.primal_solution_status == 2 else math.nan
    return obj, info.mip_dual_bound


def peer_cpsat(path: Path, limit: float, workers: int):
    from ortools.linear_solver.python import model_builder as mb

    model = mb.Model()
    model.import_from_mps_file(str(path))
    solver = mb.Solver("sat")
    solver.set_time_limit_in_seconds(limit)
    solver.set_solver_specific_parameters(f"num_workers:{workers}")
    status = solver.solve(model)
    if status not in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE):
        return math.nan, math.nan
    return solver.objective_value, solver.best_objective_bound


def peer_scip(path: Path, limit: float):
    import pyscipopt

    model = pyscipopt.Model()
    model.hideOutput()
    model.readProblem(str(path))
    model.setParam("limits/time", limit)
    model.setParam("randomization/randomseedshift", 0)
    model.optimize()
    obj = model.getObjVal() if model.getNSols() else math.nan
    return obj, model.getDualbound()


PEERS = {
    "highs": peer_highs,
    "cpsat8": lambda p, t: peer_cpsat(p, t, 8),
    "cpsat2": lambda p, t: peer_cpsat(p, t, 2),
    "scip": peer_scip,
}

ALL = "x0.3,x0.5,x1,x2,x3,x1/15m,weekday,storm,named,named+prev,90/30,first70,chained"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", default=ALL, help=f"comma-separated, of {ALL}")
    parser.add_argument("--time-limit", type=float, default=90.0, help="seconds, every solve")
    parser.add_argument(
        "--planner-time-limit",
        type=float,
        default=None,
        help="seconds, planner's own solves (default: --time-limit); planner stops on its "
        "work limits, this is its backstop",
    )
    parser.add_argument("--peers", default=",".join(PEERS), help="highs,cpsat8,cpsat2,scip")
    parser.add_argument("--no-peers", action="store_true", help="planner only")
    args = parser.parse_args()
    selected = set(args.weeks.split(","))
    peers = [] if args.no_peers else [p for p in args.peers.split(",") if p]
    own = args.planner_time_limit or args.time_limit
    print(
        f"week {WEEK} (sized) / {BUNDLED_WEEK} (bundled); time limit {args.time_limit:g} s "
        f"(planner {own:g} s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, req, rules, agents, previous in weeks(selected, work, own):
            began, cpu = time.perf_counter(), cpu_seconds()
            result = build_roster(
                req, rules, agents=agents, time_limit_s=own, solver="highs",
                previous=previous,
            )  # fmt: skip
            wall, cpu = time.perf_counter() - began, cpu_seconds() - cpu
            print(
                f"{name:<11} planner  gap {100 * result.gap:6.2f}%  {wall:6.1f} s "
                f"({cpu:5.1f} CPU s)  "
                f"{str(result.status):<26} {figures(result, req)}  "
                f"agents/LP tour {result.agents_per_lp_tour:.2f}  "
                f"{whole(result)}",
                flush=True,
            )
            if not peers:
                continue
            model = model_of(req, rules, agents, previous)
            lp = lp_relaxation(model, time.monotonic() + args.time_limit).objective
            path = work / f"{name.replace('/', '_')}.mps"
            model.prob.writeMPS(str(path))
            print(
                f"{'':<11} LP bound {lp:,.2f}; planner {result.objective:,.2f} "
                f"(gap {gap_to(result.objective, lp):.2f}% of the whole objective, as the peers')",
                flush=True,
            )
            for peer in peers:
                began = time.perf_counter()
                try:
                    obj, bound = PEERS[peer](path, args.time_limit)
                except ImportError as exc:
                    print(f"{'':<11} {peer:<8} not installed ({exc.name})")
                    continue
                took = time.perf_counter() - began
                print(
                    f"{'':<11} {peer:<8} gap {gap_to(obj, lp):6.2f}%  {took:6.1f} s  "
                    f"objective {obj:,.2f} bound {bound:,.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
