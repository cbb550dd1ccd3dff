"""Payouts of a collector that come without their report: every open charge in its timing.

A collector (a payment provider, a marketplace) is known from this book itself: a payer
whose remittance lines were read as a collector's itemized report (:mod:`.payouts`). Its
reports teach, with no name or format given in advance:

* the **shapes** of its payment ids (length, character classes, separators at their places:
  ``ch_3…`` of 27 characters, 16 digits, ``302-1234567-1234567``), so that its open items
  are told from the others by their ``reference``;
* its **timing**: the fewest and most days between an item's issue and the payout;
* its **fee schedule**: a share of each charge in basis points plus a fixed part, found from
  the reports' fee lines and kept only when it gives every complete report's deduction to the
  cent (one rounding rule for all: half up, down or up per charge).

A payment of that payer with no advice lines is then read as the collector's usual payout:
every open item of its shapes issued inside its timing and not named in any report, each
charge net of its fee, credit notes (refunds) in full. When their net sum is the payment to
the cent, they are one hypothesis (``source = window``): nothing else of the collector could
be paid, and it may be automatic. A part of them is never tried, not even a run of days:
among a few dozen open charges some run adds up to almost any amount (in a generated book,
one such reading in three was a coincidence). Otherwise the payout is left unallocated with
a note (:func:`notes`): load the collector's settlement report.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.group_context import GroupContext
from rapprochement.matching.keys import normalize_name
from rapprochement.matching.payouts import COLLECTOR
from rapprochement.matching.periods import alone, delays, previous, read_period

__all__ = [
    "NOTE",
    "Collector",
    "collectors",
    "notes",
    "payer_key",
    "shape",
    "window_groups",
]

#: the note of a collector's payout left unallocated
NOTE = (
    "payout of a collector (its reports in this book name items of many customers) without "
    "its report, and no one reading of its open charges, net of its fees, adds up to it (or "
    "two settlement periods do): load the provider's settlement report"
)
_LEARN = ("report", "report_unread")  # report readings that teach shapes and timing
_MIN_REPORTS = 2  # complete reports needed to trust a fee schedule
_ROUNDINGS: dict[str, Callable[[int, int], int]] = {
    "half_up": lambda g, bp: (g * bp + 5000) // 10000,
    "down": lambda g, bp: g * bp // 10000,
    "up": lambda g, bp: -(-g * bp // 10000),
}


def shape(reference: Any) -> tuple[int, str, tuple[tuple[int, str], ...]] | None:
    """The shape of a payment id: its length, its character classes (``A`` upper, ``a``
    lower, ``9`` digit) and its separators at their places; None for no reference."""
    ref = "" if reference is None else str(reference).strip()
    if not ref or ref == "nan":
        return None
    classes = {"A" if c.isupper() else "a" if c.islower() else "9" for c in ref if c.isalnum()}
    seps = tuple((k, c) for k, c in enumerate(ref) if not c.isalnum())
    return len(ref), "".join(sorted(classes)), seps


@dataclass(slots=True)
class Collector:
    """What a collector's reports in this book teach (module doc)."""

    shapes: set[Any] = field(default_factory=set)
    lo: int = 1 << 30
    hi: int = -(1 << 30)
    reports: list[tuple[list[int], int]] = field(default_factory=list)  # (grosses, deduction)
    fee: Callable[[int], int] | None = None
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (payment, first, last day)
    days: list[int] = field(default_factory=list)  # of its payouts, sorted
    unread: list[int] = field(default_factory=list)  # of its payouts read in no report, sorted
    delays: tuple[int, int] | None = None  # of its settlement periods (:mod:`.periods`)


def payer_key(iban: Any, name: Any) -> str:
    """Who a payment comes from: its IBAN, else its payer's normalized name ('' if none)."""
    ib = "" if iban is None else str(iban)
    if ib and ib != "nan":
        return ib
    nm = normalize_name(str(name or ""))
    return f"name:{nm}" if nm else ""


def _schedule(reports: list[tuple[list[int], int]]) -> Callable[[int], int] | None:
    """The fee per charge that gives every report's deduction exactly, or None."""
    if len(reports) < _MIN_REPORTS:
        return None
    a = np.array([[sum(g), len(g)] for g, _ in reports], dtype=np.float64)
    d = np.array([float(x) for _, x in reports])
    (p, f), *_ = np.linalg.lstsq(a, d, rcond=None)
    bp0, f0 = round(float(p) * 10000), round(float(f))
    trials = sorted(
        ((bp0 + i, f0 + j) for i in range(-3, 4) for j in range(-3, 4)),
        key=lambda x: abs(x[0] - bp0) + abs(x[1] - f0),
    )
    for rounding in _ROUNDINGS.values():
        for bp, fixed in trials:
            if bp < 0 or fixed < 0:
                continue
            if all(sum(rounding(g, bp) + fixed for g in gs) == ded for gs, ded in reports):
                return _fee(rounding, bp, fixed)
    return None


