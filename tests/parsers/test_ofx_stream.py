"""The OFX reader streams (issue 18 item 14): read a window at a time, it gives what the whole
text gives, wherever the pieces and the window are cut, and memory stays flat in the entries."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapprochement.errors import StatementError
from rapprochement.parsers import iter_statement, read_statement
from rapprochement.parsers.ofx import reader as ofx
from rapprochement.parsers.ofx import text as ofx_text
from tests.conftest import FIXTURES, corpus_dir


def _ofx_files() -> list[Path]:
    folders = [FIXTURES / "ofx"]
    corpus = corpus_dir()
    if corpus is not None:
        folders.append(corpus / "ofx")
    return sorted(
        p
        for folder in folders
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() not in {".json", ".md", ".yml"}
    )


def _outcome(path: Path) -> object:
    try:
        return [s.model_dump() for s in read_statement(path, format="ofx")]
    except StatementError as exc:
        return (type(exc).__name__, str(exc))


FILES = _ofx_files()
WHOLE = {p: _outcome(p) for p in FILES}

#: Hand-made texts where the cuts matter: comments across pieces, bodies longer than the window.
_HEAD = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>\n"
_TRN = (
    "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250102<TRNAMT>{amount}<FITID>F{i}"
    "<NAME>{name}<MEMO>M{i}</STMTTRN>\n"
)


def _text(n: int, *, comment: bool = False, long_name: bool = False, memo: str = "") -> str:
    parts = [_HEAD, "<CURDEF>EUR<BANKACCTFROM><ACCTID>NL91ABNA0417164300</BANKACCTFROM>\n"]
    parts.append("<BANKTRANLIST>\n")
    for i in range(n):
        if comment and i % 3 == 0:
            parts.append(f"<!-- hidden <STMTTRN><TRNAMT>999 {i}\n -->")
        name = ("Ü" + "X" * 300) if long_name and i % 4 == 1 else f"Dupont {i}"
        parts.append(_TRN.format(amount=f"{i + 1}.05", i=f"{i}{memo}", name=name))
    parts.append("</BANKTRANLIST><LEDGERBAL><BALAMT>10<DTASOF>20250103</LEDGERBAL>\n")
    parts.append("</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n")
    return "".join(parts)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("ofx")
    out = []
    for k, (comment, long_name) in enumerate([(True, False), (False, True), (True, True)]):
        p = folder / f"made{k}.ofx"
        p.write_bytes(_text(40, comment=comment, long_name=long_name).encode("utf-8"))
        out.append(p)
        WHOLE[p] = _outcome(p)
    return out


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chunk=st.integers(1, 700),
    window=st.integers(12, 400),
    extra=st.integers(10, 300),
    refill=st.integers(1, 2_000),
)
def test_any_cut_reads_what_the_whole_text_reads(
    made: list[Path], chunk: int, window: int, extra: int, refill: int
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ofx_text, "CHUNK", chunk)
        mp.setattr(ofx, "_WINDOW", window)
        mp.setattr(ofx, "_MARGIN", window + extra)
        mp.setattr(ofx, "_REFILL", refill)
        for p in [*made, *FILES]:
            assert _outcome(p) == WHOLE[p], p


def test_made_files_are_read() -> None:
    # the hand texts hold what they should: comments hidden, long names kept
    text = _text(4, comment=True, long_name=True).encode("utf-8")
    [stmt] = ofx.parse(text)
    assert [str(e.amount) for e in stmt.entries] == ["1.05", "2.05", "3.05", "4.05"]
    assert stmt.entries[1].transactions[0].counterparty_name.startswith("ÜXXX")  # type: ignore[union-attr]


def _peak(path: Path) -> int:
    tracemalloc.start()
    try:
        for _ in iter_statement(path):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_is_flat_in_the_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ofx_text, "CHUNK", 1 << 14)
    monkeypatch.setattr(ofx, "_REFILL", 1 << 16)
    small, big = tmp_path / "small.ofx", tmp_path / "big.ofx"
    memo = "VIREMENT SEPA RECU " * 20  # about 400 characters of text per entry
    small.write_text(_text(2_000, memo=memo), encoding="ascii")
    big.write_text(_text(10_000, memo=memo), encoding="ascii")
    _peak(small)  # one-time costs (imports, caches) out of the way
    growth = (_peak(big) - _peak(small)) / 8_000
    # holding the text would cost 400 bytes an entry, the entries several kilobytes; what
    # remains is the fingerprint ranks (a 16-byte digest per entry)
    assert growth < 200, growth


class _Pipe(io.RawIOBase):
    """A stream that cannot seek (a pipe, a socket)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)


def _read(source: object) -> object:
    try:
        return [s.model_dump() for s in read_statement(source, format="ofx")]  # type: ignore[arg-type]
    except StatementError as exc:
        return (type(exc).__name__, str(exc))


def test_a_stream_that_cannot_seek_is_read_whole(made: list[Path]) -> None:
    # the same bytes streamed (seekable) and read whole (a pipe) give the same statements
    for p in [*made, *FILES]:
        data = p.read_bytes()
        assert _read(io.BufferedReader(_Pipe(data))) == _read(data), p
