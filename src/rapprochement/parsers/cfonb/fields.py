"""CFONB 120 field grammar: signed amounts, dates, the French RIB, and the ``05`` complements.

Amounts are 14 characters: 13 digits and a last character that carries both the last digit and
the sign (``{ A``–``I`` = +0..+9, ``} J``–``R`` = −0..−9); the record's own "number of decimals"
(position 20) places the decimal point. A credit (money received) is positive, as everywhere
in rapprochement.

A ``05`` record (complement) holds a three-letter qualifier (positions 46–48) and 70 characters
of data (49–118). The qualifiers of the CFONB SEPA evolution (2007/2010) are read into
Transaction fields; any other qualifier, and the raw data of those parsed in part (``MMO``,
``FEE``, ``IPY``...), is kept verbatim in ``Transaction.extra``: nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rapprochement.parsers._common.ident import compact_iban
from rapprochement.parsers._common.values import plain_decimal
from rapprochement.parsers.mt940.field86 import join_wrapped, structured_reference

__all__ = [
    "AmountError",
    "Complements",
    "french_iban",
    "label_party",
    "parse_amount",
    "parse_date",
]

_POSITIVE = {c: d for d, c in enumerate("{ABCDEFGHI")}
_NEGATIVE = {c: d for d, c in enumerate("}JKLMNOPQR")}


_DIGITS = re.compile(r"[0-9]+")
_UPPER3 = re.compile(r"[A-Z]{3}")


def _digits(text: str) -> bool:
    """Only ASCII digits (``str.isdigit`` also accepts "²" and other digits int() refuses)."""
    return _DIGITS.fullmatch(text) is not None


class AmountError(ValueError):
    """An amount field that does not follow the CFONB grammar."""


def parse_amount(text: str, decimals: int) -> Decimal:
    """The signed amount of a 14-character CFONB amount field with ``decimals`` decimals.

    >>> parse_amount("0000000012345E", 2)
    Decimal('1234.55')
    >>> parse_amount("0000000000920}", 2)
    Decimal('-92.00')
    """
    text = text.strip()
    if len(text) < 2:
        raise AmountError(f"empty amount {text!r}")
    body, last = text[:-1], text[-1]
    if not _digits(body):
        raise AmountError(f"amount {text!r} is not 13 digits and a sign character")
    if last in _POSITIVE:
        sign, digit = "", _POSITIVE[last]
    elif last in _NEGATIVE:
        sign, digit = "-", _NEGATIVE[last]
    else:
        raise AmountError(
            f"amount {text!r} ends with {last!r}, not a sign character"
            " ('{' or A-I: credit, '}' or J-R: debit)"
        )
    number = plain_decimal(f"{sign}{body}{digit}")
    if number is None:  # pragma: no cover - ASCII digits only by now
        raise AmountError(f"amount {text!r} is not a number")
    value = number.scaleb(-decimals)
    return abs(value) if value == 0 else value  # no "-0.00"


def parse_date(ddmmyy: str) -> dt.date | None:
    """A JJMMAA date (years 00-79 are 20xx, 80-99 19xx); None when blank or impossible."""
    if len(ddmmyy) != 6 or not _digits(ddmmyy):
        return None
    yy = int(ddmmyy[4:6])
    try:
        return dt.date(2000 + yy if yy < 80 else 1900 + yy, int(ddmmyy[2:4]), int(ddmmyy[0:2]))
    except ValueError:
        return None


# Letters of a French account number, as digits for the RIB key (the banks' conversion table).
_RIB_LETTERS = {
    **dict.fromkeys("AJ", "1"),
    **dict.fromkeys("BKS", "2"),
    **dict.fromkeys("CLT", "3"),
    **dict.fromkeys("DMU", "4"),
    **dict.fromkeys("ENV", "5"),
    **dict.fromkeys("FOW", "6"),
    **dict.fromkeys("GPX", "7"),
    **dict.fromkeys("HQY", "8"),
    **dict.fromkeys("IRZ", "9"),
}


def french_iban(bank: str, desk: str, account: str) -> str | None:
    """The IBAN of a French account (bank code, desk code, 11-character account number).

    CFONB files carry the RIB without its two-digit key: the key (97 − (89·bank + 15·desk +
    3·account) mod 97, letters of the account converted by the RIB table) and then the IBAN
    check digits are computed. None when a part is not of the expected shape.
    """
    if not (len(bank) == 5 and _digits(bank) and len(desk) == 5 and _digits(desk)):
        return None
    if len(account) != 11 or not account.isascii() or not account.isalnum():
        return None
    digits = "".join(_RIB_LETTERS.get(c, c) for c in account.upper())
    if not _digits(digits):
        return None
    key = 97 - (89 * int(bank) + 15 * int(desk) + 3 * int(digits)) % 97
    bban = f"{bank}{desk}{account.upper()}{key:02d}"
    return compact_iban(f"FR00{bban}") or _with_check_digits(bban)


def _with_check_digits(bban: str) -> str | None:
    numeric = "".join(str(int(c, 36)) for c in bban + "FR00")
    check = 98 - int(numeric) % 97
    return compact_iban(f"FR{check:02d}{bban}")


def _amount_in(data: str) -> tuple[str, Decimal] | None:
    """Currency and amount of the ``MMO``/``FEE`` layout: currency (3), decimals (1), 14 digits."""
    currency, scale, digits = data[0:3], data[3:4], data[4:18].strip()
    number = plain_decimal(digits)
    if not (_UPPER3.fullmatch(currency.upper()) and _digits(scale)) or number is None:
        return None
    return currency.upper(), number.scaleb(-int(scale))


#: Qualifiers whose whole value becomes one Transaction field (not repeated in ``extra``);
#: the others (RCN, RUM, MMO, FEE, IPY...) are parsed in part and also kept verbatim.
_WHOLE = frozenset({"NPY", "NBE", "NPO", "NBU", "CPY", "CBE", "LCS"})


def _halves(data: str) -> tuple[str, str]:
    return data[:35].strip(), data[35:70].strip()


@dataclass
class Complements:
    """The ``05`` records of one entry, read into Transaction fields."""

    label_lines: list[str] = field(default_factory=list)  # LIB: the label continued
    remittance: list[str] = field(default_factory=list)  # LCC, LC2
    values: dict[str, str] = field(default_factory=dict)  # every other qualifier, verbatim
    raw: dict[str, str] = field(default_factory=dict)  # first data of each, for fixed positions

    def add(self, qualifier: str, data: str) -> None:
        """Take one complement (``data`` = the 70 characters, trailing blanks included)."""
        if qualifier == "LIB":
            self.label_lines.append(data.rstrip())
        elif qualifier in ("LCC", "LC2"):
            self.remittance.append(data.rstrip())
        else:
            self.raw.setdefault(qualifier, data)
            value = data.strip()
            if value:
                old = self.values.get(qualifier)
                self.values[qualifier] = f"{old} {value}" if old else value

    def fields(self, credit: bool) -> dict[str, Any]:
        """Transaction fields (``remittance_info`` excluded: the caller joins it with the label)."""
        v = self.values
        out: dict[str, Any] = {}
        extra: dict[str, str] = {}
        # The counterparty of a credit is the debtor (payer); of a debit, the creditor (payee).
        party, other = ("PY", "BE") if credit else ("BE", "PY")
        name = v.get(f"N{party}") or v.get(f"N{other}")
        if name:
            out["counterparty_name"] = name
        ultimate = v.get("NPO" if credit else "NBU") or v.get("NBU" if credit else "NPO")
        if ultimate:
            out["ultimate_party_name"] = ultimate
        account = v.get("CPY" if credit else "CBE") or v.get("CBE" if credit else "CPY")
        if account:
            iban = compact_iban(account.split()[0])
            if iban:
                out["counterparty_iban"] = iban
            else:
                out["counterparty_account"] = account
        if "RCN" in v:
            e2e, purpose = _halves(self._raw("RCN"))
            if e2e and e2e.upper() not in ("NOTPROVIDED", "NONREF"):
                out["end_to_end_id"] = e2e
            if purpose:
                out["purpose"] = purpose
        if "RUM" in v:
            out["mandate_id"] = _halves(self._raw("RUM"))[0]
        if "LCS" in v:
            lcs = v["LCS"]
            out["structured_reference"] = structured_reference(lcs) or lcs
        if "MMO" in v and (mmo := _amount_in(self._raw("MMO"))) is not None:
            out["instructed_currency"], out["instructed_amount"] = mmo
        if "FEE" in v and (fee := _amount_in(self._raw("FEE"))) is not None:
            out["charges"] = fee[1]
        for key, value in v.items():
            if key not in _WHOLE:
                extra[key] = value
        if extra:
            out["extra"] = extra
        return out

    def _raw(self, qualifier: str) -> str:
        return self.raw[qualifier].ljust(70)

    def remittance_text(self) -> str:
        """LCC then LC2, re-joined: a 70-character line that is full was cut mid-text."""
        return join_wrapped(self.remittance, 70)


# French bank labels name the counterparty when no complement does: "VIR SEPA RECU /DE DUPONT
# SARL /MOTIF FA-2026-0412 /REF 123", "VIREMENT RECU DE DUPONT SARL", "PRLV SEPA EDF SA".
_LABEL_KEYS = re.compile(r"(?:^|\s)/(DE|A|BEN|MOTIF|REF|NOPT|IID|RUM|ID)(?=\s|$)", re.I)
_CREDIT_FROM = re.compile(r"^(?:VIR|VIREMENT|VRT)\b[A-Z .]*?\bDE:?\s+(?P<name>\S.*)$", re.I)
_DEBIT_TO = re.compile(r"^(?:PRLV|PRELEVEMENT)(?: SEPA)?\s+(?P<name>\S.*)$", re.I)


def label_party(label: str, credit: bool) -> str | None:
    """The counterparty a French bank label names: after ``/DE`` (the payer of a credit) or
    ``/A``/``/BEN`` (the payee of a debit), else after ``VIR... DE`` (credit) or ``PRLV SEPA``
    (debit); None when the label names none.

    >>> label_party("VIR SEPA RECU /DE DUPONT SARL /MOTIF FA-12", True)
    'DUPONT SARL'
    >>> label_party("PRLV SEPA EDF SA", False)
    'EDF SA'
    """
    text = " ".join(label.split())
    parts = _LABEL_KEYS.split(text)
    if len(parts) > 1:
        keyed = {k.upper(): v.strip() for k, v in zip(parts[1::2], parts[2::2], strict=False)}
        for key in ("DE",) if credit else ("A", "BEN"):
            if keyed.get(key):
                return _name_only(keyed[key])
        return None
    m = (_CREDIT_FROM if credit else _DEBIT_TO).match(text)
    return _name_only(m.group("name")) if m else None


# Where a name written without "/KEY" separators ends: a word with a digit (an invoice or a
# reference) or a word that starts the remittance.
_NAME_END = frozenset(
    {"FACTURE", "FACTURES", "FACT", "FAC", "FA", "INV", "INVOICE", "REF", "REFERENCE", "MOTIF",
     "REGLEMENT", "PAIEMENT", "ECHEANCE", "ECH", "NO", "N"}
)  # fmt: skip


def _name_only(text: str) -> str | None:
    words = text.split()
    for k, word in enumerate(words):
        if any(c.isdigit() for c in word) or word.upper().strip(".:°") in _NAME_END:
            words = words[:k]
            break
    return " ".join(words) or None
