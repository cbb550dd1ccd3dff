"""Properties of snapshot imports: whatever the ledger holds and the file lists, a snapshot
leaves open exactly the listed invoices, moves no money, and its undo restores every open
amount."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement.store import Ledger

AMOUNTS = st.integers(min_value=-50_000, max_value=500_000).filter(lambda v: v != 0)


def _frame(amounts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"invoice_id": iid, "customer_id": f"C{n % 3}", "customer_name": "X",
          "amount": str(Decimal(v) / 100), "currency": "EUR", "issue_date": "2026-01-05",
          "due_date": "2026-02-04"} for n, (iid, v) in enumerate(sorted(amounts.items()))]
    )  # fmt: skip


def _open(ledger: Ledger) -> dict[str, Decimal]:
    items = ledger.open_items()
    return dict(zip(items["invoice_id"], items["open_amount"], strict=True))


@settings(max_examples=25, deadline=None)
@given(
    amounts=st.dictionaries(
        st.from_regex(r"FA-[0-9]{1,3}", fullmatch=True), AMOUNTS, min_size=1, max_size=12
    ),
    keep=st.sets(st.integers(min_value=0, max_value=11)),
)
def test_snapshot_closes_exactly_the_unlisted_and_undo_restores_everything(
    amounts: dict[str, int], keep: set[int]
) -> None:
    ids = sorted(amounts)
    listed = {ids[k] for k in keep if k < len(ids)} or {ids[0]}
    with tempfile.TemporaryDirectory() as tmp, Ledger(Path(tmp) / "l.db") as ledger:
        ledger.import_invoices(_frame(amounts))
        before = _open(ledger)
        s = ledger.import_invoices(_frame({i: amounts[i] for i in listed}), snapshot=True)
        after = _open(ledger)
        assert set(after) == listed
        assert {c["invoice_id"] for c in s.closed} == set(ids) - listed
        closed = sum((Decimal(c["open_amount"]) for c in s.closed), Decimal(0))
        assert sum(after.values(), Decimal(0)) + closed == sum(before.values(), Decimal(0))
        assert ledger.allocations().empty  # no money moved
        if s.closed:
            assert s.import_id is not None
            ledger.undo_invoice_import(s.import_id)
        assert _open(ledger) == before
