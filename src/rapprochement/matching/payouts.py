"""Itemized reports of collectors: one payment settling items of several customers.

A payment provider, a marketplace or a factor collects from many customers and pays the
seller one net amount. Its report (a settlement report, loaded as remittance-advice lines)
lists each charge by the payment id the seller stored on its item (an invoice's
``reference``, or its number), each refund as a negative line naming the credit note, and its
own charges (fees, adjustments) as negative lines that name no item. Read line by line:

* a line **resolves** to the one open item it names by a strong reference (checksum, exact,
  normalized; its ``reference`` field first, else its memo) whose sign is the line's; among
  several, the one whose open amount is the line's amount (a refund line naming both the
  credit note and, in its memo, the order it refunds names the credit note);
* a **negative line that names no item is a deduction** stated by the collector (its fee):
  the charges it comes out of are closed (kind ``fee``), not left short. A collector's fee is
  charged per item (a share of each charge, plus a fixed part), so each charge carries its
  own share, in proportion to its gross (the rounding on the last), as an exact discount
  does (ADR 0015): carried by the last items alone, a fee of 15 % would swallow whole
  orders, which would then stay open; refunds are netted in full;
* a positive line that names no item (an order stored without its payment id) leaves its
  money unallocated (the payment's ``remaining``): the other lines are read as surely as in a
  complete report, and the explanation says so (:func:`note`);
* a line whose item's open amount is not the line's, or that names several items equally,
  holds the whole reading from being automatic (:func:`held_reason`).

The reading is one grouped hypothesis (``source = report``) when its items look collected
(two customers or more, none holding more than half the items, the payer not named like one
holding half:
a payer's own advice, even one whose mistyped numbers name another customer's invoice, is
left to the per-payer reading of :func:`.named.remittance_groups`) and its lines add up to
the payment to the cent. Its ``amount`` level is ``stated`` (the report accounts for every cent, its
deductions included) or ``exact`` (no deduction), and its ``iban`` and ``name`` levels are
``collector``: the payer is the collector, so its name and account say nothing for or
against any one customer; the report ties the payment to each item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rapprochement.matching.group_context import GroupContext

__all__ = ["COLLECTOR", "REPORT_SOURCES", "STRONG", "Lines", "held_reason", "note", "report_group"]

#: a payment's advice lines, column → values (a frame, or its columns as lists)
Lines = Mapping[str, Sequence[Any]]

#: ``iban`` / ``name`` level of a collector's report (the payer is not the customer)
COLLECTOR = "collector"
#: group sources of a collector's report: every line read; lines naming no open item (their
#: money left unallocated); a line read with another amount, or naming several items
REPORT_SOURCES = ("report", "report_unread", "report_partial")
#: reference level (normalized or stronger) at which a report's line names an item: weaker
#: keys of a line are never read (:func:`report_group`'s ``resolve`` may leave them out)
STRONG = 2
_MAX_ITEMS = 500  # most items one report is read into
_AMBIGUOUS = -2  # a line naming several items equally
_PAYER_NAMED = 85.0  # name similarity at which a customer is the payer (as in .groups)


def held_reason(source: str) -> str | None:
    """The gate reason that keeps a report's reading from being automatic, or None."""
    if source == "report_partial":
        return (
            "payout report read in part: a line states another amount than its item's open "
            "amount, or names several items"
        )
    return None


def note(source: str) -> str | None:
    """The zero-weight explanation row's value for a report some of whose lines name no
    open item (or a payout read by its period leaving money for orders without their id:
    :mod:`.periods`), or None."""
    if source == "report_unread":
        return (
            "payout report: a charge line names no open item (an order without its payment "
            "id?); its money is left unallocated"
        )
    if source == "window_unread":
        return (
            "payout without its report, read as the collector's settlement period: what its "
            "charges net of fees leave is the net of open orders without a payment id made in "
            "the period, but several sets of them fit; it is left unallocated"
        )
    return None


