"""Equal payments of equal items in date order (issue 12, class 13).

A customer paying the same amount every week for items billed the same amount every week:
nothing in a payment tells which item it settles, only the dates do. The assignment maximizes
the summed scores, and the coarse ``date`` levels (an item paid 8 days after issue on 60-day
terms is "early", one paid near its due date "on time") make a rotation score higher than the
natural reading: the first payment takes the last item, the last payment an old one. Among the
chosen pairs of one customer and one amount that nothing but the amount ties together (exact
amount, and no reference, or one that names every such item of the payer alike: a blanket
purchase order quoted on each payment), the payments are therefore matched to the same items
in date order: the earliest payment with the item billed first (then due first), and so on,
when every such pair is a candidate at the same reference level and no more of them would be
paid before the item was issued. The billing day, not the due day, orders the items: on mixed
terms (one week's item due in 14 days, the next in 30) the due days cross, and pairing by them
would pay an item before the one billed a week earlier; in order of billing, the summed
distance between each payment and the day its item was billed is the least.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["date_order"]

_COLUMNS = ("tx", "inv", "amount", "reference", "customer_id", "a", "day", "due", "date")


def date_order(s: pd.DataFrame, chosen: list[int]) -> list[int]:
    """Row labels of ``s`` (scored single hypotheses) ``chosen`` by the assignment, with the
    interchangeable pairs of each customer and amount re-paired in date order."""
    if len(chosen) < 2 or any(c not in s for c in _COLUMNS):
        return chosen
    s = s[[c for c in s.columns if c in _COLUMNS or c == "issue"]]  # (the columns read)
    pick = s.loc[chosen]
    pick = pick[pick["amount"] == "exact"]
    if len(pick) < 2:
        return chosen
    txs = {int(t) for t in pick["tx"]}
    cand = s[s["tx"].isin(list(txs)) & (s["amount"] == "exact")]
    loose = pick[_alike(pick, cand)]
    # only the keys shared by two pairs or more are grouped (a frame per group of one was
    # most of the cost); the groups and their rows are the same, in the same order
    loose = loose[loose.duplicated(["customer_id", "a"], keep=False).to_numpy()]
    groups = [g for _, g in loose.groupby(["customer_id", "a"], sort=True) if len(g) > 1]
    if not groups:
        return chosen
    # (read for the payments of the groups only)
    cand = cand[cand["tx"].isin(pd.concat([g["tx"] for g in groups]).unique())]
    where = {
        (int(t), int(i)): (int(lab), str(d), str(r))
        for lab, t, i, d, r in zip(
            cand.index.tolist(),
            cand["tx"].tolist(),
            cand["inv"].tolist(),
            cand["date"].tolist(),
            cand["reference"].tolist(),
            strict=True,
        )
    }
    # the items in the order they were billed (then due): the k-th payment settles the k-th
    # item, which keeps the summed distance between payment and billing days least
    order = ["issue", "due", "inv"] if "issue" in s else ["due", "inv"]
    out = set(chosen)
    for g in groups:
        pays = g.sort_values(["day", "tx"], kind="stable")["tx"].astype(int).tolist()
        items = g.sort_values(order, kind="stable")["inv"].astype(int).tolist()
        ref = dict(zip(g["tx"].astype(int), g["reference"].astype(str), strict=True))
        new = [where.get((t, i)) for t, i in zip(pays, items, strict=True)]
        if any(x is None or x[2] != ref[t] for x, t in zip(new, pays, strict=True)):
            continue
        before = sum(str(d) == "before_issue" for d in g["date"])
        if sum(x[1] == "before_issue" for x in new if x is not None) > before:
            continue
        out -= {int(lab) for lab in g.index}
        out |= {x[0] for x in new if x is not None}
    return sorted(out)


def _alike(pick: pd.DataFrame, cand: pd.DataFrame) -> pd.Series:
    """Which chosen pairs (``pick``) nothing but the amount ties to their item among the
    payer's items of that amount: no reference, or the same reference level on every such
    candidate of the payment (a reference they all share names none of them)."""
    key = ["tx", "customer_id", "a"]
    levels = cand.groupby(key, sort=False)["reference"].agg(["nunique", "size"])
    row = pd.MultiIndex.from_frame(pick[key])
    n = levels.reindex(row)
    shared = (n["nunique"].to_numpy() == 1) & (n["size"].to_numpy() > 1)
    out = (pick["reference"] == "none").to_numpy() | shared
    return pd.Series(out, index=pick.index)
