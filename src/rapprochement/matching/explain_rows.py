"""The explanation of each allocation (:class:`Explanations`: its reading's contributions,
then the rows appended to it, as one JSON array), and zero-weight rows about the payer of an
allocation: customer records merged as one entity (:mod:`.entities`), a customer number
quoted in the text (:mod:`.customer_numbers`). Each row is a compact JSON object, or ``""``
when it does not apply."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rapprochement.matching.customer_numbers import number_keys, quoted_number_of, quoted_numbers
from rapprochement.matching.features import FEATURES
from rapprochement.matching.rank_counts import sorted_unique
from rapprochement.matching.scoring import Weights, contributions

if TYPE_CHECKING:
    from rapprochement.matching.partition import Partition

__all__ = [
    "Explanations",
    "comma_rows",
    "entity_row",
    "entity_rows",
    "note_row",
    "number_row",
    "number_rows",
]

_BLANKS = ("",) * len(FEATURES)  # the default of each feature's level read from a hypothesis


class Explanations:
    """The ``explanation`` of each of a partition's allocations (compact JSON), built once:
    its reading's contributions (:func:`.scoring.contributions`, computed once per distinct
    reading), then the rows :meth:`add` appends to it (its *tail*), then the closing bracket.
    Equal explanations are one string (:meth:`texts`): the allocations of one reading with
    nothing appended share its text, and those with equal tails one text per tail."""

    def __init__(self, hyps: list[dict[str, Any]], w: Weights) -> None:
        cache: dict[tuple[str, ...], int] = {}
        by_hyp: dict[int, int] = {}  # id of a hypothesis (allocations of one reading share it)
        #: the distinct readings' explanations, closed (a JSON array each)
        self._texts: list[str] = []
        of = np.empty(len(hyps), dtype=np.int64)  # per allocation: its reading's text
        for k, hyp in enumerate(hyps):
            at = by_hyp.get(id(hyp))
            if at is None:
                # the levels and what else the explanation reads (a payer IBAN shared by k
                # customers)
                key = (*map(str, map(hyp.get, FEATURES, _BLANKS)), str(hyp.get("iban_customers")))
                at = cache.get(key)
                if at is None:
                    at = cache[key] = len(self._texts)
                    self._texts.append(
                        json.dumps(
                            [c.model_dump() for c in contributions(hyp, w)], separators=(",", ":")
                        )
                    )
                by_hyp[id(hyp)] = at
            of[k] = at
        self._of = of
        self._tails = np.full(len(hyps), "", dtype=object)  # what each appends ("": nothing)

    def add(self, rows: np.ndarray[Any, Any], parts: list[str]) -> None:
        """Append ``parts`` (each ``""`` or rows preceded by a comma) to the ``rows``."""
        some = np.fromiter(map(bool, parts), dtype=bool, count=len(parts))
        if some.any():
            at = rows[some]
            self._tails[at] = self._tails[at] + np.array(parts, dtype=object)[some]

    def append(self, k: int, part: str) -> None:
        """Append ``part`` (rows preceded by a comma) to the allocation ``k``."""
        self._tails[k] = self._tails[k] + part

    def texts(self) -> list[str]:
        """Per allocation: its explanation (a JSON array), one string per distinct text."""
        texts = self._texts
        tailed: dict[tuple[int, str], str] = {}
        out = []
        for at, tail in zip(self._of.tolist(), self._tails.tolist(), strict=True):
            if tail:
                text = tailed.get((at, tail))
                if text is None:
                    base = texts[at]
                    text = tailed[(at, tail)] = f"{base[:-1]}{tail}]"
                out.append(text)
            else:
                out.append(texts[at])
        return out


def entity_row(invs: list[int], records: Any, names: Any) -> str:
    """The explanation row of a payment whose allocations (to the items ``invs``) span
    customer records merged as one entity (:mod:`.entities`), or ``""``."""
    seen = sorted({(str(records[i]), str(names[i])) for i in invs})
    if len({r for r, _ in seen}) < 2:
        return ""
    value = "one customer, several records: " + " = ".join(f"{n} ({r})" for r, n in seen)
    return json.dumps({"feature": "entity", "value": value, "weight": 0.0}, separators=(",", ":"))


def number_row(text: str, record: str, name: str, keys: dict[str, set[str]] | None = None) -> str:
    """The explanation row of a payer identified by the customer number its text quotes
    (:mod:`.customer_numbers`), or ``""``: its ``iban = known`` term then stands for that.
    ``keys``: a cache of :func:`.customer_numbers.number_keys` per record (one book's)."""
    if keys is None:
        num = quoted_number_of(text, record) if text else None
    elif not text:
        num = None
    else:  # quoted_number_of, with the record's keys read once per record
        mine = keys.get(record)
        if mine is None:
            mine = keys[record] = number_keys(record)
        num = next((n for n in quoted_numbers(text) if n in mine), None) if mine else None
    if num is None:
        return ""
    value = f"customer number {num} quoted in the text: {name} ({record})"
    return json.dumps({"feature": "payer", "value": value, "weight": 0.0}, separators=(",", ":"))


def comma_rows(rows: list[str]) -> list[str]:
    """Each of ``rows`` preceded by a comma (``""`` kept), one string per distinct row."""
    made: dict[str, str] = {"": ""}
    out = []
    for row in rows:
        got = made.get(row)
        if got is None:
            got = made[row] = "," + row
        out.append(got)
    return out


def note_row(told: str) -> str:
    """The zero-weight explanation row of a payout report's note."""
    return json.dumps({"feature": "report", "value": told, "weight": 0.0}, separators=(",", ":"))


def entity_rows(
    part: Partition,
    t_of: np.ndarray[Any, Any],
    i_of: np.ndarray[Any, Any],
    grouped: np.ndarray[Any, Any],
    hyps: list[dict[str, Any]],
) -> list[str]:
    """Per allocation of a group (``grouped``): its payment's merged-records row preceded by
    a comma (:func:`entity_row`), or ``""`` (a collector's payout: none)."""
    items_of: dict[int, set[int]] = defaultdict(set)  # payment → the items it is allocated to
    mine = np.flatnonzero(np.isin(t_of, t_of[grouped]) & (i_of >= 0))
    for t, i in zip(t_of[mine].tolist(), i_of[mine].tolist(), strict=True):
        items_of[t].add(i)
    # the records and names of those items alone (by position)
    at = sorted_unique(i_of[mine])
    records = dict(zip(at.tolist(), _values_at(part.inv["record"], at), strict=True))
    names = dict(zip(at.tolist(), _values_at(part.inv["customer_name"], at), strict=True))
    spans: dict[int, str] = {}
    out = []
    for k in grouped.tolist():
        row = ""
        if hyps[k].get("iban") != "collector":
            t = int(t_of[k])
            got = spans.get(t)
            if got is None:
                got = entity_row(sorted(items_of[t]), records, names)
                got = spans[t] = "," + got if got else ""
            row = got
        out.append(row)
    return out


def _values_at(col: pd.Series, at: np.ndarray[Any, Any]) -> list[Any]:
    """The values of ``col`` at the positions ``at`` (as ``col.to_numpy()[at]``)."""
    return list(col.iloc[at].to_numpy(dtype=object))


def number_rows(
    part: Partition,
    t_of: np.ndarray[Any, Any],
    i_of: np.ndarray[Any, Any],
    rows: np.ndarray[Any, Any],
    hyps: list[dict[str, Any]],
) -> list[str]:
    """Per allocation of ``rows``: the quoted customer number's row preceded by a comma
    (:func:`number_row`, for a payer known by its IBAN), or ``""``."""
    known = np.fromiter(
        (hyps[k].get("iban") == "known" for k in rows.tolist()), dtype=bool, count=len(rows)
    )
    out = [""] * len(rows)
    if not known.any():
        return out
    ts, its = t_of[rows[known]], i_of[rows[known]]
    texts = _values_at(part.tx["text"], ts)
    names = _values_at(part.inv["customer_name"], its)
    owners = _values_at(part.inv["record" if "record" in part.inv else "customer_id"], its)
    keys: dict[str, set[str]] = {}
    for j, text, owner, name in zip(
        np.flatnonzero(known).tolist(), texts, owners, names, strict=True
    ):
        row = number_row(str(text or ""), str(owner), str(name), keys)
        out[j] = "," + row if row else ""
    return out
