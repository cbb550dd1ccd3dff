"""Global, deterministic assignment of hypotheses to payments and invoices.

Positions in the partition frames follow the ids (the engine sorts by id first), so every
tie below breaks on ids and shuffling the input changes nothing.

1. **Groups** (grouped, remittance, credit-note netting) whose score beats every single-invoice
   hypothesis of the same payment, or that settle it to the cent with the invoice its best
   single hypothesis reads only approximately, are taken best first; an invoice is never
   allocated beyond its open amount. A group one of whose invoices another payment claims
   alone, more strongly, waits (:mod:`.group_assignment`).
2. **One-to-one**: among the remaining pairs, each payment's best invoice is taken when no
   other payment wants it; the connected components where they conflict are solved optimally
   with ``scipy.optimize.linear_sum_assignment`` (maximizing the expected number of right
   allocations, the sum of scores). The groups that waited are then taken on what is left
   (for the invoices they still have, as suggestions).
3. **Further payments** of an invoice that is still open (instalments, split payments) are
   allocated best first; a payment left with nothing gets its best group that still fits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from rapprochement.matching.assign_arrays import (
    best_first,
    first_of,
    group_codes,
    group_reduce,
    text_in,
)
from rapprochement.matching.date_order import date_order
from rapprochement.matching.features import TWIN_DAYS
from rapprochement.matching.gc_pause import paused
from rapprochement.matching.group_assignment import (
    Alloc,
    Assignment,
    approximate_best,
    claims,
    exact_best,
    records,
    take_groups,
)
from rapprochement.matching.repeats import duplicates, equal_items, later_twins

__all__ = ["Alloc", "Assignment", "assign"]

_EPS = 1e-9
_KEEP_LOGIT = 4.6
_MAX_COMPONENT = 400
_DATE_TIE = 1e-13  # per day between payment and due date: below any difference of evidence
_TWIN_DAYS = TWIN_DAYS  # payments this close, identical but for the date, may be a duplicate pair
_TWIN_MARGIN = 1.0  # logit below its best by which a twin's other invoice is not an option


#: the columns the twin passes read (:func:`_twin_evidence`'s frame keeps only these)
_ADJ = (
    *("tx", "inv", "logit", "p", "day", "due", "twin", "amount"),
    *("ref", "rivals", "siblings", "reference", "iban", "name"),
)


def _distinct(code: np.ndarray[Any, Any], other: np.ndarray[Any, Any], n: int) -> Any:
    """Per code in ``0..n-1``, how many distinct values of ``other`` its rows hold."""
    pairs = np.unique(code.astype(np.int64) * (int(other.max()) + 1) + other.astype(np.int64))
    return np.bincount(pairs // (int(other.max()) + 1), minlength=n)


def _separate(s: pd.DataFrame) -> np.ndarray[Any, Any]:
    """The ``twin`` codes of ``s`` where payments sharing a code that have as many equal
    items to settle as there are payments (an amount billed and paid every week) get codes of
    their own: separate payments of separate items, each read on its own dates, not repeats
    of one."""
    twin = s["twin"].to_numpy()
    if "amount" not in s:
        return twin
    whole = text_in(s["amount"], ("exact", "discount", "fee"))
    _, code = np.unique(twin, return_inverse=True)
    n = int(code.max()) + 1
    tx, inv = s["tx"].to_numpy(), s["inv"].to_numpy()
    items = _distinct(code[whole], inv[whole], n)[code] if whole.any() else np.zeros(len(s))
    pays = _distinct(code, tx, n)[code]
    apart = (pays > 1) & (items >= pays)
    if not apart.any():
        return twin
    out = twin.astype(np.int64)
    out[apart] = -1 - tx[apart].astype(np.int64)
    return out


def _twin_evidence(s: pd.DataFrame) -> pd.DataFrame:
    """``s`` where payments identical but for a date at most ``_TWIN_DAYS`` apart (column
    ``twin``) each get, for every invoice, the best score of any of them: the evidence is the
    same up to the date, and one is likely a duplicate of the other, so the earlier one takes
    the invoice (the tie-break of :func:`_one_to_one`) rather than the one paid closer to the
    due date. (Only the columns the twin passes read, :data:`_ADJ`, are kept.)"""
    if "twin" not in s or not len(s):
        return s
    twin = _separate(s)
    out = s[[c for c in s.columns if c in _ADJ]].assign(twin=twin)
    # a payment has one row per invoice: rows sharing (twin, invoice) are different payments
    inv = s["inv"].to_numpy()
    shared = group_reduce(group_codes(twin, inv), inv, "size") > 1
    at = np.flatnonzero(shared & (s["day"].to_numpy() >= 0))
    if not len(at):
        return out
    code = group_codes(twin[at], inv[at])
    day = s["day"].to_numpy()[at]
    span = group_reduce(code, day, "max") - group_reduce(code, day, "min")
    twins = (group_reduce(code, day, "size") > 1) & (span <= _TWIN_DAYS)
    if not twins.any():
        return out
    lab = at[twins]
    logit, p = out["logit"].to_numpy().copy(), out["p"].to_numpy().copy()
    logit[lab] = group_reduce(code, logit[at], "max")[twins]
    p[lab] = group_reduce(code, p[at], "max")[twins]
    return out.assign(logit=logit, p=p)


def _twin_repeats(
    s: pd.DataFrame, picked: list[int], adj: pd.DataFrame | None = None
) -> dict[int, tuple[int, int]]:
    """Payments whose best invoice (on twin evidence, :func:`_twin_evidence`) went to an
    earlier twin at most ``_TWIN_DAYS`` before, and that have no other invoice nearly as
    likely: a duplicate → ``(earlier payment, invoice)``. Another invoice as likely (two
    equal invoices paid by two equal payments) keeps the payment, and so do payments that add
    up to their invoice together (siblings: a split), and payments given an item of exactly
    their amount by a payer tied to its customer when nothing names the taken invoice either
    (:func:`.repeats.equal_items`: a look-alike customer's equal item, which the coarser name level
    alone scores lower)."""
    if "twin" not in s or not picked:
        return {}
    adj = _twin_evidence(s) if adj is None else adj  # (given: computed once by the caller)
    at = _positions(adj, picked)
    tx, inv, twin = adj["tx"].to_numpy(), adj["inv"].to_numpy(), adj["twin"].to_numpy()
    day, logit = adj["day"].to_numpy(), adj["logit"].to_numpy()
    best = _best_of_tx(adj)
    # the picked logit of each payment (-inf: none picked); a payment whose own pick is
    # nearly as likely as its best is no repeat, whatever else holds
    own = np.full(int(tx.max()) + 1, -np.inf)
    own[tx[at]] = logit[at]
    best = best[own[tx[best]] < logit[best] - _TWIN_MARGIN]
    # ... nor one whose best invoice no pick of its twin code took
    span = int(inv.max()) + 1
    lo = int(twin.min())
    key_pick = (twin[at].astype(np.int64) - lo) * span + inv[at]
    best = best[np.isin((twin[best].astype(np.int64) - lo) * span + inv[best], key_pick)]
    if not len(best):
        return {}
    # (read on the picks of the payments still in question only: the same answers for them)
    equal = equal_items(adj.iloc[at[np.isin(tx[at], tx[best])]])
    at = at[np.isin(key_pick, (twin[best].astype(np.int64) - lo) * span + inv[best])]
    taken = {
        (int(w), int(i)): (int(t), int(d))
        for t, i, w, d in zip(tx[at], inv[at], twin[at], day[at], strict=True)
    }
    out: dict[int, tuple[int, int]] = {}
    # equal payments that add up to the invoice together are its parts (a split), not a
    # payment and its duplicate
    split = (
        ~text_in(adj["siblings"].iloc[best], ("none",))
        if "siblings" in adj
        else np.zeros(len(best), dtype=bool)
    )
    unnamed = (
        text_in(adj["reference"].iloc[best], ("none",))
        if "reference" in adj
        else np.zeros(len(best), dtype=bool)
    )
    cols = (tx[best], inv[best], twin[best], day[best], split, unnamed)
    for t, i, w, d, parts, loose in zip(*cols, strict=True):
        if parts or (loose and int(t) in equal):
            continue
        first = taken.get((int(w), int(i)))
        if first is None or first[0] == int(t) or not 0 <= int(d) - first[1] <= _TWIN_DAYS:
            continue
        out[int(t)] = (first[0], int(i))
    return out


def _one_to_one(s: pd.DataFrame, adj: pd.DataFrame | None = None) -> list[int]:
    """Row labels of ``s`` chosen one-to-one (each tx and inv at most once), optimally.

    Only edges within ``_KEEP_LOGIT`` of the payment's best are kept (a pair 100 times less
    likely than the best is never worth taking), which splits the graph into small
    components; a component still larger than ``_MAX_COMPONENT`` is solved best-first.
    Twin payments (:func:`_twin_evidence`) are weighed on their best evidence.
    """
    s = later_twins(_twin_evidence(s) if adj is None else adj)  # adj: _twin_evidence(s)
    tx_all, lg_all = s["tx"].to_numpy(), s["logit"].to_numpy()
    order = best_first(tx_all, lg_all, s["inv"].to_numpy())
    # each payment's best is its first row in that order; the rows kept stay in that order
    starts = first_of(tx_all[order])
    top = lg_all[order][starts][np.cumsum(starts) - 1]
    keep = order[lg_all[order] >= top - _KEEP_LOGIT]
    tx_s = tx_all[keep]
    tx_u, t_code = np.unique(tx_s, return_inverse=True)
    inv_u, i_code = np.unique(s["inv"].to_numpy()[keep], return_inverse=True)
    n_t = len(tx_u)
    graph = coo_matrix((np.ones(len(keep)), (t_code, n_t + i_code)), shape=(n_t + len(inv_u),) * 2)
    _, label = connected_components(graph, directed=False)
    comp = label[t_code]
    first = first_of(tx_s)
    clash = pd.Series(i_code[first]).duplicated(keep=False).to_numpy()
    bad = np.zeros(label.max() + 1, dtype=bool)
    bad[comp[first][clash]] = True
    labels = s.index.to_numpy()[keep]
    chosen = labels[first][~bad[comp[first]]].tolist()
    p = s["p"].to_numpy()[keep]
    has_day = "day" in s
    day = s["day"].to_numpy()[keep] if has_day else np.zeros(0)
    day_rank = np.unique(day, return_inverse=True)[1] + 1.0 if has_day else np.zeros(len(keep))
    gap = (
        np.abs(day.astype(np.int64) - s["due"].to_numpy(dtype=np.int64)[keep])
        if has_day and "due" in s
        else np.zeros(len(keep))
    )
    order = np.argsort(comp, kind="stable")
    bounds = np.searchsorted(comp[order], np.arange(label.max() + 2))
    for c in np.flatnonzero(bad):
        m = order[bounds[c] : bounds[c + 1]]
        if len(m) > _MAX_COMPONENT:
            chosen.extend(_greedy(s.iloc[keep[m]]))
            continue
        tu, tl = np.unique(t_code[m], return_inverse=True)
        iu, il = np.unique(i_code[m], return_inverse=True)
        mat = np.full((len(tu), len(iu)), -1e6)
        # equal evidence: the earlier payment takes the invoice (a duplicate comes later);
        # scaled by the score, so that among equal totals the earlier payment takes the
        # likelier invoice (two twins, one invoice exact and one partial)
        # and among equal totals (a payer's equal weekly payments of its equal weekly items),
        # the pairing nearest in dates: each payment settles the item due nearest, in order
        mat[tl, il] = p[m] * (1 - 1e-9 * day_rank[m]) - _DATE_TIE * gap[m]
        idx = np.full((len(tu), len(iu)), -1, dtype=np.int64)
        idx[tl, il] = labels[m]
        rows, cols = linear_sum_assignment(mat, maximize=True)
        chosen.extend(int(idx[r, k]) for r, k in zip(rows, cols, strict=True) if idx[r, k] >= 0)
    return [int(c) for c in chosen]


def _greedy(s: pd.DataFrame) -> list[int]:
    """Best first, each payment and invoice once; among equal scores the earlier payment first
    (as in the optimal path: a duplicate comes later), then by position."""
    keys = ["logit", *(["day"] if "day" in s else []), "tx", "inv"]
    s = s.sort_values(keys, ascending=[False] + [True] * (len(keys) - 1), kind="stable")
    used_t: set[int] = set()
    used_i: set[int] = set()
    out = []
    for lab, t, i in zip(s.index, s["tx"], s["inv"], strict=True):
        if t not in used_t and i not in used_i:
            used_t.add(t)
            used_i.add(i)
            out.append(int(lab))
    return out


def _partial_moves(s: pd.DataFrame, chosen: list[int], cap: np.ndarray[Any, Any]) -> list[int]:
    """One-to-one leaves a second instalment of an invoice to a worse invoice; when the
    payment's best invoice still has room for it after the one-to-one choice, move it there."""
    at = _positions(s, chosen)
    tx, inv, logit = s["tx"].to_numpy(), s["inv"].to_numpy(), s["logit"].to_numpy()
    a_, o_ = s["a"].to_numpy(), s["o"].to_numpy()
    labels = s.index.to_numpy()[at]
    if not len(at):
        return []
    # each payment's best row, by payment position
    best = _best_of_tx(s)
    bi = np.zeros(int(tx.max()) + 1, dtype=np.int64)
    bi[tx[best]] = best
    b = bi[tx[at]]  # the best row of each chosen row's payment
    i_ = inv[at]
    move = (inv[b] != i_) & (logit[b] > logit[at] + 1.0) & (a_[b] < o_[b])
    if not move.any():
        return sorted(labels.tolist())
    u, code = np.unique(i_, return_inverse=True)
    sums = np.zeros(len(u), dtype=np.int64)
    np.add.at(sums, code, a_[at].astype(np.int64))
    used: dict[int, int] = dict(zip(u.tolist(), sums.tolist(), strict=True))
    out = labels.tolist()
    for k in np.flatnonzero(move).tolist():
        j, ba, blab = int(inv[b[k]]), int(a_[b[k]]), int(s.index[b[k]])
        room = int(cap[j]) - used.get(j, 0)
        if room >= ba:
            used[j] = used.get(j, 0) + ba
            i = int(i_[k])
            used[i] = used.get(i, 0) - int(a_[at[k]])
            out[k] = blab
    return sorted(int(x) for x in out)


