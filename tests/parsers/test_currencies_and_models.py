"""Currencies are ISO 4217 codes in every parser, and a model that refuses a value never lets a
pydantic ValidationError out of a parser (issue 18, item 11: ABC and XXX passed as currencies,
model errors leaked outside RapprochementError)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import ModuleType

import pytest
from pydantic import field_validator

from rapprochement import Balance, Entry, MalformedStatementError, Statement, read_statement
from rapprochement.parsers._common import values as _values
from rapprochement.parsers._common.values import usable_currency
from rapprochement.parsers.cfonb import reader as cfonb
from rapprochement.parsers.csv import reader as csv_statement
from rapprochement.parsers.mt940 import statement as mt940_statement
from rapprochement.parsers.ofx import statement as ofx_statement
from tests.parsers import samples

#: Each format's file written in the currency ``ABC`` (three capitals, not ISO 4217).
ABC = {
    "mt940": samples.mt940(currency="ABC"),
    "camt": samples.camt(currency="ABC"),
    "ofx": samples.ofx(currency="ABC"),
    "cfonb": samples.cfonb(currency="ABC"),
    "csv": samples.csv(currency="ABC"),
}


def _codes(stmt: Statement) -> list[str]:
    return [f.code for f in stmt.findings]


def _currencies(stmt: Statement) -> set[str | None]:
    found: set[str | None] = {stmt.currency}
    for entry in stmt.entries:
        found.add(entry.currency)
        for tx in entry.transactions:
            found.update((tx.currency, tx.instructed_currency))
    return found


def test_iso_4217_codes_are_usable_and_xxx_is_not() -> None:
    assert usable_currency("EUR")
    assert usable_currency("JPY")
    assert not usable_currency("ABC")
    assert not usable_currency("XXX")  # ISO's "no currency"
    assert not usable_currency("eur")
    assert not usable_currency(None)


@pytest.mark.parametrize("fmt", list(ABC))
def test_a_currency_that_is_not_iso_4217_is_a_bad_currency_finding(fmt: str) -> None:
    [stmt] = read_statement(ABC[fmt])
    [first, *_] = [f for f in stmt.findings if f.code == "bad-currency"]
    assert "ABC" in first.message
    assert first.source is not None
    assert first.source.line is not None or first.source.xpath is not None
    # no model carries ABC: the statement's currency is unknown, an entry's is XXX (or the
    # file's, for CSV, which reads amounts as EUR when it knows no currency)
    assert "ABC" not in _currencies(stmt)
    assert stmt.currency is None or usable_currency(stmt.currency)


def test_xxx_in_a_file_is_no_currency() -> None:
    [stmt] = read_statement(samples.mt940(currency="XXX"))
    assert "bad-currency" in _codes(stmt)
    assert stmt.currency is None


def test_an_ofx_transaction_currency_that_is_not_iso_4217_is_ignored_with_a_finding() -> None:
    data = samples.ofx(extra="<CURRENCY><CURRATE>1.1<CURSYM>ABC</CURRENCY>")
    [stmt] = read_statement(data)
    assert "bad-currency" in _codes(stmt)
    assert stmt.entries[0].currency == "EUR"
    assert stmt.entries[0].transactions[0].exchange_rate is None


def test_a_camt_detail_in_a_bad_currency_is_read_in_the_entry_currency() -> None:
    data = samples.camt(detail_amount="50.00").replace(
        b'<TxDtls><Amt Ccy="EUR">', b'<TxDtls><Amt Ccy="ABC">'
    )
    [stmt] = read_statement(data)
    assert stmt.entries[0].transactions[0].currency == "EUR"
    assert "bad-currency" in _codes(stmt)


def test_a_cfonb_foreign_amount_in_a_bad_currency_keeps_its_amount_without_currency() -> None:
    lines = samples.cfonb().split(b"\r\n")
    mmo = lines[1][:45].replace(b"04", b"05", 1) + b"MMO" + b"ABC2000000000012345".ljust(70)
    [stmt] = read_statement(b"\r\n".join([*lines[:2], mmo + b"  ", *lines[2:]]))
    tx = stmt.entries[0].transactions[0]
    assert (tx.instructed_amount, tx.instructed_currency) == (Decimal("12.34"), None)
    [finding] = stmt.findings
    assert finding.code == "bad-currency"
    assert finding.source is not None
    assert finding.source.line == 2


# -- a stricter model: its ValidationError becomes a finding or a typed error -----------------


class _SmallEntry(Entry):
    """An entry model that refuses amounts above 100 (as a stricter model might refuse some)."""

    @field_validator("amount")
    @classmethod
    def _small(cls, value: Decimal) -> Decimal:
        if abs(value) > 100:
            raise ValueError("beyond this test's bound")
        return value


class _SmallBalance(Balance):
    """A balance model that refuses amounts above 120."""

    @field_validator("amount")
    @classmethod
    def _small(cls, value: Decimal) -> Decimal:
        if abs(value) > 120:
            raise ValueError("beyond this test's bound")
        return value


class _NoEuroStatement(Statement):
    """A statement model that refuses EUR."""

    @field_validator("currency")
    @classmethod
    def _no_euro(cls, value: str | None) -> str | None:
        if value == "EUR":
            raise ValueError("no euro in this test")
        return value


ENTRY_MODULES: dict[str, tuple[ModuleType, bytes]] = {
    "cfonb": (cfonb, samples.cfonb(amount="0000000020000{", closing="0000000030000{")),
    "csv": (csv_statement, samples.csv(amount="200,00", balance="300,00")),
}


@pytest.mark.parametrize("fmt", list(ENTRY_MODULES))
def test_an_entry_the_model_refuses_is_skipped_with_a_finding_at_its_line(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, data = ENTRY_MODULES[fmt]
    monkeypatch.setattr(module, "Entry", _SmallEntry)
    [stmt] = read_statement(data)
    assert stmt.entries == ()
    [finding] = [f for f in stmt.findings if f.code == "bad-entry"]
    assert finding.severity == "error"
    assert "beyond this test's bound" in finding.message
    assert finding.source is not None
    assert finding.source.line == 2


BALANCE_MODULES: dict[str, tuple[ModuleType, bytes, str]] = {
    "mt940": (mt940_statement, samples.mt940(), "bad-field"),
    "ofx": (ofx_statement, samples.ofx(), "bad-balance"),
    "cfonb": (cfonb, samples.cfonb(closing="0000000015000{"), "bad-balance"),
    "csv": (csv_statement, samples.csv(), "bad-balance"),
}


@pytest.mark.parametrize("fmt", list(BALANCE_MODULES))
def test_a_balance_the_model_refuses_is_left_out_with_a_finding(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, data, code = BALANCE_MODULES[fmt]
    monkeypatch.setattr(module, "Balance", _SmallBalance)
    [stmt] = read_statement(data)  # each closing balance is 150: refused
    assert stmt.closing_balance is None
    assert code in _codes(stmt)
    assert len(stmt.entries) == 1


@pytest.mark.parametrize("fmt", ["mt940", "ofx", "cfonb", "csv"])
def test_a_statement_the_model_refuses_is_a_typed_error_naming_its_place(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in (_values, mt940_statement, ofx_statement, cfonb, csv_statement):
        monkeypatch.setattr(module, "Statement", _NoEuroStatement, raising=False)
    data = {
        "mt940": samples.mt940(),
        "ofx": samples.ofx(),
        "cfonb": samples.cfonb(),
        "csv": samples.csv(),
    }[fmt]
    with pytest.raises(MalformedStatementError, match="no euro in this test") as info:
        read_statement(data, format=fmt)
    assert info.value.location is not None
    assert "line" in info.value.location
    assert info.value.hint


def test_findings_built_from_model_errors_keep_the_rest_of_the_statement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_statement, "Entry", _SmallEntry)
    data = samples.csv(amount="50,00", balance="") + b"03/01/2026;;second;500,00;EUR;\r\n"
    [stmt] = read_statement(data)
    assert [e.amount for e in stmt.entries] == [Decimal(50)]
    assert stmt.entries[0].booking_date == dt.date(2026, 1, 2)
    assert "bad-entry" in _codes(stmt)
