"""Amount text is read exactly or refused with its place, never read as another number (issue 18,
item 11: the MT940 reader took ``C1e3`` and ``C1 000,00`` for 1; ``Decimal()`` accepts ``1e3``,
``NaN``, ``Infinity``, ``1_000`` and non-ASCII digits)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapprochement import Statement, read_statement
from rapprochement.parsers._common.values import plain_decimal
from tests.parsers import samples


def _codes(stmt: Statement) -> list[str]:
    return [f.code for f in stmt.findings]


@pytest.mark.parametrize(
    "amount",
    [
        "1e3",  # read as 1 before (the rest went into the references)
        "1E3",  # read as 1 with transaction type "E3NT"
        "1 000,00",  # read as 1
        "1_000,00",
        "1,000,00",
        "1000000000000000,",  # 16 characters: the SWIFT field has 15
    ],
)
def test_an_mt940_entry_amount_that_is_not_the_swift_one_is_a_finding(amount: str) -> None:
    data = samples.mt940(amount=amount, closing="100,00")
    [stmt] = read_statement(data)
    assert stmt.entries == ()
    [finding] = stmt.findings
    assert finding.code == "bad-entry"
    assert finding.severity == "error"
    assert finding.source is not None
    assert finding.source.line == 5  # the :61: line
    assert amount.split(",")[0].replace(" ", "")[:2] in finding.message.replace(" ", "")


@pytest.mark.parametrize("amount", ["50,00", "50,", "0000000050,00", "50.00", "000000000050.00"])
def test_swift_amounts_and_the_dot_decimals_some_banks_write_are_read_exactly(amount: str) -> None:
    [stmt] = read_statement(samples.mt940(amount=amount))
    assert [e.amount for e in stmt.entries] == [Decimal(50)]
    assert _codes(stmt) == []


def test_a_type_after_blanks_and_references_right_after_the_amount_are_still_read() -> None:
    for amount in ("50,00 ", "50,00"):
        data = samples.mt940(amount=amount).replace(b"NTRFNONREF//B1", b"NTRF NONREF//B1")
        [stmt] = read_statement(data)
        assert [e.amount for e in stmt.entries] == [Decimal(50)]
    [stmt] = read_statement(samples.mt940().replace(b"50,00NTRFNONREF//B1", b"50,00//B1"))
    assert stmt.entries[0].bank_reference == "B1"


@pytest.mark.parametrize("amount", ["1e3", "1 000,00", "1,000,00", "NaN"])
def test_an_mt940_balance_amount_that_is_not_the_swift_one_is_a_finding(amount: str) -> None:
    [stmt] = read_statement(samples.mt940(opening=amount))
    assert stmt.opening_balance is None
    assert "bad-field" in _codes(stmt)


def test_mt942_totals_with_an_exponent_are_a_finding() -> None:
    data = samples.mt940().replace(b":62F:", b":90C:1EUR5e1\r\n:62F:")
    [stmt] = read_statement(data)
    assert "bad-field" in _codes(stmt)
    assert "totals-mismatch" not in _codes(stmt)  # 5e1 was read as 5 and compared before


JUNK = ["1e3", "NaN", "Infinity", "1_000", "\u0661\u0662\u0663"]  # the last: Arabic-Indic 123


@pytest.mark.parametrize("junk", JUNK)
def test_no_format_reads_decimal_only_notations(junk: str) -> None:
    cases = {
        "ofx": (samples.ofx(amount=junk), "bad-amount"),
        "camt": (samples.camt(amount=junk, closing="100.00"), "bad-amount"),
        "csv": (samples.csv(amount=junk, balance=""), "bad-entry"),
        "cfonb": (samples.cfonb(amount=junk.rjust(13, "0")[:13] + "{"), "bad-entry"),
    }
    for fmt, (data, code) in cases.items():
        [stmt] = read_statement(data)
        assert all(e.status != "booked" for e in stmt.entries), fmt
        assert code in _codes(stmt), fmt


@given(st.text(alphabet="0123456789.-+_eEnNaIif \u0661\u00b2,", max_size=12))
def test_plain_decimal_reads_only_ascii_digits_and_one_point(text: str) -> None:
    got = plain_decimal(text)
    body = text[1:] if text.startswith("-") else text
    plain = (
        body != ""
        and body != "."
        and body.count(".") <= 1
        and all(c in "0123456789." for c in body)
    )
    assert (got is not None) == plain
    if got is not None:
        assert got == Decimal(text)
        assert got.is_finite()
