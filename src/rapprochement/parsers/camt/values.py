"""CAMT building blocks: namespace-agnostic paths, amounts, dates, remittance re-join, findings.

Everything here is small and pure so the hot path in :mod:`rapprochement.parsers.camt.entry`
stays a sequence of C-level ``lxml`` lookups plus a few dictionary hits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from rapprochement.model import Finding, Severity, SourceRef
from rapprochement.money import CURRENCY_EXPONENTS
from rapprochement.parsers._common.values import plain_decimal, usable_currency

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = [
    "REMITTANCE_WIDTH",
    "Constructor",
    "Findings",
    "Paths",
    "join_remittance",
    "local_name",
    "namespace_of",
]

#: Maximum length of one ``RmtInf/Ustrd`` (and ``AddtlRmtInf``) line: ISO 20022 Max140Text.
REMITTANCE_WIDTH = 140

M = TypeVar("M", bound=BaseModel)

_AMOUNT_RE = re.compile(r"-?[0-9]{1,18}(\.[0-9]{0,17})?\Z")


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
    return plain_decimal(s)


_COUNT_RE = re.compile(r"[0-9]{1,9}")


def parse_count(text: str | None) -> int | None:
    """A count such as ``NbOfNtries`` or ``Btch/NbOfTxs`` (ASCII digits), None when not one."""
    if text is None or _COUNT_RE.fullmatch(text) is None:
        return None
    return int(text)


def parse_rate(text: str) -> Decimal | None:
    """An exchange rate (``"1.0825"``, ``"0.9"``, ``"1E-3"`` refused); None when invalid."""
    return parse_decimal(text)


_DATE_CACHE: dict[str, dt.date] = {}


def parse_date(text: str) -> dt.date | None:
    """The calendar date of an ISODate or ISODateTime, as written (no time-zone shift).

    Only the date part is read: ``2026-03-04``, ``2026-03-04T23:59:59+01:00`` and
    ``2026-03-04+01:00`` all give 4 March 2026; anything else gives None.
    """
    s = text.strip()
    d = _DATE_CACHE.get(s)
    if d is not None:
        return d
    if len(s) > 10 and s[10] not in "T +-Z":
        return None
    try:
        d = dt.date.fromisoformat(s[:10])
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


_VALID_CODES: set[str] = set()


def valid_currency(code: str | None) -> bool:
    """True for an ISO 4217 currency code (``XXX``, no currency, excepted)."""
    if code in _VALID_CODES:
        return True
    if code is None or not usable_currency(code):
        return False
    if len(_VALID_CODES) < 1024:
        _VALID_CODES.add(code)
    return True


def decimals_in(text: str) -> int:
    """Digits written after the decimal point of ``text`` (``" 12.50 "`` → 2)."""
    s = text.strip()
    dot = s.find(".")
    return 0 if dot < 0 else len(s) - dot - 1


def decimals_allowed(currency: str) -> int:
    """Number of decimals ``currency`` allows (2 when unknown)."""
    return CURRENCY_EXPONENTS.get(currency, 2)


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
    if len(lines) < 2:
        return lines[0].strip() if lines else ""
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
            src = _SOURCE(
                file=src.file,
                statement_index=src.statement_index,
                line=None,
                xpath=xpath,
                member=src.member,
            )
        self.items.append(_FINDING(code=code, severity=severity, message=message, source=src))


class Constructor(Generic[M]):
    """``Model.model_construct`` for one model class, without its per-call field introspection.

    Same result as ``model_construct`` (fields in declaration order, defaults filled,
    ``model_fields_set`` = the names given) for closed models without validators, aliases or
    private attributes, at a fraction of the cost: building models is the hot path of a
    50 000-entry file. Values must already have their final types (the tests check that
    ``model_validate(model_dump())`` round-trips).
    """

    __slots__ = ("_all", "_cls", "_factories", "_template")

    def __init__(self, cls: type[M]) -> None:
        if cls.__pydantic_post_init__ or cls.model_config.get("extra") == "allow":
            raise TypeError(f"{cls.__name__} needs the full model_construct")
        self._cls = cls
        self._template: dict[str, Any] = {}
        self._factories: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            if field.default_factory is not None:
                self._factories[name] = field.default_factory
                self._template[name] = None
            else:
                self._template[name] = None if field.is_required() else field.default
        # One fields-set shared by every instance built by full(): it names every field, so
        # nothing ever adds to it, and model_copy copies it before an update.
        self._all = set(self._template)

    def __call__(self, **values: Any) -> M:
        """A model instance holding ``values`` (every required field must be given)."""
        data = self._template.copy()
        data.update(values)
        if self._factories:
            for name, factory in self._factories.items():
                if name not in values:
                    data[name] = factory()
        obj = _new(self._cls)
        # The slot descriptors of BaseModel, called directly: what object.__setattr__ does,
        # without looking each one up through the class hierarchy.
        _set_dict(obj, data)
        _set_fields_set(obj, set(values))
        _set_extra(obj, None)
        _set_private(obj, None)
        return obj

    def full(self, data: dict[str, Any]) -> M:
        """A model instance holding ``data``: every field, in declaration order.

        The caller's dict becomes the instance's ``__dict__`` (no copy): the fastest way to
        build a model, for callers that give every field anyway (checked by the tests).
        """
        obj = _new(self._cls)
        _set_dict(obj, data)
        _set_fields_set(obj, self._all)
        _set_extra(obj, None)
        _set_private(obj, None)
        return obj


_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__

_SOURCE = Constructor(SourceRef)
_FINDING = Constructor(Finding)
