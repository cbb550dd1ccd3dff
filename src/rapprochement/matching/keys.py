"""Blocking keys: reference tokens of payments and invoices, and normalized payer names.

A token gives several keys, from strict to loose; two records sharing a key are a candidate
pair and the strictest shared key is the *reference level* feature:

=============  ==========================================================  ==============
key prefix     built from                                                  level
=============  ==========================================================  ==============
``R:``         a checksummed reference (RF, OGM, QR, FI, KID), compact      ``checksum``
``C:``         the token upper-cased without separators                     ``exact``
``N:``         :func:`~rapprochement.references.normalize_token`           ``normalized``
``D:``/``Z:``  its digits only (with / without leading zeros per group)    ``digits``
``L:``         its last digit group without leading zeros (≥ 3 digits)      ``tail``
``S:``         its digits sorted (catches transposed digits)                ``transposed``
=============  ==========================================================  ==============
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from rapprochement.references import find_references, normalize_token

__all__ = ["LEVELS", "invoice_key_frame", "invoice_keys", "normalize_name", "text_keys"]

#: Reference levels, strongest first (the index is the level code used in frames).
LEVELS: tuple[str, ...] = (
    "checksum",
    "exact",
    "normalized",
    "digits",
    "tail",
    "transposed",
    "none",
)
_PREFIX_LEVEL = {"R": 0, "C": 1, "N": 2, "D": 3, "Z": 3, "L": 4, "S": 5}

_LEGAL = re.compile(
    r"\b(SARL|SAS|SASU|SA|SNC|SCI|EURL|EI|GMBH|AG|KG|OHG|UG|BV|NV|VOF|SRL|SPA|SL|SLU|LTD|LIMITED|"
    r"PLC|LLC|INC|CORP|CO|CIE|ET|AND|THE|DE|DU|DES|LA|LE|LES|VON|VAN|DER|EK|AB|AS|OY|OYJ|APS)\b"
)
_NON_ALNUM = re.compile(r"[^A-Z0-9 ]+")
_GROUP = re.compile(r"[A-Za-z]*\d+")


def normalize_name(name: str) -> str:
    """Payer or customer name reduced for comparison: accents, case, punctuation and legal
    forms (SARL, SAS, GmbH, BV, SA, Ltd…) and small words dropped, spaces collapsed.

    ``"SARL Dupont & Fils"`` and ``"DUPONT ET FILS"`` both give ``"DUPONT FILS"``.
    """
    t = unicodedata.normalize("NFKD", name)
    t = "".join(c for c in t if not unicodedata.combining(c)).upper().replace("&", " ")
    t = _NON_ALNUM.sub(" ", t.replace(".", ""))
    t = _LEGAL.sub(" ", t)
    return " ".join(t.split())


_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_DIGITS = re.compile(r"\d+")


def _token_keys(raw: str) -> set[str]:
    t = (raw if raw.isascii() else unicodedata.normalize("NFKD", raw)).upper()
    comp = _NOT_ALNUM.sub("", t)
    keys: set[str] = set()
    if len(comp) >= 3 and any(c.isdigit() for c in comp):
        keys.add("C:" + comp)
        keys.add("N:" + normalize_token(raw))
    groups = _DIGITS.findall(t)
    digits = "".join(groups)
    if len(digits) >= 5:
        keys.add("D:" + digits)
        z = "".join(g.lstrip("0") or "0" for g in groups)
        if len(z) >= 4:
            keys.add("Z:" + z)
        keys.add("S:" + "".join(sorted(digits)))
    if groups:
        tail = groups[-1].lstrip("0")
        if len(tail) >= 3:
            keys.add("L:" + tail)
    return keys


def text_keys(text: str) -> dict[str, int]:
    """Keys of every reference found in a payment's text → strongest level (0 = checksum)."""
    out: dict[str, int] = {}
    if not text:
        return out
    for ref in find_references(text):
        keys: set[str] = set()
        if ref.scheme != "invoice":
            keys.add("R:" + ref.value)
            if not ref.valid:
                keys |= _token_keys(ref.raw)
        else:
            keys |= _token_keys(ref.raw)
            # a prefix word glued to the number ("Fact. 2026/123"): also the number alone
            m = re.search(r"\d", ref.raw)
            if m and m.start() > 0:
                keys |= _token_keys(ref.raw[m.start() :])
            # several numbers run together ("20250000173/20250000174"): each run of 1-3 groups
            groups = list(_GROUP.finditer(ref.raw))
            if len(groups) > 1:
                for x in range(len(groups)):
                    for y in range(x + 1, min(x + 3, len(groups)) + 1):
                        if (x, y) != (0, len(groups)):
                            keys |= _token_keys(ref.raw[groups[x].start() : groups[y - 1].end()])
        for k in keys:
            lvl = _PREFIX_LEVEL[k[0]]
            if ref.scheme != "invoice" and k[0] == "R" and not ref.valid:
                lvl = 1
            if out.get(k, 99) > lvl:
                out[k] = lvl
    return out


