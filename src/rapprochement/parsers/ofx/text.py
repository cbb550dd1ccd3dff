"""OFX values: header and encoding, entities, dates and amounts.

The lexical rules of OFX 1.x (SGML, OFX spec 1.6 §2.2-2.3, §3.2.8) and 2.x (XML, OFX spec 2.1.1
§2.2): a header block (``OFXHEADER:100`` lines, or ``<?xml ...?><?OFX ...?>``), dates written
``YYYYMMDD[HHMMSS[.XXX]][[+-h[.mm]:TZ]]`` (GMT when no zone is given) and amounts with a dot or,
at some banks, a comma as the decimal separator. Nothing here builds a model.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from rapprochement.money import parse_amount
from rapprochement.parsers._common.values import plain_decimal

__all__ = [
    "Decoded",
    "decode",
    "decode_stream",
    "parse_amount_text",
    "parse_date",
    "parse_datetime",
    "unescape",
]

_SGML_HEADER_LINE = re.compile(rb"^\s*([A-Z]+)\s*:\s*(.*?)\s*$", re.M)
_XML_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']", re.I)
_OFX_PI_VERSION = re.compile(rb"<\?OFX[^>]*?VERSION\s*=\s*[\"'](\d+)[\"']", re.I)

# Charsets named by OFX 1.x headers (CHARSET / ENCODING) and XML declarations, to Python codecs.
_CHARSETS = {
    "1252": "cp1252",
    "WINDOWS-1252": "cp1252",
    "CP1252": "cp1252",
    "ISO-8859-1": "latin-1",
    "8859-1": "latin-1",
    "ISO8859-1": "latin-1",
    "LATIN1": "latin-1",
    "LATIN-1": "latin-1",
    "UTF-8": "utf-8",
    "UTF8": "utf-8",
    "UNICODE": "utf-8",
}


class Decoded:
    """A decoded OFX file: its text, the header fields and how the bytes were decoded.

    Attributes:
        text: the whole file as text (header included, so line numbers stay true).
        header: the OFX 1.x header fields (``VERSION``, ``CHARSET``...), empty for OFX 2.x.
        version: ``"102"``, ``"211"``... from the header, None when the file has no header.
        encoding: the Python codec used.
        note: why the codec differs from the one the header declares, or None.
    """

    __slots__ = ("encoding", "header", "note", "text", "version")

    def __init__(
        self,
        text: str,
        header: dict[str, str],
        version: str | None,
        encoding: str,
        note: str | None,
    ) -> None:
        self.text = text
        self.header = header
        self.version = version
        self.encoding = encoding
        self.note = note


def _header(data: bytes) -> tuple[dict[str, str], str | None, str | None]:
    """Header fields, the version and the declared codec (None when none is declared)."""
    lt = data.find(b"<")
    head = data[: lt if lt >= 0 else 2048][:2048]
    fields = {
        k.decode("ascii"): v.decode("latin-1")
        for k, v in _SGML_HEADER_LINE.findall(head)
        if b"\x00" not in v
    }
    version = fields.get("VERSION")
    declared: str | None = None
    if fields:
        charset = fields.get("CHARSET", "").upper()
        encoding = fields.get("ENCODING", "").upper()
        declared = _CHARSETS.get(encoding) if encoding in ("UTF-8", "UNICODE") else None
        declared = declared or _CHARSETS.get(charset)
    xml_head = data[:1024]
    m = _XML_ENCODING.search(xml_head)
    if m:
        name = m.group(1).decode("ascii").upper()
        declared = _CHARSETS.get(name, name.lower())
    m = _OFX_PI_VERSION.search(xml_head)
    if m:
        version = m.group(1).decode("ascii")
    return fields, (version if version and version.isdigit() else None), declared


def decode(data: bytes) -> Decoded:
    """Decode an OFX file to text.

    Pure ASCII is ASCII. Otherwise valid UTF-8 is read as UTF-8 whatever the header says (banks
    often declare ``CHARSET:1252`` and send UTF-8; Windows-1252 text is almost never valid
    UTF-8), else the declared charset, else Windows-1252, else Latin-1 (which never fails). So
    Latin-1 names are not garbled and no byte makes decoding fail.
    """
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            if codec == "utf-16":
                text = text.lstrip("\ufeff")
            else:
                text = text[1:] if text.startswith("\ufeff") else text
            return Decoded(text, {}, None, codec, None)
    fields, version, declared = _header(data)
    if data.isascii():
        return Decoded(data.decode("ascii"), fields, version, "ascii", None)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        note = None
        if declared not in (None, "utf-8"):
            note = f"the header declares {declared} but the bytes are UTF-8; read as UTF-8"
        return Decoded(text, fields, version, "utf-8", note)
    candidates = [declared] if declared and declared != "utf-8" else []
    for codec in (*candidates, "cp1252"):
        try:
            codecs.lookup(codec)
            text = data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
        note = None
        if declared is not None and codec != declared:
            note = f"the header declares {declared} but the bytes are not; read as {codec}"
        return Decoded(text, fields, version, codec, note)
    note = "the bytes are neither UTF-8 nor Windows-1252; read as Latin-1"
    return Decoded(data.decode("latin-1"), fields, version, "latin-1", note)


#: Bytes decoded at once when an OFX file is streamed.
CHUNK = 1 << 20
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def _chunks(stream: BinaryIO, first: bytes) -> Iterator[bytes]:
    if first:
        yield first
    while chunk := stream.read(CHUNK):
        yield chunk


def _valid(stream: BinaryIO, start: int, codec: str) -> bool:
    """The bytes from ``start`` on decode with ``codec`` (scanned, nothing kept)."""
    stream.seek(start)
    try:
        decoder = codecs.getincrementaldecoder(codec)()
        for chunk in _chunks(stream, b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def _choose(stream: BinaryIO, start: int, head: bytes) -> tuple[str, str | None, str | None]:
    """Codec, version and note for the bytes from ``start`` on, as :func:`decode` chooses
    them, from passes over the stream that keep nothing."""
    _fields, version, declared = _header(head)
    stream.seek(start)
    if all(chunk.isascii() for chunk in _chunks(stream, b"")):
        return "ascii", version, None
    if _valid(stream, start, "utf-8"):
        note = None
        if declared not in (None, "utf-8"):
            note = f"the header declares {declared} but the bytes are UTF-8; read as UTF-8"
        return "utf-8", version, note
    candidates = [declared] if declared and declared != "utf-8" else []
    for codec in (*candidates, "cp1252"):
        if _valid(stream, start, codec):
            note = None
            if declared is not None and codec != declared:
                note = f"the header declares {declared} but the bytes are not; read as {codec}"
            return codec, version, note
    return "latin-1", version, "the bytes are neither UTF-8 nor Windows-1252; read as Latin-1"


def decode_stream(stream: BinaryIO) -> tuple[Iterator[str], str | None, str | None]:
    """The text of an OFX file in pieces, its version and the encoding note, as :func:`decode`
    gives them, holding at most :data:`CHUNK` bytes at a time (the encoding is chosen first,
    from passes over the bytes that keep nothing). A stream that cannot seek is read whole."""
    if not stream.seekable():
        decoded = decode(stream.read())
        return iter((decoded.text,)), decoded.version, decoded.note
    start = stream.tell()
    head = stream.read(2048)
    for bom, codec in _BOMS:
        if head.startswith(bom):
            stream.seek(start)
            return _pieces(stream, codec, "replace", strip_bom=True), None, None
    codec, version, note = _choose(stream, start, head)
    stream.seek(start)
    return _pieces(stream, codec, "strict", strip_bom=False), version, note


def _pieces(stream: BinaryIO, codec: str, errors: str, *, strip_bom: bool) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(codec)(errors=errors)
    leading = strip_bom
    for chunk in _chunks(stream, b""):
        text = decoder.decode(chunk)
        if leading and text:
            # utf-16 consumes its BOM, utf-8 leaves one U+FEFF: decode() strips them
            text = text.lstrip("\ufeff") if codec == "utf-16" else text.removeprefix("\ufeff")
            leading = codec == "utf-16" and not text
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail


_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,6});")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": "\u00a0"}


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name[0] == "#":
        try:
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else m.group()
        except ValueError:
            return m.group()
    return _NAMED.get(name.lower(), m.group())


def unescape(value: str) -> str:
    """Decode the SGML/XML character entities OFX uses (``&amp;`` ``&lt;`` ``&#233;``...).

    Only the five predefined entities, ``&nbsp;`` and character references: nothing is ever
    expanded from a DOCTYPE, so no entity bomb can grow the text.
    """
    return _ENTITY.sub(_entity, value) if "&" in value else value


_DATE_CACHE: dict[str, dt.date] = {}


def parse_date(value: str) -> dt.date:
    """The calendar date of an OFX date-time (its first 8 digits, as the bank wrote it).

    The date is not shifted to UTC: ``20240323000000[-3:GMT]`` is 23 March, the day the bank
    booked it. ``2024-03-23`` (seen in some exports) is accepted too.

    Raises:
        ValueError: not a date, or an impossible one (31 November).
    """
    key = value[:10]
    if key[:8].isdigit() and len(key) >= 8:
        key = key[:8]
        hit = _DATE_CACHE.get(key)
        if hit is not None:
            return hit
        try:
            day = dt.date(int(key[:4]), int(key[4:6]), int(key[6:8]))
        except ValueError:
            raise ValueError(f"impossible date {value!r}") from None
        if len(_DATE_CACHE) < 20_000:
            _DATE_CACHE[key] = day
        return day
    if len(key) == 10 and key[4] == "-" and key[7] == "-":
        try:
            return dt.date.fromisoformat(key)
        except ValueError:
            raise ValueError(f"impossible date {value!r}") from None
    raise ValueError(f"not an OFX date {value!r} (expected YYYYMMDD[HHMMSS])")


_DATETIME = re.compile(
    r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(?:[.:](\d{1,6}))?)?)?"
    r"\s*(?:\[\s*([+-]?\d{1,2}(?:[.:]\d{1,2})?)?\s*(?::[^\]]*)?\])?\s*$"
)


def parse_datetime(value: str) -> dt.datetime:
    """An OFX date-time with its zone (GMT when none is given, as the spec says).

    ``20090523122017.000[-5:EST]`` → 2009-05-23 12:20:17-05:00.

    Raises:
        ValueError: not an OFX date-time.
    """
    m = _DATETIME.match(value.strip())
    if m is None:
        raise ValueError(f"not an OFX date-time {value!r}")
    y, mo, d, hh, mi, ss, frac, tz = m.groups()
    offset = dt.timedelta(0)
    if tz:
        sign = -1 if tz.startswith("-") else 1
        hours, _, part = tz.lstrip("+-").replace(":", ".").partition(".")
        minutes = int(hours) * 60
        if part:
            # "+5.30" is read as 5 h 30 min, "+5.5" as 5 h 30 min (decimal hours).
            minutes += int(part) if len(part) == 2 else int(part) * 6
        offset = dt.timedelta(minutes=sign * minutes)
        if abs(offset) >= dt.timedelta(hours=24):
            raise ValueError(f"impossible zone offset in {value!r}")
    micro = int((frac or "0").ljust(6, "0")[:6])
    try:
        return dt.datetime(
            int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0), micro,
            tzinfo=dt.timezone(offset),
        )  # fmt: skip
    except ValueError:
        raise ValueError(f"impossible date-time {value!r}") from None


def parse_amount_text(value: str) -> Decimal:
    """An OFX amount (TRNAMT, BALAMT...) as an exact Decimal.

    ``-34.51``, ``+120``, ``.5``, and comma decimals (``-250,00``, ``1.234,56``) as some banks
    write them. Never a float.

    Raises:
        ValueError: empty or not an amount (``$120``, ``1e5``, ``NaN``).
    """
    text = value.strip()
    number = plain_decimal(text[1:] if text[:1] == "+" else text)
    if number is not None:
        return number
    if "," in text:
        try:
            return parse_amount(text)
        except (ValueError, InvalidOperation):
            pass
    raise ValueError(f"not an amount: {value.strip()!r}")
