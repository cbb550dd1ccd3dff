"""The line reader shared by MT940, CFONB and CSV: linear in the file, lines bounded in length.

Issue 18 item 12: a line without a line end spread over many chunks was copied again for every
chunk (a 64 MB line took 30 s). The tests count the copies and cut lines at every chunk size
instead of timing anything.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement import MalformedStatementError, read_statement
from rapprochement.parsers._common.lines import MAX_LINE_BYTES, iter_blocks, iter_lines
from tests.parsers.test_mt940 import _reference_lines


class _CountingBytes(bytes):
    """Chunk that counts the bytes of every concatenation it takes part in."""

    copied = 0

    def __add__(self, other: bytes) -> bytes:  # type: ignore[override]
        _CountingBytes.copied += len(self) + len(other)
        return bytes(self) + bytes(other)

    def __radd__(self, other: bytes) -> bytes:
        _CountingBytes.copied += len(self) + len(other)
        return bytes(other) + bytes(self)


class _Chunks(io.RawIOBase):
    """A stream returning its data as counting chunks."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._pos + size
        part = self._data[self._pos : end]
        self._pos += len(part)
        return _CountingBytes(part)


def test_a_line_spread_over_many_chunks_is_copied_a_bounded_number_of_times() -> None:
    line = b"x" * 200_000
    _CountingBytes.copied = 0
    blocks = list(iter_blocks(_Chunks(b"head\n" + line + b"\ntail\n"), chunk_size=1_000))  # type: ignore[arg-type]
    assert "\n".join(blocks).split("\n") == ["head", line.decode(), "tail"]
    # Before the fix the remainder was concatenated to each of the 200 chunks: 20 MB copied.
    assert _CountingBytes.copied <= 2 * len(line)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "Ü", "\r", "\n", "\r\n", "\x00", "\r\r", "bc", "-"])),
    st.sampled_from(["utf-8", "cp1252"]),
    st.integers(min_value=1, max_value=9),
)
def test_lines_are_the_same_whatever_the_chunk_size(
    parts: list[str], codec: str, chunk_size: int
) -> None:
    data = "".join(parts).encode(codec)
    lines = list(iter_lines(io.BytesIO(data), chunk_size=chunk_size))
    assert lines == _reference_lines(data)
    joined = [
        line
        for block in iter_blocks(io.BytesIO(data), chunk_size=chunk_size)
        for line in block.split("\n")
    ]
    assert joined == lines


def test_lone_cr_line_ends_cut_a_file_into_blocks_of_whole_lines() -> None:
    # An old-Mac file has no LF at all: it is still read by blocks, not as one line.
    lines = [f":61:2301020102C{i},00NTRF//B{i}" for i in range(20)]
    data = "\r".join(lines).encode()
    blocks = list(iter_blocks(io.BytesIO(data), chunk_size=64))
    assert len(blocks) > 5
    assert "\n".join(blocks).split("\n") == lines


def _mt940_with_long_line(size: int) -> bytes:
    head = ":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C230101EUR100,00\n"
    body = ":61:2301020102C1,00NTRFNONREF\n:86:" + "X" * size + "\n"
    return (head + body + ":62F:C230101EUR101,00\n").encode()


def test_a_line_longer_than_the_limit_is_a_malformed_statement_naming_line_and_limit() -> None:
    data = _mt940_with_long_line(MAX_LINE_BYTES + 10)
    with pytest.raises(MalformedStatementError) as info:
        read_statement(data, format="mt940")
    err = info.value
    assert err.location == "line 6"
    assert f"{MAX_LINE_BYTES:,} bytes" in err.message
    assert err.hint


def test_the_limit_names_the_file_and_counts_lines_ended_by_lone_cr(tmp_path: object) -> None:
    data = b"a\rb\r" + b"y" * 5_000
    with pytest.raises(MalformedStatementError) as info:
        list(iter_lines(io.BytesIO(data), max_line=2_000, chunk_size=1_000, filename="f.sta"))
    assert info.value.file == "f.sta"
    assert info.value.location == "line 3"


def test_a_line_just_under_the_limit_is_read() -> None:
    data = _mt940_with_long_line(MAX_LINE_BYTES - 100)
    (stmt,) = read_statement(data, format="mt940")
    assert stmt.entries[0].additional_info == "X" * (MAX_LINE_BYTES - 100)


def test_cfonb_records_end_to_end_on_one_line_have_no_length_limit() -> None:
    record = "0410278056806076EUR2 0002011234505011026  011026VIR RECU DUPONT".ljust(
        88
    ) + "0000000001000{".ljust(32)
    opening = "0110278    06076EUR2 00020112345  011026".ljust(90) + "0000000000000{".ljust(30)
    n = MAX_LINE_BYTES // 120 + 100
    closing = "0710278    06076EUR2 00020112345  011026".ljust(90) + "0000000000000{".ljust(30)
    data = (opening + record * n + closing).encode("latin-1")
    assert b"\n" not in data
    (stmt,) = read_statement(data, format="cfonb")
    assert len(stmt.entries) == n
