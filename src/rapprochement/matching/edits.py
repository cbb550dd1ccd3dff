"""Numbers one edit apart (:func:`one_edit`), for one pair and for many rows at once.

:mod:`.typos` and :mod:`.advice_typos` read a number as a typo of another one edit away (a
character changed, added, dropped, or two neighbours swapped), compared on the numbers' keys
(:func:`key_of`). :func:`.typos.drop_typo_readings` compares every suspect reading of a
payment (a named invoice that does not fit) with every fitting reading of the same payment: a
dozen of each per payment of a hard book, millions of key comparisons at 100k payments.
:func:`typo_rows` lists the (suspect, fitting) pairs as arrays and compares a pair of keys by
:func:`one_edit` only when two necessary conditions of one edit hold, checked on all pairs
at once:

* their lengths differ by one at most, and
* their character counts differ by two at most (L1 distance of the counts: a changed
  character moves one count down and one up, an added or dropped one moves one, a swap of
  neighbours none). The counts are taken over :data:`_BINS` bins of the code point (merging
  characters into a bin can only lower the distance, so the condition stays necessary).

The answer is that of comparing every pair: the conditions only skip pairs that cannot be one
edit apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.keys import expand

__all__ = [
    "MIN_LEN",
    "deletions",
    "key_of",
    "keys_of",
    "one_edit",
    "shapes",
    "typo_ids",
    "typo_rows",
]

Array = np.ndarray[Any, Any]
_BINS = 16  # character-count bins (by code point)
_LONG = 100  # keys longer than this are always compared (the counts are kept in a byte)
_CHUNK = 250_000  # (suspect, fitting) pairs compared at once
_SHAPE_KEYS = 65_536  # keys whose characters are counted at once (:func:`shapes`)
#: shorter numbers are one edit from too many others by chance: never read as typos
MIN_LEN = 4
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_NOT_ALNUM_LINE = re.compile(r"[^A-Z0-9\n]+")  # (values joined by line breaks)


def key_of(value: Any) -> str:
    """``value`` (a number or reference; None or NaN: empty) upper-cased, letters and digits
    only: the form whose edit distance :func:`one_edit` compares."""
    text = "" if value is None or value != value else str(value)
    up = text.upper()
    if up.isascii():  # (in ASCII, the letters and digits are these)
        return _NOT_ALNUM.sub("", up)
    return "".join(ch for ch in up if ch.isalnum())


def keys_of(values: Sequence[Any]) -> list[str]:
    """:func:`key_of` of each of ``values``, in one pass over them all when they are ASCII
    (one upper-casing and one substitution of the joined text, not one per value)."""
    texts = ["" if v is None or v != v else str(v) for v in values]
    joined = "\n".join(texts).upper()
    if joined.isascii() and joined.count("\n") == max(len(texts) - 1, 0):
        return _NOT_ALNUM_LINE.sub("", joined).split("\n") if texts else []
    # the others one by one (not ASCII, or a line break in them); the rest still in one pass
    plain = [t.isascii() and "\n" not in t for t in texts]
    fast = iter(keys_of([t for t, ok in zip(texts, plain, strict=True) if ok]))
    return [next(fast) if ok else key_of(t) for t, ok in zip(texts, plain, strict=True)]


def one_edit(a: str, b: str) -> bool:
    """Are ``a`` and ``b`` exactly one edit apart (one character substituted, inserted or
    deleted, or two neighbours swapped), both at least 4 characters long?"""
    la, lb = len(a), len(b)
    if la < MIN_LEN or lb < MIN_LEN or a == b:
        return False
    if la == lb:
        k = 0
        while a[k] == b[k]:  # (a != b: stops at the first difference)
            k += 1
        if a[k + 1 :] == b[k + 1 :]:  # one substituted
            return True
        # two neighbours swapped: the rest equal
        return a[k + 2 :] == b[k + 2 :] and a[k] == b[k + 1] and a[k + 1] == b[k]
    if la == lb + 1:
        short, long_ = b, a
    elif lb == la + 1:
        short, long_ = a, b
    else:
        return False
    k = 0
    while k < len(short) and short[k] == long_[k]:
        k += 1
    return short[k:] == long_[k + 1 :]


def deletions(key: str) -> set[str]:
    """``key`` and every form of it with one character deleted: two keys exactly one edit
    apart (:func:`one_edit`) always share one of these forms (symmetric deletion), so an index
    of them finds the keys one edit from a given one by dict probes."""
    return {key, *(key[:k] + key[k + 1 :] for k in range(len(key)))}


def shapes(vocab: list[str]) -> tuple[Array, Array]:
    """Length and binned character counts (``len(vocab)`` × :data:`_BINS`) of each key."""
    lens = np.fromiter(map(len, vocab), dtype=np.int64, count=len(vocab))
    out = np.zeros((len(vocab), _BINS), dtype=np.int8)
    # a slice of the keys at a time: the per-character temporaries (code points, owners,
    # bins: 24 bytes a character) stay bounded whatever the vocabulary
    for lo in range(0, len(vocab), _SHAPE_KEYS):
        part = vocab[lo : lo + _SHAPE_KEYS]
        codes = np.frombuffer("".join(part).encode("utf-32-le"), dtype=np.uint32)
        owner = np.repeat(np.arange(len(part), dtype=np.int64), lens[lo : lo + len(part)])
        owner *= _BINS
        owner += codes % _BINS
        counts = np.bincount(owner, minlength=len(part) * _BINS).reshape(len(part), _BINS)
        out[lo : lo + len(part)] = np.minimum(counts, 127)
    return lens, out


def _csr(sets: Sequence[set[str]], vocab: pd.Index) -> tuple[Array, Array, Array]:
    """Key ids (positions in ``vocab``, every key of :data:`MIN_LEN` characters or more) of
    each set's keys of that length, in the set's order, as starts, counts and the ids
    concatenated (the keys of every set looked up at once)."""
    sizes = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    flat = pd.Index([k for s in sets for k in s], dtype=object)
    code = vocab.get_indexer(flat) if len(flat) else np.zeros(0, dtype=np.int64)
    keep = code >= 0  # (a shorter key is in no vocabulary)
    owner = np.repeat(np.arange(len(sets), dtype=np.int64), sizes)
    counts = np.bincount(owner[keep], minlength=len(sets)).astype(np.int64)
    starts = np.cumsum(counts) - counts
    return starts, counts, code[keep].astype(np.int64)


def typo_rows(
    mine: Sequence[set[str]],
    group: Array,
    theirs: Sequence[set[str]],
    fit_item: Array,
    fit_group: Array,
    apart: Callable[[Array, Array], Array],
) -> Array:
    """For each suspect ``k`` (its keys ``mine[k]``, its payment ``group[k]``): is some key of
    a fitting reading of the same payment one edit from one of its keys (:func:`one_edit`),
    among the fitting readings ``f`` for which ``apart(k, f)`` holds (arrays of positions:
    which pairs may be compared, e.g. another customer, another item)? Fitting reading ``f``
    has the keys ``theirs[fit_item[f]]`` and the payment ``fit_group[f]`` (increasing)."""
    vocab = sorted({k for s in (*mine, *theirs) for k in s if len(k) >= MIN_LEN})
    if not vocab or not len(fit_group):
        return np.zeros(len(mine), dtype=bool)
    known = pd.Index(vocab, dtype=object)
    return typo_ids(
        vocab, _csr(mine, known), group, _csr(theirs, known), fit_item, fit_group, apart
    )


def typo_ids(
    vocab: Sequence[str],
    mine: tuple[Array, Array, Array],
    group: Array,
    theirs: tuple[Array, Array, Array],
    fit_item: Array,
    fit_group: Array,
    apart: Callable[[Array, Array], Array],
) -> Array:
    """:func:`typo_rows` of keys given as ids into ``vocab`` (each key of :data:`MIN_LEN`
    characters or more, the others left out): ``mine`` and ``theirs`` as starts, counts and
    the ids concatenated."""
    m_start, m_count, m_ids = mine
    t_start, t_count, t_ids = theirs
    out = np.zeros(len(m_count), dtype=bool)
    if not len(vocab) or not len(fit_group):
        return out
    lens, counts = shapes(list(vocab))
    lo = np.searchsorted(fit_group, group, side="left")
    n_fit = np.searchsorted(fit_group, group, side="right") - lo
    n_fit[m_count == 0] = 0
    ends = np.cumsum(n_fit)
    first = 0
    while first < len(out):
        last = int(np.searchsorted(ends, (ends[first - 1] if first else 0) + _CHUNK, "right"))
        last = max(last, first + 1)
        which = np.arange(first, min(last, len(out)), dtype=np.int64)
        first = int(which[-1]) + 1
        s = np.repeat(which, n_fit[which])
        f = expand(lo, n_fit, which)
        keep = apart(s, f)
        s, f = s[keep], f[keep]
        # every (suspect key, fitting key) of the pairs
        a_at = expand(m_start, m_count, s)
        s2, f2 = np.repeat(s, m_count[s]), np.repeat(f, m_count[s])
        a = m_ids[a_at]
        item = fit_item[f2]
        b = t_ids[expand(t_start, t_count, item)]
        s3, a = np.repeat(s2, t_count[item]), np.repeat(a, t_count[item])
        near = (a != b) & (np.abs(lens[a] - lens[b]) <= 1)
        s3, a, b = s3[near], a[near], b[near]
        long_ = (lens[a] > _LONG) | (lens[b] > _LONG)
        dist = np.abs(counts[a].astype(np.int16) - counts[b].astype(np.int16)).sum(axis=1)
        near = long_ | (dist <= 2)
        for k, x, y in zip(s3[near].tolist(), a[near].tolist(), b[near].tolist(), strict=True):
            if not out[k] and one_edit(vocab[x], vocab[y]):
                out[k] = True
    return out