def _resolve(
    ctx: GroupContext, hits: dict[int, int], signed: int, sign: int, taken: set[int]
) -> tuple[int, bool]:
    """The item a line of ``signed`` minor units names (-1: none, :data:`_AMBIGUOUS`: several
    equally) and whether its open amount is the line's."""
    own = [
        (lvl, i)
        for i, lvl in hits.items()
        if lvl <= STRONG and i not in taken and sign * int(ctx.open[i]) * signed > 0
    ]
    if not own:
        return -1, False
    same = [i for _, i in own if sign * int(ctx.open[i]) == signed]
    if len(same) == 1:
        return same[0], True
    if same:
        return _AMBIGUOUS, False  # one id on several items of that amount
    own.sort()
    if len(own) > 1 and own[0][0] == own[1][0]:
        return _AMBIGUOUS, False
    return own[0][1], False


def _collected(ctx: GroupContext, t: int, invs: list[int]) -> bool:
    """Do the items a report names look collected from many customers: two customers or
    more, none holding more than half the items, and the payer not named like one holding
    half? (A payer's own advice whose mistyped numbers name another customer's invoice is
    read within that payer by :func:`.named.remittance_groups`; a customer holding few of the
    items may carry the collector's name as a learned alias, which says nothing.)"""
    count: dict[str, int] = {}
    for i in invs:
        count[str(ctx.cust[i])] = count.get(str(ctx.cust[i]), 0) + 1
    if len(count) < 2 or 2 * max(count.values()) > len(invs):
        return False
    return all(ctx.sim(t, c) < _PAYER_NAMED for c, n in count.items() if 2 * n >= len(invs))


def report_group(
    ctx: GroupContext,
    t: int,
    lines: Lines,
    resolve: Callable[[str], dict[int, int]],
) -> bool:
    """Read payment ``t``'s advice ``lines`` as a collector's itemized report (module doc);
    True when it is one (its hypothesis added), False to read them otherwise.

    ``resolve(text)`` gives the items a text names with their reference levels (at least
    those of level :data:`STRONG` or stronger: no other is read)."""
    a = int(ctx.amounts[t])
    sign = 1 if a >= 0 else -1
    signed = [sign * int(x) for x in lines["amount"]]
    if sum(signed) != abs(a) or abs(a) == 0:
        return False
    memos = lines["memo"] if "memo" in lines else [""] * len(signed)
    invs: list[int] = []
    gross: list[int] = []
    deduction = 0
    complete = True  # every line read with its item's open amount
    unread = 0  # gross of the charges no item answers to
    taken: set[int] = set()
    for ref, memo, v in zip(lines["reference"], memos, signed, strict=True):
        if v == 0:
            continue
        i, same = _resolve(ctx, resolve(str(ref)), v, sign, taken)
        if i < 0 and str(memo).strip():
            i, same = _resolve(ctx, resolve(str(memo)), v, sign, taken)
        if i == _AMBIGUOUS:
            complete = False
            i = -1
        if i < 0:
            if v < 0:
                deduction -= v
            else:
                unread += v
            continue
        complete = complete and same
        taken.add(i)
        invs.append(i)
        # a line never takes more than its item has open (a credit note: nets no more)
        o = sign * int(ctx.open[i])
        gross.append(max(v, o) if v < 0 else min(v, o))
        complete = complete and gross[-1] == v
    if not _collected(ctx, t, invs) or len(invs) > _MAX_ITEMS:
        return False
    charges = [k for k, g in enumerate(gross) if g > 0]
    if not charges:
        return False
    total = sum(gross[k] for k in charges) + unread
    if deduction >= total:
        return False
    parts = list(gross)
    for k in charges:  # each charge carries its share of the deduction
        parts[k] -= deduction * gross[k] // total
    # the rounding falls on the last charge, never the share of a line left unread
    spread = sum(gross[k] - parts[k] for k in charges)
    parts[charges[-1]] -= deduction - spread - deduction * unread // total
    if parts[charges[-1]] <= 0:
        return False
    level = "stated" if deduction else "exact"
    order = sorted(range(len(invs)), key=lambda k: invs[k])
    source = "report_partial" if not complete else "report_unread" if unread else "report"
    before = len(ctx.rows)
    ctx.add(
        t,
        [invs[k] for k in order],
        [sign * parts[k] for k in order],
        source,
        level,
        0,
        str(ctx.cust[invs[0]]),
    )
    if len(ctx.rows) == before:
        return False
    # the payer is the collector: its account and name say nothing about any one customer
    ctx.rows[-1]["iban"] = COLLECTOR
    return True
