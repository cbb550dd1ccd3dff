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

__all__ = ["LEGACY_CODECS", "choose_legacy_codec", "decode_legacy", "iter_blocks", "iter_lines"]

_CHUNK = 1 << 16
_BOM = b"\xef\xbb\xbf"


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


def iter_blocks(stream: BinaryIO) -> Iterator[str]:
    """Decoded text of ``stream`` by blocks of whole lines: ``"\\n".join`` of the lines that
    :func:`iter_lines` yields for them (line ends normalized to LF, NUL bytes removed).

    Splitting every block on ``"\\n"`` gives exactly the lines of :func:`iter_lines`.
    """
    decoder = _Decoder()
    rest = b""
    first = True
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        if first:
            first = False
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        data = rest + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1 :]
        yield _clean_block(decoder.text(data[:cut]))
    if rest:
        yield _clean_block(decoder.text(rest))


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


def iter_lines(stream: BinaryIO) -> Iterator[str]:
    """Decoded lines of ``stream`` without their end of line (LF, CRLF or lone CR), read by chunks.

    A UTF-8 BOM at the start is dropped and NUL bytes are removed.
    """
    for block in iter_blocks(stream):
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
