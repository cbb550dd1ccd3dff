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
    best_of_tx,
    first_of,
    positions,
    text_in,
)
from rapprochement.matching.date_order import date_order
from rapprochement.matching.executor import release_heap
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
from rapprochement.matching.repeats import duplicates, later_rows, later_twins
from rapprochement.matching.twin_passes import twin_evidence, twin_repeats

__all__ = ["Alloc", "Assignment", "assign"]

_EPS = 1e-9
_KEEP_LOGIT = 4.6
_MAX_COMPONENT = 400
_DATE_TIE = 1e-13  # per day between payment and due date: below any difference of evidence
#: the columns :func:`.group_assignment.claims` and :func:`.repeats.later_twins` read
_CLAIMS = ("tx", "inv", "logit", "amount", "reference", "twin", "ref", "rivals", "day")


def _one_to_one(
    s: pd.DataFrame, adj: pd.DataFrame | None = None, order: np.ndarray[Any, Any] | None = None
) -> list[int]:
    """Row labels of ``s`` chosen one-to-one (each tx and inv at most once), optimally.

    Only edges within ``_KEEP_LOGIT`` of the payment's best are kept (a pair 100 times less
    likely than the best is never worth taking), which splits the graph into small
    components; a component still larger than ``_MAX_COMPONENT`` is solved best-first.
    Twin payments (:func:`.twin_passes.twin_evidence`) are weighed on their best evidence.
    """
    s = twin_evidence(s) if adj is None else adj  # adj: twin_evidence(s); order: adj's
    tx_all, lg_all = s["tx"].to_numpy(), s["logit"].to_numpy()
    if order is None:
        order = best_first(tx_all, lg_all, s["inv"].to_numpy())
    # without the rows of :func:`.repeats.later_twins` (the positions stay those of ``s``)
    drop = later_rows(s)
    if drop is not None:
        order = order[~drop[order]]
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
    # each row's payment and invoice numbered within its component (in their order)
    t_local, i_local = _local_codes(comp, t_code), _local_codes(comp, i_code)
    # equal evidence: the earlier payment takes the invoice (a duplicate comes later);
    # scaled by the score, so that among equal totals the earlier payment takes the
    # likelier invoice (two twins, one invoice exact and one partial)
    # and among equal totals (a payer's equal weekly payments of its equal weekly items),
    # the pairing nearest in dates: each payment settles the item due nearest, in order
    weight = p * (1 - 1e-9 * day_rank) - _DATE_TIE * gap
    for c in np.flatnonzero(bad):
        m = order[bounds[c] : bounds[c + 1]]
        if len(m) > _MAX_COMPONENT:
            chosen.extend(_greedy(s.iloc[keep[m]]))
            continue
        tl, il = t_local[m], i_local[m]
        shape = (int(tl.max()) + 1, int(il.max()) + 1)
        mat = np.full(shape, -1e6)
        mat[tl, il] = weight[m]
        idx = np.full(shape, -1, dtype=np.int64)
        idx[tl, il] = labels[m]
        rows, cols = linear_sum_assignment(mat, maximize=True)
        chosen.extend(int(idx[r, k]) for r, k in zip(rows, cols, strict=True) if idx[r, k] >= 0)
    return [int(c) for c in chosen]


def _local_codes(comp: np.ndarray[Any, Any], code: np.ndarray[Any, Any]) -> Any:
    """Per row, the rank of its ``code`` among the distinct codes of its component ``comp``
    (``np.unique(code[m], return_inverse=True)[1]`` for the rows ``m`` of each component)."""
    code = code.astype(np.int64)
    order = np.argsort(comp.astype(np.int64) * (int(code.max()) + 1) + code, kind="stable")
    sc, sk = comp[order], code[order]
    new = first_of(sc)
    new[1:] |= sk[1:] != sk[:-1]
    rank = np.cumsum(new) - 1
    start = np.maximum.accumulate(np.where(first_of(sc), rank, 0))
    out = np.empty(len(code), dtype=np.int64)
    out[order] = rank - start
    return out


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


def _partial_moves(
    s: pd.DataFrame,
    chosen: list[int],
    cap: np.ndarray[Any, Any],
    order: np.ndarray[Any, Any] | None = None,
) -> list[int]:
    """One-to-one leaves a second instalment of an invoice to a worse invoice; when the
    payment's best invoice still has room for it after the one-to-one choice, move it there."""
    at = positions(s, chosen)
    tx, inv, logit = s["tx"].to_numpy(), s["inv"].to_numpy(), s["logit"].to_numpy()
    a_, o_ = s["a"].to_numpy(), s["o"].to_numpy()
    labels = s.index.to_numpy()[at]
    if not len(at):
        return []
    # each payment's best row, by payment position
    best = best_of_tx(s, order)  # (order: s's, given by the caller)
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
            out.allocs.append(Alloc(t, i, sign * a, level, p_[k], _NO_HYP, None, amb))
            used = c
        elif a >= c:
            # the last part of an invoice already partly paid is itself a partial payment
            kind = "one_to_one" if c == o_[k] else "partial"
            out.allocs.append(Alloc(t, i, sign * c, kind, p_[k], _NO_HYP, None, amb))
            if a > c:
                out.allocs.append(
                    Alloc(t, -1, sign * (a - c), "overpayment", p_[k], _NO_HYP, None, amb)
                )
            used = c
        else:
            out.allocs.append(Alloc(t, i, sign * a, "partial", p_[k], _NO_HYP, None, amb))
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


