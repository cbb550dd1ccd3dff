"""Payer names written in abbreviations: ``INTL INDL SUP`` for International Industrial Supply,
``AMER BLDG MATLS`` for American Building Materials, ``NATL MEDICAL GRO`` cut at a channel's
width.

A payer-name word that is not a word of the customer's name *abbreviates* one of them when it
starts with the same letter and its letters appear in that word in order (``BLDG`` in
``BUILDING``, ``GRO`` in ``GROUP``): a contraction or a truncation, the two ways banks, ACH
originators and AP departments shorten names. No list of abbreviations is involved. Each such
word is replaced by the word it abbreviates (each customer word used once, left to right) and
the names are compared again (rapidfuzz ``WRatio``). The result is capped at
:data:`ABBREVIATED_MAX`: a name read through abbreviations is never an exact name, only a
high similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz

__all__ = ["ABBREVIATED_MAX", "abbreviated", "expand_abbreviations"]

#: Similarity (0-100) a name read through abbreviations scores at most (below "exact", 95).
ABBREVIATED_MAX = 94.0
_MIN_WORD = 2  # shorter words (initials) are not read as abbreviations


def _in_order(short: str, word: str) -> bool:
    it = iter(word)
    return all(ch in it for ch in short)


@lru_cache(maxsize=1 << 16)
def _words(customer: str) -> tuple[list[str], frozenset[str], dict[str, list[int]]]:
    """A customer name's words, as a set, and the positions of its words by first letter
    (read once per name: a name is compared with many payers)."""
    words = customer.split()
    first: dict[str, list[int]] = {}
    for k, w in enumerate(words):
        first.setdefault(w[0], []).append(k)
    return words, frozenset(words), first


@lru_cache(maxsize=1 << 16)
def _tokens(payer: str) -> tuple[list[str], tuple[tuple[int, str], ...]]:
    """A payer name's words, and those that may be abbreviations (letters only, at least
    :data:`_MIN_WORD`) with their positions (read once per name: a payer name is compared
    with each customer it may be)."""
    toks = payer.split()
    return toks, tuple((j, t) for j, t in enumerate(toks) if len(t) >= _MIN_WORD and t.isalpha())


def expand_abbreviations(payer: str, customer: str) -> str:
    """``payer`` (a normalized name) with each word that abbreviates a word of ``customer``
    (same first letter, its letters in that word in order, shorter) replaced by that word."""
    toks, maybe = _tokens(payer)
    words, present, first = _words(customer)
    used: set[int] = set()
    out: list[str] | None = None  # (a copy of ``toks`` once a word is replaced)
    for j, tok in maybe:
        # (only the customer's words with the token's first letter, in order, are tried)
        if tok in present or tok[0] not in first:
            continue
        for k in first[tok[0]]:
            w = words[k]
            if k not in used and len(w) > len(tok) and _in_order(tok, w):
                used.add(k)
                if out is None:
                    out = list(toks)
                out[j] = w
                break
    return payer if out is None else " ".join(out)


def abbreviated(
    payers: Sequence[str], customers: Sequence[str], scores: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """``scores`` (WRatio of each normalized payer / customer name pair) raised, where the
    payer's name abbreviates the customer's, to their similarity once expanded (at most
    :data:`ABBREVIATED_MAX`); pairs already at that level or above are left as they are."""
    out: np.ndarray[Any, Any] = np.asarray(scores, dtype=np.float64).copy()
    for k in np.flatnonzero(out < ABBREVIATED_MAX).tolist():
        p, c = payers[k], customers[k]
        if not p or not c:
            continue
        e = expand_abbreviations(p, c)
        if e != p:
            out[k] = max(out[k], min(float(fuzz.WRatio(e, c)), ABBREVIATED_MAX))
    return out
