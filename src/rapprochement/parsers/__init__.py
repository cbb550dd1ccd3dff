"""Statement parsers: one entry point, the format sniffed from the bytes.

>>> from rapprochement import read_statement
>>> statements = read_statement("statement.xml")        # doctest: +SKIP

Formats: CAMT (camt.052 / .053 / .054, any version .001.01 to .001.13, plain or in a ZIP),
MT940 / MT942 (SWIFT text, bank dialects), OFX 1.x (SGML) / 2.x (XML), CFONB 120 (the French
banks' 120-character statement) and bank CSV exports (web banking downloads with a header). Each
lives in its own package (``camt``, ``mt940``, ``ofx``, ``cfonb``, ``csv``) with the same public
face, ``sniff``, ``iter_events`` and ``read`` (:mod:`rapprochement.parsers._common.face`); what
they share is in ``_common``. :func:`read_statement` dispatches through the registry
(:mod:`rapprochement.parsers.registry`), where other packages add formats through the
``rapprochement.formats`` entry points.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from rapprochement.errors import (
    MalformedStatementError,
    RapprochementError,
    StatementError,
    StrictModeError,
    UnknownFormatError,
)
from rapprochement.model import Entry, Statement
from rapprochement.parsers._common import Event, collect, stream
from rapprochement.parsers._common.values import model_problem
from rapprochement.parsers.archive import ZipLimits, members
from rapprochement.parsers.registry import BUILTIN_FORMATS, StatementFormat, formats, get_format
from rapprochement.parsers.registry import sniff as sniff_registered

__all__ = [
    "FORMATS",
    "Source",
    "StatementFormat",
    "ZipLimits",
    "formats",
    "iter_statement",
    "read_statement",
    "sniff_format",
]

#: The built-in format names ``format=`` accepts, in sniffing order (installed formats come
#: after them: :func:`~rapprochement.parsers.registry.formats`).
FORMATS: tuple[str, ...] = BUILTIN_FORMATS

Source = str | os.PathLike[str] | bytes | bytearray | BinaryIO

_HEAD = 4096
_ZIP_MAGIC = b"PK\x03\x04"


def _strip_head(head: bytes) -> bytes:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    return head.lstrip(b" \t\r\n\x00")


def sniff_format(head: bytes) -> str | None:
    """The format of a file from its first bytes: ``"zip"``, ``"camt"``, ``"ofx"``, ``"mt940"``,
    ``"cfonb"``, ``"csv"``, or the name of an installed format.

    Returns None when no format recognises it.
    """
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    return sniff_registered(_strip_head(head[:_HEAD]))


def _name_of(source: Source) -> str | None:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def _open(source: Source) -> tuple[BinaryIO, bool]:
    if isinstance(source, (bytes, bytearray)):
        return io.BytesIO(bytes(source)), True
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            return path.open("rb"), True
        except FileNotFoundError:
            raise StatementError(
                "file not found", file=str(path), hint="check the path and the working folder"
            ) from None
        except OSError as exc:
            raise StatementError(f"cannot open file: {exc.strerror}", file=str(path)) from None
    if not hasattr(source, "read"):
        raise StatementError(
            f"cannot read a {type(source).__name__}",
            hint="pass a path, bytes or a file opened in binary mode",
        )
    return source, False


def _peek(fh: BinaryIO) -> tuple[bytes, BinaryIO]:
    """First bytes of a stream, and a stream that still yields them."""
    if fh.seekable():
        pos = fh.tell()
        head = fh.read(_HEAD)
        fh.seek(pos)
        return head, fh
    head = fh.read(_HEAD)
    if isinstance(head, str):
        raise StatementError("the file was opened in text mode", hint="open it with 'rb'")
    return head, _Prefixed(head, fh)  # type: ignore[return-value]


class _Prefixed(io.RawIOBase):
    """A non-seekable stream with bytes already read put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(b))
        b[: len(data)] = data
        return len(data)


