"""Payer links of blocking: which customers each payment may come from, by IBAN, by the
customer number its text quotes (:mod:`.customer_numbers`) or by the payer's name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.keys import normalize_name

if TYPE_CHECKING:
    from rapprochement.matching.customer_index import CustomerIndex

__all__ = ["customer_links"]


def customer_links(
    tx: pd.DataFrame,
    idx: CustomerIndex,
    config: MatchConfig,
    norms: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """(tx, customer_id, iban_link, by_number) for customers linked by IBAN, customer number
    or payer name. A customer number the text quotes (:mod:`.customer_numbers`) links its
    customer as surely as a known IBAN (``iban_link`` and ``by_number``), and the IBAN then
    links the other customers it is known for by name only (a factor's account paying for
    several customers is no evidence for the ones the payer did not name). ``norms``: the
    :func:`.name_keys.normalize_name` of each payer name, when already worked out."""
    rows_t: list[int] = []
    rows_c: list[str] = []
    rows_i: list[bool] = []
    rows_n: list[bool] = []
    texts = tx["text"].to_numpy(dtype=object) if "text" in tx else np.full(len(tx), "", object)
    by_name_cache: dict[str, list[tuple[str, float]]] = {}
    ibans, names = tx["iban"].tolist(), tx["name"].tolist()  # read once, not per row
    if norms is None:
        norms = {n: normalize_name(n) for n in set(names)}
    idx.prefill((nn, c) for nn in set(norms.values()) for c in idx.name_candidates(nn))
    for t, (iban, name) in enumerate(zip(ibans, names, strict=True)):
        seen: set[str] = set()
        owners = idx.by_iban.get(iban, ()) if iban else ()
        if len(owners) > config.max_iban_customers:
            owners = ()  # paid for many customers: the IBAN names none of them
        text = texts[t]
        named = idx.numbers.named(str(text)) if text else None
        if named is not None:
            rows_t.append(t)
            rows_c.append(named)
            rows_i.append(True)
            rows_n.append(True)
            seen.add(named)
        for c in sorted(owners):
            if c in seen:
                continue
            rows_t.append(t)
            rows_c.append(c)
            rows_i.append(named is None)
            rows_n.append(False)
            seen.add(c)
        norm = norms[name]
        if norm:
            hits = by_name_cache.get(norm)
            if hits is None:
                hits = by_name_cache[norm] = idx.by_name(norm, config.name_min_similarity)
            for c, _ in hits:
                if c not in seen:
                    rows_t.append(t)
                    rows_c.append(c)
                    rows_i.append(False)
                    rows_n.append(False)
    return pd.DataFrame(
        {
            "tx": np.array(rows_t, dtype=np.int64),
            "customer_id": pd.Series(rows_c, dtype=object),
            "iban_link": np.array(rows_i, dtype=bool),
            "by_number": np.array(rows_n, dtype=bool),
        }
    )
