"""Customer numbers a payer quotes: ``VIREMENT CLIENT 002235``, ``RE 4711 KD 002741``.

A payer often gives the number its supplier knows it by (its account in the supplier's
ledger). Labelled so (:data:`LABELS`), such a number is no invoice's (:mod:`.keys` reads past
it); when it *is* the id of exactly one customer of the book, the payer has named itself as
surely as a known IBAN does. The more customers a book has, the more of them share a name
or are paid for by the same factor, parent or accountant; the number then tells them apart.

Matching, never keyed to a format: the quoted number equals a customer id once separators and
case are dropped (``c-000036`` is ``C000036``), or equals the id's digits (``000036`` is
``C000036``) when the id holds one run of at least :data:`MIN_DIGITS` digits; a number that
fits several customers names none.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

__all__ = [
    "LABELS",
    "MIN_DIGITS",
    "CustomerNumbers",
    "number_keys",
    "quoted_number_of",
    "quoted_numbers",
]

#: words that label the number after them as the payer's customer number (not order labels:
#: a purchase order number is the payer's own)
LABELS = (
    "CLIENT", "CLIENTE", "CLT", "CUST", "CUSTOMER", "KD", "KUNDE", "KUNDEN", "KUNDENNR", "KDNR",
    "KLANT", "KLANTNR", "DEBITEUR", "DEBITEURNR", "DEBITOR",
)  # fmt: skip
#: fewest digits of an id matched by its digits alone
MIN_DIGITS = 4

_QUOTED = re.compile(
    r"\b(?:" + "|".join(LABELS) + r")\b[\s.:#°/-]*"
    r"(?:(?:N|NO|NR|NUM|NUMBER|NUMMER|NUMERO|O)\b[\s.:#°/-]*)?"
    r"([A-Z]{0,4}[\s./-]?\d[A-Z0-9./-]*)"
)
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_DIGIT_RUNS = re.compile(r"\d+")


def _ascii(text: str) -> str:
    """``text`` decomposed (NFKD), its non-ASCII characters (accents) dropped, upper-cased; an
    ASCII text (most bank lines) is its own decomposition: upper-cased alone."""
    if text.isascii():
        return text.upper()
    flat = unicodedata.normalize("NFKD", text)
    return "".join(c for c in flat if c.isascii()).upper()


def _compact(value: str) -> str:
    return _NOT_ALNUM.sub("", _ascii(value))


def quoted_numbers(text: str) -> list[str]:
    """The numbers ``text`` labels as the payer's customer number, compacted (upper case,
    letters and digits only): ``"VIR SEPA CLIENT 000937"`` → ``["000937"]``."""
    up = _ascii(text)
    return [c for c in (_compact(m.group(1)) for m in _QUOTED.finditer(up)) if c]


def number_keys(record: str) -> set[str]:
    """The keys a payer may quote customer record ``record`` by: its id compacted, and the
    id's digits when it holds one run of at least :data:`MIN_DIGITS` digits."""
    comp = _compact(str(record))
    if not comp:
        return set()
    keys = {comp}
    runs = _DIGIT_RUNS.findall(comp)
    if len(runs) == 1 and len(runs[0]) >= MIN_DIGITS and runs[0] != comp:
        keys.add(runs[0])
    return keys


def quoted_number_of(text: str, record: str) -> str | None:
    """The number ``text`` quotes as the payer's customer number that is ``record``'s, or
    None: ``quoted_number_of("VIREMENT CLIENT 000103", "C000103")`` → ``"000103"``."""
    keys = number_keys(record)
    return next((n for n in quoted_numbers(text) if n in keys), None) if keys else None


class CustomerNumbers:
    """Customer ids by the keys a payer may quote them with (see module doc). ``ids`` pairs
    each record's own id with the customer (entity) it belongs to."""

    def __init__(self, ids: Iterable[tuple[str, str]]) -> None:
        self._by_key: dict[str, set[str]] = defaultdict(set)
        for record, cust in ids:
            for key in number_keys(record):
                self._by_key[key].add(cust)

    def named(self, text: str) -> str | None:
        """The one customer whose number ``text`` quotes, or None (no number, or a number
        of several customers, or numbers of different customers)."""
        found: set[str] = set()
        for num in quoted_numbers(text):
            found |= self._by_key.get(num, set())
        return next(iter(found)) if len(found) == 1 else None
