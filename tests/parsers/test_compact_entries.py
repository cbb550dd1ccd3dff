"""Compactly held entries (issue 18 item 14) behave exactly like the tuple they stand for.

Every fixture and corpus file is read twice: as usual, and with every statement held as
:class:`~rapprochement.compact.CompactEntries` (the threshold lowered to one entry). The
statements must be equal, dump to the same JSON and give back entries equal field by
field (fields set and key order included). A statement of a million entries fits in memory only
this way; the figures are in ``benchmarks/bigfiles.py``, not here.
"""

from __future__ import annotations

import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapprochement import RapprochementError, Statement, read_statement
from rapprochement.compact import CompactEntries, pack_entry, unpack_entry
from rapprochement.model import Entry, SourceRef, Transaction
from rapprochement.parsers import _common
from rapprochement.parsers._common import checks as _checks
from tests.conftest import corpus_dir, load_conformance

FIXTURES = Path(__file__).parents[1] / "fixtures"
FILES = sorted(
    p
    for p in FIXTURES.rglob("*")
    if p.is_file() and not p.name.endswith((".json", ".py")) and "pain002" not in p.parts
)


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Statement], list[Statement]]:
    plain = read_statement(path)
    with monkeypatch.context() as m:
        m.setattr(_common, "COMPACT_MIN_ENTRIES", 1)
        packed = read_statement(path)
    return plain, packed


