"""Payer names and accounts as blocking keys: compacted IBANs, names without legal forms
and small words, and the payer a bank text names after a label (split from
:mod:`rapprochement.matching.keys`, which re-exports them)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["compact_iban", "normalize_name", "payer_in_text"]

_LEGAL = re.compile(
    r"\b(SARL|SAS|SASU|SA|SNC|SCI|EURL|EI|GMBH|AG|KG|OHG|UG|BV|NV|VOF|SRL|SPA|SL|SLU|LTD|LIMITED|"
    r"PLC|LLC|LLP|LP|PLLC|INC|INCORPORATED|CORP|CORPORATION|CO|COMPANY|CIE|ET|AND|THE|DE|DU|"
    r"DES|LA|LE|LES|VON|VAN|DER|EK|AB|AS|OY|OYJ|APS)\b"
)
_NON_ALNUM = re.compile(r"[^A-Z0-9 ]+")


_NOT_IBAN = re.compile(r"[^0-9A-Za-z]+")


def compact_iban(value: str) -> str:
    """An IBAN as banks and ERPs write it, compacted: ``be38-7330 4038-5372`` →
    ``BE38733040385372`` (spaces, dashes, dots and case are print forms, not part of it)."""
    return _NOT_IBAN.sub("", value).upper()


#: labels after which a bank text names the payer (French, English, German, Dutch, SEPA tags)
_PAYER_LABEL = re.compile(
    r"(?:^|[\s/])(?:DE|FROM|VON|VAN|BY|PAR|ORDRE|DONNEUR D ?ORDRE|RECEIVED FROM|RECU DE|NAME|NM)"
    r"(?:\s*[:/]\s*|\s+)([A-Z][A-Z0-9&' .,-]{2,69}?)\s*(?=/|$|\s(?:MOTIF|REF|REFERENCE|EREF|REMI|"
    r"PURPOSE|FACTURE|FACT|INVOICE|RECHNUNG|INV|OBJET)\b)"
)


def payer_in_text(text: str) -> str:
    """The payer a bank text names after a label (``VIR SEPA RECU /DE ACME INDUSTRIES /MOTIF
    ACOMPTE`` → ``ACME INDUSTRIES``), or ``""``: used when the line has no counterparty name."""
    flat = unicodedata.normalize("NFKD", text)
    up = "".join(c for c in flat if not unicodedata.combining(c)).upper()
    m = _PAYER_LABEL.search(up)
    return " ".join(m.group(1).split()).strip(" .,-") if m else ""


def normalize_name(name: str) -> str:
    """Payer or customer name reduced for comparison: accents, case, punctuation and legal
    forms (SARL, SAS, GmbH, BV, SA, Ltd…) and small words dropped, spaces collapsed.

    ``"SARL Dupont & Fils"`` and ``"DUPONT ET FILS"`` both give ``"DUPONT FILS"``.
    """
    if name.isascii():  # NFKD changes no ASCII character and none is combining
        t = name.upper().replace("&", " ")
    else:
        t = unicodedata.normalize("NFKD", name)
        t = "".join(c for c in t if not unicodedata.combining(c)).upper().replace("&", " ")
    t = _NON_ALNUM.sub(" ", t.replace(".", ""))
    t = _LEGAL.sub(" ", t)
    return " ".join(t.split())
