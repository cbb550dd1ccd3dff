"""``make demo`` end to end (it is what a new user runs first): the whole loop on the bundled
data must finish, match most lines, learn from the accepted suggestions, write the dunning
letters as PDF with their manifest, and write the report."""

from __future__ import annotations

import csv
from pathlib import Path

from demo.run import main

from rapprochement.store import Ledger
from tests.conftest import require_pdf


def test_demo_runs_the_whole_loop(tmp_path: Path) -> None:
    db = main(tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    fec = (tmp_path / "out" / "FEC.txt").read_text(encoding="utf-8").splitlines()
    assert fec[0].startswith("JournalCode\tJournalLib\tEcritureNum")
    assert len(fec) > 20
    assert "Aged balance" in html
    with Ledger(db) as ledger:
        st = ledger.status()
        assert st["entries"] >= 80
        assert st["matched_transactions"] >= st["entries"] // 2
        assert st["allocations"].get("accepted", 0) >= 1
        assert st["learned_ibans"] + st["learned_aliases"] >= 1
        # April: a tax refund categorized, a return that reopened its invoice, an undo
        assert st["categories"]["tax"]["lines"] == 1
        assert st["returns"] == {"lines": 1, "linked": 1, "unlinked": 0}
        reopened = ledger.returns()["invoices"].iat[0]
        assert reopened
        assert set(reopened) <= set(ledger.open_items()["invoice_id"])
        assert list(ledger.undone_allocations()["undo_kind"]).count("undo") >= 1
        # May: one statement per customer as a PDF letter, and a manifest of who gets what
        assert len(ledger.customer_records()) >= 20
        assert ledger.dunning_history().empty  # a dry run records nothing
    day = tmp_path / "out" / "outbox" / "2026-05-04"
    require_pdf()  # the rest checks the PDF letters
    pdfs = sorted(day.glob("*.pdf"))
    with (day / "manifest.csv").open(encoding="utf-8") as f:
        manifest = list(csv.DictReader(f))
    assert len(pdfs) == len(manifest) >= 10
    assert {r["file"] for r in manifest} == {p.name for p in pdfs}
    assert {r["send_as"] for r in manifest} >= {"email", "post"}
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)
    assert len({r["customer_id"] for r in manifest}) == len(manifest)