def _take_singles(
    s: pd.DataFrame,
    rows: np.ndarray[Any, Any],
    cap: np.ndarray[Any, Any],
    done: np.ndarray[Any, Any],
    out: Assignment,
    tx_amt: np.ndarray[Any, Any],
    ties: dict[int, list[int]] | None = None,
) -> None:
    """Allocate the rows of ``s`` at positions ``rows``, in that order, each payment once and
    each invoice up to its room ``cap``. The rows are read as columns; the hypothesis dict an
    allocation keeps (``to_dict("records")``'s) is built, in one pass, for the rows taken
    only."""
    if not len(rows):
        return
    t_at, i_at = s["tx"].to_numpy()[rows], s["inv"].to_numpy()[rows]
    # the rows of payments not yet done, of invoices with room: the others never are read
    # (a payment done stays done, an invoice's room only shrinks)
    live = rows[np.flatnonzero(~done[t_at] & (cap[i_at] > 0))]

    def col(c: str) -> list[Any]:
        out: list[Any] = s[c].to_numpy()[live].tolist()
        return out

    tx, inv = col("tx"), col("inv")
    a_, o_, p_, lvl = col("a"), col("o"), col("p"), s["amount"].iloc[live].tolist()
    # one of several payments that together settle the invoice is a part, not a discount
    whole = text_in(s["siblings"].iloc[live], ("none",)).tolist() if "siblings" in s else None
    named = (~text_in(s["reference"].iloc[live], ("none",))).tolist() if "reference" in s else None
    taken: list[tuple[int, int, int]] = []  # (first alloc, end, position in s)
    for k, (t, i) in enumerate(zip(tx, inv, strict=True)):
        if done[t] or cap[i] <= 0:
            continue
        if lvl[k] == "exact" and cap[i] < o_[k] and named is not None and not named[k]:
            # a payment of the whole invoice, which another payment already paid in part: not
            # its rest (the amount says the whole), unless something names the invoice
            continue
        alts = ties.get(t, ()) if ties else ()
        amb = len(alts) > 1
        if amb:
            out.ambiguous[t] = [(int(x),) for x in alts]
        sign = 1 if tx_amt[t] >= 0 else -1
        n0, c, a, level = len(out.allocs), int(cap[i]), int(a_[k]), lvl[k]
        if level in ("discount", "fee") and c == o_[k] and (whole is None or whole[k]):
            out.allocs.append(Alloc(t, i, sign * a, level, p_[k], {}, None, amb))
            used = c
        elif a >= c:
            # the last part of an invoice already partly paid is itself a partial payment
            kind = "one_to_one" if c == o_[k] else "partial"
            out.allocs.append(Alloc(t, i, sign * c, kind, p_[k], {}, None, amb))
            if a > c:
                out.allocs.append(Alloc(t, -1, sign * (a - c), "overpayment", p_[k], {}, None, amb))
            used = c
        else:
            out.allocs.append(Alloc(t, i, sign * a, "partial", p_[k], {}, None, amb))
            used = a
        cap[i] -= used
        done[t] = True
        taken.append((n0, len(out.allocs), k))
    if not taken:
        return
    recs = records(s.iloc[live[[k for _, _, k in taken]]])
    for (n0, n1, _), rec in zip(taken, recs, strict=True):
        for al in out.allocs[n0:n1]:
            al.hyp = rec


