"""Letters you can send: PDF letters (A4, address block in the envelope window), readable file
names with a manifest, and ``dunning run --send`` to a real SMTP server on loopback."""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import io
import socket
from collections.abc import Iterator
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from rapprochement.cli import EXIT_INPUT, EXIT_OK, main
from rapprochement.customers import Customer
from rapprochement.dunning import default_french_policy, plan_dunning
from rapprochement.dunning.letters import Creditor
from rapprochement.dunning.mailer import load_smtp_settings
from rapprochement.dunning.outbox import write_outbox
from rapprochement.errors import ConfigError
from rapprochement.store import Ledger
from tests.conftest import require_pdf

D = Decimal
CREDITOR = Creditor(
    name="ACME SAS", address=("1 rue de la Paix", "75002 Paris"), city="Paris",
    legal_id="123 456 789", iban="FR7630006000011234567890189", email="compta@acme.example",
)  # fmt: skip
DUPONT = Customer(
    customer_id="C005", name="Dupont & Fils SARL", contact="Mme Martin",
    address=("12 rue des Lilas",), postal_code="69003", city="Lyon",
    emails=("compta@dupont.example",), siren="732829320",
)  # fmt: skip
INVOICES = pd.DataFrame(
    [
        ("FA-1", "C005", "Dupont & Fils", "1200.00", "2025-04-01", "2025-05-31"),
        ("FA-2", "C005", "Dupont & Fils", "500.00", "2025-04-01", "2025-05-31"),
        ("AV-1", "C005", "Dupont & Fils", "-200.00", "2025-04-15", "2025-05-15"),
        ("FB-1", "C009", "Blue Ltd", "800.00", "2025-04-01", "2025-05-31"),
        ("FC-1", "C010", "Papier SA", "300.00", "2025-04-01", "2025-05-31"),
    ],
    columns=["invoice_id", "customer_id", "customer_name", "amount", "issue_date", "due_date"],
).assign(currency="EUR")
CUSTOMERS_CSV = (
    "customer_id,name,address,postal_code,city,country,email,language,siren\n"
    'C005,Dupont & Fils SARL,12 rue des Lilas,69003,Lyon,FR,"compta@dupont.example",fr,'
    "732829320\n"
    "C009,Blue Ltd,1 High Street,SW1A 1AA,London,GB,ap@blue.example,en,\n"
    "C010,Papier SA,3 place du Marché,33000,Bordeaux,FR,,fr,\n"
)


