"""The normalized model: frozen, closed, Decimal money that survives round trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rapprochement import Balance, Entry, Invoice, SourceRef, Statement, Transaction
from rapprochement.errors import (
    AmountError,
    CurrencyError,
    DateError,
    InputError,
    RapprochementError,
)


def _entry(amount: str, status: str = "booked") -> Entry:
    tx = Transaction(amount=Decimal(amount), currency="EUR", remittance_info="FA-1")
    return Entry(
        amount=Decimal(amount),
        currency="EUR",
        booking_date=dt.date(2026, 1, 2),
        status=status,  # type: ignore[arg-type]
        transactions=(tx,),
        source=SourceRef(file="x.xml", xpath="Stmt[1]/Ntry[1]"),
    )


def _stmt(*entries: Entry, opening: str = "100", closing: str = "150") -> Statement:
    return Statement(
        source_format="camt.053",
        source=SourceRef(file="x.xml"),
        opening_balance=Balance(amount=Decimal(opening)),
        closing_balance=Balance(amount=Decimal(closing)),
        entries=entries,
    )


def test_models_are_frozen_and_closed() -> None:
    e = _entry("1.00")
    with pytest.raises(ValidationError):  # assigning is a programming error, not bad data
        e.amount = Decimal(2)  # type: ignore[misc]
    with pytest.raises(InputError, match="surprise"):
        Transaction(amount=Decimal(1), currency="EUR", surprise="x")  # type: ignore[call-arg]


def _invoice(**over: object) -> Invoice:
    fields: dict[str, object] = {
        "invoice_id": "FA-1",
        "customer_id": "C1",
        "customer_name": "Acme",
        "amount": "100.00",
        "currency": "EUR",
        "issue_date": "2026-02-01",
    }
    return Invoice.model_validate({**fields, **over})


@pytest.mark.parametrize("code", ["ABC", "eur", "XXX", "XTS", "DEM", "EURO", ""])
def test_an_invoice_currency_is_an_iso_4217_code_usable_for_money(code: str) -> None:
    with pytest.raises(CurrencyError, match="currency") as e:
        _invoice(currency=code)
    assert isinstance(e.value, RapprochementError)
    assert e.value.location == "field currency"


def test_statement_models_take_any_iso_4217_code_and_xxx_but_not_others() -> None:
    for code in ("EUR", "XXX", "DEM", "XAU"):  # XXX: the file states none; DEM: an old file
        assert Transaction(amount=Decimal(1), currency=code).currency == code
    assert Statement(currency="DEM", source_format="mt940", source=SourceRef()).currency == "DEM"
    with pytest.raises(CurrencyError):
        Transaction(amount=Decimal(1), currency="ABC")
    with pytest.raises(CurrencyError):
        Transaction(amount=Decimal(1), currency="EUR", instructed_currency="ABC")
    with pytest.raises(CurrencyError):
        Statement(currency="ABC", source_format="mt940", source=SourceRef())


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("amount", "abc", AmountError),
        ("open_amount", "NaN", AmountError),
        ("issue_date", "2026-13-01", DateError),
        ("due_date", "soon", DateError),
        ("customer_id", None, InputError),
    ],
)
def test_bad_model_values_raise_a_typed_error_naming_the_field(
    field: str, value: object, error: type[InputError]
) -> None:
    with pytest.raises(error) as e:
        _invoice(**{field: value})
    assert type(e.value) is error
    assert e.value.location == f"field {field}"
    assert e.value.file == "Invoice"
    assert isinstance(e.value.__cause__, ValidationError)  # pydantic's detail kept


def test_nested_model_errors_name_the_path() -> None:
    with pytest.raises(CurrencyError) as e:
        Statement.model_validate(
            {
                "source_format": "mt940",
                "source": {},
                "entries": [
                    {
                        "amount": "1",
                        "currency": "EUR",
                        "source": {},
                        "transactions": [{"amount": "1", "currency": "QQQ"}],
                    }
                ],
            }
        )
    assert e.value.location == "field entries[0].transactions[0].currency"
    assert e.value.file == "Statement"


def test_malformed_json_is_a_typed_error() -> None:
    with pytest.raises(InputError, match="JSON"):
        Invoice.model_validate_json("{not json")
    with pytest.raises(DateError):
        Invoice.model_validate_json(_invoice().model_dump_json().replace("2026-02-01", "x"))


def test_balance_check_counts_booked_entries_only() -> None:
    st_ = _stmt(_entry("70"), _entry("-20"), _entry("999", status="pending"))
    assert st_.total_credits == Decimal(70)
    assert st_.total_debits == Decimal(20)
    assert st_.reconciles() is True
    assert _stmt(_entry("70"), closing="151").balance_difference() == Decimal(-19)


def test_statement_without_balances_has_nothing_to_check() -> None:
    s = Statement(source_format="ofx", source=SourceRef(file="a.ofx"))
    assert s.reconciles() is None


def test_source_ref_describes_location() -> None:
    assert SourceRef(file="a.sta", line=12).describe() == "a.sta line 12"
    assert SourceRef(file="a.zip", member="b.xml", xpath="Stmt[1]").describe() == (
        "a.zip (b.xml) Stmt[1]"
    )


@given(st.decimals(allow_nan=False, allow_infinity=False, places=5, min_value=-(10**12),
                   max_value=10**12))  # fmt: skip
def test_decimal_amounts_survive_json_round_trip(value: Decimal) -> None:
    e = _entry("0").model_copy(update={"amount": value})
    back = Entry.model_validate_json(e.model_dump_json())
    assert back.amount == value
    assert back == e


def test_a_balance_equals_the_same_balance_read_from_a_statement() -> None:
    """str() shows the statement's currency; equality and hash look at the fields only."""
    from decimal import Decimal

    from rapprochement import Balance, read_statement
    from tests.parsers import samples

    [stmt] = read_statement(samples.camt(opening="10.00", closing="10.00"))
    read = stmt.opening_balance
    assert read is not None
    same = Balance(amount=read.amount, date=read.date, type=read.type)
    assert same == read
    assert read == same
    assert hash(same) == hash(read)
    assert read != Balance(amount=read.amount + Decimal("0.01"), date=read.date, type=read.type)
