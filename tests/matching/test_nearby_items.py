"""``GroupContext.nearby_items`` (the items a payment's group search reads) against its plain
definition: the payer's items issued by the payment (+3 days), due nearest first; its first
``MAX_CREDIT_NOTES`` credit notes whatever their date, and the rest up to
``max_group_items``, which may hold further credit notes (a payer with many of them)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement.matching.claimed import ClaimedElsewhere, Claims
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.group_context import MAX_CREDIT_NOTES, GroupContext, GroupIndex


def _plain(ctx: GroupContext, t: int, cust: str, exclude: set[int]) -> list[int]:
    day = int(ctx.days[t])
    sign = 1 if ctx.amounts[t] >= 0 else -1
    items = sorted(
        (
            k
            for k in range(len(ctx.open))
            if ctx.cust[k] == cust and k not in exclude and (day < 0 or ctx.issue[k] <= day + 3)
        ),
        key=lambda k: (abs(int(ctx.due[k]) - day), k),
    )
    notes = [k for k in items if sign * ctx.open[k] < 0][:MAX_CREDIT_NOTES]
    if not notes:
        return items[: ctx.config.max_group_items]
    keep = set(notes)
    rest = [k for k in items if k not in keep][: ctx.config.max_group_items - len(notes)]
    keep.update(rest)
    return [k for k in items if k in keep]


_item = st.tuples(
    st.sampled_from(["A", "B"]),
    st.integers(-5000, 2000).filter(lambda v: v != 0),
    st.integers(0, 60),
    st.integers(0, 60),
)

#: a payer's items, the payment's amount and day, and ``max_group_items``
_BOOK: dict[str, Any] = {
    "items": st.lists(_item, min_size=1, max_size=40),
    "amount": st.integers(-9000, 9000).filter(lambda v: v != 0),
    "day": st.integers(-1, 70),
    "limit": st.integers(2, 12),
}


def _frames(items: list[tuple[str, int, int, int]], amount: int, day: int) -> Any:
    inv = pd.DataFrame(
        {
            "invoice_id": [f"I{k}" for k in range(len(items))],
            "reference": [""] * len(items),
            "customer_id": [c for c, *_ in items],
            "customer_name": [c for c, *_ in items],
            "open": np.array([v for _, v, _, _ in items], dtype=np.int64),
            "issue_day": np.array([i for *_, i, _ in items], dtype=np.int64),
            "due_day": np.array([i + d for *_, i, d in items], dtype=np.int64),
        }
    )
    tx = pd.DataFrame(
        {
            "transaction_id": ["T0"],
            "amount": np.array([amount], dtype=np.int64),
            "day": np.array([day], dtype=np.int64),
            "name": ["A"],
            "text": [""],
        }
    )
    pairs: dict[str, Any] = {
        "tx": np.zeros(0, dtype=np.int64),
        "inv": np.zeros(0, dtype=np.int64),
        "iban": np.zeros(0, dtype=np.int8),
        "name_sim": np.zeros(0),
        "ref": np.zeros(0, dtype=np.int64),
    }
    return tx, inv, pd.DataFrame(pairs)


def test_a_payer_with_more_credit_notes_than_the_cap_keeps_the_nearest_in_the_rest() -> None:
    # eight credit notes due within days of the payment, two invoices due a month later:
    # six notes whatever their date, then the nearest two items, which are notes again
    items = [("A", -100 - k, 0, 1 + k) for k in range(8)] + [("A", 900, 0, 30), ("A", 800, 0, 31)]
    tx, inv, pairs = _frames(items, 1000, 2)
    ctx = GroupContext(tx, inv, pairs, MatchConfig(max_group_items=8), "EUR", GroupIndex(inv))
    got = ctx.nearby_items(0, "A")
    assert got == _plain(ctx, 0, "A", set())
    assert sorted(got) == list(range(8))


@settings(max_examples=300, deadline=None)
@given(
    **_BOOK,
    exclude=st.sets(st.integers(0, 39), max_size=8),
)
def test_nearby_items_is_its_definition(
    items: list[tuple[str, int, int, int]], amount: int, day: int, limit: int, exclude: set[int]
) -> None:
    tx, inv, pairs = _frames(items, amount, day)
    config = MatchConfig(max_group_items=limit)
    ctx = GroupContext(tx, inv, pairs, config, "EUR", GroupIndex(inv))
    for cust in ("A", "B"):
        assert ctx.nearby_items(0, cust, exclude) == _plain(ctx, 0, cust, exclude)


@settings(max_examples=200, deadline=None)
@given(
    **_BOOK,
    claims=st.dictionaries(st.integers(0, 39), st.sampled_from(["T0", "T1", "T2"]), max_size=20),
)
def test_nearby_items_leave_out_what_others_settle(
    items: list[tuple[str, int, int, int]],
    amount: int,
    day: int,
    limit: int,
    claims: dict[int, str],
) -> None:
    # the claims read at once (:class:`.claimed.Claims`) leave out what the plain dict does
    tx, inv, pairs = _frames(items, amount, day)
    ctx = GroupContext(tx, inv, pairs, MatchConfig(max_group_items=limit), "EUR", GroupIndex(inv))
    claims = {k: t for k, t in claims.items() if k < len(inv)}
    shared = Claims(claims, len(inv))
    assert dict(shared) == claims
    for cust in ("A", "B"):
        want = _plain(ctx, 0, cust, ClaimedElsewhere(claims, "T0"))
        assert ctx.nearby_items(0, cust, ClaimedElsewhere(shared, "T0")) == want
