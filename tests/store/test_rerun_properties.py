"""Property, with the real matching engine on generated books: reconciling the same ledger again
adds nothing automatic; lines imported later are matched, and never past their evidence."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from benchmarks.generator import generate
from benchmarks.writers import write_camt053
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapprochement.store import Ledger

pytestmark = pytest.mark.slow


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), n=st.integers(40, 160))
def test_reconciling_the_same_ledger_again_adds_nothing(seed: int, n: int) -> None:
    ds = generate(seed=seed, n_payments=n, difficulty="hard")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.xml"
        write_camt053(ds.transactions, path)
        with Ledger(Path(tmp) / "l.db") as ledger:
            ledger.import_invoices(ds.invoices)
            ledger.import_statements(path)
            first = ledger.reconcile()
            cash = ledger.status()["matched_amount"]
            reviewed = _suggested_lines(ledger, first.run_id)
            for _ in range(2):
                again = ledger.reconcile()
                assert again.auto_allocations == 0
                # a line left unmatched is not offered for review by elimination either
                assert _suggested_lines(ledger, again.run_id) <= reviewed
            assert ledger.status()["matched_amount"] == cash


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_lines_imported_later_are_matched_and_the_rest_is_held(seed: int) -> None:
    ds = generate(seed=seed, n_payments=120, difficulty="hard")
    tx = ds.transactions.sort_values(["booking_date", "transaction_id"])
    half = len(tx) // 2
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for k, part in enumerate((tx.iloc[:half], tx.iloc[half:])):
            files.append(Path(tmp) / f"part{k}.xml")
            write_camt053(part, files[-1])
        with Ledger(Path(tmp) / "l.db") as ledger:
            ledger.import_invoices(ds.invoices)
            ledger.import_statements(files[0])
            ledger.reconcile()
            old = _ids_of(ledger, files[0])
            ledger.import_statements(files[1])
            second = ledger.reconcile()
            al = ledger.allocations()
            auto = al[(al["run_id"] == second.run_id) & (al["source"] == "auto")]
            assert len(set(auto["transaction_id"]) - old) > 0  # the new half is matched
            # every invoice was there for the first run and no one decided anything: a line of
            # the first half is automatic now only beside a new line (a split across halves)
            for _, rows in auto.groupby(auto["group_id"].fillna(auto["transaction_id"])):
                lines = set(rows["transaction_id"])
                assert not (lines & old) or (lines - old)


def _suggested_lines(ledger: Ledger, run_id: int) -> set[str]:
    s = ledger.suggestions(None)
    return set(s[s["run_id"] == run_id]["transaction_id"])


def _ids_of(ledger: Ledger, path: Path) -> set[str]:
    from sqlalchemy import select

    from rapprochement.store import schema as t

    with ledger.engine.connect() as conn:
        q = (
            select(t.transactions.c.transaction_id)
            .join(t.entries, t.entries.c.id == t.transactions.c.entry_pk)
            .where(t.entries.c.source.contains(path.name))
        )
        return {r[0] for r in conn.execute(q)}
