"""French and English formatting (issue 15): grouping, money, dates, the language from the
environment; the French Excel export; --as-of in the forms the CSV readers take."""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_INPUT, EXIT_OK, main
from rapprochement.i18n import day, language, money, number
from rapprochement.store import Ledger
from tests.store.helpers import LINES, write_invoices, write_mt940


def _spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_money_numbers_and_dates_in_french_and_english() -> None:
    assert _spaces(money(Decimal("1326.30"), "EUR", "fr")) == "1 326,30 €"
    assert money(Decimal("1326.30"), "EUR", "en") == "€1,326.30"
    assert _spaces(number(Decimal("5140.4"), "fr", places=2)) == "5 140,40"
    assert number(1234567, "en") == "1,234,567"
    assert day(dt.date(2019, 7, 15), "fr") == "15 juillet 2019"
    assert day(dt.date(2019, 7, 15), "en") == "15 July 2019"


def test_language_from_option_then_environment() -> None:
    assert language("fr_FR.UTF-8") == "fr"
    assert language(None, {"LANG": "fr_BE.UTF-8"}) == "fr"
    assert language(None, {"RAPPROCHEMENT_LANG": "en", "LANG": "fr_FR"}) == "en"
    assert language(None, {"LC_ALL": "de_DE"}) == "en"
    assert language(None, {}) == "en"
    with pytest.raises(ValueError, match="use fr or en"):
        language("de")


@pytest.fixture
def books(tmp_path: Path) -> str:
    db = str(tmp_path / "books.db")
    with Ledger(db, user="test") as ledger:
        ledger.import_statements([write_mt940(tmp_path / "a.sta", LINES)])
        ledger.import_invoices(write_invoices(tmp_path / "inv.csv"))
        ledger.reconcile()
    return db


def test_export_for_french_excel(books: str, tmp_path: Path) -> None:
    out = tmp_path / "alloc.csv"
    assert main(["export", str(out), "--excel-fr", "--db", books]) == EXIT_OK
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    fa1 = next(r for r in rows if r["invoice_id"] == "FA-001")
    assert fa1["amount"] == "1200,00"


@pytest.mark.parametrize("text", ["2026-03-31", "31/03/2026", "20260331", "31.3.26"])
def test_as_of_takes_the_date_forms_of_the_csv_readers(books: str, text: str) -> None:
    assert main(["unmatched", "--as-of", text, "--db", books, "--json"]) == EXIT_OK


def test_an_as_of_that_reads_both_ways_is_refused(
    books: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reconcile", "--as-of", "03/04/2026", "--db", books]) == EXIT_INPUT
    assert "day first and month first" in capsys.readouterr().err


def test_status_amounts_grouped_in_the_chosen_language(
    books: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["status", "--db", books, "--lang", "fr"]) == EXIT_OK
    out = _spaces(capsys.readouterr().out)
    assert re.search(r"\d \d\d\d,\d\d €", out)  # e.g. 1 200,00 €
    assert main(["status", "--db", books, "--lang", "en"]) == EXIT_OK
    assert re.search(r"€\d,\d\d\d\.\d\d", capsys.readouterr().out)


@pytest.mark.parametrize(
    "command",
    [
        ["kpi", "--as-of", "2026-09-30"],
        ["dunning", "plan", "--as-of", "2026-09-30"],
    ],
)
def test_queue_tables_in_the_chosen_language(
    books: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """kpi and the dunning plan format amounts and dates as the reader does: ``1 200,00 €``
    and ``30 septembre 2026`` in French, ``€1,200.00`` and ``30 September 2026`` in English."""
    capsys.readouterr()
    assert main([*command, "--db", books, "--lang", "fr"]) == EXIT_OK
    out = _spaces(capsys.readouterr().out)
    assert re.search(r"\d+,\d\d €", out), out
    assert "30 septembre 2026" in out
    assert not re.search(r"€\d", out)
    assert main([*command, "--db", books, "--lang", "en"]) == EXIT_OK
    out = capsys.readouterr().out
    assert re.search(r"€\d[\d,]*\.\d\d", out), out
    assert "30 September 2026" in out
