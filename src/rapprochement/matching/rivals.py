"""Rivals: the readings an allocation was preferred to, and why each loses or ties.

A reviewer deciding a suggestion needs what else the payment could settle: another invoice,
another group of invoices. For each payment with an allocation, the best other readings of the
same payment (hypotheses scored at least the suggestion threshold that name an invoice outside
the chosen reading) are listed, best first, with their calibrated score and one relation:

* ``tie``: the rival's log-odds equal the chosen reading's (a coin toss);
* ``taken``: an invoice of the rival went to another payment (named);
* ``weaker``: the rival scores lower, and the features where it loses most are named with the
  log-odds they cost (``reference=none -5.1``);
* ``held``: the rival scores higher but the assignment did not take it (a group that waited,
  an invoice already settled by a payment's part).

They are added to the explanation as zero-weight ``rival`` rows (the contributions still add up
to the score, the ledger keeps them with the suggestion) and listed in
:attr:`~rapprochement.matching.result.ReconciliationResult.rivals`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, compress, pairwise
from json.encoder import encode_basestring_ascii  # json.dumps of a str
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.assign_arrays import first_of
from rapprochement.matching.executor import release_heap
from rapprochement.matching.features import FEATURES
from rapprochement.matching.gc_pause import paused
from rapprochement.matching.group_assignment import Assignment
from rapprochement.matching.rank_counts import sorted_unique
from rapprochement.matching.scoring import Weights

__all__ = ["RIVAL_COLUMNS", "Rival", "Rivals", "rival_rows", "rivals"]

#: columns of :attr:`ReconciliationResult.rivals`
RIVAL_COLUMNS = ("transaction_id", "rival", "score", "relation", "why")
#: rivals shown per payment
TOP = 2
_TIE = 1e-6
_REASONS = 2
_BLANKS = ("",) * len(FEATURES)  # the default of each feature's level read from a hypothesis


@dataclass(frozen=True, slots=True)
class Rival:
    """One rival reading of a payment (positions in the partition)."""

    tx: int
    invoices: tuple[int, ...]
    score: float
    relation: str
    why: str
    taken_by: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Rivals:
    """The rival readings of a partition's payments as columns, one row per :class:`Rival`
    (by payment, best first)."""

    tx: list[int]
    invoices: list[tuple[int, ...]]
    score: list[float]
    relation: list[str]
    why: list[str]
    taken_by: list[tuple[int, ...]]

    def __len__(self) -> int:
        return len(self.tx)

    def __iter__(self) -> Iterator[Rival]:
        cols = (self.tx, self.invoices, self.score, self.relation, self.why, self.taken_by)
        return (Rival(*row) for row in zip(*cols, strict=True))


_NONE = Rivals([], [], [], [], [], [])


def _chosen(res: Assignment) -> tuple[dict[int, tuple[int, ...]], dict[int, dict[str, Any]]]:
    """Each allocated payment's reading (its invoices, sorted) and the hypothesis behind it."""
    invs: dict[int, set[int]] = {}
    hyp: dict[int, dict[str, Any]] = {}
    for al in res.allocs:
        invs.setdefault(al.tx, set())
        hyp.setdefault(al.tx, al.hyp)
        if al.inv >= 0:
            invs[al.tx].add(al.inv)
    return {t: tuple(sorted(s)) for t, s in invs.items()}, hyp


def _top_singles(
    singles: pd.DataFrame, chosen: dict[int, tuple[int, ...]], cols: list[str]
) -> pd.DataFrame:
    """The single-invoice hypotheses (columns ``cols``) of allocated payments naming an
    invoice outside their chosen reading, sorted by payment then best first, at most
    :data:`TOP` per payment (a payment's singles name distinct invoices)."""
    st = singles["tx"].to_numpy(dtype=np.int64)
    si = singles["inv"].to_numpy(dtype=np.int64)
    ct = np.fromiter(chosen, dtype=np.int64, count=len(chosen))
    is_chosen = np.zeros(int(max(st.max(initial=0), ct.max(initial=0))) + 1, dtype=bool)
    is_chosen[ct] = True
    # the chosen (payment, invoice) pairs as sorted keys
    t_in = np.fromiter((t for t, v in chosen.items() for _ in v), dtype=np.int64)
    i_in = np.fromiter((i for v in chosen.values() for i in v), dtype=np.int64)
    span = int(max(int(si.max(initial=0)), int(i_in.max(initial=0)))) + 1
    pairs = np.sort(t_in * span + i_in)
    keys = st * span + si
    at = np.minimum(np.searchsorted(pairs, keys), max(len(pairs) - 1, 0))
    taken = pairs[at] == keys if len(pairs) else np.zeros(len(keys), dtype=bool)
    rows = np.flatnonzero(is_chosen[st] & ~taken)
    lg = singles["logit"].to_numpy(dtype=np.float64)[rows]
    rows = rows[np.lexsort((-lg, st[rows]))]  # by payment, best first (stable)
    t_sorted = st[rows]
    rank = np.arange(len(rows)) - np.searchsorted(t_sorted, t_sorted, side="left")
    rows = rows[rank < TOP]
    s = singles[cols].iloc[rows]
    one = pd.Series([(i,) for i in si[rows].tolist()], index=s.index, dtype=object)
    return s.assign(invs=one)


