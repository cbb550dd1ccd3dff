"""Bounded subset-sum over one payer's open items, counting the alternatives.

A grouped payment is a subset of the payer's open items (invoices > 0, credit notes < 0) whose
sum equals the payment (exact cents), or falls within a fee / discount window. Finding one
subset is easy; the engine must also know whether *another* subset fits (then the group is
ambiguous and never automatic), so the search enumerates up to ``limit`` solutions, within a
node budget, and says whether it finished.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["SubsetSearch", "find_subsets"]


class SubsetSearch:
    """Result of :func:`find_subsets`.

    Attributes:
        solutions: index tuples (into the values given), each sorted ascending. Subsets that
            differ only by swapping items of equal value count once.
        interchangeable: per solution, True when it took some but not all of several equal
            values (which of them is paid cannot be told from the amounts).
        complete: True when the search space was exhausted (so the count is exact up to
            ``limit``); False when the node budget stopped it.
    """

    __slots__ = ("complete", "interchangeable", "solutions")

    def __init__(
        self, solutions: list[tuple[int, ...]], interchangeable: list[bool], complete: bool
    ) -> None:
        self.solutions = solutions
        self.interchangeable = interchangeable
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

    Equal values form one group from which the search takes a count (the first items of the
    group in the order given, so callers list preferred items first). Groups are explored
    largest magnitude first with suffix bounds (the most and least the rest can still add), so
    a branch that cannot reach the window is cut at once.
    """
    groups: dict[int, list[int]] = {}
    for i, v in enumerate(values):
        groups.setdefault(v, []).append(i)
    distinct = sorted(groups, key=lambda v: (-abs(v), v))
    n = len(distinct)
    counts = [len(groups[v]) for v in distinct]
    pos_suffix = [0] * (n + 1)
    neg_suffix = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        v = distinct[k]
        pos_suffix[k] = pos_suffix[k + 1] + max(v, 0) * counts[k]
        neg_suffix[k] = neg_suffix[k + 1] + min(v, 0) * counts[k]
    found: list[tuple[int, ...]] = []
    inter: list[bool] = []
    chosen: list[tuple[int, int]] = []
    nodes = 0
    stopped = False

    def record() -> None:
        idx = [i for k, c in chosen for i in groups[distinct[k]][:c]]
        found.append(tuple(sorted(idx)))
        inter.append(any(c < counts[k] for k, c in chosen))

    # (``dfs`` is handed itself rather than naming itself: a function in its own closure is
    # a reference cycle, freed only by the cyclic collector, which a serial stage pauses
    # and whose frozen objects it never walks)
    def dfs(k: int, total: int, size: int, again: Callable[..., None]) -> None:
        nonlocal nodes, stopped
        if stopped or len(found) >= limit or k >= n or size >= max_size:
            return
        nodes += 1
        if nodes > max_nodes:
            stopped = True
            return
        if total + pos_suffix[k] < lo or total + neg_suffix[k] > hi:
            return
        v = distinct[k]
        for c in range(min(counts[k], max_size - size), 0, -1):
            chosen.append((k, c))
            new = total + v * c
            if size + c >= min_size and lo <= new <= hi:
                record()
            again(k + 1, new, size + c, again)
            chosen.pop()
            if stopped or len(found) >= limit:
                return
        again(k + 1, total, size, again)

    dfs(0, 0, 0, dfs)
    return SubsetSearch(found, inter, complete=not stopped)
