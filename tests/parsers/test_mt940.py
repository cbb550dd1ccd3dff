"""MT940/MT942 parser behaviour: statements, entries, marks, dates, encodings, bad input."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement import MalformedStatementError, RapprochementError, read_statement
from rapprochement.model import Entry, SourceRef, Statement, Transaction
from rapprochement.parsers import iter_statement, sniff_format
from rapprochement.parsers._common.ident import parse_account
from rapprochement.parsers._common.lines import choose_legacy_codec, iter_blocks, iter_lines
from rapprochement.parsers.mt940 import reader as mt940
from rapprochement.parsers.mt940.fields import entry_date, parse_amount, parse_line61


def _stmt(body: str, **kw: str) -> bytes:
    head = ":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C230101EUR100,00\n"
    return (head + body + kw.get("tail", ":62F:C230101EUR100,00\n")).encode()


def _one(data: bytes) -> Statement:
    (stmt,) = read_statement(data, format="mt940")
    return stmt


class TestMarks:
    @pytest.mark.parametrize(
        ("mark", "amount", "reversal"),
        [
            ("C", "5.00", False),
            ("D", "-5.00", False),
            ("RC", "-5.00", True),
            ("RD", "5.00", True),
            ("CR", "5.00", False),
            ("DR", "-5.00", False),
        ],
    )
    def test_mark_gives_sign_and_reversal(self, mark: str, amount: str, reversal: bool) -> None:
        line = parse_line61(f"2301020102{mark}5,00NTRFNONREF", [])
        assert line.amount == Decimal(amount)
        assert line.reversal is reversal

    def test_rc_is_a_debit_in_the_statement_totals(self) -> None:
        s = _one(_stmt(":61:230101RC40,00NTRFNONREF\n", tail=":62F:C230101EUR60,00\n"))
        assert s.total_debits == Decimal("40.00")
        assert s.reconciles()


class TestLine61:
    def test_dot_and_comma_decimals_are_exact(self) -> None:
        assert parse_amount("1234,56") == Decimal("1234.56")
        assert parse_amount("1234.56") == Decimal("1234.56")
        assert parse_amount("380115,") == Decimal("380115")
        assert parse_amount("000012,5") == Decimal("12.5")

    def test_references_and_supplementary_details(self) -> None:
        line = parse_line61("2301020102D12,00NDDTMYREF-1//BANK 77", ["/TRCD/01016/"])
        assert line.transaction_type == "NDDT"
        assert line.customer_reference == "MYREF-1"
        assert line.bank_reference == "BANK 77"
        assert line.supplementary == "/TRCD/01016/"

    def test_entry_date_rolls_over_the_year_end(self) -> None:
        assert entry_date("231231", "0102") == dt.date(2024, 1, 2)
        assert entry_date("240102", "1231") == dt.date(2023, 12, 31)
        assert entry_date("230615", "0616") == dt.date(2023, 6, 16)

    def test_funds_code_letter_is_skipped(self) -> None:
        line = parse_line61("110701CN50,00NZ10NONREF", [])
        assert (line.amount, line.funds_code, line.transaction_type) == (
            Decimal("50.00"),
            "N",
            "NZ10",
        )

    def test_blank_entry_date_is_no_entry_date(self) -> None:
        line = parse_line61("230101    C12,00NTRFNONREF", [])
        assert (line.value_date, line.booking_date) == (dt.date(2023, 1, 1), None)

    def test_amount_wrapped_onto_the_next_line(self) -> None:
        line = parse_line61("1811261126CR", ["30,00N062NONREF"])
        assert line.amount == Decimal("30.00")

    def test_impossible_date_is_a_finding_and_the_entry_is_kept(self) -> None:
        s = _one(
            _stmt(
                ":61:2311301130D1,00NCHGNONREF\n:61:2302300230D1,00NCHGNONREF\n",
                tail=":62F:C230101EUR98,00\n",
            )
        )
        assert [e.value_date for e in s.entries] == [dt.date(2023, 11, 30), None]
        # the second entry's entry date is impossible too: it has no date at all
        assert [f.code for f in s.findings] == ["bad-date", "missing-date"]
        assert s.findings[0].source is not None
        assert s.findings[0].source.line == 6

    def test_unparseable_line_is_skipped_with_a_finding(self) -> None:
        s = _one(
            _stmt(
                ":61:GARBAGE\n:86:lost\n:61:230101C1,00NTRFNONREF\n:86:kept\n",
                tail=":62F:C230101EUR101,00\n",
            )
        )
        assert len(s.entries) == 1
        assert s.entries[0].additional_info == "kept"
        assert [f.code for f in s.findings] == ["bad-entry", "booking-date-from-value-date"]


class TestStatements:
    def test_every_entry_cites_the_line_of_its_61(self) -> None:
        s = _one(
            _stmt(
                ":61:230101C1,00NTRFNONREF\n:86:a\nb\n:61:230101C1,00NTRFNONREF\n",
                tail=":62F:C230101EUR102,00\n",
            )
        )
        assert [e.source.line for e in s.entries] == [5, 8]
        assert all(e.source.statement_index == 0 for e in s.entries)

    def test_intermediate_balances_open_and_close_pages(self) -> None:
        data = (
            b":20:P1\n:25:X\n:60F:C230101EUR1,00\n:62M:C230101EUR1,00\n"
            b":20:P2\n:25:X\n:60M:D230101EUR1,00\n:62F:D230101EUR1,00\n"
        )
        a, b = read_statement(data)
        assert (a.closing_balance and a.closing_balance.type) == "62M"
        assert b.opening_balance is not None
        assert b.opening_balance.amount == Decimal("-1.00")

    def test_mt942_is_detected_and_totals_checked(self) -> None:
        data = (
            b":20:I\n:25:X\n:34F:EUR0,\n:13D:2304051200+0200\n"
            b":61:230405C10,00NTRFNONREF\n:90C:2EUR10,00\n"
        )
        s = _one(data)
        assert s.source_format == "mt942"
        assert s.created_at == dt.datetime(
            2023, 4, 5, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))
        )
        assert [f.code for f in s.findings] == ["totals-mismatch", "booking-date-from-value-date"]

    def test_account_forms(self) -> None:
        assert parse_account("NL91ABNA0417164300 EUR").iban == "NL91ABNA0417164300"
        assert parse_account("INGBNL2A/NL91ABNA0417164300").bic == "INGBNL2A"
        assert parse_account("37040044/0532013000").number == "37040044/0532013000"
        assert parse_account("NL00ABNA0417164300").iban is None  # bad check digits

    def test_no_statement_raises_a_typed_error_naming_the_file(self) -> None:
        with pytest.raises(MalformedStatementError, match=r"x\.sta.*no MT940"):
            mt940.parse(b":86:only information\n", filename="x.sta")

    def test_sniff(self) -> None:
        assert sniff_format(b"ABNANL2A\n940\nABNANL2A\n:20:X\n") == "mt940"
        assert sniff_format(b"{1:F01ABNANL2AXXX}{2:I940}{4:\n:20:X") == "mt940"
        assert sniff_format(b"1\n2\n3\n") is None

    def test_streaming_reads_from_a_binary_file(self) -> None:
        items = list(iter_statement(io.BytesIO(_stmt(":61:230101C0,00NTRFNONREF\n"))))
        assert [type(i).__name__ for i in items] == ["Entry", "Statement"]


class TestEncodings:
    @pytest.mark.parametrize(
        ("text", "codec"),
        [
            ("Müller GmbH", "cp1252"),
            ("Société Générale", "cp1252"),
            ("Łódź Spółka", "cp1250"),
            ("Zażółć gęślą jaźń", "cp1250"),
            ("összevont utánvét", "cp852"),
        ],
    )
    def test_legacy_names_are_not_garbled(self, text: str, codec: str) -> None:
        data = _stmt(f":61:230101C0,00NTRFNONREF\n:86:{text}\n").decode().encode(codec)
        assert _one(data).entries[0].transactions[0].remittance_info == text
        assert text.encode(codec).decode(choose_legacy_codec(text.encode(codec))) == text

    def test_utf8_with_bom_and_crlf(self) -> None:
        data = b"\xef\xbb\xbf" + _stmt(":61:230101C0,00NTRFNONREF\n:86:Grüße\n")
        s = _one(data.replace(b"\n", b"\r\n"))
        assert s.entries[0].transactions[0].remittance_info == "Grüße"

    def test_lines_split_on_lf_crlf_and_cr(self) -> None:
        assert list(iter_lines(io.BytesIO(b"a\r\nb\nc\rd"))) == ["a", "b", "c", "d"]


def test_a_bare_20_is_a_statement_without_balances() -> None:
    (s,) = read_statement(b":20:TELEREPORTING\n", format="mt940")
    assert (s.statement_id, s.opening_balance, s.entries) == ("TELEREPORTING", None, ())


def test_non_statement_text_forced_as_mt940_is_a_typed_error() -> None:
    with pytest.raises(RapprochementError):
        read_statement(b"1\n2\n3\n", format="mt940")


def test_fast_build_gives_the_same_model_as_validation() -> None:
    from rapprochement.parsers.mt940.build import assemble, transaction_data

    fields_set = {"file", "statement_index", "line", "xpath", "member"}
    data = {"file": "f", "statement_index": 0, "line": 3, "xpath": None, "member": None}
    built = assemble(SourceRef, data, fields_set)
    assert built == SourceRef(file="f", statement_index=0, line=3)
    assert SourceRef.model_validate(built.model_dump()) == built
    other = assemble(SourceRef, dict(data, line=4), fields_set)
    copied = built.model_copy(update={"xpath": "x"})
    assert copied.xpath == "x"
    assert other.model_fields_set == fields_set  # a shared fields-set is never changed in place
    fields = {"remittance_info": "R", "remittance_lines": ("R",), "end_to_end_id": "E"}
    tx = assemble(Transaction, *transaction_data(Decimal("1.5"), "EUR", fields))
    assert tx == Transaction(amount=Decimal("1.5"), currency="EUR", **fields)  # type: ignore[arg-type]
    assert tx.model_fields_set == {"amount", "currency", *fields}
    assert tx.extra == {}


def _big(n: int) -> bytes:
    body = "".join(
        f":61:230101C1,00NTRFNONREF//B{i}\n:86:166?20Rechnung {i}?32Kunde {i % 97}\n"
        for i in range(n)
    )
    return _stmt(body, tail=f":62F:C230101EUR{100 + n},00\n")


def test_event_stream_memory_does_not_grow_with_entries() -> None:
    import tracemalloc

    def peak(data: bytes) -> int:
        tracemalloc.start()
        try:
            for _ in mt940.iter_events(io.BytesIO(data), filename="big.sta"):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(_big(1_000)), peak(_big(4_000))
    assert large < small * 1.5 + 200_000  # 4x the entries, not 4x the memory


# -- the fast paths give what the plain rules give ----------------------------------------------


def _reference_lines(data: bytes) -> list[str]:
    """Lines by the plain rules: BOM dropped, LF split, CR trailing stripped or split, NUL gone."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode(choose_legacy_codec(data))
    out: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        out.extend(part.replace("\x00", "") for part in line.split("\r"))
    if data.endswith(b"\n") or not data:
        out.pop()
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "Ü", "\r", "\n", "\r\n", "\x00", ":61:", " ", "-"])),
    st.sampled_from(["utf-8", "cp1252"]),
)
def test_block_reading_gives_the_lines_of_the_line_rules(parts: list[str], codec: str) -> None:
    data = "".join(parts).encode(codec)
    assert list(iter_lines(io.BytesIO(data))) == _reference_lines(data)
    joined = [line for block in iter_blocks(io.BytesIO(data)) for line in block.split("\n")]
    assert joined == list(iter_lines(io.BytesIO(data)))


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[0-9]{1,6}(,[0-9]{0,3})?", fullmatch=True))
def test_comma_amounts_of_61_read_as_parse_amount_reads_them(text: str) -> None:
    line = parse_line61(f"2301020102C{text}NTRFNONREF", [])
    assert line.amount == parse_amount(text)
    assert str(line.amount) == str(parse_amount(text))


def test_models_keep_their_field_order() -> None:
    """``model_dump_json`` writes fields in ``__dict__`` order: speed-ups must keep it."""
    s = _one(_stmt(":61:2301020102C5,00NTRFNONREF//B1\nSUPP\n:86:166?20EREF+X?21SVWZ+Y\n"))
    entry = s.entries[0]
    tx = entry.transactions[0]
    assert list(entry.__dict__) == list(Entry.model_fields)
    assert list(entry.source.__dict__) == list(SourceRef.model_fields)
    # Transactions keep the order of the first fast constructor: defaults, amount, currency, extra.
    tail = ["amount", "currency", "extra"]
    assert list(tx.__dict__) == [f for f in Transaction.model_fields if f not in tail] + tail
    assert tx == Transaction.model_validate(tx.model_dump())
    assert entry == Entry.model_validate(entry.model_dump())