def _candidates(
    singles: pd.DataFrame, groups: pd.DataFrame, chosen: dict[int, tuple[int, ...]]
) -> pd.DataFrame:
    """Hypotheses of allocated payments naming an invoice outside their chosen reading, as
    rows ``tx, invs, logit, p`` + features, best first per payment, at most :data:`TOP`."""
    frames = []
    if len(singles):
        cols = ["tx", "logit", "p", *(f for f in FEATURES if f in singles)]
        s = _top_singles(singles, chosen, cols)
        if len(s):
            frames.append(s)
    if len(groups):
        g = groups[groups["tx"].isin(list(chosen))]
        if len(g):
            sets = [tuple(sorted(int(i) for i in x)) for x in g["invs"]]
            other = np.fromiter(
                (not set(x) <= set(chosen[int(t)]) for t, x in zip(g["tx"], sets, strict=True)),
                dtype=bool,
                count=len(g),
            )
            frames.append(g.assign(invs=pd.Series(sets, index=g.index, dtype=object))[other])
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["tx", "invs", "logit", "p"])
    cols = ["tx", "invs", "logit", "p", *(f for f in FEATURES if f in frames[0])]
    both = pd.concat([f[[c for c in cols if c in f]] for f in frames], ignore_index=True)
    lg = both["logit"].to_numpy(dtype=np.float64)
    if np.isnan(lg).any():  # (never: the scores are finite)
        both = both.sort_values(["tx", "logit"], ascending=[True, False], kind="stable")
        both = both.drop_duplicates(["tx", "invs"])
        slow: pd.DataFrame = both.groupby("tx", sort=False).head(TOP)
        return slow
    # the same rows as ``sort_values(["tx", "logit"], ascending=[True, False], kind="stable")
    # .drop_duplicates(["tx", "invs"]).groupby("tx", sort=False).head(TOP)``, in that order,
    # on integer codes of the readings (hashing a tuple per row was most of its cost)
    tx = both["tx"].to_numpy(dtype=np.int64)
    order = np.lexsort((-lg, tx))
    code = _reading_codes(both["invs"].tolist())[order]
    t_sorted = tx[order]
    code -= int(code.min())
    again = pd.Series(t_sorted * (int(code.max()) + 1) + code).duplicated().to_numpy()
    order, t_sorted = order[~again], t_sorted[~again]
    rank = np.arange(len(order)) - np.searchsorted(t_sorted, t_sorted, side="left")
    out: pd.DataFrame = both.iloc[order[rank < TOP]]
    return out


def _reading_codes(invs: list[tuple[int, ...]]) -> np.ndarray[Any, Any]:
    """One integer per reading, equal for equal readings: a one-invoice reading its invoice
    (>= 0), any other reading a negative code of its own."""
    codes: dict[tuple[int, ...], int] = {}
    return np.fromiter(
        (x[0] if len(x) == 1 else codes.setdefault(x, -1 - len(codes)) for x in invs),
        dtype=np.int64,
        count=len(invs),
    )


def _why_weaker(chosen: Mapping[Any, Any], rival: Mapping[Any, Any], w: Weights) -> str:
    """The features where ``rival`` loses most against ``chosen`` (level and log-odds)."""
    diffs = []
    for f in FEATURES:
        a, b = str(chosen.get(f, "")), str(rival.get(f, ""))
        if a == b or not b or b == "nan":
            continue
        ws = w.weights.get(f, {})
        d = ws.get(b, 0.0) - ws.get(a, 0.0)
        if d < 0:
            diffs.append((d, f, b))
    diffs.sort()
    return ", ".join(f"{f}={b} {d:+.1f}" for d, f, b in diffs[:_REASONS])