#: the hypothesis of an allocation :func:`_take_singles` makes until its row's dict is set
_NO_HYP: dict[str, Any] = {}


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


def _best_rows(singles: pd.DataFrame, order: np.ndarray[Any, Any]) -> pd.DataFrame:
    """Each payment's best single hypothesis (``tx, logit, inv, amount``; ties: lowest
    invoice; ``order``: the :func:`.assign_arrays.best_first` order of ``singles``), for
    every pass that reads it (only the columns read are taken)."""
    rows = best_of_tx(singles, order)
    best: pd.DataFrame = singles[["tx", "logit", "inv", "amount"]].iloc[rows]
    return best


def _sub_order(order: np.ndarray[Any, Any], rows: np.ndarray[Any, Any]) -> Any:
    """``order`` (positions of a frame) restricted to the rows where ``rows`` (a boolean per
    row) holds, as positions in the frame of those rows: a stable order stays one."""
    at = np.cumsum(rows) - 1
    return at[order[rows[order]]]


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
    tx_all = singles["tx"].to_numpy()
    order = best_first(tx_all, singles["logit"].to_numpy(), singles["inv"].to_numpy())
    best = _best_rows(singles, order)
    # each payment's best single score, by payment position (-inf: none)
    best_single = np.full(n_tx, -np.inf)
    best_single[best["tx"].to_numpy()] = best["logit"].to_numpy(dtype=np.float64)
    waiting: set[int] = set()
    if len(groups):
        # a later twin's repeat of an invoice an earlier twin names is no claim on it
        # (on the columns both read: the frame is the largest of the partition)
        slim = singles[[c for c in singles.columns if c in _CLAIMS]]
        claimed = claims(later_twins(slim)) if len(singles) else None
        approx = approximate_best(best) if len(best) else None
        exact = exact_best(best) if len(best) else None
        waiting = take_groups(
            groups, best_single, cap, done, out, tx_amt, claimed, approx=approx, exact=exact
        )
    rows = ~done[tx_all] & (cap[singles["inv"].to_numpy()] > 0)
    if waiting:
        # a payment whose group waits is not given a single invoice before the group's turn
        rows &= ~np.isin(tx_all, list(waiting))
    s = singles[rows]
    ties = _ties(s) if len(s) else {}
    adj = twin_evidence(s) if len(s) else s  # read by both passes below
    adj_order = None
    picked: list[int] = []
    if len(s):
        adj_order = best_first(adj["tx"].to_numpy(), adj["logit"].to_numpy(), adj["inv"].to_numpy())
        chosen = sorted(_one_to_one(s, adj, adj_order))
        picked = date_order(s, _partial_moves(s, chosen, cap, _sub_order(order, rows)))
    for t, first in twin_repeats(s, picked, adj, adj_order).items():
        done[t] = True
        out.duplicates[t] = first
    # a copy of most of ``singles`` and its twin evidence: not held with the hypotheses the
    # rows below keep (the rows picked are read in ``singles``, whose labels ``s`` has)
    del s, adj, adj_order
    release_heap()  # (freed arrays below glibc's mmap threshold: handed back, not kept)
    _take_singles(singles, positions(singles, picked), cap, done, out, tx_amt, ties)
    if waiting:
        # the groups that waited, on what the single-invoice payments left open
        g = groups[groups["tx"].isin(list(waiting))]
        take_groups(g, None, cap, done, out, tx_amt, claimed, remnant=True)
    # further payments on invoices still open (instalments, split payments); never a
    # fallback far below the payment's best hypothesis (that one went to another payment);
    # read where ``singles`` still has room (an invoice's room only shrinks, a payment done
    # stays done: the rows of the earlier passes' frame that :func:`_take_singles` would read)
    inv_all, lg = singles["inv"].to_numpy(), singles["logit"].to_numpy()
    rest = np.flatnonzero(~done[tx_all] & (cap[inv_all] > 0))
    if len(rest):
        best_of = np.full(n_tx, np.nan)
        best_of[best["tx"].to_numpy()] = best["logit"].to_numpy()
        rest = rest[lg[rest] >= best_of[tx_all[rest]] - _KEEP_LOGIT]
    # by score, then payment and invoice
    rest = rest[np.lexsort((inv_all[rest], tx_all[rest], -lg[rest]))]
    _take_singles(singles, rest, cap, done, out, tx_amt)
    duplicates(best, done, out, tx_amt)
    # a group that lost to a single-invoice hypothesis which then went to another payment
    # gets its chance again (its invoices still open), instead of leaving the payment empty
    if len(groups):
        for t in out.duplicates:
            done[t] = True
        left = groups[~done[groups["tx"].to_numpy()]]
        if len(left):
            take_groups(left, None, cap, done, out, tx_amt, claimed, remnant=True)
    return out
