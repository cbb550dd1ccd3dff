"""The accountant's export (issue 15): the FEC file against a golden copy, and checks that do
not trust it: 18 columns in the legal order, dates and comma amounts, every entry balanced,
debits equal to credits, lettering codes that add up to each settled invoice per customer."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement.accounting import FEC_COLUMNS, AccountMap, load_account_map
from rapprochement.cli import EXIT_INPUT, EXIT_OK, main
from rapprochement.errors import ConfigError
from rapprochement.store import Ledger
from tests.accounting.conftest import VALIDATED
from tests.golden import UPDATE

GOLDEN = Path(__file__).parent / "golden" / "fec.txt"
LEGAL_ORDER = (
    "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|"
    "PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|"
    "Idevise"
)


def _rows(path: Path, sep: str = "\t") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=sep, quoting=csv.QUOTE_NONE))


def _amount(text: str) -> Decimal:
    assert re.fullmatch(r"\d+,\d\d", text), text
    return Decimal(text.replace(",", "."))


def test_the_fec_file_is_the_golden_one(settled: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "FEC.txt"
    entries = settled.export_fec(out, validated=VALIDATED)
    text = out.read_text(encoding="utf-8")
    if UPDATE:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8", newline="")
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert text.splitlines()[0] == LEGAL_ORDER.replace("|", "\t")
    assert tuple(LEGAL_ORDER.split("|")) == FEC_COLUMNS
    assert len(entries.lines) == len(text.splitlines()) - 1


def test_fec_fields_dates_amounts_and_balance(settled: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "FEC.txt"
    settled.export_fec(out, separator="|")
    rows = _rows(out, "|")
    assert rows
    by_entry: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        assert list(r) == list(FEC_COLUMNS)
        for col in ("EcritureDate", "PieceDate", "ValidDate"):
            dt.datetime.strptime(r[col], "%Y%m%d")
        assert r["DateLet"] == "" or re.fullmatch(r"\d{8}", r["DateLet"])
        debit, credit = _amount(r["Debit"]), _amount(r["Credit"])
        assert (debit == 0) != (credit == 0)
        by_entry[r["EcritureNum"]] += debit - credit
    assert all(v == 0 for v in by_entry.values())
    # the independent check: every debit has its credit
    assert sum(_amount(r["Debit"]) for r in rows) == sum(_amount(r["Credit"]) for r in rows)


def test_lettering_codes_balance_the_settled_invoices_per_customer(
    settled: Ledger, tmp_path: Path
) -> None:
    out = tmp_path / "FEC.txt"
    settled.export_fec(out)
    rows = _rows(out)
    lettered: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    invoices: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        if r["EcritureLet"]:
            assert r["CompteNum"] == "411000"
            assert r["DateLet"]
            key = (r["CompAuxNum"], r["EcritureLet"])
            lettered[key] += _amount(r["Credit"]) - _amount(r["Debit"])
            invoices[key].add(r["EcritureLib"].rsplit(" ", 1)[-1])
    amounts = {"FA-001": "1200.00", "FA-002": "300.00", "FA-003": "450.00", "FA-004": "50.00",
               "FA-005": "25.00", "FA-006": "999.00"}  # fmt: skip
    assert dict(invoices.items()) == {
        ("C1", "A"): {"FA-001"}, ("C1", "B"): {"FA-003"}, ("C2", "A"): {"FA-002"},
        ("C3", "A"): {"FA-004"}, ("C3", "B"): {"FA-005"}, ("C4", "A"): {"FA-006"},
    }  # fmt: skip
    for key, total in lettered.items():
        (invoice,) = invoices[key]
        assert total == Decimal(amounts[invoice])
    partial = [r for r in rows if r["CompAuxNum"] == "C5"]
    assert partial
    assert all(r["EcritureLet"] == "" for r in partial)  # FA-007 is still partly open
    assert any(r["CompteNum"] == "471000" for r in rows)  # the overpayment nobody was found for


def test_accounts_come_from_toml(settled: Ledger, tmp_path: Path) -> None:
    toml = tmp_path / "accounts.toml"
    toml.write_text(
        '[journals]\nbank = { code = "BQ1", label = "BPOP" }\n'
        '[accounts]\ndiscount_write_off = { number = "709000", label = "RRR accordés" }\n'
        '[bank_accounts]\n"FR7630004000031234567890143" = { number = "512100", label = "BPOP" }\n',
        encoding="utf-8",
    )
    out = tmp_path / "FEC.txt"
    settled.export_fec(out, toml)
    rows = _rows(out)
    assert {r["JournalCode"] for r in rows} == {"BQ1", "OD"}
    assert "709000" in {r["CompteNum"] for r in rows}
    assert "512100" in {r["CompteNum"] for r in rows}
    assert "512000" not in {r["CompteNum"] for r in rows}


def test_a_bad_account_map_is_a_config_error_naming_file_and_key(tmp_path: Path) -> None:
    toml = tmp_path / "accounts.toml"
    toml.write_text('[accounts]\nbank = { numbr = "512" }\n', encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"accounts\.toml: accounts\.bank\.number: Field required"
    ):
        load_account_map(toml)
    assert load_account_map(None) == AccountMap()


def test_plain_journal_csv_has_the_same_lines(settled: Ledger, tmp_path: Path) -> None:
    fec, plain = tmp_path / "FEC.txt", tmp_path / "journal.csv"
    settled.export_fec(fec, validated=VALIDATED)
    settled.export_journal(plain, validated=VALIDATED)
    a, b = _rows(fec), _rows(plain, ",")
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert _amount(x["Debit"]) == Decimal(y["debit"])
        assert x["CompAuxNum"] == y["aux_account"]
        assert dt.date.fromisoformat(y["date"]).strftime("%Y%m%d") == x["EcritureDate"]


def test_export_fec_on_the_command_line(settled: Ledger, tmp_path: Path) -> None:
    db = settled.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "FEC.txt"
    assert main(["export", str(out), "--fec", "--db", db]) == EXIT_OK
    assert out.read_text(encoding="utf-8").startswith("JournalCode\tJournalLib\t")
    assert main(["export", str(tmp_path / "j.csv"), "--journal", "--db", db]) == EXIT_OK
    assert main(["export", str(out), "--fec", "--journal", "--db", db]) == EXIT_INPUT
    excel = tmp_path / "j-fr.csv"
    assert main(["export", str(excel), "--journal", "--excel-fr", "--db", db]) == EXIT_OK
    assert excel.read_bytes().startswith(b"\xef\xbb\xbfjournal;journal_label;entry;")
    assert ";1200,00;0,00;" in excel.read_text(encoding="utf-8-sig")


def test_allocations_export_carries_booking_date_reference_payer_customer_and_open_amount(
    settled: Ledger, tmp_path: Path
) -> None:
    out = tmp_path / "alloc.csv"
    settled.export_allocations(out)
    rows = {r["invoice_id"]: r for r in _rows(out, ",")}
    fa7 = rows["FA-007"]
    assert (fa7["booking_date"], fa7["bank_reference"], fa7["payer"]) == ("2026-03-10", "R7",
                                                                         "EPSILON")  # fmt: skip
    assert (fa7["customer_id"], Decimal(fa7["open_amount"])) == ("C5", Decimal("150.00"))
    frame = settled.allocations()
    assert {"booking_date", "payer", "customer_id", "bank_reference"} <= set(frame.columns)
