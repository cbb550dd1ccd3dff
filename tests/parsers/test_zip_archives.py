"""ZIP archives: damaged or forged members are typed errors, and what an archive may expand to
is bounded while it is decompressed (issue 18, items 3 and 13)."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from rapprochement import (
    ArchiveLimitError,
    MalformedStatementError,
    StatementError,
    UnsupportedVersionError,
    ZipLimits,
    iter_statement,
    read_statement,
)

MT940 = (
    b":20:STMT1\r\n:25:NL91ABNA0417164300\r\n:28C:1/1\r\n:60F:C260102EUR100,00\r\n"
    b":61:2601020102C50,00NTRFNONREF//B1\r\n:86:/REMI/FA-2026-001/NAME/DUPONT SARL\r\n"
    b":62F:C260102EUR150,00\r\n-"
)
_CENTRAL = b"PK\x01\x02"
_EOCD = b"PK\x05\x06"


def _zip(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _central(data: bytes) -> int:
    return data.index(_CENTRAL)


def _patch(data: bytes, at: int, fmt: str, *values: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, at, *values)
    return bytes(out)


# -- damaged members: typed errors naming the archive and the member ---------------------------


def test_corrupt_deflate_data_is_a_malformed_member_error() -> None:
    data = bytearray(_zip({"a.sta": MT940 * 20}))
    start = 30 + len("a.sta")
    for k in range(start + 5, start + 25):
        data[k] ^= 0x5A  # the deflate stream itself: zlib.error escaped before
    with pytest.raises(MalformedStatementError, match=r"a\.sta") as info:
        read_statement(bytes(data))
    assert info.value.location == "a.sta"
    assert info.value.hint


def test_truncated_deflate_member_is_a_malformed_member_error() -> None:
    good = _zip({"a.sta": MT940 * 50})
    header = 30 + len("a.sta")
    central, end = _central(good), good.index(_EOCD)
    # the member's deflate stream cut in half, its sizes saying so: the decompressor meets the
    # end of its input before the end of the stream (EOFError escaped before)
    cut = good[header : header + (central - header) // 2]
    local = bytearray(good[:header] + cut)
    struct.pack_into("<I", local, 18, len(cut))
    directory = bytearray(good[central:end])
    struct.pack_into("<I", directory, 20, len(cut))
    eocd = bytearray(good[end:])
    struct.pack_into("<I", eocd, 16, len(local))
    with pytest.raises(MalformedStatementError, match="cannot extract") as info:
        read_statement(bytes(local + directory + eocd))
    assert info.value.location == "a.sta"


def test_negative_member_offset_is_malformed_not_a_seek_error() -> None:
    data = _zip({"a.sta": MT940})
    eocd = data.index(_EOCD)
    (offset,) = struct.unpack_from("<I", data, eocd + 16)
    # the end record places the directory 100 bytes later than it is: zipfile shifts every
    # member 100 bytes before the archive start ("negative seek value" escaped before)
    forged = _patch(data, eocd + 16, "<I", offset + 100)
    with pytest.raises(MalformedStatementError, match="ZIP") as info:
        read_statement(forged)
    assert info.value.file is None or "a.sta" in str(info.value)


def test_member_needing_a_newer_zip_version_is_unsupported() -> None:
    data = _zip({"a.sta": MT940})
    # "version needed to extract" 8.4 in the directory (NotImplementedError escaped before)
    forged = _patch(data, _central(data) + 6, "<H", 84)
    with pytest.raises(UnsupportedVersionError, match=r"8\.4"):
        read_statement(forged)


def test_unknown_compression_method_is_unsupported_and_names_the_member() -> None:
    data = _zip({"a.sta": MT940})
    forged = _patch(_patch(data, 8, "<H", 99), _central(data) + 10, "<H", 99)
    with pytest.raises(UnsupportedVersionError, match=r"a\.sta.*method 99") as info:
        read_statement(forged)
    assert info.value.location == "a.sta"


def test_bzip2_and_encrypted_members_are_unsupported() -> None:
    with pytest.raises(UnsupportedVersionError, match="bzip2"):
        read_statement(_zip({"a.sta": MT940}, zipfile.ZIP_BZIP2))
    data = _zip({"a.sta": MT940})
    encrypted = _patch(_patch(data, 6, "<H", 1), _central(data) + 8, "<H", 1)
    with pytest.raises(UnsupportedVersionError, match="encrypted"):
        read_statement(encrypted)


def test_member_name_that_is_not_the_utf8_it_claims_is_malformed() -> None:
    data = _zip({"a\u00e9.sta": MT940})  # written with the UTF-8 flag (bit 11)
    name = "a\u00e9.sta".encode()
    bad = data.replace(name, b"a\xff\xfe.sta")  # same length, invalid UTF-8
    with pytest.raises(MalformedStatementError, match="UTF-8"):
        read_statement(bad)


def test_truncated_archive_and_garbage_are_typed_errors() -> None:
    data = _zip({"a.sta": MT940 * 10, "b.sta": MT940})
    for cut in (10, len(data) // 2, len(data) - 5):
        with pytest.raises(StatementError):
            read_statement(data[:cut])


def test_lzma_members_are_read() -> None:
    stmts = read_statement(_zip({"a.sta": MT940}, zipfile.ZIP_LZMA))
    assert [s.statement_id for s in stmts] == ["STMT1"]


# -- bounds ----------------------------------------------------------------------------------


def _duplicate_entry(data: bytes, copies: int, rename: bool) -> bytes:
    """The archive with its one directory entry listed ``copies`` times (renamed b.sta, c.sta...
    when ``rename``), every copy pointing at the same member bytes."""
    start, end = _central(data), data.index(_EOCD)
    entry = data[start:end]
    entries = [entry]
    for k in range(1, copies):
        name = entry[46:51]
        entries.append(entry.replace(name, bytes([97 + k]) + name[1:]) if rename else entry)
    directory = b"".join(entries)
    eocd = bytearray(data[end:])
    struct.pack_into("<HHI", eocd, 8, copies, copies, len(directory))
    return data[:start] + directory + bytes(eocd)


def test_duplicate_directory_entries_are_refused() -> None:
    data = _zip({"a.sta": MT940})
    assert len(read_statement(_duplicate_entry(data, 1, rename=False))) == 1
    # the same name listed 50 times: read 50 times before
    with pytest.raises(MalformedStatementError, match="twice"):
        read_statement(_duplicate_entry(data, 50, rename=False))
    # other names, the same bytes: each entry expanded the one member again before
    with pytest.raises(MalformedStatementError, match="overlaps"):
        read_statement(_duplicate_entry(data, 20, rename=True))


def test_a_member_expanding_beyond_the_ratio_is_refused_while_it_is_read() -> None:
    # 3 MB of blank lines after a valid statement: deflate makes it about 3 KB (ratio ~1000)
    bomb = _zip({"bomb.sta": MT940 + b"\r\n" * 1_500_000})
    with pytest.raises(ArchiveLimitError, match=r"bomb\.sta.*ZipLimits\.ratio") as info:
        read_statement(bomb)
    assert info.value.limit == "ratio"
    assert "zip_limits" in (info.value.hint or "")


def test_total_and_member_bounds_are_parameters() -> None:
    data = _zip({f"{k}.sta": MT940 + b"\r\n" * 5_000 for k in range(4)})
    assert len(read_statement(data)) == 4
    with pytest.raises(ArchiveLimitError) as info:
        read_statement(data, zip_limits=ZipLimits(total_bytes=25_000))
    assert info.value.limit == "total_bytes"
    with pytest.raises(ArchiveLimitError) as info:
        read_statement(data, zip_limits=ZipLimits(member_bytes=5_000))
    assert info.value.limit == "member_bytes"
    with pytest.raises(ArchiveLimitError) as info:
        read_statement(data, zip_limits=ZipLimits(members=3))
    assert info.value.limit == "members"
    with pytest.raises(ArchiveLimitError) as info:
        list(iter_statement(data, zip_limits=ZipLimits(ratio=2, ratio_floor=1_000)))
    assert info.value.limit == "ratio"


def test_a_declared_size_that_lies_is_caught_while_decompressing() -> None:
    data = _zip({"a.sta": MT940 + b"\r\n" * 50_000})
    # the directory and the local header claim 300 bytes: the member is cut there and fails
    # its CRC, it is never read past what it declares
    forged = _patch(_patch(data, 22, "<I", 300), _central(data) + 24, "<I", 300)
    with pytest.raises(MalformedStatementError, match="CRC"):
        read_statement(forged, zip_limits=ZipLimits(member_bytes=1_000))
    # a declared size above the bound is refused before anything is decompressed
    with pytest.raises(ArchiveLimitError, match="declares"):
        read_statement(data, zip_limits=ZipLimits(member_bytes=1_000))


def test_an_end_record_announcing_too_many_entries_is_refused_before_the_directory() -> None:
    data = _zip({"a.sta": MT940})
    eocd = data.index(_EOCD)
    forged = _patch(data, eocd + 8, "<HH", 60_000, 60_000)
    with pytest.raises(ArchiveLimitError, match="60000 entries"):
        read_statement(forged)