def _ties(s: pd.DataFrame) -> dict[int, list[int]]:
    """Payment → the invoices of its hypotheses scored within ``_EPS`` of its best, in the
    rows' order, for the payments with more than one."""
    top = s.groupby("tx")["logit"].transform("max").to_numpy()
    near = s["logit"].to_numpy() >= top - _EPS
    tt, ii = s["tx"].to_numpy()[near], s["inv"].to_numpy()[near]
    multi = pd.Series(tt).duplicated(keep=False).to_numpy()
    out: dict[int, list[int]] = {}
    for t, i in zip(tt[multi].tolist(), ii[multi].tolist(), strict=True):
        out.setdefault(t, []).append(i)
    return out


def _best_rows(singles: pd.DataFrame) -> pd.DataFrame:
    """Each payment's best single hypothesis (``tx, logit, inv, amount``; ties: lowest
    invoice), sorted once for every pass that reads it (the scored frame is the largest of
    the partition: only the columns read are sorted)."""
    rows = _best_of_tx(singles)
    best: pd.DataFrame = singles[["tx", "logit", "inv", "amount"]].iloc[rows]
    return best


def _positions(s: pd.DataFrame, labels: list[int]) -> np.ndarray[Any, Any]:
    """Positions in ``s`` of the rows labelled ``labels``, in their order."""
    out: np.ndarray[Any, Any] = s.index.get_indexer(pd.Index(labels, dtype=np.int64))
    return out


