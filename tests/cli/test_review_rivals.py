"""``rapprochement review`` shows the rival readings beside each suggestion (issue 12)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_OK, main
from tests.store.helpers import line, write_invoices, write_mt940

#: Two equal open invoices of one customer and a payment naming neither: a tie.
_INVOICES = """\
invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,reference,\
customer_iban
FA-101,C1,Martin & Fils,800.00,EUR,2026-02-05,2026-03-07,FA-101,
FA-102,C1,Martin & Fils,800.00,EUR,2026-02-06,2026-03-08,FA-102,
"""


@pytest.fixture
def tie_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ``--db`` option of a reconciled ledger whose one payment ties two invoices."""
    monkeypatch.setenv("COLUMNS", "200")
    db = ["--db", str(tmp_path / "b.db")]
    sta = write_mt940(
        tmp_path / "a.sta", [line(6, "800.00", "MARTIN ET FILS", "", "VIREMENT", "R1")]
    )
    assert main(["import", str(sta), *db]) == EXIT_OK
    invoices = write_invoices(tmp_path / "i.csv", _INVOICES)
    assert main(["invoices", "import", str(invoices), *db]) == EXIT_OK
    assert main(["reconcile", *db]) == EXIT_OK
    return db


def test_review_lists_the_rival_beside_the_suggestion(
    tie_book: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    db = tie_book
    capsys.readouterr()
    assert main(["review", *db, "--json"]) == EXIT_OK
    listing = json.loads(capsys.readouterr().out)
    assert len(listing) == 1
    chosen = listing[0]["invoice_id"]
    other = ({"FA-101", "FA-102"} - {chosen}).pop()
    assert listing[0]["rivals"] == [f"{other} (0.50, tie): fits as well"]
    assert main(["review", *db]) == EXIT_OK
    out = capsys.readouterr().out
    assert "rivals" in out
    assert f"{other} (0.50, tie)" in out


def test_review_in_the_chosen_language(
    tie_book: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``review --lang fr`` writes amounts and dates as a French reader does."""
    db = tie_book
    capsys.readouterr()
    assert main(["review", *db, "--lang", "fr"]) == EXIT_OK
    out = capsys.readouterr().out.replace("\u202f", " ").replace("\xa0", " ")
    assert "800,00 €" in out
    assert "800.00" not in out
    assert re.search(r"\d+ mars 2026", out), out
    assert main(["review", *db, "--lang", "en"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "€800.00" in out
    assert re.search(r"\d+ March 2026", out), out


def test_rivals_short_reads_the_rival_rows_only() -> None:
    from rapprochement.cli.review import rivals_short

    rows = [
        {"feature": "prior", "value": "base rate", "weight": 6.5},
        {"feature": "rival", "value": "F-2 (0.18, weaker): reference=none -3.2", "weight": 0.0},
        {"feature": "rival", "value": "F-3 (0.10, taken): settled by another payment (T9)",
         "weight": 0.0},
    ]  # fmt: skip
    text = json.dumps(rows)
    assert rivals_short(text) == (
        "F-2 (0.18, weaker): reference=none -3.2\n"
        "F-3 (0.10, taken): settled by another payment (T9)"
    )
    assert rivals_short(text, wide=False) == "F-2 (0.18, weaker)\nF-3 (0.10, taken)"
    assert rivals_short("") == "-"
    assert rivals_short("not json") == "-"
