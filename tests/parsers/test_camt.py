"""CAMT parser: golden files on our own fixtures, behaviours, and the remittance re-join rule."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement import MalformedStatementError, Statement, read_statement
from rapprochement.errors import UnsupportedVersionError
from rapprochement.parsers import iter_statement, sniff_format
from rapprochement.parsers.camt import reader as camt
from rapprochement.parsers.camt.values import excess_decimals, join_remittance
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "camt"
XML_FIXTURES = sorted(FIXTURES.glob("*.xml"))

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def _doc(body: str, ns: str = _NS053, root: str = "BkToCstmrStmt") -> bytes:
    return f'{_HEAD}<Document xmlns="{ns}"><{root}>{body}</{root}></Document>'.encode()


def _stmt(entries: str, balances: str = "") -> bytes:
    acct = "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>"
    return _doc(
        f"<GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Id>S1</Id>{acct}{balances}{entries}</Stmt>"
    )


def _fixture(name: str) -> list[Statement]:
    return read_statement(FIXTURES / name)


# -- golden files ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", XML_FIXTURES, ids=[f.name for f in XML_FIXTURES])
def test_fixture_matches_its_golden_file(fixture: Path) -> None:
    assert_golden(fixture)


@pytest.mark.parametrize("fixture", XML_FIXTURES, ids=[f.name for f in XML_FIXTURES])
def test_fixture_models_round_trip_through_validation(fixture: Path) -> None:
    for stmt in read_statement(fixture):
        assert Statement.model_validate(stmt.model_dump()) == stmt
        assert Statement.model_validate_json(stmt.model_dump_json()) == stmt


# -- statements, balances, versions ---------------------------------------------------------


def test_source_format_and_version_come_from_message_and_namespace() -> None:
    seen = {(s.source_format, s.source_version) for f in XML_FIXTURES for s in read_statement(f)}
    assert seen == {
        ("camt.053", "camt.053.001.08"),
        ("camt.053", "camt.053.001.02"),
        ("camt.052", "camt.052.001.02"),
        ("camt.054", "camt.054.001.04"),
        ("camt.054", "camt.054.001.08"),
    }


def test_opening_is_opbd_even_when_prcd_is_also_given_and_prcd_otherwise() -> None:
    first, second = _fixture("camt053_v02_multi.xml")
    assert first.opening_balance is not None
    assert (first.opening_balance.type, first.opening_balance.amount) == (
        "PRCD",
        Decimal("-250.00"),
    )
    assert second.opening_balance is not None
    assert second.opening_balance.type == "OPBD"
    assert [b.type for b in second.other_balances] == ["PRCD"]


def test_balance_without_indicator_is_a_credit_with_a_finding() -> None:
    first, _ = _fixture("camt053_v02_multi.xml")
    assert first.closing_balance is not None
    assert first.closing_balance.amount == Decimal("4750.00")
    assert "balance-without-indicator" in {f.code for f in first.findings}


def test_namespace_free_document_is_read_with_an_unknown_version_finding() -> None:
    data = _stmt(
        '<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>'
    ).replace(f' xmlns="{_NS053}"'.encode(), b"")
    data = data.replace(b"<Document>", b"<Document><!-- BkToCstmrStmt -->")
    [stmt] = camt.parse(data, filename="plain.xml")
    assert stmt.source_version is None
    assert [e.amount for e in stmt.entries] == [Decimal("1.00")]
    assert "unknown-version" in {f.code for f in stmt.findings}


# -- entries and transactions ---------------------------------------------------------------


def test_batch_entry_keeps_the_booked_amount_and_splits_its_details() -> None:
    [stmt] = _fixture("camt053_v08_batch_fx.xml")
    batch = stmt.entries[0]
    assert batch.amount == Decimal("1960.00")
    assert batch.is_batch
    assert batch.batch_count == 2
    assert [t.amount for t in batch.transactions] == [Decimal("1176.00"), Decimal("784.00")]
    assert batch.source.xpath == "Stmt[1]/Ntry[1]"


def test_structured_remittance_gives_reference_and_referred_document_amounts() -> None:
    [stmt] = _fixture("camt053_v08_batch_fx.xml")
    tx = stmt.entries[0].transactions[0]
    assert tx.structured_reference == "RF18539007547034"
    [doc] = tx.referred_documents
    assert (doc.number, doc.type, doc.amount, doc.due_amount, doc.discount) == (
        "FA-2026-00123",
        "CINV",
        Decimal("1176.00"),
        Decimal("1200.00"),
        Decimal("24.00"),
    )


def test_amounts_of_a_strd_with_several_documents_are_not_attributed_to_one() -> None:
    [stmt] = _fixture("camt054_v04_notification.xml")
    tx = stmt.entries[0].transactions[1]
    assert [d.number for d in tx.referred_documents] == ["R-2026-044", "GS-2026-007", "R-2026-051"]
    assert tx.referred_documents[0].amount is None
    assert tx.extra["referred_document_amounts"] == "amount=500.00"
    assert tx.referred_documents[2].adjustment == Decimal("5.00")


def test_fx_and_charges_are_read_from_amount_details() -> None:
    [stmt] = _fixture("camt053_v08_batch_fx.xml")
    tx = stmt.entries[1].transactions[0]
    assert stmt.entries[1].amount == Decimal("-936.80")
    assert (tx.amount, tx.charges) == (Decimal("-923.80"), Decimal("13.00"))
    assert (tx.instructed_amount, tx.instructed_currency) == (Decimal("1000.00"), "USD")
    assert tx.exchange_rate == Decimal("1.0825")
    assert tx.counterparty_name == "Acme Tools Inc."


def test_charges_stated_on_a_batch_entry_are_kept_on_the_entry() -> None:
    [stmt] = _fixture("camt053_v08_batch_charges.xml")
    [entry] = stmt.entries
    assert entry.is_batch
    assert len(entry.transactions) == 2
    # TtlChrgsAndTaxAmt (5.40 debit less a 0.20 credited discount), not a detail's
    assert entry.charges == Decimal("5.20")
    assert [t.charges for t in entry.transactions] == [None, None]


def test_charges_of_a_detail_stay_on_its_transaction() -> None:
    [stmt] = _fixture("camt053_v08_batch_fx.xml")
    assert stmt.entries[1].transactions[0].charges == Decimal("13.00")
    assert stmt.entries[0].charges is None


def test_reversal_keeps_booked_sign_and_names_the_original_creditor() -> None:
    [stmt] = _fixture("camt053_v08_batch_fx.xml")
    entry = stmt.entries[2]
    assert entry.reversal
    assert entry.amount == Decimal("175.30")
    tx = entry.transactions[0]
    assert tx.counterparty_name == "Stadtwerke Musterstadt"
    assert (tx.end_to_end_id, tx.mandate_id, tx.return_reason) == (None, "MNDT-2024-0042", "MD06")
    assert tx.creditor_id == "DE98ZZZ09999999999"


def test_pending_and_info_entries_are_kept_but_not_booked() -> None:
    [stmt] = _fixture("camt053_v08_batch_fx.xml")
    assert [e.status for e in stmt.entries] == ["booked", "booked", "booked", "pending"]
    assert stmt.total_debits == Decimal("936.80")
    assert stmt.reconciles()
    [report] = _fixture("camt052_v02_report.xml")
    assert [e.status for e in report.entries] == ["booked", "info"]


def test_bad_entries_become_findings_and_the_rest_still_parses() -> None:
    _, second = _fixture("camt053_v02_multi.xml")
    codes = {f.code for f in second.findings}
    assert {
        "bad-amount",
        "entry-skipped",
        "missing-currency",
        "unknown-status",
        "bad-date",
    } <= codes
    assert [e.amount for e in second.entries] == [Decimal("-20.50"), Decimal("7.00")]
    assert second.entries[1].booking_date is None
    skipped = next(f for f in second.findings if f.code == "entry-skipped")
    assert skipped.source is not None
    assert skipped.source.xpath == "Stmt[2]/Ntry[2]"


def test_excess_decimals_are_kept_exactly_with_a_finding() -> None:
    first, _ = _fixture("camt053_v02_multi.xml")
    assert first.entries[1].amount == Decimal("-12.34567")
    assert "excess-decimals" in {f.code for f in first.findings}


def test_batch_details_that_do_not_sum_to_the_entry_give_a_finding() -> None:
    first, _ = _fixture("camt053_v02_multi.xml")
    [finding] = [f for f in first.findings if f.code == "batch-sum-mismatch"]
    assert "4950.00" in finding.message
    assert first.entries[0].amount == Decimal("5000.00")


def test_inconsistent_transaction_summary_gives_a_finding() -> None:
    summary = "<TxsSummry><TtlNtries><NbOfNtries>3</NbOfNtries></TtlNtries></TxsSummry>"
    entry = '<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>'
    [stmt] = camt.parse(_stmt(entry, summary), filename="s.xml")
    # (the entry has no date at all: missing-date, see parsers._checks)
    assert [f.code for f in stmt.findings] == ["summary-mismatch", "missing-date"]


def test_zero_debit_amount_is_not_negative_zero() -> None:
    entry = '<Ntry><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts></Ntry>'
    [stmt] = camt.parse(_stmt(entry), filename="z.xml")
    assert not stmt.entries[0].amount.is_signed()


def test_detail_without_amount_in_a_batch_gets_the_remainder_marked_as_such() -> None:
    details = (
        '<NtryDtls><TxDtls><Amt Ccy="EUR">3.00</Amt></TxDtls><TxDtls><Refs><EndToEndId>B'
        "</EndToEndId></Refs></TxDtls></NtryDtls>"
    )
    head = '<Ntry><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
    entry = f"{head}{details}</Ntry>"
    [stmt] = camt.parse(_stmt(entry), filename="d.xml")
    txs = stmt.entries[0].transactions
    assert [t.amount for t in txs] == [Decimal("3.00"), Decimal("7.00")]
    assert txs[1].extra["amount_from"] == "remainder"
    assert "detail-amount-missing" in {f.code for f in stmt.findings}


# -- refused documents ------------------------------------------------------------------------


def test_sniff_accepts_iso20022_and_rejects_other_text() -> None:
    assert camt.sniff(_stmt(""))
    assert not camt.sniff(b":20:STARTUMS\r\n:25:12345678/0000000001")
    assert sniff_format(b"\xef\xbb\xbf" + _stmt("")) == "camt"


def test_payment_initiation_is_an_unsupported_version_naming_the_root() -> None:
    data = _doc(
        "<GrpHdr><MsgId>P</MsgId></GrpHdr>",
        ns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
        root="CstmrCdtTrfInitn",
    )
    with pytest.raises(UnsupportedVersionError, match=r"pain\.001\.001\.03") as info:
        read_statement(data)
    assert info.value.location == "/Document"


def test_message_without_statement_names_the_xpath() -> None:
    with pytest.raises(MalformedStatementError) as info:
        read_statement(io.BytesIO(_doc("<GrpHdr><MsgId>M</MsgId></GrpHdr>")))
    assert info.value.location == "/Document/BkToCstmrStmt"


_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>&lol9;</MsgId></GrpHdr><Stmt><Id>&lol9;</Id>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<AddtlNtryInf>&lol9;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>
"""