def _best_of_tx(s: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Positions in ``s`` of each payment's best row (:func:`.assign_arrays.best_first`'s
    first row of each payment), by payment."""
    tx = s["tx"].to_numpy()
    order = best_first(tx, s["logit"].to_numpy(), s["inv"].to_numpy())
    out: np.ndarray[Any, Any] = order[first_of(tx[order])]
    return out


@paused
def assign(
    singles: pd.DataFrame,
    groups: pd.DataFrame,
    n_tx: int,
    open_: np.ndarray[Any, Any],
    tx_amt: np.ndarray[Any, Any],
) -> Assignment:
    """Choose allocations among scored hypotheses (columns ``logit`` and ``p`` present and
    already filtered to the suggestion threshold)."""
    out = Assignment()
    cap = np.abs(open_).astype(np.int64)
    done = np.zeros(n_tx, dtype=bool)
    best = _best_rows(singles)
    best_single = dict(
        zip(best["tx"].astype(int).tolist(), best["logit"].astype(float).tolist(), strict=True)
    )
    waiting: set[int] = set()
    if len(groups):
        # a later twin's repeat of an invoice an earlier twin names is no claim on it
        claimed = claims(later_twins(singles)) if len(singles) else None
        approx = approximate_best(best) if len(best) else None
        exact = exact_best(best) if len(best) else None
        waiting = take_groups(
            groups, best_single, cap, done, out, tx_amt, claimed, approx=approx, exact=exact
        )
    s = singles[~done[singles["tx"].to_numpy()] & (cap[singles["inv"].to_numpy()] > 0)]
    if waiting:
        # a payment whose group waits is not given a single invoice before the group's turn
        s = s[~s["tx"].isin(list(waiting))]
    ties = _ties(s) if len(s) else {}
    adj = _twin_evidence(s) if len(s) else s  # read by both passes below
    picked = date_order(s, _partial_moves(s, sorted(_one_to_one(s, adj)), cap)) if len(s) else []
    for t, first in _twin_repeats(s, picked, adj).items():
        done[t] = True
        out.duplicates[t] = first
    _take_singles(s, _positions(s, picked), cap, done, out, tx_amt, ties)
    if waiting:
        # the groups that waited, on what the single-invoice payments left open
        g = groups[groups["tx"].isin(list(waiting))]
        take_groups(g, {}, cap, done, out, tx_amt, claimed, remnant=True)
        s = singles[~done[singles["tx"].to_numpy()] & (cap[singles["inv"].to_numpy()] > 0)]
    # further payments on invoices still open (instalments, split payments); never a
    # fallback far below the payment's best hypothesis (that one went to another payment)
    tx, lg = s["tx"].to_numpy(), s["logit"].to_numpy()
    rest = np.flatnonzero(~done[tx])
    if len(rest):
        best_of = np.full(n_tx, np.nan)
        best_of[best["tx"].to_numpy()] = best["logit"].to_numpy()
        rest = rest[lg[rest] >= best_of[tx[rest]] - _KEEP_LOGIT]
    # by score, then payment and invoice
    rest = rest[np.lexsort((s["inv"].to_numpy()[rest], tx[rest], -lg[rest]))]
    _take_singles(s, rest, cap, done, out, tx_amt)
    duplicates(best, done, out, tx_amt)
    # a group that lost to a single-invoice hypothesis which then went to another payment
    # gets its chance again (its invoices still open), instead of leaving the payment empty
    if len(groups):
        for t in out.duplicates:
            done[t] = True
        left = groups[~done[groups["tx"].to_numpy()]]
        if len(left):
            take_groups(left, {}, cap, done, out, tx_amt, claimed, remnant=True)
    return out
