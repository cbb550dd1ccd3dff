"""Name agreements that rest only on a word many customers share.

rapidfuzz's WRatio scores a name by its best partial or token-set alignment: a payer
``ROSSI AND FITZGERALD`` scores high against ``Pacific Coast Rossi Products`` on the one word
they share. In a large book a surname or a trade word (``ROSSI``, ``WAGNER``, ``PLOMBERIE``)
is held by many customers, and such an agreement says little about which one pays.

:func:`cap_common_words` caps at ``medium`` the similarity of a pair whose ``high`` or
``exact`` agreement rests only on words that more than :data:`COMMON_CUSTOMERS` customers of
the book share, while each name also has words of its own that agree with nothing in the
other (``FITZGERALD`` against ``PACIFIC COAST PRODUCTS``). A payer name that only adds words
(an address glued to it, a legal form), or whose other words read as the customer's
(an initial, an abbreviation, a typo: ``WAGNER H.`` for ``Wagner Handel``), is left alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

__all__ = ["COMMON_CUSTOMERS", "COMMON_MAX", "cap_common_words", "rests_on_common_words"]

#: A name word held by more customers than this is common: it alone names none of them.
COMMON_CUSTOMERS = 2
#: Highest similarity (0-100) of an agreement resting on common words only: ``medium``.
COMMON_MAX = 84.0
_HIGH = 85.0  # the lowest ``high`` similarity (:func:`.features.name_codes`)
_TYPO = 80.0  # two words this alike (rapidfuzz ratio) are one word mistyped


def _agree(a: str, b: str) -> bool:
    """Do two words read as one: equal, one starting the other (an initial, a word cut
    short), an abbreviation (the letters of ``a`` in order in ``b``, first letter first:
    ``ETS`` of ``ETABLISSEMENTS``), or a typo?"""
    if a.startswith(b) or b.startswith(a):
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if short[0] == long_[0]:
        it = iter(long_)
        if all(ch in it for ch in short):
            return True
    return fuzz.ratio(a, b) >= _TYPO


def rests_on_common_words(payer: str, name: str, common: Mapping[str, int]) -> bool:
    """Does the agreement of normalized names ``payer`` and ``name`` rest only on words more
    than :data:`COMMON_CUSTOMERS` customers share (``common``: word → customers holding it)?
    True when they share a word, every shared word is common, and each name keeps words of
    its own, none of which agrees with a word the other keeps."""
    mine, theirs = payer.split(), name.split()
    words = set(mine).intersection(theirs)  # the words of ``p & n`` below, found cheaply first
    if not words or any(common.get(w, 0) <= COMMON_CUSTOMERS for w in words):
        return False
    p, n = Counter(mine), Counter(theirs)
    shared = p & n
    p_left, n_left = list((p - shared).elements()), list((n - shared).elements())
    if not p_left or not n_left:
        return False
    return not any(_agree(a, b) for a in p_left for b in n_left)


def cap_common_words(
    sims: np.ndarray[Any, Any],
    norms: np.ndarray[Any, Any],
    cids: np.ndarray[Any, Any],
    names: Mapping[str, set[str]],
    common: Mapping[str, int],
) -> None:
    """Cap in place, at :data:`COMMON_MAX`, the similarity of the pairs (normalized payer name
    ``norms``, customer ``cids``) of at least ``high`` whose agreement with every name of the
    customer (``names``: customer → normalized names) that is ``high`` or better
    :func:`rests_on_common_words` (``common``: name word → how many customers hold it,
    :attr:`.customer_index.CustomerIndex.word_counts`, counted once per book)."""
    hit = np.flatnonzero(sims >= _HIGH)
    if not len(hit):
        return
    # each distinct (payer name, customer) once, as a pair of codes
    ncode, nu = pd.factorize(np.asarray(norms[hit], dtype=object))
    ccode, cu = pd.factorize(np.asarray(cids[hit], dtype=object))
    n_c = max(len(cu), 1)
    uniques, code = np.unique(ncode.astype(np.int64) * n_c + ccode, return_inverse=True)
    code = code.reshape(-1)
    payers, custs = [str(x) for x in nu.tolist()], [str(x) for x in cu.tolist()]
    cap = np.zeros(len(uniques), dtype=bool)
    for k, key in enumerate(uniques.tolist()):
        payer, cid = payers[key // n_c], custs[key % n_c]
        aliases = [a for a in names.get(cid, ()) if a]
        common_only = [rests_on_common_words(payer, a, common) for a in aliases]
        # some name agrees on common words only, and no other name agrees as well on its own
        cap[k] = any(common_only) and all(
            rest or fuzz.WRatio(payer, a) < _HIGH
            for a, rest in zip(aliases, common_only, strict=True)
        )
    where = hit[cap[code]]
    sims[where] = np.minimum(sims[where], COMMON_MAX)
