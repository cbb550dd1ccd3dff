"""The normalized model: frozen, closed, Decimal money that survives round trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rapprochement import Balance, Entry, SourceRef, Statement, Transaction


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
    with pytest.raises(ValidationError):
        e.amount = Decimal(2)  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Transaction(amount=Decimal(1), currency="EUR", surprise="x")  # type: ignore[call-arg]


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
