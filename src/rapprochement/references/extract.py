"""Find payment references in messy remittance text, and normalize tokens for matching.

:func:`find_references` returns every checksummed reference (RF, OGM, Swiss QR, Finnish, KID)
and every invoice-number-like token (``FA-2026-00123``, ``Fact. 2026/123``, ``INV00123``) with
its position in the text. It is tolerant on purpose: references written with spaces, ``***``
instead of ``+++``, glued to the next word (``INV00123merci``) or cut by a line wrap
(``FA-2026-00`` / ``123``) are still found; whether a check digit validates is reported in
:attr:`Reference.valid`, never used to drop a token.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapprochement.references import fi, kid, ogm, qr, rf

__all__ = ["Found", "Reference", "find_references", "normalize_token", "scan_references"]


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference found in free text.

    Attributes:
        scheme: ``rf``, ``ogm``, ``qr``, ``fi``, ``kid`` or ``invoice`` (invoice-like token).
        value: compact, normalized value (see :func:`normalize_token` for ``invoice``).
        raw: the text as written.
        start: offset of ``raw`` in the text.
        end: offset just past ``raw``.
        valid: True when the scheme's check digit validates (always True for ``invoice``).
    """

    scheme: str
    value: str
    raw: str
    start: int
    end: int
    valid: bool


_RF_RE = re.compile(r"(?<![A-Za-z0-9])RF ?\d ?\d(?: ?[A-Za-z0-9]){1,25}", re.IGNORECASE)
_OGM_RE = re.compile(
    r"(?:[+*]{3}\s*)(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})(?:\s*[+*]{3})"
    r"|(?<![\d/])(\d{3})/(\d{4})/(\d{5})(?![\d/])"
)
_QR_RE = re.compile(r"(?<!\d)\d{2}(?: ?\d{5}){5}(?!\d)")
_DIGITS_RE = re.compile(r"(?<![A-Za-z0-9])\d{4,25}(?![0-9])")
_INVOICE_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:[A-Za-z]{1,6}(?:\.\s?|\s?[-/_#:°]\s?|\s)?(?:[Nn][°o]\.?\s?)?)?"
    r"\d+(?:(?:[-/._]|\s(?=\d{1,5}(?![0-9])))\d+)*"
)
_DIGIT_RUN = re.compile(r"\d+")
_NOT_AZ09 = re.compile(r"[^A-Z0-9]")
_LEAD_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")  # but the last zero of a group of zeros


def normalize_token(text: str) -> str:
    """Matching key of a token: upper case, accents and separators dropped, leading zeros of
    each digit group dropped.

    ``"FA-2026-00123"``, ``"fa 2026/123"`` and ``"FA2026123"`` all give ``"FA2026123"``.
    """
    if text.isascii():  # the same, without the per-part work
        return _NOT_AZ09.sub("", _LEAD_ZEROS.sub("", text.upper()))
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).upper()
    parts = re.findall(r"[A-Z]+|\d+", t)
    return "".join(p.lstrip("0") or "0" if p.isdigit() else p for p in parts)


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(s < b and a < e for a, b in spans)


def _rf_lengths(raw: str) -> list[int]:
    """Lengths (without spaces) at which an RF reference may end in ``raw``, in the order tried.

    A space continues the reference only into a print group of at most 4 characters
    (``RF18 5390 0754 7034``), so ``RF29 2260 0010 95 E2E6939`` ends before ``E2E6939``: the
    ends of whole groups first (longest first), then within the first 4 characters of the next
    run (``7034merci``: a group glued to the text after it), then within the first run
    (``RF18539007547034XYZ``). Trying every length across spaces found a valid check digit by
    chance in about one text in six.
    """
    chunks = raw.split(" ")
    ends = [len(chunks[0])]
    nxt = ""
    for c in chunks[1:]:
        if not c or len(c) > 4:
            nxt = c
            break
        ends.append(ends[-1] + len(c))
    glued = [ends[-1] + k for k in range(min(len(nxt), 4), 0, -1)]
    first = list(range(len(chunks[0]) - 1, 4, -1))
    order = [*reversed(ends), *glued, *first]
    return [n for k, n in enumerate(order) if 5 <= n <= 25 and n not in order[:k]]


#: a reference found (:func:`scan_references`): ``start, scheme, value, raw, end, valid``
Found = tuple[int, str, str, str, int, bool]


