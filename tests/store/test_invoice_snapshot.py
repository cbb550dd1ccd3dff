"""The ERP as the source of truth: a snapshot import closes what it does not list (settled
outside the bank), records it, and undo reopens it; the ERP's open amount is honoured."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from rapprochement.errors import LedgerError, NotFoundError
from rapprochement.store import Ledger

D = Decimal


def _frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(invoice, customer, amount[/open]) rows due 2026-03-31."""
    recs = []
    for iid, cid, amount in rows:
        total, _, left = amount.partition("/")
        recs.append({"invoice_id": iid, "customer_id": cid, "customer_name": f"Client {cid}",
                     "amount": total, "open_amount": left or total, "currency": "EUR",
                     "issue_date": "2026-03-01", "due_date": "2026-03-31"})  # fmt: skip
    return pd.DataFrame(recs)


TEN = [(f"FA-{n:02d}", f"C{n % 3}", f"{100 * n}.00") for n in range(1, 11)]


def _open(ledger: Ledger) -> dict[str, Decimal]:
    items = ledger.open_items()
    return dict(zip(items["invoice_id"], items["open_amount"], strict=True))


def test_a_snapshot_closes_the_invoices_it_does_not_list_and_undo_reopens_them(
    ledger_url: str,
) -> None:
    with Ledger(ledger_url, user="compta") as ledger:
        ledger.import_invoices(_frame(TEN))
        # the ERP now lists 2 open invoices: the 8 others were paid in cash, by cheque, cancelled
        s = ledger.import_invoices(_frame([TEN[2], TEN[6]]), snapshot=True)
        assert s.snapshot
        assert sorted(_open(ledger)) == ["FA-03", "FA-07"]
        assert [c["invoice_id"] for c in s.closed] == [
            "FA-01", "FA-02", "FA-04", "FA-05", "FA-06", "FA-08", "FA-09", "FA-10",
        ]  # fmt: skip
        assert s.closed[0] == {"invoice_id": "FA-01", "customer_id": "C1",
                               "open_amount": "100.00", "currency": "EUR"}  # fmt: skip
        audit = ledger.settled_outside()
        assert len(audit) == 8
        assert set(audit["made_by"]) == {"compta"}
        assert set(audit["import_id"]) == {s.import_id}
        assert audit.loc[audit["invoice_id"] == "FA-10", "open_amount"].item() == D("1000.00")
        # undo reopens every one of them, with its open amount
        assert s.import_id is not None
        back = ledger.undo_invoice_import(s.import_id)
        assert len(back) == 8
        assert _open(ledger) == {iid: D(a) for iid, _, a in TEN}
        assert ledger.settled_outside().empty
        trail = ledger.settled_outside(active_only=False)
        assert len(trail) == 8
        assert set(trail["reopen_reason"]) == {f"undo of invoice import {s.import_id}"}
        with pytest.raises(LedgerError, match="no settled invoice left"):
            ledger.undo_invoice_import(s.import_id)


def test_a_plain_import_closes_nothing(ledger_url: str) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(_frame(TEN))
        s = ledger.import_invoices(_frame(TEN[:2]))
        assert (s.snapshot, s.closed) == (False, [])
        assert len(_open(ledger)) == 10


def test_one_invoice_is_reopened_alone_and_a_later_file_listing_it_reopens_it(
    ledger_url: str,
) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(_frame(TEN[:3]))
        ledger.import_invoices(_frame(TEN[:1]), snapshot=True)
        assert ledger.reopen_invoices("FA-02", reason="cheque bounced") == ["FA-02"]
        assert sorted(_open(ledger)) == ["FA-01", "FA-02"]
        with pytest.raises(NotFoundError, match="FA-02"):
            ledger.reopen_invoices("FA-02")
        listed_paid = ledger.import_invoices(_frame([("FA-03", "C0", "300.00/0")]))
        assert listed_paid.reopened == []  # listed with nothing open: stays settled
        s = ledger.import_invoices(_frame([TEN[2]]))  # the ERP lists FA-03 open again
        assert s.reopened == ["FA-03"]
        assert sorted(_open(ledger)) == ["FA-01", "FA-02", "FA-03"]
        assert ledger.settled_outside().empty


def test_the_erps_open_amount_is_honoured_and_not_netted_twice(ledger_url: str) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(_frame([("FA-1", "C1", "1000.00"), ("AV-1", "C1", "-200.00")]))
        # Reste dû: 400 left on FA-1 (600 paid by cheque), the credit note half used
        s = ledger.import_invoices(
            _frame([("FA-1", "C1", "1000.00/400.00"), ("AV-1", "C1", "-200.00/-100.00")]),
            snapshot=True,
        )
        assert s.closed == []
        assert _open(ledger) == {"FA-1": D("400.00"), "AV-1": D("-100.00")}
        # Reste dû 0: closed by the ERP's own figure
        rows = [("FA-1", "C1", "1000.00/0"), ("AV-1", "C1", "-200.00/-100.00")]
        ledger.import_invoices(_frame(rows), snapshot=True)
        assert _open(ledger) == {"AV-1": D("-100.00")}


def test_a_snapshot_from_a_csv_file_is_recorded_with_its_name(
    ledger_url: str, tmp_path: Path
) -> None:
    f = tmp_path / "erp.csv"
    _frame(TEN[:2]).to_csv(f, index=False)
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(_frame(TEN))
        s = ledger.import_invoices(f, snapshot=True)
        imports = ledger.invoice_imports()
        assert list(imports["closed"]) == [0, 8]
        assert imports.iloc[-1]["source"] == str(f)
        assert bool(imports.iloc[-1]["snapshot"])
        assert len(s.closed) == 8
