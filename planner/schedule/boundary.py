"""Agents who continue last week: which of a group's tours each can take, as a small network.

After last week's roster, an agent's first shift this week starts no earlier than their rest
allows (`earliest_start_min`) and works at most `max_lead_days` days in a row from Monday.
Agents of one group otherwise take the same tours. Giving every (earliest start, lead days)
pair a group of its own multiplies the tour variables by the number of pairs (a chained
10,000-call week: 106 groups, 72,297 tour variables instead of 2,352); instead a group keeps one
variable per tour and the pairs become a grid network: each agent is a unit of supply at
its (earliest start, lead days) node, may pass to a later earliest start or to fewer lead
days (an agent who may start at 06:00 may also start at 08:00), and a tour draws its agents
from the node of its own first start and lead days. A compatible assignment exists exactly
when the network has a flow (Hall's condition on a grid of dominance), and a network with
integer supplies and demands has an integer flow, so the flow variables stay continuous.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import maximum_bipartite_matching

from planner.schedule.rules import DAY_MIN
from planner.schedule.tours import Tour

Edge = tuple[int, int]  # (earliest start in minutes from the week start, most lead days)


def lead_days(tour: Tour) -> int:
    """Days the tour works in a row from the first day of the week."""
    count = 0
    while count in tour.days:
        count += 1
    return count


def tour_edge(tour: Tour, slack_min: int = 0) -> Edge:
    """(first start minus the start tolerance, lead days) of a tour."""
    return min(tour.days) * DAY_MIN + tour.shift.start_min - slack_min, lead_days(tour)


def fits(edge: Edge, need: Edge) -> bool:
    """Whether an agent with boundary `edge` may take a tour needing `need` (`tour_edge`)."""
    return edge[0] <= need[0] and edge[1] >= need[1]


@dataclass(frozen=True)
class Grid:
    """The nodes of a group's network: distinct earliest starts (ascending) and lead days
    (descending); node (i, j) passes agents to (i + 1, j) and (i, j + 1)."""

    starts: tuple[int, ...]
    leads: tuple[int, ...]

    @classmethod
    def of(cls, edges) -> Grid:
        return cls(tuple(sorted({e for e, _ in edges})), tuple(sorted({c for _, c in edges})[::-1]))

    def node(self, edge: Edge) -> tuple[int, int]:
        """The most restrictive node whose agents may all take a tour needing `edge` (for an
        agent's own edge: its node)."""
        i = bisect.bisect_right(self.starts, edge[0]) - 1
        j = sum(1 for c in self.leads if c >= edge[1]) - 1
        return i, j


def matching(edges: list[Edge], needs: list[Edge]) -> list[int]:
    """For each tour instance (`needs`), the agent (index into `edges`) it goes to, or -1:
    a maximum matching of tours to compatible agents (Hopcroft-Karp; deterministic)."""
    if not needs or not edges:
        return [-1] * len(needs)
    rows, cols = [], []
    for t, need in enumerate(needs):
        for a, edge in enumerate(edges):
            if fits(edge, need):
                rows.append(t)
                cols.append(a)
    graph = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(needs), len(edges)))
    return [int(a) for a in maximum_bipartite_matching(graph, perm_type="column")]


def flows(grid: Grid, edges: list[Edge], needs: list[Edge], match: list[int]) -> dict:
    """Arc flows (('r' | 'd', i, j) -> agents) that carry each matched agent from its node to
    its tour's node: along its lead-days row to the tour's start column, then down it. An
    unmatched tour (a hire's) is carried from the loosest node, (0, 0)."""
    out: dict[tuple[str, int, int], float] = {}
    for t, a in enumerate(match):
        ia, ja = grid.node(edges[a]) if a >= 0 else (0, 0)
        it, jt = grid.node(needs[t])
        for i in range(ia, it):
            out["r", i, ja] = out.get(("r", i, ja), 0.0) + 1.0
        for j in range(ja, jt):
            out["d", it, j] = out.get(("d", it, j), 0.0) + 1.0
    return out
