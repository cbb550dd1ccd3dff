"""Keys of printed references that are not invoice numbers: checksummed references
(``R:``) and payment references of their own (``F:``, ``pay_7Hq2Lx9``, ``dossier-lemoine-B``)
looked for whole in payment texts (split from :mod:`rapprochement.matching.keys`, which
re-exports them)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from rapprochement.references import fi, kid, ogm, qr, rf

__all__ = ["FREE_LEVEL", "checksummed", "free_key", "free_text_keys", "reference_keys"]

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_NOT_ALNUM_NUL = re.compile(r"[^A-Z0-9\x00]")
_A_DIGIT = re.compile(r"\d")


def checksummed(ref: str) -> str | None:
    """``R:`` key of a printed reference that is, as a whole, a valid RF / OGM / QR / FI / KID."""
    return _checksummed(_NOT_ALNUM.sub("", ref.upper()))


def _checksummed(comp: str) -> str | None:
    """:func:`checksummed` of a reference upper-cased, its other characters than A-Z and 0-9
    removed."""
    if comp.startswith("RF"):
        return "R:" + comp if rf.compact_is_valid(comp) else None  # (compact already)
    if not comp.isdigit():
        return None
    ok = (
        (len(comp) == 12 and ogm.is_valid(comp))
        or (len(comp) == 27 and qr.is_valid(comp))
        or fi.is_valid(comp)
        or kid.is_valid(comp)
    )
    return "R:" + comp if ok else None


#: A payment reference that is not an invoice number (``pay_7Hq2Lx9``, ``dossier-lemoine-B``)
#: found whole in the text, separators and case aside: as sure as a normalized number.
FREE_LEVEL = 2
_FREE_MIN = 6  # alphanumerics: shorter tokens are words, not references
_SEPARATOR = re.compile(r"[-_./]")
_FREE_SPAN = 4  # a reference written with spaces spans at most this many words of the text


def free_key(reference: str) -> str | None:
    """The ``F:`` key of an invoice's printed reference when it is an identifier of its own
    (letters with digits or separators, at least six alphanumerics, not a number alone), else
    None: such a reference is looked for whole in payment texts (:func:`free_text_keys`)."""
    return _free_key(_NOT_ALNUM.sub("", reference.upper()), reference)


def _free_key(comp: str, reference: str) -> str | None:
    """:func:`free_key` of ``reference``, ``comp``: it upper-cased, its other characters than
    A-Z and 0-9 removed."""
    if len(comp) < _FREE_MIN or comp.isdigit() or not comp.isascii():
        return None
    if not (_A_DIGIT.search(comp) or _SEPARATOR.search(reference)):
        return None
    return "F:" + comp


def reference_keys(refs: list[str]) -> tuple[list[int], list[str], list[int]]:
    """The keys of :func:`checksummed` (level 0) and :func:`free_key` (:data:`FREE_LEVEL`) of
    many printed references: positions, keys and levels, a reference's in that order. Each
    reference is compacted once (all of them in one pass when none holds a NUL)."""
    joined = "\x00".join(refs)
    if refs and joined.count("\x00") == len(refs) - 1:  # (upper-casing maps each character alone)
        comps = _NOT_ALNUM_NUL.sub("", joined.upper()).split("\x00")
    else:
        comps = [_NOT_ALNUM.sub("", r.upper()) for r in refs]
    rows: list[int] = []
    keys: list[str] = []
    lvls: list[int] = []
    for i, (ref, comp) in enumerate(zip(refs, comps, strict=True)):
        key = _checksummed(comp)
        if key:
            rows.append(i)
            keys.append(key)
            lvls.append(0)
        free = _free_key(comp, ref)
        if free:
            rows.append(i)
            keys.append(free)
            lvls.append(FREE_LEVEL)
    return rows, keys, lvls


def free_text_keys(texts: Iterable[str]) -> pd.DataFrame:
    """``row, key, lvl`` of the ``F:`` keys of distinct payment texts (``row``: position among
    them): every run of one to four words, compacted (``REF DOSSIER LEMOINE B`` holds
    ``F:DOSSIERLEMOINEB``)."""
    rows: list[int] = []
    keys: list[str] = []
    for r, text in enumerate(texts):
        words = [_NOT_ALNUM.sub("", w) for w in str(text).upper().split()]
        seen: set[str] = set()
        for i in range(len(words)):
            comp = ""
            for w in words[i : i + _FREE_SPAN]:
                comp += w
                if len(comp) >= _FREE_MIN and comp not in seen:
                    seen.add(comp)
                    rows.append(r)
                    keys.append("F:" + comp)
    # columns, not row tuples (the same frame, built without a 2-D object array)
    cols = {"row": rows, "key": keys, "lvl": [FREE_LEVEL] * len(rows)}
    frame = pd.DataFrame(cols) if rows else pd.DataFrame([], columns=list(cols))
    return frame.astype({"row": np.int64, "lvl": np.int64})
