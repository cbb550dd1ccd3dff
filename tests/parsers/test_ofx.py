"""OFX parser: golden fixtures, field mapping, findings, bad input and mutated corpus files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapprochement import (
    MalformedStatementError,
    RapprochementError,
    Statement,
    UnknownFormatError,
    read_statement,
)
from rapprochement.parsers import sniff_format
from rapprochement.parsers.ofx import reader as ofx
from rapprochement.parsers.ofx.text import decode, parse_amount_text, parse_datetime
from tests.conftest import FIXTURES, corpus_dir
from tests.golden import assert_golden

OFX_FIXTURES = FIXTURES / "ofx"
FIXTURE_FILES = sorted(OFX_FIXTURES.glob("*.ofx"))


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[f.name for f in FIXTURE_FILES])
def test_fixture_matches_its_golden_file(fixture: Path) -> None:
    assert_golden(fixture)


def test_fixtures_cover_the_dialects() -> None:
    names = {f.name for f in FIXTURE_FILES}
    assert {
        "sgml_unclosed.ofx",
        "sgml_closed_no_header.ofx",
        "xml_v2.ofx",
        "creditcard.ofx",
        "comma_decimals.ofx",
        "latin1.ofx",
        "two_statements.ofx",
    } <= names


def _one(name: str) -> Statement:
    (stmt,) = read_statement(OFX_FIXTURES / name)
    return stmt


def test_sgml_without_closing_tags_maps_every_field() -> None:
    s = _one("sgml_unclosed.ofx")
    assert s.account_iban == "FR7630004001230001234567843"
    assert s.account_number is None
    assert s.currency == "EUR"
    assert s.opening_balance is None
    assert s.closing_balance is not None
    assert s.closing_balance.amount == Decimal("2655.60")
    assert s.closing_balance.date == dt.date(2026, 3, 14)
    assert s.available_balance is not None
    assert s.available_balance.amount == Decimal("2600.00")
    assert (s.period_start, s.period_end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 14))
    assert s.created_at == dt.datetime(
        2026, 3, 15, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    assert s.source_version == "OFX 102"
    first, check, fee = s.entries
    assert first.amount == Decimal("1250.00")
    assert first.booking_date == dt.date(2026, 3, 2)
    assert first.value_date == dt.date(2026, 3, 1)
    assert first.bank_reference == "2026030200001"
    assert first.bank_transaction_code == "CREDIT"
    tx = first.transactions[0]
    assert tx.counterparty_name == "DUPONT & FILS SARL"
    assert tx.counterparty_iban == "FR1420041010050500013M02606"
    assert tx.counterparty_bic == "BNPAFRPP"
    assert tx.remittance_info == "VIR SEPA FACTURE FA-2026-00123"
    assert check.customer_reference == "0001234"
    assert fee.value_date == dt.date(2026, 3, 11)
    assert fee.transactions[0].remittance_info == "COTISATION <PRO> MARS"
    assert first.source.line == 40
    assert s.findings == ()


def test_latin1_names_are_not_garbled() -> None:
    s = _one("latin1.ofx")
    names = [e.transactions[0].counterparty_name for e in s.entries]
    assert names == ["Société Générale Côté Jardin", "Crédit Agricole"]
    assert s.entries[1].transactions[0].remittance_info == "Frais « carte » été"


def test_utf8_bytes_win_over_a_1252_header() -> None:
    data = (OFX_FIXTURES / "latin1.ofx").read_bytes().decode("latin-1").encode("utf-8")
    (s,) = ofx.parse(data)
    assert s.entries[0].transactions[0].counterparty_name == "Société Générale Côté Jardin"
    assert [f.code for f in s.findings] == ["encoding"]


def test_comma_decimals() -> None:
    s = _one("comma_decimals.ofx")
    assert [e.amount for e in s.entries] == [
        Decimal("1234.56"),
        Decimal("-250.00"),
        Decimal("-0.5"),
    ]
    assert s.closing_balance is not None
    assert s.closing_balance.amount == Decimal("3984.06")


def test_credit_card_statement_with_payee_and_foreign_currency() -> None:
    s = _one("creditcard.ofx")
    assert s.account_number == "4929000000006"
    charge = s.entries[0]
    assert charge.amount == Decimal("-45.00")
    assert charge.currency == "EUR"  # <CURRENCY>: TRNAMT is in CURSYM
    tx = charge.transactions[0]
    assert tx.counterparty_name == "HOTEL DU LAC"
    assert tx.instructed_currency == "EUR"
    assert tx.exchange_rate == Decimal("0.8500")
    assert tx.extra["CITY"] == "ANNECY"
    assert s.entries[1].currency == "GBP"


def test_xml_comments_are_not_data_and_origcurrency_keeps_the_amount() -> None:
    s = _one("xml_v2.ofx")
    assert len(s.entries) == 2
    assert s.account_iban == "DE89370400440532013000"
    tx = s.entries[0].transactions[0]
    assert s.entries[0].currency == "EUR"
    assert (tx.instructed_currency, tx.exchange_rate) == ("USD", Decimal("0.9210"))
    assert tx.counterparty_name == "Müller Büroservice GmbH"
    assert tx.remittance_info == "Rechnung 4711 \u2013 Februar"


def test_bad_entries_become_findings_and_the_rest_parses() -> None:
    first, second = read_statement(OFX_FIXTURES / "two_statements.ofx")
    assert [s.account_number for s in (first, second)] == ["1000-1", "1000-2"]
    assert len(first.entries) == 3
    bad_date, bad_amount = first.entries[1], first.entries[2]
    assert bad_date.booking_date is None
    assert bad_amount.status == "info"
    assert bad_amount.amount == 0
    assert bad_amount.transactions[0].extra["TRNAMT"] == "$40"
    codes = {(f.code, f.severity, f.source.line if f.source else None) for f in first.findings}
    assert ("bad-date", "warning", 22) in codes
    assert ("bad-amount", "error", 23) in codes
    assert first.total_debits == Decimal("25.00")
    assert second.findings == ()


def test_strict_mode_turns_the_findings_into_an_error() -> None:
    with pytest.raises(RapprochementError, match="finding"):
        read_statement(OFX_FIXTURES / "two_statements.ofx", strict=True)


_SIGNON_ONLY = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102

<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>15500<SEVERITY>ERROR
<MESSAGE>Invalid user</STATUS><DTSERVER>20260101<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1></OFX>
"""


