"""One booking read through two messages is one entry: a camt.054 notification detailing a
camt.053 batch line, a camt.052 pending line booked by the camt.053, in either order."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from rapprochement.store import Ledger
from rapprochement.store import schema as t
from tests.store.helpers import (
    DETAILS,
    batch_notification,
    batch_statement,
    camt_entry,
    camt_file,
    dump,
    write_invoices,
)


def _lines(ledger: Ledger) -> list[tuple[str, int, str]]:
    x = t.transactions.c
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(x.counterparty_name, x.amount_minor, x.status))
        return sorted((str(r[0]), int(r[1]), str(r[2])) for r in rows)


def test_a_notification_details_the_batch_line_in_either_order(
    new_ledger_url: Callable[[], str], tmp_path: Path
) -> None:
    files = [batch_statement(tmp_path), batch_notification(tmp_path)]
    dumps = []
    for order in (files, files[::-1]):
        with Ledger(new_ledger_url()) as ledger:
            first = ledger.import_statements(order[0])
            second = ledger.import_statements(order[1])
            assert second.entries_same_booking == 1
            assert second.entries_new == (1 if order[1] == files[0] else 0)  # the interest line
            assert ledger.status()["entries"] == 2
            names = [n for n, _, _ in _lines(ledger)]
            assert names.count("ACME SA") == 1
            assert names.count("BETA GMBH") == 1
            assert len(names) == 3  # two payments of the batch + the interest line, never the sum
            assert first.entries_same_booking == 0
            dumps.append(dump(ledger)["transactions"])
    assert dumps[0] == dumps[1]


def test_the_detailed_payments_are_matched_once(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "inv.csv"))
        ledger.import_statements([batch_statement(tmp_path), batch_notification(tmp_path)])
        assert sum(amount for _, amount, _ in _lines(ledger)) == 151250  # the money, once
        ledger.reconcile()
        matched = ledger.allocations()
        assert set(matched["invoice_id"].dropna()) >= {"FA-001", "FA-002"}
        assert matched.groupby("invoice_id").size().max() == 1


def test_allocated_lines_are_kept_and_the_notification_only_linked(
    ledger_url: str, tmp_path: Path
) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(batch_statement(tmp_path))
        x = t.transactions.c
        with ledger.engine.connect() as conn:
            (batch_line,) = conn.execute(
                select(x.transaction_id).where(x.amount_minor == 150000)
            ).scalars()
        ledger.allocate(batch_line, None, "1500.00", note="booked by hand before the details")
        before = _lines(ledger)
        summary = ledger.import_statements(batch_notification(tmp_path))
        assert summary.entries_same_booking == 1
        assert summary.transactions_new == 0
        assert _lines(ledger) == before  # an allocated line is never replaced under the user


def test_different_references_or_amounts_are_different_bookings(
    ledger_url: str, tmp_path: Path
) -> None:
    other_ref = camt_file(
        tmp_path / "o.xml", "054", [camt_entry("BATCH-0303-78", "1500.00", DETAILS)]
    )
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(batch_statement(tmp_path))
        summary = ledger.import_statements(other_ref)
        assert summary.entries_same_booking == 0
        assert summary.entries_new == 1


def test_a_pending_report_line_becomes_booked(ledger_url: str, tmp_path: Path) -> None:
    one = [DETAILS[0]]
    report = camt_file(
        tmp_path / "r.xml", "052", [camt_entry("LINE-0303-12", "1200.00", one, "PDNG")]
    )
    booked = camt_file(tmp_path / "b.xml", "053", [camt_entry("LINE-0303-12", "1200.00", one)])
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(report)
        assert {s for _, _, s in _lines(ledger)} == {"pending"}
        summary = ledger.import_statements(booked)
        assert summary.entries_same_booking == 1
        assert _lines(ledger) == [("ACME SA", 120000, "booked")]
        assert ledger.status()["entries"] == 1


def _lookups(ledger: Ledger, path: Path) -> int:
    """Import ``path``; how many same-booking candidate lookups it ran."""
    from sqlalchemy import event

    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "bank_reference IN" in statement:
            seen.append(statement)

    event.listen(ledger.engine, "before_cursor_execute", count)
    try:
        ledger.import_statements(path, batch_size=1)
    finally:
        event.remove(ledger.engine, "before_cursor_execute", count)
    return len(seen)


def test_candidates_are_looked_up_only_beside_another_format(tmp_path: Path) -> None:
    # an account read in one format only has no booking held through another message: its
    # lines cost no lookup (one per batch scanned the links of every entry: quadratic)
    from tests.store.helpers import LINES, write_mt940

    lines = [dataclasses.replace(ln, ref=f"BANKREF-{i:04d}") for i, ln in enumerate(LINES)]
    with Ledger(tmp_path / "l.db") as ledger:
        assert _lookups(ledger, write_mt940(tmp_path / "a.sta", lines[:3], "S1")) == 0
        assert _lookups(ledger, write_mt940(tmp_path / "b.sta", lines[2:], "S2")) == 0
        # the same account as a camt.053 now: MT940 is another format, its lines are looked up
        assert _lookups(ledger, batch_statement(tmp_path)) >= 1
