"""Open items another payment settles outright, left out of a group's subset-sum search.

A payment of exactly an item's open amount whose text names that item by a strong reference
(checksum, exact or normalized number) settles it: that reading is the payment's only such
reading and the item's only such payment. Such an item is not open for another payment's
subset-sum search: a payer with many invoices pays most of them one by one, and searching
its items due nearest a grouped payment (``max_group_items``) would otherwise spend the
window on items already paid — the group's own items, older, falling outside it, and the
items paid elsewhere making up coincidental exact sums (a wrong group, or a rival that keeps
the right one from being found alone). A lockbox check that pays a customer's oldest
invoices with nothing but the payer's name and the amount is read only once these are gone.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["STRONG_REF", "claimed_items"]

#: single-invoice reference codes that name an item outright (checksum, exact, normalized)
STRONG_REF = 2


def claimed_items(singles: pd.DataFrame) -> frozenset[int]:
    """Positions of the open items settled outright by one payment (see module doc): the
    ``inv`` of the single-invoice rows with an ``exact`` amount and a reference code at most
    :data:`STRONG_REF`, kept when neither their payment nor their item has another such row
    (a duplicate payment or two items one number names are no outright settlement)."""
    if singles.empty:
        return frozenset()
    s = singles[(singles["amount"] == "exact") & (singles["ref"] <= STRONG_REF)]
    s = s[~s["tx"].duplicated(keep=False) & ~s["inv"].duplicated(keep=False)]
    return frozenset(int(i) for i in s["inv"])
