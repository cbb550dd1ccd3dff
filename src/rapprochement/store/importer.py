"""Statement import: parsed statements → accounts, statements, entries, transactions.

Idempotent by construction: an entry is identified by its fingerprint (computed by the parsers
from its content and its rank among identical lines of the same statement, so two genuine
identical lines keep two fingerprints), a statement by a key over its header, balances and the
fingerprints of its entries. Entries link to every statement that showed them
(``statement_entries``), so importing overlapping files in any order gives the same ledger. The
same booking read through another message (a camt.054 detailing a camt.053 batch) is one entry
too: see :mod:`~rapprochement.store.same_booking`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from rapprochement.errors import AmountError, LedgerError
from rapprochement.model import Entry, Statement
from rapprochement.money import to_minor
from rapprochement.parsers import read_statement
from rapprochement.store import schema as t
from rapprochement.store.same_booking import merge_same_bookings
from rapprochement.store.summaries import ImportSummary, StatementFindings

__all__ = ["Progress", "StatementSource", "load_statements", "store_statements"]

StatementSource = str | os.PathLike[str] | Statement
Progress = Callable[[int, int], None]
_CHUNK = 500


def load_statements(
    sources: StatementSource | Iterable[StatementSource],
) -> tuple[list[str], list[Statement]]:
    """Parse every file first (nothing is written while a file may still fail to parse)."""
    single = isinstance(sources, (str, os.PathLike, Statement))
    items: list[StatementSource] = [sources] if single else list(sources)  # type: ignore[list-item, arg-type]
    names: list[str] = []
    out: list[Statement] = []
    for item in items:
        if isinstance(item, Statement):
            out.append(item)
            if "<models>" not in names:
                names.append("<models>")
            continue
        if not isinstance(item, (str, os.PathLike)):
            raise LedgerError(
                f"cannot import a {type(item).__name__}",
                hint="pass statement file paths or Statement objects",
            )
        path = Path(item)
        names.append(os.fspath(item))
        out.extend(read_statement(path))
    return names, out


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _minor(amount: Any, currency: str, stmt: Statement, entry: Entry | None) -> int:
    try:
        return to_minor(amount, currency)
    except ValueError as exc:
        where = entry.source.describe() if entry is not None else stmt.source.describe()
        raise AmountError(
            f"amount {amount} cannot be stored exactly: {exc}",
            file=stmt.source.file,
            location=where,
            hint="the ledger keeps exact minor units; correct the file or report the dialect",
        ) from None


def _statement_key(st: Statement) -> str:
    h = hashlib.blake2b(digest_size=16)
    parts = [
        st.account or "",
        st.source_format,
        st.statement_id or "",
        st.sequence or "",
        str(st.period_start or ""),
        str(st.period_end or ""),
        str(st.opening_balance.amount if st.opening_balance else ""),
        str(st.closing_balance.amount if st.closing_balance else ""),
    ]
    h.update("\x1f".join(parts).encode())
    for e in st.entries:
        h.update(e.fingerprint.encode())
    return h.hexdigest()


def _findings(st: Statement) -> list[dict[str, str]]:
    return [
        {
            "code": f.code,
            "severity": f.severity,
            "message": f.message,
            "where": f.source.describe() if f.source else "",
        }
        for f in st.findings
    ]


def _account_pk(conn: Connection, st: Statement, cache: dict[str, int]) -> int | None:
    acct = st.account
    if not acct:
        return None
    if acct in cache:
        return cache[acct]
    pk = conn.execute(select(t.accounts.c.id).where(t.accounts.c.account == acct)).scalar()
    if pk is None:
        pk = conn.execute(
            insert(t.accounts)
            .values(account=acct, currency=st.currency, owner=st.account_owner)
            .returning(t.accounts.c.id)
        ).scalar_one()
    cache[acct] = int(pk)
    return int(pk)


def _existing(conn: Connection, fps: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i in range(0, len(fps), _CHUNK):
        chunk = fps[i : i + _CHUNK]
        rows = conn.execute(
            select(t.entries.c.fingerprint, t.entries.c.id).where(
                t.entries.c.fingerprint.in_(chunk)
            )
        )
        found.update({fp: int(pk) for fp, pk in rows})
    return found


def _entry_row(st: Statement, e: Entry, account_pk: int | None, now: dt.datetime) -> dict[str, Any]:
    return {
        "fingerprint": e.fingerprint,
        "account_id": account_pk,
        "booking_date": e.booking_date,
        "value_date": e.value_date,
        "amount_minor": _minor(e.amount, e.currency, st, e),
        "currency": e.currency,
        "status": e.status,
        "reversal": e.reversal,
        "bank_reference": e.bank_reference,
        "additional_info": e.additional_info,
        "source": e.source.describe(),
        "imported_at": now,
    }


def _tx_rows(st: Statement, e: Entry, entry_pk: int) -> list[dict[str, Any]]:
    rows = []
    for j, tx in enumerate(e.transactions):
        docs = " ".join(d.number for d in tx.referred_documents if d.number)
        rows.append(
            {
                "transaction_id": f"{e.fingerprint}-{j}",
                "entry_pk": entry_pk,
                "status": e.status,
                "booking_date": e.booking_date,
                "value_date": e.value_date,
                "amount_minor": _minor(tx.amount, tx.currency, st, e),
                "allocated_minor": 0,
                "currency": tx.currency,
                "counterparty_name": tx.counterparty_name or tx.ultimate_party_name or "",
                "counterparty_iban": tx.counterparty_iban or "",
                "remittance_info": " ".join(p for p in (tx.remittance_info, docs) if p),
                "structured_reference": tx.structured_reference or "",
                "end_to_end_id": tx.end_to_end_id or "",
            }
        )
    return rows


def _missing_fingerprints(statements: Sequence[Statement]) -> None:
    for st in statements:
        for e in st.entries:
            if not e.fingerprint:
                raise LedgerError(
                    "an entry has no fingerprint",
                    file=st.source.file,
                    location=e.source.describe(),
                    hint="pass statements as read by rapprochement.read_statement",
                )


def store_statements(
    conn: Connection,
    names: list[str],
    statements: Sequence[Statement],
    progress: Progress | None = None,
) -> ImportSummary:
    """Write parsed statements inside the caller's transaction; returns what was new."""
    _missing_fingerprints(statements)
    now = _now()
    accounts: dict[str, int] = {}
    total = sum(len(st.entries) for st in statements)
    done = 0
    st_new = st_known = e_new = e_known = tx_new = e_merged = 0
    findings: list[StatementFindings] = []
    seen: dict[str, int] = {}  # fingerprint → entry pk, for this import
    for st in statements:
        if st.findings:
            findings.append(
                StatementFindings(st.source.file, st.statement_id, st.account, _findings(st))
            )
        key = _statement_key(st)
        if conn.execute(
            select(t.statements.c.id).where(t.statements.c.statement_key == key)
        ).first():
            st_known += 1
            e_known += len(st.entries)
            done += len(st.entries)
            if progress:
                progress(done, total)
            continue
        st_new += 1
        account_pk = _account_pk(conn, st, accounts)
        cur = st.currency
        st_pk = conn.execute(
            insert(t.statements)
            .values(
                statement_key=key,
                account_id=account_pk,
                statement_id=st.statement_id,
                source_format=st.source_format,
                file=st.source.file,
                period_start=st.period_start,
                period_end=st.period_end,
                currency=cur,
                opening_minor=_minor(st.opening_balance.amount, cur, st, None)
                if st.opening_balance and cur
                else None,
                closing_minor=_minor(st.closing_balance.amount, cur, st, None)
                if st.closing_balance and cur
                else None,
                entry_count=len(st.entries),
                findings=json.dumps(_findings(st)),
                imported_at=now,
            )
            .returning(t.statements.c.id)
        ).scalar_one()
        linked: set[int] = set()  # entries this statement shows already
        for i in range(0, len(st.entries), _CHUNK):
            chunk = st.entries[i : i + _CHUNK]
            todo = [e.fingerprint for e in chunk if e.fingerprint not in seen]
            seen.update(_existing(conn, todo))
            fresh = [e for e in chunk if e.fingerprint not in seen]
            linked.update(seen[e.fingerprint] for e in chunk if e.fingerprint in seen)
            if fresh:
                # the same booking held already through another message (camt.054 of a
                # camt.053 batch, camt.052 then camt.053): see same_booking
                same, added = merge_same_bookings(
                    conn, st, account_pk, fresh, _tx_rows, exclude=linked
                )
                linked.update(same.values())
                if same:
                    seen.update(same)
                    e_merged += len(same)
                    tx_new += added
                    fresh = [e for e in fresh if e.fingerprint not in same]
            e_known += len(chunk) - len(fresh)
            if fresh:
                result = conn.execute(
                    insert(t.entries).returning(
                        t.entries.c.id, t.entries.c.fingerprint, sort_by_parameter_order=True
                    ),
                    [_entry_row(st, e, account_pk, now) for e in fresh],
                )
                pks = {fp: int(pk) for pk, fp in result}
                seen.update(pks)
                tx_rows = [r for e in fresh for r in _tx_rows(st, e, pks[e.fingerprint])]
                if tx_rows:
                    conn.execute(insert(t.transactions), tx_rows)
                e_new += len(fresh)
                tx_new += len(tx_rows)
            conn.execute(
                insert(t.statement_entries),
                [{"statement_pk": st_pk, "entry_pk": seen[e.fingerprint]} for e in chunk],
            )
            done += len(chunk)
            if progress:
                progress(done, total)
    return ImportSummary(
        files=names,
        statements_new=st_new,
        statements_known=st_known,
        entries_new=e_new,
        entries_known=e_known,
        transactions_new=tx_new,
        findings=findings,
        entries_same_booking=e_merged,
    )
