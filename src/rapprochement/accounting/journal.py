"""Settlements as double-entry journal lines: what the accountant's export writes.

One bank entry per payment line that was allocated: the bank account on one side for the cash
allocated, each customer's account (the collective customers account with the customer id as
auxiliary account) on the other for what went to each invoice; an overpayment no invoice took
goes to the suspense account. One write-off entry per write-off row (a bank fee or a discount
that closed an invoice short of its amount): the fee or discount account against the customer.

Lettering: every customer line of an invoice that is settled (nothing left open) carries the
invoice's lettering code, and its lettering date is the last booking date among them. The code
is per customer (``A``, ``B``, … ``Z``, ``AA``, …) in order of lettering date: the lines of one
code add up to the amount the invoice was open for, so they letter against the invoice's own
line in the sales journal. Invoices still partly open carry no code.

Amounts are integer minor units here; :mod:`rapprochement.accounting.fec` writes them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from rapprochement.accounting.accounts import Account, AccountMap, Journal

__all__ = ["Journal", "JournalEntries", "JournalLine", "build_journal", "lettering_code"]

_WRITE_OFF_SUFFIX = "_write_off"


@dataclass(frozen=True)
class JournalLine:
    """One line of a journal entry (the 18 FEC fields, amounts in minor units).

    ``debit_minor`` and ``credit_minor`` are never both non-zero and never negative.
    """

    journal: Journal
    entry_number: int
    entry_date: dt.date
    account: Account
    aux_number: str
    aux_label: str
    piece_ref: str
    piece_date: dt.date
    label: str
    debit_minor: int
    credit_minor: int
    currency: str
    lettering: str = ""
    lettering_date: dt.date | None = None
    valid_date: dt.date | None = None


@dataclass(frozen=True)
class JournalEntries:
    """Journal lines of a ledger and what was left out.

    Attributes:
        lines: in entry order; the lines of each entry balance.
        skipped_foreign: allocations in another currency than the books' (no rate is guessed).
        currency: the book currency, the currency of every line.
    """

    lines: list[JournalLine] = field(default_factory=list)
    skipped_foreign: int = 0
    currency: str = "EUR"

    def totals(self) -> tuple[int, int]:
        """(debits, credits) in minor units: equal when the journal balances."""
        return (sum(x.debit_minor for x in self.lines), sum(x.credit_minor for x in self.lines))


def lettering_code(n: int) -> str:
    """The ``n``-th lettering code (from 0): ``A`` … ``Z``, ``AA``, ``AB`` …

    >>> [lettering_code(i) for i in (0, 25, 26, 27, 701, 702)]
    ['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']
    """
    code = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        code = chr(65 + rest) + code
    return code


def _sides(minor: int) -> tuple[int, int]:
    """(debit, credit) of a signed amount: a positive amount is a debit."""
    return (minor, 0) if minor >= 0 else (0, -minor)


def _letters(rows: list[Mapping[str, Any]]) -> dict[str, tuple[str, dt.date]]:
    """Invoice id → (lettering code, lettering date) for the invoices settled."""
    last: dict[str, dt.date] = {}
    customer: dict[str, str] = {}
    for r in rows:
        iid = r["invoice_id"]
        if iid is None or not r["invoice_settled"]:
            continue
        customer[iid] = r["customer_id"] or ""
        last[iid] = max(last.get(iid, r["booking_date"]), r["booking_date"])
    counters: dict[str, int] = defaultdict(int)
    out = {}
    for iid in sorted(last, key=lambda i: (last[i], i)):
        cid = customer[iid]
        out[iid] = (lettering_code(counters[cid]), last[iid])
        counters[cid] += 1
    return out


def _label(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p)[:100]


def _counterpart(
    head: JournalLine,
    r: Mapping[str, Any],
    label: str,
    letters: Mapping[str, tuple[str, dt.date]],
    amap: AccountMap,
) -> JournalLine:
    """The customer (or suspense) side of one allocation, lettered when its invoice is settled."""
    iid = r["invoice_id"]
    dr, cr = _sides(-int(r["amount_minor"]))
    if iid is None:  # an overpayment no invoice took
        return replace(head, account=amap.accounts.suspense, label=label, debit_minor=dr,
                       credit_minor=cr)  # fmt: skip
    code, when = letters.get(iid, ("", None))
    return replace(
        head,
        account=amap.accounts.customers,
        aux_number=r["customer_id"] or "",
        aux_label=r["customer_name"] or "",
        label=_label(label, iid),
        debit_minor=dr,
        credit_minor=cr,
        lettering=code,
        lettering_date=when,
    )


def build_journal(
    rows: Iterable[Mapping[str, Any]],
    accounts: AccountMap | None = None,
    *,
    validated: dt.date | None = None,
) -> JournalEntries:
    """Journal entries of settlement rows (one per allocation).

    Args:
        rows: mappings with ``transaction_id, invoice_id, customer_id, customer_name,
            amount_minor, currency, kind, booking_date, bank_reference, payer, account,
            made_on`` (the day the allocation was made) and ``invoice_settled`` (nothing is
            left open on the invoice).
        accounts: the account map (None: French defaults).
        validated: the validation date of every entry (None: the day its allocations were
            made).
    """
    amap = accounts or AccountMap()
    usable = [r for r in rows if r["booking_date"] is not None]
    book = [r for r in usable if r["currency"] == amap.book_currency]
    letters = _letters(book)
    cash: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    offs: list[Mapping[str, Any]] = []
    for r in book:
        (offs if str(r["kind"]).endswith(_WRITE_OFF_SUFFIX) else cash[r["transaction_id"]]).append(
            r
        )
    events: list[tuple[dt.date, int, str, list[Mapping[str, Any]]]] = [
        (rs[0]["booking_date"], 0, tx, rs) for tx, rs in cash.items()
    ]
    events += [
        (r["booking_date"], 1, f"{r['transaction_id']}/{r['invoice_id']}", [r]) for r in offs
    ]
    lines: list[JournalLine] = []
    for number, (day, is_off, _, rs) in enumerate(sorted(events, key=lambda e: e[:3]), start=1):
        first = rs[0]
        head = JournalLine(
            journal=amap.journals.write_off if is_off else amap.journals.bank,
            entry_number=number,
            entry_date=day,
            account=amap.accounts.bank,
            aux_number="",
            aux_label="",
            piece_ref=first["bank_reference"] or first["transaction_id"],
            piece_date=day,
            label="",
            debit_minor=0,
            credit_minor=0,
            currency=amap.book_currency,
            valid_date=validated or max(r["made_on"] for r in rs),
        )
        if is_off:  # the fee or discount account takes what the customer did not pay
            what = "Escompte" if str(first["kind"]).startswith("discount") else "Frais"
            label = _label(what, first["invoice_id"], first["customer_name"])
            account = amap.write_off_account(str(first["kind"]))
        else:  # the bank takes the cash allocated
            label = _label("Règlement", first["payer"])
            account = amap.bank_account(first["account"])
        dr, cr = _sides(sum(int(r["amount_minor"]) for r in rs))
        lines.append(replace(head, account=account, label=label, debit_minor=dr, credit_minor=cr))
        lines += [_counterpart(head, r, label, letters, amap) for r in rs]
    return JournalEntries(lines, len(usable) - len(book), amap.book_currency)