def test_signon_only_or_error_response_gives_no_statement() -> None:
    assert read_statement(_SIGNON_ONLY) == []


def test_not_ofx_is_an_unknown_format() -> None:
    assert not ofx.sniff(b"this is totally not an ofx file")
    with pytest.raises(UnknownFormatError):
        read_statement(b"this is totally not an ofx file\n", format=None)


def test_sniff_recognises_the_three_shapes() -> None:
    assert sniff_format(b"OFXHEADER:100\r\nDATA:OFXSGML\r\n") == "ofx"
    assert sniff_format(b'<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="211"?>') == "ofx"
    assert sniff_format(b"<OFX>\n<SIGNONMSGSRSV1>") == "ofx"


def test_header_without_any_tag_is_malformed() -> None:
    with pytest.raises(MalformedStatementError) as info:
        read_statement(b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n", format="ofx")
    assert "line" in str(info.value)
    assert info.value.hint


def test_truncated_file_keeps_what_was_read_with_a_finding() -> None:
    data = (OFX_FIXTURES / "sgml_unclosed.ofx").read_bytes()
    cut = data[: data.index(b"<STMTTRN>", data.index(b"<STMTTRN>") + 1)]
    (s,) = ofx.parse(cut)
    assert len(s.entries) == 1
    assert "unterminated-statement" in [f.code for f in s.findings]


def test_no_entity_is_expanded_from_a_doctype() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE OFX [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<?OFX OFXHEADER="200" VERSION="211"?>
<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR</CURDEF>
<BANKACCTFROM><ACCTID>1</ACCTID></BANKACCTFROM><BANKTRANLIST>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20260101</DTPOSTED><TRNAMT>-1</TRNAMT>
<NAME>&b;</NAME></STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"""
    (s,) = read_statement(bomb)
    assert s.entries[0].transactions[0].counterparty_name == "&b;"


def test_large_file_without_closing_stmttrn_tags_reads_every_entry() -> None:
    head = b"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>9"
    head += b"</BANKACCTFROM><BANKTRANLIST>\n"
    rows = b"".join(
        b"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260102<TRNAMT>-1.%02d<FITID>%d\n" % (i % 100, i)
        for i in range(3000)
    )
    tail = b"</BANKTRANLIST><LEDGERBAL><BALAMT>0<DTASOF>20260131</LEDGERBAL></STMTRS></OFX>"
    (s,) = read_statement(head + rows + tail)
    assert len(s.entries) == 3000
    assert s.total_debits == sum((Decimal(f"1.{i % 100:02d}") for i in range(3000)), Decimal(0))
    assert len({e.fingerprint for e in s.entries}) == 3000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-34.51", Decimal("-34.51")),
        ("+120", Decimal("120")),
        (".5", Decimal("0.5")),
        ("-250,00", Decimal("-250.00")),
        ("1.234,56", Decimal("1234.56")),
    ],
)
def test_amounts(text: str, expected: Decimal) -> None:
    assert parse_amount_text(text) == expected


@pytest.mark.parametrize("text", ["", "$120", "1e5", "NaN", "Infinity", "12-3"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount_text(text)


def test_datetime_zones() -> None:
    assert parse_datetime("20090523122017.000[-5:EST]") == dt.datetime(
        2009, 5, 23, 12, 20, 17, tzinfo=dt.timezone(dt.timedelta(hours=-5))
    )
    assert parse_datetime("20260101").tzinfo == dt.UTC
    assert parse_datetime("20260101120000[+5.30:IST]").utcoffset() == dt.timedelta(minutes=330)


def test_decode_never_fails_on_arbitrary_bytes() -> None:
    assert decode(b"<OFX>\x81\x8d\xff\xfe</OFX>").text.startswith("<OFX>")


def _corpus_ofx_files() -> list[Path]:
    root = corpus_dir()
    files = sorted((root / "ofx").rglob("*")) if root else []
    return [f for f in files if f.is_file() and f.suffix in {".ofx", ".xml", ".sgml"}]


_SEEDS = [p.read_bytes() for p in (*_corpus_ofx_files(), *FIXTURE_FILES)]


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(_SEEDS)))
    kind = draw(st.sampled_from(["truncate", "flip", "drop-lines", "dup-lines"]))
    if kind == "truncate" and data:
        return bytes(data[: draw(st.integers(0, len(data)))])
    if kind == "flip" and data:
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
        return bytes(data)
    lines = bytes(data).splitlines(keepends=True)
    if not lines:
        return bytes(data)
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(i, min(len(lines), i + 5)))
    if kind == "drop-lines":
        return b"".join(lines[:i] + lines[j:])
    return b"".join(lines[:j] + lines[i:j] + lines[j:])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_files_give_statements_or_a_typed_error(data: bytes) -> None:
    try:
        statements = read_statement(data, format="ofx")
    except RapprochementError:
        return
    for s in statements:
        assert Statement.model_validate(s.model_dump()) == s


def test_streaming_yields_entries_then_their_statement() -> None:
    from rapprochement import Entry, iter_statement

    items = list(iter_statement(OFX_FIXTURES / "two_statements.ofx"))
    kinds = ["E" if isinstance(i, Entry) else "S" for i in items]
    assert kinds == ["E", "E", "E", "S", "E", "S"]
    assert all(i.fingerprint for i in items if isinstance(i, Entry))


def test_identical_lines_keep_distinct_fingerprints_and_reimport_is_stable() -> None:
    trn = b"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260102<TRNAMT>-5.00<NAME>CAFE</STMTTRN>\n"
    data = (
        b"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>42"
        b"</BANKACCTFROM><BANKTRANLIST>" + trn * 2 + b"</BANKTRANLIST></STMTRS></OFX>"
    )
    (first,) = read_statement(data)
    (again,) = read_statement(data)
    prints = [e.fingerprint for e in first.entries]
    assert len(set(prints)) == 2
    assert prints == [e.fingerprint for e in again.entries]


def test_lower_case_tags_read_like_upper_case() -> None:
    import re

    data = (OFX_FIXTURES / "sgml_closed_no_header.ofx").read_bytes()
    lower = re.sub(rb"<(/?)([A-Z0-9.]+)>", lambda m: b"<" + m[1] + m[2].lower() + b">", data)
    assert lower != data
    (got,) = read_statement(lower)
    (want,) = read_statement(data)
    assert got.model_dump(exclude={"source"}) == want.model_dump(exclude={"source"})


def test_models_are_built_in_declaration_order_with_extra_in_file_order() -> None:
    """``model_dump_json`` writes fields in ``__dict__`` order: the same on every run."""
    from rapprochement.model import Entry, SourceRef, Transaction

    trn = (
        b"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260102<TRNAMT>-5.00<ZETA>z<NAME>CAFE<ALPHA>a"
        b"<MIDDLE>m</STMTTRN>\n"
    )
    data = (
        b"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>42"
        b"</BANKACCTFROM><BANKTRANLIST>" + trn + b"</BANKTRANLIST></STMTRS></OFX>"
    )
    ((entry,),) = [s.entries for s in read_statement(data)]
    tx = entry.transactions[0]
    assert list(entry.__dict__) == list(Entry.model_fields)
    assert list(tx.__dict__) == list(Transaction.model_fields)
    assert list(entry.source.__dict__) == list(SourceRef.model_fields)
    assert list(tx.extra) == ["ZETA", "ALPHA", "MIDDLE"]
    assert entry == Entry.model_validate(entry.model_dump())
