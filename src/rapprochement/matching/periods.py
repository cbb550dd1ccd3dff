"""A collector's payout without its report, read as one settlement period (ADR 0021).

Real collectors settle periods: an automatic payout is the balance that became available
since the previous payout (a charge becomes available some days after it is made), a
marketplace settles every order of its period, a withdrawal takes the whole balance. So a
collector's payouts **partition** its charges: the payout on day ``D`` whose predecessor (the
collector's previous payout in the book) came on day ``P`` settles every charge and refund
made from ``P - d + 1`` to ``D - d``, ``d`` being the collector's availability delay.

The delay is learned from the book's own reports (:mod:`.payouts`), never given: every item
a report names was made no later than ``D - d`` and after ``P - d``, which bounds ``d`` from
both sides; the delays that agree with every report are the collector's (none: its payouts do
not partition its charges, and :mod:`.windows` reads them as before). A payout without its
report is then read for each such delay: the collector's open items of its id shapes made in
that period and named in no report, each charge net of the collector's fee, credit notes in
full. A reading holds only when its net sum is the payment to the cent, or when what is left
is the net of open orders without a payment id made in that period (an order stored without
the provider's id). When two delays give two different readings that fit, or none fits, the
payout is left alone with its note: nothing is guessed.

What is left for orders without their id is allocated to them when one set of such orders
(at most :data:`_MAX_UNNAMED`) adds up to it, net of fees, and no other does; otherwise it is
left on the payment (``source = window_unread``, explained by :func:`.payouts.note`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rapprochement.matching.subsetsum import find_subsets

__all__ = ["Reading", "alone", "delays", "previous", "read_period"]

_MAX_UNNAMED = 3  # most orders without an id one payout's remainder is allocated to
_MAX_CANDIDATES = 40  # most open orders without an id searched in one period


@dataclass(frozen=True, slots=True)
class Reading:
    """One payout read as its settlement period: the items and their allocations, and
    whether some of its money is left for orders without their payment id (``unread``)."""

    items: tuple[int, ...]
    allocs: tuple[int, ...]
    unread: bool


def previous(days: Sequence[int], day: int) -> int | None:
    """The day of the payout before one on ``day`` among a collector's sorted payout
    ``days`` (None: the first)."""
    k = bisect.bisect_left(days, day)
    return days[k - 1] if k else None


def alone(unread: Sequence[int], day: int) -> bool:
    """Is the payout on ``day`` the only one of the collector that day without its report,
    among the sorted days ``unread`` of those payouts? (Two such payouts split what the day
    settles: neither can be read alone. A report's items are named, so the rest is the
    other's.)"""
    return bisect.bisect_right(unread, day) - bisect.bisect_left(unread, day) == 1


def delays(reports: Sequence[tuple[int, int | None, int, int]]) -> tuple[int, int] | None:
    """The availability delays (fewest, most days) that agree with every report, given as
    ``(payout day, previous payout day or None, first item day, last item day)``; None when
    none does (the collector's payouts do not partition its charges) or there is no report."""
    if not reports:
        return None
    lo, hi = 0, min(day - last for day, _, _, last in reports)
    for _, prev, first, _ in reports:
        if prev is not None:
            lo = max(lo, prev - first + 1)
    return (lo, hi) if lo <= hi else None


def read_period(
    amount: int,
    span: tuple[int | None, int],
    window: tuple[int, int],
    named: Callable[[int, int], list[int]],
    unnamed: Callable[[int, int], list[int]],
    opens: Any,
    fee: Callable[[int], int],
) -> Reading | None:
    """The one reading of a payout of ``amount`` minor units (module doc), or None.

    ``span`` is (previous payout day or None, payout day), ``window`` the learned delays,
    ``named(first, last)`` the collector's open items of its id shapes made from day
    ``first`` to ``last`` and named in no report, ``unnamed(first, last)`` the open items
    without a payment id made then, ``opens`` open amounts by item, ``fee`` the collector's
    fee of one charge."""

    def net(i: int) -> int:
        g = int(opens[i])
        return g - fee(g) if g > 0 else g

    prev, day = span
    found: dict[tuple[int, ...], Reading] = {}
    for d in range(window[0], window[1] + 1):
        first = -(1 << 40) if prev is None else prev - d + 1
        items = named(first, day - d)
        if not any(opens[i] > 0 for i in items):
            continue
        left = amount - sum(net(i) for i in items)
        if left < 0:
            continue
        extra = _remainder(left, unnamed(first, day - d), net) if left else []
        if extra is None:
            continue
        whole = tuple(sorted([*items, *extra]))
        found.setdefault(
            (*items, -1, *extra),
            Reading(whole, tuple(net(i) for i in whole), left > 0 and not extra),
        )
    return next(iter(found.values())) if len(found) == 1 else None


def _remainder(left: int, candidates: list[int], net: Callable[[int], int]) -> list[int] | None:
    """The orders without an id that ``left`` pays (its one set of them), ``[]`` when several
    sets of them fit (the money is left unallocated), None when none does."""
    pos = [i for i in candidates if net(i) > 0][:_MAX_CANDIDATES]
    res = find_subsets(
        [net(i) for i in pos], left, left, min_size=1, max_size=_MAX_UNNAMED, limit=2
    )
    if not res.solutions:
        return None
    if len(res.solutions) == 1 and res.complete and not res.interchangeable[0]:
        return sorted(pos[k] for k in res.solutions[0])
    return []