def _events(
    fh: BinaryIO,
    fmt: str | None,
    filename: str | None,
    member: str | None = None,
    limits: ZipLimits | None = None,
) -> Iterator[Event]:
    head, fh = _peek(fh)
    if fmt is None:
        fmt = sniff_format(head)
        if fmt is None:
            if not _strip_head(head):
                raise UnknownFormatError("the file is empty", file=filename)
            raise UnknownFormatError(
                "not a bank statement format we read (CAMT, MT940/MT942, OFX, CFONB 120,"
                " bank CSV exports with a header line)",
                file=filename,
                location=member,
                hint="check that this is a statement export; pass format= to force a parser",
            )
    if fmt == "zip" or head.startswith(_ZIP_MAGIC):
        yield from _zip_events(fh, filename, limits or ZipLimits())
        return
    reader = get_format(fmt)
    try:
        yield from reader.iter_events(fh, filename=filename, member=member)
    except RapprochementError:
        raise
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:
        # Whatever a parser did not foresee (KeyError, lxml errors, InvalidOperation, a model's
        # ValidationError...) still surfaces as one typed error naming the file and the
        # original cause, never bare.
        cause = model_problem(exc)
        raise MalformedStatementError(
            f"unreadable {fmt} file ({type(exc).__name__}: {cause})",
            file=filename,
            location=member,
            hint="please report this file; it may be a dialect we do not read yet",
        ) from exc


def _zip_events(fh: BinaryIO, filename: str | None, limits: ZipLimits) -> Iterator[Event]:
    found = False
    for name, content in members(fh, filename, limits):
        head, content = _peek(content)
        if head.startswith(_ZIP_MAGIC):
            continue  # an archive inside the archive: not opened
        fmt = sniff_format(head)
        if fmt is None:
            continue
        found = True
        yield from _events(content, fmt, filename, member=name)
    if not found:
        raise UnknownFormatError("the ZIP archive holds no statement file", file=filename)


def _check_strict(stmt: Statement) -> None:
    bad = tuple(f for f in stmt.findings if f.severity != "info")
    if bad:
        first = bad[0]
        raise StrictModeError(
            f"{len(bad)} finding(s), first: [{first.code}] {first.message}",
            findings=bad,
            file=stmt.source.file,
            location=first.source.describe() if first.source else None,
            hint="call without strict=True to get the statement with its findings",
        )


def read_statement(
    source: Source,
    *,
    format: str | None = None,
    strict: bool = False,
    zip_limits: ZipLimits | None = None,
) -> list[Statement]:
    """Read every statement in a file.

    Args:
        source: a path, the file's bytes, or a file opened in binary mode.
        format: ``"camt"``, ``"mt940"``, ``"ofx"``, ``"cfonb"``, ``"csv"`` or the name of an
            installed format (:func:`formats`) to force a parser; sniffed when None.
        strict: raise :class:`~rapprochement.errors.StrictModeError` when a statement has a
            finding of severity warning or error, instead of returning it with its findings.
        zip_limits: the bounds a ZIP archive is read within (:class:`ZipLimits`; defaults:
            the constants of :mod:`rapprochement.parsers.archive`).

    Returns:
        The statements in file order, each with its entries, balances and findings.

    Raises:
        UnknownFormatError: the bytes are no format we read.
        MalformedStatementError: the file is broken beyond what a finding can describe.
        UnsupportedVersionError: a known format in a version we do not read (or a ZIP member
            compressed or encrypted in a way we do not read).
        ArchiveLimitError: a ZIP archive exceeds a bound of ``zip_limits``.
        StrictModeError: ``strict=True`` and a statement has findings.
    """
    fh, owned = _open(source)
    try:
        statements = collect(_events(fh, format, _name_of(source), limits=zip_limits))
    finally:
        if owned:
            fh.close()
    if strict:
        for stmt in statements:
            _check_strict(stmt)
    return statements


def iter_statement(
    source: Source,
    *,
    format: str | None = None,
    strict: bool = False,
    zip_limits: ZipLimits | None = None,
) -> Iterator[Entry | Statement]:
    """Stream a file: each entry as it is read, then its statement (with ``entries=()``).

    Memory does not grow with the number of entries: nothing is kept but what the caller keeps.
    Entries carry their final fingerprint; the statement carries its balances and findings
    (the balance check included), so a caller can count or store entries as they come.
    """
    fh, owned = _open(source)
    try:
        for item in stream(_events(fh, format, _name_of(source), limits=zip_limits)):
            if strict and isinstance(item, Statement):
                _check_strict(item)
            yield item
    finally:
        if owned:
            fh.close()