def _find_rf(text: str, out: list[Found], spans: list[tuple[int, int]]) -> None:
    for m in _RF_RE.finditer(text):
        raw = m.group(0)
        pos = [m.start() + i for i, c in enumerate(raw) if c != " "]
        comp = raw.replace(" ", "").upper()
        found = False
        for n in _rf_lengths(raw):
            if rf.is_valid(comp[:n]):
                s, e = pos[0], pos[n - 1] + 1
                out.append((s, "rf", comp[:n], text[s:e], e, True))
                spans.append((s, e))
                found = True
                break
        if not found:
            # keep the first whitespace-free chunk run as an invalid RF (garbled reference)
            chunk = re.match(r"RF ?\d ?\d[A-Za-z0-9]*(?: [0-9]{2,5}(?=\s|$))*", raw, re.I)
            r = chunk.group(0) if chunk else raw
            e = m.start() + len(r)
            out.append((m.start(), "rf", r.replace(" ", "").upper(), r, e, False))
            spans.append((m.start(), e))


def find_references(text: str, *, digit_schemes: bool = True) -> list[Reference]:
    """Every checksummed reference and invoice-number-like token in ``text``, in text order.

    Checksummed schemes are tried first; invoice-like tokens are reported only where no
    checksummed reference was found. Bare digit runs of 4-25 digits are reported as ``fi`` /
    ``kid`` only when their check digit validates (a random number validates 1 time in 10, so
    the engine treats those as weak evidence); ``digit_schemes=False`` skips them.
    """
    return [
        Reference(scheme, value, raw, start, end, valid)
        for start, scheme, value, raw, end, valid in scan_references(text, digit_schemes)
    ]


def _order(found: Found) -> tuple[int, str]:
    return found[0], found[1]


def scan_references(text: str, digit_schemes: bool = True, values: bool = True) -> list[Found]:
    """:func:`find_references` as plain tuples (``start, scheme, value, raw, end, valid``),
    the cheap form for a caller reading many texts; ``values=False``: the ``value`` of an
    ``invoice`` token is left empty (its :func:`normalize_token` is not worked out)."""
    out: list[Found] = []
    spans: list[tuple[int, int]] = []
    if not text:
        return out
    # each pattern is run only on a text holding what it cannot match without (an ``RF`` in
    # any case, a ``/``, ``+`` or ``*``; 27 characters): the same references, found sooner
    if "RF" in text or "rf" in text or "Rf" in text or "rF" in text:
        _find_rf(text, out, spans)
    for m in _OGM_RE.finditer(text) if "/" in text or "+" in text or "*" in text else ():
        if spans and _overlaps(spans, m.start(), m.end()):
            continue
        digits = "".join(g for g in m.groups() if g)
        out.append((m.start(), "ogm", digits, m.group(0), m.end(), ogm.is_valid(digits)))
        spans.append((m.start(), m.end()))
    for m in _QR_RE.finditer(text) if len(text) >= 27 else ():
        if spans and _overlaps(spans, m.start(), m.end()):
            continue
        d = m.group(0).replace(" ", "")
        ok = qr.is_valid(d)
        if ok or " " in m.group(0):
            out.append((m.start(), "qr", d, m.group(0), m.end(), ok))
            spans.append((m.start(), m.end()))
    for m in _DIGITS_RE.finditer(text) if digit_schemes else ():
        if spans and _overlaps(spans, m.start(), m.end()):
            continue
        d = m.group(0)
        if len(d) <= 20 and fi.is_valid(d):
            out.append((m.start(), "fi", d, d, m.end(), True))
        if kid.is_valid(d):
            out.append((m.start(), "kid", d, d, m.end(), True))
    for m in _INVOICE_RE.finditer(text):
        start = m.start()
        end = m.end()
        for a, _b in spans:  # a token running into a checksummed reference stops before it
            if start < a < end:
                end = a
        if spans and _overlaps(spans, start, end):
            continue
        raw = text[start:end].rstrip()
        if end < m.end() and not any(c.isdigit() for c in raw):  # whole, it holds a \d
            continue
        value = normalize_token(raw) if values else ""
        out.append((start, "invoice", value, raw, start + len(raw), True))
    if len(out) > 1:
        out.sort(key=_order)
    return out
