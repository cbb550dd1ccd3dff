"""The :class:`~rapprochement.store.Ledger` methods of the daily work queue (a mixin):
:meth:`~QueueMethods.unmatched`, :meth:`~QueueMethods.customer`,
:meth:`~QueueMethods.accept_above`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from rapprochement.store import queries as _q
from rapprochement.store import queue as _queue
from rapprochement.store.customer_view import CustomerView, customer_view
from rapprochement.store.ledger_base import LedgerPlumbing
from rapprochement.store.queue import BulkDecision
from rapprochement.store.reconcile import (
    Matcher,
    default_matcher,
    load_known_payers,
    load_open_invoices,
    load_open_transactions,
)

__all__ = ["QueueMethods"]


class QueueMethods(LedgerPlumbing):
    """What needs doing: lines nobody matched, a customer's account, bulk decisions."""

    def unmatched(
        self, as_of: dt.date | None = None, *, matcher: Matcher | None = None
    ) -> pd.DataFrame:
        """Incoming payment lines with no allocation, oldest first, each with its best candidate
        and why it was not enough.

        Lines rules categorized and returns are not listed (they are not customer payments).
        The candidate is the line's best pending suggestion (``reason`` ``pending_review``);
        otherwise the matcher is asked, writing nothing, for its best guess with no threshold
        (``below_threshold``: ``score`` is under ``threshold``, the score a suggestion needs;
        ``withheld``: its only reading was withheld as not worth a review, the reason in the
        explanation; ``no_candidate``: no open invoice fits at all). ``explanation`` is the
        candidate's list of ``{"feature", "value", "weight"}`` contributions (weights add up
        to the log-odds).

        Columns: see :data:`rapprochement.store.queue.UNMATCHED_COLUMNS`.
        """
        from rapprochement.matching.config import MatchConfig
        from rapprochement.matching.scoring import load_weights

        with self._read("read unmatched lines") as conn:
            lines = _queue.unmatched_lines(conn, load_open_transactions(conn, as_of))
            invoices = load_open_invoices(conn)
            payers = load_known_payers(conn)
        fn = matcher or default_matcher()
        probe_config = MatchConfig(auto_threshold=1.0, suggest_threshold=0.0)

        def probe(tx: pd.DataFrame) -> pd.DataFrame:
            if not len(invoices):
                return pd.DataFrame(columns=["transaction_id", "score"])
            result = fn(tx, invoices, customers=payers if len(payers) else None,
                        config=probe_config)  # fmt: skip
            return _queue.with_withheld(result.allocations, getattr(result, "ambiguous", None))

        today = as_of or dt.date.today()
        threshold = load_weights(None).suggest_threshold
        with self._read("read unmatched lines") as conn:
            return _queue.candidates(conn, lines, probe, threshold, today)

    def customer(self, customer_id: str, as_of: dt.date | None = None) -> CustomerView:
        """A customer's open items, credits, payments and history (see :class:`CustomerView`).

        Raises:
            NotFoundError: no such customer.
        """
        with self._read("read customer") as conn:
            return customer_view(conn, customer_id, as_of or dt.date.today())

    def accept_above(
        self, min_score: float, *, kind: str | None = None, note: str = ""
    ) -> BulkDecision:
        """Accept every pending suggestion scoring at least ``min_score`` (every row of its
        group; with ``kind``, groups holding a row of that kind), best first, in one
        transaction. A suggestion whose money an earlier one in the batch took stays pending
        and is listed in :attr:`BulkDecision.skipped`; the others are accepted as by
        :meth:`accept` (payers learned)."""
        with self._write("accept suggestions in bulk") as conn:
            frame: Any = _q.suggestions_frame(conn, "pending")
            return _queue.bulk_accept(conn, frame, min_score, kind, by=self.user, note=note)
