"""The single entry point: sniffing, sources, typed errors, ZIPs, streaming, fingerprints."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement import (
    Balance,
    Entry,
    SourceRef,
    Statement,
    StatementError,
    Transaction,
    UnknownFormatError,
    read_statement,
    sniff_format,
)
from rapprochement.parsers._common import StatementBegin, collect, stream

MT940 = (
    b":20:STMT1\r\n:25:NL91ABNA0417164300\r\n:28C:1/1\r\n:60F:C260102EUR100,00\r\n"
    b":61:2601020102C50,00NTRFNONREF//B1\r\n:86:/REMI/FA-2026-001/NAME/DUPONT SARL\r\n"
    b":62F:C260102EUR150,00\r\n-"
)


def test_sniff_recognises_each_family() -> None:
    assert sniff_format(b"PK\x03\x04rest") == "zip"
    assert sniff_format(b"\xef\xbb\xbf<?xml version='1.0'?><Document xmlns="
                        b"'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'>") == "camt"  # fmt: skip
    assert sniff_format(b"OFXHEADER:100\r\nDATA:OFXSGML\r\n") == "ofx"
    assert sniff_format(MT940) == "mt940"
    assert sniff_format(b"hello world") is None


def test_unknown_bytes_give_a_typed_error_naming_the_file(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_bytes(b"just some text\n")
    with pytest.raises(UnknownFormatError, match=r"notes\.txt") as info:
        read_statement(p)
    assert info.value.hint


def test_empty_file_and_missing_file_are_typed_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sta"
    empty.write_bytes(b"")
    with pytest.raises(UnknownFormatError, match="empty"):
        read_statement(empty)
    with pytest.raises(StatementError, match="not found"):
        read_statement(tmp_path / "nope.xml")


def test_unknown_format_name_is_refused() -> None:
    with pytest.raises(UnknownFormatError, match="unknown format"):
        read_statement(MT940, format="qif")


def test_same_result_from_path_bytes_and_stream(tmp_path: Path) -> None:
    p = tmp_path / "a.sta"
    p.write_bytes(MT940)
    from_path = read_statement(p)
    from_bytes = read_statement(MT940)
    from_stream = read_statement(io.BytesIO(MT940))
    assert len(from_path) == 1
    assert (
        [e.fingerprint for e in from_path[0].entries]
        == [e.fingerprint for e in from_bytes[0].entries]
        == [e.fingerprint for e in from_stream[0].entries]
    )
    assert from_path[0].closing_balance is not None
    assert from_path[0].closing_balance.amount == Decimal("150.00")


def test_zip_members_are_read_with_their_names(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("b/second.sta", MT940.replace(b"STMT1", b"STMT2"))
        z.writestr("a/first.sta", MT940)
        z.writestr("readme.txt", b"not a statement")
    p = tmp_path / "bundle.zip"
    p.write_bytes(buf.getvalue())
    stmts = read_statement(p)
    assert [s.source.member for s in stmts] == ["a/first.sta", "b/second.sta"]
    assert [s.statement_id for s in stmts] == ["STMT1", "STMT2"]


def test_zip_without_statement_and_broken_zip_are_typed_errors(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", b"nothing here")
    with pytest.raises(UnknownFormatError, match="no statement"):
        read_statement(buf.getvalue())
    with pytest.raises(StatementError, match="ZIP"):
        read_statement(b"PK\x03\x04garbage")


# -- fingerprints and the balance check, on a synthetic event stream --------------------------


def _entry(amount: str, text: str, day: int = 2) -> Entry:
    return Entry(
        amount=Decimal(amount),
        currency="EUR",
        booking_date=dt.date(2026, 1, day),
        transactions=(Transaction(amount=Decimal(amount), currency="EUR", remittance_info=text),),
        source=SourceRef(file="s"),
    )


def _events(entries: list[Entry], closing: str = "100") -> list[object]:
    stmt = Statement(
        source_format="mt940",
        source=SourceRef(file="s"),
        opening_balance=Balance(amount=Decimal(0)),
        closing_balance=Balance(amount=Decimal(closing)),
    )
    return [StatementBegin(0, "FR7630006000011234567890189"), *entries, stmt]


def test_identical_lines_get_distinct_fingerprints_and_reimport_gets_the_same() -> None:
    entries = [_entry("50", "LOYER"), _entry("50", "LOYER"), _entry("-10", "FRAIS")]
    first = collect(_events(entries, closing="90"))[0]  # type: ignore[arg-type]
    again = collect(_events(entries, closing="90"))[0]  # type: ignore[arg-type]
    fps = [e.fingerprint for e in first.entries]
    assert len(set(fps)) == 3
    assert fps == [e.fingerprint for e in again.entries]
    assert first.findings == ()


def test_fingerprint_ignores_whitespace_and_case_of_remittance() -> None:
    a = collect(_events([_entry("5", "FA 2026  001")], "5"))[0]  # type: ignore[arg-type]
    b = collect(_events([_entry("5", "fa 2026 001")], "5"))[0]  # type: ignore[arg-type]
    assert a.entries[0].fingerprint == b.entries[0].fingerprint


def test_balance_mismatch_is_a_finding_not_a_fix() -> None:
    s = collect(_events([_entry("50", "X")], closing="60"))[0]  # type: ignore[arg-type]
    assert s.closing_balance is not None
    assert s.closing_balance.amount == Decimal(60)
    assert [f.code for f in s.findings] == ["balance-mismatch"]
    assert "difference 10" in s.findings[0].message


def test_stream_yields_entries_before_their_statement() -> None:
    items = list(stream(_events([_entry("50", "X"), _entry("50", "Y")])))  # type: ignore[arg-type]
    assert [type(i).__name__ for i in items] == ["Entry", "Entry", "Statement"]
    stmt = items[-1]
    assert isinstance(stmt, Statement)
    assert stmt.entries == ()
    assert stmt.findings == ()
