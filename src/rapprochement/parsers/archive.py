"""ZIP archives of statements: members read one at a time, within bounds, defects typed.

A ZIP can lie: its directory can list one member many times or point entries at the same bytes,
declare small sizes for huge contents, or use a method whose expansion cannot be bounded.
Members are handed to the parsers as streams, and what they expand to is counted while it is
decompressed (declared sizes are checked first, then the bytes actually produced):

* ``members``: at most this many entries (read from the archive's end record, before its
  directory is loaded);
* ``member_bytes``: no member expands beyond this many bytes;
* ``total_bytes``: the members read expand to no more than this in all;
* ``ratio``: no member, and not the archive as a whole, expands more than this many times its
  compressed size, once past ``ratio_floor`` bytes (a small file may compress very well);
* no two entries share a name or overlap each other's bytes;
* methods: stored, deflate (what every ZIP tool writes by default) and LZMA. bzip2 (one
  decompression step can expand a million-fold before it can be counted), Deflate64, other
  methods and encrypted members are refused with :class:`UnsupportedVersionError`.

A bound exceeded raises :class:`~rapprochement.errors.ArchiveLimitError` naming the bound; a
damaged archive :class:`~rapprochement.errors.MalformedStatementError` naming the member.
"""

from __future__ import annotations

import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, BinaryIO

from rapprochement.errors import (
    ArchiveLimitError,
    MalformedStatementError,
    UnsupportedVersionError,
)

__all__ = [
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_MEMBER_BYTES",
    "MAX_ZIP_RATIO",
    "MAX_ZIP_TOTAL_BYTES",
    "ZIP_RATIO_FLOOR",
    "ZipLimits",
    "members",
]

#: Most entries (files and folders) an archive may list.
MAX_ZIP_MEMBERS = 10_000
#: Most bytes one member may expand to (512 MiB).
MAX_ZIP_MEMBER_BYTES = 512 * 2**20
#: Most bytes the members read from one archive may expand to in all (1 GiB).
MAX_ZIP_TOTAL_BYTES = 2**30
#: Largest expansion (decompressed / compressed size) of a member and of the whole archive.
#: Statements compress 10 to 45 times (generated 50 000-entry CAMT files: 45); ZIP bombs 1 000.
MAX_ZIP_RATIO = 200
#: Bytes a member (or the archive) may expand to before the ratio is checked (1 MiB).
ZIP_RATIO_FLOOR = 2**20


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """The bounds a ZIP archive is read within (defaults: the module constants).

    Pass ``read_statement(path, zip_limits=ZipLimits(total_bytes=4 * 2**30))`` to read a
    genuine archive beyond a default bound.
    """

    members: int = MAX_ZIP_MEMBERS
    member_bytes: int = MAX_ZIP_MEMBER_BYTES
    total_bytes: int = MAX_ZIP_TOTAL_BYTES
    ratio: int = MAX_ZIP_RATIO
    ratio_floor: int = ZIP_RATIO_FLOOR


_READ = {zipfile.ZIP_STORED: 64 * 1024, zipfile.ZIP_DEFLATED: 64 * 1024, zipfile.ZIP_LZMA: 4096}
_METHODS = {9: "Deflate64", 12: "bzip2", 93: "Zstandard", 95: "xz", 97: "WavPack", 98: "PPMd"}
# What the zipfile machinery raises on damaged data (a bad name's UnicodeDecodeError is a
# ValueError, a negative offset's "negative seek value" too).
_BROKEN = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    struct.error,
    OverflowError,
    IndexError,
)
_HINT_BROKEN = (
    "the archive is damaged: download or export it again, or extract the statement files with"
    " another tool and read them one by one"
)
_HINT_LIMIT = (
    "if the archive is genuine, extract it and read its files one by one, or raise the bound"
    " with read_statement(..., zip_limits=ZipLimits(...))"
)
_HINT_METHOD = "re-create the archive with the usual Deflate method, or extract its files first"
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_LOCAL_HEADER = 30  # fixed part of a local file header, before its name and extra field
# A central-directory entry: 46 bytes, then its name, extra field and comment (bank archives:
# well under 1 KiB; a directory larger than this many bytes per allowed entry is refused).
_MAX_CENTRAL_ENTRY = 46 + 1024


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        raw = exc.object if isinstance(exc.object, bytes) else b""
        name = raw.decode("utf-8", errors="replace")
        return f"a member name is marked UTF-8 but is not ({name!r})"
    return str(exc) or type(exc).__name__


