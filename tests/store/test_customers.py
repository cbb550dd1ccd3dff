"""Customers' master data: read from a French or English CSV, checked (SIREN, VAT, e-mail,
language), stored by schema 6, idempotent; payments on account for dunning statements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement.cli import main as cli
from rapprochement.customers import Customer, read_customers
from rapprochement.errors import ColumnError, DuplicateIdError, InputError
from rapprochement.store import SCHEMA_VERSION, Ledger

FRENCH = (
    "Code client;Raison sociale;Adresse;Complément;Code postal;Ville;Pays;E-mail;Langue;"
    "SIREN;N° TVA;Contact;Téléphone\n"
    "C005;Dupont & Fils SARL;12 rue des Lilas;Bâtiment B;69003;Lyon;FR;"
    '"compta@dupont.example; dg@dupont.example";fr;732 829 320;FR 44 732829320;'
    "Mme Martin, comptabilité;04 72 00 00 00\n"
    "C009;Blue Ltd;1 High Street;;SW1A 1AA;London;GB;ap@blue.example;en;;;;\n"
)


def write(tmp_path: Path, text: str, name: str = "customers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_french_export_is_read_and_checked(tmp_path: Path) -> None:
    dupont, blue = read_customers(write(tmp_path, FRENCH))
    assert dupont.emails == ("compta@dupont.example", "dg@dupont.example")
    assert (dupont.siren, dupont.vat, dupont.language) == ("732829320", "FR44732829320", "fr")
    assert dupont.address_block == (
        "Dupont & Fils SARL",
        "Mme Martin, comptabilité",
        "12 rue des Lilas",
        "Bâtiment B",
        "69003 LYON",
    )
    assert blue.address_block[-1] == "ROYAUME-UNI"
    assert blue.language == "en"


@pytest.mark.parametrize(
    ("cell", "column", "error"),
    [
        ("732 829 321", "siren", "not a valid SIREN"),
        ("FR00123", "vat", "not a valid EU VAT"),
        ("compta at dupont", "email", "not an e-mail"),
        ("de", "language", "no letters in language"),
    ],
)
def test_a_bad_value_names_the_line_and_column(
    tmp_path: Path, cell: str, column: str, error: str
) -> None:
    header = "customer_id,name,siren,vat,email,language\n"
    values = {"siren": "", "vat": "", "email": "", "language": "fr"} | {column: cell}
    row = f"C1,Acme,{values['siren']},{values['vat']},{values['email']},{values['language']}\n"
    with pytest.raises(InputError, match=error) as info:
        read_customers(write(tmp_path, header + row))
    assert info.value.location == f"line 2, column {column}"


def test_missing_columns_and_duplicates_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(ColumnError, match="customer_id"):
        read_customers(write(tmp_path, "nom\nAcme\n"))
    with pytest.raises(DuplicateIdError, match="C1"):
        read_customers(write(tmp_path, "customer_id,name\nC1,A\nC1,B\n"))
    with pytest.raises(ColumnError, match="no field 'iban'"):
        read_customers(write(tmp_path, "customer_id,name\nC1,A\n"), column_map={"iban": "x"})


def test_import_is_stored_idempotent_and_updates(ledger_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, FRENCH)
    with Ledger(ledger_url) as ledger:
        assert ledger.import_customers(path) == {"rows": 2, "new": 2, "updated": 0, "unchanged": 0}
        assert ledger.import_customers(path)["unchanged"] == 2
        moved = write(tmp_path, FRENCH.replace("Lyon", "Villeurbanne"), "moved.csv")
        assert ledger.import_customers(moved)["updated"] == 1
        records = ledger.customer_records()
        assert records["C005"].city == "Villeurbanne"
        assert set(ledger.customers()["customer_id"]) == {"C005", "C009"}
        assert ledger.status()["schema_version"] >= 6


def test_customers_import_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    assert cli(["customers", "import", str(write(tmp_path, FRENCH)), "--db", db]) == 0
    bad = write(tmp_path, "customer_id,name,siren\nC1,A,123\n", "bad.csv")
    assert cli(["customers", "import", str(bad), "--db", db]) == 3
    with Ledger(db) as ledger:
        assert sorted(ledger.customer_records()) == ["C005", "C009"]


def test_records_round_trip() -> None:
    c = Customer(customer_id="C1", name="Acme", emails=("a@b.example",))
    assert Customer.model_validate_json(c.model_dump_json()) == c


def test_sent_messages_are_recorded_once(ledger_url: str) -> None:
    msg = {"action_id": "dun-1", "customer_id": "C1", "message_id": "<1@acme.example>",
           "recipients": ["a@b.example"], "subject": "Relance",
           "sent_at": dt.datetime(2026, 12, 4, 9, 0), "files": ["x.pdf"]}  # fmt: skip
    with Ledger(ledger_url) as ledger:
        assert ledger.record_sent_messages([msg, msg]) == 1
        (row,) = ledger.sent_messages().to_dict("records")
        assert (row["recipients"], row["files"]) == (["a@b.example"], ["x.pdf"])


def test_payments_on_account_name_the_payer(ledger_url: str, tmp_path: Path) -> None:
    from rapprochement.store.reconcile import load_open_transactions
    from tests.store.helpers import line, write_invoices, write_mt940

    with Ledger(ledger_url) as ledger:
        assert len(ledger.payments_on_account()) == 0
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        paid = [
            line(12, "1250.00", "ACME SA", "", "FA-001", "P1"),
            line(13, "9.00", "X", "", "?", "P2"),
            line(14, "400.00", "GROUPE HOLDING", "", "reglement groupe", "P3"),
        ]
        ledger.import_statements(write_mt940(tmp_path / "b.sta", paid, "S2"))
        with ledger.engine.connect() as conn:
            open_tx = load_open_transactions(conn)
        by_text = dict(zip(open_tx["remittance_info"], open_tx["transaction_id"], strict=True))
        # 1 250 paid for FA-001 (1 200): 50 held on account for C1; a line that paid no
        # invoice names no customer
        ledger.allocate(str(by_text["FA-001"]), "FA-001", "1200.00")
        ledger.allocate(str(by_text["FA-001"]), None, "50.00")
        ledger.allocate(str(by_text["?"]), None, "9.00")
        # a payout for two customers' invoices with an excess: no one customer's credit
        ledger.allocate(str(by_text["reglement groupe"]), "FA-002", "300.00")
        ledger.allocate(str(by_text["reglement groupe"]), "FA-004", "50.00")
        ledger.allocate(str(by_text["reglement groupe"]), None, "50.00")
        (row,) = ledger.payments_on_account().to_dict("records")
    assert (row["customer_id"], row["amount"], row["currency"]) == ("C1", Decimal("50.00"), "EUR")
    assert row["date"] == dt.date(2026, 3, 12)


def test_migration_6_adds_the_tables_to_a_version_5_ledger(ledger_url: str) -> None:
    from sqlalchemy import delete, inspect, text

    from rapprochement.store import schema as t

    with Ledger(ledger_url) as ledger, ledger.engine.begin() as conn:
        # back to schema 5: the tables of steps 6 and later dropped, their versions forgotten
        for table in ("customer_details", "dunning_messages", "invoice_settlements",
                      "invoice_imports"):  # fmt: skip
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(delete(t.schema_version).where(t.schema_version.c.version >= 6))
    with Ledger(ledger_url) as ledger:
        assert ledger.status()["schema_version"] == SCHEMA_VERSION
        tables = set(inspect(ledger.engine).get_table_names())
        assert {"customer_details", "dunning_messages"} <= tables
        assert ledger.customer_records() == {}
