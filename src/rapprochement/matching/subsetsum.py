"""Bounded subset-sum over one payer's open items, counting the alternatives.

A grouped payment is a subset of the payer's open items (invoices > 0, credit notes < 0) whose
sum equals the payment (exact cents), or falls within a fee / discount window. Finding one
subset is easy; the engine must also know whether *another* subset fits (then the group is
ambiguous and never automatic), so the search enumerates up to ``limit`` solutions, within a
node budget, and says whether it finished.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["SubsetSearch", "find_subsets"]


class SubsetSearch:
    """Result of :func:`find_subsets`.

    Attributes:
        solutions: index tuples (into the values given), each sorted ascending.
        complete: True when the search space was exhausted (so the count is exact up to
            ``limit``); False when the node budget stopped it.
    """

    __slots__ = ("complete", "solutions")

    def __init__(self, solutions: list[tuple[int, ...]], complete: bool) -> None:
        self.solutions = solutions
        self.complete = complete


def find_subsets(
    values: Sequence[int],
    lo: int,
    hi: int,
    *,
    min_size: int = 2,
    max_size: int = 10,
    limit: int = 3,
    max_nodes: int = 200_000,
) -> SubsetSearch:
    """Subsets of ``values`` (integers, any sign) of ``min_size``..``max_size`` items whose sum
    lies in ``[lo, hi]``; at most ``limit`` of them, found deterministically.

    Items are explored largest magnitude first with suffix bounds (the most and least a suffix
    can still add), so a branch that cannot reach the window is cut at once.
    """
    n = len(values)
    order = sorted(range(n), key=lambda i: (-abs(values[i]), i))
    vals = [values[i] for i in order]
    pos_suffix = [0] * (n + 1)
    neg_suffix = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        pos_suffix[k] = pos_suffix[k + 1] + max(vals[k], 0)
        neg_suffix[k] = neg_suffix[k + 1] + min(vals[k], 0)
    found: list[tuple[int, ...]] = []
    chosen: list[int] = []
    nodes = 0
    stopped = False

    def dfs(k: int, total: int) -> None:
        nonlocal nodes, stopped
        if stopped or len(found) >= limit:
            return
        nodes += 1
        if nodes > max_nodes:
            stopped = True
            return
        if len(chosen) >= max_size or k >= n:
            return
        if total + pos_suffix[k] < lo or total + neg_suffix[k] > hi:
            return
        chosen.append(k)
        new = total + vals[k]
        if len(chosen) >= min_size and lo <= new <= hi:
            found.append(tuple(sorted(order[j] for j in chosen)))
        dfs(k + 1, new)
        chosen.pop()
        dfs(k + 1, total)

    dfs(0, 0)
    return SubsetSearch(found, complete=not stopped)