def _declared_entries(fp: BinaryIO) -> tuple[int, int] | None:
    """Entry count and directory size from the end record (ZIP64 included), None when absent
    (:class:`zipfile.ZipFile` then says what is wrong)."""
    size = fp.seek(0, io.SEEK_END)
    tail_size = min(size, 22 + 0xFFFF + 20)
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return None
    count, directory = struct.unpack_from("<HI", tail, at + 10)
    if count != 0xFFFF and directory != 0xFFFFFFFF:
        return count, directory
    locator = at - 20
    if locator < 0 or tail[locator : locator + 4] != _EOCD64_LOCATOR:
        return count, directory
    (offset,) = struct.unpack_from("<Q", tail, locator + 8)
    if offset >= size:
        return count, directory
    fp.seek(offset)
    record = fp.read(56)
    if len(record) < 56 or record[:4] != _EOCD64:
        return count, directory
    count64, directory64 = struct.unpack_from("<QQ", record, 32)
    return count64, directory64


def _check_count(count: int, filename: str | None, limits: ZipLimits, directory: int = 0) -> None:
    what = None
    if count > limits.members:
        what = f"lists {count} entries"
    elif directory > limits.members * _MAX_CENTRAL_ENTRY:
        what = f"has a directory of {directory} bytes"
    if what is not None:
        raise ArchiveLimitError(
            f"the ZIP archive {what}; at most {limits.members} entries are read"
            " (bound ZipLimits.members)",
            limit="members",
            file=filename,
            hint=_HINT_LIMIT,
        )


def _open_archive(fp: BinaryIO, filename: str | None, limits: ZipLimits) -> zipfile.ZipFile:
    try:
        declared = _declared_entries(fp)
        fp.seek(0)
        if declared is not None:
            _check_count(declared[0], filename, limits, declared[1])
        return zipfile.ZipFile(fp)
    except NotImplementedError as exc:
        raise UnsupportedVersionError(
            f"the ZIP archive needs a feature we do not read ({exc})",
            file=filename,
            hint=_HINT_METHOD,
        ) from None
    except _BROKEN as exc:
        raise MalformedStatementError(
            f"broken ZIP archive: {_reason(exc)}", file=filename, hint=_HINT_BROKEN
        ) from None


def _check_entries(
    infos: list[zipfile.ZipInfo], directory_start: int, filename: str | None
) -> None:
    """Refuse entries that share a name or whose bytes overlap (one member read many times)."""
    names: set[str] = set()
    for info in infos:
        if info.filename in names:
            raise MalformedStatementError(
                f"the ZIP archive lists the member {info.filename!r} twice",
                file=filename,
                location=info.filename,
                hint=_HINT_BROKEN,
            )
        names.add(info.filename)
    by_offset = sorted(infos, key=lambda i: i.header_offset)
    for info, after in zip(by_offset, [*by_offset[1:], None], strict=True):
        end = info.header_offset + _LOCAL_HEADER + info.compress_size
        limit = directory_start if after is None else after.header_offset
        if info.header_offset < 0 or end > limit:
            other = "the directory" if after is None else repr(after.filename)
            raise MalformedStatementError(
                f"the ZIP member {info.filename!r} overlaps {other}: its bytes are listed twice"
                " (a forged archive)",
                file=filename,
                location=info.filename,
                hint=_HINT_BROKEN,
            )


def _check_member(info: zipfile.ZipInfo, filename: str | None, limits: ZipLimits) -> None:
    """Refuse, before reading it, a member we cannot read or that declares too much."""
    name = info.filename
    if info.flag_bits & 0x1:
        raise UnsupportedVersionError(
            f"the ZIP member {name!r} is encrypted",
            file=filename,
            location=name,
            hint="extract it with its password and read the file itself",
        )
    if info.compress_type not in _READ:
        method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
        raise UnsupportedVersionError(
            f"the ZIP member {name!r} is compressed with {method}; we read stored, deflate"
            " and LZMA members",
            file=filename,
            location=name,
            hint=_HINT_METHOD,
        )
    if info.file_size > limits.member_bytes:
        raise ArchiveLimitError(
            f"the ZIP member {name!r} declares {info.file_size} bytes; at most"
            f" {limits.member_bytes} are read per member",
            limit="member_bytes",
            file=filename,
            location=name,
            hint=_HINT_LIMIT,
        )


