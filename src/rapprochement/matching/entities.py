"""Customer records that are one entity: ERP master data holds typos and duplicates.

"Menuiserie Lefèvre SARL" and "Menuiserie Lefebre SARL" are one company filed twice; a grouped
payment settling items of both was never found, because blocking and the group search look at
one customer at a time. Records are merged for matching only (the result keeps each invoice's
own ``customer_id``) when they are almost surely one entity:

* their names, legal forms and small words aside (:func:`~.keys.normalize_name`), are equal or
  one edit apart, and at least ``MIN_NAME`` characters long (short names collide by chance);
* both are companies (a legal form in the name: two people may well share a name) of the same
  legal form (``DUPONT SA`` and ``DUPONT SARL`` are two companies), stated at the same place
  (``SARL DUPONT`` and ``DUPONT SARL`` are two namesakes: a record filed twice is typed the
  same way, :func:`~.legal_forms.form_position`);
* their IBANs do not differ (both known and unequal: two payers).

Each merged group is represented by its smallest ``customer_id``; the explanation of an
allocation spanning two records names them (``entity`` row).
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
from rapidfuzz.distance import Levenshtein

from rapprochement.matching.keys import normalize_name
from rapprochement.matching.legal_forms import form_position, legal_form

__all__ = ["MIN_NAME", "entities"]

MIN_NAME = 10  # normalized characters
_MAX_BLOCK = 200  # records sharing a name prefix compared pairwise; a larger block is skipped


def entities(inv: pd.DataFrame) -> dict[str, str]:
    """``customer_id`` → the id representing its entity, for the records merged (others are
    absent). ``inv`` has ``customer_id, customer_name, customer_iban`` (internal frame)."""
    who = inv[["customer_id", "customer_name", "customer_iban"]].drop_duplicates("customer_id")
    recs = []
    for cid, name, iban in zip(
        who["customer_id"].tolist(),
        who["customer_name"].tolist(),
        who["customer_iban"].tolist(),
        strict=True,
    ):
        norm = normalize_name(str(name))
        stated = legal_form(str(name)) if len(norm) >= MIN_NAME else ""
        if stated:  # companies: people share names
            form = (stated, form_position(str(name)))
            recs.append((str(cid), norm, form, str(iban or "")))
    blocks: dict[str, list[int]] = defaultdict(list)
    for k, rec in enumerate(recs):
        norm = rec[1]
        blocks[norm[:3]].append(k)
        blocks["~" + norm[-3:]].append(k)  # a typo in the first letters is caught by the end
    parent = list(range(len(recs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in blocks.values():
        if len(members) < 2 or len(members) > _MAX_BLOCK:
            continue
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1 :]:
                ra, rb = recs[a], recs[b]
                if ra[2] != rb[2] or (ra[3] and rb[3] and ra[3] != rb[3]):
                    continue
                if Levenshtein.distance(ra[1], rb[1], score_cutoff=1) <= 1:
                    parent[find(a)] = find(b)
    groups: dict[int, list[str]] = defaultdict(list)
    for k in range(len(recs)):
        groups[find(k)].append(recs[k][0])
    out: dict[str, str] = {}
    for ids in groups.values():
        if len(ids) > 1:
            rep = min(ids)
            out.update(dict.fromkeys(ids, rep))
    return out
