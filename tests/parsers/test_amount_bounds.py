"""Amounts beyond MAX_ABS_MINOR minor units never leave a parser (issue 18, item 4: 2^63 minor
units parsed with no finding, then overflowed the ledger import and reconcile)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement import Statement, read_statement
from rapprochement.money import MAX_ABS_MINOR
from rapprochement.parsers._common.checks import largest_amount
from tests.parsers import samples

BIG = "92233720368547758.08"  # 2^63 cents

#: Each format's file whose one entry has an amount beyond the bound (the balances are fine).
HUGE_ENTRY = {
    # (an MT940 amount has at most 15 characters: 10^14 EUR is beyond the bound already)
    "mt940": samples.mt940(amount="99999999999999,", closing="100,00"),
    "camt": samples.camt(amount=BIG, closing="100.00"),
    "ofx": samples.ofx(amount=BIG),
    # 13 digits and a sign, no decimals: 99 999 999 999 999 EUR
    "cfonb": samples.cfonb(
        decimals="0",
        amount="9999999999999I",
        opening="0000000000100{",
        closing="0000000000100{",
    ),
    "csv": samples.csv(amount=BIG.replace(".", ","), balance=""),
}
#: Each format's file whose closing balance is beyond the bound (its entry is fine).
HUGE_BALANCE = {
    "mt940": samples.mt940(closing="99999999999999,"),
    "camt": samples.camt(closing=BIG),
    "ofx": samples.ofx(balance=BIG),
    "cfonb": samples.cfonb(
        decimals="0", amount="0000000000005{", opening="0000000000010{", closing="9999999999999I"
    ),
    "csv": samples.csv(balance=BIG.replace(".", ",")),
}


def _codes(stmt: Statement) -> list[str]:
    return [f.code for f in stmt.findings]


@pytest.mark.parametrize("fmt", list(HUGE_ENTRY))
def test_an_entry_beyond_the_bound_is_dropped_with_an_error_finding(fmt: str) -> None:
    [stmt] = read_statement(HUGE_ENTRY[fmt])
    assert stmt.entries == ()
    [finding] = [f for f in stmt.findings if f.code == "amount-too-large"]
    assert finding.severity == "error"
    assert finding.source is not None
    assert finding.source.line is not None or finding.source.xpath is not None
    assert "entry dropped" in finding.message


@pytest.mark.parametrize("fmt", list(HUGE_BALANCE))
def test_a_balance_beyond_the_bound_is_ignored_with_an_error_finding(fmt: str) -> None:
    [stmt] = read_statement(HUGE_BALANCE[fmt])
    assert stmt.closing_balance is None
    assert len(stmt.entries) == 1
    assert "amount-too-large" in _codes(stmt)
    assert "balance-mismatch" not in _codes(stmt)  # nothing is checked against it


def test_detail_amounts_and_charges_beyond_the_bound_drop_their_entry() -> None:
    for data in (
        samples.camt(detail_amount=BIG, closing="100.00"),
        samples.camt(charges=BIG, closing="100.00"),
    ):
        [stmt] = read_statement(data)
        assert stmt.entries == ()
        assert "amount-too-large" in _codes(stmt)


def test_the_largest_amount_itself_is_kept_in_every_exponent() -> None:
    largest = "9999999999999.99"
    [stmt] = read_statement(samples.camt(amount=largest, opening="0.00", closing=largest))
    assert [e.amount for e in stmt.entries] == [Decimal(largest)]
    assert _codes(stmt) == []
    # JPY has no minor unit: the bound is 10^15 - 1 yen
    yen = samples.camt(currency="JPY", amount="999999999999999", opening="0", closing="0")
    [stmt] = read_statement(yen)
    assert len(stmt.entries) == 1
    [stmt] = read_statement(yen.replace(b">999999999999999<", b">1000000000000000<"))
    assert stmt.entries == ()


@settings(max_examples=60, deadline=None)
@given(cents=st.integers(-(2**70), 2**70))
def test_no_amount_beyond_the_bound_reaches_a_model(cents: int) -> None:
    text = f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    [stmt] = read_statement(samples.ofx(amount=text, balance=text))
    limit = Decimal(MAX_ABS_MINOR).scaleb(-2)
    assert largest_amount("EUR") == limit
    for entry in stmt.entries:
        assert abs(entry.amount) <= limit
    if stmt.closing_balance is not None:
        assert abs(stmt.closing_balance.amount) <= limit
    assert (abs(cents) > MAX_ABS_MINOR) == ("amount-too-large" in _codes(stmt))