def _level_codes(cand: pd.DataFrame, feats: list[str]) -> np.ndarray[Any, Any]:
    """One code per row of ``cand``: rows with the same values in every column of ``feats``
    (missing ones included) share it."""
    code = np.zeros(len(cand), dtype=np.int64)
    for f in feats:
        c, u = pd.factorize(cand[f], use_na_sentinel=True)
        code = pd.factorize(code * (len(u) + 1) + (c.astype(np.int64) + 1))[0].astype(np.int64)
    return code


def _own_logits(
    hyp: Mapping[int, Mapping[str, Any]], t_of: np.ndarray[Any, Any], lg_of: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Per row: its payment's chosen log-odds (the row's own when the hypothesis has none)."""
    ts = sorted_unique(t_of)
    own = np.full(int(ts.max(initial=0)) + 1, np.nan)
    has = np.zeros(len(own), dtype=bool)
    for t in ts.tolist():
        h = hyp[t]
        if "logit" in h:
            own[t], has[t] = float(h["logit"]), True
    return np.where(has[t_of], own[t_of], lg_of)


def _holders(res: Assignment, size: int) -> np.ndarray[Any, Any]:
    """Per invoice position below ``size``: the first payment allocated to it, else -1."""
    a_t = np.fromiter((al.tx for al in res.allocs), dtype=np.int64, count=len(res.allocs))
    a_i = np.fromiter((al.inv for al in res.allocs), dtype=np.int64, count=len(res.allocs))
    keep = a_i >= 0
    items, first = np.unique(a_i[keep], return_index=True)
    out = np.full(max(size, int(a_i.max(initial=-1)) + 1), -1, dtype=np.int64)
    out[items] = a_t[keep][first]
    return out


@paused
def rivals(singles: pd.DataFrame, groups: pd.DataFrame, res: Assignment, w: Weights) -> Rivals:
    """The rivals of every allocated payment of one partition (see the module doc)."""
    release_heap()  # (the assignment's freed temporaries: not held under the rows below)
    chosen, hyp = _chosen(res)
    if not chosen:
        return _NONE
    cand = _candidates(singles, groups, chosen)
    if not len(cand):
        return _NONE
    n = len(cand)
    t_of = cand["tx"].to_numpy(dtype=np.int64)
    lg_of = cand["logit"].to_numpy(dtype=np.float64)
    own_of = _own_logits(hyp, t_of, lg_of)
    tie = np.abs(lg_of - own_of) <= _TIE
    lower = lg_of < own_of
    why_of = _weaker_reasons(cand, hyp, t_of, np.flatnonzero(~tie & lower), w)
    invs: list[tuple[int, ...]] = cand["invs"].tolist()  # (tuples of ints: _candidates')
    lens = np.fromiter(map(len, invs), dtype=np.int64, count=n)
    flat = np.fromiter(chain.from_iterable(invs), dtype=np.int64, count=int(lens.sum()))
    holder = _holders(res, int(flat.max(initial=-1)) + 1)[flat]
    # an invoice of the rival went to another payment
    other = (holder >= 0) & (holder != np.repeat(t_of, lens))
    row_of = np.repeat(np.arange(n), lens)[other]
    taken = np.bincount(row_of, minlength=n) > 0
    taken_by = _taken_by(row_of, holder[other], n)
    score = cand["p"].to_numpy(dtype=np.float64).tolist()
    ambiguous = res.ambiguous
    for k in np.flatnonzero(tie).tolist():
        t = int(t_of[k])
        if t in ambiguous:  # scored like the allocation: one chance in their number
            score[k] = min(score[k], 1.0 / max(1, len(set(ambiguous[t]))))
    reason = [r or "scores lower" for r in why_of]
    rel = np.full(n, "held", dtype=object)
    why = np.full(n, "scores higher but its invoices are read otherwise", dtype=object)
    rel[lower], why[lower] = "weaker", np.array(reason, dtype=object)[lower]
    rel[taken], why[taken] = "taken", "settled by another payment"
    both = np.flatnonzero(taken & lower & ~tie)
    why[both] = ["settled by another payment; " + reason[k] for k in both.tolist()]
    rel[tie], why[tie] = "tie", "fits as well"
    return Rivals(t_of.tolist(), invs, score, rel.tolist(), why.tolist(), taken_by)


def _taken_by(
    row_of: np.ndarray[Any, Any], holder: np.ndarray[Any, Any], n: int
) -> list[tuple[int, ...]]:
    """Per rival (``n`` of them): the payments (sorted, each once) holding one of its invoices,
    given as one (rival, payment) pair per such invoice; ``()`` for a rival with none."""
    out: list[tuple[int, ...]] = [()] * n
    if not len(row_of):
        return out
    span = int(holder.max()) + 1
    pairs = sorted_unique(row_of.astype(np.int64) * span + holder)  # by rival, then payment
    rows, who = (pairs // span).tolist(), (pairs % span).tolist()
    bounds = [*np.flatnonzero(first_of(pairs // span)).tolist(), len(rows)]
    for lo, hi in pairwise(bounds):
        out[rows[lo]] = tuple(who[lo:hi])
    return out


def _weaker_reasons(
    cand: pd.DataFrame,
    hyp: Mapping[int, Mapping[str, Any]],
    t_of: np.ndarray[Any, Any],
    rows: np.ndarray[Any, Any],
    w: Weights,
) -> list[str | None]:
    """Per row of ``cand``: :func:`_why_weaker` of the rows ``rows`` against their payment's
    chosen reading (None for the other rows), computed once per pair of feature levels (rows
    with equal levels, of payments whose readings have equal levels, share it)."""
    out = np.full(len(cand), None, dtype=object)
    if not len(rows):
        return out.tolist()
    feats = [f for f in FEATURES if f in cand]
    code = _level_codes(cand, feats)[rows]  # rows of equal feature values share a code
    # (the levels as they are: equal ones are equal read as text too, and the rare levels
    # equal as text only, a missing value, get codes of their own, computed alike)
    mine_code: dict[tuple[Any, ...], int] = {}
    mine_of: dict[int, int] = {}
    for t in sorted_unique(t_of[rows]).tolist():
        levels = tuple(map(hyp[t].get, FEATURES, _BLANKS))
        mine_of[t] = mine_code.setdefault(levels, len(mine_code))
    mine = pd.Series(mine_of, dtype=np.int64).reindex(t_of[rows]).to_numpy()
    key = mine * (int(code.max(initial=0)) + 1) + code
    _, first, back = np.unique(key, return_index=True, return_inverse=True)
    sel = cand.iloc[rows[first]]
    cols = [sel[f].tolist() for f in feats]
    reasons = [
        _why_weaker(hyp[t], dict(zip(feats, vals, strict=True)), w)
        for t, *vals in zip(t_of[rows[first]].tolist(), *cols, strict=True)
    ]
    out[rows] = np.array(reasons, dtype=object)[back.ravel()]
    return out.tolist()


@paused
def rival_rows(found: Rivals, iids: Any, tids: Any) -> tuple[dict[str, list[Any]], dict[int, str]]:
    """The result rows of ``found`` (:data:`RIVAL_COLUMNS`, one list each) and, per payment,
    the explanation rows to append (JSON objects, each preceded by a comma)."""
    release_heap()  # (the candidates' frame :func:`rivals` read: not held under the rows)
    # read by position once per rival: lists of the same objects, not numpy object arrays
    iids, tids = list(iids), list(tids)
    whys = list(found.why)
    taken_by = found.taken_by
    for k in compress(range(len(whys)), taken_by):  # (the rivals an invoice of went elsewhere)
        by = taken_by[k]
        named = str(tids[by[0]]) if len(by) == 1 else ", ".join([str(tids[t]) for t in by])
        whys[k] = whys[k].replace("another payment", f"another payment ({named})", 1)
    names = [
        (str(iids[inv[0]]),) if len(inv) == 1 else tuple(str(iids[i]) for i in inv)
        for inv in found.invoices
    ]
    # json.dumps({"feature": "rival", "value": value, "weight": 0.0}) (compact), joined per
    # payment as they come (no list of them all beside the joined ones)
    rows: dict[int, str] = {}
    get = rows.get
    for t, nm, sc, rel, why in zip(found.tx, names, found.score, found.relation, whys, strict=True):
        obj = (
            ',{"feature":"rival","value":'
            + encode_basestring_ascii(f"{'+'.join(nm)} ({sc:.2f}, {rel}): {why}")
            + ',"weight":0.0}'
        )
        before = get(t)
        rows[t] = obj if before is None else before + obj
    recs: dict[str, list[Any]] = {
        "transaction_id": [str(tids[t]) for t in found.tx],
        "rival": names,
        "score": list(found.score),
        "relation": list(found.relation),
        "why": whys,
    }
    return recs, rows
