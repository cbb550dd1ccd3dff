"""Bank CSV exports: golden files of five banks' shapes, the value formats, findings, sniffing,
and mutated files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapprochement import RapprochementError, read_statement
from rapprochement.errors import MalformedStatementError
from rapprochement.model import Statement
from rapprochement.parsers import sniff_format
from rapprochement.parsers.csv import reader as csv_statement
from rapprochement.parsers.csv.values import (
    AmountFormat,
    CellError,
    DateFormat,
    amount_format,
    date_format,
    match_columns,
    normalize_header,
    parse_amount,
    parse_date,
)
from tests.golden import assert_golden
from tests.mutations import mutated_files

HERE = Path(__file__).resolve().parent.parent / "fixtures" / "csv"
FIXTURES = sorted(HERE.glob("*.csv"))


def test_fixtures_are_present() -> None:
    assert len(FIXTURES) >= 5


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_csv_fixture_matches_its_golden_file(fixture: Path) -> None:
    assert_golden(fixture)


# -- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Date d'opération", "date d operation"),
        ("Montant (EUR)", "montant"),
        ("Débit euros", "debit"),
        ("  Crédit  EUR ", "credit"),
        ("Beguenstigter/Zahlungspflichtiger", "beguenstigter zahlungspflichtiger"),
    ],
)
def test_headers_are_normalized(header: str, expected: str) -> None:
    assert normalize_header(header) == expected


def test_columns_are_recognised_by_role_in_several_languages() -> None:
    roles = match_columns(["Buchungstag", "Valutadatum", "Verwendungszweck", "Betrag", "Währung"])
    assert roles == {
        "booking_date": 0, "value_date": 1, "remittance": 2, "amount": 3, "currency": 4,
    }  # fmt: skip
    assert set(match_columns(["Date", "Libellé", "Débit", "Crédit"])) == {
        "booking_date", "remittance", "debit", "credit",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("cells", "decimal"),
    [
        (["1 234,56", "-12,50", "3"], ","),
        (["1,234.56", "-12.50"], "."),
        (["1.234,56"], ","),
        (["12", "1,234"], ","),  # nothing tells: the European default
    ],
)
def test_the_decimal_mark_is_decided_once_per_file(cells: list[str], decimal: str) -> None:
    assert amount_format(cells).decimal == decimal


@pytest.mark.parametrize(
    ("cell", "decimal", "expected"),
    [
        ("1 234,56", ",", "1234.56"),
        ("1.234,56", ",", "1234.56"),
        ("1,234.56", ".", "1234.56"),
        ("-12,50 €", ",", "-12.50"),
        ("(12.50)", ".", "-12.50"),
        ("12,50-", ",", "-12.50"),
        ("+3", ",", "3"),
        ("1\u202f000,00", ",", "1000.00"),
    ],
)
def test_amounts_are_exact_whatever_the_bank_writes(cell: str, decimal: str, expected: str) -> None:
    got = parse_amount(cell, AmountFormat(decimal))
    assert got == Decimal(expected)
    assert str(got) == expected


@pytest.mark.parametrize("cell", ["abc", "1,2,3.4.5", "12..5"])
def test_a_bad_amount_is_a_cell_error(cell: str) -> None:
    with pytest.raises(CellError):
        parse_amount(cell, AmountFormat(","))


def test_blank_amounts_are_none() -> None:
    assert parse_amount("", AmountFormat(",")) is None
    assert parse_amount(" - ", AmountFormat(",")) is None


@given(st.integers(-(10**12), 10**12))
def test_amounts_round_trip_in_both_conventions(cents: int) -> None:
    value = Decimal(cents).scaleb(-2)
    us = f"{value:,.2f}"
    eu = us.replace(",", " ").replace(".", ",")
    assert parse_amount(us, AmountFormat(".")) == value
    assert parse_amount(eu, AmountFormat(",")) == value


def test_date_order_is_decided_from_the_whole_column() -> None:
    assert date_format(["02/11/2026", "15/11/2026"]).order == "dmy"
    assert date_format(["11/02/2026", "11/15/2026"]).order == "mdy"
    assert date_format(["2026-11-02"]).order == "ymd"
    dmy, mdy = DateFormat("dmy"), DateFormat("mdy")
    assert parse_date("02/11/2026", dmy) == dt.date(2026, 11, 2)
    assert parse_date("02/11/2026", mdy) == dt.date(2026, 2, 11)
    assert parse_date("02.11.26", dmy) == dt.date(2026, 11, 2)
    assert parse_date("20261102", dmy) == dt.date(2026, 11, 2)
    assert parse_date("2026-11-02T10:00:00", dmy) == dt.date(2026, 11, 2)
    assert parse_date("", dmy) is None
    with pytest.raises(CellError):
        parse_date("31/11/2026", dmy)
    with pytest.raises(CellError):
        parse_date("yesterday", dmy)


# -- files ------------------------------------------------------------------------------------


def test_debit_and_credit_columns_newest_first_with_balances() -> None:
    (stmt,) = read_statement(HERE / "fr_debit_credit.csv")
    assert stmt.source_format == "csv"
    assert stmt.account_iban == "FR7630004000031234567890143"  # from the lines before the header
    assert [str(e.amount) for e in stmt.entries] == ["1200.00", "-84.57", "-15.50", "450.00"]
    assert stmt.opening_balance is not None
    assert stmt.opening_balance.amount == Decimal("12500.00")
    assert stmt.reconciles() is True
    names = [e.transactions[0].counterparty_name for e in stmt.entries]
    assert names == ["SARL DUPONT ET FILS", "EDF SA", None, "MARTIN SAS"]  # from the labels
    assert stmt.entries[1].transactions[0].structured_reference == "RF18539007547034"


def test_a_direction_column_signs_unsigned_amounts() -> None:
    (stmt,) = read_statement(HERE / "nl_ing_af_bij.csv")
    assert [str(e.amount) for e in stmt.entries] == ["320.00", "-75.40"]
    assert stmt.account_iban == "NL91ABNA0417164300"  # the own-account column
    assert stmt.entries[0].transactions[0].counterparty_iban == "NL20INGB0001234567"


def test_problems_become_findings_and_the_rest_is_read() -> None:
    (stmt,) = read_statement(HERE / "problems.csv")
    assert [str(e.amount) for e in stmt.entries] == ["10.00", "-3.00"]
    lines = {(f.code, f.source.line if f.source else None) for f in stmt.findings}
    assert {("bad-entry", 3), ("bad-entry", 4), ("bad-entry", 6)} <= lines


def test_sniffing_finds_csv_exports_only() -> None:
    for f in FIXTURES:
        assert sniff_format(f.read_bytes()[:4096]) == "csv", f.name
    assert not csv_statement.sniff(b"name;age\nBob;42\n")
    assert not csv_statement.sniff(b":20:STARTUMS\n:25:12345678/1234567890\n")


def test_a_csv_without_a_statement_header_is_malformed() -> None:
    with pytest.raises(MalformedStatementError, match="no header line"):
        read_statement(b"name;age\nBob;42\n", format="csv")


def test_importing_the_same_export_twice_gives_the_same_fingerprints() -> None:
    first = read_statement(HERE / "de_sparkasse.csv")[0].entries
    again = read_statement((HERE / "de_sparkasse.csv").read_bytes(), format="csv")[0].entries
    assert [e.fingerprint for e in first] == [e.fingerprint for e in again]
    assert len({e.fingerprint for e in first}) == len(first)


# -- mutated files ----------------------------------------------------------------------------

SAMPLES = [f.read_bytes() for f in FIXTURES]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_files(SAMPLES, [b";", b",", b'"', b"\n", b"-", b"\xe9", b"31/02/2026"], min_ops=1))
def test_mutated_files_give_statements_or_a_typed_error(data: bytes) -> None:
    try:
        statements = csv_statement.parse(data, filename="mutated.csv")
    except RapprochementError:
        return
    for s in statements:
        assert Statement.model_validate(s.model_dump()) == s
        for e in s.entries:
            assert e.transactions[0].amount == e.amount


def test_a_bank_s_own_header_names_can_be_taught(monkeypatch: pytest.MonkeyPatch) -> None:
    from rapprochement.errors import ConfigError
    from rapprochement.parsers.csv import values as csv_values

    data = "Jour;Intitulé;Somme\n02/11/2026;VIR RECU FA-1;12,50\n".encode()
    with pytest.raises(MalformedStatementError):
        read_statement(data, format="csv")
    monkeypatch.setattr(csv_values, "ROLES", dict(csv_values.ROLES))  # restored after the test
    csv_values.add_column_names("booking_date", "Jour")
    csv_values.add_column_names("amount", "Somme")
    csv_values.add_column_names("remittance", "Intitulé")
    (stmt,) = read_statement(data, format="csv")
    assert [(str(e.amount), e.transactions[0].remittance_info) for e in stmt.entries] == [
        ("12.50", "VIR RECU FA-1")
    ]
    with pytest.raises(ConfigError, match="unknown CSV column role"):
        csv_values.add_column_names("amoutn", "x")


def test_currency_cells_are_iso_codes_or_a_finding() -> None:
    data = (
        "Date;Libellé;Montant;Devise\n"
        "02/11/2026;A;10,00;eur\n"
        "03/11/2026;B;20,00;€\n"
        "04/11/2026;C;30,00;Dollars\n"
    ).encode()
    (stmt,) = read_statement(data, format="csv")
    assert [e.currency for e in stmt.entries] == ["EUR", "EUR", "EUR"]
    assert [e.transactions[0].currency for e in stmt.entries] == ["EUR", "EUR", "EUR"]
    bad = [(f.code, f.source.line if f.source else None) for f in stmt.findings]
    assert bad == [("bad-currency", 4)]
