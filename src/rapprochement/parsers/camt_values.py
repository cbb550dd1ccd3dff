"""CAMT building blocks: namespace-agnostic paths, amounts, dates, remittance re-join, findings.

Everything here is small and pure so the hot path in :mod:`rapprochement.parsers.camt_entry`
stays a sequence of C-level ``lxml`` lookups plus a few dictionary hits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from rapprochement.model import Finding, Severity, SourceRef
from rapprochement.money import CURRENCY_EXPONENTS

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = [
    "REMITTANCE_WIDTH",
    "Findings",
    "Paths",
    "join_remittance",
    "local_name",
    "namespace_of",
]

#: Maximum length of one ``RmtInf/Ustrd`` (and ``AddtlRmtInf``) line: ISO 20022 Max140Text.
REMITTANCE_WIDTH = 140

_AMOUNT_RE = re.compile(r"^-?[0-9]{1,18}(\.[0-9]{0,17})?$")
_CCY_RE = re.compile(r"^[A-Z]{3}$")


def namespace_of(tag: str) -> str:
    """``"{urn:...}"`` of a Clark-notation tag, or ``""`` when it has no namespace."""
    if tag[:1] == "{":
        return tag[: tag.index("}") + 1]
    return ""


def local_name(tag: object) -> str:
    """Local part of a Clark-notation tag (``""`` for comments and processing instructions)."""
    if not isinstance(tag, str):
        return ""
    return tag[tag.index("}") + 1 :] if tag[:1] == "{" else tag


class Paths:
    """Relative paths such as ``"Amt"`` or ``"RltdPties/Dbtr/Nm"`` bound to one namespace.

    CAMT versions differ only by namespace for most paths, so the parser writes local names and
    this class qualifies them (cached) for lxml's C-level ``find``/``findtext``.
    """

    __slots__ = ("_cache", "ns")

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self._cache: dict[str, str] = {}

    def q(self, path: str) -> str:
        """The qualified path (``"{ns}A/{ns}B"``)."""
        try:
            return self._cache[path]
        except KeyError:
            parts = path.split("/")
            out = "/".join(p if p in ("", ".", "..") else self.ns + p for p in parts)
            self._cache[path] = out
            return out

    def text(self, el: _Element, path: str) -> str | None:
        """Stripped text at ``path`` below ``el``, None when absent or blank."""
        t = el.findtext(self.q(path))
        if t is None:
            return None
        t = t.strip()
        return t or None

    def first_text(self, el: _Element, *paths: str) -> str | None:
        """Text of the first of ``paths`` present below ``el``."""
        for path in paths:
            t = self.text(el, path)
            if t is not None:
                return t
        return None

    def find(self, el: _Element, path: str) -> _Element | None:
        """First element at ``path`` below ``el``."""
        return el.find(self.q(path))

    def findall(self, el: _Element, path: str) -> list[_Element]:
        """All elements at ``path`` below ``el``, in document order."""
        return el.findall(self.q(path))

    def texts(self, el: _Element, path: str) -> list[str]:
        """Texts (not stripped, blank ones dropped) of all elements at ``path``."""
        return [t for e in el.findall(self.q(path)) if (t := e.text) and t.strip()]


def parse_decimal(text: str) -> Decimal | None:
    """An ISO 20022 decimal amount (``"1234.56"``), exactly; None when it is not one."""
    s = text.strip()
    if not _AMOUNT_RE.match(s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:  # pragma: no cover - the regex already guarantees a decimal
        return None


def parse_rate(text: str) -> Decimal | None:
    """An exchange rate (``"1.0825"``, ``"0.9"``, ``"1E-3"`` refused); None when invalid."""
    return parse_decimal(text)


_DATE_CACHE: dict[str, dt.date] = {}


def parse_date(text: str) -> dt.date | None:
    """The calendar date of an ISODate or ISODateTime, as written (no time-zone shift)."""
    s = text.strip()
    d = _DATE_CACHE.get(s)
    if d is not None:
        return d
    try:
        d = dt.date.fromisoformat(s[:10])
        if len(s) > 10:
            dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(_DATE_CACHE) < 4096:
        _DATE_CACHE[s] = d
    return d


def parse_datetime(text: str) -> dt.datetime | None:
    """An ISODateTime (``Z`` or offset allowed; a bare date is read as midnight)."""
    s = text.strip()
    try:
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None


def valid_currency(code: str | None) -> bool:
    """True for a three-letter upper-case currency code."""
    return code is not None and _CCY_RE.match(code) is not None


def excess_decimals(amount: Decimal, currency: str) -> bool:
    """True when ``amount`` has more significant decimals than ``currency`` allows."""
    allowed = CURRENCY_EXPONENTS.get(currency, 2)
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or -exponent <= allowed:
        return False
    return amount != amount.quantize(Decimal(1).scaleb(-allowed))


def join_remittance(lines: list[str] | tuple[str, ...], width: int = REMITTANCE_WIDTH) -> str:
    """Re-join remittance lines the way they were split, without losing or inventing spaces.

    The rule, applied at each boundary between a line and the next:

    * the line is exactly ``width`` characters long (it filled the field, so the bank or the
      payer's software cut it where the field ended, possibly mid-word), **or** every line but
      the last has the same length (at least three lines: a fixed-width wrap at a narrower
      width, e.g. 35 or 27 characters): join with nothing;
    * the line already ends, or the next one starts, with whitespace: join with nothing (the
      space is there already);
    * otherwise the payer ended the line himself: join with one space.

    Outer whitespace of the result is stripped; inner text is kept verbatim.
    """
    if not lines:
        return ""
    fixed = 0
    if len(lines) >= 3:
        lengths = {len(x) for x in lines[:-1]}
        if len(lengths) == 1:
            fixed = lengths.pop()
    parts = [lines[0]]
    for prev, nxt in itertools.pairwise(lines):
        glued = (
            len(prev) >= width
            or (fixed and len(prev) == fixed)
            or prev[-1:].isspace()
            or nxt[:1].isspace()
        )
        parts.append(nxt if glued else " " + nxt)
    return "".join(parts).strip()


class Findings:
    """The findings of one statement, built without validation (hot path)."""

    __slots__ = ("_base", "items")

    def __init__(self, base: SourceRef) -> None:
        self._base = base
        self.items: list[Finding] = []

    def add(self, code: str, severity: Severity, message: str, xpath: str | None) -> None:
        """Record one finding located at ``xpath`` (None: the statement itself)."""
        src = self._base
        if xpath is not None:
            src = SourceRef.model_construct(
                file=src.file,
                statement_index=src.statement_index,
                line=None,
                xpath=xpath,
                member=src.member,
            )
        self.items.append(
            Finding.model_construct(code=code, severity=severity, message=message, source=src)
        )


#: A parsed element: child local name → children (a nested :data:`Node` or a leaf element).
Node = dict[str, list[Any]]

_SPLIT: dict[str, tuple[str, ...]] = {}

#: Subtrees nothing is read from (addresses, contact details, tax, securities, card data):
#: skipping them makes indexing an entry about twice as cheap on real bank files.
_SKIP = frozenset(
    {
        "PstlAdr",
        "CtctDtls",
        "Tax",
        "RltdPric",
        "RltdQties",
        "FinInstrmId",
        "CorpActn",
        "SfkpgAcct",
        "CshDpst",
        "CardTx",
        "SplmtryData",
        "RltdDts",
        "DtAndPlcOfBirth",
        "Invcr",
        "Invcee",
        "GrnshmtRmt",
        "TaxRmt",
    }
)


def build_node(el: _Element) -> Node:
    """Index ``el``'s subtree by local names in one pass (leaves stay lxml elements).

    One Python pass over the subtree is several times cheaper than dozens of namespaced
    ``find`` calls on it, and makes every lookup namespace-agnostic.
    """
    node: Node = {}
    for child in el:
        tag = child.tag
        if type(tag) is not str:
            continue
        name = tag[tag.find("}") + 1 :]
        if name in _SKIP:
            continue
        value = build_node(child) if len(child) else child
        bucket = node.get(name)
        if bucket is None:
            node[name] = [value]
        else:
            bucket.append(value)
    return node


def _split(path: str) -> tuple[str, ...]:
    try:
        return _SPLIT[path]
    except KeyError:
        parts = _SPLIT[path] = tuple(path.split("/"))
        return parts


def node_get(node: Node, path: str) -> Any:
    """The first node or leaf element at ``path`` (``"Refs/EndToEndId"``), None when absent."""
    cur: Any = node
    for name in _split(path):
        if type(cur) is not dict:
            return None
        bucket = cur.get(name)
        if bucket is None:
            return None
        cur = bucket[0]
    return cur


def node_all(node: Node, path: str) -> list[Any]:
    """Every node or leaf at the last step of ``path`` (earlier steps take the first match)."""
    *head, last = _split(path)
    cur: Any = node
    for name in head:
        if type(cur) is not dict:
            return []
        bucket = cur.get(name)
        if bucket is None:
            return []
        cur = bucket[0]
    if type(cur) is not dict:
        return []
    found: list[Any] = cur.get(last, [])
    return found


def node_text(node: Node, path: str) -> str | None:
    """Stripped text of the leaf at ``path``, None when absent, blank or not a leaf."""
    leaf = node_get(node, path)
    if leaf is None or type(leaf) is dict:
        return None
    text: str | None = leaf.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def node_first_text(node: Node, *paths: str) -> str | None:
    """Text of the first of ``paths`` present."""
    for path in paths:
        text = node_text(node, path)
        if text is not None:
            return text
    return None


def node_texts(node: Node, path: str) -> list[str]:
    """Texts (verbatim, blank ones dropped) of every leaf at ``path``."""
    return [
        t
        for leaf in node_all(node, path)
        if type(leaf) is not dict and (t := leaf.text) and t.strip()
    ]


class NodePaths:
    """The :class:`Paths` interface over :data:`Node` trees (see :func:`build_node`)."""

    __slots__ = ()

    text = staticmethod(node_text)
    first_text = staticmethod(node_first_text)
    find = staticmethod(node_get)
    findall = staticmethod(node_all)
    texts = staticmethod(node_texts)
