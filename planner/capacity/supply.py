"""Supply: today's agents and the hiring classes, week by week, as expected flows.

The recurrence (NICE's published form, with classes): for week w = 0, 1, ...

    heads(w) = heads(w-1) - attrition(w-1) + graduates(w)
    attrition(w) = sum over agents of heads x weekly leave rate at their tenure

with the weekly leave rate 1 - (1 - monthly)^(12/52) of the agent's tenure band. A class that
starts training in week s with n trainees is paid through `classroom_weeks` weeks off the phones
(s .. s+C-1); (1 - dropout) of it graduates in week s+C; a graduate's productivity follows the
ramp (percent per week after graduation, then 100%), and graduates leave like agents of their
tenure (counted from the training start). Today's agents are on the phones at 100%; their
`hire_date` (optional) gives their tenure. A part-time contract of `weekly_hours` is
weekly_hours / contract_hours of an FTE.

Every flow is linear in the class sizes: a class's contribution is its size times the unit
response `ClassResponse` shifted to its start week, which is what the plan's integer programme
uses.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import io
from planner.capacity.config import WEEKS_PER_MONTH, CapacityConfig
from planner.errors import InputError
from planner.schedule.files import read_agents

UNKNOWN_TENURE_MONTHS = 24.0  # an agent without a hire_date counts as tenured


@dataclass(frozen=True)
class Workforce:
    """Today's agents: `agent`, `fte` (contract hours / contract_hours), `tenure_months`."""

    frame: pd.DataFrame
    source: str

    @property
    def fte(self) -> float:
        return float(self.frame["fte"].sum())


# an agent's columns the weekly roster reads (`planner.schedule.files.read_agents`) beyond the
# contract and hours: the plan does not use them, but the agents file it hands on keeps them
ROSTER_COLUMNS = ("skills", "no_night", "unavailable", "preferred_start", "min_hours")


def read_workforce(path: str | os.PathLike, cfg: CapacityConfig, today: dt.date) -> Workforce:
    """The agents file (`agent` required; `contract`, `weekly_hours`, `hire_date` optional),
    validated as the weekly run reads it (`planner.schedule.read_agents`: names, contracts and
    the roster columns the plan hands on: one line naming file, line and column)."""
    read_agents(path)
    name = io.display_name(path)
    rows = io.read_csv_rows(path, ["agent"], "agents file")
    n = len(rows)
    contract = rows["contract"].str.lower() if "contract" in rows else pd.Series([""] * n)
    part = contract.isin(["part-time", "pt"]).to_numpy()
    hours = np.where(part, cfg.part_time_hours, cfg.contract_hours)
    if "weekly_hours" in rows:
        given = io.parse_numbers(rows, "weekly_hours", path, allow_empty=True, maximum=80)
        hours = np.where(given.isna(), hours, given.to_numpy(dtype=float))
    tenure = np.full(n, UNKNOWN_TENURE_MONTHS)
    if "hire_date" in rows:
        for i, (raw, line) in enumerate(zip(rows["hire_date"], rows["_line"], strict=True)):
            if raw == "":
                continue
            try:
                hired = dt.date.fromisoformat(raw)
            except ValueError:
                raise InputError(
                    f"{name}:{line}: column 'hire_date' = {raw!r}: expected a date YYYY-MM-DD"
                ) from None
            if hired > today:
                raise InputError(
                    f"{name}:{line}: column 'hire_date' = {raw!r} is after the plan's start {today}"
                )
            tenure[i] = (today - hired).days / 7.0 / WEEKS_PER_MONTH
    frame = pd.DataFrame(
        {
            "agent": rows["agent"].to_numpy(),
            "fte": hours / cfg.contract_hours,
            "tenure_months": tenure,
            "contract": np.where(part, "part-time", "full-time"),
        }
    )
    for column in ROSTER_COLUMNS:  # kept as written, for the agents file the plan hands on
        if column in rows:
            frame[column] = rows[column].to_numpy()
    return Workforce(frame, name)


def workforce_of(fte: list[float] | np.ndarray, tenure_months=None) -> Workforce:
    """A Workforce from FTE values (tests, what-ifs): agents A001.. with unknown tenure."""
    fte = np.asarray(fte, dtype=float)
    tenure = np.full(len(fte), UNKNOWN_TENURE_MONTHS) if tenure_months is None else tenure_months
    agents = [f"A{i + 1:03d}" for i in range(len(fte))]
    return Workforce(
        pd.DataFrame({"agent": agents, "fte": fte, "tenure_months": np.asarray(tenure, float)}),
        "<given>",
    )


