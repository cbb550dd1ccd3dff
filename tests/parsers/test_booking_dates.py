"""Every booked entry leaves a parser with a booking date when the file gives any date (issue 18,
item 1: a :61: without its optional entry date blocked every reconcile of the ledger)."""

from __future__ import annotations

import datetime as dt

import pytest

from rapprochement import Entry, Statement, iter_statement, read_statement
from tests.parsers import samples

JAN2 = dt.date(2026, 1, 2)

#: Each format's file with the booking date left out and the value date 2 January 2026.
VALUE_DATE_ONLY = {
    "mt940": samples.mt940(entry_date=""),
    "camt": samples.camt(dates="<ValDt><Dt>2026-01-02</Dt></ValDt>"),
    "ofx": samples.ofx(dates="<DTUSER>20260102"),
    "cfonb": samples.cfonb(date="      "),
    "csv": samples.csv(booking=""),
}
#: Each format's file with no date at all on its entry.
NO_DATE = {
    "mt940": samples.mt940(entry_date="").replace(b":61:260102", b":61:260231"),
    "camt": samples.camt(dates=""),
    "ofx": samples.ofx(dates=""),
    "cfonb": samples.cfonb(date="      ", vdate="      "),
}


def _finding_codes(stmt: Statement) -> list[str]:
    return [f.code for f in stmt.findings]


@pytest.mark.parametrize("fmt", list(VALUE_DATE_ONLY))
def test_the_value_date_stands_in_for_a_missing_booking_date(fmt: str) -> None:
    [stmt] = read_statement(VALUE_DATE_ONLY[fmt])
    [entry] = stmt.entries
    assert entry.status == "booked"
    assert entry.booking_date == entry.value_date == JAN2
    [finding] = [f for f in stmt.findings if f.code == "booking-date-from-value-date"]
    assert finding.severity == "info"
    assert finding.source == entry.source  # the entry's own line or XPath
    assert finding.source is not None
    assert finding.source.line is not None or finding.source.xpath is not None


def test_the_mt940_finding_names_the_line_of_the_61() -> None:
    [stmt] = read_statement(VALUE_DATE_ONLY["mt940"], format="mt940")
    [finding] = stmt.findings
    assert finding.source is not None
    assert finding.source.line == 5
    assert "2026-01-02" in finding.message


def test_the_fingerprint_is_the_one_an_earlier_import_gave() -> None:
    # The fingerprint already used the value date when the booking date was missing: a ledger
    # that imported the file before this change recognises its entries.
    [stmt] = read_statement(VALUE_DATE_ONLY["mt940"])
    [with_entry_date] = read_statement(samples.mt940(entry_date="0102"))
    assert stmt.entries[0].fingerprint == with_entry_date.entries[0].fingerprint


def test_streamed_entries_carry_the_booking_date_too() -> None:
    items = list(iter_statement(VALUE_DATE_ONLY["camt"]))
    entry, stmt = items
    assert isinstance(entry, Entry)
    assert isinstance(stmt, Statement)
    assert entry.booking_date == JAN2
    assert "booking-date-from-value-date" in _finding_codes(stmt)


@pytest.mark.parametrize("fmt", list(NO_DATE))
def test_an_entry_without_any_date_is_kept_with_an_error_finding(fmt: str) -> None:
    [stmt] = read_statement(NO_DATE[fmt])
    [entry] = stmt.entries
    assert entry.status == "booked"  # its amount still counts in the statement's figures
    assert entry.booking_date is None
    assert entry.value_date is None
    [finding] = [f for f in stmt.findings if f.code == "missing-date"]
    assert finding.severity == "error"
    assert finding.source == entry.source


def test_a_csv_line_without_any_date_is_no_entry() -> None:
    [stmt] = read_statement(samples.csv(booking="", value=""))
    assert stmt.entries == ()
    assert _finding_codes(stmt) == ["bad-entry"]


def test_pending_entries_keep_an_empty_booking_date() -> None:
    data = samples.camt(dates="<ValDt><Dt>2026-01-02</Dt></ValDt>").replace(
        b"<Cd>BOOK</Cd>", b"<Cd>PDNG</Cd>"
    )
    [stmt] = read_statement(data)
    assert stmt.entries[0].booking_date is None  # not booked yet: no booking date to give
    assert "booking-date-from-value-date" not in _finding_codes(stmt)