class _Budget:
    """What the members of one archive have expanded to so far."""

    __slots__ = ("archive_bytes", "filename", "limits", "produced")

    def __init__(self, limits: ZipLimits, archive_bytes: int, filename: str | None) -> None:
        self.limits = limits
        self.archive_bytes = archive_bytes
        self.filename = filename
        self.produced = 0


class _Member(io.RawIOBase):
    """The decompressed bytes of one member, counted against the bounds as they come."""

    def __init__(self, raw: IO[bytes], info: zipfile.ZipInfo, budget: _Budget) -> None:
        super().__init__()
        self._raw = raw
        self._info = info
        self._budget = budget
        self._chunk = _READ[info.compress_type]
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        budget = self._budget
        try:
            data = self._raw.read(min(len(b), self._chunk))
        except _BROKEN as exc:
            raise MalformedStatementError(
                f"cannot extract the ZIP member {self._info.filename!r}: {_reason(exc)}",
                file=budget.filename,
                location=self._info.filename,
                hint=_HINT_BROKEN,
            ) from None
        n = len(data)
        b[:n] = data
        self.produced += n
        budget.produced += n
        self._check()
        return n

    def _check(self) -> None:
        budget, limits, name = self._budget, self._budget.limits, self._info.filename
        exceeded: tuple[str, str] | None = None
        if self.produced > limits.member_bytes:
            exceeded = ("member_bytes", f"expands beyond {limits.member_bytes} bytes")
        elif budget.produced > limits.total_bytes:
            exceeded = (
                "total_bytes",
                f"takes the archive beyond {limits.total_bytes} decompressed bytes",
            )
        elif self.produced > limits.ratio_floor and self.produced > limits.ratio * max(
            self._info.compress_size, 1
        ):
            exceeded = ("ratio", f"expands more than {limits.ratio} times its compressed size")
        elif budget.produced > limits.ratio_floor and budget.produced > limits.ratio * max(
            budget.archive_bytes, 1
        ):
            exceeded = (
                "ratio",
                f"takes the archive beyond {limits.ratio} times its size"
                f" ({budget.archive_bytes} bytes)",
            )
        if exceeded is not None:
            raise ArchiveLimitError(
                f"the ZIP member {name!r} {exceeded[1]} (bound ZipLimits.{exceeded[0]})",
                limit=exceeded[0],
                file=budget.filename,
                location=name,
                hint=_HINT_LIMIT,
            )

    def close(self) -> None:
        self._raw.close()
        super().close()


def _skipped(name: str) -> bool:
    return name.startswith("__MACOSX/") or name.endswith("/.DS_Store") or name == ".DS_Store"


def members(
    fh: BinaryIO, filename: str | None, limits: ZipLimits
) -> Iterator[tuple[str, BinaryIO]]:
    """Each member of a ZIP archive (folders and macOS metadata skipped), in name order, with
    a stream of its decompressed bytes that enforces ``limits`` as it is read.

    Raises:
        ArchiveLimitError: a bound of ``limits`` is exceeded.
        MalformedStatementError: the archive or a member is damaged or forged.
        UnsupportedVersionError: a member is encrypted or uses a method we do not read.
    """
    fp: BinaryIO = fh if fh.seekable() else io.BytesIO(fh.read())
    archive = _open_archive(fp, filename, limits)
    with archive:
        infos = archive.infolist()
        _check_count(len(infos), filename, limits)
        _check_entries(infos, archive.start_dir, filename)
        budget = _Budget(limits, fp.seek(0, io.SEEK_END), filename)
        for info in sorted(infos, key=lambda i: i.filename):
            if info.is_dir() or _skipped(info.filename):
                continue
            _check_member(info, filename, limits)
            try:
                raw = archive.open(info)
            except (NotImplementedError, RuntimeError) as exc:
                raise UnsupportedVersionError(
                    f"cannot read the ZIP member {info.filename!r}: {exc}",
                    file=filename,
                    location=info.filename,
                    hint=_HINT_METHOD,
                ) from None
            except _BROKEN as exc:
                raise MalformedStatementError(
                    f"cannot extract the ZIP member {info.filename!r}: {_reason(exc)}",
                    file=filename,
                    location=info.filename,
                    hint=_HINT_BROKEN,
                ) from None
            with _Member(raw, info, budget) as stream:
                yield info.filename, stream  # type: ignore[misc]