def invoice_keys(values: Iterable[str]) -> dict[str, int]:
    """Keys of an invoice's id and printed reference → level (same scheme as :func:`text_keys`)."""
    out: dict[str, int] = {}
    for n, v in enumerate(values):
        if not v:
            continue
        whole = re.sub(r"[^A-Za-z0-9]", "", v).upper()
        # the invoice id is an id, not a printed reference: only the reference is parsed
        for ref in find_references(v) if n > 0 else ():
            # a bare number validates a FI/KID check digit 1 time in 10: only the whole reference
            strong = ref.scheme in ("rf", "ogm", "qr") or ref.value == whole
            if ref.scheme != "invoice" and ref.valid and strong:
                out["R:" + ref.value] = 0
        for k in _token_keys(v):
            lvl = _PREFIX_LEVEL[k[0]]
            if out.get(k, 99) > lvl:
                out[k] = lvl
    return out


def _vector_token_keys(values: pd.Series) -> pd.DataFrame:
    """:func:`_token_keys` of many tokens at once (pandas string ops): ``row, key, lvl``."""
    raw = values.astype(object).fillna("")
    ascii_ = raw.map(str.isascii).astype(bool)
    if not ascii_.all():
        raw = raw.where(ascii_, raw.map(lambda s: unicodedata.normalize("NFKD", s)))
    up = raw.str.upper()
    comp = up.str.replace(r"[^A-Z0-9]", "", regex=True)
    stripped = up.str.replace(r"(?<![0-9])0+(?=[0-9])", "", regex=True)
    norm = stripped.str.replace(r"[^A-Z0-9]", "", regex=True)
    digits = up.str.replace(r"[^0-9]", "", regex=True)
    z = stripped.str.replace(r"[^0-9]", "", regex=True)
    tail = up.str.extract(r"([0-9]+)[^0-9]*$", expand=False).fillna("").str.lstrip("0")
    n_comp, n_dig = comp.str.len(), digits.str.len()
    rows = np.arange(len(values))
    parts = []

    def add(prefix: str, col: pd.Series, mask: pd.Series, lvl: int) -> None:
        m = mask.to_numpy(dtype=bool)
        parts.append(pd.DataFrame({"row": rows[m], "key": prefix + col[m].to_numpy(dtype=object),
                                   "lvl": lvl}))  # fmt: skip

    has_digit = n_dig > 0
    add("C:", comp, (n_comp >= 3) & has_digit, 1)
    add("N:", norm, (n_comp >= 3) & has_digit, 2)
    add("D:", digits, n_dig >= 5, 3)
    add("Z:", z, (n_dig >= 5) & (z.str.len() >= 4), 3)
    add("L:", tail, tail.str.len() >= 3, 4)
    srt = digits.map(lambda d: "".join(sorted(d)))
    add("S:", srt, n_dig >= 5, 5)
    return pd.concat(parts, ignore_index=True)


def invoice_key_frame(ids: pd.Series, refs: pd.Series) -> pd.DataFrame:
    """Keys of every invoice (``inv`` position, ``key``, ``lvl``), vectorized over the ids;
    printed references go through :func:`invoice_keys` (they may be checksummed)."""
    frames = [_vector_token_keys(ids).rename(columns={"row": "inv"})]
    rows: list[tuple[int, str, int]] = []
    for i, ref in enumerate(refs.astype(object).fillna("")):
        if ref:
            rows.extend((i, k, lvl) for k, lvl in invoice_keys(("", ref)).items())
    frames.append(pd.DataFrame(rows, columns=["inv", "key", "lvl"]))
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["inv", "key", "lvl"], kind="stable")
    return out.drop_duplicates(["inv", "key"]).reset_index(drop=True)