def _fee(rounding: Callable[[int, int], int], bp: int, fixed: int) -> Callable[[int], int]:
    """The fee of a charge of ``g`` minor units: ``bp`` basis points rounded by ``rounding``
    plus ``fixed``, never the whole charge."""

    def fee(g: int) -> int:
        return min(g - 1, rounding(g, bp) + fixed)

    return fee


def collectors(tx: pd.DataFrame, inv: pd.DataFrame, groups: pd.DataFrame) -> dict[str, Collector]:
    """Per payer (:func:`payer_key`), what its collector's reports read in ``groups`` teach."""
    out: dict[str, Collector] = {}
    if not len(groups):
        return out
    rep = groups[groups["source"].isin(_LEARN)]
    if not len(rep):
        return out
    days, amounts = tx["day"].to_numpy(), tx["amount"].to_numpy()
    ibans, names = tx["iban"].to_numpy(), tx["name"].to_numpy()
    refs, issue = inv["reference"].to_numpy(), inv["issue_day"].to_numpy()
    opens = inv["open"].to_numpy()
    for t, invs, allocs, src in zip(
        rep["tx"], rep["invs"], rep["allocs"], rep["source"], strict=True
    ):
        key = payer_key(ibans[t], names[t])
        if not key:
            continue
        c = out.setdefault(key, Collector())
        sign = 1 if amounts[t] >= 0 else -1
        grosses, deduction = [], 0
        made = [int(issue[i]) for i in invs]
        c.spans.append((int(t), min(made), max(made)))
        for i, x in zip(invs, allocs, strict=True):
            c.shapes.add(shape(refs[i]))
            g = sign * int(opens[i])
            if g > 0:
                c.lo, c.hi = min(c.lo, int(days[t] - issue[i])), max(c.hi, int(days[t] - issue[i]))
                grosses.append(g)
                deduction += g - sign * int(x)
        if src == "report" and grosses:
            c.reports.append((grosses, deduction))
    read = set(rep["tx"])
    for t, (ib, nm, a) in enumerate(zip(ibans, names, amounts, strict=True)):
        payer = out.get(payer_key(ib, nm)) if a > 0 else None
        if payer is not None:
            payer.days.append(int(days[t]))
            if t not in read:
                payer.unread.append(int(days[t]))
    for c in out.values():
        c.shapes.discard(None)
        c.fee = _schedule(c.reports)
        c.days.sort()
        c.unread.sort()
        c.delays = _delays(c, days)
    return out


def _delays(c: Collector, days: np.ndarray[Any, Any]) -> tuple[int, int] | None:
    """The availability delays of ``c``'s settlement periods that agree with its reports."""
    spans = []
    for t, first, last in c.spans:
        spans.append((int(days[t]), previous(c.days, int(days[t])), first, last))
    return delays(spans)


def _issued(items: list[tuple[int, int]], first: int, last: int) -> list[int]:
    """The items of ``(issue day, position)`` pairs (sorted) issued from ``first`` to ``last``."""
    lo = bisect.bisect_left(items, (first, -1))
    hi = bisect.bisect_right(items, (last, 1 << 62))
    return [i for _, i in items[lo:hi]]


