"""Money parsing and minor units: exact, never float, never silently rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapprochement.money import (
    CURRENCY_EXPONENTS,
    WITHDRAWN_CURRENCIES,
    currency_exponent,
    from_minor,
    is_currency,
    is_exact,
    is_iso_code,
    parse_amount,
    to_minor,
)


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1234,56", ",", "1234.56"),
        ("1.234,56", ",", "1234.56"),
        ("1,234.56", ".", "1234.56"),
        ("-1 234,5", None, "-1234.5"),
        ("1'234.50", None, "1234.50"),
        ("12", None, "12"),
        ("12,", ",", "12"),
        (",5", None, "0.5"),
        ("0,00001", None, "0.00001"),
        ("1.234.567,89", None, "1234567.89"),
        ("1,234,567", None, "1234567"),
        ("+15.00", None, "15.00"),
    ],
)
def test_parse_amount_reads_bank_notations_exactly(
    text: str, decimal: str | None, expected: str
) -> None:
    assert parse_amount(text, decimal) == Decimal(expected)


@pytest.mark.parametrize("text", ["", " ", "abc", "1,2,3,", "--5", "12a", "1.2.3,4,5"])
def test_parse_amount_rejects_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        parse_amount(text)


def test_currency_exponents_follow_iso_4217() -> None:
    assert currency_exponent("EUR") == 2
    assert currency_exponent("JPY") == 0
    assert currency_exponent("KWD") == 3
    with pytest.raises(ValueError, match="ISO 4217"):
        currency_exponent("eur")


def test_to_minor_refuses_to_round() -> None:
    assert to_minor(Decimal("12.34"), "EUR") == 1234
    assert to_minor(Decimal("-0.5"), "EUR") == -50
    assert to_minor(Decimal("100"), "JPY") == 100
    with pytest.raises(ValueError, match="decimals"):
        to_minor(Decimal("0.001"), "EUR")
    assert not is_exact(Decimal("1.5"), "JPY")
    assert is_exact(Decimal("1.500"), "EUR")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["EUR", "JPY", "KWD"]))
def test_minor_units_round_trip(minor: int, ccy: str) -> None:
    assert to_minor(from_minor(minor, ccy), ccy) == minor


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_parse_amount_round_trips_both_notations(value: Decimal) -> None:
    text = f"{value:.2f}"
    assert parse_amount(text, ".") == value
    assert parse_amount(text.replace(".", ","), ",") == value


@pytest.mark.parametrize("code", ["EUR", "CHF", "JPY", "KWD", "XAU", "XOF", "CLF"])
def test_is_currency_accepts_current_iso_4217_codes(code: str) -> None:
    assert is_currency(code)


@pytest.mark.parametrize("code", ["ABC", "eur", "EURO", "", "XXX", "XTS", "DEM", "HRK", None, 978])
def test_is_currency_refuses_other_codes_no_currency_tests_and_withdrawn(code: object) -> None:
    assert not is_currency(code)


def test_withdrawn_codes_are_iso_codes_a_statement_may_carry_but_not_money() -> None:
    assert all(is_iso_code(c) for c in ("DEM", "FRF", "XXX"))
    assert not is_iso_code("ABC")
    assert not any(is_currency(c) for c in WITHDRAWN_CURRENCIES)


def test_every_listed_exponent_belongs_to_a_current_currency() -> None:
    assert all(is_currency(c) for c in CURRENCY_EXPONENTS)


def test_what_a_payment_pays_for_a_referred_document() -> None:
    from rapprochement.money import paid_for_document

    # the remitted amount when stated, else the amount due less the discount, else nothing
    assert paid_for_document(Decimal("1230.00"), Decimal("1250.00"), Decimal("20.00")) == Decimal(
        "1230.00"
    )
    assert paid_for_document(None, Decimal("1250.00"), Decimal("20.00")) == Decimal("1230.00")
    assert paid_for_document(None, Decimal("1250.00"), None) == Decimal("1250.00")
    assert paid_for_document(None, None, Decimal("20.00")) is None