def test_entity_expansion_bomb_is_refused_not_expanded() -> None:
    with pytest.raises(MalformedStatementError, match="DOCTYPE") as info:
        camt.parse(_BOMB, filename="bomb.xml")
    assert info.value.file == "bomb.xml"


def test_external_entity_is_refused() -> None:
    data = _BOMB.split(b"<!DOCTYPE")[0] + (
        b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + _stmt("<Ntry><AddtlNtryInf>&x;</AddtlNtryInf></Ntry>").split(b"?>", 1)[1]
    )
    with pytest.raises(MalformedStatementError):
        camt.parse(data, filename="xxe.xml")


def test_truncated_file_is_malformed_with_line_and_hint() -> None:
    data = (FIXTURES / "camt053_v08_batch_fx.xml").read_bytes()
    with pytest.raises(MalformedStatementError) as info:
        read_statement(data[: len(data) // 2])
    assert info.value.location is not None
    assert info.value.location.startswith("line ")
    assert info.value.hint


def test_streaming_yields_each_entry_before_its_statement() -> None:
    items = list(iter_statement(FIXTURES / "camt053_v02_multi.xml"))
    kinds = ["S" if isinstance(i, Statement) else "E" for i in items]
    assert kinds == ["E", "E", "S", "E", "E", "S"]


# -- the remittance re-join rule ----------------------------------------------------------------


def test_remittance_line_that_fills_the_field_is_glued_to_the_next() -> None:
    full = "x" * 139 + "A"
    assert join_remittance([full, "BC"]) == full + "BC"


def test_remittance_lines_shorter_than_the_field_are_joined_with_one_space() -> None:
    assert join_remittance(["INV 12", "INV 13"]) == "INV 12 INV 13"


def test_remittance_existing_space_is_not_doubled() -> None:
    assert join_remittance(["INV 12 ", "INV 13"]) == "INV 12 INV 13"
    assert join_remittance(["INV 12", " INV 13"]) == "INV 12 INV 13"


def test_remittance_fixed_width_wrap_is_glued() -> None:
    lines = ["Rechnung 2026-001 Kunde 4", "0017 Skonto abgezogen Dan", "ke"]
    assert join_remittance(lines) == "Rechnung 2026-001 Kunde 40017 Skonto abgezogen Danke"


def test_remittance_two_short_lines_of_equal_length_are_not_taken_as_a_wrap() -> None:
    assert join_remittance(["INV-001", "INV-002"]) == "INV-001 INV-002"


def test_remittance_empty_and_single() -> None:
    assert join_remittance([]) == ""
    assert join_remittance(["  only  "]) == "only"


@pytest.mark.parametrize(
    ("amount", "currency", "excess"),
    [
        ("1.23", "EUR", False),
        ("1.230", "EUR", False),
        ("1.235", "EUR", True),
        ("5", "JPY", False),
        ("5.5", "JPY", True),
        ("1.234", "KWD", False),
    ],
)
def test_excess_decimals_rule(amount: str, currency: str, excess: bool) -> None:
    assert excess_decimals(Decimal(amount), currency) is excess


def test_every_name_the_entry_reader_looks_up_is_indexed() -> None:
    import re

    from rapprochement.parsers.camt import entry as camt_entry
    from rapprochement.parsers.camt import tx as camt_tx
    from rapprochement.parsers.camt.tree import WANTED

    source = "".join(
        Path(m.__file__).read_text(encoding="utf-8") for m in (camt_entry, camt_tx) if m.__file__
    )
    names: set[str] = set()
    for literal in re.findall(r'f?"([A-Z][A-Za-z{}/]*)"', source):
        for role in ("Dbtr", "Cdtr"):
            names.update(literal.replace("{role}", role).split("/"))
    codes = {n for n in names if n.isupper()} - {"IBAN", "BIC", "BICFI", "UETR"}
    names -= codes  # code values compared with (BOOK, CRDT, SEPA...), not element names
    names -= {"Ccy", "EntryReader"}  # an attribute, and a name in __all__
    assert len(names) > 50, "too few paths found in camt_entry.py"
    assert names - WANTED == set()


@pytest.mark.parametrize("version", ["01", "02", "04", "06", "10", "13"])
def test_every_camt053_version_namespace_reads_the_same_entries(version: str) -> None:
    data = (FIXTURES / "camt053_v08_batch_fx.xml").read_bytes()
    reference = camt.parse(data, filename="v08.xml")[0]
    [stmt] = camt.parse(
        data.replace(b"camt.053.001.08", f"camt.053.001.{version}".encode()), filename="v08.xml"
    )
    assert stmt.source_version == f"camt.053.001.{version}"
    assert stmt.entries == reference.entries
    assert stmt.findings == reference.findings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-04", "2026-03-04"),
        ("2026-03-04T23:59:59+01:00", "2026-03-04"),
        ("2026-03-04T23:59:59Z", "2026-03-04"),
        ("2026-03-04+01:00", "2026-03-04"),
        ("2026-02-30", None),
        ("04.03.2026", None),
        ("2026-03-041", None),
    ],
)
def test_dates_keep_the_calendar_day_as_written(text: str, expected: str | None) -> None:
    from rapprochement.parsers.camt.values import parse_date

    got = parse_date(text)
    assert (got.isoformat() if got else None) == expected
