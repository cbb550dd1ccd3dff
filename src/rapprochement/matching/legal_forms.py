"""Legal forms in company names: ``DUPONT SA`` and ``DUPONT SARL`` are two companies.

Names are compared with their legal forms dropped (:func:`~.keys.normalize_name`): a bank
often drops the form, so ``DUPONT`` must still read as ``Dupont SARL``. But when the payer's
name *states* a form and the customer's names state only other ones, the two are different
companies sharing a name, and the more customers a book has, the more such namesakes it holds
(a payer ``EURL Noël et Associés`` against the customer ``Noël et Associés SNC``). Such a name
is at most a ``medium`` match (:data:`CONFLICT_MAX`): it still links the payer, but no longer
identifies it (:mod:`.gates`) nor outranks the namesake whose form agrees.

A form cut short (``SAS`` of a truncated ``SASU``) is no conflict: a form that begins one of
the customer's forms agrees with it.

Namesakes may also state one form in two places: ``SARL Dupont`` and ``Dupont SARL`` are two
customers of the master data. A bank keeps the order of the words it shows, so where the
payer states the form (:func:`form_position`) tells them apart: a payer stating it where the
customer's names do not, while a namesake (a customer with the same name, forms aside)
states it there, is at most ``medium`` for that customer (:func:`cap_moved_forms`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CONFLICT_MAX",
    "cap_moved_forms",
    "cap_namesakes",
    "conflicting",
    "form_position",
    "legal_form",
]

#: Highest name similarity (0-100) of a payer whose stated legal form conflicts with the
#: customer's: below ``high`` (85), a ``medium`` name.
CONFLICT_MAX = 84.0

_FORMS = re.compile(
    r"\b(SARL|SAS|SASU|SA|SNC|SCI|EURL|SPRL|GMBH|AG|KG|UG|BV|NV|SRL|SPA|SL|SLU|LTD|LIMITED|PLC|"
    r"LLC|INC|INCORPORATED|CORP|CORPORATION|CO|COMPANY|LP|LLP|PLLC|PC)\b"
)
#: spellings of one legal form (``Inc.``, ``Inc``, ``Incorporated``; ``L.L.C.``, ``LLC``)
_SAME_FORM = {"LIMITED": "LTD", "INCORPORATED": "INC", "CORPORATION": "CORP", "COMPANY": "CO"}


#: the customer of each pair: the ids, or their codes and the ids the codes number
Customers = np.ndarray[Any, Any] | tuple[np.ndarray[Any, Any], Sequence[str]]


def legal_form(name: str) -> str:
    """The legal forms a name states, normalized and sorted, space-separated (``""``: none):
    ``"Wolf GmbH & Co. KG"`` → ``"CO GMBH KG"``."""
    t = (name if name.isascii() else unicodedata.normalize("NFKD", name)).upper().replace(".", "")
    return " ".join(sorted({_SAME_FORM.get(f, f) for f in _FORMS.findall(t)}))


def conflicting(payer: str, customer: Iterable[str]) -> bool:
    """Do the legal forms a payer states (``payer``, as :func:`legal_form`) conflict with every
    form the customer's names state (``customer``: the :func:`legal_form` of each name)? No
    form on either side is no conflict; a payer form that begins a customer form (cut short)
    agrees with it."""
    mine = payer.split()
    theirs = {f for forms in customer for f in forms.split()}
    if not mine or not theirs:
        return False
    return not any(t.startswith(m) for m in mine for t in theirs)


def cap_namesakes(
    sims: np.ndarray[Any, Any],
    names: np.ndarray[Any, Any],
    t: np.ndarray[Any, Any],
    cids: Customers,
    forms: Mapping[str, AbstractSet[str]],
) -> None:
    """Cap in place, at :data:`~.legal_forms.CONFLICT_MAX`, the name similarity of the pairs
    (payment ``t``, customer ``cids``) whose payer name (``names``, per payment) states a legal
    form that conflicts with every form the customer's names state (``forms``: customer →
    :func:`legal_form` of each of its names): a namesake, not the customer."""
    _cap_pairs(
        sims, names, t, cids, legal_form, lambda mine, cid: conflicting(mine, forms.get(cid, ()))
    )


def _cap_pairs(
    sims: np.ndarray[Any, Any],
    names: np.ndarray[Any, Any],
    t: np.ndarray[Any, Any],
    cids: Customers,
    read: Callable[[str], str],
    namesake: Callable[[str, str], bool],
) -> None:
    """Cap in place, at :data:`CONFLICT_MAX`, the similarity of the pairs (payment ``t``,
    customer ``cids``) for which ``namesake(read(payer name), customer)`` holds (judged once
    per distinct reading and customer; a payer name read as ``""`` is never capped; ``cids``
    may come as codes with the ids they number)."""
    if not len(sims):
        return
    got = {n: read(str(n)) for n in set(names.tolist())}
    tcode, pread = pd.factorize(np.array([got[n] for n in names.tolist()], dtype=object))
    if not any(pread):
        return
    pcode = tcode[t]
    if isinstance(cids, tuple):  # already as codes
        ccode, ucid = cids[0], list(cids[1])
    else:
        ccode, uniques = pd.factorize(np.asarray(cids, dtype=object))
        ucid = uniques.tolist()
    combo, back = np.unique(pcode.astype(np.int64) * len(ucid) + ccode, return_inverse=True)
    # the readings are strings (``read``): read once as a list, as the customers
    reads, custs, n_c = [str(r) for r in pread.tolist()], [str(c) for c in ucid], len(ucid)
    bad = np.array(
        [
            bool(reads[k // n_c]) and namesake(reads[k // n_c], custs[k % n_c])
            for k in combo.tolist()
        ],
        dtype=bool,
    )
    hit = bad[back.ravel()]
    sims[hit] = np.minimum(sims[hit], CONFLICT_MAX)


_WORDS = re.compile(r"[A-Z0-9]+")


def form_position(name: str) -> str:
    """Where a name states a legal form: ``"front"`` (``SARL Dupont``), ``"back"`` (``Dupont
    SARL``, also with an address glued after it), or ``""`` (no form, or nothing but forms)."""
    t = (name if name.isascii() else unicodedata.normalize("NFKD", name)).upper().replace(".", "")
    words = _WORDS.findall(t)
    is_form = [bool(_FORMS.fullmatch(w)) for w in words]
    if all(is_form):
        return ""
    if is_form[0]:
        return "front"
    return "back" if any(is_form) else ""


def cap_moved_forms(
    sims: np.ndarray[Any, Any],
    names: np.ndarray[Any, Any],
    t: np.ndarray[Any, Any],
    cids: Customers,
    positions: Mapping[str, AbstractSet[str]],
    namesakes: Mapping[str, AbstractSet[str]],
) -> None:
    """Cap in place, at :data:`CONFLICT_MAX`, the name similarity of the pairs (payment ``t``,
    customer ``cids``) whose payer name (``names``, per payment) states its legal form where no
    name of the customer does (``positions``: customer → the :func:`form_position` of each of
    its names) while a namesake of the customer states it there (``namesakes``: customer →
    where the names of its namesakes, the other customers with one of its names forms aside,
    state a form: :attr:`.customer_index.CustomerIndex.namesake_positions`)."""

    def moved(where: str, cid: str) -> bool:
        mine = positions.get(cid, frozenset()) - {""}
        return bool(mine) and where not in mine and where in namesakes.get(cid, ())

    _cap_pairs(sims, names, t, cids, form_position, moved)
