"""Shared parser machinery (``parsers._common``): fingerprint values stay fixed, the garbage
collector is handed back as it was found."""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest

from rapprochement import read_statement
from rapprochement.model import Entry, SourceRef, Transaction
from rapprochement.parsers import _common
from rapprochement.parsers._common import StatementBegin, collect, fingerprint_key

MT940 = (
    b":20:STMT1\r\n:25:NL91ABNA0417164300\r\n:28C:1/1\r\n:60F:C260102EUR100,00\r\n"
    b":61:2601020102C50,00NTRFNONREF//B1\r\n:86:/REMI/FA-2026-001  Rest/NAME/DUPONT SARL\r\n"
    b":61:2601020102C50,00NTRFNONREF//B1\r\n:86:/REMI/FA-2026-001  Rest/NAME/DUPONT SARL\r\n"
    b":61:2601030103D1000,00NDDTNONREF\r\n"
    b":86:166?00SEPA?20EREF+E2E-9?21SVWZ+Miete Jan?31DE89370400440532013000\r\n"
    b":62F:D260103EUR800,00\r\n-"
)


def test_fingerprint_values_never_change() -> None:
    """Fingerprints are stored in ledgers: a new value would make every line look new.

    The values were computed by the first implementation (list-joined key, blake2b-128).
    """
    (stmt,) = read_statement(MT940)
    assert [e.fingerprint for e in stmt.entries] == [
        "f4cd06181a33d38d935fcd52b7588ec5",
        "897021e8fa83984e655df2671e13e9f8",
        "324e62a853773619d47cdcb8711fbd8a",
    ]
    assert stmt.findings == ()


def _entry(remittance: str, additional: str | None = None, details: int = 1) -> Entry:
    tx = Transaction(amount=Decimal("5.10"), currency="EUR", remittance_info=remittance)
    return Entry(
        amount=Decimal("5.10"),
        currency="EUR",
        value_date=None,
        booking_date=None,
        additional_info=additional,
        transactions=(tx,) * details,
        source=SourceRef(),
    )


def test_fingerprint_key_spells_out_the_content() -> None:
    key = fingerprint_key("ACC", _entry("  Rechnung\t42\n  RE-7 "))
    assert key.split("\x1f") == ["ACC", "", "5.1", "EUR", "booked", "", "rechnung 42 re-7", "", ""]
    no_detail = fingerprint_key(None, _entry("x", additional=" Frais  BANCAIRES ", details=0))
    assert no_detail.split("\x1f") == ["", "", "5.1", "EUR", "booked", "", "frais bancaires"]


def _events(n: int) -> list[object]:
    from rapprochement.model import Statement

    stmt = Statement(source_format="mt940", source=SourceRef())
    return [StatementBegin(0, "ACC"), *(_entry(f"r{i}") for i in range(n)), stmt]


def test_collect_leaves_the_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    (stmt,) = collect(_events(3))  # type: ignore[arg-type]
    assert len(stmt.entries) == 3
    assert gc.isenabled()
    gc.disable()
    try:
        collect(_events(2))  # type: ignore[arg-type]
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_large_result_goes_straight_to_the_oldest_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_common, "PROMOTE_MIN_ENTRIES", 3)
    (large,) = collect(_events(3))  # type: ignore[arg-type]
    assert id(large.entries[0]) in {id(o) for o in gc.get_objects(generation=2)}
    assert gc.get_freeze_count() == 0
    freezes: list[None] = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(None))
    collect(_events(2))  # type: ignore[arg-type]
    assert freezes == []  # a small result is left to the collector's usual course


def test_collect_does_not_undo_a_freeze_of_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common, "PROMOTE_MIN_ENTRIES", 1)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        collect(_events(2))  # type: ignore[arg-type]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
