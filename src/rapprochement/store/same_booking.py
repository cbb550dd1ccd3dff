"""One booking seen through two messages: a camt.054 notification that details a batch booked as
one line in the camt.053 statement, a camt.052 intraday report of a line the camt.053 books,
the same account read as MT940 and as CAMT.

Their entries do not share a fingerprint (the fingerprint covers the details, which differ), so
without this step the ledger would hold the money twice and the matcher would try to allocate
it twice. Two entries are the same booking when they are of the same account, amount, currency
and booking date, carry the same bank reference (CAMT ``AcctSvcrRef``, MT940 bank reference;
the ISO 20022 guidelines keep it identical across camt.052/053/054 for one booking; generic
values such as ``NONREF`` never count) and come from statements of different formats (within
one format, overlapping files already meet by fingerprint).

The entry then keeps one set of payment lines: the more detailed one (a notification's
transactions replace a batch's single line), provided the details add up to the booking and
no line of the entry was allocated or suggested yet; and a line booked later than it was
reported (camt.052 pending, camt.053 booked) becomes booked.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, select, update

from rapprochement.model import Entry, Statement
from rapprochement.money import to_minor
from rapprochement.store import schema as t

__all__ = ["merge_same_bookings"]

#: Bank references that name no booking (placeholders some banks write).
_GENERIC = frozenset({"", "NONREF", "NOTPROVIDED", "NONE", "N/A", "NA", "UNKNOWN"})
_CHUNK = 500

TxRows = Callable[[Statement, Entry, int], list[dict[str, Any]]]


def _reference(e: Entry) -> str | None:
    ref = (e.bank_reference or "").strip()
    return None if ref.upper() in _GENERIC or len(ref) < 4 else ref


def _other_formats(conn: Connection, st: Statement, account_pk: int | None) -> bool:
    """The ledger holds a statement of this account in another format (else no booking can
    be held through another message, and nothing is looked up)."""
    s = t.statements.c
    q = select(s.id).where(s.account_id == account_pk, s.source_format != st.source_format)
    return conn.execute(q.limit(1)).first() is not None


def _candidates(
    conn: Connection, st: Statement, account_pk: int | None, refs: list[str]
) -> dict[str, list[Any]]:
    """Entries of this account with one of ``refs``, from statements of another format.

    Read from those statements (their links are indexed by statement), not by scanning the
    entries: the cost is the size of the other formats' statements of the account."""
    e, s, link = t.entries.c, t.statements.c, t.statement_entries.c
    found: dict[str, list[Any]] = {}
    ids: set[int] = set()
    for i in range(0, len(refs), _CHUNK):
        q = (
            select(e.id, e.bank_reference, e.amount_minor, e.currency, e.booking_date, e.status)
            .select_from(
                t.statements.join(t.statement_entries, link.statement_pk == s.id).join(
                    t.entries, e.id == link.entry_pk
                )
            )
            .where(s.account_id == account_pk, s.source_format != st.source_format)
            .where(e.account_id == account_pk, e.bank_reference.in_(refs[i : i + _CHUNK]))
        )
        for row in conn.execute(q):
            if row.id not in ids:  # an entry two such statements show, once
                ids.add(row.id)
                found.setdefault(row.bank_reference, []).append(row)
    return found


def _linked(conn: Connection, statement_pk: int, ids: list[int]) -> set[int]:
    """Of ``ids``, the entries the statement ``statement_pk`` is linked to."""
    link = t.statement_entries.c
    out: set[int] = set()
    for i in range(0, len(ids), _CHUNK):
        q = select(link.entry_pk).where(
            link.statement_pk == statement_pk, link.entry_pk.in_(ids[i : i + _CHUNK])
        )
        out.update(int(pk) for pk in conn.execute(q).scalars())
    return out


def _untouched(conn: Connection, ids: list[str]) -> bool:
    """No allocation and no suggestion (pending or decided) names these payment lines."""
    if not ids:
        return True
    for table in (t.allocations, t.suggestions):
        if conn.execute(select(table.c.id).where(table.c.transaction_id.in_(ids)).limit(1)).first():
            return False
    return True


def _replace_details(
    conn: Connection, st: Statement, e: Entry, pk: int, tx_rows: TxRows, status: str
) -> int:
    """The entry's payment lines become ``e``'s details when these are more numerous, add up to
    the booking and the current lines are untouched; returns the number of lines added."""
    x = t.transactions.c
    current = [r[0] for r in conn.execute(select(x.transaction_id).where(x.entry_pk == pk))]
    if len(e.transactions) <= len(current):
        return 0
    if sum((tx.amount for tx in e.transactions), Decimal(0)) != e.amount:
        return 0
    if not _untouched(conn, current):
        return 0
    conn.execute(delete(t.transactions).where(x.entry_pk == pk))
    rows = tx_rows(st, e, pk)
    for r in rows:
        r["status"] = status
    conn.execute(t.transactions.insert(), rows)
    # the entry now answers to the fingerprint of the message whose details it holds
    conn.execute(update(t.entries).where(t.entries.c.id == pk).values(fingerprint=e.fingerprint))
    return len(rows)


def merge_same_bookings(
    conn: Connection,
    st: Statement,
    account_pk: int | None,
    fresh: Sequence[Entry],
    tx_rows: TxRows,
    *,
    exclude: Collection[int] = (),
    statement_pk: int | None = None,
) -> tuple[dict[str, int], int]:
    """Entries of ``fresh`` (not known by fingerprint) that are a booking the ledger already
    holds through another message: ``{fingerprint: entry pk}``, and the payment lines added
    by replacing less detailed ones. ``exclude``, and the entries linked to the statement
    ``statement_pk`` already: entries the statement shows already (two genuine identical
    lines of one statement are two bookings, never one)."""
    refs = sorted({r for e in fresh if (r := _reference(e)) is not None})
    if not refs or not _other_formats(conn, st, account_pk):
        return {}, 0
    found = _candidates(conn, st, account_pk, refs)
    if not found:
        return {}, 0
    ids = sorted({int(r.id) for rows in found.values() for r in rows})
    taken: set[int] = {i for i in ids if i in exclude}
    if statement_pk is not None:
        taken |= _linked(conn, statement_pk, ids)
    merged: dict[str, int] = {}
    added = 0
    for e in fresh:
        ref = _reference(e)
        rows = found.get(ref, []) if ref is not None else []
        try:
            minor = to_minor(e.amount, e.currency)
        except ValueError:
            continue  # the importer reports the amount itself
        same = [
            r
            for r in rows
            if r.id not in taken
            and r.amount_minor == minor
            and r.currency == e.currency
            and r.booking_date == e.booking_date
        ]
        if len(same) != 1:
            continue  # none, or ambiguous: kept as a new entry
        row = same[0]
        taken.add(row.id)
        status = row.status
        if status != "booked" and e.status == "booked":
            status = "booked"
            conn.execute(update(t.entries).where(t.entries.c.id == row.id).values(status=status))
            conn.execute(
                update(t.transactions)
                .where(t.transactions.c.entry_pk == row.id)
                .values(status=status)
            )
        added += _replace_details(conn, st, e, int(row.id), tx_rows, status)
        merged[e.fingerprint] = int(row.id)
    return merged, added