def survival(cfg: CapacityConfig, tenure_months: np.ndarray, weeks: int) -> np.ndarray:
    """(agents x weeks+1): expected share still employed at the start of each week (1 at 0)."""
    tenure_months = np.asarray(tenure_months, dtype=float)
    out = np.ones((len(tenure_months), weeks + 1))
    for i, t0 in enumerate(tenure_months):
        rates = [cfg.weekly_leave_rate(t0 + k / WEEKS_PER_MONTH) for k in range(weeks)]
        out[i, 1:] = np.cumprod(1.0 - np.asarray(rates))
    return out


@dataclass(frozen=True)
class BaseSupply:
    """Today's agents over the horizon: paid FTE and heads at the start of each week, and the
    FTE leaving during each week."""

    fte: np.ndarray
    heads: np.ndarray
    attrition_fte: np.ndarray


def base_supply(workforce: Workforce, cfg: CapacityConfig, weeks: int) -> BaseSupply:
    surv = survival(cfg, workforce.frame["tenure_months"].to_numpy(), weeks)
    fte = workforce.frame["fte"].to_numpy(dtype=float) @ surv
    heads = surv.sum(axis=0)
    return BaseSupply(fte[:weeks], heads[:weeks], fte[:weeks] - fte[1 : weeks + 1])


@dataclass(frozen=True)
class ClassResponse:
    """What one trainee who starts in week 0 becomes, by weeks since the start (length n):
    `trainees` (paid heads in the classroom), `graduates` (heads graduating that week),
    `heads` (graduates employed at the start of the week), `ramping` (those heads still below
    100%), `effective` (heads x productivity), `attrition` (heads leaving during the week)."""

    trainees: np.ndarray
    graduates: np.ndarray
    heads: np.ndarray
    ramping: np.ndarray
    effective: np.ndarray
    attrition: np.ndarray


def class_response(cfg: CapacityConfig, weeks: int) -> ClassResponse:
    c = cfg.classroom_weeks
    keep = 1.0 - cfg.dropout_pct / 100.0
    ramp = np.asarray(cfg.ramp_pct()) / 100.0
    trainees = np.zeros(weeks)
    trainees[: min(c, weeks)] = 1.0
    graduates = np.zeros(weeks)
    heads = np.zeros(weeks)
    ramping = np.zeros(weeks)
    effective = np.zeros(weeks)
    attrition = np.zeros(weeks)
    if c < weeks:
        graduates[c] = keep
        alive = keep
        for j in range(c, weeks):
            k = j - c  # weeks since graduation
            heads[j] = alive
            prod = ramp[k] if k < len(ramp) else 1.0
            effective[j] = alive * prod
            ramping[j] = alive if prod < 1.0 else 0.0
            leave = alive * cfg.weekly_leave_rate(j / WEEKS_PER_MONTH)
            attrition[j] = leave
            alive -= leave
    return ClassResponse(trainees, graduates, heads, ramping, effective, attrition)


def shifted(unit: np.ndarray, start: int, weeks: int) -> np.ndarray:
    """`unit` moved to begin at week `start`, cut to `weeks`."""
    out = np.zeros(weeks)
    if start < weeks:
        out[start:] = unit[: weeks - start]
    return out


@dataclass(frozen=True)
class SupplyTable:
    """Week by week: tenured (paid FTE at 100%), ramping (paid FTE below 100%) and its
    effective FTE, trainees (paid FTE, off the phones), attrition (FTE leaving that week),
    hires (trainees starting), graduates (heads)."""

    frame: pd.DataFrame


def supply_table(
    base: BaseSupply,
    cfg: CapacityConfig,
    classes: dict[int, dict[float, float]],
    weeks: int,
) -> SupplyTable:
    """The flows of today's agents plus `classes` = {start week: {fte per hire: size}}."""
    unit = class_response(cfg, weeks)
    tenured = base.fte.copy()
    ramping = np.zeros(weeks)
    ramping_eff = np.zeros(weeks)
    trainees = np.zeros(weeks)
    attrition = base.attrition_fte.copy()
    hires = np.zeros(weeks)
    graduates = np.zeros(weeks)
    for start, sizes in classes.items():
        for fte, size in sizes.items():
            f = size * fte
            heads = shifted(unit.heads, start, weeks)
            ramp = shifted(unit.ramping, start, weeks)
            eff = shifted(unit.effective, start, weeks)
            tenured += f * (heads - ramp)
            ramping += f * ramp
            ramping_eff += f * (eff - (heads - ramp))
            trainees += f * shifted(unit.trainees, start, weeks)
            attrition += f * shifted(unit.attrition, start, weeks)
            graduates += size * shifted(unit.graduates, start, weeks)
            if start < weeks:
                hires[start] += size
    frame = pd.DataFrame(
        {
            "tenured_fte": tenured,
            "ramping_fte": ramping,
            "ramping_eff_fte": ramping_eff,
            "trainees_fte": trainees,
            "attrition_fte": attrition,
            "hires": hires,
            "graduates": graduates,
        }
    )
    return SupplyTable(frame)
