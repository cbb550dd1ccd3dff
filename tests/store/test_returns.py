"""Returns, rejects and reversals: linked to the payment they return, its allocations reversed,
its invoices reopened with the reason, never matched as a payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from demo.writers import Line

from rapprochement.store import Ledger
from tests.store.fake_matcher import fake_matcher
from tests.store.helpers import ACME_IBAN, write_camt, write_invoices, write_mt940

INVOICES = """\
invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,reference,customer_iban
FA-500,C5,Echo SARL,500.00,EUR,2026-02-01,2026-03-01,FA-500,
FA-501,C5,Echo SARL,300.00,EUR,2026-02-01,2026-03-01,FA-501,
AV-900,C9,Other SA,-500.00,EUR,2026-02-01,2026-03-01,AV-900,
"""
ECHO_IBAN = "FR7630006000011234567890189"


def _l(day: int, amount: str, text: str, ref: str, **kw: object) -> Line:
    return Line(dt.date(2026, 3, day), Decimal(amount), "ECHO SARL", ECHO_IBAN, text, ref, **kw)  # type: ignore[arg-type]


COLLECTION = _l(2, "500.00", "PRLV SEPA Facture FA-500", "C-1", e2e="SDD-FA-500")
RETURN = _l(
    9, "-500.00", "RETOUR PRLV FA-500", "C-2", e2e="SDD-FA-500", reason="AM04",
    code="PMNT/IDDT/UPDD",
)  # fmt: skip
RETURN_MT940 = _l(
    9, "-500.00", "RETOUR PRLV FA-500", "C-2", e2e="SDD-FA-500", reason="AM04", code="NRTI",
    reversal=True,
)  # fmt: skip


def _paid(ledger: Ledger, tmp_path: Path, write: object, ext: str) -> None:
    ledger.import_invoices(write_invoices(tmp_path / "i.csv", INVOICES))
    ledger.import_statements(write(tmp_path / f"a.{ext}", [COLLECTION]))  # type: ignore[operator]
    ledger.reconcile(matcher=fake_matcher)
    assert "FA-500" not in set(ledger.open_items()["invoice_id"])


def _open(ledger: Ledger) -> dict[str, Decimal]:
    items = ledger.open_items()
    return dict(zip(items["invoice_id"], items["open_amount"], strict=True))


@pytest.mark.parametrize(
    ("write", "ext", "ret"),
    [(write_camt, "xml", RETURN), (write_mt940, "sta", RETURN_MT940)],
    ids=["camt", "mt940"],
)
def test_sdd_return_reopens_the_invoice_its_collection_paid(
    ledger_url: str, tmp_path: Path, write: object, ext: str, ret: Line
) -> None:
    with Ledger(ledger_url) as ledger:
        _paid(ledger, tmp_path, write, ext)
        imported = ledger.import_statements(write(tmp_path / f"b.{ext}", [ret], "S2", "500"))  # type: ignore[operator]
        assert imported.line_rules["returns_linked"] == 1
        assert imported.line_rules["invoices_reopened"] == ["FA-500"]
        assert _open(ledger)["FA-500"] == Decimal("500.00")
        r = ledger.returns().iloc[0]
        assert r["reason_code"] == "AM04"
        assert "insufficient funds" in r["reason"]
        assert r["evidence"] == "same end-to-end id SDD-FA-500"
        assert r["invoices"] == ["FA-500"]
        assert r["customer_ids"] == ["C5"]
        undone = ledger.undone_allocations()
        assert list(undone["undo_kind"]) == ["return"]
        assert "AM04" in undone["reason"].iat[0]
        # never matched as a payment (the credit note of the same amount is left alone),
        # and the returned collection is not offered again either
        run = ledger.reconcile(matcher=fake_matcher)
        assert run.transactions == 0
        assert ledger.allocations().empty
        st = ledger.status()
        assert st["returns"] == {"lines": 1, "linked": 1, "unlinked": 0}
        assert st["customer_payments"] == 0


def test_a_return_imported_before_its_collection_links_later(
    ledger_url: str, tmp_path: Path
) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "i.csv", INVOICES))
        first = ledger.import_statements(write_camt(tmp_path / "b.xml", [RETURN], "S2", "500"))
        assert (first.line_rules["returns_new"], first.line_rules["returns_linked"]) == (1, 0)
        assert ledger.status()["returns"]["unlinked"] == 1
        second = ledger.import_statements(write_camt(tmp_path / "a.xml", [COLLECTION]))
        assert second.line_rules["returns_linked"] == 1
        ledger.reconcile(matcher=fake_matcher)
        assert ledger.allocations().empty  # the collection was returned: not a payment
        assert _open(ledger)["FA-500"] == Decimal("500.00")


def test_reversal_of_a_transfer_reopens_its_invoice(ledger_url: str, tmp_path: Path) -> None:
    transfer = Line(dt.date(2026, 3, 3), Decimal("300.00"), "ECHO SARL", ACME_IBAN, "FA-501", "V1")
    reversal = Line(
        dt.date(2026, 3, 4), Decimal("-300.00"), "ECHO SARL", ACME_IBAN, "FA-501", "V2",
        reversal=True, e2e="V1",
    )  # fmt: skip
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "i.csv", INVOICES))
        ledger.import_statements(write_camt(tmp_path / "a.xml", [transfer]))
        ledger.reconcile(matcher=fake_matcher)
        assert "FA-501" not in _open(ledger)
        ledger.import_statements(write_camt(tmp_path / "b.xml", [reversal], "C2", "1300"))
        assert _open(ledger)["FA-501"] == Decimal("300.00")
        r = ledger.returns().iloc[0]
        assert "reversal indicator" in r["signals"]
        assert r["invoices"] == ["FA-501"]


def test_retour_text_alone_is_a_return_only_when_it_links(ledger_url: str, tmp_path: Path) -> None:
    """No code, no reason, no flag: linked by the invoice its collection paid."""
    plain = _l(9, "-500.00", "RETOUR PRLV FA-500", "C-3")
    customer_words = _l(10, "120.00", "retour marchandise", "C-4")
    with Ledger(ledger_url) as ledger:
        _paid(ledger, tmp_path, write_camt, "xml")
        ledger.import_statements(
            write_camt(tmp_path / "b.xml", [plain, customer_words], "S2", "500")
        )
        r = ledger.returns()
        assert list(r["transaction_id"]) != []
        assert len(r) == 1
        assert r["evidence"].iat[0] == "the text names FA-500, which that payment settled"
        assert _open(ledger)["FA-500"] == Decimal("500.00")


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
COLLECTION_501 = _l(3, "300.00", "PRLV SEPA FA-501", "C-3", e2e="SDD-X-77")


def test_a_camt054_return_notification_links_and_reopens(ledger_url: str, tmp_path: Path) -> None:
    """Two returns notified in a camt.054: one by the original's end-to-end id (reason MD06),
    one whose only link is the invoice the bank names in ``RtrInf/AddtlInf`` (AC04)."""
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "i.csv", INVOICES))
        ledger.import_statements(write_camt(tmp_path / "a.xml", [COLLECTION, COLLECTION_501]))
        ledger.reconcile(matcher=fake_matcher)
        assert {"FA-500", "FA-501"}.isdisjoint(_open(ledger))
        imported = ledger.import_statements(FIXTURES / "camt" / "camt054_v08_returns.xml")
        assert imported.line_rules["returns_linked"] == 2
        opened = _open(ledger)
        assert (opened["FA-500"], opened["FA-501"]) == (Decimal("500.00"), Decimal("300.00"))
        by_reason = {r["reason_code"]: r for r in ledger.returns().to_dict("records")}
        assert by_reason["MD06"]["evidence"] == "same end-to-end id SDD-FA-500"
        assert by_reason["MD06"]["reason"] == "MD06 (refund requested by the debtor)"
        assert by_reason["AC04"]["invoices"] == ["FA-501"]
        assert "FA-501" in by_reason["AC04"]["evidence"]
