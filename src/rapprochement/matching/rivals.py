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

from collections.abc import Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii  # json.dumps of a str
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.features import FEATURES
from rapprochement.matching.gc_pause import paused
from rapprochement.matching.group_assignment import Assignment
from rapprochement.matching.rank_counts import sorted_unique
from rapprochement.matching.scoring import Weights

__all__ = ["RIVAL_COLUMNS", "Rival", "rival_row", "rival_rows", "rivals"]

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


def _candidates(
    singles: pd.DataFrame, groups: pd.DataFrame, chosen: dict[int, tuple[int, ...]]
) -> pd.DataFrame:
    """Hypotheses of allocated payments naming an invoice outside their chosen reading, as
    rows ``tx, invs, logit, p`` + features, best first per payment, at most :data:`TOP`."""
    frames = []
    if len(singles):
        s = singles[singles["tx"].isin(list(chosen))]
        if len(s):
            t_in = np.fromiter((t for t, v in chosen.items() for _ in v), dtype=np.int64)
            i_in = np.fromiter((i for v in chosen.values() for i in v), dtype=np.int64)
            span = int(max(int(s["inv"].max()), int(i_in.max(initial=0)))) + 1
            keys = s["tx"].to_numpy(dtype=np.int64) * span + s["inv"].to_numpy(dtype=np.int64)
            s = s[~np.isin(keys, t_in * span + i_in)]
            # a payment's singles name distinct invoices: only its best TOP can be shown
            s = s.sort_values(["tx", "logit"], ascending=[True, False], kind="stable")
            s = s[s.groupby("tx", sort=False).cumcount().to_numpy() < TOP]
            one = pd.Series([(int(i),) for i in s["inv"]], index=s.index, dtype=object)
            frames.append(s.assign(invs=one))
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
    both = both.sort_values(["tx", "logit"], ascending=[True, False], kind="stable")
    both = both.drop_duplicates(["tx", "invs"])
    out: pd.DataFrame = both.groupby("tx", sort=False).head(TOP)
    return out


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


@paused
def rivals(singles: pd.DataFrame, groups: pd.DataFrame, res: Assignment, w: Weights) -> list[Rival]:
    """The rivals of every allocated payment of one partition (see the module doc)."""
    chosen, hyp = _chosen(res)
    if not chosen:
        return []
    cand = _candidates(singles, groups, chosen)
    if not len(cand):
        return []
    holder: dict[int, int] = {}
    for al in res.allocs:
        if al.inv >= 0:
            holder.setdefault(al.inv, al.tx)
    t_of = cand["tx"].to_numpy(dtype=np.int64)
    lg_of = cand["logit"].to_numpy(dtype=np.float64)
    # each payment's chosen log-odds (the rival's own when its hypothesis has none)
    own_of = np.array(
        [
            float(hyp[t].get("logit", lg))
            for t, lg in zip(t_of.tolist(), lg_of.tolist(), strict=True)
        ],
        dtype=np.float64,
    )
    tie = np.abs(lg_of - own_of) <= _TIE
    lower = lg_of < own_of
    why_of = _weaker_reasons(cand, hyp, t_of, np.flatnonzero(~tie & lower), w)
    out = []
    ambiguous = res.ambiguous
    lists = (t_of.tolist(), cand["invs"].tolist(), cand["p"].tolist(), tie.tolist(), lower.tolist())
    for t, invs_, p, is_tie, is_lower, reason in zip(*lists, why_of, strict=True):
        invs = tuple(map(int, invs_))
        taken = [holder[i] for i in invs if holder.get(i, t) != t]
        score = float(p)
        if is_tie:
            rel, why = "tie", "fits as well"
            if t in ambiguous:  # scored like the allocation: one chance in their number
                score = min(score, 1.0 / max(1, len(set(ambiguous[t]))))
        elif taken:
            rel, why = "taken", "settled by another payment"
            if is_lower:
                why += "; " + (reason or "scores lower")
        elif is_lower:
            rel, why = "weaker", reason or "scores lower"
        else:
            rel, why = "held", "scores higher but its invoices are read otherwise"
        out.append(Rival(t, invs, score, rel, why, tuple(sorted(set(taken))) if taken else ()))
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
    mine_code: dict[tuple[str, ...], int] = {}
    mine_of: dict[int, int] = {}
    for t in sorted_unique(t_of[rows]).tolist():
        levels = tuple(map(str, map(hyp[t].get, FEATURES, _BLANKS)))  # str(.get(f, ""))
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


def rival_row(r: Rival, iids: Any, tids: Any) -> tuple[dict[str, Any], str]:
    """The result row and the explanation row (JSON, weight 0) of one rival."""
    why = r.why
    if r.taken_by:
        by = ", ".join(str(tids[t]) for t in r.taken_by)
        why = why.replace("another payment", f"another payment ({by})", 1)
    names = tuple(str(iids[i]) for i in r.invoices)
    value = f"{'+'.join(names)} ({r.score:.2f}, {r.relation}): {why}"
    rec = {
        "transaction_id": str(tids[r.tx]),
        "rival": names,
        "score": r.score,
        "relation": r.relation,
        "why": why,
    }
    # json.dumps({"feature": "rival", "value": value, "weight": 0.0}) (compact), as a string
    return rec, '{"feature":"rival","value":' + encode_basestring_ascii(value) + ',"weight":0.0}'


@paused
def rival_rows(
    found: list[Rival], iids: Any, tids: Any
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The result rows of ``found`` and, per payment, the explanation rows to append (JSON
    objects, each preceded by a comma)."""
    recs: list[dict[str, Any]] = []
    rows: dict[int, str] = {}
    # read by position once per rival: lists of the same objects, not numpy object arrays
    iids, tids = list(iids), list(tids)
    for r in found:
        rec, row = rival_row(r, iids, tids)
        recs.append(rec)
        rows[r.tx] = rows.get(r.tx, "") + "," + row
    return recs, rows
