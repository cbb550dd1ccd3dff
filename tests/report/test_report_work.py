"""The report as a work tool (issue 15): unmatched receipts with the reason, open items per
customer, lines that are not customer payments (credits and debits apart), the reason of each
suggestion, in French and English number and date formats, rendered by headless Chromium."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_INPUT, EXIT_OK, main
from rapprochement.report import write_report
from rapprochement.store import Ledger
from tests.report.test_report import CHROMIUM
from tests.store.helpers import LINES, line, write_invoices, write_mt940

SECTIONS = {
    "en": ("Unmatched receipts", "Open items per customer",
           "Bank lines that are not customer payments", "Suggestion queue"),
    "fr": ("Encaissements non rapprochés", "Encours par client",
           "Lignes bancaires hors encaissements clients", "Propositions à valider"),
}  # fmt: skip


@pytest.fixture
def books(tmp_path: Path) -> Path:
    db = tmp_path / "l.db"
    extra = [line(9, "1326.30", "NOBODY SA", "", "virement divers", "R9")]
    with Ledger(db) as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES + extra))
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        ledger.reconcile()
    return db


def _text(html: str) -> str:
    return html.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_work_sections_and_number_formats(books: Path, tmp_path: Path, lang: str) -> None:
    with Ledger(books) as ledger:
        out = write_report(ledger, tmp_path / f"r-{lang}.html", dt.date(2026, 5, 1), lang)  # type: ignore[arg-type]
    html = _text(out.read_text(encoding="utf-8"))
    assert f'<html lang="{lang}">' in html
    for heading in SECTIONS[lang]:
        assert heading in html
    assert "NOBODY SA" in html  # the unmatched receipt, with its amount grouped
    assert ("1 326,30 EUR" if lang == "fr" else "1,326.30 EUR") in html
    assert ("1 mai 2026" if lang == "fr" else "1 May 2026") in html
    assert "schema v" not in html
    assert "fees" in html  # the bank fee line the starter rules categorized
    assert "Delta SAS" in html  # open items per customer
    if lang == "fr":  # the whole report, not only the new sections
        for text in ("Balance âgée", "DSO, jours (méthode standard)", "Principaux retards",
                     "Paiements rejetés", "Lignes bancaires", ",0 %"):  # fmt: skip
            assert text in html
        assert "Top late payers" not in html


def test_report_lang_option(books: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.html"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.delenv("RAPPROCHEMENT_LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["report", "--html", str(out), "--db", str(books)]) == EXIT_OK
    assert "Encours par client" in out.read_text(encoding="utf-8")
    assert main(["report", "--html", str(out), "--db", str(books), "--lang", "en"]) == EXIT_OK
    assert "Open items per customer" in out.read_text(encoding="utf-8")
    assert main(["report", "--html", str(out), "--db", str(books), "--lang", "de"]) == EXIT_INPUT


@pytest.mark.browser
@pytest.mark.skipif(
    shutil.which(CHROMIUM) is None and not os.environ.get("RAPPROCHEMENT_REQUIRE_BROWSER"),
    reason="no headless Chromium (CI installs it and sets RAPPROCHEMENT_REQUIRE_BROWSER=1)",
)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_renders_in_chromium_in_both_languages(
    books: Path, tmp_path: Path, lang: str
) -> None:
    with Ledger(books) as ledger:
        out = write_report(ledger, tmp_path / f"r-{lang}.html", dt.date(2026, 5, 1), lang)  # type: ignore[arg-type]
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", out.as_uri()],
        check=True, capture_output=True, timeout=120, text=True,
    )  # fmt: skip
    dom = _text(done.stdout)
    for heading in SECTIONS[lang]:
        assert heading in dom
    assert ("1 326,30 EUR" if lang == "fr" else "1,326.30 EUR") in dom
