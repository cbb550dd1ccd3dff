"""MT940 text: reading lines incrementally and deciding their encoding without garbling names.

SWIFT itself is ASCII, but bank exports carry names in UTF-8, CP1252/Latin-1 (Western Europe),
CP1250 (Central Europe: Polish mBank) or CP852 (DOS Latin-2: Hungarian Raiffeisen). One encoding
per file, decided on 64 KiB chunks of whole lines so memory stays flat whatever the file size:

1. A UTF-8 BOM is dropped. While every chunk decodes as UTF-8, the file is UTF-8: non-ASCII text
   in a legacy code page is almost never valid UTF-8 by accident (it needs a lead byte
   0xC2-0xF4 followed by exactly the right number of 0x80-0xBF bytes).
2. At the first chunk that does not decode, the file is in a legacy code page, chosen once by
   byte statistics over that chunk (:func:`choose_legacy_codec`): decoded with each candidate
   (CP1252, CP1250, CP852), count the non-ASCII letters that fit their ASCII neighbours' case
   (an upper-case letter beside upper-case letters, or no ASCII letter beside it). 0xA3 is "Ł" in
   CP1250 (fits "SPÓŁKA"), "£" in CP1252 (not a letter) and "ú" in CP852 (lower case inside an
   upper-case word). The highest count wins; ties go to the earlier candidate, so text whose
   accented letters exist in all three ("Müller", "Société") stays CP1252. Bytes a code page
   leaves undefined decode as Latin-1, so decoding never fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from rapprochement.errors import MalformedStatementError

__all__ = [
    "LEGACY_CODECS",
    "MAX_LINE_BYTES",
    "choose_legacy_codec",
    "decode_legacy",
    "iter_blocks",
    "iter_lines",
]

_CHUNK = 1 << 16
_BOM = b"\xef\xbb\xbf"
#: The longest line read, in bytes: a statement line is at most a few hundred bytes; a line of
#: a megabyte is no statement (or a file without line ends), refused before it fills memory.
MAX_LINE_BYTES = 1 << 20


#: Legacy code pages in order of preference: a tie goes to the earlier one.
LEGACY_CODECS: tuple[str, ...] = ("cp1252", "cp1250", "cp852")


def _plausibility(text: str) -> int:
    """Non-ASCII letters that fit their ASCII neighbours' case (or have no ASCII neighbour)."""
    score = 0
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch < "\x80" or not ch.isalpha():
            continue
        upper = ch.isupper()
        fits = None
        for j in (i - 1, i + 1):
            if 0 <= j <= last and text[j] < "\x80" and text[j].isalpha():
                if text[j].isupper() == upper:
                    fits = True
                    break
                fits = False
        if fits is not False:
            score += 1
    return score


def choose_legacy_codec(sample: bytes) -> str:
    """The legacy code page under which ``sample`` reads most like text (see the module doc)."""
    best, best_score = LEGACY_CODECS[0], -1
    for codec in LEGACY_CODECS:
        score = _plausibility(sample.decode(codec, errors="replace"))
        if score > best_score:
            best, best_score = codec, score
    return best


def decode_legacy(line: bytes, codec: str) -> str:
    """Decode ``line`` with ``codec``; bytes the code page leaves undefined fall back to Latin-1."""
    try:
        return line.decode(codec)
    except UnicodeDecodeError:
        return "".join(_decode_byte(line[i : i + 1], codec) for i in range(len(line)))


def _decode_byte(b: bytes, codec: str) -> str:
    try:
        return b.decode(codec)
    except UnicodeDecodeError:
        return b.decode("latin-1")


class _Decoder:
    """Decodes chunks of whole lines: UTF-8 until a chunk is not, then one legacy code page."""

    __slots__ = ("codec",)

    def __init__(self) -> None:
        self.codec: str | None = None

    def text(self, block: bytes) -> str:
        if self.codec is None:
            try:
                return block.decode("utf-8")
            except UnicodeDecodeError:
                self.codec = choose_legacy_codec(block)
        try:
            # The legacy code pages are single-byte and stateless: decoding the block at once
            # gives what decoding it line by line gives, unless a byte is undefined.
            return block.decode(self.codec)
        except UnicodeDecodeError:
            return "\n".join(decode_legacy(line, self.codec) for line in block.split(b"\n"))


def _cut(chunk: bytes) -> tuple[int, int]:
    """Where ``chunk`` can be cut between two lines: ``(end of the text before, start of the
    rest)``, or ``(-1, -1)`` when it holds no line end sure to be one.

    The last LF; else (lone CR line ends) the first CR of the last run of CRs followed, inside
    the chunk, by a byte other than CR. A run ending the chunk may be the CR of a CRLF or go on
    in the next chunk; a run starting it may continue CRs before it (the text before would end
    in CR, which :func:`_clean_block` takes for the CR of a CRLF): no cut at either.
    """
    lf = chunk.rfind(b"\n")
    if lf >= 0:
        return lf, lf + 1
    cr = chunk.rfind(b"\r", 0, len(chunk.rstrip(b"\r")))
    while cr > 0 and chunk[cr - 1] == 0x0D:
        cr -= 1
    return (cr, cr + 1) if cr > 0 else (-1, -1)


