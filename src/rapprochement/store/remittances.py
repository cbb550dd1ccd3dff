"""The documents a bank line refers to, in the ledger: what the bank states per invoice.

A CAMT credit can state, per referred document (``RmtInf/Strd``: ``RfrdDocInf/Nb`` with
``RfrdDocAmt``), the amount due, the discount applied and the amount remitted. In memory these
reach the matcher as remittance lines
(:func:`~rapprochement.matching.model_frames.statement_remittances`); here they are kept per
payment line at import (table ``line_documents``, schema migration 8) and given back to the
matcher by a ledger reconcile (:func:`open_line_remittances`), so a discount the bank states is
booked as a discount through the ledger too.

Rows are added per import batch, for every line of the batch the ledger holds and has no
documents of (like :func:`~rapprochement.store.lines.store_line_details`): a file imported
again after the upgrade to schema 8 fills them for lines imported before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import BigInteger, Column, Connection, Integer, Table, UniqueConstraint, select
from sqlalchemy import insert as sql_insert

from rapprochement.errors import AmountError
from rapprochement.model import Entry, Statement
from rapprochement.money import from_minor, paid_for_document, to_minor
from rapprochement.store import schema as t
from rapprochement.store.columns import LedgerText

__all__ = [
    "create_document_tables",
    "line_documents",
    "open_line_remittances",
    "stated_remittances",
    "store_line_documents",
]

line_documents = Table(
    "line_documents",
    t.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transaction_id", LedgerText(80), nullable=False, index=True),
    Column("position", Integer, nullable=False),  # the document's rank in the line's remittance
    Column("reference", LedgerText(), nullable=False),  # RfrdDocInf/Nb
    Column("currency", LedgerText(3), nullable=False),  # the line's
    Column("remitted_minor", BigInteger, nullable=True),  # RfrdDocAmt/RmtdAmt
    Column("due_minor", BigInteger, nullable=True),  # RfrdDocAmt/DuePyblAmt
    Column("discount_minor", BigInteger, nullable=True),  # RfrdDocAmt/DscntApldAmt
    UniqueConstraint("transaction_id", "position", name="uq_line_document"),
)

_CHUNK = 500
_COLUMNS = ["transaction_id", "reference", "amount", "memo", "discount"]


def create_document_tables(conn: Connection) -> None:
    """Schema migration 8: the table of this module."""
    line_documents.create(conn, checkfirst=True)


def _minor(value: Any, currency: str, st: Statement, entry: Entry) -> int | None:
    if value is None:
        return None
    try:
        return to_minor(value, currency)
    except ValueError as exc:
        raise AmountError(
            f"referred document amount {value} cannot be stored exactly: {exc}",
            file=st.source.file,
            location=entry.source.describe(),
            hint="the ledger keeps exact minor units; correct the file or report the dialect",
        ) from None


def _document_rows(st: Statement, entries: Iterable[Entry]) -> dict[str, list[dict[str, Any]]]:
    """Per payment line id, the rows of its numbered referred documents."""
    out: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        if not entry.fingerprint:
            continue
        for j, tx in enumerate(entry.transactions):
            rows = [
                {
                    "transaction_id": f"{entry.fingerprint}-{j}",
                    "position": k,
                    "reference": doc.number,
                    "currency": tx.currency,
                    "remitted_minor": _minor(doc.amount, tx.currency, st, entry),
                    "due_minor": _minor(doc.due_amount, tx.currency, st, entry),
                    "discount_minor": _minor(doc.discount, tx.currency, st, entry),
                }
                for k, doc in enumerate(tx.referred_documents)
                if doc.number
            ]
            if rows:
                out.setdefault(f"{entry.fingerprint}-{j}", rows)
    return out


def store_line_documents(conn: Connection, st: Statement, entries: Sequence[Entry]) -> int:
    """Keep the numbered referred documents of ``entries`` (of statement ``st``) for the lines
    the ledger holds and has none of; returns how many documents were added.

    Raises:
        AmountError: a document amount the ledger cannot hold exactly.
    """
    rows = _document_rows(st, entries)
    ids = sorted(rows)
    added = 0
    x, d = t.transactions.c, line_documents.c
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        known = set(
            conn.execute(select(x.transaction_id).where(x.transaction_id.in_(chunk))).scalars()
        )
        done = set(
            conn.execute(select(d.transaction_id).where(d.transaction_id.in_(chunk))).scalars()
        )
        new = [r for k in chunk if k in known and k not in done for r in rows[k]]
        if new:
            conn.execute(sql_insert(line_documents), new)
            added += len(new)
    return added


def open_line_remittances(conn: Connection, line_ids: Iterable[str]) -> pd.DataFrame | None:
    """Remittance lines for the matcher (``transaction_id, reference, amount, memo,
    discount``) from the documents of the lines ``line_ids`` that nothing is allocated to yet,
    or None when they have none.

    One line per document with an amount, as in memory
    (:func:`~rapprochement.money.paid_for_document`: the remitted amount, else the amount due
    less the discount). A line partly allocated is left out: the bank's split describes the
    whole payment, not what is left of it.
    """
    wanted = sorted(set(line_ids))
    x, d = t.transactions.c, line_documents.c
    rows: list[dict[str, Any]] = []
    for i in range(0, len(wanted), _CHUNK):
        q = (
            select(d.transaction_id, d.reference, d.currency, d.remitted_minor)
            .add_columns(d.due_minor, d.discount_minor)
            .join_from(line_documents, t.transactions, x.transaction_id == d.transaction_id)
            .where(d.transaction_id.in_(wanted[i : i + _CHUNK]), x.allocated_minor == 0)
            .order_by(d.transaction_id, d.position)
        )
        for r in conn.execute(q):
            ccy = r.currency
            remitted, due, discount = (None if v is None else from_minor(v, ccy) for v in r[3:6])
            paid = paid_for_document(remitted, due, discount)
            if paid is None:
                continue
            rows.append(
                {
                    "transaction_id": r.transaction_id,
                    "reference": r.reference,
                    "amount": paid,
                    "memo": "",
                    "discount": "" if discount is None else discount,
                }
            )
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=_COLUMNS).astype(object)
    frame.attrs["from_statements"] = True
    return frame


def stated_remittances(conn: Connection, line_ids: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The matcher's ``remittances`` argument for the lines ``line_ids`` (see
    :func:`open_line_remittances`), as keyword arguments: none when no line has documents, so a
    matcher written before them is called as it always was."""
    stated = open_line_remittances(conn, line_ids)
    return {} if stated is None else {"remittances": stated}
