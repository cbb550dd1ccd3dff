"""MT940 identifiers: account (:25:) and counterparty IBANs, validated with schwifty."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

__all__ = ["Account", "compact_iban", "parse_account"]

_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_CCY_SUFFIX = re.compile(r"^(.*?\d)\s*/?\s*([A-Z]{3})$")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")


@lru_cache(maxsize=4096)
def compact_iban(text: str) -> str | None:
    """The compact IBAN when ``text`` (spaces allowed) is a valid IBAN, else None."""
    compact = text.replace(" ", "").upper()
    if not _IBAN_SHAPE.fullmatch(compact):
        return None
    try:
        return str(IBAN(compact).compact)
    except (SchwiftyException, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Account:
    """The :25: account identification, split into its parts."""

    iban: str | None
    number: str | None
    bic: str | None
    currency: str | None


def parse_account(text: str) -> Account:
    """Read :25: — ``IBAN``, ``IBAN EUR``, ``BIC/IBAN``, ``BLZ/account`` or a bank account number.

    The IBAN is kept when it validates; otherwise the text (currency suffix removed) is the
    account number, e.g. the German ``BLZ/Konto`` form ``12345678/1020304050``.
    """
    raw = text.strip()
    currency = None
    m = _CCY_SUFFIX.match(raw)
    if m and not compact_iban(raw):
        raw, currency = m.group(1).strip(), m.group(2)
    bic = None
    candidates = [raw]
    if "/" in raw:
        head, _, tail = raw.rpartition("/")
        candidates.append(tail)
        if _BIC.fullmatch(head.strip()):
            bic = head.strip()
    for cand in candidates:
        iban = compact_iban(cand)
        if iban:
            return Account(iban, None, bic, currency)
    return Account(None, raw or None, bic, currency)