def iter_blocks(
    stream: BinaryIO,
    *,
    max_line: int | None = MAX_LINE_BYTES,
    filename: str | None = None,
    member: str | None = None,
    chunk_size: int = _CHUNK,
) -> Iterator[str]:
    """Decoded text of ``stream`` by blocks of whole lines: ``"\\n".join`` of the lines that
    :func:`iter_lines` yields for them (line ends normalized to LF, NUL bytes removed).

    Splitting every block on ``"\\n"`` gives exactly the lines of :func:`iter_lines`. Linear in
    the size of the stream: the bytes of a line spread over many chunks are kept as a list of
    chunks and joined once, when its end arrives.

    Raises:
        MalformedStatementError: a line is longer than ``max_line`` bytes (None: no limit); a
            line within one chunk is not measured, so ``max_line`` must be at least
            ``chunk_size``.
    """
    decoder = _Decoder()
    pending: list[bytes] = []  # the unfinished text: no LF inside, CRs only where not cut
    pending_size = 0  # bytes of its last line (after its last CR)
    lines = 0  # lines yielded so far
    first = True
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            break
        if first:
            first = False
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        end, start = _cut(chunk)
        if end < 0:
            pending.append(chunk)
            pending_size = _tail(chunk) if b"\r" in chunk else pending_size + len(chunk)
            if max_line is not None and pending_size > max_line:
                raise _too_long(lines, pending, max_line, filename, member)
            continue
        head = chunk[:end]
        if pending:
            if max_line is not None and pending_size + _first_end(chunk) > max_line:
                raise _too_long(lines, pending, max_line, filename, member)
            pending.append(head)
            head = b"".join(pending)
            pending = []
        block = _clean_block(decoder.text(head))
        lines += block.count("\n") + 1
        yield block
        rest = chunk[start:]
        if rest:
            pending.append(rest)
        pending_size = _tail(rest)
    if pending:
        yield _clean_block(decoder.text(b"".join(pending)))


def _first_end(chunk: bytes) -> int:
    """Bytes before the first line end (LF or CR) of a chunk that holds one."""
    ends = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
    return min(ends)


def _tail(data: bytes) -> int:
    """Bytes after the last CR of ``data`` (all of them without a CR)."""
    return len(data) - data.rfind(b"\r") - 1


def _too_long(
    lines: int, pending: list[bytes], limit: int, filename: str | None, member: str | None
) -> MalformedStatementError:
    """The error for the last line of ``pending``, after ``lines`` lines already read."""
    line = lines + 1 + sum(part.count(b"\r") for part in pending)
    location = f"line {line}" if member is None else f"{member} line {line}"
    return MalformedStatementError(
        f"line {line} is longer than {limit:,} bytes: no statement line is that long",
        file=filename,
        location=location,
        hint="check that this is a statement export with line breaks (not a binary, "
        "compressed or XML file)",
    )


def _clean_block(text: str) -> str:
    """The block with every line cleaned as :func:`_clean` does, lines still joined by LF."""
    if "\r" in text:
        crlf = text.replace("\r\n", "\n")
        if crlf.endswith("\r"):
            crlf = crlf[:-1]
        if "\r" in crlf:
            return "\n".join(_clean(text.split("\n")))
        text = crlf
    if "\x00" in text:
        return text.replace("\x00", "")
    return text


def iter_lines(
    stream: BinaryIO,
    *,
    max_line: int | None = MAX_LINE_BYTES,
    filename: str | None = None,
    member: str | None = None,
    chunk_size: int = _CHUNK,
) -> Iterator[str]:
    """Decoded lines of ``stream`` without their end of line (LF, CRLF or lone CR), read by chunks.

    A UTF-8 BOM at the start is dropped and NUL bytes are removed. Arguments and errors as
    :func:`iter_blocks`.
    """
    blocks = iter_blocks(
        stream, max_line=max_line, filename=filename, member=member, chunk_size=chunk_size
    )
    for block in blocks:
        yield from block.split("\n")


def _clean(lines: list[str]) -> Iterator[str]:
    for line in lines:
        if "\r" in line:
            # CRLF, or old Mac files with lone CR line ends.
            line = line.rstrip("\r")
            if "\r" in line:
                yield from (part.replace("\x00", "") for part in line.split("\r"))
                continue
        if "\x00" in line:
            line = line.replace("\x00", "")
        yield line