class Inbox:
    """aiosmtpd handler keeping every message received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 OK"


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    inbox.port = port
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in {"HOST": "127.0.0.1", "PORT": str(port), "SENDER": "compta@acme.example",
                       "STARTTLS": "false"}.items():  # fmt: skip
        monkeypatch.setenv(f"RAPPROCHEMENT_SMTP_{key}", value)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _pdf_letters() -> None:
    """These tests render PDF letters: skipped only where Pango is missing, never in CI."""
    require_pdf()


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def test_a_short_letter_is_one_a4_page_with_the_address_in_the_window(tmp_path: Path) -> None:
    (action,) = plan_dunning(INVOICES.head(3), None, dt.date(2025, 6, 10), default_french_policy())
    (entry,) = write_outbox([action], tmp_path, creditor=CREDITOR, customers={"C005": DUPONT})
    assert entry.pdf is not None
    assert entry.pdf.name == "2025-06-10_C005_relance-1.pdf"
    data = entry.pdf.read_bytes()
    pages, text = pdf_text(data)
    assert pages == 1
    needles = ("Dupont & Fils SARL", "Mme Martin", "12 rue des Lilas", "69003 LYON",
               "Objet : Relance", "Paris, le 10 juin 2025", "Avoir AV-1", "1 500,00 €",
               "Réf. client C005 · SIREN 732 829 320")  # fmt: skip
    for needle in needles:
        assert needle in text, needle
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        (595.3, 841.9), abs=0.5
    )  # A4 in points
    where: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.startswith(("Dupont & Fils SARL", "69003 LYON")):
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            where[text.strip()] = (x / 72 * 25.4, (841.89 - y) / 72 * 25.4)

    page.extract_text(visitor_text=visit)
    # a DL envelope's right-hand window: 100-190 mm from the left, 45-90 mm from the top
    for x, y in where.values():
        assert 95 <= x <= 110
        assert 45 <= y <= 90
    assert len(where) == 2
    # the same letter gives the same bytes
    (again,) = write_outbox([action], tmp_path, creditor=CREDITOR, customers={"C005": DUPONT})
    assert again.pdf is not None
    assert again.pdf.read_bytes() == data


@pytest.fixture
def ledger_db(tmp_path: Path) -> tuple[str, Path]:
    db = str(tmp_path / "books.db")
    with Ledger(db) as ledger:
        ledger.import_invoices(INVOICES)
        path = tmp_path / "customers.csv"
        path.write_text(CUSTOMERS_CSV, encoding="utf-8")
        ledger.import_customers(path)
    who = tmp_path / "creditor.json"
    who.write_text(CREDITOR.model_dump_json(), encoding="utf-8")
    return db, who


def run_args(db: str, who: Path, out: Path, *more: str) -> list[str]:
    return ["dunning", "run", "--as-of", "2025-06-10", "--db", db, "--outbox", str(out),
            "--creditor", str(who), *more]  # fmt: skip


def test_dry_run_writes_letters_and_a_manifest_and_sends_nothing(
    ledger_db: tuple[str, Path], tmp_path: Path, smtp_server: Inbox
) -> None:
    db, who = ledger_db
    out = tmp_path / "outbox"
    assert main(run_args(db, who, out)) == EXIT_OK
    day = out / "2025-06-10"
    assert sorted(p.name for p in day.glob("*.pdf")) == [
        "2025-06-10_C005_relance-1.pdf",
        "2025-06-10_C009_reminder-1.pdf",
        "2025-06-10_C010_relance-1.pdf",
    ]
    with (day / "manifest.csv").open(encoding="utf-8") as f:
        manifest = {r["customer_id"]: r for r in csv.DictReader(f)}
    assert manifest["C005"]["send_as"] == "email"
    assert manifest["C005"]["email_to"] == "compta@dupont.example"
    assert manifest["C005"]["total_claimed"] == "1500.00"  # 1 200 + 500 - 200
    assert manifest["C010"]["send_as"] == "post"
    assert "33000 BORDEAUX" in manifest["C010"]["address"]
    assert smtp_server.messages == []
    with Ledger(db) as ledger:
        assert ledger.dunning_history().empty
        assert ledger.sent_messages().empty


def test_send_delivers_one_pdf_per_customer_with_the_right_headers(
    ledger_db: tuple[str, Path], tmp_path: Path, smtp_server: Inbox
) -> None:
    db, who = ledger_db
    out = tmp_path / "outbox"
    assert main(run_args(db, who, out, "--send")) == EXIT_OK
    by_to = {str(m["To"]): m for m in smtp_server.messages}
    assert sorted(by_to) == ["ap@blue.example", "compta@dupont.example"]  # C010 has no e-mail
    dupont = by_to["compta@dupont.example"]
    assert dupont["From"] == "compta@acme.example"
    assert dupont["Subject"].startswith("Relance")
    assert dupont["Date"] is not None
    assert dupont["Message-ID"].endswith("@acme.example>")
    (pdf,) = [p for p in dupont.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "2025-06-10_C005_relance-1.pdf"
    pages, text = pdf_text(pdf.get_content())
    assert pages == 1
    assert "Dupont & Fils SARL" in text
    assert "1 500,00 €" in text
    blue = by_to["ap@blue.example"]
    assert blue["Subject"].startswith("Reminder")
    assert "10 June 2025" in blue.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    with Ledger(db) as ledger:
        sent = ledger.sent_messages()
        assert sorted(sent["message_id"]) == sorted(
            str(m["Message-ID"]).strip() for m in smtp_server.messages
        )
        assert len(ledger.dunning_history()) == 3
    # recorded: a second run the same day plans, writes and sends nothing
    assert main(run_args(db, who, out, "--send")) == EXIT_OK
    assert len(smtp_server.messages) == 2


def test_smtp_settings_come_from_a_file_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "smtp.toml"
    path.write_text('[smtp]\nhost = "mail.example"\nsender = "a@b.example"\nport = 465\n')
    s = load_smtp_settings(path, environ={"RAPPROCHEMENT_SMTP_PASSWORD": "secret"})
    assert (s.host, s.port, s.password) == ("mail.example", 465, "secret")
    with pytest.raises(ConfigError, match="host"):
        load_smtp_settings(None, environ={})


def test_send_without_smtp_settings_records_nothing(
    ledger_db: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("HOST", "PORT", "SENDER", "STARTTLS"):
        monkeypatch.delenv(f"RAPPROCHEMENT_SMTP_{key}", raising=False)
    db, who = ledger_db
    assert main(run_args(db, who, tmp_path / "o", "--send")) != EXIT_OK
    with Ledger(db) as ledger:
        assert ledger.dunning_history().empty


def test_a_send_the_server_stopped_is_finished_by_dunning_send(
    ledger_db: tuple[str, Path], tmp_path: Path, smtp_server: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, who = ledger_db
    out = tmp_path / "outbox"
    with socket.socket() as s:  # a port nothing listens on: the server is down
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    monkeypatch.setenv("RAPPROCHEMENT_SMTP_PORT", str(dead))
    assert main(run_args(db, who, out, "--send")) == EXIT_INPUT
    with Ledger(db) as ledger:
        assert len(ledger.dunning_history()) == 3  # recorded before sending: not planned again
        assert ledger.sent_messages().empty
    assert main(run_args(db, who, out, "--send")) == EXIT_OK
    assert smtp_server.messages == []
    # the server is back: `dunning send` sends the letters as written, once
    monkeypatch.setenv("RAPPROCHEMENT_SMTP_PORT", str(smtp_server.port))
    assert main(["dunning", "send", "--date", "2025-06-10", "--db", db]) == EXIT_OK
    assert sorted(str(m["To"]) for m in smtp_server.messages) == [
        "ap@blue.example",
        "compta@dupont.example",
    ]
    assert main(["dunning", "send", "--date", "2025-06-10", "--db", db]) == EXIT_OK
    assert len(smtp_server.messages) == 2
    with Ledger(db) as ledger:
        assert len(ledger.sent_messages()) == 2


def test_a_formal_notice_is_posted_registered_and_e_mailed_as_a_copy(tmp_path: Path) -> None:
    history = pd.DataFrame(
        [{"customer_id": "C005", "invoice_ids": ["FA-1", "FA-2"], "level": "phone",
          "action_date": dt.date(2025, 6, 30)}]
    )  # fmt: skip
    (action,) = plan_dunning(
        INVOICES.head(3), history, dt.date(2025, 7, 10), default_french_policy()
    )
    (entry,) = write_outbox([action], tmp_path, creditor=CREDITOR, customers={"C005": DUPONT})
    assert (entry.send_as, entry.email_to) == ("registered_post", ("compta@dupont.example",))
    assert entry.pdf is not None
    assert entry.pdf.name == "2025-07-10_C005_mise-en-demeure.pdf"
    pages, text = pdf_text(entry.pdf.read_bytes())
    assert pages == 1
    assert "LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION" in text
    assert "vous mettons en demeure" in text


def test_write_outbox_reports_progress_letter_by_letter(tmp_path: Path) -> None:
    """A long run shows its letters counted as they are rendered (the CLI's progress bar)."""
    actions = plan_dunning(INVOICES, None, dt.date(2025, 6, 10), default_french_policy())
    assert len(actions) > 1
    seen: list[tuple[int, int]] = []
    write_outbox(actions, tmp_path, pdf=False, progress=lambda n, of: seen.append((n, of)))
    assert seen == [(i, len(actions)) for i in range(1, len(actions) + 1)]