def _same(plain: list[Statement], packed: list[Statement]) -> None:
    assert len(plain) == len(packed)
    for a, b in zip(plain, packed, strict=True):
        if a.entries:
            assert isinstance(b.entries, CompactEntries)
        assert b == a
        assert a == b
        assert b.model_dump_json() == a.model_dump_json()
        assert b.model_dump() == a.model_dump()
        for x, y in zip(a.entries, b.entries, strict=True):
            assert y == x
            assert list(y.__dict__) == list(x.__dict__)
            assert y.model_fields_set == x.model_fields_set
            for tx, ty in zip(x.transactions, y.transactions, strict=True):
                assert list(ty.__dict__) == list(tx.__dict__)
                assert ty.model_fields_set == tx.model_fields_set
        assert b.total_credits == a.total_credits
        assert b.total_debits == a.total_debits


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_files_read_alike_compact(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(*_both(path, monkeypatch))


def test_corpus_reads_alike_compact(monkeypatch: pytest.MonkeyPatch) -> None:
    root = corpus_dir()
    if root is None:
        pytest.skip("no corpus")
    compared = 0
    for spec in load_conformance():
        try:
            plain, packed = _both(root / spec["file"], monkeypatch)
        except RapprochementError:  # a file that fails fails alike
            with pytest.raises(RapprochementError):
                read_statement(root / spec["file"])
            continue
        _same(plain, packed)
        compared += sum(len(s.entries) for s in plain)
    assert compared > 500


def _entry(n: int, **tx: object) -> Entry:
    return Entry(
        amount=Decimal(n),
        currency="EUR",
        booking_date=None,
        transactions=(Transaction(amount=Decimal(n), currency="EUR", **tx),),  # type: ignore[arg-type]
        source=SourceRef(file="f.sta", line=n),
    )


def test_sequence_behaviour() -> None:
    entries = tuple(_entry(i, extra={"k": str(i)} if i % 2 else {}) for i in range(1, 8))
    c = CompactEntries(entries)
    assert len(c) == 7
    assert list(c) == list(entries)
    assert c[2] == entries[2]
    assert c[-1] == entries[-1]
    assert c[1:4] == entries[1:4]
    assert isinstance(c[1:4], tuple)
    assert list(reversed(c)) == list(reversed(entries))
    assert c == entries
    assert entries == c
    assert c == entries
    assert c != entries[:-1]
    assert entries[3] in c
    assert c.index(entries[3]) == 3
    assert c.count(entries[3]) == 1
    with pytest.raises(TypeError):  # as the tuple: a Transaction's extra is a dict
        hash(c)
    with pytest.raises(TypeError):
        hash(entries)
    assert pickle.loads(pickle.dumps(c)) == entries
    assert c[0] is not c[0]  # built again at each read: equal, distinct
    assert c[0].transactions[0].extra == {"k": "1"}
    assert c[1].transactions[0].extra == {}
    # an empty extra is a fresh dict per read, as a new Transaction's
    c[1].transactions[0].extra["x"] = "y"
    assert c[1].transactions[0].extra == {}
    with pytest.raises(IndexError):
        c[7]


def test_statement_validates_and_copies_compact_entries() -> None:
    entries = tuple(_entry(i) for i in range(1, 4))
    src = SourceRef(file="f.sta")
    packed = Statement(entries=CompactEntries(entries), source_format="mt940", source=src)
    plain = Statement(entries=entries, source_format="mt940", source=src)
    assert isinstance(packed.entries, CompactEntries)
    assert packed == plain
    assert packed.model_dump_json() == plain.model_dump_json()
    copied = packed.model_copy(update={"statement_id": "X"})
    assert copied.entries == entries
    again = Statement.model_validate_json(packed.model_dump_json())
    assert again == plain


def test_record_is_small_and_round_trips() -> None:
    e = _entry(300, counterparty_name="ACME SA", remittance_info="F-1")
    record = pack_entry(e)
    assert unpack_entry(record) == e
    # only the values that differ from the defaults are kept, and no nested object
    assert len(record) < 15
    assert not any(isinstance(v, (dict, Entry, Transaction, SourceRef)) for v in record)


@pytest.mark.parametrize(
    "fingerprint", ["", "0f" * 16, "0F" * 16, "zz" * 16, "0f" * 15, "0f" * 17, "é" * 32]
)
def test_fingerprints_of_any_form_round_trip(fingerprint: str) -> None:
    e = _entry(7).model_copy(update={"fingerprint": fingerprint})
    back = unpack_entry(pack_entry(e))
    assert back.fingerprint == fingerprint
    assert back == e


def test_findings_of_one_code_are_bounded(tmp_path: Path) -> None:
    lines = [":20:S\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C260101EUR0,00\n"]
    n = _checks.FINDINGS_PER_CODE + 25
    for i in range(n):  # no entry date: each takes its value date, with a finding
        lines.append(f":61:2601{i % 28 + 1:02d}C1,00NTRFNONREF\n:86:P{i}\n")
    lines.append(f":62F:C260131EUR{n},00\n-\n")
    path = tmp_path / "many.sta"
    path.write_text("".join(lines))
    (stmt,) = read_statement(path)
    codes = [f for f in stmt.findings if f.code == "booking-date-from-value-date"]
    assert len(codes) == _checks.FINDINGS_PER_CODE + 1
    assert "and 25 more" in codes[-1].message
    assert all(e.booking_date == e.value_date for e in stmt.entries)


_texts = st.text(max_size=40)  # any characters: NUL, separators, non-ASCII, empty


@given(
    name=st.one_of(st.none(), _texts),
    info=_texts,
    lines=st.lists(_texts, max_size=4).map(tuple),
    e2e=st.one_of(st.none(), _texts),
    extra=st.dictionaries(st.text(max_size=5), _texts, max_size=2),
    charges=st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False)),
)
def test_any_texts_round_trip(
    name: str | None,
    info: str,
    lines: tuple[str, ...],
    e2e: str | None,
    extra: dict[str, str],
    charges: Decimal | None,
) -> None:
    tx = Transaction(
        amount=Decimal("-0.00"),
        currency="EUR",
        counterparty_name=name,
        remittance_info=info,
        remittance_lines=lines,
        end_to_end_id=e2e,
        extra=extra,
        charges=charges,
    )
    e = Entry(
        amount=Decimal("1E+2"),
        currency="EUR",
        additional_info=info or None,
        transactions=(tx, tx),
        source=SourceRef(file=info or None, line=7),
    )
    back = unpack_entry(pack_entry(e))
    assert back == e
    assert back.model_dump_json() == e.model_dump_json()
    assert [str(t.charges) for t in back.transactions] == [str(charges)] * 2  # exponent kept
