"""Statement import: parsed statements → accounts, statements, entries, transactions.

Idempotent by construction: an entry is identified by its fingerprint (computed by the parsers
from its content and its rank among identical lines of the same statement, so two genuine
identical lines keep two fingerprints), a statement by a key over its header, balances and the
fingerprints of its entries. Entries link to every statement that showed them
(``statement_entries``), so importing overlapping files in any order gives the same ledger. The
same booking read through another message (a camt.054 detailing a camt.053 batch) is one entry
too: see :mod:`~rapprochement.store.same_booking`.

Files are streamed, never held whole: a first pass (:mod:`~rapprochement.store.import_plan`)
reads each file through for its statement keys and entry counts, the second writes its entries
in batches of ``batch_size`` (line details with each batch), all inside the caller's one
transaction. Memory stays flat in the number of entries; a failure anywhere rolls back all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from rapprochement.errors import AmountError, LedgerError
from rapprochement.model import Entry, Statement
from rapprochement.money import to_minor
from rapprochement.store import schema as t
from rapprochement.store.import_plan import (
    SourcePlan,
    StatementPlan,
    StatementSource,
    iter_items,
    plan_sources,
)
from rapprochement.store.lines import store_line_details
from rapprochement.store.remittances import store_line_documents
from rapprochement.store.same_booking import merge_same_bookings
from rapprochement.store.summaries import ImportSummary, StatementFindings

__all__ = ["BATCH_SIZE", "Progress", "StatementSource", "plan_sources", "store_sources"]

Progress = Callable[[int, int], None]
_CHUNK = 500
#: Entries held and written at once by an import (memory grows with this, not with the file).
BATCH_SIZE = 5_000


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


class _Writer:
    """Writes the statements of an import, batch by batch, in the caller's transaction."""

    def __init__(self, conn: Connection, total: int, progress: Progress | None) -> None:
        self.conn = conn
        self.total = total
        self.progress = progress
        self.now = _now()
        self.accounts: dict[str, int] = {}
        self.merged: dict[str, int] = {}  # fingerprint → entry pk, merged during this import
        self.done = self.st_new = self.st_known = self.e_new = self.e_known = 0
        self.tx_new = self.e_merged = 0
        self.findings: list[StatementFindings] = []
        self.plan: StatementPlan | None = None
        self.known = False
        self.st_pk = 0
        self.account_pk: int | None = None

    def begin(self, plan: StatementPlan) -> None:
        """Start a statement: known (by key) statements only get their line details."""
        st = plan.header
        self.plan = plan
        if st.findings:
            self.findings.append(
                StatementFindings(st.source.file, st.statement_id, st.account, _findings(st))
            )
        conn = self.conn
        self.known = (
            conn.execute(
                select(t.statements.c.id).where(t.statements.c.statement_key == plan.key)
            ).first()
            is not None
        )
        if self.known:
            self.st_known += 1
            return
        self.st_new += 1
        self.account_pk = _account_pk(conn, st, self.accounts)
        cur = st.currency
        self.st_pk = conn.execute(
            insert(t.statements)
            .values(
                statement_key=plan.key,
                account_id=self.account_pk,
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
                entry_count=plan.count,
                findings=json.dumps(_findings(st)),
                imported_at=self.now,
            )
            .returning(t.statements.c.id)
        ).scalar_one()

    def write(self, batch: Sequence[Entry]) -> None:
        """Write one batch of the current statement's entries, then their line details."""
        if not batch or self.plan is None:
            return
        st = self.plan.header
        if self.known:
            self.e_known += len(batch)
        else:
            for i in range(0, len(batch), _CHUNK):
                self._chunk(st, batch[i : i + _CHUNK])
        # line details (rules read them): per batch, for every line the ledger holds
        store_line_details(self.conn, [st.model_copy(update={"entries": tuple(batch)})])
        store_line_documents(self.conn, st, batch)  # what the bank states per invoice
        self.done += len(batch)
        if self.progress:
            self.progress(self.done, self.total)

    def _chunk(self, st: Statement, chunk: Sequence[Entry]) -> None:
        conn = self.conn
        seen = _existing(conn, [e.fingerprint for e in chunk if e.fingerprint not in self.merged])
        seen.update(
            {
                e.fingerprint: self.merged[e.fingerprint]
                for e in chunk
                if e.fingerprint in self.merged
            }
        )
        fresh = [e for e in chunk if e.fingerprint not in seen]
        self._link(seen[e.fingerprint] for e in chunk if e.fingerprint in seen)
        if fresh:
            # the same booking held already through another message (camt.054 of a camt.053
            # batch, camt.052 then camt.053): see same_booking
            same, added = merge_same_bookings(
                conn, st, self.account_pk, fresh, _tx_rows, statement_pk=self.st_pk
            )
            if same:
                self._link(same.values())
                self.merged.update(same)
                self.e_merged += len(same)
                self.tx_new += added
                fresh = [e for e in fresh if e.fingerprint not in same]
        self.e_known += len(chunk) - len(fresh)
        if fresh:
            result = conn.execute(
                insert(t.entries).returning(
                    t.entries.c.id, t.entries.c.fingerprint, sort_by_parameter_order=True
                ),
                [_entry_row(st, e, self.account_pk, self.now) for e in fresh],
            )
            pks = {fp: int(pk) for pk, fp in result}
            self._link(pks.values())
            tx_rows = [r for e in fresh for r in _tx_rows(st, e, pks[e.fingerprint])]
            if tx_rows:
                conn.execute(insert(t.transactions), tx_rows)
            self.e_new += len(fresh)
            self.tx_new += len(tx_rows)

    def _link(self, entry_pks: Iterable[int]) -> None:
        rows = [{"statement_pk": self.st_pk, "entry_pk": pk} for pk in entry_pks]
        if rows:
            self.conn.execute(insert(t.statement_entries), rows)

    def summary(self, names: list[str]) -> ImportSummary:
        """What the import added."""
        return ImportSummary(
            files=names,
            statements_new=self.st_new,
            statements_known=self.st_known,
            entries_new=self.e_new,
            entries_known=self.e_known,
            transactions_new=self.tx_new,
            findings=self.findings,
            entries_same_booking=self.e_merged,
        )


def store_sources(
    conn: Connection,
    names: list[str],
    sources: Sequence[SourcePlan],
    progress: Progress | None = None,
    *,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Write the planned sources inside the caller's transaction, streaming each file again and
    writing ``batch_size`` entries at a time; returns what was new.

    Raises:
        LedgerError: a file read differently than in the first pass (changed meanwhile).
        AmountError: an amount the ledger cannot hold exactly.
    """
    if batch_size < 1:
        raise LedgerError(f"batch_size must be 1 or more, not {batch_size}")
    writer = _Writer(conn, sum(p.count for s in sources for p in s.statements), progress)
    for source in sources:
        plans = iter(source.statements)
        batch: list[Entry] = []
        count = 0
        plan = next(plans, None)
        if plan is not None:
            writer.begin(plan)
        for item in iter_items(source):
            if isinstance(item, Entry):
                batch.append(item)
                count += 1
                if len(batch) >= batch_size:
                    writer.write(batch)
                    batch = []
                continue
            writer.write(batch)
            batch = []
            if plan is None or count != plan.count:
                _changed(source)
            count = 0
            plan = next(plans, None)
            if plan is not None:
                writer.begin(plan)
        if plan is not None:
            _changed(source)
    return writer.summary(names)


def _changed(source: SourcePlan) -> None:
    raise LedgerError(
        "the file changed while it was imported",
        file=str(source.path) if source.path else None,
        hint="import it again once it is no longer being written",
    )
