"""The long-range capacity and hiring plan (`planner capacity`).

Months ahead, the decisions are how many agents to hire and when each class starts, how much
overtime and how many seasonal temps to budget (DOMAIN.md, "Months ahead"). This stage takes the
forecast 52-104 weeks ahead, staffs every week interval by interval with planner's own Erlang
path (`demand`), runs today's agents and the hiring classes through attrition, classroom,
dropout and ramp (`supply`), chooses classes, overtime and temps at least cost with an integer
programme (`plan`) and measures the plan's risk with a Monte Carlo (`risk`); the scheduling
inefficiency is measured on real rosters (`inefficiency`), and a week handed to the weekly run
is required as that run computes it (`weekrun`). `build` ties them together for one scenario. Every term of the weekly table can be recomputed by hand:

    required_fte  = staff_hours (at the quantile; shrinkage per interval) x inefficiency
                    / contract_hours
    effective_fte = tenured_fte + ramping_eff_fte + temps x temp_productivity
                    + overtime_h / contract_hours
    gap_fte       = effective_fte - required_fte   (negative: shortfall, priced and reported)
"""

from planner.capacity.aht import seasonal_aht
from planner.capacity.build import (
    TABLE_COLUMNS,
    CapacityPlan,
    capacity_plan,
    config_of,
    expected_agents,
    long_range_forecast,
)
from planner.capacity.config import KEYS, TABLE, CapacityConfig, TenureBand, capacity_config
from planner.capacity.demand import QUANTILES, Demand, weekly_demand, weekly_shrinkage
from planner.capacity.inefficiency import Inefficiency
from planner.capacity.plan import Contract, HiringClass, Plan, required_fte, solve_plan
from planner.capacity.risk import Risk, simulate_risk
from planner.capacity.supply import (
    BaseSupply,
    ClassResponse,
    Workforce,
    base_supply,
    class_response,
    read_workforce,
    supply_table,
    workforce_of,
)
from planner.capacity.weekrun import WeekRunNeed, week_run_need

__all__ = [
    "KEYS",
    "QUANTILES",
    "TABLE",
    "TABLE_COLUMNS",
    "BaseSupply",
    "CapacityConfig",
    "CapacityPlan",
    "ClassResponse",
    "Contract",
    "Demand",
    "HiringClass",
    "Inefficiency",
    "Plan",
    "Risk",
    "TenureBand",
    "WeekRunNeed",
    "Workforce",
    "base_supply",
    "capacity_config",
    "capacity_plan",
    "class_response",
    "config_of",
    "expected_agents",
    "long_range_forecast",
    "read_workforce",
    "required_fte",
    "seasonal_aht",
    "simulate_risk",
    "solve_plan",
    "supply_table",
    "weekly_demand",
    "week_run_need",
    "weekly_shrinkage",
    "workforce_of",
]
