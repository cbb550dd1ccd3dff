"""``ReconciliationResult``: allocations, what is left, ambiguities, and how to read a score.

``allocations`` columns:

=================  ====================================================================
transaction_id     the payment
invoice_id         the invoice or credit note; None for an overpayment's excess
amount             ``Decimal``, signed like the payment (a credit note's row is opposite)
currency           ISO 4217 code
status             ``auto`` (above the learned threshold, not ambiguous) or ``suggested``
score              calibrated probability that the allocation is right
kind               one_to_one, grouped, partial, split, overpayment, discount, fee,
                   credit_note
group_id           shared by the rows of one grouped payment (None for single ones)
explanation        JSON list of ``{"feature", "value", "weight"}`` contributions whose
                   weights add up to the score's log-odds (see :meth:`explain`)
=================  ====================================================================
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.gc_pause import paused
from rapprochement.matching.scoring import Contribution

__all__ = [
    "ALLOCATION_COLUMNS",
    "DUPLICATE_COLUMNS",
    "ReconciliationResult",
    "explanation_of",
    "notes_frame",
    "rivals_frame",
]

ALLOCATION_COLUMNS = (
    "transaction_id",
    "invoice_id",
    "amount",
    "currency",
    "status",
    "score",
    "kind",
    "group_id",
    "explanation",
)

#: columns of :attr:`ReconciliationResult.duplicates`
DUPLICATE_COLUMNS = ("transaction_id", "duplicate_of", "invoice_id")


def _no_duplicates() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in DUPLICATE_COLUMNS})


def notes_frame(rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """The ``notes`` frame (``transaction_id, note``) of rows as dicts."""
    return pd.DataFrame(rows or [], columns=["transaction_id", "note"], dtype=object)


@paused
def rivals_frame(
    rows: list[dict[str, Any]] | None = None, parts: list[dict[str, list[Any]]] | None = None
) -> pd.DataFrame:
    """The :attr:`ReconciliationResult.rivals` frame of ``rows`` (:mod:`.rivals`), or of
    ``parts``: the rows of each partition as columns (:func:`.rivals.rival_rows`)."""
    from rapprochement.matching.rivals import RIVAL_COLUMNS

    cols = list(RIVAL_COLUMNS)
    if parts and any(p[cols[0]] for p in parts):
        joined = parts[0]
        if len(parts) > 1:
            joined = {c: [v for p in parts for v in p[c]] for c in cols}
        df = pd.DataFrame(joined, columns=cols)
    else:
        df = pd.DataFrame(rows or [], columns=cols)
    df["score"] = df["score"].astype("float64")
    ids = df["transaction_id"]
    if len(df) > 1 and ids.notna().all() and ids.is_monotonic_increasing:
        # already by payment (the rows of each partition are): best first within each
        at = ids.to_numpy(dtype=object)
        run = np.concatenate(([0], np.cumsum(at[1:] != at[:-1])))
        return df.iloc[np.lexsort((-df["score"].to_numpy(), run))]
    return df.sort_values(["transaction_id", "score"], ascending=[True, False], kind="stable")


def _no_categorized() -> pd.DataFrame:
    from rapprochement.rules.split import empty_categorized

    return empty_categorized()


def explanation_of(value: str) -> list[Contribution]:
    """The typed contributions of an ``explanation`` cell."""
    return [Contribution.model_validate(x) for x in json.loads(value)]


@dataclass(frozen=True)
class ReconciliationResult:
    """What :func:`rapprochement.reconcile` found.

    Attributes:
        allocations: one row per (payment, invoice) allocation (see the module doc).
        unmatched_transactions: payments with an unallocated remainder: ``transaction_id,
            currency, amount, remaining``.
        open_invoices: invoices still open after the allocations: ``invoice_id, customer_id,
            currency, amount, open_amount``.
        ambiguous: payments where several answers fit equally well, or whose only reading was
            withheld as not worth a reviewer's time (:func:`.gates.not_worth_review`; the
            payment is left unallocated): ``transaction_id, alternatives`` (a list of
            invoice-id tuples), ``reason`` (``tie: …`` or ``withheld: …``); never automatic.
        config: the configuration used.
        version: the rapprochement version that produced the result.
        duplicates: payments left unmatched because they repeat an earlier payment of an
            invoice already settled (same amount, same evidence): ``transaction_id,
            duplicate_of, invoice_id``. They are also in ``unmatched_transactions``.
        categorized: lines taken out before matching by ``rules=``: ``transaction_id, amount,
            currency, category, account_code, rule_id, reason`` (category ``return`` for a
            return, ``returned`` for the payment it returns). Not in ``n_transactions``.
        rivals: for each allocated payment, the best other readings of it (at most two):
            ``transaction_id, rival`` (a tuple of invoice ids), ``score`` (calibrated),
            ``relation`` (``tie``, ``taken`` by another payment, ``weaker``, ``held``) and
            ``why`` (the features where it loses, with their log-odds). Also in each
            allocation's explanation as zero-weight ``rival`` rows.
        notes: payments left unallocated for a stated reason: ``transaction_id, note`` (a
            collector's payout without its report: :mod:`.windows`).
        n_incoming: incoming lines (credits) given to the matcher: the customer payments.
        n_incoming_matched: those with an automatic allocation.
    """

    allocations: pd.DataFrame
    unmatched_transactions: pd.DataFrame
    open_invoices: pd.DataFrame
    ambiguous: pd.DataFrame
    config: MatchConfig
    version: str
    n_transactions: int = 0
    n_invoices: int = 0
    duplicates: pd.DataFrame = field(default_factory=_no_duplicates)
    categorized: pd.DataFrame = field(default_factory=_no_categorized)
    n_incoming: int = 0
    n_incoming_matched: int = 0
    rivals: pd.DataFrame = field(default_factory=rivals_frame)
    notes: pd.DataFrame = field(default_factory=notes_frame)

    def summary(self) -> dict[str, Any]:
        """Counts and amounts: allocations by status and kind, auto rate, what is left.

        Typed values: counts are ``int``, rates ``float`` (0 to 1), amounts ``Decimal``,
        ``by_kind`` / ``by_category`` ``dict[str, int]``, ``version`` ``str``.

        ``match_rate`` counts customer payments only (incoming lines given to the matcher, with
        an automatic allocation); ``auto_rate`` counts every line given to it. Lines taken out
        by rules are counted apart (``categorized``, ``by_category``)."""
        al = self.allocations
        auto = al[al["status"] == "auto"]
        paid_auto = auto["transaction_id"].nunique()
        return {
            "transactions": self.n_transactions,
            "invoices": self.n_invoices,
            "allocations": len(al),
            "auto": len(auto),
            "suggested": int((al["status"] == "suggested").sum()),
            "auto_rate": paid_auto / self.n_transactions if self.n_transactions else 0.0,
            "amount_auto": sum(auto["amount"], start=_zero()),
            "amount_suggested": sum(al.loc[al["status"] == "suggested", "amount"], start=_zero()),
            "by_kind": {str(k): int(v) for k, v in al.groupby("kind").size().items()},
            "unmatched_transactions": len(self.unmatched_transactions),
            "open_invoices": len(self.open_invoices),
            "ambiguous": len(self.ambiguous),
            "duplicates": len(self.duplicates),
            "customer_payments": self.n_incoming,
            "customer_payments_matched": self.n_incoming_matched,
            "match_rate": self.n_incoming_matched / self.n_incoming if self.n_incoming else 0.0,
            "outgoing": self.n_transactions - self.n_incoming,
            "categorized": len(self.categorized),
            "by_category": {
                str(k): int(v) for k, v in self.categorized.groupby("category").size().items()
            },
            "version": self.version,
        }

    def explanations(self, transaction_id: str) -> dict[str | None, list[Contribution]]:
        """The evidence of each allocation of one payment as typed objects: invoice id (None
        for an overpayment's excess) → its :class:`Contribution` list, whose weights add up to
        the score's log-odds. Empty when the payment has no allocation."""
        rows = self.allocations[self.allocations["transaction_id"] == transaction_id]
        return {
            (None if pd.isna(r["invoice_id"]) else str(r["invoice_id"])): explanation_of(
                str(r["explanation"])
            )
            for r in rows.to_dict("records")
        }

    def explain(self, transaction_id: str) -> str:
        """A readable waterfall of every allocation of one payment: each feature's level and
        log-odds contribution, the running total, and the resulting probability."""
        rows = self.allocations[self.allocations["transaction_id"] == transaction_id]
        if rows.empty:
            dup = self.duplicates[self.duplicates["transaction_id"] == transaction_id]
            if len(dup):
                first, inv = dup["duplicate_of"].iat[0], dup["invoice_id"].iat[0]
                return (
                    f"{transaction_id}: no allocation: duplicate of {first}, which already "
                    f"settles {inv} with the same amount and evidence (refund or confirm it)"
                )
            note = self.notes[self.notes["transaction_id"] == transaction_id]
            if len(note):
                return f"{transaction_id}: no allocation: {note['note'].iat[0]}"
            amb = self.ambiguous[self.ambiguous["transaction_id"] == transaction_id]
            if len(amb) and "reason" in amb:
                held: dict[str, Any] = {str(k): v for k, v in amb.iloc[0].items()}
                readings = " | ".join("+".join(a) for a in held["alternatives"])
                return f"{transaction_id}: no allocation: {held['reason']} ({readings})"
            return f"{transaction_id}: no allocation (unmatched)"
        out: list[str] = []
        seen: set[str] = set()
        for r in rows.to_dict("records"):
            head = f"{transaction_id} → {r['invoice_id'] or '(overpayment)'}: {r['amount']}"
            out.append(
                f"{head} {r['currency']}  [{r['kind']}, {r['status']}, score {r['score']:.4f}]"
            )
            expl = str(r["explanation"])
            if expl in seen:
                out.append("  (same evidence as above)")
                continue
            seen.add(expl)
            total = 0.0
            for c in explanation_of(expl):
                total += c.weight
                label = f"{c.feature} = {c.value}"
                out.append(f"  {label:<32} {c.weight:+7.2f}   → {total:+7.2f}")
            out.append(f"  {'log-odds':<32} {total:+7.2f}   → p = {1 / (1 + math.exp(-total)):.4f}")
        return "\n".join(out)


def _zero() -> Any:
    from decimal import Decimal

    return Decimal(0)
