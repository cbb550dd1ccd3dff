"""Linking a return to the payment it returns (pure: the ledger and ``reconcile`` feed it).

The original is an earlier line of the opposite sign, same currency and absolute amount, not
already returned. Evidence, strongest first (the first level that finds one decides; among
several at one level the latest before the return wins, then the smallest id):

1. the same end-to-end id (the bank carries the original's ``EndToEndId`` / ``EREF`` on its
   return; a ``pain.002`` or ``camt.054`` reports ``OrgnlEndToEndId``);
2. the return's text names an invoice that the original paid (``RETOUR PRLV FA-500``);
3. the same counterparty IBAN;
4. the same counterparty name.

At levels 3 and 4 a payer who paid the same amount more than once leaves the return unlinked
(a person links it): a wrong link would reopen the wrong invoice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["Link", "LinkLine", "link_returns"]

_NO_ID = {"", "NOTPROVIDED", "NONREF", "NONE"}


@dataclass(frozen=True)
class LinkLine:
    """What linking needs of a line."""

    transaction_id: str
    amount: Decimal
    currency: str
    booking_date: dt.date | None
    end_to_end_id: str = ""
    counterparty_iban: str = ""
    counterparty_name: str = ""
    text: str = ""
    invoices: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Link:
    """A return and the line it returns, with the evidence."""

    return_id: str
    original_id: str
    evidence: str


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[^0-9A-Z]+", " ", name.upper()).split())


def _evidence(ret: LinkLine, o: LinkLine) -> tuple[int, str] | None:
    e2e = ret.end_to_end_id.strip()
    if e2e.upper() not in _NO_ID and e2e == o.end_to_end_id.strip():
        return 0, f"same end-to-end id {e2e}"
    words = set(re.findall(r"[0-9A-Z][0-9A-Z/_.-]*[0-9A-Z]", ret.text.upper()))
    named = sorted(i for i in o.invoices if i.upper() in words)
    if named:
        return 1, f"the text names {', '.join(named)}, which that payment settled"
    if ret.counterparty_iban and ret.counterparty_iban == o.counterparty_iban:
        return 2, f"same IBAN {ret.counterparty_iban} and amount"
    if _norm(ret.counterparty_name) and _norm(ret.counterparty_name) == _norm(o.counterparty_name):
        return 3, f"same payer name {ret.counterparty_name!r} and amount"
    return None


def link_returns(returns: Sequence[LinkLine], lines: Iterable[LinkLine]) -> list[Link]:
    """Link each return to at most one original; an original is returned at most once.
    By IBAN or name alone, several candidate payments leave the return unlinked.

    Returns are linked in date order (then id), so the outcome does not depend on input order.
    """
    by_key: dict[tuple[str, Decimal], list[LinkLine]] = {}
    ret_ids = {r.transaction_id for r in returns}
    for line in lines:
        if line.transaction_id not in ret_ids:
            by_key.setdefault((line.currency, line.amount), []).append(line)
    taken: set[str] = set()
    out: list[Link] = []
    for ret in sorted(returns, key=lambda r: (r.booking_date or dt.date.min, r.transaction_id)):
        found: list[tuple[int, int, str, str]] = []  # level, -date, id, evidence
        for o in by_key.get((ret.currency, -ret.amount), ()):
            if o.transaction_id in taken:
                continue
            if ret.booking_date and o.booking_date and o.booking_date > ret.booking_date:
                continue
            ev = _evidence(ret, o)
            if ev is not None:
                day = (o.booking_date or dt.date.min).toordinal()
                found.append((ev[0], -day, o.transaction_id, ev[1]))
        if found:
            level, _, oid, why = min(found)
            if level >= 2 and sum(1 for f in found if f[0] == level) > 1:
                continue  # the payer paid this amount more than once: a person decides
            taken.add(oid)
            out.append(Link(ret.transaction_id, oid, why))
    return out
