"""Parsed models → the matcher's input frames (statements, transactions, invoices).

:func:`transactions_frame` turns parsed statements into the transactions frame, one row per
payment detail of each booked entry; :func:`models_to_frame` takes any list of models.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pandas as pd

from rapprochement.errors import ColumnError
from rapprochement.matching.columns import INVOICE_COLUMNS, TRANSACTION_COLUMNS
from rapprochement.model import Entry, Invoice, Statement, Transaction
from rapprochement.money import paid_for_document

__all__ = ["models_to_frame", "statement_remittances", "transactions_frame"]

#: Columns of the transactions frame built here: the required ones, then optional ones.
_TX_COLUMNS = (*TRANSACTION_COLUMNS, "structured_reference", "end_to_end_id", "value_date")
#: What :func:`transactions_frame` adds for joining back to the bank: the statement's account
#: (IBAN, else number) and the entry's bank reference.
_STATEMENT_COLUMNS = ("account", "bank_reference")
_INVOICE_COLUMNS = (*INVOICE_COLUMNS, "open_amount", "reference", "customer_iban")


def _fingerprint(parts: Iterable[object]) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def transactions_frame(statements: Iterable[Statement]) -> pd.DataFrame:
    """The transactions frame of parsed statements: one row per payment detail of each booked
    entry, with ``transaction_id = <entry fingerprint>-<detail index>`` so the same line
    imported twice keeps its id, and the ``account`` and ``bank_reference`` of the line.
    """
    rows: list[dict[str, Any]] = []
    for st, entry, fp in _booked(statements):
        for j, t in enumerate(entry.transactions):
            row = _tx_row(t, f"{fp}-{j}", entry.booking_date, entry.value_date)
            row.update(account=st.account or "", bank_reference=entry.bank_reference or "")
            rows.append(row)
    return pd.DataFrame(rows, columns=[*_TX_COLUMNS, *_STATEMENT_COLUMNS])


def _booked(statements: Iterable[Statement]) -> Iterator[tuple[Statement, Entry, str]]:
    """Each booked entry with its statement and the id its transactions are named by."""
    for st in statements:
        for entry in st.booked_entries:
            fp = entry.fingerprint or _fingerprint(
                (
                    st.account,
                    entry.booking_date,
                    entry.amount,
                    entry.bank_reference,
                    entry.source.describe(),
                )
            )
            yield st, entry, fp


def statement_remittances(items: object) -> pd.DataFrame | None:
    """The remittance lines parsed statements state themselves, or None when they state none.

    One line per referred document that has a number and an amount (CAMT ``RmtInf/Strd``:
    ``RfrdDocInf/Nb`` with ``RfrdDocAmt``): ``amount`` is the remitted amount (``RmtdAmt``,
    else the amount due less the discount), ``discount`` the discount applied
    (``DscntApldAmt``). ``items`` is what :func:`~rapprochement.reconcile` was given as
    transactions; anything but a list of statements gives None.
    """
    if not isinstance(items, Sequence) or not items:
        return None
    if not all(isinstance(x, Statement) for x in items):
        return None
    rows = []
    for _st, entry, fp in _booked(items):
        for j, t in enumerate(entry.transactions):
            for doc in t.referred_documents:
                paid = paid_for_document(doc.amount, doc.due_amount, doc.discount)
                if doc.number and paid is not None:
                    rows.append(
                        {
                            "transaction_id": f"{fp}-{j}",
                            "reference": doc.number,
                            "amount": paid,
                            "memo": "",
                            "discount": "" if doc.discount is None else doc.discount,
                        }
                    )
    if not rows:
        return None
    frame = pd.DataFrame(rows).astype(object)
    frame.attrs["from_statements"] = True
    return frame


def _tx_row(t: Transaction, tid: str, booking: Any, value: Any) -> dict[str, Any]:
    docs = " ".join(d.number for d in t.referred_documents if d.number)
    return {
        "transaction_id": tid,
        "booking_date": booking,
        "amount": t.amount,
        "currency": t.currency,
        "counterparty_name": t.counterparty_name or t.ultimate_party_name or "",
        "counterparty_iban": t.counterparty_iban or "",
        "remittance_info": " ".join(p for p in (t.remittance_info, docs) if p),
        "structured_reference": t.structured_reference or "",
        "end_to_end_id": t.end_to_end_id or "",
        "value_date": value,
    }


def models_to_frame(items: Sequence[Any]) -> tuple[pd.DataFrame, str]:
    """Frame and kind (``"transactions"`` / ``"invoices"``) of a list of models or statements."""
    if all(isinstance(x, Statement) for x in items):
        return transactions_frame(items), "transactions"
    if all(isinstance(x, Transaction) for x in items):
        rows = []
        seen: dict[str, int] = {}
        for t in items:
            fp = _fingerprint((t.model_dump_json(),))
            n = seen.get(fp, 0)
            seen[fp] = n + 1
            rows.append(_tx_row(t, f"{fp}-{n}", None, None))
        frame = pd.DataFrame(rows)
        frame["booking_date"] = pd.Series([pd.NaT] * len(frame), dtype="datetime64[ns]")
        frame.attrs["dates_optional"] = True
        return frame, "transactions"
    if all(isinstance(x, Invoice) for x in items):
        return pd.DataFrame(
            [i.model_dump() for i in items],
            columns=list(_INVOICE_COLUMNS),
        ), "invoices"
    raise ColumnError(
        "expected a DataFrame, or a list of Transaction, Statement or Invoice models",
        hint="do not mix model types in one list",
    )