def window_groups(
    tx: pd.DataFrame,
    inv: pd.DataFrame,
    pairs: pd.DataFrame,
    groups: pd.DataFrame,
    advised: set[str],
    config: MatchConfig,
    currency: str,
) -> tuple[pd.DataFrame, set[int]]:
    """The hypotheses of collectors' payouts without a report (module doc), a frame like
    ``groups`` (empty when the book shows no collector), and the positions of every payment
    of a collector without advice lines (``advised``: payment ids with advice lines): such a
    payment is the collector's, not one of its customers', whatever else it resembles."""
    learned = collectors(tx, inv, groups)
    ibans, names, tids = tx["iban"].to_numpy(), tx["name"].to_numpy(), tx["transaction_id"]
    theirs = {
        t
        for t, tid in enumerate(tids.to_numpy())
        if str(tid) not in advised and payer_key(ibans[t], names[t]) in learned
    }
    known = {k: c for k, c in learned.items() if c.fee is not None}
    if not known:
        return groups.iloc[0:0], theirs
    reported = {int(i) for src, invs in zip(groups["source"], groups["invs"], strict=True)
                if src in _LEARN for i in invs}  # fmt: skip
    wanted = set().union(*(c.shapes for c in known.values()))
    by_shape: dict[Any, list[tuple[int, int]]] = {}
    unnamed: list[tuple[int, int]] = []  # (issue day, position) of items without an id
    issue = inv["issue_day"].to_numpy()
    for i, r in enumerate(inv["reference"].to_numpy()):
        sh = shape(r)
        if i in reported:
            continue
        if sh is None:
            unnamed.append((int(issue[i]), i))
        elif sh in wanted:
            by_shape.setdefault(sh, []).append((int(issue[i]), i))
    for v in (*by_shape.values(), unnamed):
        v.sort()
    ctx = GroupContext(tx, inv, pairs, config, currency)
    amounts = tx["amount"].to_numpy()
    for t in sorted(theirs):
        c = known.get(payer_key(ibans[t], names[t]))
        if c is None or c.fee is None or amounts[t] <= 0:
            continue
        if c.delays is not None:  # its payouts partition its charges (:mod:`.periods`)
            _period(ctx, t, c, by_shape, unnamed)
        else:
            _window(ctx, t, c, by_shape)
    return (ctx.frame() if ctx.rows else groups.iloc[0:0]), theirs


def _add(ctx: GroupContext, t: int, items: list[int], net: list[int], source: str) -> None:
    """A collector's payout read without its report: one hypothesis (``iban = collector``)."""
    gross = sum(int(ctx.open[i]) for i in items)
    level = "stated" if gross != int(ctx.amounts[t]) else "exact"
    before = len(ctx.rows)
    ctx.add(t, items, net, source, level, 0, str(ctx.cust[items[0]]))
    if len(ctx.rows) > before:
        ctx.rows[-1]["iban"] = COLLECTOR


def _window(
    ctx: GroupContext, t: int, c: Collector, by_shape: dict[Any, list[tuple[int, int]]]
) -> None:
    """Every open item of ``c``'s shapes made in its timing, when they add up (ADR 0015)."""
    day = int(ctx.days[t])
    items = sorted(
        i for sh in c.shapes for i in _issued(by_shape.get(sh, []), day - c.hi, day - c.lo)
    )
    fee = c.fee
    assert fee is not None
    net = [g - fee(g) if (g := int(ctx.open[i])) > 0 else g for i in items]
    if any(ctx.open[i] > 0 for i in items) and sum(net) == int(ctx.amounts[t]):
        _add(ctx, t, items, net, "window")


def _period(
    ctx: GroupContext,
    t: int,
    c: Collector,
    by_shape: dict[Any, list[tuple[int, int]]],
    unnamed: list[tuple[int, int]],
) -> None:
    """The one reading of payout ``t`` as ``c``'s settlement period, if any (ADR 0021)."""
    day = int(ctx.days[t])
    prev = previous(c.days, day)
    if not alone(c.unread, day) or c.delays is None or c.fee is None:
        return
    got = read_period(
        int(ctx.amounts[t]),
        (prev, day),
        c.delays,
        lambda a, b: sorted(i for sh in c.shapes for i in _issued(by_shape.get(sh, []), a, b)),
        lambda a, b: [i for i in _issued(unnamed, a, b) if ctx.open[i] > 0],
        ctx.open,
        c.fee,
    )
    if got is not None:
        _add(ctx, t, list(got.items), list(got.allocs), "window_unread" if got.unread else "window")


def notes(
    tx: pd.DataFrame,
    groups: pd.DataFrame,
    inv: pd.DataFrame,
    allocated: set[int],
    advised: set[str],
) -> list[dict[str, str]]:
    """``transaction_id, note`` of the collectors' payouts (payments of a payer whose
    reports this book reads) left with no allocation and no advice lines."""
    known = collectors(tx, inv, groups)
    if not known:
        return []
    out = []
    for t, (tid, ib, nm, amt) in enumerate(
        zip(tx["transaction_id"], tx["iban"], tx["name"], tx["amount"], strict=True)
    ):
        unread = amt > 0 and t not in allocated and str(tid) not in advised
        if unread and payer_key(ib, nm) in known:
            out.append({"transaction_id": str(tid), "note": NOTE})
    return out
